"""The files the repository ships: the Suzhou sample and the Excel template."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import openpyxl
import pandas as pd
import pytest

from cobuild_graph import read_dataset, read_tables
from cobuild_graph.generate import generate_tables
from cobuild_graph.template import write_template

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def suzhou() -> nx.MultiDiGraph:
    return read_dataset(DATA / "suzhou")


def test_sample_is_exactly_the_generator_output() -> None:
    shipped_nodes, shipped_ties, shipped_meta = read_tables(DATA / "suzhou")
    nodes, ties, meta = generate_tables("sample", seed=2020)
    pd.testing.assert_frame_equal(shipped_nodes, nodes[shipped_nodes.columns], check_dtype=False)
    pd.testing.assert_frame_equal(shipped_ties, ties[shipped_ties.columns], check_dtype=False)
    assert set(nodes.columns) == set(shipped_nodes.columns)
    assert shipped_meta == meta


def test_sample_has_the_article_scale(suzhou: nx.MultiDiGraph) -> None:
    labels = pd.Series(dict(suzhou.nodes(data="label")))
    streets_with_units = {v for _, v, k in suzhou.edges(keys=True) if k == "ASSIGNED_TO"}
    city_units = [
        n for n, d in suzhou.nodes(data=True) if d["label"] == "Unit" and d.get("level") == "city"
    ]
    assert len(streets_with_units) == 19
    assert (labels == "Street").sum() >= 35
    assert len(city_units) >= 180
    assert (labels == "ActionBranch").sum() >= 3000
    assert 600 <= (labels == "Community").sum() <= 660
    exemplary = [n for n, d in suzhou.nodes(data=True) if d.get("exemplary") is True]
    assert len(exemplary) == 100


def test_every_row_says_where_it_came_from(suzhou: nx.MultiDiGraph) -> None:
    node_sources = {d.get("provenance") for _, d in suzhou.nodes(data=True)}
    tie_sources = {d.get("provenance") for *_, d in suzhou.edges(data=True)}
    assert node_sources == {"article", "public-record", "synthetic"}
    assert tie_sources <= {"article", "public-record", "synthetic"}
    names = {d["name"] for _, d in suzhou.nodes(data=True) if d["provenance"] == "article"}
    assert {"博士阳光讲坛", "道前社区", "城市基层党建工作专委会"} <= names


def test_shipped_template_matches_the_schema(tmp_path: Path) -> None:
    fresh = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    shipped = openpyxl.load_workbook(DATA / "template.xlsx")
    assert shipped.sheetnames == fresh.sheetnames
    for name in fresh.sheetnames:
        assert list(shipped[name].values) == list(fresh[name].values), name
    assert read_dataset(DATA / "template.xlsx").number_of_nodes() == 5


def test_the_sample_is_found_from_any_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from cobuild_graph import sample, sample_path

    monkeypatch.chdir(tmp_path)
    assert sample_path() == DATA / "suzhou"  # beside the package of this checkout
    monkeypatch.setattr(sample, "__file__", str(tmp_path / "site-packages" / "x" / "sample.py"))
    monkeypatch.chdir(DATA.parent / "docs" / "zh")
    assert sample_path() == DATA / "suzhou"  # above the working directory
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"data/suzhou\) ships with the repository"):
        sample_path()
