"""A co-building graph as tables, its hierarchy resolved once; the ties that place a node."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from cobuild_graph._memo import memo
from cobuild_graph.schema import Schema, schema_or_default

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


@dataclass(frozen=True)
class _Net:
    """A co-building graph as tables, with its hierarchy resolved once."""

    schema: Schema
    nodes: pd.DataFrame  # index id; label, name
    ties: pd.DataFrame  # source, target, type, key, since, until (datetime64)
    depth: pd.Series  # node -> depth in the hierarchy, NaN for other nodes
    parent: pd.Series  # node -> its PART_OF parent one level up

    @classmethod
    def of(cls, G: nx.Graph, schema: Schema | None = None) -> _Net:
        schema = schema_or_default(schema)
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


def _named(net: _Net, index: pd.Index, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` reindexed to the places `index`, with their ``name`` as first column."""
    out = frame.reindex(index)
    out.insert(0, "name", net.nodes["name"].reindex(index).to_numpy())
    out.index.name = "id"
    return out
