"""General measures: published values, equality with networkx, brokerage against sna."""

from __future__ import annotations

import itertools
import math
import os
import random
import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from cobuild_graph import domain, metrics
from cobuild_graph.metrics import BROKERAGE_ROLES, _groups
from tests._handmade import handmade

TOL = 1e-9


def as_series(values: dict, index: pd.Index) -> pd.Series:
    return pd.Series(values).reindex(index).astype(float)


def assert_close(ours: pd.Series, theirs: dict, tol: float = TOL) -> None:
    expected = as_series(theirs, ours.index)
    np.testing.assert_allclose(ours.to_numpy(float), expected.to_numpy(), atol=tol, rtol=0)


def pagerank_reference(G: nx.Graph, weight: str | None = None, alpha: float = 0.85) -> dict:
    """PageRank as the leading left eigenvector of networkx's Google matrix (no scipy)."""
    nodes = list(G)
    M = nx.google_matrix(G, alpha=alpha, nodelist=nodes, weight=weight)
    values, vectors = np.linalg.eig(M.T)
    v = np.real(vectors[:, np.argmax(np.real(values))])
    return dict(zip(nodes, v / v.sum(), strict=True))


def graphs_with_leaves(seed: int) -> nx.Graph:
    """A sparse random graph with leaves, a pair, an isolate and tie weights."""
    rng = random.Random(seed)
    G = nx.gnp_random_graph(50, 0.06, seed=seed)
    for i in range(25):
        G.add_edge(100 + i, rng.randrange(50))
    G.add_edge("pair-a", "pair-b")
    G.add_node("isolate")
    for u, v in G.edges():
        # reciprocals exact in binary: equal path lengths stay equal in floating point
        G[u][v]["weight"] = rng.choice([0.5, 1.0, 2.0, 4.0])
        G[u][v]["length"] = 1 / G[u][v]["weight"]
    return G


# -- published values ---------------------------------------------------------------------


def test_florentine_families_medici_betweenness() -> None:
    # Padgett's Florentine marriage network: the Medici's normalised betweenness is 0.522
    # (Padgett & Ansell 1993; e.g. Wasserman & Faust 1994 use the same network)
    table = metrics.centrality(nx.florentine_families_graph())
    assert table.loc["Medici", "betweenness"] == pytest.approx(0.522, abs=5e-4)
    assert table["betweenness"].idxmax() == "Medici"
    assert table.loc["Medici", "degree"] == pytest.approx(6 / 14)


def test_krackhardt_kite_known_values() -> None:
    # Krackhardt (1990): Heather brokers most, Fernando and Garth are closest
    table = metrics.centrality(nx.krackhardt_kite_graph())
    betweenness = [0.023, 0.023, 0.0, 0.102, 0.0, 0.231, 0.231, 0.389, 0.222, 0.0]
    closeness = [0.529, 0.529, 0.5, 0.6, 0.5, 0.643, 0.643, 0.6, 0.429, 0.31]
    np.testing.assert_allclose(table["betweenness"], betweenness, atol=1e-3)
    np.testing.assert_allclose(table["closeness"], closeness, atol=1e-3)
    assert table["degree"].idxmax() == 3  # Diane has six ties


# -- equality with networkx -------------------------------------------------------------------


@pytest.mark.parametrize(
    "G",
    [
        nx.florentine_families_graph(),
        nx.karate_club_graph(),
        graphs_with_leaves(1),
        graphs_with_leaves(2),
    ],
    ids=["florentine", "karate", "leaves-1", "leaves-2"],
)
def test_centrality_equals_networkx(G: nx.Graph) -> None:
    table = metrics.centrality(G)
    assert list(table.columns) == ["degree", "betweenness", "closeness", "eigenvector", "pagerank"]
    assert list(table.index) == list(G)
    assert_close(table["degree"], nx.degree_centrality(G))
    assert_close(table["betweenness"], nx.betweenness_centrality(G))
    assert_close(table["closeness"], nx.closeness_centrality(G))
    eigen = nx.eigenvector_centrality(G, max_iter=100_000, tol=1e-14)
    assert_close(table["eigenvector"], eigen, tol=1e-7)
    assert_close(table["pagerank"], pagerank_reference(G))


