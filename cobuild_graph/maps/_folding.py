"""Places and folding: each node's place at every hierarchy level, and the hierarchy folded
to a level, whole (:func:`aggregate_graph`) or one step at a time (:func:`fold_tree`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

import networkx as nx
import pandas as pd

from cobuild_graph import domain
from cobuild_graph._memo import shared
from cobuild_graph.schema import Schema, schema_of

#: Labels that an aggregated map folds into their place, beside the hierarchy levels below
#: it: action branches, positions and projects go into their community or street; units and
#: committees stay, since their ties across places are what a co-building map shows.
COLLAPSE: tuple[str, ...] = ("ActionBranch", "Position", "Project")


def place_table(G: nx.MultiDiGraph, *, schema: Schema | None = None) -> pd.DataFrame:
    """The place of every node at each hierarchy level (:func:`cobuild_graph.domain.ancestors`).

    Parameters
    ----------
    G
        A co-building graph.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id, one column per hierarchy level holding the id of the node's
        place there, or ``None``.
    """
    schema = schema_of(G, schema)
    with shared():
        table = pd.concat(
            [domain.ancestors(G, level=level, schema=schema) for level in schema.hierarchy], axis=1
        ).astype(object)
    return table.where(table.notna(), None)


def aggregate_graph(
    G: nx.MultiDiGraph,
    level: str,
    *,
    collapse: Sequence[str] = COLLAPSE,
    places: pd.DataFrame | None = None,
    schema: Schema | None = None,
) -> tuple[nx.MultiDiGraph, dict[Hashable, Counter[str]]]:
    """Fold the hierarchy below `level`, and the labels in `collapse`, into their places.

    Parameters
    ----------
    G
        A co-building graph.
    level
        A hierarchy level, e.g. ``"Street"``: communities, grids and (by default) action
        branches fold into their street.
    collapse
        Labels outside the hierarchy that fold too.
    places
        :func:`place_table` of `G`, when already computed.
    schema
        Gives the hierarchy.

    Returns
    -------
    tuple
        The folded graph (one tie per source, target and type, with ``count``), and for
        each node that holds others the number it holds per label.

    Examples
    --------
    >>> import cobuild_graph as cg
    >>> H, members = aggregate_graph(cg.generate("tiny", seed=1), "Street")
    >>> sorted({H.nodes[n]["label"] for n in H})
    ['Body', 'City', 'District', 'Street', 'Unit']
    """
    schema = schema_of(G, schema)
    parents = fold_tree(G, level, collapse=collapse, places=places, schema=schema)
    group = {node: node for node in G}
    members: dict[Hashable, Counter[str]] = {}
    for top, inside in folded_into(parents).items():
        if top not in parents:
            group.update(dict.fromkeys(inside, top))
            members[top] = Counter(G.nodes[node]["label"] for node in inside)
    H = nx.MultiDiGraph(**G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in dict.fromkeys(group.values()))
    counts = Counter(
        (group[u], group[v], key) for u, v, key in G.edges(keys=True) if group[u] != group[v]
    )
    for (u, v, key), count in counts.items():
        H.add_edge(u, v, key=key, type=key, count=count)
    return H, members


def fold_tree(
    G: nx.MultiDiGraph,
    level: str,
    *,
    collapse: Sequence[str] = COLLAPSE,
    places: pd.DataFrame | None = None,
    schema: Schema | None = None,
) -> dict[Hashable, Hashable]:
    """Where each node folds when the map is folded to `level`, one step at a time.

    A node folds when its label is below `level` in the hierarchy or in `collapse` and it
    has a place at `level` or above. It folds into its nearest place that folds into the
    same place at the top: a branch into its community, the community into its street.
    :func:`aggregate_graph` folds every such chain into its top; an expandable map
    (:func:`network_map`) unfolds it one step per double-click.

    Parameters
    ----------
    G
        A co-building graph.
    level
        A hierarchy level, e.g. ``"Street"``.
    collapse
        Labels outside the hierarchy that fold too.
    places
        :func:`place_table` of `G`, when already computed.
    schema
        Gives the hierarchy.

    Returns
    -------
    dict
        Each node that folds, to the node it folds into.

    Raises
    ------
    ValueError
        If `level` is not a hierarchy level.

    Examples
    --------
    >>> import cobuild_graph as cg
    >>> G = cg.generate("tiny", seed=1)
    >>> parents = fold_tree(G, "Street")
    >>> branch = next(n for n in parents if G.nodes[n]["label"] == "ActionBranch")
    >>> [G.nodes[p]["label"] for p in (parents[branch], parents[parents[branch]])]
    ['Community', 'Street']
    """
    schema = schema_of(G, schema)
    depth = schema.level(level)
    if depth is None:
        raise ValueError(
            f"aggregate must be a hierarchy level ({', '.join(schema.hierarchy)}), not {level!r}"
        )
    if places is None:
        places = place_table(G, schema=schema)
    upward = list(reversed(schema.hierarchy[: depth + 1]))
    folded = set(collapse) | set(schema.hierarchy[depth + 1 :])
    top: dict[Hashable, Hashable] = {}
    for node, row in zip(places.index, places[upward].itertuples(index=False), strict=True):
        if G.nodes[node].get("label") in folded:
            target = next((p for p in row if p is not None), node)
            if target != node:
                top[node] = target
    # the deepest place on the way to the top; places only name shallower levels, so no cycle
    return {
        node: next(
            p for p in reversed(row) if p is not None and p != node and top.get(p, p) == top[node]
        )
        for node, row in zip(places.index, places.itertuples(index=False), strict=True)
        if node in top
    }


def folded_into(parents: Mapping[Hashable, Hashable]) -> dict[Hashable, list[Hashable]]:
    """Each node that others fold into, and every node folded into it at any depth."""
    held: dict[Hashable, list[Hashable]] = {}
    for node in parents:
        up = parents.get(node)
        while up is not None:
            held.setdefault(up, []).append(node)
            up = parents.get(up)
    return held
