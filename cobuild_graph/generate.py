"""Seeded synthetic co-building datasets, from a few hundred nodes to a province.

:func:`generate` returns a co-building graph of the Suzhou shape (DESIGN §4). The ``sample``
scale holds the facts of the source article and of public records as real rows
(``provenance`` ``"article"`` or ``"public-record"``, see :mod:`cobuild_graph._suzhou_facts`),
filled up to the article's scale by a seeded generator whose rows all carry
``provenance="synthetic"``: 6 urban districts, 35 streets, 626 communities, 180+ city-level
units assigned by location to 19 streets, 3,000+ action branches, service projects of which
exactly 100 are exemplary, "海棠花红" positions and the six-member steering committee.

Other scales are built from synthetic cities of the same shape (see :data:`SCALES`); a
province starts with the Suzhou sample, whose rows are the same as those of ``sample`` for
the same seed. The same seed always gives the same tables; another seed changes every
synthetic row and none of the real ones.

The ratios the generator fills to are derived from the article (FACTS.md), not published:
about 9.5 city-level units per assigned street, 4.8 action branches per urban community
(the article's 3,000+ stood by mid-2020; a further 8 % join later), 2.3 positions per
community. Tie dates run from 2017 to 2024 (ties to a street or community never start before
2017-01-01), so that time slices show growth, and a few ties end. The ``weight`` of a
synthetic ``PAIRED_WITH`` tie is the number of joint activities a year.

Real units (the article's and the public record's) take part only through their real ties
and the ties the record implies but leaves open, marked synthetic: the street each city-level
unit is assigned to, and which 12 communities of 姑苏区 the 市委党校 branch joined.

Ids are short ASCII strings: the real rows' are named (``street-canglang``,
``community-daoqian``), synthetic ones numbered (``community-canglang-07``,
``unit-city-012``, ``branch-00042``); in a dataset of several cities every synthetic city
prefixes its ids with ``cNN-``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph import _names as wordlists
from cobuild_graph import _suzhou_facts as facts
from cobuild_graph.build import graph_from_tables
from cobuild_graph.schema import DEFAULT_SCHEMA, NODE_KEY_COLUMNS, TIE_KEY_COLUMNS

#: Name and version of the generator, written into the metadata of every dataset.
GENERATOR = "cobuild_graph.generate 1"


@dataclass(frozen=True)
class Scale:
    """A dataset size for :func:`generate`.

    Parameters
    ----------
    cities
        How many cities the dataset holds, each under its own ``City`` node.
    size
        Size of a synthetic city relative to the Suzhou sample (626 urban communities); in a
        dataset of several cities, the mean size of the synthetic ones.
    suzhou
        Whether the first city is the Suzhou sample with the real rows.
    description
        What the scale is for, written into the metadata.
    """

    cities: int
    size: float
    suzhou: bool
    description: str


#: The named scales. A number passed as ``scale`` means one synthetic city that many times
#: the size of the sample.
SCALES: dict[str, Scale] = {
    "tiny": Scale(1, 0.06, False, "one small synthetic city (a few hundred nodes), for tests"),
    "sample": Scale(1, 1.0, True, "Suzhou: the real rows filled to the article's scale"),
    "city": Scale(1, 3.0, False, "one synthetic city three times the size of the sample"),
    "province": Scale(
        40, 3.4, True, "Suzhou followed by 39 synthetic cities: a benchmark at province scale"
    ),
}

# -- ratios derived from the article (FACTS.md), not published -------------------------------

_URBAN_COMMUNITIES = sum(facts.DISTRICT_COMMUNITIES.values())  # 626
_URBAN_STREETS = 35
_STREETS_PER_DISTRICT = _URBAN_STREETS / len(facts.DISTRICT_COMMUNITIES)
_CITY_UNITS = 185  # "180+"
_BRANCHES_PER_COMMUNITY = 4.8  # by mid-2020
_BRANCH_GROWTH = 0.08  # share of branches that join after mid-2020
_POSITIONS_PER_COMMUNITY = 2.3
_PROJECTS_PER_COMMUNITY = 1.2
_DISTRICT_UNITS_PER_COMMUNITY = 0.5
_PAIRINGS_PER_UNIT = 1.8
_SUPPORTERS_PER_PROJECT = 2.4
_SECOND_EMBEDDING = 0.1  # share of branches that also join a neighbouring community

_CITY_UNIT_TYPES = {
    "organ": 0.34,
    "institution": 0.22,
    "soe": 0.16,
    "school": 0.12,
    "hospital": 0.08,
    "private": 0.04,
    "other": 0.04,
}
_DISTRICT_UNIT_TYPES = {
    "organ": 0.28,
    "institution": 0.22,
    "soe": 0.10,
    "school": 0.16,
    "hospital": 0.08,
    "private": 0.11,
    "other": 0.05,
}
_ORG_KINDS = {"党委": 0.45, "党总支": 0.30, "党支部": 0.25}
_SITE_TYPES = {
    "community": 0.60,
    "park": 0.10,
    "office building": 0.10,
    "business district": 0.08,
    "service window": 0.07,
    "development zone": 0.05,
}
_COMMITTEE = (
    "委组织部",
    "委市级机关工委",
    "委教育工委",
    "民政局党委",
    "财政局党组",
    "政府国资委党委",
)

# -- dates ------------------------------------------------------------------------------------

_START = date(2017, 1, 1)
_END = date(2024, 12, 31)
_DAYS = np.array([_START + timedelta(days=d) for d in range((_END - _START).days + 1)], object)
_YEARS = np.arange(2017, 2025)
#: Day offset of 1 January of each year from 2017 to 2025.
_YEAR_START = np.array([(date(y, 1, 1) - _START).days for y in range(2017, 2026)])


def _day(d: date) -> int:
    return (d - _START).days


def _days(
    rng: np.random.Generator,
    n: int,
    year_weights: Sequence[float],
    *,
    first: date = _START,
    last: date = _END,
) -> np.ndarray:
    """Day offsets (from 2017-01-01): a year by weight (2017 first), a day within it."""
    w = np.asarray(year_weights, float)
    years = _YEARS[: len(w)]
    lo = np.array([max(_day(date(y, 1, 1)), _day(first)) for y in years])
    hi = np.array([min(_day(date(y, 12, 31)), _day(last)) for y in years])
    w = np.where(hi >= lo, w, 0.0)
    pick = rng.choice(len(w), size=n, p=w / w.sum())
    return lo[pick] + (rng.random(n) * (hi[pick] - lo[pick] + 1)).astype(np.int64)


def _between(rng: np.random.Generator, n: int, first: date, last: date) -> np.ndarray:
    return _day(first) + rng.integers(0, _day(last) - _day(first) + 1, size=n)


def _until(
    rng: np.random.Generator, since: np.ndarray, share: float, not_before: date = _START
) -> np.ndarray:
    """An ``until`` day for a `share` of the ties, a year after `since` at the earliest; -1
    for the others and for ties too young to have ended by the end of 2024."""
    first = np.maximum(since + 365, _day(not_before))
    ends = (rng.random(len(since)) < share) & (first < _day(_END))
    span = np.maximum(_day(_END) - first, 1)
    return np.where(ends, first + (rng.random(len(since)) * span).astype(np.int64), -1)


def _dates(days: np.ndarray) -> np.ndarray:
    """Day offsets to ``datetime.date`` objects; negative offsets to ``None``."""
    out = _DAYS[np.clip(days, 0, len(_DAYS) - 1)]
    out[days < 0] = None
    return out


# -- weighted picks inside groups, vectorised -------------------------------------------------


@dataclass(frozen=True)
class _Pools:
    """Items grouped by an integer key, to pick one per request by weight inside a group."""

    order: np.ndarray
    cum: np.ndarray
    start: np.ndarray
    stop: np.ndarray

    @classmethod
    def of(cls, groups: np.ndarray, n_groups: int, weights: np.ndarray | None = None) -> _Pools:
        order = np.argsort(groups, kind="stable")
        w = np.ones(len(groups)) if weights is None else np.asarray(weights, float)[order]
        cum = np.concatenate([[0.0], np.cumsum(w)])
        keys = np.arange(n_groups)
        sorted_groups = np.asarray(groups)[order]
        return cls(
            order,
            cum,
            np.searchsorted(sorted_groups, keys, "left"),
            np.searchsorted(sorted_groups, keys, "right"),
        )

    def valid(self, groups: np.ndarray) -> np.ndarray:
        return self.cum[self.stop[groups]] > self.cum[self.start[groups]]

    def pick(self, rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
        lo, hi = self.cum[self.start[groups]], self.cum[self.stop[groups]]
        r = lo + rng.random(len(groups)) * (hi - lo)
        pos = np.searchsorted(self.cum, r, side="right") - 1
        return self.order[np.clip(pos, self.start[groups], self.stop[groups] - 1)]


def _pick(
    rng: np.random.Generator,
    options: Sequence[tuple[_Pools, np.ndarray]],
    preferred: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One item per request from its preferred pool, else from the first pool that has one.

    Each option is a pool and every request's group in it. Returns the item and the option
    it came from; -1 where no pool has an item for the request.
    """
    n = len(preferred)
    out, used = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    for choice in [preferred, *(np.full(n, k) for k in range(len(options)))]:
        for k, (pools, groups) in enumerate(options):
            sel = np.flatnonzero((out < 0) & (choice == k))
            sel = sel[pools.valid(groups[sel])]
            if sel.size:
                out[sel], used[sel] = pools.pick(rng, groups[sel]), k
    return out, used


