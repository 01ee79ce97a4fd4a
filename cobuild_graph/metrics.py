"""General network measures as pandas DataFrames, equal to networkx's and fast on igraph.

Every function takes a graph first — any networkx graph where the measure is general, a
co-building graph where it is not (:func:`ego_network`, :func:`project`,
:func:`robustness`) — then keyword-only options, and returns a DataFrame with documented
columns, indexed by node id (in graph order) where it is per node.

How a co-building graph is measured
-----------------------------------
Co-building ties are measured as **undirected** by default: a unit ``PAIRED_WITH`` a
community and a community ``PART_OF`` its street are relations, not flows. Each measure
first collapses the graph once into a *simple* graph (:func:`simple_graph`): two nodes are
linked once however many ties join them and in whichever direction (with
``directed=True``, once per direction); self-ties are dropped. With ``weight=`` the link
carries the sum of its ties' weights (a tie without the attribute weighs 1). Weights are
tie *strengths*: eigenvector centrality and PageRank use them as they are, while the
path-based measures (betweenness, closeness) use ``1 / weight`` as the length of a link,
so that strong ties are short (Newman 2001, *Phys. Rev. E* 64, 016132; Opsahl, Agneessens
& Skvoretz 2010, *Social Networks* 32, 245).

The heavy measures (betweenness, closeness, PageRank, eigenvector, k-core, components,
Louvain / Leiden, constraint) run on igraph; the results equal networkx's, with
networkx's normalisation, and the tests compare them. Exact betweenness and closeness of an
undirected graph search breadth-first from every node but the leaves (one neighbour):
a leaf's paths are its neighbour's plus one link, so its share follows exactly (a quarter
of the searches of a co-building graph, whose "海棠花红" positions are leaves). Randomised
steps (Louvain, Leiden, sampled sources) take a ``seed`` and repeat exactly with it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
import warnings
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph import domain
from cobuild_graph._memo import memo
from cobuild_graph.schema import DEFAULT_SCHEMA, Schema

logger = logging.getLogger(__name__)

#: Gould–Fernandez brokerage roles, in the order of the columns of :func:`brokerage`.
BROKERAGE_ROLES: tuple[str, ...] = (
    "coordinator",
    "consultant",
    "gatekeeper",
    "representative",
    "liaison",
)

# -- the simple graph -----------------------------------------------------------------------


@dataclass
class _Simple:
    """A graph collapsed to distinct links between node positions, and its igraph twin."""

    nodes: list[Hashable]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray | None
    directed: bool
    cache: dict[Hashable, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, G: nx.Graph, *, weight: str | None = None, directed: bool = False) -> _Simple:
        return memo(G, ("simple", weight, directed), lambda: cls._make(G, weight, directed))

    @classmethod
    def _make(cls, G: nx.Graph, weight: str | None, directed: bool) -> _Simple:
        nodes = list(G)
        index = {v: i for i, v in enumerate(nodes)}
        m = G.number_of_edges()
        ends = np.fromiter(
            (index[x] for edge in G.edges() for x in edge), dtype=np.int64, count=2 * m
        ).reshape(m, 2)
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
        if "networkx" not in self.cache:
            H = nx.DiGraph() if self.directed else nx.Graph()
            H.add_nodes_from(self.nodes)
            names = np.array(self.nodes, dtype=object)
            if self.weight is None:
                H.add_edges_from(zip(names[self.source], names[self.target], strict=True))
            else:
                H.add_weighted_edges_from(
                    zip(names[self.source], names[self.target], self.weight.tolist(), strict=True)
                )
            self.cache["networkx"] = H
        return self.cache["networkx"]

    def strengths(self) -> list[float] | None:
        return None if self.weight is None else self.weight.tolist()

    def lengths(self) -> list[float] | None:
        return None if self.weight is None else (1.0 / self.weight).tolist()

    def degree(self, mode: str = "all") -> np.ndarray:
        ends = {"out": [self.source], "in": [self.target], "all": [self.source, self.target]}
        return np.bincount(np.concatenate(ends[mode]), minlength=self.n).astype(float)

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
    return _Simple.of(G, weight=weight, directed=directed).networkx().copy()


@contextlib.contextmanager
def _quiet_igraph() -> Iterator[None]:
    """Silence igraph's RuntimeWarning about disconnected graphs (documented instead)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@contextlib.contextmanager
def _seeded(seed: int | None) -> Iterator[None]:
    """igraph's random numbers from ``random.Random(seed)`` inside the block."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


# -- centrality -------------------------------------------------------------------------------


def _leaves(S: _Simple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leaves of an undirected graph (degree 1, their neighbour of degree ≥ 2), their
    neighbour, and the length of the link between them."""
    degree = S.degree()
    ends = np.concatenate([S.source, S.target])
    others = np.concatenate([S.target, S.source])
    lengths = np.ones(len(ends)) if S.weight is None else np.tile(1.0 / S.weight, 2)
    leaf = (degree[ends] == 1) & (degree[others] >= 2)
    return ends[leaf], others[leaf], lengths[leaf]


def _component_sizes(S: _Simple) -> np.ndarray:
    membership = S.components()
    return np.bincount(membership)[membership].astype(float)


def _betweenness(S: _Simple, sample: int | None, seed: int | None) -> np.ndarray:
    """networkx's normalised betweenness; with `sample`, its k-source estimate."""
    n = S.n
    k = None if sample is None or sample >= n else int(sample)
    if k is not None and k < 1:
        raise ValueError(f"betweenness_sample must be a positive number of sources, not {k}")

    def compute() -> np.ndarray:
        if n < 3:
            return np.zeros(n)
        # igraph counts an undirected pair once, networkx's Brandes sums both directions
        pairs = 1.0 if S.directed else 2.0
        if k is None:
            return _pair_dependencies(S) * pairs / ((n - 1) * (n - 2))
        sources = random.Random(seed).sample(range(n), k)
        raw = np.asarray(
            S.igraph().betweenness(directed=S.directed, weights=S.lengths(), sources=sources)
        )
        scale = np.full(n, 1.0 / (k * (n - 2)))
        scale[sources] = 1.0 / ((k - 1) * (n - 2)) if k > 1 else np.nan
        return raw * pairs * scale

    return S.memo(("betweenness", k, seed if k is not None else None), compute)


