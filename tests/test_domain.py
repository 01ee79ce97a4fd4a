"""The domain's own measures, worked out by hand on a small street/community network."""

from __future__ import annotations

import datetime as dt
import math

import networkx as nx
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import domain
from tests._handmade import handmade


@pytest.fixture(scope="module", name="G")
def handmade_graph() -> nx.MultiDiGraph:
    return handmade()


@pytest.fixture(scope="module")
def tiny() -> nx.MultiDiGraph:
    return cg.generate("tiny", seed=3)


# -- the hierarchy ----------------------------------------------------------------------------


def test_ancestors_walk_part_of_and_attachment_ties(G: nx.MultiDiGraph) -> None:
    street = domain.ancestors(G, level="Street")
    assert street[["c1", "c5", "s2"]].tolist() == ["s1", "s3", "s2"]
    assert street["u2"] == "s1"  # ASSIGNED_TO s1 comes before its pairings in s2, s3
    assert street["u4"] == "s3"  # no ASSIGNED_TO: its pairing with c5
    assert street[["b3", "p1", "p2", "pos1"]].tolist() == ["s3", "s1", "s2", "s1"]
    assert street[["city", "d1"]].isna().all()  # above the level
    community = domain.ancestors(G, level="Community")
    # below the street, ASSIGNED_TO leads nowhere: u2's pairings c3, c4, c5 tie, smallest wins
    assert community["u2"] == "c3"
    assert pd.isna(community["u5"])  # only ASSIGNED_TO s3
    assert domain.ancestors(G, level="District").dropna().eq("d1").all()
    with pytest.raises(ValueError, match="unknown level 'Town'"):
        domain.ancestors(G, level="Town")


def test_a_unit_with_only_branches_belongs_where_its_branches_are() -> None:
    H = handmade()
    H.add_node("u6", label="Unit", name="单位六")
    for branch in ("b6", "b7"):
        H.add_node(branch, label="ActionBranch", name=branch)
        H.add_edge(branch, "u6", key="BRANCH_OF", type="BRANCH_OF")
        H.add_edge(branch, "c6", key="EMBEDDED_IN", type="EMBEDDED_IN")
    assert domain.ancestors(H, level="Street")["u6"] == "s2"


def test_rollup_sums_and_means_up_the_hierarchy(G: nx.MultiDiGraph) -> None:
    values = pd.Series({"c1": 1.0, "c2": 2.0, "c3": 4.0, "u2": 8.0, "b3": 16.0, "city": 32.0})
    table = domain.rollup(G, values, level="Street")
    # s1: c1 + c2 + u2 (ASSIGNED_TO s1) = 11; s2: c3 = 4; s3: b3 (in c5) = 16; city: none
    assert table["value"].to_dict() == {"s1": 11.0, "s2": 4.0, "s3": 16.0}
    assert table["nodes"].to_dict() == {"s1": 3, "s2": 1, "s3": 1}
    assert table.loc["s1", "name"] == "一街道"
    district = domain.rollup(G, values, level="District")
    assert district.loc["d1", "value"] == 31.0
    means = domain.rollup(G, values, level="Street", how="mean")
    assert means.loc["s1", "value"] == pytest.approx(11 / 3)
    members = domain.rollup(G, "service_fund_yuan", level="Street")
    assert members["service_fund_yuan"].to_dict() == {"s1": 400_000, "s2": 400_000, "s3": 200_000}


# -- coverage and balance ---------------------------------------------------------------------


def test_coverage_by_hand(G: nx.MultiDiGraph) -> None:
    table = domain.coverage(G)
    # six communities: units pair with c1 (u1), c3, c4, c5 (u2), c5 (u4) -> 4 of 6;
    # branches are in c1, c3, c5 -> 3; only c1 runs a project (s2's is a street's);
    # the one position stands in c2; unit or branch: c1, c3, c4, c5 -> 4
    assert table["communities_covered"].to_dict() == {
        "unit": 4,
        "branch": 3,
        "project": 1,
        "position": 1,
        "any": 4,
    }
    assert (table["communities_total"] == 6).all()
    assert table.loc["branch", "share"] == pytest.approx(3 / 6)
    assert table.loc["any", "share"] == pytest.approx(4 / 6)
    by_street = domain.coverage(G, level="Street")
    # s1: c1 covered, c2 not -> 1/2; s2: c3, c4 covered, c6 not -> 2/3; s3: c5 -> 1/1
    assert by_street["any_share"].tolist() == pytest.approx([1 / 2, 2 / 3, 1.0])
    assert by_street["communities"].tolist() == [2, 3, 1]