@pytest.mark.parametrize("seed", [3, 4])
def test_weighted_centrality_uses_strengths_and_inverse_lengths(seed: int) -> None:
    G = graphs_with_leaves(seed)
    table = metrics.centrality(G, weight="weight")
    assert_close(table["betweenness"], nx.betweenness_centrality(G, weight="length"))
    assert_close(table["closeness"], nx.closeness_centrality(G, distance="length"))
    assert_close(table["pagerank"], pagerank_reference(G, weight="weight"))
    eigen = nx.eigenvector_centrality(G, weight="weight", max_iter=100_000, tol=1e-14)
    assert_close(table["eigenvector"], eigen, tol=1e-7)
    assert_close(table["strength"], dict(G.degree(weight="weight")))


def test_directed_centrality_equals_networkx() -> None:
    D = nx.gnp_random_graph(40, 0.08, seed=7, directed=True)
    table = metrics.centrality(D, directed=True)
    assert list(table.columns) == [
        "in_degree",
        "out_degree",
        "betweenness",
        "in_closeness",
        "out_closeness",
        "eigenvector",
        "pagerank",
    ]
    assert_close(table["in_degree"], nx.in_degree_centrality(D))
    assert_close(table["out_degree"], nx.out_degree_centrality(D))
    assert_close(table["betweenness"], nx.betweenness_centrality(D))
    assert_close(table["in_closeness"], nx.closeness_centrality(D))
    assert_close(table["out_closeness"], nx.closeness_centrality(D.reverse()))
    assert_close(table["pagerank"], pagerank_reference(D))


@pytest.mark.parametrize("directed", [False, True])
def test_betweenness_sample_equals_networkx_estimate(directed: bool) -> None:
    G = nx.gnp_random_graph(60, 0.08, seed=11, directed=directed)
    for k, seed in [(5, 1), (20, 2)]:
        table = metrics.centrality(G, directed=directed, betweenness_sample=k, seed=seed)
        assert_close(table["betweenness"], nx.betweenness_centrality(G, k=k, seed=seed))
    exact = metrics.centrality(G, directed=directed, betweenness_sample=len(G))
    assert_close(exact["betweenness"], nx.betweenness_centrality(G))


def test_multigraph_collapses_to_a_simple_graph() -> None:
    M = nx.MultiDiGraph()
    M.add_edge("a", "b", key="PAIRED_WITH", weight=2.0)
    M.add_edge("b", "a", key="SUPPORTS", weight=1.0)
    M.add_edge("b", "c", key="PART_OF")  # no weight: counts 1
    M.add_edge("c", "c", key="SELF")
    H = metrics.simple_graph(M, weight="weight")
    assert sorted(H.edges(data="weight")) == [("a", "b", 3.0), ("b", "c", 1.0)]
    D = metrics.simple_graph(M, directed=True)
    assert sorted(D.edges()) == [("a", "b"), ("b", "a"), ("b", "c")]
    table = metrics.centrality(M)
    assert table.loc["b", "degree"] == 1.0  # two neighbours of two possible
    with pytest.raises(ValueError, match="must sum to a positive number"):
        metrics.centrality(nx.Graph([("a", "b", {"weight": -1.0})]), weight="weight")


def test_path_measures_can_be_left_out() -> None:
    G = nx.karate_club_graph()
    table = metrics.centrality(G, closeness=False)
    assert table["closeness"].isna().all()
    assert_close(table["betweenness"], nx.betweenness_centrality(G))
    summary = metrics.summary(G, paths=False)
    assert summary.loc[["diameter", "average_path_length"], "value"].isna().all()
    assert summary.loc["components", "value"] == 1


def test_betweenness_sample_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive number of sources"):
        metrics.centrality(nx.path_graph(5), betweenness_sample=0)


def test_summary_equals_networkx() -> None:
    G = graphs_with_leaves(5)
    nx.set_node_attributes(G, {v: "a" if str(v) < "5" else "b" for v in G}, "label")
    nx.set_node_attributes(G, {v: float(G.degree(v) % 3) for v in G}, "score")
    table = metrics.summary(G, attribute="score")["value"]
    largest = G.subgraph(max(nx.connected_components(G), key=len))
    assert table["nodes"] == len(G)
    assert table["links"] == G.number_of_edges()
    assert table["density"] == pytest.approx(nx.density(G))
    assert table["components"] == nx.number_connected_components(G)
    assert table["largest_component_share"] == pytest.approx(len(largest) / len(G))
    assert table["diameter"] == nx.diameter(largest)
    assert table["average_path_length"] == pytest.approx(
        nx.average_shortest_path_length(largest), abs=TOL
    )
    assert table["average_clustering"] == pytest.approx(nx.average_clustering(G), abs=TOL)
    assert table["transitivity"] == pytest.approx(nx.transitivity(G), abs=TOL)
    assert table["degree_assortativity"] == pytest.approx(
        nx.degree_assortativity_coefficient(G), abs=TOL
    )
    assert table["label_assortativity"] == pytest.approx(
        nx.attribute_assortativity_coefficient(G, "label"), abs=TOL
    )
    assert table["score_assortativity"] == pytest.approx(
        nx.numeric_assortativity_coefficient(G, "score"), abs=TOL
    )


