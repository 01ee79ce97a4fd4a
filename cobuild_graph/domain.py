"""The domain's own measures of a co-building network, as pandas DataFrames.

No general network tool has these: coverage of communities, balance of units over streets,
roll-ups along the four-level hierarchy (四级联动: city 市 → district 区 → street 街道 →
community 社区), how far ties reach across it, the sector mix of units, time slices and
growth, and funding. Every function takes a co-building graph as built by
:func:`~cobuild_graph.read_dataset` (a ``MultiDiGraph`` whose nodes carry ``label`` and
``name`` and whose ties carry ``type`` and optionally ``since`` / ``until``) and returns a
DataFrame with stable columns, indexed by node id where it is per node.

How nodes outside the hierarchy belong to a place
-------------------------------------------------
The hierarchy is the schema's (``City → District → Street → Community → Grid``, joined by
``PART_OF``). A node outside it (a unit, branch, project, position) belongs to the places
it is tied to directly: by the first of :data:`ATTACHMENT_TIES` it has
(``ASSIGNED_TO``, ``EMBEDDED_IN``, ``LOCATED_IN``, ``RUNS``, ``PAIRED_WITH``, then any
other tie to a place) that leads to a place at the level asked for. Among several such
places the most frequent ancestor wins, ties broken by the smallest id. A node with no tie
to a place takes the place of the nodes it is joined to by :data:`HOME_TIES` (a unit whose
only ties are its action branches belongs where its branches are). See :func:`ancestors`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._memo import memo
from cobuild_graph.schema import DEFAULT_SCHEMA, Schema

logger = logging.getLogger(__name__)

#: Tie types by which a node outside the hierarchy belongs to a place, in order of priority.
ATTACHMENT_TIES: tuple[str, ...] = (
    "ASSIGNED_TO",
    "EMBEDDED_IN",
    "LOCATED_IN",
    "RUNS",
    "PAIRED_WITH",
)
#: Tie types through which a node with no place of its own takes its home's place (and the
#: home its members').
HOME_TIES: tuple[str, ...] = ("BRANCH_OF",)
#: Co-building ties from a unit or action branch to a place.
COBUILDING_TIES: tuple[str, ...] = ("ASSIGNED_TO", "PAIRED_WITH", "EMBEDDED_IN")
#: The kinds of tie that cover a community in :func:`coverage`: tie type and the label at
#: the other end. ``any`` is ``unit`` or ``branch``.
COVERAGE_KINDS: dict[str, tuple[str, str]] = {
    "unit": ("PAIRED_WITH", "Unit"),
    "branch": ("EMBEDDED_IN", "ActionBranch"),
    "project": ("RUNS", "Project"),
    "position": ("LOCATED_IN", "Position"),
}
#: The counts of :func:`balance`: column and the label counted.
BALANCE_COUNTS: dict[str, str] = {
    "units": "Unit",
    "branches": "ActionBranch",
    "projects": "Project",
    "positions": "Position",
}
_FREQUENCIES = {"year": "Y", "quarter": "Q", "month": "M"}

# -- the graph as tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Net:
    """A co-building graph as tables, with its hierarchy resolved once."""

    schema: Schema
    nodes: pd.DataFrame  # index id; label, name
    ties: pd.DataFrame  # source, target, type, key, since, until (datetime64)
    depth: pd.Series  # node -> depth in the hierarchy, NaN for other nodes
    parent: pd.Series  # node -> its PART_OF parent one level up

    @classmethod
    def of(cls, G: nx.Graph, schema: Schema = DEFAULT_SCHEMA) -> _Net:
        return memo(G, ("net", id(schema)), lambda: cls._make(G, schema))

    @classmethod
    def _make(cls, G: nx.Graph, schema: Schema) -> _Net:
        ids = list(G)
        nodes = pd.DataFrame(
            {
                "label": [d.get("label") for _, d in G.nodes(data=True)],
                "name": [d.get("name") for _, d in G.nodes(data=True)],
            },
            index=pd.Index(ids, dtype=object, name="id"),
        )
        ties = _tie_table(G)
        depth = nodes["label"].map({label: i for i, label in enumerate(schema.hierarchy)})
        part = ties[ties["type"] == "PART_OF"]
        up = part["source"].map(depth) > part["target"].map(depth)
        part = _sorted(part[up], ["source", "target"]).drop_duplicates("source")
        parent = pd.Series(part["target"].to_numpy(), index=part["source"].to_numpy(), dtype=object)
        return cls(schema, nodes, ties, depth.astype(float), parent)

    def level_depth(self, level: str) -> int:
        depth = self.schema.level(level)
        if depth is None:
            raise ValueError(
                f"unknown level {level!r}; use one of {', '.join(self.schema.hierarchy)}"
            )
        return depth

    def places(self, level: str) -> pd.Index:
        """Ids of the nodes at `level`, in graph order."""
        self.level_depth(level)
        return self.nodes.index[self.nodes["label"] == level]

    def up(self, places: pd.Series, level: str) -> pd.Series:
        """Each hierarchy node in `places` (values) mapped to its ancestor at `level`."""
        target = self.level_depth(level)
        current = places.astype(object)
        for _ in self.schema.hierarchy:
            deeper = current.map(self.depth) > target
            if not deeper.any():
                break
            current = current.where(~deeper, current.map(self.parent))
        return current.where(current.map(self.depth) == target)

    def attachments(self) -> pd.DataFrame:
        """Ties between a node outside the hierarchy and a place: node, place, type, rank."""
        ties = self.ties
        source_level = ties["source"].map(self.depth).notna()
        target_level = ties["target"].map(self.depth).notna()
        out = pd.concat(
            [
                ties.loc[~source_level & target_level, ["source", "target", "type"]].set_axis(
                    ["node", "place", "type"], axis=1
                ),
                ties.loc[source_level & ~target_level, ["target", "source", "type"]].set_axis(
                    ["node", "place", "type"], axis=1
                ),
            ],
            ignore_index=True,
        )
        rank = {t: i for i, t in enumerate(ATTACHMENT_TIES)}
        out["rank"] = out["type"].map(rank).fillna(len(rank)).astype(int)
        return out

    def label(self, nodes: pd.Series) -> pd.Series:
        return nodes.map(self.nodes["label"])


def _tie_table(G: nx.Graph) -> pd.DataFrame:
    if G.is_multigraph():
        edges = [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)]
    else:
        edges = [(u, v, None, d) for u, v, d in G.edges(data=True)]
    table = pd.DataFrame(
        {
            "source": pd.Series([e[0] for e in edges], dtype=object),
            "target": pd.Series([e[1] for e in edges], dtype=object),
            "type": pd.Series([e[3].get("type", e[2]) for e in edges], dtype=object),
            "key": pd.Series([e[2] for e in edges], dtype=object),
        }
    )
    for column in ("since", "until"):
        table[column] = _datetimes([e[3].get(column) for e in edges])
    return table


def _datetimes(values: list[Any]) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), errors="coerce"))


def _sorted(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`frame` sorted by `columns` compared as text (ids may mix types)."""
    return frame.sort_values(columns, key=lambda c: c.astype(str), kind="stable")


