"""From roster files to a validated co-building graph: shapes, names, places, years."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._gc import gc_paused
from cobuild_graph._sheets import TRIM, Sheet, check_field_counts, read_sheets
from cobuild_graph.build import graph_from_tables
from cobuild_graph.dates import parse_date
from cobuild_graph.errors import FILE, ROW, Problems, ValidationError, problems_frame
from cobuild_graph.reconcile import (
    Reconciliation,
    entity_id,
    reconcile,
    unit_categories,
    unit_category,
    write_review,
)
from cobuild_graph.roster._conflicts import (
    CONFLICT_HOW_TO,
    CONFLICT_SHEET,
    Conflicts,
    conflict_rows,
    read_choices,
    shown_rows,
)
from cobuild_graph.roster._places import Hierarchy, Parent, missing_place, record_at
from cobuild_graph.roster._shapes import ROLES, SHAPES, Shape, header_roles, match_header
from cobuild_graph.roster._years import sheet_year, tie_span
from cobuild_graph.schema import (
    ALIAS_SEPARATOR,
    ALIASES,
    INFERRED,
    Schema,
    inferred_counts,
    inferred_text,
    schema_or_default,
)
from cobuild_graph.validate import check_tables

logger = logging.getLogger(__name__)

#: The header is looked for among a sheet's first rows (title rows may come above it).
HEADER_SEARCH_ROWS = 10
#: What separates several units in one cell (组成单位, 支持单位).
UNIT_SEPARATORS = re.compile(r"[、，,;；/\n]+")
#: Which node each role names: (role, schema label).
NAMED: tuple[tuple[str, str], ...] = (
    ("unit", "Unit"),
    ("branch_units", "Unit"),
    ("supporting_units", "Unit"),
    ("community", "Community"),
    ("street", "Street"),
    ("district", "District"),
    ("place", "Community"),  # or Street, by its suffix
    ("branch", "ActionBranch"),
    ("project", "Project"),
    ("position", "Position"),
)
_MULTI = frozenset({"branch_units", "supporting_units"})
# Roles whose names mean something only within their place (see _within_their_place).
_WITHIN_PLACE = ("project", "position")
_STREET_ENDINGS = ("街道", "街道办事处", "街道办", "镇", "镇人民政府")
_ROWS_SHOWN = 5


class RosterError(ValidationError):
    """The rosters have problems (every one with file, row and column): nothing is written.

    :attr:`review` holds the reconciliation of the names when a place is missing from the
    places list, so the review workbook can still be written: such a place is often a
    spelling the researcher has yet to decide. Otherwise (names never reconciled, or
    problems that no decision resolves: a date, a value) it is ``None``.
    """

    def __init__(
        self,
        problems: pd.DataFrame,
        review: Reconciliation | None,
        conflicts: pd.DataFrame | None = None,
    ) -> None:
        super().__init__(problems, what="rosters")
        self.review = review
        self.conflicts = conflicts if conflicts is not None else pd.DataFrame()

    def write_review(self, path: str | os.PathLike[str]) -> Path | None:
        """Write the review workbook (when :attr:`review` is set), keeping the conflict
        choices read; ``None`` if there is none to write."""
        if self.review is None:
            return None
        return _write_review(self.review, self.conflicts, path)


@dataclass(frozen=True)
class RosterImport:
    """What :func:`read_roster` made.

    Attributes
    ----------
    graph
        The co-building graph, valid against the schema; every node and tie has
        ``provenance`` (``file/sheet:row`` of the rows it came from).
    review
        The reconciliation of the names: entities, suggestions and decisions
        (:class:`~cobuild_graph.reconcile.Reconciliation`); write it with
        :func:`~cobuild_graph.reconcile.write_review`.
    sheets
        One row per sheet read: ``file``, ``sheet``, ``shape``, ``header_row``, ``rows``
        (data rows read), ``year``; sheets not imported have ``shape`` missing and a ``note``.
    categories
        The unit categories as written (:func:`~cobuild_graph.reconcile.unit_categories`):
        ``unit_type``, ``known``, ``count``; unknown ones are kept on the units as
        ``roster_category``.
    conflicts
        Values that rows of one entity (or of one tie) give differently: one row per value,
        :data:`~cobuild_graph.roster.CONFLICT_COLUMNS` (``item`` is the node id, or
        ``source -TYPE-> target``; ``used`` says which value the graph holds, ``chosen``
        whether the researcher chose it in the review workbook). A value used but not chosen
        is marked ``field:conflict`` on its node or tie.

    Every value the import did not read from its own cell is marked in the graph's
    ``inferred`` attribute (:data:`~cobuild_graph.schema.INFERRED`): a ``since`` or
    ``until`` from the roster's year, a value taken from another row of the same entity, a
    value of a conflict, a canonical name (the other spellings are in ``aliases``);
    :attr:`inferred` counts them.
    """

    graph: nx.MultiDiGraph
    review: Reconciliation
    sheets: pd.DataFrame
    categories: pd.DataFrame = field(default_factory=pd.DataFrame)
    conflicts: pd.DataFrame = field(default_factory=pd.DataFrame)

    def write_review(self, path: str | os.PathLike[str]) -> Path:
        """Write the review workbook: the suggestions, rule merges and names
        (:func:`~cobuild_graph.reconcile.write_review`), and the conflicts sheet, whose
        values the researcher chooses among."""
        return _write_review(self.review, self.conflicts, path)

    @property
    def inferred(self) -> pd.DataFrame:
        """How many values of the graph are marked, by what they are on, field and how:
        ``on`` (a node label or tie type), ``field``, ``how``
        (:data:`~cobuild_graph.schema.INFERENCES`), ``count``."""
        return inferred_counts(self.graph)

    def __iter__(self) -> Any:
        """``graph, review = read_roster(...)``."""
        return iter((self.graph, self.review))


@dataclass
class _Found:
    """A sheet whose header was recognised."""

    sheet: Sheet
    shape: Shape
    header_row: int
    roles: dict[int, str]  # column position → role
    headers: dict[str, str]  # role → header as written
    year: int | None
    is_places: bool


def read_roster(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    columns: Mapping[str, str] | None = None,
    places: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    decisions: pd.DataFrame | str | os.PathLike[str] | None = None,
    accept_above: float | None = None,
    year: int | Mapping[str, int] | None = None,
    roles: Mapping[str, Iterable[str]] | None = None,
    encoding: str | None = None,
    schema: Schema | None = None,
) -> RosterImport:
    """Read researchers' rosters (名册) into a validated co-building graph.

    Each sheet's header (title rows may come above it) says its shape (报到名册, 结对共建,
    行动支部, 项目清单, 阵地, 社区名单; :data:`~cobuild_graph.roster.SHAPES`) and the role of
    each column (:data:`~cobuild_graph.roster.ROLES`). Names are reconciled with
    :func:`~cobuild_graph.reconcile.reconcile`: the rules merge, the rest are suggestions
    decided by `decisions` or `accept_above`. Ids are stable: the same rosters give the
    same ids every run, and appended rows never renumber old ones.

    Parameters
    ----------
    paths
        Roster files: ``.xlsx``, ``.xls``, ``.ods``, ``.et``, or ``.csv`` in UTF-8 or
        GBK/GB18030; every sheet of a workbook is read.
    columns
        Header → role for headers the aliases do not know (``{"单位全名": "unit"}``);
        always wins over the aliases. ``"ignore"`` leaves a column out.
    places
        A places list (区, 街道, 社区): the authority for the hierarchy. A places sheet
        inside the rosters counts too. Without one, streets and districts come from the
        rosters' own columns.
    decisions
        The researcher's decisions: the review workbook, a CSV file, or a table
        (:func:`~cobuild_graph.reconcile.read_decisions`).
    accept_above
        Merge every suggestion scoring at least this unless a decision keeps it apart.
    year
        The year of every roster, or a year per file (path or file name); by default a
        four-digit year in the sheet name, the title rows, or the file name.
    roles
        More header spellings per role, beside :data:`~cobuild_graph.roster.ROLES`.
    encoding
        Force the encoding of CSV rosters.
    schema
        The schema the graph must follow; the graph records it (``G.graph["schema"]``).

    Returns
    -------
    RosterImport
        The graph, the reconciliation (``graph, review = read_roster(...)`` unpacks these
        two), the sheets read and the unit categories.

    Raises
    ------
    RosterError
        A :class:`~cobuild_graph.errors.ValidationError` listing every problem with file,
        sheet, row and column: unreadable files, a sheet without a recognisable header,
        a community placed in two streets or missing from the places list, values the
        schema refuses.
    ValueError
        If `columns` names an unknown role.
    """
    schema = schema_or_default(schema)
    lookup = header_roles(columns, roles)
    problems = Problems()
    conflicts = Conflicts(read_choices(decisions, problems))
    roster_paths = _paths(paths)
    place_paths = _paths(places) if places is not None else []
    found: list[_Found] = []
    sheets_table: list[dict[str, Any]] = []
    for path, is_list in [(p, False) for p in roster_paths] + [(p, True) for p in place_paths]:
        before = len(problems.records)
        sheets = read_sheets(path, problems, encoding=encoding)
        if not sheets and len(problems.records) == before:
            problems.add(
                str(path), None, None, None, "文件是空的 / the file is empty: no cell holds a value"
            )
        recognised = []
        for sheet in sheets:
            hit = _recognise(sheet, lookup, year, is_list)
            if hit is None:
                sheets_table.append(_sheet_row(sheet, None, "no recognisable header"))
                continue
            if hit.shape.name == "survey":
                problems.add(
                    sheet.where,
                    hit.header_row,
                    None,
                    None,
                    "调查边表（单位 → 单位）在 schema 中没有对应的关系类型 / a survey edge list "
                    "(unit → unit) has no tie type in the schema: extend the schema with one "
                    "(docs: extending the schema) or leave this sheet out",
                )
            recognised.append(hit)
            sheets_table.append(_sheet_row(sheet, hit, None))
        if sheets and not recognised:
            for sheet in sheets:
                problems.add(sheet.where, None, None, None, _no_header(sheet, lookup))
        found.extend(h for h in recognised if h.shape.name != "survey")
    if found and all(f.is_places for f in found) and not problems:
        for hit in found:
            problems.add(hit.sheet.where, hit.header_row, None, None, _PLACES_ALONE)
    if problems:
        raise RosterError(problems_frame(problems.records), None)
    found.sort(key=lambda f: (f.year is None, f.year or 0))  # later years' values win

    with gc_paused():  # a row dict per roster row, by the hundred thousand: see _gc
        records = _all_records(found, problems)
        if problems:
            raise RosterError(problems_frame(problems.records), None)
        occurrences, slots = _occurrences(records)
        review = reconcile(
            occurrences, decisions=decisions, accept_above=accept_above, schema=schema
        )
        ids = review.occurrences["id"].tolist()
        for (index, role, _), id_ in zip(slots, ids, strict=True):
            if id_ is not None:
                records[index].setdefault("_ids", defaultdict(list))[role].append(id_)
        entities = _within_their_place(review.entities, records)
        names = entities["name"].to_dict()
        labels = entities["kind"].to_dict()

        hierarchy = _hierarchy(records, names, labels, problems)
        # a place missing from the places list is often a spelling yet to be decided: only
        # then does the error carry the review, for the researcher to decide
        place_problems = bool(problems)
        dates = _dates(records, problems)
        categories = unit_categories(
            r["category"] for r in records if r.get("category") and "unit" in r.get("_ids", {})
        )
        nodes = _nodes(entities, records, categories, conflicts)
        ties = _ties(records, found, hierarchy, dates, names, conflicts)
        if problems:
            raise RosterError(
                problems_frame(problems.records),
                review if place_problems else None,
                conflicts.table(),
            )
        typed_nodes, typed_ties = check_tables(nodes, ties, schema, problems)
        if problems:
            raise RosterError(problems_frame(problems.records), None)
        meta = {
            "sources": "; ".join(str(p) for p in (*roster_paths, *place_paths)),
            "description": "imported from rosters by cobuild-graph import",
        }
        graph = graph_from_tables(typed_nodes, typed_ties, meta=meta, schema=schema, validate=False)
        logger.info("rosters: %d nodes, %d ties", graph.number_of_nodes(), graph.number_of_edges())
        sheets_read = pd.DataFrame(sheets_table).astype({"header_row": "Int64", "year": "Int64"})
        return RosterImport(graph, review, sheets_read, categories, conflicts.table())


def _write_review(
    review: Reconciliation, conflicts: pd.DataFrame, path: str | os.PathLike[str]
) -> Path:
    sheets = {CONFLICT_SHEET: conflict_rows(conflicts)} if len(conflicts) else {}
    return write_review(review, path, sheets=sheets, notes=CONFLICT_HOW_TO if sheets else ())


def _paths(value: Any) -> list[Path]:
    if isinstance(value, str | os.PathLike):
        return [Path(value)]
    return [Path(v) for v in value]


def _sheet_row(sheet: Sheet, hit: _Found | None, note: str | None) -> dict[str, Any]:
    return {
        "file": sheet.file,
        "sheet": sheet.sheet,
        "shape": hit.shape.name if hit else None,
        "header_row": hit.header_row if hit else None,
        "rows": sum(1 for n, _ in sheet.rows if hit and n > hit.header_row),
        "year": hit.year if hit else None,
        "note": note,
    }


def _recognise(
    sheet: Sheet,
    lookup: Mapping[str, str],
    year: int | Mapping[str, int] | None,
    is_list: bool,
) -> _Found | None:
    for index, (number, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        matched = match_header(cells, lookup)
        if matched is None:
            continue
        shape, roles = matched
        if is_list and shape.name != "places":
            continue
        titles = [" ".join(c for c in cells if c) for _, cells in sheet.rows[:index]]
        return _Found(
            sheet,
            shape,
            number,
            roles,
            {role: cells[i].strip(TRIM) for i, role in roles.items()},
            None if shape.name == "places" else sheet_year(sheet.file, sheet.sheet, titles, year),
            shape.name == "places",
        )
    return None


def _no_header(sheet: Sheet, lookup: Mapping[str, str]) -> str:
    head = sheet.rows[:HEADER_SEARCH_ROWS]
    _, seen = max(head, key=lambda r: sum(1 for c in r[1] if c.strip()), default=(0, []))
    shown = "、".join(c.strip() for c in seen if c.strip())[:200] or "(nothing)"
    known = "; ".join(f"{role}: {'/'.join(ROLES[role][:3])}" for role in ROLES if role != "serial")
    shapes = "; ".join(f"{s.title} ({'+'.join(s.required)})" for s in SHAPES[1:])
    return (
        f"没有可识别的表头 / no recognisable header in the first {HEADER_SEARCH_ROWS} rows. "
        f"Saw: {shown}. Known roles: {known}. A roster needs the roles of one shape: {shapes}. "
        "Name your headers' roles with --columns 表头=role (columns={'表头': 'unit'})."
    )


def _records(found: _Found) -> Iterable[dict[str, Any]]:
    sheet = found.sheet
    header = next(c for n, c in sheet.rows if n == found.header_row)
    positions = sorted(found.roles.items())
    base = {
        "_where": sheet.where,
        "_file": sheet.file,
        "_sheet": sheet.sheet,
        "_headers": found.headers,
        "_shape": found.shape.name,
        "_year": found.year,
    }
    for number, cells in sheet.rows:
        if number <= found.header_row:
            continue
        values = {
            role: cells[i].strip(TRIM) for i, role in positions if i < len(cells) and cells[i]
        }
        values = {role: text for role, text in values.items() if text}
        if not any(role in values for role, _ in NAMED):
            continue  # a blank, a total (合计) or a note row
        if cells[: len(header)] == header:
            continue  # the header repeated (on every printed page)
        yield {**base, "_row": number, **values}


_PLACES_ALONE = (
    "没有名册，只有社区名单 / only a places list (区, 街道, 社区): give a roster too "
    "(报到名册, 结对共建, 行动支部, 项目清单 or 阵地), with the list as --places"
)


def _all_records(found: list[_Found], problems: Problems) -> list[dict[str, Any]]:
    """Every sheet's records; a sheet without any, a CSV record not as long as its header,
    and a row naming what a place tie joins but no place, are problems."""
    records = []
    for hit in found:
        if hit.sheet.sheet is None:  # a CSV file: its records keep their own length
            header = next(c for n, c in hit.sheet.rows if n == hit.header_row)
            below = [(n, c) for n, c in hit.sheet.rows if n > hit.header_row]
            check_field_counts(hit.sheet.where, below, len(header), problems)
        read = list(_records(hit))
        if not read:
            problems.add(hit.sheet.where, hit.header_row, None, None, _no_rows(hit))
        for record in read:
            _check_placed(record, problems)
        records.extend(read)
    return records


def _no_rows(hit: _Found) -> str:
    below = [n for n, _ in hit.sheet.rows if n > hit.header_row]
    what_zh, what_en = ("社区名单", "places list") if hit.is_places else ("名册", "roster")
    if not below:
        return f"{what_zh}只有表头 / the {what_en} has a header but no rows"
    shown = f"row {below[0]} holds" if len(below) == 1 else f"rows {below[0]}–{below[-1]} hold"
    return (
        f"{what_zh}表头下的行没有名称 / no row below the header names anything ({shown} "
        f"no {'、'.join(hit.headers[r] for r, _ in NAMED if r in hit.headers)}): "
        "fill them in or delete them"
    )


_PLACE_ROLES = ("community", "place", "street", "district")


def _check_placed(record: dict[str, Any], problems: Problems) -> None:
    """A row that names the other end of a tie to its place, but no place, makes no tie."""
    headers = record["_headers"]
    column = next((r for r in _PLACE_ROLES if r in headers), None)
    if column is None or any(record.get(r) for r in _PLACE_ROLES):
        return  # a sheet without a place column ties nothing to places
    for tie_type, source, target in SHAPE_TIES[record["_shape"]]:
        other = source if target == "place" else target if source == "place" else None
        if other is not None and record.get(other):
            file, row, header = record_at(record, column)
            problems.add(
                file,
                row,
                header,
                None,
                f"{header}为空：这一行的{headers.get(other, other)}没有社区或街道 / {header} is "
                f"empty: {record[other]!r} ({headers.get(other, other)}) has no community or "
                f"street in this row, so it makes no {tie_type} tie; fill in its place",
            )
            return


def _occurrences(
    records: list[dict[str, Any]],
) -> tuple[pd.DataFrame, list[tuple[int, str, int]]]:
    """One occurrence per name in a record, and (record, role, position) of each; the
    evidence the review shows beside a name (:data:`_EVIDENCE`) comes from its row."""
    evidence: dict[str, list[Any]] = {column: [] for column in ("category", "members", "date")}
    evidence["place"] = []
    names: list[str] = []
    kinds: list[str] = []
    files: list[str] = []
    sheets: list[str | None] = []
    rows: list[int] = []
    slots: list[tuple[int, str, int]] = []
    for index, record in enumerate(records):
        for role, label in NAMED:
            text = record.get(role)
            if not text:
                continue
            parts = (
                [p.strip(TRIM) for p in UNIT_SEPARATORS.split(text)] if role in _MULTI else [text]
            )
            if role == "place":
                label = "Street" if _is_street(text) else "Community"
            for position, name in enumerate(p for p in parts if p):
                names.append(name)
                kinds.append(label)
                files.append(record["_file"])
                sheets.append(record["_sheet"])
                rows.append(record["_row"])
                slots.append((index, role, position))
                shown = _EVIDENCE.get(role, ())
                for column, values in evidence.items():
                    values.append(_evidence(record, column, role) if column in shown else None)
    table = pd.DataFrame(
        {"name": names, "kind": kinds, "file": files, "sheet": sheets, "row": rows, **evidence}
    )
    return table, slots


# The evidence of each role's names in the review workbook: a unit's category, party
# members, date and place; a place's own place above it; a branch's members and place.
_EVIDENCE: Mapping[str, tuple[str, ...]] = {
    "unit": ("category", "members", "date", "place"),
    "branch_units": ("place",),
    "supporting_units": ("place",),
    "community": ("place",),
    "street": ("place",),
    "place": ("place",),
    "branch": ("members", "place"),
}


_ABOVE: Mapping[str, tuple[str, ...]] = {
    "community": ("street", "district"),
    "place": ("street", "district"),
    "street": ("district",),
}


def _evidence(record: dict[str, Any], column: str, role: str) -> str | None:
    if column != "place":
        return record.get(column)
    # a place's: the street, else the district above it; another's: its community, else street
    above = _ABOVE.get(role, ("community", "place", "street"))
    return next((record[r] for r in above if record.get(r)), None)


def _is_street(name: str) -> bool:
    return unicodedata.normalize("NFKC", name).strip().endswith(_STREET_ENDINGS)


def _one(record: dict[str, Any], role: str) -> str | None:
    found = record.get("_ids", {}).get(role)
    return found[0] if found else None


def _hierarchy(
    records: list[dict[str, Any]],
    names: Mapping[str, str],
    labels: Mapping[str, str],
    problems: Problems,
) -> Hierarchy:
    listed = [r for r in records if r["_shape"] == "places"]
    hierarchy = Hierarchy(authority=bool(listed))
    others = [r for r in records if r["_shape"] != "places"]
    for from_list, group in ((True, listed), (False, others)):
        for record in group:
            place = _one(record, "place")
            community = _one(record, "community") or (
                place if place and labels[place] == "Community" else None
            )
            street = _one(record, "street") or (
                place if place and labels[place] == "Street" else None
            )
            district = _one(record, "district")
            for child, parent, role in (
                (community, street, "street"),
                (street, district, "district"),
            ):
                if child and parent:
                    at = record_at(record, role)
                    where = _where(record)
                    hierarchy.place(
                        child,
                        names[child],
                        Parent(parent, names[parent], where, at[:2]),
                        problems,
                        at,
                        from_list,
                    )
    if hierarchy.authority:
        known = set(hierarchy.parents) | {p.id for p in hierarchy.parents.values()}
        for record in others:
            for role in ("community", "street", "district", "place"):
                for id_ in record.get("_ids", {}).get(role, ()):
                    if id_ not in known:
                        file, row, column = record_at(record, role)
                        problems.add(
                            file, row, column, record[role], missing_place(labels[id_], names[id_])
                        )
    return hierarchy


#: The ties each roster shape makes: (tie type, source role, target role); a role of
#: ``"place"`` is the row's community, else its street. Hierarchy (PART_OF) comes from
#: the places, not from here.
SHAPE_TIES: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    "pairings": (("PAIRED_WITH", "unit", "place"),),
    "branches": (("EMBEDDED_IN", "branch", "place"), ("BRANCH_OF", "branch", "branch_units")),
    "projects": (("RUNS", "place", "project"), ("SUPPORTS", "supporting_units", "project")),
    "positions": (("LOCATED_IN", "position", "place"),),
    "places": (),
}


def _ends(record: dict[str, Any], role: str) -> list[str]:
    ids = record.get("_ids", {})
    if role != "place":
        return list(ids.get(role, ()))
    for choice in ("place", "community", "street", "district"):
        if ids.get(choice):
            return [ids[choice][0]]
    return []


def _where(record: dict[str, Any]) -> str:
    sheet = record["_sheet"]
    return f"{record['_file']}{'' if sheet is None else '/' + sheet}:{record['_row']}"


def _within_their_place(entities: pd.DataFrame, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Projects and positions split by the place that runs or holds them.

    Two communities' 邻里节 are two projects: a project or position is named only within
    its place. Each row's project (position) gets the id of its entity and its place,
    stable as both are; rows without a place keep the entity's id.
    """
    rows: dict[str, list[str]] = defaultdict(list)
    entity_of: dict[str, str] = {}
    for record in records:
        ids = record.get("_ids", {})
        places = _ends(record, "place")
        for role in _WITHIN_PLACE:
            for position, entity in enumerate(ids.get(role, ())):
                placed = entity
                if places:
                    placed = entity_id(entities.at[entity, "kind"], f"{entity}@{places[0]}")
                ids[role][position] = placed
                entity_of[placed] = entity
                rows[placed].append(_where(record))
    if not entity_of:
        return entities
    placed = entities.loc[list(entity_of.values())].set_axis(list(entity_of), axis=0)
    placed["rows"] = [rows[i] for i in placed.index]
    placed["occurrences"] = [len(rows[i]) for i in placed.index]
    kept = entities.drop(index=set(entity_of.values()))
    together = pd.concat([kept, placed]).rename_axis(entities.index.name).sort_index()
    return together.sort_values("kind", kind="stable")


