"""Benchmark: the measures of positions and groups on the sample, wall and CPU seconds.

Each measure runs on the whole sample graph where it is sparse (E-I index, core–periphery,
ego table, two-mode centrality) and on the units and communities of the sample (the
profile-distance measures build n × n matrices: a subgraph is how they are meant to be
used). The goal is one second per measure; the permutation test is timed apart.

    OPENBLAS_NUM_THREADS=1 python3 bench/positions.py [--repeat 3]

On a shared machine set ``OPENBLAS_NUM_THREADS=1``: BLAS threads waiting for a busy core
count as CPU time (core–periphery's eigenvector, the n × n products) and can double it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cobuild_graph as cg
from cobuild_graph import domain, metrics

GOAL_SECONDS = 1.0
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "suzhou"


def clock(work: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `work` over `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    G = cg.read_dataset(SAMPLE)
    street = domain.ancestors(G, level="Street")
    H = G.subgraph(v for v, label in G.nodes(data="label") if label in ("Unit", "Community"))
    B = metrics.two_mode(G)
    blocks = metrics.equivalence_blocks(H, 8)["block"]
    print(f"sample: {G.number_of_nodes()} nodes; units and communities: {H.number_of_nodes()}")
    cases: list[tuple[str, Callable[[], Any], bool]] = [
        (
            "ei_index(G, street, permutations=0)",
            lambda: metrics.ei_index(G, street, permutations=0),
            True,
        ),
        ("ei_groups(G, street)", lambda: metrics.ei_groups(G, street), True),
        ("ei_nodes(G, street)", lambda: metrics.ei_nodes(G, street), True),
        ("core_periphery(G)", lambda: metrics.core_periphery(G, seed=1), True),
        ("core_periphery(units+communities)", lambda: metrics.core_periphery(H, seed=1), True),
        ("ego_table(G, group=street)", lambda: metrics.ego_table(G, group=street), True),
        ("two_mode_centrality(two_mode(G))", lambda: metrics.two_mode_centrality(B), True),
        ("profile_distances(units+communities)", lambda: metrics.profile_distances(H), True),
        ("equivalence_blocks(u+c, 8)", lambda: metrics.equivalence_blocks(H, 8), True),
        (
            "equivalence_blocks(u+c, 8, concor)",
            lambda: metrics.equivalence_blocks(H, 8, method="concor"),
            True,
        ),
        ("blockmodel(u+c, 8 blocks)", lambda: metrics.blockmodel(H, blocks), True),
        (
            "ei_index(G, street) 5000 permutations",
            lambda: metrics.ei_index(G, street, seed=1),
            False,
        ),
    ]
    print(f"{'measure':42s} {'wall s':>8s} {'cpu s':>8s} {'cpu/goal':>9s}")
    for name, work, goal in cases:
        wall, cpu = clock(work, args.repeat)
        ratio = f"{cpu / GOAL_SECONDS:9.2f}" if goal else f"{'-':>9s}"
        print(f"{name:42s} {wall:8.3f} {cpu:8.3f} {ratio}")


if __name__ == "__main__":
    main()
