"""Reconcile names: occurrences in, entities with stable ids and suggestions out."""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cobuild_graph.errors import CobuildGraphError, Problems
from cobuild_graph.reconcile._candidates import suggest
from cobuild_graph.reconcile._names import REASONS, Forms, normalize_name, resolve_kind
from cobuild_graph.reconcile._review import KEEP_APART, MERGE, decisions_of, read_decisions
from cobuild_graph.schema import Schema, schema_or_default

logger = logging.getLogger(__name__)

#: Columns of the occurrences table :func:`reconcile` takes; ``file``, ``sheet`` and ``row``
#: may be left out.
OCCURRENCE_COLUMNS: tuple[str, ...] = ("name", "kind", "file", "sheet", "row")
#: Columns of :attr:`Reconciliation.entities`, beside its index ``id``.
ENTITY_COLUMNS: tuple[str, ...] = ("kind", "name", "spellings", "keys", "occurrences", "rows")
#: Columns of :attr:`Reconciliation.suggestions`.
SUGGESTION_COLUMNS: tuple[str, ...] = (
    "kind",
    "name_a",
    "name_b",
    "rows_a",
    "rows_b",
    "score",
    "reason",
    "decision",
    "decided_by",
    "id_a",
    "id_b",
    "key_a",
    "key_b",
)
#: Similarity (rapidfuzz Indel ratio, 0–100) from which two spellings are suggested.
SIMILARITY = 90.0
#: The threshold a command line ``--accept`` uses when given none.
ACCEPT_ABOVE = 90.0

# Ids: a readable kind, then the first bytes of a hash of the rule key.
_ID_PREFIXES = {"ActionBranch": "branch"}
_ID_BYTES = 6
# Where an entity occurs: the first few places, then how many more.
_ROWS_SHOWN = 10


@dataclass(frozen=True)
class Reconciliation:
    """What :func:`reconcile` found.

    Attributes
    ----------
    occurrences
        The occurrences given, with ``label`` (the schema label of ``kind``), ``key`` (the
        rule key, :func:`~cobuild_graph.reconcile.normalize_name`) and ``id`` (the entity)
        added; ``id`` is missing where the name is blank.
    entities
        One row per entity, indexed by ``id``: ``kind`` (schema label), ``name`` (the
        canonical name: the most frequent spelling), ``spellings`` (every spelling, most
        frequent first), ``keys`` (the rule keys merged), ``occurrences`` (count), ``rows``
        (where it occurs, ``file/sheet:row``). Sorted by kind and id.
    suggestions
        One row per pair of rule keys that may name the same thing: :data:`SUGGESTION_COLUMNS`.
        ``decision`` is ``"merge"``, ``"keep apart"`` or missing; ``decided_by`` says
        whether the decisions file (``"file"``) or ``accept_above`` (``"threshold"``)
        decided. Sorted by kind, score (highest first) and names.
    """

    occurrences: pd.DataFrame
    entities: pd.DataFrame
    suggestions: pd.DataFrame

    def summary(self) -> dict[str, int]:
        """Counts a researcher reports: names, rule keys, entities, suggestions by decision."""
        decided = self.suggestions["decision"].value_counts()
        return {
            "spellings": int(self.occurrences["name"].nunique()),
            "keys": int(self.occurrences["key"].nunique()),
            "entities": len(self.entities),
            "suggestions": len(self.suggestions),
            "merged": int(decided.get(MERGE, 0)),
            "kept_apart": int(decided.get(KEEP_APART, 0)),
            "undecided": int(self.suggestions["decision"].isna().sum()),
        }


def entity_id(kind: str, key: str) -> str:
    """The id of the entity whose rule key is `key`: the kind, then a hash of the key.

    Examples
    --------
    >>> entity_id("Community", "道前社区")
    'community-717b46a47b4a'
    """
    prefix = _ID_PREFIXES.get(kind, kind.lower())
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=_ID_BYTES).hexdigest()
    return f"{prefix}-{digest}"


