"""The precomputed layout: seeded Fruchterman-Reingold positions (igraph) of each connected
piece, in pixels, shelf-packed side by side."""

from __future__ import annotations

import math
import random
from collections.abc import Hashable

import igraph
import networkx as nx
import numpy as np

_EDGE_LENGTH = 60.0  # least median tie length of the precomputed layout, in pixels
_SPACING = 40.0  # least room per node of the precomputed layout, in pixels


def layout(G: nx.Graph, *, seed: int = 0) -> dict[Hashable, tuple[float, float]]:
    """Seeded Fruchterman-Reingold positions in screen pixels (igraph).

    Parameters
    ----------
    G
        Any networkx graph; directions and parallel ties are ignored.
    seed
        The same seed gives the same positions.

    Returns
    -------
    dict
        Node to ``(x, y)``, scaled so that the median tie is about 60 pixels long.
    """
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({tuple(sorted((index[u], index[v]))) for u, v in G.edges() if u != v})
    graph = igraph.Graph(n=len(nodes), edges=pairs)
    coords = np.zeros((len(nodes), 2))
    parts = sorted(graph.connected_components(), key=lambda c: (-len(c), c[0]))
    igraph.set_random_number_generator(random.Random(seed))
    try:
        boxes = [_component_layout(graph.subgraph(part)) for part in parts]
    finally:
        igraph.set_random_number_generator(random)
    for part, placed in zip(parts, _pack(boxes), strict=True):
        coords[part] = placed
    coords = np.round(coords - coords.mean(axis=0), 1) if len(nodes) else coords
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
    area = float(np.prod(np.ptp(coords, axis=0)))
    scale = max(
        _EDGE_LENGTH / median if median > 0 else 1.0,
        _SPACING * math.sqrt(part.vcount() / area) if area > 0 else 1.0,
    )
    return (coords - coords.min(axis=0)) * scale


def _pack(pieces: list[np.ndarray]) -> list[np.ndarray]:
    """Shelf-pack the pieces, largest first, in rows as wide as the largest one."""
    gap = _EDGE_LENGTH
    width = max([float(np.ptp(p[:, 0])) for p in pieces[:1]] + [gap * 10])
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
