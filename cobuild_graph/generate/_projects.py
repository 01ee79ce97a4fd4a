"""Service projects: RUNS from communities and streets, SUPPORTS from branches and units."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cobuild_graph.generate import _names as wordlists
from cobuild_graph.generate import _suzhou_facts as facts
from cobuild_graph.generate._city import City, real_rows
from cobuild_graph.generate._dates import YEAR_START, YEARS, as_dates
from cobuild_graph.generate._names import concat, numbered
from cobuild_graph.generate._pairings import Links, unique_pairs
from cobuild_graph.generate._picks import Pools, choose, pick_from_pools
from cobuild_graph.generate._ratios import PROJECTS_PER_COMMUNITY, SUPPORTERS_PER_PROJECT
from cobuild_graph.generate._rows import Rows, object_array
from cobuild_graph.generate._units import Units


@dataclass
class Projects:
    """The synthetic projects of one city, for their supporters."""

    id: np.ndarray
    comm: np.ndarray  # the community the project serves (its runner or in its runner street)
    start: np.ndarray  # day the project starts
    year: np.ndarray
    exemplary: np.ndarray


def add_projects(
    rng: np.random.Generator,
    city: City,
    open_: np.ndarray,
    caohu: np.ndarray,
    nodes: Rows,
    ties: Rows,
) -> Projects:
    """Service projects RUN by communities (12 %: their street), 2018-2024; some exemplary.

    In Suzhou, 漕湖街道's communities run exactly 32 projects, all in 2024, and no others.
    """
    n_comm = len(city.comm_id)
    per = rng.poisson(PROJECTS_PER_COMMUNITY * rng.gamma(2.0, 0.5, n_comm) * open_)
    comm = np.repeat(np.arange(n_comm), per)
    year = YEARS[1:][rng.choice(7, len(comm), p=[0.1, 0.13, 0.14, 0.15, 0.15, 0.16, 0.17])]
    real = [r for r in real_rows(city) if r["label"] == "Project" and r.get("exemplary")]
    n_exemplary = (
        facts.EXEMPLARY_PROJECTS if real else min(facts.EXEMPLARY_PROJECTS, len(comm) // 4)
    )
    # the hundred were chosen by 2020
    early = np.flatnonzero(year <= 2020)
    pool = early if len(early) >= n_exemplary - len(real) else np.arange(len(comm))
    exemplary = np.zeros(len(comm), bool)
    exemplary[rng.choice(pool, n_exemplary - len(real), replace=False)] = True
    by_street = rng.random(len(comm)) < 0.12
    if len(caohu):
        n_caohu = facts.CAOHU_PROJECTS
        comm = np.concatenate([comm, rng.choice(caohu, n_caohu)])
        year = np.concatenate([year, np.full(n_caohu, facts.CAOHU_YEAR)])
        exemplary = np.concatenate([exemplary, np.zeros(n_caohu, bool)])
        by_street = np.concatenate([by_street, np.zeros(n_caohu, bool)])

    n = len(comm)
    category = choose(rng, dict(zip(wordlists.THEMES, wordlists.CATEGORY_SHARES, strict=True)), n)
    pick = rng.integers(0, 60, n)
    theme = object_array(
        [
            wordlists.THEMES[c][i % len(wordlists.THEMES[c])]
            for c, i in zip(category, pick, strict=True)
        ]
    )
    street = city.comm_street[comm]
    runner = np.where(by_street, city.street_id[street], city.comm_id[comm])
    runner_name = np.where(by_street, city.street_name[street], city.comm_name[comm])
    start = YEAR_START[year - YEARS[0]] + rng.integers(0, 120, n)
    ids = numbered(f"{city.prefix}project-", n, width=5)
    nodes.add(
        id=ids,
        label="Project",
        name=concat(runner_name, "“", theme, "”项目"),
        category=category,
        budget_yuan=np.round(np.clip(rng.lognormal(math.log(30_000), 0.7, n), 3_000, 200_000), -2),
        exemplary=exemplary,
        year=year,
        provenance="synthetic",
    )
    ties.add(source=runner, target=ids, type="RUNS", since=as_dates(start), provenance="synthetic")
    return Projects(ids, comm, start, year, exemplary)


def add_supports(
    rng: np.random.Generator,
    city: City,
    units: Units,
    pairs: Links,
    branch_ids: np.ndarray,
    branches: Links,
    projects: Projects,
    ties: Rows,
) -> None:
    """SUPPORTS: a project draws branches embedded in, and units paired with, its community.

    Failing both, a unit of its district. A supporter joins once its own tie to the
    community holds, within the project's year; a project draws each supporter once.
    """
    n_comm, n_dist = len(city.comm_id), len(city.district_id)
    k = rng.poisson(SUPPORTERS_PER_PROJECT, len(projects.id)) + 2 * projects.exemplary
    project = np.repeat(np.arange(len(projects.id)), k)
    comm = projects.comm[project]
    paired = np.where(pairs.comm >= 0, pairs.comm, -1)
    options = [
        (Pools.of(branches.comm, n_comm), comm),
        (Pools.of(paired, n_comm, units.weight[pairs.source] * (paired >= 0)), comm),
        (Pools.of(units.district, n_dist, units.weight), city.comm_district[comm]),
    ]
    item, used = pick_from_pools(rng, options, rng.choice(2, len(project), p=[0.6, 0.4]))
    # who: branches first, then units; since / until: of the supporter's own tie (-1: none)
    who = np.full(len(item), -1)
    since, until = np.full(len(item), -1), np.full(len(item), -1)
    via = used == 0
    who[via], since[via], until[via] = (
        item[via],
        branches.since[item[via]],
        branches.until[item[via]],
    )
    via = used == 1
    who[via] = len(branch_ids) + pairs.source[item[via]]
    since[via], until[via] = pairs.since[item[via]], pairs.until[item[via]]
    via = used == 2
    who[via] = len(branch_ids) + item[via]

    start = projects.start[project]
    day = np.maximum(start, since)
    year_end = YEAR_START[projects.year[project] - YEARS[0] + 1] - 1
    keep = np.flatnonzero((who >= 0) & (day <= year_end) & ((until < 0) | (until >= start)))
    keep = keep[unique_pairs(who[keep], project[keep], len(projects.id))]
    ties.add(
        source=np.concatenate([branch_ids, units.id])[who[keep]],
        target=projects.id[project[keep]],
        type="SUPPORTS",
        since=as_dates(day[keep]),
        provenance="synthetic",
    )
