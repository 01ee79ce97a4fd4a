"""The units of one city, and the street each city-level unit is assigned to (ASSIGNED_TO)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from cobuild_graph.generate import _names as wordlists
from cobuild_graph.generate import _suzhou_facts as facts
from cobuild_graph.generate._city import City, real_rows
from cobuild_graph.generate._dates import as_dates, days_between
from cobuild_graph.generate._names import concat, distinct_names, numbered
from cobuild_graph.generate._picks import Pools, choose, largest_remainder, rank_in_group
from cobuild_graph.generate._ratios import (
    CITY_UNIT_TYPES,
    CITY_UNITS,
    COMMITTEE,
    DISTRICT_UNIT_TYPES,
    DISTRICT_UNITS_PER_COMMUNITY,
    URBAN_STREETS,
)
from cobuild_graph.generate._rows import Rows, object_array


@dataclass
class Units:
    """The units of one city: real ones take part only through their real ties."""

    id: np.ndarray
    name: np.ndarray
    level: np.ndarray
    district: np.ndarray  # -1 for city level
    street: np.ndarray  # the assigned street (city level) or home street (district level)
    weight: np.ndarray  # activity; 0 keeps a unit out of the synthetic ties


def _unit_types(
    rng: np.random.Generator, shares: Mapping[str, float], groups: np.ndarray
) -> np.ndarray:
    """Unit types by share, organs capped at the number of organ names in each group."""
    types = choose(rng, shares, len(groups))
    organs = np.flatnonzero(types == "organ")
    extra = organs[rank_in_group(groups[organs]) >= len(wordlists.ORGANS)]
    types[extra] = choose(rng, {k: v for k, v in shares.items() if k != "organ"}, len(extra))
    return types


def _unit_names(
    rng: np.random.Generator, types: np.ndarray, groups: np.ndarray, prefixes: np.ndarray
) -> np.ndarray:
    """Names distinct within each group (the city, or a district), by unit type."""
    names = np.empty(len(types), object)
    for unit_type, (stems, suffixes, short) in wordlists.UNIT_STEMS.items():
        sel = np.flatnonzero(types == unit_type)
        if sel.size:
            prefix = prefixes[groups[sel]]
            if short:  # 苏州市 -> 苏州城建集团有限公司, but 苏州工业园区 stays
                prefix = np.array([p[:-1] if len(p) == 3 else p for p in prefix], object)
            names[sel] = concat(prefix, distinct_names(rng, groups[sel], stems, suffixes))
    return names


def add_units(rng: np.random.Generator, city: City, size: float, nodes: Rows, ties: Rows) -> Units:
    """City-level and district-level units with their rows; real units come first."""
    real = [r for r in real_rows(city) if r["label"] == "Unit" and r["level"] == "city"]
    committee = 0 if real else len(COMMITTEE)  # a synthetic city gets its own committee
    n_city = max(committee + 3, round(CITY_UNITS * size)) - len(real)
    city_types = _unit_types(rng, CITY_UNIT_TYPES, np.zeros(n_city, np.int64))
    city_names = _unit_names(
        rng, city_types, np.zeros(n_city, np.int64), np.array([city.name], object)
    )
    city_types[:committee] = "organ"
    city_names[:committee] = [city.name + c for c in COMMITTEE][:committee]
    city_ids = numbered(f"{city.prefix}unit-city-", n_city)

    per_district = np.bincount(city.comm_district, minlength=len(city.district_id))
    n_district = np.maximum(1, np.round(DISTRICT_UNITS_PER_COMMUNITY * per_district))
    district = np.repeat(np.arange(len(city.district_id)), n_district.astype(np.int64))
    dist_types = _unit_types(rng, DISTRICT_UNIT_TYPES, district)
    dist_names = _unit_names(rng, dist_types, district, city.district_name)
    slugs = np.array([d.removeprefix(f"{city.prefix}district-") for d in city.district_id], object)
    seq = np.array([f"{r + 1:03d}" for r in rank_in_group(district)], object)
    dist_ids = concat(f"{city.prefix}unit-", slugs[district], "-", seq)

    nodes.add(
        id=np.concatenate([city_ids, dist_ids]),
        label="Unit",
        name=np.concatenate([city_names, dist_names]),
        unit_type=np.concatenate([city_types, dist_types]),
        level=np.array(["city"] * n_city + ["district"] * len(district), object),
        provenance="synthetic",
    )
    if committee:
        body = np.array([f"{city.prefix}body-steering-committee"], object)
        nodes.add(
            id=body, label="Body", name=city.name + "城市基层党建工作专委会", provenance="synthetic"
        )
        ties.add(
            source=city_ids[:committee], target=body[0], type="MEMBER_OF", provenance="synthetic"
        )

    n_city_level = len(real) + n_city
    inactive = len(real) + committee  # real units and committee bodies: no synthetic ties
    units = Units(
        id=np.concatenate([object_array([r["id"] for r in real]), city_ids, dist_ids]),
        name=np.concatenate([object_array([r["name"] for r in real]), city_names, dist_names]),
        level=np.array(["city"] * n_city_level + ["district"] * len(district), object),
        district=np.concatenate([np.full(n_city_level, -1), district]),
        street=np.full(n_city_level + len(district), -1),
        weight=np.concatenate(
            [np.zeros(inactive), rng.lognormal(0.0, 0.8, len(district) + n_city_level - inactive)]
        ),
    )
    _assign(rng, city, units, ties)
    comm_count = np.bincount(city.comm_street, minlength=len(city.street_id))
    home = Pools.of(city.street_district, len(city.district_id), comm_count)
    units.street[n_city_level:] = home.pick(rng, district)
    return units


def _assign(rng: np.random.Generator, city: City, units: Units, ties: Rows) -> None:
    """ASSIGNED_TO: every city-level unit to one of a few chosen streets, skewed (Zipf).

    Suzhou assigns to 19 of its 35 streets (which ones is not published), a synthetic city
    to the same share; streets of the first district (the old town) are three times as
    likely to be chosen. Real units that pair with a community go to its street.
    """
    city_level = np.flatnonzero(units.level == "city")
    n_streets = len(city.street_id)
    k = round(n_streets * facts.ASSIGNED_STREETS / URBAN_STREETS)
    k = facts.ASSIGNED_STREETS if city.id == facts.CITY else min(n_streets, max(1, k))
    forced = _forced_streets(city, units)
    must = np.unique(np.array(list(forced.values()), np.int64))
    others = np.setdiff1d(np.arange(n_streets), must)
    central = np.where(city.street_district[others] == 0, 3.0, 1.0)  # the old town
    others = rng.choice(others, k - len(must), replace=False, p=central / central.sum())
    chosen = rng.permutation(np.concatenate([must, others]))
    minimum = min(2, len(city_level) // k)
    zipf = rng.lognormal(0.0, 0.3, k) / np.arange(1, k + 1) ** 0.9
    counts = minimum + largest_remainder(len(city_level) - minimum * k, zipf)
    slots = np.repeat(chosen, counts).tolist()
    for s in forced.values():
        slots.remove(s)
    street = np.full(len(units.id), -1)
    street[list(forced)] = list(forced.values())
    street[[u for u in city_level if u not in forced]] = rng.permutation(slots)
    units.street[city_level] = street[city_level]
    ties.add(
        source=units.id[city_level],
        target=city.street_id[street[city_level]],
        type="ASSIGNED_TO",
        since=as_dates(days_between(rng, len(city_level), date(2017, 7, 1), date(2019, 12, 31))),
        provenance="synthetic",
    )


def _forced_streets(city: City, units: Units) -> dict[int, int]:
    """Real units that pair with a community are assigned to that community's street."""
    street_of = dict(zip(city.comm_id.tolist(), city.comm_street.tolist(), strict=True))
    index = {u: k for k, u in enumerate(units.id.tolist())}
    forced: dict[int, int] = {}
    for t in facts.TIES if city.id == facts.CITY else ():
        if t["type"] == "PAIRED_WITH" and t["target"] in street_of and t["source"] in index:
            forced.setdefault(index[t["source"]], street_of[t["target"]])
    return forced
