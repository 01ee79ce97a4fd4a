"""Colours, names and the Chinese font shared by the maps, the charts and the report.

Every label and tie type gets its colour from its place in the schema, so a label keeps
one colour across a map, a chart and a report, and a label added by a schema extension
gets one too. The charts draw their text in the shipped font (:data:`FONT_PATH`) and the
pages embed it cut to the characters they show.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cobuild_graph.schema import Schema

#: The shipped Chinese font (a subset of Noto Sans CJK SC, SIL Open Font License 1.1).
FONT_PATH = Path(str(resources.files("cobuild_graph") / "_static" / "fonts")) / (
    "CobuildSansSC-Regular.otf"
)
#: Its family name in matplotlib, once :func:`register_font` has run.
FONT_FAMILY = "Cobuild Sans SC"


@cache
def register_font() -> str:
    """Register the shipped font with matplotlib's font manager (once); its family name."""
    from matplotlib import font_manager  # the pages use the font without matplotlib

    font_manager.fontManager.addfont(str(FONT_PATH))
    return FONT_FAMILY


#: The languages of what a reader sees: Chinese, English, or Chinese with English beside it.
LANGUAGES: tuple[str, ...] = ("zh", "en", "both")

#: Categorical colours (Tableau 10, then the lighter Tableau 20 shades), in order of use.
PALETTE: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#a0cbe8",
    "#ffbe7d",
    "#ff9d9a",
    "#8cd17d",
    "#f1ce63",
    "#d4a6c8",
    "#fabfd2",
    "#d7b5a6",
    "#86bcb6",
    "#79706e",
)
#: Colours of the tie types: darker, so ties stay apart from the nodes they join.
TIE_PALETTE: tuple[str, ...] = (
    "#7f7f7f",
    "#1f77b4",
    "#d62728",
    "#9467bd",
    "#2ca02c",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
)
#: Colour of a node that has no value for the attribute it is coloured by.
MISSING = "#d9d9d9"
#: Font stack for Chinese text in HTML pages: the fonts that Windows, macOS and Linux have.
CJK_FONT_STACK = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", '
    '"PingFang SC", "Hiragino Sans GB", "WenQuanYi Micro Hei", system-ui, sans-serif'
)


def label_colors(schema: Schema) -> dict[str, str]:
    """Colour of each node label, by its order in the schema.

    Examples
    --------
    >>> from cobuild_graph.schema import DEFAULT_SCHEMA
    >>> label_colors(DEFAULT_SCHEMA)["City"]
    '#4e79a7'
    """
    return {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(schema.labels)}


def tie_colors(schema: Schema) -> dict[str, str]:
    """Colour of each tie type, by its order in the schema."""
    return {tie: TIE_PALETTE[i % len(TIE_PALETTE)] for i, tie in enumerate(schema.tie_types)}


def category_color(index: int) -> str:
    """The colour of the `index`-th category (a community, a unit type ...)."""
    return PALETTE[index % len(PALETTE)]


def check_language(language: str) -> str:
    """`language` if it is one of :data:`LANGUAGES`, else ValueError."""
    if language not in LANGUAGES:
        raise ValueError(
            f"language 须为 zh、en 或 both: language must be zh, en or both, not {language!r}"
        )
    return language


def bilingual(zh: str, en: str, language: str = "both") -> str:
    """`zh`, `en` or both (Chinese first), as `language` asks; one of them if they are alike.

    Examples
    --------
    >>> bilingual("覆盖率", "coverage"), bilingual("覆盖率", "coverage", "en")
    ('覆盖率 coverage', 'coverage')
    """
    check_language(language)
    if language == "zh" or not en or en == zh:
        return zh or en
    if language == "en" or not zh:
        return en
    return f"{zh} {en}"