def test_uncovered_communities_with_their_street(G: nx.MultiDiGraph) -> None:
    table = domain.uncovered(G)
    assert table.index.tolist() == ["c2", "c6"]
    assert table[["street", "street_name"]].to_numpy().tolist() == [
        ["s1", "一街道"],
        ["s2", "二街道"],
    ]
    assert domain.uncovered(G, "project").index.tolist() == ["c2", "c3", "c4", "c6", "c5"]
    with pytest.raises(ValueError, match="unknown kind"):
        domain.uncovered(G, "school")


def test_gini_and_inequality_by_hand(G: nx.MultiDiGraph) -> None:
    assert domain.gini([1, 1, 3]) == pytest.approx(4 / 15)
    assert math.isnan(domain.gini([0, 0]))
    table = domain.balance(G)
    # units per street: s1 u1, u2; s2 u2, u3; s3 u2, u4, u5 (a unit counts in every
    # street it serves) -> [2, 2, 3]; branches: b1 | b2 | b3, b4, b5 -> [1, 1, 3];
    # projects: p1 (c1) | p2 (s2) | none -> [1, 1, 0]; positions: pos1 (c2) -> [1, 0, 0]
    assert table["units"].tolist() == [2, 2, 3]
    assert table["branches"].tolist() == [1, 1, 3]
    assert table["projects"].tolist() == [1, 1, 0]
    assert table["positions"].tolist() == [1, 0, 0]
    stats = domain.inequality(table)
    # Gini = 2 sum(i x_(i)) / (n sum x) - (n + 1) / n, values sorted ascending:
    #   units [2, 2, 3]: 2 (2 + 4 + 9) / (3 * 7) - 4/3 = 30/21 - 28/21 = 2/21
    #   branches [1, 1, 3]: 2 (1 + 2 + 9) / (3 * 5) - 4/3 = 24/15 - 20/15 = 4/15
    #   projects [0, 1, 1]: 2 (0 + 2 + 3) / (3 * 2) - 4/3 = 1/3
    #   positions [0, 0, 1]: 2 (3) / 3 - 4/3 = 2/3
    assert stats.loc["units", "gini"] == pytest.approx(2 / 21)
    assert stats.loc["branches", "gini"] == pytest.approx(4 / 15)
    assert stats.loc["projects", "gini"] == pytest.approx(1 / 3)
    assert stats.loc["positions", "gini"] == pytest.approx(2 / 3)
    # HHI of branches: (1/5)^2 + (1/5)^2 + (3/5)^2 = 11/25; max/min 3
    assert stats.loc["branches", "hhi"] == pytest.approx(11 / 25)
    assert stats.loc["branches", "max_min_ratio"] == 3.0
    assert math.isnan(stats.loc["projects", "max_min_ratio"])  # s3 has none
    assert stats.loc["projects", "zeros"] == 1
    # branches' mean is 5/3: s3 has 3 / (5/3) = 1.8 times it (over), s1 0.6 (within)
    assert table.loc["s3", "branches_ratio"] == pytest.approx(1.8)
    assert table["branches_flag"].tolist() == ["", "", "over"]
    assert table["positions_flag"].tolist() == ["over", "under", "under"]
    assert stats.loc["positions", ["over", "under"]].tolist() == [1, 2]


def test_balance_per_community_counts_its_own_ties(G: nx.MultiDiGraph) -> None:
    table = domain.balance(G, level="Community")
    assert "communities" not in table.columns
    assert table.loc["c5", ["units", "branches"]].tolist() == [2, 3]
    assert table.loc["c6", ["units", "branches", "projects", "positions"]].sum() == 0


