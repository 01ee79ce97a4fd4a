"""Benchmark: MRQAP against R's sna on the same random data, in one run.

A seeded random directed model of 300 nodes — y and three predictors (x2 correlated with
x1) — is written to CSV. For each case, OLS (``netlm``) and logit (``netlogit``, y
dichotomised), each by double semi-partialling (``nullhyp="qap"``) and by relabelling y
(``nullhyp="qapy"``), R (``Rscript`` with ``library(sna)``, Debian's ``r-cran-sna``) is
timed on 1 permutation and on ``1 + --r-permutations`` permutations, and
:func:`cobuild_graph.stats.mrqap` on 1 and on ``--permutations`` (1,000) permutations,
one case after the other. R's times are measured inside R (``system.time`` around the
call: loading R and sna is left out).

- **per permutation**: the cost of one more permutation, (T(many) − T(1)) / (many − 1),
  for R and for us;
- **whole run** of ``--permutations`` permutations, fixed costs included: ours measured;
  R's *extrapolated* as T(1) + (permutations − 1) × its cost per permutation (a
  1,000-permutation ``netlogit`` takes R a quarter of an hour).

The goals are 100× for OLS and 50× for logit, both ratios. The machine's load
(``/proc/loadavg``, 1 minute) is printed with each case: only ratios measured side by
side count. Then each case runs at 1,000 nodes in a fresh process (20 permutations) and
its peak memory (``ru_maxrss``) is printed, beside the memory of its input matrices.
The estimates and test statistics (t or z) must equal R's to 1e-6.

    PYTHONPATH=. python3 bench/qap.py [--nodes 300] [--permutations 1000]
        [--r-permutations 20] [--memory-nodes 1000] [--seed 2020] [--kinds ols logit]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GOALS = {"ols": 100.0, "logit": 50.0}
CASES = [("ols", "dsp"), ("ols", "y"), ("logit", "dsp"), ("logit", "y")]
R_NAMES = {"ols": "netlm", "logit": "netlogit", "dsp": "qap", "y": "qapy"}

R_SCRIPT = """
suppressMessages(library(sna))
read <- function(name) as.matrix(read.csv(file.path(dir, name), header = FALSE))
y <- read("{y}.csv"); x <- list(read("x1.csv"), read("x2.csv"), read("x3.csv"))
one <- system.time(fit <- {model}(y, x, reps = 1, nullhyp = "{nullhyp}"))[["elapsed"]]
many <- system.time({model}(y, x, reps = {reps}, nullhyp = "{nullhyp}"))[["elapsed"]]
options(digits = 17)
write.csv(data.frame(estimate = fit$coefficients, statistic = fit$tstat, one = one,
                     many = many), file.path(dir, "r.csv"), row.names = FALSE)
"""

MEMORY_SCRIPT = """
import json, resource, sys
import numpy as np
sys.path.insert(0, ".")
sys.argv = sys.argv[:1] + json.loads({arguments!r})
from bench.qap import data
from cobuild_graph.stats import mrqap
nodes, seed, kind, method, permutations = sys.argv[1:]
m = data(int(nodes), int(seed))
y = m["yb"] if kind == "logit" else m["y"]
x = {{name: m[name] for name in ("x1", "x2", "x3")}}
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
mrqap(y, x, kind=kind, method=method, permutations=int(permutations), seed=1)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"before_mb": before / 1024, "peak_mb": after / 1024}}))
"""


def data(nodes: int, seed: int) -> dict[str, np.ndarray]:
    """y depending on x1 and x3 (not on x2, which is correlated with x1); yb = y > 0.5."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=(nodes, nodes))
    x2 = 0.5 * x1 + rng.normal(size=(nodes, nodes))
    x3 = rng.normal(size=(nodes, nodes))
    y = 0.3 * x1 + 0.1 * x3 + rng.normal(size=(nodes, nodes))
    return {"y": y, "yb": (y > 0.5).astype(float), "x1": x1, "x2": x2, "x3": x3}


def load() -> float:
    """The machine's load average over the last minute."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def run_r(folder: Path, kind: str, method: str, reps: int) -> pd.DataFrame:
    """R's estimates, statistics and seconds for 1 and `reps` permutations."""
    script = f'dir <- "{folder}"\n' + R_SCRIPT.format(
        y="yb" if kind == "logit" else "y",
        model=R_NAMES[kind],
        nullhyp=R_NAMES[method],
        reps=reps,
    )
    subprocess.run(["Rscript", "-e", script], check=True, capture_output=True)
    return pd.read_csv(folder / "r.csv")