@pytest.mark.parametrize(
    "G",
    [
        nx.path_graph(9),
        nx.cycle_graph(12),
        nx.barbell_graph(6, 5),
        nx.lollipop_graph(7, 9),
        nx.grid_2d_graph(6, 9),
        nx.random_labeled_tree(80, seed=4),
        nx.connected_watts_strogatz_graph(120, 4, 0.05, seed=5),
        *(nx.gnm_random_graph(150, m, seed=m) for m in (160, 220, 400)),
        graphs_with_leaves(7),
    ],
    ids=lambda G: f"{len(G)}-{G.number_of_edges()}",
)
def test_diameter_of_the_largest_component_equals_networkx(G: nx.Graph) -> None:
    largest = G.subgraph(max(nx.connected_components(G), key=len))
    assert metrics.summary(G).loc["diameter", "value"] == nx.diameter(largest)


def test_freeman_centralization_is_one_for_a_star_and_zero_for_a_ring() -> None:
    star, ring = metrics.summary(nx.star_graph(6)), metrics.summary(nx.cycle_graph(7))
    assert star.loc["degree_centralization", "value"] == pytest.approx(1.0)
    assert star.loc["betweenness_centralization", "value"] == pytest.approx(1.0)
    assert ring.loc["degree_centralization", "value"] == pytest.approx(0.0)
    assert ring.loc["betweenness_centralization", "value"] == pytest.approx(0.0)
    # Florentine families: degree centralisation by hand. Medici has 6 ties of 14, the
    # degrees sum to 40 over 15 families: sum(max - c) = (15 * 6 - 40) / 14 = 50 / 14,
    # divided by n - 2 = 13
    florentine = metrics.summary(nx.florentine_families_graph())
    assert florentine.loc["degree_centralization", "value"] == pytest.approx(50 / 14 / 13)


def test_communities_are_seeded_and_their_modularity_is_networkx() -> None:
    G = nx.karate_club_graph()  # its ties carry weights: used only when asked
    for method in ("louvain", "leiden"):
        parts = metrics.communities(G, method=method, seed=3)
        again = metrics.communities(G, method=method, seed=3)
        pd.testing.assert_frame_equal(parts, again)
        groups = [set(g.index) for _, g in parts.groupby("community")]
        assert parts.attrs["modularity"] == pytest.approx(
            nx.community.modularity(G, groups, weight=None), abs=TOL
        )
        # the best known partition of the karate club has Q = 0.4198
        assert 0.38 <= parts.attrs["modularity"] <= 0.4198 + 1e-9
        sizes = parts["community"].value_counts().sort_index()
        assert sizes.is_monotonic_decreasing  # 0 is the largest
        assert parts.attrs["count"] == len(groups)
    reference = nx.community.louvain_communities(G, seed=3, weight=None)
    louvain = metrics.communities(G, seed=3)
    assert louvain.attrs["modularity"] == pytest.approx(
        nx.community.modularity(G, reference, weight=None), abs=0.03
    )
    weighted = metrics.communities(G, weight="weight", seed=1)
    weighted_groups = [set(g.index) for _, g in weighted.groupby("community")]
    assert weighted.attrs["modularity"] == pytest.approx(
        nx.community.modularity(G, weighted_groups, weight="weight"), abs=TOL
    )
    with pytest.raises(ValueError, match="unknown method"):
        metrics.communities(G, method="girvan")  # type: ignore[arg-type]


