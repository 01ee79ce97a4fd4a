"""Every kind of validation problem, with the file, row and column it is reported at."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cobuild_graph import ValidationError, read_tables, validate_tables
from cobuild_graph.dates import DATE_FORMS
from cobuild_graph.validate import parse_dates
from tests.conftest import NODES, TIES, write_csv_dataset


def problems_of(folder: Path) -> pd.DataFrame:
    with pytest.raises(ValidationError) as caught:
        read_tables(folder)
    return caught.value.problems


def only(problems: pd.DataFrame, text: str) -> pd.DataFrame:
    hits = problems[problems["message"].str.contains(text, regex=False)]
    assert len(hits) >= 1, f"no problem mentions {text!r}:\n{problems.to_string()}"
    return hits


def where(hits: pd.DataFrame) -> list[tuple[str, int | None, str | None]]:
    return [
        (Path(f).name, None if pd.isna(r) else int(r), c)
        for f, r, c in zip(hits["file"], hits["row"], hits["column"], strict=True)
    ]


def test_valid_dataset_reads(small_dataset: Path) -> None:
    nodes, ties, _ = read_tables(small_dataset)
    assert len(nodes) == 7
    assert len(ties) == 7


def test_missing_required_columns_reported_at_the_header(tmp_path: Path) -> None:
    folder = write_csv_dataset(tmp_path, "id,name\na,b\n", "source,type\na,PART_OF\n")
    problems = problems_of(folder)
    hits = only(problems, "missing required column")
    assert sorted(where(hits)) == [("nodes.csv", 1, "label"), ("ties.csv", 1, "target")]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    nodes = NODES + ",City,无编号,,,\nx1,Unit,,,,\nx2,Planet,火星,,,\n"
    ties = TIES + "007,nowhere,PAIRED_WITH,,,,\n007,daoqian,HELPS,,,,\n"
    problems = problems_of(write_csv_dataset(tmp_path, nodes, ties))
    assert where(only(problems, "empty id")) == [("nodes.csv", 9, "id")]
    assert where(only(problems, "empty name")) == [("nodes.csv", 10, "name")]
    assert where(only(problems, "unknown label")) == [("nodes.csv", 11, "label")]
    assert where(only(problems, "target id not found")) == [("ties.csv", 9, "target")]
    assert where(only(problems, "unknown tie type")) == [("ties.csv", 10, "type")]
    assert len(problems) == 5


def test_duplicate_ids_name_the_first_row_and_collide_after_trimming(tmp_path: Path) -> None:
    # U+3000 (full-width space) and ASCII spaces are trimmed before ids are compared.
    nodes = NODES + "\u3000daoqian ,Community,道前社区（重复）,,,\n"
    hits = only(problems_of(write_csv_dataset(tmp_path, nodes)), "duplicate id")
    assert where(hits) == [("nodes.csv", 9, "id")]
    assert "row 5" in hits["message"].iloc[0]
    assert hits["value"].iloc[0] == "daoqian"


def test_endpoint_labels_must_be_allowed(tmp_path: Path) -> None:
    ties = TIES + "ab1,city,EMBEDDED_IN,,,,\n"
    hits = only(problems_of(write_csv_dataset(tmp_path, ties=ties)), "cannot join")
    assert where(hits) == [("ties.csv", 9, "type")]
    assert "ActionBranch → City" in hits["message"].iloc[0]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("since", "2023-02-30", "not a date"),
        ("since", "去年", "not a date"),
        ("weight", "heavy", "not a number"),
    ],
)
def test_unparseable_tie_values(tmp_path: Path, column: str, value: str, message: str) -> None:
    row = {"since": "", "weight": ""} | {column: value}
    ties = TIES + f"007,nanhuan1,PAIRED_WITH,{row['since']},,{row['weight']},\n"
    hits = only(problems_of(write_csv_dataset(tmp_path, ties=ties)), message)
    assert where(hits) == [("ties.csv", 9, column)]
    assert hits["value"].iloc[0] == value


def test_unparseable_node_values(tmp_path: Path) -> None:
    nodes = NODES + "c9,Community,新社区,many,,\nc10,Community,另一社区,12.5,,\n"
    problems = problems_of(write_csv_dataset(tmp_path, nodes))
    hits = only(problems, "not a whole number")
    assert where(hits) == [("nodes.csv", 9, "members"), ("nodes.csv", 10, "members")]


def test_choices_and_attributes_of_other_labels(tmp_path: Path) -> None:
    nodes = "id,label,name,unit_type\nu1,Unit,某单位,bank\nc1,Community,某社区,soe\n"
    problems = problems_of(write_csv_dataset(tmp_path, nodes, "source,target,type\n"))
    assert where(only(problems, "not an allowed value")) == [("nodes.csv", 2, "unit_type")]
    assert where(only(problems, "not an attribute of Community")) == [("nodes.csv", 3, "unit_type")]


def test_since_after_until(tmp_path: Path) -> None:
    ties = TIES + "007,nanhuan1,PAIRED_WITH,2023-05-01,2022-01-01,,\n"
    hits = only(problems_of(write_csv_dataset(tmp_path, ties=ties)), "since is after until")
    assert where(hits) == [("ties.csv", 9, "since")]


def test_two_part_of_parents(tmp_path: Path) -> None:
    nodes = NODES + "shuangta,Street,双塔街道,,,\n"
    ties = TIES + "shuangta,gusu,PART_OF,,,,\ndaoqian,shuangta,PART_OF,,,,\n"
    hits = only(problems_of(write_csv_dataset(tmp_path, nodes, ties)), "two PART_OF parents")
    assert where(hits) == [("ties.csv", 10, "source")]
    assert "canglang and shuangta" in hits["message"].iloc[0]


def test_part_of_cycle(tmp_path: Path) -> None:
    nodes = "id,label,name\ng1,Grid,网格一\nc1,Community,社区一\n"
    ties = "source,target,type\ng1,c1,PART_OF\n"
    # A Grid→Community→Grid loop needs an extended schema that lets Community sit in a Grid.
    from cobuild_graph import DEFAULT_SCHEMA

    schema = DEFAULT_SCHEMA.extend(
        {"tie_types": {"PART_OF": {"endpoints": [["Community", "Grid"]]}}}
    )
    folder = write_csv_dataset(tmp_path, nodes, ties + "c1,g1,PART_OF\n")
    with pytest.raises(ValidationError) as caught:
        read_tables(folder, schema=schema)
    hits = only(caught.value.problems, "PART_OF cycle")
    assert sorted(where(hits)) == [("ties.csv", 2, "target"), ("ties.csv", 3, "target")]
    assert "g1 → c1 → g1" in hits["message"].iloc[0] or "c1 → g1 → c1" in hits["message"].iloc[0]


def test_duplicate_ties(tmp_path: Path) -> None:
    ties = TIES + "007,daoqian,结对共建,,,,\n"  # the alias resolves to PAIRED_WITH
    hits = only(problems_of(write_csv_dataset(tmp_path, ties=ties)), "duplicate tie")
    assert where(hits) == [("ties.csv", 9, "type")]
    assert "row 6" in hits["message"].iloc[0]


def test_header_spelled_as_the_file_spells_it(tmp_path: Path) -> None:
    nodes = "编号,类型,名称\ncity,市,苏州市\nx,社区,\n"
    hits = only(problems_of(write_csv_dataset(tmp_path, nodes, "起点,终点,关系\n")), "empty name")
    assert where(hits) == [("nodes.csv", 3, "名称")]


def test_validation_error_is_a_value_error_with_readable_text(tmp_path: Path) -> None:
    folder = write_csv_dataset(tmp_path, NODES + "x,Planet,火星,,,\n")
    with pytest.raises(
        ValueError,
        match=r"第 9 行，label 列 / .*nodes\.csv, row 9, column label: 未知的节点类型"
        r".* / unknown label",
    ):
        read_tables(folder)


def test_parse_dates_accepts_the_common_spellings() -> None:
    cells = pd.Series(["2023-02-28", "2023/2/8", "2023年2月28日", "2020-02", "2022", "2022.3.1"])
    assert parse_dates(cells).tolist() == [
        dt.date(2023, 2, 28),
        dt.date(2023, 2, 8),
        dt.date(2023, 2, 28),
        dt.date(2020, 2, 1),
        dt.date(2022, 1, 1),
        dt.date(2022, 3, 1),
    ]


def test_quoted_line_breaks_and_extra_cells_keep_exact_rows(tmp_path: Path) -> None:
    # Row 3 holds a line break inside quotes, so the file's lines and rows part ways.
    nodes = NODES.replace("苏州市,,,public-record", '"苏州市\n(地级市)",,,public-record')
    nodes += "x1,Unit,某单位,,,,surplus\nx2,Unit,,,,\n"
    problems = problems_of(write_csv_dataset(tmp_path, nodes))
    assert where(only(problems, "more cells than header columns")) == [("nodes.csv", 9, None)]
    assert where(only(problems, "empty name")) == [("nodes.csv", 10, "name")]


def test_tab_separated_file(tmp_path: Path) -> None:
    folder = write_csv_dataset(tmp_path, NODES.replace(",", "\t"), TIES.replace(",", "\t"))
    nodes, ties, _ = read_tables(folder)
    assert len(nodes) == 7
    assert set(ties["type"]) == {"PART_OF", "PAIRED_WITH", "ASSIGNED_TO", "EMBEDDED_IN"}


def test_ids_that_differ_only_in_width_or_spacing(tmp_path: Path) -> None:
    nodes = NODES + "C（1）,Unit,甲,,,\nC(1),Unit,乙,,,\n００７,Unit,丙,,,\nC (1),Unit,丁,,,\n"
    problems = problems_of(write_csv_dataset(tmp_path, nodes))
    hits = only(problems, "ids differ only in character width or spacing")
    assert where(hits) == [
        ("nodes.csv", 10, "id"),
        ("nodes.csv", 11, "id"),
        ("nodes.csv", 12, "id"),
    ]
    assert hits["value"].tolist() == ["C(1)", "００７", "C (1)"]
    both = [m.split(": ", 1)[1].split(" (also on ")[0] for m in hits["message"]]
    assert both == ["'C(1)' and 'C（1）'", "'００７' and '007'", "'C (1)' and 'C（1）'"]
    also = [m.split(" (also on ")[1].split(")")[0] for m in hits["message"]]
    assert [(Path(a.rsplit(" row ", 1)[0]).name, a.rsplit(" row ", 1)[1]) for a in also] == [
        ("nodes.csv", "9"),
        ("nodes.csv", "7"),
        ("nodes.csv", "9"),
    ]
    assert len(problems) == 3


# -- tables made in pandas -----------------------------------------------------------------


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A valid dataset as a researcher builds it in pandas: numbers, dates, NaN, NA, NaT."""
    nodes = pd.DataFrame(
        {
            "id": ["city", "gusu", "canglang", "daoqian", "007", "p1"],
            "label": ["City", "区", "Street", "社区", "Unit", "Project"],
            "name": ["苏州市", "姑苏区", "沧浪街道", "道前社区", "市政设施管理处", "微心愿"],
            "members": pd.array([None, None, None, 120, None, None], dtype="Int64"),
            "founded": pd.to_datetime([None, None, "2017-09-01", None, None, None]),
            "lat": [31.3, np.nan, None, 31.29, np.nan, np.nan],
            "exemplary": pd.array([None, None, None, None, None, True], dtype="boolean"),
            "provenance": ["public-record", None, pd.NA, "article", "", "article"],
        }
    )
    ties = pd.DataFrame(
        {
            "source": ["gusu", "canglang", "daoqian", "007", "007", "daoqian"],
            "target": ["city", "gusu", "canglang", "daoqian", "canglang", "p1"],
            "type": ["PART_OF", "隶属", "PART_OF", "结对共建", "ASSIGNED_TO", "RUNS"],
            "since": [None, None, None, dt.date(2019, 5, 1), dt.date(2018, 1, 1), None],
            "until": pd.to_datetime([None, None, None, None, "2023-12-31", None]),
            "weight": [np.nan, np.nan, np.nan, 1.5, 2.0, np.nan],
        }
    )
    return nodes, ties


