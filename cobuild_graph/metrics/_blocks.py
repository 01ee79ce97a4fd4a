"""Structural equivalence: profile distances, blocks by clustering or CONCOR, image matrices."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph.metrics._brokerage import group_codes
from cobuild_graph.metrics._groups import ranked
from cobuild_graph.metrics._simple import Simple, node_index

Distance = Literal["euclidean", "correlation"]


def _profile_sums(S: Simple) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The n × n matrix A, and of the profiles (row and column of A): their products
    P Pᵀ, sums and sums of squares — every entry of A counted with its diagonal at 0."""
    A = S.adjacency().toarray()
    products = A @ A.T + A.T @ A
    sums = A.sum(axis=1) + A.sum(axis=0)
    squares = (A * A).sum(axis=1) + (A * A).sum(axis=0)
    return A, products, sums, squares


def _distances(S: Simple, method: Distance) -> np.ndarray:
    """``sna::sedist`` (diag = FALSE): each pair compared over the row and the column of
    each, leaving out the four cells on the two nodes themselves."""
    A, products, sums, squares = _profile_sums(S)
    cross2 = A * A + A.T * A.T  # a_ij² + a_ji², the cells left out besides the zero diagonal
    if method == "euclidean":
        squared = squares[:, None] + squares[None, :] - 2 * products - 2 * cross2
        out = np.sqrt(np.maximum(squared, 0.0))
        np.fill_diagonal(out, 0.0)
        return out
    if method != "correlation":
        raise ValueError(f"unknown method {method!r}; use 'euclidean' or 'correlation'")
    n = S.n
    cross = A + A.T
    count = 2.0 * (n - 2)
    sx, sy = sums[:, None] - cross, sums[None, :] - cross
    qx, qy = squares[:, None] - cross2, squares[None, :] - cross2
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = products - sx * sy / count
        var = (qx - sx * sx / count) * (qy - sy * sy / count)
        out = np.where(var > 1e-12, cov / np.sqrt(np.where(var > 0, var, 1.0)), 0.0)
        # a node with itself: over its 2(n − 1) cells
        own = squares - sums**2 / (2.0 * (n - 1))
    np.fill_diagonal(out, np.where(own > 1e-12, 1.0, 0.0))
    return out


def profile_distances(
    G: nx.Graph,
    *,
    method: Distance = "euclidean",
    weight: str | None = None,
    directed: bool = False,
) -> pd.DataFrame:
    """How far apart two nodes' tie profiles are: structural equivalence (sna's ``sedist``).

    Two nodes are structurally equivalent when they are tied to the same others (Lorrain, F.
    & White, H. C. 1971. Structural equivalence of individuals in social networks. *J.
    Math. Sociol.* 1, 49–80). A node's profile is its row and its column of the adjacency
    matrix :math:`A` (link strengths; undirected links fill both); a pair is compared over
    the cells :math:`k \\ne i, j`, as ``sna::sedist(A, method=..., diag=FALSE)``:

    - ``euclidean``: :math:`\\sqrt{\\sum_{k \\ne i,j} (a_{ik} - a_{jk})^2 +
      (a_{ki} - a_{kj})^2}` — 0 for structurally equivalent nodes;
    - ``correlation``: Pearson's r of the two profiles over those cells, 0 where a profile
      is constant (sna's ``NA``), 1 on the diagonal (0 for a constant profile).

    Dense n × n arithmetic: for networks of up to a few thousand nodes (pass a subgraph,
    e.g. the units and communities of a district).

    Parameters
    ----------
    G
        Any networkx graph, collapsed as in :func:`simple_graph`.
    method
        ``"euclidean"`` or ``"correlation"``.
    weight
        A tie attribute of strengths (summed per link).
    directed
        Keep the direction of ties.

    Returns
    -------
    pandas.DataFrame
        Square, indexed and with columns by node id.
    """
    S = Simple.of(G, weight=weight, directed=directed)
    index = node_index(S.nodes)
    return pd.DataFrame(_distances(S, method), index=index, columns=index.rename(None))


