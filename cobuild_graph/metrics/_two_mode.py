"""Centrality in a two-mode network, with Borgatti and Everett's normalisations."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import pandas as pd

from cobuild_graph.metrics._simple import node_index


def two_mode_centrality(G: nx.Graph, *, top: Iterable[Hashable] | None = None) -> pd.DataFrame:
    """Degree, closeness and betweenness of both modes of a two-mode network.

    A thin wrapper of ``networkx.algorithms.bipartite``, which normalises each mode by
    the largest value possible in a two-mode network of those mode sizes (Borgatti, S. P.
    & Everett, M. G. 1997. Network analysis of 2-mode data. *Social Networks* 19,
    243–269): with :math:`n_0` nodes in a node's own mode and :math:`n_1` in the other,

    - ``degree``: :math:`d_i / n_1` (``bipartite.degree_centrality``);
    - ``closeness``: :math:`(n_1 + 2(n_0 - 1)) / \\sum_j d(i, j)` over the nodes it
      reaches, scaled by the share reached (``bipartite.closeness_centrality``);
    - ``betweenness``: Freeman's count (unordered pairs) over its two-mode maximum
      :math:`\frac12 [n_1^2 (s + 1)^2 + n_1 (s + 1)(2t - s - 1) - t (2s - t + 3)]`, with
      :math:`s, t` the quotient and remainder of :math:`(n_0 - 1) / n_1`
      (``bipartite.betweenness_centrality``).

    ``.attrs["density"]`` is the two-mode density: links over :math:`n_0 n_1`
    (``bipartite.density``).

    Parameters
    ----------
    G
        A bipartite graph, e.g. :func:`two_mode` (units × streets), with two nodes or more
        in each mode; directions and parallel ties are ignored.
    top
        The nodes of one mode; by default the nodes whose ``bipartite`` attribute is 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id (graph order): ``mode`` (0 for `top`, 1 for the others),
        ``degree``, ``closeness``, ``betweenness``. ``.attrs``: ``density``, ``top``,
        ``bottom`` (mode sizes).
    """
    B = nx.Graph(G)
    B.remove_edges_from(nx.selfloop_edges(B))
    if top is None:
        top = [v for v, side in B.nodes(data="bipartite") if side == 0]
        if not top:
            raise ValueError("no node has bipartite=0: pass top=, the nodes of one mode")
    top = set(top)
    missing = top - set(B)
    if missing:
        raise ValueError(f"top has nodes that are not in the graph: {sorted(missing, key=str)[:5]}")
    try:
        two_modes = nx.bipartite.is_bipartite_node_set(B, top)
    except nx.NetworkXError:  # not bipartite at all
        two_modes = False
    if not two_modes:
        raise ValueError(
            "the graph is not two-mode with these modes: a tie joins two nodes of one mode"
        )
    if min(len(top), len(B) - len(top)) < 2:
        raise ValueError(
            f"each mode needs two nodes or more (here {len(top)} and {len(B) - len(top)}): "
            "the two-mode normalisations divide by the other mode's possible paths"
        )
    out = pd.DataFrame(
        {
            "mode": [0 if v in top else 1 for v in B],
            "degree": pd.Series(nx.bipartite.degree_centrality(B, top)),
            "closeness": pd.Series(nx.bipartite.closeness_centrality(B, top)),
            "betweenness": pd.Series(nx.bipartite.betweenness_centrality(B, top)),
        },
        index=node_index(list(B)),
    )
    out.attrs.update(
        density=nx.bipartite.density(B, top), top=len(top), bottom=B.number_of_nodes() - len(top)
    )
    return out
