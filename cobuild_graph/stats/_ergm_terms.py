"""ERGM terms as change statistics, named and defined as in statnet's ``ergm``.

A term gives one or more *statistics*. A dyad-independent statistic is a column over the
dyads (its change statistic does not depend on the rest of the network); a dyad-dependent
one is a function ``change(i, j, present)``: the statistic with the tie ``i – j`` minus
without it, given the rest of the network held by a :class:`State`. The statistic of a
network is the sum of the changes as its ties are added one by one.

Geometrically weighted terms use ``r = 1 − e^{−α}`` (α the decay): gwdegree
``e^α Σ_k (1 − r^k) D_k`` changes by ``r^d`` at an end of degree ``d``; gwesp
``e^α Σ_k (1 − r^k) EP_k`` (``EP_k`` the ties with ``k`` shared partners), as in Hunter
(2007, *Social Networks* 29, 216–230).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cobuild_graph.stats._ergm_formula import TermCall
from cobuild_graph.stats._ergm_network import Network

Change = Callable[[int, int, bool], float]


class State:
    """A network being changed tie by tie: neighbour sets (successors when directed)."""

    def __init__(self, net: Network, ties: np.ndarray) -> None:
        self.nbrs: list[set[int]] = [set() for _ in range(net.n)]
        rows, cols = net.ends()
        for i, j in zip(rows[ties].tolist(), cols[ties].tolist(), strict=True):
            self.toggle(i, j, net.directed)

    def toggle(self, i: int, j: int, directed: bool) -> None:
        """Add the tie ``i – j`` if absent, else remove it."""
        nbrs = self.nbrs
        if j in nbrs[i]:
            nbrs[i].discard(j)
            if not directed:
                nbrs[j].discard(i)
        else:
            nbrs[i].add(j)
            if not directed:
                nbrs[j].add(i)


@dataclass(frozen=True)
class Statistic:
    """One statistic of a model: a column (dyad-independent) or a change function maker."""

    name: str
    column: np.ndarray | None  # value at every dyad, for a dyad-independent statistic
    dependent: Callable[[State], Change] | None  # state → change(i, j, present)
    bounded: bool  # never decreases when a tie is added: observed 0 is its lower bound


def statistics(net: Network, calls: list[TermCall]) -> list[Statistic]:
    """The statistics of the terms `calls` on `net`."""
    out: list[Statistic] = []
    for call in calls:
        make = _TERMS.get(call.name)
        if make is None:
            raise ValueError(
                f"未知的模型项 unknown term {call.name!r}; the terms are: {', '.join(_TERMS)}"
            )
        kinds = _KINDS.get(call.name)
        if kinds and net.kind not in kinds:
            raise ValueError(
                f"模型项 {call.name} 不适用于{_KIND_ZH[net.kind]}网络 term {call.name!r} does "
                f"not apply to a {net.kind} network; it applies to {' or '.join(kinds)} ones"
            )
        try:
            inspect.signature(make).bind(net, *call.args, **call.kwargs)
        except TypeError as error:
            shown = str(inspect.signature(make)).replace("net: 'Network', ", "")
            raise ValueError(
                f"模型项参数有误 term {call}: {error}; it takes {call.name}{shown}"
            ) from None
        out.extend(make(net, *call.args, **call.kwargs))
    names = [s.name for s in out]
    twice = {n for n in names if names.count(n) > 1}
    if twice:
        raise ValueError(f"模型项重复 a statistic appears twice: {sorted(twice)}")
    return out


def observed(net: Network, stats: list[Statistic], ties: np.ndarray) -> np.ndarray:
    """The statistics of the network whose ties are the dyads `ties`."""
    values = np.zeros(len(stats))
    dependent = [k for k, s in enumerate(stats) if s.dependent is not None]
    for k, s in enumerate(stats):
        if s.column is not None:
            values[k] = s.column[ties].sum()
    if dependent:
        state = State(net, np.zeros(0, dtype=np.int64))
        changes = [stats[k].dependent(state) for k in dependent]  # type: ignore[misc]
        rows, cols = net.ends()
        for i, j in zip(rows[ties].tolist(), cols[ties].tolist(), strict=True):
            for k, change in zip(dependent, changes, strict=True):
                values[k] += change(i, j, False)
            state.toggle(i, j, net.directed)
    return values


def change_matrix(net: Network, stats: list[Statistic], y: np.ndarray) -> np.ndarray:
    """Dyads × statistics: each statistic's change at each dyad of the network `y`."""
    X = np.empty((net.size, len(stats)))
    rows, cols = net.ends()
    state = State(net, np.flatnonzero(y))
    present = y.astype(bool).tolist()
    for k, s in enumerate(stats):
        if s.column is not None:
            X[:, k] = s.column
        else:
            change = s.dependent(state)  # type: ignore[misc]
            X[:, k] = [
                change(i, j, p)
                for i, j, p in zip(rows.tolist(), cols.tolist(), present, strict=True)
            ]
    return X


