"""Exponential random graph models: :func:`ergm` fits one, :class:`ERGMFit` holds it."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import optimize, special
from scipy import stats as scipy_stats

from cobuild_graph.stats._ergm_formula import TermCall, parse
from cobuild_graph.stats._ergm_gof import ERGMGof, ergm_gof
from cobuild_graph.stats._ergm_mcmle import (
    MCMLEResult,
    Settings,
    effective_sizes,
    mcmle,
    pool_for,
    r_hat,
    run_chains,
)
from cobuild_graph.stats._ergm_network import Network, network
from cobuild_graph.stats._ergm_plot import plot_ergm_traces
from cobuild_graph.stats._ergm_sampler import Sampler, TooDenseError
from cobuild_graph.stats._ergm_terms import Statistic, change_matrix, observed, statistics
from cobuild_graph.stats._logit import logit

#: The columns of :attr:`ERGMFit.table`, as statnet's ``summary()`` shows them.
COLUMNS = ("estimate", "std_error", "mcmc_pct", "z", "p")


@dataclass(frozen=True, eq=False)
class ERGMFit:
    """A fitted ERGM: its table, and what :meth:`simulate`, :meth:`gof` and
    :meth:`diagnostics` need.

    Attributes
    ----------
    table
        One row per statistic (index ``term``, statnet's names: ``edges``,
        ``nodematch.unit_type``, ``gwesp.fixed.0.5`` ...), with the columns of
        :data:`COLUMNS` and ``chain_sd`` (see :func:`ergm`); ``attrs`` hold the fit.
    observed
        The statistics of the observed network.
    """

    table: pd.DataFrame
    observed: pd.Series
    terms: tuple[TermCall, ...]
    net: Network
    stats: tuple[Statistic, ...]
    settings: Settings
    mcmc: MCMLEResult | None
    proposal: np.ndarray  # the dyads' proposal probabilities (see _ergm_sampler)

    @property
    def theta(self) -> np.ndarray:
        """The estimates (``-inf`` for a statistic fixed at its bound)."""
        return self.table["estimate"].to_numpy()

    def _sampler(self) -> Sampler:
        """A sampler of this model's networks."""
        return Sampler(self.net, list(self.stats), cap=self.net.size + 1, proposal=self.proposal)

    def simulate(
        self,
        nsim: int = 100,
        *,
        seed: int | None = None,
        interval: int | None = None,
        burnin: int | None = None,
        output: Literal["network", "stats"] = "network",
    ) -> list[nx.Graph] | pd.DataFrame:
        """Networks drawn from the fitted model (statnet's ``simulate``).

        One chain from the observed network, `burnin` proposals, then one network every
        `interval` proposals (both default to the fit's).

        Parameters
        ----------
        nsim
            How many networks.
        seed
            Seed of the chain: the same seed gives the same networks.
        interval, burnin
            Proposals between networks, and before the first.
        output
            ``"network"``: networkx graphs (the nodes and their attributes, ``bipartite``
            for a two-mode network); ``"stats"``: a DataFrame of their statistics.

        Returns
        -------
        list of networkx.Graph or pandas.DataFrame
        """
        draw = self._sampler().run(
            self.theta,
            self.net.ties,
            self.observed.to_numpy(),
            burnin=self.settings.burnin if burnin is None else burnin,
            interval=self.settings.interval if interval is None else interval,
            size=nsim,
            rng=np.random.default_rng(seed),
            keep=output == "network",
        )
        if output == "stats":
            return pd.DataFrame(draw.stats, columns=self.observed.index)
        assert draw.networks is not None
        return [self.net.graph(ties) for ties in draw.networks]

    def diagnostics(self) -> pd.DataFrame:
        """The last MCMC sample, statistic by statistic (statnet's ``mcmc.diagnostics``).

        Returns
        -------
        pandas.DataFrame
            Indexed by statistic: ``observed``, ``sample_mean`` (over every chain, at the
            parameter of the last iteration), ``difference``, ``effective_size`` (from
            the autocorrelation), ``r_hat`` (split-R̂ of the chains; near 1 when they agree).
            Empty for a model fitted without MCMC.
        """
        if self.mcmc is None:
            return pd.DataFrame(
                columns=["observed", "sample_mean", "difference", "effective_size", "r_hat"]
            )
        pooled = np.concatenate(self.mcmc.samples)
        table = pd.DataFrame(
            {
                "observed": self.observed.to_numpy(),
                "sample_mean": pooled.mean(axis=0),
                "difference": pooled.mean(axis=0) - self.observed.to_numpy(),
                "effective_size": effective_sizes(self.mcmc.samples),
                "r_hat": r_hat(self.mcmc.samples),
            },
            index=self.observed.index,
        )
        table.attrs["chains"] = len(self.mcmc.samples)
        table.attrs["p_convergence"] = self.mcmc.p_convergence
        return table

    def plot_traces(self, *, axes: Sequence[Axes] | None = None) -> tuple[Figure, np.ndarray]:
        """The chains' last samples: see :func:`cobuild_graph.stats.plot_ergm_traces`."""
        return plot_ergm_traces(self, axes=axes)

    def gof(self, nsim: int = 100, *, seed: int | None = None) -> ERGMGof:
        """Goodness of fit: see :func:`cobuild_graph.stats.ergm_gof`."""
        return ergm_gof(self, nsim=nsim, seed=seed)


