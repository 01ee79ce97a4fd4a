"""Centrality in a two-mode network, with Borgatti and Everett's normalisations."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph.metrics._centrality import (
    batch_error,
    betweenness_caveats,
    betweenness_estimate,
    betweenness_estimates,
)
from cobuild_graph.metrics._simple import Simple, node_index, quiet_igraph


def two_mode_centrality(
    G: nx.Graph,
    *,
    top: Iterable[Hashable] | None = None,
    betweenness_sample: int | None = None,
    closeness: bool = True,
    seed: int | None = 0,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Degree, closeness and betweenness of both modes of a two-mode network.

    The measures of ``networkx.algorithms.bipartite``, which normalise each mode by
    the largest value possible in a two-mode network of those mode sizes (Borgatti, S. P.
    & Everett, M. G. 1997. Network analysis of 2-mode data. *Social Networks* 19,
    243–269): with :math:`n_0` nodes in a node's own mode and :math:`n_1` in the other,

    - ``degree``: :math:`d_i / n_1` (``bipartite.degree_centrality``);
    - ``closeness``: :math:`(n_1 + 2(n_0 - 1)) / \\sum_j d(i, j)` over the nodes it
      reaches, scaled by the share reached (``bipartite.closeness_centrality``'s formula,
      the distances searched by igraph);
    - ``betweenness``: Freeman's count (unordered pairs) over its two-mode maximum
      :math:`\frac12 [n_1^2 (s + 1)^2 + n_1 (s + 1)(2t - s - 1) - t (2s - t + 3)]`, with
      :math:`s, t` the quotient and remainder of :math:`(n_0 - 1) / n_1`
      (``bipartite.betweenness_centrality``'s normalisation of Freeman's count, which igraph
      computes here: networkx's pure-Python count takes seconds on a few thousand nodes).
      With `betweenness_sample` = k, Freeman's count is estimated from k sources as
      :func:`centrality` estimates it (networkx's k-source estimate), then normalised the
      same way.

    ``.attrs["density"]`` is the two-mode density: links over :math:`n_0 n_1`
    (``bipartite.density``).

    Parameters
    ----------
    G
        A bipartite graph, e.g. :func:`two_mode` (units × streets), with two nodes or more
        in each mode; directions and parallel ties are ignored.
    top
        The nodes of one mode; by default the nodes whose ``bipartite`` attribute is 0.
    betweenness_sample
        Estimate betweenness from this many sampled source nodes (`seed`); exact when
        ``None`` or not fewer than the nodes.
    closeness
        ``False`` leaves the closeness column empty (``NaN``): its exact search runs from
        every node.
    seed
        Seed of the betweenness sources.
    n_jobs
        Processes for the sampled betweenness searches (joblib's convention).

    Returns
    -------
    pandas.DataFrame
        Indexed by node id (graph order): ``mode`` (0 for `top`, 1 for the others),
        ``degree``, ``closeness``, ``betweenness``, and with `betweenness_sample` its
        standard error ``betweenness_se`` (as in :func:`centrality`). ``.attrs``:
        ``density``, ``top``, ``bottom`` (mode sizes), ``caveats`` (that betweenness is an
        estimate, that closeness is left out; Chinese, then English), ``estimates`` (the
        columns that are estimates, each with how).
    """
    S = Simple.of(G)  # undirected, without self-loops and parallel ties
    if top is None:
        top = [v for v, side in G.nodes(data="bipartite") if side == 0]
        if not top:
            raise ValueError("no node has bipartite=0: pass top=, the nodes of one mode")
    top = set(top)
    missing = top - set(S.nodes)
    if missing:
        raise ValueError(f"top has nodes that are not in the graph: {sorted(missing, key=str)[:5]}")
    in_top = np.fromiter((v in top for v in S.nodes), dtype=bool, count=S.n)
    if (in_top[S.source] == in_top[S.target]).any():
        raise ValueError(
            "the graph is not two-mode with these modes: a tie joins two nodes of one mode"
        )
    n_top, n_bottom = len(top), S.n - len(top)
    if min(n_top, n_bottom) < 2:
        raise ValueError(
            f"each mode needs two nodes or more (here {n_top} and {n_bottom}): "
            "the two-mode normalisations divide by the other mode's possible paths"
        )
    # bipartite.degree_centrality multiplies by the reciprocal of the other mode's size
    scale = np.where(in_top, 1.0 / n_bottom, 1.0 / n_top)
    between, error = _betweenness(S, in_top, betweenness_sample, seed, n_jobs)
    out = pd.DataFrame(
        {
            "mode": np.where(in_top, 0, 1),
            "degree": S.degree() * scale,
            "closeness": _closeness(S, in_top) if closeness else np.full(S.n, np.nan),
            "betweenness": between,
            **({} if error is None else {"betweenness_se": error}),
        },
        index=node_index(S.nodes),
    )
    caveats = betweenness_caveats(S, betweenness_sample, seed)
    if not closeness:
        caveats.append(
            "接近中心性未计算（须从每个节点搜索） closeness is not computed: its search runs "
            "from every node"
        )
    out.attrs.update(
        density=len(S.source) / (n_top * n_bottom) if len(S.source) else 0.0,
        top=n_top,
        bottom=n_bottom,
        caveats=caveats,
        estimates=betweenness_estimates(S, betweenness_sample),
    )
    return out


def _closeness(S: Simple, in_top: np.ndarray) -> np.ndarray:
    """``nx.bipartite.closeness_centrality``: (n_1 + 2(n_0 − 1)) over the sum of distances
    (igraph's), times the share of the other nodes reached."""
    g = S.igraph()
    with quiet_igraph():
        inverse = np.nan_to_num(np.asarray(g.closeness(normalized=False), dtype=float))
    reached = np.bincount(S.components())[S.components()] - 1.0
    n_top = int(in_top.sum())
    n_bottom = S.n - n_top
    own, other = np.where(in_top, n_top, n_bottom), np.where(in_top, n_bottom, n_top)
    return (other + 2 * (own - 1)) * inverse * reached / (S.n - 1)


def _betweenness(
    S: Simple, in_top: np.ndarray, sample: int | None, seed: int | None, n_jobs: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """``nx.bipartite.betweenness_centrality``: igraph's count of unordered pairs (or its
    k-source estimate), over the largest count possible in each mode (Borgatti & Everett
    1997); and the estimate's standard error (``None`` when exact)."""
    n = S.n
    n_top = int(in_top.sum())
    most = np.where(in_top, _most(n_top, n - n_top), _most(n - n_top, n_top))
    if sample is None or not betweenness_caveats(S, sample, seed):  # exact
        return np.asarray(S.igraph().betweenness(directed=False), dtype=float) / most, None
    # an estimate: networkx's, unnormalised
    values, batches = betweenness_estimate(S, sample, seed, n_jobs)
    pairs = (n - 1) * (n - 2) / 2
    error = None if batches is None else batch_error(batches, sample, n) * pairs / most
    return values * pairs / most, error


def _most(own: int, other: int) -> float:
    """The largest betweenness of a node in a mode of `own` nodes facing `other` nodes."""
    s, t = divmod(own - 1, other)
    return (other**2 * (s + 1) ** 2 + other * (s + 1) * (2 * t - s - 1) - t * (2 * s - t + 3)) / 2
