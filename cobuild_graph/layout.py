"""Where the nodes go: the positions the maps and the charts draw, in pixels.

Seeded Fruchterman-Reingold positions (igraph) of each connected piece, shelf-packed side
by side, with lone nodes beside their place (:func:`layout`, the interactive maps'), or in
rows apart for a printed figure (:func:`figure_layout`, :func:`cobuild_graph.plot.network`'s);
or positions from latitude and longitude (:func:`geo_layout`). The module knows nothing of
pages or charts: both import it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import igraph
import networkx as nx
import numpy as np

__all__ = ["figure_layout", "geo_layout", "layout"]

_EDGE_LENGTH = 60.0  # least median tie length of the precomputed layout, in pixels
_SPACING = 40.0  # least room per node of the precomputed layout, in pixels
_LEAST_EXTENT = 800.0  # a smaller graph is spread to this many pixels across


def layout(
    G: nx.Graph,
    *,
    seed: int = 0,
    near: Mapping[Hashable, Sequence[Hashable]] | None = None,
) -> dict[Hashable, tuple[float, float]]:
    """Seeded Fruchterman-Reingold positions in screen pixels (igraph).

    Parameters
    ----------
    G
        Any networkx graph; directions and parallel ties are ignored.
    seed
        The same seed gives the same positions.
    near
        Each node's places, nearest first (e.g. its community, street, district): a node
        with no tie goes beside the first of them that has one; lone nodes without such a
        place go round the rest, not in a row.

    Returns
    -------
    dict
        Node to ``(x, y)``, scaled so that the median tie is about 60 pixels long, and a
        small graph spread to 800 pixels across.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(3)
    >>> G.add_node("alone")
    >>> positions = layout(G, seed=1, near={"alone": [1]})
    >>> math.dist(positions["alone"], positions[1]) < math.dist(positions["alone"], positions[0])
    True
    """
    nodes = list(G.nodes)
    pieces, boxes = _pieces(G, seed, keep_one=True)
    positions = _packed(pieces, _pack(boxes))
    lone = [node for node in nodes if node not in positions]
    positions |= _beside_places(lone, positions, near or {})
    return _centred(nodes, positions)


def figure_layout(
    G: nx.Graph,
    *,
    seed: int = 0,
    aspect: float = 1.5,
    order: Callable[[Hashable], Any] | None = None,
) -> dict[Hashable, tuple[float, float]]:
    """Positions for a printed figure: each connected piece laid out alone, the pieces
    packed in shelves to about `aspect`, the lone nodes in tidy rows beneath.

    The pieces are laid out as in :func:`layout` (the same seed, the same density: each
    node about the same room, whatever its piece's size), packed largest first into rows
    about ``aspect`` times as wide as the whole is high; the nodes without a tie are set
    apart in rows below them, one node every tie length, sorted by `order`.

    Parameters
    ----------
    G
        Any networkx graph; directions and parallel ties are ignored.
    seed
        The same seed gives the same positions.
    aspect
        Width over height the packing aims at.
    order
        Key sorting the lone nodes (e.g. upper levels first); the graph's order when ``None``.

    Returns
    -------
    dict
        Node to ``(x, y)`` in pixels, y pointing down.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.union(nx.complete_graph(30), nx.path_graph(["a", "b"]))
    >>> G.add_nodes_from(["lone", "alone"])
    >>> xy = figure_layout(G, seed=1)
    >>> min(xy["lone"][1], xy["alone"][1]) > max(y for n, (x, y) in xy.items() if n in range(30))
    True
    """
    pieces, boxes = _pieces(G, seed, keep_one=False)
    placed = _pack(boxes, aspect=aspect)
    positions = _packed(pieces, placed)
    lone = sorted((n for n in G.nodes if n not in positions), key=order or list(G.nodes).index)
    if lone:
        points = np.array(list(positions.values()) or [np.zeros(2)])
        area = len(lone) * _EDGE_LENGTH * _EDGE_LENGTH
        width = max(float(np.ptp(points[:, 0])), math.sqrt(area * aspect), _EDGE_LENGTH)
        across = max(1, int(width // _EDGE_LENGTH) + 1)
        top = float(points[:, 1].max()) + (2 * _EDGE_LENGTH if positions else 0.0)
        left = float(points[:, 0].min())
        for k, node in enumerate(lone):
            row, col = divmod(k, across)
            positions[node] = np.array([left + col * _EDGE_LENGTH, top + row * _EDGE_LENGTH])
    return {n: (float(x), float(y)) for n, (x, y) in positions.items()}


def _pieces(
    G: nx.Graph, seed: int, *, keep_one: bool
) -> tuple[list[list[Hashable]], list[np.ndarray]]:
    """The connected pieces of more than one node, largest first, each with its own
    seeded layout; `keep_one`: a graph without ties still gives its first node as a piece."""
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({tuple(sorted((index[u], index[v]))) for u, v in G.edges() if u != v})
    graph = igraph.Graph(n=len(nodes), edges=pairs)
    parts = sorted(graph.connected_components(), key=lambda c: (-len(c), c[0]))
    pieces = [part for part in parts if len(part) > 1] or (parts[:1] if keep_one else [])
    igraph.set_random_number_generator(random.Random(seed))
    try:
        boxes = [_component_layout(graph.subgraph(part)) for part in pieces]
    finally:
        igraph.set_random_number_generator(random)
    return [[nodes[i] for i in part] for part in pieces], boxes


def _packed(pieces: list[list[Hashable]], placed: list[np.ndarray]) -> dict[Hashable, np.ndarray]:
    return {
        node: xy
        for part, coords in zip(pieces, placed, strict=True)
        for node, xy in zip(part, coords, strict=True)
    }


def geo_layout(
    G: nx.Graph, *, near: Mapping[Hashable, Sequence[Hashable]] | None = None
) -> dict[Hashable, tuple[float, float]]:
    """Positions from the nodes' ``lat`` and ``lon`` (degrees), in screen pixels.

    An equirectangular projection about the mean latitude, north up, scaled so that each
    placed node has about 40 pixels square of room. Nothing is fetched: no map tiles.

    Parameters
    ----------
    G
        Any networkx graph whose nodes may have ``lat`` and ``lon``.
    near
        Each node's places, nearest first: a node without coordinates goes beside the
        first of them that has a position; the others go round the rest.

    Returns
    -------
    dict
        Node to ``(x, y)``.

    Raises
    ------
    ValueError
        If a node has only one of ``lat`` and ``lon``, or one that is not a number in
        range (latitude -90 to 90, longitude -180 to 180).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_node("north", lat=31.4, lon=120.6)
    >>> G.add_node("south", lat=31.2, lon=120.6)
    >>> positions = geo_layout(G)
    >>> positions["north"][1] < positions["south"][1]
    True
    """
    nodes = list(G.nodes)
    located = {n: _lat_lon(n, G.nodes[n]) for n in nodes}
    known = {n: ll for n, ll in located.items() if ll is not None}
    positions: dict[Hashable, np.ndarray] = {}
    if known:
        lat_lon = np.array(list(known.values()))
        x = lat_lon[:, 1] * math.cos(math.radians(float(lat_lon[:, 0].mean())))
        xy = np.column_stack([x, -lat_lon[:, 0]])
        xy -= xy.min(axis=0)
        area = float(np.prod(np.ptp(xy, axis=0)))
        span = float(np.ptp(xy, axis=0).max())
        if area > 0:
            scale = _SPACING * math.sqrt(len(xy) / area)
        else:
            scale = _SPACING * len(xy) / span if span > 0 else 1.0
        positions = dict(zip(known, xy * scale, strict=True))
    lone = [n for n in nodes if n not in positions]
    positions |= _beside_places(lone, positions, near or {})
    return _centred(nodes, positions)


def _lat_lon(node: Hashable, attrs: Mapping[str, Any]) -> tuple[float, float] | None:
    lat, lon = attrs.get("lat"), attrs.get("lon")
    if lat is None and lon is None:
        return None
    try:
        value = (float(lat), float(lon))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(
            f"node {node!r}: lat and lon must both be numbers (lat={lat!r}, lon={lon!r})"
        ) from None
    if not (-90 <= value[0] <= 90 and -180 <= value[1] <= 180):
        raise ValueError(f"node {node!r}: lat={lat!r}, lon={lon!r} is not a place on Earth")
    return value


def _beside_places(
    lone: Sequence[Hashable],
    positions: Mapping[Hashable, np.ndarray],
    near: Mapping[Hashable, Sequence[Hashable]],
) -> dict[Hashable, np.ndarray]:
    """Positions of the `lone` nodes: each in a sunflower round the first of its places
    that has a position; the ones without go round everything placed."""
    around: dict[Hashable, list[Hashable]] = {}
    homeless = []
    for node in lone:
        place = next((p for p in near.get(node, ()) if p in positions), None)
        if place is None:
            homeless.append(node)
        else:
            around.setdefault(place, []).append(node)
    placed: dict[Hashable, np.ndarray] = {}
    for place, group in around.items():
        for k, node in enumerate(group):  # golden-angle spiral: even room, no row
            radius = _SPACING * 0.6 * math.sqrt(k + 1)
            angle = k * 2.399963
            placed[node] = positions[place] + radius * np.array([math.cos(angle), math.sin(angle)])
    if homeless:
        points = np.array([*positions.values(), *placed.values()] or [np.zeros(2)])
        centre = points.mean(axis=0)
        reach = max(  # outside the rest, with room for each on the ring
            float(np.hypot(*(points - centre).T).max()) + _EDGE_LENGTH,
            _SPACING * len(homeless) / (2 * math.pi),
        )
        for k, node in enumerate(homeless):
            angle = 2 * math.pi * k / len(homeless) - math.pi / 2
            placed[node] = centre + reach * np.array([math.cos(angle), math.sin(angle)])
    return placed


def _centred(
    nodes: Sequence[Hashable], positions: Mapping[Hashable, np.ndarray]
) -> dict[Hashable, tuple[float, float]]:
    """Centred on the origin; a small graph spread to `_LEAST_EXTENT` pixels across, so
    that fitted to the view it fills it with nodes of their usual size."""
    if not nodes:
        return {}
    coords = np.array([positions[node] for node in nodes], dtype=float)
    coords -= coords.mean(axis=0)
    extent = float(np.ptp(coords, axis=0).max())
    if 0 < extent < _LEAST_EXTENT:
        coords *= _LEAST_EXTENT / extent
    coords = np.round(coords, 1)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, coords, strict=True)}


def _component_layout(part: igraph.Graph) -> np.ndarray:
    """Fruchterman-Reingold positions of one connected piece, in pixels.

    Scaled so that the median tie is at least `_EDGE_LENGTH` long and each node has at
    least `_SPACING` pixels square of room: a big piece stays readable when zoomed in.
    """
    if part.vcount() == 1:
        return np.zeros((1, 2))
    coords = np.array(part.layout_fruchterman_reingold(niter=500, grid="auto").coords)
    ends = np.array(part.get_edgelist())
    median = float(np.median(np.hypot(*(coords[ends[:, 0]] - coords[ends[:, 1]]).T)))
    # each side at least a tie long: a pair or a path lying flat has no area, and spreading
    # it to a node's room would throw it millions of pixels away
    area = float(np.prod(np.maximum(np.ptp(coords, axis=0), median)))
    scale = max(
        _EDGE_LENGTH / median if median > 0 else 1.0,
        _SPACING * math.sqrt(part.vcount() / area) if area > 0 else 1.0,
    )
    return (coords - coords.min(axis=0)) * scale


def _pack(pieces: list[np.ndarray], *, aspect: float | None = None) -> list[np.ndarray]:
    """Shelf-pack the pieces, largest first, in rows as wide as the largest one (or, with
    `aspect`, as wide as a block of all of them `aspect` times as wide as high)."""
    gap = _EDGE_LENGTH
    width = max([float(np.ptp(p[:, 0])) for p in pieces[:1]] + [gap * 10])
    if aspect is not None:
        area = sum((float(np.ptp(p[:, 0])) + gap) * (float(np.ptp(p[:, 1])) + gap) for p in pieces)
        width = max(width, math.sqrt(area * aspect))
    x = y = shelf = 0.0
    placed = []
    for piece in pieces:
        w, h = float(np.ptp(piece[:, 0])), float(np.ptp(piece[:, 1]))
        if x > 0 and x + w > width:
            x, y, shelf = 0.0, y + shelf + gap, 0.0
        placed.append(piece + np.array([x, y]))
        x += w + gap
        shelf = max(shelf, h)
    return placed
