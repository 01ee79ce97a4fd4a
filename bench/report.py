"""Benchmark: the HTML report against the analysis it shows, and the report end to end.

For each dataset, in one process: read (or generate) the graph, :func:`cobuild_graph.analyze`
it, then :func:`cobuild_graph.write_report` it with those tables. Prints the seconds of
each (wall, and CPU including the processes of the analysis' searches, ended after it so
that theirs is counted: the machine is shared, so CPU is the steadier figure), the ratio
write_report / analyze (goal: at most 1.3), and the whole run from reading to the last file
(goal for the city: 30 s).

    python3 bench/report.py [--cases sample city] [--repeat 1]

``sample`` is ``data/suzhou``; ``city`` is ``cg.generate("city", seed=1)``.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loky import get_reusable_executor

import cobuild_graph as cg

RATIO_GOAL = 1.3
END_TO_END_GOAL = {"city": 30.0}
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "suzhou"
CASES: dict[str, Callable[[], Any]] = {
    "sample": lambda: cg.read_dataset(SAMPLE),
    "city": lambda: cg.generate("city", seed=1),
}


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def clock(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run `work`: its result, wall seconds and CPU seconds (children included)."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = work()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def analyze(G: Any) -> dict[str, Any]:
    """:func:`cobuild_graph.analyze`, then the end of its pool's processes (their CPU seconds
    then count among this process's children)."""
    tables = cg.analyze(G)
    get_reusable_executor().shutdown(wait=True)
    return tables


def run(case: str) -> tuple[float, float, float, float, float, float]:
    G, read_wall, read_cpu = clock(CASES[case])
    tables, analyze_wall, analyze_cpu = clock(lambda: analyze(G))
    with tempfile.TemporaryDirectory() as out:
        _, report_wall, report_cpu = clock(lambda: cg.write_report(G, out, tables=tables))
    print(
        f"{case}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} ties; "
        f"read {read_wall:.1f} s, analyze {analyze_wall:.1f} s, report {report_wall:.1f} s"
    )
    return (
        analyze_wall,
        analyze_cpu,
        report_wall,
        report_cpu,
        read_wall + analyze_wall + report_wall,
        read_cpu + analyze_cpu + report_cpu,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    rows = [(case, run(case)) for case in args.cases for _ in range(args.repeat)]
    print()
    print(
        f"{'case':<8}{'analyze s':>11}{'report s':>10}{'ratio':>7}"
        f"{'analyze cpu':>13}{'report cpu':>12}{'ratio':>7}{'end to end s':>14}{'goal':>7}"
    )
    for case, (a_wall, a_cpu, r_wall, r_cpu, total, _) in rows:
        goal = END_TO_END_GOAL.get(case)
        print(
            f"{case:<8}{a_wall:>11.2f}{r_wall:>10.2f}{r_wall / a_wall:>7.2f}"
            f"{a_cpu:>13.2f}{r_cpu:>12.2f}{r_cpu / a_cpu:>7.2f}{total:>14.1f}"
            f"{'' if goal is None else f'{goal:.0f}':>7}"
        )
    print(f"goal: report / analyze at most {RATIO_GOAL} (wall, in one process)")


if __name__ == "__main__":
    main()