#: Node attributes read from roster columns: (role of the row's node, column role,
#: attribute). A unit's category becomes ``roster_category`` (and ``unit_type``) below.
_NODE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("unit", "members", "party_members"),
    ("branch", "members", "members"),
    ("project", "budget", "budget_yuan"),
    ("project", "exemplary", "exemplary"),
    ("position", "site_type", "site_type"),
    ("unit", "category", "roster_category"),
)


def _cell_value(role: str, text: str) -> str:
    if role == "budget":
        return re.sub(r"[,，\s元]", "", text)
    return unicodedata.normalize("NFKC", text).strip(TRIM) if role == "members" else text


def _nodes(
    entities: pd.DataFrame,
    records: list[dict[str, Any]],
    categories: pd.DataFrame,
    conflicts: Conflicts,
) -> pd.DataFrame:
    """One row per entity; every attribute read from a cell, or marked (``inferred``)."""
    first: dict[str, tuple[str, int]] = {}
    # (node, attribute) → value → the rows that give it, in record order (years ascending)
    given: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(dict)
    blank: dict[tuple[str, str], list[str]] = defaultdict(list)
    latest: dict[tuple[str, str], str] = {}
    project_years: dict[str, int] = {}
    for record in records:
        ids = record.get("_ids", {})
        for found in ids.values():
            for id_ in found:
                first.setdefault(id_, (record["_where"], record["_row"]))
        for node_role, role, attribute in _NODE_FIELDS:
            node = _one(record, node_role)
            if not node or role not in record["_headers"]:
                continue
            if record.get(role):
                value = _cell_value(role, record[role])
                given[node, attribute].setdefault(value, []).append(_where(record))
                latest[node, attribute] = value
            else:
                blank[node, attribute].append(_where(record))
        project = _one(record, "project")
        if project and record["_year"] is not None:
            project_years[project] = min(record["_year"], project_years.get(project, 9999))
    names = entities["name"].to_dict()
    attributes: dict[str, dict[str, Any]] = defaultdict(dict)
    marks: dict[str, dict[str, str]] = defaultdict(dict)
    mapped = categories["unit_type"].to_dict() if len(categories) else {}

    def unit_type_of(text: str) -> str | None:
        return mapped.get(text) or unit_category(text)

    for (node, attribute), values in given.items():
        is_category = attribute == "roster_category"
        by_count = sorted(values, key=lambda v: (-len(values[v]), v))
        one_type = is_category and None not in {unit_type_of(v) for v in values}
        if len(values) == 1 or (one_type and len({unit_type_of(v) for v in values}) == 1):
            # one value; or one category written two ways (群团, 群团组织): both texts kept
            value = ALIAS_SEPARATOR.join(by_count)
            if blank.get((node, attribute)):
                marks[node][attribute] = "other_row"
        else:
            # until the researcher chooses: a category by its count of rows (then its
            # text), anything else as the latest row gives it (rosters are read by year)
            default = by_count[0] if is_category else latest[node, attribute]
            value, decided = conflicts.pick(node, names[node], attribute, values, default)
            if not decided:
                marks[node][attribute] = "conflict"
        attributes[node][attribute] = value
        unit_type = unit_type_of(by_count[0] if value not in values else value)
        if is_category and unit_type is not None:  # unknown ones stay as written, reported
            attributes[node]["unit_type"] = unit_type
            if attribute in marks[node]:
                marks[node]["unit_type"] = marks[node][attribute]
    for project, year in project_years.items():
        attributes[project]["year"] = str(year)
        marks[project]["year"] = "roster_year"
    for node, spellings in entities["spellings"].items():
        if len(spellings) > 1:
            attributes[node][ALIASES] = ALIAS_SEPARATOR.join(
                s for s in spellings if s != names[node]
            )
            marks[node]["name"] = "canonical"
    for node, marked in marks.items():
        if marked:
            attributes[node][INFERRED] = inferred_text(marked)
    table = pd.DataFrame(
        {
            "id": entities.index.to_numpy(),
            "label": entities["kind"].to_numpy(),
            "name": entities["name"].to_numpy(),
        },
        dtype=object,
    )
    extra = pd.DataFrame.from_dict(attributes, orient="index", dtype=object)
    table = table.join(extra, on="id")
    table["provenance"] = [shown_rows(rows) for rows in entities["rows"]]
    table[FILE] = [first[i][0] for i in table["id"]]
    table[ROW] = [first[i][1] for i in table["id"]]
    return table.fillna("")


