"""Benchmark: MRQAP against R's sna on the same random data.

A seeded random 100×100 model (y and two predictors, directed) is written to CSV; R
(``Rscript`` with ``library(sna)``, Debian's ``r-cran-sna``) times ``netlm`` on it with its
defaults (double semi-partialling, t-values), and we time :func:`cobuild_graph.stats.mrqap`
with the same number of permutations, in the same run. R's time is measured inside R
(``system.time`` around the call: loading R and sna is left out). Prints both times, the
ratio against the goal (50× faster), and the largest difference of the estimates. With
``--logit`` the dependent matrix is dichotomised and ``netlogit`` is timed the same way
(slow in R: give fewer ``--permutations``).

    PYTHONPATH=. python3 bench/qap.py [--nodes 100] [--permutations 1000] [--seed 2020]
    PYTHONPATH=. python3 bench/qap.py --logit --permutations 100
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GOAL_RATIO = 50.0

R_SCRIPT = """
suppressMessages(library(sna))
read <- function(name) as.matrix(read.csv(file.path(dir, name), header = FALSE))
y <- read("y.csv"); x <- list(read("x1.csv"), read("x2.csv"))
seconds <- system.time(fit <- {model}(y, x, reps = {permutations}))[["elapsed"]]
write.csv(data.frame(estimate = fit$coefficients, seconds = seconds),
          file.path(dir, "r.csv"), row.names = FALSE)
"""


def data(nodes: int, seed: int, logit: bool) -> dict[str, np.ndarray]:
    """y depending on x1 (and not on x2, which is correlated with x1)."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=(nodes, nodes))
    x2 = 0.5 * x1 + rng.normal(size=(nodes, nodes))
    y = 0.3 * x1 + rng.normal(size=(nodes, nodes))
    return {"y": (y > 0.5).astype(float) if logit else y, "x1": x1, "x2": x2}


def run_r(matrices: dict[str, np.ndarray], model: str, permutations: int) -> pd.DataFrame:
    """R's estimates and seconds (measured inside R)."""
    with tempfile.TemporaryDirectory() as folder:
        for name, matrix in matrices.items():
            np.savetxt(Path(folder) / f"{name}.csv", matrix, delimiter=",")
        script = f'dir <- "{folder}"\n' + R_SCRIPT.format(model=model, permutations=permutations)
        subprocess.run(["Rscript", "-e", script], check=True, capture_output=True)
        return pd.read_csv(Path(folder) / "r.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--permutations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--logit", action="store_true")
    args = parser.parse_args()
    from cobuild_graph.stats import mrqap

    kind, model = ("logit", "netlogit") if args.logit else ("ols", "netlm")
    matrices = data(args.nodes, args.seed, args.logit)
    r = run_r(matrices, model, args.permutations)
    started = time.perf_counter()
    ours = mrqap(
        matrices["y"],
        {"x1": matrices["x1"], "x2": matrices["x2"]},
        kind=kind,
        permutations=args.permutations,
        seed=args.seed,
    )
    seconds = time.perf_counter() - started
    r_seconds = float(r["seconds"].iloc[0])
    difference = np.abs(ours["estimate"].to_numpy() - r["estimate"].to_numpy()).max()
    print(
        f"{model} vs mrqap(kind={kind!r}, method='dsp'): {args.nodes} nodes, "
        f"{ours.attrs['n_dyads']:,} dyads, 2 predictors, {args.permutations:,} permutations"
    )
    print(f"  R sna {model:<9} {r_seconds:8.2f} s")
    print(f"  cobuild_graph   {seconds:8.3f} s")
    print(f"  ratio           {r_seconds / seconds:8.1f}x  (goal ≥ {GOAL_RATIO:.0f}x)")
    print(f"  largest |estimate difference| {difference:.2e}")


if __name__ == "__main__":
    main()