def test_kcore_and_cliques_equal_networkx() -> None:
    G = graphs_with_leaves(6)
    G.add_edges_from(itertools.combinations(["k1", "k2", "k3", "k4"], 2))
    assert metrics.kcore(G)["core"].to_dict() == nx.core_number(G)
    table = metrics.cliques(G, min_size=3)
    expected = {frozenset(c) for c in nx.find_cliques(G) if len(c) >= 3}
    assert {frozenset(m) for m in table["members"]} == expected
    assert table.loc[0, "size"] == 4
    assert table.loc[0, "members"] == ("k1", "k2", "k3", "k4")


@pytest.mark.parametrize("min_size", [1, 2, 3, 4])
@pytest.mark.parametrize("bundle", [1, 5, 4096])  # nodes searched at once
def test_cliques_equal_networkx_in_order(
    min_size: int, bundle: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_groups, "CLIQUE_BUNDLE", bundle)
    for seed in range(8):
        G = nx.gnp_random_graph(40, 0.08 + 0.02 * seed, seed=seed)
        G = nx.relabel_nodes(G, {v: f"n{v}" if v % 3 else v for v in G})  # text order
        G.add_edges_from(itertools.combinations(["k1", "k2", "k3", "k4", "k5"], 2))
        G.add_edges_from([("k1", "k2"), ("k1", "x"), ("k2", "x"), ("loop", "loop")])
        G.add_node("isolate")
        found = [sorted(c, key=str) for c in nx.find_cliques(G) if len(c) >= min_size]
        found.sort(key=lambda c: (-len(c), [str(x) for x in c]))
        table = metrics.cliques(G, min_size=min_size)
        assert table["members"].tolist() == [tuple(c) for c in found]
        assert table["size"].tolist() == [len(c) for c in found]
    assert metrics.cliques(nx.Graph()).empty
    assert metrics.cliques(nx.empty_graph(2), min_size=1)["members"].tolist() == [(0,), (1,)]


def test_structural_holes_equal_networkx() -> None:
    G = graphs_with_leaves(8)
    table = metrics.structural_holes(G)
    assert_close(table["constraint"].dropna(), nx.constraint(G))
    assert_close(table["effective_size"].dropna(), nx.effective_size(G))
    assert np.isnan(table.loc["isolate", "constraint"])
    assert table.loc[0, "efficiency"] == pytest.approx(
        nx.effective_size(G)[0] / G.degree(0), abs=TOL
    )
    weighted = metrics.structural_holes(G, weight="weight")
    assert_close(weighted["constraint"].dropna(), nx.constraint(G, weight="weight"))
    # networkx's per-node path (its whole-graph path scales by the wrong end's strongest tie)
    by_node = nx.effective_size(G, nodes=list(G), weight="weight")
    assert_close(weighted["effective_size"].dropna(), by_node)
    # a star's centre has effective size 5 and constraint 5 * (1/5)^2 = 0.2
    star = metrics.structural_holes(nx.star_graph(5))
    assert star.loc[0, "effective_size"] == pytest.approx(5.0)
    assert star.loc[0, "constraint"] == pytest.approx(0.2)


def burt_effective_size(G: nx.Graph, weight: str) -> dict:
    """Burt (1992, ch. 2) by hand: e_i = sum_j (1 - sum_q p_iq m_jq) over i's contacts j.

    z_ij is the strength of all ties between i and j in either direction; p_iq = z_iq over
    i's total, m_jq = z_jq over j's strongest z.
    """
    z: dict = {v: {} for v in G}
    for u, v, w in G.edges(data=weight, default=1.0):
        if u != v:
            z[u][v] = z[u].get(v, 0.0) + w
            z[v][u] = z[v].get(u, 0.0) + w
    sizes = {}
    for i in G:
        if not z[i]:
            sizes[i] = math.nan
            continue
        total = sum(z[i].values())
        size = 0.0
        for j in z[i]:
            strongest = max(z[j].values())
            redundancy = sum(z[i][q] / total * z[j].get(q, 0.0) / strongest for q in z[i] if q != j)
            size += 1 - redundancy
        sizes[i] = size
    return sizes