def test_sector_mix_blau_and_shannon(G: nx.MultiDiGraph) -> None:
    table = domain.sector_mix(G)
    assert list(table.columns) == [
        "name",
        "organ",
        "soe",
        "school",
        "hospital",
        "institution",
        "private",
        "mass",
        "social",
        "other",
        "unknown",
        "units",
        "blau",
        "shannon",
    ]
    # s1: u1 organ, u2 soe -> Blau 1 - (1/4 + 1/4) = 1/2, Shannon ln 2
    assert table.loc["s1", "blau"] == pytest.approx(0.5)
    assert table.loc["s1", "shannon"] == pytest.approx(math.log(2))
    # s3: u2, u4 soe and u5 hospital -> Blau 1 - (4/9 + 1/9) = 4/9
    assert table.loc["s3", ["soe", "hospital", "units"]].tolist() == [2, 1, 3]
    assert table.loc["s3", "blau"] == pytest.approx(4 / 9)
    expected = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert table.loc["s3", "shannon"] == pytest.approx(expected)
    communities = domain.sector_mix(G, level="Community")
    assert math.isnan(communities.loc["c6", "blau"])  # no units
    assert communities.loc["c5", "shannon"] == 0.0  # two units, both soe


def test_sector_mix_without_unit_types_counts_every_unit_unknown(G: nx.MultiDiGraph) -> None:
    untyped = G.copy()
    for _, data in untyped.nodes(data=True):
        data.pop("unit_type", None)
    table = domain.sector_mix(untyped)
    typed = domain.sector_mix(G)
    assert table["unknown"].tolist() == typed["units"].tolist()
    assert (table[["organ", "soe", "hospital"]] == 0).all().all()
    assert table["blau"].isna().all()
    assert table["shannon"].isna().all()


# -- cross-level reach ------------------------------------------------------------------------


def test_cross_level_spans(G: nx.MultiDiGraph) -> None:
    ties = domain.cross_level(G).set_index(["source", "target"])
    # a city-level unit paired with a community reaches three levels down
    assert ties.loc[("u1", "c1"), ["source_level", "target_level", "span"]].tolist() == [
        "City",
        "Community",
        3,
    ]
    assert ties.loc[("u2", "c3"), "span"] == 2  # district-level unit
    assert ties.loc[("b3", "c5"), "source_level"] == "District"  # its home unit's level
    assert ties.loc[("c1", "s1"), "span"] == 1
    assert ties.loc[("c1", "p1"), "span"] == 0  # a project stands where it is run
    summary = domain.cross_level_summary(G)
    paired = summary[summary["type"] == "PAIRED_WITH"].set_index("span")
    assert paired["ties"].to_dict() == {2: 4, 3: 1}
    assert paired["share"].sum() == pytest.approx(1.0)


def test_unit_reach(G: nx.MultiDiGraph) -> None:
    table = domain.unit_reach(G)
    # city units: u1 pairs with c1 (and its branch is in c1), u3 reaches c3 through its
    # branch b2 only, u5 is only ASSIGNED_TO s3; district: u2 and u4 pair with communities
    assert table.loc["city"].to_dict() == {
        "units": 3,
        "paired_with_community": 1,
        "branch_in_community": 2,
        "community_direct": 2,
        "street_only": 1,
        "no_tie": 0,
        "community_direct_share": pytest.approx(2 / 3),
    }
    assert table.loc["district", ["units", "community_direct", "street_only"]].tolist() == [2, 2, 0]
    assert table.loc["all", "units"] == 5


# -- time -------------------------------------------------------------------------------------


def test_as_of_keeps_the_ties_that_hold(G: nx.MultiDiGraph) -> None:
    early = domain.as_of(G, "2019-01-01")
    assert early.has_edge("u2", "c3")
    assert not early.has_edge("u1", "c1")
    assert not early.has_edge("b1", "c1")
    late = domain.as_of(G, dt.date(2021, 1, 1))
    assert late.has_edge("u1", "c1")
    assert not late.has_edge("u2", "c3")
    assert late.number_of_edges() == G.number_of_edges() - 1
    last_day = domain.as_of(G, "2020-06-30")  # until is the last day the tie holds
    assert last_day.has_edge("u2", "c3")
    assert late.nodes["c1"] == G.nodes["c1"]
    H = G.copy()
    H.add_node("new", label="Unit", name="新单位", founded=dt.date(2022, 1, 1))
    assert "new" not in domain.as_of(H, "2021-01-01", isolates=True)
    assert "new" in domain.as_of(H, "2023-01-01", isolates=True)


