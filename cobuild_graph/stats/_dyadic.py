"""Dyadic matrices from a graph, on one node order: the inputs of QAP and MRQAP."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph.metrics import Simple, node_index

#: Mean radius of the Earth in km (IUGG), the default of :func:`distance_matrix`.
EARTH_RADIUS_KM = 6371.0088


def tie_matrix(
    G: nx.Graph,
    *,
    nodes: Iterable[Hashable] | None = None,
    weight: str | None = None,
    directed: bool = False,
) -> pd.DataFrame:
    """Who is tied to whom: 1 for a tie, or the summed weight of the ties.

    The graph is collapsed as every measure collapses it
    (:func:`~cobuild_graph.metrics.simple_graph`): several ties between two nodes make one
    link, self-ties are dropped.

    Parameters
    ----------
    G
        Any networkx graph, e.g. a view of a co-building graph holding the ties of interest.
    nodes
        The rows and columns, in this order (default: every node of `G`); ties to other
        nodes are left out.
    weight
        A tie attribute: each cell is then the sum of the values of the ties joining the
        two nodes (a tie without the attribute counts 1), so repeated ties add up.
    directed
        Keep the direction of ties (row → column); else the matrix is symmetric and a
        cell sums the ties of both directions.

    Returns
    -------
    pandas.DataFrame
        Square, indexed by node id on rows and columns; 0 where no tie, 0 on the diagonal.

    Examples
    --------
    >>> M = nx.MultiDiGraph([("u", "c"), ("u", "c"), ("c", "s")])
    >>> tie_matrix(M, nodes=["u", "c", "s"], weight="weight").to_numpy().tolist()
    [[0.0, 2.0, 0.0], [2.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    order = _order(G, nodes)
    simple = Simple.of(G, weight=weight, directed=directed)
    position = _positions(simple.nodes, order)
    rows, cols = position[simple.source], position[simple.target]
    keep = (rows >= 0) & (cols >= 0)
    values = np.ones(len(rows)) if simple.weight is None else simple.weight
    matrix = np.zeros((len(order), len(order)))
    matrix[rows[keep], cols[keep]] = values[keep]
    if not directed:
        matrix[cols[keep], rows[keep]] = values[keep]
    return _frame(matrix, order)


def same_matrix(
    G: nx.Graph,
    attribute: str | Mapping[Hashable, Any],
    *,
    nodes: Iterable[Hashable] | None = None,
    missing: float = np.nan,
) -> pd.DataFrame:
    """1 where two nodes share a value (the same sector, the same street ...), else 0.

    Parameters
    ----------
    G
        The graph whose nodes are compared.
    attribute
        A node attribute (e.g. ``"unit_type"``), or a mapping or Series node → value,
        e.g. each node's street from :func:`cobuild_graph.domain.ancestors`.
    nodes
        The rows and columns, in this order (default: every node of `G`).
    missing
        The cell where either node has no value (``None`` or ``NaN``): ``NaN`` by
        default, which :func:`mrqap` refuses until you decide; ``0`` counts a missing
        value as different from every other.

    Returns
    -------
    pandas.DataFrame
        Square, indexed by node id on rows and columns; 0 on the diagonal.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([("a", {"unit_type": "school"}), ("b", {"unit_type": "school"}),
    ...                   ("c", {"unit_type": "soe"}), ("d", {})])
    >>> same_matrix(G, "unit_type", missing=0).to_numpy().tolist()[:2]
    [[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]]
    """
    order = _order(G, nodes)
    codes, _ = pd.factorize(pd.Series(_values(G, attribute, order), dtype=object))
    matrix = (codes[:, None] == codes[None, :]).astype(float)
    absent = codes < 0
    matrix[absent, :] = missing
    matrix[:, absent] = missing
    np.fill_diagonal(matrix, 0.0)
    return _frame(matrix, order)


def difference_matrix(
    G: nx.Graph,
    attribute: str | Mapping[Hashable, Any],
    *,
    nodes: Iterable[Hashable] | None = None,
) -> pd.DataFrame:
    """The absolute difference of a numeric attribute, ``|x_i − x_j|``.

    Parameters
    ----------
    G
        The graph whose nodes are compared.
    attribute
        A numeric node attribute (e.g. ``"members"``), or a mapping or Series node → number.
    nodes
        The rows and columns, in this order (default: every node of `G`).

    Returns
    -------
    pandas.DataFrame
        Square, indexed by node id on rows and columns; ``NaN`` where either node has no
        value.

    Raises
    ------
    ValueError
        If a value is not a number, naming the node.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([("a", {"members": 30}), ("b", {"members": 12})])
    >>> difference_matrix(G, "members").to_numpy().tolist()
    [[0.0, 18.0], [18.0, 0.0]]
    """
    order = _order(G, nodes)
    name = attribute if isinstance(attribute, str) else "the values given"
    x = _numbers(_values(G, attribute, order), order, name)
    return _frame(np.abs(x[:, None] - x[None, :]), order)


def shared_neighbours_matrix(
    G: nx.Graph, *, nodes: Iterable[Hashable] | None = None
) -> pd.DataFrame:
    """How many neighbours two nodes have in common (units two communities share ...).

    Neighbours are counted once each, over the ties of `G` in either direction; every
    node of `G` can be a shared neighbour, not only those in `nodes`.

    Parameters
    ----------
    G
        Any networkx graph, e.g. a view holding only the pairing ties (``PAIRED_WITH``):
        two communities then share the units paired with both.
    nodes
        The rows and columns, in this order (default: every node of `G`).

    Returns
    -------
    pandas.DataFrame
        Square and symmetric, indexed by node id on rows and columns; 0 on the diagonal.

    Examples
    --------
    >>> G = nx.Graph([("c1", "u1"), ("c2", "u1"), ("c1", "u2"), ("c2", "u2"), ("c3", "u2")])
    >>> shared_neighbours_matrix(G, nodes=["c1", "c2", "c3"]).to_numpy().tolist()
    [[0.0, 2.0, 1.0], [2.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    """
    order = _order(G, nodes)
    simple = Simple.of(G)
    position = _positions(simple.nodes, order)
    # Each link (a, b) makes its ends members of the other's neighbourhood; a middle
    # node adds one to every pair of rows among its members.
    middle = np.concatenate([simple.target, simple.source])
    member = position[np.concatenate([simple.source, simple.target])]
    keep = member >= 0
    _, column, counts = np.unique(middle[keep], return_inverse=True, return_counts=True)
    shared = counts[column] > 1  # a neighbour of one row only adds nothing off the diagonal
    _, column = np.unique(column[shared], return_inverse=True)
    incidence = np.zeros((len(order), int(column.max(initial=-1)) + 1))
    incidence[member[keep][shared], column] = 1.0
    matrix = incidence @ incidence.T
    np.fill_diagonal(matrix, 0.0)
    return _frame(matrix, order)


def distance_matrix(
    G: nx.Graph,
    *,
    nodes: Iterable[Hashable] | None = None,
    radius_km: float = EARTH_RADIUS_KM,
) -> pd.DataFrame:
    """Great-circle distance in km between the nodes' ``lat`` / ``lon`` (haversine).

    Parameters
    ----------
    G
        The graph whose nodes carry ``lat`` and ``lon`` (WGS84 degrees).
    nodes
        The rows and columns, in this order (default: every node of `G`).
    radius_km
        The Earth's radius (default :data:`EARTH_RADIUS_KM`, the mean radius).

    Returns
    -------
    pandas.DataFrame
        Square and symmetric, indexed by node id on rows and columns; ``NaN`` where either
        node lacks a coordinate (:func:`mrqap` refuses those until they are filled or left
        out).

    Raises
    ------
    ValueError
        If a coordinate is not a number or out of range, naming the node.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([("a", {"lat": 31.30, "lon": 120.58}),
    ...                   ("b", {"lat": 31.30, "lon": 120.68})])
    >>> round(float(distance_matrix(G).loc["a", "b"]), 2)
    9.5
    """
    order = _order(G, nodes)
    lat = _numbers(_values(G, "lat", order), order, "lat")
    lon = _numbers(_values(G, "lon", order), order, "lon")
    for name, values, limit in (("lat", lat, 90), ("lon", lon, 180)):
        outside = np.abs(values) > limit
        if outside.any():
            at = int(np.argmax(outside))
            raise ValueError(
                f"node {order[at]!r} has {name}={values[at]}, outside ±{limit} degrees"
            )
    phi, lam = np.radians(lat), np.radians(lon)
    half_dphi = (phi[:, None] - phi[None, :]) / 2
    half_dlam = (lam[:, None] - lam[None, :]) / 2
    a = np.sin(half_dphi) ** 2 + np.outer(np.cos(phi), np.cos(phi)) * np.sin(half_dlam) ** 2
    return _frame(2 * radius_km * np.arcsin(np.sqrt(np.minimum(a, 1.0))), order)


def _order(G: nx.Graph, nodes: Iterable[Hashable] | None) -> list[Hashable]:
    if nodes is None:
        return list(G)
    order = list(nodes)
    absent = [v for v in order if v not in G]
    if absent:
        raise ValueError(f"{len(absent)} of the nodes are not in the graph, e.g. {absent[:3]}")
    if len(set(order)) < len(order):
        twice = pd.Index(order)[pd.Index(order).duplicated()][0]
        raise ValueError(f"node {twice!r} is given twice in nodes")
    return order


def _positions(graph_nodes: list[Hashable], order: list[Hashable]) -> np.ndarray:
    """For each node of the graph, its row in `order`, or -1."""
    row = {v: i for i, v in enumerate(order)}
    return np.array([row.get(v, -1) for v in graph_nodes], dtype=np.int64)


def _values(
    G: nx.Graph, attribute: str | Mapping[Hashable, Any], order: list[Hashable]
) -> list[Any]:
    if isinstance(attribute, str):
        return [G.nodes[v].get(attribute) for v in order]
    return [attribute.get(v) for v in order]


def _numbers(values: list[Any], order: list[Hashable], name: str) -> np.ndarray:
    raw = pd.Series(values, dtype=object)
    numbers = pd.to_numeric(raw, errors="coerce")
    bad = numbers.isna() & raw.notna()
    if bad.any():
        at = int(np.argmax(bad.to_numpy()))
        raise ValueError(f"node {order[at]!r} has {name}={values[at]!r}, not a number")
    return numbers.to_numpy(dtype=float)


def _frame(matrix: np.ndarray, order: list[Hashable]) -> pd.DataFrame:
    return pd.DataFrame(matrix, index=node_index(order), columns=node_index(order))
