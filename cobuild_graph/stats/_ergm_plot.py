"""Charts of an ERGM: goodness of fit and MCMC traces, titled in Chinese and English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from cobuild_graph._style import register_font

if TYPE_CHECKING:
    from cobuild_graph.stats._ergm import ERGMFit
    from cobuild_graph.stats._ergm_gof import ERGMGof


#: What each measure counts, Chinese first (the titles of :func:`plot_ergm_gof`).
MEASURES: dict[str, str] = {
    "degree": "度 degree",
    "idegree": "入度 in-degree",
    "odegree": "出度 out-degree",
    "b1degree": "第一模度 b1 degree",
    "b2degree": "第二模度 b2 degree",
    "espartners": "边共享伙伴 edgewise shared partners",
    "distance": "测地距离 geodesic distance",
}


def plot_ergm_gof(
    gof: ERGMGof, *, max_value: int = 20, axes: Sequence[Axes] | None = None
) -> tuple[Figure, np.ndarray]:
    """One panel per measure: box plots of the simulated counts at each value (up to
    `max_value`, and unreachable pairs), the observed counts as a black line.

    Parameters
    ----------
    gof
        From :func:`cobuild_graph.stats.ergm_gof`.
    max_value
        The largest degree, number of shared partners or distance shown.
    axes
        One axes per measure (a new figure, one row, when ``None``).

    Returns
    -------
    (matplotlib.figure.Figure, numpy.ndarray of Axes)
    """
    names = list(gof.tables)
    fig, panels = _panels(axes, len(names), (4.2 * len(names), 3.6), rows=1)
    for ax, name in zip(panels, names, strict=True):
        table = gof.tables[name]
        keep = [k for k, v in enumerate(table.index) if not isinstance(v, int) or v <= max_value]
        sims = gof.simulated[name][:, keep]
        positions = np.arange(len(keep))
        ax.boxplot(sims, positions=positions, widths=0.6, showfliers=False)
        ax.plot(positions, table["observed"].to_numpy()[keep], "k-o", markersize=3)
        ax.set_xticks(positions, [str(v) for v in table.index[keep]], fontsize=7)
        ax.set_title(MEASURES[name])
        ax.set_ylabel("计数 count")
    fig.suptitle("拟合优度：观测（黑线）与模拟 goodness of fit: observed (line) and simulated")
    _chinese(fig)
    return fig, panels


def plot_ergm_traces(
    fit: ERGMFit, *, axes: Sequence[Axes] | None = None
) -> tuple[Figure, np.ndarray]:
    """The last MCMC sample of every statistic, minus its observed value, chain by chain
    (statnet's ``mcmc.diagnostics`` traces): flat bands around 0 that overlap.

    Parameters
    ----------
    fit
        A model fitted by MCMC.
    axes
        One axes per statistic (a new figure, one column, when ``None``).

    Returns
    -------
    (matplotlib.figure.Figure, numpy.ndarray of Axes)

    Raises
    ------
    ValueError
        If the model was fitted without MCMC.
    """
    if fit.mcmc is None:
        raise ValueError("该模型未用 MCMC 拟合 the model was fitted without MCMC: no traces")
    names = list(fit.observed.index)
    fig, panels = _panels(axes, len(names), (7, 1.6 * len(names) + 0.6), rows=len(names))
    for k, (ax, name) in enumerate(zip(panels, names, strict=True)):
        for chain, sample in enumerate(fit.mcmc.samples):
            ax.plot(sample[:, k] - fit.observed.iloc[k], lw=0.6, label=f"链 chain {chain + 1}")
        ax.axhline(0, color="k", lw=0.8)
        ax.set_title(name, fontsize=9, loc="left")
    panels[0].legend(fontsize=7, loc="upper right")
    panels[-1].set_xlabel("抽样序号 sample")
    fig.suptitle("MCMC 轨迹：模拟统计量减观测值 MCMC traces: simulated minus observed")
    _chinese(fig)
    return fig, panels


def _panels(
    axes: Sequence[Axes] | None, count: int, size: tuple[float, float], rows: int
) -> tuple[Figure, np.ndarray]:
    """The given `axes` and their figure, or a new figure of `count` panels in `rows`."""
    if axes is None:
        fig, grid = plt.subplots(
            rows, count // rows, figsize=size, layout="constrained", squeeze=False
        )
        return fig, grid.ravel()
    panels = np.asarray(axes, dtype=object).ravel()
    if len(panels) != count:
        raise ValueError(f"需要 {count} 个子图 {count} axes are needed, not {len(panels)}")
    return panels[0].figure, panels


def _chinese(fig: Figure) -> None:
    """Every text of `fig` in the package's Chinese font."""
    family = register_font()
    for text in fig.findobj(Text):
        text.set_fontfamily([family, "sans-serif"])