def _mode(pairs: pd.DataFrame, key: str, value: str) -> pd.Series:
    """The most frequent `value` per `key`; ties go to the smallest value (as text)."""
    counts = pairs.groupby([key, value], sort=False).size().rename("n").reset_index()
    counts["text"] = counts[value].astype(str)
    counts = counts.sort_values([key, "n", "text"], ascending=[True, False, True], kind="stable")
    best = counts.drop_duplicates(key)
    return pd.Series(best[value].to_numpy(), index=best[key].to_numpy(), dtype=object)


def _node_attribute(G: nx.Graph, name: str) -> pd.Series:
    return pd.Series(dict(G.nodes(data=name)), dtype=object).dropna()


# -- the hierarchy ------------------------------------------------------------------------------


def ancestors(G: nx.Graph, level: str = "Street", *, schema: Schema = DEFAULT_SCHEMA) -> pd.Series:
    """The place at `level` that each node belongs to.

    A place of the hierarchy maps to its ancestor through ``PART_OF`` (itself at its own
    level). A node outside the hierarchy maps through its ties to places, as the module
    docstring says: units through ``ASSIGNED_TO`` (or, for a level below the street, the
    community they are ``PAIRED_WITH``), branches through ``EMBEDDED_IN``, projects through
    ``RUNS``, positions through ``LOCATED_IN``.

    Parameters
    ----------
    G
        A co-building graph.
    level
        A hierarchy level of `schema` (``"City"``, ``"District"``, ``"Street"``,
        ``"Community"``, ``"Grid"``).
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.Series
        Indexed by node id in graph order, named `level`: the id of the place, or ``NaN``
        where a node belongs to none at that level (a node above it, or with no tie to a
        place).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("s", {"label": "Street"}), ("c", {"label": "Community"}),
    ...                   ("u", {"label": "Unit"})])
    >>> _ = G.add_edge("c", "s", key="PART_OF", type="PART_OF")
    >>> _ = G.add_edge("u", "c", key="PAIRED_WITH", type="PAIRED_WITH")
    >>> ancestors(G, "Street").to_dict()
    {'s': 's', 'c': 's', 'u': 's'}
    """
    return _ancestors(_Net.of(G, schema), level)


def _ancestors(net: _Net, level: str) -> pd.Series:
    places = net.depth.dropna().index
    result = pd.Series(np.nan, index=net.nodes.index, dtype=object, name=level)
    result[places] = net.up(pd.Series(places, index=places, dtype=object), level)

    links = net.attachments()
    links["ancestor"] = net.up(links["place"], level)
    links = links.dropna(subset=["ancestor"])
    links = links[links["rank"] == links.groupby("node")["rank"].transform("min")]
    direct = _mode(links, "node", "ancestor")
    result[direct.index] = direct

    home = net.ties[net.ties["type"].isin(HOME_TIES)]
    pairs = pd.concat(
        [
            home[["source", "target"]].set_axis(["node", "other"], axis=1),
            home[["target", "source"]].set_axis(["node", "other"], axis=1),
        ],
        ignore_index=True,
    )
    pairs = pairs[~pairs["node"].isin(direct.index) & pairs["other"].isin(direct.index)]
    pairs = pairs[pairs["node"].map(net.depth).isna()]
    pairs["ancestor"] = pairs["other"].map(direct)
    inherited = _mode(pairs, "node", "ancestor")
    result[inherited.index] = inherited
    return result


