"""Reading real-world files and writing every format, with lossless round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import openpyxl
import pytest

from cobuild_graph import DEFAULT_SCHEMA, ValidationError, read_dataset, read_tables, write_dataset
from cobuild_graph._files import XML_ILLEGAL
from cobuild_graph._raw_tables import _may_hold_xml_illegal
from tests.conftest import NODES, TIES, write_csv_dataset


def edges(G: nx.MultiDiGraph) -> list[tuple]:
    return sorted((u, v, k, sorted(d.items())) for u, v, k, d in G.edges(keys=True, data=True))


def assert_same_graph(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert edges(G) == edges(H)


def test_graph_has_typed_attributes(small_dataset: Path) -> None:
    G = read_dataset(small_dataset)
    assert G.nodes["daoqian"] == {
        "label": "Community",
        "name": "道前社区",
        "members": 120,
        "provenance": "article",
    }
    assert G.nodes["canglang"]["founded"] == dt.date(2017, 9, 1)
    tie = G.edges["007", "daoqian", "PAIRED_WITH"]
    assert tie == {
        "type": "PAIRED_WITH",
        "since": dt.date(2019, 5, 1),
        "weight": 1.5,
        "provenance": "article",
    }
    assert G.edges["007", "canglang", "ASSIGNED_TO"]["until"] == dt.date(2023, 12, 31)


@pytest.mark.parametrize("target", ["folder", "book.xlsx"])
def test_files_graph_files_round_trip(small_dataset: Path, tmp_path: Path, target: str) -> None:
    G = read_dataset(small_dataset)
    first = write_dataset(G, tmp_path / "once" / target)
    H = read_dataset(first)
    assert_same_graph(G, H)
    second = write_dataset(H, tmp_path / "twice" / target)
    if target == "folder":
        for name in ("nodes.csv", "ties.csv", "metadata.json"):
            assert (first / name).read_bytes() == (second / name).read_bytes()
    assert_same_graph(G, read_dataset(second))


def test_metadata_round_trips(small_dataset: Path, tmp_path: Path) -> None:
    (small_dataset / "metadata.json").write_text(
        '{"name": "测试", "place": "苏州", "date": "2020-06-01", "license": "CC-BY-4.0"}',
        encoding="utf-8",
    )
    G = read_dataset(small_dataset)
    assert G.graph == {
        "name": "测试",
        "place": "苏州",
        "date": "2020-06-01",
        "licence": "CC-BY-4.0",
        "schema": DEFAULT_SCHEMA,
    }
    for target in ("out", "out.xlsx"):
        assert read_dataset(write_dataset(G, tmp_path / target)).graph == G.graph


def test_gb18030_file_with_a_gb18030_only_character(tmp_path: Path) -> None:
    nodes = NODES + "yan,Community,䶮社区,,,\n"
    assert "䶮".encode("gb18030")
    assert not _encodable("䶮", "gbk")
    folder = write_csv_dataset(tmp_path, nodes, TIES, encoding="gb18030")
    G = read_dataset(folder)
    assert G.nodes["yan"]["name"] == "䶮社区"
    assert G.nodes["daoqian"]["name"] == "道前社区"


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def test_utf8_with_bom_and_chinese_headers(tmp_path: Path) -> None:
    nodes = (
        "编号,类型,名称,党员数,成立时间\n"
        "d1,区,姑苏区,,\ns1,街道,沧浪街道,,2017年9月\nc1,社区,道前社区,120,\n"
    )
    ties = "起点,终点,关系,开始时间\ns1,d1,隶属,\nc1,s1,PART_OF,2018-01-01\n"
    folder = tmp_path / "bom"
    folder.mkdir()
    (folder / "nodes.csv").write_bytes(b"\xef\xbb\xbf" + nodes.encode())
    (folder / "ties.csv").write_bytes(b"\xef\xbb\xbf" + ties.encode())
    nodes_table, ties_table, _ = read_tables(folder)
    assert list(nodes_table.columns) == ["id", "label", "name", "members", "founded"]
    by_id = nodes_table.set_index("id")
    assert by_id.loc["s1", "founded"] == dt.date(2017, 9, 1)
    assert by_id.loc["c1", "label"] == "Community"
    assert by_id.loc["c1", "members"] == 120
    assert ties_table["type"].tolist() == ["PART_OF", "PART_OF"]
    assert ties_table["since"].tolist() == [None, dt.date(2018, 1, 1)]


def test_utf8_file_is_never_read_as_gbk(tmp_path: Path) -> None:
    # These UTF-8 bytes also decode as GB18030, into mojibake: UTF-8 must win.
    name = "道前社区"
    assert name.encode("utf-8").decode("gb18030", errors="strict") != name
    folder = write_csv_dataset(tmp_path, NODES + f"p1,Project,{name},,,\n", encoding="utf-8")
    assert read_dataset(folder).nodes["p1"]["name"] == name


def test_undecodable_file_is_refused_with_advice(tmp_path: Path) -> None:
    text = "id,label,name\ne1,Unit,Café Crème Société Générale Hôtel Élysée Müller\n"
    folder = write_csv_dataset(tmp_path, text, "source,target,type\n", encoding="latin-1")
    with pytest.raises(ValidationError, match=r"nodes\.csv.*encoding") as caught:
        read_dataset(folder)
    assert len(caught.value.problems) == 1
    G = read_dataset(folder, encoding="latin-1")
    assert G.nodes["e1"]["name"].startswith("Café")


def test_ids_stay_strings(tmp_path: Path) -> None:
    nodes = NODES + "NA,Unit,Not-a-number Unit,,,\nNULL,Unit,空单位,,,\n0042,Unit,单位42,,,\n"
    ties = TIES + "NA,daoqian,PAIRED_WITH,,,,\n0042,daoqian,PAIRED_WITH,,,,\n"
    G = read_dataset(write_csv_dataset(tmp_path, nodes, ties))
    assert {"007", "NA", "NULL", "0042"} <= set(G.nodes)
    assert G.has_edge("0042", "daoqian")
    assert G.nodes["NA"]["name"] == "Not-a-number Unit"


def test_whitespace_and_full_width_spaces_are_trimmed(tmp_path: Path) -> None:
    nodes = NODES + "\u3000u9 ,Unit,\u3000 某单位\u3000,,,\n"
    ties = TIES + " u9\u3000,daoqian,PAIRED_WITH,,,,\n"
    G = read_dataset(write_csv_dataset(tmp_path, nodes, ties))
    assert G.nodes["u9"]["name"] == "某单位"
    assert G.has_edge("u9", "daoqian")


def test_split_tables_take_their_label_from_the_file_name(small_dataset: Path) -> None:
    (small_dataset / "nodes_Unit.csv").write_text(
        "id,name\nu2,苏州信托有限公司\n", encoding="utf-8"
    )
    (small_dataset / "ties_PAIRED_WITH.csv").write_text(
        "source,target\nu2,daoqian\n", encoding="utf-8"
    )
    G = read_dataset(small_dataset)
    assert G.nodes["u2"]["label"] == "Unit"
    assert G.edges["u2", "daoqian", "PAIRED_WITH"]["type"] == "PAIRED_WITH"


def test_excel_title_rows_merged_headers_and_typed_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    nodes = book.active
    nodes.title = "nodes"
    nodes.append(["苏州共建网络（节点）"])
    nodes.merge_cells("A1:E1")
    nodes.append(["编号", "类型", "名称", "党员数", "成立时间"])
    nodes.append(["007", "Unit", "市政设施管理处", None, dt.datetime(2001, 3, 4)])
    nodes.append(["c1", "社区", "道前社区", 120.0, None])
    nodes.append([" c2", "社区", "南环第一社区", 80, None])
    ties = book.create_sheet("ties")
    ties.append(["起点", "终点", "关系", "开始时间"])
    ties.append(["007", "c1", "结对共建", dt.date(2019, 1, 1)])
    ties.append([None, "c2", "PAIRED_WITH", dt.date(2019, 1, 1)])
    ties.merge_cells("A2:A3")  # the same unit for both rows, merged as people do in Excel
    ties.cell(2, 1).value = "007"
    path = tmp_path / "book.xlsx"
    book.save(path)
    G = read_dataset(path)
    assert G.nodes["c1"]["members"] == 120
    assert G.nodes["007"]["founded"] == dt.date(2001, 3, 4)
    assert G.edges["007", "c2", "PAIRED_WITH"]["since"] == dt.date(2019, 1, 1)


def test_excel_problems_name_the_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "nodes"
    book.active.append(["id", "label", "name"])
    book.active.append(["a", "Unit", None])
    book.create_sheet("ties").append(["source", "target", "type"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(ValidationError) as caught:
        read_dataset(path)
    problem = caught.value.problems.iloc[0]
    assert problem["file"].endswith("bad.xlsx (sheet nodes)")
    assert (problem["row"], problem["column"]) == (2, "name")


def test_graphml_and_gexf_exports_open_in_networkx(small_dataset: Path, tmp_path: Path) -> None:
    G = read_dataset(small_dataset)
    graphml = nx.read_graphml(write_dataset(G, tmp_path / "g.graphml"), force_multigraph=True)
    assert graphml.number_of_nodes() == G.number_of_nodes()
    assert graphml.number_of_edges() == G.number_of_edges()
    assert graphml.nodes["daoqian"]["name"] == "道前社区"
    assert graphml.nodes["daoqian"]["members"] == 120
    assert graphml.edges["007", "daoqian", "PAIRED_WITH"]["since"] == "2019-05-01"
    gexf = nx.read_gexf(write_dataset(G, tmp_path / "g.gexf"))
    assert gexf.number_of_edges() == G.number_of_edges()
    assert gexf.nodes["daoqian"]["label"] == "道前社区"  # what Gephi shows
    assert gexf.nodes["daoqian"]["node_label"] == "Community"


def test_missing_dataset_and_missing_tables(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no dataset"):
        read_dataset(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValidationError, match="no nodes table"):
        read_dataset(tmp_path / "empty")


def test_bad_metadata_is_reported_with_its_line(small_dataset: Path) -> None:
    (small_dataset / "metadata.json").write_text('{"name": "x",\n "place": }', encoding="utf-8")
    with pytest.raises(
        ValidationError, match=r"metadata\.json, row 2: 不是有效的 JSON / not valid JSON"
    ):
        read_dataset(small_dataset)


def test_the_quick_look_for_xml_illegal_characters_misses_none() -> None:
    for code in range(0x10000):  # every character XML_ILLEGAL holds lies in the BMP
        char = chr(code)
        expected = XML_ILLEGAL.match(char) is not None
        assert _may_hold_xml_illegal(f"苏州{char}x") == expected, hex(code)


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # how every .xls file starts


def the_problem(path: Path, **options: str) -> str:
    """The message of the one problem reading `path` gives."""
    with pytest.raises(ValidationError) as caught:
        read_tables(path, **options)
    problems = caught.value.problems
    assert len(problems) == 1, problems.to_string()
    return str(problems["message"].iloc[0])


@pytest.mark.parametrize("name", ["roster.xls", "renamed.xlsx"])
def test_an_xls_workbook_is_refused_with_what_to_do(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(OLE2)
    message = the_problem(path)
    chinese, english = message.split(" / ")
    assert chinese.startswith(
        "这是 .xls" if name.endswith(".xls") else "这个 .xlsx 文件其实是 .xls"
    )
    assert chinese.endswith(
        ".xls 工作簿（Excel 97–2003）：请在 Excel 或 WPS 中另存为 .xlsx，"
        "花名册请用 `cobuild-graph import`"
    )
    assert english == (
        "an .xls workbook (Excel 97–2003): save it as .xlsx in Excel/WPS, "
        "or for a roster use `cobuild-graph import`"
    )


def test_a_single_csv_file_names_the_folder_to_pass(small_dataset: Path) -> None:
    message = the_problem(small_dataset / "nodes.csv")
    assert message.endswith(
        f"a single .csv file, not a dataset: pass the folder that holds nodes.csv and "
        f"ties.csv, {small_dataset}"
    )
    assert message.startswith(
        "这是单个 .csv 文件，不是数据集：请传入存放 nodes.csv 和 ties.csv 的文件夹 "
        f"{small_dataset} / "
    )


@pytest.mark.parametrize(
    ("name", "seen"),
    [
        ("data.ods", "an OpenDocument spreadsheet is not read: save it as .xlsx in Excel/WPS"),
        ("data.et", "a WPS spreadsheet is not read: save it as .xlsx in Excel/WPS"),
        ("data.json", "a .json file is not read"),
        ("data", "a suffix-less file is not read"),
    ],
)
def test_other_files_say_what_is_read(tmp_path: Path, name: str, seen: str) -> None:
    path = tmp_path / name
    path.write_bytes(OLE2 if name.endswith(".et") else b"PK\x03\x04")
    english = the_problem(path).split(" / ")[1]
    assert english == (
        f"{seen}{';' if 'save' in seen else ':'} a dataset is a folder holding nodes.csv and "
        "ties.csv, or an .xlsx workbook"
    )


def test_a_forced_encoding_that_fails_names_the_one_that_works(tmp_path: Path) -> None:
    folder = write_csv_dataset(tmp_path / "gb", encoding="gb18030")
    assert read_dataset(folder).nodes["daoqian"]["name"] == "道前社区"
    with pytest.raises(ValidationError) as caught:
        read_dataset(folder, encoding="utf-8")
    problem = caught.value.problems.iloc[0]  # ties.csv, plain ASCII, decodes as UTF-8
    assert (Path(problem["file"]).name, problem["row"]) == ("nodes.csv", 2)
    assert problem["message"] == (
        "看起来是 GB18030 编码：去掉 --encoding，或改用 --encoding gb18030 / this looks like "
        "GB18030: drop --encoding or pass --encoding gb18030"
    )
    folder = write_csv_dataset(tmp_path / "utf8")
    message = the_problem_in(folder, encoding="ascii")
    assert message.endswith("this looks like UTF-8: drop --encoding or pass --encoding utf-8")


def the_problem_in(folder: Path, **options: str) -> str:
    with pytest.raises(ValidationError) as caught:
        read_tables(folder, **options)
    return str(caught.value.problems["message"].iloc[0])


def test_a_forced_encoding_that_fails_where_nothing_would_keeps_its_own_message(
    tmp_path: Path,
) -> None:
    folder = write_csv_dataset(tmp_path, "id,label,name\nc,City,Zürich\n", encoding="cp1252")
    message = the_problem_in(folder, encoding="utf-8")
    assert message == "不是有效的 utf-8 编码 / not valid utf-8: byte 0xfc cannot be decoded"
