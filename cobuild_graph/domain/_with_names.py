"""The nodes' names and labels beside a per-node table."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import pandas as pd

from cobuild_graph._memo import memo


def with_names(
    G: nx.Graph, table: pd.DataFrame, *, columns: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """`table` (indexed by node id) with the nodes' ``name`` and ``label`` as first columns.

    Parameters
    ----------
    G
        The graph the ids come from.
    table
        A per-node table.
    columns
        Node attributes to add and their column names; ``{"name": "name", "label":
        "label"}`` when ``None``.
    """
    columns = dict(columns or {"name": "name", "label": "label"})
    out = table.copy()
    for position, (attribute, column) in enumerate(columns.items()):
        if column in out.columns:
            continue
        values = memo(G, ("node attribute", attribute), lambda a=attribute: dict(G.nodes(data=a)))
        out.insert(position, column, [values.get(n) for n in out.index])
    return out
