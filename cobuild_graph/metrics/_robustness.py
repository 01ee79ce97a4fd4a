"""What a unit's withdrawal would break: communities left uncovered, components, paths."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from cobuild_graph._jobs import searches
from cobuild_graph._net import Net
from cobuild_graph.metrics._simple import Simple, node_index
from cobuild_graph.schema import Schema, schema_of


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
    n_jobs: int = 1,
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
    n_jobs
        Processes for the path searches, one network (before, or after a withdrawal) at a
        time: ``1`` (the default) in this process, ``-1`` one per CPU this process may use,
        ``-2`` all but one (joblib's convention). The values are the same either way.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit id, most uncovering first: ``name``, ``degree`` (distinct
        neighbours), ``branches``, ``communities_reached``, ``communities_uncovered``,
        ``uncovered`` (their ids joined by ``;``), ``components_change``,
        ``largest_component_change``, ``path_length_change``. ``.attrs["estimates"]``:
        with `path_sources` below the size of the largest component, that
        ``path_length_change`` is an estimate (``{}`` when every value is exact).
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    providers = _providers(net)
    count = providers.groupby("community")["provider"].transform("size")
    sole = providers[count == 1]
    S = Simple.of(G)
    units, degree, home_of, nodes = _units(net, S)
    out = pd.DataFrame(
        {
            "name": net.nodes["name"].reindex(units).to_numpy(),
            "degree": degree.astype(int).to_numpy(),
            "branches": home_of.value_counts().reindex(units, fill_value=0).to_numpy(),
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
    effects, largest = _withdrawal_effects(
        S,
        _removals(degree, home_of, top, nodes),
        paths=paths,
        path_sources=path_sources,
        seed=seed,
        n_jobs=n_jobs,
    )
    for unit, values in effects.items():
        out.loc[unit, ["components_change", "largest_component_change", "path_length_change"]] = (
            values
        )
    order = out.assign(text=out.index.astype(str)).sort_values(
        ["communities_uncovered", "degree", "text"], ascending=[False, False, True], kind="stable"
    )
    out = out.loc[order.index]
    out.attrs["estimates"] = (
        {
            "path_length_change": f"{path_sources} / {largest} nodes of the largest component "
            f"as sources (seed {seed}), the same before and after; no standard error"
        }
        if paths and path_sources is not None and path_sources < largest
        else {}
    )
    return out


def _units(net: Net, S: Simple) -> tuple[pd.Index, pd.Series, pd.Series, pd.Index]:
    """The units, their degrees in `S`, each branch's home unit, and the index of `S`'s
    nodes (their positions)."""
    units = net.nodes.index[net.nodes["label"] == "Unit"]
    nodes = node_index(S.nodes)
    degree = pd.Series(S.degree(), index=nodes).reindex(units)
    return units, degree, _home_of(net), nodes


def _removals(
    degree: pd.Series, home_of: pd.Series, top: int | None, nodes: pd.Index
) -> dict[Hashable, tuple[int, ...]]:
    """The units measured structurally (the `top` of highest degree), each with the
    positions in the simple graph (`nodes`) of itself and its branches."""
    chosen = degree.sort_values(ascending=False, kind="stable").index
    chosen = chosen[:top] if top is not None else chosen
    mine = home_of[home_of.isin(chosen)]
    branches: dict[Hashable, list[Hashable]] = {}
    for branch, unit in zip(mine.index.tolist(), mine.tolist(), strict=True):
        branches.setdefault(unit, []).append(branch)
    needed = [*chosen, *mine.index]
    position = dict(zip(needed, nodes.get_indexer(needed).tolist(), strict=True))
    return {u: (position[u], *(position[b] for b in branches.get(u, []))) for u in chosen}


@dataclass
class _Network:
    """A network before or after a withdrawal: its number of components, the vertices of
    the largest, those of them its average path length is searched from, and, when path
    lengths are searched, its graph (the whole graph's, induced by the kept vertices;
    vertices are positions in it)."""

    graph: ig.Graph | None
    components: int
    largest: np.ndarray
    sources: np.ndarray

    def searched(self) -> bool:
        """Whether it has an average path length to search for."""
        return self.graph is not None and len(self.largest) >= 2 and len(self.sources) > 0

    def path_search(self) -> tuple[ig.Graph | None, dict[str, Any]]:
        """igraph's closeness search of :meth:`mean_path`: (graph, options)."""
        return self.graph, {"vertices": self.sources.tolist(), "normalized": False}

    def mean_path(self, inverse: list[float]) -> float:
        """Average shortest path length in the largest component, from the sources, given
        their closeness found by :meth:`path_search`."""
        return float(np.mean(1.0 / np.asarray(inverse, dtype=float)) / (len(self.largest) - 1))


