"""Validation: raw text tables in, typed tables out, every problem found reported at once.

:func:`validate_tables` validates node and tie tables made in pandas, as a dataset's files
are validated (``cobuild_graph.validate_tables``, also :func:`cobuild_graph.io.validate_tables`).
:func:`check_tables` does the work for it and for the readers (:mod:`cobuild_graph.io`, the
roster import), which hand over the cells of the node and tie tables as trimmed strings,
with the file and spreadsheet row of each row (for tables made in pandas, their row labels
instead). It resolves labels and tie types through the schema, parses typed attributes, and
checks the dataset as a whole: unique ids, ids that differ only in width or spacing, tie
endpoints, endpoint labels, dates, the ``PART_OF`` hierarchy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from cobuild_graph._files import excel_text
from cobuild_graph._raw_tables import TableSheet, raw_table
from cobuild_graph.dates import DATE_FORMS, parse_dates
from cobuild_graph.errors import FILE, ROW, Problems, ValidationError, problems_frame
from cobuild_graph.schema import (
    INFERENCES,
    INFERRED,
    NODE_KEY_COLUMNS,
    TIE_KEY_COLUMNS,
    AttributeSpec,
    Schema,
    schema_or_default,
)

__all__ = ["check_tables", "validate_tables"]

_TRUE = {"true", "yes", "y", "1", "是", "√", "t"}
_FALSE = {"false", "no", "n", "0", "否", "×", "f"}


def validate_tables(
    nodes: pd.DataFrame, ties: pd.DataFrame, *, schema: Schema | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate node and tie tables made in pandas, as a dataset's files are validated.

    Each cell is first turned into the text a spreadsheet would show (``120.0`` as
    ``120``, ``True`` as ``true``, a date or midnight timestamp as ``2019-05-01``; ``None``,
    ``NaN``, ``pd.NA`` and ``NaT`` as an empty cell), then the tables go through the checks
    of :func:`read_tables`: headers (Chinese ones too), labels and tie types, typed
    attributes, unique ids, tie endpoints, the ``PART_OF`` hierarchy.

    Parameters
    ----------
    nodes
        Columns ``id``, ``label``, ``name`` and any attributes, one row per node; cells of
        any dtype.
    ties
        Columns ``source``, ``target``, ``type`` and any attributes, one row per tie.
    schema
        The schema to validate against.

    Returns
    -------
    tuple of pandas.DataFrame
        Typed ``(nodes, ties)``, as :func:`read_tables` returns them: cells are ``str``,
        ``int``, ``float``, ``bool``, ``datetime.date`` or ``None``, the index a fresh
        ``RangeIndex``, attributes the schema does not know kept as text.

    Raises
    ------
    ValidationError
        With every problem found. Its ``file`` is ``"nodes (DataFrame)"`` or
        ``"ties (DataFrame)"``; its ``row`` is the row's label in the DataFrame's index
        (``df.loc[row]``), which for the default index is its position counted from 0. An
        index that is not unique or not of integers is replaced by positions from 0
        (``df.iloc[row]``). Rows without any value are left out, as blank lines are.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["s1", "c1"], "label": ["街道", "社区"],
    ...                       "name": ["沧浪街道", "道前社区"], "members": [None, 120.0]})
    >>> ties = pd.DataFrame({"source": ["c1", "c9"], "target": ["s1", "s1"],
    ...                      "type": ["隶属", "PART_OF"]})
    >>> validate_tables(nodes, ties)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cobuild_graph.errors.ValidationError: 数据集无效，1 个问题 / invalid dataset: 1 problem
      第 1 行，source 列 / ties (DataFrame), row 1, column source: 节点中没有这个 source id / ...
    >>> typed_nodes, typed_ties = validate_tables(nodes, ties.iloc[:1])
    >>> typed_nodes["label"].tolist(), typed_nodes["members"].tolist()
    (['Street', 'Community'], [None, 120])
    """
    schema = schema_or_default(schema)
    problems = Problems()
    raw = {}
    for kind, table in (("nodes", nodes), ("ties", ties)):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(
                f"{kind} 应为 pandas DataFrame / "
                f"{kind} must be a pandas DataFrame, not {type(table).__name__}"
            )
        file = f"{kind} (DataFrame)"
        index = table.index
        if index.is_unique and pd.api.types.is_integer_dtype(index.dtype):
            labels = index.to_numpy(dtype=np.int64)
        else:
            labels = np.arange(len(table), dtype=np.int64)
        already = len(problems.records)
        sheet = TableSheet(kind, None, file, cells=_table_cells(table))
        raw[kind] = raw_table([sheet], kind, schema, problems)
        # The sheet's rows are numbered as a spreadsheet's, under a header in row 1.
        raw[kind][ROW] = labels[raw[kind][ROW].to_numpy(dtype=np.int64) - 2]
        for record in problems.records[already:]:
            row = record["row"]
            record["row"] = None if row is None or row < 2 else int(labels[row - 2])
    typed_nodes, typed_ties = check_tables(raw["nodes"], raw["ties"], schema, problems)
    if problems:
        raise ValidationError(problems_frame(problems.records))
    return typed_nodes, typed_ties


