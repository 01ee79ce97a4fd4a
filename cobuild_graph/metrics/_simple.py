"""The simple graph every measure works on, its igraph twin, and igraph run quiet or seeded."""

from __future__ import annotations

import contextlib
import math
import random
import warnings
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from cobuild_graph._memo import memo


@dataclass
class Simple:
    """A graph collapsed to distinct links between node positions, and its igraph twin.

    The form every measure of :mod:`cobuild_graph.metrics` (and the dyadic matrices of
    :mod:`cobuild_graph.stats`) works on: ``Simple.of(G, weight=..., directed=...)`` is made
    once per graph and options and kept with the graph; nodes are positions
    ``0 .. n - 1`` in the order of ``nodes`` (the graph's), links are ``source[i]`` –
    ``target[i]`` with ``weight[i]`` (summed over the ties they stand for), and what is
    derived from them (igraph graph, adjacency, degrees) is made on first use and kept.
    """

    nodes: list[Hashable]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray | None
    directed: bool
    cache: dict[Hashable, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, G: nx.Graph, *, weight: str | None = None, directed: bool = False) -> Simple:
        return memo(G, ("simple", weight, directed), lambda: cls._make(G, weight, directed))

    @classmethod
    def _make(cls, G: nx.Graph, weight: str | None, directed: bool) -> Simple:
        nodes = list(G)
        index = {v: i for i, v in enumerate(nodes)}
        # one pass over the ties (a multigraph's number_of_edges() would be another)
        ends = np.fromiter((index[x] for edge in G.edges() for x in edge), dtype=np.int64)
        ends = ends.reshape(-1, 2)
        w = (
            np.array([_weight(d, weight) for _, _, d in G.edges(data=True)], dtype=float)
            if weight is not None
            else None
        )
        if directed and not G.is_directed():
            ends = np.concatenate([ends, ends[:, ::-1]])
            w = np.concatenate([w, w]) if w is not None else None
        keep = ends[:, 0] != ends[:, 1]
        ends = ends[keep]
        w = w[keep] if w is not None else None
        if not directed:
            ends = np.sort(ends, axis=1)
        n = len(nodes)
        codes, inverse = np.unique(ends[:, 0] * max(n, 1) + ends[:, 1], return_inverse=True)
        summed = np.bincount(inverse, weights=w, minlength=len(codes)) if w is not None else None
        if summed is not None and (summed <= 0).any():
            raise ValueError(f"tie weights {weight!r} must sum to a positive number per link")
        return cls(nodes, codes // max(n, 1), codes % max(n, 1), summed, directed)

    @property
    def n(self) -> int:
        return len(self.nodes)

    def igraph(self) -> ig.Graph:
        if "igraph" not in self.cache:
            self.cache["igraph"] = ig.Graph(
                n=self.n,
                edges=np.column_stack([self.source, self.target]).tolist(),  # 10x faster
                directed=self.directed,
            )
        return self.cache["igraph"]

    def networkx(self) -> nx.Graph:
        """A new networkx graph of the links, not kept (hundreds of MB at a province's
        scale, read once by the clique search)."""
        H = nx.DiGraph() if self.directed else nx.Graph()
        H.add_nodes_from(self.nodes)
        names = np.array(self.nodes, dtype=object)
        if self.weight is None:
            H.add_edges_from(zip(names[self.source], names[self.target], strict=True))
        else:
            H.add_weighted_edges_from(
                zip(names[self.source], names[self.target], self.weight.tolist(), strict=True)
            )
        return H

    def strengths(self) -> list[float] | None:
        return None if self.weight is None else self.weight.tolist()

    def lengths(self) -> list[float] | None:
        return None if self.weight is None else (1.0 / self.weight).tolist()

    def degree(self, mode: str = "all") -> np.ndarray:
        ends = {"out": [self.source], "in": [self.target], "all": [self.source, self.target]}
        return np.bincount(np.concatenate(ends[mode]), minlength=self.n).astype(float)

    def adjacency(self) -> sp.csr_array:
        """The n × n matrix of link strengths (1 without weights), symmetric if undirected."""
        if "adjacency" not in self.cache:
            source, target = self.source, self.target
            values = self.weight if self.weight is not None else np.ones(len(source))
            if not self.directed:
                source, target = np.concatenate([source, target]), np.concatenate([target, source])
                values = np.concatenate([values, values])
            self.cache["adjacency"] = sp.csr_array(
                (values, (source, target)), shape=(self.n, self.n)
            )
        return self.cache["adjacency"]

    def triangles(self) -> np.ndarray:
        """Per node, the links among its neighbours (triangles through it; undirected)."""
        if "triangles" not in self.cache:
            found = np.asarray(self.igraph().list_triangles(), dtype=np.int64).reshape(-1, 3)
            self.cache["triangles"] = np.bincount(found.ravel(), minlength=self.n).astype(float)
        return self.cache["triangles"]

    def components(self) -> np.ndarray:
        """Component membership of each node (weak components when directed)."""
        if "components" not in self.cache:
            clusters = self.igraph().connected_components(mode="weak")
            self.cache["components"] = np.asarray(clusters.membership)
        return self.cache["components"]

    def memo(self, key: Hashable, make: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


def _weight(data: Mapping[str, Any], weight: str) -> float:
    value = data.get(weight)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 1.0
    return float(value)


def simple_graph(G: nx.Graph, *, weight: str | None = None, directed: bool = False) -> nx.Graph:
    """The simple graph every measure here works on.

    Two nodes are linked once however many ties join them and in whichever direction
    (with `directed`, once per direction); self-ties are dropped; every node is kept, in
    the order of `G`.

    Parameters
    ----------
    G
        Any networkx graph, e.g. a co-building ``MultiDiGraph``.
    weight
        A tie attribute: the link's ``weight`` is then the sum of its ties' values (a tie
        without the attribute counts 1).
    directed
        Keep the direction of ties (``DiGraph``); an undirected `G` gets both directions.

    Returns
    -------
    networkx.Graph or networkx.DiGraph

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edge("u", "c", key="PAIRED_WITH", weight=2.0)
    >>> _ = M.add_edge("c", "u", key="OTHER", weight=1.5)
    >>> H = simple_graph(M, weight="weight")
    >>> H.number_of_edges(), H["u"]["c"]["weight"]
    (1, 3.5)
    """
    return Simple.of(G, weight=weight, directed=directed).networkx()


@contextlib.contextmanager
def quiet_igraph() -> Iterator[None]:
    """Silence igraph's RuntimeWarning about disconnected graphs (documented instead)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@contextlib.contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """igraph's random numbers from ``random.Random(seed)`` inside the block."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def node_index(nodes: list[Hashable]) -> pd.Index:
    """The index of a table with one row per node: the node ids, named ``id``."""
    return pd.Index(nodes, dtype=object, name="id")
