"""A whole dataset: its cities one after another, each filled, as tables or as a graph."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph.build import graph_from_tables
from cobuild_graph.generate import _suzhou_facts as facts
from cobuild_graph.generate._branches import add_branches, add_suzhou_branches
from cobuild_graph.generate._city import (
    City,
    add_communities,
    suzhou_city,
    synthetic_city,
    synthetic_city_names,
)
from cobuild_graph.generate._dates import END
from cobuild_graph.generate._pairings import add_caohu_pairings, add_pairings
from cobuild_graph.generate._positions import add_positions
from cobuild_graph.generate._projects import add_projects, add_supports
from cobuild_graph.generate._rows import Rows
from cobuild_graph.generate._scales import Scale, city_sizes, resolve_scale
from cobuild_graph.generate._units import add_units
from cobuild_graph.schema import DEFAULT_SCHEMA, NODE_KEY_COLUMNS, SCHEMA_KEY, TIE_KEY_COLUMNS

#: Name and version of the generator, written into the metadata of every dataset.
GENERATOR = "cobuild_graph.generate 1"


def _fill(rng: np.random.Generator, city: City, size: float, nodes: Rows, ties: Rows) -> None:
    """Everything below the divisions of one city, up to the article's ratios."""
    add_communities(rng, city, nodes, ties)
    units = add_units(rng, city, size, nodes, ties)
    attract = rng.lognormal(0.0, 0.6, len(city.comm_id))
    suzhou = city.id == facts.CITY
    caohu = np.flatnonzero(city.street_id[city.comm_street] == facts.CAOHU_STREET)
    open_ = np.ones(len(city.comm_id))
    open_[caohu] = 0.0
    pairs = add_pairings(rng, city, units, attract * open_, ties)
    branch_ids, branches = add_branches(rng, city, units, attract, nodes, ties)
    if suzhou:
        pairs = pairs + add_caohu_pairings(rng, city, units, caohu, ties)
        more_ids, more = add_suzhou_branches(
            rng, city, units, attract, len(branch_ids) + 1, nodes, ties
        )
        branch_ids, branches = np.concatenate([branch_ids, more_ids]), branches + more
    projects = add_projects(rng, city, open_, caohu, nodes, ties)
    add_supports(rng, city, units, pairs, branch_ids, branches, projects, ties)
    add_positions(rng, city, attract, nodes, ties)


