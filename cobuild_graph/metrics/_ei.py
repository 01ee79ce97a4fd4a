"""Krackhardt and Stern's E-I index of a grouping: the network, each group, each node."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph import views
from cobuild_graph.errors import NoTiesError
from cobuild_graph.metrics._brokerage import carried_caveats, group_codes
from cobuild_graph.metrics._simple import Simple, node_index

Grouping = str | Mapping[Hashable, Any] | pd.Series

#: Rows of :func:`ei_index`.
EI_STATISTICS: tuple[str, ...] = ("internal", "external", "ei", "rescaled_ei")
#: Columns of :func:`ei_index` from its permutation test: Monte Carlo estimates.
TEST_COLUMNS: tuple[str, ...] = ("mean", "sd", "minimum", "maximum", "p_greater", "p_less")
#: Labels the permutation test holds at once, whatever the graph's size: relabellings are
#: drawn in batches of ``batch × members`` at most this many (one relabelling when a graph
#: has more members), then compared one at a time (two gathers of the links' ends). 2**24
#: labels of 1–2 bytes (up to 32,767 groups) keep a batch within 32 MB.
PERMUTATION_BUDGET = 2**24


@dataclass
class _Grouped:
    """The links among nodes that have a group, with their strengths and the groups."""

    S: Simple
    codes: np.ndarray  # per node position: group code, −1 without a group
    groups: pd.Index
    source: np.ndarray
    target: np.ndarray
    strength: np.ndarray

    @classmethod
    def of(cls, G: nx.Graph, attribute: Grouping, weight: str | None) -> _Grouped:
        S = Simple.of(G, weight=weight)
        codes, groups = group_codes(G, S, attribute, required=True)
        keep = (codes[S.source] >= 0) & (codes[S.target] >= 0)
        if not keep.any():
            raise NoTiesError(_no_ties(G, [S.nodes[i] for i in np.flatnonzero(codes >= 0)]))
        strength = S.weight[keep] if S.weight is not None else np.ones(int(keep.sum()))
        return cls(S, codes, groups, S.source[keep], S.target[keep], strength)

    @property
    def internal(self) -> np.ndarray:
        return self.codes[self.source] == self.codes[self.target]


def _no_ties(G: nx.Graph, members: list[Hashable]) -> str:
    """Why the E-I index of `members` is undefined in `G`, and the view to measure instead:
    the view named after their label (``unit`` for units), if there is one."""
    labels = {G.nodes[v].get("label") for v in members}
    label = labels.pop() if len(labels) == 1 else None
    name = str(label).lower() if label is not None else None
    if name in views.VIEWS and name not in ("full", "cobuilding"):
        use_zh = f"用 cobuild_graph.views.view(G, {name!r})（{views.VIEWS[name]}）"
        use_en = f"use cobuild_graph.views.view(G, {name!r}) ({views.VIEWS[name]})"
    else:
        use_zh = "用一个它们彼此相连的视图（cobuild_graph.views.VIEWS）"
        use_en = "use a view in which they are tied (cobuild_graph.views.VIEWS)"
    who = f"{label} nodes" if label is not None else "the nodes with a group"
    return (
        f"有分组的 {len(members)} 个节点在此图中彼此没有关系，E-I 指数无从计算（内部 0、外部 0）；"
        f"{use_zh}。 The {len(members)} {who} have no ties among themselves in this graph, "
        f"so the E-I index is undefined (0 internal, 0 external ties); {use_en}."
    )


def _ei(external: np.ndarray | float, internal: np.ndarray | float) -> np.ndarray:
    external, internal = np.asarray(external, float), np.asarray(internal, float)
    total = external + internal
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (external - internal) / total, np.nan)


def ei_index(
    G: nx.Graph,
    attribute: Grouping,
    *,
    weight: str | None = None,
    permutations: int = 5000,
    seed: int | None = None,
) -> pd.DataFrame:
    """The E-I index of a grouping of nodes, rescaled, with UCINET's permutation test.

    On the undirected simple graph (see :func:`simple_graph`), among the nodes that have a
    group, with :math:`I` the links within groups and :math:`E` the links between them
    (Krackhardt, D. & Stern, R. N. 1988. Informal networks and organizational crises: an
    experimental simulation. *Social Psychology Quarterly* 51, 123–140):

    .. math:: \\mathrm{EI} = \\frac{E - I}{E + I}

    from −1 (every link inside a group) to 1 (every link across groups). Group sizes and
    the number of links bound what is reachable: with :math:`P_I` and :math:`P_E` the pairs
    of nodes that could be linked inside and across groups and :math:`m` links, at most
    :math:`\\min(m, P_E)` links can be external and at most :math:`\\min(m, P_I)` internal
    (with `weight`, the strongest links first). ``rescaled_ei`` maps that reachable range
    ``[ei_min, ei_max]`` linearly onto [−1, 1], as UCINET's rescaled E-I compares the index
    with its range under the density and group sizes.

    The permutation test (UCINET's ``Network > Cohesion > E-I Index``) gives the groups'
    labels to the nodes at random, keeping the group sizes and the links, `permutations`
    times: ``mean``, ``sd``, ``minimum``, ``maximum`` of each statistic over them, and
    ``p_greater`` / ``p_less`` the share of permutations at or above / at or below the
    observed value. Those are Monte Carlo estimates: a p-value :math:`p` from :math:`R`
    relabellings has the standard error :math:`\\sqrt{p(1-p)/R}` (0.016 at most for
    :math:`R` = 1,000), given with the table. The relabellings are drawn in batches of
    bounded memory, each as one ``rng.permutation`` of the members: the batch size does
    not change them. ``expected`` is the exact mean over all relabellings: a link falls
    inside a group with probability :math:`q = P_I / (P_I + P_E)`, so :math:`E[I] = W q`
    for a total strength :math:`W`, and :math:`E[\\mathrm{EI}] = 1 - 2q`.

    Parameters
    ----------
    G
        Any networkx graph, measured undirected.
    attribute
        A node attribute name (a unit's ``unit_type``, a node's street ...), or a mapping /
        Series from node id to group. Nodes without a group are left out, with their ties.
        A Series' caveats (``.attrs["caveats"]``, e.g. how many streets are assigned) pass
        on to the table.
    weight
        A tie attribute of strengths (summed per link): :math:`E` and :math:`I` then sum
        strengths instead of counting links.
    permutations
        Random relabellings for the test; 0 leaves the test's columns ``NaN``.
    seed
        Seed of the relabellings (numpy's ``default_rng``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``statistic``: ``internal``, ``external``, ``ei``, ``rescaled_ei``;
        columns ``observed``, ``expected``, ``mean``, ``sd``, ``minimum``, ``maximum``,
        ``p_greater``, ``p_less``. ``.attrs`` holds ``ei``, ``rescaled_ei``, ``ei_min``,
        ``ei_max``, ``possible_internal`` (:math:`P_I`), ``possible_external``
        (:math:`P_E`), ``nodes`` and ``groups`` (counted with a group), ``permutations``,
        ``seed``, ``p_greater_se`` and ``p_less_se`` (the Monte Carlo standard errors
        :math:`\\sqrt{p(1-p)/R}` of ``ei``'s p-values from :math:`R` = `permutations`
        relabellings; ``NaN`` without the test), ``caveats`` (those of `attribute`, and
        that the test's columns are estimates from `permutations` relabellings, with those
        standard errors), ``estimates`` (those columns, each with how; ``{}`` without the
        test).

    Raises
    ------
    NoTiesError
        If the nodes with a group have no ties among themselves in `G` (units in a
        roster's graph, tied only to communities: the index would be 0 − 0 / 0); measure
        ``cobuild_graph.views.view(G, "unit")``, units linked by shared communities.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> table = ei_index(G, {"a": 1, "b": 1, "c": 2, "d": 2}, permutations=0)
    >>> float(table.loc["ei", "observed"]), table.attrs["ei_max"]
    (-0.3333333333333333, 1.0)
    """
    if permutations < 0:
        raise ValueError(f"permutations must be 0 or more, not {permutations}")
    data = _Grouped.of(G, attribute, weight)
    members = np.flatnonzero(data.codes >= 0)
    sizes = np.bincount(data.codes[members], minlength=len(data.groups)).astype(float)
    pairs = len(members) * (len(members) - 1) / 2
    possible_internal = float(np.sum(sizes * (sizes - 1) / 2))
    possible_external = pairs - possible_internal
    total = float(data.strength.sum())
    strongest = np.cumsum(np.sort(data.strength)[::-1])

    def top(count: float) -> float:
        links = min(int(count), len(strongest))
        return float(strongest[links - 1]) if links >= 1 else 0.0

    ei_max = float(_ei(top(possible_external), total - top(possible_external)))
    ei_min = float(_ei(total - top(possible_internal), top(possible_internal)))

    def rescaled(ei: np.ndarray) -> np.ndarray:
        span = ei_max - ei_min
        return 2 * (ei - ei_min) / span - 1 if span > 0 else np.full_like(ei, np.nan)

    def statistics(internal: np.ndarray) -> np.ndarray:
        ei = _ei(total - internal, internal)
        return np.column_stack([internal, total - internal, ei, rescaled(ei)])

    internal = float(data.strength[data.internal].sum())
    observed = statistics(np.array([internal]))[0]
    q = possible_internal / pairs if pairs else np.nan
    expected = statistics(np.array([total * q]))[0]
    expected[2] = 1 - 2 * q if total > 0 else np.nan
    expected[3] = rescaled(np.array(expected[2]))
    table = pd.DataFrame(
        {"observed": observed, "expected": expected},
        index=pd.Index(EI_STATISTICS, name="statistic"),
    )
    test = _permutation_test(data, members, permutations, seed, statistics, observed)
    table = pd.concat([table, test], axis=1)
    table.attrs.update(
        ei=float(observed[2]),
        rescaled_ei=float(observed[3]),
        ei_min=ei_min,
        ei_max=ei_max,
        possible_internal=possible_internal,
        possible_external=possible_external,
        nodes=len(members),
        groups=len(data.groups),
        permutations=permutations,
        seed=seed,
        p_greater_se=_standard_error(table.loc["ei", "p_greater"], permutations),
        p_less_se=_standard_error(table.loc["ei", "p_less"], permutations),
        caveats=carried_caveats(attribute) + _permutation_caveats(table, permutations, seed),
        estimates=dict.fromkeys(
            TEST_COLUMNS if permutations else (),
            f"{permutations} random relabellings (seed {seed}); p-values ± "
            f"√(p(1−p)/{permutations})",
        ),
    )
    return table


def _standard_error(p: float, permutations: int) -> float:
    """The Monte Carlo standard error of a share `p` of `permutations` draws."""
    return float(np.sqrt(p * (1 - p) / permutations)) if permutations else float("nan")


def _permutation_caveats(table: pd.DataFrame, permutations: int, seed: int | None) -> list[str]:
    if permutations == 0:
        return []
    p = table.loc["ei", ["p_greater", "p_less"]].tolist()
    se = [_standard_error(x, permutations) for x in p]
    shown = [f"{x:.3f} ± {e:.3f}" for x, e in zip(p, se, strict=True)]
    return [
        f"置换检验的 p 值与均值、标准差、最小值、最大值为 {permutations} 次随机重排分组的估计"
        f"（种子 {seed}）；E-I 指数的 p_greater {shown[0]}、p_less {shown[1]}"
        f"（± 蒙特卡洛标准误 √(p(1−p)/{permutations})，p 为 0 或 1 时真值可达约 3/{permutations}）"
        f" the test's p-values, mean, sd, minimum and maximum are estimates from "
        f"{permutations} random relabellings of the groups (seed {seed}); the E-I index's "
        f"p_greater {shown[0]}, p_less {shown[1]} (± the Monte Carlo standard error "
        f"√(p(1−p)/{permutations}); at 0 or 1 the true value may reach about 3/{permutations})"
    ]


def _permutation_test(
    data: _Grouped,
    members: np.ndarray,
    permutations: int,
    seed: int | None,
    statistics: Callable[[np.ndarray], np.ndarray],
    observed: np.ndarray,
) -> pd.DataFrame:
    """Summaries of the statistics over random relabellings of the members' groups."""
    columns = list(TEST_COLUMNS)
    if permutations == 0:
        return pd.DataFrame(
            np.nan, index=pd.Index(EI_STATISTICS, name="statistic"), columns=columns
        )
    rng = np.random.default_rng(seed)
    position = np.full(data.S.n, -1, dtype=np.intp)
    position[members] = np.arange(len(members))
    source, target = position[data.source], position[data.target]
    # the smallest integer type holding the codes: the gathers below move far fewer bytes
    labels = data.codes[members].astype(np.min_scalar_type(-max(len(data.groups), 1)))
    weighted = data.S.weight is not None
    internal = np.empty(permutations)
    batch = permutation_batch(len(labels))
    for start in range(0, permutations, batch):
        # rows in C order, each shuffled in place in turn: the draws of one rng.permutation
        # of the members per row, whatever the batch
        shuffled = np.tile(labels, (min(batch, permutations - start), 1))
        rng.permuted(shuffled, axis=1, out=shuffled)
        for row, relabelled in enumerate(shuffled, start):  # a row's gathers beat a batch's
            same = relabelled[source] == relabelled[target]
            internal[row] = same @ data.strength if weighted else np.count_nonzero(same)
    drawn = statistics(internal)
    # the same value reached another way differs in the last bits: count it as equal
    slack = 1e-9 * max(1.0, float(np.nanmax(np.abs(drawn))))
    with np.errstate(invalid="ignore"):
        summary = np.column_stack(
            [
                drawn.mean(axis=0),
                drawn.std(axis=0),
                drawn.min(axis=0),
                drawn.max(axis=0),
                (drawn >= observed - slack).mean(axis=0),
                (drawn <= observed + slack).mean(axis=0),
            ]
        )
    return pd.DataFrame(summary, index=pd.Index(EI_STATISTICS, name="statistic"), columns=columns)


def permutation_batch(members: int) -> int:
    """Relabellings drawn at once by the permutation test: as many as keep
    ``batch × members`` labels within :data:`PERMUTATION_BUDGET`, at least one."""
    return max(1, PERMUTATION_BUDGET // max(members, 1))


def ei_groups(G: nx.Graph, attribute: Grouping, *, weight: str | None = None) -> pd.DataFrame:
    """The E-I index of each group: its links to other groups against its links inside.

    For group :math:`g`, :math:`I_g` counts the links between two of its members (each
    once) and :math:`E_g` the links from a member to a node of another group;
    :math:`\\mathrm{EI}_g = (E_g - I_g) / (E_g + I_g)` (Krackhardt & Stern 1988). Measured
    as :func:`ei_index`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``group`` (in the order first met in the graph): ``size`` (members),
        ``internal``, ``external`` (link counts, or strengths with `weight`), ``ei``
        (``NaN`` for a group without links). ``.attrs["caveats"]``: those of
        `attribute`.

    Raises
    ------
    NoTiesError
        As :func:`ei_index`.
    """
    data = _Grouped.of(G, attribute, weight)
    groups = len(data.groups)
    inside = data.internal
    ends = data.codes[data.source], data.codes[data.target]
    internal = np.bincount(ends[0][inside], weights=data.strength[inside], minlength=groups)
    external = sum(
        np.bincount(end[~inside], weights=data.strength[~inside], minlength=groups) for end in ends
    )
    sizes = np.bincount(data.codes[data.codes >= 0], minlength=groups)
    out = pd.DataFrame(
        {
            "size": sizes.astype(np.int64),
            "internal": internal,
            "external": external,
            "ei": _ei(external, internal),
        },
        index=data.groups,
    )
    out.attrs["caveats"] = carried_caveats(attribute)
    return out


def ei_nodes(G: nx.Graph, attribute: Grouping, *, weight: str | None = None) -> pd.DataFrame:
    """The E-I index of each node: its links to other groups against its links to its own.

    :math:`\\mathrm{EI}_v = (E_v - I_v) / (E_v + I_v)` with :math:`E_v` / :math:`I_v` the
    links (or strengths) from :math:`v` to nodes of another group / of its own group, among
    the nodes that have one — a node's heterophily. Measured as :func:`ei_index`.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id (the nodes with a group, in graph order): ``group``,
        ``internal``, ``external``, ``ei`` (``NaN`` for a node without links).
        ``.attrs["caveats"]``: those of `attribute`.

    Raises
    ------
    NoTiesError
        As :func:`ei_index`.
    """
    data = _Grouped.of(G, attribute, weight)
    n = data.S.n
    inside = data.internal
    ends = np.concatenate([data.source, data.target])
    strength = np.tile(data.strength, 2)
    same = np.tile(inside, 2)
    internal = np.bincount(ends[same], weights=strength[same], minlength=n)
    external = np.bincount(ends[~same], weights=strength[~same], minlength=n)
    members = np.flatnonzero(data.codes >= 0)
    out = pd.DataFrame(
        {
            "group": pd.Series(data.groups[data.codes[members]], dtype=object).to_numpy(),
            "internal": internal[members],
            "external": external[members],
            "ei": _ei(external[members], internal[members]),
        },
        index=node_index([data.S.nodes[i] for i in members]),
    )
    out.attrs["caveats"] = carried_caveats(attribute)
    return out
