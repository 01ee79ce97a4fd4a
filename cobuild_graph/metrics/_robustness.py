"""What a unit's withdrawal would break: communities left uncovered, components, paths."""

from __future__ import annotations

from collections.abc import Hashable

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._net import Net
from cobuild_graph.metrics._simple import Simple, node_index
from cobuild_graph.schema import Schema, schema_or_default


def _providers(net: Net) -> pd.DataFrame:
    """(provider, community) pairs of co-building ties reaching communities.

    The co-building ties are those of the schema's co-building coverage kinds (coverage
    ``any``): in the default schema a unit provides for the communities it is
    ``PAIRED_WITH`` (or their grids) and those its action branches are ``EMBEDDED_IN``. A
    node's tie counts for its home (``BRANCH_OF``, role ``home``); a branch without a home
    provides alone.
    """
    links = net.attachments()
    kinds = [net.schema.coverage[kind] for kind in net.schema.cobuilding_coverage()]
    labels = net.label(links["node"])
    kept = pd.Series(False, index=links.index)
    for kind in kinds:
        kept |= (links["type"] == kind.tie_type) & (labels == kind.label)
    links = links[kept]
    links = links.assign(community=net.covered_place(links["place"])).dropna(subset=["community"])
    # .astype(object): a map that finds nothing comes back float64, which rejects text fills
    provider = links["node"].map(_home_of(net)).astype(object).fillna(links["node"])
    return pd.DataFrame(
        {"provider": provider.to_numpy(), "community": links["community"].to_numpy()}
    ).drop_duplicates()


def _home_of(net: Net) -> pd.Series:
    """Each node with a unit as home (a branch) mapped to that unit."""
    home = net.ties_with_role("home")
    home = home[net.label(home["target"]) == "Unit"].drop_duplicates("source")
    return pd.Series(home["target"].to_numpy(), index=home["source"].to_numpy())


def robustness(
    G: nx.Graph,
    *,
    top: int | None = None,
    paths: bool = True,
    path_sources: int | None = None,
    seed: int | None = 0,
    schema: Schema | None = None,
) -> pd.DataFrame:
    """What each unit's withdrawal, with its action branches, would break.

    A community's **co-building ties** are those of the schema's co-building coverage kinds
    (coverage ``any``; in the default schema the ``PAIRED_WITH`` ties of units to it or its
    grids and the ``EMBEDDED_IN`` ties of action branches to it); a branch's tie counts for
    its home unit (``BRANCH_OF``). A community is *uncovered* by a unit's withdrawal when
    every co-building tie it has comes from that unit or its branches.

    The structural columns compare the undirected simple graph with and without the unit
    and its branches: the change in the number of connected components, in the size of
    the largest component, and in the average shortest path length of the largest
    component (after minus before). Path lengths cost a breadth-first search from every
    node of the largest component per unit (O(nm) each); `top` limits the structural
    columns to the units of highest degree, `path_sources` estimates the average path
    length from a fixed, seeded sample of source nodes (the same before and after, so the
    change is measured on common ground).

    Parameters
    ----------
    G
        A co-building graph.
    top
        Compute the structural columns for the `top` units of highest degree only
        (``NaN`` for the others); all units when ``None``.
    paths
        Compute ``path_length_change`` at all.
    path_sources
        Number of source nodes for the path-length estimate; exact when ``None``.
    seed
        Seed for the sources.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit id, most uncovering first: ``name``, ``degree`` (distinct
        neighbours), ``branches``, ``communities_reached``, ``communities_uncovered``,
        ``uncovered`` (their ids joined by ``;``), ``components_change``,
        ``largest_component_change``, ``path_length_change``.
    """
    schema = schema_or_default(schema)
    net = Net.of(G, schema)
    units = net.nodes.index[net.nodes["label"] == "Unit"]
    providers = _providers(net)
    count = providers.groupby("community")["provider"].transform("size")
    sole = providers[count == 1]
    home_of = _home_of(net)
    branches = pd.Series(home_of.index, index=home_of.to_numpy()).groupby(level=0).apply(list)

    S = Simple.of(G)
    position = {v: i for i, v in enumerate(S.nodes)}
    degree = pd.Series(S.degree(), index=node_index(S.nodes)).reindex(units)
    out = pd.DataFrame(
        {
            "name": net.nodes["name"].reindex(units).to_numpy(),
            "degree": degree.astype(int).to_numpy(),
            "branches": [len(branches.get(u, [])) for u in units],
            "communities_reached": providers["provider"]
            .value_counts()
            .reindex(units, fill_value=0)
            .to_numpy(),
            "communities_uncovered": sole["provider"]
            .value_counts()
            .reindex(units, fill_value=0)
            .to_numpy(),
        },
        index=pd.Index(units, name="id"),
    )
    lists = sole.assign(text=sole["community"].astype(str)).sort_values("text")
    lists = lists.groupby("provider")["text"].agg(";".join)
    out["uncovered"] = lists.reindex(units).fillna("").to_numpy()
    for column in ("components_change", "largest_component_change", "path_length_change"):
        out[column] = np.nan
    chosen = degree.sort_values(ascending=False, kind="stable").index
    chosen = chosen[:top] if top is not None else chosen
    effects = _withdrawal_effects(
        S,
        {u: [position[u], *(position[b] for b in branches.get(u, []))] for u in chosen},
        paths=paths,
        path_sources=path_sources,
        seed=seed,
    )
    for unit, values in effects.items():
        out.loc[unit, ["components_change", "largest_component_change", "path_length_change"]] = (
            values
        )
    order = out.assign(text=out.index.astype(str)).sort_values(
        ["communities_uncovered", "degree", "text"], ascending=[False, False, True], kind="stable"
    )
    return out.loc[order.index]


