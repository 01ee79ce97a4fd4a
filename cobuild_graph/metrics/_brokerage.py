"""Brokers: Burt's structural holes and Gould–Fernandez brokerage roles."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from cobuild_graph import views
from cobuild_graph.metrics._simple import Simple, node_index
from cobuild_graph.schema import Schema

#: Gould–Fernandez brokerage roles, in the order of the columns of :func:`brokerage`.
BROKERAGE_ROLES: tuple[str, ...] = (
    "coordinator",
    "consultant",
    "gatekeeper",
    "representative",
    "liaison",
)


def structural_holes(
    G: nx.Graph,
    *,
    weight: str | None = None,
    view: str | None = None,
    schema: Schema | None = None,
) -> pd.DataFrame:
    """Burt's effective size, efficiency and constraint of every node.

    On the undirected simple graph, with :math:`p_{ij}` the share of :math:`i`'s tie
    strength that goes to :math:`j`:

    - effective size :math:`e_i = \\sum_j (1 - \\sum_{q \\ne i,j} p_{iq} m_{jq})` over
      :math:`i`'s neighbours :math:`j`, with :math:`m_{jq}` the strength of the tie j–q
      over j's strongest tie; for unweighted ties :math:`d_i - 2t_i / d_i` with
      :math:`t_i` the ties among :math:`i`'s neighbours (Borgatti 1997, *Connections* 20,
      35) — ``nx.effective_size`` node by node (``nodes=``; over the whole graph networkx
      3.6 scales by q's strongest tie instead);
    - efficiency :math:`e_i / d_i`;
    - constraint :math:`c_i = \\sum_j (p_{ij} + \\sum_{q \\ne i,j} p_{iq} p_{qj})^2`
      (``nx.constraint``).

    All from Burt, R. S. 1992. *Structural Holes*, ch. 2. ``NaN`` for isolates.

    Parameters
    ----------
    G
        Any networkx graph.
    weight
        A tie attribute of strengths (summed per link).
    view
        The network to measure, a view of `G` (:func:`cobuild_graph.views.view`:
        ``"cobuilding"`` leaves the hierarchy out); `G` as given when ``None``.
    schema
        For `view`: the roles of the tie types.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id: ``effective_size``, ``efficiency``, ``constraint``.
    """
    G = views.view(G, view, schema=schema)
    S = Simple.of(G, weight=weight)
    g = S.igraph()
    degree = S.degree()
    if weight is None:
        triangles = S.triangles()
        with np.errstate(divide="ignore", invalid="ignore"):
            effective = np.where(degree > 0, degree - 2 * triangles / degree, np.nan)
    else:
        effective = _weighted_effective_size(S.adjacency(), degree)
    with np.errstate(divide="ignore", invalid="ignore"):
        efficiency = np.where(degree > 0, effective / degree, np.nan)
    constraint = np.asarray(g.constraint(weights=S.strengths()), dtype=float)
    constraint[degree == 0] = np.nan
    return pd.DataFrame(
        {"effective_size": effective, "efficiency": efficiency, "constraint": constraint},
        index=node_index(S.nodes),
    )


def _weighted_effective_size(A: sp.csr_array, degree: np.ndarray) -> np.ndarray:
    """Burt's effective size from the symmetric matrix `A` of link strengths.

    ``nx.effective_size`` over the whole graph scales each tie j–q by q's strongest tie
    (networkx 3.6); Burt's :math:`m_{jq}` scales it by j's, as its per-node path does.
    """
    total, strongest = A.sum(axis=1), A.max(axis=1).toarray().ravel()
    p = sp.diags_array(np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)) @ A
    m = sp.diags_array(np.divide(1.0, strongest, out=np.zeros(A.shape[0]), where=strongest > 0)) @ A
    redundancy = np.asarray((p @ m.T).multiply(A > 0).sum(axis=1)).ravel()
    return np.where(degree > 0, degree - redundancy, np.nan)


def _groups(G: nx.Graph, group: str | Mapping[Hashable, Any] | pd.Series) -> pd.Series:
    if isinstance(group, str):
        values = pd.Series(dict(G.nodes(data=group)), dtype=object)
    else:
        values = pd.Series(group, dtype=object) if not isinstance(group, pd.Series) else group
    return values.reindex(list(G)).dropna()


def carried_caveats(group: object) -> list[str]:
    """The caveats a grouping Series carries (``.attrs["caveats"]``, e.g. how many of the
    streets of :func:`~cobuild_graph.domain.ancestors` are assigned), for the table made
    from it."""
    return list(group.attrs.get("caveats", [])) if isinstance(group, pd.Series) else []


def group_codes(
    G: nx.Graph,
    S: Simple,
    group: str | Mapping[Hashable, Any] | pd.Series,
    *,
    required: bool = False,
) -> tuple[np.ndarray, pd.Index]:
    """Each node's group as a code 0, 1 ... (−1 without a group), and the groups by code.

    Groups are told apart by their text (``1`` and ``"1"`` are one group); each is named by
    the value of its first member. With `required`, a grouping that gives no node of `G` a
    group is an error.
    """
    values = _groups(G, group)
    if required and values.empty:
        what = f"the node attribute {group!r}" if isinstance(group, str) else "the grouping"
        raise ValueError(f"no node of the graph has a group: {what} names none of its nodes")
    codes = np.full(S.n, -1, dtype=np.int64)
    position = {v: i for i, v in enumerate(S.nodes)}
    keys, _ = pd.factorize(values.astype(str))
    codes[[position[v] for v in values.index]] = keys
    first = np.unique(keys, return_index=True)[1] if len(keys) else np.array([], dtype=np.int64)
    return codes, pd.Index(values.iloc[first].tolist(), dtype=object, name="group")


def _role_codes(ga: np.ndarray, gb: np.ndarray, gc: np.ndarray) -> np.ndarray:
    """The role (index in :data:`BROKERAGE_ROLES`) of broker b on the path a → b → c."""
    return np.select(
        [(ga == gb) & (gb == gc), ga == gc, gb == gc, ga == gb],
        [0, 1, 2, 3],
        default=4,
    )


def brokerage(
    G: nx.Graph,
    group: str | Mapping[Hashable, Any] | pd.Series,
    *,
    directed: bool = False,
    standardize: bool = False,
    view: str | None = None,
    schema: Schema | None = None,
) -> pd.DataFrame:
    """Gould–Fernandez brokerage roles of every node, by a grouping of nodes.

    For every path :math:`a \\to b \\to c` of distinct nodes with no tie :math:`a \\to c`,
    the broker :math:`b` plays one role, by the groups of :math:`a, b, c` (Gould, R. V. &
    Fernandez, R. M. 1989. Structures of mediation: a formal approach to brokerage in
    transaction networks. *Sociological Methodology* 19, 89–126):

    ========================  ======================  ===========  ==============
    column                    Gould & Fernandez       groups       sna::brokerage
    ========================  ======================  ===========  ==============
    ``coordinator``           coordinator             A A A        ``w_I``
    ``consultant``            itinerant broker        A B A        ``w_O``
    ``gatekeeper``            gatekeeper              A B B        ``b_OI``
    ``representative``        representative          A A B        ``b_IO``
    ``liaison``               liaison                 A B C        ``b_O``
    ========================  ======================  ===========  ==============

    and ``total`` sums them. The counts equal R's ``sna::brokerage`` (Butts; its
    ``raw.nli``), which the tests reproduce.

    **Undirected ties** (the default) are made directed both ways, as ``sna`` does with a
    symmetric matrix: an open path :math:`a - b - c` is then counted twice, once each way,
    so ``coordinator``, ``consultant`` and ``liaison`` are even and ``gatekeeper`` equals
    ``representative`` (the path one way is the other way's mirror).

    Parameters
    ----------
    G
        Any networkx graph, collapsed as in :func:`simple_graph`.
    group
        A node attribute name, or a mapping / Series from node id to group — for a
        co-building graph e.g. each node's street, ``domain.ancestors(G, level="Street")``.
        Nodes without a group are left out, with their ties. A Series' caveats
        (``.attrs["caveats"]``) pass on to the table.
    directed
        Use the direction of ties as given instead.
    standardize
        Add ``{role}_z`` columns: (count − expected) / standard deviation under a random
        graph of the same density and group sizes, with ``sna::brokerage``'s formulas
        (its ``z.nli``; from Gould & Fernandez 1989). ``NaN`` where the deviation is 0.
    view
        The network to measure, a view of `G` (:func:`cobuild_graph.views.view`:
        ``"cobuilding"`` leaves the hierarchy out); `G` as given when ``None``.
    schema
        For `view`: the roles of the tie types.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id (the nodes with a group), columns ``coordinator``,
        ``consultant``, ``gatekeeper``, ``representative``, ``liaison``, ``total``
        (integers), then the ``_z`` columns if asked. ``.attrs["caveats"]``: those of
        `group`.
    """
    G = views.view(G, view, schema=schema)
    S = Simple.of(G, directed=directed)
    codes, uniques = group_codes(G, S, group)
    source, target = S.source, S.target
    if not directed:
        source, target = np.concatenate([source, target]), np.concatenate([target, source])
    keep = (codes[source] >= 0) & (codes[target] >= 0)
    source, target = source[keep], target[keep]

    counts = _open_roles(S.n, codes, source, target)
    counts -= _closed_roles(S, codes, source, target, directed)
    members = np.flatnonzero(codes >= 0)
    out = pd.DataFrame(
        counts[members],
        columns=list(BROKERAGE_ROLES),
        index=node_index([S.nodes[i] for i in members]),
    )
    out["total"] = out.sum(axis=1)
    out = out.astype(np.int64)
    if standardize:
        z = _brokerage_z(out, codes[members], len(uniques), len(source))
        out = pd.concat([out, z], axis=1)
    out.attrs["caveats"] = carried_caveats(group)
    return out


def _open_roles(n: int, codes: np.ndarray, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Role counts over all pairs (a, c), a ≠ c, of an in- and an out-neighbour of each b.

    With I[b, h] / O[b, h] the in- / out-neighbours of b in group h, R[b, h] those that are
    both (a = c), and g = b's group, the pairs fall into roles as (see :data:`BROKERAGE_ROLES`):
    coordinator I[g]O[g] − R[g]; consultant Σ_{h≠g} (I[h]O[h] − R[h]); gatekeeper
    (Σ_{h≠g} I[h]) O[g]; representative I[g] Σ_{h≠g} O[h]; liaison
    Σ_{h≠g} I[h] · Σ_{h≠g} O[h] − Σ_{h≠g} I[h]O[h].
    """
    out = np.zeros((n, len(BROKERAGE_ROLES)), dtype=np.int64)
    if len(source) == 0:
        return out
    own = codes
    incoming = pd.DataFrame({"b": target, "h": codes[source]}).value_counts().rename("I")
    outgoing = pd.DataFrame({"b": source, "h": codes[target]}).value_counts().rename("O")
    pair = source * n + target
    mutual = np.isin(pair, target * n + source)
    reciprocal = (
        pd.DataFrame({"b": target[mutual], "h": codes[source[mutual]]}).value_counts().rename("R")
    )
    table = (
        pd.concat([incoming, outgoing, reciprocal], axis=1).fillna(0).astype(np.int64).reset_index()
    )
    b, h = table["b"].to_numpy(), table["h"].to_numpy()
    same = h == own[b]
    i_, o_, r_ = (table[c].to_numpy() for c in ("I", "O", "R"))

    def per_broker(x: np.ndarray) -> np.ndarray:
        return np.bincount(b, weights=x, minlength=n).astype(np.int64)

    i_same, o_same, r_same = per_broker(i_ * same), per_broker(o_ * same), per_broker(r_ * same)
    i_other, o_other = per_broker(i_ * ~same), per_broker(o_ * ~same)
    io_other, r_other = per_broker(i_ * o_ * ~same), per_broker(r_ * ~same)
    out[:, 0] = i_same * o_same - r_same
    out[:, 1] = io_other - r_other
    out[:, 2] = i_other * o_same
    out[:, 3] = i_same * o_other
    out[:, 4] = i_other * o_other - io_other
    return out


def _closed_roles(
    S: Simple, codes: np.ndarray, source: np.ndarray, target: np.ndarray, directed: bool
) -> np.ndarray:
    """Role counts of the pairs of :func:`_open_roles` that are closed (a → c exists)."""
    n = S.n
    if directed:
        succ: list[set[int]] = [set() for _ in range(n)]
        pred: list[set[int]] = [set() for _ in range(n)]
        for a, c in zip(source.tolist(), target.tolist(), strict=True):
            succ[a].add(c)
            pred[c].add(a)
        triples = [
            (a, b, c)
            for a, c in zip(source.tolist(), target.tolist(), strict=True)
            for b in (succ[a] & pred[c])
        ]
        found = np.asarray(triples, dtype=np.int64).reshape(-1, 3)
    else:
        members = np.flatnonzero(codes >= 0)
        g = S.igraph().induced_subgraph(members.tolist()) if len(members) < n else S.igraph()
        triangles = np.asarray(g.list_triangles(), dtype=np.int64).reshape(-1, 3)
        if len(members) < n:
            triangles = members[triangles]
        orders = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
        found = np.concatenate([triangles[:, list(o)] for o in orders])
    out = np.zeros((n, len(BROKERAGE_ROLES)), dtype=np.int64)
    if len(found):
        roles = _role_codes(codes[found[:, 0]], codes[found[:, 1]], codes[found[:, 2]])
        np.add.at(out, (found[:, 1], roles), 1)
    return out


def _brokerage_z(counts: pd.DataFrame, group: np.ndarray, groups: int, edges: int) -> pd.DataFrame:
    """z-scores of the role counts as ``sna::brokerage`` computes them (``z.nli``)."""
    N = float(len(group))
    sizes = np.bincount(group, minlength=groups).astype(float)
    d = edges / (N * (N - 1)) if N > 1 else 0.0
    c2, c3 = d**2 * (1 - d), d**3 * (1 - d) ** 3
    n = sizes
    s2 = np.sum(n * (n - 1))
    s3 = np.sum(n * (n - 1) * (n - 2))
    q = np.sum(n**2)

    def choose2(x: np.ndarray) -> np.ndarray:
        return x * (x - 1) / 2

    e = np.zeros((groups, 6))
    v = np.zeros((groups, 6))
    e[:, 0] = c2 * (n - 1) * (n - 2)
    v[:, 0] = e[:, 0] * (1 - c2) + 2 * (n - 1) * (n - 2) * (n - 3) * c3
    e[:, 1] = c2 * (s2 - n * (n - 1))
    v[:, 1] = e[:, 1] * (1 - c2) + 2 * (s3 - n * (n - 1) * (n - 2)) * c3
    e[:, 3] = c2 * (N - n) * (n - 1)
    v[:, 3] = e[:, 3] * (1 - c2) + 2 * ((n - 1) * choose2(N - n) + (N - n) * choose2(n - 1)) * c3
    e[:, 2], v[:, 2] = e[:, 3], v[:, 3]
    e[:, 4] = c2 * ((N - n) ** 2 - (q - n**2))
    others = n[None, :] * choose2(N - n[None, :] - n[:, None])
    others[np.arange(groups), np.arange(groups)] = 0.0
    v[:, 4] = e[:, 4] * (1 - c2) + 4 * others.sum(axis=1) * c3
    e[:, 5] = c2 * (N - 1) * (N - 2)
    v[:, 5] = e[:, 5] * (1 - c2) + 2 * (N - 1) * (N - 2) * (N - 3) * c3
    raw = counts[[*BROKERAGE_ROLES, "total"]].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(v[group])
        z = np.where(sd > 0, (raw - e[group]) / sd, np.nan)
    return pd.DataFrame(
        z, index=counts.index, columns=[f"{r}_z" for r in (*BROKERAGE_ROLES, "total")]
    )
