"""Reconcile names: occurrences in, entities with stable ids and suggestions out."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cobuild_graph.errors import CobuildGraphError, Problems
from cobuild_graph.reconcile._candidates import suggest
from cobuild_graph.reconcile._decisions import (
    DECIDED_REASON,
    DECISION_COLUMNS,
    KEEP_APART,
    MERGE,
    NAME_CHOICE_COLUMNS,
    RULE_REASON,
    decisions_of,
    empty_names,
    read_review,
)
from cobuild_graph.reconcile._names import REASONS, Forms, normalize_name, resolve_kind, trimmed
from cobuild_graph.schema import Schema, schema_or_default

logger = logging.getLogger(__name__)

#: Columns of the occurrences table :func:`reconcile` takes; ``file``, ``sheet`` and ``row``
#: may be left out. Any other column is evidence (:data:`EVIDENCE_LABELS`).
OCCURRENCE_COLUMNS: tuple[str, ...] = ("name", "kind", "file", "sheet", "row")
#: How the review workbook labels the evidence columns of the occurrences that a roster
#: import gives; another column is shown by its own name.
EVIDENCE_LABELS: Mapping[str, str] = {
    "category": "单位类型 category",
    "members": "党员人数 members",
    "date": "报到时间 date",
    "place": "所在地 place",
}
#: Columns of :attr:`Reconciliation.entities`, beside its index ``id``.
ENTITY_COLUMNS: tuple[str, ...] = ("kind", "name", "spellings", "keys", "occurrences", "rows")
#: Columns of :attr:`Reconciliation.suggestions`.
SUGGESTION_COLUMNS: tuple[str, ...] = (
    "kind",
    "name_a",
    "name_b",
    "rows_a",
    "rows_b",
    "evidence_a",
    "evidence_b",
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
# Evidence: the most frequent values of an attribute, then how many more.
_VALUES_SHOWN = 5
# Between a rule key and a spelling split out of it: the key of the split entity. A rule
# key has no spaces, so the first space ends it.
_SPLIT = " "
_TERMS = ("term_a", "term_b")
# Columns of the occurrences that are not evidence.
_OWN_COLUMNS = frozenset({*OCCURRENCE_COLUMNS, "label", "key", "variant", "node", "where", "id"})


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
        whether the decisions file (``"file"``), ``accept_above`` (``"threshold"``) or the
        rules (``"rule"``, in :attr:`rule_merges`) decided. ``evidence_a`` and
        ``evidence_b`` give, per evidence column of the occurrences, each value of the
        name's rows and how many rows give it. Sorted by kind, score (highest first) and
        names.
    rule_merges
        The spellings the rules merged, as :attr:`suggestions`: one row per spelling of a
        rule key (in NFKC, trimmed: spellings that differ only in width or surrounding
        spaces are one) beside the key's first spelling; ``key_a == key_b``, reason
        ``"规则合并 rule merge"``, decided ``"merge"`` by the rules unless a decision keeps
        the two apart (then the second is an entity of its own).
    decisions
        Every decision read: ``kind`` (schema label), ``name_a``, ``name_b``, ``decision``,
        ``reason``, ``file``, ``row``, and ``in_run``: whether both names occur in this run
        (a decision whose names do not is kept, and applies when they come back).
    names
        Every canonical name chosen (the review workbook's sheet ``名称 names``): ``kind``,
        ``id``, ``spellings``, ``name``, ``canonical``, ``file``, ``row``, ``in_run``
        (whether the entity occurs in this run).
    """

    occurrences: pd.DataFrame
    entities: pd.DataFrame
    suggestions: pd.DataFrame
    rule_merges: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(SUGGESTION_COLUMNS))
    )
    decisions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=[*DECISION_COLUMNS, "in_run"])
    )
    names: pd.DataFrame = field(
        default_factory=lambda: empty_names().assign(in_run=pd.Series(dtype=bool))
    )

    def summary(self) -> dict[str, int]:
        """Counts a researcher reports: names, rule keys, entities, suggestions by decision,
        rule merges (``rule_merges``) and those undone (``split``), canonical names chosen,
        and decisions and canonical names for names not in this run (``absent_decisions``,
        ``absent_names``)."""
        suggested = self.suggestions
        decided = suggested["decision"].value_counts()
        decisions_in_run = self.decisions["in_run"].astype(bool)
        names_in_run = self.names["in_run"].astype(bool)
        return {
            "spellings": int(self.occurrences["name"].nunique()),
            "keys": int(self.occurrences["key"].nunique()),
            "entities": len(self.entities),
            "suggestions": len(suggested),
            "merged": int(decided.get(MERGE, 0)),
            "kept_apart": int(decided.get(KEEP_APART, 0)),
            "undecided": int(suggested["decision"].isna().sum()),
            "rule_merges": len(self.rule_merges),
            "split": int((self.rule_merges["decision"] == KEEP_APART).sum()),
            "canonical": int(names_in_run.sum()),
            "absent_decisions": int((~decisions_in_run).sum()),
            "absent_names": int((~names_in_run).sum()),
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
    names: pd.DataFrame | None = None,
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

    A rule merge is listed too, and undone by a decision that keeps its two spellings apart:
    the spelling that comes later (not the key itself as written, then longer, then in
    Unicode order) becomes an entity of its own, with the id ``entity_id(kind, key + " " +
    spelling)`` (the spelling in NFKC, trimmed); no other id changes.

    Parameters
    ----------
    occurrences
        One row per occurrence of a name: ``name`` (as written), ``kind`` (``"unit"``,
        ``"community"``, ``"street"``, ``"district"``, a schema label or its Chinese
        alias), and where it occurs: optional ``file``, ``sheet``, ``row``. Any other
        column (``category``, ``members``, ``date``, ``place`` ...) is evidence: the
        suggestions show each name's values of it, so that a decision needs no trip back
        to the rosters.
    decisions
        Decisions on pairs of names: a table with ``kind``, ``name_a``, ``name_b``,
        ``decision`` (``"merge"`` / ``"keep apart"``), or the path of a review workbook or
        CSV file (:func:`~cobuild_graph.reconcile.read_decisions`; a review workbook's
        canonical names are read too). Names are matched by rule key, so any spelling the
        rules merge will do; a decision whose names are not among the occurrences is kept
        (:attr:`Reconciliation.decisions`) and not applied.
    names
        Canonical names chosen: a table with ``id`` and ``canonical`` (one of the entity's
        spellings), and ``file`` and ``row`` for problems; by default those of the review
        workbook `decisions` (:func:`~cobuild_graph.reconcile.read_names`).
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
        The occurrences with ids, the entities, the suggestions and the decisions read.

    Raises
    ------
    ValidationError
        If a column is missing, a kind is unknown, the decisions contradict themselves (one
        pair both merged and kept apart, or merging, through other merges, two names they
        keep apart: every row concerned is named), or a canonical name is not a spelling of
        its entity.

    Examples
    --------
    >>> rows = [
    ...     {"name": "道前社区", "kind": "community", "file": "a.xlsx", "row": 2},
    ...     {"name": "道前社区居委会", "kind": "community", "file": "a.xlsx", "row": 3},
    ...     {"name": "苏州银行", "kind": "unit", "file": "a.xlsx", "row": 2, "members": 5},
    ...     {"name": "苏州银行股份有限公司", "kind": "unit", "file": "a.xlsx", "row": 3},
    ... ]
    >>> found = reconcile(rows)
    >>> found.entities["name"].tolist(), found.entities["occurrences"].tolist()
    (['道前社区', '苏州银行', '苏州银行股份有限公司'], [2, 1, 1])
    >>> print(*found.suggestions.loc[0, ["name_a", "name_b", "score", "reason", "evidence_a"]])
    苏州银行 苏州银行股份有限公司 95.0 法律形式后缀 legal-form suffix 党员人数 members: 5 ×1
    >>> print(*found.rule_merges.loc[0, ["name_a", "name_b", "reason", "decision"]])
    道前社区 道前社区居委会 规则合并 rule merge merge
    >>> len(reconcile(rows, accept_above=90).entities)
    2
    """
    schema = schema_or_default(schema)
    table = _occurrences(occurrences, schema)
    evidence = [c for c in table.columns if c not in _OWN_COLUMNS]
    labels = table["label"].dropna()
    places = table.loc[labels.index[labels.isin(["District", "Street"])], "key"]
    forms = Forms.make(abbreviations, (*prefixes, *places.dropna().unique()))

    decided, chosen = _decisions(decisions, names, schema)
    written = table.dropna(subset=["key"])[["label", "key", "variant"]].drop_duplicates()
    present = set(written.itertuples(index=False, name=None))
    splits = _splits(decided, present)

    def node_of(label: str, key: str, variant: str) -> str:
        return key + _SPLIT + variant if (label, key, variant) in splits else key

    table["node"] = table["key"]
    for label, key, variant in splits:
        at = (table["label"] == label) & (table["key"] == key) & (table["variant"] == variant)
        table.loc[at, "node"] = key + _SPLIT + variant
    named = table.dropna(subset=["key"])
    counts = named.groupby(["label", "node"], sort=True).size()
    spellings = _spellings(named, "node")
    where = _where_lists(named, "node")
    ids = {lk: entity_id(*lk) for lk in counts.index}
    _check_ids(ids)

    # the spellings of rule keys written more than one way, each beside the key's first
    repeated = written[written.duplicated(["label", "key"], keep=False)]
    multi: dict[tuple[str, str], list[str]] = defaultdict(list)
    for label, key, variant in repeated.itertuples(index=False, name=None):
        multi[label, key].append(variant)
    in_multi = pd.MultiIndex.from_frame(named[["label", "key"]]).isin(list(multi))
    by_spelling = named[in_multi].assign(term=lambda t: t["key"] + _SPLIT + t["variant"])
    variant_spellings = _spellings(by_spelling, "term")
    variant_where = _where_lists(by_spelling, "term") if len(by_spelling) else {}

    pairs: dict[tuple[str, str, str], dict[str, Any]] = {}
    keys = named[["label", "key"]].drop_duplicates().sort_values(["label", "key"])
    for label, group in keys.groupby("label", sort=True):
        names_of = group["key"].tolist()
        for pair in suggest(names_of, forms, similarity=similarity):
            ka, kb = sorted((names_of[pair.a], names_of[pair.b]))
            pairs[label, ka, kb] = {
                "kind": label,
                "term_a": ka,
                "term_b": kb,
                "score": pair.score,
                "reason": "；".join(REASONS[r] for r in pair.reasons),
            }
    for (label, key), variants in sorted(multi.items()):
        first, *others = sorted(variants, key=lambda v, k=key: _rank(k, v))  # type: ignore[misc]
        for variant in others:
            ta, tb = key + _SPLIT + first, key + _SPLIT + variant
            pairs[(label, *sorted((ta, tb)))] = {  # type: ignore[index]
                "kind": label,
                "term_a": ta,
                "term_b": tb,
                "score": float("nan"),
                "reason": RULE_REASON,
                "decision": MERGE,
                "decided_by": "rule",
            }

    problems = Problems()
    for row in decided:
        label, (ka, va), (kb, vb) = row["kind"], row["a"], row["b"]
        row["nodes"] = (node_of(label, ka, va), node_of(label, kb, vb))
        if ka == kb:  # two spellings of one rule key
            row["terms"] = tuple(sorted((ka + _SPLIT + va, kb + _SPLIT + vb), key=_term_rank))
            row["in_run"] = (label, ka, va) in present and (label, kb, vb) in present
        else:
            row["terms"] = tuple(sorted(row["nodes"]))
            row["in_run"] = all((label, n) in ids for n in row["nodes"])
    both_ways = _refuse_both_ways(decided, problems)
    groups = _Groups()
    for row in decided:
        if row["in_run"] and row["decision"] == KEEP_APART and id(row) not in both_ways:
            groups.keep_apart(*((row["kind"], n) for n in row["nodes"]), why=row)
    reported: set[int] = set()
    for row in decided:
        if row["in_run"] and row["decision"] == MERGE:
            a, b = ((row["kind"], n) for n in row["nodes"])
            if not groups.merge(a, b):
                _refuse_chain(row, groups.why_apart(a, b), problems, reported)
    for row in decided:
        if row["in_run"]:
            entry = pairs.setdefault(
                (row["kind"], *sorted(row["terms"])),
                {
                    "kind": row["kind"],
                    "term_a": row["terms"][0],
                    "term_b": row["terms"][1],
                    "score": float("nan"),
                    "reason": DECIDED_REASON,
                },
            )
            entry["decision"], entry["decided_by"] = row["decision"], "file"
    if accept_above is not None:
        open_pairs = [p for p in pairs.values() if "decision" not in p]
        ranked = sorted(open_pairs, key=lambda p: (-p["score"], p["term_a"], p["term_b"]))
        for p in ranked:
            if p["score"] >= accept_above:
                a, b = (p["kind"], p["term_a"]), (p["kind"], p["term_b"])
                if groups.merge(a, b):
                    p["decision"], p["decided_by"] = MERGE, "threshold"

    entity_of = {lk: ids[groups.find(lk)] for lk in ids}
    entity_ids = pd.Series(list(entity_of.values()), index=pd.MultiIndex.from_tuples(entity_of))
    found_ids = pd.Series(None, index=table.index, dtype=object)
    found_ids[named.index] = entity_ids.reindex(
        pd.MultiIndex.from_frame(named[["label", "node"]])
    ).to_numpy()
    table["id"] = found_ids
    entities = _entities(groups, ids, spellings, where, counts)
    chosen = _choose(entities, chosen, problems)
    problems.raise_any("decisions")

    shown = {lk: _canonical(c) for lk, c in spellings.items()}
    needed = {(p["kind"], p[t].split(_SPLIT)[0]) for p in pairs.values() for t in _TERMS}
    attributes = _attributes(named, evidence, needed)

    def side(label: str, term: str) -> dict[str, Any]:
        key, _, variant = term.partition(_SPLIT)
        if variant:  # one spelling of a rule key
            lk = (label, term)
            name, rows, node = (
                _canonical(variant_spellings[lk]),
                variant_where[lk],
                node_of(label, key, variant),
            )
            values = attributes.get((label, key), {}).get(variant, {})
        else:
            lk = (label, key)
            name, rows, node = shown[lk], where[lk], key
            values = _together(
                counted
                for v, counted in attributes.get(lk, {}).items()
                if node_of(label, key, v) == key
            )
        return {
            "name": name,
            "rows": _rows_text(rows),
            "id": entity_of[label, node],
            "key": key,
            "evidence": _evidence_text(values, evidence),
        }

    records = []
    for p in pairs.values():
        record = {k: p.get(k) for k in ("kind", "score", "reason", "decision", "decided_by")}
        for letter in ("a", "b"):
            for column, value in side(p["kind"], p[f"term_{letter}"]).items():
                record[f"{column}_{letter}"] = value
        records.append(record)
    found = pd.DataFrame(records, columns=list(SUGGESTION_COLUMNS)).astype({"score": float})
    rule = (found["key_a"] == found["key_b"]).to_numpy()
    suggestions, rule_merges = _sorted(found[~rule]), _sorted(found[rule])
    read = pd.DataFrame(
        [{c: row[c] for c in (*DECISION_COLUMNS, "in_run")} for row in decided],
        columns=[*DECISION_COLUMNS, "in_run"],
    ).astype({"in_run": bool})
    logger.info(
        "%d spellings, %d entities, %d suggestions",
        table["name"].nunique(),
        len(entities),
        len(suggestions),
    )
    return Reconciliation(table, entities, suggestions, rule_merges, read, chosen)


def _sorted(suggestions: pd.DataFrame) -> pd.DataFrame:
    """By kind, score (highest first) and names; no decision is ``None``."""
    suggestions = suggestions.sort_values(
        ["kind", "score", "key_a", "key_b", "name_a", "name_b"],
        ascending=[True, False, True, True, True, True],
        kind="stable",
    ).reset_index(drop=True)
    for column in ("decision", "decided_by"):
        values = suggestions[column].astype(object)
        suggestions[column] = values.where(values.notna(), None)
    return suggestions


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
    table["variant"] = _per_unique(table, ["name"], trimmed)
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


def _spellings(named: pd.DataFrame, column: str) -> dict[tuple[str, str], Counter[str]]:
    """How often each (label, `column`) is written each way."""
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    by_name = named.groupby(["label", column, "name"], sort=False).size()
    for (label, key, name), count in zip(by_name.index.tolist(), by_name.tolist(), strict=True):
        spellings[label, key][name] = count
    return spellings


def _where_lists(named: pd.DataFrame, column: str) -> dict[tuple[str, str], list[str]]:
    """Where each (label, `column`) occurs: distinct places in file, sheet, row order."""
    at = named[["label", column, "where"]].drop_duplicates().rename(columns={column: "key"})
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


def _rank(key: str, variant: str) -> tuple[bool, int, str]:
    # which spelling of a rule key stays with it: the key as written, then the shorter
    return (variant != key, len(variant), variant)


def _term_rank(term: str) -> tuple[bool, int, str]:
    key, _, variant = term.partition(_SPLIT)
    return _rank(key, variant)


def _splits(
    decided: list[dict[str, Any]], present: set[tuple[str, str, str]]
) -> set[tuple[str, str, str]]:
    """(label, key, spelling) split out of their rule key: by a decision keeping two
    spellings of one key apart, both in this run, the later of the two (:func:`_rank`)."""
    out = set()
    for row in decided:
        (ka, va), (kb, vb) = row["a"], row["b"]
        both = (row["kind"], ka, va) in present and (row["kind"], kb, vb) in present
        if row["decision"] == KEEP_APART and ka == kb and both:
            out.add((row["kind"], ka, max(va, vb, key=lambda v: _rank(ka, v))))
    return out


def _refuse_both_ways(decided: list[dict[str, Any]], problems: Problems) -> set[int]:
    """A problem on every row of a pair that is both merged and kept apart; their ids."""
    by_pair: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in decided:
        by_pair[(row["kind"], *row["terms"])].append(row)
    refused = set()
    for rows in by_pair.values():
        if len({r["decision"] for r in rows}) > 1:
            for row in rows:
                refused.add(id(row))
                others = "、".join(str(r["row"]) for r in rows if r is not row)
                problems.add(
                    row["file"],
                    row["row"],
                    "decision",
                    f"{row['name_a']} / {row['name_b']}",
                    f"同一对名称另有相反的决定（第 {others} 行）/ the same pair is decided "
                    f"the other way in row {others}: keep one decision",
                )
    return refused


def _refuse_chain(
    merge: dict[str, Any], apart: dict[str, Any], problems: Problems, reported: set[int]
) -> None:
    """Problems on a merge that joins, through other merges, names a decision keeps apart,
    and on that decision (once)."""
    problems.add(
        merge["file"],
        merge["row"],
        "decision",
        f"{merge['name_a']} = {merge['name_b']}",
        f"合并后与第 {apart['row']} 行“分开”的决定矛盾 / this merge joins names that row "
        f"{apart['row']} keeps apart ({apart['name_a']} ≠ {apart['name_b']}); change one of "
        "the decisions",
    )
    if id(apart) not in reported:
        reported.add(id(apart))
        problems.add(
            apart["file"],
            apart["row"],
            "decision",
            f"{apart['name_a']} ≠ {apart['name_b']}",
            f"此“分开”与第 {merge['row']} 行的合并矛盾 / kept apart here, but the merge in row "
            f"{merge['row']} (with the other merges) joins them; change one of the decisions",
        )


def _choose(entities: pd.DataFrame, chosen: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """Give entities the canonical names chosen (in place); the choices, with ``in_run``."""
    in_run = chosen["id"].isin(entities.index).to_numpy(dtype=bool)
    taken: dict[str, dict[str, Any]] = {}
    for row in chosen[in_run].to_dict("records"):
        spelled = entities.at[row["id"], "spellings"]
        wanted = row["canonical"]
        name = wanted if wanted in spelled else None
        name = name or next((s for s in spelled if trimmed(s) == trimmed(wanted)), None)
        before = taken.setdefault(row["id"], {**row, "name": name})
        if name is None:
            problems.add(
                row["file"],
                row["row"],
                "canonical",
                wanted,
                f"不是 {row['id']} 的写法 / not a spelling of the entity {row['id']} "
                f"({'；'.join(spelled[:_VALUES_SHOWN])}): write one of its spellings",
            )
        elif before["name"] != name and before["name"] is not None:
            problems.add(
                row["file"],
                row["row"],
                "canonical",
                wanted,
                f"第 {before['row']} 行已为 {row['id']} 选了 {before['name']} / row "
                f"{before['row']} chose another canonical name for {row['id']}: keep one",
            )
        else:
            entities.at[row["id"], "name"] = name
    return chosen.assign(in_run=in_run)


def _attributes(
    named: pd.DataFrame, columns: list[str], keys: set[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, dict[str, Counter[str]]]]:
    """(label, key) → spelling (NFKC, trimmed) → evidence column → values with counts,
    for the rule keys `keys`."""
    out: dict[tuple[str, str], dict[str, dict[str, Counter[str]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    if not columns or not keys:
        return out
    rows = named[pd.MultiIndex.from_frame(named[["label", "key"]]).isin(list(keys))]
    for column in columns:
        values = rows[column].astype(object)
        distinct = pd.unique(values.dropna())
        texts = values.map(dict(zip(distinct, map(_value_text, distinct), strict=True)))
        given = rows.assign(value=texts)[texts.notna() & (texts != "")]
        counted = given.groupby(["label", "key", "variant", "value"], sort=False).size()
        for (label, key, variant, value), count in zip(
            counted.index.tolist(), counted.tolist(), strict=True
        ):
            out[label, key][variant].setdefault(column, Counter())[value] += count
    return out


def _value_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


def _together(parts: Iterable[Mapping[str, Counter[str]]]) -> dict[str, Counter[str]]:
    total: dict[str, Counter[str]] = defaultdict(Counter)
    for part in parts:
        for column, counted in part.items():
            total[column].update(counted)
    return total


def _evidence_text(values: Mapping[str, Counter[str]], columns: list[str]) -> str:
    """One line per evidence column: its values, most frequent first, with their counts."""
    lines = []
    for column in columns:
        counted = values.get(column)
        if not counted:
            continue
        ordered = sorted(counted, key=lambda v: (-counted[v], v))
        text = "、".join(f"{v} ×{counted[v]}" for v in ordered[:_VALUES_SHOWN])
        if len(ordered) > _VALUES_SHOWN:
            text += f" … (+{len(ordered) - _VALUES_SHOWN})"
        lines.append(f"{EVIDENCE_LABELS.get(column, column)}: {text}")
    return "\n".join(lines)


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
        # root → root kept apart → why (the decision)
        self.apart: dict[tuple[str, str], dict[tuple[str, str], Any]] = defaultdict(dict)

    def find(self, x: tuple[str, str]) -> tuple[str, str]:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def keep_apart(self, a: tuple[str, str], b: tuple[str, str], why: Any = None) -> None:
        ra, rb = self.find(a), self.find(b)
        self.apart[ra].setdefault(rb, why)
        self.apart[rb].setdefault(ra, why)

    def why_apart(self, a: tuple[str, str], b: tuple[str, str]) -> Any:
        """What keeps the groups of `a` and `b` apart."""
        return self.apart[self.find(a)].get(self.find(b))

    def merge(self, a: tuple[str, str], b: tuple[str, str]) -> bool:
        """Join the groups of `a` and `b`; ``False`` (and nothing joined) if kept apart."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if rb in self.apart[ra]:
            return False
        root, child = min(ra, rb), max(ra, rb)
        self.parent[child] = root
        moved = self.apart.pop(child, {})
        for other, why in moved.items():
            self.apart[root].setdefault(other, why)
            del self.apart[other][child]
            self.apart[other].setdefault(root, why)
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
                "keys": sorted({k.split(_SPLIT)[0] for _, k in keys}),
                "occurrences": int(sum(counted[lk] for lk in keys)),
                "rows": rows,
            }
        )
    frame = pd.DataFrame(records, columns=["id", *ENTITY_COLUMNS])
    return frame.sort_values(["kind", "id"]).set_index("id")


def _decisions(
    decisions: pd.DataFrame | str | os.PathLike[str] | None,
    names: pd.DataFrame | None,
    schema: Schema,
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """The decisions in row order, each with its label and (rule key, spelling) of both
    names, two spellings of one key alike left out; and the canonical names chosen."""
    chosen = empty_names()
    if decisions is None:
        table = pd.DataFrame(columns=list(DECISION_COLUMNS))
    elif isinstance(decisions, pd.DataFrame):
        table = decisions_of(decisions, schema=schema)
    else:
        table, chosen = read_review(decisions, schema=schema)
    if names is not None:
        chosen = names.reindex(columns=list(NAME_CHOICE_COLUMNS)).astype(object)
    out = []
    for row in table.to_dict("records"):
        label = resolve_kind(row["kind"], schema)
        assert label is not None  # checked by read_decisions / decisions_of
        a = (normalize_name(row["name_a"], label), trimmed(row["name_a"]))
        b = (normalize_name(row["name_b"], label), trimmed(row["name_b"]))
        if a != b and a[0] and b[0]:
            out.append({**row, "kind": label, "a": a, "b": b})
    return out, chosen