def _chosen_dates(
    found_ties: pd.DataFrame,
    spans: pd.DataFrame,
    names: Mapping[str, str],
    conflicts: Conflicts,
) -> dict[tuple[str, str, str], tuple[dt.date, str]]:
    """The date used of a tie whose rows give several, and its mark: the earliest until the
    researcher chooses (``"conflict"``), the chosen one unmarked (``""``)."""
    several = spans.index[spans["dates"] > 1]
    if not len(several):
        return {}
    keyed = found_ties.set_index(["source", "target", "type"]).loc[several].dropna(subset=["date"])
    out = {}
    for key, group in keyed.groupby(level=[0, 1, 2], sort=False):
        values: dict[str, list[str]] = {}
        for date, where in sorted(zip(group["date"], group["where"], strict=True)):
            values.setdefault(date.date().isoformat(), []).append(where)
        item = f"{key[0]} -{key[2]}-> {key[1]}"
        name = f"{names[key[0]]} → {names[key[1]]}"
        used, decided = conflicts.pick(item, name, "since", values, min(values))
        out[key] = (dt.date.fromisoformat(used), "" if decided else "conflict")
    return out


def _dates(records: list[dict[str, Any]], problems: Problems) -> list[dt.date | None]:
    """Each record's date (报到时间, 结对时间 …) read exactly; a cell that is no date is a
    problem with its place and the reason, never replaced by another date."""
    read: dict[str, dt.date | str] = {}
    dates: list[dt.date | None] = []
    for record in records:
        text = record.get("date")
        if not text:
            dates.append(None)
            continue
        if text not in read:
            try:
                read[text] = parse_date(text)
            except ValueError as error:
                read[text] = str(error)
        value = read[text]
        if isinstance(value, str):
            problems.add(*record_at(record, "date"), text, value)
            dates.append(None)
        else:
            dates.append(value)
    return dates