def chinese_name(schema: Schema, name: str) -> str:
    """The first alias of a label or tie type of `schema` (its Chinese name), else `name`.

    Examples
    --------
    >>> from cobuild_graph.schema import DEFAULT_SCHEMA
    >>> chinese_name(DEFAULT_SCHEMA, "Street"), chinese_name(DEFAULT_SCHEMA, "PAIRED_WITH")
    ('街道', '结对')
    """
    spec = schema.labels.get(name) or schema.tie_types.get(name)
    return spec.aliases[0] if spec is not None and spec.aliases else name


def label_text(schema: Schema, label: str, language: str = "both") -> str:
    """A label as legends show it: its name and its first (Chinese) alias.

    Examples
    --------
    >>> from cobuild_graph.schema import DEFAULT_SCHEMA
    >>> label_text(DEFAULT_SCHEMA, "Street"), label_text(DEFAULT_SCHEMA, "Street", "zh")
    ('Street 街道', '街道')
    """
    return _name_text(schema, label, language)


def tie_text(schema: Schema, tie_type: str, language: str = "both") -> str:
    """A tie type as legends show it: its name and its first (Chinese) alias."""
    return _name_text(schema, tie_type, language)


def _name_text(schema: Schema, name: str, language: str) -> str:
    zh = chinese_name(schema, name)
    if check_language(language) == "both":
        return f"{name} {zh}" if zh != name else name
    return zh if language == "zh" else name


def value_text(
    schema: Schema, attribute: str, value: Any, *, label: str | None = None, language: str = "both"
) -> str:
    """A value of an attribute as a reader sees it, from the schema's value labels
    (:meth:`~cobuild_graph.schema.Schema.value_label`): ``机关 organ`` (the Chinese, then the
    value the data holds), ``机关`` or ``party/government organ``; a value without a label
    as it is.

    Examples
    --------
    >>> from cobuild_graph.schema import DEFAULT_SCHEMA
    >>> [value_text(DEFAULT_SCHEMA, "unit_type", "organ", language=x) for x in LANGUAGES]
    ['机关', 'party/government organ', '机关 organ']
    >>> value_text(DEFAULT_SCHEMA, "unit_type", "your own")
    'your own'
    """
    check_language(language)
    text = "" if value is None else str(value)
    found = schema.value_label(attribute, value, label=label)
    if found is None:
        return text
    zh, en = found
    if language == "both":
        return zh if zh == text else f"{zh} {text}"
    return zh if language == "zh" else en or text