def _reach(
    net: _Net,
    level: str,
    *,
    types: Iterable[str] | None = None,
    labels: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Distinct (node, place) pairs: a node tied directly to `place` at `level` or below it.

    Only ties of `types` (all when ``None``) from nodes of `labels` (all when ``None``).
    """
    links = net.attachments()
    if types is not None:
        links = links[links["type"].isin(list(types))]
    if labels is not None:
        links = links[net.label(links["node"]).isin(list(labels))]
    links = links.assign(ancestor=net.up(links["place"], level)).dropna(subset=["ancestor"])
    out = links[["node", "ancestor"]].drop_duplicates()
    return out.assign(label=net.label(out["node"])).reset_index(drop=True)


def _named(net: _Net, index: pd.Index, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` reindexed to the places `index`, with their ``name`` as first column."""
    out = frame.reindex(index)
    out.insert(0, "name", net.nodes["name"].reindex(index).to_numpy())
    out.index.name = "id"
    return out


def rollup(
    G: nx.Graph,
    values: pd.Series | pd.DataFrame | str,
    *,
    level: str = "Street",
    how: str = "sum",
    schema: Schema = DEFAULT_SCHEMA,
) -> pd.DataFrame:
    """Roll a per-node measure up the four-level hierarchy (四级联动).

    Each node's value goes to its place at `level` as :func:`ancestors` defines it
    (communities to their street, units through ``ASSIGNED_TO`` or their paired
    community, branches through ``EMBEDDED_IN``, projects through ``RUNS``, positions
    through ``LOCATED_IN``), and is aggregated there.

    Parameters
    ----------
    G
        A co-building graph.
    values
        Per-node values indexed by node id: a Series, a DataFrame of numeric columns, or
        the name of a node attribute (e.g. ``"members"``).
    level
        The hierarchy level to roll up to.
    how
        A pandas aggregation: ``"sum"``, ``"mean"``, ``"median"``, ``"max"``, ``"min"``,
        ``"count"``.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        One row per place at `level` (all of them, also those no value reaches), indexed by
        id: ``name``, the aggregated value columns, and ``nodes``, the number of nodes whose
        value was rolled into the place. Places no value reaches get 0 for ``sum`` and
        ``count``, ``NaN`` otherwise. Nodes that belong to no place at `level` are left out
        (logged).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("s", {"label": "Street"}), ("c1", {"label": "Community"}),
    ...                   ("c2", {"label": "Community"})])
    >>> _ = G.add_edges_from([("c1", "s", "PART_OF", {"type": "PART_OF"}),
    ...                       ("c2", "s", "PART_OF", {"type": "PART_OF"})])
    >>> rollup(G, pd.Series({"c1": 2.0, "c2": 4.0}), how="mean")["value"].to_dict()
    {'s': 3.0}
    """
    net = _Net.of(G, schema)
    if isinstance(values, str):
        frame = _node_attribute(G, values).astype(float).to_frame(values)
    elif isinstance(values, pd.Series):
        frame = values.to_frame(values.name if values.name is not None else "value")
    else:
        frame = values.copy()
    where = _ancestors(net, level).reindex(frame.index)
    if where.isna().any():
        logger.info("rollup: %d nodes belong to no %s and are left out", where.isna().sum(), level)
    frame = frame[where.notna()]
    grouped = frame.groupby(where[where.notna()].to_numpy())
    out = grouped.agg(how)
    out["nodes"] = grouped.size()
    out = _named(net, net.places(level), out)
    fill = {"nodes": 0} | (dict.fromkeys(frame.columns, 0) if how in ("sum", "count") else {})
    return out.fillna(fill).astype({"nodes": int})


# -- coverage and balance ---------------------------------------------------------------------


def _covered(net: _Net) -> dict[str, set[Hashable]]:
    """The communities each kind of tie reaches (grids count for their community)."""
    links = net.attachments()
    links["community"] = net.up(links["place"], "Community")
    links = links.dropna(subset=["community"])
    other = net.label(links["node"])
    covered = {
        kind: set(links.loc[(links["type"] == tie) & (other == label), "community"])
        for kind, (tie, label) in COVERAGE_KINDS.items()
    }
    covered["any"] = covered["unit"] | covered["branch"]
    return covered


def coverage(
    G: nx.Graph, *, level: str | None = None, schema: Schema = DEFAULT_SCHEMA
) -> pd.DataFrame:
    """How many communities each kind of tie reaches.

    A community is covered by

    - ``unit``: a ``PAIRED_WITH`` tie from a ``Unit``;
    - ``branch``: an ``EMBEDDED_IN`` tie from an ``ActionBranch``;
    - ``project``: a ``RUNS`` tie to a ``Project`` (the community runs one);
    - ``position``: a ``LOCATED_IN`` tie from a ``Position``;
    - ``any``: ``unit`` or ``branch`` (the co-building ties proper);

    where a tie to one of the community's grids counts for the community, and a tie to a
    street covers none of its communities. share = covered / total.

    Parameters
    ----------
    G
        A co-building graph.
    level
        ``None`` for the whole network; a level above ``Community`` (e.g. ``"Street"``)
        for one row per place.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        With ``level=None``: indexed by ``kind`` (``unit``, ``branch``, ``project``,
        ``position``, ``any``), columns ``communities_covered``, ``communities_total``,
        ``share``. With a level: indexed by place id, columns ``name``, ``communities``,
        and ``{kind}_covered`` and ``{kind}_share`` for each kind.
    """
    net = _Net.of(G, schema)
    communities = net.places("Community")
    covered = _covered(net)
    if level is None:
        rows = {
            kind: (len(found), len(communities), len(found) / len(communities))
            if len(communities)
            else (0, 0, np.nan)
            for kind, found in covered.items()
        }
        out = pd.DataFrame.from_dict(
            rows, orient="index", columns=["communities_covered", "communities_total", "share"]
        )
        out.index.name = "kind"
        return out
    where = net.up(pd.Series(communities, index=communities, dtype=object), level)
    frame = pd.DataFrame({"communities": 1}, index=communities)
    for kind, found in covered.items():
        frame[f"{kind}_covered"] = communities.isin(list(found)).astype(int)
    per = frame.groupby(where.to_numpy()).sum()
    out = _named(net, net.places(level), per).fillna(0)
    for kind in covered:
        out[f"{kind}_covered"] = out[f"{kind}_covered"].astype(int)
        out[f"{kind}_share"] = out[f"{kind}_covered"] / out["communities"].replace(0, np.nan)
    return out.astype({"communities": int})


def uncovered(G: nx.Graph, kind: str = "any", *, schema: Schema = DEFAULT_SCHEMA) -> pd.DataFrame:
    """The communities that no tie of `kind` reaches, with their street.

    Parameters
    ----------
    G
        A co-building graph.
    kind
        One of :data:`COVERAGE_KINDS` or ``"any"``, as in :func:`coverage`.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        Indexed by community id, sorted by street then id: ``name``, ``street``,
        ``street_name``.
    """
    net = _Net.of(G, schema)
    covered = _covered(net)
    if kind not in covered:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(covered)}")
    communities = net.places("Community")
    left = communities[~communities.isin(list(covered[kind]))]
    street = net.up(pd.Series(left, index=left, dtype=object), "Street")
    out = pd.DataFrame(
        {
            "name": net.nodes["name"].reindex(left).to_numpy(),
            "street": street.to_numpy(),
            "street_name": street.map(net.nodes["name"]).to_numpy(),
        },
        index=pd.Index(left, name="id"),
    )
    return _sorted(out.rename_axis("id").reset_index(), ["street", "id"]).set_index("id")


