"""A co-building graph as tables, its hierarchy resolved once; the ties that place a node.

Shared by :mod:`cobuild_graph.domain` and :mod:`cobuild_graph.metrics`. What each tie means
(hierarchy, attachment and its rank, home) comes from the schema's roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._memo import memo
from cobuild_graph._style import chinese_name
from cobuild_graph.schema import INFERRED, Schema, schema_of

T = TypeVar("T", pd.DataFrame, pd.Series)


@dataclass(frozen=True)
class Net:
    """A co-building graph as tables, with its hierarchy resolved once."""

    schema: Schema
    nodes: pd.DataFrame  # index id; label, name
    ties: pd.DataFrame  # source, target, type, key, since, until (datetime64), inferred
    depth: pd.Series  # node -> depth in the hierarchy, NaN for other nodes
    parent: pd.Series  # node -> its PART_OF parent one level up
    # tables made once per Net (one per graph inside ``shared()``); callers get copies
    made: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, G: nx.Graph, schema: Schema | None = None) -> Net:
        schema = schema_of(G, schema)
        return memo(G, ("net", id(schema)), lambda: cls._make(G, schema))

    @classmethod
    def _make(cls, G: nx.Graph, schema: Schema) -> Net:
        ids = list(G)
        nodes = pd.DataFrame(
            {
                "label": [d.get("label") for _, d in G.nodes(data=True)],
                "name": [d.get("name") for _, d in G.nodes(data=True)],
            },
            index=pd.Index(ids, dtype=object, name="id"),
        )
        ties = tie_table(G)
        depth = nodes["label"].map({label: i for i, label in enumerate(schema.hierarchy)})
        part = ties[ties["type"] == schema.hierarchy_tie]
        up = part["source"].map(depth) > part["target"].map(depth)
        part = sorted_as_text(part[up], ["source", "target"]).drop_duplicates("source")
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
        at = self._up_at(self.positions(places), level)
        return pd.Series(self._ids(at), index=places.index, name=places.name, dtype=object)

    def _up_at(self, at: np.ndarray, level: str) -> np.ndarray:
        """:meth:`up` on node positions: each one's ancestor's position at `level`, -1 for
        none."""
        target = self.level_depth(level)
        depth, parent = self._tree()
        for _ in self.schema.hierarchy:
            deeper = _at(depth, at, np.nan) > target
            if not deeper.any():
                break
            at = np.where(deeper, _at(parent, at, -1), at)
        return np.where(_at(depth, at, np.nan) == target, at, -1)

    def positions(self, ids: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
        """The positions of `ids` among the nodes (their row in ``nodes``), -1 for none."""
        values = ids.to_numpy() if isinstance(ids, pd.Series | pd.Index) else ids
        return self.nodes.index.get_indexer(pd.Index(values, dtype=object))

    def _ids(self, at: np.ndarray) -> np.ndarray:
        """The node ids at positions `at` (object array), NaN where -1."""
        out = np.full(len(at), np.nan, dtype=object)
        found = at >= 0
        out[found] = self.nodes.index.to_numpy()[at[found]]
        return out

    def tie_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the ties' sources and targets among the nodes."""
        return self.kept(
            "tie positions",
            lambda: (self.positions(self.ties["source"]), self.positions(self.ties["target"])),
        )

    def _tree(self) -> tuple[np.ndarray, np.ndarray]:
        """Per node position: its depth (NaN outside the hierarchy), its parent's position
        (-1 for none)."""

        def make() -> tuple[np.ndarray, np.ndarray]:
            parent = np.full(len(self.nodes), -1, dtype=np.int64)
            parent[self.positions(self.parent.index)] = self.positions(self.parent)
            return self.depth.to_numpy(dtype=float), parent

        return self.kept("tree", make)

    def _once(self, key: Any, make: Callable[[], T]) -> T:
        if key not in self.made:
            self.made[key] = make()
        return self.made[key].copy()

    def kept(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()``, made once per Net and shared: for values the callers do not change."""
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    def attachments(self) -> pd.DataFrame:
        """Ties between a node outside the hierarchy and a place: node, place, type, rank."""
        return self._once("attachments", self._attachments)

    def _attachments(self) -> pd.DataFrame:
        ties = self.ties
        depth, _ = self._tree()
        source, target = self.tie_positions()
        source_level = ~np.isnan(_at(depth, source, np.nan))
        target_level = ~np.isnan(_at(depth, target, np.nan))
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
        rank = {t: i for i, t in enumerate(self.schema.attachment_ties())}
        out["rank"] = out["type"].map(rank).fillna(len(rank)).astype(int)
        return out

    def label(self, nodes: pd.Series) -> pd.Series:
        return nodes.map(self.nodes["label"])

    def ties_with_role(self, *roles: str) -> pd.DataFrame:
        """The ties whose type has one of `roles` in the schema."""
        return self.ties[self.ties["type"].isin(self.schema.ties_with_role(*roles))]

    def covered_place(self, places: pd.Series) -> pd.Series:
        """Each place in `places` (values) mapped to itself or its nearest ancestor at one of
        the schema's coverage levels (a grid to its community), ``NaN`` where there is none."""
        covered = self.nodes["label"].isin(set(self.schema.coverage_levels)).to_numpy()
        _, parent = self._tree()
        at = self.positions(places)
        found = np.full(len(at), -1, dtype=np.int64)
        for _ in range(len(self.schema.hierarchy)):
            hit = (found < 0) & _at(covered, at, False)
            found[hit] = at[hit]
            at = _at(parent, at, -1)
            if not ((found < 0) & (at >= 0)).any():
                break
        return pd.Series(self._ids(found), index=places.index, dtype=object)

    def covered_places(self) -> pd.Index:
        """Ids of the places at the schema's coverage levels, in graph order."""
        return self.nodes.index[self.nodes["label"].isin(self.schema.coverage_levels)]

    def placed(self, level: str, *, assigned: bool = True) -> pd.Series:
        """The place at `level` each node belongs to (see ``domain.ancestors``); with
        ``assigned=False``, ``NaN`` for the nodes whose place is assigned by a rule
        (:meth:`placement`), not recorded."""
        table = self.placement(level)
        place = table["place"].rename(level)
        return place if assigned else place.where(~table["assigned"])

    def placement(self, level: str) -> pd.DataFrame:
        """Per node: ``place`` at `level`; ``by``, how it was found (``"hierarchy"`` for a
        place, else the tie type that placed it, the home tie's for a node that takes its
        home's place); ``assigned``, whether a rule gave it rather than the data (a node
        placed by a tie not of :meth:`recording_ties`: a unit's most frequent paired
        street, a branch's embedding, a unit where its branches are)."""
        return self._once(("placed", level), lambda: self._placed(level))

    def recording_ties(self) -> tuple[str, ...]:
        """The tie types that record where a node is: the schema's first attachment tie
        (``ASSIGNED_TO``) and those of role ``placement`` (``LOCATED_IN``, ``RUNS``). A place
        found through any other (a co-building tie such as ``PAIRED_WITH``, a home tie) is
        assigned by a rule, and the co-building ties measured by place then lie inside it by
        construction."""
        return (*self.schema.attachment_ties()[:1], *self.schema.ties_with_role("placement"))

    def _placed(self, level: str) -> pd.DataFrame:
        places = self.depth.dropna().index
        result = pd.Series(np.nan, index=self.nodes.index, dtype=object, name=level)
        by = pd.Series(np.nan, index=self.nodes.index, dtype=object)
        result[places] = self.up(pd.Series(places, index=places, dtype=object), level)
        by[places] = "hierarchy"

        links = self.attachments()
        links["ancestor"] = self.up(links["place"], level)
        links = links.dropna(subset=["ancestor"])
        links = links[links["rank"] == links.groupby("node")["rank"].transform("min")]
        direct = mode(links, "node", "ancestor")
        result[direct.index] = direct
        by[direct.index] = _first(links, "type").reindex(direct.index).to_numpy()

        home = self.ties_with_role("home")
        pairs = pd.concat(
            [
                home[["source", "target", "type"]].set_axis(["node", "other", "type"], axis=1),
                home[["target", "source", "type"]].set_axis(["node", "other", "type"], axis=1),
            ],
            ignore_index=True,
        )
        pairs = pairs[~pairs["node"].isin(direct.index) & pairs["other"].isin(direct.index)]
        pairs = pairs[pairs["node"].map(self.depth).isna()]
        pairs["ancestor"] = pairs["other"].map(direct)
        inherited = mode(pairs, "node", "ancestor")
        result[inherited.index] = inherited
        by[inherited.index] = _first(pairs, "type").reindex(inherited.index).to_numpy()
        recorded = ["hierarchy", *self.recording_ties()]
        assigned = result.notna() & ~by.isin(recorded)
        return pd.DataFrame({"place": result, "by": by, "assigned": assigned})

    def placement_caveats(
        self, level: str, nodes: Iterable[Any] | None = None, *, assigned: bool = True
    ) -> list[str]:
        """Sentences, Chinese then English, saying how many of `nodes` (all when ``None``)
        have a place at `level` assigned by a rule (:meth:`placement`), per label and rule,
        and, with ``assigned=False``, that they are left out."""
        table = self.placement(level)
        if nodes is not None:
            table = table[table.index.isin(pd.Index(list(nodes), dtype=object))]
        table = table[table["place"].notna() & (table["by"] != "hierarchy")]
        table = table.assign(label=self.label(table.index.to_series()))
        home = set(self.schema.ties_with_role("home"))
        level_zh = chinese_name(self.schema, level)
        caveats = []
        for label, rows in table.groupby("label", sort=True):
            label_zh = chinese_name(self.schema, label)
            for tie, n in rows.loc[rows["assigned"], "by"].value_counts().sort_index().items():
                tie_zh = chinese_name(self.schema, tie)
                if tie in home:
                    zh = f"归入与其以{tie_zh}关系相连的节点所在的{level_zh}"
                    en = f"the {level} of the nodes it is tied to by {tie}"
                else:
                    zh = f"归入其最常{tie_zh}的{level_zh}"
                    en = f"the {level} it is most often tied to by {tie}"
                caveats.append(
                    f"{len(rows)} 个{label_zh}中 {n} 个没有登记{level_zh}，{zh}（推定）"
                    f"{'，未计入' if not assigned else ''} "
                    f"{n} of {len(rows)} {label} nodes have no recorded {level}; each is "
                    f"placed in {en} (assigned)" + ("; left out" if not assigned else "")
                )
        return caveats

    def reach(
        self,
        level: str,
        *,
        types: Iterable[str] | None = None,
        labels: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Distinct (node, ancestor, label) rows: a node tied directly to a place at `level`
        or below it.

        Only ties of `types` (all when ``None``) from nodes of `labels` (all when ``None``).
        """
        links = self.attachments()
        node_at, place_at = self._attachment_positions()
        keep = np.ones(len(links), dtype=bool)
        if types is not None:
            keep &= links["type"].isin(list(types)).to_numpy()
        label = self.nodes["label"]
        if labels is not None:
            keep &= label.isin(list(labels)).to_numpy()[node_at]
        node_at, ancestor_at = node_at[keep], self._up_at(place_at[keep], level)
        found = ancestor_at >= 0
        pairs = pd.DataFrame({"node": node_at[found], "ancestor": ancestor_at[found]})
        pairs = pairs.drop_duplicates()  # as positions: much faster than as ids
        return pd.DataFrame(
            {
                "node": pd.Series(self._ids(pairs["node"].to_numpy()), dtype=object),
                "ancestor": pd.Series(self._ids(pairs["ancestor"].to_numpy()), dtype=object),
                "label": label.take(pairs["node"].to_numpy()).reset_index(drop=True),
            }
        )

    def _attachment_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """The node and place positions of the rows of :meth:`attachments`."""

        def make() -> tuple[np.ndarray, np.ndarray]:
            links = self.attachments()
            return self.positions(links["node"]), self.positions(links["place"])

        return self.kept("attachment positions", make)


def _at(values: np.ndarray, at: np.ndarray, missing: Any) -> np.ndarray:
    """``values[at]``, `missing` where `at` is -1."""
    return np.where(at >= 0, values[at], missing)


def tie_table(G: nx.Graph) -> pd.DataFrame:
    """The ties of `G`, one row each: source, target, type, key, since, until, inferred."""
    columns: dict[str, list[Any]] = {
        name: [] for name in ("source", "target", "type", "key", "since", "until", INFERRED)
    }
    ties = G.edges(keys=True, data=True) if G.is_multigraph() else G.edges(data=True)
    # column by column as the ties go by: a list of every tie's tuple would hold a
    # province's 1.6 million tuples at once
    appends = [columns[name].append for name in columns]
    source, target, kind, key, since, until, inferred = appends
    for tie in ties:
        u, v, k, d = tie if len(tie) == 4 else (tie[0], tie[1], None, tie[2])
        source(u)
        target(v)
        kind(d.get("type", k))
        key(k)
        since(d.get("since"))
        until(d.get("until"))
        inferred(d.get(INFERRED))
    table = pd.DataFrame(
        {name: pd.Series(columns.pop(name), dtype=object) for name in ("source", "target")}
    )
    for name in ("type", "key"):
        table[name] = pd.Series(columns.pop(name), dtype=object)
    for name in ("since", "until"):
        table[name] = datetimes(columns.pop(name))
    table[INFERRED] = pd.Series(columns.pop(INFERRED), dtype=object)
    return table


def datetimes(values: list[Any]) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), errors="coerce"))


def sorted_as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`frame` sorted by `columns` compared as text (ids may mix types)."""
    return frame.sort_values(columns, key=lambda c: c.astype(str), kind="stable")


def mode(pairs: pd.DataFrame, key: str, value: str) -> pd.Series:
    """The most frequent `value` per `key`; ties go to the smallest value (as text).

    Counted on codes: the result holds the ids of `pairs` themselves (grouping by the ids
    would return new copies of them, text columns in pandas 3)."""
    keys, key_ids = pd.factorize(pairs[key].to_numpy(dtype=object))
    values, value_ids = pd.factorize(pairs[value].to_numpy(dtype=object))
    found = (keys >= 0) & (values >= 0)
    counts = (
        pd.DataFrame({"key": keys[found], "value": values[found]})
        .groupby(["key", "value"], sort=False)
        .size()
        .rename("n")
        .reset_index()
    )
    key_rank = pd.Series(key_ids, dtype=object).rank(method="first").to_numpy()
    text = pd.Series(value_ids, dtype=object).astype(str)
    text_rank = text.rank(method="dense").to_numpy()
    counts["key_rank"] = key_rank[counts["key"].to_numpy()]
    counts["text"] = text_rank[counts["value"].to_numpy()]
    counts = counts.sort_values(
        ["key_rank", "n", "text"], ascending=[True, False, True], kind="stable"
    )
    best = counts.drop_duplicates("key")
    return pd.Series(
        value_ids[best["value"].to_numpy()], index=key_ids[best["key"].to_numpy()], dtype=object
    )


def _first(pairs: pd.DataFrame, value: str) -> pd.Series:
    """The first `value` per ``node``."""
    first = pairs.drop_duplicates("node")
    return pd.Series(first[value].to_numpy(), index=first["node"].to_numpy(), dtype=object)


def node_attribute(G: nx.Graph, name: str) -> pd.Series:
    """The nodes' values of attribute `name`, by id, those without it left out; made once
    inside ``shared()`` (a shallow copy each call: pandas copies on write)."""

    def make() -> pd.Series:
        pairs = list(G.nodes(data=name))
        ids = pd.Index([n for n, _ in pairs], dtype=object)
        return pd.Series([v for _, v in pairs], index=ids, dtype=object).dropna()

    return memo(G, ("node attribute series", name), make).copy(deep=False)


def named(net: Net, index: pd.Index, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` reindexed to the places `index`, with their ``name`` as first column."""
    out = frame.reindex(index)
    out.insert(0, "name", net.nodes["name"].reindex(index).to_numpy())
    out.index.name = "id"
    return out