#: Chinese names of the columns (and index names) of the analysis tables, for headers that
#: read ``度中心度 degree``: the Chinese first, the column's own name beside it.
COLUMN_NAMES: dict[str, str] = {
    # nodes and their places
    "id": "编号",
    "name": "名称",
    "label": "节点类型",
    "type": "关系类型",
    "provenance": "来源",
    "count": "数量",
    "all": "合计",
    "street": "街道",
    "street_name": "街道名称",
    "source": "起点",
    "source_name": "起点名称",
    "target": "终点",
    "target_name": "终点名称",
    # summary and centrality
    "measure": "指标",
    "value": "值",
    "description": "说明",
    "key": "项",
    "degree": "度中心度",
    "betweenness": "中介中心度",
    "closeness": "接近中心度",
    "eigenvector": "特征向量中心度",
    "pagerank": "PageRank 值",
    "core": "核心度",
    "effective_size": "有效规模",
    "efficiency": "效率",
    "constraint": "约束度",
    # communities, cliques, brokerage
    "community": "社群",
    "nodes": "节点数",
    "streets": "街道数",
    "main_street": "主要街道",
    "main_street_name": "主要街道名称",
    "main_street_share": "主要街道占比",
    "clique": "派系",
    "size": "规模",
    "members": "成员",
    "coordinator": "协调人",
    "consultant": "顾问",
    "gatekeeper": "守门人",
    "representative": "代表人",
    "liaison": "联络人",
    "total": "合计",
    "coordinator_z": "协调人 z 分数",
    "consultant_z": "顾问 z 分数",
    "gatekeeper_z": "守门人 z 分数",
    "representative_z": "代表人 z 分数",
    "liaison_z": "联络人 z 分数",
    "total_z": "合计 z 分数",
    "shared": "共享单位数",
    "collaboration": "合作强度",
    # robustness
    "branches": "行动支部数",
    "communities_reached": "联系社区数",
    "communities_uncovered": "失去覆盖的社区数",
    "uncovered": "失去覆盖的社区",
    "components_change": "连通分量变化",
    "largest_component_change": "最大连通分量变化",
    "path_length_change": "平均路径长度变化",
    # coverage and balance
    "kind": "类别",
    "communities": "社区数",
    "communities_covered": "覆盖社区数",
    "communities_total": "社区总数",
    "share": "比例",
    "unit_covered": "单位覆盖社区数",
    "branch_covered": "支部覆盖社区数",
    "project_covered": "项目覆盖社区数",
    "position_covered": "阵地覆盖社区数",
    "any_covered": "任一覆盖社区数",
    "unit_share": "单位覆盖率",
    "branch_share": "支部覆盖率",
    "project_share": "项目覆盖率",
    "position_share": "阵地覆盖率",
    "any_share": "任一覆盖率",
    "units": "单位数",
    "projects": "项目数",
    "positions": "阵地数",
    "units_ratio": "单位数与均值之比",
    "branches_ratio": "支部数与均值之比",
    "projects_ratio": "项目数与均值之比",
    "positions_ratio": "阵地数与均值之比",
    "units_flag": "单位数偏离",
    "branches_flag": "支部数偏离",
    "projects_flag": "项目数偏离",
    "positions_flag": "阵地数偏离",
    "places": "地方数",
    "mean": "均值",
    "min": "最小值",
    "max": "最大值",
    "zeros": "零值数",
    "gini": "基尼系数",
    "hhi": "赫芬达尔指数",
    "max_min_ratio": "最大最小比",
    "cv": "变异系数",
    "over": "偏多",
    "under": "偏少",
    # unit types: their own names are the schema's value labels (value_text)
    "unknown": "未知",
    "blau": "Blau 多样性",
    "shannon": "香农多样性",
    # hierarchy, reach, time, funding
    "source_level": "起点层级",
    "target_level": "终点层级",
    "span": "跨越层级",
    "ties": "关系数",
    "unit_level": "单位层级",
    "paired_with_community": "结对社区",
    "branch_in_community": "支部在社区",
    "community_direct": "直接联系社区",
    "street_only": "仅联系街道",
    "no_tie": "无关系",
    "community_direct_share": "直接联系社区占比",
    "period": "时期",
    "added": "新增",
    "ended": "终止",
    "active": "有效",
    "communities_funded": "有经费的社区数",
    "service_fund_yuan": "服务经费（元）",
    "projects_budgeted": "有预算的项目数",
    "budget_yuan": "预算（元）",
    "exemplary_projects": "示范项目数",
    # values not read from their own cell (schema.inferred_counts)
    "on": "节点或关系类型",
    "field": "字段",
    "how": "推定方式",
    # E-I index and its permutation test
    "statistic": "统计量",
    "observed": "观测值",
    "expected": "期望值",
    "sd": "置换标准差",
    "minimum": "置换最小值",
    "maximum": "置换最大值",
    "p_greater": "单侧 p（≥）",
    "p_less": "单侧 p（≤）",
}


def column_text(column: object, language: str = "both") -> str:
    """A column as headers show it: its Chinese name (:data:`COLUMN_NAMES`), then itself.

    Examples
    --------
    >>> column_text("degree"), column_text("degree", "zh"), column_text("degree", "en")
    ('度中心度 degree', '度中心度', 'degree')
    >>> column_text("a column of your own")
    'a column of your own'
    """
    text = str(column)
    return bilingual(COLUMN_NAMES.get(text, text), text, language)