def equivalence_blocks(
    G: nx.Graph,
    k: int,
    *,
    method: Literal["hierarchical", "concor"] = "hierarchical",
    distance: Distance = "euclidean",
    linkage: Literal["complete", "average", "single"] = "complete",
    weight: str | None = None,
    directed: bool = False,
    max_iter: int = 100,
) -> pd.DataFrame:
    """Nodes in `k` blocks of structurally equivalent positions.

    ``hierarchical``: the nodes are clustered on :func:`profile_distances` (for
    ``correlation``, on :math:`-r`, as sna) with `linkage`, merging as R's ``hclust`` does
    — of tied distances, which binary ties often give, the pair R merges first — and the
    first :math:`n - k` merges make the blocks, as ``sna::equiv.clust`` then
    ``cutree(..., k)``. With ``euclidean`` on 0/1 ties the distances are R's to the bit
    and so are the blocks. R's ``cor`` rounds in another order than :func:`profile_distances`:
    two correlations equal in exact arithmetic may differ in their last bit in R (here
    they are one tie, rounded to 12 decimals), and where R then merges by that rounding
    noise its blocks can differ from these.

    ``concor`` (Breiger, R. L., Boorman, S. A. & Arabie, P. 1975. An algorithm for
    clustering relational data ... *J. Math. Psychol.* 12, 328–383): the correlations of
    the profiles (:func:`profile_distances` with ``correlation``) are correlated again,
    column by column, until every entry is ±1 (or `max_iter` rounds); the sign then splits
    the nodes in two. Each block is split again the same way, on the correlations among its
    own members' profiles, level by level (largest block first) until there are `k`
    blocks: `k` = 2, 4, 8 ... gives CONCOR of depth 1, 2, 3 ... A block that does not split
    (one node, or all correlations positive) stays whole. Nodes with a constant profile
    (isolates, or a node tied alike to every other), whose correlations are undefined, are
    set apart first in one more block of their own, ``.attrs["set_apart"]``; the others
    are split into `k` blocks on their correlations (over whole profiles), as any block is.
    Each round is an n × n × n product: for a few hundred nodes.

    Parameters
    ----------
    G
        Any networkx graph, collapsed as in :func:`simple_graph`.
    k
        Number of blocks (at most the number of nodes).
    method
        ``"hierarchical"`` or ``"concor"``.
    distance, linkage
        For ``hierarchical``: the profile distance and the linkage (as ``hclust``'s ``method``).
    weight
        A tie attribute of strengths (summed per link).
    directed
        Keep the direction of ties.
    max_iter
        For ``concor``: the most rounds of correlation per split.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id, column ``block``: 0 for the largest block, 1 for the next ...
        (equal sizes by first node). :func:`blockmodel` takes it. ``.attrs["set_apart"]``:
        for ``concor``, the block of the nodes with a constant profile (``None`` without
        such nodes, and always for ``hierarchical``).
    """
    S = Simple.of(G, weight=weight, directed=directed)
    if not 1 <= k <= max(S.n, 1):
        raise ValueError(f"k must be between 1 and the number of nodes ({S.n}), not {k}")
    set_apart = np.zeros(S.n, dtype=bool)
    if method == "hierarchical":
        found = _hierarchical(_distances(S, distance), k, distance, linkage)
    elif method == "concor":
        found, set_apart = _concor(_distances(S, "correlation"), k, max_iter)
    else:
        raise ValueError(f"unknown method {method!r}; use 'hierarchical' or 'concor'")
    out = pd.DataFrame({"block": ranked(found)}, index=node_index(S.nodes))
    out.attrs["set_apart"] = int(out["block"].iloc[set_apart.argmax()]) if set_apart.any() else None
    return out


def _hierarchical(D: np.ndarray, k: int, distance: Distance, linkage: str) -> np.ndarray:
    """Cluster as R's ``hclust`` (sna passes it −r for correlation), cut as ``cutree``."""
    if linkage not in ("complete", "average", "single"):
        raise ValueError(f"unknown linkage {linkage!r}; use 'complete', 'average' or 'single'")
    n = len(D)
    if distance == "correlation":
        # correlations equal but for the last bits of rounding are one tie
        D = -np.round(D, 12)
    parent = np.arange(n)
    for a, b in _hclust_merges(D, linkage)[: n - k]:
        parent[parent == parent[b]] = parent[a]
    return parent


def _hclust_merges(D: np.ndarray, linkage: str) -> list[tuple[int, int]]:
    """The merges of R's ``hclust`` (Murtagh's nearest-neighbour list, stats/src/hclust.f).

    Of equal dissimilarities R merges the pair first met scanning rows then columns of
    the upper triangle, the merged cluster taking the smaller index: followed step by
    step here, so tied distances (common in binary data) give R's blocks.
    """
    n = len(D)
    D = D.astype(float, copy=True)
    alive = np.ones(n, dtype=bool)
    size = np.ones(n)
    nearest = np.zeros(n, dtype=np.int64)
    gap = np.full(n, np.inf)

    def right_neighbour(i: int) -> None:
        # the first alive j > i at the least dissimilarity (R scans with a strict <)
        row = np.where(alive[i + 1 :], D[i, i + 1 :], np.inf)
        if len(row) and np.isfinite(row.min()):
            nearest[i], gap[i] = i + 1 + int(np.argmin(row)), row.min()
        else:
            gap[i] = np.inf

    for i in range(n - 1):
        right_neighbour(i)
    merges = []
    for _ in range(n - 1):
        i = int(np.argmin(np.where(alive[: n - 1], gap[: n - 1], np.inf)))
        a, b = sorted((i, int(nearest[i])))
        merges.append((a, b))
        alive[b] = False
        others = np.flatnonzero(alive)
        others = others[others != a]
        if linkage == "complete":
            joined = np.maximum(D[a, others], D[b, others])
        elif linkage == "single":
            joined = np.minimum(D[a, others], D[b, others])
        else:
            joined = (size[a] * D[a, others] + size[b] * D[b, others]) / (size[a] + size[b])
        D[a, others] = D[others, a] = joined
        size[a] += size[b]
        right_neighbour(a)
        left = others < a
        closer = left & (joined < gap[others])
        gap[others[closer]], nearest[others[closer]] = joined[closer], a
        for j in np.flatnonzero(
            alive[: n - 1] & ((nearest[: n - 1] == a) | (nearest[: n - 1] == b))
        ):
            right_neighbour(int(j))
    return merges