def balance(
    G: nx.Graph,
    level: str = "Street",
    *,
    band: float = 0.5,
    schema: Schema = DEFAULT_SCHEMA,
) -> pd.DataFrame:
    """Units, branches, projects and positions per place, against the mean.

    A place counts the *distinct* nodes of each label tied directly to it or to a place
    below it: ``units`` ``ASSIGNED_TO`` the street or ``PAIRED_WITH`` it or one of its
    communities (a unit pairing with three communities of one street counts once there);
    ``branches`` ``EMBEDDED_IN`` it, its communities or grids; ``projects`` its
    communities or itself ``RUNS``; ``positions`` ``LOCATED_IN`` it or below. A unit
    serving two streets counts in both. :func:`inequality` summarises the columns.

    Parameters
    ----------
    G
        A co-building graph.
    level
        The level of the places: ``"Street"``, ``"Community"``, ``"District"`` ...
    band
        A place is ``over``-served when its count is at least ``(1 + band)`` times the mean
        over places, ``under``-served when at most ``(1 - band)`` times it.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        One row per place at `level`, indexed by id: ``name``; ``communities`` (the number
        of communities below; only for levels above ``Community``); ``units``,
        ``branches``, ``projects``, ``positions``; for each of these ``{count}_ratio``
        (count / mean) and ``{count}_flag`` (``"over"``, ``"under"`` or ``""``).
    """
    net = _Net.of(G, schema)
    reach = _reach(net, level, labels=BALANCE_COUNTS.values())
    counts = reach.groupby(["ancestor", "label"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(BALANCE_COUNTS.values()), fill_value=0)
    counts.columns = list(BALANCE_COUNTS)
    out = _named(net, net.places(level), counts).fillna(0)
    if net.level_depth(level) < net.level_depth("Community"):
        communities = net.places("Community")
        per = net.up(pd.Series(communities, index=communities, dtype=object), level)
        out.insert(1, "communities", per.value_counts().reindex(out.index, fill_value=0))
    for column in BALANCE_COUNTS:
        out[column] = out[column].astype(int)
        mean = out[column].mean()
        ratio = out[column] / mean if mean > 0 else pd.Series(np.nan, index=out.index)
        out[f"{column}_ratio"] = ratio
        out[f"{column}_flag"] = np.select(
            [ratio >= 1 + band, ratio <= 1 - band], ["over", "under"], default=""
        )
    return out


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values.

    .. math:: G = \\frac{\\sum_i \\sum_j |x_i - x_j|}{2 n^2 \\bar{x}}

    computed from the sorted values as
    :math:`G = \\frac{2 \\sum_i i\\, x_{(i)}}{n \\sum_i x_i} - \\frac{n + 1}{n}`.
    0 when all are equal, :math:`(n-1)/n` when one place holds everything; ``NaN`` when the
    total is 0. Reference: Gini, C. (1912). *Variabilità e mutabilità*; Cowell, F. (2011).
    *Measuring Inequality*, 3rd ed., §2.

    Examples
    --------
    >>> gini([1, 1, 1, 1])
    0.0
    >>> gini([0, 0, 0, 4])
    0.75
    """
    x = np.sort(np.asarray(list(values), dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return float("nan")
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n)


def inequality(counts: pd.DataFrame | pd.Series, *, band: float = 0.5) -> pd.DataFrame:
    """How unevenly each count is spread over places.

    For each column :math:`x` over :math:`n` places with shares :math:`s_i = x_i / \\sum x`:
    Gini (see :func:`gini`); Herfindahl–Hirschman index :math:`HHI = \\sum_i s_i^2`
    (from :math:`1/n`, even, to 1, all in one place; Hirschman 1945, Herfindahl 1950);
    max/min ratio (``NaN`` when the least-served place has none: see ``zeros``);
    coefficient of variation (standard deviation over mean, population form).

    Parameters
    ----------
    counts
        Per-place counts, e.g. the ``units``, ``branches`` ... columns of :func:`balance`;
        non-numeric columns and the ``*_ratio`` columns are ignored.
    band
        As in :func:`balance`: how far from the mean a place is ``over`` / ``under``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``measure`` (the column), columns ``places``, ``total``, ``mean``,
        ``min``, ``max``, ``zeros``, ``gini``, ``hhi``, ``max_min_ratio``, ``cv``,
        ``over``, ``under``.
    """
    frame = counts.to_frame() if isinstance(counts, pd.Series) else counts
    columns = [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not str(c).endswith("_ratio")
    ]
    rows = {}
    for column in columns:
        x = frame[column].astype(float).to_numpy()
        total, mean = x.sum(), x.mean() if len(x) else np.nan
        ratio = x / mean if mean > 0 else np.full(len(x), np.nan)
        rows[column] = {
            "places": len(x),
            "total": total,
            "mean": mean,
            "min": x.min() if len(x) else np.nan,
            "max": x.max() if len(x) else np.nan,
            "zeros": int((x == 0).sum()),
            "gini": gini(x),
            "hhi": float(np.sum((x / total) ** 2)) if total > 0 else np.nan,
            "max_min_ratio": x.max() / x.min() if len(x) and x.min() > 0 else np.nan,
            "cv": x.std() / mean if mean > 0 else np.nan,
            "over": int((ratio >= 1 + band).sum()),
            "under": int((ratio <= 1 - band).sum()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "measure"
    return out


def sector_mix(
    G: nx.Graph, level: str = "Street", *, schema: Schema = DEFAULT_SCHEMA
) -> pd.DataFrame:
    """The types of co-building units per place, with Blau and Shannon diversity.

    The units of a place are those :func:`balance` counts (distinct units ``ASSIGNED_TO``
    or ``PAIRED_WITH`` it or a place below it). With :math:`p_k` the share of units of type
    :math:`k` (units without a ``unit_type`` left out of the shares):

    - Blau's index :math:`1 - \\sum_k p_k^2` (Blau, P. M. 1977, *Inequality and
      Heterogeneity*), the chance that two units drawn at random differ in type;
    - Shannon's diversity :math:`H = -\\sum_k p_k \\ln p_k` (Shannon, C. E. 1948, *A
      Mathematical Theory of Communication*), in nats.

    Parameters
    ----------
    G
        A co-building graph.
    level
        The level of the places.
    schema
        Gives the hierarchy and the unit types (the choices of ``Unit.unit_type``).

    Returns
    -------
    pandas.DataFrame
        One row per place at `level`, indexed by id: ``name``, one count column per unit
        type of the schema (``organ``, ``soe``, ``school``, ``hospital``, ``institution``,
        ``private``, ``other``), ``unknown`` (units without a type), ``units``, ``blau``,
        ``shannon`` (``NaN`` for a place without typed units).
    """
    net = _Net.of(G, schema)
    spec = schema.labels["Unit"].attributes.get("unit_type")
    types = list(spec.choices) if spec is not None and spec.choices else []
    reach = _reach(net, level, types=COBUILDING_TIES, labels=["Unit"])
    # .astype(object): a map that finds nothing comes back float64, which rejects text fills
    kind = reach["node"].map(_node_attribute(G, "unit_type")).astype(object).fillna("unknown")
    counts = pd.crosstab(reach["ancestor"], kind).rename_axis(columns=None)
    extra = sorted(set(counts.columns) - {*types, "unknown"})
    counts = counts.reindex(columns=[*types, *extra, "unknown"], fill_value=0)
    out = _named(net, net.places(level), counts).fillna(0)
    typed = out[[*types, *extra]].astype(int)
    out[[*types, *extra, "unknown"]] = out[[*types, *extra, "unknown"]].astype(int)
    out["units"] = typed.sum(axis=1) + out["unknown"]
    shares = typed.div(typed.sum(axis=1).replace(0, np.nan), axis=0)
    out["blau"] = 1 - (shares**2).sum(axis=1, min_count=1)
    logs = np.log(shares.where(shares > 0))
    out["shannon"] = 0.0 - (shares * logs).sum(axis=1, min_count=1)  # 0.0 - x: no -0.0
    out.loc[typed.sum(axis=1) == 0, ["blau", "shannon"]] = np.nan
    return out


# -- cross-level reach ---------------------------------------------------------------------


def _node_levels(G: nx.Graph, net: _Net) -> pd.Series:
    """The hierarchy level each node stands at: its own, its ``level`` attribute, its
    home's, or that of the places it is attached to."""
    hierarchy = net.schema.hierarchy
    by_name = {h.casefold(): h for h in hierarchy}
    levels = net.nodes["label"].where(net.nodes["label"].isin(hierarchy))
    own = _node_attribute(G, "level").astype(str).str.casefold().map(by_name).dropna()
    own = own[levels.reindex(own.index).isna()]
    levels[own.index] = own
    home = net.ties[net.ties["type"].isin(HOME_TIES)]
    home = home[levels.reindex(home["source"]).isna().to_numpy()]
    inherited = _mode(
        home.assign(level=home["target"].map(levels)).dropna(subset=["level"]), "source", "level"
    )
    levels[inherited.index] = inherited
    links = net.attachments()
    links = links[levels.reindex(links["node"]).isna().to_numpy()]
    links = links[links["rank"] == links.groupby("node")["rank"].transform("min")]
    attached = _mode(links.assign(level=net.label(links["place"])), "node", "level")
    levels[attached.index] = attached
    return levels


