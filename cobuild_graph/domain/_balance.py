"""Balance of units, branches, projects and positions over places, and its inequality."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._net import Net, named
from cobuild_graph.schema import Schema, schema_of


def balance(
    G: nx.Graph,
    *,
    level: str = "Street",
    band: float = 0.5,
    schema: Schema | None = None,
) -> pd.DataFrame:
    """Units, branches, projects and positions per place, against the mean.

    The counts are the schema's (:attr:`~cobuild_graph.schema.Schema.balance_counts`: column
    and the label counted). In the default schema a place counts the *distinct* nodes of
    each label tied directly to it or to a place below it: ``units`` ``ASSIGNED_TO`` the
    street or ``PAIRED_WITH`` it or one of its communities (a unit pairing with three
    communities of one street counts once there); ``branches`` ``EMBEDDED_IN`` it, its
    communities or grids; ``projects`` its communities or itself ``RUNS``; ``positions``
    ``LOCATED_IN`` it or below. A unit serving two streets counts in both.
    :func:`inequality` summarises the columns.

    Parameters
    ----------
    G
        A co-building graph.
    level
        The level of the places: ``"Street"``, ``"Community"``, ``"District"`` ...
    band
        A place is ``over``-served when its count is at least ``(1 + band)`` times the mean
        over places, ``under``-served when at most ``(1 - band)`` times it.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        One row per place at `level`, indexed by id: ``name``; ``communities`` (the number
        of communities below — places at the schema's coverage levels; only for levels
        above those); ``units``,
        ``branches``, ``projects``, ``positions``; for each of these ``{count}_ratio``
        (count / mean) and ``{count}_flag`` (``"over"``, ``"under"`` or ``""``).
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    reach = net.reach(level, labels=schema.balance_counts.values())
    counts = reach.groupby(["ancestor", "label"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(schema.balance_counts.values()), fill_value=0)
    counts.columns = list(schema.balance_counts)
    out = named(net, net.places(level), counts).fillna(0)
    covered_depths = [net.level_depth(covered) for covered in schema.coverage_levels]
    if net.level_depth(level) < min(covered_depths, default=-1):
        communities = net.covered_places()
        per = net.up(pd.Series(communities, index=communities, dtype=object), level)
        out.insert(1, "communities", per.value_counts().reindex(out.index, fill_value=0))
    for column in schema.balance_counts:
        out[column] = out[column].astype(int)
        mean = out[column].mean()
        ratio = out[column] / mean if mean > 0 else pd.Series(np.nan, index=out.index)
        out[f"{column}_ratio"] = ratio
        out[f"{column}_flag"] = np.select(
            [ratio >= 1 + band, ratio <= 1 - band], ["over", "under"], default=""
        )
    return out


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values.

    .. math:: G = \\frac{\\sum_i \\sum_j |x_i - x_j|}{2 n^2 \\bar{x}}

    computed from the sorted values as
    :math:`G = \\frac{2 \\sum_i i\\, x_{(i)}}{n \\sum_i x_i} - \\frac{n + 1}{n}`.
    0 when all are equal, :math:`(n-1)/n` when one place holds everything; ``NaN`` when the
    total is 0. Reference: Gini, C. (1912). *Variabilità e mutabilità*; Cowell, F. (2011).
    *Measuring Inequality*, 3rd ed., §2.

    Examples
    --------
    >>> gini([1, 1, 1, 1])
    0.0
    >>> gini([0, 0, 0, 4])
    0.75
    """
    x = np.sort(np.asarray(list(values), dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return float("nan")
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n)


def inequality(counts: pd.DataFrame | pd.Series, *, band: float = 0.5) -> pd.DataFrame:
    """How unevenly each count is spread over places.

    For each column :math:`x` over :math:`n` places with shares :math:`s_i = x_i / \\sum x`:
    Gini (see :func:`gini`); Herfindahl–Hirschman index :math:`HHI = \\sum_i s_i^2`
    (from :math:`1/n`, even, to 1, all in one place; Hirschman 1945, Herfindahl 1950);
    max/min ratio (``NaN`` when the least-served place has none: see ``zeros``);
    coefficient of variation (standard deviation over mean, population form).

    Parameters
    ----------
    counts
        Per-place counts, e.g. the ``units``, ``branches`` ... columns of :func:`balance`;
        non-numeric columns and the ``*_ratio`` columns are ignored.
    band
        As in :func:`balance`: how far from the mean a place is ``over`` / ``under``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``measure`` (the column), columns ``places``, ``total``, ``mean``,
        ``min``, ``max``, ``zeros``, ``gini``, ``hhi``, ``max_min_ratio``, ``cv``,
        ``over``, ``under``.
    """
    frame = counts.to_frame() if isinstance(counts, pd.Series) else counts
    columns = [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not str(c).endswith("_ratio")
    ]
    rows = {}
    for column in columns:
        x = frame[column].astype(float).to_numpy()
        total, mean = x.sum(), x.mean() if len(x) else np.nan
        ratio = x / mean if mean > 0 else np.full(len(x), np.nan)
        rows[column] = {
            "places": len(x),
            "total": total,
            "mean": mean,
            "min": x.min() if len(x) else np.nan,
            "max": x.max() if len(x) else np.nan,
            "zeros": int((x == 0).sum()),
            "gini": gini(x),
            "hhi": float(np.sum((x / total) ** 2)) if total > 0 else np.nan,
            "max_min_ratio": x.max() / x.min() if len(x) and x.min() > 0 else np.nan,
            "cv": x.std() / mean if mean > 0 else np.nan,
            "over": int((ratio >= 1 + band).sum()),
            "under": int((ratio <= 1 - band).sum()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "measure"
    return out
