"""The network an ERGM is fitted to: its nodes, its dyad space and its observed ties.

Three kinds of network, as statnet's ``network`` objects have them:

- ``undirected``: one mode, every unordered pair ``{i, j}`` once (the lower triangle,
  ``i > j``, as :func:`cobuild_graph.stats.mrqap` orders its dyads);
- ``directed``: one mode, every ordered pair ``i → j``, ``i ≠ j``;
- ``bipartite``: two modes, the first (statnet's ``b1``, the actors) numbered ``0 … n1-1``
  and the second (``b2``, the events) ``n1 … n-1``; the dyads are the pairs ``(b1, b2)``.

Dyad ``d`` joins ``rows[d]`` and ``cols[d]``; :meth:`Network.dyad` is its inverse.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph.stats._input import dyads

Kind = Literal["undirected", "directed", "bipartite"]
#: The most dyads a model enumerates (each term keeps a value per dyad).
MAX_DYADS = 10_000_000


@dataclass(frozen=True)
class Network:
    """Nodes in a fixed order, the dyads, the observed ties and the node attributes."""

    kind: Kind
    labels: list[Hashable]
    n1: int  # the size of the first mode (bipartite), else the number of nodes
    ties: np.ndarray  # the observed ties, as sorted dyad indices
    attributes: pd.DataFrame  # indexed by node, in `labels` order
    covariates: dict[str, np.ndarray]  # name → value at every dyad
    self_ties: int = 0  # ties of a node to itself in the graph, left out
    modes: tuple[Any, Any] = (0, 1)  # the `bipartite` values of the first and second mode

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def directed(self) -> bool:
        return self.kind == "directed"

    @property
    def bipartite(self) -> bool:
        return self.kind == "bipartite"

    @property
    def size(self) -> int:
        """The number of dyads."""
        n, n1 = self.n, self.n1
        if self.bipartite:
            return n1 * (n - n1)
        return n * (n - 1) if self.directed else n * (n - 1) // 2

    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """``rows, cols``: the two ends of every dyad, in dyad order."""
        n, n1 = self.n, self.n1
        if self.bipartite:
            rows, cols = np.divmod(np.arange(self.size), n - n1)
            return rows, cols + n1
        mask = ~np.eye(n, dtype=bool) if self.directed else np.tri(n, k=-1, dtype=bool)
        rows, cols = np.nonzero(mask)  # views of one array: made contiguous for the kernel
        return np.ascontiguousarray(rows), np.ascontiguousarray(cols)

    def dyad(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The index of the dyad joining `i` and `j` (a tie's ends in either order when
        undirected; from b1 to b2 when bipartite)."""
        i, j = np.asarray(i), np.asarray(j)
        if self.bipartite:
            return i * (self.n - self.n1) + (j - self.n1)
        if self.directed:
            return i * (self.n - 1) + j - (j > i)
        high, low = np.maximum(i, j), np.minimum(i, j)
        return high * (high - 1) // 2 + low

    def observed(self) -> np.ndarray:
        """0/1 at every dyad: the observed ties."""
        y = np.zeros(self.size)
        y[self.ties] = 1.0
        return y

    def graph(self, ties: np.ndarray) -> nx.Graph:
        """A networkx graph of these nodes (with their attributes) and the dyads `ties`."""
        G: nx.Graph = nx.DiGraph() if self.directed else nx.Graph()
        records = self.attributes.to_dict("records")
        for position, (node, record) in enumerate(zip(self.labels, records, strict=True)):
            data = {k: v for k, v in record.items() if pd.notna(v)}
            if self.bipartite:
                data["bipartite"] = self.modes[position >= self.n1]
            G.add_node(node, **data)
        rows, cols = self.ends()
        ties = np.asarray(ties, dtype=np.int64)
        G.add_edges_from(
            (self.labels[a], self.labels[b]) for a, b in zip(rows[ties], cols[ties], strict=True)
        )
        return G


def network(
    G: nx.Graph,
    *,
    attributes: pd.DataFrame | None = None,
    covariates: Mapping[str, Any] | None = None,
    directed: bool | None = None,
    bipartite: bool | None = None,
    b1: Any = None,
) -> Network:
    """The :class:`Network` of graph `G` (see :func:`cobuild_graph.stats.ergm`)."""
    if G.number_of_nodes() < 3:
        raise ValueError(f"网络至少需要 3 个节点 an ERGM needs at least 3 nodes, not {len(G)}")
    modes = {d.get("bipartite") for _, d in G.nodes(data=True)}
    if bipartite is None:
        bipartite = len(modes) == 2 and None not in modes
    if bipartite:
        kind: Kind = "bipartite"
        labels, n1, mode_values = _two_modes(G, modes, b1)
    else:
        if directed is None:
            directed = G.is_directed()
        if directed and not G.is_directed():
            raise ValueError(
                "图是无向的 the graph is undirected but directed=True: pass a directed graph"
            )
        kind = "directed" if directed else "undirected"
        labels, n1, mode_values = list(G.nodes), G.number_of_nodes(), (0, 1)
    table = _attributes(G, labels, attributes)
    shell = Network(kind, labels, n1, np.zeros(0, dtype=np.int64), table, {})
    if shell.size > MAX_DYADS:
        raise ValueError(
            f"二元组过多 too many dyads: {len(labels)} nodes give {shell.size:,} "
            f"{kind} dyads, more than {MAX_DYADS:,}; model a smaller view (a two-mode "
            "view, a projection, one district)"
        )
    ties = _ties(G, shell)
    covs = {name: _covariate(shell, name, m) for name, m in (covariates or {}).items()}
    return Network(kind, labels, n1, ties, table, covs, nx.number_of_selfloops(G), mode_values)