def cross_level(G: nx.Graph, *, schema: Schema = DEFAULT_SCHEMA) -> pd.DataFrame:
    """How many hierarchy levels each tie spans.

    Each endpoint stands at a level: a place at its own; a node with a ``level`` attribute
    naming a level (a ``city``-level unit) at that one; an action branch at its home
    unit's (through ``BRANCH_OF``); any other node at the level of the places it is
    attached to (a project at its runner's, a position where it stands). ``span`` is the
    absolute difference of the two depths: a city-level unit paired with a community spans
    3 (City → Community), a community's ``PART_OF`` its street 1.

    Returns
    -------
    pandas.DataFrame
        One row per tie: ``source``, ``target``, ``type``, ``source_level``,
        ``target_level``, ``span`` (nullable integer; missing where a level is unknown).
    """
    net = _Net.of(G, schema)
    levels = _node_levels(G, net)
    depth = {h: i for i, h in enumerate(schema.hierarchy)}
    out = net.ties[["source", "target", "type"]].copy()
    out["source_level"] = out["source"].map(levels)
    out["target_level"] = out["target"].map(levels)
    span = (out["source_level"].map(depth) - out["target_level"].map(depth)).abs()
    out["span"] = span.astype("Int64")
    return out


def cross_level_summary(G: nx.Graph, *, schema: Schema = DEFAULT_SCHEMA) -> pd.DataFrame:
    """:func:`cross_level` counted: ties per tie type, pair of levels and span.

    Returns
    -------
    pandas.DataFrame
        Columns ``type``, ``source_level``, ``target_level``, ``span``, ``ties``, ``share``
        (of the ties of that type), sorted by type and span.
    """
    ties = cross_level(G, schema=schema)
    out = (
        ties.groupby(["type", "source_level", "target_level", "span"], dropna=False)
        .size()
        .rename("ties")
        .reset_index()
    )
    out["share"] = out["ties"] / out.groupby("type")["ties"].transform("sum")
    return out.sort_values(["type", "span"], kind="stable").reset_index(drop=True)