def reconcile(
    occurrences: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    decisions: pd.DataFrame | str | os.PathLike[str] | None = None,
    accept_above: float | None = None,
    abbreviations: Mapping[str, str] | None = None,
    prefixes: Iterable[str] = (),
    similarity: float = SIMILARITY,
    schema: Schema | None = None,
) -> Reconciliation:
    """Reconcile the names of organisations and places: rules merge, the rest is suggested.

    Names of the same kind with the same rule key
    (:func:`~cobuild_graph.reconcile.normalize_name`) are one entity. Every other likeness is
    a suggestion with its reason and score, merged only by a decision: from `decisions`
    (the researcher's file) or, for scripted use, every suggestion scoring at least
    `accept_above` that no decision keeps apart.

    Parameters
    ----------
    occurrences
        One row per occurrence of a name: ``name`` (as written), ``kind`` (``"unit"``,
        ``"community"``, ``"street"``, ``"district"``, a schema label or its Chinese
        alias), and where it occurs: optional ``file``, ``sheet``, ``row``.
    decisions
        Decisions on pairs of names: a table with ``kind``, ``name_a``, ``name_b``,
        ``decision`` (``"merge"`` / ``"keep apart"``), or the path of a review workbook or
        CSV file (:func:`~cobuild_graph.reconcile.read_decisions`). Names are matched by
        rule key, so any spelling the rules merge will do.
    accept_above
        Merge every suggestion scoring at least this (0–100) unless a decision keeps the
        pair apart; ``None`` merges none.
    abbreviations
        More abbreviations 简称 → full forms 全称 beside
        :data:`~cobuild_graph.reconcile.ABBREVIATIONS`.
    prefixes
        More administrative prefixes beside :data:`~cobuild_graph.reconcile.PREFIXES` and the
        names of the districts and streets among the occurrences.
    similarity
        The least rapidfuzz Indel ratio (0–100) for a spelling suggestion.
    schema
        Gives the kinds (labels) and their spellings.

    Returns
    -------
    Reconciliation
        The occurrences with ids, the entities and the suggestions.

    Raises
    ------
    ValidationError
        If a column is missing, a kind is unknown, or the decisions contradict themselves
        (merging, through other merges, two names they keep apart).

    Examples
    --------
    >>> rows = [
    ...     {"name": "道前社区", "kind": "community", "file": "a.xlsx", "row": 2},
    ...     {"name": "道前社区居委会", "kind": "community", "file": "a.xlsx", "row": 3},
    ...     {"name": "苏州银行", "kind": "unit", "file": "a.xlsx", "row": 2},
    ...     {"name": "苏州银行股份有限公司", "kind": "unit", "file": "a.xlsx", "row": 3},
    ... ]
    >>> found = reconcile(rows)
    >>> found.entities["name"].tolist(), found.entities["occurrences"].tolist()
    (['道前社区', '苏州银行', '苏州银行股份有限公司'], [2, 1, 1])
    >>> print(*found.suggestions.loc[0, ["name_a", "name_b", "score", "reason"]])
    苏州银行 苏州银行股份有限公司 95.0 法律形式后缀 legal-form suffix
    >>> len(reconcile(rows, accept_above=90).entities)
    2
    """
    schema = schema_or_default(schema)
    table = _occurrences(occurrences, schema)
    labels = table["label"].dropna()
    places = table.loc[labels.index[labels.isin(["District", "Street"])], "key"]
    forms = Forms.make(abbreviations, (*prefixes, *places.dropna().unique()))

    named = table.dropna(subset=["key"])
    counts = named.groupby(["label", "key"], sort=True).size()
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    by_name = named.groupby(["label", "key", "name"], sort=False).size()
    for (label, key, name), count in zip(by_name.index.tolist(), by_name.tolist(), strict=True):
        spellings[label, key][name] = count
    where = _where_lists(named)
    ids = {lk: entity_id(*lk) for lk in counts.index}
    _check_ids(ids)
    shown = {lk: _canonical(c) for lk, c in spellings.items()}

    pairs: list[dict[str, Any]] = []
    for label, group in counts.groupby(level="label", sort=True):
        names = list(group.index.get_level_values("key"))
        for pair in suggest(names, forms, similarity=similarity):
            a, b = (label, names[pair.a]), (label, names[pair.b])
            pairs.append(
                {
                    "kind": label,
                    "key_a": a[1],
                    "key_b": b[1],
                    "score": pair.score,
                    "reason": "；".join(REASONS[r] for r in pair.reasons),
                }
            )

    decided = _decisions(decisions, schema)
    groups = _Groups()
    problems = Problems()
    for (label, ka, kb), row in decided.items():
        if (label, ka) in ids and (label, kb) in ids and row["decision"] == KEEP_APART:
            groups.keep_apart((label, ka), (label, kb))
    for (label, ka, kb), row in decided.items():
        both = (label, ka) in ids and (label, kb) in ids
        if both and row["decision"] == MERGE and not groups.merge((label, ka), (label, kb)):
            problems.add(
                row["file"],
                row["row"],
                "decision",
                f"{row['name_a']} = {row['name_b']}",
                "合并后与“分开”的决定矛盾 / this merge joins names that "
                "another decision keeps apart; change one of the decisions",
            )
    problems.raise_any("decisions")

    by_pair = {(p["kind"], p["key_a"], p["key_b"]): p for p in pairs}
    for (label, ka, kb), row in decided.items():
        if (label, ka) in ids and (label, kb) in ids:
            pair = by_pair.setdefault(
                (label, *sorted((ka, kb))),  # type: ignore[arg-type]
                {
                    "kind": label,
                    "key_a": min(ka, kb),
                    "key_b": max(ka, kb),
                    "score": float("nan"),
                    "reason": "研究者的决定 the researcher's decision",
                },
            )
            pair["decision"], pair["decided_by"] = row["decision"], "file"
    if accept_above is not None:
        ranked = sorted(by_pair.values(), key=lambda p: (-p["score"], p["key_a"], p["key_b"]))
        for p in ranked:
            if "decision" not in p and p["score"] >= accept_above:
                a, b = (p["kind"], p["key_a"]), (p["kind"], p["key_b"])
                if groups.merge(a, b):
                    p["decision"], p["decided_by"] = MERGE, "threshold"

    entity_of = {lk: ids[groups.find(lk)] for lk in ids}
    entity_ids = pd.Series(list(entity_of.values()), index=pd.MultiIndex.from_tuples(entity_of))
    found_ids = pd.Series(None, index=table.index, dtype=object)
    found_ids[named.index] = entity_ids.reindex(
        pd.MultiIndex.from_frame(named[["label", "key"]])
    ).to_numpy()
    table["id"] = found_ids
    entities = _entities(groups, ids, spellings, where, counts)
    suggestions = pd.DataFrame(list(by_pair.values()), columns=list(SUGGESTION_COLUMNS))
    for side in ("a", "b"):
        members = list(zip(suggestions["kind"], suggestions[f"key_{side}"], strict=True))
        suggestions[f"name_{side}"] = [shown[m] for m in members]
        suggestions[f"rows_{side}"] = [_rows_text(where[m]) for m in members]
        suggestions[f"id_{side}"] = [entity_of[m] for m in members]
    suggestions = suggestions.astype({"score": float}).sort_values(
        ["kind", "score", "key_a", "key_b"], ascending=[True, False, True, True], kind="stable"
    )
    suggestions = suggestions.reset_index(drop=True)
    for column in ("decision", "decided_by"):
        values = suggestions[column].astype(object)
        suggestions[column] = values.where(values.notna(), None)
    logger.info(
        "%d spellings, %d entities, %d suggestions",
        table["name"].nunique(),
        len(entities),
        len(suggestions),
    )
    return Reconciliation(table, entities, suggestions)


