"""The ``cobuild-graph`` command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cobuild_graph import __version__
from cobuild_graph.errors import ValidationError
from cobuild_graph.generate import SCALES, generate_tables
from cobuild_graph.io import Dataset, read_tables, write_dataset
from cobuild_graph.schema import DEFAULT_SCHEMA, Schema, load_schema
from cobuild_graph.template import write_template

EXIT_INVALID = 1
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Parameters
    ----------
    argv
        The arguments after the program name; ``sys.argv[1:]`` when ``None``.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.run(args) or 0)
    except ValidationError as error:
        if getattr(args, "json", False):
            _print_json({"problems": _problem_records(error.problems)})
        else:
            print(error.report(), file=sys.stderr)
        return EXIT_INVALID
    except (FileNotFoundError, ValueError) as error:
        print(f"cobuild-graph: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cobuild-graph`` (also used to generate the CLI docs)."""
    parser = argparse.ArgumentParser(
        prog="cobuild-graph",
        description="Co-building networks (共建网络): validate, inspect, convert and generate "
        "datasets.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    def command(
        name: str, run: Callable[[argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_, description=help_)
        sub.set_defaults(run=run)
        return sub

    def reading(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("path", type=Path, help="dataset folder or .xlsx workbook")
        sub.add_argument(
            "--encoding", help="encoding of the CSV files (default: UTF-8, then GB18030)"
        )
        sub.add_argument("--schema", type=Path, help="schema extension file (.toml or .json)")

    sub = command("validate", _validate, "check a dataset and list every problem")
    reading(sub)
    sub.add_argument("--json", action="store_true", help="print the problems as JSON")

    sub = command("info", _info, "count the nodes per label and ties per type")
    reading(sub)
    sub.add_argument("--json", action="store_true", help="print the counts as JSON")

    sub = command("convert", _convert, "write a dataset as .xlsx, .graphml, .gexf or CSVs")
    reading(sub)
    sub.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="OUT.xlsx, OUT.graphml, OUT.gexf, or a folder for CSV files",
    )

    sub = command("template", _template, "write an Excel template for a new dataset")
    sub.add_argument("-o", "--output", type=Path, required=True, help="OUT.xlsx")
    sub.add_argument("--schema", type=Path, help="schema extension file (.toml or .json)")

    sub = command("generate", _generate, "write a seeded synthetic dataset")
    sub.add_argument(
        "--scale",
        default="sample",
        choices=sorted(SCALES),
        help="size and shape (default: sample, the Suzhou shape)",
    )
    sub.add_argument("--seed", type=int, default=2020, help="random seed (default: 2020)")
    sub.add_argument(
        "-o", "--output", type=Path, required=True, help="a folder for CSV files, or OUT.xlsx"
    )
    return parser


def _schema(args: argparse.Namespace) -> Schema:
    return load_schema(args.schema) if args.schema else DEFAULT_SCHEMA


def _read(args: argparse.Namespace) -> Dataset:
    return read_tables(args.path, schema=_schema(args), encoding=args.encoding)


def _validate(args: argparse.Namespace) -> int:
    dataset = _read(args)
    if args.json:
        _print_json({"problems": []})
    else:
        print(f"{args.path}: valid ({len(dataset.nodes):,} nodes, {len(dataset.ties):,} ties)")
    return 0


def _info(args: argparse.Namespace) -> int:
    dataset = _read(args)
    counts = {
        "nodes": _counts(dataset.nodes["label"]),
        "ties": _counts(dataset.ties["type"]),
    }
    if args.json:
        _print_json(counts)
        return 0
    for key in ("name", "place", "date", "licence"):
        if dataset.meta.get(key):
            print(f"{key}: {dataset.meta[key]}")
    for what, table in counts.items():
        print(f"\n{what} ({sum(table.values()):,})")
        for name, count in table.items():
            print(f"  {name:<14}{count:>10,}")
    provenance = dataset.nodes.get("provenance")
    if provenance is not None and provenance.notna().any():
        print("\nnode provenance")
        for name, count in _counts(provenance.fillna("(none)")).items():
            print(f"  {name:<14}{count:>10,}")
    return 0


def _counts(column: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in column.value_counts(sort=False).sort_index().items()}


def _convert(args: argparse.Namespace) -> int:
    dataset = _read(args)
    out = write_dataset(dataset, args.output, schema=_schema(args))
    print(f"wrote {out} ({len(dataset.nodes):,} nodes, {len(dataset.ties):,} ties)")
    return 0


def _template(args: argparse.Namespace) -> int:
    print(f"wrote {write_template(args.output, schema=_schema(args))}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    dataset = Dataset(*generate_tables(args.scale, seed=args.seed))
    out = write_dataset(dataset, args.output)
    print(f"wrote {out} ({len(dataset.nodes):,} nodes, {len(dataset.ties):,} ties)")
    return 0


def _problem_records(problems: pd.DataFrame) -> list[dict[str, Any]]:
    records = []
    for record in problems.to_dict("records"):
        record["row"] = None if pd.isna(record["row"]) else int(record["row"])
        value = record["value"]
        record["value"] = None if value is None else value if isinstance(value, str) else str(value)
        records.append(record)
    return records


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    sys.exit(main())