def generate_tables(
    scale: str | float = "sample", seed: int = 2020
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Generate a co-building dataset as node and tie tables.

    Parameters
    ----------
    scale
        A name in :data:`SCALES` (``"tiny"``, ``"sample"``, ``"city"``, ``"province"``) or a
        positive number: one synthetic city that many times the size of the sample.
    seed
        Seed of the random generator: the same seed gives the same tables.

    Returns
    -------
    nodes : pandas.DataFrame
        Columns ``id``, ``label``, ``name``, then the schema's attributes; object columns of
        Python values (``str``, ``int``, ``float``, ``bool``, ``datetime.date``), ``None``
        where missing.
    ties : pandas.DataFrame
        Columns ``source``, ``target``, ``type``, ``since``, ``until``, ``weight``,
        ``provenance``, typed the same way.
    meta : dict
        ``name``, ``place``, ``date``, ``licence``, ``description``, ``scale``, ``seed``,
        ``generator``, ``synthetic`` and ``schema`` (the default schema).

    Raises
    ------
    ValueError
        If `scale` is not a known name or a positive number, or `seed` not a non-negative
        integer.

    Examples
    --------
    >>> nodes, ties, meta = generate_tables("tiny", seed=1)
    >>> sorted(set(nodes["provenance"]))
    ['synthetic']
    >>> meta["scale"], meta["seed"]
    ('tiny', 1)
    """
    label, spec = resolve_scale(scale)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    streams = np.random.SeedSequence(int(seed)).spawn(spec.cities + 1)
    plan = np.random.default_rng(streams[-1])
    sizes = iter(city_sizes(plan, spec))
    names = iter(synthetic_city_names(plan, spec.cities - int(spec.suzhou)))
    width = len(str(spec.cities - 1))
    nodes, ties = Rows(), Rows()
    for k in range(spec.cities):
        rng = np.random.default_rng(streams[k])
        if k == 0 and spec.suzhou:
            city, size = suzhou_city(rng, nodes, ties), 1.0
        else:
            size = float(next(sizes))
            prefix = f"c{k:0{width}d}-" if k else ""
            city = synthetic_city(rng, size, prefix, next(names), nodes, ties)
        _fill(rng, city, size, nodes, ties)
    node_columns = [*DEFAULT_SCHEMA.node_attributes]
    node_columns += [a for s in DEFAULT_SCHEMA.labels.values() for a in s.attributes]
    tie_columns = [*DEFAULT_SCHEMA.tie_attributes]
    tie_columns += [a for s in DEFAULT_SCHEMA.tie_types.values() for a in s.attributes]
    return (
        nodes.frame(NODE_KEY_COLUMNS, node_columns),
        ties.frame(TIE_KEY_COLUMNS, tie_columns),
        _meta(label, spec, int(seed)),
    )


def _meta(label: str | float, spec: Scale, seed: int) -> dict[str, Any]:
    if spec.suzhou and spec.cities == 1:
        name, place = "苏州城市基层党建共建网络 (sample)", "苏州市, 江苏省, 中国"
    elif spec.suzhou:
        name = f"synthetic province: 苏州市 and {spec.cities - 1} synthetic cities"
        place = "synthetic province (苏州市 and synthetic cities)"
    else:
        name, place = f"synthetic co-building network ({label})", "a synthetic city"
    real = (
        "Real rows (provenance=article or public-record) hold the facts of the article "
        "'江苏省苏州市：党建引领做优社区做活服务' (中国城市报, 2020) and of public records; "
        if spec.suzhou
        else ""
    )
    return {
        "name": name,
        "place": place,
        "date": END.isoformat(),
        "licence": "CC-BY-4.0",
        "description": f"Urban grassroots party-building co-building network 共建网络: "
        f"{spec.description}. {real}the rest is generated at the article's ratios.",
        "scale": label,
        "seed": seed,
        "generator": GENERATOR,
        "synthetic": "Rows with provenance=synthetic are generated by cobuild_graph.generate "
        "and describe no real organisation or tie.",
        SCHEMA_KEY: DEFAULT_SCHEMA,  # what the generator makes, recorded as a reader does
    }


def generate(scale: str | float = "sample", seed: int = 2020) -> nx.MultiDiGraph:
    """Generate a co-building graph of the Suzhou shape, from tests to province scale.

    The ``sample`` scale is Suzhou: the facts of the source article and of public records
    as real rows (``provenance`` ``"article"`` or ``"public-record"``), filled up to the
    article's scale with rows marked ``provenance="synthetic"``: 6 urban districts,
    35 streets, 626 communities, 180+ city-level units assigned to 19 streets, 3,000+
    action branches, 100 exemplary projects. ``tiny`` and ``city`` are one synthetic city,
    ``province`` is Suzhou followed by synthetic cities (see :data:`SCALES`).

    Parameters
    ----------
    scale
        A name in :data:`SCALES` or a positive number: one synthetic city that many times
        the size of the sample.
    seed
        Seed of the random generator. The same seed gives the same graph; another seed
        changes the synthetic rows only.

    Returns
    -------
    networkx.MultiDiGraph
        Built by :func:`~cobuild_graph.build.graph_from_tables`; the metadata (name, place,
        licence, scale, seed, generator ...) in ``G.graph``.

    Raises
    ------
    ValueError
        If `scale` is not a known name or a positive number, or `seed` not a non-negative
        integer.

    Examples
    --------
    >>> G = generate("sample", seed=2020)
    >>> G.graph["licence"], G.nodes["community-daoqian"]["name"]
    ('CC-BY-4.0', '道前社区')
    >>> G.has_edge("unit-municipal-facilities", "community-daoqian", key="PAIRED_WITH")
    True
    >>> sum(1 for _, d in G.nodes(data=True) if d.get("exemplary") is True)
    100
    """
    nodes, ties, meta = generate_tables(scale, seed)
    return graph_from_tables(nodes, ties, meta=meta, validate=False)  # valid by construction
