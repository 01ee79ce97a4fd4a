"""Shared fixtures: small datasets written as files the way users write them."""

from __future__ import annotations

from pathlib import Path

import pytest

NODES = """id,label,name,members,founded,provenance
city,City,苏州市,,,public-record
gusu,District,姑苏区,,,public-record
canglang,Street,沧浪街道,,2017-09-01,public-record
daoqian,Community,道前社区,120,,article
nanhuan1,Community,南环第一社区,,,article
007,Unit,苏州市市政设施管理处,,,article
ab1,ActionBranch,市委党校行动支部,36,,public-record
"""

TIES = """source,target,type,since,until,weight,provenance
gusu,city,PART_OF,,,,public-record
canglang,gusu,PART_OF,,,,public-record
daoqian,canglang,PART_OF,,,,public-record
nanhuan1,canglang,PART_OF,,,,synthetic
007,daoqian,PAIRED_WITH,2019-05-01,,1.5,article
007,canglang,ASSIGNED_TO,2018,2023-12-31,,synthetic
ab1,nanhuan1,EMBEDDED_IN,2022,,,public-record
"""


def write_csv_dataset(
    folder: Path, nodes: str = NODES, ties: str = TIES, *, encoding: str = "utf-8"
) -> Path:
    """Write `nodes` and `ties` as CSV files in `folder` with `encoding`; returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.csv").write_bytes(nodes.encode(encoding))
    (folder / "ties.csv").write_bytes(ties.encode(encoding))
    return folder


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    """A valid seven-node dataset folder in UTF-8."""
    return write_csv_dataset(tmp_path / "small")