def _split(rng: np.random.Generator, total: int, minimum: np.ndarray, alpha: float) -> np.ndarray:
    """Split `total` into parts of at least `minimum`, the rest by Dirichlet shares."""
    minimum = np.asarray(minimum, np.int64)
    rest = total - int(minimum.sum())
    if rest < 0:
        raise ValueError(f"cannot split {total} into parts of at least {minimum.tolist()}")
    return minimum + _largest_remainder(rest, rng.dirichlet(np.full(len(minimum), alpha)))


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    exact = total * np.asarray(shares, float) / np.sum(shares)
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    counts[np.argsort(counts - exact, kind="stable")[:short]] += 1
    return counts


def _rank_in_group(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each group, in the order of the items."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    first = np.searchsorted(sorted_groups, sorted_groups, "left")
    rank = np.empty(len(groups), np.int64)
    rank[order] = np.arange(len(groups)) - first
    return rank


def _distinct_names(
    rng: np.random.Generator,
    groups: np.ndarray,
    stems: Sequence[str],
    suffixes: Sequence[str] = (),
) -> np.ndarray:
    """A name from `stems` per item, distinct within its group while the stems last.

    Each group walks the stems from a random offset with a random stride coprime to their
    number; past the end, the walk repeats with each suffix appended, then with 第N分部.
    """
    stems_arr = np.array(list(stems), dtype=object)
    n = len(stems_arr)
    groups = np.asarray(groups, np.int64)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    strides = np.array([s for s in range(1, n + 1) if math.gcd(s, n) == 1])
    offset = rng.integers(0, n, size=n_groups)
    stride = strides[rng.integers(0, len(strides), size=n_groups)]
    rank = _rank_in_group(groups)
    names = stems_arr[(offset[groups] + rank * stride[groups]) % n]
    layer = rank // n
    for k in np.unique(layer[layer > 0]):
        extra = k - len(suffixes)
        suffix = suffixes[k - 1] if extra <= 0 else f"第{wordlists.numeral(extra + 1)}分部"
        sel = layer == k
        names[sel] = [f"{s}{suffix}" for s in names[sel]]
    return names


def _concat(*parts: Any) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars, as an object array."""
    arrays = [p for p in parts if isinstance(p, np.ndarray)]
    n = len(arrays[0])
    cols = [p.tolist() if isinstance(p, np.ndarray) else [p] * n for p in parts]
    return np.array(["".join(t) for t in zip(*cols, strict=True)], dtype=object)


def _choice(rng: np.random.Generator, shares: Mapping[str, float], n: int) -> np.ndarray:
    keys = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


# -- tables -----------------------------------------------------------------------------------


class _Rows:
    """Rows of one table, gathered as blocks of columns and joined once at the end."""

    def __init__(self) -> None:
        self._blocks: list[dict[str, np.ndarray]] = []

    def add(self, **columns: Any) -> None:
        """Add a block: arrays of one length, scalars repeated, ``None`` left out."""
        n = len(next(v for v in columns.values() if isinstance(v, np.ndarray)))
        if n:
            self._blocks.append({k: _objects(v, n) for k, v in columns.items() if v is not None})

    def add_records(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Add rows given as mappings (missing keys are ``None``)."""
        keys = list(dict.fromkeys(k for r in records for k in r))
        self._blocks.append({k: _object_array([r.get(k) for r in records]) for k in keys})

    def frame(self, keys: Sequence[str], known: Sequence[str]) -> pd.DataFrame:
        present = {c for b in self._blocks for c in b}
        columns = [*keys, *(c for c in dict.fromkeys(known) if c in present and c not in keys)]
        columns += sorted(present - set(columns))
        data = {
            c: np.concatenate(
                [b[c] if c in b else np.full(_length(b), None, object) for b in self._blocks]
            )
            for c in columns
        }
        return pd.DataFrame(data, columns=columns, dtype=object)


def _length(block: Mapping[str, np.ndarray]) -> int:
    return len(next(iter(block.values())))


def _object_array(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), object)
    out[:] = values
    return out