def ergm(
    G: nx.Graph,
    formula: str | Sequence[Any],
    *,
    view: str | None = None,
    level: str | None = None,
    attributes: pd.DataFrame | None = None,
    covariates: Mapping[str, Any] | None = None,
    directed: bool | None = None,
    bipartite: bool | None = None,
    b1: Any = None,
    estimate: Literal["MLE", "MPLE"] = "MLE",
    chains: int = 2,
    samplesize: int = 1024,
    interval: int = 1024,
    burnin: int | None = None,
    iterations: int = 20,
    bridges: int = 8,
    n_jobs: int = 1,
    seed: int | None = None,
) -> ERGMFit:
    """Fit an exponential random graph model, as R's ``ergm`` (statnet) fits it.

    The model says how likely each network is, given statistics of it (its terms)
    and their coefficients θ: ``P(Y = y) ∝ exp(θ · g(y))``. A positive coefficient
    means networks with more of that statistic are likelier: more ties between units
    of one type (``nodematch``), more ties to popular communities (``gwb2degree``
    below zero), more closure (``gwesp``), holding the other terms fixed.

    Estimation follows statnet:

    - the maximum pseudo-likelihood estimate (MPLE): a logistic regression of the
      dyads' ties on their change statistics. When every term is dyad-independent
      (``edges``, the attribute terms, ``edgecov``) it is the exact maximum likelihood
      estimate, and equals a logistic regression on the dyads.
    - otherwise, from the MPLE, MCMC maximum likelihood: Geyer–Thompson steps with
      Hummel step lengths, networks sampled by Metropolis–Hastings with tie/no-tie
      (TNT) proposals in `chains` chains (the dyad half of each proposal drawn half
      uniformly, half by the MPLE's tie probabilities, which speeds the mixing of rare
      but often-tied dyads and leaves the target unchanged); standard errors with the
      MCMC error (Hunter & Handcock 2006); a convergence test (Hotelling's, on the last
      sample).

    A statistic whose observed value is at its lower bound (no tie of that kind — an
    empty cell) has no finite estimate: it is fixed at ``-inf``, with a warning, and
    the networks considered have none of it, as statnet does.

    Parameters
    ----------
    G
        The network: any networkx graph, or a co-building graph with `view`. A graph
        whose nodes all carry ``bipartite`` (two values) is two-mode.
    formula
        A statnet formula, ``"edges + nodematch('unit_type', diff=TRUE) +
        gwesp(0.5, fixed=TRUE)"``, or a list of terms (strings, or tuples
        ``(name, *args, {kwargs})``). The terms:

        - ``edges``;
        - one-mode: ``nodematch(attr, diff=FALSE)``, ``nodefactor(attr, base=1)``,
          ``nodecov(attr)``, ``absdiff(attr)``;
        - two-mode: ``b1factor(attr, base=1)``, ``b2factor``, ``b1cov(attr)``,
          ``b2cov``, ``b1nodematch(attr)`` (pairs of b1 nodes that share a b2 node
          and an attribute value);
        - structural: ``triangle``, ``kstar(k)``, ``gwesp(decay, fixed=TRUE)``,
          ``gwdegree(decay, fixed=TRUE)`` (undirected), ``gwb1degree``,
          ``gwb2degree`` (two-mode), ``mutual`` (directed);
        - ``edgecov(name)``: the dyadic covariate `covariates[name]`.
    view, level
        With a co-building graph: fit the network of this view
        (:func:`cobuild_graph.views.view`, e.g. ``"two_mode"``, the units × communities
        network, whose units are the first mode ``b1`` and the places ``b2``); the node
        attributes are read from `G`.
    attributes
        Node attributes (a DataFrame indexed by node, one column per attribute), added
        to or replacing those on the nodes.
    covariates
        Name → dyadic matrix, as :func:`cobuild_graph.stats.mrqap` takes them: square
        over the nodes, a DataFrame labelled by node id or an array in node order (e.g.
        :func:`cobuild_graph.stats.same_matrix` of the street); for a two-mode network
        also b1 × b2.
    directed
        One-mode networks: ``None`` follows the graph.
    bipartite
        ``None``: two-mode when every node has a ``bipartite`` attribute of two values.
    b1
        The ``bipartite`` value of the first mode (statnet's actors): ``1`` (the units)
        for the ``two_mode`` view, else the smaller value.
    estimate
        ``"MLE"`` (MCMC-MLE when a term is dyad-dependent) or ``"MPLE"`` (only the
        pseudo-likelihood; its standard errors are too small for dyad-dependent models).
    chains
        Markov chains, each from the observed network with its own seed.
    samplesize
        Networks sampled per iteration over all chains (statnet's
        ``MCMC.samplesize``).
    interval
        Proposals between sampled networks (``MCMC.interval``).
    burnin
        Proposals before the first sample (default ``16 * interval``; a quarter of it in
        later iterations, which go on from where the chains stopped).
    iterations
        The most MCMC-MLE iterations.
    bridges
        Bridge samples for the log-likelihood of a dyad-dependent model (its AIC and
        BIC), from the dyad-independent part of the model; 0 leaves them out.
    n_jobs
        Threads that run the chains at once: ``1`` one at a time, ``-1`` one per CPU
        this process may use, ``-2`` all but one (as in :func:`cobuild_graph.analysis.analyze`).
    seed
        Seed of every chain: the same seed gives the same estimates.

    Returns
    -------
    ERGMFit
        Its ``table`` is indexed by ``term``, with ``estimate``, ``std_error``, ``mcmc_pct`` (as
        statnet's ``MCMC %``: the part of the standard error that the MCMC adds, in percent of the
        whole), ``z``, ``p`` (two-sided, normal) and ``chain_sd`` (the standard deviation across
        chains of the estimate each chain's last sample gives alone: the spread across seeds).
        ``attrs``: ``method``, ``n_dyads``, ``n_ties`` (several ties between two nodes count once),
        ``self_ties_left_out``, ``loglik``, ``aic``, ``bic``, ``iterations``, ``step_lengths``,
        ``converged``, ``p_convergence``, ``chains``, ``acceptance`` (the share of proposals the
        sampler accepted, MCMC fits), ``fixed`` (statistics at ``-inf``), ``seed``.

    Raises
    ------
    ValueError
        For an unknown term or attribute, a statistic that never varies, a logistic
        regression that does not converge (a term separates ties from non-ties), and a
        degenerate model (the sampled networks run away to full or empty ones).

    Examples
    --------
    >>> F = nx.florentine_families_graph()
    >>> fit = ergm(F, "edges")
    >>> round(float(fit.table.loc["edges", "estimate"]), 4)
    -1.4469
    """
    if chains < 1 or samplesize < chains or interval < 1 or iterations < 1:
        raise ValueError("chains, interval and iterations must be ≥ 1, samplesize ≥ chains")
    if estimate not in ("MLE", "MPLE"):
        raise ValueError(f"estimate must be 'MLE' or 'MPLE', not {estimate!r}")
    H, attributes = _network_of(G, view, level, attributes)
    net = network(
        H,
        attributes=attributes,
        covariates=covariates,
        directed=directed,
        bipartite=bipartite,
        b1=b1,
    )
    terms = parse(formula)
    stats = statistics(net, terms)
    names = [s.name for s in stats]
    g = observed(net, stats, net.ties)
    y = net.observed()
    X = change_matrix(net, stats, y)
    fixed = _fixed(stats, g, X)
    free = np.flatnonzero(~fixed)
    settings = Settings(
        chains=chains,
        size=math.ceil(samplesize / chains),
        interval=interval,
        burnin=16 * interval if burnin is None else burnin,
        iterations=iterations,
        n_jobs=n_jobs,
    )
    theta = np.full(len(stats), -np.inf)
    mple, mple_se, deviance = _mple(X, y, fixed, names)
    theta[free] = mple
    independent = np.array([s.column is not None for s in stats])
    proposal = _proposal(X, theta, fixed, independent)
    dependent = any(s.dependent is not None for s in stats)
    attrs: dict[str, Any] = {
        "n_dyads": net.size,
        "n_ties": len(net.ties),
        "self_ties_left_out": net.self_ties,
        "fixed": [names[k] for k in np.flatnonzero(fixed)],
        "seed": seed,
    }
    result = None
    if not dependent or estimate == "MPLE":
        se = mple_se
        mcmc_pct = np.zeros(len(free))
        chain_sd = np.full(len(free), np.nan)
        attrs["method"] = "MPLE" if dependent else "MLE (MPLE, exact: dyad-independent)"
        loglik = -deviance / 2 if not dependent else math.nan
        attrs.update(iterations=0, step_lengths=[], converged=True, p_convergence=math.nan)
        attrs["chains"] = 0
    else:
        sampler = Sampler(net, stats, cap=_cap(net), proposal=proposal)
        sequence = np.random.SeedSequence(seed)
        result = mcmle(sampler, theta, g, free, settings, sequence)
        theta = result.theta
        total = result.covariance + result.mcmc_covariance
        se = np.sqrt(np.diag(total))
        # statnet's MCMC %: the part of the standard error the MCMC adds, of the whole
        mcmc_pct = 100 * (se - np.sqrt(np.diag(result.covariance))) / se
        chain_sd = (
            result.chain_estimates.std(axis=0, ddof=1) if chains > 1 else np.full(len(free), np.nan)
        )
        attrs.update(
            method="MCMC-MLE",
            iterations=result.iterations,
            step_lengths=result.step_lengths,
            converged=result.converged,
            p_convergence=result.p_convergence,
            chains=chains,
            acceptance=result.acceptance,
        )
        if not result.converged:
            warnings.warn(
                f"MCMC-MLE 未收敛（{result.iterations} 次迭代，收敛检验 p = "
                f"{result.p_convergence:.3g}）the MCMC-MLE did not converge in "
                f"{result.iterations} iterations (convergence test p = "
                f"{result.p_convergence:.3g}): raise iterations=, samplesize= or "
                "interval=",
                UserWarning,
                stacklevel=2,
            )
        loglik = _loglik(sampler, theta, g, stats, fixed, settings, bridges, sequence)
    k = len(free)
    attrs["loglik"] = loglik
    attrs["aic"] = -2 * loglik + 2 * k
    attrs["bic"] = -2 * loglik + k * math.log(net.size)
    table = _table(names, theta, free, se, mcmc_pct, chain_sd)
    table.attrs = attrs
    return ERGMFit(
        table,
        pd.Series(g, index=pd.Index(names, name="term"), name="observed"),
        tuple(terms),
        net,
        tuple(stats),
        settings,
        result,
        proposal,
    )


