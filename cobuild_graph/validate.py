"""Validation: raw text tables in, typed tables out, every problem found reported at once.

The reader (:mod:`cobuild_graph.io`) hands over the cells of the node and tie tables as
trimmed strings, with the file and spreadsheet row of each row. This module resolves labels
and tie types through the schema, parses typed attributes, and checks the dataset as a
whole: unique ids, tie endpoints, endpoint labels, dates, the ``PART_OF`` hierarchy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cobuild_graph.schema import NODE_KEY_COLUMNS, TIE_KEY_COLUMNS, AttributeSpec, Schema

#: Hidden columns the reader adds to every raw table: where each row came from.
FILE, ROW = "_file", "_row"

_TRUE = {"true", "yes", "y", "1", "是", "√", "t"}
_FALSE = {"false", "no", "n", "0", "否", "×", "f"}
_DATE = re.compile(
    r"^(?P<year>\d{4})(?:\s*[-/.年]\s*(?P<month>\d{1,2})(?:\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?)?"
    r"\s*月?)?\s*年?(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
)


@dataclass
class Problems:
    """Collects problems; `headers` maps each file's canonical columns to its own headers."""

    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)

    def add(self, file: str, row: int | None, column: str | None, value: Any, message: str) -> None:
        """Record one problem; `column` is canonical and is shown as the file spells it."""
        self.records.append(
            {
                "file": file,
                "row": row,
                "column": self.header(file, column),
                "value": value,
                "message": message,
            }
        )

    def add_rows(self, table: pd.DataFrame, mask: pd.Series, column: str, message: str) -> None:
        """Record one problem per row of `table` selected by `mask`, showing `column`'s cell."""
        hit = table.loc[mask.to_numpy(), [FILE, ROW, column]]
        for file, row, value in zip(hit[FILE], hit[ROW], hit[column], strict=True):
            self.add(file, int(row), column, value, message)

    def header(self, file: str, column: str | None) -> str | None:
        if column is None:
            return None
        return self.headers.get(file, {}).get(column, column)

    def __bool__(self) -> bool:
        return bool(self.records)


def validate_tables(
    nodes: pd.DataFrame, ties: pd.DataFrame, schema: Schema, problems: Problems
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check raw node and tie tables and convert them to typed tables.

    Parameters
    ----------
    nodes, ties
        Raw tables: every cell a trimmed string (``""`` when empty), canonical column names,
        plus the :data:`FILE` and :data:`ROW` columns.
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
    node_labels = _resolve(nodes, "label", schema.label_lookup(), "label", schema, problems)
    _require(nodes, ("id", "name"), problems)
    _duplicates(nodes, ["id"], "id", "duplicate id", problems)
    typed_nodes = _typed_attributes(
        nodes, node_labels, NODE_KEY_COLUMNS, schema.node_attribute, schema.labels, problems
    )
    typed_nodes["label"] = node_labels

    tie_types = _resolve(ties, "type", schema.tie_type_lookup(), "tie type", schema, problems)
    _require(ties, ("source", "target"), problems)
    typed_ties = _typed_attributes(
        ties, tie_types, TIE_KEY_COLUMNS, schema.tie_attribute, schema.tie_types, problems
    )
    typed_ties["type"] = tie_types
    label_of = dict(zip(nodes["id"].tolist(), node_labels.tolist(), strict=True))
    _check_endpoints(ties, tie_types, label_of, schema, problems)
    checkable = tie_types.notna() & (ties["source"] != "") & (ties["target"] != "")
    _duplicates(
        ties[checkable.to_numpy()].assign(type=tie_types[checkable]),
        ["source", "target", "type"],
        "type",
        "duplicate tie: the same source, target and type",
        problems,
    )
    _check_dates(ties, typed_ties, problems)
    _check_hierarchy(ties, tie_types, problems)
    return (
        typed_nodes.drop(columns=[FILE, ROW]).reset_index(drop=True),
        typed_ties.drop(columns=[FILE, ROW]).reset_index(drop=True),
    )


def _resolve(
    table: pd.DataFrame,
    column: str,
    lookup: Mapping[str, str],
    what: str,
    schema: Schema,
    problems: Problems,
) -> pd.Series:
    """Map each spelling in `column` to its schema name; ``None`` where unknown or empty."""
    folded = table[column].str.normalize("NFKC").str.casefold()
    resolved = folded.map(lookup).astype(object)
    resolved = resolved.where(resolved.notna(), None)
    empty = table[column] == ""
    problems.add_rows(table, empty, column, f"empty {what}")
    known = sorted(schema.labels if column == "label" else schema.tie_types)
    problems.add_rows(
        table,
        resolved.isna() & ~empty,
        column,
        f"unknown {what}; the schema has " + ", ".join(known) + " (or extend the schema)",
    )
    return resolved


def _require(table: pd.DataFrame, columns: tuple[str, ...], problems: Problems) -> None:
    for column in columns:
        problems.add_rows(table, table[column] == "", column, f"empty {column}")


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
            f"{message} (first on {first[FILE]} row {int(first[ROW])})",
        )


