"""The named views: every measure says which network it runs on."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import metrics, views
from cobuild_graph.analysis import analyze

# Written out here, not read from the schema, so that the test checks the schema's roles.
COBUILDING_TYPES = {"ASSIGNED_TO", "PAIRED_WITH", "EMBEDDED_IN", "BRANCH_OF"}
COBUILDING_LABELS = {"Unit", "ActionBranch", "Street", "Community", "Grid"}


@pytest.fixture(scope="module")
def suzhou() -> nx.MultiDiGraph:
    return cg.read_dataset("data/suzhou")


@pytest.fixture(scope="module")
def without_hierarchy(suzhou: nx.MultiDiGraph) -> nx.Graph:
    """The co-building network built by hand: simple, undirected."""
    H = nx.Graph()
    H.add_nodes_from(n for n, label in suzhou.nodes(data="label") if label in COBUILDING_LABELS)
    H.add_edges_from(
        (u, v) for u, v, t in suzhou.edges(data="type") if t in COBUILDING_TYPES and u != v
    )
    return H


def test_the_cobuilding_view_is_the_network_without_the_hierarchy(
    suzhou: nx.MultiDiGraph, without_hierarchy: nx.Graph
) -> None:
    H = views.view(suzhou, "cobuilding")
    assert H.graph["view"] == "cobuilding"
    assert set(H) == set(without_hierarchy)
    assert nx.utils.edges_equal(nx.Graph(H).edges(), without_hierarchy.edges())
    assert not any(t == "PART_OF" for *_, t in H.edges(data="type"))
    labels = Counter(label for _, label in H.nodes(data="label"))
    assert "City" not in labels
    assert "District" not in labels
    # units without any co-building tie stay, as isolated nodes
    lone_units = [n for n in nx.isolates(H) if H.nodes[n]["label"] == "Unit"]
    assert lone_units
    assert set(lone_units) <= set(nx.isolates(without_hierarchy))


def _cobuilding_copy(G: nx.Graph) -> nx.Graph:
    """The co-building network as a copy, built by hand (node and tie order kept)."""
    H = G.__class__()
    H.graph.update(G.graph)
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if d.get("label") in COBUILDING_LABELS)
    H.add_edges_from(
        (u, v, k, d)
        for u, v, k, d in G.edges(keys=True, data=True)
        if d["type"] in COBUILDING_TYPES
    )
    return H


def test_the_cobuilding_view_equals_a_copy_and_is_read_only(suzhou: nx.MultiDiGraph) -> None:
    G = suzhou.copy()
    # a co-building tie to a node of another label brings that node in, as a copy would
    G.add_node("odd", label="Project", name="odd")
    G.add_edge(
        "odd",
        next(n for n, d in G.nodes(data="label") if d == "Community"),
        key="PAIRED_WITH",
        type="PAIRED_WITH",
    )
    H, copy = views.view(G, "cobuilding"), _cobuilding_copy(G)
    assert list(H) == list(copy)
    # with its attributes (a copy's add_edges_from gave it none)
    assert dict(H.nodes(data=True)) == {**dict(copy.nodes(data=True)), "odd": G.nodes["odd"]}
    assert list(H.edges(keys=True, data=True)) == list(copy.edges(keys=True, data=True))
    assert sorted(H.in_edges(keys=True), key=str) == sorted(copy.in_edges(keys=True), key=str)
    assert H.number_of_edges() == copy.number_of_edges() > 0
    assert "odd" in H
    assert H.graph == {
        **G.graph,
        "view": "cobuilding",
        cg.schema.SCHEMA_KEY: H.graph[cg.schema.SCHEMA_KEY],
    }
    assert "view" not in G.graph
    assert nx.is_frozen(H)
    with pytest.raises(nx.NetworkXError):
        H.add_node("new")


@pytest.mark.parametrize("weight", [None, "weight"])
@pytest.mark.parametrize("directed", [False, True])
def test_the_simple_form_of_the_view_equals_that_of_a_copy(
    suzhou: nx.MultiDiGraph, weight: str | None, directed: bool
) -> None:
    from cobuild_graph.metrics._simple import Simple

    G = suzhou.copy()
    for i, (*_, d) in enumerate(G.edges(keys=True, data=True)):
        d["weight"] = 1 + i % 3
    got = Simple.of(views.view(G, "cobuilding"), weight=weight, directed=directed)
    expected = Simple.of(_cobuilding_copy(G), weight=weight, directed=directed)
    assert got.nodes == expected.nodes
    np.testing.assert_array_equal(got.source, expected.source)
    np.testing.assert_array_equal(got.target, expected.target)
    if weight is None:
        assert got.weight is None
        assert expected.weight is None
    else:
        np.testing.assert_array_equal(got.weight, expected.weight)
    assert len(got.source) > 0


@pytest.mark.slow
def test_cobuilding_measures_equal_networkx_on_that_network(
    suzhou: nx.MultiDiGraph, without_hierarchy: nx.Graph
) -> None:
    got = metrics.centrality(suzhou, view="cobuilding", closeness=False)
    nodes = list(got.index)
    expected_pagerank = nx.pagerank(without_hierarchy, tol=1e-12)
    expected_degree = nx.degree_centrality(without_hierarchy)
    np.testing.assert_allclose(
        got["pagerank"], [expected_pagerank[n] for n in nodes], rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(got["degree"], [expected_degree[n] for n in nodes], rtol=1e-12)
    cores = metrics.kcore(suzhou, view="cobuilding")["core"]
    assert cores.to_dict() == nx.core_number(without_hierarchy)


@pytest.mark.slow
def test_no_city_or_district_among_the_top_20_by_cobuilding_pagerank(
    suzhou: nx.MultiDiGraph,
) -> None:
    tables = analyze(suzhou, robustness_top=0, path_sources=20)
    top = tables["centrality"].nlargest(20, "pagerank")
    assert not top["label"].isin(["City", "District"]).any()
    assert tables["centrality"].attrs["view"] == "cobuilding"
    assert tables["coverage"].attrs["view"] == "full"
    about = tables["about"]["value"]
    assert about["view_centrality"].startswith("cobuilding")
    assert about["view_street_links"].startswith("street")
    # on the whole graph the hierarchy leads, as it did before views
    full = metrics.centrality(suzhou, closeness=False)
    leaders = full.nlargest(20, "pagerank").index
    assert {suzhou.nodes[n]["label"] for n in leaders} & {"City", "District"}


def units_streets(G: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Each unit's streets through its own co-building ties, by walking PART_OF by hand."""
    parent = {u: v for u, v, t in G.edges(data="type") if t == "PART_OF"}

    def street(place: str) -> str | None:
        while place is not None and G.nodes[place]["label"] != "Street":
            place = parent.get(place)
        return place

    out: dict[str, set[str]] = {}
    for u, v, t in G.edges(data="type"):
        if t in {"ASSIGNED_TO", "PAIRED_WITH", "EMBEDDED_IN"} and G.nodes[u]["label"] == "Unit":
            found = street(v)
            if found is not None:
                out.setdefault(u, set()).add(found)
    return out


