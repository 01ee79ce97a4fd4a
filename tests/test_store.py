"""The Neo4j store, against a real Neo4j server (see the ``neo4j_server`` fixture).

Every test that writes uses dataset names of its own (``new_dataset``), deleted afterwards,
so the tests do not see each other's data; expected values are computed from the in-memory
graph with networkx and pandas, never typed in.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import neo4j
import networkx as nx
import pandas as pd
import pytest

from cobuild_graph import domain, read_dataset
from cobuild_graph.build import graph_from_tables
from cobuild_graph.errors import (
    Neo4jAuthError,
    Neo4jConfigError,
    Neo4jConnectionError,
    NotFoundError,
    StoreError,
    ValidationError,
)
from cobuild_graph.generate import generate, generate_tables
from cobuild_graph.schema import DEFAULT_SCHEMA
from cobuild_graph.server import ServerInfo
from cobuild_graph.store import (
    Neo4jStore,
)
from cobuild_graph.store._plan import split_into_lanes as _lanes
from tests.conftest import Neo4jServer, in_ci

neo4j_test = pytest.mark.neo4j
NewDataset = Callable[..., str]

HOSTILE = (
    "Robby' WITH true AS x MATCH (n) DETACH DELETE n //",
    "`) DETACH DELETE n //",
    "<script>alert('x')</script>",
    '"}) MATCH (m) DETACH DELETE m //',
    "$dataset {id: 1} \\' 街道",
)


# -- helpers: the expected answers, from the in-memory graph --------------------------------


def typed(attrs: dict[str, Any]) -> dict[str, tuple[type, Any]]:
    return {key: (type(value), value) for key, value in attrs.items()}


def assert_same_graph(H: nx.MultiDiGraph, G: nx.MultiDiGraph, *, meta: bool = True) -> None:
    """Same nodes, ties, keys, attributes and value types (and metadata)."""
    assert isinstance(H, nx.MultiDiGraph)
    assert {n: typed(a) for n, a in H.nodes(data=True)} == {
        n: typed(a) for n, a in G.nodes(data=True)
    }
    assert {(u, v, k): typed(a) for u, v, k, a in H.edges(keys=True, data=True)} == {
        (u, v, k): typed(a) for u, v, k, a in G.edges(keys=True, data=True)
    }
    if meta:  # a graph that records no schema is read back with the default one
        assert H.graph == {"schema": DEFAULT_SCHEMA, **G.graph}


def holds(attrs: dict[str, Any], at: dt.date | None) -> bool:
    since, until = attrs.get("since"), attrs.get("until")
    return at is None or ((since is None or since <= at) and (until is None or until >= at))


def holding(G: nx.MultiDiGraph, at: dt.date | None) -> nx.MultiDiGraph:
    """`G` with only the ties that hold on `at`, every node kept."""
    H = G.copy()
    H.remove_edges_from(
        [(u, v, k) for u, v, k, a in G.edges(keys=True, data=True) if not holds(a, at)]
    )
    return H


def members(G: nx.MultiDiGraph, root: str, at: dt.date | None = None) -> set[str]:
    """The place `root`, the places under it, and the nodes tied to those (networkx)."""
    H = holding(G, at)
    part = nx.DiGraph([(u, v) for u, v, k in H.edges(keys=True) if k == "PART_OF"])
    area = {root} | (nx.ancestors(part, root) if root in part else set())
    attached = set()
    for u, v, k in H.edges(keys=True):
        if k != "PART_OF":
            if u in area:
                attached.add(v)
            if v in area:
                attached.add(u)
    return area | attached


def expected_within(
    G: nx.MultiDiGraph, root: str, *, at: dt.date | None = None, labels: Iterable[str] | None = None
) -> nx.MultiDiGraph:
    H = holding(G, at)
    keep = {n for n in members(G, root, at) if labels is None or G.nodes[n]["label"] in labels}
    return H.subgraph(keep).copy()


def label_counts(G: nx.MultiDiGraph) -> dict[str, int]:
    return dict(Counter(label for _, label in G.nodes(data="label")))


def type_counts(G: nx.MultiDiGraph) -> dict[str, int]:
    return dict(Counter(k for _, _, k in G.edges(keys=True)))


def stored_counts(store: Neo4jStore, name: str) -> tuple[dict[str, int], dict[str, int]]:
    nodes, ties = store.node_counts(name), store.tie_counts(name)
    return dict(zip(nodes["label"], nodes["count"], strict=True)), dict(
        zip(ties["type"], ties["count"], strict=True)
    )


def database_totals(store: Neo4jStore) -> tuple[int, int]:
    """All nodes and relationships in the database, whatever their dataset."""
    nodes = store.run_cypher("MATCH (n) RETURN count(n) AS n")["n"][0]
    ties = store.run_cypher("MATCH ()-[r]->() RETURN count(r) AS n")["n"][0]
    return int(nodes), int(ties)


def duplicates(store: Neo4jStore, name: str) -> int:
    """Relationships repeated between the same two nodes with the same type."""
    found = store.run_cypher(
        "MATCH (a {dataset: $name})-[r]->(b) WITH a, b, type(r) AS t, count(*) AS c "
        "WHERE c > 1 RETURN count(*) AS n",
        {"name": name},
    )
    return int(found["n"][0])


@pytest.fixture(scope="module")
def suzhou() -> nx.MultiDiGraph:
    return read_dataset("data/suzhou")


# -- round trips ----------------------------------------------------------------------------


@neo4j_test
def test_round_trip_of_the_suzhou_sample(
    neo4j_store: Neo4jStore, suzhou: nx.MultiDiGraph, stored_suzhou: str
) -> None:
    H = neo4j_store.read(stored_suzhou)
    assert_same_graph(H, suzhou)
    # the values keep their Python types and the Chinese text is intact
    assert H.nodes["street-canglang"]["name"] == "沧浪街道"
    assert {type(v) for _, a in H.nodes(data=True) for v in a.values()} == {str, int, float, bool}
    assert {type(v) for _, _, a in H.edges(data=True) for v in a.values()} == {str, float, dt.date}
    assert neo4j_store.metadata(stored_suzhou) == suzhou.graph


@neo4j_test
def test_round_trip_of_generated_tables(neo4j_store: Neo4jStore, new_dataset: NewDataset) -> None:
    nodes, ties, meta = generate_tables("tiny", seed=3)
    name = new_dataset()
    summary = neo4j_store.load((nodes, ties, meta), name, progress=False)
    assert (summary.nodes, summary.ties) == (len(nodes), len(ties))
    assert_same_graph(neo4j_store.read(name), graph_from_tables(nodes, ties, meta=meta))


@neo4j_test
def test_every_value_type_and_free_attributes_round_trip(
    neo4j_store: Neo4jStore, new_dataset: NewDataset
) -> None:
    G = nx.MultiDiGraph(name="类型", year=2020, share=0.5, ok=True, day=dt.date(2020, 1, 2))
    G.add_node("s", label="Street", name="沧浪街道", founded=dt.date(1949, 10, 1), lat=31.29)
    G.add_node(
        "c",
        label="Community",
        name="道前社区",
        members=120,
        service_fund_yuan=200_000.0,
        备注="自由属性",  # a free attribute with a Chinese name
        big=2**62,
        flag=False,
    )
    G.add_node("p", label="Project", name="博士阳光讲坛", exemplary=True, budget_yuan=1.5e-3)
    G.add_edge("c", "s", key="PART_OF", type="PART_OF")
    G.add_edge(
        "c", "p", key="RUNS", type="RUNS", since=dt.date(2019, 5, 1), weight=2.0, note="年度"
    )
    name = new_dataset()
    neo4j_store.load(G, name, progress=False)
    assert_same_graph(neo4j_store.read(name), G)


@neo4j_test
def test_loading_twice_changes_no_count(
    neo4j_store: Neo4jStore, suzhou: nx.MultiDiGraph, new_dataset: NewDataset
) -> None:
    name = new_dataset()
    neo4j_store.load(suzhou, name, progress=False)
    first = stored_counts(neo4j_store, name), database_totals(neo4j_store)
    neo4j_store.load(suzhou, name, progress=False, batch_size=777)
    assert (stored_counts(neo4j_store, name), database_totals(neo4j_store)) == first
    assert first[0] == (label_counts(suzhou), type_counts(suzhou))
    row = neo4j_store.datasets().set_index("name").loc[name]
    assert (row["nodes"], row["ties"], row["complete"]) == (
        suzhou.number_of_nodes(),
        suzhou.number_of_edges(),
        True,
    )


@neo4j_test
def test_datasets_live_side_by_side(neo4j_store: Neo4jStore, new_dataset: NewDataset) -> None:
    G = generate("tiny", seed=1)
    other = generate("tiny", seed=2)  # the same ids, other values
    first, second = new_dataset("a"), new_dataset("b")
    neo4j_store.load(G, first, progress=False)
    neo4j_store.load(other, second, progress=False)
    assert_same_graph(neo4j_store.read(first), G)
    assert_same_graph(neo4j_store.read(second), other)
    deleted = neo4j_store.delete(first)
    assert (deleted.nodes, deleted.ties) == (G.number_of_nodes(), G.number_of_edges())
    assert first not in set(neo4j_store.datasets()["name"])
    with pytest.raises(NotFoundError, match="no dataset"):
        neo4j_store.read(first)
    assert_same_graph(neo4j_store.read(second), other)


@neo4j_test
def test_replace_drops_what_the_new_data_no_longer_has(
    neo4j_store: Neo4jStore, new_dataset: NewDataset
) -> None:
    G = generate("tiny", seed=1)
    smaller = G.copy()
    smaller.remove_nodes_from([n for n, label in G.nodes(data="label") if label == "Position"])
    name = new_dataset()
    neo4j_store.load(G, name, progress=False)
    neo4j_store.load(smaller, name, progress=False, replace=True)
    assert_same_graph(neo4j_store.read(name), smaller)


@neo4j_test
def test_the_server_warns_of_nothing(
    neo4j_store: Neo4jStore, new_dataset: NewDataset, caplog: pytest.LogCaptureFixture
) -> None:
    """No Cypher the store runs is deprecated or otherwise worth a server warning."""
    G = generate("tiny", seed=6)
    name = new_dataset()
    street = next(n for n, label in G.nodes(data="label") if label == "Street")
    with caplog.at_level("WARNING", logger="neo4j"):
        neo4j_store.load(G, name, progress=False)
        neo4j_store.load(G, name, progress=False)
        neo4j_store.read(name, within=street, at="2020-01-01", labels=["Street", "Unit"])
        neo4j_store.read(name)
        neo4j_store.place_counts(name, at="2020-01-01")
        neo4j_store.coverage(name)
        neo4j_store.datasets()
        neo4j_store.delete(name)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("neo4j")] == []


# -- what is refused ------------------------------------------------------------------------


@neo4j_test
def test_an_invalid_graph_writes_nothing(neo4j_store: Neo4jStore, new_dataset: NewDataset) -> None:
    G = generate("tiny", seed=1)
    G.add_node("x", label="Planet", name="火星")
    G.add_node("y", label="Unit", name="单位", dataset="clash", level=3)
    G.add_node("z", label="Street", name="街道", lat=dt.datetime(2020, 1, 1, 12, 0))
    G.add_edge("y", "z", key="RUNS", type="RUNS")  # a unit may not run a project
    G.add_edge("y", "z", key="KNOWS", type="KNOWS")
    name = new_dataset()
    before = database_totals(neo4j_store), neo4j_store.datasets()
    with pytest.raises(ValidationError) as caught:
        neo4j_store.load(G, name, progress=False)
    problems = caught.value.problems
    assert set(problems["column"]) >= {"label", "dataset", "level", "lat", "type"}
    assert len(problems) == 6
    assert "Planet" in str(caught.value)
    assert database_totals(neo4j_store) == before[0]
    pd.testing.assert_frame_equal(neo4j_store.datasets(), before[1])


@neo4j_test
def test_hostile_names_are_stored_verbatim_and_change_nothing_else(
    neo4j_store: Neo4jStore, new_dataset: NewDataset
) -> None:
    bystander = new_dataset("bystander")
    tiny = generate("tiny", seed=4)
    neo4j_store.load(tiny, bystander, progress=False)
    G = nx.MultiDiGraph(name=HOSTILE[0], place=HOSTILE[2])
    G.add_node(HOSTILE[0], label="City", name=HOSTILE[1])
    G.add_node(HOSTILE[1], label="District", name=HOSTILE[2], kind=HOSTILE[3])
    G.add_node(HOSTILE[2], label="Street", name=HOSTILE[3], provenance=HOSTILE[4])
    G.add_node(HOSTILE[3], label="Community", name=HOSTILE[4])
    G.add_node(HOSTILE[4], label="Unit", name=HOSTILE[0], unit_type="other")
    for child, parent in zip(HOSTILE[1:4], HOSTILE[0:3], strict=True):
        G.add_edge(child, parent, key="PART_OF", type="PART_OF", provenance=HOSTILE[2])
    G.add_edge(HOSTILE[4], HOSTILE[3], key="PAIRED_WITH", type="PAIRED_WITH")
    before = database_totals(neo4j_store)
    name = new_dataset(HOSTILE[0])
    neo4j_store.load(G, name, progress=False)
    assert database_totals(neo4j_store) == (
        before[0] + G.number_of_nodes() + 1,  # and the dataset's record
        before[1] + G.number_of_edges(),
    )
    assert_same_graph(neo4j_store.read(name), G)
    assert_same_graph(
        neo4j_store.read(name, within=HOSTILE[2]), expected_within(G, HOSTILE[2]), meta=False
    )
    assert_same_graph(neo4j_store.read(bystander), tiny)
    assert name in set(neo4j_store.datasets()["name"])


@neo4j_test
def test_queries_on_labels_not_there_yet_log_no_warnings(
    neo4j_store: Neo4jStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="neo4j.notifications"):
        missing = neo4j_store.run_cypher("MATCH (n:NotThereYet) RETURN n.nothing AS x")
    assert missing.empty
    assert [r for r in caplog.records if r.name == "neo4j.notifications"] == []


@neo4j_test
def test_wrong_password_is_a_clear_error_without_the_secret(neo4j_server: Neo4jServer) -> None:
    wrong = "wrong-" + neo4j_server.password[::-1]
    with pytest.raises(Neo4jAuthError, match="refused the login of user 'neo4j'") as caught:
        Neo4jStore(neo4j_server.uri, (neo4j_server.user, wrong))
    for secret in (wrong, neo4j_server.password):
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)
        assert secret not in str(caught.value.__cause__)
    assert "NEO4J_PASSWORD" in str(caught.value)


def test_credentials_in_the_uri_are_refused_without_echoing_them() -> None:
    for uri in (
        "bolt://neo4j:s3cr3t-pw@localhost:7687",
        "neo4j+s://neo4j:s3cr3t-pw@abcd.databases.neo4j.io",
        "neo4j://admin:s3cr3t-pw@@host",
    ):
        with pytest.raises(Neo4jConfigError, match="holds a user name or password") as caught:
            Neo4jStore(uri, ("neo4j", "other"))
        assert "s3cr3t-pw" not in str(caught.value)
        assert "NEO4J_PASSWORD" in str(caught.value)
    with pytest.raises(Neo4jConfigError, match="not a Neo4j URI"):
        Neo4jStore("http://localhost:7474")


def test_an_unreachable_server_is_a_clear_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    with pytest.raises(Neo4jConnectionError, match=r"cannot reach Neo4j at bolt://127\.") as e:
        Neo4jStore(f"bolt://127.0.0.1:{port}", ("neo4j", "pw-never-shown"))
    assert time.perf_counter() - started < 20
    assert "cobuild-graph neo4j start" in str(e.value)
    assert "pw-never-shown" not in str(e.value)
    assert isinstance(e.value, ConnectionError)


def test_from_env_needs_a_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    with pytest.raises(Neo4jConfigError, match="set NEO4J_URI"):
        Neo4jStore.from_env()


@neo4j_test
def test_from_env_and_a_routing_uri(
    neo4j_server: Neo4jServer, monkeypatch: pytest.MonkeyPatch, new_dataset: NewDataset
) -> None:
    for key, value in neo4j_server.env().items():
        monkeypatch.setenv(key, value)
    routing = neo4j_server.uri.replace("bolt://", "neo4j://")
    G = generate("tiny", seed=5)
    name = new_dataset()
    with Neo4jStore.from_env(uri=routing) as store:
        assert store.address == routing
        store.load(G, name, progress=False)
        assert_same_graph(store.read(name), G)


@neo4j_test
def test_a_driver_passed_in_stays_open(neo4j_server: Neo4jServer) -> None:
    driver = neo4j.GraphDatabase.driver(
        neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)
    )
    try:
        with Neo4jStore(driver, database=neo4j_server.database) as store:
            store.datasets()
        driver.verify_connectivity()  # still open
        with pytest.raises(Neo4jConfigError, match="existing driver"):
            Neo4jStore(driver, ("neo4j", "x"))
    finally:
        driver.close()


@neo4j_test
def test_constraints_exist_and_refuse_duplicates(
    neo4j_store: Neo4jStore, new_dataset: NewDataset
) -> None:
    neo4j_store.ensure_schema()
    found = neo4j_store.run_cypher(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties WHERE type = 'UNIQUENESS' "
        "RETURN labelsOrTypes[0] AS label, properties"
    )
    keyed = {row.label for row in found.itertuples() if list(row.properties) == ["dataset", "id"]}
    assert keyed >= set(DEFAULT_SCHEMA.labels)
    assert len(neo4j_store.schema_statements()) == len(DEFAULT_SCHEMA.labels) + 1
    name = new_dataset()
    neo4j_store.run_cypher("CREATE (:Street {dataset: $name, id: 's'})", {"name": name}, write=True)
    with pytest.raises(StoreError, match="already exists"):
        neo4j_store.run_cypher(
            "CREATE (:Street {dataset: $name, id: 's'})", {"name": name}, write=True
        )


# -- at the same time, and through a restart ------------------------------------------------


@neo4j_test
def test_two_loads_at_once_leave_no_duplicates(
    neo4j_server: Neo4jServer,
    neo4j_store: Neo4jStore,
    suzhou: nx.MultiDiGraph,
    new_dataset: NewDataset,
) -> None:
    name = new_dataset()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def load() -> None:
        try:
            with Neo4jStore(
                neo4j_server.uri,
                (neo4j_server.user, neo4j_server.password),
                database=neo4j_server.database,
            ) as store:
                start.wait()
                store.load(suzhou, name, batch_size=500, progress=False)
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stored_counts(neo4j_store, name) == (label_counts(suzhou), type_counts(suzhou))
    assert duplicates(neo4j_store, name) == 0
    assert_same_graph(neo4j_store.read(name), suzhou)


@neo4j_test
def test_a_load_cut_by_a_server_restart_can_be_run_again(
    neo4j_server: Neo4jServer, neo4j_store: Neo4jStore, new_dataset: NewDataset
) -> None:
    if neo4j_server.state is None:
        message = "the server is NEO4J_URI's: only a server the tests started can be restarted"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    G = generate(0.25, seed=11)
    name = new_dataset()
    restarted: list[ServerInfo] = []

    def restart_when_loading() -> None:
        deadline = time.perf_counter() + 120
        while not neo4j_store.run_cypher(
            "MATCH (n:Street {dataset: $name}) RETURN count(n) > 0 AS loading", {"name": name}
        )["loading"][0]:
            assert time.perf_counter() < deadline, "the load wrote no street in two minutes"
            time.sleep(0.01)
        restarted.append(neo4j_server.restart())

    # A store that gives up after a second, so that the restart cuts the load for sure (the
    # default store would retry for 30 s and ride out the restart).
    impatient = Neo4jStore(
        neo4j_server.uri,
        (neo4j_server.user, neo4j_server.password),
        database=neo4j_server.database,
        max_transaction_retry_time=1.0,
    )
    watcher = threading.Thread(target=restart_when_loading)
    watcher.start()
    try:
        with pytest.raises(Neo4jConnectionError, match="cannot reach Neo4j"):
            impatient.load(G, name, batch_size=10, workers=1, progress=False)
    finally:
        watcher.join()
        impatient.close()
    assert restarted[0].uri == neo4j_server.uri
    assert not neo4j_store.datasets().set_index("name").loc[name, "complete"]
    neo4j_store.load(G, name, progress=False)
    assert stored_counts(neo4j_store, name) == (label_counts(G), type_counts(G))
    assert duplicates(neo4j_store, name) == 0
    assert neo4j_store.datasets().set_index("name").loc[name, "complete"]
    assert_same_graph(neo4j_store.read(name), G)


def test_lanes_of_ties_share_no_node() -> None:
    G = generate("sample", seed=2)
    rows = [(u, v, k) for u, v, k in G.edges(keys=True) if k == "PAIRED_WITH"]
    lanes = _lanes(rows, 3)
    assert sorted(r for lane in lanes for r in lane) == sorted(rows)
    ends = [{n for u, v, _ in lane for n in (u, v)} for lane in lanes]
    assert sum(map(len, ends)) == len(set().union(*ends))
    # whole components: each lane is a union of the components of the ties' graph
    components = nx.connected_components(nx.Graph([(u, v) for u, v, _ in rows]))
    assert all(any(c <= lane for lane in ends) for c in components)
    assert _lanes(rows[:1], 2) == [rows[:1]]


# -- reading parts --------------------------------------------------------------------------


@neo4j_test
@pytest.mark.parametrize("root", ["street-canglang", "district-gusu", "community-daoqian"])
def test_read_within_a_place(
    neo4j_store: Neo4jStore, suzhou: nx.MultiDiGraph, stored_suzhou: str, root: str
) -> None:
    H = neo4j_store.read(stored_suzhou, within=root)
    expected = expected_within(suzhou, root)
    assert expected.number_of_nodes() > 1
    assert_same_graph(H, expected, meta=False)
    assert H.graph == {**suzhou.graph, "selection": f"{stored_suzhou}: within={root}"}


@neo4j_test
def test_read_at_a_date_and_chosen_labels(
    neo4j_store: Neo4jStore, suzhou: nx.MultiDiGraph, stored_suzhou: str
) -> None:
    day = dt.date(2019, 6, 30)
    sliced = neo4j_store.read(stored_suzhou, at=day)
    assert_same_graph(sliced, holding(suzhou, day), meta=False)
    assert 0 < sliced.number_of_edges() < suzhou.number_of_edges()

    street = neo4j_store.read(stored_suzhou, within="street-canglang", at="2019-06-30")
    assert_same_graph(street, expected_within(suzhou, "street-canglang", at=day), meta=False)

    chosen = ["Street", "Community", "Unit"]
    part = neo4j_store.read(stored_suzhou, within="district-gusu", labels=chosen, at=day)
    expected = expected_within(suzhou, "district-gusu", at=day, labels=chosen)
    assert_same_graph(part, expected, meta=False)
    whole = neo4j_store.read(stored_suzhou, labels=chosen)
    assert_same_graph(
        whole,
        suzhou.subgraph([n for n, label in suzhou.nodes(data="label") if label in chosen]),
        meta=False,
    )


@neo4j_test
def test_read_errors(neo4j_store: Neo4jStore, stored_suzhou: str) -> None:
    with pytest.raises(NotFoundError, match=f"stored: .*{stored_suzhou}"):
        neo4j_store.read("no-such-dataset")
    with pytest.raises(NotFoundError, match="no place with id 'nowhere'"):
        neo4j_store.read(stored_suzhou, within="nowhere")
    with pytest.raises(NotFoundError, match="no place"):
        neo4j_store.read(stored_suzhou, within="unit-city-001")  # not a place
    with pytest.raises(ValueError, match="unknown label 'Planet'"):
        neo4j_store.read(stored_suzhou, labels=["Planet"])
    with pytest.raises(ValueError, match="not a date"):
        neo4j_store.read(stored_suzhou, at="30/06/2019")


# -- aggregates in the database -------------------------------------------------------------


@neo4j_test
def test_counts_per_label_and_type(
    neo4j_store: Neo4jStore, suzhou: nx.MultiDiGraph, stored_suzhou: str
) -> None:
    nodes = pd.Series(dict(suzhou.nodes(data="label"))).value_counts()
    ties = pd.Series([k for _, _, k in suzhou.edges(keys=True)]).value_counts()
    got_nodes = neo4j_store.node_counts(stored_suzhou).set_index("label")["count"]
    got_ties = neo4j_store.tie_counts(stored_suzhou).set_index("type")["count"]
    assert got_nodes.to_dict() == nodes.to_dict()
    assert got_ties.to_dict() == ties.to_dict()
    assert list(got_nodes.index) == [x for x in DEFAULT_SCHEMA.labels if x in nodes]


def expected_coverage(G: nx.MultiDiGraph, at: dt.date | None = None) -> pd.DataFrame:
    H = holding(G, at)
    part = nx.DiGraph([(u, v) for u, v, k in H.edges(keys=True) if k == "PART_OF"])
    communities = [n for n, label in G.nodes(data="label") if label == "Community"]
    community_of = {c: c for c in communities}
    for c in communities:  # a tie to a grid counts for its community
        community_of.update(dict.fromkeys(nx.ancestors(part, c) if c in part else (), c))
    kinds = {k: (c.tie_type, c.label) for k, c in DEFAULT_SCHEMA.coverage.items()}
    covered: dict[str, set[str]] = {kind: set() for kind in kinds}
    for u, v, k in H.edges(keys=True):
        for kind, (tie_type, label) in kinds.items():
            if k != tie_type:
                continue
            for place, other in ((u, v), (v, u)):
                if place in community_of and G.nodes[other]["label"] == label:
                    covered[kind].add(community_of[place])
    covered["any"] = covered["unit"] | covered["branch"]
    return pd.DataFrame(
        {
            "communities_covered": [len(s) for s in covered.values()],
            "communities_total": len(communities),
            "share": [len(s) / len(communities) for s in covered.values()],
        },
        index=pd.Index(list(covered), name="kind"),
    )


@neo4j_test
def test_coverage_of_communities(
    neo4j_store: Neo4jStore, suzhou: nx.MultiDiGraph, stored_suzhou: str
) -> None:
    got = neo4j_store.coverage(stored_suzhou)
    pd.testing.assert_frame_equal(got, expected_coverage(suzhou))
    # the same figures as the in-memory measure
    pd.testing.assert_frame_equal(got, domain.coverage(suzhou), check_dtype=False)
    day = dt.date(2018, 12, 31)
    pd.testing.assert_frame_equal(
        neo4j_store.coverage(stored_suzhou, at=day), expected_coverage(suzhou, day)
    )


@neo4j_test
@pytest.mark.parametrize("level", ["Street", "District"])
def test_counts_per_place(
    neo4j_store: Neo4jStore, suzhou: nx.MultiDiGraph, stored_suzhou: str, level: str
) -> None:
    got = neo4j_store.place_counts(stored_suzhou, level)
    columns = {"communities": "Community", **DEFAULT_SCHEMA.balance_counts}
    places = sorted(n for n, label in suzhou.nodes(data="label") if label == level)
    found = {p: Counter(suzhou.nodes[m]["label"] for m in members(suzhou, p)) for p in places}
    expected = pd.DataFrame(
        [
            [suzhou.nodes[p]["name"], *(found[p][label] for label in columns.values())]
            for p in places
        ],
        columns=["name", *columns],
        index=pd.Index(places, dtype=object, name="id"),
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # the counts of the in-memory balance measure
    balance = domain.balance(suzhou, level=level)[list(columns)].sort_index()
    pd.testing.assert_frame_equal(got[list(columns)], balance, check_dtype=False)


@neo4j_test
def test_counts_per_place_at_a_date(
    neo4j_store: Neo4jStore, suzhou: nx.MultiDiGraph, stored_suzhou: str
) -> None:
    day = dt.date(2018, 6, 30)
    got = neo4j_store.place_counts(stored_suzhou, "Street", at=day)
    for street in ("street-canglang", "street-shuangta"):
        found = members(suzhou, street, day)
        expected = {
            column: sum(suzhou.nodes[m]["label"] == label for m in found)
            for column, label in DEFAULT_SCHEMA.balance_counts.items()
        }
        assert got.loc[street, list(DEFAULT_SCHEMA.balance_counts)].to_dict() == expected
    with pytest.raises(ValueError, match="unknown level 'Unit'"):
        neo4j_store.place_counts(stored_suzhou, "Unit")
