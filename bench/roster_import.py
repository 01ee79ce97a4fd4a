"""Benchmark: import a generated roster whole, from the file to the validated graph.

The roster of ``bench/reconcile.py`` (100,000 rows; 20,000 distinct unit spellings with the
naming variants of docs/reconcile.md planted; communities and streets written with and without
their suffixes) is written as a 报到名册 file (a title row, a 序号 column), then
:func:`cobuild_graph.roster.read_roster` reads, recognises, reconciles (suggestions
included), builds and validates it. Prints the time, the peak memory, and recall and
precision of the whole import's merges and suggestions against the planted truth, with
the ratios to the goals (10 s, 95 %, 90 %).

    PYTHONPATH=. python3 bench/roster_import.py [--rows 100000] [--names 20000] [--xlsx]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).parent))
from reconcile import GOAL_PRECISION, GOAL_RECALL, roster, score  # the generated names

GOAL_SECONDS = 10.0
HEADER = ["序号", "单位名称", "报到社区", "所属街道"]


def write_roster(path: Path, rows: int, names: int, seed: int) -> tuple[int, dict[str, str]]:
    """The roster file; returns its number of data rows and each unit spelling's unit."""
    table, truth = roster(rows, names, seed)
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
    return len(records), truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--xlsx", action="store_true", help="write the roster as .xlsx")
    parser.add_argument("--profile", action="store_true", help="print the slowest functions")
    args = parser.parse_args()
    from cobuild_graph.io import write_dataset
    from cobuild_graph.roster import read_roster

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("名册.xlsx" if args.xlsx else "名册.csv")
        rows, truth = write_roster(path, args.rows, args.names, args.seed)
        profile = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profile:
            profile.enable()
        found = read_roster(path)
        if profile:
            profile.disable()
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        write_dataset(found.graph, Path(folder) / "dataset")
        written = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = found.review.summary()
    G = found.graph
    print(
        f"rows {rows:,} ({path.suffix})  unit spellings {args.names:,}  "
        f"nodes {G.number_of_nodes():,}  ties {G.number_of_edges():,}  "
        f"suggestions {counts['suggestions']:,}"
    )
    ratio = seconds / GOAL_SECONDS
    print(f"read_roster {seconds:6.2f} s   goal {GOAL_SECONDS:.0f} s   ({ratio:.2f}x)")
    print(f"write       {written:6.2f} s   (the dataset folder)")
    print(f"peak memory {peak:6,.0f} MB (whole process, generation included)")
    # the truth of each spelling as read: a roster's cells lose their outer spaces
    read_as = {name.strip(" \u3000"): unit for name, unit in truth.items()}
    result = score(found.review, read_as)
    for name, goal in (("recall", GOAL_RECALL), ("precision", GOAL_PRECISION)):
        print(f"{name:<11} {result[name]:6.1%}   goal {goal:.0%}   ({result[name] / goal:.2f}x)")
    print(f"suggestions joining one unit: {result['suggestion_precision']:.1%}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
