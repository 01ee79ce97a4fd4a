"""The divisions of one city: its districts, streets and communities, with their rows.

Suzhou's come from the published facts, filled with synthetic communities to the public
record's counts; a synthetic city's are drawn to the Suzhou shape at its size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cobuild_graph.generate import _names as wordlists
from cobuild_graph.generate import _suzhou_facts as facts
from cobuild_graph.generate._names import concat, distinct_names
from cobuild_graph.generate._picks import choose, rank_in_group, split_total
from cobuild_graph.generate._ratios import (
    ORG_KINDS,
    STREETS_PER_DISTRICT,
    URBAN_COMMUNITIES,
    URBAN_STREETS,
)
from cobuild_graph.generate._rows import Rows


@dataclass
class City:
    """The divisions of one city, real and synthetic, as parallel arrays."""

    prefix: str
    id: str
    name: str
    district_id: np.ndarray
    district_name: np.ndarray
    district_kind: np.ndarray
    street_id: np.ndarray
    street_name: np.ndarray
    street_slug: np.ndarray
    street_district: np.ndarray
    comm_id: np.ndarray
    comm_name: np.ndarray
    comm_street: np.ndarray
    comm_real: np.ndarray

    @property
    def comm_district(self) -> np.ndarray:
        return self.street_district[self.comm_street]


def synthetic_city_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct names of synthetic cities (平阳市 ...)."""
    return [
        wordlists.PLACES[i] + "市" for i in rng.choice(len(wordlists.PLACES), size=n, replace=False)
    ]


