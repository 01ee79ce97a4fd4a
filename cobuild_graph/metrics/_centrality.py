"""Centrality of every node: degree, betweenness, closeness, eigenvector, PageRank."""

from __future__ import annotations

import random
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph import views
from cobuild_graph._jobs import jobs, searches
from cobuild_graph.metrics._simple import Simple, node_index, quiet_igraph, seeded
from cobuild_graph.schema import Schema


def leaves(S: Simple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leaves of an undirected graph (degree 1, their neighbour of degree ≥ 2), their
    neighbour, and the length of the link between them."""
    degree = S.degree()
    ends = np.concatenate([S.source, S.target])
    others = np.concatenate([S.target, S.source])
    lengths = np.ones(len(ends)) if S.weight is None else np.tile(1.0 / S.weight, 2)
    leaf = (degree[ends] == 1) & (degree[others] >= 2)
    return ends[leaf], others[leaf], lengths[leaf]


def _component_sizes(S: Simple) -> np.ndarray:
    membership = S.components()
    return np.bincount(membership)[membership].astype(float)


def sample_size(S: Simple, sample: int | None) -> int | None:
    """The sources of a betweenness estimate from `sample`: ``None`` for exact betweenness
    (no sample, or one of every node)."""
    k = None if sample is None or sample >= S.n else int(sample)
    if k is not None and k < 1:
        raise ValueError(f"betweenness_sample must be a positive number of sources, not {k}")
    return k


#: Batches of sources of the betweenness estimate, for its standard error: the spread of
#: the batches' estimates around their mean (batch means, as a sample mean's error is found).
ESTIMATE_BATCHES = 10


def betweenness_caveats(S: Simple, sample: int | None, seed: int | None) -> list[str]:
    """The sentence, Chinese then English, saying that betweenness is an estimate from
    `sample` sources and where its standard error is (none when it is exact)."""
    k = sample_size(S, sample)
    if k is None:
        return []
    return [
        f"中介中心性为从 {S.n} 个节点中随机抽取 {k} 个起点的估计（种子 {seed}），"
        f"其标准误（betweenness_se）由 {_batches(k)} 批起点估计之间的离散求得 betweenness "
        f"is an estimate from {k} sampled sources of {S.n} nodes (seed {seed}); its "
        f"standard error (betweenness_se) comes from the spread of the estimates of "
        f"{_batches(k)} batches of the sources"
    ]


def betweenness_estimates(S: Simple, sample: int | None) -> dict[str, str]:
    """The columns that are estimates (``.attrs["estimates"]`` of a table), each with how:
    betweenness with `sample`."""
    k = sample_size(S, sample)
    if k is None:
        return {}
    return {"betweenness": f"{k} / {S.n} sources, standard error in betweenness_se"}


def _batches(k: int) -> int:
    return min(ESTIMATE_BATCHES, k)


def betweenness(S: Simple, sample: int | None, seed: int | None, n_jobs: int = 1) -> np.ndarray:
    """networkx's normalised betweenness; with `sample`, its k-source estimate; its
    searches in `n_jobs` processes (:func:`~cobuild_graph._jobs.jobs`)."""
    return betweenness_estimate(S, sample, seed, n_jobs)[0]


def betweenness_estimate(
    S: Simple, sample: int | None, seed: int | None, n_jobs: int = 1
) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`betweenness`, and for an estimate the same estimate from each batch of its
    sources (one row per batch; ``None`` when exact), for :func:`batch_error`.

    The k sources are searched in :data:`ESTIMATE_BATCHES` batches; batch b's estimate is
    the k-source estimate made from its :math:`k_b` sources alone (its dependencies
    scaled by :math:`k / k_b`), and the estimate is their mean weighted by :math:`k_b`.
    """
    n, k = S.n, sample_size(S, sample)

    def compute() -> tuple[np.ndarray, np.ndarray | None]:
        if n < 3:
            return np.zeros(n), (None if k is None else np.zeros((1, n)))
        parts = _betweenness_searches(S, k, seed, jobs(n_jobs))
        g = S.igraph()
        found = searches("betweenness", [(g, options) for _, options in parts], n_jobs)
        # igraph counts an undirected pair once, networkx's Brandes sums both directions
        pairs = 1.0 if S.directed else 2.0
        if k is None:
            raw = np.zeros(n)
            for (times, _), part in zip(parts, found, strict=True):
                raw += times * np.asarray(part, float)
            if not S.directed:
                _, parent, _ = leaves(S)
                np.add.at(raw, parent, (_component_sizes(S)[parent] - 2) / 2)
            return raw * pairs / ((n - 1) * (n - 2)), None
        scale = np.full(n, pairs / (k * (n - 2)))
        scale[_sources(S, k, seed)] = pairs / ((k - 1) * (n - 2)) if k > 1 else np.nan
        batches = np.array([np.asarray(part, float) for part in found])
        sizes = np.array([len(options["sources"]) for _, options in parts], float)
        return batches.sum(axis=0) * scale, batches * (k / sizes)[:, None] * scale

    return S.memo(("betweenness", k, seed if k is not None else None), compute)


def batch_error(batches: np.ndarray, k: int, n: int) -> np.ndarray:
    """The standard error of a k-source estimate from the estimates of its batches (rows of
    `batches`, of sources split as :func:`betweenness_estimate` splits them).

    With :math:`E_b` batch b's estimate from :math:`k_b` sources and :math:`E` the
    estimate, :math:`\\sqrt{(1 - k/n) \\sum_b k_b (E_b - E)^2 / ((B - 1) k)}`: the
    batch-means estimate of a sample mean's variance, with the finite-population
    correction of sources drawn without replacement; ``NaN`` with one batch.
    """
    count = len(batches)
    if count < 2:
        return np.full(batches.shape[1:], np.nan)
    sizes = np.array([len(part) for part in np.array_split(np.arange(k), count)], float)
    mean = np.tensordot(sizes, batches, axes=1) / k
    spread = np.tensordot(sizes, (batches - mean) ** 2, axes=1)
    return np.sqrt(spread / ((count - 1) * k) * (1 - k / n))


def _sources(S: Simple, k: int, seed: int | None) -> list[int]:
    """The sources of the k-source estimate: networkx's for the same seed."""
    return random.Random(seed).sample(range(S.n), k)


def _betweenness_searches(
    S: Simple, k: int | None, seed: int | None, count: int
) -> list[tuple[float, dict[str, Any]]]:
    """igraph's betweenness searches that :func:`betweenness` sums: (times counted, options),
    the sources of each count in `count` parts; the k sources of an estimate in
    :data:`ESTIMATE_BATCHES` batches (for its error), whatever `count`.

    Exact betweenness of an undirected graph leaves its leaves out as sources. A leaf ℓ on
    neighbour p sees every other node through p, so its dependencies are p's
    (:math:`\\delta_\\ell(v) = \\delta_p(v)`, v ≠ p) plus :math:`r - 2` on p, r being
    the size of the component: p's paths are counted once more per leaf, and p gains
    :math:`(r - 2)/2` per leaf (igraph counts an undirected pair once; added by
    :func:`betweenness`). Exact, and a breadth-first search fewer per leaf.
    """
    if S.n < 3:
        return []
    options = {"directed": S.directed, "weights": S.lengths()}
    if k is not None:
        sources = np.array(_sources(S, k, seed))
        return [
            (1.0, {**options, "sources": part.tolist()})
            for part in np.array_split(sources, _batches(k))
        ]
    times = np.ones(S.n)
    if not S.directed:
        leaf, parent, _ = leaves(S)
        times[leaf] = 0.0
        np.add.at(times, parent, 1.0)
    return [
        (float(w), {**options, "sources": part.tolist()})
        for w in np.unique(times[times > 0])
        for part in _parts(np.flatnonzero(times == w), count)
    ]


def _parts(nodes: np.ndarray, count: int) -> list[np.ndarray]:
    """`nodes` in `count` parts (fewer for few nodes), in order."""
    return np.array_split(nodes, min(count, max(len(nodes), 1)))


def _closeness_searches(S: Simple, mode: str, count: int) -> list[dict[str, Any]]:
    """igraph's closeness searches of :func:`closeness_parts` (options), in node order, in
    `count` parts. Directed: the unscaled then the scaled closeness of every node.
    Undirected: the unscaled closeness of the nodes but leaves."""
    if S.directed:
        return [
            {"vertices": part.tolist(), "mode": mode, "weights": S.lengths(), "normalized": scaled}
            for scaled in (False, True)
            for part in _parts(np.arange(S.n), count)
        ]
    leaf, _, _ = leaves(S)
    others = np.setdiff1d(np.arange(S.n), leaf)
    return [
        {"vertices": part.tolist(), "weights": S.lengths(), "normalized": False}
        for part in _parts(others, count)
    ]


def closeness_parts(S: Simple, mode: str, n_jobs: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per node: the sum of distances to (``in``) or from (``out``) the nodes it reaches,
    and how many it reaches (itself not counted); searched in `n_jobs` processes
    (:func:`~cobuild_graph._jobs.jobs`).

    In an undirected graph a leaf ℓ on neighbour p, joined by a link of length w, has
    :math:`\\sum_x d(\\ell, x) = \\sum_x d(p, x) + (r - 2) w`: leaves are not searched from.
    """

    def compute() -> tuple[np.ndarray, np.ndarray]:
        g = S.igraph()
        options = _closeness_searches(S, mode, jobs(n_jobs))
        found = [
            np.asarray(part, float)
            for part in searches("closeness", [(g, o) for o in options], n_jobs)
        ]
        sums = np.zeros(S.n)
        if S.directed:
            half = len(found) // 2
            inverse, scaled = np.concatenate(found[:half]), np.concatenate(found[half:])
            reached = np.nan_to_num(inverse) > 0
            sums[reached] = 1.0 / inverse[reached]
            return sums, np.rint(np.nan_to_num(scaled) * sums)
        leaf, parent, length = leaves(S)
        size = _component_sizes(S)
        others = np.setdiff1d(np.arange(S.n), leaf)
        inverse = np.concatenate(found)
        reached = np.nan_to_num(inverse) > 0
        sums[others[reached]] = 1.0 / inverse[reached]
        sums[leaf] = sums[parent] + (size[parent] - 2) * length
        return sums, size - 1.0

    return S.memo(("closeness", mode if S.directed else "all"), compute)


def _closeness(S: Simple, mode: str = "in", n_jobs: int = 1) -> np.ndarray:
    """networkx's closeness (Wasserman–Faust scaling for unreachable nodes)."""
    sums, reach = closeness_parts(S, mode, n_jobs)
    if S.n < 2:
        return np.zeros(S.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = reach * reach / (sums * (S.n - 1))
    return np.where(sums > 0, value, 0.0)


def _eigenvector(S: Simple) -> np.ndarray:
    def compute() -> np.ndarray:
        if S.n == 0:
            return np.zeros(0)
        # ARPACK starts from igraph's random numbers: seeded, the same graph gives the same
        # digits in every run
        with quiet_igraph(), seeded(0):
            values = np.asarray(S.igraph().eigenvector_centrality(weights=S.strengths()))
        norm = np.linalg.norm(values)
        return np.abs(values / norm) if norm > 0 else values

    return S.memo("eigenvector", compute)


def pagerank(S: Simple, alpha: float) -> np.ndarray:
    def compute() -> np.ndarray:
        # ARPACK, seeded: PRPACK's last digits differ from one call to the next
        with seeded(0):
            return np.asarray(
                S.igraph().pagerank(
                    directed=S.directed,
                    damping=alpha,
                    weights=S.strengths(),
                    implementation="arpack",
                )
            )

    return S.memo(("pagerank", alpha), compute)


def centrality(
    G: nx.Graph,
    *,
    weight: str | None = None,
    directed: bool = False,
    alpha: float = 0.85,
    betweenness_sample: int | None = None,
    seed: int | None = 0,
    closeness: bool = True,
    view: str | None = None,
    schema: Schema | None = None,
    n_jobs: int = 1,
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
    view
        The network to measure, a view of `G` (:func:`cobuild_graph.views.view`:
        ``"cobuilding"`` leaves the hierarchy out); `G` as given when ``None``.
    schema
        For `view`: the roles of the tie types.
    n_jobs
        Processes for the searches of betweenness and closeness: ``1`` (the default) in
        this process, ``-1`` one per CPU this process may use, ``-2`` all but one
        (the convention of joblib and scikit-learn). The values are the same either way
        (sums taken in another order may differ in the last bits, below 1e-12).

    Returns
    -------
    pandas.DataFrame
        Indexed by node id: ``degree``, ``betweenness``, ``closeness``, ``eigenvector``,
        ``pagerank`` (directed: ``in_degree``, ``out_degree``, ``betweenness``,
        ``in_closeness``, ``out_closeness``, ``eigenvector``, ``pagerank``), then
        ``strength`` when `weight` is given, and ``betweenness_se`` with
        `betweenness_sample`: the estimate's standard error per node (from
        :data:`ESTIMATE_BATCHES` batches of the sources, see :func:`betweenness_estimate`).
        ``.attrs["caveats"]``: with `betweenness_sample`, that betweenness is an estimate
        (Chinese, then English); ``.attrs["estimates"]``: the columns that are estimates,
        each with how (``{}`` when every value is exact).

    Examples
    --------
    >>> table = centrality(nx.florentine_families_graph())
    >>> round(float(table.loc["Medici", "betweenness"]), 3)
    0.522
    """
    G = views.view(G, view, schema=schema)
    S = Simple.of(G, weight=weight, directed=directed)
    n = S.n
    scale = 1.0 / (n - 1) if n > 1 else 0.0
    columns: dict[str, np.ndarray] = {}
    if directed:
        columns["in_degree"] = S.degree("in") * scale
        columns["out_degree"] = S.degree("out") * scale
    else:
        columns["degree"] = S.degree() * scale
    skipped = np.full(n, np.nan)
    near = {
        mode: _closeness(S, mode, n_jobs) if closeness else skipped
        for mode in (("in", "out") if directed else ("in",))
    }
    columns["betweenness"], batches = betweenness_estimate(S, betweenness_sample, seed, n_jobs)
    if directed:
        columns["in_closeness"], columns["out_closeness"] = near["in"], near["out"]
    else:
        columns["closeness"] = near["in"]
    columns["eigenvector"] = _eigenvector(S)
    columns["pagerank"] = pagerank(S, alpha)
    if weight is not None and S.weight is not None:
        ends = np.concatenate([S.source, S.target])
        columns["strength"] = np.bincount(
            ends, weights=np.concatenate([S.weight, S.weight]), minlength=n
        )
    if batches is not None:
        k = sample_size(S, betweenness_sample)
        columns["betweenness_se"] = batch_error(batches, k, n)
    out = pd.DataFrame(columns, index=node_index(S.nodes))
    out.attrs["caveats"] = betweenness_caveats(S, betweenness_sample, seed)
    out.attrs["estimates"] = betweenness_estimates(S, betweenness_sample)
    return out
