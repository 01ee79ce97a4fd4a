"""ERGM terms as change statistics, named and defined as in statnet's ``ergm``.

A term gives one or more *statistics*. A dyad-independent statistic is a column over the
dyads (its change statistic does not depend on the rest of the network); a dyad-dependent
one is a :class:`Dependent`: a term code and its numbers, whose change ``change(i, j)``
(the statistic with the tie ``i – j`` minus without it, given the rest of the network)
the compiled kernel :mod:`cobuild_graph.stats._ergm_kernel` computes, once for the
observed statistics, the MPLE's change matrix and the sampler. The statistic of a network
is the sum of the changes as its ties are added one by one.

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
from typing import Literal

import numpy as np
import pandas as pd

from cobuild_graph.stats._ergm_formula import TermCall
from cobuild_graph.stats._ergm_network import Network

DependentTerm = Literal[
    "triangle", "kstar", "gwdegree", "gwb1degree", "gwb2degree", "gwesp", "mutual", "b1nodematch"
]


@dataclass(frozen=True)
class Dependent:
    """A dyad-dependent statistic as the kernel takes it: its term and numbers."""

    term: DependentTerm
    number: float = 0.0  # kstar's k; gwb1degree's or gwb2degree's mode; gwesp's scale e^α
    powers: np.ndarray | None = None  # r^d at every degree d = 0 … n (gw terms)
    labels: np.ndarray | None = None  # each node's level code (b1nodematch; -1 in mode 2)


@dataclass(frozen=True)
class Packed:
    """The dependent statistics of a model as the kernel's arrays, one row each."""

    codes: np.ndarray  # int64, the kernel's term codes
    numbers: np.ndarray  # float64: k, the mode or e^α
    powers: np.ndarray  # float64, statistics × (n + 1)
    labels: np.ndarray  # int64, statistics × n

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.codes, self.numbers, self.powers, self.labels


@dataclass(frozen=True)
class Statistic:
    """One statistic of a model: a column (dyad-independent) or a :class:`Dependent`."""

    name: str
    column: np.ndarray | None  # value at every dyad, for a dyad-independent statistic
    dependent: Dependent | None  # the change statistic, for a dyad-dependent statistic
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
        from cobuild_graph.stats import _ergm_kernel  # numba, on first use only

        rows, cols = net.ends()
        values[dependent] = _ergm_kernel.observed_dependent(
            net.n,
            rows,
            cols,
            np.asarray(ties, dtype=np.int64),
            net.directed,
            *pack(net, stats).arrays(),
        )
    return values


def change_matrix(net: Network, stats: list[Statistic], y: np.ndarray) -> np.ndarray:
    """Dyads × statistics: each statistic's change at each dyad of the network `y`."""
    X = np.empty((net.size, len(stats)))
    dependent = [k for k, s in enumerate(stats) if s.dependent is not None]
    for k, s in enumerate(stats):
        if s.column is not None:
            X[:, k] = s.column
    if dependent:
        from cobuild_graph.stats import _ergm_kernel  # numba, on first use only

        rows, cols = net.ends()
        X[:, dependent] = _ergm_kernel.changes_at(
            net.n, rows, cols, np.flatnonzero(y), net.directed, *pack(net, stats).arrays()
        )
    return X


def pack(net: Network, stats: list[Statistic]) -> Packed:
    """The dyad-dependent statistics among `stats`, in order, as the kernel's arrays."""
    from cobuild_graph.stats._ergm_kernel import CODES  # numba, on first use only

    specs = [s.dependent for s in stats if s.dependent is not None]
    powers = np.zeros((len(specs), net.n + 1))
    labels = np.full((len(specs), net.n), -1, dtype=np.int64)
    numbers = np.zeros(len(specs))
    for k, spec in enumerate(specs):
        numbers[k] = spec.number
        if spec.powers is not None:
            powers[k] = spec.powers
        if spec.labels is not None:
            labels[k] = spec.labels
    codes = np.array([CODES[spec.term] for spec in specs], dtype=np.int64)
    return Packed(codes, numbers, powers, labels)


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


def _dependent(name: str, spec: Dependent) -> Statistic:
    return Statistic(name, None, spec, True)


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
    return [_dependent("triangle", Dependent("triangle"))]


def _kstar(net: Network, k: int | list[int]) -> list[Statistic]:
    def stat(k: int) -> Statistic:
        if k < 1:
            raise ValueError(f"kstar: k must be ≥ 1, not {k}")
        return _dependent(f"kstar{k}", Dependent("kstar", number=k))

    return [stat(int(x)) for x in (k if isinstance(k, list) else [k])]


def _powers(r: float, net: Network) -> np.ndarray:
    """``r ** d`` for every degree ``d`` a node can have."""
    return r ** np.arange(net.n + 1)


def _gwdegree(net: Network, decay: float, fixed: bool = False) -> list[Statistic]:
    powers = _powers(_ratio(decay, fixed, "gwdegree"), net)
    return [_dependent(f"gwdeg.fixed.{decay}", Dependent("gwdegree", powers=powers))]


def _gw_mode_degree(mode: Literal[1, 2]) -> Callable[..., list[Statistic]]:
    term: DependentTerm = "gwb1degree" if mode == 1 else "gwb2degree"

    def gw(net: Network, decay: float, fixed: bool = False) -> list[Statistic]:
        powers = _powers(_ratio(decay, fixed, term), net)
        spec = Dependent(term, number=mode, powers=powers)
        return [_dependent(f"gwb{mode}deg.fixed.{decay}", spec)]

    return gw


def _gwesp(net: Network, decay: float, fixed: bool = False) -> list[Statistic]:
    powers = _powers(_ratio(decay, fixed, "gwesp"), net)
    spec = Dependent("gwesp", number=math.exp(decay), powers=powers)
    return [_dependent(f"gwesp.fixed.{decay}", spec)]


def _mutual(net: Network) -> list[Statistic]:
    return [_dependent("mutual", Dependent("mutual"))]


def _b1nodematch(net: Network, attribute: str) -> list[Statistic]:
    labels = _codes(net, attribute, 1)[0]
    return [_dependent(f"b1nodematch.{attribute}", Dependent("b1nodematch", labels=labels))]


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