def unit_reach(G: nx.Graph, *, schema: Schema = DEFAULT_SCHEMA) -> pd.DataFrame:
    """Units reaching communities directly versus only through streets.

    A unit reaches a community directly when it is ``PAIRED_WITH`` the community (or one
    of its grids) or one of its action branches is ``EMBEDDED_IN`` it; it reaches only
    through streets when its deepest co-building tie (``ASSIGNED_TO``, ``PAIRED_WITH``,
    or a branch's ``EMBEDDED_IN``) ends at a street.

    Returns
    -------
    pandas.DataFrame
        Indexed by the units' ``level`` attribute (``city``, ``district``, ``unknown``) and
        a final ``all`` row; columns ``units``, ``paired_with_community``,
        ``branch_in_community``, ``community_direct`` (either), ``street_only``,
        ``no_tie``, ``community_direct_share``.
    """
    net = _Net.of(G, schema)
    community = net.level_depth("Community")
    street = net.level_depth("Street")
    units = net.nodes.index[net.nodes["label"] == "Unit"]
    links = net.attachments()
    links = links[links["type"].isin(COBUILDING_TIES)]
    links["depth"] = links["place"].map(net.depth)
    branch_of = net.ties[net.ties["type"].isin(HOME_TIES)]
    home = pd.Series(branch_of["target"].to_numpy(), index=branch_of["source"].to_numpy())
    home = home[~home.index.duplicated()]
    own = links[links["node"].isin(units)].assign(unit=lambda f: f["node"], via="own")
    through = links[links["node"].isin(home.index)]
    through = through.assign(unit=through["node"].map(home), via="branch")
    reach = pd.concat([own, through], ignore_index=True)
    reach = reach[reach["unit"].isin(units)]
    deep = reach["depth"] >= community
    frame = pd.DataFrame(index=units)
    frame["paired_with_community"] = units.isin(
        reach.loc[deep & (reach["via"] == "own") & (reach["type"] == "PAIRED_WITH"), "unit"]
    )
    frame["branch_in_community"] = units.isin(reach.loc[deep & (reach["via"] == "branch"), "unit"])
    frame["community_direct"] = frame["paired_with_community"] | frame["branch_in_community"]
    deepest = reach.groupby("unit")["depth"].max().reindex(units)
    frame["street_only"] = (deepest == street).to_numpy()
    frame["no_tie"] = deepest.isna().to_numpy()
    frame["units"] = True
    kind = _node_attribute(G, "level").reindex(units).fillna("unknown").astype(str)
    out = frame.groupby(kind.to_numpy()).sum().astype(int)
    out.loc["all"] = out.sum()
    out = out[
        [
            "units",
            "paired_with_community",
            "branch_in_community",
            "community_direct",
            "street_only",
            "no_tie",
        ]
    ]
    out["community_direct_share"] = out["community_direct"] / out["units"].replace(0, np.nan)
    out.index.name = "unit_level"
    return out


