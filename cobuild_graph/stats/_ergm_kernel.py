"""The ERGM's compiled kernel: the network state, the change statistics, the MH loop.

Compiled by numba (``cache=True``: the machine code is kept in this module's
``__pycache__``, so only the first call on a machine compiles, a few seconds).
:func:`cobuild_graph.stats._ergm_terms.pack` turns a model's dyad-dependent statistics
into the arrays taken here: per statistic, a term code (:data:`CODES`) and its numbers.

The state of a network on ``n`` nodes is a dense ``uint8`` adjacency (``n²`` bytes; a
tie ``i → j`` is ``adj[i, j]``, both ways when undirected or two-mode), each node's
neighbour list (successors when directed) in an ``int32`` ``n × n`` array (``4 n²``
bytes) and its length ``deg``: 5 n² bytes, 125 MB at n = 5000, beside the MPLE's dyads ×
statistics design matrix of 8 bytes a cell. A neighbour is removed by moving the list's
last one into its place.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "CODES",
    "changes_at",
    "observed_dependent",
    "run_block",
    "state",
]

#: The term codes (the numbers a statistic carries are in brackets).
TRIANGLE = 0
KSTAR = 1  # [k]
GWDEGREE = 2  # [r^d for d = 0 … n]
GWB_DEGREE = 3  # [mode, r^d]
GWESP = 4  # [e^α, r^d]
MUTUAL = 5
B1NODEMATCH = 6  # [each node's level code, -1 outside the first mode]
#: Each dyad-dependent term's code.
CODES = {
    "triangle": TRIANGLE,
    "kstar": KSTAR,
    "gwdegree": GWDEGREE,
    "gwb1degree": GWB_DEGREE,
    "gwb2degree": GWB_DEGREE,
    "gwesp": GWESP,
    "mutual": MUTUAL,
    "b1nodematch": B1NODEMATCH,
}

_jit = numba.njit(cache=True, nogil=True)


@_jit
def _toggle(adj, nbr, deg, i, j, directed):  # type: ignore[no-untyped-def]
    """Add the tie ``i – j`` if absent, else remove it."""
    if adj[i, j]:
        _drop(nbr, deg, i, j)
        adj[i, j] = 0
        if not directed:
            _drop(nbr, deg, j, i)
            adj[j, i] = 0
    else:
        nbr[i, deg[i]] = j
        deg[i] += 1
        adj[i, j] = 1
        if not directed:
            nbr[j, deg[j]] = i
            deg[j] += 1
            adj[j, i] = 1


@_jit
def _drop(nbr, deg, i, j):  # type: ignore[no-untyped-def]
    last = deg[i] - 1
    for k in range(last + 1):
        if nbr[i, k] == j:
            nbr[i, k] = nbr[i, last]
            break
    deg[i] = last


@_jit
def _shared(adj, nbr, deg, a, b):  # type: ignore[no-untyped-def]
    """The number of common neighbours of `a` and `b` (undirected)."""
    if deg[b] < deg[a]:
        a, b = b, a
    count = 0
    for k in range(deg[a]):
        count += adj[b, nbr[a, k]]
    return count


@_jit
def _comb(m, k):  # type: ignore[no-untyped-def]
    """``math.comb(m, k)`` as a float: exact below 2⁵³ (every product of the loop is a
    whole number), within a few ulps above, where 64-bit integers would overflow."""
    if k > m:
        return 0.0
    c = 1.0
    for t in range(k):
        c = c * (m - t) / (t + 1)
    return c


@_jit
def _change(code, number, powers, labels, adj, nbr, deg, i, j, p):  # type: ignore[no-untyped-def]
    """One statistic's change at ``i – j`` (`p`: 1 when the tie is present, else 0)."""
    if code == TRIANGLE:
        return float(_shared(adj, nbr, deg, i, j))
    if code == KSTAR:
        k = int(number)
        return _comb(deg[i] - p, k - 1) + _comb(deg[j] - p, k - 1)
    if code == GWDEGREE:
        return powers[deg[i] - p] + powers[deg[j] - p]
    if code == GWB_DEGREE:
        return powers[deg[i] - p] if number == 1.0 else powers[deg[j] - p]
    if code == GWESP:
        common = 0
        for t in range(deg[i]):
            common += adj[j, nbr[i, t]]
        total = number * (1 - powers[common])
        for t in range(deg[i]):
            k = nbr[i, t]
            if adj[j, k]:
                total += (
                    powers[_shared(adj, nbr, deg, i, k) - p]
                    + powers[_shared(adj, nbr, deg, j, k) - p]
                )
        return total
    if code == MUTUAL:
        return float(adj[j, i])
    # B1NODEMATCH
    own = labels[i]
    count = 0
    for t in range(deg[j]):
        k = nbr[j, t]
        if k != i and labels[k] == own:
            count += 1
    return float(count)


@_jit
def state(n, rows, cols, ties, directed):  # type: ignore[no-untyped-def]
    """The network of the dyads `ties`: ``adj, nbr, deg``."""
    adj = np.zeros((n, n), dtype=np.uint8)
    nbr = np.zeros((n, n), dtype=np.int32)
    deg = np.zeros(n, dtype=np.int64)
    for d in ties:
        _toggle(adj, nbr, deg, rows[d], cols[d], directed)
    return adj, nbr, deg