def test_weighted_effective_size_equals_burt_by_hand() -> None:
    # the ego: ties 1, 3, 1 to alters 1, 2, 3; alters 1-2 tied (1); 2 to an outsider (5)
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 1), (0, 2, 3), (0, 3, 1), (1, 2, 1), (2, 4, 5)])
    table = metrics.structural_holes(G, weight="weight")
    # 1 - 0.6 * 1/1 for alter 1, 1 - 0.2 * 1/5 for alter 2, 1 for alter 3
    assert table.loc[0, "effective_size"] == pytest.approx(2.36)
    assert table.loc[0, "efficiency"] == pytest.approx(2.36 / 3)
    assert_close(table["effective_size"], burt_effective_size(G, "weight"))
    for seed in range(20):
        rng = random.Random(seed)
        M = nx.MultiDiGraph()
        M.add_nodes_from(range(9))
        for _ in range(rng.randrange(5, 25)):
            M.add_edge(rng.randrange(9), rng.randrange(9), weight=rng.choice([0.5, 1, 2, 3, 7]))
        table = metrics.structural_holes(M, weight="weight")
        hand = burt_effective_size(M, "weight")
        assert_close(table["effective_size"], hand)
        simple = metrics.simple_graph(M, weight="weight")
        by_node = nx.effective_size(simple, nodes=list(M), weight="weight")
        assert_close(table["effective_size"].dropna(), by_node)
        degree = dict(simple.degree())
        efficiency = {v: hand[v] / degree[v] if degree[v] else math.nan for v in M}
        assert_close(table["efficiency"], efficiency)


# -- Gould–Fernandez brokerage ------------------------------------------------------------------


def brute_force_brokerage(G: nx.DiGraph, group: dict) -> pd.DataFrame:
    """Every path a -> b -> c with no a -> c, classified by the 1989 definitions."""
    counts = {v: dict.fromkeys(BROKERAGE_ROLES, 0) for v in G}
    for b in G:
        for a, c in itertools.product(G.predecessors(b), G.successors(b)):
            if a == c or G.has_edge(a, c):
                continue
            ga, gb, gc = group[a], group[b], group[c]
            if ga == gb == gc:
                role = "coordinator"
            elif ga == gc:
                role = "consultant"
            elif gb == gc:
                role = "gatekeeper"
            elif ga == gb:
                role = "representative"
            else:
                role = "liaison"
            counts[b][role] += 1
    return pd.DataFrame.from_dict(counts, orient="index")[list(BROKERAGE_ROLES)]


def test_brokerage_small_directed_example_by_hand() -> None:
    # A, B in group 1; C, D in group 2; ties A->B, B->C, C->D, D->A, A->C
    # broker A: D->A->B open (no D->B), groups 2 1 1: gatekeeper;
    #           D->A->C open (no D->C), groups 2 1 2: consultant (itinerant)
    # broker B: A->B->C closed by A->C: nothing
    # broker C: B->C->D open, 1 2 2: gatekeeper; A->C->D open, 1 2 2: gatekeeper
    # broker D: C->D->A open (no C->A), 2 2 1: representative
    D = nx.DiGraph([("A", "B"), ("B", "C"), ("C", "D"), ("D", "A"), ("A", "C")])
    table = metrics.brokerage(D, {"A": 1, "B": 1, "C": 2, "D": 2}, directed=True)
    assert table.loc["A"].to_dict() == {
        "coordinator": 0,
        "consultant": 1,
        "gatekeeper": 1,
        "representative": 0,
        "liaison": 0,
        "total": 2,
    }
    assert table.loc["B", "total"] == 0
    assert table.loc["C", "gatekeeper"] == 2
    assert table.loc["D", "representative"] == 1
    assert table["total"].sum() == 5
    # three groups on a path: the middle one is a liaison, twice when undirected
    path = nx.path_graph(["x", "y", "z"])
    groups = {"x": "g1", "y": "g2", "z": "g3"}
    assert metrics.brokerage(path, groups).loc["y", "liaison"] == 2
    assert metrics.brokerage(path.to_directed(), groups, directed=True).loc["y", "liaison"] == 2
    one_way = nx.DiGraph([("x", "y"), ("y", "z")])
    assert metrics.brokerage(one_way, groups, directed=True).loc["y", "liaison"] == 1


