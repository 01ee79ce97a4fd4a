"""Time: the network as it stood on a day, its growth per period, the ties changed.

Dates the data did not give in their own cell (a tie's ``since`` or ``until`` marked in its
:data:`~cobuild_graph.schema.INFERRED` attribute, e.g. the roster's year) are counted by
default; ``inferred_dates=False`` leaves out every tie with such a date. Each table states
how many of its dates are inferred in ``.attrs["inferred_dates"]`` (counts) and
``.attrs["caveats"]`` (sentences, Chinese then English).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._net import Net, sorted_as_text
from cobuild_graph.schema import INFERENCES, INFERRED, inferred_fields

_FREQUENCIES = {"year": "Y", "quarter": "Q", "month": "M"}
#: The dates the measures read, with their names in Chinese.
_DATES = {"since": "开始日期", "until": "结束日期"}


def _timestamp(value: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _active(ties: pd.DataFrame, day: pd.Timestamp) -> np.ndarray:
    """Ties holding on `day`: since ≤ day ≤ until, a missing end being open."""
    return (
        (ties["since"].isna() | (ties["since"] <= day))
        & (ties["until"].isna() | (ties["until"] >= day))
    ).to_numpy()


def _inferred(ties: pd.DataFrame) -> pd.DataFrame:
    """How each tie's ``since`` and ``until`` was inferred (a key of
    :data:`~cobuild_graph.schema.INFERENCES`); ``None`` where the date is given or missing."""
    marks = {v: inferred_fields(v) for v in ties[INFERRED].dropna().unique()}
    how = {}
    for end in _DATES:  # each distinct mark parsed once, then mapped
        found = ties[INFERRED].map({v: m.get(end) for v, m in marks.items()}).astype(object)
        how[end] = found.where(found.notna() & ties[end].notna(), None)
    return pd.DataFrame(how, index=ties.index)


def _dated_ties(G: nx.Graph, inferred_dates: bool) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The ties the measures read (all, or those without an inferred date), all the ties of
    `G`, and the ``attrs`` saying how many of their dates are inferred."""
    ties = Net.of(G).ties  # made once inside shared(): analyze's other tables read it too
    how = _inferred(ties)
    kept = ties if inferred_dates else ties[~how.notna().any(axis=1).to_numpy()]
    return kept, ties, _attrs(ties, how, inferred_dates)


def _attrs(ties: pd.DataFrame, how: pd.DataFrame, counted: bool) -> dict:
    """``inferred_dates``: per date, how many the ties have and how many are inferred, by
    how; whether they are counted; how many ties are left out. ``caveats``: the same as
    sentences, one per date and way of inferring it (none when nothing is inferred)."""
    left_out = 0 if counted else int(how.notna().any(axis=1).sum())
    counts: dict = {"counted": counted, "ties_left_out": left_out}
    caveats = []
    for end, zh in _DATES.items():
        dates = int(ties[end].notna().sum())
        by_how = {str(k): int(n) for k, n in how[end].value_counts().sort_index().items()}
        counts[end] = {"dates": dates, "inferred": by_how}
        for kind, n in by_how.items():
            zh_how = INFERENCES[kind].split(" ", 1)[0] if kind in INFERENCES else "推定"
            caveats.append(
                f"{dates} 个{zh}中 {n} 个{zh_how}，{'已计入' if counted else '未计入'} "
                f"{n} of {dates} {end} dates inferred ({kind}), "
                + ("counted" if counted else "left out")
            )
    if left_out:
        caveats.append(
            f"未计入有推定日期的 {left_out} 条关系 {left_out} ties with an inferred date left out"
        )
    return {"inferred_dates": counts, "caveats": caveats}


def as_of(
    G: nx.MultiDiGraph,
    date: dt.date | str,
    *,
    isolates: bool = False,
    inferred_dates: bool = True,
) -> nx.MultiDiGraph:
    """The network as it stood on `date`.

    A tie holds on a day when ``since ≤ day ≤ until``; a missing ``since`` or ``until`` is
    open (the tie held from the start, or holds still).

    Parameters
    ----------
    G
        A co-building graph.
    date
        The day, as a ``datetime.date`` or ISO text (``"2020-06-30"``).
    isolates
        ``False``: only the nodes of the ties that hold. ``True``: also every other node
        founded on or before `date` (or without a ``founded`` date).
    inferred_dates
        ``True``: a date marked inferred (:data:`~cobuild_graph.schema.INFERRED`, e.g. from
        the roster's year) counts as any other. ``False``: a tie whose ``since`` or
        ``until`` is inferred is left out, whatever the day: whether it held then rests on a
        date the data did not give (with `isolates`, its nodes may still come as isolates).

    Returns
    -------
    networkx.MultiDiGraph
        A new graph (a copy, with the attributes) of the ties that hold.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("u", "c", key="PAIRED_WITH", type="PAIRED_WITH",
    ...                since=dt.date(2019, 1, 1), until=dt.date(2020, 12, 31))
    >>> as_of(G, "2020-06-30").number_of_edges(), as_of(G, "2021-01-01").number_of_edges()
    (1, 0)
    """
    day = _timestamp(date)
    ties, _, _ = _dated_ties(G, inferred_dates)
    keep = _active(ties, day)
    if G.is_multigraph():
        edges = zip(ties["source"][keep], ties["target"][keep], ties["key"][keep], strict=True)
    else:
        edges = zip(ties["source"][keep], ties["target"][keep], strict=True)
    H = G.edge_subgraph(list(edges)).copy()
    if isolates:
        for node, founded in G.nodes(data="founded"):
            if node not in H and (founded is None or _timestamp(founded) <= day):
                H.add_node(node, **G.nodes[node])
    return H


