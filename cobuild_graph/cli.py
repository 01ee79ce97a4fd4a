"""The ``cobuild-graph`` command line."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from cobuild_graph import __version__
from cobuild_graph._files import check_output
from cobuild_graph.build import graph_from_tables
from cobuild_graph.errors import OutputError, ServerError, StoreError, ValidationError
from cobuild_graph.export import (
    DL_LAYOUTS,
    TWO_MODE_DL_LAYOUTS,
    write_two_mode_dl,
    written_counts,
)
from cobuild_graph.generate import SCALES, generate_tables
from cobuild_graph.io import GRAPH_SUFFIXES, Dataset, read_tables, write_dataset, writes_one_file
from cobuild_graph.reconcile import ACCEPT_ABOVE
from cobuild_graph.schema import Schema, load_schema
from cobuild_graph.template import write_template

if TYPE_CHECKING:
    from cobuild_graph.store import Neo4jStore

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_INVALID",
    "EXIT_NEO4J",
    "EXIT_OUTPUT",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_NEO4J = 3
#: The output cannot be written: checked before the work, or met while writing.
EXIT_OUTPUT = 4
#: The reader of the output went away (``cobuild-graph ... | head``): 128 + SIGPIPE, as a
#: shell reports a program that the signal stopped.
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Parameters
    ----------
    argv
        The arguments after the program name; ``sys.argv[1:]`` when ``None``.
    """
    try:
        code = _main(argv)
        sys.stdout.flush()  # output still buffered meets a closed pipe here, not at exit
    except BrokenPipeError:
        # Stop quietly, as Python's documentation advises (the note on SIGPIPE): point
        # stdout at devnull, so that the interpreter's last flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # the driver logs each retried transaction as a warning
        logging.getLogger("neo4j").setLevel(logging.ERROR)
    try:
        return int(args.run(args) or 0)
    except ValidationError as error:
        if getattr(args, "json", False):
            _print_json({"problems": _problem_records(error.problems)})
        else:
            print(error.report(), file=sys.stderr)
        return EXIT_INVALID
    except OutputError as error:
        print(f"cobuild-graph: 错误 error: {error}", file=sys.stderr)
        return EXIT_OUTPUT
    except (FileNotFoundError, ValueError) as error:
        print(f"cobuild-graph: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as error:
        print(f"cobuild-graph: error: {error}", file=sys.stderr)
        return EXIT_NEO4J
    except ServerError as error:
        print(f"cobuild-graph: 错误 error: {error}", file=sys.stderr)
        return EXIT_NEO4J


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cobuild-graph`` (also used to generate the CLI docs)."""
    parser = argparse.ArgumentParser(
        prog="cobuild-graph",
        description="Co-building networks (共建网络): validate, inspect, convert and generate "
        "datasets.",
        epilog=f"退出码 exit codes: 0 成功 done; {EXIT_INVALID} 输入有问题 invalid input (every "
        f"problem listed, nothing written); {EXIT_USAGE} 用法 usage; {EXIT_NEO4J} Neo4j 不可用 "
        f"Neo4j unreachable; {EXIT_OUTPUT} 输出写不了 output cannot be written (nothing "
        "half-written left).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="记录运行过程 log what happens"
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    def command(
        name: str, run: Callable[[argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_, description=help_)
        sub.set_defaults(run=run, command=name)
        return sub

    def reading(sub: argparse.ArgumentParser, *, optional: bool = False) -> None:
        if optional:
            sub.add_argument(
                "path",
                type=Path,
                nargs="?",
                help="数据集文件夹或 .xlsx 工作簿 dataset folder or .xlsx workbook",
            )
        else:
            sub.add_argument(
                "path",
                type=Path,
                help="数据集文件夹或 .xlsx 工作簿 dataset folder or .xlsx workbook",
            )
        sub.add_argument(
            "--encoding",
            help="CSV 文件的编码 encoding of the CSV files (default: UTF-8, then GB18030)",
        )
        sub.add_argument(
            "--schema", type=Path, help="schema 扩展文件 schema extension file (.toml or .json)"
        )

    sub = command(
        "validate", _validate, "校验数据集并列出每个问题 check a dataset and list every problem"
    )
    reading(sub)
    sub.add_argument(
        "--json", action="store_true", help="以 JSON 输出问题 print the problems as JSON"
    )

    sub = command("info", _info, "按类型统计节点和关系 count the nodes per label and ties per type")
    reading(sub, optional=True)
    sub.add_argument("--json", action="store_true", help="print the counts as JSON")
    sub.add_argument(
        "--neo4j",
        action="store_true",
        help="统计 Neo4j 中的数据集 count a dataset stored in Neo4j instead of a file (no PATH "
        "then)",
    )
    sub.add_argument("--dataset", help="with --neo4j: the stored dataset (default: the only one)")
    _connection(sub)

    sub = command(
        "load",
        _load,
        "校验数据集并写入 Neo4j validate a dataset and write it into Neo4j (nothing is written if "
        "invalid)",
    )
    reading(sub)
    sub.add_argument("--dataset", help="name to store it under (default: the folder or file name)")
    sub.add_argument(
        "--replace",
        action="store_true",
        help="先删除同名数据集 delete the stored dataset of that name first",
    )
    sub.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="每个事务的行数 rows per transaction (default: 5000)",
    )
    sub.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    _connection(sub)

    sub = command(
        "pull",
        _pull,
        "从 Neo4j 读出数据集（或其一部分）写入文件 read a dataset, or part of it, from Neo4j into "
        "files",
    )
    sub.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="输出：CSV 文件夹或文件 a folder for CSV files, OUT.xlsx, OUT.graphml, OUT.gexf "
        "(Gephi), OUT.dl (UCINET) or OUT.net (Pajek)",
    )
    _export_options(sub)
    _stored_selection(sub)
    sub.add_argument(
        "--label", action="append", metavar="LABEL", help="only nodes of this label (repeat)"
    )
    sub.add_argument(
        "--schema", type=Path, help="schema 扩展文件 schema extension file (.toml or .json)"
    )
    _connection(sub)

    sub = command(
        "convert",
        _convert,
        "转换数据集格式 write a dataset as .xlsx, CSVs, .graphml, .gexf (Gephi), .dl (UCINET) or "
        ".net (Pajek)",
    )
    reading(sub)
    sub.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="输出文件或 CSV 文件夹 OUT.xlsx, OUT.graphml, OUT.gexf, OUT.dl, OUT.net, or a folder "
        "for CSV files",
    )
    _export_options(sub)

    sub = command(
        "analyze",
        _analyze,
        "把所有分析表写入 .xlsx 或 CSV 文件夹 write every analysis table to .xlsx or a CSV "
        "folder, from files or from Neo4j",
    )
    reading(sub, optional=True)
    sub.add_argument("-o", "--output", type=Path, required=True, help="OUT.xlsx or a folder")
    sub.add_argument("--seed", type=int, default=0, help="seed of community detection")
    sub.add_argument(
        "--betweenness-sample",
        type=int,
        metavar="K",
        help="用 K 个源点估计中介中心性 estimate betweenness from K sources (default: exact up to "
        "10,000 nodes, else 1,000 sources)",
    )
    sub.add_argument(
        "--only",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        action="extend",
        metavar="TABLE[,TABLE...]",
        help="只写这些表及其所需的表 write only these tables, the tables they need and about "
        "(comma-separated or repeated), e.g. --only centrality,balance; the tables are listed "
        "on the analysis page of the documentation (default: every table)",
    )
    _view_option(sub)
    _inferred_dates_option(sub)
    _assigned_places_option(sub)
    sub.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    _from_neo4j(sub)

    sub = command(
        "report",
        _report,
        "生成 HTML 报告 write an HTML report: summary, tables, charts and map, from files or from "
        "Neo4j",
    )
    reading(sub, optional=True)
    sub.add_argument("-o", "--output", type=Path, required=True, help="folder to write")
    sub.add_argument("--seed", type=int, default=0, help="seed of the analysis and the layout")
    sub.add_argument("--title", help="title of the report (default: the dataset's name)")
    sub.add_argument(
        "--lang",
        choices=("zh", "en", "both"),
        default="both",
        help="报告标题、说明和表头的语言 language of the report's headings, notes and table "
        "headers (default: both)",
    )
    _view_option(sub)
    _inferred_dates_option(sub)
    _assigned_places_option(sub)
    _from_neo4j(sub)

    sub = command(
        "import",
        _import,
        "把名册读成数据集 read rosters (名册) into a dataset: names reconciled, suggestions to a "
        "review workbook (nothing is written if the rosters have problems)",
    )
    sub.add_argument(
        "rosters",
        type=Path,
        nargs="+",
        metavar="ROSTER",
        help="名册文件 roster files: .xlsx, .xls, .ods, .et or .csv (UTF-8 or GBK); every sheet "
        "is read",
    )
    sub.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="输出的数据集：文件夹或 .xlsx the dataset: a folder, or OUT.xlsx",
    )
    sub.add_argument(
        "--columns",
        nargs="+",
        action="extend",
        metavar="HEADER=ROLE",
        help="别名表不认识的表头的角色 the role of a header the aliases do not know, e.g. "
        "单位全名=unit (wins over the aliases; ROLE ignore leaves a column out)",
    )
    sub.add_argument(
        "--places",
        type=Path,
        action="append",
        metavar="PLACES",
        help="地名表，层级以它为准 a places list (区, 街道, 社区): the authority for the "
        "hierarchy (repeat)",
    )
    sub.add_argument(
        "--aliases",
        type=Path,
        metavar="DECISIONS",
        help="研究者的判定 the researcher's decisions: the review workbook, or a CSV file (kind, "
        "name_a, name_b, decision)",
    )
    sub.add_argument(
        "--accept",
        type=float,
        nargs="?",
        const=ACCEPT_ABOVE,
        metavar="THRESHOLD",
        help="合并得分不低于阈值的建议 merge every suggestion scoring at least THRESHOLD (default "
        f"{ACCEPT_ABOVE:g}) that no decision keeps apart, for scripted use",
    )
    sub.add_argument(
        "--review",
        type=Path,
        help="核对工作簿写到哪里 where to write the review workbook (default: beside the dataset, "
        "DATASET.review.xlsx)",
    )
    sub.add_argument(
        "--year",
        action="append",
        metavar="[FILE=]YEAR",
        help="名册的年份 the year of a roster file, or of every roster (default: a year in the "
        "sheet name, the title rows or the file name)",
    )
    sub.add_argument(
        "--encoding", help="CSV 名册的编码 encoding of CSV rosters (default: UTF-8, then GB18030)"
    )
    sub.add_argument(
        "--schema", type=Path, help="schema 扩展文件 schema extension file (.toml or .json)"
    )

    sub = command(
        "template", _template, "写入新数据集的 Excel 模板 write an Excel template for a new dataset"
    )
    sub.add_argument(
        "-o", "--output", type=Path, required=True, help="输出的 .xlsx 工作簿 OUT.xlsx"
    )
    sub.add_argument(
        "--schema", type=Path, help="schema 扩展文件 schema extension file (.toml or .json)"
    )

    sub = command("generate", _generate, "生成带种子的模拟数据集 write a seeded synthetic dataset")
    sub.add_argument(
        "--scale",
        default="sample",
        choices=sorted(SCALES),
        help="规模和形态 size and shape (default: sample, the Suzhou shape)",
    )
    sub.add_argument("--seed", type=int, default=2020, help="随机种子 random seed (default: 2020)")
    sub.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="CSV 文件夹或 .xlsx a folder for CSV files, or OUT.xlsx",
    )

    sub = command(
        "neo4j",
        _neo4j,
        "本地 Neo4j 服务器，用于试用存储 a local Neo4j server to try the store with (Java 17+ "
        "needed; Neo4j 5.26 Community is downloaded from Maven Central on first use)",
    )
    _neo4j_actions(sub)
    return parser


def _neo4j_actions(sub: argparse.ArgumentParser) -> None:
    actions = sub.add_subparsers(title="actions", required=True, metavar="ACTION", dest="action")

    def action(name: str, help_: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help_, description=help_)
        if name != "fetch":
            parser.add_argument(
                "--state-dir",
                type=Path,
                help="服务器的数据、日志和密码 data, logs and password of the server (default: "
                "COBUILD_NEO4J_STATE, else /tmp/cobuild-neo4j)",
            )
        return parser

    start = action(
        "start",
        "启动服务器 start a server (or report the one running) and print the NEO4J_* variables to "
        'export: eval "$(cobuild-graph neo4j start)"',
    )
    start.add_argument(
        "--bolt-port", type=int, metavar="PORT", help="本机端口 loopback port (default: a free one)"
    )
    start.add_argument(
        "--heap", help="JVM 最大堆内存 maximum JVM heap, e.g. 2g (default: COBUILD_NEO4J_HEAP, 2g)"
    )
    start.add_argument(
        "--pagecache", help="页缓存 page cache, e.g. 512m (default: COBUILD_NEO4J_PAGECACHE, 512m)"
    )
    start.add_argument(
        "--timeout",
        type=float,
        help="等待服务器响应的秒数 seconds to wait for the server to answer (default: 120)",
    )
    stop = action("stop", "停止服务器并删除数据 stop the server and delete its data")
    stop.add_argument(
        "--keep-data",
        action="store_true",
        help="保留数据、端口和密码 keep the data, port and password for the next start",
    )
    action("restart", "保留数据并重启服务器 stop the server keeping its data, and start it again")
    action(
        "status",
        "服务器运行时输出 NEO4J_* 变量 print the NEO4J_* variables if the server runs (exit 3 if "
        "it does not)",
    )
    action("fetch", "只下载 Neo4j 到缓存 only download Neo4j into the cache (COBUILD_NEO4J_CACHE)")


def _export_options(sub: argparse.ArgumentParser) -> None:
    group = sub.add_argument_group(
        "UCINET and Pajek files",
        "OUT.dl 和 OUT.net 的选项 Options for OUT.dl (UCINET DL) and OUT.net (Pajek).",
    )
    group.add_argument(
        "--dl-layout",
        choices=sorted({*DL_LAYOUTS, *TWO_MODE_DL_LAYOUTS}),
        help="DL 数据布局 the DL data layout (default: edgelist1; with --two-mode, fullmatrix; "
        "edgelist2 is two-mode only)",
    )
    group.add_argument(
        "--two-mode",
        metavar="ROWS,COLUMNS",
        help="写这两类节点的二模 DL write a two-mode DL of these two node labels, e.g. "
        "Unit,Community",
    )
    group.add_argument(
        "--tie-type",
        action="append",
        metavar="TYPE",
        help="只写这种关系 only this tie type, one matrix or relation each (repeat; default: all)",
    )
    group.add_argument(
        "--pajek-relations",
        action="store_true",
        help='多关系 Pajek 文件 OUT.net in Pajek\'s multi-relational form, one *Arcs :n "TYPE" '
        "section per tie type (Pajek reads it; python-igraph and R igraph do not)",
    )
    group.add_argument(
        "--dl-encoding",
        default="gb18030",
        help="OUT.dl 的编码 encoding of OUT.dl (default: gb18030, which UCINET reads on Chinese "
        "Windows)",
    )


def _check_dataset_output(path: Path) -> None:
    """Refuse an output :func:`write_dataset` cannot write, before any work."""
    check_output(path, folder=not writes_one_file(path))


def _write_graph_or_tables(
    data: nx.MultiDiGraph | Dataset, args: argparse.Namespace
) -> tuple[Path, int, int]:
    """Write `data` to ``--output``, with the export options that apply to its suffix.

    Returns the path and the counts of nodes and ties the file holds (a DL or Pajek file
    holds only the chosen tie types).
    """
    suffix = args.output.suffix.lower()
    if args.two_mode and suffix != ".dl":
        raise ValueError(
            "--two-mode 只用于 UCINET 文件 / --two-mode writes a UCINET file: name the output "
            "OUT.dl"
        )
    if args.dl_layout and suffix != ".dl":
        raise ValueError(
            "--dl-layout 只用于 UCINET 文件 / --dl-layout applies to a UCINET file: name the "
            "output OUT.dl"
        )
    if args.tie_type and suffix not in (".dl", ".net"):
        raise ValueError(
            "--tie-type 只用于 .dl 和 .net 文件 / --tie-type applies to .dl and .net files"
        )
    options: dict[str, Any] = {"tie_types": args.tie_type} if args.tie_type else {}
    if args.dl_layout:
        options["layout"] = args.dl_layout
    if args.pajek_relations and suffix != ".net":
        raise ValueError(
            "--pajek-relations 只用于 Pajek 文件 / --pajek-relations applies to a Pajek file: "
            "name the output OUT.net"
        )
    if args.pajek_relations:
        options["relations"] = True
    if suffix == ".dl":
        options["encoding"] = args.dl_encoding
    if isinstance(data, nx.Graph):
        G = data
    elif suffix in GRAPH_SUFFIXES:
        G = graph_from_tables(data.nodes, data.ties, meta=data.meta, validate=False)
    else:  # a workbook or CSV folder: the tables as they are
        out = write_dataset(data, args.output, schema=_schema(args))
        return out, len(data.nodes), len(data.ties)
    if not args.two_mode:
        out = write_dataset(G, args.output, schema=_schema(args), **options)
        return out, *written_counts(G, suffix, **options)
    rows, _, columns = args.two_mode.partition(",")
    if not rows or not columns:
        raise ValueError(
            "--two-mode 应为 行类型,列类型 / --two-mode takes ROWS,COLUMNS, e.g. Unit,Community, "
            f"not {args.two_mode!r}"
        )
    options.update(rows=rows.strip(), columns=columns.strip())
    out = write_two_mode_dl(G, args.output, **options)
    return out, *written_counts(G, suffix, **options)


def _stored_selection(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--dataset", help="存储的数据集 the stored dataset (default: the only one)")
    where = sub.add_mutually_exclusive_group()
    where.add_argument(
        "--street", metavar="ID", help="只取这个街道及其下属 only this street and what is under it"
    )
    where.add_argument(
        "--district",
        metavar="ID",
        help="只取这个区及其下属 only this district and what is under it",
    )
    where.add_argument(
        "--within",
        metavar="ID",
        help="只取这个地方及其下属 only this place (any level) and what is under it",
    )
    sub.add_argument(
        "--at",
        metavar="DATE",
        help="只取这一天有效的关系 only ties that hold on this day (YYYY-MM-DD)",
    )


def _from_neo4j(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--neo4j",
        action="store_true",
        help="读取 Neo4j 中的数据集 read a dataset stored in Neo4j instead of a file (no PATH "
        "then)",
    )
    _stored_selection(sub)
    _connection(sub)


def _connection(sub: argparse.ArgumentParser) -> None:
    group = sub.add_argument_group(
        "Neo4j connection",
        "By default from the environment: NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, "
        "NEO4J_DATABASE. The password is only ever read from a variable (or asked for), never "
        "from the command line, so it stays out of shell history.",
    )
    group.add_argument("--uri", help="bolt://host:7687, neo4j://host or neo4j+s://host")
    group.add_argument("--user", help="user name (default: NEO4J_USERNAME, else neo4j)")
    group.add_argument("--database", help="database (default: NEO4J_DATABASE, else home)")
    group.add_argument(
        "--password-env",
        default="NEO4J_PASSWORD",
        metavar="VAR",
        help="存放密码的环境变量 the environment variable holding the password (default: "
        "NEO4J_PASSWORD)",
    )


def _store(args: argparse.Namespace) -> Neo4jStore:
    """A :class:`~cobuild_graph.store.Neo4jStore` from the flags and the environment."""
    from cobuild_graph.store import Neo4jStore  # imports the driver only when needed

    password = os.environ.get(args.password_env)
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(f"Neo4j password ({args.password_env} is not set): ")
    schema = _schema(args) if getattr(args, "schema", None) else None
    return Neo4jStore.from_env(
        uri=args.uri, user=args.user, password=password, database=args.database, schema=schema
    )


def _stored_dataset(store: Neo4jStore, args: argparse.Namespace) -> str:
    """The dataset named by ``--dataset``, or the only one stored."""
    if args.dataset:
        return str(args.dataset)
    names = store.datasets()["name"].tolist()
    if len(names) == 1:
        return str(names[0])
    stored = ", ".join(names) if names else "none"
    raise ValueError(
        f"请用 --dataset 指定数据集 / name the dataset with --dataset (stored: {stored})"
    )


def _schema(args: argparse.Namespace) -> Schema | None:
    """The ``--schema`` file's schema; ``None`` without one: the data's own (or the default)."""
    return load_schema(args.schema) if args.schema else None


def _read(args: argparse.Namespace) -> Dataset:
    return read_tables(args.path, schema=_schema(args), encoding=args.encoding)


def _validate(args: argparse.Namespace) -> int:
    dataset = _read(args)
    if args.json:
        _print_json({"problems": []})
    else:
        print(f"{args.path}: 有效 valid ({len(dataset.nodes):,} nodes, {len(dataset.ties):,} ties)")
    return 0


def _info(args: argparse.Namespace) -> int:
    if _from_store(args):
        return _info_neo4j(args)
    dataset = _read(args)
    counts = {
        "nodes": _counts(dataset.nodes["label"]),
        "ties": _counts(dataset.ties["type"]),
    }
    if args.json:
        _print_json(counts)
        return 0
    _print_counts(dataset.meta, counts)
    provenance = dataset.nodes.get("provenance")
    if provenance is not None and provenance.notna().any():
        print("\n节点来源 node provenance")
        for name, count in _counts(provenance.fillna("(none)")).items():
            print(f"  {name:<14}{count:>10,}")
    return 0


def _info_neo4j(args: argparse.Namespace) -> int:
    with _store(args) as store:
        if not args.dataset and len(stored := store.datasets()) != 1:
            if args.json:
                _print_json({"datasets": _records(stored)})
            else:
                print(
                    f"Neo4j 中有 {len(stored)} 个数据集 {len(stored)} datasets in Neo4j at "
                    f"{store.address}"
                )
                for row in stored.itertuples():
                    state = "" if row.complete else "  (不完整 incomplete)"
                    print(f"  {row.name:<24}{row.nodes:>10,} nodes{row.ties:>10,} ties{state}")
            return 0
        name = _stored_dataset(store, args)
        counts = _stored_counts(store, name)
        if args.json:
            _print_json(counts)
            return 0
        print(f"数据集 dataset: {name} in Neo4j at {store.address}")
        _print_counts(store.metadata(name), counts)
    return 0


def _stored_counts(store: Neo4jStore, name: str) -> dict[str, dict[str, int]]:
    nodes, ties = store.node_counts(name), store.tie_counts(name)
    return {
        "nodes": {str(k): int(v) for k, v in zip(nodes["label"], nodes["count"], strict=True)},
        "ties": {str(k): int(v) for k, v in zip(ties["type"], ties["count"], strict=True)},
    }


_COUNTED_ZH = {"nodes": "节点", "ties": "关系"}


def _print_counts(meta: dict[str, Any], counts: dict[str, dict[str, int]]) -> None:
    for key in ("name", "place", "date", "licence"):
        if meta.get(key):
            print(f"{key}: {meta[key]}")
    for what, table in counts.items():
        print(f"\n{_COUNTED_ZH[what]} {what} ({sum(table.values()):,})")
        for name, count in table.items():
            print(f"  {name:<14}{count:>10,}")


def _load(args: argparse.Namespace) -> int:
    dataset = _read(args)  # validates: nothing is written when the dataset is invalid
    source = args.path.resolve()
    name = args.dataset or (source.name if source.is_dir() else source.stem)
    options = {"batch_size": args.batch_size} if args.batch_size else {}
    with _store(args) as store:
        summary = store.load(
            dataset, name, replace=args.replace, progress=not args.no_progress, **options
        )
        print(
            f"已写入 Neo4j loaded {args.path} into Neo4j at {store.address} as dataset {name!r}: "
            f"{summary.nodes:,} nodes, {summary.ties:,} ties in {summary.seconds:.1f} s"
        )
        _print_counts({}, _stored_counts(store, name))
    return 0


def _pull(args: argparse.Namespace) -> int:
    _check_dataset_output(args.output)
    G, name = _read_stored(args)
    out, nodes, ties = _write_graph_or_tables(G, args)
    print(f"已写入 wrote {out} ({nodes:,} nodes, {ties:,} ties) from dataset {name!r}")
    return 0


def _from_store(args: argparse.Namespace) -> bool:
    """Whether to read from Neo4j (``--neo4j``) rather than PATH; one of them is required."""
    if args.neo4j and args.path is not None:
        raise ValueError("PATH 和 --neo4j 只能给一个 / give PATH or --neo4j, not both")
    if not args.neo4j and args.path is None:
        raise ValueError(
            f"{args.command} 需要数据集路径 / {args.command} needs a dataset PATH (or --neo4j for "
            "a stored dataset)"
        )
    return bool(args.neo4j)


def _read_stored(args: argparse.Namespace) -> tuple[nx.MultiDiGraph, str]:
    """The stored dataset (or the part of it) that the selection flags name, and its name."""
    within = args.street or args.district or args.within
    with _store(args) as store:
        name = _stored_dataset(store, args)
        G = store.read(name, within=within, labels=getattr(args, "label", None), at=args.at)
    expected = "Street" if args.street else "District" if args.district else None
    found = G.nodes[within]["label"] if within in G else None
    if expected and found != expected:
        raise ValueError(
            f"{within!r} 的类型不对 / {within!r} is a {found or 'node outside the labels chosen'}, "
            f"not a {expected}"
        )
    return G, name


def _counts(column: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in column.value_counts(sort=False).sort_index().items()}


def _convert(args: argparse.Namespace) -> int:
    _check_dataset_output(args.output)
    out, nodes, ties = _write_graph_or_tables(_read(args), args)
    print(f"已写入 wrote {out} ({nodes:,} nodes, {ties:,} ties)")
    return 0


def _graph(args: argparse.Namespace) -> nx.MultiDiGraph:
    """The graph of PATH, or with ``--neo4j`` of the stored dataset."""
    if _from_store(args):
        return _read_stored(args)[0]
    dataset = _read(args)
    return graph_from_tables(dataset.nodes, dataset.ties, meta=dataset.meta, validate=False)


def _view_option(sub: argparse.ArgumentParser) -> None:
    from cobuild_graph.views import VIEWS

    sub.add_argument(
        "--view",
        choices=[name for name in VIEWS if name != "two_mode"],
        default="cobuilding",
        help="网络指标所用的网络 the network the network measures run on: "
        + "; ".join(f"{name}: {text}" for name, text in VIEWS.items() if name != "two_mode")
        + " (default: cobuilding)",
    )


def _inferred_dates_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--no-inferred-dates",
        dest="inferred_dates",
        action="store_false",
        help="增长表不含推定日期 the growth table leaves out the ties whose since or until is "
        "inferred (e.g. from the roster's year, not a date in the row); by default they are "
        "counted, and the about sheet says how many there are",
    )


def _assigned_places_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--no-assigned-places",
        dest="assigned_places",
        action="store_false",
        help="按街道的表不含推定街道的节点 the tables by street leave out the nodes whose street "
        "is assigned by a rule, not recorded (e.g. a unit in the street it is most often paired "
        "with); by default they are counted, and the about sheet says how many",
    )


def _analyze(args: argparse.Namespace) -> int:
    from cobuild_graph.analysis import analyze, write_analysis

    check_output(args.output, folder=args.output.suffix.lower() != ".xlsx")
    options = {"betweenness_sample": args.betweenness_sample} if args.betweenness_sample else {}
    progress = not args.no_progress and sys.stderr.isatty()
    tables = analyze(
        _graph(args),
        seed=args.seed,
        progress=progress,
        view=args.view,
        schema=_schema(args),
        inferred_dates=args.inferred_dates,
        assigned_places=args.assigned_places,
        only=args.only,
        **options,
    )
    print(f"已写入 wrote {write_analysis(tables, args.output)} ({len(tables)} tables)")
    return 0


def _report(args: argparse.Namespace) -> int:
    from cobuild_graph.analysis import analyze
    from cobuild_graph.report import FILES, write_report

    check_output(args.output, folder=True)
    G, schema = _graph(args), _schema(args)
    tables = analyze(
        G,
        seed=args.seed,
        view=args.view,
        schema=schema,
        inferred_dates=args.inferred_dates,
        assigned_places=args.assigned_places,
    )
    index = write_report(
        G,
        args.output,
        tables=tables,
        seed=args.seed,
        title=args.title,
        language=args.lang,
        schema=schema,
    )
    print("写入 wrote:")
    for name, what in FILES.items():
        print(f"  {index.parent / name}  {what}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from cobuild_graph.roster import RosterError, read_roster

    if args.output.suffix and args.output.suffix.lower() != ".xlsx":
        raise ValueError(
            f"{args.output}: 数据集应写成文件夹或 .xlsx / write the dataset as a folder or OUT.xlsx"
        )
    review_path = args.review or _review_beside(args.output)
    _check_dataset_output(args.output)
    check_output(review_path, folder=False)
    try:
        found = read_roster(
            args.rosters,
            columns=_pairs(args.columns or [], "--columns", "HEADER=ROLE"),
            places=args.places,
            decisions=args.aliases,
            accept_above=args.accept,
            year=_years(args.year or []),
            encoding=args.encoding,
            schema=_schema(args),
        )
    except RosterError as error:
        if error.review is not None and len(error.review.suggestions):
            error.write_review(review_path)
            print(
                f"审核表 review workbook: {review_path} ({len(error.review.suggestions)} 条建议 "
                "suggestions; deciding them may resolve some of the problems below)",
                file=sys.stderr,
            )
        raise
    out = write_dataset(found.graph, args.output, schema=_schema(args))
    dataset = read_tables(out, schema=_schema(args))  # what was written reads back valid
    found.write_review(review_path)
    _print_import_summary(found, dataset, out, review_path)
    return 0


def _print_marks(found: Any) -> None:
    """The values the import did not read from their own cell, by kind, and the conflicts."""
    from cobuild_graph.schema import INFERENCES

    inferred = found.inferred
    if len(inferred):
        print("推定 inferred (marked in the dataset's inferred column):")
        for how, group in inferred.groupby("how", sort=False):
            listed = ", ".join(
                f"{on}.{field} {count:,}"
                for on, field, count in zip(
                    group["on"], group["field"], group["count"], strict=True
                )
            )
            print(f"  {how}: {listed} — {INFERENCES.get(how, how)}")
    conflicts = found.conflicts
    in_run = conflicts[conflicts["used"].notna()] if len(conflicts) else conflicts
    if len(in_run):
        groups = in_run.groupby(["item", "field"], sort=False)
        decided = groups["chosen"].any()
        print(
            f"冲突 conflicts: {len(decided):,} (待定 pending {int((~decided).sum()):,}) — rows of "
            "one entity give different values; the review workbook lists each with its rows, "
            "choose one"
        )
        pending = [key for key, done in decided.items() if not done]
        for key in pending[:_SHOWN]:
            values = groups.get_group(key)
            used = values.loc[values["used"].astype(bool), "value"].iloc[0]
            shown = " / ".join(values["value"])
            print(f"  {values['name'].iloc[0]} {key[1]}: {shown} → 暂用 using {used}")
        if len(pending) > _SHOWN:
            print(f"  … (+{len(pending) - _SHOWN})")


def _review_beside(output: Path) -> Path:
    stem = output.stem if output.suffix.lower() == ".xlsx" else output.name
    return output.with_name(f"{stem}.review.xlsx")


def _pairs(items: Sequence[str], option: str, form: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, sep, value = item.rpartition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{option} 的格式应为 {form} / {option} takes {form}, not {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def _years(items: Sequence[str]) -> int | dict[str, int] | None:
    if not items:
        return None
    plain = [i for i in items if "=" not in i]
    try:
        if plain:
            if len(items) > 1:
                raise ValueError(
                    "--year 给所有名册一个年份，或逐个写 FILE=YEAR / --year takes one YEAR for "
                    "every roster, or FILE=YEAR each"
                )
            return int(plain[0])
        return {k: int(v) for k, v in _pairs(items, "--year", "FILE=YEAR").items()}
    except ValueError as error:
        if "--year" in str(error):
            raise
        raise ValueError(
            f"--year 应为四位年份 / --year takes a four-digit year: {', '.join(items)}"
        ) from None


#: How many absent decisions, or pending conflicts, the import summary lists.
_SHOWN = 10


def _print_import_summary(found: Any, dataset: Dataset, out: Path, review_path: Path) -> None:
    print("读取 read:")
    for sheet in found.sheets.to_dict("records"):
        where = Path(sheet["file"]).name + (f" / {sheet['sheet']}" if sheet["sheet"] else "")
        if sheet["shape"] is None:
            print(f"  {where}: 未导入 not imported ({sheet['note']})")
            continue
        year = "" if pd.isna(sheet["year"]) else f", {sheet['year']}年 year"
        print(f"  {where}: {sheet['shape']}, {sheet['rows']:,} 行 rows{year}")
    print("实体 entities:  " + _count_line(dataset.nodes["label"]))
    print("关系 ties:      " + _count_line(dataset.ties["type"]))
    counts = found.review.summary()
    print(f"规则合并 merged by rule: {counts['spellings'] - counts['keys']:,} 个写法 spellings")
    print(
        f"建议 suggestions: {counts['suggestions']:,} — 待定 pending {counts['undecided']:,}, 合并 "
        f"merged {counts['merged']:,}, 分开 kept apart {counts['kept_apart']:,}"
    )
    if counts["split"]:
        print(f"规则合并已拆分 rule merges undone: {counts['split']:,}")
    if counts["canonical"]:
        print(f"规范名称 canonical names chosen: {counts['canonical']:,}")
    absent = found.review.decisions[~found.review.decisions["in_run"]]
    if len(absent):
        print(
            f"本次未出现的名称的决定 decisions for names not in this run: {len(absent):,} (保留 "
            "kept in the review workbook)"
        )
        for r in absent.head(_SHOWN).to_dict("records"):
            print(f"  {r['name_a']} / {r['name_b']}: {r['decision']} ({r['file']}, row {r['row']})")
        if len(absent) > _SHOWN:
            print(f"  … (+{len(absent) - _SHOWN})")
    _print_marks(found)
    unknown = found.categories[~found.categories["known"]] if len(found.categories) else []
    if len(unknown):
        listed = ", ".join(f"{k} ({int(v)})" for k, v in unknown["count"].items())
        print(f"未知单位类型 unknown categories (kept as roster_category): {listed}")
    print(f"审核表 review workbook: {review_path}")
    print(f"已写入 wrote: {out} ({len(dataset.nodes):,} nodes, {len(dataset.ties):,} ties)")


def _count_line(column: pd.Series) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in _counts(column).items())


def _template(args: argparse.Namespace) -> int:
    check_output(args.output, folder=False)
    print(f"已写入 wrote {write_template(args.output, schema=_schema(args))}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    _check_dataset_output(args.output)
    dataset = Dataset(*generate_tables(args.scale, seed=args.seed))
    out = write_dataset(dataset, args.output)
    print(f"已写入 wrote {out} ({len(dataset.nodes):,} nodes, {len(dataset.ties):,} ties)")
    return 0


def _neo4j(args: argparse.Namespace) -> int:
    from cobuild_graph import server

    state_dir = getattr(args, "state_dir", None)
    if args.action == "fetch":
        jars = server.fetch()
        print(f"Neo4j {server.neo4j_version()} 已缓存 cached: {len(jars)} jars in {jars[0].parent}")
        return 0
    if args.action == "stop":
        running = server.stop(state_dir, keep_data=args.keep_data)
        kept = "，数据保留 data kept" if args.keep_data else ""
        what = "已停止 stopped" if running else "未运行 not running"
        print(f"Neo4j {what}{kept}", file=sys.stderr)
        return 0
    if args.action == "status":
        info = server.status(state_dir)
        if info is None:
            print("Neo4j 未运行 not running", file=sys.stderr)
            return EXIT_NEO4J
        print(f"Neo4j 运行中 running (pid {info.pid}): {info.uri}", file=sys.stderr)
        sys.stdout.write(info.exports())
        return 0
    if args.action == "restart" or server.status(state_dir) is None:
        print(
            f"正在启动 starting Neo4j {server.neo4j_version()} (首次启动从 Maven Central 下载约 "
            "120 MB / the first start downloads about 120 MB from Maven Central) ...",
            file=sys.stderr,
            flush=True,
        )
    if args.action == "restart":
        info = server.restart(state_dir)
    else:
        info = server.start(
            state_dir,
            bolt_port=args.bolt_port,
            heap=args.heap,
            pagecache=args.pagecache,
            timeout=args.timeout,
        )
    where = f" --state-dir {shlex.quote(str(state_dir))}" if state_dir else ""
    print(
        f"Neo4j 已就绪 ready (pid {info.pid}): {info.uri}\n  用户 user:          {info.user}\n  "
        f"密码 password:      {info.password}\n  状态目录 state dir: {info.state_dir}\n"
        f'设置变量 set the variables: eval "$(cobuild-graph neo4j start{where})"\n'
        f"停止 stop: cobuild-graph neo4j stop{where}",
        file=sys.stderr,
    )
    sys.stdout.write(info.exports())
    return 0


def _problem_records(problems: pd.DataFrame) -> list[dict[str, Any]]:
    records = []
    for record in problems.to_dict("records"):
        record["row"] = None if pd.isna(record["row"]) else int(record["row"])
        value = record["value"]
        record["value"] = None if value is None else value if isinstance(value, str) else str(value)
        records.append(record)
    return records


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    sys.exit(main())
