"""Tables as HTML a person reads: names before ids, headers in Chinese and English, every
cell escaped.

A table indexed by node id shows the node's name first and its id second; a column of ids
with a column of their names (``street`` and ``street_name``) shows the names first too.
Cells carry a class for the page's style sheet: ``name`` (the first column, which stays in
view when the table scrolls), ``id`` (never wrapped) and ``num`` (right-aligned).
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from cobuild_graph._style import column_text
from cobuild_graph.analysis import keeps_index

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


def table_html(table: pd.DataFrame, language: str = "both") -> Markup:
    """`table` (up to :data:`MAX_ROWS` rows) as an escaped HTML ``<table>``, its headers in
    `language` (:data:`cobuild_graph._style.LANGUAGES`)."""
    frame, ids = names_first(table.head(MAX_ROWS))
    classes = [
        "name" if i == 0 else "id" if column in ids else _kind(frame[column])
        for i, column in enumerate(frame.columns)
    ]
    head = "".join(
        f'<th class="{kind}">{escape(column_text(column, language))}</th>'
        for column, kind in zip(frame.columns, classes, strict=True)
    )
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="{kind}">{escape(_cell(value))}</td>'
            for value, kind in zip(values, classes, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return Markup(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


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