# R: set.seed(42); sna::rgraph / sample; sna::brokerage(g, cl) — sna 2.7-1 on R 4.2.2.
# raw.nli columns w_I, w_O, b_IO, b_OI, b_O, t: coordinator, consultant, representative,
# gatekeeper, liaison, total
SNA_UNDIRECTED = {
    "edges": [
        (0, 4),
        (0, 5),
        (0, 6),
        (0, 7),
        (1, 3),
        (1, 7),
        (1, 8),
        (2, 3),
        (2, 4),
        (2, 5),
        (2, 8),
        (3, 8),
        (4, 5),
        (5, 6),
    ],
    "classes": [3, 1, 2, 2, 3, 1, 2, 3, 2],
    "raw": [
        [2, 0, 3, 3, 0, 8],
        [0, 0, 0, 0, 4, 4],
        [0, 0, 4, 4, 0, 8],
        [0, 0, 1, 1, 0, 2],
        [0, 0, 1, 1, 0, 2],
        [0, 2, 0, 0, 4, 6],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 1, 1, 0, 2],
        [0, 0, 1, 1, 0, 2],
    ],
    "z_first": [
        4.431712334,
        -0.9594689678,
        1.3462251481,
        1.3462251481,
        -0.9967115612,
        0.7625974242,
    ],
}
SNA_DIRECTED = {
    "edges": [(1, 0), (2, 6), (3, 4), (4, 2), (5, 8), (6, 1), (6, 8), (7, 2), (8, 2), (8, 7)],
    "classes": [1, 2, 3, 3, 2, 3, 1, 2, 3],
    "raw": [
        [0, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 1],
        [0, 0, 1, 0, 2, 3],
        [0, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 1, 2],
        [0, 0, 0, 0, 0, 0],
        [1, 0, 1, 1, 1, 4],
    ],
    "z_last": [2.6150113365, -0.3417398445, 1.1886767808, 1.1886767808, 1.5775191549, 2.1365583418],
}
SNA_ORDER = ["coordinator", "consultant", "representative", "gatekeeper", "liaison", "total"]


@pytest.mark.parametrize("case", [SNA_UNDIRECTED, SNA_DIRECTED], ids=["undirected", "directed"])
def test_brokerage_equals_r_sna(case: dict) -> None:
    directed = case is SNA_DIRECTED
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(len(case["classes"])))
    G.add_edges_from(case["edges"])
    table = metrics.brokerage(
        G, dict(enumerate(case["classes"])), directed=directed, standardize=True
    )
    assert table[SNA_ORDER].to_numpy().tolist() == case["raw"]
    row, values = (-1, case["z_last"]) if directed else (0, case["z_first"])
    z = table[[f"{c}_z" for c in SNA_ORDER]].iloc[row].to_numpy()
    np.testing.assert_allclose(z, values, atol=1e-9)


@pytest.mark.parametrize("directed", [False, True])
def test_brokerage_equals_brute_force(directed: bool) -> None:
    rng = random.Random(5)
    for seed in range(4):
        G = nx.gnp_random_graph(25, 0.15, seed=seed, directed=directed)
        group = {v: rng.choice("abc") for v in G}
        table = metrics.brokerage(G, group, directed=directed)
        expected = brute_force_brokerage(G if directed else G.to_directed(), group)
        assert table[list(BROKERAGE_ROLES)].to_numpy().tolist() == expected.to_numpy().tolist()
        assert (table["total"] == table[list(BROKERAGE_ROLES)].sum(axis=1)).all()
        if not directed:
            assert (table["gatekeeper"] == table["representative"]).all()


def test_brokerage_by_street_in_the_handmade_network() -> None:
    G = handmade()
    table = metrics.brokerage(G, domain.ancestors(G, level="Street"))
    assert "city" not in table.index  # no street: left out with its ties
    roles = [*BROKERAGE_ROLES, "total"]
    # u2 (street s1, by ASSIGNED_TO) joins s1 (s1), c3, c4 (s2) and c5 (s3); no two of them
    # are tied, so all 6 pairs are open and each is counted both ways:
    #   s1-c3, s1-c4, s1-c5: s1 -> u2 -> c: representative; c -> u2 -> s1: gatekeeper (3 + 3)
    #   c3-c4 (both s2, u2 outside): consultant 2;  c3-c5, c4-c5 (s2, s3): liaison 2 + 2
    assert table.loc["u2", roles].tolist() == [0, 2, 3, 3, 4, 12]
    # s2 joins c3, c4, c6, u3, p2 (d1 has no street): 10 pairs, none tied: coordinator 20
    assert table.loc["s2", roles].tolist() == [20, 0, 0, 0, 0, 20]
    # c5 (s3) joins s3, u4, b3, b4, b5 (s3) and u2 (s1): u2 with each of the five s3 nodes
    # gives a gatekeeper and a representative (5 + 5); among the five s3 nodes 10 pairs,
    # of which u4-b3, u4-b4, u4-b5 are tied: 7 open, coordinator 14
    assert table.loc["c5", roles].tolist() == [14, 0, 5, 5, 0, 24]
    # c3 (s2) joins s2, b2 (s2) and u2 (s1): s2-b2 coordinator 2, s2-u2 and b2-u2 one
    # gatekeeper and one representative each
    assert table.loc["c3", roles].tolist() == [2, 0, 2, 2, 0, 6]
    # c1 (s1) joins s1, u1, b1, p1: 6 pairs, s1-u1 and u1-b1 tied: coordinator 2 x 4 = 8
    assert table.loc["c1", roles].tolist() == [8, 0, 0, 0, 0, 8]


