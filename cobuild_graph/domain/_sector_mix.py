"""The types of co-building units per place, with Blau and Shannon diversity."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._net import Net, named, node_attribute
from cobuild_graph.schema import Schema, schema_of


def sector_mix(G: nx.Graph, *, level: str = "Street", schema: Schema | None = None) -> pd.DataFrame:
    """The types of co-building units per place, with Blau and Shannon diversity.

    The units of a place are those :func:`balance` counts (distinct units ``ASSIGNED_TO``
    or ``PAIRED_WITH`` it or a place below it). With :math:`p_k` the share of units of type
    :math:`k` (units without a ``unit_type`` left out of the shares):

    - Blau's index :math:`1 - \\sum_k p_k^2` (Blau, P. M. 1977, *Inequality and
      Heterogeneity*), the chance that two units drawn at random differ in type;
    - Shannon's diversity :math:`H = -\\sum_k p_k \\ln p_k` (Shannon, C. E. 1948, *A
      Mathematical Theory of Communication*), in nats.

    Parameters
    ----------
    G
        A co-building graph.
    level
        The level of the places.
    schema
        Gives the hierarchy and the unit types (the choices of ``Unit.unit_type``).

    Returns
    -------
    pandas.DataFrame
        One row per place at `level`, indexed by id: ``name``, one count column per unit
        type of the schema (``organ``, ``soe``, ``school``, ``hospital``, ``institution``,
        ``private``, ``mass``, ``social``, ``other``), ``unknown`` (units without a type),
        ``units``, ``blau``, ``shannon`` (``NaN`` for a place without typed units).
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    spec = schema.labels["Unit"].attributes.get("unit_type")
    types = list(spec.choices) if spec is not None and spec.choices else []
    reach = net.reach(level, types=schema.ties_with_role("cobuilding"), labels=["Unit"])
    # .astype(object): a map that finds nothing comes back float64, which rejects text fills
    kind = reach["node"].map(node_attribute(G, "unit_type")).astype(object).fillna("unknown")
    counts = pd.crosstab(reach["ancestor"], kind).rename_axis(columns=None)
    extra = sorted(set(counts.columns) - {*types, "unknown"})
    counts = counts.reindex(columns=[*types, *extra, "unknown"], fill_value=0)
    out = named(net, net.places(level), counts).fillna(0)
    typed = out[[*types, *extra]].astype(int)
    out[[*types, *extra, "unknown"]] = out[[*types, *extra, "unknown"]].astype(int)
    out["units"] = typed.sum(axis=1) + out["unknown"]
    shares = typed.div(typed.sum(axis=1).replace(0, np.nan), axis=0)
    out["blau"] = 1 - (shares**2).sum(axis=1, min_count=1)
    logs = np.log(shares.where(shares > 0))
    out["shannon"] = 0.0 - (shares * logs).sum(axis=1, min_count=1)  # 0.0 - x: no -0.0
    out.loc[typed.sum(axis=1) == 0, ["blau", "shannon"]] = np.nan
    return out
