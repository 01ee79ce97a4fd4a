"""The published facts of the Suzhou sample, as table rows and figures.

Every row here carries its ``provenance``: ``"article"`` for what the source article
(中国城市报, "江苏省苏州市：党建引领做优社区做活服务", 2020) states, ``"public-record"`` for
what public records state (national statistical division codes, published news of
pairings; see "Where does the Suzhou sample come from?" in docs/faq.md). A few ties are
choices the published record leaves open (which street a community named without its
street belongs to); they are marked ``"synthetic"``.
Nothing else in the sample is a fact: :mod:`cobuild_graph.generate` fills the rest up to the
article's scale and marks it ``"synthetic"``.

Dates known only to the year are stored as 1 January of that year, to the month as the
first of the month. Unknown attributes are left out (``None``), never guessed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

ARTICLE = "article"
PUBLIC = "public-record"
SYNTHETIC = "synthetic"

# -- figures (the article unless noted) ------------------------------------------------------

#: Grassroots party organisations and party members in Suzhou.
PARTY_ORGANISATIONS = 35_000
PARTY_MEMBERS = 560_000
#: City-level organs, enterprises, schools and hospitals assigned by location (180+) ...
CITY_UNITS_ASSIGNED = 180
#: ... to this many streets.
ASSIGNED_STREETS = 19
#: Action branches that joined street and community party organisations (3,000+).
ACTION_BRANCHES = 3_000
#: Yearly service fund per community, yuan.
SERVICE_FUND_YUAN = 200_000.0
#: Exemplary service projects 百佳示范项目.
EXEMPLARY_PROJECTS = 100
#: "海棠花红" vanguard positions citywide, villages included (5,100+).
POSITIONS_CITYWIDE = 5_100
#: Bodies on the steering committee 城市基层党建工作专委会.
COMMITTEE_SIZE = 6

#: Urban communities (居委会) per district, end of 2018 (public record).
DISTRICT_COMMUNITIES: dict[str, int] = {
    "district-gusu": 169,
    "district-wuzhong": 104,
    "district-xiangcheng": 76,
    "district-gaoxin": 58,
    "district-sip": 148,
    "district-wujiang": 71,
}
#: Communities of six 姑苏 streets after the 2017 merger (public record; 双塔, 吴门桥 approximate).
#: The district's remaining communities belong to 白洋湾 and 虎丘.
STREET_COMMUNITIES: dict[str, int] = {
    "street-pingjiang": 23,
    "street-jinchang": 30,
    "street-canglang": 21,
    "street-sujin": 12,
    "street-shuangta": 21,
    "street-wumenqiao": 15,
}

#: 漕湖街道 (2024): its communities paired with 30 organisations and ran 32 projects.
CAOHU_STREET = "street-caohu"
CAOHU_YEAR = 2024
CAOHU_PAIRED_ORGANISATIONS = 30
CAOHU_PROJECTS = 32
#: 市委市级机关工委 (2022): 55 "协同攻坚" action branches.
ORGANS_WORK_COMMITTEE = "unit-organs-work-committee"
ORGANS_WORK_COMMITTEE_YEAR = 2022
ORGANS_WORK_COMMITTEE_BRANCHES = 55
#: 市委党校's action branch (36 people) joined this many communities of 姑苏区 (2022).
PARTY_SCHOOL_BRANCH = "branch-party-school"
PARTY_SCHOOL_DISTRICT = "district-gusu"
PARTY_SCHOOL_YEAR = 2022
PARTY_SCHOOL_COMMUNITIES = 12
#: The steering committee.
COMMITTEE = "body-steering-committee"

CITY = "city-suzhou"

# -- divisions ------------------------------------------------------------------------------

# (id, name, name_en, kind, provenance); the article names 姑苏区, 苏州高新区 and 吴中区.
_DISTRICTS: list[tuple[str, str, str, str, str]] = [
    ("district-gusu", "姑苏区", "Gusu District", "区", ARTICLE),
    ("district-gaoxin", "虎丘区", "Huqiu District (Suzhou New District)", "区", ARTICLE),
    ("district-wuzhong", "吴中区", "Wuzhong District", "区", ARTICLE),
    ("district-xiangcheng", "相城区", "Xiangcheng District", "区", PUBLIC),
    ("district-wujiang", "吴江区", "Wujiang District", "区", PUBLIC),
    ("district-sip", "苏州工业园区", "Suzhou Industrial Park", "开发区", PUBLIC),
    ("district-changshu", "常熟市", "Changshu", "县级市", PUBLIC),
]

# (slug, name without 街道, district id); streets of the six urban districts, mid-2020, and
# 虞山 of 常熟市 for the public record of 报北社区.
_STREETS: list[tuple[str, str, str]] = [
    ("baiyangwan", "白洋湾", "district-gusu"),
    ("pingjiang", "平江", "district-gusu"),
    ("jinchang", "金阊", "district-gusu"),
    ("canglang", "沧浪", "district-gusu"),
    ("shuangta", "双塔", "district-gusu"),
    ("huqiu", "虎丘", "district-gusu"),
    ("sujin", "苏锦", "district-gusu"),
    ("wumenqiao", "吴门桥", "district-gusu"),
    ("hengtang", "横塘", "district-gaoxin"),
    ("shishan", "狮山", "district-gaoxin"),
    ("fengqiao", "枫桥", "district-gaoxin"),
    ("zhenhu", "镇湖", "district-gaoxin"),
    ("dongzhu", "东渚", "district-gaoxin"),
    ("changqiao", "长桥", "district-wuzhong"),
    ("yuexi", "越溪", "district-wuzhong"),
    ("guoxiang", "郭巷", "district-wuzhong"),
    ("hengjing", "横泾", "district-wuzhong"),
    ("xiangshan", "香山", "district-wuzhong"),
    ("chengnan", "城南", "district-wuzhong"),
    ("taihu", "太湖", "district-wuzhong"),
    ("yuanhe", "元和", "district-xiangcheng"),
    ("taiping", "太平", "district-xiangcheng"),
    ("huangqiao", "黄桥", "district-xiangcheng"),
    ("beiqiao", "北桥", "district-xiangcheng"),
    ("beihejing", "北河泾", "district-xiangcheng"),
    ("caohu", "漕湖", "district-xiangcheng"),
    ("chengyang", "澄阳", "district-xiangcheng"),
    ("songling", "松陵", "district-wujiang"),
    ("hengshan", "横扇", "district-wujiang"),
    ("bache", "八坼", "district-wujiang"),
    ("jiangling", "江陵", "district-wujiang"),
    ("loufeng", "娄葑", "district-sip"),
    ("xietang", "斜塘", "district-sip"),
    ("weiting", "唯亭", "district-sip"),
    ("shengpu", "胜浦", "district-sip"),
    ("yushan", "虞山", "district-changshu"),
]
# Streets the article names.
_ARTICLE_STREETS = {"canglang", "huqiu", "fengqiao", "guoxiang"}

# (id, name, street slug, party_org_kind, node provenance, PART_OF provenance)
_COMMUNITIES: list[tuple[str, str, str, str | None, str, str]] = [
    ("community-daoqian", "道前社区", "canglang", None, ARTICLE, ARTICLE),
    # The article names 南环第一/第二社区 without their street: 吴门桥 is our choice.
    ("community-nanhuan-1", "南环第一社区", "wumenqiao", None, ARTICLE, SYNTHETIC),
    ("community-nanhuan-2", "南环第二社区", "wumenqiao", None, ARTICLE, SYNTHETIC),
    ("community-jiaye-yangguangcheng", "嘉业阳光城社区", "huqiu", "党委", ARTICLE, ARTICLE),
    ("community-xijinqiao", "西津桥社区", "fengqiao", "党委", ARTICLE, ARTICLE),
    ("community-hujing-huayuan", "湖景花园社区", "guoxiang", "党支部", ARTICLE, ARTICLE),
    ("community-qingjiayuan", "清嘉苑社区", "baiyangwan", None, PUBLIC, PUBLIC),
    ("community-hemei", "和美社区", "baiyangwan", None, PUBLIC, PUBLIC),
    ("community-huchiyuan", "虎池苑社区", "baiyangwan", None, PUBLIC, PUBLIC),
    ("community-yuyuan-jiayuan", "御苑家园社区", "yuanhe", "党委", PUBLIC, PUBLIC),
    ("community-xingguang", "星光社区", "sujin", "党总支", PUBLIC, PUBLIC),
    ("community-baobei", "报北社区", "yushan", None, PUBLIC, PUBLIC),
]

# -- units, branches, projects, the committee -----------------------------------------------

# (id, name, unit_type, level, provenance)
_UNITS: list[tuple[str, str, str, str, str]] = [
    ("unit-municipal-facilities", "苏州市市政设施管理处", "institution", "city", ARTICLE),
    ("unit-housing-fund-gusu", "苏州市公积金姑苏分中心", "institution", "city", ARTICLE),
    ("unit-suzhou-trust", "苏州信托有限公司", "soe", "city", PUBLIC),
    ("unit-chengtou-recycling", "苏州城投再生资源发展有限公司", "soe", "city", PUBLIC),
    ("unit-civil-affairs", "苏州市民政局", "organ", "city", PUBLIC),
    ("unit-party-school", "市委党校", "institution", "city", PUBLIC),
    ("unit-changshu-gazetteer", "常熟市地方志办", "institution", "district", PUBLIC),
]
# The six bodies of the steering committee (article), same columns.
_COMMITTEE_UNITS: list[tuple[str, str, str, str, str]] = [
    ("unit-organisation-department", "市委组织部", "organ", "city", ARTICLE),
    (ORGANS_WORK_COMMITTEE, "市委市级机关工委", "organ", "city", ARTICLE),
    ("unit-education-work-committee", "市委教育工委", "organ", "city", ARTICLE),
    ("unit-civil-affairs-party-committee", "市民政局党委", "organ", "city", ARTICLE),
    ("unit-finance-party-group", "市财政局党组", "organ", "city", ARTICLE),
    ("unit-sasac-party-committee", "市政府国资委党委", "organ", "city", ARTICLE),
]

# (id, name, members, home unit, provenance)
_BRANCHES: list[tuple[str, str, int | None, str, str]] = [
    (PARTY_SCHOOL_BRANCH, "市委党校行动支部", 36, "unit-party-school", PUBLIC),
    ("branch-changshu-gazetteer", "常熟市地方志办行动支部", 6, "unit-changshu-gazetteer", PUBLIC),
    # Signed a three-way co-building agreement with 御苑家园社区党委 and 星光社区党总支.
    ("branch-civil-affairs-2", "苏州市民政局机关第二党支部", None, "unit-civil-affairs", PUBLIC),
]

# (id, name, category, exemplary, runner, provenance)
_PROJECTS: list[tuple[str, str, str, bool | None, str, str]] = [
    (
        "project-boshi-forum",
        "博士阳光讲坛",
        "党员先锋",
        True,
        "community-jiaye-yangguangcheng",
        ARTICLE,
    ),
    (
        "project-elderly-care",
        "关爱老人、情暖夕阳",
        "为老服务",
        True,
        "community-xijinqiao",
        ARTICLE,
    ),
    ("project-5plus", "5+共建会", "社区自治", True, "community-hujing-huayuan", ARTICLE),
    # The service project of 道前社区 the municipal facilities office takes part in: it mends
    # the paving of the lanes whenever residents report a problem. Not named; not known to be
    # one of the hundred.
    (
        "project-daoqian-paving",
        "道前社区为民服务项目(道板维修)",
        "环境整治",
        None,
        "community-daoqian",
        ARTICLE,
    ),
]

# (unit, community, since, provenance): pairings 结对共建.
_PAIRINGS: list[tuple[str, str, date | None, str]] = [
    ("unit-municipal-facilities", "community-daoqian", None, ARTICLE),
    ("unit-municipal-facilities", "community-qingjiayuan", date(2023, 1, 1), PUBLIC),
    ("unit-housing-fund-gusu", "community-nanhuan-1", None, ARTICLE),
    ("unit-housing-fund-gusu", "community-nanhuan-2", None, ARTICLE),
    ("unit-suzhou-trust", "community-hemei", date(2023, 1, 1), PUBLIC),
    ("unit-chengtou-recycling", "community-huchiyuan", date(2023, 1, 1), PUBLIC),
]

# (branch, community, since): branches joining community party organisations.
_EMBEDDINGS: list[tuple[str, str, date | None]] = [
    ("branch-changshu-gazetteer", "community-baobei", date(2020, 2, 1)),
    ("branch-civil-affairs-2", "community-yuyuan-jiayuan", date(2023, 2, 28)),
    ("branch-civil-affairs-2", "community-xingguang", date(2023, 2, 28)),
]


def _street_id(slug: str) -> str:
    return f"street-{slug}"


def _node(id_: str, label: str, name: str, provenance: str, **attrs: Any) -> dict[str, Any]:
    return {"id": id_, "label": label, "name": name, **attrs, "provenance": provenance}


def _tie(source: str, target: str, type_: str, provenance: str, **attrs: Any) -> dict[str, Any]:
    return {"source": source, "target": target, "type": type_, **attrs, "provenance": provenance}


def _nodes() -> list[dict[str, Any]]:
    rows = [_node(CITY, "City", "苏州市", ARTICLE, name_en="Suzhou")]
    rows += [_node(i, "District", n, p, name_en=e, kind=k) for i, n, e, k, p in _DISTRICTS]
    rows += [
        _node(
            _street_id(slug),
            "Street",
            f"{name}街道",
            ARTICLE if slug in _ARTICLE_STREETS else PUBLIC,
            name_en=f"{slug.title()} Subdistrict",
            kind="街道",
        )
        for slug, name, _ in _STREETS
    ]
    rows += [
        _node(i, "Community", n, p, party_org_kind=k, service_fund_yuan=SERVICE_FUND_YUAN)
        for i, n, _, k, p, _ in _COMMUNITIES
    ]
    rows += [
        _node(i, "Unit", n, p, unit_type=t, level=lv)
        for i, n, t, lv, p in _UNITS + _COMMITTEE_UNITS
    ]
    rows += [_node(i, "ActionBranch", n, p, members=m) for i, n, m, _, p in _BRANCHES]
    rows += [_node(i, "Project", n, p, category=c, exemplary=e) for i, n, c, e, _, p in _PROJECTS]
    rows.append(_node(COMMITTEE, "Body", "城市基层党建工作专委会", ARTICLE))
    return rows


def _ties() -> list[dict[str, Any]]:
    in_article = {"district-gusu", "district-gaoxin", "district-wuzhong"}
    rows = [
        _tie(i, CITY, "PART_OF", ARTICLE if i in in_article else PUBLIC) for i, *_ in _DISTRICTS
    ]
    rows += [
        _tie(_street_id(s), d, "PART_OF", ARTICLE if s in _ARTICLE_STREETS else PUBLIC)
        for s, _, d in _STREETS
    ]
    rows += [_tie(i, _street_id(s), "PART_OF", tp) for i, _, s, _, _, tp in _COMMUNITIES]
    rows += [_tie(u, c, "PAIRED_WITH", p, since=d) for u, c, d, p in _PAIRINGS]
    rows += [_tie(b, u, "BRANCH_OF", p) for b, _, _, u, p in _BRANCHES]
    rows += [_tie(b, c, "EMBEDDED_IN", PUBLIC, since=d) for b, c, d in _EMBEDDINGS]
    rows += [_tie(r, i, "RUNS", p) for i, _, _, _, r, p in _PROJECTS]
    rows.append(_tie("unit-municipal-facilities", "project-daoqian-paving", "SUPPORTS", ARTICLE))
    rows += [_tie(u, COMMITTEE, "MEMBER_OF", ARTICLE) for u, *_ in _COMMITTEE_UNITS]
    return rows


#: The real node rows: ``id``, ``label``, ``name``, attributes and ``provenance``.
NODES: list[dict[str, Any]] = _nodes()
#: The real tie rows: ``source``, ``target``, ``type``, attributes and ``provenance``.
TIES: list[dict[str, Any]] = _ties()

#: The six urban districts (the sample's fill covers these; 常熟市 holds only its real rows).
URBAN_DISTRICTS: tuple[str, ...] = tuple(DISTRICT_COMMUNITIES)