# -- ego networks, projections, robustness -----------------------------------------------------


def test_ego_network_with_street_and_district() -> None:
    G = handmade()
    H, table = metrics.ego_network(G, "u1")
    assert set(H) == {"u1", "s1", "c1", "b1"}
    assert H.number_of_edges() == 5  # u1-s1, u1-c1, b1-u1, b1-c1, c1-s1
    row = table.loc["u1"]
    assert (row["street"], row["street_name"], row["district"]) == ("s1", "一街道", "d1")
    assert (row["nodes"], row["ties"], row["radius"]) == (4, 5, 1)
    H2, _ = metrics.ego_network(G, "b3", radius=2)
    assert {"u4", "c5", "b4", "b5", "s3", "u2"} <= set(H2)
    with pytest.raises(KeyError, match="not in the graph"):
        metrics.ego_network(G, "nobody")


@pytest.mark.slow
def test_street_links_of_the_sample_equal_networkx_and_are_the_same_in_every_run() -> None:
    script = (
        "import cobuild_graph as cg, networkx as nx\n"
        "from cobuild_graph import metrics\n"
        "G = cg.read_dataset(cg.sample_path())\n"
        "B = metrics.two_mode(G)\n"
        "W = nx.bipartite.collaboration_weighted_projected_graph(\n"
        "    B, [v for v, d in B.nodes(data='bipartite') if d == 0])\n"
        "t = metrics.project(G)\n"
        "assert len(t) > 100\n"
        "for a, b, w in zip(t.source, t.target, t.collaboration):\n"
        "    assert abs(W[a][b]['weight'] - w) < 1e-12\n"
        "print(t[['source', 'target']].to_csv(), t.collaboration.map(float.hex).tolist())\n"
    )
    # a string's hash, and so the order of a set of ids, differs with PYTHONHASHSEED
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(runs) == 1


def test_projections_with_shared_and_newman_weights() -> None:
    G = handmade()
    # u2 is the only unit in more than one street (s1 by ASSIGNED_TO, s2 and s3 by its
    # pairings): it links each pair once, with Newman's weight 1 / (3 - 1) = 0.5
    streets = metrics.project(G)
    assert streets[["source", "target", "shared"]].to_numpy().tolist() == [
        ["s1", "s2", 1],
        ["s1", "s3", 1],
        ["s2", "s3", 1],
    ]
    assert streets["collaboration"].tolist() == [0.5, 0.5, 0.5]
    B = metrics.two_mode(G)
    expected = nx.bipartite.collaboration_weighted_projected_graph(
        B, [v for v, d in B.nodes(data="bipartite") if d == 0]
    )
    assert expected["s1"]["s2"]["weight"] == 0.5
    # units linked by shared communities: u2 and u4 share c5 (degree 2): weight 1 / 1
    units = metrics.project(G, onto="Unit", via="Community")
    assert units[["source", "target", "shared", "collaboration"]].to_numpy().tolist() == [
        ["u2", "u4", 1, 1.0]
    ]
    communities = metrics.project(G, onto="Community", via=("ActionBranch", "Unit"))
    assert set(zip(communities["source"], communities["target"], strict=True)) == {
        ("c3", "c4"),
        ("c3", "c5"),
        ("c4", "c5"),
    }
    with pytest.raises(ValueError, match="hierarchy level"):
        metrics.project(G, onto="Unit", via="ActionBranch")


