"""Monte Carlo maximum likelihood for ERGMs: Geyer–Thompson steps, Hummel step lengths.

Each iteration samples networks at the current parameter θₜ (several chains), then
maximises the importance-sampled log-likelihood ratio (Geyer & Thompson 1992)

    ℓ(θ) − ℓ(θₜ) ≈ (θ − θₜ) · ξ − log mean exp((θ − θₜ) · (g(Yᵢ) − g(y)))

toward a pseudo-observation ξ = γ g(y) + (1 − γ) mean g(Yᵢ), with γ ≤ 1 the largest
step that keeps ξ (pushed 5 % further) inside the convex hull of the sampled statistics
(Hummel, Hunter & Handcock 2012, *J. Comput. Graph. Stat.* 21, 920–939). Once two
iterations in a row take the full step (γ = 1) and Hotelling's test of the sample mean
against the observed statistics (with the chains' autocorrelation)
does not reject at the 5 % level, the last step is the estimate.

Its standard errors add the MCMC error to the inverse information (Hunter & Handcock
2006, *J. Comput. Graph. Stat.* 15, 565–583): ``cov = I⁻¹ + I⁻¹ Σ_z̄ I⁻¹``, with ``I``
the importance-weighted covariance of the sampled statistics and ``Σ_z̄`` that of their
weighted mean, with each statistic's autocorrelation time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from cobuild_graph._jobs import jobs
from cobuild_graph.stats._ergm_sampler import Draw, Sampler, TooDenseError

logger = logging.getLogger(__name__)

#: ξ is pushed this much further from the sample mean before the hull test (statnet's
#: ``MCMLE.steplength.margin``).
MARGIN = 0.05
#: The significance under which Hotelling's test says the sample misses the observed.
CONVERGENCE_LEVEL = 0.05


class DegenerateError(ValueError):
    """The model puts its mass on networks unlike the observed one."""


@dataclass(frozen=True)
class Settings:
    """How much to sample: per chain, per iteration."""

    chains: int
    size: int  # sampled networks per chain
    interval: int
    burnin: int
    iterations: int
    n_jobs: int


@dataclass(frozen=True)
class MCMLEResult:
    """The estimate and what the last sample says about it."""

    theta: np.ndarray  # every statistic (fixed ones at -inf)
    covariance: np.ndarray  # free × free: inverse information
    mcmc_covariance: np.ndarray  # free × free: the MCMC part
    chain_estimates: np.ndarray  # chains × free: each chain's own last step
    samples: list[np.ndarray]  # each chain's last sample (size × statistics)
    theta_sampled: np.ndarray  # the parameter the last sample was drawn at
    iterations: int
    step_lengths: list[float]
    converged: bool
    p_convergence: float
    acceptance: float  # the share of proposals accepted in the last iteration


def run_chains(
    sampler: Sampler,
    thetas: list[np.ndarray],
    starts: list[tuple[np.ndarray, np.ndarray]],
    settings: Settings,
    burnin: int,
    seeds: list[np.random.SeedSequence],
    pool: ThreadPoolExecutor | None,
) -> list[Draw]:
    """One draw per chain, at `thetas` from `starts` (ties, statistics), in parallel when
    given a pool."""
    jobs = [
        (theta, ties, start, burnin, settings.interval, settings.size, seed, False)
        for theta, (ties, start), seed in zip(thetas, starts, seeds, strict=True)
    ]
    if pool is None:
        return [_draw(sampler, *job) for job in jobs]
    return list(pool.map(lambda job: _draw(sampler, *job), jobs))


def _draw(
    sampler: Sampler,
    theta: np.ndarray,
    ties: np.ndarray,
    start: np.ndarray,
    burnin: int,
    interval: int,
    size: int,
    seed: np.random.SeedSequence,
    keep: bool,
) -> Draw:
    rng = np.random.default_rng(seed)
    return sampler.run(
        theta, ties, start, burnin=burnin, interval=interval, size=size, rng=rng, keep=keep
    )


def pool_for(n_jobs: int) -> ThreadPoolExecutor | None:
    """Threads that run chains at once, or ``None`` for one job; `n_jobs` as in joblib
    (``-1`` one per CPU).

    Threads, not processes: the compiled loop releases the interpreter lock (numba's
    ``nogil``), so the chains run in parallel with nothing to start or pickle.
    """
    count = jobs(n_jobs)
    return None if count == 1 else ThreadPoolExecutor(max_workers=count)


def mcmle(
    sampler: Sampler,
    theta0: np.ndarray,
    observed: np.ndarray,
    free: np.ndarray,
    settings: Settings,
    seed: np.random.SeedSequence,
    progress: Callable[[int, float], None] | None = None,
) -> MCMLEResult:
    """Fit by MCMC-MLE from `theta0` (the MPLE), the statistics `free` estimated."""
    theta = theta0.copy()
    starts = [(sampler.net.ties, observed)] * settings.chains
    steps: list[float] = []
    small = 0
    pool = pool_for(settings.n_jobs)
    try:
        for iteration in range(1, settings.iterations + 1):
            seeds = seed.spawn(settings.chains)
            burnin = settings.burnin if iteration == 1 else settings.burnin // 4
            try:
                draws = run_chains(
                    sampler, [theta] * settings.chains, starts, settings, burnin, seeds, pool
                )
            except TooDenseError as dense:
                raise DegenerateError(_dense_message(int(dense.args[0]), sampler)) from None
            starts = [(d.ties, d.stats[-1]) for d in draws]
            Z = np.concatenate([d.stats for d in draws])[:, free] - observed[free]
            _refuse_stuck(Z, draws, free, sampler)
            gamma = step_length(Z)
            steps.append(gamma)
            logger.info("ERGM iteration %d: step length %.3f", iteration, gamma)
            if progress is not None:
                progress(iteration, gamma)
            small = small + 1 if gamma < 1e-3 else 0
            if small >= 3:
                raise DegenerateError(_stuck_message(Z, sampler, free))
            delta = newton(Z, (1 - gamma) * Z.mean(axis=0))
            theta_sampled = theta.copy()
            theta[free] += delta
            p_value = hotelling(draws, free, observed)
            logger.info("ERGM iteration %d: convergence test p = %.3g", iteration, p_value)
            if len(steps) >= 2 and steps[-1] == steps[-2] == 1.0 and p_value >= CONVERGENCE_LEVEL:
                break
    finally:
        if pool is not None:
            pool.shutdown()
    converged = len(steps) >= 2 and steps[-1] == steps[-2] == 1.0
    converged = converged and p_value >= CONVERGENCE_LEVEL
    samples = [d.stats for d in draws]
    delta = theta[free] - theta_sampled[free]
    covariance, mcmc_cov = _covariances(samples, free, observed, delta)
    chain_estimates = np.array(
        [theta_sampled[free] + _chain_step(s[:, free] - observed[free]) for s in samples]
    )
    return MCMLEResult(
        theta,
        covariance,
        mcmc_cov,
        chain_estimates,
        samples,
        theta_sampled,
        len(steps),
        steps,
        converged,
        p_value,
        float(np.mean([d.accepted for d in draws])),
    )


def step_length(Z: np.ndarray) -> float:
    """Hummel's γ: the largest step toward the observed statistics (0 in `Z`'s
    coordinates) that stays, pushed by :data:`MARGIN`, inside the sample's hull."""
    mean = Z.mean(axis=0)
    if _inside(Z, mean - (1 + MARGIN) * mean):
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(20):
        middle = (low + high) / 2
        if _inside(Z, mean - (1 + MARGIN) * middle * mean):
            low = middle
        else:
            high = middle
    return low


