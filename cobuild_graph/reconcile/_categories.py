"""Unit categories as rosters write them (单位类型 / 单位性质), onto the schema's ``unit_type``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import pandas as pd

from cobuild_graph.schema import DEFAULT_SCHEMA, Schema, schema_or_default

#: Roster values (docs/reconcile.md) and the ``unit_type`` each means. 两新组织 ("new economic and
#: social organisations") covers private firms and social organisations together; it maps to
#: ``private``, as the schema has always read it; a roster that tells them apart writes
#: 非公企业 or 社会组织.
CATEGORIES: Mapping[str, str] = {
    **dict.fromkeys(("党政机关", "机关", "机关单位", "行政机关", "政府机关"), "organ"),
    **dict.fromkeys(("事业单位",), "institution"),
    **dict.fromkeys(("国有企业", "国企", "央企", "市属国企", "区属国企"), "soe"),
    **dict.fromkeys(
        ("非公企业", "民营企业", "民企", "私营企业", "外资企业", "外企", "两新组织"), "private"
    ),
    **dict.fromkeys(("学校", "高校", "中小学", "高等院校"), "school"),
    **dict.fromkeys(("医院", "卫生院"), "hospital"),
    **dict.fromkeys(
        ("群团组织", "群团", "工会", "共青团", "妇联", "科协", "残联", "工商联", "侨联", "文联"),
        "mass",
    ),
    **dict.fromkeys(
        ("社会组织", "社团", "民办非企业单位", "民非", "基金会", "行业协会", "协会"), "social"
    ),
    **dict.fromkeys(("其他", "其它"), "other"),
}
_SPACES = re.compile(r"\s+")


def unit_category(text: str, *, extra: Mapping[str, str] | None = None) -> str | None:
    """The schema's ``unit_type`` for a category as a roster writes it, ``None`` if unknown.

    Width and spaces do not matter; the schema's own values (``soe``, ``mass`` ...) are
    accepted as they are.

    Parameters
    ----------
    text
        The roster's value, e.g. ``"国企"`` or ``"群团组织"``.
    extra
        More roster values and their ``unit_type``, beside :data:`CATEGORIES`.

    Examples
    --------
    >>> unit_category("国 企"), unit_category("群团组织"), unit_category("社会组织")
    ('soe', 'mass', 'social')
    >>> unit_category("合作社") is None
    True
    """
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", str(text)))
    known = {**CATEGORIES, **(extra or {})}
    if folded in known:
        return known[folded]
    choices = DEFAULT_SCHEMA.labels["Unit"].attributes["unit_type"].choices or ()
    return folded.casefold() if folded.casefold() in choices else None


def unit_categories(
    values: Iterable[str | None],
    *,
    extra: Mapping[str, str] | None = None,
    schema: Schema | None = None,
) -> pd.DataFrame:
    """Map every distinct category a roster writes; the unknown ones are kept and flagged.

    Parameters
    ----------
    values
        The roster's category column (blank cells are left out).
    extra
        More roster values and their ``unit_type``.
    schema
        Whose ``Unit.unit_type`` choices the values in `extra` must be among.

    Returns
    -------
    pandas.DataFrame
        One row per distinct value as written, indexed by it: ``unit_type`` (``None`` when
        unknown), ``known`` and ``count``. Unknown values are not refused: keep the text as
        written (e.g. in a ``category`` attribute) and report them.

    Raises
    ------
    ValueError
        If `extra` maps onto a value that is not one of the schema's ``unit_type`` choices.

    Examples
    --------
    >>> table = unit_categories(["国企", "合作社", "国企", None])
    >>> table["unit_type"].to_dict(), table["count"].to_dict()
    ({'国企': 'soe', '合作社': None}, {'国企': 2, '合作社': 1})
    """
    schema = schema_or_default(schema)
    choices = schema.labels["Unit"].attributes["unit_type"].choices or ()
    wrong = sorted({v for v in (extra or {}).values() if v not in choices})
    if wrong:
        raise ValueError(
            f"不是 unit_type 的取值 / not unit_type values: {', '.join(wrong)}; "
            f"use one of {', '.join(choices)}"
        )
    written = pd.Series([v for v in values if v is not None and str(v).strip()], dtype=object)
    counts = written.value_counts(sort=False)
    index = pd.Index(counts.index, name="written", dtype=object)
    types = [unit_category(v, extra=extra) for v in counts.index]
    return pd.DataFrame(
        {
            "unit_type": pd.Series(types, index=index, dtype=object),
            "known": [t is not None for t in types],
            "count": counts.to_numpy(),
        },
        index=index,
    )