def test_tables_from_pandas_validate_as_their_csv_files_read(tmp_path: Path) -> None:
    nodes, ties = frames()
    typed_nodes, typed_ties = validate_tables(nodes, ties)
    folder = tmp_path / "written"
    folder.mkdir()
    nodes.to_csv(folder / "nodes.csv", index=False)
    ties.to_csv(folder / "ties.csv", index=False)
    read = read_tables(folder)
    pd.testing.assert_frame_equal(typed_nodes, read.nodes)
    pd.testing.assert_frame_equal(typed_ties, read.ties)
    by_id = typed_nodes.set_index("id")
    assert by_id.loc["daoqian", "members"] == 120
    assert type(by_id.loc["daoqian", "members"]) is int
    assert by_id.loc["canglang", "founded"] == dt.date(2017, 9, 1)
    assert by_id.loc["p1", "exemplary"] is True
    assert by_id.loc["gusu", "label"] == "District"
    assert by_id.loc["gusu", "provenance"] is None
    assert typed_ties["until"].tolist()[4] == dt.date(2023, 12, 31)
    assert typed_ties["type"].tolist()[3] == "PAIRED_WITH"


def test_tables_from_pandas_report_every_problem_at_their_row_labels() -> None:
    nodes, ties = frames()
    nodes.index = [10, 11, 12, 13, 14, 15]  # as left by filtering a larger table
    extra = pd.DataFrame(
        {
            "id": ["C（1）", "C(1)", "gusu"],
            "label": ["Unit", "Planet", "Community"],
            "name": ["单位甲", None, "另一个姑苏"],
            "members": [None, None, 1.5],
        },
        index=[16, 17, 18],
    )
    nodes = pd.concat([nodes, extra])
    ties = pd.concat(
        [
            ties,
            pd.DataFrame(
                {
                    "source": ["007"],
                    "target": ["nowhere"],
                    "type": ["PAIRED_WITH"],
                    "since": ["去年"],
                },
                index=[6],
            ),
        ]
    )
    with pytest.raises(ValidationError) as caught:
        validate_tables(nodes, ties)
    problems = caught.value.problems
    found = {
        (f, r, c): (v, m)
        for f, r, c, v, m in problems[["file", "row", "column", "value", "message"]].values
    }
    unknown = found[("nodes (DataFrame)", 17, "label")][1]
    assert unknown.startswith("未知的节点类型，schema 中有 ActionBranch、")
    assert "/ unknown label; the schema has ActionBranch, " in unknown
    assert found == {
        ("nodes (DataFrame)", 17, "id"): (
            "C(1)",
            "id 只在全角半角或空格上不同，请写成一样 / "
            "ids differ only in character width or spacing: 'C(1)' and 'C（1）' "
            "(also on nodes (DataFrame) row 16); write them the same way",
        ),
        ("nodes (DataFrame)", 17, "label"): ("Planet", unknown),
        ("nodes (DataFrame)", 17, "name"): ("", "name 为空 / empty name"),
        ("nodes (DataFrame)", 18, "id"): (
            "gusu",
            "重复的 id / duplicate id, compared after trimming spaces (first on nodes (DataFrame) "
            "row 11；首次出现于 nodes (DataFrame) 第 11 行)",
        ),
        ("nodes (DataFrame)", 18, "members"): ("1.5", "不是整数 / not a whole number"),
        ("ties (DataFrame)", 6, "since"): (
            "去年",
            "不是日期 / not a date: write it as " + DATE_FORMS + "; 1/5/2023 is ambiguous",
        ),
        ("ties (DataFrame)", 6, "target"): (
            "nowhere",
            "节点中没有这个 target id / target id not found among the nodes",
        ),
    }
    assert len(problems) == len(found)
    assert problems["row"].tolist() == [17, 17, 17, 18, 18, 6, 6]  # in the tables' order


