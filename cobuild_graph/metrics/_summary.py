"""The whole network in one table, and Freeman's centralisation of a centrality."""

from __future__ import annotations

from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph import views
from cobuild_graph.metrics._centrality import (
    batch_error,
    betweenness_caveats,
    betweenness_estimate,
    closeness_parts,
    sample_size,
)
from cobuild_graph.metrics._simple import Simple, quiet_igraph
from cobuild_graph.schema import Schema


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
    >>> from cobuild_graph.metrics import centrality
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
    view: str | None = None,
    schema: Schema | None = None,
    n_jobs: int = 1,
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
    view
        The network to measure, a view of `G` (:func:`cobuild_graph.views.view`:
        ``"cobuilding"`` leaves the hierarchy out); `G` as given when ``None``.
    schema
        For `view`: the roles of the tie types.
    n_jobs
        Processes for the searches of the betweenness centralisation and the average path
        length, as in :func:`centrality`: ``1`` in this process, ``-1`` one per CPU.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``measure``, columns ``value`` and ``description``. The measures:
        ``nodes``; ``ties`` (as given, parallel ties counted); ``links`` (of the simple
        graph); ``density`` :math:`2L / (n(n-1))`; ``components``;
        ``largest_component_share``; ``diameter`` and ``average_path_length`` of the
        largest component (``nx.diameter``, ``nx.average_shortest_path_length``);
        ``degree_centralization`` and ``betweenness_centralization`` (Freeman, see
        :func:`freeman_centralization`), with `betweenness_sample` followed by
        ``betweenness_centralization_se``, the standard error of the estimate from the
        spread of its batches of sources (as ``betweenness_se`` of :func:`centrality`);
        ``average_clustering`` (isolates and leaves count 0, ``nx.average_clustering``;
        Watts & Strogatz 1998) and ``transitivity``
        (``nx.transitivity``); ``degree_assortativity`` (Newman 2002, *PRL* 89, 208701),
        ``label_assortativity`` and ``{attribute}_assortativity`` (Newman 2003, *PRE* 67,
        026126). ``.attrs["caveats"]``: with `betweenness_sample`, that betweenness is an
        estimate; ``.attrs["estimates"]``: the measures that are estimates, each with how
        (``{}`` when every value is exact).
    """
    G = views.view(G, view, schema=schema)
    S = Simple.of(G)
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
    sums = closeness_parts(S, "all", n_jobs)[0] if paths else None
    between, batches = betweenness_estimate(S, betweenness_sample, seed, n_jobs)
    k = sample_size(S, betweenness_sample)
    centralizations = [] if batches is None else [freeman_centralization(b, n - 1) for b in batches]
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
            freeman_centralization(between, n - 1),
            "Freeman: sum(max - c) / (n - 1), normalised betweenness"
            + (f" (estimate, {k} sources)" if k is not None else ""),
        ),
        *(
            [
                (
                    "betweenness_centralization_se",
                    float(batch_error(np.array([centralizations]).T, k, n)[0]),
                    f"standard error of the estimate, from {len(batches)} batches of sources",
                )
            ]
            if batches is not None and k is not None
            else []
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
    out = pd.DataFrame(rows, columns=["measure", "value", "description"], dtype=object)
    out = out.set_index("measure")
    out.attrs["caveats"] = betweenness_caveats(S, betweenness_sample, seed)
    out.attrs["estimates"] = (
        {}
        if k is None
        else {
            "betweenness_centralization": f"{k} / {n} sources, standard error in "
            "betweenness_centralization_se (the upward bias of an estimate's maximum is "
            "not corrected)"
        }
    )
    return out


def _diameter(S: Simple, in_largest: np.ndarray) -> float:
    """Exact diameter of the largest component by iFUB (Crescenzi, Grossi, Habib, Lanzi &
    Marino 2013, *Theoretical Computer Science* 514, 84), from the node of highest degree.

    Nodes are taken by their distance from that centre, farthest first, a level at a time,
    and their eccentricities searched (igraph). Once the largest found reaches twice the
    next level, no pair nearer the centre can be farther apart: the search stops, typically
    after a few levels instead of one search from every node.
    """
    if in_largest.sum() < 2:
        return 0.0 if in_largest.sum() == 1 else float("nan")

    def compute() -> float:
        g = S.igraph()
        members = np.flatnonzero(in_largest)
        centre = int(members[np.argmax(S.degree()[members])])
        level = np.asarray(g.distances(source=[centre])[0])[members].astype(int)
        longest = int(level.max())
        for i in range(longest, 0, -1):
            with quiet_igraph():
                found = g.eccentricity(vertices=members[level == i].tolist())
            longest = max(longest, int(max(found)))
            if longest >= 2 * (i - 1):
                break
        return float(longest)

    return S.memo("diameter", compute)


def _assortativity_degree(g: ig.Graph) -> float:
    with quiet_igraph(), np.errstate(all="ignore"):
        value = g.assortativity_degree(directed=False) if g.ecount() else float("nan")
    return float(value)


def _assortativity(S: Simple, G: nx.Graph, attribute: str) -> float:
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
    with quiet_igraph(), np.errstate(all="ignore"):
        if numeric:
            result = g.assortativity(kept.astype(float).tolist(), directed=False)
        else:
            codes = pd.factorize(kept.astype(str))[0].tolist()
            result = g.assortativity_nominal(codes, directed=False)
    return float(result) if g.ecount() else float("nan")