def test_the_street_projection_counts_shared_units(suzhou: nx.MultiDiGraph) -> None:
    streets = units_streets(suzhou)
    shared: Counter[frozenset[str]] = Counter()
    newman: Counter[frozenset[str]] = Counter()
    for found in streets.values():
        for a, b in itertools.combinations(sorted(found), 2):
            shared[frozenset((a, b))] += 1
            newman[frozenset((a, b))] += 1 / (len(found) - 1)
    P = views.view(suzhou, "street")
    assert P.graph["view"] == "street"
    assert {n for n, label in suzhou.nodes(data="label") if label == "Street"} == set(P)
    assert {frozenset(e): w for *e, w in P.edges(data="weight")} == dict(shared)
    N = views.view(suzhou, "street", weighting="newman")
    got = {frozenset(e): w for *e, w in N.edges(data="weight")}
    assert got.keys() == newman.keys()
    np.testing.assert_allclose([got[k] for k in newman], list(newman.values()), rtol=1e-12)


def test_the_two_mode_and_unit_views(suzhou: nx.MultiDiGraph) -> None:
    B = views.view(suzhou, "two_mode")
    assert B.graph["view"] == "two_mode"
    assert nx.is_bipartite(B)
    sides = Counter(B.nodes[n]["bipartite"] for n in B)
    assert set(sides) == {0, 1}
    U = views.view(suzhou, "unit")
    assert {suzhou.nodes[n]["label"] for n in U} == {"Unit"}
    expected = nx.bipartite.weighted_projected_graph(
        B, [n for n in B if B.nodes[n]["bipartite"] == 1]
    )
    assert {frozenset(e): w for *e, w in U.edges(data="weight")} == {
        frozenset(e): w for *e, w in expected.edges(data="weight")
    }


