"""Reach across the hierarchy: the levels each tie spans, units reaching communities."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._net import Net, mode, node_attribute
from cobuild_graph.schema import Schema, schema_of


def _node_levels(G: nx.Graph, net: Net) -> pd.Series:
    """The hierarchy level each node stands at: its own, its ``level`` attribute, its
    home's, or that of the places it is attached to."""
    hierarchy = net.schema.hierarchy
    by_name = {h.casefold(): h for h in hierarchy}
    levels = net.nodes["label"].where(net.nodes["label"].isin(hierarchy))
    own = node_attribute(G, "level").astype(str).str.casefold().map(by_name).dropna()
    own = own[levels.reindex(own.index).isna()]
    levels[own.index] = own
    home = net.ties_with_role("home")
    home = home[levels.reindex(home["source"]).isna().to_numpy()]
    inherited = mode(
        home.assign(level=home["target"].map(levels)).dropna(subset=["level"]), "source", "level"
    )
    levels[inherited.index] = inherited
    links = net.attachments()
    links = links[levels.reindex(links["node"]).isna().to_numpy()]
    links = links[links["rank"] == links.groupby("node")["rank"].transform("min")]
    attached = mode(links.assign(level=net.label(links["place"])), "node", "level")
    levels[attached.index] = attached
    return levels


def cross_level(G: nx.Graph, *, schema: Schema | None = None) -> pd.DataFrame:
    """How many hierarchy levels each tie spans.

    Each endpoint stands at a level: a place at its own; a node with a ``level`` attribute
    naming a level (a ``city``-level unit) at that one; an action branch at its home
    unit's (through ``BRANCH_OF``); any other node at the level of the places it is
    attached to (a project at its runner's, a position where it stands). ``span`` is the
    absolute difference of the two depths: a city-level unit paired with a community spans
    3 (City → Community), a community's ``PART_OF`` its street 1.

    Returns
    -------
    pandas.DataFrame
        One row per tie: ``source``, ``target``, ``type``, ``source_level``,
        ``target_level``, ``span`` (nullable integer; missing where a level is unknown).
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    levels = _node_levels(G, net)
    depth = {h: i for i, h in enumerate(schema.hierarchy)}
    out = net.ties[["source", "target", "type"]].copy()
    out["source_level"] = out["source"].map(levels)
    out["target_level"] = out["target"].map(levels)
    span = (out["source_level"].map(depth) - out["target_level"].map(depth)).abs()
    out["span"] = span.astype("Int64")
    return out


def cross_level_summary(G: nx.Graph, *, schema: Schema | None = None) -> pd.DataFrame:
    """:func:`cross_level` counted: ties per tie type, pair of levels and span.

    Returns
    -------
    pandas.DataFrame
        Columns ``type``, ``source_level``, ``target_level``, ``span``, ``ties``, ``share``
        (of the ties of that type), sorted by type and span.
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    # the ties counted by (type, source level, target level) as codes first: the groupby
    # below then runs on those few combinations, not on every tie
    types, type_names = pd.factorize(net.ties["type"], use_na_sentinel=False)
    levels, level_names = pd.factorize(_node_levels(G, net), use_na_sentinel=False)
    source, target = net.tie_positions()
    n_levels = max(len(level_names), 1)
    found, counts = np.unique(
        (types * n_levels + levels[source]) * n_levels + levels[target], return_counts=True
    )
    combos = pd.DataFrame(
        {
            "type": pd.Series(type_names, dtype=object).take(found // n_levels**2).to_numpy(),
            "source_level": pd.Series(level_names, dtype=object)
            .take(found // n_levels % n_levels)
            .to_numpy(),
            "target_level": pd.Series(level_names, dtype=object).take(found % n_levels).to_numpy(),
            "ties": counts,
        }
    )
    depth = {h: i for i, h in enumerate(schema.hierarchy)}
    span = (combos["source_level"].map(depth) - combos["target_level"].map(depth)).abs()
    combos["span"] = span.astype("Int64")
    out = (
        combos.groupby(["type", "source_level", "target_level", "span"], dropna=False)["ties"]
        .sum()
        .reset_index()
    )
    out["share"] = out["ties"] / out.groupby("type")["ties"].transform("sum")
    return out.sort_values(["type", "span"], kind="stable").reset_index(drop=True)


def unit_reach(G: nx.Graph, *, schema: Schema | None = None) -> pd.DataFrame:
    """Units reaching communities directly versus only through streets.

    A unit reaches a community directly when it is ``PAIRED_WITH`` the community (or one
    of its grids) or one of its action branches is ``EMBEDDED_IN`` it; it reaches only
    through streets when its deepest co-building tie (``ASSIGNED_TO``, ``PAIRED_WITH``,
    or a branch's ``EMBEDDED_IN``) ends at a street.

    Returns
    -------
    pandas.DataFrame
        Indexed by the units' ``level`` attribute (``city``, ``district``, ``unknown``) and
        a final ``all`` row; columns ``units``, ``paired_with_community``,
        ``branch_in_community``, ``community_direct`` (either), ``street_only``,
        ``no_tie``, ``community_direct_share``.
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    community = net.level_depth("Community")
    street = net.level_depth("Street")
    units = net.nodes.index[net.nodes["label"] == "Unit"]
    links = net.attachments()
    links = links[links["type"].isin(net.schema.ties_with_role("cobuilding"))]
    links["depth"] = links["place"].map(net.depth)
    branch_of = net.ties_with_role("home")
    home = pd.Series(branch_of["target"].to_numpy(), index=branch_of["source"].to_numpy())
    home = home[~home.index.duplicated()]
    own = links[links["node"].isin(units)].assign(unit=lambda f: f["node"], via="own")
    through = links[links["node"].isin(home.index)]
    through = through.assign(unit=through["node"].map(home), via="branch")
    reach = pd.concat([own, through], ignore_index=True)
    reach = reach[reach["unit"].isin(units)]
    deep = reach["depth"] >= community
    frame = pd.DataFrame(index=units)
    frame["paired_with_community"] = units.isin(reach.loc[deep & (reach["via"] == "own"), "unit"])
    frame["branch_in_community"] = units.isin(reach.loc[deep & (reach["via"] == "branch"), "unit"])
    frame["community_direct"] = frame["paired_with_community"] | frame["branch_in_community"]
    deepest = reach.groupby("unit")["depth"].max().reindex(units)
    frame["street_only"] = (deepest == street).to_numpy()
    frame["no_tie"] = deepest.isna().to_numpy()
    frame["units"] = True
    kind = node_attribute(G, "level").reindex(units).fillna("unknown").astype(str)
    out = frame.groupby(kind.to_numpy()).sum().astype(int)
    out.loc["all"] = out.sum()
    out = out[
        [
            "units",
            "paired_with_community",
            "branch_in_community",
            "community_direct",
            "street_only",
            "no_tie",
        ]
    ]
    out["community_direct_share"] = out["community_direct"] / out["units"].replace(0, np.nan)
    out.index.name = "unit_level"
    return out
