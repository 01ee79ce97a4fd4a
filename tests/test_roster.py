"""Roster import: shapes from headers, names reconciled, places, years, stable ids, the CLI."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import networkx as nx
import openpyxl
import pandas as pd
import pytest

from cobuild_graph import read_dataset
from cobuild_graph.cli import main
from cobuild_graph.reconcile import normalize_name, read_decisions
from cobuild_graph.roster import RosterError, read_roster
from tests._rosters import (
    COMMUNITY_SPELLINGS,
    PLACES,
    UNITS,
    report_rows,
    write_report_roster,
)


def labels(G: nx.MultiDiGraph) -> Counter[str]:
    return Counter(d["label"] for _, d in G.nodes(data=True))


def ties(G: nx.MultiDiGraph, tie_type: str) -> dict[tuple[str, str], dict]:
    """(source name, target name) → tie attributes, for the ties of one type."""
    return {
        (G.nodes[s]["name"], G.nodes[t]["name"]): d
        for s, t, k, d in G.edges(keys=True, data=True)
        if k == tie_type
    }


def decide(review: Path, truth: dict[str, str]) -> int:
    """Mark every suggestion as the truth says (spelling → true name); returns how many."""
    book = openpyxl.load_workbook(review)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    a, b, d = (header.index(h) for h in ("名称甲 name_a", "名称乙 name_b", "决定 decision"))
    marked = 0
    for row in sheet.iter_rows(min_row=2):
        same = truth.get(row[a].value) == truth.get(row[b].value) is not None
        row[d].value = "合并 merge" if same else "分开 keep apart"
        marked += 1
    book.save(review)
    return marked


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding=encoding)
    return path


# -- the motivating case: a 41-row 报到名册 with a title row, merged cells and places --------


def test_report_roster_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = report_rows()
    roster = write_report_roster(tmp_path / "报到名册.xlsx", rows)
    spellings = {s: unit for unit, written in UNITS.items() for s in written}
    # what a naive conversion counts: every distinct text a separate node
    assert len({r["单位名称"] for r in rows}) == 27
    assert len({r["报到社区"] for r in rows}) == 21
    true_units = {r["unit"] for r in rows}
    true_communities = {c for names in PLACES.values() for c in names}
    assert (len(true_units), len(true_communities)) == (15, 19)

    out, review = tmp_path / "study", tmp_path / "study.review.xlsx"
    assert main(["import", str(roster), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "建议 suggestions: 10 — 待定 pending 10" in printed
    first = read_dataset(out)
    # the rules merged width, spaces and the community suffixes; the rest are suggestions
    by_rule = {normalize_name(s, "Unit") for s in spellings}
    assert labels(first)["Unit"] == len(by_rule) == 25
    assert labels(first)["Community"] == 19
    suggested = pd.read_excel(review, sheet_name=0, engine="openpyxl")
    named = zip(suggested["名称甲 name_a"], suggested["名称乙 name_b"], strict=True)
    # every unit whose spellings the rules leave apart is suggested, and only true pairs
    assert all(spellings[a] == spellings[b] for a, b in named)
    apart = {u for u, w in UNITS.items() if len({normalize_name(s, "Unit") for s in w}) > 1}
    assert {spellings[a] for a in suggested["名称甲 name_a"]} == apart
    truth = dict(spellings)
    decide(review, truth)

    assert main(["import", str(roster), "-o", str(out), "--aliases", str(review)]) == 0
    printed = capsys.readouterr().out
    assert "待定 pending 0, 合并 merged 10" in printed
    second = read_dataset(out)
    assert labels(second)["Unit"] == 15
    assert labels(second)["Community"] == 19
    assert labels(second)["Street"] == 3
    # the reviewed decisions survive the review workbook's rewrite
    assert len(read_decisions(review)) == 10
    # each unit's ties are those its rows give, whatever the spelling
    paired = ties(second, "PAIRED_WITH")
    expected = {(r["unit"], r["community"]) for r in rows}
    canonical = {u: second.nodes[_unit_node(second, u, spellings)]["name"] for u in true_units}
    assert {(canonical[u], c) for u, c in expected} == set(paired)


@pytest.mark.slow
def test_decisions_survive_a_partial_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = report_rows()
    full = write_report_roster(tmp_path / "full.xlsx", rows)
    gone = {"苏州市妇女联合会", "苏州银行股份有限公司"}
    partial = write_report_roster(
        tmp_path / "partial.xlsx", [r for r in rows if r["unit"] not in gone]
    )
    spellings = {s: unit for unit, written in UNITS.items() for s in written}
    out, review = tmp_path / "study", tmp_path / "study.review.xlsx"
    assert main(["import", str(full), "-o", str(out)]) == 0
    decide(review, spellings)
    capsys.readouterr()
    args = ["-o", str(out), "--aliases", str(review)]
    assert main(["import", str(partial), *args]) == 0
    printed = capsys.readouterr().out
    assert "decisions for names not in this run: 2" in printed
    assert "苏州市妇女联合会 / 苏州市妇联: merge (" in printed
    shown = pd.read_excel(review, sheet_name=0, dtype=str, engine="openpyxl")
    absent = shown[shown["本次出现 in this run"] == "否 no"]
    assert sorted(absent["名称乙 name_b"]) == ["苏州市妇联", "苏州银行股份有限公司"]
    assert set(absent["决定 decision"]) == {"合并 merge"}
    assert main(["import", str(full), *args]) == 0
    assert "待定 pending 0, 合并 merged 10" in capsys.readouterr().out
    assert labels(read_dataset(out))["Unit"] == 15
    assert len(read_decisions(review)) == 10


def test_the_review_shows_each_units_category_and_place(tmp_path: Path) -> None:
    rows = report_rows()
    found = read_roster(write_report_roster(tmp_path / "r.xlsx", rows))
    row = found.review.suggestions.set_index("name_b").loc["苏州市妇联"]
    written = [r for r in rows if r["单位名称"] == "苏州市妇联"]
    assert row["evidence_b"].startswith(f"单位类型 category: 群团组织 ×{len(written)}\n")
    assert all(f"{r['报到社区']} ×1" in row["evidence_b"] for r in written)
    rules = found.review.rule_merges
    assert rules["name_b"].tolist() == ["胥江社区居民委员会", "道前社区居委会"]
    assert rules["evidence_b"].str.startswith("所在地 place: ").all()


def _unit_node(G: nx.MultiDiGraph, unit: str, spellings: dict[str, str]) -> str:
    for node, data in G.nodes(data=True):
        if data["label"] == "Unit" and spellings.get(data["name"]) == unit:
            return node
    raise AssertionError(unit)


def test_title_row_and_merged_cells_give_each_row_its_street(tmp_path: Path) -> None:
    rows = report_rows()
    G = read_roster(write_report_roster(tmp_path / "r.xlsx", rows)).graph
    # the street is written once per merged run, yet every community sits in its street
    part_of = ties(G, "PART_OF")
    for street, communities in PLACES.items():
        for community in communities:
            assert (community, street) in part_of
    spelled = {r["报到社区"] for r in rows} - {c for n in PLACES.values() for c in n}
    assert spelled == set(COMMUNITY_SPELLINGS.values())  # merged by rule with their place
    # provenance names the file, the sheet and the row (the header is row 2, under a title)
    unit = next(n for n, d in G.nodes(data=True) if d["name"] == rows[0]["单位名称"])
    assert G.nodes[unit]["provenance"].startswith(f"{tmp_path / 'r.xlsx'}/报到名册:3")
    for _, _, data in G.edges(data=True):
        assert ":" in data["provenance"]


def test_stable_ids_across_runs_and_after_appended_rows(tmp_path: Path) -> None:
    rows = report_rows()
    first = read_roster(write_report_roster(tmp_path / "a.xlsx", rows)).graph
    again = read_roster(write_report_roster(tmp_path / "b.xlsx", rows)).graph
    assert sorted(first) == sorted(again)
    more = [*rows, {**rows[0], "单位名称": "苏州新到单位有限公司", "报到社区": "南门社区"}]
    shuffled = more[::-1]
    grown = read_roster(write_report_roster(tmp_path / "c.xlsx", shuffled)).graph
    assert set(first) < set(grown)
    assert len(grown) == len(first) + 1
    for node in first:
        assert grown.nodes[node]["name"] == first.nodes[node]["name"]


def test_years_give_since_and_until(tmp_path: Path) -> None:
    header = ["单位名称", "报到社区", "所属街道"]
    old = write_csv(
        tmp_path / "2022年报到名册.csv",
        [header, ["甲公司", "道前社区", "沧浪街道"], ["乙公司", "道前社区", "沧浪街道"]],
    )
    new = write_csv(
        tmp_path / "2023年报到名册.csv",
        [
            [*header, "报到时间"],
            ["甲公司", "道前社区", "沧浪街道", ""],
            ["丙公司", "道前社区居委会", "沧浪街道", "2023-05-04"],
        ],
    )
    found = read_roster([new, old])
    assert found.sheets["year"].tolist() == [2023, 2022]
    paired = ties(found.graph, "PAIRED_WITH")
    assert paired["甲公司", "道前社区"]["since"] == dt.date(2022, 1, 1)
    assert "until" not in paired["甲公司", "道前社区"]
    assert paired["乙公司", "道前社区"]["since"] == dt.date(2022, 1, 1)
    assert paired["乙公司", "道前社区"]["until"] == dt.date(2022, 12, 31)  # gone in 2023
    assert paired["丙公司", "道前社区"]["since"] == dt.date(2023, 5, 4)  # its own date
    # years given explicitly win over the file names
    given = read_roster([old, new], year={old.name: 2020, str(new): 2021})
    assert ties(given.graph, "PAIRED_WITH")["乙公司", "道前社区"]["until"] == dt.date(2020, 12, 31)


def test_gbk_csv_roster(tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "名册.csv",
        [["序号", "单位名称", "单位性质", "报到社区"], ["1", "苏州市妇联", "群团", "道前社区"]],
        encoding="gbk",
    )
    G = read_roster(roster).graph
    unit = next(d for _, d in G.nodes(data=True) if d["label"] == "Unit")
    assert (unit["name"], unit["unit_type"], unit["roster_category"]) == (
        "苏州市妇联",
        "mass",
        "群团",
    )


def test_xls_roster_with_title_row_and_merged_cells(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("2021年")
    sheet.write_merge(0, 0, 0, 3, "姑苏区结对共建名单")
    for column, header in enumerate(["序号", "共建单位", "结对社区", "所属街道"]):
        sheet.write(1, column, header)
    sheet.write(2, 0, 1)
    sheet.write(2, 1, "苏州银行")
    sheet.write(3, 0, 2)
    sheet.write(3, 1, "苏州市总工会")
    sheet.write_merge(2, 3, 2, 2, "道前社区")
    sheet.write_merge(2, 3, 3, 3, "沧浪街道")
    path = tmp_path / "结对.xls"
    book.save(str(path))
    found = read_roster(path)
    assert found.sheets[["header_row", "rows", "year"]].values.tolist() == [[2, 2, 2021]]
    paired = ties(found.graph, "PAIRED_WITH")
    assert set(paired) == {("苏州银行", "道前社区"), ("苏州市总工会", "道前社区")}
    assert paired["苏州银行", "道前社区"]["provenance"] == f"{path}/2021年:3"
    assert set(ties(found.graph, "PART_OF")) == {("道前社区", "沧浪街道")}


def test_a_tie_on_many_rows_names_its_first_five_rows_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    # rows 2–8 pair 苏州银行 with 道前社区 (seven rows), rows 9–10 苏州大学 with 双塔社区
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "报到名册"
    sheet.append(["序号", "单位名称", "报到社区", "所属街道"])
    for number in range(1, 8):
        sheet.append([number, "苏州银行", "道前社区", "沧浪街道"])
    for number in range(8, 10):
        sheet.append([number, "苏州大学", "双塔社区", "沧浪街道"])
    path = tmp_path / "名册.xlsx"
    book.save(path)
    paired = ties(read_roster(path).graph, "PAIRED_WITH")
    at = [f"{path}/报到名册:{row}" for row in range(2, 11)]
    assert paired["苏州银行", "道前社区"]["provenance"] == ", ".join(at[:5]) + " … (+2)"
    assert paired["苏州大学", "双塔社区"]["provenance"] == ", ".join(at[7:])


def test_community_in_two_streets_is_a_problem_with_file_and_row(tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "r.csv",
        [
            ["单位名称", "报到社区", "所属街道"],
            ["甲公司", "道前社区", "沧浪街道"],
            ["乙公司", "道前社区居委会", "双塔街道"],
        ],
    )
    with pytest.raises(RosterError, match="two places") as raised:
        read_roster(roster)
    problem = raised.value.problems.iloc[0]
    assert (problem["file"], problem["row"], problem["column"]) == (str(roster), 3, "所属街道")


def test_places_list_is_the_authority(tmp_path: Path) -> None:
    places = write_csv(
        tmp_path / "places.csv",
        [
            ["区", "街道", "社区"],
            ["姑苏区", "沧浪街道", "道前社区"],
            ["姑苏区", "双塔街道", "锦帆社区"],
        ],
    )
    roster = write_csv(
        tmp_path / "r.csv",
        [
            ["单位名称", "报到社区", "所属街道"],
            ["甲公司", "道前社区", "沧浪街道"],
            ["乙公司", "锦帆社区", "沧浪街道"],
            ["丙公司", "火星社区", ""],
        ],
    )
    with pytest.raises(RosterError) as raised:
        read_roster(roster, places=places)
    found = raised.value.problems[["file", "row", "column"]].values.tolist()
    assert found == [[str(roster), 3, "所属街道"], [str(roster), 4, "报到社区"]]
    messages = raised.value.problems["message"].tolist()
    assert "the places list in 双塔街道" in messages[0]
    assert "the places list lacks this community" in messages[1]
    # the list alone gives the hierarchy; a roster without streets uses it
    fine = write_csv(tmp_path / "ok.csv", [["单位名称", "报到社区"], ["甲公司", "锦帆社区"]])
    G = read_roster(fine, places=places).graph
    assert set(ties(G, "PART_OF")) == {
        ("道前社区", "沧浪街道"),
        ("锦帆社区", "双塔街道"),
        ("沧浪街道", "姑苏区"),
        ("双塔街道", "姑苏区"),
    }
    # a places list that puts a community in two streets
    twice = write_csv(
        tmp_path / "twice.csv",
        [["街道", "社区"], ["沧浪街道", "道前社区"], ["双塔街道", "道前社区"]],
    )
    with pytest.raises(RosterError, match="the places list puts 道前社区 in two places") as raised:
        read_roster(fine, places=twice)
    problems = raised.value.problems
    assert problems.loc[problems["file"] == str(twice), "row"].tolist() == [3]


def test_unknown_categories_are_kept_and_reported(tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "r.csv",
        [
            ["单位名称", "单位类型", "报到社区"],
            ["甲合作社", "合作社", "道前社区"],
            ["乙公司", "非公企业", "道前社区"],
        ],
    )
    found = read_roster(roster)
    nodes = {d["name"]: d for _, d in found.graph.nodes(data=True)}
    assert nodes["甲合作社"]["roster_category"] == "合作社"
    assert "unit_type" not in nodes["甲合作社"]
    assert nodes["乙公司"]["unit_type"] == "private"
    assert (
        found.categories.loc["合作社", "known"] is False
        or not found.categories.loc["合作社", "known"]
    )


def test_no_recognisable_header_says_what_it_saw(tmp_path: Path) -> None:
    roster = write_csv(tmp_path / "r.csv", [["组织", "地方"], ["甲公司", "道前社区"]])
    with pytest.raises(RosterError, match=r"Saw: 组织、地方.*--columns") as raised:
        read_roster(roster)
    assert raised.value.problems.loc[0, "file"] == str(roster)
    G = read_roster(roster, columns={"组织": "unit", "地方": "community"}).graph
    assert set(ties(G, "PAIRED_WITH")) == {("甲公司", "道前社区")}
    with pytest.raises(ValueError, match="unknown column roles: planet"):
        read_roster(roster, columns={"组织": "planet"})


def test_columns_win_over_aliases(tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "r.csv", [["单位名称", "社区", "备注单位"], ["甲公司", "道前社区", "乙公司"]]
    )
    G = read_roster(roster, columns={"单位名称": "ignore", "备注单位": "unit"}).graph
    assert set(ties(G, "PAIRED_WITH")) == {("乙公司", "道前社区")}


def test_written_dataset_reads_back_equal(tmp_path: Path) -> None:
    found = read_roster(write_report_roster(tmp_path / "r.xlsx"))
    for out in (tmp_path / "folder", tmp_path / "book.xlsx"):
        from cobuild_graph import write_dataset

        write_dataset(found.graph, out)
        back = read_dataset(out)
        assert dict(back.nodes(data=True)) == dict(found.graph.nodes(data=True))
        assert sorted(back.edges(keys=True, data=True), key=repr) == sorted(
            found.graph.edges(keys=True, data=True), key=repr
        )


def test_other_shapes_make_their_ties(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    branches = book.active
    branches.title = "行动支部"
    branches.append(["支部名称", "所在社区", "组成单位", "成立时间", "党员数"])
    branches.append(
        ["道前行动支部", "道前社区", "苏州银行、苏州市总工会；苏州大学", "2021年3月", 12]
    )
    projects = book.create_sheet("项目清单")
    projects.append(["项目名称", "实施社区", "支持单位", "经费(元)", "是否示范项目"])
    projects.append(["关爱老人", "道前社区", "苏州银行,苏州市总工会", "5,000", "是"])
    positions = book.create_sheet("阵地")
    positions.append(["阵地名称", "所在社区/街道", "类型"])
    positions.append(["道前先锋阵地", "道前社区", "园区"])
    positions.append(["沧浪先锋阵地", "沧浪街道", "楼宇"])
    book.save(tmp_path / "shapes.xlsx")
    found = read_roster(tmp_path / "shapes.xlsx", year=2023)
    G = found.graph
    assert found.sheets["shape"].tolist() == ["branches", "projects", "positions"]
    assert set(ties(G, "BRANCH_OF")) == {
        ("道前行动支部", u) for u in ("苏州银行", "苏州市总工会", "苏州大学")
    }
    assert ties(G, "EMBEDDED_IN")["道前行动支部", "道前社区"]["since"] == dt.date(2021, 3, 1)
    assert set(ties(G, "RUNS")) == {("道前社区", "关爱老人")}
    assert set(ties(G, "SUPPORTS")) == {("苏州银行", "关爱老人"), ("苏州市总工会", "关爱老人")}
    assert set(ties(G, "LOCATED_IN")) == {
        ("道前先锋阵地", "道前社区"),
        ("沧浪先锋阵地", "沧浪街道"),
    }
    nodes = {d["name"]: d for _, d in G.nodes(data=True)}
    assert (nodes["关爱老人"]["budget_yuan"], nodes["关爱老人"]["exemplary"]) == (5000.0, True)
    assert nodes["关爱老人"]["year"] == 2023
    assert nodes["道前行动支部"]["members"] == 12
    assert nodes["沧浪先锋阵地"]["site_type"] == "楼宇"
    assert nodes["沧浪街道"]["label"] == "Street"


def test_projects_and_positions_are_named_within_their_place(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    projects = book.active
    projects.title = "项目清单"
    projects.append(["项目名称", "实施社区", "支持单位"])
    projects.append(["邻里节", "道前社区", "苏州银行"])
    projects.append(["邻里节", "南环第一社区", "苏州市总工会"])
    projects.append(["邻里节", "道前社区居委会", "苏州市总工会"])  # the same community again
    positions = book.create_sheet("阵地")
    positions.append(["阵地名称", "所在社区/街道", "类型"])
    positions.append(["党群服务站", "道前社区", "社区"])
    positions.append(["党群服务站", "南环第一社区", "社区"])
    book.save(tmp_path / "same-names.xlsx")
    G = read_roster(tmp_path / "same-names.xlsx").graph
    runs = [(u, v) for u, v, k in G.edges(keys=True) if k == "RUNS"]
    assert len(runs) == 2  # one project per community
    assert len({v for _, v in runs}) == 2
    by_place = {G.nodes[u]["name"]: v for u, v in runs}
    supporters = {
        place: sorted(
            G.nodes[u]["name"] for u, _, k in G.in_edges(project, keys=True) if k == "SUPPORTS"
        )
        for place, project in by_place.items()
    }
    assert supporters == {
        "道前社区": ["苏州市总工会", "苏州银行"],
        "南环第一社区": ["苏州市总工会"],
    }
    assert G.nodes[by_place["道前社区"]]["provenance"].count(":") == 2  # rows 2 and 4
    located = [(u, v) for u, v, k in G.edges(keys=True) if k == "LOCATED_IN"]
    assert len({u for u, _ in located}) == 2
    again = read_roster(tmp_path / "same-names.xlsx").graph
    assert sorted(again.nodes) == sorted(G.nodes)  # the ids are stable


def test_survey_edge_list_names_the_file(tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "survey.csv", [["填报单位", "合作单位", "合作频率"], ["甲", "乙", "3"]]
    )
    with pytest.raises(RosterError, match="no tie type in the schema") as raised:
        read_roster(roster)
    assert raised.value.problems.loc[0, "file"] == str(roster)


def test_cli_accept_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = write_report_roster(tmp_path / "r.xlsx")
    out = tmp_path / "out.xlsx"
    review = tmp_path / "decided.xlsx"
    args = ["import", str(roster), "-o", str(out), "--accept", "--review", str(review)]
    assert main(args) == 0
    assert "合并 merged 9" in capsys.readouterr().out  # 中国移动 (containment, 80) stays
    assert labels(read_dataset(out))["Unit"] == 16
    assert review.exists()
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            ["单位名称", "报到社区", "所属街道"],
            ["甲", "道前社区", "沧浪街道"],
            ["乙", "道前社区", "双塔街道"],
        ],
    )
    target = tmp_path / "never"
    assert main(["import", str(bad), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv, row 3, column 所属街道" in err
    assert not target.exists()
    assert main(["import", str(bad), "-o", str(tmp_path / "x.graphml")]) == 2
    assert main(["import", str(bad), "-o", str(target), "--columns", "单位名称"]) == 2
    assert main(["import", str(bad), "-o", str(target), "--year", "soon"]) == 2


# -- the content of a pairing, and an .ods roster ------------------------------------------


def test_pairing_content_is_kept_on_the_tie(tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "2023年结对共建.csv",
        [
            ["共建单位", "结对社区", "所属街道", "共建内容"],
            ["苏州银行", "道前社区", "沧浪街道", "金融知识进社区"],
            ["苏州银行", "道前社区", "沧浪街道", "金融知识进社区"],
            ["苏州银行", "道前社区", "沧浪街道", "助老服务"],
            ["苏州市妇联", "南环第一社区", "沧浪街道", ""],
        ],
    )
    G = read_roster(roster).graph
    paired = ties(G, "PAIRED_WITH")
    assert paired["苏州银行", "道前社区"]["content"] == "金融知识进社区；助老服务"
    assert not paired["苏州市妇联", "南环第一社区"].get("content")


def test_an_ods_roster_is_read_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "2023年报到名册.ods"
    table = pd.DataFrame(
        {
            "序号": ["1", "2", "3"],
            "单位名称": ["苏州银行", "苏州银行股份有限公司", "苏州市妇联"],
            "报到社区": ["道前社区", "道前社区居委会", "南环第一社区"],
            "所属街道": ["沧浪街道", "沧浪街道办事处", "沧浪街道"],
        }
    )
    table.to_excel(path, engine="odf", index=False, sheet_name="报到名册")
    found = read_roster(path)
    G = found.graph
    assert labels(G) == Counter({"Unit": 3, "Community": 2, "Street": 1})
    assert found.sheets["shape"].tolist() == ["pairings"]
    assert found.sheets["year"].tolist() == [2023]
    assert len(ties(G, "PAIRED_WITH")) == 3
    assert len(found.review.suggestions) == 1  # 苏州银行 ~ 苏州银行股份有限公司
