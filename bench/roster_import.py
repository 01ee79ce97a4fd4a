"""Benchmark: import a generated roster whole, from the file to the validated graph.

The roster of ``bench/reconcile.py`` (100,000 rows; 20,000 distinct unit spellings with the
naming variants of docs/reconcile.md planted; communities and streets written with and without
their suffixes) is written as a 报到名册 file (a title row, a 序号 column), then
:func:`cobuild_graph.roster.read_roster` reads, recognises, reconciles (suggestions
included), builds and validates it. Prints the time, the peak memory, and recall and
precision of the whole import's merges and suggestions against the planted truth, with
the ratios to the goals (10 s, 95 %, 90 %).

With ``--distinct N`` the roster holds N distinct unit names of a few numbered shapes
(第N号公司, 第N中学, 苏州市第N人民医院, 吴中区第N小学), each once or twice, with communities
and streets: every name is a unit of its own, so name matching must not pair them all. Prints
the time and peak memory with the ratios to the goals (30 s, 2 GB) and the suggestions made
(each is a false one).

With ``--large`` the planted roster has 200,000 rows written as ``.xlsx`` (openpyxl's
write-only workbook: inline strings, no ``<dimension>``), against the goal of 30 s.

Without any of these, all three run, each in a process of its own (so that each peak memory
is its own): the planted roster, 100,000 distinct names and the large .xlsx roster. Each
prints its wall time and, beside it, the CPU time of the process (the machine's load
stretches the one far more than the other).

    PYTHONPATH=. python3 bench/roster_import.py [--rows 100000] [--names 20000] [--xlsx]
    PYTHONPATH=. python3 bench/roster_import.py --distinct 100000
    PYTHONPATH=. python3 bench/roster_import.py --large
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from reconcile import (  # the generated names
    GOAL_PRECISION,
    GOAL_RECALL,
    located,
    places,
    roster,
    score,
)

GOAL_SECONDS = 10.0
GOAL_DISTINCT_SECONDS = 30.0
GOAL_DISTINCT_MB = 2048.0
GOAL_LARGE_SECONDS = 30.0
DISTINCT = 100_000
LARGE_ROWS = 200_000
HEADER = ["序号", "单位名称", "报到社区", "所属街道"]
# Numbered shapes: names alike but for their number, every one a unit of its own.
SHAPES = ("第{}号公司", "第{}中学", "苏州市第{}人民医院", "吴中区第{}小学")


def distinct_roster(names: int, seed: int) -> pd.DataFrame:
    """The occurrences of `names` distinct numbered unit names, a quarter of them twice."""
    rng = random.Random(seed)
    units = [SHAPES[i % len(SHAPES)].format(i // len(SHAPES) + 1) for i in range(names)]
    units += rng.sample(units, names // 4)
    return located(units, places(rng), rng)


def write_roster(path: Path, table: pd.DataFrame) -> int:
    """The roster file of the occurrences `table`; returns its number of data rows."""
    wide = table.pivot(index="row", columns="kind", values="name")
    records = [
        [str(i), u, c, s]
        for i, (u, c, s) in enumerate(
            zip(wide["unit"], wide["community"], wide["street"], strict=True), start=1
        )
    ]
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("2023年报到名册")
        sheet.append(["2023年报到名册"])
        sheet.append(HEADER)
        for record in records:
            sheet.append(record)
        book.save(path)
    else:
        lines = ["2023年报到名册,,,", ",".join(HEADER), *(",".join(r) for r in records)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=20_000)
    parser.add_argument("--distinct", type=int, help="import this many distinct numbered names")
    parser.add_argument("--planted", action="store_true", help="only the planted roster")
    parser.add_argument(
        "--large", action="store_true", help=f"the planted roster, {LARGE_ROWS:,} rows as .xlsx"
    )
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--xlsx", action="store_true", help="write the roster as .xlsx")
    parser.add_argument("--profile", action="store_true", help="print the slowest functions")
    args = parser.parse_args()
    if args.distinct is None and not args.planted and not args.large:
        # each case in a process of its own: ru_maxrss is the peak of the whole process
        rest = sys.argv[1:]
        for case in (["--planted"], ["--distinct", str(DISTINCT)], ["--large"]):
            print(f"-- {' '.join(case)}", flush=True)
            subprocess.run([sys.executable, __file__, *case, *rest], check=True)
        return
    from cobuild_graph.io import write_dataset
    from cobuild_graph.roster import read_roster

    if args.large:
        args.rows, args.xlsx = LARGE_ROWS, True
    truth: dict[str, str] = {}
    if args.distinct is None:
        table, truth = roster(args.rows, args.names, args.seed)
    else:
        table = distinct_roster(args.distinct, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("名册.xlsx" if args.xlsx else "名册.csv")
        rows = write_roster(path, table)
        del table
        profile = cProfile.Profile() if args.profile else None
        load = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        found = read_roster(path)
        if profile:
            profile.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        started = time.perf_counter()
        write_dataset(found.graph, Path(folder) / "dataset")
        written = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    suggestions = found.review.suggestions
    G = found.graph
    spellings = args.names if args.distinct is None else args.distinct
    print(
        f"rows {rows:,} ({path.suffix})  unit spellings {spellings:,}  "
        f"nodes {G.number_of_nodes():,}  ties {G.number_of_edges():,}  "
        f"suggestions {len(suggestions):,}"
    )
    goal = GOAL_SECONDS if args.distinct is None else GOAL_DISTINCT_SECONDS
    goal = GOAL_LARGE_SECONDS if args.large else goal
    print(
        f"read_roster {seconds:6.2f} s   goal {goal:.0f} s   ({seconds / goal:.2f}x)   "
        f"CPU {cpu:.2f} s ({cpu / goal:.2f}x)   load {load:.1f} when it began"
    )
    print(f"write       {written:6.2f} s   (the dataset folder)")
    if args.distinct is None:
        print(f"peak memory {peak:6,.0f} MB (whole process, generation included)")
        # the truth of each spelling as read: a roster's cells lose their outer spaces
        read_as = {name.strip(" \u3000"): unit for name, unit in truth.items()}
        result = score(found.review, read_as)
        for name, goal in (("recall", GOAL_RECALL), ("precision", GOAL_PRECISION)):
            ratio = result[name] / goal
            print(f"{name:<11} {result[name]:6.1%}   goal {goal:.0%}   ({ratio:.2f}x)")
        print(f"suggestions joining one unit: {result['suggestion_precision']:.1%}")
    else:
        ratio = peak / GOAL_DISTINCT_MB
        print(
            f"peak memory {peak:6,.0f} MB goal {GOAL_DISTINCT_MB:,.0f} MB ({ratio:.2f}x; "
            "whole process, generation included)"
        )
        units = int((suggestions["kind"] == "Unit").sum())
        print(f"suggestions between units: {units:,} (every name is a unit of its own)")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