# -- attributes -------------------------------------------------------------------------


def _mode(net: Network, mode: int | None) -> slice:
    """The positions of a mode's nodes (1 or 2; every node for ``None``)."""
    if mode is None:
        return slice(None)
    return slice(0, net.n1) if mode == 1 else slice(net.n1, net.n)


def _values(net: Network, attribute: str, mode: int | None = None) -> pd.Series:
    if attribute not in net.attributes.columns:
        raise ValueError(
            f"节点没有属性 {attribute!r} no node has the attribute {attribute!r}; the "
            f"attributes are {sorted(map(str, net.attributes.columns))}"
        )
    values = net.attributes[attribute].iloc[_mode(net, mode)]
    if values.isna().any():
        missing = list(values.index[values.isna()])
        raise ValueError(
            f"{len(missing)} 个节点缺少属性 {attribute!r} {len(missing)} nodes lack "
            f"{attribute!r}, e.g. {missing[:3]}: fill them (attributes=...) or leave them out"
        )
    return values


def _codes(net: Network, attribute: str, mode: int | None = None) -> tuple[np.ndarray, list[str]]:
    """Each node's level number (``-1`` outside `mode`) and the sorted levels."""
    values = _values(net, attribute, mode)
    levels = sorted(values.unique(), key=str)
    index = {v: k for k, v in enumerate(levels)}
    codes = np.full(net.n, -1)
    codes[_mode(net, mode)] = [index[v] for v in values]
    return codes, [str(v) for v in levels]


def _numbers(net: Network, attribute: str, mode: int | None = None) -> np.ndarray:
    """Each node's value (``nan`` outside `mode`)."""
    values = _values(net, attribute, mode)
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any():
        bad = values[numbers.isna()].iloc[0]
        raise ValueError(f"属性 {attribute!r} 须为数值 {attribute!r} must be numeric, not {bad!r}")
    x = np.full(net.n, np.nan)
    x[_mode(net, mode)] = numbers.to_numpy(dtype=float)
    return x


def _column(name: str, column: np.ndarray, *, bounded: bool = True) -> Statistic:
    return Statistic(name, np.asarray(column, dtype=float), None, bounded)


def _kept(levels: list[str], base: int) -> list[int]:
    """The levels kept when level number `base` (1-based, 0 for none) is left out."""
    return [k for k in range(len(levels)) if k != base - 1]


# -- dyad-independent terms -------------------------------------------------------------


def _edges(net: Network) -> list[Statistic]:
    return [_column("edges", np.ones(net.size))]


def _nodematch(net: Network, attribute: str, diff: bool = False) -> list[Statistic]:
    codes, levels = _codes(net, attribute)
    rows, cols = net.ends()
    same = codes[rows] == codes[cols]
    if not diff:
        return [_column(f"nodematch.{attribute}", same)]
    return [
        _column(f"nodematch.{attribute}.{level}", same & (codes[rows] == k))
        for k, level in enumerate(levels)
    ]


