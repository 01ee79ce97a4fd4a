"""Time: the network as it stood on a day, its growth per period, the ties changed."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._net import sorted_as_text, tie_table

_FREQUENCIES = {"year": "Y", "quarter": "Q", "month": "M"}


def _timestamp(value: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _active(ties: pd.DataFrame, day: pd.Timestamp) -> np.ndarray:
    """Ties holding on `day`: since ≤ day ≤ until, a missing end being open."""
    return (
        (ties["since"].isna() | (ties["since"] <= day))
        & (ties["until"].isna() | (ties["until"] >= day))
    ).to_numpy()


def as_of(G: nx.MultiDiGraph, date: dt.date | str, *, isolates: bool = False) -> nx.MultiDiGraph:
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
    ties = tie_table(G)
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


def growth(G: nx.Graph, freq: Literal["year", "quarter", "month"] = "year") -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (text: ``2019``, ``2019Q1``, ``2019-01``), ``type`` (each tie
        type, then ``all``), ``added``, ``ended``, ``active``; one row per period from the
        first to the last date in the ties, for every type.
    """
    if freq not in _FREQUENCIES:
        raise ValueError(f"unknown freq {freq!r}; use one of {', '.join(_FREQUENCIES)}")
    code = _FREQUENCIES[freq]
    ties = tie_table(G)
    columns = ["period", "type", "added", "ended", "active"]
    dates = pd.concat([ties["since"], ties["until"]]).dropna()
    if dates.empty:
        return pd.DataFrame(columns=columns)
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
    return pd.concat(frames, ignore_index=True)[columns]


def diff(G: nx.Graph, date1: dt.date | str, date2: dt.date | str) -> pd.DataFrame:
    """The ties added and ended between two dates.

    Parameters
    ----------
    G
        A co-building graph.
    date1, date2
        The earlier and the later day; a tie is ``added`` when it holds on `date2` but not
        on `date1`, ``ended`` when the other way round (see :func:`as_of`).

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``target``, ``type``, ``since``, ``until``, ``change``
        (``"added"`` or ``"ended"``), sorted by change, type, source, target.
    """
    ties = tie_table(G)
    first, second = _active(ties, _timestamp(date1)), _active(ties, _timestamp(date2))
    out = pd.concat(
        [
            ties[second & ~first].assign(change="added"),
            ties[first & ~second].assign(change="ended"),
        ],
        ignore_index=True,
    )
    out = out[["source", "target", "type", "since", "until", "change"]]
    return sorted_as_text(out, ["change", "type", "source", "target"]).reset_index(drop=True)