def _concor_split(C: np.ndarray, max_iter: int) -> np.ndarray:
    """CONCOR on one correlation matrix: True for the nodes on the first node's side."""
    for _ in range(max_iter):
        if np.all(np.abs(np.abs(C) - 1.0) < 1e-9):
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            C = np.nan_to_num(np.corrcoef(C, rowvar=False))
    return C[0] >= 0


def _concor(R: np.ndarray, k: int, max_iter: int) -> tuple[np.ndarray, np.ndarray]:
    """CONCOR into `k` blocks of the nodes whose profile varies, and those set apart."""
    n = len(R)
    constant = np.diag(R) == 0  # correlation undefined: isolates
    rest = np.flatnonzero(~constant)
    level = [rest] if len(rest) else []
    while level and len(level) < k:
        split_any = False
        next_level: list[np.ndarray] = []
        for i, members in enumerate(sorted(level, key=len, reverse=True)):
            if len(next_level) + (len(level) - i) >= k or len(members) < 2:
                next_level.append(members)
                continue
            side = _concor_split(R[np.ix_(members, members)], max_iter)
            if side.all():
                next_level.append(members)
                continue
            next_level += [members[side], members[~side]]
            split_any = True
        level = next_level
        if not split_any:
            break
    out = np.empty(n, dtype=np.int64)
    for label, members in enumerate([*level, np.flatnonzero(constant)]):
        out[members] = label
    return out, constant


def blockmodel(
    G: nx.Graph,
    blocks: str | Mapping[Hashable, Any] | pd.Series,
    *,
    weight: str | None = None,
    directed: bool = False,
) -> pd.DataFrame:
    """The image matrix: the density of ties from each block to each block.

    The density of block :math:`(p, q)` is the mean of :math:`a_{ij}` over
    :math:`i \\in p, j \\in q, i \\ne j` — the ties present (or their summed strengths) over
    the ties possible, the diagonal left out — as ``sna::blockmodel(A, blocks)`` with
    ``block.content="density"``. A block of one node has ``NaN`` density with itself.

    Parameters
    ----------
    G
        Any networkx graph, collapsed as in :func:`simple_graph`.
    blocks
        A node attribute name, or a mapping / Series from node id to block — e.g.
        ``equivalence_blocks(G, 4)["block"]``, or communities. Nodes without a block are
        left out.
    weight
        A tie attribute of strengths (summed per link).
    directed
        Keep the direction of ties (rows send, columns receive).

    Returns
    -------
    pandas.DataFrame
        Square, indexed by ``block`` (in the order first met in the graph) with the same
        columns. ``.attrs["sizes"]``: the number of nodes of each block.
    """
    S = Simple.of(G, weight=weight, directed=directed)
    codes, labels = group_codes(G, S, blocks, required=True)
    count = len(labels)
    keep = (codes[S.source] >= 0) & (codes[S.target] >= 0)
    strength = S.weight[keep] if S.weight is not None else np.ones(int(keep.sum()))
    rows, columns = codes[S.source[keep]], codes[S.target[keep]]
    if not directed:
        rows, columns = np.concatenate([rows, columns]), np.concatenate([columns, rows])
        strength = np.tile(strength, 2)
    ties = np.zeros((count, count))
    np.add.at(ties, (rows, columns), strength)
    sizes = np.bincount(codes[codes >= 0], minlength=count).astype(float)
    possible = np.outer(sizes, sizes) - np.diag(sizes)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(possible > 0, ties / possible, np.nan)
    out = pd.DataFrame(density, index=labels.rename("block"), columns=labels.rename(None))
    out.attrs["sizes"] = dict(zip(labels, sizes.astype(int).tolist(), strict=True))
    return out