def test_growth_per_year(G: nx.MultiDiGraph) -> None:
    table = domain.growth(G)
    assert list(table.columns) == ["period", "type", "added", "ended", "active"]
    paired = table[table["type"] == "PAIRED_WITH"].set_index("period")
    # undated pairings u2-c4, u2-c5, u4-c5 hold throughout; u2-c3 joins in 2018 and ends
    # on 2020-06-30; u1-c1 joins in 2019
    assert paired.index.tolist() == ["2018", "2019", "2020"]
    assert paired["added"].tolist() == [1, 1, 0]
    assert paired["ended"].tolist() == [0, 0, 1]
    assert paired["active"].tolist() == [4, 5, 4]
    everything = table[table["type"] == "all"].set_index("period")
    assert everything.loc["2020", "active"] == G.number_of_edges() - 1
    quarters = domain.growth(G, "quarter")
    assert quarters["period"].iloc[0] == "2018Q1"
    with pytest.raises(ValueError, match="unknown freq"):
        domain.growth(G, "week")  # type: ignore[arg-type]


def test_diff_between_two_dates(G: nx.MultiDiGraph) -> None:
    table = domain.diff(G, "2019-01-01", "2021-01-01")
    # sorted by change, then tie type: EMBEDDED_IN before PAIRED_WITH
    assert table[["source", "target", "type", "change"]].to_numpy().tolist() == [
        ["b1", "c1", "EMBEDDED_IN", "added"],
        ["u1", "c1", "PAIRED_WITH", "added"],
        ["u2", "c3", "PAIRED_WITH", "ended"],
    ]
    assert table.loc[2, "until"] == pd.Timestamp("2020-06-30")
    assert table["change"].value_counts().to_dict() == {"added": 2, "ended": 1}


#: Ties of a small graph, some of whose dates the roster's year or another row gave:
#: source, target, type, since, until, inferred.
MARKED = [
    ("u1", "c1", "PAIRED_WITH", "2019-03-05", None, ""),
    ("u2", "c1", "PAIRED_WITH", "2020-01-01", "2020-12-31", "since:roster_year;until:roster_year"),
    ("u3", "c2", "PAIRED_WITH", "2020-01-01", None, "since:roster_year"),
    ("u1", "c2", "PAIRED_WITH", "2018-07-01", "2021-12-31", "until:roster_year"),
    ("b1", "c1", "EMBEDDED_IN", "2021-01-01", None, "since:roster_year;name:canonical"),
    ("b2", "c2", "EMBEDDED_IN", "2020-06-01", "2021-03-31", None),
    ("u4", "c2", "PAIRED_WITH", None, None, "since:roster_year"),  # marked, yet no date
    ("u5", "c3", "PAIRED_WITH", "2019-01-01", None, "since:other_row"),
]


@pytest.fixture(name="marked")
def marked_graph() -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    """The graph of :data:`MARKED` with two isolates, and its ties as a table with whether
    each date is inferred, worked out from the rows themselves."""
    G = nx.MultiDiGraph()
    G.add_node("lone", label="Unit", name="独立单位", founded=dt.date(2018, 1, 1))
    G.add_node("late", label="Unit", name="新单位", founded=dt.date(2030, 1, 1))
    for u, v, kind, since, until, inferred in MARKED:
        dates = {k: dt.date.fromisoformat(d) for k, d in (("since", since), ("until", until)) if d}
        mark = {"inferred": inferred} if inferred is not None else {}
        G.add_edge(u, v, key=kind, type=kind, **dates, **mark)
    ties = pd.DataFrame(MARKED, columns=["source", "target", "type", "since", "until", "how"])
    ties[["since", "until"]] = ties[["since", "until"]].apply(pd.to_datetime)
    for end in ("since", "until"):
        ties[f"{end}_how"] = ties["how"].str.extract(rf"{end}:(\w+)")[0].where(ties[end].notna())
    ties["kept"] = ties["since_how"].isna() & ties["until_how"].isna()
    return G, ties


