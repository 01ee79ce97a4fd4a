"""The domain schema: node labels, tie types, allowed endpoints and attribute types.

This module is the one source of truth for what a co-building dataset may hold. The
reader, the validator, the Neo4j store and the maps' legends all read it; nothing else
hard-codes a label or a tie type.

Researchers in other cities extend the default schema in one place, either in code with
:meth:`Schema.extend` or with a TOML / JSON file read by :func:`load_schema`::

    [labels.Village]                 # a new node label
    description = "村"
    aliases = ["村"]
    parent = "Street"                # where it sits in the PART_OF hierarchy
    attributes = { households = "int" }

    [tie_types.PAIRED_WITH]          # add endpoints to an existing tie type
    endpoints = [["Unit", "Village"]]

    [tie_types.VOLUNTEERS_IN]        # a new co-building tie type
    endpoints = [["Unit", "Community"], ["Unit", "Village"]]
    role = "cobuilding"              # what the tie means to the measures (TIE_ROLES)

    [labels.Unit.attributes.ownership]   # values with choices, shown as [中文, English]
    choices = ["state", "collective"]
    value_labels = { state = ["国有", "state-owned"], collective = ["集体", "collective"] }

    [coverage.volunteer]             # communities it reaches count as covered
    tie_type = "VOLUNTEERS_IN"
    label = "Unit"
    cobuilding = true                # part of coverage "any"

The schema also says what each tie type *means* to the measures — its role (hierarchy,
co-building, home, placement ...), the order in which ties place a node outside the
hierarchy, the kinds of coverage, the levels coverage counts and the counts of balance — so
that :mod:`cobuild_graph.domain`, :mod:`cobuild_graph.metrics`, the Neo4j aggregates and the
maps take in an extended schema without a change of code.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from cobuild_graph.errors import Problems, ValidationError

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ALIASES",
    "ALIAS_SEPARATOR",
    "ATTRIBUTE_PATTERN",
    "ATTRIBUTE_TYPES",
    "COBUILDING_NETWORK_ROLES",
    "DEFAULT_SCHEMA",
    "INFERENCES",
    "INFERRED",
    "KEY_COLUMN_ALIASES",
    "LABEL_PATTERN",
    "NODE_KEY_COLUMNS",
    "SCHEMA_KEY",
    "TIE_KEY_COLUMNS",
    "TIE_ROLES",
    "TIE_TYPE_PATTERN",
    "AttributeSpec",
    "CoverageKind",
    "LabelSpec",
    "Schema",
    "TieSpec",
    "inferred_counts",
    "inferred_fields",
    "inferred_text",
    "load_schema",
    "schema_from_dict",
    "schema_of",
]

#: The value types an attribute may have, and how each is written in a table.
ATTRIBUTE_TYPES: tuple[str, ...] = ("str", "int", "float", "bool", "date")

#: What a tie type means to the measures (``TieSpec.role``): the words and their meaning.
TIE_ROLES: dict[str, str] = {
    "hierarchy": "a place inside the place above it (PART_OF); exactly one tie type",
    "cobuilding": "a unit or action branch serving a place: the co-building ties proper",
    "home": "a node to its home node, whose place it takes when it has none (a branch's unit)",
    "placement": "where a node outside the hierarchy stands or works (a project, a position)",
    "participation": "taking part in something that is not a place (supporting a project)",
    "membership": "membership of a body (a committee)",
    "other": "none the measures use",
}

#: The attribute that marks values the data did not give in their own cell: entries
#: ``field:how`` joined by ``;`` (``"since:roster_year;until:roster_year"``), one per field,
#: sorted by field (:func:`inferred_fields`, :func:`inferred_text`).
INFERRED = "inferred"
#: How a marked value was obtained (the ``how`` of an :data:`INFERRED` entry), Chinese first.
INFERENCES: dict[str, str] = {
    "roster_year": "由名册年份推定 from the roster's year (given, or read from the sheet name, "
    "its title rows or the file name), not from a date in the row",
    "other_row": "取自同一实体的其他行 taken from another row of the same entity: the row that "
    "made this node or tie left the cell blank",
    "conflict": "多个取值之一，待研究者决定 one of several values the rows give, used until the "
    "researcher decides in the review workbook",
    "canonical": "从多种写法中选定的规范名称 the name chosen among several spellings (the others "
    "are in aliases)",
}
#: The attribute listing a node's other spellings, joined by :data:`ALIAS_SEPARATOR`.
ALIASES = "aliases"
ALIAS_SEPARATOR = "；"


def inferred_fields(value: Any) -> dict[str, str]:
    """The marks of an :data:`INFERRED` value: field → how it was obtained.

    Examples
    --------
    >>> inferred_fields("since:roster_year;name:canonical")
    {'since': 'roster_year', 'name': 'canonical'}
    >>> inferred_fields(None), inferred_fields(float("nan"))
    ({}, {})
    """
    if not isinstance(value, str) or not value.strip():
        return {}
    entries = (part.strip().partition(":") for part in value.split(";"))
    return {field_.strip(): how.strip() for field_, _, how in entries if field_.strip()}


def inferred_text(marks: Mapping[str, str]) -> str:
    """The :data:`INFERRED` value of `marks` (field → how), sorted by field; ``""`` if none.

    Examples
    --------
    >>> inferred_text({"until": "roster_year", "since": "roster_year"})
    'since:roster_year;until:roster_year'
    """
    return ";".join(f"{field_}:{marks[field_]}" for field_ in sorted(marks))


def inferred_counts(G: nx.MultiDiGraph) -> pd.DataFrame:
    """How many values of `G` are marked as not read from their own cell.

    Parameters
    ----------
    G
        A co-building graph (networkx ``MultiDiGraph``).

    Returns
    -------
    pandas.DataFrame
        ``on`` (node label or tie type), ``field``, ``how``, ``count``; sorted.
    """
    counted: Counter[tuple[str, str, str]] = Counter()
    marked = [(d.get("label", ""), d.get(INFERRED)) for _, d in G.nodes(data=True)]
    marked += [(k, d.get(INFERRED)) for _, _, k, d in G.edges(keys=True, data=True)]
    for on, value in marked:
        for field_, how in inferred_fields(value).items():
            counted[on, field_, how] += 1
    table = pd.DataFrame(
        [(*key, count) for key, count in counted.items()], columns=["on", "field", "how", "count"]
    )
    return table.sort_values(["on", "field", "how"], ignore_index=True)


#: The roles whose ties make the co-building network (the ``cobuilding`` view of
#: :mod:`cobuild_graph.views`): the co-building ties proper and the home ties that join an
#: action branch to its unit.
COBUILDING_NETWORK_ROLES: tuple[str, ...] = ("cobuilding", "home")

LABEL_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]*$")
TIE_TYPE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Attribute names become Neo4j property keys and table headers: letters (any script),
# digits and underscores, not starting with a digit.
ATTRIBUTE_PATTERN = re.compile(r"^[^\W\d]\w*$")

#: Columns every node table has, in this order.
NODE_KEY_COLUMNS: tuple[str, ...] = ("id", "label", "name")
#: Columns every tie table has, in this order.
TIE_KEY_COLUMNS: tuple[str, ...] = ("source", "target", "type")
#: Other headers accepted for the key columns, e.g. Chinese headers from Excel.
KEY_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("编号", "节点编号", "标识", "代码", "node_id"),
    "label": ("类型", "标签", "类别", "节点类型", "kind_of_node"),
    "name": ("名称", "名字", "节点名称"),
    "source": ("起点", "源", "源节点", "起点编号", "from"),
    "target": ("终点", "目标", "目标节点", "终点编号", "to"),
    "type": ("关系", "关系类型", "类型", "tie_type"),
}


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute: its value type, allowed values (if closed) and meaning.

    Parameters
    ----------
    type
        One of :data:`ATTRIBUTE_TYPES`.
    choices
        The allowed values of a ``str`` attribute, or ``None`` for free text.
    description
        What the attribute means, shown in the docs and the template.
    aliases
        Other column headers accepted for it (Chinese headers such as ``纬度``).
    value_labels
        How values are shown to a reader: value → ``(Chinese, English)``, e.g. ``organ`` →
        ``("机关", "party/government organ")``; the data keeps the value itself. Every
        choice of the default schema has one; a value without one is shown as it is.
    """

    type: str = "str"
    choices: tuple[str, ...] | None = None
    description: str = ""
    aliases: tuple[str, ...] = ()
    value_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class LabelSpec:
    """A node label (``Street``, ``Unit`` ...) and its label-specific attributes."""

    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    attributes: Mapping[str, AttributeSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class TieSpec:
    """A tie type (``ASSIGNED_TO`` ...): the label pairs it may join, attributes and role.

    Parameters
    ----------
    role
        What the tie means to the measures: one of :data:`TIE_ROLES`.
    attachment
        Priority with which the tie places a node outside the hierarchy at a place (lower
        first; see :mod:`cobuild_graph.domain`), ``None`` for after every ranked type.
    """

    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    endpoints: frozenset[tuple[str, str]] = frozenset()
    attributes: Mapping[str, AttributeSpec] = field(default_factory=dict)
    role: str = "other"
    attachment: int | None = None


@dataclass(frozen=True)
class CoverageKind:
    """A kind of coverage: a place is covered by a tie of `tie_type` from a `label` node.

    Parameters
    ----------
    tie_type
        The tie type that covers.
    label
        The label at the other end of the tie.
    cobuilding
        Whether the kind is part of coverage ``any`` (the co-building ties proper), and so
        of what a unit's withdrawal would leave uncovered.
    """

    tie_type: str
    label: str
    cobuilding: bool = False


def _attr(
    type_: str,
    description: str = "",
    choices: Iterable[str] | Mapping[str, tuple[str, str]] | None = None,
    aliases: Iterable[str] = (),
) -> AttributeSpec:
    """An attribute; `choices` given as value → (Chinese, English) also label the values."""
    labels = dict(choices) if isinstance(choices, Mapping) else {}
    return AttributeSpec(
        type_,
        tuple(choices) if choices is not None else None,
        description,
        tuple(aliases),
        MappingProxyType(labels),
    )


@dataclass(frozen=True)
class Schema:
    """Labels, tie types, endpoints, attribute types and the administrative hierarchy.

    Parameters
    ----------
    labels
        Node labels by name.
    tie_types
        Tie types by name.
    node_attributes
        Attributes any node may carry (``name_en``, ``lat``, ``founded`` ...), beside ``id``,
        ``label`` and ``name``.
    tie_attributes
        Attributes any tie may carry (``since``, ``until``, ``weight``, ``provenance``).
    hierarchy
        The ``PART_OF`` levels from the top down, e.g. ``("City", "District", "Street",
        "Community", "Grid")``. Labels outside it (units, branches ...) are not levels.
    coverage
        The kinds of coverage of :func:`cobuild_graph.domain.coverage` by name.
    coverage_levels
        The levels whose places coverage counts (``("Community",)``; a ``Village`` level
        beside it, say); a tie to a place below one counts for it.
    balance_counts
        The counts of :func:`cobuild_graph.domain.balance`: column name and the label
        counted.
    """

    labels: Mapping[str, LabelSpec]
    tie_types: Mapping[str, TieSpec]
    node_attributes: Mapping[str, AttributeSpec]
    tie_attributes: Mapping[str, AttributeSpec]
    hierarchy: tuple[str, ...]
    coverage: Mapping[str, CoverageKind] = field(default_factory=dict)
    coverage_levels: tuple[str, ...] = ()
    balance_counts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only views, so a shared schema cannot be changed by accident.
        for name in _MAPPINGS:
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        self._problems().raise_any("schema")

    # -- roles ---------------------------------------------------------------------------

    @property
    def hierarchy_tie(self) -> str:
        """The tie type of role ``hierarchy`` (``PART_OF``)."""
        return self.ties_with_role("hierarchy")[0]

    def ties_with_role(self, *roles: str) -> tuple[str, ...]:
        """The tie types whose role is one of `roles`, in schema order.

        Examples
        --------
        >>> DEFAULT_SCHEMA.ties_with_role("cobuilding")
        ('ASSIGNED_TO', 'PAIRED_WITH', 'EMBEDDED_IN')
        """
        return tuple(name for name, tie in self.tie_types.items() if tie.role in roles)

    def attachment_ties(self) -> tuple[str, ...]:
        """The tie types that place a node outside the hierarchy, in order of priority.

        Examples
        --------
        >>> DEFAULT_SCHEMA.attachment_ties()
        ('ASSIGNED_TO', 'EMBEDDED_IN', 'LOCATED_IN', 'RUNS', 'PAIRED_WITH')
        """
        ranked = [t for t in self.tie_types.values() if t.attachment is not None]
        return tuple(t.name for t in sorted(ranked, key=lambda t: t.attachment or 0))

    def cobuilding_coverage(self) -> tuple[str, ...]:
        """The coverage kinds that make up coverage ``any``."""
        return tuple(kind for kind, spec in self.coverage.items() if spec.cobuilding)

    # -- lookups -------------------------------------------------------------------------

    def node_attribute(self, label: str, name: str) -> AttributeSpec | None:
        """The spec of attribute `name` on nodes of `label`, or ``None`` if it is free."""
        spec = self.labels[label].attributes.get(name)
        return spec if spec is not None else self.node_attributes.get(name)

    def tie_attribute(self, tie_type: str, name: str) -> AttributeSpec | None:
        """The spec of attribute `name` on ties of `tie_type`, or ``None`` if it is free."""
        spec = self.tie_types[tie_type].attributes.get(name)
        return spec if spec is not None else self.tie_attributes.get(name)

    def value_label(
        self, attribute: str, value: Any, *, label: str | None = None
    ) -> tuple[str, str] | None:
        """How `value` of `attribute` is shown: ``(Chinese, English)``, ``None`` if unlabelled.

        Parameters
        ----------
        attribute
            An attribute name (``unit_type``).
        value
            One of its values (``organ``).
        label
            The node label whose attribute it is; when ``None``, the node attributes, then
            each label's and tie type's attributes of that name are searched in schema order.

        Examples
        --------
        >>> DEFAULT_SCHEMA.value_label("unit_type", "organ")
        ('机关', 'party/government organ')
        >>> DEFAULT_SCHEMA.value_label("unit_type", "a value of its own") is None
        True
        """
        if label is not None and label in self.labels:
            spec = self.node_attribute(label, attribute)
            specs = [] if spec is None else [spec]
        else:
            specs = [
                mapping[attribute]
                for _, mapping in self._all_attribute_specs()
                if attribute in mapping
            ]
        for spec in specs:
            if isinstance(value, str) and value in spec.value_labels:
                return spec.value_labels[value]
        return None

    def allows(self, tie_type: str, source_label: str, target_label: str) -> bool:
        """Whether a tie of `tie_type` may run from `source_label` to `target_label`."""
        return (source_label, target_label) in self.tie_types[tie_type].endpoints

    def level(self, label: str) -> int | None:
        """Depth of `label` in the hierarchy (0 for the top), ``None`` if not a level."""
        return self.hierarchy.index(label) if label in self.hierarchy else None

    def label_lookup(self) -> dict[str, str]:
        """Map every accepted spelling of a label (name, alias, any case) to its name."""
        return _lookup({s.name: s.aliases for s in self.labels.values()})

    def tie_type_lookup(self) -> dict[str, str]:
        """Map every accepted spelling of a tie type (name, alias, any case) to its name."""
        return _lookup({s.name: s.aliases for s in self.tie_types.values()})

    # -- extension -----------------------------------------------------------------------

    def extend(self, spec: Mapping[str, Any], *, origin: str = "<schema extension>") -> Schema:
        """Return a new schema with labels, tie types and attributes added.

        Parameters
        ----------
        spec
            A mapping shaped like the schema file (see the module docstring): optional
            tables ``labels``, ``tie_types``, ``node_attributes``, ``tie_attributes`` and a
            ``hierarchy`` list. Existing labels and tie types gain attributes, aliases and
            endpoints; new ones are added.
        origin
            Where the spec came from, for error messages.

        Returns
        -------
        Schema
            The extended schema; this one is unchanged.

        Raises
        ------
        ValidationError
            If the extension is malformed or contradicts the schema, with every problem.

        Examples
        --------
        >>> s = DEFAULT_SCHEMA.extend({"labels": {"Village": {"aliases": ["村"]}}})
        >>> "Village" in s.labels
        True
        """
        problems = Problems()
        problem = partial(problems.add, origin, None)  # (where in the spec, value, message)

        for key in sorted(set(spec) - set(_SECTIONS)):
            problem(key, None, "unknown schema section; expected " + ", ".join(_SECTIONS))

        labels = dict(self.labels)
        parents: dict[str, str] = {}
        for name, body in _table(spec.get("labels", {}), "labels", problem).items():
            if body.get("parent") is not None:
                parents[name] = str(body["parent"])
            old = labels.get(name, LabelSpec(name))
            attrs = _attributes(
                body.get("attributes", {}), f"labels.{name}.attributes", problem, old.attributes
            )
            labels[name] = replace(
                old,
                description=str(body.get("description", old.description)),
                aliases=_merged(old.aliases, body.get("aliases", ())),
                attributes={**old.attributes, **attrs},
            )

        tie_types = dict(self.tie_types)
        for name, body in _table(spec.get("tie_types", {}), "tie_types", problem).items():
            old = tie_types.get(name, TieSpec(name))
            attrs = _attributes(
                body.get("attributes", {}),
                f"tie_types.{name}.attributes",
                problem,
                old.attributes,
            )
            endpoints = set(old.endpoints)
            for pair in body.get("endpoints", ()):
                if not (isinstance(pair, list | tuple) and len(pair) == 2):
                    problem(
                        f"tie_types.{name}.endpoints",
                        pair,
                        "each endpoint must be a [source label, target label] pair",
                    )
                    continue
                endpoints.add((str(pair[0]), str(pair[1])))
            attachment = body.get("attachment", old.attachment)
            if attachment is not None and (
                isinstance(attachment, bool) or not isinstance(attachment, int)
            ):
                problem(f"tie_types.{name}.attachment", attachment, "expected a whole number")
                attachment = None
            tie_types[name] = replace(
                old,
                description=str(body.get("description", old.description)),
                aliases=_merged(old.aliases, body.get("aliases", ())),
                endpoints=frozenset(endpoints),
                attributes={**old.attributes, **attrs},
                role=str(body.get("role", old.role)),
                attachment=attachment,
            )

        hierarchy = tuple(self.hierarchy)
        for name, parent in parents.items():
            if name in hierarchy:
                continue
            if parent not in hierarchy:
                problem(
                    f"labels.{name}.parent",
                    parent,
                    "parent must be a hierarchy level: " + ", ".join(hierarchy),
                )
                continue
            hierarchy = (
                *hierarchy[: hierarchy.index(parent) + 1],
                name,
                *hierarchy[hierarchy.index(parent) + 1 :],
            )
            part_of = tie_types[self.hierarchy_tie]
            tie_types[part_of.name] = replace(
                part_of, endpoints=part_of.endpoints | {(name, parent)}
            )
        if "hierarchy" in spec:
            hierarchy = tuple(str(h) for h in spec["hierarchy"])

        coverage = dict(self.coverage)
        for kind, body in _table(spec.get("coverage", {}), "coverage", problem).items():
            old_kind = coverage.get(kind, CoverageKind("", ""))
            coverage[kind] = CoverageKind(
                str(body.get("tie_type", old_kind.tie_type)),
                str(body.get("label", old_kind.label)),
                bool(body.get("cobuilding", old_kind.cobuilding)),
            )
        coverage_levels = tuple(
            str(level) for level in spec.get("coverage_levels", self.coverage_levels)
        )
        balance_counts = dict(self.balance_counts)
        for column, label in _table_or_types(
            spec.get("balance_counts", {}), "balance_counts", problem
        ).items():
            balance_counts[column] = str(label)

        node_attributes = {
            **self.node_attributes,
            **_attributes(
                spec.get("node_attributes", {}), "node_attributes", problem, self.node_attributes
            ),
        }
        tie_attributes = {
            **self.tie_attributes,
            **_attributes(
                spec.get("tie_attributes", {}), "tie_attributes", problem, self.tie_attributes
            ),
        }
        try:
            schema = Schema(
                labels,
                tie_types,
                node_attributes,
                tie_attributes,
                hierarchy,
                coverage,
                coverage_levels,
                balance_counts,
            )
        except ValidationError as error:
            for found in error.problems.to_dict("records"):
                problem(found["column"], found["value"], found["message"])
        problems.raise_any("schema")
        return schema

    def __deepcopy__(self, memo: dict[int, Any]) -> Schema:
        # read-only throughout: a copied graph (copy.deepcopy, networkx's copies) shares it
        return self

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # pickled by its dict form (its read-only mappings cannot be pickled themselves)
        return schema_from_dict, (self.to_dict(),)

    def to_dict(self) -> dict[str, Any]:
        """The whole schema as plain data (the shape :meth:`extend` and the files take)."""

        def attrs(mapping: Mapping[str, AttributeSpec]) -> dict[str, Any]:
            return {
                k: {"type": a.type, "description": a.description, "aliases": list(a.aliases)}
                | ({"choices": list(a.choices)} if a.choices is not None else {})
                | (
                    {"value_labels": {v: list(t) for v, t in a.value_labels.items()}}
                    if a.value_labels
                    else {}
                )
                for k, a in mapping.items()
            }

        return {
            "labels": {
                n: {
                    "description": s.description,
                    "aliases": list(s.aliases),
                    "attributes": attrs(s.attributes),
                }
                for n, s in self.labels.items()
            },
            "tie_types": {
                n: {
                    "description": s.description,
                    "aliases": list(s.aliases),
                    "endpoints": sorted([list(p) for p in s.endpoints]),
                    "attributes": attrs(s.attributes),
                    "role": s.role,
                }
                | ({"attachment": s.attachment} if s.attachment is not None else {})
                for n, s in self.tie_types.items()
            },
            "node_attributes": attrs(self.node_attributes),
            "tie_attributes": attrs(self.tie_attributes),
            "hierarchy": list(self.hierarchy),
            "coverage": {
                kind: {"tie_type": c.tie_type, "label": c.label, "cobuilding": c.cobuilding}
                for kind, c in self.coverage.items()
            },
            "coverage_levels": list(self.coverage_levels),
            "balance_counts": dict(self.balance_counts),
        }

    # -- consistency ---------------------------------------------------------------------

    def _problems(self) -> Problems:
        problems = Problems()
        problem = partial(problems.add, "<schema>", None)  # (where in the schema, value, message)

        reserved = set(NODE_KEY_COLUMNS) | set(TIE_KEY_COLUMNS)
        for name, label in self.labels.items():
            if not LABEL_PATTERN.match(name):
                problem(
                    f"labels.{name}",
                    name,
                    "label names are CamelCase ASCII letters and digits, e.g. Village",
                )
            for attr in set(label.attributes) & reserved:
                problem(f"labels.{name}.attributes", attr, "this attribute name is reserved")
        for name, tie in self.tie_types.items():
            if not TIE_TYPE_PATTERN.match(name):
                problem(
                    f"tie_types.{name}",
                    name,
                    "tie types are UPPER_CASE ASCII letters, digits and _, e.g. HELPS",
                )
            if not tie.endpoints:
                problem(f"tie_types.{name}.endpoints", None, "a tie type needs endpoints")
            for source, target in sorted(tie.endpoints):
                for end in (source, target):
                    if end not in self.labels:
                        problem(f"tie_types.{name}.endpoints", end, "unknown label")
            for attr in set(tie.attributes) & reserved:
                problem(f"tie_types.{name}.attributes", attr, "this attribute name is reserved")
        for level in self.hierarchy:
            if level not in self.labels:
                problem("hierarchy", level, "unknown label")
        if len(set(self.hierarchy)) != len(self.hierarchy):
            problem("hierarchy", list(self.hierarchy), "a level appears twice")
        for name, tie in self.tie_types.items():
            if tie.role not in TIE_ROLES:
                problem(
                    f"tie_types.{name}.role",
                    tie.role,
                    "unknown role; use one of " + ", ".join(TIE_ROLES),
                )
        hierarchy_ties = [t.name for t in self.tie_types.values() if t.role == "hierarchy"]
        if len(hierarchy_ties) != 1:
            problem(
                "tie_types",
                hierarchy_ties,
                "exactly one tie type has the role hierarchy (PART_OF)",
            )
        ranks = [t.attachment for t in self.tie_types.values() if t.attachment is not None]
        if len(set(ranks)) != len(ranks):
            problem("tie_types", sorted(ranks), "two tie types have the same attachment rank")
        for kind, cover in self.coverage.items():
            where = f"coverage.{kind}"
            tie = self.tie_types.get(cover.tie_type)
            if tie is None:
                problem(f"{where}.tie_type", cover.tie_type, "unknown tie type")
            elif not any(cover.label in pair for pair in tie.endpoints):
                problem(f"{where}.label", cover.label, f"{cover.tie_type} never joins this label")
        if "any" in self.coverage:
            problem("coverage", "any", "the name any is coverage's own (the co-building kinds)")
        for level in self.coverage_levels:
            if level not in self.hierarchy:
                problem("coverage_levels", level, "not a hierarchy level")
        for column, label in self.balance_counts.items():
            if label not in self.labels:
                problem(f"balance_counts.{column}", label, "unknown label")
        for where, spelling_to_name in (
            ("labels", {s.name: s.aliases for s in self.labels.values()}),
            ("tie_types", {s.name: s.aliases for s in self.tie_types.values()}),
        ):
            seen: dict[str, str] = {}
            for name, aliases in spelling_to_name.items():
                for spelling in {_fold(name), *(_fold(a) for a in aliases)}:
                    if seen.setdefault(spelling, name) != name:
                        problem(
                            where, spelling, f"spelling used by both {seen[spelling]} and {name}"
                        )
        for where, mapping in self._all_attribute_specs():
            for attr, spec in mapping.items():
                if not ATTRIBUTE_PATTERN.match(attr):
                    problem(
                        where,
                        attr,
                        "attribute names are letters, digits and _, not starting with a digit",
                    )
                if spec.type not in ATTRIBUTE_TYPES:
                    problem(
                        f"{where}.{attr}",
                        spec.type,
                        "unknown attribute type; use one of " + ", ".join(ATTRIBUTE_TYPES),
                    )
                if spec.choices is not None and spec.type != "str":
                    problem(
                        f"{where}.{attr}", list(spec.choices), "choices are only for str attributes"
                    )
                for value in sorted(
                    set(spec.value_labels) - set(spec.choices or spec.value_labels)
                ):
                    problem(
                        f"{where}.{attr}.value_labels",
                        value,
                        "a value label for a value that is not one of the choices",
                    )
        return problems

    def _all_attribute_specs(self) -> Iterable[tuple[str, Mapping[str, AttributeSpec]]]:
        yield "node_attributes", self.node_attributes
        yield "tie_attributes", self.tie_attributes
        for name, label in self.labels.items():
            yield f"labels.{name}.attributes", label.attributes
        for name, tie in self.tie_types.items():
            yield f"tie_types.{name}.attributes", tie.attributes


_SECTIONS = (
    "labels",
    "tie_types",
    "node_attributes",
    "tie_attributes",
    "hierarchy",
    "coverage",
    "coverage_levels",
    "balance_counts",
)
_MAPPINGS = (
    "labels",
    "tie_types",
    "node_attributes",
    "tie_attributes",
    "coverage",
    "balance_counts",
)


def _merged(old: tuple[str, ...], new: Iterable[Any]) -> tuple[str, ...]:
    """`old` aliases and the `new` ones, each once, in order."""
    return tuple(dict.fromkeys([*old, *(str(a) for a in new)]))


def _fold(spelling: str) -> str:
    return unicodedata.normalize("NFKC", spelling).strip().casefold()


def _lookup(names: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, aliases in names.items():
        for spelling in (name, *aliases):
            lookup[_fold(spelling)] = name
    return lookup


def _table(value: Any, where: str, problem: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(value, Mapping):
        problem(where, value, "expected a table of names")
        return {}
    out: dict[str, Mapping[str, Any]] = {}
    for name, body in value.items():
        if body is None:
            body = {}
        if not isinstance(body, Mapping):
            problem(f"{where}.{name}", body, "expected a table")
            continue
        out[str(name)] = body
    return out


def _attributes(
    value: Any, where: str, problem: Any, old: Mapping[str, AttributeSpec] | None = None
) -> dict[str, AttributeSpec]:
    """The attributes of a spec's table; an attribute of `old` declared again keeps the
    value labels of its values still allowed, and one given only ``value_labels`` keeps
    everything else."""
    out: dict[str, AttributeSpec] = {}
    for name, body in _table_or_types(value, where, problem).items():
        if isinstance(body, str):
            body = {"type": body}
        before = (old or {}).get(name)
        labels = _value_labels(body.get("value_labels", {}), f"{where}.{name}", problem)
        if before is not None and set(body) == {"value_labels"}:
            out[name] = replace(before, value_labels={**before.value_labels, **labels})
            continue
        choices = body.get("choices")
        chosen = tuple(str(c) for c in choices) if choices is not None else None
        kept = {
            v: text
            for v, text in (before.value_labels if before is not None else {}).items()
            if chosen is None or v in chosen
        }
        out[name] = AttributeSpec(
            str(body.get("type", "str")),
            chosen,
            str(body.get("description", "")),
            tuple(str(a) for a in body.get("aliases", ())),
            {**kept, **labels},
        )
    return out


def _value_labels(value: Any, where: str, problem: Any) -> dict[str, tuple[str, str]]:
    """``value_labels`` of a spec: value → ``[Chinese, English]`` (or the Chinese alone)."""
    if not isinstance(value, Mapping):
        problem(f"{where}.value_labels", value, "expected a table of value = [中文, English]")
        return {}
    out: dict[str, tuple[str, str]] = {}
    for key, text in value.items():
        pair = [text] if isinstance(text, str) else text
        if not (
            isinstance(pair, list | tuple)
            and len(pair) in (1, 2)
            and all(isinstance(t, str) for t in pair)
            and pair[0].strip()
        ):
            problem(
                f"{where}.value_labels.{key}",
                text,
                'expected ["中文", "English"] or "中文" for the value',
            )
            continue
        out[str(key)] = (pair[0], pair[1] if len(pair) == 2 else "")
    return out


def _table_or_types(value: Any, where: str, problem: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        problem(where, value, "expected a table of attribute names")
        return {}
    out: dict[str, Any] = {}
    for name, body in value.items():
        if isinstance(body, str | Mapping):
            out[str(name)] = body
        else:
            problem(
                f"{where}.{name}",
                body,
                "expected a type name or a table with type, choices, description",
            )
    return out


def load_schema(path: str | Path, *, base: Schema | None = None) -> Schema:
    """Read a schema extension from a TOML or JSON file and apply it.

    Parameters
    ----------
    path
        A ``.toml`` or ``.json`` file shaped as in the module docstring.
    base
        The schema to extend; the default schema when ``None``.

    Returns
    -------
    Schema
        `base` extended by the file.

    Raises
    ------
    ValidationError
        If the file cannot be parsed or the extension is malformed.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    problems = Problems()
    try:
        spec = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        # tomllib's errors carry the line only in their message before Python 3.14
        found = re.search(r"line (\d+)", str(error))
        line = getattr(error, "lineno", None) or (int(found[1]) if found else None)
        problems.add(str(path), line, None, None, f"cannot parse the schema file: {error}")
        spec = None
    if spec is not None and not isinstance(spec, Mapping):
        message = "a schema file holds a table (labels, tie_types ...)"
        problems.add(str(path), None, None, None, message)
    problems.raise_any("schema")
    return (base or DEFAULT_SCHEMA).extend(spec, origin=str(path))


def _default_schema() -> Schema:
    org_kind = _attr(
        "str",
        "party organisation: 党委, 党总支 or 党支部",
        {
            "党委": ("党委", "party committee"),
            "党总支": ("党总支", "general party branch"),
            "党支部": ("党支部", "party branch"),
        },
    )
    members = _attr("int", "party members", aliases=("党员数", "人数", "成员数"))
    labels = [
        LabelSpec("City", "市", ("市", "城市")),
        LabelSpec(
            "District",
            "区 / 县级市 / 开发区",
            ("区", "区县", "县级市"),
            {"kind": _attr("str", "区, 县级市 or 开发区", aliases=("区划类型",))},
        ),
        LabelSpec(
            "Street",
            "街道 (also 镇 where needed)",
            ("街道", "镇", "街镇"),
            {"kind": _attr("str", "街道 or 镇", aliases=("街镇类型",))},
        ),
        LabelSpec(
            "Community",
            "社区",
            ("社区", "居委会"),
            {
                "party_org_kind": org_kind,
                "members": members,
                "service_fund_yuan": _attr(
                    "float", "yearly service fund 为民服务专项经费, yuan", aliases=("专项经费",)
                ),
            },
        ),
        LabelSpec("Grid", "网格", ("网格",)),
        LabelSpec(
            "Unit",
            "co-building unit 共建单位",
            ("单位", "共建单位"),
            {
                "unit_type": _attr(
                    "str",
                    "organ 机关, soe 国企, school 学校, hospital 医院, institution 事业单位, "
                    "private 非公企业 (两新组织 where a roster does not say which), "
                    "mass 群团组织, social 社会组织, other",
                    {
                        "organ": ("机关", "party/government organ"),
                        "soe": ("国企", "state-owned enterprise"),
                        "school": ("学校", "school"),
                        "hospital": ("医院", "hospital"),
                        "institution": ("事业单位", "public institution"),
                        "private": ("非公企业", "private enterprise"),
                        "mass": ("群团组织", "mass organisation"),
                        "social": ("社会组织", "social organisation"),
                        "other": ("其他", "other"),
                    },
                    ("单位类型", "单位性质"),
                ),
                "level": _attr(
                    "str",
                    "city or district level",
                    {"city": ("市级", "city level"), "district": ("区级", "district level")},
                    ("层级", "级别"),
                ),
                "party_members": _attr("int", "party members 党员人数 (from a roster)"),
                "roster_category": _attr(
                    "str", "the unit category as a roster writes it 名册单位类型"
                ),
            },
        ),
        LabelSpec("ActionBranch", "行动支部", ("行动支部", "支部"), {"members": members}),
        LabelSpec(
            "Project",
            "service project 为民服务项目",
            ("项目", "服务项目"),
            {
                "category": _attr("str", "what the project does", aliases=("项目类别",)),
                "budget_yuan": _attr("float", "budget in yuan", aliases=("预算", "预算元", "经费")),
                "exemplary": _attr(
                    "bool",
                    "one of the 100 exemplary projects 百佳示范项目",
                    aliases=("百佳", "示范"),
                ),
                "year": _attr("int", "year the project ran", aliases=("年份", "年度")),
            },
        ),
        LabelSpec(
            "Position",
            "海棠花红 vanguard position 先锋阵地",
            ("阵地", "先锋阵地"),
            {
                "site_type": _attr(
                    "str",
                    "community, park, office building, business district ...",
                    aliases=("阵地类型",),
                )
            },
        ),
        LabelSpec("Body", "committee, e.g. 城市基层党建工作专委会", ("委员会", "专委会")),
    ]
    ties = [
        TieSpec(
            "PART_OF",
            "administrative hierarchy",
            ("隶属", "属于"),
            frozenset(
                {
                    ("Community", "Street"),
                    ("Street", "District"),
                    ("District", "City"),
                    ("Grid", "Community"),
                }
            ),
            role="hierarchy",
        ),
        TieSpec(
            "ASSIGNED_TO",
            "assigned by location, 挂钩联系",
            ("挂钩", "挂钩联系", "划分"),
            frozenset({("Unit", "Street")}),
            role="cobuilding",
            attachment=1,
        ),
        TieSpec(
            "PAIRED_WITH",
            "结对共建",
            ("结对", "结对共建", "共建"),
            frozenset({("Unit", "Community"), ("Unit", "Street")}),
            {
                "content": _attr(
                    "str",
                    "what the pairing does 共建内容",
                    aliases=("共建内容", "合作内容", "共建项目"),
                )
            },
            role="cobuilding",
            attachment=5,
        ),
        TieSpec(
            "BRANCH_OF",
            "the branch's home unit",
            ("所属单位",),
            frozenset({("ActionBranch", "Unit")}),
            role="home",
        ),
        TieSpec(
            "EMBEDDED_IN",
            "融入, joins the local party organisation",
            ("融入", "报到"),
            frozenset(
                {
                    ("ActionBranch", "Community"),
                    ("ActionBranch", "Street"),
                    ("ActionBranch", "Grid"),
                }
            ),
            role="cobuilding",
            attachment=2,
        ),
        TieSpec(
            "RUNS",
            "runs a service project",
            ("实施", "开展"),
            frozenset({("Community", "Project"), ("Street", "Project")}),
            role="placement",
            attachment=4,
        ),
        TieSpec(
            "SUPPORTS",
            "takes part in or funds a project",
            ("支持", "参与"),
            frozenset({("Unit", "Project"), ("ActionBranch", "Project")}),
            role="participation",
        ),
        TieSpec(
            "LOCATED_IN",
            "where a position stands",
            ("位于",),
            frozenset(
                {("Position", "Community"), ("Position", "Street"), ("Position", "District")}
            ),
            role="placement",
            attachment=3,
        ),
        TieSpec(
            "MEMBER_OF",
            "committee membership",
            ("成员",),
            frozenset({("Unit", "Body")}),
            role="membership",
        ),
    ]
    inferred = _attr(
        "str",
        "values not read from their own cell, as field:how entries joined by ';' (how: "
        + ", ".join(INFERENCES)
        + ")",
        aliases=("推定", "推定字段"),
    )
    node_attributes = {
        "name_en": _attr("str", "English name", aliases=("英文名", "英文名称")),
        "lat": _attr("float", "latitude (WGS84)", aliases=("纬度", "latitude")),
        "lon": _attr("float", "longitude (WGS84)", aliases=("经度", "longitude", "lng")),
        "founded": _attr("date", "date founded", aliases=("成立时间", "成立日期")),
        "provenance": _attr(
            "str",
            "where the row came from: article, public-record, synthetic, or your own source",
            aliases=("来源", "出处", "数据来源"),
        ),
        INFERRED: inferred,
        ALIASES: _attr(
            "str", f"other spellings of the name, joined by {ALIAS_SEPARATOR}", aliases=("别名",)
        ),
    }
    tie_attributes = {
        "since": _attr(
            "date", "first day the tie holds", aliases=("开始", "开始时间", "开始日期", "起始时间")
        ),
        "until": _attr("date", "last day the tie holds", aliases=("结束", "结束时间", "结束日期")),
        "weight": _attr("float", "strength of the tie", aliases=("权重",)),
        "provenance": _attr("str", "where the row came from", aliases=("来源", "出处", "数据来源")),
        INFERRED: inferred,
    }
    coverage = {
        "unit": CoverageKind("PAIRED_WITH", "Unit", cobuilding=True),
        "branch": CoverageKind("EMBEDDED_IN", "ActionBranch", cobuilding=True),
        "project": CoverageKind("RUNS", "Project"),
        "position": CoverageKind("LOCATED_IN", "Position"),
    }
    balance_counts = {
        "units": "Unit",
        "branches": "ActionBranch",
        "projects": "Project",
        "positions": "Position",
    }
    return Schema(
        {s.name: s for s in labels},
        {s.name: s for s in ties},
        node_attributes,
        tie_attributes,
        ("City", "District", "Street", "Community", "Grid"),
        coverage,
        ("Community",),
        balance_counts,
    )


#: The co-building schema (docs/reference/schema.md), used wherever no other schema is given.
DEFAULT_SCHEMA: Schema = _default_schema()


def schema_or_default(schema: Schema | None) -> Schema:
    """`schema`, or :data:`DEFAULT_SCHEMA` where it is ``None``.

    Every ``schema=`` parameter of the library defaults to ``None``, meaning the default
    schema, so that signatures stay short in ``help()`` and Jupyter.

    Examples
    --------
    >>> schema_or_default(None) is DEFAULT_SCHEMA
    True
    """
    return DEFAULT_SCHEMA if schema is None else schema


#: The key of ``G.graph`` (and of a dataset's metadata) that holds the graph's schema: the
#: :class:`Schema` the readers, :func:`~cobuild_graph.generate.generate` and the store's
#: reads record, which every function given the graph uses when no ``schema=`` is given.
SCHEMA_KEY = "schema"


def schema_of(G: nx.Graph, schema: Schema | None = None) -> Schema:
    """The schema to measure `G` with: `schema` if given, else the one `G` records.

    Parameters
    ----------
    G
        A co-building graph; its schema is ``G.graph["schema"]`` (:data:`SCHEMA_KEY`),
        :data:`DEFAULT_SCHEMA` for a graph that records none.
    schema
        An override; it must not contradict the graph's (:func:`check_same_schema`).

    Returns
    -------
    Schema
        `schema`, or the graph's.

    Raises
    ------
    ValueError
        If `schema` contradicts the schema `G` records, naming what differs.
    TypeError
        If ``G.graph["schema"]`` is not a :class:`Schema`.

    Examples
    --------
    >>> import networkx as nx
    >>> village = DEFAULT_SCHEMA.extend({"labels": {"Village": {"parent": "Street"}}})
    >>> schema_of(nx.MultiDiGraph(schema=village)) is village
    True
    >>> schema_of(nx.MultiDiGraph()) is DEFAULT_SCHEMA
    True
    >>> schema_of(nx.MultiDiGraph(schema=village), DEFAULT_SCHEMA)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 给定的 schema 与图的 schema 不一致 the schema given contradicts the graph's: ...
    """
    return chosen_schema(schema, G.graph.get(SCHEMA_KEY), "the graph's", "图的")


def chosen_schema(
    given: Schema | None,
    recorded: Schema | None,
    whose: str = "the graph's",
    whose_zh: str = "图的",
) -> Schema:
    """`given` if not ``None`` (checked against `recorded`), else `recorded`, else the default.

    Parameters
    ----------
    given
        The ``schema=`` a caller gave.
    recorded
        The schema the data records (a graph's, a dataset file's, a stored dataset's).
    whose, whose_zh
        Whose `recorded` is, in English and Chinese, for the message.

    Raises
    ------
    ValueError
        If both are given and they differ (:func:`check_same_schema`).
    TypeError
        If `recorded` is not a :class:`Schema`.
    """
    if recorded is not None and not isinstance(recorded, Schema):
        raise TypeError(
            f"{whose_zh} {SCHEMA_KEY} 应为 Schema: {whose} {SCHEMA_KEY} must be a Schema, not "
            f"{type(recorded).__name__}"
        )
    if given is None:
        return DEFAULT_SCHEMA if recorded is None else recorded
    if recorded is not None:
        check_same_schema(given, recorded, whose, whose_zh)
    return given


def check_same_schema(
    given: Schema, recorded: Schema, whose: str = "the graph's", whose_zh: str = "图的"
) -> None:
    """Raise ValueError unless `given` and `recorded` are the same schema.

    Two schemas are the same when their :meth:`Schema.to_dict` are equal: every label, tie
    type (its endpoints and role), attribute, level, kind of coverage and count alike. The
    message names what differs (a label or tie type one has and the other lacks, a role
    that differs ...), Chinese first, English beside it.
    """
    if given is recorded or given == recorded:
        return
    differences = list(_differences(given.to_dict(), recorded.to_dict(), "", whose, whose_zh))
    if not differences:
        return
    shown = "; ".join(differences[:6])
    more = f"; 另有 {len(differences) - 6} 处 and {len(differences) - 6} more" * (
        len(differences) > 6
    )
    raise ValueError(
        f"给定的 schema 与{whose_zh} schema 不一致 the schema given contradicts {whose}: "
        f"{shown}{more}. 不给 schema= 即用{whose_zh} schema; omit schema= to use {whose}"
    )


def _differences(given: Any, recorded: Any, where: str, whose: str, whose_zh: str) -> Any:
    """Where two :meth:`Schema.to_dict` forms differ, as short bilingual phrases."""
    if isinstance(given, dict) and isinstance(recorded, dict):
        for key in [*given, *(k for k in recorded if k not in given)]:
            at = f"{where}.{key}" if where else str(key)
            if key not in recorded:
                yield f"{at}: 仅见于给定的 schema only in the schema given"
            elif key not in given:
                yield f"{at}: 仅见于{whose_zh} schema only in {whose}"
            else:
                yield from _differences(given[key], recorded[key], at, whose, whose_zh)
    elif given != recorded:
        yield f"{where}: 给定 given {given!r}, {whose_zh} {whose} {recorded!r}"


def schema_from_dict(spec: Mapping[str, Any], *, origin: str = "<schema>") -> Schema:
    """The schema whose :meth:`Schema.to_dict` is `spec` (as a dataset's metadata holds it).

    Raises
    ------
    ValidationError
        If `spec` is not a schema's dict form.

    Examples
    --------
    >>> schema_from_dict(DEFAULT_SCHEMA.to_dict()) == DEFAULT_SCHEMA
    True
    """
    return DEFAULT_SCHEMA.extend(spec, origin=origin)


def written_meta(meta: Mapping[str, Any], *, as_text: bool = False) -> dict[str, Any]:
    """`meta` (a ``G.graph``) as the writers keep it: the schema as :func:`schema_dict`.

    The :data:`SCHEMA_KEY` entry becomes the schema's dict form (its JSON text if
    `as_text`, for a workbook's cell or a GraphML attribute), and is left out for the
    default schema.

    Examples
    --------
    >>> written_meta({"name": "苏州", SCHEMA_KEY: DEFAULT_SCHEMA})
    {'name': '苏州'}
    """
    out = {k: v for k, v in meta.items() if k != SCHEMA_KEY}
    schema = meta.get(SCHEMA_KEY)
    as_dict = None if schema is None else schema_dict(chosen_schema(None, schema))
    if as_dict is not None:
        out[SCHEMA_KEY] = json.dumps(as_dict, ensure_ascii=False) if as_text else as_dict
    return out


def schema_dict(schema: Schema) -> dict[str, Any] | None:
    """`schema` as plain data for a file or the store; ``None`` for the default schema,
    which the writers leave out (so that a dataset of the default schema gains no block).

    Examples
    --------
    >>> schema_dict(DEFAULT_SCHEMA) is None
    True
    """
    as_dict = schema.to_dict()
    return None if as_dict == DEFAULT_SCHEMA.to_dict() else as_dict
