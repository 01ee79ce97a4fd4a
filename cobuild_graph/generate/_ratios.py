"""The ratios every city is filled to, derived from the article (docs/faq.md), not published.

Counts per community, street or unit, and the shares of unit types, party organisation
kinds and position sites; :mod:`cobuild_graph.generate._suzhou_facts` holds what is
published.
"""

from __future__ import annotations

from cobuild_graph.generate import _suzhou_facts as facts

URBAN_COMMUNITIES = sum(facts.DISTRICT_COMMUNITIES.values())  # 626
URBAN_STREETS = 35
STREETS_PER_DISTRICT = URBAN_STREETS / len(facts.DISTRICT_COMMUNITIES)
CITY_UNITS = 185  # "180+"
BRANCHES_PER_COMMUNITY = 4.8  # by mid-2020
BRANCH_GROWTH = 0.08  # share of branches that join after mid-2020
POSITIONS_PER_COMMUNITY = 2.3
PROJECTS_PER_COMMUNITY = 1.2
DISTRICT_UNITS_PER_COMMUNITY = 0.5
PAIRINGS_PER_UNIT = 1.8
SUPPORTERS_PER_PROJECT = 2.4
SECOND_EMBEDDING = 0.1  # share of branches that also join a neighbouring community

CITY_UNIT_TYPES = {
    "organ": 0.34,
    "institution": 0.22,
    "soe": 0.16,
    "school": 0.12,
    "hospital": 0.08,
    "private": 0.04,
    "other": 0.04,
}
DISTRICT_UNIT_TYPES = {
    "organ": 0.28,
    "institution": 0.22,
    "soe": 0.10,
    "school": 0.16,
    "hospital": 0.08,
    "private": 0.11,
    "other": 0.05,
}
ORG_KINDS = {"党委": 0.45, "党总支": 0.30, "党支部": 0.25}
SITE_TYPES = {
    "community": 0.60,
    "park": 0.10,
    "office building": 0.10,
    "business district": 0.08,
    "service window": 0.07,
    "development zone": 0.05,
}
COMMITTEE = (
    "委组织部",
    "委市级机关工委",
    "委教育工委",
    "民政局党委",
    "财政局党组",
    "政府国资委党委",
)