# -- time ---------------------------------------------------------------------------------------


def _timestamp(value: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _active(ties: pd.DataFrame, day: pd.Timestamp) -> np.ndarray:
    """Ties holding on `day`: since ≤ day ≤ until, a missing end being open."""
    return (
        (ties["since"].isna() | (ties["since"] <= day))
        & (ties["until"].isna() | (ties["until"] >= day))
    ).to_numpy()


def as_of(G: nx.MultiDiGraph, date: dt.date | str, *, isolates: bool = False) -> nx.MultiDiGraph:
    """The network as it stood on `date`.

    A tie holds on a day when ``since ≤ day ≤ until``; a missing ``since`` or ``until`` is
    open (the tie held from the start, or holds still).

    Parameters
    ----------
    G
        A co-building graph.
    date
        The day, as a ``datetime.date`` or ISO text (``"2020-06-30"``).
    isolates
        ``False``: only the nodes of the ties that hold. ``True``: also every other node
        founded on or before `date` (or without a ``founded`` date).

    Returns
    -------
    networkx.MultiDiGraph
        A new graph (a copy, with the attributes) of the ties that hold.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("u", "c", key="PAIRED_WITH", type="PAIRED_WITH",
    ...                since=dt.date(2019, 1, 1), until=dt.date(2020, 12, 31))
    >>> as_of(G, "2020-06-30").number_of_edges(), as_of(G, "2021-01-01").number_of_edges()
    (1, 0)
    """
    day = _timestamp(date)
    ties = _tie_table(G)
    keep = _active(ties, day)
    if G.is_multigraph():
        edges = zip(ties["source"][keep], ties["target"][keep], ties["key"][keep], strict=True)
    else:
        edges = zip(ties["source"][keep], ties["target"][keep], strict=True)
    H = G.edge_subgraph(list(edges)).copy()
    if isolates:
        for node, founded in G.nodes(data="founded"):
            if node not in H and (founded is None or _timestamp(founded) <= day):
                H.add_node(node, **G.nodes[node])
    return H


def growth(G: nx.Graph, freq: Literal["year", "quarter", "month"] = "year") -> pd.DataFrame:
    """Ties added and ended per period and tie type, and how many hold at its end.

    A tie is added in the period of its ``since`` and ended in that of its ``until`` (its
    last day). ``active`` counts the ties holding on the last day of the period (as
    :func:`as_of`); ties without ``since`` hold from the start and are never counted as
    added.

    Parameters
    ----------
    G
        A co-building graph.
    freq
        ``"year"``, ``"quarter"`` or ``"month"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (text: ``2019``, ``2019Q1``, ``2019-01``), ``type`` (each tie
        type, then ``all``), ``added``, ``ended``, ``active``; one row per period from the
        first to the last date in the ties, for every type.
    """
    if freq not in _FREQUENCIES:
        raise ValueError(f"unknown freq {freq!r}; use one of {', '.join(_FREQUENCIES)}")
    code = _FREQUENCIES[freq]
    ties = _tie_table(G)
    columns = ["period", "type", "added", "ended", "active"]
    dates = pd.concat([ties["since"], ties["until"]]).dropna()
    if dates.empty:
        return pd.DataFrame(columns=columns)
    periods = pd.period_range(dates.min(), dates.max(), freq=code)
    last_days = periods.end_time.normalize()
    frames = []
    for kind, group in [*ties.groupby("type", sort=True), ("all", ties)]:
        added = group["since"].dropna().dt.to_period(code).value_counts()
        ended = group["until"].dropna().dt.to_period(code).value_counts()
        since = np.sort(group["since"].dropna().to_numpy())
        until = np.sort(group["until"].dropna().to_numpy())
        started = group["since"].isna().sum() + np.searchsorted(since, last_days, "right")
        gone = np.searchsorted(until, last_days.to_numpy(), "left")
        frames.append(
            pd.DataFrame(
                {
                    "period": periods.astype(str),
                    "type": kind,
                    "added": added.reindex(periods, fill_value=0).to_numpy(),
                    "ended": ended.reindex(periods, fill_value=0).to_numpy(),
                    "active": started - gone,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[columns]


def diff(G: nx.Graph, date1: dt.date | str, date2: dt.date | str) -> pd.DataFrame:
    """The ties added and ended between two dates.

    Parameters
    ----------
    G
        A co-building graph.
    date1, date2
        The earlier and the later day; a tie is ``added`` when it holds on `date2` but not
        on `date1`, ``ended`` when the other way round (see :func:`as_of`).

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``target``, ``type``, ``since``, ``until``, ``change``
        (``"added"`` or ``"ended"``), sorted by change, type, source, target.
    """
    ties = _tie_table(G)
    first, second = _active(ties, _timestamp(date1)), _active(ties, _timestamp(date2))
    out = pd.concat(
        [
            ties[second & ~first].assign(change="added"),
            ties[first & ~second].assign(change="ended"),
        ],
        ignore_index=True,
    )
    out = out[["source", "target", "type", "since", "until", "change"]]
    return _sorted(out, ["change", "type", "source", "target"]).reset_index(drop=True)


# -- funding ------------------------------------------------------------------------------------


def funding(G: nx.Graph, level: str = "Street", *, schema: Schema = DEFAULT_SCHEMA) -> pd.DataFrame:
    """Service funds and project budgets per place.

    ``service_fund_yuan`` sums the yearly service fund (为民服务专项经费) of the
    communities at or below the place; projects are those the place or a place below it
    ``RUNS`` (a project run by a street counts for the street and above, not for any
    community), with their ``budget_yuan`` summed where present.

    Parameters
    ----------
    G
        A co-building graph.
    level
        ``"Community"``, ``"Street"``, ``"District"`` or ``"City"``.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        One row per place at `level`, indexed by id: ``name``, ``communities``,
        ``communities_funded`` (with a fund), ``service_fund_yuan``, ``projects``,
        ``projects_budgeted`` (with a budget), ``budget_yuan``, ``exemplary_projects``
        (百佳, ``exemplary`` true).
    """
    net = _Net.of(G, schema)
    communities = net.places("Community")
    where = net.up(pd.Series(communities, index=communities, dtype=object), level)
    fund = _node_attribute(G, "service_fund_yuan").reindex(communities).astype(float)
    per = (
        pd.DataFrame(
            {
                "communities": 1,
                "communities_funded": fund.notna().astype(int).to_numpy(),
                "service_fund_yuan": fund.fillna(0).to_numpy(),
            },
            index=communities,
        )
        .groupby(where.to_numpy())
        .sum()
    )
    runs = net.ties[net.ties["type"] == "RUNS"]
    runs = runs[net.label(runs["target"]) == "Project"].drop_duplicates("target")
    projects = pd.DataFrame(
        {
            "place": net.up(runs["source"], level).to_numpy(),
            "budget": runs["target"].map(_node_attribute(G, "budget_yuan")).astype(float),
            "exemplary": runs["target"].map(_node_attribute(G, "exemplary")).eq(True),
        }
    ).dropna(subset=["place"])
    work = projects.groupby("place").agg(
        projects=("budget", "size"),
        projects_budgeted=("budget", "count"),
        budget_yuan=("budget", "sum"),
        exemplary_projects=("exemplary", "sum"),
    )
    out = _named(net, net.places(level), per.join(work, how="outer")).fillna(0)
    counts = ["communities", "communities_funded", "projects", "projects_budgeted"]
    return out.astype(dict.fromkeys([*counts, "exemplary_projects"], int))


def with_names(
    G: nx.Graph, table: pd.DataFrame, *, columns: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """`table` (indexed by node id) with the nodes' ``name`` and ``label`` as first columns.

    Parameters
    ----------
    G
        The graph the ids come from.
    table
        A per-node table.
    columns
        Node attributes to add and their column names; ``{"name": "name", "label":
        "label"}`` when ``None``.
    """
    columns = dict(columns or {"name": "name", "label": "label"})
    out = table.copy()
    for position, (attribute, column) in enumerate(columns.items()):
        if column in out.columns:
            continue
        values = [G.nodes[n].get(attribute) if n in G else None for n in out.index]
        out.insert(position, column, values)
    return out
