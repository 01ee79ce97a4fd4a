"""Interactive maps: content, offline and safe pages, aggregation, layout, Jupyter display."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import domain
from cobuild_graph._page import content_security_policy, json_for_script, vis_network_js
from cobuild_graph.maps import (
    COLLAPSE,
    NetworkMap,
    aggregate_graph,
    fold_tree,
    layout,
    network_map,
)
from tests._pictures import HOSTILE, hostile_graph


@pytest.fixture(scope="module")
def tiny() -> nx.MultiDiGraph:
    return cg.generate("tiny", seed=3)


def page_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="cg-data">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def inline_scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, re.S)


@pytest.mark.slow
def test_map_holds_every_node_and_tie_and_writes_only_when_asked(tiny, tmp_path):
    net = network_map(tiny, layout_seed=1)
    assert isinstance(net, NetworkMap)
    assert {n["id"] for n in net.nodes} == set(tiny.nodes)
    assert len(net.edges) == tiny.number_of_edges()
    assert net.num_nodes() == tiny.number_of_nodes()
    assert list(tmp_path.iterdir()) == []
    path = tmp_path / "地图.html"
    network_map(tiny, path, layout_seed=1)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert tiny.nodes[next(iter(tiny))]["name"] in page_data(page)["nodes"][0]["label"]


def test_node_carries_name_label_group_place_and_plain_text_tooltip(tiny):
    net = network_map(tiny, layout_seed=1)
    street = next(n for n, a in tiny.nodes(data=True) if a["label"] == "Community")
    node = net.node_map[street]
    assert node["label"] == tiny.nodes[street]["name"]
    assert node["group"] == "Community"
    assert "color" not in node
    assert node["title"].splitlines()[0] == tiny.nodes[street]["name"]
    assert "Community 社区" in node["title"]
    assert "<" not in node["title"]
    district = net.page["filters"][0]["places"][node["cg_places"][0]]["name"]
    expected = domain.ancestors(tiny, level="District")[street]
    assert district == tiny.nodes[expected]["name"]


def test_legend_and_colours_come_from_the_schema(tmp_path):
    schema = cg.DEFAULT_SCHEMA.extend(
        {
            "labels": {"Village": {"aliases": ["村"], "parent": "Street"}},
        }
    )
    nodes = pd.DataFrame(
        {"id": ["s", "v"], "label": ["Street", "Village"], "name": ["镇", "张家村"]}
    )
    ties = pd.DataFrame({"source": ["v"], "target": ["s"], "type": ["PART_OF"]})
    G = cg.graph_from_tables(nodes, ties, schema=schema)
    net = network_map(G, schema=schema)
    texts = [item["text"] for item in net.page["labels"]]
    assert texts == ["Street 街道", "Village 村"]
    assert set(net.options["groups"]) == set(schema.labels)
    assert net.page["ties"] == [
        {"key": "PART_OF", "text": "PART_OF 隶属", "color": "#7f7f7f", "count": 1}
    ]


@pytest.mark.slow
def test_colour_by_metric_gives_a_ramp_and_by_community_gives_categories(tiny):
    metrics = pd.DataFrame({"pagerank": {n: float(i) for i, n in enumerate(tiny)}})
    net = network_map(tiny, color_by="pagerank", metrics=metrics)
    assert net.page["legend"]["kind"] == "scale"
    assert net.page["legend"]["min"] == "0"
    assert net.page["legend"]["max"] == str(len(tiny) - 1)
    assert len({n["color"] for n in net.nodes}) > 20
    assert "groups" not in net.options
    parts = network_map(tiny, color_by="community", layout_seed=2)
    assert parts.page["legend"]["kind"] == "category"
    assert sum(item["count"] for item in parts.page["legend"]["items"]) == len(tiny)
    by_type = network_map(tiny, color_by="unit_type")
    labels = cg.DEFAULT_SCHEMA.labels["Unit"].attributes["unit_type"].value_labels
    shown = {zh if zh == code else f"{zh} {code}" for code, (zh, _) in labels.items()}
    texts = {i["text"] for i in by_type.page["legend"]["items"]}
    assert texts <= shown | {"其他 other"}
    assert "机关 organ" in texts
    (column,) = [c for c in by_type.columns if c["key"] == "unit_type"]
    assert [labels[v][0] for v in column["categories"]] == [t.split()[0] for t in column["texts"]]


def test_size_by_metric_makes_the_largest_value_the_largest_node(tiny):
    metrics = pd.DataFrame({"degree": dict(tiny.degree())})
    net = network_map(tiny, size_by="degree", metrics=metrics)
    biggest = max(net.nodes, key=lambda n: n["size"])["id"]
    assert metrics["degree"][biggest] == metrics["degree"].max()
    assert max(n["size"] for n in net.nodes) == 40.0


def test_metrics_show_in_tooltips(tiny):
    node = next(iter(tiny))
    metrics = pd.DataFrame({"betweenness": {node: 0.123456}, "name": {node: "x"}})
    title = network_map(tiny, metrics=metrics).node_map[node]["title"]
    assert "betweenness: 0.1235" in title
    assert "name: x" not in title


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"color_by": "nothing"}, "color_by='nothing'"),
        ({"size_by": "nothing"}, "size_by='nothing'"),
        ({"aggregate": "Unit"}, "aggregate must be a hierarchy level"),
        ({"height": "100px; background: url(x)"}, "height must be a CSS length"),
        ({"expandable": True}, "expandable=True needs aggregate"),
    ],
)
def test_bad_options_are_refused(tiny, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        network_map(tiny, **kwargs)


def test_same_seed_same_layout_other_seed_other_layout(tiny):
    assert layout(tiny, seed=5) == layout(tiny, seed=5)
    assert layout(tiny, seed=5) != layout(tiny, seed=6)
    positions = layout(tiny, seed=5)
    assert set(positions) == set(tiny.nodes)


def test_layout_keeps_small_pieces_near_the_big_one():
    G = nx.MultiDiGraph()
    nx.add_path(G, range(30))
    G.add_nodes_from(["lonely-1", "lonely-2"])
    positions = layout(G, seed=1)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    path_span = max(positions[n][0] for n in range(30)) - min(positions[n][0] for n in range(30))
    assert max(xs) - min(xs) <= path_span + 200
    assert max(ys) - min(ys) < 4000


def test_aggregating_to_streets_folds_communities_branches_projects_positions(tiny):
    H, members = aggregate_graph(tiny, "Street")
    labels = {a["label"] for _, a in H.nodes(data=True)}
    assert labels.isdisjoint({"Community", "ActionBranch", "Project", "Position"})
    assert "Unit" in labels
    assert "Street" in labels
    folded = sum(sum(c.values()) for c in members.values())
    assert H.number_of_nodes() + folded == tiny.number_of_nodes()
    street = domain.ancestors(tiny, level="Street")
    for place, held in members.items():
        communities = (street == place) & pd.Series(
            {n: a["label"] == "Community" for n, a in tiny.nodes(data=True)}
        )
        assert held["Community"] == communities.sum()
    kept = sum(a["count"] for _, _, a in H.edges(data=True))
    assert kept <= tiny.number_of_edges()
    net = network_map(tiny, aggregate="Street")
    sizes = {n["id"]: n["size"] for n in net.nodes}
    most = max(members, key=lambda p: sum(members[p].values()))
    assert sizes[most] == max(sizes.values())
    assert "holds 包含" in net.node_map[most]["title"]


def test_aggregating_to_communities_keeps_communities(tiny):
    H, members = aggregate_graph(tiny, "Community")
    labels = {a["label"] for _, a in H.nodes(data=True)}
    assert "Community" in labels
    assert "ActionBranch" not in labels
    assert any("ActionBranch" in held for held in members.values())


def test_fold_tree_folds_one_step_at_a_time(tiny):
    parents = fold_tree(tiny, "Street")
    label = pd.Series(dict(tiny.nodes(data="label")))
    community = domain.ancestors(tiny, level="Community")
    levels = ("Street", "District", "City")  # the nearest of these that a node has
    top = pd.concat([domain.ancestors(tiny, level=level) for level in levels], axis=1).bfill(axis=1)
    top = top.iloc[:, 0]
    assert set(parents) == set(label.index[label.isin(["Community", *COLLAPSE])])
    for node, parent in parents.items():
        home = community[node]
        in_home = label[node] != "Community" and pd.notna(home) and top[home] == top[node]
        assert parent == (home if in_home else top[node])
    roots = set()
    for node in parents:
        while node in parents:
            node = parents[node]
        roots.add(node)
    assert roots == set(top[list(parents)])
    assert roots <= set(aggregate_graph(tiny, "Street")[0].nodes)


@pytest.fixture(scope="module")
def expandable(tiny) -> NetworkMap:
    return network_map(tiny, aggregate="Street", expandable=True, layout_seed=1)


def test_expandable_map_holds_everything_and_starts_as_the_aggregated_map(tiny, expandable):
    data = page_data(expandable.generate_html())
    assert data["expandable"] is True
    assert [n["id"] for n in data["nodes"]] == list(tiny.nodes)
    assert len(data["edges"]) == tiny.number_of_edges()
    assert {e["cg_type"] for e in data["edges"]} == {k for _, _, k in tiny.edges(keys=True)}
    start = {n["id"]: n for n in data["nodes"] if "cg_parent" not in n}
    folded = network_map(tiny, aggregate="Street", layout_seed=1)
    assert set(start) == {n["id"] for n in folded.nodes}
    for node in folded.nodes:
        for key in ("label", "title", "size", "group", "cg_label", "cg_places"):
            assert start[node["id"]][key] == node[key]
    assert all(e["cg_type"] == e["title"].split()[0] for e in folded.edges)  # for the legend
    assert page_data(folded.generate_html())["expandable"] is False


def test_expandable_map_unfolds_to_the_full_map(tiny, expandable):
    full = network_map(tiny, layout_seed=1)
    parents = fold_tree(tiny, "Street")
    positions = layout(tiny, seed=1)
    held: dict = {}
    for node in parents:
        up = parents[node]
        while up is not None:
            held.setdefault(up, []).append(node)
            up = parents.get(up)
    assert held
    for node in expandable.nodes:
        own = full.node_map[node["id"]]
        assert node.get("cg_parent") == parents.get(node["id"])
        if node["id"] in held:  # at the centre of what it holds; unfolded, as in the full map
            inside = [positions[n] for n in (node["id"], *held[node["id"]])]
            assert node["x"] == pytest.approx(sum(p[0] for p in inside) / len(inside), abs=0.06)
            assert node["y"] == pytest.approx(sum(p[1] for p in inside) / len(inside), abs=0.06)
            assert node["cg_open"] == {"size": own["size"], "title": own["title"]}
            assert "holds 包含" in node["title"]
        else:
            assert (node["x"], node["y"], node["size"], node["title"]) == (
                own["x"], own["y"], own["size"], own["title"],
            )  # fmt: skip


def test_expandable_map_same_seed_same_map(tiny, expandable):
    again = network_map(tiny, aggregate="Street", expandable=True, layout_seed=1)
    assert again.generate_html() == expandable.generate_html()
    other = network_map(tiny, aggregate="Street", expandable=True, layout_seed=2)
    assert [(n["x"], n["y"]) for n in other.nodes] != [(n["x"], n["y"]) for n in again.nodes]


def test_physics_is_off_by_default_and_bounded_when_on(tiny):
    assert network_map(tiny).options["physics"]["enabled"] is False
    options = network_map(tiny, physics=True, stabilization_iterations=80).options
    assert options["physics"]["enabled"] is True
    assert options["physics"]["stabilization"]["iterations"] == 80
    assert options["edges"]["smooth"] is False
    assert options["interaction"]["hideEdgesOnDrag"] is True


# -- the page: offline and safe ----------------------------------------------------------


def test_page_is_self_contained_and_offline(tiny):
    page = network_map(tiny).generate_html()
    fonts = re.findall(r"url\(data:font/woff;base64,[A-Za-z0-9+/=]+\)", page)
    assert len(fonts) == 1  # the embedded font, the only url() of the page
    page = page.replace(fonts[0], "")  # base64 may spell "cdn" by chance
    assert "vis-network" in page
    assert "@version 9" in page
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)
    assert not re.search(r"https?://[^\s\"']+\.(js|css)", page)
    assert "sourceMappingURL" not in page
    assert "bootstrap" not in page.lower()
    assert "cdn" not in page.lower()
    csp = html.unescape(re.search(r'Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp
    assert "connect-src" not in csp


def test_policy_allows_exactly_the_inline_scripts(tiny):
    page = network_map(tiny).generate_html()
    scripts = inline_scripts(page)
    assert len(scripts) == 3  # vis-network, map-draw.js, map.js
    csp = html.unescape(re.search(r'Content-Security-Policy" content="([^"]+)"', page).group(1))
    allowed = re.search(r"script-src ([^;]+)", csp).group(1).split()
    digests = [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    ]
    assert sorted(allowed) == sorted(digests)


def test_hostile_names_reach_the_page_only_as_json_data():
    G = hostile_graph()
    page = network_map(G).generate_html()
    for name in (*HOSTILE, "<!-- comment", "&amp; </style>"):
        assert name not in page
    assert "<script>alert('title')</script>" not in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page  # escaped heading
    data = page_data(page)
    names = {n["id"]: n["label"] for n in data["nodes"]}
    assert names == {"d": "<b>区</b>", "s": HOSTILE[0], "c": HOSTILE[1], "u": HOSTILE[2]}
    assert HOSTILE[0] in data["nodes"][1]["title"]
    # the data, the columns, vis-network, the map's drawing and its script
    assert page.count("\n<script") == 5


def test_the_maps_script_never_writes_html():
    page = network_map(hostile_graph()).generate_html()
    for own in inline_scripts(page)[1:]:  # map-draw.js and map.js
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in own


def test_json_for_script_escapes_what_could_end_the_script():
    text = json_for_script({"a": "</script><!-- & \u2028"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_policy_forbids_requests_and_other_scripts():
    policy = content_security_policy(scripts=["x"], styles=["y"])
    assert "default-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "frame-src" not in policy
    assert "frame-src 'self'" in content_security_policy(frames=True)


def test_page_is_written_as_utf8(tiny, tmp_path):
    path = tmp_path / "map.html"
    network_map(tiny, path)
    raw = path.read_bytes()
    assert raw.decode("utf-8") == network_map(tiny).generate_html()
    assert '<meta charset="utf-8">' in raw.decode("utf-8")


def test_jupyter_shows_the_page_in_a_sandboxed_srcdoc_iframe(tiny):
    net = network_map(tiny, height="500px")
    shown = net._repr_html_()
    assert shown.startswith("<iframe srcdoc=")
    assert 'sandbox="allow-scripts"' in shown
    assert 'height="500px"' in shown
    source = re.search(r'srcdoc="([^"]*)"', shown).group(1)
    assert html.unescape(source) == net.generate_html()


def test_pyvis_api_still_writes_our_page(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = network_map(tiny)
    net.write_html("pyvis.html")
    assert Path("pyvis.html").read_text(encoding="utf-8") == net.generate_html()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyvis.html"]  # no lib/ copied


def test_a_title_containing_href_keeps_plain_text_tooltips():
    page = network_map(hostile_graph()).generate_html()
    assert "href" in page_data(page)["nodes"][2]["title"]
    assert "htmlTitle" not in page
    assert "tooltip_link" not in page


# -- ego, geography, measures, title ---------------------------------------------------------


def test_ego_map_holds_the_nodes_within_the_radius(tiny):
    ego = next(n for n, a in tiny.nodes(data=True) if a["label"] == "Community")
    for radius in (1, 2):
        net = network_map(tiny, ego=ego, radius=radius)
        expected = nx.ego_graph(tiny, ego, radius=radius, undirected=True)
        assert {n["id"] for n in net.nodes} == set(expected)
        assert len(net.edges) == expected.number_of_edges()
        assert net.page["ego"] == ego
    with pytest.raises(ValueError, match="ego='nobody' is not a node"):
        network_map(tiny, ego="nobody")


def test_geo_layout_puts_north_up_east_right_and_the_rest_beside_their_place():
    nodes = pd.DataFrame(
        {
            "id": ["city", "west", "east", "north-c", "loose"],
            "label": ["District", "Street", "Street", "Community", "Community"],
            "name": ["区", "西街道", "东街道", "北社区", "无坐标社区"],
            "lat": [31.3, 31.3, 31.3, 31.5, None],
            "lon": [120.6, 120.4, 120.8, 120.6, None],
        }
    )
    ties = pd.DataFrame(
        {
            "source": ["west", "east", "north-c", "loose"],
            "target": ["city", "city", "west", "east"],
            "type": ["PART_OF"] * 4,
        }
    )
    G = cg.graph_from_tables(nodes, ties)
    G.add_node("lost", label="Unit", name="无处单位")
    xy = {n["id"]: (n["x"], n["y"]) for n in network_map(G, layout="geo").nodes}
    assert xy["west"][0] < xy["city"][0] < xy["east"][0]
    assert xy["west"][1] == xy["city"][1] == xy["east"][1]
    assert xy["north-c"][1] < xy["city"][1]  # north is up: smaller y on screen
    # a community without coordinates sits beside its place (the "east" street here) ...
    spacing = xy["east"][0] - xy["city"][0]
    assert np.hypot(*np.subtract(xy["loose"], xy["east"])) < spacing / 2
    # ... and a node without coordinates or place goes round the rest, outside it
    centre = np.mean([xy[n] for n in ("city", "west", "east", "north-c")], axis=0)
    assert np.hypot(*np.subtract(xy["lost"], centre)) > spacing
    G.nodes["city"]["lat"] = 123.0
    with pytest.raises(ValueError, match="node 'city'"):
        network_map(G, layout="geo")
    with pytest.raises(ValueError, match="layout must be one of"):
        network_map(G, layout="circle")


def test_lone_nodes_go_beside_their_place_or_round_the_rest(tiny):
    G = tiny.copy()
    street = next(n for n, a in G.nodes(data=True) if a["label"] == "Street")
    lone = [f"lone-{i}" for i in range(6)]
    for node in lone:
        G.add_node(node, label="Unit", name=node)
    near = {node: [street] for node in lone[:3]}
    positions = layout(G, seed=1, near=near)
    spread = np.ptp(np.array([positions[n] for n in tiny]), axis=0).max()
    for node in lone[:3]:
        assert np.hypot(*np.subtract(positions[node], positions[street])) < 60
    assert len({positions[node] for node in lone}) == len(lone)
    others = np.array([positions[n] for n in lone[3:]])
    assert len({round(y) for y in others[:, 1]}) > 1  # round the rest, not in a row
    centre = np.mean([positions[n] for n in tiny], axis=0)
    assert (np.hypot(*(others - centre).T) > spread / 2).all()


@pytest.mark.slow
def test_tables_give_the_pages_measures_and_colour_by_them(tiny):
    tables = cg.analyze(tiny, progress=False, seed=1)
    net = network_map(tiny, tables=tables, color_by="pagerank", size_by="betweenness")
    columns = {c["key"]: c for c in net.columns}
    order = net.node_ids
    for table, column in (("centrality", "pagerank"), ("kcore", "core")):
        values = columns[column]["values"]
        # the network tables cover the co-building view: the nodes outside it have no value
        expected = tables[table][column].reindex(order)
        assert [v is None for v in values] == list(expected.isna())
        assert expected.notna().any()
        measured = [v for v in values if v is not None]
        expected = expected.dropna()
        assert measured == pytest.approx([float(f"{v:.4g}") for v in expected], rel=1e-9) or (
            column == "core" and measured == [str(int(v)) for v in expected]
        )
    assert columns["community"]["kind"] == "category"
    assert columns["unit_type"]["source"] == "attribute"
    assert columns["pagerank"]["source"] == "measure"
    assert "name_en" not in columns  # one value per node tells nothing as a colour
    assert net.page["legend"]["kind"] == "scale"
    top = tables["centrality"]["betweenness"].idxmax()
    assert net.node_map[top]["size"] == 40.0
    with pytest.raises(ValueError, match="color_by='nothing'"):
        network_map(tiny, tables=tables, color_by="nothing")


@pytest.mark.slow
def test_title_is_the_datasets_name_else_the_files_name(tiny, tmp_path):
    named = network_map(tiny, tmp_path / "a.html")
    assert named.heading == tiny.graph["name"]
    G = tiny.copy()
    G.graph.pop("name")
    network_map(G, tmp_path / "姑苏区地图.html")
    page = (tmp_path / "姑苏区地图.html").read_text(encoding="utf-8")
    assert "<title>姑苏区地图</title>" in page
    assert "<title>共建网络 co-building network</title>" in network_map(G).generate_html()
    assert "<title>X</title>" in network_map(G, heading="X").generate_html()


def test_page_embeds_only_the_characters_it_shows(tiny):
    from fontTools.ttLib import TTFont

    page = network_map(tiny).generate_html()
    font = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page).group(1)
    cmap = TTFont(io.BytesIO(base64.b64decode(font))).getBestCmap()
    own = page.replace(vis_network_js(), "")  # its editing menu's words, never shown here
    shown = {ord(c) for c in own if ord(c) >= 0x3000}  # CJK and full-width forms
    assert shown <= set(cmap)
    assert 200 < len(cmap) < 2000  # the characters shown, not the 20,000 of the font


@pytest.mark.slow
def test_ego_map_is_the_same_in_every_process():
    """Sets iterate in another order in each process (hash seeds): the layout must not."""
    code = (
        "import cobuild_graph as cg\n"
        "from cobuild_graph.maps import network_map\n"
        "G = cg.generate('tiny', seed=3)\n"
        "ego = next(n for n, a in G.nodes(data=True) if a['label'] == 'Community')\n"
        "print([(n['id'], n['x'], n['y']) for n in network_map(G, ego=ego, radius=2).nodes])\n"
    )
    root = Path(__file__).resolve().parents[1]
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert runs[0].count("(") > 5


def test_page_marks_inferred_dates_and_carries_aliases(tiny):
    G = tiny.copy()
    dated = [(u, v, k) for u, v, k, day in G.edges(keys=True, data="since") if day is not None]
    for i, (u, v, k) in enumerate(dated[::2]):
        G.edges[u, v, k]["inferred"] = "since:roster_year" + (";until:roster_year" if i % 2 else "")
    unit = next(n for n, label in G.nodes(data="label") if label == "Unit")
    G.nodes[unit]["aliases"] = f"苏州银行；苏州银行股份有限公司；{HOSTILE[0]}"
    page = network_map(G, layout_seed=1).generate_html()
    data = page_data(page)
    expected = Counter()
    dates = inferred = 0
    for u, v, k, attrs in G.edges(keys=True, data=True):
        marks = attrs.get("inferred", "")
        ends = [e for e in ("since", "until") if attrs.get(e) is not None]
        flagged = tuple(e for e in ends if f"{e}:" in marks)
        expected[(u, v, k, flagged)] += 1
        dates, inferred = dates + len(ends), inferred + len(flagged)
    seen = Counter(
        (e["from"], e["to"], e["cg_type"], tuple(e.get("cg_inferred", ()))) for e in data["edges"]
    )
    assert seen == expected
    assert inferred > 0
    assert (data["time"]["dates"], data["time"]["inferred"]) == (dates, inferred)
    assert all("推定 inferred" in e["title"] for e in data["edges"] if "cg_inferred" in e)
    node = next(n for n in data["nodes"] if n["id"] == unit)
    assert node["cg_aliases"] == ["苏州银行", "苏州银行股份有限公司", HOSTILE[0]]
    assert "别名 aliases: 苏州银行；苏州银行股份有限公司；" in node["title"]
    assert HOSTILE[0] not in page  # the alias reaches the page only as JSON data
    assert all("cg_aliases" not in n for n in data["nodes"] if n["id"] != unit)


def test_filters_only_for_levels_with_places_to_choose_between(tiny, tmp_path):
    from tests._rosters import write_report_roster

    assert [f["level"] for f in network_map(tiny).page["filters"]] == ["District", "Street"]
    roster = cg.read_roster(write_report_roster(tmp_path / "roster.xlsx")).graph
    districts = [n for n, a in roster.nodes(data=True) if a["label"] == "District"]
    assert len(districts) == 1  # one district: nothing to choose
    filters = network_map(roster).page["filters"]
    assert [f["level"] for f in filters] == ["Street"]
    assert len(filters[0]["places"]) == 3
    asked = network_map(roster, filter_levels=["District"]).page["filters"]
    assert [f["level"] for f in asked] == ["District"]
    roster.remove_nodes_from(districts)
    assert [f["level"] for f in network_map(roster).page["filters"]] == ["Street"]
