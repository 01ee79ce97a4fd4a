"""Nothing silent on the way in: roster dates read exactly or refused with their cell, every
value the import did not read marked, conflicting values the researcher's choice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import openpyxl
import pandas as pd
import pytest

from cobuild_graph import read_dataset, write_dataset
from cobuild_graph.cli import main
from cobuild_graph.dates import date_problem, parse_date
from cobuild_graph.roster import RosterError, read_roster
from cobuild_graph.schema import ALIAS_SEPARATOR, inferred_fields
from tests._rosters import UNITS, report_rows, write_report_roster

# -- dates: every form rosters use read exactly; anything else refused with the reason ------

#: Dates the issue found read silently as 1 January, and why each is refused.
UNREADABLE = [
    ("2023-13-45", "no such day"),
    ("2023-02-30", "no such day"),
    ("1/5/2023", "ambiguous"),
    ("Jan 5, 2023", "not a date form"),
]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2019.3", dt.date(2019, 3, 1)),
        ("2019/3/1", dt.date(2019, 3, 1)),
        ("2019.3.15", dt.date(2019, 3, 15)),
        ("2023年1月", dt.date(2023, 1, 1)),
        ("2023年3月1日", dt.date(2023, 3, 1)),
        ("２０２３年３月１日", dt.date(2023, 3, 1)),
        ("二〇二三年三月", dt.date(2023, 3, 1)),
        ("二零二三年十二月二十一日", dt.date(2023, 12, 21)),
        ("20230105", dt.date(2023, 1, 5)),
        ("2023-03-01 00:00:00", dt.date(2023, 3, 1)),
        ("2023", dt.date(2023, 1, 1)),
    ],
)
def test_roster_date_forms_are_read_exactly(text: str, day: dt.date) -> None:
    assert parse_date(text) == day
    assert date_problem(text) is None


def test_excel_serial_is_the_day_excel_shows() -> None:
    # Excel's 1900 date system: serial 1 is 1900-01-01 and it counts a 29 February 1900,
    # so from 1 March 1900 on a serial is the days since 1899-12-30.
    assert parse_date("44986") == dt.date(2023, 3, 1)
    assert parse_date("45000.0") == dt.date(1899, 12, 30) + dt.timedelta(days=45000)


@pytest.mark.parametrize(
    ("text", "reason"),
    [*UNREADABLE, ("去年", "not a date form")],
)
def test_unreadable_dates_are_refused_with_the_reason(text: str, reason: str) -> None:
    assert reason in date_problem(text)
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


def test_an_ambiguous_date_says_both_readings() -> None:
    assert date_problem("1/5/2023").endswith("2023-05-01 or 2023-01-05")
    assert date_problem("13/5/2023").endswith("write it as 2023-05-13")


def _roster_with(tmp_path: Path, **cells: object) -> tuple[Path, list[dict]]:
    """The 41-row 报到名册 with some cells changed: ``{"报到时间_3": value}`` sets row 3's."""
    rows = report_rows()
    for key, value in cells.items():
        column, _, index = key.rpartition("_")
        rows[int(index)][column] = value
    return write_report_roster(tmp_path / "报到名册.xlsx", rows), rows