def _typed_attributes(
    table: pd.DataFrame,
    kinds: pd.Series,
    keys: tuple[str, ...],
    spec_of: Callable[[str, str], AttributeSpec | None],
    declared: Mapping[str, Any],
    problems: Problems,
) -> pd.DataFrame:
    """Parse each attribute column per label (or tie type), as the schema types it."""
    typed = pd.DataFrame(index=table.index)
    for column in table.columns:
        if column in keys or column in (FILE, ROW):
            typed[column] = table[column].where(table[column] != "", None).astype(object)
            continue
        cells = table[column]
        out = np.full(len(table), None, dtype=object)
        filled = (cells != "").to_numpy()
        owners = sorted(k for k, spec in declared.items() if column in spec.attributes)
        for kind in kinds[filled].dropna().unique():
            rows = filled & (kinds == kind).to_numpy()
            spec = spec_of(kind, column)
            if spec is None and owners:
                problems.add_rows(
                    table,
                    pd.Series(rows, index=table.index),
                    column,
                    f"{column} is not an attribute of {kind} (only of {', '.join(owners)}); "
                    "leave the cell empty or extend the schema",
                )
                continue
            values, bad = parse_values(cells[rows], spec or AttributeSpec())
            out[rows] = values
            if bad.any():
                problems.add_rows(
                    table,
                    pd.Series(rows, index=table.index) & bad.reindex(table.index, fill_value=False),
                    column,
                    _type_message(spec),
                )
        typed[column] = out
    return typed


def parse_values(cells: pd.Series, spec: AttributeSpec) -> tuple[np.ndarray, pd.Series]:
    """Parse non-empty text cells as `spec` says.

    Parameters
    ----------
    cells
        Non-empty, trimmed strings.
    spec
        The attribute's type and allowed values.

    Returns
    -------
    tuple
        An object array of Python values (``None`` where unparseable) and a boolean
        Series marking the unparseable cells.
    """
    if spec.type == "str":
        if spec.choices is None:
            return cells.to_numpy(dtype=object), pd.Series(False, index=cells.index)
        lookup = {c.casefold(): c for c in spec.choices}
        values = cells.str.normalize("NFKC").str.casefold().map(lookup)
    elif spec.type in ("int", "float"):
        number = pd.to_numeric(
            cells.str.normalize("NFKC").str.replace(",", "", regex=False), errors="coerce"
        )
        if spec.type == "int":
            number = number.where(number == number.round())
            values = pd.Series(
                [None if v != v else int(v) for v in number.tolist()],
                index=cells.index,
                dtype=object,
            )
        else:
            values = number.astype("float64").astype(object)
    elif spec.type == "bool":
        folded = cells.str.casefold()
        values = folded.map(lambda v: True if v in _TRUE else False if v in _FALSE else None)
    else:
        values = parse_dates(cells)
    bad = values.isna()
    return values.astype(object).where(~bad, None).to_numpy(dtype=object), bad