def growth(
    G: nx.Graph,
    freq: Literal["year", "quarter", "month"] = "year",
    *,
    inferred_dates: bool = True,
) -> pd.DataFrame:
    """Ties added and ended per period and tie type, and how many hold at its end.

    A tie is added in the period of its ``since`` and ended in that of its ``until`` (its
    last day). ``active`` counts the ties holding on the last day of the period (as
    :func:`as_of`); ties without ``since`` hold from the start and are never counted as
    added.

    Parameters
    ----------
    G
        A co-building graph.
    freq
        ``"year"``, ``"quarter"`` or ``"month"``.
    inferred_dates
        ``True``: dates marked inferred (:data:`~cobuild_graph.schema.INFERRED`) count as
        any other. ``False``: a tie whose ``since`` or ``until`` is inferred is left out of
        every column: it is not added in the period of an inferred ``since`` (the roster's
        year), nor ended, nor active (as :func:`as_of` with ``inferred_dates=False``). The
        periods stay those of all the ties, so that both tables have the same rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (text: ``2019``, ``2019Q1``, ``2019-01``), ``type`` (each tie
        type, then ``all``), ``added``, ``ended``, ``active``; one row per period from the
        first to the last date in the ties, for every type. ``.attrs["inferred_dates"]``:
        for ``since`` and ``until``, how many ties have one (``dates``) and how many of
        these are inferred, by how (``inferred``), whether they are ``counted``, and
        ``ties_left_out``; ``.attrs["caveats"]``: the same as sentences, Chinese then
        English (empty when no date is inferred).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("u", "c", key="PAIRED_WITH", type="PAIRED_WITH",
    ...                since=dt.date(2020, 1, 1), inferred="since:roster_year")
    >>> _ = G.add_edge("v", "c", key="PAIRED_WITH", type="PAIRED_WITH",
    ...                since=dt.date(2020, 5, 4))
    >>> growth(G).loc[lambda t: t["type"] == "all", "added"].tolist()
    [2]
    >>> table = growth(G, inferred_dates=False)
    >>> table.loc[table["type"] == "all", "added"].tolist()
    [1]
    >>> print(table.attrs["caveats"][0])
    2 个开始日期中 1 个由名册年份推定，未计入 1 of 2 since dates inferred (roster_year), left out
    """
    if freq not in _FREQUENCIES:
        raise ValueError(f"unknown freq {freq!r}; use one of {', '.join(_FREQUENCIES)}")
    code = _FREQUENCIES[freq]
    ties, every, attrs = _dated_ties(G, inferred_dates)
    columns = ["period", "type", "added", "ended", "active"]
    dates = pd.concat([every["since"], every["until"]]).dropna()
    if dates.empty:
        out = pd.DataFrame(columns=columns)
        out.attrs.update(attrs)
        return out
    periods = pd.period_range(dates.min(), dates.max(), freq=code)
    last_days = periods.end_time.normalize()
    frames = []
    for kind, group in [*ties.groupby("type", sort=True), ("all", ties)]:
        added = group["since"].dropna().dt.to_period(code).value_counts()
        ended = group["until"].dropna().dt.to_period(code).value_counts()
        since = np.sort(group["since"].dropna().to_numpy())
        until = np.sort(group["until"].dropna().to_numpy())
        started = group["since"].isna().sum() + np.searchsorted(since, last_days, "right")
        gone = np.searchsorted(until, last_days.to_numpy(), "left")
        frames.append(
            pd.DataFrame(
                {
                    "period": periods.astype(str),
                    "type": kind,
                    "added": added.reindex(periods, fill_value=0).to_numpy(),
                    "ended": ended.reindex(periods, fill_value=0).to_numpy(),
                    "active": started - gone,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)[columns]
    out.attrs.update(attrs)
    return out


def diff(
    G: nx.Graph, date1: dt.date | str, date2: dt.date | str, *, inferred_dates: bool = True
) -> pd.DataFrame:
    """The ties added and ended between two dates.

    Parameters
    ----------
    G
        A co-building graph.
    date1, date2
        The earlier and the later day; a tie is ``added`` when it holds on `date2` but not
        on `date1`, ``ended`` when the other way round (see :func:`as_of`).
    inferred_dates
        ``False``: a tie whose ``since`` or ``until`` is inferred is left out, as in
        :func:`as_of`.

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``target``, ``type``, ``since``, ``until``, ``change``
        (``"added"`` or ``"ended"``), sorted by change, type, source, target;
        ``.attrs["inferred_dates"]`` and ``.attrs["caveats"]`` as in :func:`growth`.
    """
    ties, _, attrs = _dated_ties(G, inferred_dates)
    first, second = _active(ties, _timestamp(date1)), _active(ties, _timestamp(date2))
    out = pd.concat(
        [
            ties[second & ~first].assign(change="added"),
            ties[first & ~second].assign(change="ended"),
        ],
        ignore_index=True,
    )
    out = out[["source", "target", "type", "since", "until", "change"]]
    out = sorted_as_text(out, ["change", "type", "source", "target"]).reset_index(drop=True)
    out.attrs.update(attrs)
    return out
