"""Benchmark: loading co-building datasets into Neo4j, batched against one row per transaction.

Loads the Suzhou sample, a generated city of ~100,000 ties and the generated ``city`` and
``province`` scales with :meth:`Neo4jStore.load`, and prints nodes/s, ties/s and the
seconds of each phase; then loads a slice of ties one row per transaction (a managed
transaction each, the naive loader) for the ratio. Each dataset is deleted after it is
measured (the delete is timed too).

The server is ``NEO4J_URI``'s if set; otherwise the benchmark starts a disposable one with
:mod:`cobuild_graph.server` (state in ``COBUILD_NEO4J_STATE``, default
``/tmp/cobuild-neo4j-bench``; page cache ``COBUILD_NEO4J_PAGECACHE``, default 2g here, as the
province's store outgrows the server's 512m default) and stops it at the end. The first
loads after a start run while the server's JIT compiler warms up (three times slower):
two loads of another city come first, and ``--no-warm-up`` shows the cold figures.

    python3 bench/neo4j_load.py [--scales sample 100k city province] [--batch-size 5000]
                                [--workers 2] [--naive 2000] [--no-warm-up]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import networkx as nx

from cobuild_graph import server as local_server
from cobuild_graph.errors import ServerError
from cobuild_graph.generate import generate
from cobuild_graph.store import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS, Neo4jStore

#: Scales measured: a name of cobuild_graph.generate.SCALES, or a size relative to the
#: sample (8.3 gives ~100,000 ties).
SCALES = {"sample": "sample", "100k": 8.3, "city": "city", "province": "province"}
GOALS = {"100k": "< 5 s", "province": "< 60 s"}


@contextmanager
def server() -> Iterator[dict[str, str]]:
    """The ``NEO4J_*`` settings of the server to measure, started here if need be."""
    if os.environ.get("NEO4J_URI"):
        yield {k: v for k, v in os.environ.items() if k.startswith("NEO4J_")}
        return
    state = os.environ.get("COBUILD_NEO4J_STATE", "/tmp/cobuild-neo4j-bench")
    try:
        info = local_server.start(state, pagecache=os.environ.get("COBUILD_NEO4J_PAGECACHE", "2g"))
    except ServerError as error:
        sys.exit(f"could not start Neo4j: {error}")
    print(f"Neo4j {local_server.neo4j_version()} at {info.uri}", file=sys.stderr)
    try:
        yield info.env()
    finally:
        local_server.stop(state)


def connect(settings: dict[str, str]) -> Neo4jStore:
    return Neo4jStore(
        settings["NEO4J_URI"],
        (settings.get("NEO4J_USERNAME", "neo4j"), settings.get("NEO4J_PASSWORD", "")),
        database=settings.get("NEO4J_DATABASE") or None,
    )


def measure(
    store: Neo4jStore, G: nx.MultiDiGraph, name: str, batch_size: int, workers: int
) -> dict[str, Any]:
    """Load `G` as `name`, then delete it; the figures of both."""
    loaded = store.load(G, name, batch_size=batch_size, workers=workers, progress=False)
    assert store.datasets().set_index("name").loc[name, "ties"] == G.number_of_edges()
    started = time.perf_counter()
    store.delete(name)
    phases = loaded.phases
    return {
        "nodes": loaded.nodes,
        "ties": loaded.ties,
        "seconds": loaded.seconds,
        "nodes/s": loaded.nodes / phases["nodes"],
        "ties/s": loaded.ties / phases["ties"],
        "rows/s": loaded.rows_per_second,
        "check s": phases["check"],
        "nodes s": phases["nodes"],
        "ties s": phases["ties"],
        "record s": phases["record"],
        "delete s": time.perf_counter() - started,
    }


def naive(store: Neo4jStore, G: nx.MultiDiGraph, count: int) -> float:
    """Ties/s of a loader that writes one tie per managed transaction.

    Same statement shape as the store's (MATCH both nodes on the (dataset, id) index, MERGE
    the tie, SET its properties), one row at a time. The nodes are loaded batched first.
    """
    name = "bench-naive"
    ties = [
        (u, v, k, {key: value for key, value in a.items() if key != "type"})
        for u, v, k, a in list(G.edges(keys=True, data=True))[:count]
    ]
    nodes = nx.MultiDiGraph()
    nodes.add_nodes_from((n, G.nodes[n]) for u, v, _, _ in ties for n in (u, v))
    store.load(nodes, name, progress=False)  # the nodes only, batched

    def write(tx: Any, u: str, v: str, k: str, props: dict[str, Any], lu: str, lv: str) -> None:
        tx.run(
            f"MATCH (a:{lu} {{dataset: $dataset, id: $u}}) "
            f"MATCH (b:{lv} {{dataset: $dataset, id: $v}}) "
            f"MERGE (a)-[r:{k}]->(b) SET r += $props",
            dataset=name,
            u=u,
            v=v,
            props=props,
        ).consume()

    started = time.perf_counter()
    with store.driver.session(database=store.database) as session:
        for u, v, k, props in ties:
            session.execute_write(write, u, v, k, props, G.nodes[u]["label"], G.nodes[v]["label"])
    seconds = time.perf_counter() - started
    store.delete(name)
    return len(ties) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", nargs="+", default=list(SCALES), choices=list(SCALES))
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--naive", type=int, default=2000, help="ties for the naive loader")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-warm-up", action="store_true")
    args = parser.parse_args()

    print(
        f"cores: {os.cpu_count()}, batch size {args.batch_size}, workers {args.workers}",
        file=sys.stderr,
    )
    rows: dict[str, dict[str, Any]] = {}
    with server() as settings, connect(settings) as store:
        if not args.no_warm_up:  # ~20 s of loading, for the server's JIT compiler
            warm = generate("city", seed=args.seed + 1)
            for _ in range(2):
                store.load(warm, "bench-warm-up", progress=False)
                store.delete("bench-warm-up")
        for scale in args.scales:
            started = time.perf_counter()
            G = generate(SCALES[scale], seed=args.seed)
            print(
                f"{scale}: generated {G.number_of_nodes():,} nodes, {G.number_of_edges():,} "
                f"ties in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            rows[scale] = measure(store, G, f"bench-{scale}", args.batch_size, args.workers)
            print(f"{scale}: loaded in {rows[scale]['seconds']:.1f} s", file=sys.stderr)
        reference = generate("sample", seed=args.seed)
        naive_rate = naive(store, reference, args.naive)

    columns = ["nodes", "ties", "seconds", "nodes/s", "ties/s", "rows/s"]
    columns += ["check s", "nodes s", "ties s", "record s", "delete s"]
    print(f"{'scale':<10}" + "".join(f"{c:>11}" for c in columns) + "   goal")
    for scale, row in rows.items():
        cells = "".join(
            f"{row[c]:>11,.0f}" if c in ("nodes", "ties") or row[c] >= 100 else f"{row[c]:>11.1f}"
            for c in columns
        )
        print(f"{scale:<10}{cells}   {GOALS.get(scale, '')}")
    best = max(row["ties/s"] for row in rows.values())
    print(
        f"\nnaive loader (one tie per transaction, {args.naive:,} ties): {naive_rate:,.0f} ties/s"
        f"\nbatched / naive: {best / naive_rate:,.0f}x (goal >= 50x)"
    )


if __name__ == "__main__":
    main()
