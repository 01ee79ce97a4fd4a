"""Tables as HTML a person reads: names before ids, headers in Chinese and English, every
cell escaped.

A table indexed by node id shows the node's name first and its id second; a column of ids
with a column of their names (``street`` and ``street_name``) shows the names first too.
Cells carry a class for the page's style sheet: ``name`` (the first column, which stays in
view when the table scrolls), ``id`` (never wrapped) and ``num`` (right-aligned).

Categories are shown as the schema says (:func:`~cobuild_graph._style.value_text`): a
column of labels, tie types or values of an attribute with value labels (``unit_type``,
or ``unit_level`` for the ``level`` of ``Unit``) shows ``机关 organ`` where the table holds
``organ``, and a column named after such a value (the unit types of ``sector_mix``) is
headed so. The tables themselves keep the codes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from cobuild_graph._style import COLUMN_NAMES, column_text, label_text, tie_text, value_text
from cobuild_graph.analysis import keeps_index
from cobuild_graph.schema import Schema, schema_or_default

#: Rows of a table the page shows at most.
MAX_ROWS = 200


def names_first(table: pd.DataFrame) -> tuple[pd.DataFrame, set[Hashable]]:
    """`table` with its meaningful index as a column, each name before the id it names;
    and the columns that hold ids."""
    frame = table.reset_index() if keeps_index(table) else table.reset_index(drop=True)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    ids = {c for c in columns if f"{c}_name" in columns}
    if "name" in columns and keeps_index(table):
        ids.add(columns[0])  # the node id the index held
        ordered = ["name", columns[0]]
    else:
        ordered = []
    for column in columns:
        if column in ordered or column in {f"{i}_name" for i in ids}:
            continue
        if column in ids:
            ordered.append(f"{column}_name")
        ordered.append(column)
    return frame[ordered], ids


def table_html(
    table: pd.DataFrame, *, schema: Schema | None = None, language: str = "both"
) -> Markup:
    """`table` (up to :data:`MAX_ROWS` rows) as an escaped HTML ``<table>``, its categories
    and headers in `language` (``"zh"``, ``"en"``, ``"both"``) as `schema` shows them."""
    schema = schema_or_default(schema)
    frame, ids = names_first(table.head(MAX_ROWS))
    classes = [
        "name" if i == 0 else "id" if column in ids else _kind(frame[column])
        for i, column in enumerate(frame.columns)
    ]
    values_of = _value_attributes(schema)
    head = "".join(
        f'<th class="{kind}">{escape(_header(column, schema, values_of, language))}</th>'
        for column, kind in zip(frame.columns, classes, strict=True)
    )
    shows = [
        _category(column, schema, language) if kind in ("name", "text") else None
        for column, kind in zip(frame.columns, classes, strict=True)
    ]
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="{kind}">{escape(_cell(value) if show is None else show(value))}</td>'
            for value, kind, show in zip(values, classes, shows, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return Markup(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


#: Columns that hold node labels or tie types (with ``all`` for a total).
_NAME_COLUMNS = frozenset({"label", "type", "on", "source_level", "target_level"})


def _labelled(schema: Schema) -> list[tuple[str, Mapping[str, tuple[str, str]]]]:
    """Each attribute that has value labels, and its labels."""
    mappings = [schema.node_attributes, schema.tie_attributes]
    mappings += [spec.attributes for spec in (*schema.labels.values(), *schema.tie_types.values())]
    return [(a, spec.value_labels) for m in mappings for a, spec in m.items() if spec.value_labels]


def _value_attributes(schema: Schema) -> dict[str, str]:
    """Each value that has a value label, and the (first) attribute it is a value of."""
    found: dict[str, str] = {}
    for attribute, labels in _labelled(schema):
        for value in labels:
            found.setdefault(value, attribute)
    return found


def _header(column: str, schema: Schema, values_of: dict[str, str], language: str) -> str:
    if column not in COLUMN_NAMES and column in values_of:
        return value_text(schema, values_of[column], column, language=language)
    return column_text(column, language)


def _category(column: str, schema: Schema, language: str) -> Callable[[Any], str] | None:
    """How the cells of `column` are shown, if it holds categories: labels, tie types, or
    values of an attribute with value labels (``unit_type``; ``unit_level``: the ``level``
    of ``Unit``)."""
    if column in _NAME_COLUMNS:

        def name(value: Any) -> str:
            if value in schema.labels:
                return label_text(schema, value, language)
            if value in schema.tie_types:
                return tie_text(schema, value, language)
            return column_text(_cell(value), language)

        return name
    owner, _, attribute = column.partition("_")
    label = next((lb for lb in schema.labels if lb.lower() == owner), None)
    if label is None or schema.node_attribute(label, attribute) is None:
        label, attribute = None, column
    if attribute not in {a for a, _ in _labelled(schema)}:
        return None
    return lambda value: value_text(schema, attribute, _cell(value), label=label, language=language)


def _kind(values: pd.Series) -> str:
    return "num" if pd.api.types.is_numeric_dtype(values) else "text"


def _cell(value: object) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(map(str, value))
    if pd.isna(value):  # type: ignore[arg-type]  # a scalar here
        return ""
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, int | np.integer):
        return f"{value:,}"
    if isinstance(value, float | np.floating):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1e4 else f"{value:.4g}"
    return str(value)