def _nodefactor(net: Network, attribute: str, base: int = 1) -> list[Statistic]:
    codes, levels = _codes(net, attribute)
    rows, cols = net.ends()
    return [
        _column(
            f"nodefactor.{attribute}.{levels[k]}",
            (codes[rows] == k).astype(float) + (codes[cols] == k),
        )
        for k in _kept(levels, base)
    ]


def _nodecov(net: Network, attribute: str) -> list[Statistic]:
    x = _numbers(net, attribute)
    rows, cols = net.ends()
    return [_column(f"nodecov.{attribute}", x[rows] + x[cols], bounded=False)]


def _absdiff(net: Network, attribute: str) -> list[Statistic]:
    x = _numbers(net, attribute)
    rows, cols = net.ends()
    return [_column(f"absdiff.{attribute}", np.abs(x[rows] - x[cols]), bounded=False)]


def _mode_factor(mode: int) -> Callable[..., list[Statistic]]:
    def factor(net: Network, attribute: str, base: int = 1) -> list[Statistic]:
        codes, levels = _codes(net, attribute, mode)
        end = net.ends()[mode - 1]
        return [
            _column(f"b{mode}factor.{attribute}.{levels[k]}", codes[end] == k)
            for k in _kept(levels, base)
        ]

    return factor


def _mode_cov(mode: int) -> Callable[..., list[Statistic]]:
    def cov(net: Network, attribute: str) -> list[Statistic]:
        x = _numbers(net, attribute, mode)
        end = net.ends()[mode - 1]
        return [_column(f"b{mode}cov.{attribute}", x[end], bounded=False)]

    return cov


def _edgecov(net: Network, name: str) -> list[Statistic]:
    if name not in net.covariates:
        raise ValueError(
            f"没有名为 {name!r} 的二元协变量 no dyadic covariate {name!r}: pass it as "
            f"covariates={{{name!r}: matrix}}; given: {sorted(net.covariates)}"
        )
    column = net.covariates[name]
    return [_column(f"edgecov.{name}", column, bounded=bool((column >= 0).all()))]


# -- dyad-dependent terms ---------------------------------------------------------------


def _dependent(name: str, make: Callable[[State], Change]) -> Statistic:
    return Statistic(name, None, make, True)


def _ratio(decay: float, fixed: bool, term: str) -> float:
    if not fixed:
        raise ValueError(
            f"{term}: 暂不支持 fixed=FALSE（曲指数族）curved terms (fixed=FALSE) are not "
            "supported: give the decay and fixed=TRUE"
        )
    if not decay >= 0:
        raise ValueError(f"{term}: decay must be ≥ 0, not {decay}")
    return 1 - math.exp(-decay)


def _triangle(net: Network) -> list[Statistic]:
    def make(state: State) -> Change:
        nbrs = state.nbrs
        return lambda i, j, present: float(len(nbrs[i] & nbrs[j]))

    return [_dependent("triangle", make)]


def _kstar(net: Network, k: int | list[int]) -> list[Statistic]:
    def stat(k: int) -> Statistic:
        if k < 1:
            raise ValueError(f"kstar: k must be ≥ 1, not {k}")

        def make(state: State) -> Change:
            nbrs = state.nbrs
            return lambda i, j, p: float(
                math.comb(len(nbrs[i]) - p, k - 1) + math.comb(len(nbrs[j]) - p, k - 1)
            )

        return _dependent(f"kstar{k}", make)

    return [stat(int(x)) for x in (k if isinstance(k, list) else [k])]


def _powers(r: float, net: Network) -> list[float]:
    """``r ** d`` for every degree ``d`` a node can have."""
    return (r ** np.arange(net.n + 1)).tolist()


