"""Every kind of validation problem, with the file, row and column it is reported at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cobuild_graph import ValidationError, read_tables
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
    with pytest.raises(ValueError, match=r"nodes\.csv, row 9, column label: unknown label"):
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