def _inside(Z: np.ndarray, point: np.ndarray) -> bool:
    """Whether `point` is a convex combination of the rows of `Z`."""
    n = len(Z)
    equalities = np.vstack([Z.T, np.ones(n)])
    found = optimize.linprog(
        np.zeros(n), A_eq=equalities, b_eq=np.append(point, 1.0), bounds=(0, None), method="highs"
    )
    return bool(found.status == 0)


def newton(Z: np.ndarray, target: np.ndarray, steps: int = 100) -> np.ndarray:
    """The δ maximising ``δ · target − log mean exp(δ · Zᵢ)``."""
    delta = np.zeros(Z.shape[1])

    def value(d: np.ndarray) -> float:
        a = Z @ d
        top = a.max()
        return float(d @ target - top - np.log(np.mean(np.exp(a - top))))

    current = value(delta)
    for _ in range(steps):
        w = _weights(Z, delta)
        mean = w @ Z
        centred = Z - mean
        hessian = (centred * w[:, None]).T @ centred
        gradient = target - mean
        move = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        scale = 1.0
        while scale > 1e-6:
            candidate = delta + scale * move
            new = value(candidate)
            if new >= current - 1e-12:
                break
            scale /= 2
        delta, previous, current = candidate, current, new
        if abs(current - previous) < 1e-10 and np.abs(scale * move).max() < 1e-8:
            break
    return delta