def _table_cells(table: pd.DataFrame) -> dict[int, dict[int, Any]]:
    """A DataFrame as a worksheet's cells: its column names in row 1, its rows below."""
    columns = []
    for position in range(table.shape[1]):
        column = table.iloc[:, position]
        missing = pd.isna(column).to_numpy()
        columns.append(
            [
                None if gone else _cell_value(value)
                for value, gone in zip(column.astype(object).tolist(), missing, strict=True)
            ]
        )
    header = {j: str(name) for j, name in enumerate(table.columns, start=1)}
    cells = {1: header} if header else {}  # a sheet holds no empty rows
    for number, row in enumerate(zip(*columns, strict=True), start=2):
        held = {j: v for j, v in enumerate(row, start=1) if v is not None and v != ""}
        if held:
            cells[number] = held
    return cells


def _cell_value(value: Any) -> Any:
    """A pandas or numpy scalar as the Python value a worksheet cell would hold; text as a
    workbook stores it, so that reading the cell gives back exactly this text."""
    if isinstance(value, str):
        return excel_text(value)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def check_tables(
    nodes: pd.DataFrame, ties: pd.DataFrame, schema: Schema, problems: Problems
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check raw node and tie tables and convert them to typed tables.

    Parameters
    ----------
    nodes, ties
        Raw tables: every cell a trimmed string (``""`` when empty), canonical column names,
        plus the :data:`FILE` and :data:`ROW` columns. The entry point for tables made in
        pandas is :func:`validate_tables`.
    schema
        The schema the dataset must follow.
    problems
        Where every problem found is recorded.

    Returns
    -------
    tuple of pandas.DataFrame
        Typed ``(nodes, ties)``: cells are ``str``, ``int``, ``float``, ``bool``,
        ``datetime.date`` or ``None``. Meaningful only when no problem was recorded.
    """
    nodes = nodes.reset_index(drop=True)
    ties = ties.reset_index(drop=True)
    node_labels = _resolve(
        nodes, "label", schema.label_lookup(), ("节点类型", "label"), schema, problems
    )
    _require(nodes, ("id", "name"), problems)
    _duplicates(
        nodes, ["id"], "id", "重复的 id / duplicate id, compared after trimming spaces", problems
    )
    _width_variants(nodes, problems)
    typed_nodes = _typed_attributes(
        nodes, node_labels, NODE_KEY_COLUMNS, schema.node_attribute, schema.labels, problems
    )
    typed_nodes["label"] = node_labels

    tie_types = _resolve(
        ties, "type", schema.tie_type_lookup(), ("关系类型", "tie type"), schema, problems
    )
    _require(ties, ("source", "target"), problems)
    typed_ties = _typed_attributes(
        ties, tie_types, TIE_KEY_COLUMNS, schema.tie_attribute, schema.tie_types, problems
    )
    typed_ties["type"] = tie_types
    _check_endpoints(ties, tie_types, nodes["id"], node_labels, schema, problems)
    checkable = (
        pd.notna(tie_types) & (ties["source"] != "").to_numpy() & (ties["target"] != "").to_numpy()
    )
    _duplicates(
        ties[checkable].assign(type=tie_types[checkable]),
        ["source", "target", "type"],
        "type",
        "重复的关系 / duplicate tie: the same source, target and type",
        problems,
    )
    _check_dates(ties, typed_ties, problems)
    for table in (nodes, ties):
        _check_marks(table, problems)
    _check_hierarchy(ties, tie_types, schema.hierarchy_tie, problems)
    return _object_frame(typed_nodes), _object_frame(typed_ties)


def _object_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A typed table: every column of dtype object, holding Python values or ``None``."""
    return pd.DataFrame({c: v for c, v in columns.items() if c not in (FILE, ROW)}, dtype=object)


def _resolve(
    table: pd.DataFrame,
    column: str,
    lookup: Mapping[str, str],
    what: tuple[str, str],
    schema: Schema,
    problems: Problems,
) -> np.ndarray:
    """Map each spelling in `column` to its schema name; ``None`` where unknown or empty."""
    codes, spellings = pd.factorize(table[column])
    names = np.array(
        [lookup.get(unicodedata.normalize("NFKC", s).casefold()) for s in spellings] + [None],
        dtype=object,
    )
    resolved = names[codes]  # code -1 (no value) picks the trailing None
    empty = (table[column] == "").to_numpy()
    zh, en = what
    problems.add_rows(table, empty, column, f"{zh}为空 / empty {en}")
    known = sorted(schema.labels if column == "label" else schema.tie_types)
    problems.add_rows(
        table,
        pd.isna(resolved) & ~empty,
        column,
        f"未知的{zh}，schema 中有 {'、'.join(known)}（或扩展 schema） / unknown {en}; the schema "
        f"has {', '.join(known)} (or extend the schema)",
    )
    return resolved


def _require(table: pd.DataFrame, columns: tuple[str, ...], problems: Problems) -> None:
    for column in columns:
        problems.add_rows(table, table[column] == "", column, f"{column} 为空 / empty {column}")


def _duplicates(
    table: pd.DataFrame, key: list[str], column: str, message: str, problems: Problems
) -> None:
    """Report every repeat of `key`, naming the row that had it first."""
    nonempty = table[(table[key] != "").all(axis=1)]
    repeats = nonempty.duplicated(key, keep="first")
    if not repeats.any():
        return
    firsts = nonempty[~repeats].set_index(key)[[FILE, ROW]]
    for record in nonempty[repeats].to_dict("records"):
        values = tuple(record[k] for k in key)
        first = firsts.loc[values if len(values) > 1 else values[0]]
        problems.add(
            record[FILE],
            int(record[ROW]),
            column,
            record[column],
            f"{message} (first on {first[FILE]} row {int(first[ROW])}；首次出现于 {first[FILE]} "
            f"第 {int(first[ROW])} 行)",
        )


_SPACES = re.compile(r"\s+")


def _width_variants(nodes: pd.DataFrame, problems: Problems) -> None:
    """Report ids that differ only in character width or spacing (``C（1）`` and ``C(1)``,
    ``００７`` and ``007``), naming the row of the first spelling.

    Such ids are distinct to the graph but not to the eye, so a tie typed with the other
    spelling would join the wrong node or none.
    """
    ids = nodes["id"]
    # NFKC and whitespace leave plain ASCII ids without spaces as they are: only the rest
    # need folding, and most datasets have none.
    odd = ~ids.str.fullmatch(r"[!-~]*").to_numpy()
    if not odd.any():
        return
    folded = ids.copy()
    folded[odd] = [_SPACES.sub("", unicodedata.normalize("NFKC", i)) for i in ids[odd]]
    shared = folded.duplicated(keep=False).to_numpy() & (ids != "").to_numpy()
    if not shared.any():
        return
    first: dict[str, tuple[str, Any, Any]] = {}
    for spelling, key, file, row in zip(
        ids[shared], folded[shared], nodes[FILE][shared], nodes[ROW][shared], strict=True
    ):
        seen = first.setdefault(key, (spelling, file, row))
        if seen[0] != spelling:  # the same spelling again is a duplicate id, reported as such
            problems.add(
                file,
                int(row),
                "id",
                spelling,
                "id 只在全角半角或空格上不同，请写成一样 / "
                f"ids differ only in character width or spacing: {spelling!r} and {seen[0]!r} "
                f"(also on {seen[1]} row {int(seen[2])}); write them the same way",
            )


def _typed_attributes(
    table: pd.DataFrame,
    kinds: np.ndarray,
    keys: tuple[str, ...],
    spec_of: Callable[[str, str], AttributeSpec | None],
    declared: Mapping[str, Any],
    problems: Problems,
) -> dict[str, np.ndarray]:
    """Parse each attribute column as the schema types it for each row's label or tie type."""
    typed: dict[str, np.ndarray] = {}
    kind_codes, kind_names = pd.factorize(kinds)  # -1 where the label or type is unknown
    present_kinds = list(kind_names)
    for column in table.columns:
        cells = table[column]
        filled = (cells != "").to_numpy()
        if column in keys or column in (FILE, ROW):
            typed[column] = np.where(filled, cells.to_numpy(dtype=object), None)
            continue
        out = np.full(len(table), None, dtype=object)
        owners = sorted(k for k, spec in declared.items() if column in spec.attributes)
        # Rows whose kinds share one spec are parsed together: usually the whole column.
        by_spec: dict[AttributeSpec | None, list[str]] = {}
        for kind in present_kinds:
            by_spec.setdefault(spec_of(kind, column), []).append(kind)
        for spec, group in by_spec.items():
            rows = filled & np.isin(kind_codes, [present_kinds.index(k) for k in group])
            if spec is None and owners:
                message = (
                    f"{column} 不是 {'、'.join(group)} 的属性 / "
                    f"{column} is not an attribute of {', '.join(group)} (only of "
                    f"{', '.join(owners)}); leave the cell empty or extend the schema"
                )
                problems.add_rows(table, rows, column, message)
                continue
            values, bad = parse_values(cells[rows], spec or AttributeSpec())
            out[rows] = values
            if bad.any():
                bad_rows = np.zeros(len(table), dtype=bool)
                bad_rows[np.flatnonzero(rows)[bad]] = True
                problems.add_rows(table, bad_rows, column, _type_message(spec))
        typed[column] = out
    return typed


def parse_values(cells: pd.Series, spec: AttributeSpec) -> tuple[np.ndarray, np.ndarray]:
    """Parse non-empty text cells as `spec` says.

    Each distinct text is parsed once, so long columns of repeated values stay fast.

    Parameters
    ----------
    cells
        Non-empty, trimmed strings.
    spec
        The attribute's type and allowed values.

    Returns
    -------
    tuple of numpy.ndarray
        The Python values (``None`` where unparseable) and a mask of the unparseable cells.

    Examples
    --------
    >>> values, bad = parse_values(pd.Series(["3", "x", "3"]), AttributeSpec("int"))
    >>> values.tolist(), bad.tolist()
    ([3, None, 3], [False, True, False])
    """
    if spec.type == "str" and spec.choices is None:
        return cells.to_numpy(dtype=object), np.zeros(len(cells), dtype=bool)
    codes, uniques = pd.factorize(cells)
    texts = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    if spec.type == "str":
        lookup = {c.casefold(): c for c in spec.choices or ()}
        parsed = [lookup.get(unicodedata.normalize("NFKC", t).casefold()) for t in texts]
    elif spec.type in ("int", "float"):
        numbers = pd.to_numeric(
            texts.map(lambda t: unicodedata.normalize("NFKC", t).replace(",", "")),
            errors="coerce",
        ).astype("float64")
        if spec.type == "int":
            parsed = [int(v) if v == v and v == round(v) else None for v in numbers]
        else:
            parsed = [v if v == v else None for v in numbers.tolist()]
    elif spec.type == "bool":
        folded = texts.str.casefold()
        parsed = [True if v in _TRUE else False if v in _FALSE else None for v in folded]
    else:
        parsed = [None if d != d else d for d in parse_dates(texts)]
    unique_values = np.array([*parsed, None], dtype=object)
    values = unique_values[codes]
    return values, np.array([v is None for v in unique_values])[codes]


def _type_message(spec: AttributeSpec | None) -> str:
    if spec is None:
        return "无法读取这个值 / cannot read this value"
    if spec.choices is not None:
        return "不是允许的取值 / not an allowed value; use one of " + ", ".join(spec.choices)
    return {
        "int": "不是整数 / not a whole number",
        "float": "不是数字 / not a number",
        "bool": "不是是/否值 / not a yes/no value (true/false, yes/no, 是/否, 1/0)",
        "date": f"不是日期 / not a date: write it as {DATE_FORMS}; 1/5/2023 is ambiguous",
    }[spec.type]


def _check_endpoints(
    ties: pd.DataFrame,
    tie_types: np.ndarray,
    node_ids: pd.Series,
    node_labels: np.ndarray,
    schema: Schema,
    problems: Problems,
) -> None:
    """Every endpoint exists, and the schema allows its labels for the tie type."""
    first = ~node_ids.duplicated().to_numpy()
    index = pd.Index(node_ids[first])
    label_codes, label_names = pd.factorize(node_labels[first])  # -1: unknown label
    label_names = list(label_names)
    codes = np.append(label_codes, -1)  # position -1 (not found) picks the trailing -1
    ends = {}
    for end in ("source", "target"):
        position = index.get_indexer(ties[end])
        missing = (position < 0) & (ties[end] != "").to_numpy()
        problems.add_rows(
            ties, missing, end, f"节点中没有这个 {end} id / {end} id not found among the nodes"
        )
        ends[end] = codes[position]
    type_codes, type_names = pd.factorize(tie_types)
    size = len(label_names) + 1
    combos = (type_codes * size + ends["source"]) * size + ends["target"]
    known = (type_codes >= 0) & (ends["source"] >= 0) & (ends["target"] >= 0)
    allowed = [
        (t * size + label_names.index(s)) * size + label_names.index(g)
        for t, name in enumerate(type_names)
        for s, g in schema.tie_types[name].endpoints
        if s in label_names and g in label_names
    ]
    for row in np.flatnonzero(known & ~np.isin(combos, allowed)):
        tie_type = tie_types[row]
        source = label_names[ends["source"][row]]
        target = label_names[ends["target"][row]]
        pairs = ", ".join(f"{s}→{t}" for s, t in sorted(schema.tie_types[tie_type].endpoints))
        problems.add(
            ties[FILE].iat[row],
            int(ties[ROW].iat[row]),
            "type",
            ties["type"].iat[row],
            f"{tie_type} 不能连接 {source} → {target} / "
            f"{tie_type} cannot join {source} → {target}; it joins {pairs}",
        )


def _check_dates(ties: pd.DataFrame, typed: Mapping[str, np.ndarray], problems: Problems) -> None:
    if "since" not in typed or "until" not in typed:
        return
    since, until = typed["since"], typed["until"]
    both = ~pd.isna(since) & ~pd.isna(until)
    late = np.zeros(len(since), dtype=bool)
    late[both] = [s > u for s, u in zip(since[both], until[both], strict=True)]
    problems.add_rows(ties, late, "since", "开始日期晚于结束日期 / since is after until")


def _check_marks(table: pd.DataFrame, problems: Problems) -> None:
    """Each :data:`~cobuild_graph.schema.INFERRED` cell is ``field:how`` entries joined by
    ``;``, every ``how`` one the schema knows."""
    if INFERRED not in table.columns:
        return
    codes, texts = pd.factorize(table[INFERRED])
    bad = np.array([*(not _is_mark(t) for t in texts), False])[codes]
    problems.add_rows(
        table,
        bad,
        INFERRED,
        "不是推定值标记 / not a mark of inferred values: write field:how entries joined by "
        "';', how one of " + ", ".join(INFERENCES),
    )


def _is_mark(text: str) -> bool:
    entries = [e.strip() for e in text.split(";") if e.strip()]
    return all(
        f.strip() and sep and how.strip() in INFERENCES
        for f, sep, how in (e.partition(":") for e in entries)
    )


def _check_hierarchy(
    ties: pd.DataFrame, tie_types: np.ndarray, hierarchy_tie: str, problems: Problems
) -> None:
    """Each node has at most one parent by the hierarchy tie (``PART_OF``), which has no
    cycle."""
    part_of = ties[(tie_types == hierarchy_tie) & (ties["source"] != "").to_numpy()]
    repeats = part_of.duplicated("source", keep="first")
    parent: dict[str, str] = dict(
        zip(part_of["source"][~repeats], part_of["target"][~repeats], strict=True)
    )
    for record in part_of[repeats].to_dict("records"):
        problems.add(
            record[FILE],
            int(record[ROW]),
            "source",
            record["source"],
            f"{record['source']} 有两个上级 / {record['source']} has two {hierarchy_tie} "
            f"parents: {parent[record['source']]} and {record['target']}",
        )
    row_of = dict(zip(part_of["source"][~repeats], part_of.index[~repeats], strict=True))
    done: set[str] = set()
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in done and node not in path:
            path.append(node)
            node = parent.get(node)
        if node is not None and node in path:
            cycle = path[path.index(node) :]
            text = " → ".join([*cycle, node])
            for member in cycle:
                index = row_of[member]
                problems.add(
                    ties.at[index, FILE],
                    int(ties.at[index, ROW]),
                    "target",
                    ties.at[index, "target"],
                    f"{hierarchy_tie} 成环 / {hierarchy_tie} cycle: {text}",
                )
        done.update(path)