def _by_hand_growth(ties: pd.DataFrame) -> pd.DataFrame:
    """Added, ended and active ties per year, every type together, counted row by row."""
    rows = []
    for year in range(2018, 2022):
        end = pd.Timestamp(year, 12, 31)
        active = (ties["since"].isna() | (ties["since"] <= end)) & (
            ties["until"].isna() | (ties["until"] >= end)
        )
        rows.append(
            {
                "period": str(year),
                "added": int((ties["since"].dt.year == year).sum()),
                "ended": int((ties["until"].dt.year == year).sum()),
                "active": int(active.sum()),
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("inferred_dates", [True, False])
def test_growth_with_and_without_inferred_dates(marked, inferred_dates: bool) -> None:
    G, ties = marked
    table = domain.growth(G, inferred_dates=inferred_dates)
    every = table[table["type"] == "all"].drop(columns="type").reset_index(drop=True)
    read = ties if inferred_dates else ties[ties["kept"]]
    expected = _by_hand_growth(read)
    # the periods are those of all the ties either way: 2018 to 2021
    pd.testing.assert_frame_equal(every, expected, check_dtype=False)
    if not inferred_dates:  # a tie whose since is the roster's year is not added that year
        assert every.set_index("period").loc["2020", "added"] == 1  # b2 only: not u2, u3


def test_growth_states_how_many_dates_are_inferred(marked) -> None:
    G, ties = marked
    for counted in (True, False):
        attrs = domain.growth(G, inferred_dates=counted).attrs
        state = attrs["inferred_dates"]
        assert state["counted"] is counted
        assert state["ties_left_out"] == (0 if counted else int((~ties["kept"]).sum()))
        for end in ("since", "until"):
            how = ties[f"{end}_how"].dropna()
            assert state[end]["dates"] == ties[end].notna().sum()
            assert state[end]["inferred"] == how.value_counts().to_dict()
            for kind, n in how.value_counts().items():
                english = f"{n} of {ties[end].notna().sum()} {end} dates inferred ({kind}), "
                english += "counted" if counted else "left out"
                assert any(line.endswith(english) for line in attrs["caveats"])
        zh = "已计入" if counted else "未计入"
        assert all(zh in line for line in attrs["caveats"])
    unmarked = nx.MultiDiGraph(
        [(u, v, {"type": t, "since": dt.date(2020, 1, 1)}) for u, v, t, *_ in MARKED]
    )
    assert domain.growth(unmarked).attrs["caveats"] == []


@pytest.mark.parametrize("day", ["2019-12-31", "2020-06-30", "2021-06-30"])
def test_as_of_without_inferred_dates_leaves_their_ties_out(marked, day: str) -> None:
    G, ties = marked
    when = pd.Timestamp(day)
    holds = (ties["since"].isna() | (ties["since"] <= when)) & (
        ties["until"].isna() | (ties["until"] >= when)
    )
    for counted, rows in ((True, ties[holds]), (False, ties[holds & ties["kept"]])):
        H = domain.as_of(G, day, inferred_dates=counted)
        expected = sorted(zip(rows["source"], rows["target"], rows["type"], strict=True))
        assert sorted(H.edges(keys=True)) == expected
        with_isolates = domain.as_of(G, day, isolates=True, inferred_dates=counted)
        assert sorted(with_isolates.edges(keys=True)) == expected
        # every node but the one founded later: the ends of the ties left out come alone
        assert set(with_isolates) == set(G) - {"late"}


def test_diff_without_inferred_dates(marked) -> None:
    G, ties = marked
    first, second = pd.Timestamp("2019-06-30"), pd.Timestamp("2021-06-30")

    def holds(day: pd.Timestamp) -> pd.Series:
        return (ties["since"].isna() | (ties["since"] <= day)) & (
            ties["until"].isna() | (ties["until"] >= day)
        )

    changed = ties[(holds(first) != holds(second)) & ties["kept"]]
    table = domain.diff(G, first.date(), second.date(), inferred_dates=False)
    assert sorted(zip(table["source"], table["target"], strict=True)) == sorted(
        zip(changed["source"], changed["target"], strict=True)
    )
    assert table.attrs["inferred_dates"]["ties_left_out"] == (~ties["kept"]).sum()
    everything = domain.diff(G, first.date(), second.date())
    assert len(everything) == (holds(first) != holds(second)).sum() > len(table)


# -- funding ------------------------------------------------------------------------------------


def test_funding_per_street(G: nx.MultiDiGraph) -> None:
    table = domain.funding(G)
    # s1: c1, c2 funded 200,000 each; p1 run by c1 (10,000, exemplary)
    assert table.loc["s1"].drop("name").tolist() == [2, 2, 400_000.0, 1, 1, 10_000.0, 1]
    # s2: c3, c4 funded, c6 not; p2 is run by the street itself (5,000)
    assert table.loc[
        "s2", ["communities", "communities_funded", "projects", "budget_yuan"]
    ].tolist() == [
        3,
        2,
        1,
        5_000.0,
    ]
    assert table.loc["s3", "projects"] == 0
    communities = domain.funding(G, level="Community")
    assert communities.loc["c1", "budget_yuan"] == 10_000.0
    assert communities["projects"].sum() == 1  # the street's project is no community's


# -- a generated city: every table has its documented columns ---------------------------------


def test_domain_tables_on_a_generated_city(tiny: nx.MultiDiGraph) -> None:
    communities = sum(1 for _, label in tiny.nodes(data="label") if label == "Community")
    coverage = domain.coverage(tiny)
    assert list(coverage.columns) == ["communities_covered", "communities_total", "share"]
    assert (coverage["communities_total"] == communities).all()
    assert coverage.loc["any", "communities_covered"] >= coverage.loc["unit", "communities_covered"]
    balance = domain.balance(tiny)
    assert list(balance.columns[:6]) == [
        "name",
        "communities",
        "units",
        "branches",
        "projects",
        "positions",
    ]
    assert balance["communities"].sum() == communities
    assert list(domain.inequality(balance).columns) == [
        "places",
        "total",
        "mean",
        "min",
        "max",
        "zeros",
        "gini",
        "hhi",
        "max_min_ratio",
        "cv",
        "over",
        "under",
    ]
    assert list(domain.funding(tiny).columns) == [
        "name",
        "communities",
        "communities_funded",
        "service_fund_yuan",
        "projects",
        "projects_budgeted",
        "budget_yuan",
        "exemplary_projects",
    ]
    growth = domain.growth(tiny)
    total = growth[(growth["type"] == "all")]["active"].iloc[-1]
    assert total == domain.as_of(tiny, "2024-12-31").number_of_edges()
    reach = domain.unit_reach(tiny)
    assert reach.loc["all", "units"] == sum(
        1 for _, label in tiny.nodes(data="label") if label == "Unit"
    )
    assert list(domain.cross_level(tiny).columns) == [
        "source",
        "target",
        "type",
        "source_level",
        "target_level",
        "span",
    ]


@pytest.mark.parametrize("name", ["handmade", "tiny"])
def test_cross_level_summary_counts_the_ties_of_cross_level(
    G: nx.MultiDiGraph, tiny: nx.MultiDiGraph, name: str
) -> None:
    graph = G if name == "handmade" else tiny
    ties = domain.cross_level(graph)
    expected = (
        ties.groupby(["type", "source_level", "target_level", "span"], dropna=False)
        .size()
        .rename("ties")
        .reset_index()
    )
    expected["share"] = expected["ties"] / expected.groupby("type")["ties"].transform("sum")
    expected = expected.sort_values(["type", "span"], kind="stable").reset_index(drop=True)
    got = domain.cross_level_summary(graph)
    pd.testing.assert_frame_equal(got, expected)
    assert got["ties"].sum() == graph.number_of_edges()
