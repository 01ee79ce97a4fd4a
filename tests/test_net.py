"""The graph as tables: the walks up the hierarchy against a walk through networkx."""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph._net import Net
from cobuild_graph.schema import schema_of


@pytest.fixture(scope="module")
def tiny() -> nx.MultiDiGraph:
    G = cg.generate("tiny", seed=7).copy()
    G.add_node("stray", label="Community", name="stray")  # a place with no parent
    return G


def _walk(G: nx.MultiDiGraph, node: object, step: object) -> list[object]:
    """`node` and its PART_OF ancestors, nearest first, walked tie by tie."""
    schema = schema_of(G)
    depth = {label: i for i, label in enumerate(schema.hierarchy)}
    chain = [node]
    while True:
        here = chain[-1]
        ups = sorted(
            (
                v
                for _, v, t in G.out_edges(here, data="type")
                if t == schema.hierarchy_tie
                and depth.get(G.nodes[v].get("label"), math.inf)
                < depth.get(G.nodes[here].get("label"), -1)
            ),
            key=str,
        )
        if not ups:
            return chain
        chain.append(ups[0])


def test_up_and_covered_place_equal_a_walk_through_the_graph(tiny: nx.MultiDiGraph) -> None:
    net = Net.of(tiny)
    schema = net.schema
    places = [n for n, label in tiny.nodes(data="label") if label in schema.hierarchy]
    values = pd.Series([*places, "no such node", math.nan], index=range(len(places) + 2))
    for level in schema.hierarchy:
        got = net.up(values, level)
        expected = [
            next((a for a in _walk(tiny, n, level) if tiny.nodes[a]["label"] == level), math.nan)
            for n in places
        ]
        assert got.iloc[: len(places)].tolist() == pytest.approx(expected, nan_ok=True)
        assert got.iloc[len(places) :].isna().all()
        assert got.notna().any() or level not in {"Street", "Community"}
    covered = set(schema.coverage_levels)
    got = net.covered_place(values)
    expected = [
        next((a for a in _walk(tiny, n, None) if tiny.nodes[a]["label"] in covered), math.nan)
        for n in places
    ]
    assert got.iloc[: len(places)].tolist() == pytest.approx(expected, nan_ok=True)
    assert got.notna().sum() > 0
    assert net.up(values, "Street")[values == "stray"].isna().all()


@pytest.mark.parametrize("labels", [None, ("Unit",)])
def test_reach_equals_the_ties_walked_up_by_hand(
    tiny: nx.MultiDiGraph, labels: tuple[str, ...] | None
) -> None:
    net = Net.of(tiny)
    hierarchy = set(net.schema.hierarchy)
    types = set(net.schema.ties_with_role("cobuilding"))
    expected = set()
    for u, v, t in tiny.edges(data="type"):
        ends = [tiny.nodes[x]["label"] in hierarchy for x in (u, v)]
        if t not in types or ends[0] == ends[1]:
            continue
        node, place = (u, v) if ends[1] else (v, u)
        if labels is not None and tiny.nodes[node]["label"] not in labels:
            continue
        for a in _walk(tiny, place, None):
            if tiny.nodes[a]["label"] == "Street":
                expected.add((node, a, tiny.nodes[node]["label"]))
    got = net.reach("Street", types=types, labels=labels)
    assert len(got) == len(expected) > 0
    assert set(got.itertuples(index=False, name=None)) == expected


def test_mode_is_the_most_frequent_value_ties_to_the_smallest_text() -> None:
    import random
    from collections import Counter

    from cobuild_graph._net import mode

    rng = random.Random(5)
    pairs = pd.DataFrame(
        {
            "node": [f"n{rng.randrange(30)}" for _ in range(400)],
            "place": [f"s{rng.randrange(6)}" for _ in range(400)],
        }
    )
    pairs.loc[::17, "place"] = math.nan  # left out, as a groupby leaves them
    got = mode(pairs, "node", "place")
    expected = {}
    for node, rows in pairs.dropna().groupby("node"):
        counts = Counter(rows["place"])
        expected[node] = min(counts, key=lambda p: (-counts[p], str(p)))
    assert got.to_dict() == expected
    assert list(got.index) == sorted(expected)
    assert got.map(type).eq(str).all()
