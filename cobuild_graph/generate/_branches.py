"""Action branches: BRANCH_OF their unit, EMBEDDED_IN communities and streets."""

from __future__ import annotations

import math
from datetime import date

import numpy as np

from cobuild_graph.generate import _suzhou_facts as facts
from cobuild_graph.generate._city import City
from cobuild_graph.generate._dates import (
    END,
    as_dates,
    day_of,
    days_between,
    days_by_year,
    until_days,
)
from cobuild_graph.generate._names import concat, numbered
from cobuild_graph.generate._pairings import Links
from cobuild_graph.generate._picks import Pools, pick_from_pools
from cobuild_graph.generate._ratios import BRANCH_GROWTH, BRANCHES_PER_COMMUNITY, SECOND_EMBEDDING
from cobuild_graph.generate._rows import Rows
from cobuild_graph.generate._units import Units


def _branch_rows(
    rng: np.random.Generator,
    city: City,
    units: Units,
    links: Links,
    first: int,
    nodes: Rows,
    ties: Rows,
    name: np.ndarray | None = None,
) -> np.ndarray:
    """Rows of action branches: BRANCH_OF their unit, EMBEDDED_IN a community (7 %: street).

    One in ten branches later joins a second community of the same street as well.
    """
    n = len(links.source)
    ids = numbered(f"{city.prefix}branch-", n, width=5, start=first)
    at_street = rng.random(n) < 0.07
    street = city.comm_street[links.comm]
    target = np.where(at_street, city.street_id[street], city.comm_id[links.comm])
    where = np.where(at_street, city.street_name[street], city.comm_name[links.comm])
    home = units.name[links.source] if name is None else name
    founded = links.since - rng.integers(0, 60, n)
    nodes.add(
        id=ids,
        label="ActionBranch",
        name=concat(home, "驻", where, "行动支部"),
        members=np.clip(np.round(rng.lognormal(math.log(10.0), 0.6, n)), 3, 50).astype(np.int64),
        provenance="synthetic",
    )
    ties.add(
        source=ids,
        target=units.id[links.source],
        type="BRANCH_OF",
        since=as_dates(np.maximum(founded, 0)),
        provenance="synthetic",
    )
    ties.add(
        source=ids,
        target=target,
        type="EMBEDDED_IN",
        since=as_dates(links.since),
        until=as_dates(links.until),
        provenance="synthetic",
    )
    neighbours = Pools.of(city.comm_street, len(city.street_id))
    again = np.flatnonzero((rng.random(n) < SECOND_EMBEDDING) & ~at_street)
    other = neighbours.pick(rng, street[again])
    later = links.since[again] + rng.integers(30, 720, len(again))
    keep = (other != links.comm[again]) & (later <= day_of(END))
    ties.add(
        source=ids[again[keep]],
        target=city.comm_id[other[keep]],
        type="EMBEDDED_IN",
        since=as_dates(later[keep]),
        provenance="synthetic",
    )
    return ids


def add_branches(
    rng: np.random.Generator,
    city: City,
    units: Units,
    attract: np.ndarray,
    nodes: Rows,
    ties: Rows,
) -> tuple[np.ndarray, Links]:
    """Action branches: 4.8 per community by mid-2020, 8 % more after; skewed."""
    n_comm = len(city.comm_id)
    n_base = math.ceil(BRANCHES_PER_COMMUNITY * n_comm)
    n = n_base + round(BRANCH_GROWTH * n_base)
    comm = rng.choice(n_comm, size=n, p=attract / attract.sum())
    is_city = units.level == "city"
    zeros = np.zeros(len(units.id), np.int64)
    options = [
        (
            Pools.of(units.street, len(city.street_id), units.weight * is_city),
            city.comm_street[comm],
        ),
        (Pools.of(units.district, len(city.district_id), units.weight), city.comm_district[comm]),
        (Pools.of(zeros, 1, units.weight * is_city), np.zeros(n, np.int64)),
        (Pools.of(zeros, 1, units.weight), np.zeros(n, np.int64)),
    ]
    home = pick_from_pools(rng, options, rng.choice(3, n, p=[0.45, 0.40, 0.15]))[0]
    mid_2020 = date(2020, 6, 30)
    since = np.concatenate(
        [
            days_by_year(rng, n_base, [0.15, 0.35, 0.35, 0.15], last=mid_2020),
            days_by_year(rng, n - n_base, [0, 0, 0, 0.1, 0.2, 0.22, 0.23, 0.25], first=mid_2020),
        ]
    )
    # the article's 3,000+ all still hold at mid-2020
    links = Links(home, comm, since, until_days(rng, since, 0.04, not_before=date(2020, 7, 1)))
    return _branch_rows(rng, city, units, links, 1, nodes, ties), links


def add_suzhou_branches(
    rng: np.random.Generator,
    city: City,
    units: Units,
    attract: np.ndarray,
    first: int,
    nodes: Rows,
    ties: Rows,
) -> tuple[np.ndarray, Links]:
    """The 55 协同攻坚 branches of 市委市级机关工委 and the 12 communities of 市委党校."""
    n = facts.ORGANS_WORK_COMMITTEE_BRANCHES
    year = facts.ORGANS_WORK_COMMITTEE_YEAR
    home = list(units.id).index(facts.ORGANS_WORK_COMMITTEE)
    comm = rng.choice(len(city.comm_id), size=n, p=attract / attract.sum())
    since = days_between(rng, n, date(year, 3, 1), date(year, 12, 31))  # founded within the year
    links = Links(np.full(n, home), comm, since, np.full(n, -1))
    name = np.full(n, "市级机关“协同攻坚”", dtype=object)
    ids = _branch_rows(rng, city, units, links, first, nodes, ties, name=name)

    gusu = list(city.district_id).index(facts.PARTY_SCHOOL_DISTRICT)
    joined = rng.choice(
        np.flatnonzero(city.comm_district == gusu), facts.PARTY_SCHOOL_COMMUNITIES, replace=False
    )
    year = facts.PARTY_SCHOOL_YEAR
    ties.add(
        source=np.full(len(joined), facts.PARTY_SCHOOL_BRANCH, dtype=object),
        target=city.comm_id[joined],
        type="EMBEDDED_IN",
        since=as_dates(days_between(rng, len(joined), date(year, 1, 1), date(year, 12, 31))),
        provenance="synthetic",
    )
    return ids, links
