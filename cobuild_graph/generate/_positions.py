"""Positions: "海棠花红" vanguard positions LOCATED_IN communities, streets and districts."""

from __future__ import annotations

import numpy as np

from cobuild_graph.generate import _names as wordlists
from cobuild_graph.generate._city import City
from cobuild_graph.generate._dates import as_dates, days_by_year, until_days
from cobuild_graph.generate._names import concat, numbered
from cobuild_graph.generate._picks import choose
from cobuild_graph.generate._ratios import POSITIONS_PER_COMMUNITY, SITE_TYPES
from cobuild_graph.generate._rows import Rows


def add_positions(
    rng: np.random.Generator, city: City, attract: np.ndarray, nodes: Rows, ties: Rows
) -> None:
    """ "海棠花红" positions, 2.3 per community, LOCATED_IN a community, street or district."""
    n = round(POSITIONS_PER_COMMUNITY * len(city.comm_id))
    site = choose(rng, SITE_TYPES, n)
    comm = rng.choice(len(city.comm_id), size=n, p=attract / attract.sum())
    street, district = city.comm_street[comm], city.comm_district[comm]
    word = np.array(wordlists.WORDS, object)[rng.integers(0, len(wordlists.WORDS), n)]
    place = np.array([wordlists.SITE_PLACES.get(s, "") for s in site], object)
    stem = np.array([s.removesuffix("街道") for s in city.street_name], object)[street]
    place = np.select(
        [site == "community", site == "development zone", site == "service window"],
        [
            concat(city.comm_name[comm], "党群服务中心"),
            concat(city.district_name[district], word, place),
            concat(city.street_name[street], place),
        ],
        concat(np.where(site == "business district", stem, word), place),
    )
    target = np.select(
        [site == "community", site == "development zone"],
        [city.comm_id[comm], city.district_id[district]],
        city.street_id[street],
    )
    ids = numbered(f"{city.prefix}position-", n, width=5)
    nodes.add(
        id=ids,
        label="Position",
        name=concat(place, "“海棠花红”先锋阵地"),
        site_type=site,
        provenance="synthetic",
    )
    since = days_by_year(rng, n, [0.05, 0.25, 0.35, 0.2, 0.06, 0.03, 0.03, 0.03])
    ties.add(
        source=ids,
        target=target,
        type="LOCATED_IN",
        since=as_dates(since),
        until=as_dates(until_days(rng, since, 0.02)),
        provenance="synthetic",
    )