def _chain_step(Z: np.ndarray) -> np.ndarray:
    """One chain's own full Geyer–Thompson step, ``nan`` if the observed statistics are
    outside its hull (no finite maximum)."""
    if not _inside(Z, np.zeros(Z.shape[1])):
        return np.full(Z.shape[1], np.nan)
    return newton(Z, np.zeros(Z.shape[1]))


def _weights(Z: np.ndarray, delta: np.ndarray) -> np.ndarray:
    a = Z @ delta
    w = np.exp(a - a.max())
    return w / w.sum()


def mean_covariance(parts: list[np.ndarray]) -> np.ndarray:
    """Covariance of the grand mean of `parts` (per chain, rows in sampling order).

    The spectral density at frequency 0 over the number of draws: the lag
    cross-covariances of the statistics, averaged over the chains (about the mean of all
    of them, so that chains that disagree count as correlated), summed with Bartlett's
    weights up to the longest lag Geyer's (1992, *Stat. Sci.* 7, 473–483) initial
    positive sequence keeps for any statistic. The weights keep it positive
    semi-definite, and every linear combination of statistics is treated alike.
    """
    lags = _cross_covariances(parts)
    window = 2 * max(_initial_sequence(lags[:, k, k]) for k in range(lags.shape[1])) + 1
    window = min(window, len(lags) - 1)
    weights = 1 - np.arange(1, window + 1) / (window + 1)
    head = lags[1 : window + 1]
    spectrum = lags[0] + np.einsum("m,mkl->kl", weights, head + head.transpose(0, 2, 1))
    return spectrum / sum(len(p) for p in parts)


def _cross_covariances(parts: list[np.ndarray]) -> np.ndarray:
    """lags × statistics × statistics: the chains' mean lagged cross-covariances."""
    length = min(len(p) for p in parts)
    grand = np.concatenate(parts).mean(axis=0)
    size = 1 << int(np.ceil(np.log2(2 * length)))
    k = parts[0].shape[1]
    lags = np.zeros((length, k, k))
    for part in parts:
        spectrum = np.fft.rfft(part[:length] - grand, n=size, axis=0)
        cross = spectrum[:, :, None] * np.conj(spectrum[:, None, :])
        lags += np.fft.irfft(cross, n=size, axis=0)[:length] / length
    return lags / len(parts)