def test_robustness_uncovered_communities_and_structure() -> None:
    G = handmade()
    table = metrics.robustness(G)
    # co-building ties per community: c1 only from u1 (pairing, and its branch b1);
    # c3 from u2 and u3 (branch b2); c4 only from u2; c5 from u2 and u4 (pairing, b3-b5)
    assert table.loc["u1", "uncovered"] == "c1"
    assert table.loc["u2", "uncovered"] == "c4"
    assert table["communities_uncovered"].to_dict() == {"u1": 1, "u2": 1, "u4": 0, "u3": 0, "u5": 0}
    assert table.loc["u2", "communities_reached"] == 3
    assert table.loc["u4", "branches"] == 3
    # the hierarchy holds the network together: no withdrawal splits it
    assert (table["components_change"] == 0).all()
    assert table.loc["u4", "largest_component_change"] == -4  # u4, b3, b4, b5
    simple = metrics.simple_graph(G)
    before = nx.average_shortest_path_length(simple)
    after = nx.average_shortest_path_length(simple.subgraph(set(simple) - {"u2"}))
    assert table.loc["u2", "path_length_change"] == pytest.approx(after - before, abs=TOL)
    top = metrics.robustness(G, top=2)
    assert top["components_change"].notna().sum() == 2
    assert top.loc[["u2", "u4"], "components_change"].notna().all()  # degree 4 each
    estimate = metrics.robustness(G, path_sources=10, seed=1)
    assert estimate["path_length_change"].notna().all()
    assert estimate.loc["u2", "path_length_change"] > 0  # u2 is a shortcut between streets


def test_robustness_without_home_ties_counts_branches_as_their_own_providers() -> None:
    G = handmade()
    home = [(u, v, k) for u, v, k, t in G.edges(keys=True, data="type") if t == "BRANCH_OF"]
    G.remove_edges_from(home)
    table = metrics.robustness(G, paths=False)
    assert (table["branches"] == 0).all()
    # each unit now reaches only the communities it is PAIRED_WITH itself
    paired = {
        u: len({v for _, v, t in G.out_edges(u, data="type") if t == "PAIRED_WITH"})
        for u in table.index
    }
    assert table["communities_reached"].to_dict() == paired


def _scattered(seed: int) -> nx.MultiDiGraph:
    """Units paired at random with communities, some with action branches embedded in
    communities, a few communities in streets: a network of several components, some of
    equal size, with isolates."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph()
    G.add_node("s", label="Street", name="街道")
    communities = [f"c{i}" for i in range(int(rng.integers(3, 15)))]
    for c in communities:
        G.add_node(c, label="Community", name=c)
        if rng.random() < 0.2:
            G.add_edge(c, "s", key="PART_OF", type="PART_OF")
    for i in range(int(rng.integers(3, 25))):
        u = f"u{i}"
        G.add_node(u, label="Unit", name=u)
        for c in rng.choice(communities, int(rng.integers(0, 3)), replace=False):
            G.add_edge(u, str(c), key="PAIRED_WITH", type="PAIRED_WITH")
        for j in range(int(rng.integers(0, 3))):
            b = f"b{i}_{j}"
            G.add_node(b, label="ActionBranch", name=b)
            G.add_edge(b, u, key="BRANCH_OF", type="BRANCH_OF")
            if rng.random() < 0.7:
                G.add_edge(b, str(rng.choice(communities)), key="EMBEDDED_IN", type="EMBEDDED_IN")
    return G


@pytest.mark.parametrize("seed", range(25))
def test_robustness_structure_equals_networkx_on_scattered_networks(seed: int) -> None:
    G = _scattered(seed)
    table = metrics.robustness(G)
    simple = metrics.simple_graph(G)

    def measured(H: nx.Graph) -> tuple[int, int, float | None]:
        parts = sorted(nx.connected_components(H), key=len, reverse=True)
        if not parts:
            return 0, 0, None
        unique = len(parts) == 1 or len(parts[0]) > len(parts[1])
        largest = H.subgraph(parts[0])
        length = nx.average_shortest_path_length(largest) if len(parts[0]) > 1 else None
        return len(parts), len(parts[0]), length if unique else None

    components, largest, length = measured(simple)
    for unit in table.index:
        gone = {unit} | {b for b, _, t in G.in_edges(unit, data="type") if t == "BRANCH_OF"}
        after = measured(simple.subgraph(set(simple) - gone))
        assert table.loc[unit, "components_change"] == after[0] - components
        assert table.loc[unit, "largest_component_change"] == after[1] - largest
        if length is not None and after[2] is not None:
            assert table.loc[unit, "path_length_change"] == pytest.approx(
                after[2] - length, abs=TOL
            )