def test_full_and_none_are_the_graph_itself_and_unknown_views_are_refused(
    suzhou: nx.MultiDiGraph,
) -> None:
    assert views.view(suzhou, "full") is suzhou
    assert views.view(suzhou, None) is suzhou
    assert views.view_name(suzhou) == "full"
    with pytest.raises(ValueError, match="unknown view 'hierarchy'; use one of full"):
        views.view(suzhou, "hierarchy")
    with pytest.raises(ValueError, match="unknown weighting"):
        views.view(suzhou, "street", weighting="jaccard")  # type: ignore[arg-type]


def test_the_view_is_made_once_inside_shared(suzhou: nx.MultiDiGraph) -> None:
    from cobuild_graph._memo import shared

    with shared():
        assert views.view(suzhou, "cobuilding") is views.view(suzhou, "cobuilding")
    assert views.view(suzhou, "cobuilding") is not views.view(suzhou, "cobuilding")


@pytest.mark.slow
def test_the_cli_takes_a_view(tmp_path) -> None:
    from cobuild_graph.cli import main

    out = tmp_path / "full.xlsx"
    command = ["analyze", "data/suzhou", "-o", str(out), "--view", "full", "--only", "centrality"]
    assert main([*command, "--no-progress"]) == 0
    about = pd.read_excel(out, sheet_name="about", index_col=0, engine="openpyxl")["value"]
    assert about["view_centrality"].startswith("full")


def _random_cobuilding(seed: int) -> nx.MultiDiGraph:
    """Streets, their communities and units paired with a few communities at random: some
    units with none, some communities with none, some units paired twice in one street."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph()
    streets = [f"s{i}" for i in range(int(rng.integers(1, 5)))]
    G.add_nodes_from((s, {"label": "Street", "name": f"街道{s}"}) for s in streets)
    communities = [f"c{i}" for i in range(int(rng.integers(2, 12)))]
    for c in communities:
        G.add_node(c, label="Community", name=f"社区{c}")
        G.add_edge(c, str(rng.choice(streets)), key="PART_OF", type="PART_OF")
    for i in range(int(rng.integers(2, 30))):
        G.add_node(f"u{i}", label="Unit", name=None if i % 7 == 0 else f"单位{i}")
        for c in rng.choice(communities, int(rng.integers(0, 5))):
            G.add_edge(f"u{i}", str(c), key="PAIRED_WITH", type="PAIRED_WITH")
    return G


def _projection_by_networkx(B: nx.Graph) -> pd.DataFrame:
    """The projection of ``B`` onto its side 0 as :func:`views.project` made it with
    networkx: ``weighted_projected_graph``, Newman's weight summed by ``math.fsum``."""
    side = [v for v, part in B.nodes(data="bipartite") if part == 0]
    shared = nx.bipartite.weighted_projected_graph(B, side)
    rows = []
    for u, v, count in shared.edges(data="weight"):
        a, b = sorted((u, v), key=str)
        common = set(B[u]) & set(B[v])
        collaboration = math.fsum(1 / (B.degree(k) - 1) for k in common)
        rows.append((a, b, B.nodes[a]["name"], B.nodes[b]["name"], count, collaboration))
    columns = ["source", "target", "source_name", "target_name", "shared", "collaboration"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(
        ["shared", "collaboration", "source", "target"], ascending=[False, False, True, True]
    ).reset_index(drop=True)


@pytest.mark.parametrize("seed", range(40))
def test_projections_equal_networkx_bit_for_bit(seed: int) -> None:
    G = _random_cobuilding(seed)
    for onto, via in (("Street", "Unit"), ("Unit", "Community"), ("Community", "Unit")):
        got = views.project(G, onto=onto, via=via)
        B = views.two_mode(G, onto=onto, via=via)
        expected = _projection_by_networkx(B)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
        side = [v for v, part in B.nodes(data="bipartite") if part == 0]
        newman = nx.bipartite.collaboration_weighted_projected_graph(B, side)
        for a, b, w in zip(got["source"], got["target"], got["collaboration"], strict=True):
            assert newman[a][b]["weight"] == pytest.approx(w, rel=1e-12)
        assert len(got) == newman.number_of_edges()