def _pair_dependencies(S: _Simple) -> np.ndarray:
    """igraph's exact betweenness, with leaves of an undirected graph left out as sources.

    A leaf ℓ on neighbour p sees every other node through p, so its dependencies are p's
    (:math:`\\delta_\\ell(v) = \\delta_p(v)`, v ≠ p) plus :math:`r - 2` on p, r being the
    size of the component: p's paths are counted once more per leaf, and p gains
    :math:`(r - 2)/2` per leaf (igraph counts an undirected pair once). Exact, and a
    breadth-first search fewer per leaf.
    """
    g = S.igraph()
    if S.directed:
        return np.asarray(g.betweenness(directed=True, weights=S.lengths()))
    leaf, parent, _ = _leaves(S)
    if len(leaf) == 0:
        return np.asarray(g.betweenness(weights=S.lengths()))
    times = np.ones(S.n)
    times[leaf] = 0.0
    np.add.at(times, parent, 1.0)
    raw = np.zeros(S.n)
    for weight in np.unique(times[times > 0]):
        sources = np.flatnonzero(times == weight).tolist()
        raw += weight * np.asarray(g.betweenness(weights=S.lengths(), sources=sources))
    np.add.at(raw, parent, (_component_sizes(S)[parent] - 2) / 2)
    return raw