def parse_dates(cells: pd.Series) -> pd.Series:
    """Parse date cells: ``2023-02-28``, ``2023/2/28``, ``2023年2月28日``, ``2020-02``, ``2022``.

    A month or a year alone stands for its first day. Returns ``datetime.date`` objects,
    ``NaN`` where a cell is no date (or no real day, such as ``2023-02-30``).

    Examples
    --------
    >>> parse_dates(pd.Series(["2023-02-28", "2020年2月", "2022", "soon"])).tolist()
    [datetime.date(2023, 2, 28), datetime.date(2020, 2, 1), datetime.date(2022, 1, 1), nan]
    """
    stamps = pd.to_datetime(cells, format="%Y-%m-%d", errors="coerce")
    rest = stamps.isna()
    if rest.any():
        parts = cells[rest].str.normalize("NFKC").str.extract(_DATE)
        parts = parts.fillna({"month": "1", "day": "1"})
        iso = parts["year"] + "-" + parts["month"].str.zfill(2) + "-" + parts["day"].str.zfill(2)
        stamps[rest] = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    dates = pd.Series(np.nan, index=cells.index, dtype=object)
    ok = stamps.notna()
    dates[ok] = [dt.date(t.year, t.month, t.day) for t in stamps[ok]]
    return dates


def _type_message(spec: AttributeSpec | None) -> str:
    if spec is None:
        return "cannot read this value"
    if spec.choices is not None:
        return "not an allowed value; use one of " + ", ".join(spec.choices)
    return {
        "int": "not a whole number",
        "float": "not a number",
        "bool": "not a yes/no value (true/false, yes/no, 是/否, 1/0)",
        "date": "not a date (use YYYY-MM-DD, YYYY-MM or YYYY)",
    }[spec.type]


def _check_endpoints(
    ties: pd.DataFrame,
    tie_types: pd.Series,
    label_of: Mapping[str, str | None],
    schema: Schema,
    problems: Problems,
) -> None:
    for end in ("source", "target"):
        missing = (ties[end] != "") & ~ties[end].isin(label_of.keys())
        problems.add_rows(ties, missing, end, f"{end} id not found among the nodes")
    allowed = {(name, s, t) for name, spec in schema.tie_types.items() for s, t in spec.endpoints}
    source_labels = ties["source"].map(label_of)
    target_labels = ties["target"].map(label_of)
    known = (tie_types.notna() & source_labels.notna() & target_labels.notna()).to_numpy()
    triples = zip(tie_types[known], source_labels[known], target_labels[known], strict=True)
    wrong = np.zeros(len(ties), dtype=bool)
    wrong[known] = [triple not in allowed for triple in triples]
    for index in ties.index[wrong]:
        tie_type = tie_types[index]
        pairs = ", ".join(f"{s}→{t}" for s, t in sorted(schema.tie_types[tie_type].endpoints))
        problems.add(
            ties.at[index, FILE],
            int(ties.at[index, ROW]),
            "type",
            ties.at[index, "type"],
            f"{tie_type} cannot join {source_labels[index]} → {target_labels[index]}; "
            f"it joins {pairs}",
        )


def _check_dates(ties: pd.DataFrame, typed: pd.DataFrame, problems: Problems) -> None:
    if "since" not in typed or "until" not in typed:
        return
    both = (typed["since"].notna() & typed["until"].notna()).to_numpy()
    late = np.zeros(len(typed), dtype=bool)
    late[both] = [s > u for s, u in zip(typed["since"][both], typed["until"][both], strict=True)]
    problems.add_rows(ties, pd.Series(late, index=ties.index), "since", "since is after until")


def _check_hierarchy(ties: pd.DataFrame, tie_types: pd.Series, problems: Problems) -> None:
    """Each node has at most one ``PART_OF`` parent, and ``PART_OF`` has no cycle."""
    part_of = ties[(tie_types == "PART_OF").to_numpy() & (ties["source"] != "").to_numpy()]
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
            f"{record['source']} has two PART_OF parents: {parent[record['source']]} and "
            f"{record['target']}",
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
                    f"PART_OF cycle: {text}",
                )
        done.update(path)
