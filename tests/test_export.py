"""Files for Gephi, UCINET and Pajek: read back with independent readers, valid, and safe."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pandas as pd
import pytest
from lxml import etree

from cobuild_graph import (
    read_dataset,
    write_dataset,
    write_gexf,
    write_graphml,
    write_pajek,
    write_two_mode_dl,
    write_ucinet_dl,
)
from cobuild_graph.roster import read_roster
from tests._r import run_r

SUZHOU = Path(__file__).parents[1] / "data" / "suzhou"
GEXF_XSD = Path(__file__).parent / "data" / "gexf-1.2draft" / "gexf.xsd"

HOSTILE = {
    "daoqian": "=cmd|' /C calc'!A0",
    "nanhuan1": 'say "hi", ok = fine',
    "007": "<script>alert(1)</script>",
    "ab1": "第一行\n第二行\r\n\t第三行\u2028",
    "canglang": "䶮社区 & 南环, 第一",
}
# What the DL and Pajek labels become: no double quote, no line break, no control character.
HOSTILE_PLAIN = {
    "daoqian": "=cmd|' /C calc'!A0",
    "nanhuan1": "say 'hi', ok = fine",
    "007": "<script>alert(1)</script>",
    "ab1": "第一行 第二行   第三行 ",
    "canglang": "䶮社区 & 南环, 第一",
}


@pytest.fixture
def G(small_dataset: Path) -> nx.MultiDiGraph:  # noqa: N802 (a graph is G)
    return read_dataset(small_dataset)


@pytest.fixture
def hostile(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    for node, name in HOSTILE.items():
        G.nodes[node]["name"] = name
    return G


def ties_by_type(G: nx.MultiDiGraph, names: dict[Any, str]) -> dict[str, dict[tuple, float]]:
    """What every DL or Pajek relation should hold: {type: {(row, column): value}}."""
    relations: dict[str, dict[tuple, float]] = {}
    for u, v, attrs in G.edges(data=True):
        relations.setdefault(attrs["type"], {})[names[u], names[v]] = attrs.get("weight", 1)
    return relations


def names_of(G: nx.MultiDiGraph) -> dict[Any, str]:
    return dict(G.nodes(data="name"))


# -- GEXF -------------------------------------------------------------------------------


def gexf_ties(path: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The ties of a GEXF file read by networkx, by (source, target, tie type)."""
    # (without parallel ties networkx reads a DiGraph, without the keys: use the tie type)
    return {(u, v, d["tie_type"]): d for u, v, d in nx.read_gexf(path).edges(data=True)}