def synthetic_city(
    rng: np.random.Generator, size: float, prefix: str, name: str, nodes: Rows, ties: Rows
) -> City:
    """Districts, streets and communities of a synthetic city, with their rows."""
    n_comm = max(2, round(URBAN_COMMUNITIES * size))
    n_street = min(n_comm, max(1, round(URBAN_STREETS * size)))
    n_dist = max(min(2, n_street), round(n_street / STREETS_PER_DISTRICT))
    per_dist = split_total(rng, n_street, np.ones(n_dist), alpha=4.0)
    street_district = np.repeat(np.arange(n_dist), per_dist)
    minimum = np.full(n_street, min(3, n_comm // n_street))
    comm_street = np.repeat(np.arange(n_street), split_total(rng, n_comm, minimum, alpha=3.0))

    dist_slug = np.array([f"d{i + 1:02d}" for i in range(n_dist)], object)
    stems = [p for p in wordlists.PLACES if p != name.removesuffix("市")]  # no 平阳区 in 平阳市
    street_slug = concat(
        dist_slug[street_district],
        "-",
        np.array([f"{r + 1:02d}" for r in rank_in_group(street_district)], object),
    )
    city = City(
        prefix=prefix,
        id=f"{prefix}city",
        name=name,
        district_id=concat(f"{prefix}district-", dist_slug),
        district_name=concat(distinct_names(rng, np.zeros(n_dist, np.int64), stems), "区"),
        district_kind=np.where(
            (np.arange(n_dist) == n_dist - 1) & (n_dist >= 4), "开发区", "区"
        ).astype(object),
        street_id=concat(f"{prefix}street-", street_slug),
        street_name=concat(
            distinct_names(rng, np.zeros(n_street, np.int64), wordlists.PLACES), "街道"
        ),
        street_slug=street_slug,
        street_district=street_district,
        comm_id=np.empty(n_comm, object),
        comm_name=np.empty(n_comm, object),
        comm_street=comm_street,
        comm_real=np.zeros(n_comm, bool),
    )
    _name_communities(rng, city)
    nodes.add(id=np.array([city.id], object), label="City", name=name, provenance="synthetic")
    nodes.add(
        id=city.district_id,
        label="District",
        name=city.district_name,
        kind=city.district_kind,
        provenance="synthetic",
    )
    nodes.add(
        id=city.street_id,
        label="Street",
        name=city.street_name,
        kind="街道",
        provenance="synthetic",
    )
    ties.add(source=city.district_id, target=city.id, type="PART_OF", provenance="synthetic")
    ties.add(
        source=city.street_id,
        target=city.district_id[street_district],
        type="PART_OF",
        provenance="synthetic",
    )
    return city


def _name_communities(rng: np.random.Generator, city: City) -> None:
    """Ids and names for the synthetic communities of `city` (real ones keep theirs)."""
    fill = ~city.comm_real
    streets = city.comm_street[fill]
    seq = rank_in_group(streets) + 1
    ids = concat(
        f"{city.prefix}community-",
        city.street_slug[streets],
        "-",
        np.array([f"{s:02d}" for s in seq], object),
    )
    stems = [w + s for s in wordlists.COMMUNITY_SUFFIXES for w in wordlists.WORDS]
    names = concat(distinct_names(rng, streets, stems), "社区")
    city.comm_id[fill] = ids
    city.comm_name[fill] = names


def suzhou_city(rng: np.random.Generator, nodes: Rows, ties: Rows) -> City:
    """The urban divisions of Suzhou: real streets, real and synthetic communities."""
    nodes.add_records(facts.NODES)
    ties.add_records(facts.TIES)
    by_id = {r["id"]: r for r in facts.NODES}
    districts = list(facts.URBAN_DISTRICTS)
    parent = {t["source"]: t["target"] for t in facts.TIES if t["type"] == "PART_OF"}
    streets = [i for i, r in by_id.items() if r["label"] == "Street" and parent[i] in districts]
    street_index = {s: k for k, s in enumerate(streets)}
    real = [i for i, r in by_id.items() if r["label"] == "Community" and parent[i] in street_index]
    real_street = np.array([street_index[parent[c]] for c in real], np.int64)
    n_real = np.bincount(real_street, minlength=len(streets))

    street_district = np.array([districts.index(parent[s]) for s in streets], np.int64)
    counts = np.zeros(len(streets), np.int64)
    for d, total in enumerate(facts.DISTRICT_COMMUNITIES.values()):
        members = np.flatnonzero(street_district == d)
        known = [street_index[s] for s in facts.STREET_COMMUNITIES if street_index[s] in members]
        counts[known] = [facts.STREET_COMMUNITIES[streets[k]] for k in known]
        rest = np.setdiff1d(members, known)
        left = total - int(counts[known].sum())
        counts[rest] = split_total(rng, left, np.maximum(3, n_real[rest]), alpha=3.0)

    fill_street = np.repeat(np.arange(len(streets)), counts - n_real)
    comm_street = np.concatenate([real_street, fill_street])
    city = City(
        prefix="",
        id=facts.CITY,
        name=by_id[facts.CITY]["name"],
        district_id=np.array(districts, object),
        district_name=np.array([by_id[d]["name"] for d in districts], object),
        district_kind=np.array([by_id[d]["kind"] for d in districts], object),
        street_id=np.array(streets, object),
        street_name=np.array([by_id[s]["name"] for s in streets], object),
        street_slug=np.array([s.removeprefix("street-") for s in streets], object),
        street_district=street_district,
        comm_id=np.concatenate([np.array(real, object), np.empty(len(fill_street), object)]),
        comm_name=np.concatenate(
            [np.array([by_id[c]["name"] for c in real], object), np.empty(len(fill_street), object)]
        ),
        comm_street=comm_street,
        comm_real=np.arange(len(comm_street)) < len(real),
    )
    _name_communities(rng, city)
    return city


def add_communities(rng: np.random.Generator, city: City, nodes: Rows, ties: Rows) -> None:
    """Rows of the synthetic communities and their PART_OF ties."""
    fill = ~city.comm_real
    n = int(fill.sum())
    kind = choose(rng, ORG_KINDS, n)
    members = np.where(
        kind == "党支部",
        rng.integers(15, 50, n),
        np.where(
            kind == "党总支",
            rng.integers(50, 100, n),
            100 + np.minimum(rng.lognormal(math.log(120), 0.6, n), 1400).astype(np.int64),
        ),
    )
    nodes.add(
        id=city.comm_id[fill],
        label="Community",
        name=city.comm_name[fill],
        party_org_kind=kind,
        members=members,
        service_fund_yuan=facts.SERVICE_FUND_YUAN,
        provenance="synthetic",
    )
    ties.add(
        source=city.comm_id[fill],
        target=city.street_id[city.comm_street[fill]],
        type="PART_OF",
        provenance="synthetic",
    )


def real_rows(city: City) -> list[dict[str, Any]]:
    """The published node rows of `city`: Suzhou's facts; none for a synthetic city."""
    return facts.NODES if city.id == facts.CITY else []