@_jit
def observed_dependent(n, rows, cols, ties, directed, codes, numbers, powers, labels):  # type: ignore[no-untyped-def]
    """The dependent statistics of the network `ties`: the sum of their changes as its
    ties are added one by one, in order."""
    adj = np.zeros((n, n), dtype=np.uint8)
    nbr = np.zeros((n, n), dtype=np.int32)
    deg = np.zeros(n, dtype=np.int64)
    values = np.zeros(len(codes))
    for d in ties:
        i, j = rows[d], cols[d]
        for s in range(len(codes)):
            values[s] += _change(codes[s], numbers[s], powers[s], labels[s], adj, nbr, deg, i, j, 0)
        _toggle(adj, nbr, deg, i, j, directed)
    return values


@_jit
def changes_at(n, rows, cols, ties, directed, codes, numbers, powers, labels):  # type: ignore[no-untyped-def]
    """Dyads × dependent statistics: each change at each dyad of the network `ties`."""
    adj, nbr, deg = state(n, rows, cols, ties, directed)
    X = np.empty((len(rows), len(codes)))
    for d in range(len(rows)):
        i, j = rows[d], cols[d]
        p = int(adj[i, j])
        for s in range(len(codes)):
            X[d, s] = _change(codes[s], numbers[s], powers[s], labels[s], adj, nbr, deg, i, j, p)
    return X


@_jit
def run_block(  # type: ignore[no-untyped-def]
    adj,
    nbr,
    deg,
    tied,
    where,
    n_tied,
    acc,
    rows,
    cols,
    directed,
    eta0,
    pi,
    cumulative,
    theta,
    columns,
    independent,
    dependent,
    codes,
    numbers,
    powers,
    labels,
    start,
    branch,
    pick,
    accept,
    until,
    interval,
    cap,
    toggled,
    sampled,
    marks,
    offset,
):
    """One block of TNT proposals (as ``Sampler.run`` describes), changing in place the
    state ``adj, nbr, deg``, the tied dyads ``tied[:n_tied]``, each dyad's place there
    ``where`` (-1 when absent) and ``acc``, the statistics' sums of changes so far.

    The dyad a proposal toggles is ``cumulative``'s first entry above ``pick ×`` its last
    (``np.searchsorted(…, side="right")``, at most the last dyad); a tie removed is the
    one at ``pick × n_tied`` in ``tied``. The dyad-independent statistics `independent`
    change by their ``columns``, the dependent ones `dependent` by their change
    statistics. Accepted dyads go to ``toggled``; each sampled network's statistics
    (``start + acc``) to ``sampled`` and its number of toggles (counted from `offset`) to
    ``marks``. Returns ``n_tied, until, accepted, marked, dense``: `dense` true when a tie
    beyond `cap` was added (the block stops there).
    """
    m = len(codes)
    values = np.empty(m)
    count = 0
    marked = 0
    last_dyad = len(cumulative) - 1
    for t in range(len(branch)):
        if n_tied > 0 and branch[t] < 0.5:
            d = tied[int(pick[t] * n_tied)]
            present = True
        else:
            d = min(np.searchsorted(cumulative, pick[t] * cumulative[-1], side="right"), last_dyad)
            present = where[d] >= 0
        i, j = rows[d], cols[d]
        p = 1 if present else 0
        eta = eta0[d]
        for s in range(m):
            c = _change(codes[s], numbers[s], powers[s], labels[s], adj, nbr, deg, i, j, p)
            values[s] = c
            if c != 0.0:
                eta += theta[s] * c
        # the Metropolis–Hastings ratio, times the proposals' back / forward
        p_d = pi[d]
        if present:
            ratio = (0.5 * p_d if n_tied > 1 else p_d) / (0.5 / n_tied + 0.5 * p_d)
            ratio = ratio * math.exp(-eta) if eta > -700 else math.inf
        else:
            ratio = (0.5 / (n_tied + 1) + 0.5 * p_d) / (0.5 * p_d if n_tied else p_d)
            ratio = ratio * math.exp(eta) if eta < 700 else math.inf
        if accept[t] < ratio:
            if present:
                k = where[d]
                where[d] = -1
                n_tied -= 1
                last = tied[n_tied]
                if last != d:
                    tied[k] = last
                    where[last] = k
            else:
                where[d] = n_tied
                tied[n_tied] = d
                n_tied += 1
                if n_tied > cap:
                    return n_tied, until, count, marked, True
            _toggle(adj, nbr, deg, i, j, directed)
            sign = -1.0 if present else 1.0
            for a in range(len(independent)):
                acc[independent[a]] += columns[d, a] * sign
            for s in range(m):
                acc[dependent[s]] += values[s] * sign
            toggled[count] = d
            count += 1
        until -= 1
        if until == 0:
            until = interval
            for a in range(len(acc)):
                sampled[marked, a] = start[a] + acc[a]
            marks[marked] = offset + count
            marked += 1
    return n_tied, until, count, marked, False
