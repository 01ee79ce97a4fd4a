"""A dataset whose names try to break out of an HTML page, for the picture tests."""

from __future__ import annotations

import networkx as nx
import pandas as pd

import cobuild_graph as cg

HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '" onmouseover="alert(2)',
)


def hostile_graph() -> nx.MultiDiGraph:
    """Three nodes whose names (and a district's) try to break out of the page."""
    nodes = pd.DataFrame(
        {
            "id": ["d", "s", "c", "u"],
            "label": ["District", "Street", "Community", "Unit"],
            "name": ["<b>区</b>", *HOSTILE],
            "note": ["", "<!-- comment", "href=javascript:alert(3)", "&amp; </style>"],
            "unit_type": [None, None, None, "organ"],
        }
    )
    ties = pd.DataFrame(
        {
            "source": ["s", "c", "u", "u"],
            "target": ["d", "s", "c", "s"],
            "type": ["PART_OF", "PART_OF", "PAIRED_WITH", "ASSIGNED_TO"],
        }
    )
    return cg.graph_from_tables(nodes, ties, meta={"name": "<script>alert('title')</script>"})