def _gwdegree(net: Network, decay: float, fixed: bool = False) -> list[Statistic]:
    powers = _powers(_ratio(decay, fixed, "gwdegree"), net)

    def make(state: State) -> Change:
        nbrs = state.nbrs
        return lambda i, j, p: powers[len(nbrs[i]) - p] + powers[len(nbrs[j]) - p]

    return [_dependent(f"gwdeg.fixed.{decay}", make)]


def _gw_mode_degree(mode: int) -> Callable[..., list[Statistic]]:
    def gw(net: Network, decay: float, fixed: bool = False) -> list[Statistic]:
        powers = _powers(_ratio(decay, fixed, f"gwb{mode}degree"), net)

        def make(state: State) -> Change:
            nbrs = state.nbrs
            if mode == 1:
                return lambda i, j, p: powers[len(nbrs[i]) - p]
            return lambda i, j, p: powers[len(nbrs[j]) - p]

        return [_dependent(f"gwb{mode}deg.fixed.{decay}", make)]

    return gw


def _gwesp(net: Network, decay: float, fixed: bool = False) -> list[Statistic]:
    powers = _powers(_ratio(decay, fixed, "gwesp"), net)
    scale = math.exp(decay)

    def make(state: State) -> Change:
        nbrs = state.nbrs

        def change(i: int, j: int, p: bool) -> float:
            a, b = nbrs[i], nbrs[j]
            common = a & b
            total = scale * (1 - powers[len(common)])
            for k in common:
                c = nbrs[k]
                total += powers[len(a & c) - p] + powers[len(b & c) - p]
            return total

        return change

    return [_dependent(f"gwesp.fixed.{decay}", make)]


def _mutual(net: Network) -> list[Statistic]:
    def make(state: State) -> Change:
        nbrs = state.nbrs
        return lambda i, j, p: float(i in nbrs[j])

    return [_dependent("mutual", make)]


def _b1nodematch(net: Network, attribute: str) -> list[Statistic]:
    codes = _codes(net, attribute, 1)[0].tolist()

    def make(state: State) -> Change:
        nbrs = state.nbrs

        def change(i: int, j: int, p: bool) -> float:
            own = codes[i]
            return float(sum(1 for k in nbrs[j] if k != i and codes[k] == own))

        return change

    return [_dependent(f"b1nodematch.{attribute}", make)]


_TERMS: dict[str, Callable[..., list[Statistic]]] = {
    "edges": _edges,
    "nodematch": _nodematch,
    "nodefactor": _nodefactor,
    "nodecov": _nodecov,
    "absdiff": _absdiff,
    "b1factor": _mode_factor(1),
    "b2factor": _mode_factor(2),
    "b1cov": _mode_cov(1),
    "b2cov": _mode_cov(2),
    "edgecov": _edgecov,
    "triangle": _triangle,
    "kstar": _kstar,
    "gwesp": _gwesp,
    "gwdegree": _gwdegree,
    "gwb1degree": _gw_mode_degree(1),
    "gwb2degree": _gw_mode_degree(2),
    "b1nodematch": _b1nodematch,
    "mutual": _mutual,
}
#: The kinds of network a term applies to (every kind when absent).
_KINDS: dict[str, tuple[str, ...]] = {
    "b1factor": ("bipartite",),
    "b2factor": ("bipartite",),
    "b1cov": ("bipartite",),
    "b2cov": ("bipartite",),
    "gwb1degree": ("bipartite",),
    "gwb2degree": ("bipartite",),
    "b1nodematch": ("bipartite",),
    "triangle": ("undirected",),
    "kstar": ("undirected",),
    "gwesp": ("undirected",),
    "gwdegree": ("undirected",),
    "mutual": ("directed",),
    "nodematch": ("undirected", "directed"),
    "nodefactor": ("undirected", "directed"),
    "nodecov": ("undirected", "directed"),
    "absdiff": ("undirected", "directed"),
}
_KIND_ZH = {"undirected": "无向", "directed": "有向", "bipartite": "二模"}
#: The names of the terms, for the docs and messages.
TERMS = tuple(_TERMS)
