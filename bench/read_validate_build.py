"""Benchmark: read + validate + build for the sample and the generated city and province.

Each scale is generated once into a cache folder, then read in a fresh process so that the
peak memory (max RSS) belongs to that scale alone. Prints seconds per step, ties per second
and the ratio to the goal of 100,000 ties/s.

    python3 bench/read_validate_build.py [--scales sample city province] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_TIES_PER_SECOND = 100_000
CACHE = Path(os.environ.get("COBUILD_BENCH_CACHE", Path(tempfile.gettempdir()) / "cobuild-bench"))


def dataset(scale: str, seed: int) -> Path:
    """The generated dataset folder for `scale`, made on first use."""
    from cobuild_graph.generate import generate_tables
    from cobuild_graph.io import Dataset, write_dataset

    folder = CACHE / f"{scale}-{seed}"
    if not (folder / "ties.csv").exists():
        started = time.perf_counter()
        write_dataset(Dataset(*generate_tables(scale, seed=seed)), folder)
        print(f"  generated {scale} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return folder


def measure(folder: Path) -> dict[str, float]:
    """Run in a child process: time each step on `folder`, report max RSS."""
    from cobuild_graph.build import graph_from_tables
    from cobuild_graph.io import read_tables

    started = time.perf_counter()
    nodes, ties, meta = read_tables(folder)
    read = time.perf_counter() - started
    started = time.perf_counter()
    G = graph_from_tables(nodes, ties, meta=meta, validate=False)  # as read_dataset does
    build = time.perf_counter() - started
    return {
        "nodes": G.number_of_nodes(),
        "ties": G.number_of_edges(),
        "read_validate_s": read,
        "build_s": build,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", nargs="+", default=["sample", "city", "province"])
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--repeat", type=int, default=1, help="runs per scale; best is kept")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return

    header = (
        f"{'scale':<9}{'nodes':>10}{'ties':>11}{'read+valid s':>14}{'build s':>9}"
        f"{'total s':>9}{'ties/s':>10}{'vs goal':>9}{'peak MB':>9}"
    )
    print(header)
    for scale in args.scales:
        folder = dataset(scale, args.seed)
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(folder)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout))
        best = min(runs, key=lambda r: r["read_validate_s"] + r["build_s"])
        total = best["read_validate_s"] + best["build_s"]
        rate = best["ties"] / total
        print(
            f"{scale:<9}{best['nodes']:>10,}{best['ties']:>11,}{best['read_validate_s']:>14.2f}"
            f"{best['build_s']:>9.2f}{total:>9.2f}{rate:>10,.0f}"
            f"{rate / GOAL_TIES_PER_SECOND:>8.2f}x{best['peak_rss_mb']:>9,.0f}"
        )


if __name__ == "__main__":
    main()