def _occurrences(
    occurrences: pd.DataFrame | Iterable[Mapping[str, Any]], schema: Schema
) -> pd.DataFrame:
    table = pd.DataFrame(occurrences).reset_index(drop=True)
    problems = Problems()
    for column in ("name", "kind"):
        if column not in table.columns:
            problems.add("<occurrences>", None, column, None, "缺少此列 / this column is missing")
    problems.raise_any("occurrences")
    for column in ("file", "sheet", "row"):
        if column not in table.columns:
            table[column] = None
    kinds = {k: resolve_kind(k, schema) for k in table["kind"].dropna().unique()}
    table["label"] = table["kind"].map(kinds)
    for r in table[table["label"].isna()].itertuples():
        problems.add(
            None if pd.isna(r.file) else str(r.file),
            None if pd.isna(r.row) else int(r.row),
            "kind",
            r.kind,
            "未知类型 / unknown kind; use unit, community, street, district or another label "
            "of the schema",
        )
    problems.raise_any("occurrences")
    names = table["name"].astype(object).where(table["name"].notna(), "").astype(str)
    table["name"] = names
    table["key"] = _per_unique(table, ["name", "label"], lambda n, k: normalize_name(n, k) or None)
    table["where"] = _per_unique(table, ["file", "sheet", "row"], _where)
    return table


def _per_unique(table: pd.DataFrame, columns: list[str], func: Any) -> pd.Series:
    """``func(*values)`` of each row of `columns`, computed once per distinct row."""
    codes = table.groupby(columns, sort=False, dropna=False).ngroup().to_numpy()
    firsts = np.unique(codes, return_index=True)[1]
    distinct = table[columns].astype(object).iloc[firsts]
    values = np.empty(len(firsts), dtype=object)
    values[:] = [func(*row) for row in zip(*(distinct[c].tolist() for c in columns), strict=True)]
    return pd.Series(values[codes], index=table.index, dtype=object)