def _closeness_parts(S: _Simple, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Per node: the sum of distances to (``in``) or from (``out``) the nodes it reaches,
    and how many it reaches (itself not counted).

    In an undirected graph a leaf ℓ on neighbour p, joined by a link of length w, has
    :math:`\\sum_x d(\\ell, x) = \\sum_x d(p, x) + (r - 2) w`: leaves are not searched from.
    """

    def compute() -> tuple[np.ndarray, np.ndarray]:
        g = S.igraph()
        sums = np.zeros(S.n)
        if S.directed:
            with _quiet_igraph():
                inverse = np.asarray(
                    g.closeness(mode=mode, weights=S.lengths(), normalized=False), float
                )
                scaled = np.asarray(
                    g.closeness(mode=mode, weights=S.lengths(), normalized=True), float
                )
            reached = np.nan_to_num(inverse) > 0
            sums[reached] = 1.0 / inverse[reached]
            return sums, np.rint(np.nan_to_num(scaled) * sums)
        leaf, parent, length = _leaves(S)
        size = _component_sizes(S)
        others = np.setdiff1d(np.arange(S.n), leaf)
        with _quiet_igraph():
            inverse = np.asarray(
                g.closeness(vertices=others.tolist(), weights=S.lengths(), normalized=False),
                float,
            )
        reached = np.nan_to_num(inverse) > 0
        sums[others[reached]] = 1.0 / inverse[reached]
        sums[leaf] = sums[parent] + (size[parent] - 2) * length
        return sums, size - 1.0

    return S.memo(("closeness", mode if S.directed else "all"), compute)


def _closeness(S: _Simple, mode: str = "in") -> np.ndarray:
    """networkx's closeness (Wasserman–Faust scaling for unreachable nodes)."""
    sums, reach = _closeness_parts(S, mode)
    if S.n < 2:
        return np.zeros(S.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = reach * reach / (sums * (S.n - 1))
    return np.where(sums > 0, value, 0.0)


def _eigenvector(S: _Simple) -> np.ndarray:
    def compute() -> np.ndarray:
        if S.n == 0:
            return np.zeros(0)
        with _quiet_igraph():
            values = np.asarray(S.igraph().eigenvector_centrality(weights=S.strengths()))
        norm = np.linalg.norm(values)
        return np.abs(values / norm) if norm > 0 else values

    return S.memo("eigenvector", compute)


def _pagerank(S: _Simple, alpha: float) -> np.ndarray:
    return S.memo(
        ("pagerank", alpha),
        lambda: np.asarray(
            S.igraph().pagerank(directed=S.directed, damping=alpha, weights=S.strengths())
        ),
    )


def centrality(
    G: nx.Graph,
    *,
    weight: str | None = None,
    directed: bool = False,
    alpha: float = 0.85,
    betweenness_sample: int | None = None,
    seed: int | None = 0,
    closeness: bool = True,
) -> pd.DataFrame:
    """Degree, betweenness, closeness, eigenvector and PageRank centrality of every node.

    Measured on the simple graph of :func:`simple_graph` (ties undirected by default; see
    the module docstring), each equal to networkx's function on that graph:

    - ``degree``: :math:`d_v / (n - 1)` (``nx.degree_centrality``), distinct neighbours;
    - ``betweenness``: :math:`\\frac{1}{(n-1)(n-2)} \\sum_{s \\ne v \\ne t}
      \\sigma_{st}(v) / \\sigma_{st}` over ordered pairs, i.e. normalised
      (``nx.betweenness_centrality``; Freeman 1977, *Sociometry* 40, 35; Brandes 2001,
      *J. Math. Sociol.* 25, 163). With `betweenness_sample` = k it is networkx's
      k-source estimate: paths from k sources drawn by ``random.Random(seed)`` (the same
      sources as networkx's ``seed=``), scaled by :math:`1/(k(n-2))`, or
      :math:`1/((k-1)(n-2))` for the sources themselves (Brandes & Pich 2007, *Int. J.
      Bifurcation and Chaos* 17, 2303);
    - ``closeness``: :math:`\\frac{r_v}{n-1} \\cdot \\frac{r_v}{\\sum_u d(u, v)}` over the
      :math:`r_v` nodes that reach :math:`v`, 0 for an isolate (``nx.closeness_centrality``
      with Wasserman & Faust's scaling, *Social Network Analysis* 1994, p. 201);
    - ``eigenvector``: the leading eigenvector of the adjacency matrix scaled to unit
      length (``nx.eigenvector_centrality``; Bonacich 1987, *AJS* 92, 1170). In a
      disconnected graph only the component of the largest eigenvalue gets non-zero
      values;
    - ``pagerank``: with damping `alpha`, dangling nodes jumping uniformly
      (``nx.pagerank``; Brin & Page 1998).

    Parameters
    ----------
    G
        Any networkx graph.
    weight
        A tie attribute of strengths (summed per link): PageRank, eigenvector and the
        ``strength`` column use it, betweenness and closeness use ``1 / weight`` as length.
        igraph compares path lengths with a tolerance, so paths of equal length in exact
        arithmetic (1/3 + 1/3 + 1/3 and 1) count as equally short; networkx compares the
        floating-point sums exactly and can differ there.
    directed
        Keep the direction of ties. Then ``in_degree`` / ``out_degree`` replace ``degree``
        and ``in_closeness`` (distances *to* the node, networkx's default) /
        ``out_closeness`` (from it) replace ``closeness``; betweenness counts directed
        paths, eigenvector centrality is the left eigenvector (incoming ties) and PageRank
        follows the ties.
    alpha
        PageRank's damping factor.
    betweenness_sample
        ``None`` for exact betweenness, or the number k of sources of the estimate: cost
        falls to k/n of the exact; ``bench/analysis.py`` measures the error.
    seed
        Seed for the sources of the estimate.
    closeness
        ``False`` leaves the closeness columns empty (``NaN``): exact closeness searches
        from every node, which is out of reach for hundreds of thousands of nodes.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id: ``degree``, ``betweenness``, ``closeness``, ``eigenvector``,
        ``pagerank`` (directed: ``in_degree``, ``out_degree``, ``betweenness``,
        ``in_closeness``, ``out_closeness``, ``eigenvector``, ``pagerank``), then
        ``strength`` when `weight` is given.

    Examples
    --------
    >>> table = centrality(nx.florentine_families_graph())
    >>> round(float(table.loc["Medici", "betweenness"]), 3)
    0.522
    """
    S = _Simple.of(G, weight=weight, directed=directed)
    n = S.n
    scale = 1.0 / (n - 1) if n > 1 else 0.0
    columns: dict[str, np.ndarray] = {}
    if directed:
        columns["in_degree"] = S.degree("in") * scale
        columns["out_degree"] = S.degree("out") * scale
    else:
        columns["degree"] = S.degree() * scale
    columns["betweenness"] = _betweenness(S, betweenness_sample, seed)
    skipped = np.full(n, np.nan)
    if directed:
        columns["in_closeness"] = _closeness(S, "in") if closeness else skipped
        columns["out_closeness"] = _closeness(S, "out") if closeness else skipped
    else:
        columns["closeness"] = _closeness(S) if closeness else skipped
    columns["eigenvector"] = _eigenvector(S)
    columns["pagerank"] = _pagerank(S, alpha)
    if weight is not None and S.weight is not None:
        ends = np.concatenate([S.source, S.target])
        columns["strength"] = np.bincount(
            ends, weights=np.concatenate([S.weight, S.weight]), minlength=n
        )
    return pd.DataFrame(columns, index=_index(S.nodes))


def _index(nodes: list[Hashable]) -> pd.Index:
    return pd.Index(nodes, dtype=object, name="id")


# -- whole network ----------------------------------------------------------------------------


def freeman_centralization(values: np.ndarray | pd.Series, maximum: float) -> float:
    """Freeman's centralisation of a centrality: how far the network is from a star.

    .. math:: C = \\frac{\\sum_v (c_{max} - c_v)}{\\max \\sum_v (c_{max} - c_v)}

    where the denominator is the sum a star of the same size reaches: :math:`n - 2` for
    normalised degree, :math:`n - 1` for normalised betweenness (Freeman, L. C. 1979.
    Centrality in social networks: conceptual clarification. *Social Networks* 1, 215).

    Parameters
    ----------
    values
        The normalised centralities of all nodes.
    maximum
        The star's sum, as above.

    Examples
    --------
    >>> star = centrality(nx.star_graph(4))
    >>> freeman_centralization(star["degree"], 5 - 2)
    1.0
    """
    x = np.asarray(values, dtype=float)
    if len(x) == 0 or maximum <= 0:
        return float("nan")
    return float(np.sum(x.max() - x) / maximum)


def summary(
    G: nx.Graph,
    *,
    attribute: str | None = None,
    betweenness_sample: int | None = None,
    seed: int | None = 0,
    paths: bool = True,
) -> pd.DataFrame:
    """The whole network in one table, measured on the undirected simple graph.

    Parameters
    ----------
    G
        Any networkx graph.
    attribute
        A node attribute whose assortativity to report beside ``label``'s: nominal
        (``nx.attribute_assortativity_coefficient``) unless every value is a number
        (``nx.numeric_assortativity_coefficient``); nodes without it are left out.
    betweenness_sample, seed
        As in :func:`centrality`, for the betweenness centralisation.
    paths
        ``False`` leaves ``diameter`` and ``average_path_length`` empty (``NaN``): both
        search from every node of the largest component.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``measure``, columns ``value`` and ``description``. The measures:
        ``nodes``; ``ties`` (as given, parallel ties counted); ``links`` (of the simple
        graph); ``density`` :math:`2L / (n(n-1))`; ``components``;
        ``largest_component_share``; ``diameter`` and ``average_path_length`` of the
        largest component (``nx.diameter``, ``nx.average_shortest_path_length``);
        ``degree_centralization`` and ``betweenness_centralization`` (Freeman, see
        :func:`freeman_centralization`); ``average_clustering`` (isolates and leaves
        count 0, ``nx.average_clustering``; Watts & Strogatz 1998) and ``transitivity``
        (``nx.transitivity``); ``degree_assortativity`` (Newman 2002, *PRL* 89, 208701),
        ``label_assortativity`` and ``{attribute}_assortativity`` (Newman 2003, *PRE* 67,
        026126).
    """
    S = _Simple.of(G)
    n, g = S.n, S.igraph()
    rows: list[tuple[str, Any, str]] = [
        ("nodes", n, "nodes"),
        ("ties", G.number_of_edges(), "ties as given (parallel ties counted)"),
        ("links", len(S.source), "pairs of nodes joined by at least one tie"),
        ("density", 2 * len(S.source) / (n * (n - 1)) if n > 1 else np.nan, "2L / (n(n-1))"),
    ]
    membership = S.components()
    sizes = np.bincount(membership) if n else np.zeros(0, int)
    largest = int(np.argmax(sizes)) if n else -1
    in_largest = membership == largest
    r = int(sizes[largest]) if n else 0
    sums = _closeness_parts(S, "all")[0] if paths else None
    rows += [
        ("components", len(sizes), "connected components"),
        ("largest_component_share", r / n if n else np.nan, "share of nodes in the largest"),
        (
            "diameter",
            _diameter(S, in_largest) if paths else np.nan,
            "longest shortest path, largest component" + ("" if paths else " (not computed)"),
        ),
        (
            "average_path_length",
            float(sums[in_largest].sum() / (r * (r - 1))) if sums is not None and r > 1 else np.nan,
            "mean shortest path length, largest component" + ("" if paths else " (not computed)"),
        ),
        (
            "degree_centralization",
            freeman_centralization(S.degree() / max(n - 1, 1), n - 2),
            "Freeman: sum(max - c) / (n - 2), normalised degree",
        ),
        (
            "betweenness_centralization",
            freeman_centralization(_betweenness(S, betweenness_sample, seed), n - 1),
            "Freeman: sum(max - c) / (n - 1), normalised betweenness"
            + (f" (estimate, {betweenness_sample} sources)" if betweenness_sample else ""),
        ),
        (
            "average_clustering",
            g.transitivity_avglocal_undirected(mode="zero") if n else np.nan,
            "mean local clustering, 0 for degree < 2",
        ),
        ("transitivity", g.transitivity_undirected(), "3 x triangles / connected triples"),
        ("degree_assortativity", _assortativity_degree(g), "Pearson r of degrees at both ends"),
        ("label_assortativity", _assortativity(S, G, "label"), "nominal assortativity of label"),
    ]
    if attribute is not None:
        rows.append(
            (
                f"{attribute}_assortativity",
                _assortativity(S, G, attribute),
                f"assortativity of {attribute}",
            )
        )
    return pd.DataFrame(rows, columns=["measure", "value", "description"], dtype=object).set_index(
        "measure"
    )


def _diameter(S: _Simple, in_largest: np.ndarray) -> float:
    """Exact diameter of the largest component (networkx's bounding algorithm: few BFS)."""
    if in_largest.sum() < 2:
        return 0.0 if in_largest.sum() == 1 else float("nan")

    def compute() -> float:
        H = S.networkx()
        nodes = [v for v, keep in zip(S.nodes, in_largest, strict=True) if keep]
        return nx.diameter(H.subgraph(nodes), usebounds=True)

    return S.memo("diameter", compute)


def _assortativity_degree(g: ig.Graph) -> float:
    with _quiet_igraph(), np.errstate(all="ignore"):
        value = g.assortativity_degree(directed=False) if g.ecount() else float("nan")
    return float(value)


def _assortativity(S: _Simple, G: nx.Graph, attribute: str) -> float:
    values = pd.Series([G.nodes[v].get(attribute) for v in S.nodes], dtype=object)
    present = values.notna().to_numpy()
    if present.sum() < 2:
        return float("nan")
    g = S.igraph().induced_subgraph(np.flatnonzero(present).tolist())
    kept = values[present]
    numeric = all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
        for v in kept
    )
    with _quiet_igraph(), np.errstate(all="ignore"):
        if numeric:
            result = g.assortativity(kept.astype(float).tolist(), directed=False)
        else:
            codes = pd.factorize(kept.astype(str))[0].tolist()
            result = g.assortativity_nominal(codes, directed=False)
    return float(result) if g.ecount() else float("nan")


# -- groups: communities, cores, cliques ----------------------------------------------------


def communities(
    G: nx.Graph,
    *,
    method: Literal["louvain", "leiden"] = "louvain",
    resolution: float = 1.0,
    weight: str | None = None,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Communities that maximise modularity, by Louvain or Leiden, seeded.

    Modularity (Newman & Girvan 2004, *PRE* 69, 026113; with resolution γ, Reichardt &
    Bornholdt 2006):

    .. math:: Q = \\frac{1}{2m} \\sum_{ij} \\left(A_{ij} - \\gamma \\frac{k_i k_j}{2m}\\right)
              \\delta(c_i, c_j)

    ``louvain``: Blondel, Guillaume, Lambiotte & Lefebvre 2008 (*J. Stat. Mech.* P10008),
    igraph's ``community_multilevel``; ``leiden``: Traag, Waltman & van Eck 2019 (*Sci.
    Rep.* 9, 5233), igraph's ``community_leiden`` on modularity, iterated until stable. Both
    are randomised; the same `seed` gives the same partition. The partition differs from
    ``nx.community.louvain_communities``' (another random order) but its modularity is of
    the same size, and ``modularity`` equals ``nx.community.modularity`` of the partition.

    Parameters
    ----------
    G
        Any networkx graph; measured undirected (see the module docstring).
    method
        ``"louvain"`` or ``"leiden"``.
    resolution
        γ above: above 1 gives more, smaller communities.
    weight
        A tie attribute of strengths (summed per link).
    seed
        Seed of igraph's random numbers for this call.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id, column ``community``: 0 for the largest community, 1 for the
        next ... (ties by first node). ``.attrs`` holds ``modularity``, ``method``,
        ``resolution``, ``seed`` and ``count`` (number of communities).
    """
    S = _Simple.of(G, weight=weight)
    g = S.igraph()
    with _seeded(seed):
        if method == "louvain":
            found = g.community_multilevel(weights=S.strengths(), resolution=resolution)
        elif method == "leiden":
            found = g.community_leiden(
                objective_function="modularity",
                weights=S.strengths(),
                resolution=resolution,
                n_iterations=-1,
            )
        else:
            raise ValueError(f"unknown method {method!r}; use 'louvain' or 'leiden'")
    membership = _ranked(np.asarray(found.membership, dtype=np.int64))
    out = pd.DataFrame({"community": membership}, index=_index(S.nodes))
    out.attrs.update(
        modularity=float(
            g.modularity(membership.tolist(), weights=S.strengths(), resolution=resolution)
        )
        if g.ecount()
        else float("nan"),
        method=method,
        resolution=resolution,
        seed=seed,
        count=int(membership.max()) + 1 if len(membership) else 0,
    )
    return out


def _ranked(membership: np.ndarray) -> np.ndarray:
    """Renumber groups by size, largest first; equal sizes by their first member."""
    if len(membership) == 0:
        return membership
    labels, first, counts = np.unique(membership, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    return rank[np.searchsorted(labels, membership)]


def kcore(G: nx.Graph) -> pd.DataFrame:
    """The core number of every node.

    The k-core is the largest subgraph in which every node has at least k neighbours; a
    node's core number is the largest k of a k-core holding it (Seidman, S. B. 1983.
    Network structure and minimum degree. *Social Networks* 5, 269; Batagelj & Zaversnik
    2003). Equal to ``nx.core_number`` of the undirected simple graph.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id, column ``core``.
    """
    S = _Simple.of(G)
    return pd.DataFrame(
        {"core": np.asarray(S.igraph().coreness(), dtype=np.int64)}, index=_index(S.nodes)
    )


def cliques(G: nx.Graph, *, min_size: int = 3) -> pd.DataFrame:
    """Maximal cliques of at least `min_size` nodes in the undirected simple graph.

    A clique is a set of nodes all tied to each other; maximal when no node can join it
    (Bron, C. & Kerbosch, J. 1973. Algorithm 457. *Comm. ACM* 16, 575; with Tomita et al.'s
    pivot, 2006). ``nx.find_cliques`` filtered by size: on large sparse graphs it outruns
    igraph's ``maximal_cliques`` (12 s against 68 s for a province of 1.6 million ties).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``clique`` (0, 1 ...; largest first), columns ``size`` and ``members``
        (a tuple of node ids, sorted as text).
    """
    found = nx.find_cliques(_Simple.of(G).networkx())
    members = [tuple(sorted(c, key=str)) for c in found if len(c) >= min_size]
    members.sort(key=lambda c: (-len(c), [str(x) for x in c]))
    out = pd.DataFrame(
        {"size": [len(c) for c in members], "members": pd.Series(members, dtype=object)}
    )
    out.index.name = "clique"
    return out


# -- structural holes and brokerage --------------------------------------------------------


def structural_holes(G: nx.Graph, *, weight: str | None = None) -> pd.DataFrame:
    """Burt's effective size, efficiency and constraint of every node.

    On the undirected simple graph, with :math:`p_{ij}` the share of :math:`i`'s tie
    strength that goes to :math:`j`:

    - effective size :math:`e_i = \\sum_j (1 - \\sum_{q \\ne i,j} p_{iq} m_{jq})`, for
      unweighted ties :math:`d_i - 2t_i / d_i` with :math:`t_i` the ties among
      :math:`i`'s neighbours (Borgatti 1997, *Connections* 20, 35) —
      ``nx.effective_size``;
    - efficiency :math:`e_i / d_i`;
    - constraint :math:`c_i = \\sum_j (p_{ij} + \\sum_{q \\ne i,j} p_{iq} p_{qj})^2`
      (``nx.constraint``).

    All from Burt, R. S. 1992. *Structural Holes*, ch. 2. ``NaN`` for isolates.

    Parameters
    ----------
    G
        Any networkx graph.
    weight
        A tie attribute of strengths (summed per link).

    Returns
    -------
    pandas.DataFrame
        Indexed by node id: ``effective_size``, ``efficiency``, ``constraint``.
    """
    S = _Simple.of(G, weight=weight)
    g = S.igraph()
    degree = S.degree()
    if weight is None:
        triangles = np.zeros(S.n)
        found = np.asarray(g.list_triangles(), dtype=np.int64).reshape(-1, 3)
        np.add.at(triangles, found.ravel(), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            effective = np.where(degree > 0, degree - 2 * triangles / degree, np.nan)
    else:
        sizes = nx.effective_size(S.networkx(), weight="weight")
        effective = np.array([sizes[v] for v in S.nodes], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        efficiency = np.where(degree > 0, effective / degree, np.nan)
    constraint = np.asarray(g.constraint(weights=S.strengths()), dtype=float)
    constraint[degree == 0] = np.nan
    return pd.DataFrame(
        {"effective_size": effective, "efficiency": efficiency, "constraint": constraint},
        index=_index(S.nodes),
    )


def _groups(G: nx.Graph, group: str | Mapping[Hashable, Any] | pd.Series) -> pd.Series:
    if isinstance(group, str):
        values = pd.Series(dict(G.nodes(data=group)), dtype=object)
    else:
        values = pd.Series(group, dtype=object) if not isinstance(group, pd.Series) else group
    return values.reindex(list(G)).dropna()


def _role_codes(ga: np.ndarray, gb: np.ndarray, gc: np.ndarray) -> np.ndarray:
    """The role (index in :data:`BROKERAGE_ROLES`) of broker b on the path a → b → c."""
    return np.select(
        [(ga == gb) & (gb == gc), ga == gc, gb == gc, ga == gb],
        [0, 1, 2, 3],
        default=4,
    )


def brokerage(
    G: nx.Graph,
    group: str | Mapping[Hashable, Any] | pd.Series,
    *,
    directed: bool = False,
    standardize: bool = False,
) -> pd.DataFrame:
    """Gould–Fernandez brokerage roles of every node, by a grouping of nodes.

    For every path :math:`a \\to b \\to c` of distinct nodes with no tie :math:`a \\to c`,
    the broker :math:`b` plays one role, by the groups of :math:`a, b, c` (Gould, R. V. &
    Fernandez, R. M. 1989. Structures of mediation: a formal approach to brokerage in
    transaction networks. *Sociological Methodology* 19, 89–126):

    ========================  ======================  ===========  ==============
    column                    Gould & Fernandez       groups       sna::brokerage
    ========================  ======================  ===========  ==============
    ``coordinator``           coordinator             A A A        ``w_I``
    ``consultant``            itinerant broker        A B A        ``w_O``
    ``gatekeeper``            gatekeeper              A B B        ``b_OI``
    ``representative``        representative          A A B        ``b_IO``
    ``liaison``               liaison                 A B C        ``b_O``
    ========================  ======================  ===========  ==============

    and ``total`` sums them. The counts equal R's ``sna::brokerage`` (Butts; its
    ``raw.nli``), which the tests reproduce.

    **Undirected ties** (the default) are made directed both ways, as ``sna`` does with a
    symmetric matrix: an open path :math:`a - b - c` is then counted twice, once each way,
    so ``coordinator``, ``consultant`` and ``liaison`` are even and ``gatekeeper`` equals
    ``representative`` (the path one way is the other way's mirror).

    Parameters
    ----------
    G
        Any networkx graph, collapsed as in :func:`simple_graph`.
    group
        A node attribute name, or a mapping / Series from node id to group — for a
        co-building graph e.g. each node's street, ``domain.ancestors(G, "Street")``.
        Nodes without a group are left out, with their ties.
    directed
        Use the direction of ties as given instead.
    standardize
        Add ``{role}_z`` columns: (count − expected) / standard deviation under a random
        graph of the same density and group sizes, with ``sna::brokerage``'s formulas
        (its ``z.nli``; from Gould & Fernandez 1989). ``NaN`` where the deviation is 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id (the nodes with a group), columns ``coordinator``,
        ``consultant``, ``gatekeeper``, ``representative``, ``liaison``, ``total``
        (integers), then the ``_z`` columns if asked.
    """
    S = _Simple.of(G, directed=directed)
    values = _groups(G, group)
    codes = np.full(S.n, -1, dtype=np.int64)
    position = {v: i for i, v in enumerate(S.nodes)}
    keys, uniques = pd.factorize(values.astype(str))
    codes[[position[v] for v in values.index]] = keys
    source, target = S.source, S.target
    if not directed:
        source, target = np.concatenate([source, target]), np.concatenate([target, source])
    keep = (codes[source] >= 0) & (codes[target] >= 0)
    source, target = source[keep], target[keep]

    counts = _open_roles(S.n, codes, source, target)
    counts -= _closed_roles(S, codes, source, target, directed)
    members = np.flatnonzero(codes >= 0)
    out = pd.DataFrame(
        counts[members], columns=list(BROKERAGE_ROLES), index=_index([S.nodes[i] for i in members])
    )
    out["total"] = out.sum(axis=1)
    out = out.astype(np.int64)
    if standardize:
        z = _brokerage_z(out, codes[members], len(uniques), len(source))
        out = pd.concat([out, z], axis=1)
    return out


def _open_roles(n: int, codes: np.ndarray, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Role counts over all pairs (a, c), a ≠ c, of an in- and an out-neighbour of each b.

    With I[b, h] / O[b, h] the in- / out-neighbours of b in group h, R[b, h] those that are
    both (a = c), and g = b's group, the pairs fall into roles as (see :data:`BROKERAGE_ROLES`):
    coordinator I[g]O[g] − R[g]; consultant Σ_{h≠g} (I[h]O[h] − R[h]); gatekeeper
    (Σ_{h≠g} I[h]) O[g]; representative I[g] Σ_{h≠g} O[h]; liaison
    Σ_{h≠g} I[h] · Σ_{h≠g} O[h] − Σ_{h≠g} I[h]O[h].
    """
    out = np.zeros((n, len(BROKERAGE_ROLES)), dtype=np.int64)
    if len(source) == 0:
        return out
    own = codes
    incoming = pd.DataFrame({"b": target, "h": codes[source]}).value_counts().rename("I")
    outgoing = pd.DataFrame({"b": source, "h": codes[target]}).value_counts().rename("O")
    pair = source * n + target
    mutual = np.isin(pair, target * n + source)
    reciprocal = (
        pd.DataFrame({"b": target[mutual], "h": codes[source[mutual]]}).value_counts().rename("R")
    )
    table = (
        pd.concat([incoming, outgoing, reciprocal], axis=1).fillna(0).astype(np.int64).reset_index()
    )
    b, h = table["b"].to_numpy(), table["h"].to_numpy()
    same = h == own[b]
    i_, o_, r_ = (table[c].to_numpy() for c in ("I", "O", "R"))

    def per_broker(x: np.ndarray) -> np.ndarray:
        return np.bincount(b, weights=x, minlength=n).astype(np.int64)

    i_same, o_same, r_same = per_broker(i_ * same), per_broker(o_ * same), per_broker(r_ * same)
    i_other, o_other = per_broker(i_ * ~same), per_broker(o_ * ~same)
    io_other, r_other = per_broker(i_ * o_ * ~same), per_broker(r_ * ~same)
    out[:, 0] = i_same * o_same - r_same
    out[:, 1] = io_other - r_other
    out[:, 2] = i_other * o_same
    out[:, 3] = i_same * o_other
    out[:, 4] = i_other * o_other - io_other
    return out


def _closed_roles(
    S: _Simple, codes: np.ndarray, source: np.ndarray, target: np.ndarray, directed: bool
) -> np.ndarray:
    """Role counts of the pairs of :func:`_open_roles` that are closed (a → c exists)."""
    n = S.n
    if directed:
        succ: list[set[int]] = [set() for _ in range(n)]
        pred: list[set[int]] = [set() for _ in range(n)]
        for a, c in zip(source.tolist(), target.tolist(), strict=True):
            succ[a].add(c)
            pred[c].add(a)
        triples = [
            (a, b, c)
            for a, c in zip(source.tolist(), target.tolist(), strict=True)
            for b in (succ[a] & pred[c])
        ]
        found = np.asarray(triples, dtype=np.int64).reshape(-1, 3)
    else:
        members = np.flatnonzero(codes >= 0)
        g = S.igraph().induced_subgraph(members.tolist()) if len(members) < n else S.igraph()
        triangles = np.asarray(g.list_triangles(), dtype=np.int64).reshape(-1, 3)
        if len(members) < n:
            triangles = members[triangles]
        orders = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
        found = np.concatenate([triangles[:, list(o)] for o in orders])
    out = np.zeros((n, len(BROKERAGE_ROLES)), dtype=np.int64)
    if len(found):
        roles = _role_codes(codes[found[:, 0]], codes[found[:, 1]], codes[found[:, 2]])
        np.add.at(out, (found[:, 1], roles), 1)
    return out


def _brokerage_z(counts: pd.DataFrame, group: np.ndarray, groups: int, edges: int) -> pd.DataFrame:
    """z-scores of the role counts as ``sna::brokerage`` computes them (``z.nli``)."""
    N = float(len(group))
    sizes = np.bincount(group, minlength=groups).astype(float)
    d = edges / (N * (N - 1)) if N > 1 else 0.0
    c2, c3 = d**2 * (1 - d), d**3 * (1 - d) ** 3
    n = sizes
    s2 = np.sum(n * (n - 1))
    s3 = np.sum(n * (n - 1) * (n - 2))
    q = np.sum(n**2)

    def choose2(x: np.ndarray) -> np.ndarray:
        return x * (x - 1) / 2

    e = np.zeros((groups, 6))
    v = np.zeros((groups, 6))
    e[:, 0] = c2 * (n - 1) * (n - 2)
    v[:, 0] = e[:, 0] * (1 - c2) + 2 * (n - 1) * (n - 2) * (n - 3) * c3
    e[:, 1] = c2 * (s2 - n * (n - 1))
    v[:, 1] = e[:, 1] * (1 - c2) + 2 * (s3 - n * (n - 1) * (n - 2)) * c3
    e[:, 3] = c2 * (N - n) * (n - 1)
    v[:, 3] = e[:, 3] * (1 - c2) + 2 * ((n - 1) * choose2(N - n) + (N - n) * choose2(n - 1)) * c3
    e[:, 2], v[:, 2] = e[:, 3], v[:, 3]
    e[:, 4] = c2 * ((N - n) ** 2 - (q - n**2))
    others = n[None, :] * choose2(N - n[None, :] - n[:, None])
    others[np.arange(groups), np.arange(groups)] = 0.0
    v[:, 4] = e[:, 4] * (1 - c2) + 4 * others.sum(axis=1) * c3
    e[:, 5] = c2 * (N - 1) * (N - 2)
    v[:, 5] = e[:, 5] * (1 - c2) + 2 * (N - 1) * (N - 2) * (N - 3) * c3
    raw = counts[[*BROKERAGE_ROLES, "total"]].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(v[group])
        z = np.where(sd > 0, (raw - e[group]) / sd, np.nan)
    return pd.DataFrame(
        z, index=counts.index, columns=[f"{r}_z" for r in (*BROKERAGE_ROLES, "total")]
    )


# -- co-building structure: ego networks, projections, robustness ----------------------------


def ego_network(
    G: nx.Graph, node: Hashable, *, radius: int = 1, schema: Schema = DEFAULT_SCHEMA
) -> tuple[nx.Graph, pd.DataFrame]:
    """The nodes within `radius` ties of `node` (either direction), and where it stands.

    Parameters
    ----------
    G
        A co-building graph (any networkx graph: the street and district are then empty).
    node
        The ego's id.
    radius
        Number of ties out from the ego.
    schema
        Gives the hierarchy.

    Returns
    -------
    subgraph : networkx.Graph
        A copy of the ego network, of the type of `G` with all ties among its nodes
        (``nx.ego_graph`` with ``undirected=True``).
    table : pandas.DataFrame
        One row indexed by the ego's id: ``name``, ``label``, ``street``, ``street_name``,
        ``district``, ``district_name`` (the ego's places, see
        :func:`~cobuild_graph.domain.ancestors`: a unit's street through ``ASSIGNED_TO``),
        ``radius``, ``nodes``, ``ties`` (of the subgraph).
    """
    if node not in G:
        raise KeyError(f"node {node!r} is not in the graph")
    view = G.to_undirected(as_view=True) if G.is_directed() else G
    within = nx.single_source_shortest_path_length(view, node, cutoff=radius)
    H = G.subgraph(within).copy()
    row: dict[str, Any] = {"name": G.nodes[node].get("name"), "label": G.nodes[node].get("label")}
    net = domain._Net.of(G, schema)
    for level in ("Street", "District"):
        place = domain._ancestors(net, level).get(node)
        place = None if pd.isna(place) else place
        row[level.lower()] = place
        row[f"{level.lower()}_name"] = G.nodes[place].get("name") if place is not None else None
    row |= {"radius": radius, "nodes": H.number_of_nodes(), "ties": H.number_of_edges()}
    return H, pd.DataFrame([row], index=_index([node]))


def two_mode(
    G: nx.Graph,
    *,
    onto: str = "Street",
    via: str | tuple[str, ...] = "Unit",
    schema: Schema = DEFAULT_SCHEMA,
) -> nx.Graph:
    """The two-mode (bipartite) network of places at one level and co-building nodes.

    A unit or branch is joined to a place at the level when a co-building tie
    (:data:`~cobuild_graph.domain.COBUILDING_TIES`: ``ASSIGNED_TO``, ``PAIRED_WITH``,
    ``EMBEDDED_IN``) runs from it to the place or to a place below it (a unit paired with
    two communities of one street is joined to that street once).

    Parameters
    ----------
    G
        A co-building graph.
    onto
        The side to project onto later: a hierarchy level (``"Street"``,
        ``"Community"`` ...) or a label (``"Unit"``).
    via
        The other side: a label or labels (``"Unit"``, ``"ActionBranch"``,
        ``("Unit", "ActionBranch")``) when `onto` is a level, a level when it is a label.
    schema
        Gives the hierarchy.

    Returns
    -------
    networkx.Graph
        Nodes with ``bipartite`` 0 (the `onto` side: for a level, every place of it) or 1,
        and their ``label`` and ``name``.
    """
    if onto in schema.hierarchy:
        level, labels = onto, (via,) if isinstance(via, str) else tuple(via)
    elif isinstance(via, str) and via in schema.hierarchy:
        level, labels = via, (onto,)
    else:
        raise ValueError(
            "one of onto / via must be a hierarchy level "
            f"({', '.join(schema.hierarchy)}), the other a label such as 'Unit'"
        )
    net = domain._Net.of(G, schema)
    pairs = domain._reach(net, level, types=domain.COBUILDING_TIES, labels=labels)
    places = net.places(level)
    place_side, other_side = (0, 1) if level == onto else (1, 0)
    B = nx.Graph()
    names, kinds = net.nodes["name"], net.nodes["label"]
    B.add_nodes_from(
        (p, {"bipartite": place_side, "label": kinds[p], "name": names[p]}) for p in places
    )
    B.add_nodes_from(
        (v, {"bipartite": other_side, "label": kinds[v], "name": names[v]})
        for v in pd.unique(pairs["node"])
    )
    B.add_edges_from(zip(pairs["node"], pairs["ancestor"], strict=True))
    return B


def project(
    G: nx.Graph,
    *,
    onto: str = "Street",
    via: str | tuple[str, ...] = "Unit",
    schema: Schema = DEFAULT_SCHEMA,
) -> pd.DataFrame:
    """Places (or units) linked by the co-building nodes (or places) they share.

    Projects :func:`two_mode` onto the `onto` side with networkx's bipartite projections:
    ``shared`` counts the shared neighbours (``weighted_projected_graph``);
    ``collaboration`` is Newman's weight :math:`\\sum_k 1 / (d_k - 1)` over the shared
    neighbours :math:`k` of degree :math:`d_k`, so a unit serving two streets links them
    by 1 and one serving five by 1/4 each pair (``collaboration_weighted_projected_graph``;
    Newman, M. E. J. 2001. Scientific collaboration networks. II. *Phys. Rev. E* 64,
    016132).

    Examples: streets linked by shared units ``project(G)``; communities linked by shared
    action branches or units ``project(G, onto="Community", via=("ActionBranch",
    "Unit"))``; units linked by shared communities ``project(G, onto="Unit",
    via="Community")``.

    Returns
    -------
    pandas.DataFrame
        One row per linked pair: ``source``, ``target`` (ids, ordered as text),
        ``source_name``, ``target_name``, ``shared``, ``collaboration``; strongest first.
        ``nx.from_pandas_edgelist(table, edge_attr=True)`` makes it a graph.
    """
    B = two_mode(G, onto=onto, via=via, schema=schema)
    side = [v for v, part in B.nodes(data="bipartite") if part == 0]
    shared = nx.bipartite.weighted_projected_graph(B, side)
    newman = nx.bipartite.collaboration_weighted_projected_graph(B, side)
    rows = []
    for u, v, count in shared.edges(data="weight"):
        a, b = sorted((u, v), key=str)
        rows.append(
            (a, b, B.nodes[a]["name"], B.nodes[b]["name"], int(count), newman[u][v]["weight"])
        )
    columns = ["source", "target", "source_name", "target_name", "shared", "collaboration"]
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    order = out.assign(s=out["source"].astype(str), t=out["target"].astype(str))
    order = order.sort_values(
        ["shared", "collaboration", "s", "t"], ascending=[False, False, True, True], kind="stable"
    )
    return out.loc[order.index].reset_index(drop=True)


def _providers(net: domain._Net) -> pd.DataFrame:
    """(provider, community) pairs of co-building ties reaching communities.

    A unit provides for the communities it is ``PAIRED_WITH`` (or their grids) and those
    its action branches are ``EMBEDDED_IN``; a branch without a home unit provides alone.
    """
    links = net.attachments()
    links = links[links["type"].isin(["PAIRED_WITH", "EMBEDDED_IN"])]
    labels = net.label(links["node"])
    links = links[labels.isin(["Unit", "ActionBranch"])]
    links = links.assign(community=net.up(links["place"], "Community")).dropna(subset=["community"])
    home = net.ties[net.ties["type"].isin(domain.HOME_TIES)]
    home = home[net.label(home["target"]) == "Unit"].drop_duplicates("source")
    unit_of = pd.Series(home["target"].to_numpy(), index=home["source"].to_numpy())
    # .astype(object): a map that finds nothing comes back float64, which rejects text fills
    provider = links["node"].map(unit_of).astype(object).fillna(links["node"])
    return pd.DataFrame(
        {"provider": provider.to_numpy(), "community": links["community"].to_numpy()}
    ).drop_duplicates()


def robustness(
    G: nx.Graph,
    *,
    top: int | None = None,
    paths: bool = True,
    path_sources: int | None = None,
    seed: int | None = 0,
    schema: Schema = DEFAULT_SCHEMA,
) -> pd.DataFrame:
    """What each unit's withdrawal, with its action branches, would break.

    A community's **co-building ties** are the ``PAIRED_WITH`` ties of units to it (or its
    grids) and the ``EMBEDDED_IN`` ties of action branches to it; a branch's tie counts for
    its home unit (``BRANCH_OF``). A community is *uncovered* by a unit's withdrawal when
    every co-building tie it has comes from that unit or its branches.

    The structural columns compare the undirected simple graph with and without the unit
    and its branches: the change in the number of connected components, in the size of
    the largest component, and in the average shortest path length of the largest
    component (after minus before). Path lengths cost a breadth-first search from every
    node of the largest component per unit (O(nm) each); `top` limits the structural
    columns to the units of highest degree, `path_sources` estimates the average path
    length from a fixed, seeded sample of source nodes (the same before and after, so the
    change is measured on common ground).

    Parameters
    ----------
    G
        A co-building graph.
    top
        Compute the structural columns for the `top` units of highest degree only
        (``NaN`` for the others); all units when ``None``.
    paths
        Compute ``path_length_change`` at all.
    path_sources
        Number of source nodes for the path-length estimate; exact when ``None``.
    seed
        Seed for the sources.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit id, most uncovering first: ``name``, ``degree`` (distinct
        neighbours), ``branches``, ``communities_reached``, ``communities_uncovered``,
        ``uncovered`` (their ids joined by ``;``), ``components_change``,
        ``largest_component_change``, ``path_length_change``.
    """
    net = domain._Net.of(G, schema)
    units = net.nodes.index[net.nodes["label"] == "Unit"]
    providers = _providers(net)
    count = providers.groupby("community")["provider"].transform("size")
    sole = providers[count == 1]
    home = net.ties[net.ties["type"].isin(domain.HOME_TIES)]
    home = home[net.label(home["target"]) == "Unit"].drop_duplicates("source")
    branches = home.groupby("target")["source"].apply(list)

    S = _Simple.of(G)
    position = {v: i for i, v in enumerate(S.nodes)}
    degree = pd.Series(S.degree(), index=_index(S.nodes)).reindex(units)
    out = pd.DataFrame(
        {
            "name": net.nodes["name"].reindex(units).to_numpy(),
            "degree": degree.astype(int).to_numpy(),
            "branches": [len(branches.get(u, [])) for u in units],
            "communities_reached": providers["provider"]
            .value_counts()
            .reindex(units, fill_value=0)
            .to_numpy(),
            "communities_uncovered": sole["provider"]
            .value_counts()
            .reindex(units, fill_value=0)
            .to_numpy(),
        },
        index=pd.Index(units, name="id"),
    )
    lists = sole.assign(text=sole["community"].astype(str)).sort_values("text")
    lists = lists.groupby("provider")["text"].agg(";".join)
    out["uncovered"] = lists.reindex(units).fillna("").to_numpy()
    for column in ("components_change", "largest_component_change", "path_length_change"):
        out[column] = np.nan
    chosen = degree.sort_values(ascending=False, kind="stable").index
    chosen = chosen[:top] if top is not None else chosen
    effects = _withdrawal_effects(
        S,
        {u: [position[u], *(position[b] for b in branches.get(u, []))] for u in chosen},
        paths=paths,
        path_sources=path_sources,
        seed=seed,
    )
    for unit, values in effects.items():
        out.loc[unit, ["components_change", "largest_component_change", "path_length_change"]] = (
            values
        )
    order = out.assign(text=out.index.astype(str)).sort_values(
        ["communities_uncovered", "degree", "text"], ascending=[False, False, True], kind="stable"
    )
    return out.loc[order.index]


def _largest(g: ig.Graph) -> tuple[int, np.ndarray]:
    """Number of components and the vertices of the largest."""
    clusters = g.connected_components()
    if len(clusters) == 0:
        return 0, np.zeros(0, dtype=np.int64)
    sizes = np.asarray(clusters.sizes())
    members = np.flatnonzero(np.asarray(clusters.membership) == int(np.argmax(sizes)))
    return len(clusters), members


def _mean_path(g: ig.Graph, largest: np.ndarray, sources: np.ndarray | None) -> float:
    """Average shortest path length in `largest`, from all its nodes or from `sources`."""
    r = len(largest)
    if r < 2:
        return float("nan")
    chosen = largest if sources is None else np.intersect1d(sources, largest)
    if len(chosen) == 0:
        return float("nan")
    inverse = np.asarray(g.closeness(vertices=chosen.tolist(), normalized=False), dtype=float)
    return float(np.mean(1.0 / inverse) / (r - 1))


def _withdrawal_effects(
    S: _Simple,
    removals: dict[Hashable, list[int]],
    *,
    paths: bool,
    path_sources: int | None,
    seed: int | None,
) -> dict[Hashable, tuple[float, float, float]]:
    g = S.igraph()
    count, largest = _largest(g)
    sources = None
    if path_sources is not None and path_sources < len(largest):
        sources = np.sort(np.random.default_rng(seed).choice(largest, path_sources, replace=False))
    before = _mean_path(g, largest, sources) if paths else np.nan
    out = {}
    for unit, gone in removals.items():
        keep = np.setdiff1d(np.arange(S.n), gone)
        h = g.induced_subgraph(keep.tolist())
        count_after, largest_after = _largest(h)
        change = np.nan
        if paths:
            # positions in h are ranks in `keep`; the sources move with their nodes
            moved = None if sources is None else np.searchsorted(keep, np.setdiff1d(sources, gone))
            change = _mean_path(h, largest_after, moved) - before
        out[unit] = (count_after - count, len(largest_after) - len(largest), change)
    return out
