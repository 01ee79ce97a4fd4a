"""Column roles, their header aliases, and the roster shapes they make: one place, extendable."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Column roles and the headers rosters give them (docs/roster-import.md), Chinese and
#: English. Extend it with ``roles=`` (:func:`~cobuild_graph.roster.read_roster`) or map one
#: roster's headers with ``columns=``, which always wins.
ROLES: Mapping[str, tuple[str, ...]] = {
    "serial": ("序号", "编号", "no", "no.", "#"),
    "unit": (
        "单位名称",
        "单位",
        "共建单位",
        "报到单位",
        "结对单位",
        "单位全称",
        "共建单位名称",
        "unit",
        "unit name",
    ),
    "community": (
        "报到社区",
        "结对社区",
        "所在社区",
        "实施社区",
        "社区",
        "社区名称",
        "所属社区",
        "community",
    ),
    "street": ("所属街道", "街道", "所在街道", "街道名称", "报到街道", "结对街道", "street"),
    "district": ("区", "所属区", "区县", "所属区县", "区名称", "辖区", "district"),
    "place": ("所在社区/街道", "所在社区(街道)", "所在地", "位置", "所在位置", "place"),
    "category": ("单位类型", "单位性质", "单位类别", "category", "unit type"),
    "members": ("党员人数", "在职党员数", "党员数", "在职党员人数", "members"),
    "date": (
        "报到时间",
        "报到日期",
        "结对时间",
        "结对日期",
        "成立时间",
        "成立日期",
        "date",
        "since",
    ),
    "content": ("共建内容", "合作内容", "共建项目", "content"),
    "branch": ("支部名称", "行动支部", "行动支部名称", "branch"),
    "branch_units": ("组成单位", "组建单位", "branch units"),
    "project": ("项目名称", "项目", "服务项目", "project"),
    "supporting_units": ("支持单位", "参与单位", "共建支持单位", "supporting units"),
    "budget": ("经费(元)", "经费", "项目经费", "经费（元）", "预算", "budget", "budget_yuan"),
    "exemplary": ("是否示范项目", "是否示范", "示范项目", "exemplary"),
    "position": ("阵地名称", "阵地", "position"),
    "site_type": ("类型", "阵地类型", "site type", "site_type"),
    "respondent": ("填报单位", "respondent"),
    "partner": ("合作单位", "partner"),
}


@dataclass(frozen=True)
class Shape:
    """A kind of roster: the roles that identify it, and what one row of it is."""

    name: str
    title: str  # Chinese, then English
    required: tuple[str, ...]
    #: Roles of which at least one is required beside `required` (may be empty).
    any_of: tuple[str, ...] = ()
    #: Roles whose presence means another shape (a places list holds no units).
    excludes: tuple[str, ...] = ()


#: The roster shapes, tried in this order; the first whose roles a header holds is the
#: sheet's shape. ``survey`` is recognised to say that the schema has no tie for it.
SHAPES: tuple[Shape, ...] = (
    Shape("survey", "调查边表 survey edge list", ("respondent", "partner")),
    Shape("branches", "行动支部名册 action branches", ("branch",)),
    Shape("projects", "项目清单 service projects", ("project",)),
    Shape("positions", "阵地清单 positions", ("position",)),
    Shape(
        "pairings", "报到名册/结对共建 reporting and pairing", ("unit",), ("community", "street")
    ),
    Shape(
        "places",
        "社区名单 places",
        ("community", "street"),
        excludes=("unit", "branch", "project", "position"),
    ),
)

_FOLD = re.compile(r"[\s_\u3000]+")


def fold(text: str) -> str:
    """A header as compared: width, case, spaces and underscores do not matter.

    Examples
    --------
    >>> fold(" 经费（元） "), fold("Unit_Name")
    ('经费(元)', 'unitname')
    """
    return _FOLD.sub("", unicodedata.normalize("NFKC", str(text))).casefold()


def header_roles(
    columns: Mapping[str, str] | None = None, roles: Mapping[str, Iterable[str]] | None = None
) -> dict[str, str]:
    """Every header spelling (folded) and its role; `columns` (header → role) wins.

    Raises
    ------
    ValueError
        If `columns` names a role that is not known.
    """
    known = {role: (*ROLES.get(role, ()), *extra) for role, extra in (roles or {}).items()}
    table = {**ROLES, **known}
    lookup = {fold(spelling): role for role, spellings in table.items() for spelling in spellings}
    lookup.update({fold(role): role for role in table})
    wrong = sorted({r for r in (columns or {}).values() if r not in table and r != "ignore"})
    if wrong:
        raise ValueError(
            f"未知的列角色 / unknown column roles: {', '.join(wrong)}; "
            f"use one of {', '.join(table)} or ignore"
        )
    lookup.update({fold(header): role for header, role in (columns or {}).items()})
    return lookup


def match_header(
    cells: list[str], lookup: Mapping[str, str]
) -> tuple[Shape, dict[int, str]] | None:
    """The shape a header row makes and the role of each of its columns, or ``None``."""
    found: dict[int, str] = {}
    for position, cell in enumerate(cells):
        role = lookup.get(fold(cell)) if cell.strip() else None
        if role is not None and role != "ignore" and role not in found.values():
            found[position] = role
    have = set(found.values())
    for shape in SHAPES:
        if (
            all(r in have for r in shape.required)
            and (not shape.any_of or any(r in have for r in shape.any_of))
            and not any(r in have for r in shape.excludes)
        ):
            return shape, found
    return None
