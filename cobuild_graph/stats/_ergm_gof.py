"""Goodness of fit of an ERGM: the observed network among networks simulated from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from cobuild_graph.stats._ergm_network import Network
from cobuild_graph.stats._ergm_plot import plot_ergm_gof

if TYPE_CHECKING:
    from cobuild_graph.stats._ergm import ERGMFit

#: The geodesic row of pairs that no path joins.
UNREACHABLE = "inf"


@dataclass(frozen=True)
class ERGMGof:
    """Each measure of the observed network beside its distribution in simulations.

    Attributes
    ----------
    tables
        Measure → DataFrame indexed by value (a degree, a number of shared partners, a
        distance, ``"inf"`` for unreachable pairs) with ``observed``, ``min``, ``mean``,
        ``max`` of the simulated counts and ``p`` (statnet's: twice the smaller share of
        simulations at or beyond the observed count on either side, at most 1).
    simulated
        Measure → simulations × values: the counts behind the tables.
    """

    tables: dict[str, pd.DataFrame]
    simulated: dict[str, np.ndarray]

    def plot(self, *, max_value: int = 20, axes: Any = None) -> Any:
        """Box plots of the simulated counts, the observed ones as a line: see
        :func:`cobuild_graph.stats.plot_ergm_gof`."""
        return plot_ergm_gof(self, max_value=max_value, axes=axes)


def ergm_gof(fit: ERGMFit, *, nsim: int = 100, seed: int | None = None) -> ERGMGof:
    """Goodness of fit of `fit` (statnet's ``gof``).

    `nsim` networks are simulated from the estimate (:meth:`ERGMFit.simulate`, one
    chain, the fit's interval), and the measures that a model's terms do not fix are
    compared: for a one-mode network the degree distribution (in- and out-degree when
    directed), the edgewise shared partners and the geodesic distances; for a two-mode
    network the degrees of each mode and the geodesics.

    Parameters
    ----------
    fit
        A fitted model.
    nsim
        Simulated networks.
    seed
        Seed of the simulation.

    Returns
    -------
    ERGMGof
    """
    sampler = fit._sampler()
    draw = sampler.run(
        fit.theta,
        fit.net.ties,
        fit.observed.to_numpy(),
        burnin=fit.settings.burnin,
        interval=fit.settings.interval,
        size=nsim,
        rng=np.random.default_rng(seed),
        keep=True,
    )
    assert draw.networks is not None
    observed = measures(fit.net, fit.net.ties)
    simulations = [measures(fit.net, ties) for ties in draw.networks]
    tables: dict[str, pd.DataFrame] = {}
    simulated: dict[str, np.ndarray] = {}
    for name, counts in observed.items():
        if name == "unreachable":
            continue
        width = max(len(counts), *(len(s[name]) for s in simulations))
        obs = _padded(counts, width)
        sims = np.array([_padded(s[name], width) for s in simulations])
        index: list[Any] = list(range(width))
        if name == "distance":
            index = [*range(1, width), UNREACHABLE]
            obs = np.append(obs[1:], observed["unreachable"][0])
            sims = np.column_stack([sims[:, 1:], [s["unreachable"][0] for s in simulations]])
        tables[name] = _table(obs, sims, index)
        simulated[name] = sims
    return ERGMGof(tables, simulated)


def measures(net: Network, ties: np.ndarray) -> dict[str, np.ndarray]:
    """Counts per value of each measure of the network `ties` (degrees, shared
    partners, geodesic distances; ``unreachable``: pairs no path joins)."""
    rows, cols = (end[ties] for end in net.ends())
    n = net.n
    ones = np.ones(len(ties))
    A = sparse.csr_matrix((ones, (rows, cols)), shape=(n, n))
    out: dict[str, np.ndarray] = {}
    if net.bipartite:
        degree = np.bincount(rows, minlength=n) + np.bincount(cols, minlength=n)
        out["b1degree"] = np.bincount(degree[: net.n1])
        out["b2degree"] = np.bincount(degree[net.n1 :])
    elif net.directed:
        out["idegree"] = np.bincount(np.bincount(cols, minlength=n))
        out["odegree"] = np.bincount(np.bincount(rows, minlength=n))
    else:
        out["degree"] = np.bincount(np.bincount(rows, minlength=n) + np.bincount(cols, minlength=n))
    if not net.directed and not net.bipartite:
        S = A + A.T
        shared = np.asarray((S @ S)[rows, cols]).ravel().astype(int)
        out["espartners"] = np.bincount(shared, minlength=1)
    graph = A if net.directed else A + A.T
    distances = csgraph.shortest_path(graph, directed=net.directed, unweighted=True)
    off = ~np.eye(n, dtype=bool) if net.directed else np.triu(np.ones((n, n), dtype=bool), 1)
    values = distances[off]
    finite = np.isfinite(values)
    out["distance"] = np.bincount(values[finite].astype(int), minlength=1)
    out["unreachable"] = np.array([int((~finite).sum())])
    return out


def _padded(counts: np.ndarray, width: int) -> np.ndarray:
    return np.pad(counts, (0, width - len(counts)))


def _table(observed: np.ndarray, simulated: np.ndarray, index: list[Any]) -> pd.DataFrame:
    below = (simulated <= observed).mean(axis=0)
    above = (simulated >= observed).mean(axis=0)
    return pd.DataFrame(
        {
            "observed": observed,
            "min": simulated.min(axis=0),
            "mean": simulated.mean(axis=0),
            "max": simulated.max(axis=0),
            "p": np.minimum(1.0, 2 * np.minimum(below, above)),
        },
        index=pd.Index(index, name="value"),
    )