def _largest(g: ig.Graph) -> tuple[int, np.ndarray]:
    """Number of components and the vertices of the largest."""
    clusters = g.connected_components()
    if len(clusters) == 0:
        return 0, np.zeros(0, dtype=np.int64)
    sizes = np.asarray(clusters.sizes())
    members = np.flatnonzero(np.asarray(clusters.membership) == int(np.argmax(sizes)))
    return len(clusters), members


def _mean_path(g: ig.Graph, largest: np.ndarray, sources: np.ndarray | None) -> float:
    """Average shortest path length in `largest`, from all its nodes or from `sources`."""
    r = len(largest)
    if r < 2:
        return float("nan")
    chosen = largest if sources is None else np.intersect1d(sources, largest)
    if len(chosen) == 0:
        return float("nan")
    inverse = np.asarray(g.closeness(vertices=chosen.tolist(), normalized=False), dtype=float)
    return float(np.mean(1.0 / inverse) / (r - 1))


def _withdrawal_effects(
    S: Simple,
    removals: dict[Hashable, list[int]],
    *,
    paths: bool,
    path_sources: int | None,
    seed: int | None,
) -> dict[Hashable, tuple[float, float, float]]:
    g = S.igraph()
    count, largest = _largest(g)
    sources = None
    if path_sources is not None and path_sources < len(largest):
        sources = np.sort(np.random.default_rng(seed).choice(largest, path_sources, replace=False))
    before = _mean_path(g, largest, sources) if paths else np.nan
    out = {}
    for unit, gone in removals.items():
        keep = np.setdiff1d(np.arange(S.n), gone)
        h = g.induced_subgraph(keep.tolist())
        count_after, largest_after = _largest(h)
        change = np.nan
        if paths:
            # positions in h are ranks in `keep`; the sources move with their nodes
            moved = None if sources is None else np.searchsorted(keep, np.setdiff1d(sources, gone))
            change = _mean_path(h, largest_after, moved) - before
        out[unit] = (count_after - count, len(largest_after) - len(largest), change)
    return out
