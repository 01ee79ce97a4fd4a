"""Benchmark: a five-term dyad-dependent ERGM of the sample's units × communities network.

    python3 bench/ergm.py [--jobs 2] [--seed 1]

Fits ``edges + b1factor('unit_type') + edgecov('same_street') + gwb1degree(0.5) +
gwb2degree(0.5)`` by MCMC-MLE (two chains, statnet's default sample: 1024 networks,
1024 proposals apart) to the ``two_mode`` view of the Suzhou sample (368 units × 627
communities, 230,736 dyads, 938 ties), AIC and BIC included, and prints the wall time
beside the goal (under 60 s on 2 cores), the CPU seconds of this process and its
workers, and the machine's load (the machine is shared: a wall time under load
overstates the time on two free cores, which the CPU seconds bound), then the table.

``same_street`` is 1 where the unit's recorded street (``ASSIGNED_TO``; a unit whose
street is only inferred from its pairings counts as unknown, 0) is the community's.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

import pandas as pd

import cobuild_graph as cg
from cobuild_graph.domain import ancestors

GOAL = 60.0
FORMULA = (
    "edges + b1factor('unit_type') + edgecov('same_street') + "
    "gwb1degree(0.5, fixed=TRUE) + gwb2degree(0.5, fixed=TRUE)"
)


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="threads for the chains")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    G = cg.read_dataset(cg.sample_path())
    H = cg.views.view(G, "two_mode")
    street = ancestors(G, level="Street", assigned_places=False)
    same_street = cg.stats.same_matrix(H, street.reindex(list(H)), missing=0)
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), cpu_seconds()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cg.stats.ergm(
            G,
            FORMULA,
            view="two_mode",
            covariates={"same_street": same_street},
            n_jobs=args.jobs,
            seed=args.seed,
        )
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    net = fit.net
    print(
        f"ERGM of the sample's units × communities network: {net.n1} units × "
        f"{net.n - net.n1} communities, {net.size:,} dyads, {len(net.ties)} ties"
    )
    print(f"  {FORMULA}")
    print(
        f"  MCMC-MLE: {fit.table.attrs['iterations']} iterations, "
        f"{fit.table.attrs['chains']} chains, converged {fit.table.attrs['converged']} "
        f"(p = {fit.table.attrs['p_convergence']:.2f}), AIC {fit.table.attrs['aic']:.1f}"
    )
    print(f"  wall {wall:6.1f} s   (goal < {GOAL:.0f} s on 2 cores, --jobs {args.jobs})")
    print(
        f"  CPU  {cpu:6.1f} s   (this process and its workers: the wall time on free cores "
        f"is at most this; load average {load:.1f})"
    )
    for warning in caught:
        print(f"  warning: {warning.message}")
    with pd.option_context("display.width", 120, "display.max_columns", 10):
        print(fit.table.round(4))
        print(fit.diagnostics().round(3))


if __name__ == "__main__":
    main()