def _network_of(
    G: nx.Graph, view: str | None, level: str | None, attributes: pd.DataFrame | None
) -> tuple[nx.Graph, pd.DataFrame | None]:
    if view is None:
        return G, attributes
    from cobuild_graph.views import view as make_view  # views import the metrics

    H = make_view(G, view, level=level)
    own = pd.DataFrame.from_dict(
        {v: {k: x for k, x in G.nodes[v].items() if k != "bipartite"} for v in H},
        orient="index",
    )
    if attributes is not None:
        for column in attributes.columns:
            own[column] = attributes[column].reindex(own.index)
    return H, own


def _fixed(stats: list[Statistic], g: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Which statistics sit at their lower bound (fixed at ``-inf``, with a warning)."""
    fixed = np.zeros(len(stats), dtype=bool)
    for k, s in enumerate(stats):
        if not (X[:, k] != 0).any():
            raise ValueError(
                f"统计量 {s.name} 在任何二元组上都不变 the statistic {s.name} is 0 on every "
                "dyad: it cannot be estimated; leave the term out"
            )
        if s.bounded and g[k] == 0:
            fixed[k] = True
    if fixed.any():
        names = [stats[k].name for k in np.flatnonzero(fixed)]
        warnings.warn(
            f"观测统计量 {names} 处于最小可能值，其系数固定为 -∞ the observed statistics "
            f"{names} are at their smallest attainable values: their coefficients are fixed "
            "at -Inf, and no network with one of them is considered (as statnet does)",
            UserWarning,
            stacklevel=3,
        )
    return fixed


def _mple(
    X: np.ndarray, y: np.ndarray, fixed: np.ndarray, names: list[str]
) -> tuple[np.ndarray, np.ndarray, float]:
    """The MPLE of the free statistics, its standard errors and deviance, on the dyads
    the fixed statistics allow."""
    allowed = ~(X[:, fixed] > 0).any(axis=1)
    design = X[allowed][:, ~fixed]
    free_names = [n for n, f in zip(names, fixed, strict=True) if not f]
    for j in range(design.shape[1]):
        if np.linalg.matrix_rank(design[:, : j + 1]) <= j:
            raise ValueError(
                f"统计量 {free_names[j]} 与前面的项共线 the statistic {free_names[j]} is a "
                f"linear combination of {free_names[:j]} over the dyads: leave it out"
            )
    if _separated(design, y[allowed]):
        raise ValueError(
            "伪似然估计不存在：各项把有关系与无关系的二元组分开 the pseudo-likelihood estimate "
            "does not exist: the terms separate tied from untied dyads (e.g. every dyad of a "
            "kind tied, or none), so the estimates run off to infinity; leave a term out"
        )
    fit = logit(design.T, y[allowed][None, :])
    estimate = fit.estimate[0]
    # standard errors from the information at the estimate itself (R's glm takes the
    # weights of its last step, which differ in the sixth digit)
    p = special.expit(design @ estimate)
    information = (design * (p * (1 - p))[:, None]).T @ design
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(np.linalg.pinv(information)))
    if not fit.converged[0] or not (np.isfinite(se) & (se > 0)).all():
        raise ValueError(
            "伪似然估计不收敛：某项把有关系与无关系的二元组完全分开 the pseudo-likelihood "
            "did not converge: a term separates tied from untied dyads (a statistic at its "
            "largest value, e.g. every dyad of a kind tied); leave it out"
        )
    return estimate, se, float(fit.deviance[0])


def _separated(design: np.ndarray, y: np.ndarray) -> bool:
    """Whether some direction b ≠ 0 has ``x·b ≥ 0`` on every tie and ``≤ 0`` on every
    non-tie, some strictly: then the logistic likelihood grows without end along b and no
    estimate exists (Albert & Anderson 1984), found by a linear programme (Konis 2007)."""
    signed = np.unique(np.where(y[:, None] > 0, design, -design), axis=0)
    found = optimize.linprog(
        -signed.sum(axis=0),
        A_ub=-signed,
        b_ub=np.zeros(len(signed)),
        bounds=[(-1, 1)] * design.shape[1],
        method="highs",
    )
    scale = max(float(np.abs(signed).max()), 1.0)
    return found.status == 0 and -found.fun > 1e-7 * scale * len(signed)


def _proposal(
    X: np.ndarray, theta: np.ndarray, fixed: np.ndarray, independent: np.ndarray
) -> np.ndarray:
    """The dyads' proposal probabilities: half uniform, half the tie probabilities under
    the MPLE `theta` (given the observed network), none where a dyad-independent
    statistic fixed at ``-inf`` would grow (a dependent one is refused by the sampler,
    wherever the network has moved)."""
    allowed = ~(X[:, fixed & independent] > 0).any(axis=1)
    eta = X[:, ~fixed] @ theta[~fixed]
    tie = np.where(allowed & ~(X[:, fixed] > 0).any(axis=1), special.expit(eta), 0.0)
    uniform = allowed / allowed.sum()
    return 0.5 * uniform + 0.5 * tie / tie.sum()


def _cap(net: Network) -> int:
    """Ties past which a chain is degenerate: ten times the observed (at least 100)."""
    return max(10 * len(net.ties), 100)


def _loglik(
    sampler: Sampler,
    theta: np.ndarray,
    g: np.ndarray,
    stats: list[Statistic],
    fixed: np.ndarray,
    settings: Settings,
    bridges: int,
    seed: np.random.SeedSequence,
) -> float:
    """The log-likelihood at `theta` by path sampling from its dyad-independent part.

    The reference ``θ₀`` keeps the dyad-independent coefficients and sets the
    dependent ones to 0: its normalising constant is ``Σ log(1 + e^{θ₀·x_d})``. Along
    ``θ(s) = θ₀ + s (θ − θ₀)``, ``log Z(θ) − log Z(θ₀) = ∫ (θ − θ₀) · E_{θ(s)} g ds``,
    by the midpoint rule over `bridges` samples. ``nan`` when `bridges` is 0 or a
    dependent statistic is fixed at ``-inf``.
    """
    dependent = np.array([s.dependent is not None for s in stats])
    if bridges < 1 or (fixed & dependent).any():
        return math.nan
    reference = np.where(dependent, 0.0, theta)
    eta = sampler.eta(reference, list(np.flatnonzero(~dependent)))
    allowed = np.isfinite(eta)
    log_z = float(np.logaddexp(0, eta[allowed]).sum())
    difference = np.where(dependent, theta, 0.0)
    bridge_settings = Settings(1, max(settings.size // 4, 16), settings.interval, 0, 1, 1)
    points = [reference + (k + 0.5) / bridges * difference for k in range(bridges)]
    pool = pool_for(settings.n_jobs)
    try:
        draws = run_chains(
            sampler,
            points,
            [(sampler.net.ties, g)] * bridges,
            bridge_settings,
            settings.burnin,
            seed.spawn(bridges),
            pool,
        )
    except TooDenseError:
        return math.nan
    finally:
        if pool is not None:
            pool.shutdown()
    means = [d.stats.mean(axis=0) for d in draws]
    log_z += float(np.mean([difference @ m for m in means]))
    finite = np.isfinite(theta)
    return float(theta[finite] @ g[finite]) - log_z


def _table(
    names: list[str],
    theta: np.ndarray,
    free: np.ndarray,
    se: np.ndarray,
    mcmc_pct: np.ndarray,
    chain_sd: np.ndarray,
) -> pd.DataFrame:
    def spread(values: np.ndarray) -> np.ndarray:
        full = np.full(len(names), np.nan)
        full[free] = values
        return full

    std_error = spread(se)
    z = spread(theta[free] / se)
    return pd.DataFrame(
        {
            "estimate": theta,
            "std_error": std_error,
            "mcmc_pct": spread(mcmc_pct),
            "z": z,
            "p": 2 * scipy_stats.norm.sf(np.abs(z)),
            "chain_sd": spread(chain_sd),
        },
        index=pd.Index(names, name="term"),
    )