def _objects(value: Any, n: int) -> np.ndarray:
    """A column as an object array of Python values, ``None`` for missing floats."""
    if not isinstance(value, np.ndarray):
        return np.full(n, value, dtype=object)
    if value.dtype == object:
        return value
    out = value.astype(object)
    if value.dtype.kind == "f":
        out[np.isnan(value)] = None
    return out


# -- one city ---------------------------------------------------------------------------------


@dataclass
class _City:
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


@dataclass
class _Units:
    """The units of one city: real ones take part only through their real ties."""

    id: np.ndarray
    name: np.ndarray
    level: np.ndarray
    district: np.ndarray  # -1 for city level
    street: np.ndarray  # the assigned street (city level) or home street (district level)
    weight: np.ndarray  # activity; 0 keeps a unit out of the synthetic ties


def _city_name(rng: np.random.Generator, n: int) -> list[str]:
    return [
        wordlists.PLACES[i] + "市" for i in rng.choice(len(wordlists.PLACES), size=n, replace=False)
    ]


def _synthetic_city(
    rng: np.random.Generator, size: float, prefix: str, name: str, nodes: _Rows, ties: _Rows
) -> _City:
    """Districts, streets and communities of a synthetic city, with their rows."""
    n_comm = max(2, round(_URBAN_COMMUNITIES * size))
    n_street = min(n_comm, max(1, round(_URBAN_STREETS * size)))
    n_dist = max(min(2, n_street), round(n_street / _STREETS_PER_DISTRICT))
    per_dist = _split(rng, n_street, np.ones(n_dist), alpha=4.0)
    street_district = np.repeat(np.arange(n_dist), per_dist)
    minimum = np.full(n_street, min(3, n_comm // n_street))
    comm_street = np.repeat(np.arange(n_street), _split(rng, n_comm, minimum, alpha=3.0))

    dist_slug = np.array([f"d{i + 1:02d}" for i in range(n_dist)], object)
    stems = [p for p in wordlists.PLACES if p != name.removesuffix("市")]  # no 平阳区 in 平阳市
    street_slug = _concat(
        dist_slug[street_district],
        "-",
        np.array([f"{r + 1:02d}" for r in _rank_in_group(street_district)], object),
    )
    city = _City(
        prefix=prefix,
        id=f"{prefix}city",
        name=name,
        district_id=_concat(f"{prefix}district-", dist_slug),
        district_name=_concat(_distinct_names(rng, np.zeros(n_dist, np.int64), stems), "区"),
        district_kind=np.where(
            (np.arange(n_dist) == n_dist - 1) & (n_dist >= 4), "开发区", "区"
        ).astype(object),
        street_id=_concat(f"{prefix}street-", street_slug),
        street_name=_concat(
            _distinct_names(rng, np.zeros(n_street, np.int64), wordlists.PLACES), "街道"
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


def _name_communities(rng: np.random.Generator, city: _City) -> None:
    """Ids and names for the synthetic communities of `city` (real ones keep theirs)."""
    fill = ~city.comm_real
    streets = city.comm_street[fill]
    seq = _rank_in_group(streets) + 1
    ids = _concat(
        f"{city.prefix}community-",
        city.street_slug[streets],
        "-",
        np.array([f"{s:02d}" for s in seq], object),
    )
    stems = [w + s for s in wordlists.COMMUNITY_SUFFIXES for w in wordlists.WORDS]
    names = _concat(_distinct_names(rng, streets, stems), "社区")
    city.comm_id[fill] = ids
    city.comm_name[fill] = names


def _suzhou(rng: np.random.Generator, nodes: _Rows, ties: _Rows) -> _City:
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
        counts[rest] = _split(rng, left, np.maximum(3, n_real[rest]), alpha=3.0)

    fill_street = np.repeat(np.arange(len(streets)), counts - n_real)
    comm_street = np.concatenate([real_street, fill_street])
    city = _City(
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


def _communities(rng: np.random.Generator, city: _City, nodes: _Rows, ties: _Rows) -> None:
    """Rows of the synthetic communities and their PART_OF ties."""
    fill = ~city.comm_real
    n = int(fill.sum())
    kind = _choice(rng, _ORG_KINDS, n)
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


def _unit_types(
    rng: np.random.Generator, shares: Mapping[str, float], groups: np.ndarray
) -> np.ndarray:
    """Unit types by share, organs capped at the number of organ names in each group."""
    types = _choice(rng, shares, len(groups))
    organs = np.flatnonzero(types == "organ")
    extra = organs[_rank_in_group(groups[organs]) >= len(wordlists.ORGANS)]
    types[extra] = _choice(rng, {k: v for k, v in shares.items() if k != "organ"}, len(extra))
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
            names[sel] = _concat(prefix, _distinct_names(rng, groups[sel], stems, suffixes))
    return names


def _numbered(prefix: str, n: int, width: int = 3, start: int = 1) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(start, start + n)], object)


def _units(rng: np.random.Generator, city: _City, size: float, nodes: _Rows, ties: _Rows) -> _Units:
    """City-level and district-level units with their rows; real units come first."""
    real = [r for r in _real_rows(city) if r["label"] == "Unit" and r["level"] == "city"]
    committee = 0 if real else len(_COMMITTEE)  # a synthetic city gets its own committee
    n_city = max(committee + 3, round(_CITY_UNITS * size)) - len(real)
    city_types = _unit_types(rng, _CITY_UNIT_TYPES, np.zeros(n_city, np.int64))
    city_names = _unit_names(
        rng, city_types, np.zeros(n_city, np.int64), np.array([city.name], object)
    )
    city_types[:committee] = "organ"
    city_names[:committee] = [city.name + c for c in _COMMITTEE][:committee]
    city_ids = _numbered(f"{city.prefix}unit-city-", n_city)

    per_district = np.bincount(city.comm_district, minlength=len(city.district_id))
    n_district = np.maximum(1, np.round(_DISTRICT_UNITS_PER_COMMUNITY * per_district))
    district = np.repeat(np.arange(len(city.district_id)), n_district.astype(np.int64))
    dist_types = _unit_types(rng, _DISTRICT_UNIT_TYPES, district)
    dist_names = _unit_names(rng, dist_types, district, city.district_name)
    slugs = np.array([d.removeprefix(f"{city.prefix}district-") for d in city.district_id], object)
    seq = np.array([f"{r + 1:03d}" for r in _rank_in_group(district)], object)
    dist_ids = _concat(f"{city.prefix}unit-", slugs[district], "-", seq)

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
    units = _Units(
        id=np.concatenate([_object_array([r["id"] for r in real]), city_ids, dist_ids]),
        name=np.concatenate([_object_array([r["name"] for r in real]), city_names, dist_names]),
        level=np.array(["city"] * n_city_level + ["district"] * len(district), object),
        district=np.concatenate([np.full(n_city_level, -1), district]),
        street=np.full(n_city_level + len(district), -1),
        weight=np.concatenate(
            [np.zeros(inactive), rng.lognormal(0.0, 0.8, len(district) + n_city_level - inactive)]
        ),
    )
    _assign(rng, city, units, ties)
    comm_count = np.bincount(city.comm_street, minlength=len(city.street_id))
    home = _Pools.of(city.street_district, len(city.district_id), comm_count)
    units.street[n_city_level:] = home.pick(rng, district)
    return units


def _real_rows(city: _City) -> list[dict[str, Any]]:
    return facts.NODES if city.id == facts.CITY else []


def _assign(rng: np.random.Generator, city: _City, units: _Units, ties: _Rows) -> None:
    """ASSIGNED_TO: every city-level unit to one of a few chosen streets, skewed (Zipf).

    Suzhou assigns to 19 of its 35 streets (which ones is not published), a synthetic city
    to the same share; streets of the first district (the old town) are three times as
    likely to be chosen. Real units that pair with a community go to its street.
    """
    city_level = np.flatnonzero(units.level == "city")
    n_streets = len(city.street_id)
    k = round(n_streets * facts.ASSIGNED_STREETS / _URBAN_STREETS)
    k = facts.ASSIGNED_STREETS if city.id == facts.CITY else min(n_streets, max(1, k))
    forced = _forced_streets(city, units)
    must = np.unique(np.array(list(forced.values()), np.int64))
    others = np.setdiff1d(np.arange(n_streets), must)
    central = np.where(city.street_district[others] == 0, 3.0, 1.0)  # the old town
    others = rng.choice(others, k - len(must), replace=False, p=central / central.sum())
    chosen = rng.permutation(np.concatenate([must, others]))
    minimum = min(2, len(city_level) // k)
    zipf = rng.lognormal(0.0, 0.3, k) / np.arange(1, k + 1) ** 0.9
    counts = minimum + _largest_remainder(len(city_level) - minimum * k, zipf)
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
        since=_dates(_between(rng, len(city_level), date(2017, 7, 1), date(2019, 12, 31))),
        provenance="synthetic",
    )


def _forced_streets(city: _City, units: _Units) -> dict[int, int]:
    """Real units that pair with a community are assigned to that community's street."""
    street_of = dict(zip(city.comm_id.tolist(), city.comm_street.tolist(), strict=True))
    index = {u: k for k, u in enumerate(units.id.tolist())}
    forced: dict[int, int] = {}
    for t in facts.TIES if city.id == facts.CITY else ():
        if t["type"] == "PAIRED_WITH" and t["target"] in street_of and t["source"] in index:
            forced.setdefault(index[t["source"]], street_of[t["target"]])
    return forced


@dataclass
class _Links:
    """Synthetic ties of one kind: source index, community index (-1: none), dates."""

    source: np.ndarray
    comm: np.ndarray
    since: np.ndarray
    until: np.ndarray

    def __add__(self, other: _Links) -> _Links:
        return _Links(
            *(np.concatenate([a, b]) for a, b in zip(self.astuple(), other.astuple(), strict=True))
        )

    def astuple(self) -> tuple[np.ndarray, ...]:
        return (self.source, self.comm, self.since, self.until)


def _unique_pairs(a: np.ndarray, b: np.ndarray, n_b: int) -> np.ndarray:
    """Indices of the first occurrence of each (a, b) pair, in order."""
    _, first = np.unique(a.astype(np.int64) * n_b + b, return_index=True)
    return np.sort(first)


def _pairings(
    rng: np.random.Generator, city: _City, units: _Units, attract: np.ndarray, ties: _Rows
) -> _Links:
    """PAIRED_WITH from active units, mostly to communities of their own street."""
    n_comm, n_streets = len(city.comm_id), len(city.street_id)
    active = np.flatnonzero(units.weight > 0)
    k = np.minimum(rng.poisson(_PAIRINGS_PER_UNIT * units.weight[active]), 15)
    source = np.repeat(active, k)
    street = units.street[source]
    options = [
        (_Pools.of(city.comm_street, n_streets, attract), street),
        (
            _Pools.of(city.comm_district, len(city.district_id), attract),
            city.street_district[street],
        ),
        (_Pools.of(np.zeros(n_comm, np.int64), 1, attract), np.zeros(len(source), np.int64)),
    ]
    comm = _pick(rng, options, rng.choice(3, len(source), p=[0.7, 0.22, 0.08]))[0]
    to_street = rng.random(len(source)) < 0.1
    found = comm >= 0
    source, comm, to_street = source[found], comm[found], to_street[found]
    target = np.where(to_street, n_comm + city.comm_street[comm], comm)
    keep = _unique_pairs(source, target, n_comm + n_streets)
    source, comm, to_street = source[keep], comm[keep], to_street[keep]
    since = _days(rng, len(source), [0.05, 0.12, 0.15, 0.15, 0.13, 0.13, 0.13, 0.14])
    until = _until(rng, since, 0.06)
    ties.add(
        source=units.id[source],
        target=np.where(to_street, city.street_id[city.comm_street[comm]], city.comm_id[comm]),
        type="PAIRED_WITH",
        since=_dates(since),
        until=_dates(until),
        weight=np.round(rng.lognormal(math.log(4.0), 0.5, len(source)), 1),
        provenance="synthetic",
    )
    return _Links(source, np.where(to_street, -1, comm), since, until)


def _caohu_pairings(
    rng: np.random.Generator, city: _City, units: _Units, caohu: np.ndarray, ties: _Rows
) -> _Links:
    """漕湖街道 (2024): its communities paired with exactly 30 organisations."""
    xiangcheng = list(city.district_id).index("district-xiangcheng")
    fits = (units.weight > 0) & ((units.level == "city") | (units.district == xiangcheng))
    candidates = np.flatnonzero(fits)
    p = units.weight[candidates] / units.weight[candidates].sum()
    chosen = rng.choice(candidates, facts.CAOHU_PAIRED_ORGANISATIONS, replace=False, p=p)
    k = np.minimum(1 + rng.binomial(2, 0.3, len(chosen)), len(caohu))
    source = np.repeat(chosen, k)
    comm = np.concatenate([rng.choice(caohu, n, replace=False) for n in k])
    since = _days(rng, len(source), [0, 0.08, 0.1, 0.12, 0.15, 0.2, 0.15, 0.2])
    ties.add(
        source=units.id[source],
        target=city.comm_id[comm],
        type="PAIRED_WITH",
        since=_dates(since),
        weight=np.round(rng.lognormal(math.log(4.0), 0.5, len(source)), 1),
        provenance="synthetic",
    )
    return _Links(source, comm, since, np.full(len(source), -1))


def _branch_rows(
    rng: np.random.Generator,
    city: _City,
    units: _Units,
    links: _Links,
    first: int,
    nodes: _Rows,
    ties: _Rows,
    name: np.ndarray | None = None,
) -> np.ndarray:
    """Rows of action branches: BRANCH_OF their unit, EMBEDDED_IN a community (7 %: street).

    One in ten branches later joins a second community of the same street as well.
    """
    n = len(links.source)
    ids = _numbered(f"{city.prefix}branch-", n, width=5, start=first)
    at_street = rng.random(n) < 0.07
    street = city.comm_street[links.comm]
    target = np.where(at_street, city.street_id[street], city.comm_id[links.comm])
    where = np.where(at_street, city.street_name[street], city.comm_name[links.comm])
    home = units.name[links.source] if name is None else name
    founded = links.since - rng.integers(0, 60, n)
    nodes.add(
        id=ids,
        label="ActionBranch",
        name=_concat(home, "驻", where, "行动支部"),
        members=np.clip(np.round(rng.lognormal(math.log(10.0), 0.6, n)), 3, 50).astype(np.int64),
        provenance="synthetic",
    )
    ties.add(
        source=ids,
        target=units.id[links.source],
        type="BRANCH_OF",
        since=_dates(np.maximum(founded, 0)),
        provenance="synthetic",
    )
    ties.add(
        source=ids,
        target=target,
        type="EMBEDDED_IN",
        since=_dates(links.since),
        until=_dates(links.until),
        provenance="synthetic",
    )
    neighbours = _Pools.of(city.comm_street, len(city.street_id))
    again = np.flatnonzero((rng.random(n) < _SECOND_EMBEDDING) & ~at_street)
    other = neighbours.pick(rng, street[again])
    later = links.since[again] + rng.integers(30, 720, len(again))
    keep = (other != links.comm[again]) & (later <= _day(_END))
    ties.add(
        source=ids[again[keep]],
        target=city.comm_id[other[keep]],
        type="EMBEDDED_IN",
        since=_dates(later[keep]),
        provenance="synthetic",
    )
    return ids


def _branches(
    rng: np.random.Generator,
    city: _City,
    units: _Units,
    attract: np.ndarray,
    nodes: _Rows,
    ties: _Rows,
) -> tuple[np.ndarray, _Links]:
    """Action branches: 4.8 per community by mid-2020, 8 % more after; skewed."""
    n_comm = len(city.comm_id)
    n_base = math.ceil(_BRANCHES_PER_COMMUNITY * n_comm)
    n = n_base + round(_BRANCH_GROWTH * n_base)
    comm = rng.choice(n_comm, size=n, p=attract / attract.sum())
    is_city = units.level == "city"
    zeros = np.zeros(len(units.id), np.int64)
    options = [
        (
            _Pools.of(units.street, len(city.street_id), units.weight * is_city),
            city.comm_street[comm],
        ),
        (_Pools.of(units.district, len(city.district_id), units.weight), city.comm_district[comm]),
        (_Pools.of(zeros, 1, units.weight * is_city), np.zeros(n, np.int64)),
        (_Pools.of(zeros, 1, units.weight), np.zeros(n, np.int64)),
    ]
    home = _pick(rng, options, rng.choice(3, n, p=[0.45, 0.40, 0.15]))[0]
    mid_2020 = date(2020, 6, 30)
    since = np.concatenate(
        [
            _days(rng, n_base, [0.15, 0.35, 0.35, 0.15], last=mid_2020),
            _days(rng, n - n_base, [0, 0, 0, 0.1, 0.2, 0.22, 0.23, 0.25], first=mid_2020),
        ]
    )
    # the article's 3,000+ all still hold at mid-2020
    links = _Links(home, comm, since, _until(rng, since, 0.04, not_before=date(2020, 7, 1)))
    return _branch_rows(rng, city, units, links, 1, nodes, ties), links


def _suzhou_branches(
    rng: np.random.Generator,
    city: _City,
    units: _Units,
    attract: np.ndarray,
    first: int,
    nodes: _Rows,
    ties: _Rows,
) -> tuple[np.ndarray, _Links]:
    """The 55 协同攻坚 branches of 市委市级机关工委 and the 12 communities of 市委党校."""
    n = facts.ORGANS_WORK_COMMITTEE_BRANCHES
    year = facts.ORGANS_WORK_COMMITTEE_YEAR
    home = list(units.id).index(facts.ORGANS_WORK_COMMITTEE)
    comm = rng.choice(len(city.comm_id), size=n, p=attract / attract.sum())
    since = _between(rng, n, date(year, 3, 1), date(year, 12, 31))  # founded within the year
    links = _Links(np.full(n, home), comm, since, np.full(n, -1))
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
        since=_dates(_between(rng, len(joined), date(year, 1, 1), date(year, 12, 31))),
        provenance="synthetic",
    )
    return ids, links


@dataclass
class _Projects:
    """The synthetic projects of one city, for their supporters."""

    id: np.ndarray
    comm: np.ndarray  # the community the project serves (its runner or in its runner street)
    start: np.ndarray  # day the project starts
    year: np.ndarray
    exemplary: np.ndarray


def _projects(
    rng: np.random.Generator,
    city: _City,
    open_: np.ndarray,
    caohu: np.ndarray,
    nodes: _Rows,
    ties: _Rows,
) -> _Projects:
    """Service projects RUN by communities (12 %: their street), 2018-2024; some exemplary.

    In Suzhou, 漕湖街道's communities run exactly 32 projects, all in 2024, and no others.
    """
    n_comm = len(city.comm_id)
    per = rng.poisson(_PROJECTS_PER_COMMUNITY * rng.gamma(2.0, 0.5, n_comm) * open_)
    comm = np.repeat(np.arange(n_comm), per)
    year = _YEARS[1:][rng.choice(7, len(comm), p=[0.1, 0.13, 0.14, 0.15, 0.15, 0.16, 0.17])]
    real = [r for r in _real_rows(city) if r["label"] == "Project" and r.get("exemplary")]
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
    category = _choice(rng, dict(zip(wordlists.THEMES, wordlists.CATEGORY_SHARES, strict=True)), n)
    pick = rng.integers(0, 60, n)
    theme = _object_array(
        [
            wordlists.THEMES[c][i % len(wordlists.THEMES[c])]
            for c, i in zip(category, pick, strict=True)
        ]
    )
    street = city.comm_street[comm]
    runner = np.where(by_street, city.street_id[street], city.comm_id[comm])
    runner_name = np.where(by_street, city.street_name[street], city.comm_name[comm])
    start = _YEAR_START[year - _YEARS[0]] + rng.integers(0, 120, n)
    ids = _numbered(f"{city.prefix}project-", n, width=5)
    nodes.add(
        id=ids,
        label="Project",
        name=_concat(runner_name, "“", theme, "”项目"),
        category=category,
        budget_yuan=np.round(np.clip(rng.lognormal(math.log(30_000), 0.7, n), 3_000, 200_000), -2),
        exemplary=exemplary,
        year=year,
        provenance="synthetic",
    )
    ties.add(source=runner, target=ids, type="RUNS", since=_dates(start), provenance="synthetic")
    return _Projects(ids, comm, start, year, exemplary)


def _supports(
    rng: np.random.Generator,
    city: _City,
    units: _Units,
    pairs: _Links,
    branch_ids: np.ndarray,
    branches: _Links,
    projects: _Projects,
    ties: _Rows,
) -> None:
    """SUPPORTS: a project draws branches embedded in, and units paired with, its community.

    Failing both, a unit of its district. A supporter joins once its own tie to the
    community holds, within the project's year; a project draws each supporter once.
    """
    n_comm, n_dist = len(city.comm_id), len(city.district_id)
    k = rng.poisson(_SUPPORTERS_PER_PROJECT, len(projects.id)) + 2 * projects.exemplary
    project = np.repeat(np.arange(len(projects.id)), k)
    comm = projects.comm[project]
    paired = np.where(pairs.comm >= 0, pairs.comm, -1)
    options = [
        (_Pools.of(branches.comm, n_comm), comm),
        (_Pools.of(paired, n_comm, units.weight[pairs.source] * (paired >= 0)), comm),
        (_Pools.of(units.district, n_dist, units.weight), city.comm_district[comm]),
    ]
    item, used = _pick(rng, options, rng.choice(2, len(project), p=[0.6, 0.4]))
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
    year_end = _YEAR_START[projects.year[project] - _YEARS[0] + 1] - 1
    keep = np.flatnonzero((who >= 0) & (day <= year_end) & ((until < 0) | (until >= start)))
    keep = keep[_unique_pairs(who[keep], project[keep], len(projects.id))]
    ties.add(
        source=np.concatenate([branch_ids, units.id])[who[keep]],
        target=projects.id[project[keep]],
        type="SUPPORTS",
        since=_dates(day[keep]),
        provenance="synthetic",
    )


def _positions(
    rng: np.random.Generator, city: _City, attract: np.ndarray, nodes: _Rows, ties: _Rows
) -> None:
    """ "海棠花红" positions, 2.3 per community, LOCATED_IN a community, street or district."""
    n = round(_POSITIONS_PER_COMMUNITY * len(city.comm_id))
    site = _choice(rng, _SITE_TYPES, n)
    comm = rng.choice(len(city.comm_id), size=n, p=attract / attract.sum())
    street, district = city.comm_street[comm], city.comm_district[comm]
    word = np.array(wordlists.WORDS, object)[rng.integers(0, len(wordlists.WORDS), n)]
    place = np.array([wordlists.SITE_PLACES.get(s, "") for s in site], object)
    stem = np.array([s.removesuffix("街道") for s in city.street_name], object)[street]
    place = np.select(
        [site == "community", site == "development zone", site == "service window"],
        [
            _concat(city.comm_name[comm], "党群服务中心"),
            _concat(city.district_name[district], word, place),
            _concat(city.street_name[street], place),
        ],
        _concat(np.where(site == "business district", stem, word), place),
    )
    target = np.select(
        [site == "community", site == "development zone"],
        [city.comm_id[comm], city.district_id[district]],
        city.street_id[street],
    )
    ids = _numbered(f"{city.prefix}position-", n, width=5)
    nodes.add(
        id=ids,
        label="Position",
        name=_concat(place, "“海棠花红”先锋阵地"),
        site_type=site,
        provenance="synthetic",
    )
    since = _days(rng, n, [0.05, 0.25, 0.35, 0.2, 0.06, 0.03, 0.03, 0.03])
    ties.add(
        source=ids,
        target=target,
        type="LOCATED_IN",
        since=_dates(since),
        until=_dates(_until(rng, since, 0.02)),
        provenance="synthetic",
    )


def _fill(rng: np.random.Generator, city: _City, size: float, nodes: _Rows, ties: _Rows) -> None:
    """Everything below the divisions of one city, up to the article's ratios."""
    _communities(rng, city, nodes, ties)
    units = _units(rng, city, size, nodes, ties)
    attract = rng.lognormal(0.0, 0.6, len(city.comm_id))
    suzhou = city.id == facts.CITY
    caohu = np.flatnonzero(city.street_id[city.comm_street] == facts.CAOHU_STREET)
    open_ = np.ones(len(city.comm_id))
    open_[caohu] = 0.0
    pairs = _pairings(rng, city, units, attract * open_, ties)
    branch_ids, branches = _branches(rng, city, units, attract, nodes, ties)
    if suzhou:
        pairs = pairs + _caohu_pairings(rng, city, units, caohu, ties)
        more_ids, more = _suzhou_branches(
            rng, city, units, attract, len(branch_ids) + 1, nodes, ties
        )
        branch_ids, branches = np.concatenate([branch_ids, more_ids]), branches + more
    projects = _projects(rng, city, open_, caohu, nodes, ties)
    _supports(rng, city, units, pairs, branch_ids, branches, projects, ties)
    _positions(rng, city, attract, nodes, ties)


# -- public API -------------------------------------------------------------------------------


def _resolve(scale: str | float) -> tuple[str | float, Scale]:
    if isinstance(scale, str):
        if scale not in SCALES:
            raise ValueError(
                f"unknown scale {scale!r}; use one of {', '.join(SCALES)} or a positive number"
            )
        return scale, SCALES[scale]
    if (
        isinstance(scale, int | float | np.integer | np.floating)
        and not isinstance(scale, bool)
        and math.isfinite(scale)
        and scale > 0
    ):
        return float(scale), Scale(
            1, float(scale), False, f"one synthetic city {scale} × the sample"
        )
    raise ValueError(
        f"scale must be one of {', '.join(SCALES)} or a positive number, not {scale!r}"
    )


def _city_sizes(rng: np.random.Generator, spec: Scale) -> np.ndarray:
    """Sizes of the synthetic cities: lognormal, scaled to a mean of ``spec.size``."""
    n = spec.cities - int(spec.suzhou)
    shares = rng.lognormal(0.0, 0.5, n)
    return spec.size * shares * n / shares.sum() if n > 1 else np.full(n, spec.size)


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
        ``generator`` and ``synthetic``.

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
    label, spec = _resolve(scale)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    streams = np.random.SeedSequence(int(seed)).spawn(spec.cities + 1)
    plan = np.random.default_rng(streams[-1])
    sizes = iter(_city_sizes(plan, spec))
    names = iter(_city_name(plan, spec.cities - int(spec.suzhou)))
    width = len(str(spec.cities - 1))
    nodes, ties = _Rows(), _Rows()
    for k in range(spec.cities):
        rng = np.random.default_rng(streams[k])
        if k == 0 and spec.suzhou:
            city, size = _suzhou(rng, nodes, ties), 1.0
        else:
            size = float(next(sizes))
            prefix = f"c{k:0{width}d}-" if k else ""
            city = _synthetic_city(rng, size, prefix, next(names), nodes, ties)
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
        "date": _END.isoformat(),
        "licence": "CC-BY-4.0",
        "description": f"Urban grassroots party-building co-building network 共建网络: "
        f"{spec.description}. {real}the rest is generated at the article's ratios.",
        "scale": label,
        "seed": seed,
        "generator": GENERATOR,
        "synthetic": "Rows with provenance=synthetic are generated by cobuild_graph.generate "
        "and describe no real organisation or tie.",
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
    return graph_from_tables(nodes, ties, meta=meta)