def assert_valid_gexf(path: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
    assert schema.validate(etree.parse(str(path))), schema.error_log


def test_gexf_is_dynamic_with_the_ties_dates(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = write_gexf(G, tmp_path / "g.gexf")
    assert_valid_gexf(path)
    graph_element = etree.parse(str(path)).getroot()[1]
    assert (graph_element.get("mode"), graph_element.get("timeformat")) == ("dynamic", "date")
    assert nx.read_gexf(path).graph["mode"] == "dynamic"
    ties = gexf_ties(path)
    assert len(ties) == G.number_of_edges()
    for u, v, key, attrs in G.edges(keys=True, data=True):
        back = ties[u, v, key]
        for date, bound in (("since", "start"), ("until", "end")):
            if date in attrs:
                assert back[bound] == attrs[date].isoformat()
                assert back[date] == attrs[date].isoformat()  # kept as an attribute too
            else:
                assert bound not in back
        assert back["label"] == back["tie_type"] == attrs["type"]
    assert ties["007", "canglang", "ASSIGNED_TO"]["end"] == "2023-12-31"


def test_gexf_nodes_start_when_founded(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    H = nx.read_gexf(write_gexf(G, tmp_path / "g.gexf"))
    for node, attrs in G.nodes(data=True):
        if "founded" in attrs:
            assert H.nodes[node]["start"] == attrs["founded"].isoformat()
        else:
            assert "start" not in H.nodes[node]
        assert "end" not in H.nodes[node]
    assert H.nodes["canglang"]["start"] == "2017-09-01"
    H = nx.read_gexf(write_gexf(G, tmp_path / "none.gexf", node_start=None))
    assert all("start" not in attrs for _, attrs in H.nodes(data=True))


def test_gexf_keeps_the_static_attributes(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = write_gexf(G, tmp_path / "g.gexf")
    H = nx.read_gexf(path)
    for node, attrs in G.nodes(data=True):
        back = H.nodes[node]
        assert back["label"] == attrs["name"]  # what Gephi shows
        assert back["node_label"] == attrs["label"]
        for key, value in attrs.items():
            if key != "label":
                assert back[key] == (value.isoformat() if isinstance(value, dt.date) else value)
    tie = gexf_ties(path)["007", "daoqian", "PAIRED_WITH"]
    assert (tie["weight"], tie["provenance"], tie["since"]) == (1.5, "article", "2019-05-01")


def test_gexf_without_dates_stays_static_and_valid(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    for _, attrs in G.nodes(data=True):
        attrs.pop("founded", None)
    for _, _, attrs in G.edges(data=True):
        attrs.pop("since", None)
        attrs.pop("until", None)
    path = write_gexf(G, tmp_path / "static.gexf")
    assert_valid_gexf(path)
    graph_element = etree.parse(str(path)).getroot()[1]
    assert graph_element.get("mode") == "static"
    assert graph_element.get("timeformat") is None
    assert nx.read_gexf(path).number_of_edges() == G.number_of_edges()


def test_gexf_reserved_attribute_names_are_kept_aside(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    G.nodes["daoqian"]["start"] = "开学"  # a free attribute, not a time
    G.edges["007", "daoqian", "PAIRED_WITH"]["id"] = "p-1"
    path = write_gexf(G, tmp_path / "g.gexf")
    H = nx.read_gexf(path)
    assert H.nodes["daoqian"]["node_start"] == "开学"
    assert "start" not in H.nodes["daoqian"]
    assert gexf_ties(path)["007", "daoqian", "PAIRED_WITH"]["tie_id"] == "p-1"


def test_gexf_and_graphml_keep_hostile_names(hostile: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = write_gexf(hostile, tmp_path / "g.gexf")
    assert_valid_gexf(path)
    H = nx.read_gexf(path)
    graphml = nx.read_graphml(write_graphml(hostile, tmp_path / "g.graphml"))
    for node, name in HOSTILE.items():
        assert H.nodes[node]["label"] == H.nodes[node]["name"] == name
        # GraphML holds text as element content, where XML reads a line end as a line feed
        assert graphml.nodes[node]["name"] == name.replace("\r\n", "\n")


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_xml_illegal_characters_are_refused(
    G: nx.MultiDiGraph, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / "out"
    G.nodes["daoqian"]["name"] = "道前\x01社区"
    with pytest.raises(ValueError, match=r"node 'daoqian', attribute 'name'.*U\+0001"):
        write_dataset(G, out / f"g{suffix}")
    G.nodes["daoqian"]["name"] = "道前社区"
    G.edges["007", "daoqian", "PAIRED_WITH"]["provenance"] = "\ufffe"
    with pytest.raises(ValueError, match=r"tie '007' -> 'daoqian'.*'provenance'.*U\+FFFE"):
        write_dataset(G, out / f"g{suffix}")
    assert not out.exists()  # nothing half-written


def test_gexf_and_graphml_declare_the_schemas_types(tmp_path: Path) -> None:
    """A study imported from a roster: its counts come back as numbers, not text."""
    roster = tmp_path / "2023年名册.csv"
    roster.write_text(
        "单位名称,报到社区,所属街道,党员人数,单位类型\n甲单位,道前社区,沧浪街道,2100,国企\n",
        encoding="utf-8",
    )
    G = read_dataset(write_dataset(read_roster(roster).graph, tmp_path / "study"))
    unit = next(n for n, label in G.nodes(data="label") if label == "Unit")
    assert G.nodes[unit]["party_members"] == 2100
    project = "项目-1"
    G.add_node(
        project,
        label="Project",
        name="微心愿",
        budget_yuan=1500.5,
        exemplary=True,
        year=2023,
        founded=dt.date(2023, 3, 1),
    )
    gexf, graphml = tmp_path / "g.gexf", tmp_path / "g.graphml"
    write_gexf(G, gexf)
    write_graphml(G, graphml)
    declared = {
        a.get("title"): a.get("type")
        for a in etree.parse(str(gexf)).iter("{*}attribute")
        if a.getparent().get("class") == "node"
    }
    assert declared["party_members"] in ("integer", "long")
    assert declared["year"] in ("integer", "long")
    assert (declared["budget_yuan"], declared["exemplary"]) == ("double", "boolean")
    keys = {
        k.get("attr.name"): k.get("attr.type") for k in etree.parse(str(graphml)).iter("{*}key")
    }
    assert keys["party_members"] in ("int", "long")
    assert (keys["budget_yuan"], keys["exemplary"]) == ("double", "boolean")
    for H in (nx.read_gexf(gexf), nx.read_graphml(graphml)):
        data = H.nodes[unit]
        assert data["party_members"] == 2100
        assert type(data["party_members"]) is int
        project_data = H.nodes[project]
        assert (project_data["budget_yuan"], project_data["exemplary"]) == (1500.5, True)
        assert type(project_data["year"]) is int
        # neither format has a date type for attributes: dates are ISO text
        assert project_data["founded"] == "2023-03-01"


# -- UCINET DL: a reader written from the DL documentation, for the tests only ---------

_SECTION = re.compile(r"(?im)^\s*(labels|row labels|column labels|matrix labels|data):\s*$")
_LABEL = re.compile(r'"([^"\r\n]*)"|([^\s,="]+)')


def read_dl(path: Path, encoding: str = "gb18030") -> dict[str, Any]:
    """Parse a DL file: the header's keys, the label lists, and per matrix label the
    ``{(row label, column label): value}`` of its non-zero cells.

    Labels are separated by spaces, line breaks, commas or ``=``; a label in double quotes
    may hold spaces and commas. ``edgelist1`` / ``edgelist2`` data are ``row column value``
    lines (1-based), matrices separated by ``!``; ``fullmatrix`` data are the rows of each
    matrix in turn.
    """
    text = path.read_bytes().decode(encoding)
    parts = _SECTION.split(text)
    header, sections = parts[0], dict(zip(parts[1::2], parts[2::2], strict=True))
    assert re.match(r"(?i)\s*DL\b", header), "a DL file starts with DL"
    keys = {k.lower(): v for k, v in re.findall(r"(\w+)\s*=\s*(\w+)", header)}
    lists = {
        name.lower(): [quoted or bare for quoted, bare in _LABEL.findall(body)]
        for name, body in sections.items()
        if name.lower() != "data"
    }
    rows = lists.get("row labels", lists.get("labels"))
    columns = lists.get("column labels", lists.get("labels"))
    assert len(rows) == int(keys.get("nr", keys.get("n")))
    assert len(columns) == int(keys.get("nc", keys.get("n")))
    relations = lists["matrix labels"]
    assert len(relations) == int(keys["nm"])
    data = sections["data"]
    matrices: dict[str, dict[tuple[str, str], float]] = {}
    if keys["format"].lower().startswith("edgelist"):
        chunks = re.split(r"(?m)^!\s*$", data)
        assert len(chunks) == len(relations)
        for relation, chunk in zip(relations, chunks, strict=True):
            cells = matrices[relation] = {}
            for r, c, value in re.findall(r"(?m)^\s*(\d+)\s+(\d+)\s+(\S+)\s*$", chunk):
                cells[rows[int(r) - 1], columns[int(c) - 1]] = float(value)
    else:
        assert keys["format"].lower() == "fullmatrix"
        values = [float(x) for x in data.split()]
        size = len(rows) * len(columns)
        assert len(values) == size * len(relations)
        for m, relation in enumerate(relations):
            matrices[relation] = {
                (rows[i // len(columns)], columns[i % len(columns)]): value
                for i, value in enumerate(values[m * size : (m + 1) * size])
                if value
            }
    return {"keys": keys, "rows": rows, "columns": columns, "matrices": matrices}


@pytest.mark.parametrize("layout", ["edgelist1", "fullmatrix"])
def test_dl_round_trip(G: nx.MultiDiGraph, tmp_path: Path, layout: str) -> None:
    dl = read_dl(write_ucinet_dl(G, tmp_path / "g.dl", layout=layout))
    names = names_of(G)
    assert dl["rows"] == dl["columns"] == [names[n] for n in G]
    assert dl["keys"]["format"] == layout
    expected = ties_by_type(G, names)
    assert list(dl["matrices"]) == sorted(expected)  # one relation per tie type
    assert dl["matrices"] == expected
    assert dl["matrices"]["PAIRED_WITH"] == {("苏州市市政设施管理处", "道前社区"): 1.5}


def test_dl_of_the_sample_dataset(tmp_path: Path) -> None:
    G = read_dataset(Path(__file__).parent.parent / "data" / "suzhou")
    path = write_dataset(G, tmp_path / "suzhou.dl")
    dl = read_dl(path)
    assert len(dl["rows"]) == G.number_of_nodes()
    assert len(set(dl["rows"])) == len(dl["rows"])  # repeated names made unique
    labels = dict(zip(G, dl["rows"], strict=True))
    assert dl["matrices"] == ties_by_type(G, labels)


def test_dl_chosen_tie_types_and_repeated_names(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    G.nodes["nanhuan1"]["name"] = "道前社区"  # two communities of the same name
    path = write_ucinet_dl(G, tmp_path / "g.dl", tie_types=["PART_OF", "MEMBER_OF"])
    dl = read_dl(path)
    assert list(dl["matrices"]) == ["PART_OF", "MEMBER_OF"]
    assert dl["matrices"]["MEMBER_OF"] == {}
    assert "道前社区 (daoqian)" in dl["rows"]
    assert "道前社区 (nanhuan1)" in dl["rows"]
    assert len(dl["matrices"]["PART_OF"]) == 4


@pytest.mark.parametrize("layout", ["fullmatrix", "edgelist2"])
def test_two_mode_dl_round_trip(G: nx.MultiDiGraph, tmp_path: Path, layout: str) -> None:
    G.add_node("u2", label="Unit", name="苏州市公积金姑苏分中心")
    G.add_edge("u2", "nanhuan1", key="PAIRED_WITH", type="PAIRED_WITH")
    G.add_edge("u2", "daoqian", key="PAIRED_WITH", type="PAIRED_WITH", weight=2)
    dl = read_dl(write_two_mode_dl(G, tmp_path / "two.dl", layout=layout))
    assert dl["keys"]["format"] == layout
    assert dl["rows"] == ["苏州市市政设施管理处", "苏州市公积金姑苏分中心"]
    assert dl["columns"] == ["道前社区", "南环第一社区"]
    assert dl["matrices"] == {
        "PAIRED_WITH": {
            ("苏州市市政设施管理处", "道前社区"): 1.5,
            ("苏州市公积金姑苏分中心", "南环第一社区"): 1,
            ("苏州市公积金姑苏分中心", "道前社区"): 2,
        }
    }
    # the other way round: ties run from the columns to the rows
    dl = read_dl(write_two_mode_dl(G, tmp_path / "t.dl", rows="Community", columns="Unit"))
    assert dl["rows"] == ["道前社区", "南环第一社区"]
    assert ("南环第一社区", "苏州市公积金姑苏分中心") in dl["matrices"]["PAIRED_WITH"]


def test_two_mode_dl_refuses_what_it_cannot_write(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    with pytest.raises(ValueError, match="no node is labelled 'Village'"):
        write_two_mode_dl(G, tmp_path / "x.dl", columns="Village")
    with pytest.raises(ValueError, match="both 'Unit'"):
        write_two_mode_dl(G, tmp_path / "x.dl", columns="Unit")
    with pytest.raises(ValueError, match="unknown layout 'edgelist1'"):
        write_two_mode_dl(G, tmp_path / "x.dl", layout="edgelist1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no ties"):
        write_two_mode_dl(G, tmp_path / "x.dl", rows="Street", columns="City")
    assert not tmp_path.exists()


def test_dl_hostile_names_cannot_break_the_file(hostile: nx.MultiDiGraph, tmp_path: Path) -> None:
    for layout in ("edgelist1", "fullmatrix"):
        path = write_ucinet_dl(hostile, tmp_path / f"{layout}.dl", layout=layout)
        dl = read_dl(path)
        labels = dict(zip(hostile, dl["rows"], strict=True))
        for node, plain in HOSTILE_PLAIN.items():
            assert labels[node] == plain
        assert dl["matrices"] == ties_by_type(hostile, labels)
        # one label per line: exactly n + nm + 4 lines before the data
        lines = path.read_bytes().decode("gb18030").split("\r\n")
        assert lines.index("data:") == hostile.number_of_nodes() + len(dl["matrices"]) + 4


def test_dl_encodings(hostile: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = write_ucinet_dl(hostile, tmp_path / "g.dl")
    assert "䶮".encode("gb18030") in path.read_bytes()  # GB18030 by default
    utf8 = write_ucinet_dl(hostile, tmp_path / "u.dl", encoding="utf-8-sig")
    assert utf8.read_bytes().startswith(b"\xef\xbb\xbfDL")
    assert read_dl(utf8, "utf-8-sig")["rows"] == read_dl(path)["rows"]
    with pytest.raises(ValueError, match=r"node 'canglang'.*'䶮'.*gbk cannot hold"):
        write_ucinet_dl(hostile, tmp_path / "k.dl", encoding="gbk")
    assert not (tmp_path / "k.dl").exists()


def test_dl_refuses_unknown_layout(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown layout 'matrix'"):
        write_dataset(G, tmp_path / "g.dl", layout="matrix")


# -- Pajek ------------------------------------------------------------------------------


# Pajek names that every reader reads back as written, and ones write_pajek refuses.
PAJEK_SAFE = {
    "daoqian": "=cmd|' /C calc'!A0",
    "nanhuan1": "it's 50% #1; a,b = c",
    "007": "<script>alert(1)</script>",
    "ab1": "  C:\\data\\单位 ",  # single backslashes, spaces at both ends
    "canglang": "䶮社区 & 南环, 第一",
}
PAJEK_REFUSED = {
    'say "hi"': "a double quote",
    "第一行\n第二行": "a line break",
    "甲\t乙": "a line break, tab",
    "段\u2028落": "a line break",
    "单位\\": "a backslash at its end",
    "C:\\\\share": "two backslashes in a row",
}


def read_pajek_both(path: Path) -> tuple[nx.MultiDiGraph, Any]:
    """`path` read by networkx and by python-igraph, checked to agree: (networkx, igraph).

    Both give the ties as (source label, target label, value, tie type): networkx holds the
    tie type in the edge attribute ``l``, igraph in ``label``.
    """
    H = nx.read_pajek(path)
    g = igraph.Graph.Read_Pajek(str(path))
    assert g.vs["name"] == [name for name, _ in sorted(H.nodes(data="id"), key=lambda x: int(x[1]))]
    names = g.vs["name"]
    from_igraph = sorted(
        (
            names[e.source],
            names[e.target],
            e["weight"],
            e["label"] if "label" in e.attributes() else None,
        )
        for e in g.es
    )
    from_networkx = sorted((u, v, d["weight"], d.get("l")) for u, v, d in H.edges(data=True))
    if not H.is_directed():  # an undirected tie may come back either way round
        from_igraph = sorted(tuple(sorted(t[:2])) + t[2:] for t in from_igraph)
        from_networkx = sorted(tuple(sorted(t[:2])) + t[2:] for t in from_networkx)
    assert from_igraph == from_networkx
    assert g.is_directed() == H.is_directed()
    return H, g


def pajek_ties(H: nx.MultiDiGraph) -> dict[str, dict[tuple, float]]:
    """The ties of a Pajek file read by networkx: {type: {(source, target): value}}."""
    relations: dict[str, dict[tuple, float]] = {}
    for u, v, attrs in H.edges(data=True):
        cells = relations.setdefault(attrs["l"], {})
        assert (u, v) not in cells  # one line per source, target and type
        cells[u, v] = attrs["weight"]
    return relations


def pajek_relations(path: Path, tmp_path: Path) -> Iterator[tuple[str, str, nx.MultiDiGraph]]:
    """(section, relation name, graph) per relation of a multi-relational file.

    networkx and igraph read one ``*Arcs`` or ``*Edges`` section per file, so each relation
    is given to them (:func:`read_pajek_both`) with the ``*Vertices`` list.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    headers = [i for i, line in enumerate(lines) if re.match(r"\*(Arcs|Edges) :\d+ ", line)]
    vertices = lines[: headers[0]]
    for start, end in zip(headers, [*headers[1:], len(lines)], strict=True):
        section, number, name = re.fullmatch(r'(\*\w+) :(\d+) "(.*)"', lines[start]).groups()
        assert int(number) == headers.index(start) + 1
        one = tmp_path / f"relation-{number}.net"
        one.write_text("\n".join([*vertices, section, *lines[start + 1 : end]]), encoding="utf-8")
        yield section, name, read_pajek_both(one)[0]


def test_pajek_round_trip(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = write_pajek(G, tmp_path / "g.net")
    assert path.read_bytes().startswith(b"%")  # UTF-8 without a byte-order mark
    H, _ = read_pajek_both(path)
    assert sorted(H.nodes) == sorted(names_of(G).values())
    assert pajek_ties(H) == ties_by_type(G, names_of(G))
    assert re.findall(r"(?m)^\*\w+", path.read_text(encoding="utf-8")) == ["*Vertices", "*Arcs"]


def test_pajek_adds_parallel_ties_of_one_type(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    G.add_edge("007", "daoqian", key="PAIRED_WITH-2", type="PAIRED_WITH", weight=2)
    G.add_edge("007", "daoqian", key="SUPPORTS", type="SUPPORTS")
    H, _ = read_pajek_both(write_pajek(G, tmp_path / "g.net"))
    ties = pajek_ties(H)
    assert ties["PAIRED_WITH"]["苏州市市政设施管理处", "道前社区"] == 1.5 + 2
    assert ties["SUPPORTS"]["苏州市市政设施管理处", "道前社区"] == 1


def test_pajek_relations_one_section_per_type(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = write_pajek(G, tmp_path / "g.net", relations=True)
    expected = ties_by_type(G, names_of(G))
    seen = {}
    for section, name, H in pajek_relations(path, tmp_path):
        assert section == "*Arcs"
        assert sorted(H.nodes) == sorted(names_of(G).values())
        seen[name] = {(u, v): w for u, v, w in H.edges(data="weight")}
    assert seen == expected
    assert list(seen) == sorted(expected)


def test_pajek_chosen_tie_types(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    H, g = read_pajek_both(write_pajek(G, tmp_path / "g.net", tie_types=["PART_OF"]))
    names = names_of(G)
    assert sorted(H.edges()) == sorted(
        (names[u], names[v]) for u, v, t in G.edges(data="type") if t == "PART_OF"
    )
    assert set(g.es["label"]) == {"PART_OF"}


def test_pajek_undirected_graph_writes_edges(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    U = nx.MultiGraph(G)
    path = write_pajek(U, tmp_path / "u.net")
    H, g = read_pajek_both(path)
    assert not g.is_directed()
    assert H.number_of_edges() == U.number_of_edges()
    sections = {
        s
        for s, _, _ in pajek_relations(write_pajek(U, tmp_path / "r.net", relations=True), tmp_path)
    }
    assert sections == {"*Edges"}


def test_pajek_names_round_trip(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    for node, name in PAJEK_SAFE.items():
        G.nodes[node]["name"] = name
    H, g = read_pajek_both(write_pajek(G, tmp_path / "g.net"))
    assert sorted(H.nodes) == sorted(g.vs["name"]) == sorted(names_of(G).values())
    assert pajek_ties(H) == ties_by_type(G, names_of(G))


@pytest.mark.parametrize("name", list(PAJEK_REFUSED))
def test_pajek_refuses_names_a_reader_would_change(
    G: nx.MultiDiGraph, tmp_path: Path, name: str
) -> None:
    G.nodes["007"]["name"] = name
    with pytest.raises(ValueError, match=rf"node '007': .* holds {re.escape(PAJEK_REFUSED[name])}"):
        write_dataset(G, tmp_path / "out" / "g.net")
    assert not (tmp_path / "out").exists()
    H, _ = read_pajek_both(write_pajek(G, tmp_path / "ids.net", labels="id"))  # the way out
    assert "007" in H


def test_pajek_refuses_a_tie_type_read_paj_would_split(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    G.edges["007", "daoqian", "PAIRED_WITH"]["type"] = "PAIRED WITH"
    with pytest.raises(ValueError, match="tie type 'PAIRED WITH'"):
        write_pajek(G, tmp_path / "g.net")


def test_pajek_read_by_r_igraph_and_network(rscript: str, tmp_path: Path) -> None:
    """R igraph's read_graph and network's read.paj read the default file: the Chinese
    names, the ties and their types as written."""
    G = read_dataset(SUZHOU)
    path = write_pajek(G, tmp_path / "苏州.net")
    H, _ = read_pajek_both(path)
    run_r(
        rscript,
        """
        suppressMessages({library(igraph); library(network)})
        g <- igraph::read_graph("苏州.net", format = "pajek")
        n <- network::read.paj("苏州.net")
        write.csv(data.frame(name = igraph::V(g)$name), "igraph-nodes.csv", row.names = FALSE,
                  fileEncoding = "UTF-8")
        el <- igraph::as_edgelist(g, names = TRUE)
        write.csv(data.frame(u = el[, 1], v = el[, 2], w = igraph::E(g)$weight,
                             t = igraph::E(g)$label), "igraph-ties.csv", row.names = FALSE,
                  fileEncoding = "UTF-8")
        names <- as.character(network::get.vertex.attribute(n, "vertex.names"))
        write.csv(data.frame(name = names), "network-nodes.csv", row.names = FALSE,
                  fileEncoding = "UTF-8")
        raw <- network::get.edge.attribute(n, "l", unlist = FALSE)
        ids <- network::valid.eids(n)
        write.csv(data.frame(u = names[sapply(ids, function(e) n$mel[[e]]$outl)],
                             v = names[sapply(ids, function(e) n$mel[[e]]$inl)],
                             t = unlist(raw[ids])), "network-ties.csv", row.names = FALSE,
                  fileEncoding = "UTF-8")
        """,
        tmp_path,
    )
    expected_ties = sorted((u, v, d["l"]) for u, v, d in H.edges(data=True))
    assert len(expected_ties) == len({(u, v, t) for u, v, t in G.edges(data="type")})
    for reader in ("igraph", "network"):
        nodes = pd.read_csv(tmp_path / f"{reader}-nodes.csv", dtype=str, keep_default_na=False)
        ties = pd.read_csv(tmp_path / f"{reader}-ties.csv", dtype=str, keep_default_na=False)
        assert sorted(nodes["name"]) == sorted(H.nodes), reader
        assert sorted(zip(ties["u"], ties["v"], ties["t"], strict=True)) == expected_ties, reader
    igraph_ties = pd.read_csv(tmp_path / "igraph-ties.csv", dtype={"u": str, "v": str, "t": str})
    assert sorted(zip(igraph_ties["u"], igraph_ties["v"], igraph_ties["w"], strict=True)) == sorted(
        (u, v, w) for u, v, w in H.edges(data="weight")
    )


# -- every file: the mode of a new file ------------------------------------------------


@pytest.mark.parametrize("suffix", [".gexf", ".graphml", ".dl", ".net", ".xlsx"])
def test_files_have_an_ordinary_files_mode(G: nx.MultiDiGraph, tmp_path: Path, suffix: str) -> None:
    old = os.umask(0o022)
    try:
        path = write_dataset(G, tmp_path / "out" / f"g{suffix}")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no staging file left