def _where_lists(named: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """Where each (label, key) occurs: distinct places in file, sheet, row order."""
    at = named[["label", "key", "where"]].drop_duplicates()
    places = pd.Series(at["where"].unique(), dtype=object)
    order = pd.DataFrame([_where_order(w) for w in places], columns=["place", "number", "_"])
    order["where"] = places
    at = at.merge(order[["where", "place", "number"]], on="where", how="left")
    at = at.sort_values(["label", "key", "place", "number"], kind="stable")
    labels, keys, texts = (at[c].tolist() for c in ("label", "key", "where"))
    starts = np.flatnonzero(
        np.r_[
            True,
            (at["label"].to_numpy()[1:] != at["label"].to_numpy()[:-1])
            | (at["key"].to_numpy()[1:] != at["key"].to_numpy()[:-1]),
        ]
    ).tolist()
    ends = [*starts[1:], len(texts)]
    return {(labels[a], keys[a]): texts[a:b] for a, b in zip(starts, ends, strict=True)}


def _where(file: Any, sheet: Any, row: Any) -> str:
    parts = "" if _blank(file) else str(file)
    if not _blank(sheet):
        parts += f"/{sheet}"
    if not _blank(row):
        parts += f":{int(row) if isinstance(row, float) else row}"
    return parts


def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value))) or value == ""


def _where_order(where: str) -> tuple[str, int, str]:
    place, _, row = where.rpartition(":")
    return (place, int(row), "") if row.isdigit() else (where, -1, "")


def _rows_text(where: list[str]) -> str:
    shown = ", ".join(w for w in where[:_ROWS_SHOWN] if w)
    more = len(where) - _ROWS_SHOWN
    return shown + (f" … (+{more})" if more > 0 else "")


def _canonical(spellings: Counter[str]) -> str:
    # the most frequent; then the shortest (道前社区, not 道前社区居委会); then Unicode order
    return min(spellings, key=lambda s: (-spellings[s], len(s), s))


def _check_ids(ids: Mapping[tuple[str, str], str]) -> None:
    seen: dict[str, tuple[str, str]] = {}
    for lk, id_ in ids.items():
        if seen.setdefault(id_, lk) != lk:
            raise CobuildGraphError(
                f"两个名称得到同一编号 / the names {seen[id_][1]!r} and {lk[1]!r} hash to the same "
                f"id {id_!r}; please report this"
            )


class _Groups:
    """Union-find over (kind, key), with pairs that must stay apart; the root is the
    smallest key, so a merged entity keeps the id of the key that sorts first."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}
        self.apart: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)

    def find(self, x: tuple[str, str]) -> tuple[str, str]:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def keep_apart(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = self.find(a), self.find(b)
        self.apart[ra].add(rb)
        self.apart[rb].add(ra)

    def merge(self, a: tuple[str, str], b: tuple[str, str]) -> bool:
        """Join the groups of `a` and `b`; ``False`` (and nothing joined) if kept apart."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if rb in self.apart[ra]:
            return False
        root, child = min(ra, rb), max(ra, rb)
        self.parent[child] = root
        moved = self.apart.pop(child, set())
        self.apart[root] |= moved
        for other in moved:
            self.apart[other].discard(child)
            self.apart[other].add(root)
        return True


def _entities(
    groups: _Groups,
    ids: Mapping[tuple[str, str], str],
    spellings: Mapping[tuple[str, str], Counter[str]],
    where: Mapping[tuple[str, str], list[str]],
    counts: pd.Series,
) -> pd.DataFrame:
    counted = dict(zip(counts.index.tolist(), counts.tolist(), strict=True))
    members: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for lk in ids:
        members[groups.find(lk)].append(lk)
    records = []
    for root, keys in members.items():
        if len(keys) == 1:  # most entities: one rule key, nothing to merge
            spelled, rows = spellings[root], where[root]
        else:
            spelled = Counter()
            places: set[str] = set()
            for lk in keys:
                spelled.update(spellings[lk])
                places.update(where[lk])
            rows = sorted(places, key=_where_order)
        records.append(
            {
                "id": ids[root],
                "kind": root[0],
                "name": _canonical(spelled),
                "spellings": sorted(spelled, key=lambda s: (-spelled[s], len(s), s)),
                "keys": sorted(k for _, k in keys),
                "occurrences": int(sum(counted[lk] for lk in keys)),
                "rows": rows,
            }
        )
    frame = pd.DataFrame(records, columns=["id", *ENTITY_COLUMNS])
    return frame.sort_values(["kind", "id"]).set_index("id")


def _decisions(
    decisions: pd.DataFrame | str | os.PathLike[str] | None, schema: Schema
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Decisions by (kind, key, key), keys in order; a later row wins over an earlier one."""
    if decisions is None:
        return {}
    if isinstance(decisions, pd.DataFrame):
        table = decisions_of(decisions, schema=schema)
    else:
        table = read_decisions(decisions, schema=schema)
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in table.to_dict("records"):
        label = resolve_kind(row["kind"], schema)
        assert label is not None  # checked by read_decisions / decisions_of
        key_a, key_b = normalize_name(row["name_a"], label), normalize_name(row["name_b"], label)
        if key_a != key_b:
            out[(label, *sorted((key_a, key_b)))] = row  # type: ignore[index]
    return out
