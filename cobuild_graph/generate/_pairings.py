"""PAIRED_WITH: units paired with communities and streets, kept as Links for later steps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cobuild_graph.generate import _suzhou_facts as facts
from cobuild_graph.generate._city import City
from cobuild_graph.generate._dates import as_dates, days_by_year, until_days
from cobuild_graph.generate._picks import Pools, pick_from_pools
from cobuild_graph.generate._ratios import PAIRINGS_PER_UNIT
from cobuild_graph.generate._rows import Rows
from cobuild_graph.generate._units import Units


@dataclass
class Links:
    """Synthetic ties of one kind: source index, community index (-1: none), dates."""

    source: np.ndarray
    comm: np.ndarray
    since: np.ndarray
    until: np.ndarray

    def __add__(self, other: Links) -> Links:
        return Links(
            *(np.concatenate([a, b]) for a, b in zip(self.astuple(), other.astuple(), strict=True))
        )

    def astuple(self) -> tuple[np.ndarray, ...]:
        return (self.source, self.comm, self.since, self.until)


def unique_pairs(a: np.ndarray, b: np.ndarray, n_b: int) -> np.ndarray:
    """Indices of the first occurrence of each (a, b) pair, in order."""
    _, first = np.unique(a.astype(np.int64) * n_b + b, return_index=True)
    return np.sort(first)


def add_pairings(
    rng: np.random.Generator, city: City, units: Units, attract: np.ndarray, ties: Rows
) -> Links:
    """PAIRED_WITH from active units, mostly to communities of their own street."""
    n_comm, n_streets = len(city.comm_id), len(city.street_id)
    active = np.flatnonzero(units.weight > 0)
    k = np.minimum(rng.poisson(PAIRINGS_PER_UNIT * units.weight[active]), 15)
    source = np.repeat(active, k)
    street = units.street[source]
    options = [
        (Pools.of(city.comm_street, n_streets, attract), street),
        (
            Pools.of(city.comm_district, len(city.district_id), attract),
            city.street_district[street],
        ),
        (Pools.of(np.zeros(n_comm, np.int64), 1, attract), np.zeros(len(source), np.int64)),
    ]
    comm = pick_from_pools(rng, options, rng.choice(3, len(source), p=[0.7, 0.22, 0.08]))[0]
    to_street = rng.random(len(source)) < 0.1
    found = comm >= 0
    source, comm, to_street = source[found], comm[found], to_street[found]
    target = np.where(to_street, n_comm + city.comm_street[comm], comm)
    keep = unique_pairs(source, target, n_comm + n_streets)
    source, comm, to_street = source[keep], comm[keep], to_street[keep]
    since = days_by_year(rng, len(source), [0.05, 0.12, 0.15, 0.15, 0.13, 0.13, 0.13, 0.14])
    until = until_days(rng, since, 0.06)
    ties.add(
        source=units.id[source],
        target=np.where(to_street, city.street_id[city.comm_street[comm]], city.comm_id[comm]),
        type="PAIRED_WITH",
        since=as_dates(since),
        until=as_dates(until),
        weight=np.round(rng.lognormal(math.log(4.0), 0.5, len(source)), 1),
        provenance="synthetic",
    )
    return Links(source, np.where(to_street, -1, comm), since, until)


def add_caohu_pairings(
    rng: np.random.Generator, city: City, units: Units, caohu: np.ndarray, ties: Rows
) -> Links:
    """漕湖街道 (2024): its communities paired with exactly 30 organisations."""
    xiangcheng = list(city.district_id).index("district-xiangcheng")
    fits = (units.weight > 0) & ((units.level == "city") | (units.district == xiangcheng))
    candidates = np.flatnonzero(fits)
    p = units.weight[candidates] / units.weight[candidates].sum()
    chosen = rng.choice(candidates, facts.CAOHU_PAIRED_ORGANISATIONS, replace=False, p=p)
    k = np.minimum(1 + rng.binomial(2, 0.3, len(chosen)), len(caohu))
    source = np.repeat(chosen, k)
    comm = np.concatenate([rng.choice(caohu, n, replace=False) for n in k])
    since = days_by_year(rng, len(source), [0, 0.08, 0.1, 0.12, 0.15, 0.2, 0.15, 0.2])
    ties.add(
        source=units.id[source],
        target=city.comm_id[comm],
        type="PAIRED_WITH",
        since=as_dates(since),
        weight=np.round(rng.lognormal(math.log(4.0), 0.5, len(source)), 1),
        provenance="synthetic",
    )
    return Links(source, comm, since, np.full(len(source), -1))