def _two_modes(
    G: nx.Graph, modes: set[Any], b1: Any
) -> tuple[list[Hashable], int, tuple[Any, Any]]:
    if len(modes) != 2 or None in modes:
        raise ValueError(
            "二模网络的每个节点都需要 bipartite 属性（两个取值）a two-mode network needs a "
            f"'bipartite' attribute with two values on every node, found {sorted(map(str, modes))}"
        )
    if b1 is None:
        b1 = 1 if G.graph.get("view") == "two_mode" else min(modes)
    if b1 not in modes:
        raise ValueError(f"b1={b1!r} is not a value of the 'bipartite' attribute: {modes}")
    first = [v for v, d in G.nodes(data=True) if d["bipartite"] == b1]
    second = [v for v, d in G.nodes(data=True) if d["bipartite"] != b1]
    (b2,) = modes - {b1}
    return first + second, len(first), (b1, b2)


def _attributes(G: nx.Graph, labels: list[Hashable], extra: pd.DataFrame | None) -> pd.DataFrame:
    table = pd.DataFrame.from_dict(
        {v: {k: x for k, x in G.nodes[v].items() if k != "bipartite"} for v in labels},
        orient="index",
    ).reindex(labels)
    if extra is not None:
        missing = [v for v in labels if v not in extra.index]
        if missing:
            raise ValueError(
                f"attributes 表缺少 {len(missing)} 个节点 the attributes table lacks "
                f"{len(missing)} nodes of the network, e.g. {missing[:3]}"
            )
        for column in extra.columns:
            table[column] = extra.loc[labels, column].to_numpy()
    return table


def _ties(G: nx.Graph, net: Network) -> np.ndarray:
    position = {v: k for k, v in enumerate(net.labels)}
    pairs = np.array([(position[u], position[v]) for u, v in G.edges() if u != v], dtype=np.int64)
    if len(pairs) == 0:
        raise ValueError("网络没有关系 the network has no ties: nothing to model")
    i, j = pairs[:, 0], pairs[:, 1]
    if net.bipartite:
        same = (i < net.n1) == (j < net.n1)
        if same.any():
            a, b = pairs[np.argmax(same)]
            raise ValueError(
                "二模网络中同一模之间有关系 a tie joins two nodes of the same mode: "
                f"{net.labels[a]!r} – {net.labels[b]!r}"
            )
        i, j = np.minimum(i, j), np.maximum(i, j)
    return np.unique(net.dyad(i, j))


def _covariate(net: Network, name: str, matrix: Any) -> np.ndarray:
    """The dyadic covariate `matrix` at every dyad of `net`.

    As :func:`cobuild_graph.stats.mrqap` takes them: a square matrix over the nodes
    (a DataFrame labelled by node, or an array in the network's node order); for a
    two-mode network also a b1 × b2 one.
    """
    labels = net.labels
    if net.bipartite and np.shape(matrix) == (net.n1, net.n - net.n1):
        if isinstance(matrix, pd.DataFrame):
            matrix = _located(name, matrix, labels[: net.n1], labels[net.n1 :])
        block = np.asarray(matrix, dtype=float)
        values = block.ravel()
        if not np.isfinite(values).all():
            raise ValueError(f"matrix {name!r} has missing or infinite values: fill them")
        return values
    if isinstance(matrix, pd.DataFrame):
        matrix = _located(name, matrix, labels, labels)
    if net.bipartite:
        square = dyads({name: matrix}, directed=True, minimum=0).matrices[name]
        rows, cols = net.ends()
        values = square[rows, cols]
        if not np.isfinite(values).all():
            raise ValueError(f"matrix {name!r} has missing or infinite values: fill them")
        return values
    return dyads({name: matrix}, directed=net.directed, minimum=0).vector(name)


def _located(
    name: str, frame: pd.DataFrame, rows: list[Hashable], cols: list[Hashable]
) -> pd.DataFrame:
    lacking = [v for v in rows if v not in frame.index] + [
        v for v in cols if v not in frame.columns
    ]
    if lacking:
        raise ValueError(
            f"矩阵 {name!r} 缺少网络的节点 matrix {name!r} lacks {len(lacking)} nodes of "
            f"the network, e.g. {lacking[:3]}; build it on the network's nodes"
        )
    return frame.loc[rows, cols]