def _network(S: Simple, gone: tuple[int, ...], sources: np.ndarray | None, paths: bool) -> _Network:
    """The network of `S` without the vertices `gone`: its components found by scipy from
    the links left (no graph is copied), igraph's induced graph only when `paths`.

    Components are numbered in the order of their first vertex, as igraph numbers them, so
    the largest is the same (the first of the largest) either way; positions in the network
    are ranks among the kept vertices, as in igraph's induced graph.
    """
    kept = np.ones(S.n, dtype=bool)
    kept[list(gone)] = False
    links = kept[S.source] & kept[S.target]
    adjacency = sp.coo_array(
        (np.ones(int(links.sum()), dtype=np.int8), (S.source[links], S.target[links])),
        shape=(S.n, S.n),
    )
    count, labels = connected_components(adjacency, directed=False)
    labels = labels[kept]  # each vertex gone is a component of its own: left out
    if len(labels) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Network(None, 0, empty, empty)
    largest = np.flatnonzero(labels == int(np.argmax(np.bincount(labels, minlength=count))))
    chosen = largest if sources is None else np.intersect1d(sources, largest)
    graph = None
    if paths:
        g = S.igraph()
        graph = g if not gone else g.induced_subgraph(np.flatnonzero(kept).tolist())
    return _Network(graph, count - len(gone), largest, chosen)


def _withdrawals(
    S: Simple,
    removals: dict[Hashable, tuple[int, ...]],
    path_sources: int | None,
    seed: int | None,
    paths: bool,
) -> tuple[_Network, dict[Hashable, _Network]]:
    """The network before, and after each unit's withdrawal; path sources drawn once from
    the largest component before, and kept (as they move) after."""

    before = _network(S, (), None, paths)
    sources = None
    if path_sources is not None and path_sources < len(before.largest):
        rng = np.random.default_rng(seed)
        sources = np.sort(rng.choice(before.largest, path_sources, replace=False))
        before = _network(S, (), sources, paths)
    after = {}
    for unit, gone in removals.items():
        moved = None
        if sources is not None:
            # positions in the new network are ranks among the kept vertices; the sources
            # move with their nodes
            kept = np.ones(S.n, dtype=bool)
            kept[list(gone)] = False
            moved = np.cumsum(kept)[sources[kept[sources]]] - 1
        after[unit] = _network(S, gone, moved, paths)
    return before, after


def _withdrawal_effects(
    S: Simple,
    removals: dict[Hashable, tuple[int, ...]],
    *,
    paths: bool,
    path_sources: int | None,
    seed: int | None,
    n_jobs: int,
) -> tuple[dict[Hashable, tuple[float, float, float]], int]:
    """Each unit's changes (components, largest component, path length), and the size of
    the largest component before any withdrawal."""
    before, after = _withdrawals(S, removals, path_sources, seed, paths)
    networks = [before, *after.values()]
    lengths = np.full(len(networks), np.nan)
    if paths:
        searched = [i for i, network in enumerate(networks) if network.searched()]
        found = searches("closeness", [networks[i].path_search() for i in searched], n_jobs)
        for i, inverse in zip(searched, found, strict=True):
            lengths[i] = networks[i].mean_path(inverse)
    effects = {
        unit: (
            network.components - before.components,
            len(network.largest) - len(before.largest),
            lengths[i] - lengths[0],
        )
        for i, (unit, network) in enumerate(after.items(), start=1)
    }
    return effects, len(before.largest)