def _ties(
    records: list[dict[str, Any]],
    found: list[_Found],
    hierarchy: Hierarchy,
    dates: list[dt.date | None],
    names: Mapping[str, str],
    conflicts: Conflicts,
) -> pd.DataFrame:
    """One row per tie the rows make; ``since`` and ``until`` read from the rows' dates, or
    from the rosters' years and marked so; several dates of one tie are a conflict."""
    years_of: dict[str, set[int]] = defaultdict(set)  # tie type → roster years that make it
    for hit in found:
        for tie_type, _, _ in SHAPE_TIES[hit.shape.name]:
            if hit.year is not None:
                years_of[tie_type].add(hit.year)
    ends = [
        (source, target, tie_type, index)
        for index, record in enumerate(records)
        for tie_type, source_role, target_role in SHAPE_TIES[record["_shape"]]
        for source in _ends(record, source_role)
        for target in _ends(record, target_role)
    ]
    found_ties = pd.DataFrame(ends, columns=["source", "target", "type", "record"])
    at = found_ties["record"].to_numpy()
    # days as numpy datetime64[D] (any year, unlike pandas' nanoseconds), so that the
    # groupby below reduces them without a Python call per tie
    days = np.array([d or "NaT" for d in dates], dtype="datetime64[D]")
    found_ties["date"] = days[at]
    found_ties["year"] = pd.array([r["_year"] for r in records], dtype="Int64")[at]
    wheres = [_where(records[i]) for i in at.tolist()]
    found_ties["where"] = wheres
    contents = pd.Series([r.get("content") for r in records], dtype=object).to_numpy()[at]
    found_ties["content"] = pd.Series(contents, dtype=object).where(
        found_ties["type"] == "PAIRED_WITH"
    )
    grouped = found_ties.groupby(["source", "target", "type"], sort=False)
    spans = grouped.agg(
        first=("year", "min"),
        last=("year", "max"),
        date=("date", "min"),
        dates=("date", "nunique"),
        at=("record", "first"),
        count=("record", "size"),
    )
    # the first rows of each tie, in row order: put in the order of the ties (numbered as
    # `spans` lists them) and cut where the tie changes (a groupby calling ", ".join makes
    # a Python call and a slice per tie)
    head = grouped.head(_ROWS_SHOWN)
    tie_of = grouped.ngroup().to_numpy()[head.index.to_numpy()]
    order = np.argsort(tie_of, kind="stable")
    shown = [wheres[i] for i in head.index.to_numpy()[order].tolist()]
    bounds = [0, *(np.flatnonzero(np.diff(tie_of[order])) + 1).tolist(), len(shown)]
    provenance = [", ".join(shown[a:b]) for a, b in itertools.pairwise(bounds)]
    spans["provenance"] = pd.Series(provenance, index=spans.index, dtype=object)
    # the content of a pairing (共建内容) as written, each text once, in row order
    written = found_ties.dropna(subset=["content"])
    written = written.drop_duplicates(["source", "target", "type", "content"])
    joined = written.groupby(["source", "target", "type"], sort=False)["content"].agg("；".join)
    spans["content"] = joined.reindex(spans.index).fillna("")
    chosen = _chosen_dates(found_ties, spans, names, conflicts)
    rows: list[dict[str, Any]] = []
    columns = ("first", "last", "date", "at", "count", "provenance", "content")
    for key, first, last, date, index, count, provenance, content in zip(
        spans.index.tolist(), *(spans[c].tolist() for c in columns), strict=True
    ):
        source, target, tie_type = key
        if count > _ROWS_SHOWN:
            provenance += f" … (+{count - _ROWS_SHOWN})"
        marks: dict[str, str] = {}
        day = None if pd.isna(date) else date.date()
        if key in chosen:
            day, how = chosen[key]
            if how:
                marks["since"] = how
        years = set() if pd.isna(first) else {first, last}
        since, until = tie_span(years, [] if day is None else [day], years_of[tie_type])
        if since is not None and day is None:
            marks["since"] = "roster_year"
        if until is not None:
            marks["until"] = "roster_year"
        rows.append(
            {
                "source": source,
                "target": target,
                "type": tie_type,
                "since": since.isoformat() if since else "",
                "until": until.isoformat() if until else "",
                "provenance": provenance,
                "content": content,
                INFERRED: inferred_text(marks),
                FILE: records[index]["_where"],
                ROW: records[index]["_row"],
            }
        )
    for child, parent in hierarchy.parents.items():
        rows.append(
            {
                "source": child,
                "target": parent.id,
                "type": "PART_OF",
                "since": "",
                "until": "",
                "provenance": parent.where,
                "content": "",
                INFERRED: "",
                FILE: parent.at[0],
                ROW: parent.at[1],
            }
        )
    header = [
        *("source", "target", "type", "since", "until", "provenance", "content", INFERRED),
        *(FILE, ROW),
    ]
    table = pd.DataFrame(rows, columns=header, dtype=object)
    return table.sort_values(["type", "source", "target"], kind="stable").reset_index(drop=True)