def test_tables_from_pandas_keep_text_exactly() -> None:
    nodes, ties = frames()
    nodes.loc[0, "name"] = "苏州市 _x000D_ _x005F_ as typed"
    typed_nodes, _ = validate_tables(nodes, ties)
    assert typed_nodes["name"].iat[0] == nodes.loc[0, "name"]


def test_tables_from_pandas_without_an_integer_index_count_positions() -> None:
    nodes, ties = frames()
    nodes.index = [f"n{i}" for i in range(len(nodes))]
    nodes.loc["extra"] = ["x", "Planet", "火星", None, pd.NaT, np.nan, None, None]
    with pytest.raises(ValidationError) as caught:
        validate_tables(nodes, ties)
    assert where(caught.value.problems) == [("nodes (DataFrame)", 6, "label")]


def test_tables_from_pandas_need_the_key_columns() -> None:
    nodes, ties = frames()
    with pytest.raises(ValidationError) as caught:
        validate_tables(nodes.drop(columns="label"), ties.rename(columns={"type": "kind"}))
    assert where(caught.value.problems) == [
        ("nodes (DataFrame)", None, "label"),
        ("ties (DataFrame)", None, "type"),
    ]
    assert (caught.value.problems["message"].str.contains("/ missing required column")).all()


def test_every_kind_of_problem_says_it_in_chinese_then_english(tmp_path: Path) -> None:
    nodes = pd.DataFrame(
        {
            "id": ["s", "s", "c", "", "u", "C(1)", "C（1）"],
            "label": ["Street", "Street", "Community", "Unit", "Planet", "Unit", ""],
            "name": ["街", "街", "", "单位", "火星", "甲", "乙"],
            "members": ["", "", "1.5", "", "", "", ""],
        }
    )
    ties = pd.DataFrame(
        {
            "source": ["c", "c", "c", "s", "c"],
            "target": ["s", "nowhere", "s", "c", "s"],
            "type": ["PART_OF", "PART_OF", "PART_OF", "PART_OF", "Helps"],
            "since": ["2023-05-01", "", "", "去年", ""],
            "until": ["2022-01-01", "", "", "", ""],
        }
    )
    with pytest.raises(ValidationError) as caught:
        validate_tables(nodes, ties)
    messages = caught.value.problems["message"].tolist()
    kinds = [
        "duplicate id", "empty name", "empty label", "unknown label", "unknown tie type",
        "not a whole number", "not a date", "since is after until", "not found among the nodes",
        "cannot join", "duplicate tie", "differ only in character width", "cycle",
    ]  # fmt: skip
    for kind in kinds:
        found = [m for m in messages if kind in m]
        assert found, kind
        for message in found:
            zh, sep, en = message.partition(" / ")
            assert sep, message
            assert re.search(r"[\u4e00-\u9fff]", zh), message  # Chinese first
            assert kind in en, message  # the English beside it
    text = str(caught.value)
    assert text.startswith("数据集无效，")
    assert "/ invalid dataset: " in text
    assert "行，" in text
