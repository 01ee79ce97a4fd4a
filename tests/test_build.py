"""Tables ↔ graph: the fast build equals networkx's own, and the round trip is lossless."""

from __future__ import annotations

import datetime as dt
import gc

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from cobuild_graph import DEFAULT_SCHEMA, ValidationError, graph_from_tables, graph_to_tables

NODES = pd.DataFrame(
    {
        "id": ["s1", "c1", "c2", "u1"],
        "label": ["Street", "Community", "Community", "Unit"],
        "name": ["沧浪街道", "道前社区", "南环第一社区", "市政设施管理处"],
        "members": [None, 120, np.nan, None],
        "founded": [dt.date(2017, 9, 1), None, None, pd.NaT],
    }
)
TIES = pd.DataFrame(
    {
        "source": ["c1", "c2", "u1", "u1", "u1"],
        "target": ["s1", "s1", "c1", "c2", "s1"],
        "type": ["PART_OF", "PART_OF", "PAIRED_WITH", "PAIRED_WITH", "ASSIGNED_TO"],
        "since": [None, None, dt.date(2019, 5, 1), None, dt.date(2018, 1, 1)],
        "weight": [np.nan, None, 1.5, 2.0, None],
    }
)


def reference_graph() -> nx.MultiDiGraph:
    """The same graph built with networkx's public API only."""
    G = nx.MultiDiGraph(name="t")
    for row in NODES.to_dict("records"):
        node = row.pop("id")
        G.add_node(node, **{k: v for k, v in row.items() if not pd.isna(v)})
    for row in TIES.to_dict("records"):
        attrs = {k: v for k, v in row.items() if not pd.isna(v)}
        G.add_edge(attrs.pop("source"), attrs.pop("target"), key=row["type"], **attrs)
    return G


def test_build_equals_networkx_api() -> None:
    G = graph_from_tables(NODES, TIES, meta={"name": "t"})
    H = reference_graph()
    assert G.graph == {**H.graph, "schema": DEFAULT_SCHEMA}
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert list(G.edges(keys=True, data=True)) == list(H.edges(keys=True, data=True))
    assert dict(G.pred["s1"]) == dict(H.pred["s1"])
    assert G.in_degree("s1") == 3
    assert G.nodes["c2"] == {"label": "Community", "name": "南环第一社区"}


def test_graph_behaves_after_the_fast_build() -> None:
    G = graph_from_tables(NODES, TIES)
    G.remove_edge("u1", "c1", key="PAIRED_WITH")
    assert not G.has_edge("u1", "c1")
    assert set(G.predecessors("c2")) == {"u1"}
    G.remove_node("u1")
    assert G.number_of_edges() == 2
    assert nx.is_weakly_connected(G)


def test_build_restores_the_garbage_collector() -> None:
    assert gc.isenabled()
    graph_from_tables(NODES, TIES)
    assert gc.isenabled()


def test_tables_graph_tables_round_trip() -> None:
    nodes, ties = graph_to_tables(graph_from_tables(NODES, TIES))
    assert list(nodes.columns) == ["id", "label", "name", "founded", "members"]
    assert list(ties.columns) == ["source", "target", "type", "since", "weight"]
    assert nodes.set_index("id").loc["c1", "members"] == 120
    assert nodes.set_index("id").loc["c2", "members"] is None
    again = graph_to_tables(graph_from_tables(nodes, ties))
    pd.testing.assert_frame_equal(again[0], nodes)
    pd.testing.assert_frame_equal(again[1], ties)


def test_build_equals_networkx_from_pandas_edgelist() -> None:
    H = nx.from_pandas_edgelist(
        TIES,
        "source",
        "target",
        edge_attr=True,
        create_using=nx.MultiDiGraph,
        edge_key="type",
    )
    for _, _, key, attrs in H.edges(keys=True, data=True):
        for name in [n for n, value in attrs.items() if pd.isna(value)]:
            del attrs[name]
        attrs["type"] = key
    nx.set_node_attributes(
        H,
        {
            row.pop("id"): {k: v for k, v in row.items() if not pd.isna(v)}
            for row in NODES.to_dict("records")
        },
    )
    G = graph_from_tables(NODES, TIES)
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True)) == sorted(H.edges(keys=True, data=True))
    assert G.edges["u1", "c1", "PAIRED_WITH"]["since"] == dt.date(2019, 5, 1)


def test_a_tie_to_a_missing_id_is_refused_not_made_an_empty_node() -> None:
    ties = pd.concat(
        [TIES, pd.DataFrame({"source": ["u1"], "target": ["c9"], "type": ["PAIRED_WITH"]})],
        ignore_index=True,
    )
    with pytest.raises(ValidationError) as caught:
        graph_from_tables(NODES, ties)
    problem = caught.value.problems.iloc[0]
    assert len(caught.value.problems) == 1
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == (
        "ties (DataFrame)",
        5,
        "target",
        "c9",
    )
    assert problem["message"] == "节点中没有这个 target id / target id not found among the nodes"
    # What networkx does, and the fast path for tables validated already does too.
    unchecked = graph_from_tables(NODES, ties, validate=False)
    assert unchecked.nodes["c9"] == {}


def test_build_validates_against_the_schema_given() -> None:
    schema = DEFAULT_SCHEMA.extend({"labels": {"Village": {"aliases": ["村"], "parent": "Street"}}})
    nodes = pd.DataFrame({"id": ["s", "v"], "label": ["Street", "村"], "name": ["镇", "张家村"]})
    ties = pd.DataFrame({"source": ["v"], "target": ["s"], "type": ["隶属"]})
    with pytest.raises(ValidationError, match=r"row 1, column label: 未知的节点类型.* / unknown"):
        graph_from_tables(nodes, ties)
    G = graph_from_tables(nodes, ties, schema=schema)
    assert G.nodes["v"]["label"] == "Village"
    assert list(G.edges(keys=True)) == [("v", "s", "PART_OF")]