def _initial_sequence(acov: np.ndarray) -> int:
    """The pairs of lags Geyer's initial positive sequence keeps (0 for a constant)."""
    if acov[0] <= 0:
        return 0
    pairs = acov[: len(acov) // 2 * 2].reshape(-1, 2).sum(axis=1)
    negative = np.flatnonzero(pairs <= 0)
    return int(negative[0]) if len(negative) else len(pairs)


def _covariances(
    samples: list[np.ndarray], free: np.ndarray, observed: np.ndarray, delta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse information at the estimate and the MCMC part of the covariance."""
    Z = np.concatenate(samples)[:, free] - observed[free]
    w = _weights(Z, delta)
    mean = w @ Z
    centred = Z - mean
    information = (centred * w[:, None]).T @ centred
    inverse = np.linalg.pinv(information)
    n = len(Z)
    contributions = centred * (w * n)[:, None]
    parts = np.split(contributions, np.cumsum([len(s) for s in samples])[:-1])
    return inverse, inverse @ mean_covariance(parts) @ inverse


def hotelling(draws: list[Draw], free: np.ndarray, observed: np.ndarray) -> float:
    """p-value of Hotelling's test that the sampled mean equals the observed statistics,
    the covariance of the mean from :func:`mean_covariance` (autocorrelation
    included), against its chi-squared limit."""
    parts = [d.stats[:, free] - observed[free] for d in draws]
    mean = np.concatenate(parts).mean(axis=0)
    spread = mean_covariance(parts)
    keep = np.diag(spread) > 0
    if not keep.any():
        return 1.0 if np.allclose(mean, 0) else 0.0
    t2 = float(mean[keep] @ np.linalg.pinv(spread[np.ix_(keep, keep)]) @ mean[keep])
    return float(stats.chi2.sf(t2, int(keep.sum())))


def effective_sizes(samples: list[np.ndarray]) -> np.ndarray:
    """Each statistic's effective sample size over all chains: its variance over that
    of its mean (:func:`mean_covariance`)."""
    pooled = np.concatenate(samples)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            pooled.var(axis=0) > 0,
            pooled.var(axis=0, ddof=1) / np.diag(mean_covariance(samples)),
            np.nan,
        )


def r_hat(samples: list[np.ndarray]) -> np.ndarray:
    """Each statistic's split-R̂ (Gelman et al. 2013, *Bayesian Data Analysis*, 3rd ed.,
    §11.4): every chain cut in halves, between-half over within-half variance."""
    halves = [h for s in samples for h in np.array_split(s, 2) if len(h) > 1]
    n = min(len(h) for h in halves)
    halves = np.array([h[:n] for h in halves])
    within = halves.var(axis=1, ddof=1).mean(axis=0)
    between = n * halves.mean(axis=1).var(axis=0, ddof=1)
    pooled = (n - 1) / n * within + between / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(within > 0, np.sqrt(pooled / within), np.nan)


def _refuse_stuck(Z: np.ndarray, draws: list[Draw], free: np.ndarray, sampler: Sampler) -> None:
    constant = np.ptp(Z, axis=0) == 0
    if constant.any():
        names = [sampler.stats[k].name for k in np.asarray(free)[constant]]
        raise DegenerateError(
            f"模型退化或链未移动：统计量 {names} 在所有抽样网络中不变 the model is degenerate "
            f"or the chains did not move: the statistics {names} take one value in every "
            "sampled network; simplify the model or raise interval="
        )


def _dense_message(ties: int, sampler: Sampler) -> str:
    observed = len(sampler.net.ties)
    return (
        f"模型退化：模拟网络的关系数超过 {sampler.cap}（观测为 {observed}），概率集中在近乎"
        f"完全的网络上 the model is degenerate: a simulated network grew to {ties} ties "
        f"(observed {observed}), its probability sits on nearly full networks. Replace "
        "triangle or kstar by gwesp(0.5, fixed=TRUE) or gwdegree(0.5, fixed=TRUE), or "
        "start from other values"
    )


def _stuck_message(Z: np.ndarray, sampler: Sampler, free: np.ndarray) -> str:
    names = [sampler.stats[k].name for k in free]
    far = dict(zip(names, np.round(Z.mean(axis=0), 2).tolist(), strict=True))
    return (
        "模型退化：抽样网络的统计量始终远离观测值，步长趋于零 the model is degenerate: the "
        "sampled networks' statistics stay far from the observed ones (mean minus observed: "
        f"{far}) and the step length falls to zero. Simplify the model or use "
        "geometrically weighted terms (gwesp, gwdegree)"
    )