def run_ours(
    matrices: dict[str, np.ndarray], kind: str, method: str, permutations: int
) -> tuple[pd.DataFrame, float]:
    """Our table and seconds (wall clock) for `permutations` permutations."""
    from cobuild_graph.stats import mrqap

    y = matrices["yb"] if kind == "logit" else matrices["y"]
    x = {name: matrices[name] for name in ("x1", "x2", "x3")}
    started = time.perf_counter()
    table = mrqap(y, x, kind=kind, method=method, permutations=permutations, seed=1)  # type: ignore[arg-type]
    return table, time.perf_counter() - started


def peak_memory(nodes: int, seed: int, kind: str, method: str) -> dict[str, float]:
    """Peak resident memory of one run at `nodes` nodes, in a fresh process."""
    arguments = json.dumps([str(nodes), str(seed), kind, method, "20"])
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT.format(arguments=arguments)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=300)
    parser.add_argument("--permutations", type=int, default=1000)
    parser.add_argument("--r-permutations", type=int, default=20)
    parser.add_argument("--memory-nodes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--kinds", nargs="+", choices=list(GOALS), default=list(GOALS))
    args = parser.parse_args()
    cases = [(kind, method) for kind, method in CASES if kind in args.kinds]
    matrices = data(args.nodes, args.seed)
    many, reps = args.permutations, 1 + args.r_permutations
    print(
        f"MRQAP against R sna: {args.nodes} nodes, directed, 3 predictors; ours "
        f"{many:,} permutations, R 1 and {reps} (whole run extrapolated)"
    )
    rows = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for key, matrix in matrices.items():
            np.savetxt(folder / f"{key}.csv", matrix, delimiter=",", fmt="%.17g")
        for kind, method in cases:
            before = load()
            r = run_r(folder, kind, method, reps)
            _, ours_one = run_ours(matrices, kind, method, 1)
            table, ours_many = run_ours(matrices, kind, method, many)
            r_one, r_many = float(r["one"].iloc[0]), float(r["many"].iloc[0])
            r_per = max(r_many - r_one, 0.0) / (reps - 1)
            ours_per = max(ours_many - ours_one, 0.0) / (many - 1)
            r_whole = r_one + (many - 1) * r_per
            statistic = "t" if kind == "ols" else "z"
            rows.append(
                {
                    "case": f"{kind} {method}",
                    "R per perm s": r_per,
                    "ours per perm s": ours_per,
                    "per perm ×": r_per / ours_per,
                    "R whole s (extrap.)": r_whole,
                    "ours whole s": ours_many,
                    "whole ×": r_whole / ours_many,
                    "goal ×": GOALS[kind],
                    "|Δestimate|": np.abs(table["estimate"].to_numpy() - r["estimate"]).max(),
                    f"|Δ{statistic}|": np.abs(table[statistic].to_numpy() - r["statistic"]).max(),
                    "load": f"{before:.1f}–{load():.1f}",
                }
            )
            print(_line(rows[-1], many), flush=True)
    frame = pd.DataFrame(rows).set_index("case")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(frame.to_string(float_format=lambda v: f"{v:.4g}"))
    met = all(
        row["per perm ×"] >= row["goal ×"] and row["whole ×"] >= row["goal ×"] for row in rows
    )
    verdict = "met" if met else "NOT met"
    print(f"goals (OLS ≥ 100×, logit ≥ 50×, per permutation and whole run): {verdict}")
    if args.memory_nodes <= 0:
        return
    print(f"\npeak memory at {args.memory_nodes:,} nodes (20 permutations, fresh process):")
    for kind, method in cases:
        memory = peak_memory(args.memory_nodes, args.seed, kind, method)
        print(
            f"  {kind:<5} {method:<3}  peak {memory['peak_mb']:7.0f} MB, "
            f"{memory['peak_mb'] - memory['before_mb']:6.0f} MB above the inputs "
            f"({memory['before_mb']:.0f} MB with Python and the matrices)"
        )


def _line(row: dict[str, object], many: int) -> str:
    return (
        f"  {row['case']:<10} per permutation: R {row['R per perm s']:.3f} s, ours "
        f"{row['ours per perm s'] * 1000:.2f} ms → {row['per perm ×']:.0f}×;  whole {many:,}: "
        f"R {row['R whole s (extrap.)']:.0f} s (extrapolated), ours {row['ours whole s']:.2f} s "
        f"→ {row['whole ×']:.0f}×  (goal {row['goal ×']:.0f}×; load {row['load']})"
    )


if __name__ == "__main__":
    main()