@pytest.mark.parametrize(("text", "reason"), UNREADABLE)
def test_unreadable_roster_date_is_a_problem_with_its_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, reason: str
) -> None:
    roster, _ = _roster_with(tmp_path, 报到时间_4=text)
    with pytest.raises(RosterError) as caught:
        read_roster(roster)
    problems = caught.value.problems
    assert len(problems) == 1
    problem = problems.iloc[0]
    # the roster's data start on spreadsheet row 3 (a title row, then the header)
    assert (problem["file"], problem["row"], problem["column"]) == (
        f"{roster} (sheet 报到名册)",
        7,
        "报到时间",
    )
    assert problem["value"] == text
    assert reason in problem["message"]
    out = tmp_path / "study"
    assert main(["import", str(roster), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "row 7, column 报到时间" in err
    assert text in err
    assert not out.exists()
    assert not (tmp_path / "study.review.xlsx").exists()  # no decision resolves a date


def test_excel_serial_stored_as_a_number_is_its_day(tmp_path: Path) -> None:
    roster, rows = _roster_with(tmp_path, 报到时间_4=44986)
    G = read_roster(roster).graph
    unit = next(n for n, d in G.nodes(data=True) if d["name"] == rows[4]["单位名称"])
    dates = {d["since"] for _, _, k, d in G.out_edges(unit, keys=True, data=True)}
    assert dt.date(2023, 3, 1) in dates


# -- marks: what was not read from its own cell ----------------------------------------------


def _tie(G: nx.MultiDiGraph, unit_name: str, community: str) -> dict:
    for s, t, k, d in G.edges(keys=True, data=True):
        names = (G.nodes[s]["name"], *_aliases(G, s))
        if k == "PAIRED_WITH" and unit_name in names and G.nodes[t]["name"] == community:
            return d
    raise AssertionError(f"no tie {unit_name} → {community}")


def _aliases(G: nx.MultiDiGraph, node: str) -> list[str]:
    text = G.nodes[node].get("aliases", "")
    return text.split(ALIAS_SEPARATOR) if text else []


def test_an_empty_date_is_the_roster_year_and_marked_so(tmp_path: Path) -> None:
    roster, rows = _roster_with(tmp_path, 报到时间_0="")
    G = read_roster(roster).graph
    blank = _tie(G, rows[0]["单位名称"], rows[0]["community"])
    assert blank["since"] == dt.date(2023, 1, 1)  # the year in the roster's title row
    assert inferred_fields(blank.get("inferred")) == {"since": "roster_year"}
    read = _tie(G, rows[1]["单位名称"], rows[1]["community"])
    assert read["since"] == parse_date(rows[1]["报到时间"])
    assert "since" not in inferred_fields(read.get("inferred"))


def test_until_from_a_later_roster_is_marked(tmp_path: Path) -> None:
    header = ["单位名称", "报到社区", "所属街道", "报到时间"]
    early = tmp_path / "2021年名册.csv"
    early.write_text(
        "\n".join(
            [",".join(header), "甲单位,道前社区,沧浪街道,2021-03-01", "乙单位,胥江社区,沧浪街道,"]
        )
        + "\n",
        encoding="utf-8",
    )
    late = tmp_path / "2022年名册.csv"
    late.write_text(",".join(header) + "\n甲单位,道前社区,沧浪街道,2021-03-01\n", encoding="utf-8")
    found = read_roster([early, late])
    ended = _tie(found.graph, "乙单位", "胥江社区")
    assert (ended["since"], ended["until"]) == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert inferred_fields(ended["inferred"]) == {"since": "roster_year", "until": "roster_year"}
    kept = _tie(found.graph, "甲单位", "道前社区")
    assert kept["since"] == dt.date(2021, 3, 1)
    assert "until" not in kept
    assert not kept.get("inferred")
    counts = found.inferred.set_index(["on", "field", "how"])["count"]
    assert counts[("PAIRED_WITH", "since", "roster_year")] == 1
    assert counts[("PAIRED_WITH", "until", "roster_year")] == 1


def test_a_blank_member_count_filled_from_another_row_is_marked(tmp_path: Path) -> None:
    header = ["单位名称", "报到社区", "所属街道", "党员人数"]
    roster = tmp_path / "2023年名册.csv"
    lines = [
        "甲单位,道前社区,沧浪街道,12",
        "甲单位,胥江社区,沧浪街道,",
        "乙单位,胥江社区,沧浪街道,7",
    ]
    roster.write_text("\n".join([",".join(header), *lines]) + "\n", encoding="utf-8")
    found = read_roster(roster)
    nodes = {d["name"]: d for _, d in found.graph.nodes(data=True)}
    assert nodes["甲单位"]["party_members"] == 12  # typed by the schema
    assert inferred_fields(nodes["甲单位"]["inferred"]) == {"party_members": "other_row"}
    assert nodes["乙单位"]["party_members"] == 7
    assert "inferred" not in nodes["乙单位"]
    assert found.conflicts.empty


def test_canonical_names_are_marked_and_the_other_spellings_kept(tmp_path: Path) -> None:
    roster, _ = _roster_with(tmp_path)
    G = read_roster(roster, accept_above=90).graph
    for _, data in G.nodes(data=True):
        aliases = data.get("aliases", "")
        marks = inferred_fields(data.get("inferred"))
        assert bool(aliases) == (marks.get("name") == "canonical"), data
    # every spelling of the roster is a name or an alias of its node
    written = {s for spellings in UNITS.values() for s in spellings}
    known = {
        name
        for _, d in G.nodes(data=True)
        if d["label"] == "Unit"
        for name in (d["name"], *d.get("aliases", "").split(ALIAS_SEPARATOR))
    }
    assert {w.strip("\u3000") for w in written} <= known


# -- conflicts: one entity, different values -----------------------------------------------


def test_two_categories_of_one_unit_are_a_conflict_the_import_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = report_rows()
    # 苏州市市政设施管理处 is 事业单位 in its rows; one row calls it 学校
    first = next(i for i, r in enumerate(rows) if r["unit"] == "苏州市市政设施管理处")
    roster, rows = _roster_with(tmp_path, 单位类型_0="事业单位", **{f"单位类型_{first}": "学校"})
    found = read_roster(roster)
    unit = next(n for n, d in found.graph.nodes(data=True) if d["name"] == rows[first]["单位名称"])
    conflict = found.conflicts[
        (found.conflicts["item"] == unit) & (found.conflicts["field"] == "roster_category")
    ]
    assert set(conflict["value"]) >= {"学校", "事业单位"}
    used = conflict.loc[conflict["used"].astype(bool), "value"].tolist()
    assert len(used) == 1
    data = found.graph.nodes[unit]
    assert data["roster_category"] == used[0]
    assert inferred_fields(data["inferred"])["roster_category"] == "conflict"
    # every value is listed with the rows that give it
    assert all(conflict["rows"].str.contains("报到名册"))
    assert main(["import", str(roster), "-o", str(tmp_path / "study")]) == 0
    printed = capsys.readouterr().out
    assert "冲突 conflicts" in printed
    assert f"→ 暂用 using {used[0]}" in printed


# -- marks survive every format ------------------------------------------------------------


@pytest.fixture
def marked(tmp_path: Path) -> nx.MultiDiGraph:
    roster, _ = _roster_with(tmp_path, 报到时间_0="", 党员人数_1="")
    return read_roster(roster, accept_above=90).graph


def _marks(G: nx.MultiDiGraph) -> tuple[dict, dict]:
    nodes = {n: d.get("inferred") for n, d in G.nodes(data=True) if d.get("inferred")}
    ties = {
        (s, t, k): d.get("inferred")
        for s, t, k, d in G.edges(keys=True, data=True)
        if d.get("inferred")
    }
    return nodes, ties


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_marks_survive_csv_and_xlsx(marked: nx.MultiDiGraph, tmp_path: Path, suffix: str) -> None:
    nodes, ties = _marks(marked)
    assert nodes
    assert ties
    path = write_dataset(marked, tmp_path / f"again{suffix}")
    assert _marks(read_dataset(path)) == (nodes, ties)


def test_marks_survive_gexf(marked: nx.MultiDiGraph, tmp_path: Path) -> None:
    nodes, ties = _marks(marked)
    path = write_dataset(marked, tmp_path / "again.gexf")
    read = nx.read_gexf(path)
    assert {n: d["inferred"] for n, d in read.nodes(data=True) if d.get("inferred")} == nodes
    gexf_ties = {
        (s, t, d["tie_type"]): d["inferred"]
        for s, t, d in read.edges(data=True)
        if d.get("inferred")
    }
    assert gexf_ties == ties


@pytest.mark.neo4j
def test_marks_survive_neo4j(marked: nx.MultiDiGraph, neo4j_store, new_dataset) -> None:
    name = new_dataset()
    neo4j_store.load(marked, name, progress=False)
    assert _marks(neo4j_store.read(name)) == _marks(marked)


def test_marks_are_counted_in_the_import_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster, _ = _roster_with(tmp_path, 报到时间_0="", 报到时间_5="")
    assert main(["import", str(roster), "-o", str(tmp_path / "study")]) == 0
    printed = capsys.readouterr().out
    assert "推定 inferred" in printed
    assert "roster_year: PAIRED_WITH.since 2" in printed
    table = pd.read_csv(tmp_path / "study" / "ties.csv", encoding="utf-8-sig")
    assert (table["inferred"] == "since:roster_year").sum() == 2


@pytest.mark.slow
def test_the_report_counts_the_marked_values(marked: nx.MultiDiGraph, tmp_path: Path) -> None:
    from cobuild_graph.report import write_report
    from cobuild_graph.schema import INFERENCES, inferred_counts

    write_report(marked, tmp_path / "report")
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "Values not read from their own cell (inferred)" in page
    counts = inferred_counts(marked)
    # each kind as the schema words it, with the count of marked values
    for how, count in counts.groupby("how")["count"].sum().items():
        assert INFERENCES[how].split(" ")[0] in page
        assert count > 0
    assert counts["count"].sum() == sum(
        len(inferred_fields(d.get("inferred")))
        for d in [
            *(d for _, d in marked.nodes(data=True)),
            *(d for *_, d in marked.edges(data=True)),
        ]
    )


def test_one_category_written_two_ways_is_no_conflict(tmp_path: Path) -> None:
    header = ["单位名称", "报到社区", "所属街道", "单位类型"]
    roster = tmp_path / "2023年名册.csv"
    lines = ["甲单位,道前社区,沧浪街道,群团", "甲单位,胥江社区,沧浪街道,群团组织"]
    roster.write_text("\n".join([",".join(header), *lines]) + "\n", encoding="utf-8")
    found = read_roster(roster)
    (unit,) = (d for _, d in found.graph.nodes(data=True) if d["label"] == "Unit")
    assert unit["unit_type"] == "mass"
    assert set(unit["roster_category"].split(ALIAS_SEPARATOR)) == {"群团", "群团组织"}
    assert "inferred" not in unit
    assert found.conflicts.empty


def test_a_mark_the_schema_does_not_know_is_a_problem_with_its_cell(tmp_path: Path) -> None:
    from cobuild_graph.io import validate_tables

    nodes = pd.DataFrame(
        {
            "id": ["s", "c"],
            "label": ["Street", "Community"],
            "name": ["沧浪街道", "道前社区"],
            "inferred": ["name:canonical", "name:guessed"],
        }
    )
    ties = pd.DataFrame({"source": ["c"], "target": ["s"], "type": ["PART_OF"], "inferred": [""]})
    with pytest.raises(ValueError, match="not a mark of inferred values") as caught:
        validate_tables(nodes, ties)
    problems = caught.value.problems
    assert problems[["row", "column", "value"]].values.tolist() == [
        [1, "inferred", "name:guessed"]
    ]  # the index label


def _choose(review: Path, item_field: tuple[str, str], value: str) -> None:
    """Mark `value` as the researcher's choice in the review's conflicts sheet."""
    book = openpyxl.load_workbook(review)
    sheet = book["冲突 conflicts"]
    header = [c.value for c in sheet[1]]
    at = {h.split(" ")[-1]: i for i, h in enumerate(header)}
    for row in sheet.iter_rows(min_row=2):
        if (row[at["item"]].value, row[at["field"]].value, row[at["value"]].value) == (
            *item_field,
            value,
        ):
            row[at["choose"]].value = "采用 use"
    book.save(review)


def test_a_conflict_chosen_in_the_review_is_used_unmarked_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ["单位名称", "报到社区", "所属街道", "单位类型", "党员人数"]
    lines = ["甲单位,道前社区,沧浪街道,事业单位,12", "甲单位,胥江社区,沧浪街道,学校,12"]
    roster = tmp_path / "2023年名册.csv"
    roster.write_text("\n".join([",".join(header), *lines]) + "\n", encoding="utf-8")
    out, review = tmp_path / "study", tmp_path / "study.review.xlsx"
    assert main(["import", str(roster), "-o", str(out)]) == 0
    assert "冲突 conflicts: 1 (待定 pending 1)" in capsys.readouterr().out
    found = read_roster(roster)
    unit = next(n for n, d in found.graph.nodes(data=True) if d["label"] == "Unit")
    used = found.graph.nodes[unit]["roster_category"]
    other = ({"事业单位", "学校"} - {used}).pop()
    _choose(review, (unit, "roster_category"), other)

    assert main(["import", str(roster), "-o", str(out), "--aliases", str(review)]) == 0
    assert "冲突 conflicts: 1 (待定 pending 0)" in capsys.readouterr().out
    data = read_dataset(out).nodes[unit]
    assert data["roster_category"] == other
    assert "roster_category" not in inferred_fields(data.get("inferred"))

    # a run whose rows agree keeps the choice in the rewritten review, and it applies again
    agreeing = tmp_path / "2023年名册（部分）.csv"
    agreeing.write_text("\n".join([",".join(header), lines[0]]) + "\n", encoding="utf-8")
    assert main(["import", str(agreeing), "-o", str(out), "--aliases", str(review)]) == 0
    kept = pd.read_excel(review, sheet_name="冲突 conflicts", engine="openpyxl")
    assert kept["取值 value"].tolist() == [other]
    assert kept["本次采用 used"].tolist() == ["本次无此冲突 not a conflict in this run"]
    capsys.readouterr()
    assert main(["import", str(roster), "-o", str(out), "--aliases", str(review)]) == 0
    assert read_dataset(out).nodes[unit]["roster_category"] == other


def test_two_values_chosen_for_one_conflict_are_refused_naming_both(tmp_path: Path) -> None:
    header = ["单位名称", "报到社区", "所属街道", "单位类型"]
    lines = ["甲单位,道前社区,沧浪街道,事业单位", "甲单位,胥江社区,沧浪街道,学校"]
    roster = tmp_path / "2023年名册.csv"
    roster.write_text("\n".join([",".join(header), *lines]) + "\n", encoding="utf-8")
    found = read_roster(roster)
    review = found.write_review(tmp_path / "review.xlsx")
    unit = found.conflicts["item"].iloc[0]
    for value in ("事业单位", "学校"):
        _choose(review, (unit, "roster_category"), value)
    with pytest.raises(RosterError, match="two values chosen") as caught:
        read_roster(roster, decisions=review)
    assert caught.value.problems["row"].tolist() == [3]
