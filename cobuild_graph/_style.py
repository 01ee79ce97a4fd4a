"""Colours and names shared by the maps, the charts and the report.

Every label and tie type gets its colour from its place in the schema, so a label keeps
one colour across a map, a chart and a report, and a label added by a schema extension
gets one too.
"""

from __future__ import annotations

from cobuild_graph.schema import Schema

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


def label_text(schema: Schema, label: str) -> str:
    """A label as legends show it: its name and its first (Chinese) alias.

    Examples
    --------
    >>> from cobuild_graph.schema import DEFAULT_SCHEMA
    >>> label_text(DEFAULT_SCHEMA, "Street")
    'Street 街道'
    """
    spec = schema.labels.get(label)
    return f"{label} {spec.aliases[0]}" if spec is not None and spec.aliases else label


def tie_text(schema: Schema, tie_type: str) -> str:
    """A tie type as legends show it: its name and its first (Chinese) alias."""
    spec = schema.tie_types.get(tie_type)
    return f"{tie_type} {spec.aliases[0]}" if spec is not None and spec.aliases else tie_type
