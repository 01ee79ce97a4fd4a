"""A small hand-made street/community network whose measures the tests work out by hand.

::

    city ── d1 ─┬─ s1 ── c1, c2
                ├─ s2 ── c3, c4, c6
                └─ s3 ── c5

    u1 (city, organ)      ASSIGNED_TO s1, PAIRED_WITH c1
    u2 (district, soe)    ASSIGNED_TO s1, PAIRED_WITH c3, c4, c5
    u3 (city, school)     ASSIGNED_TO s2
    u4 (district, soe)    PAIRED_WITH c5
    u5 (city, hospital)   ASSIGNED_TO s3
    b1 BRANCH_OF u1, EMBEDDED_IN c1;  b2 BRANCH_OF u3, EMBEDDED_IN c3;
    b3, b4, b5 BRANCH_OF u4, EMBEDDED_IN c5
    c1 RUNS p1 (10,000 yuan, exemplary); s2 RUNS p2 (5,000 yuan); pos1 LOCATED_IN c2
    service fund 200,000 yuan for c1 ... c5, none for c6

Dated ties: u1–c1 since 2019-05-01; u2–c3 from 2018-03-01 until 2020-06-30; b1–c1 since
2020-01-10; every other tie is undated.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pandas as pd

from cobuild_graph import graph_from_tables

_NODES = [
    ("city", "City", "市", {}),
    ("d1", "District", "一区", {}),
    ("s1", "Street", "一街道", {}),
    ("s2", "Street", "二街道", {}),
    ("s3", "Street", "三街道", {}),
    *(
        (f"c{i}", "Community", f"{i}号社区", {"service_fund_yuan": 200_000.0} if i < 6 else {})
        for i in range(1, 7)
    ),
    ("u1", "Unit", "单位一", {"level": "city", "unit_type": "organ"}),
    ("u2", "Unit", "单位二", {"level": "district", "unit_type": "soe"}),
    ("u3", "Unit", "单位三", {"level": "city", "unit_type": "school"}),
    ("u4", "Unit", "单位四", {"level": "district", "unit_type": "soe"}),
    ("u5", "Unit", "单位五", {"level": "city", "unit_type": "hospital"}),
    *((f"b{i}", "ActionBranch", f"行动支部{i}", {}) for i in range(1, 6)),
    ("p1", "Project", "项目一", {"budget_yuan": 10_000.0, "exemplary": True}),
    ("p2", "Project", "项目二", {"budget_yuan": 5_000.0, "exemplary": False}),
    ("pos1", "Position", "阵地一", {}),
]

_TIES = [
    ("d1", "city", "PART_OF"),
    *((s, "d1", "PART_OF") for s in ("s1", "s2", "s3")),
    ("c1", "s1", "PART_OF"),
    ("c2", "s1", "PART_OF"),
    ("c3", "s2", "PART_OF"),
    ("c4", "s2", "PART_OF"),
    ("c6", "s2", "PART_OF"),
    ("c5", "s3", "PART_OF"),
    ("u1", "s1", "ASSIGNED_TO"),
    ("u1", "c1", "PAIRED_WITH"),
    ("u2", "s1", "ASSIGNED_TO"),
    ("u2", "c3", "PAIRED_WITH"),
    ("u2", "c4", "PAIRED_WITH"),
    ("u2", "c5", "PAIRED_WITH"),
    ("u3", "s2", "ASSIGNED_TO"),
    ("u4", "c5", "PAIRED_WITH"),
    ("u5", "s3", "ASSIGNED_TO"),
    ("b1", "u1", "BRANCH_OF"),
    ("b1", "c1", "EMBEDDED_IN"),
    ("b2", "u3", "BRANCH_OF"),
    ("b2", "c3", "EMBEDDED_IN"),
    *(t for i in (3, 4, 5) for t in ((f"b{i}", "u4", "BRANCH_OF"), (f"b{i}", "c5", "EMBEDDED_IN"))),
    ("c1", "p1", "RUNS"),
    ("s2", "p2", "RUNS"),
    ("pos1", "c2", "LOCATED_IN"),
]

_DATES = {
    ("u1", "c1"): (dt.date(2019, 5, 1), None),
    ("u2", "c3"): (dt.date(2018, 3, 1), dt.date(2020, 6, 30)),
    ("b1", "c1"): (dt.date(2020, 1, 10), None),
}


def handmade() -> nx.MultiDiGraph:
    """The network of the module docstring, built as :func:`read_dataset` builds one."""
    nodes = pd.DataFrame(
        [{"id": i, "label": label, "name": name, **extra} for i, label, name, extra in _NODES]
    )
    ties = pd.DataFrame(
        [
            {
                "source": s,
                "target": t,
                "type": kind,
                "since": _DATES.get((s, t), (None, None))[0],
                "until": _DATES.get((s, t), (None, None))[1],
            }
            for s, t, kind in _TIES
        ]
    )
    return graph_from_tables(nodes, ties, meta={"name": "handmade"})
