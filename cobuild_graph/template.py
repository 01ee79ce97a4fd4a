"""An Excel template for researchers starting their own dataset, written from the schema."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cobuild_graph._files import append_row, save_workbook
from cobuild_graph.schema import (
    KEY_COLUMN_ALIASES,
    NODE_KEY_COLUMNS,
    TIE_KEY_COLUMNS,
    AttributeSpec,
    Schema,
    schema_or_default,
)

__all__ = [
    "write_template",
]

# Real rows of the Suzhou article, so the template reads as a valid dataset.
_EXAMPLE_NODES = [
    {"id": "city-suzhou", "label": "City", "name": "苏州市", "provenance": "public-record"},
    {
        "id": "district-gusu",
        "label": "District",
        "name": "姑苏区",
        "kind": "区",
        "provenance": "public-record",
    },
    {
        "id": "street-canglang",
        "label": "Street",
        "name": "沧浪街道",
        "kind": "街道",
        "provenance": "public-record",
    },
    {
        "id": "community-daoqian",
        "label": "Community",
        "name": "道前社区",
        "service_fund_yuan": 200000,
        "provenance": "article",
    },
    {
        "id": "unit-szsz",
        "label": "Unit",
        "name": "苏州市市政设施管理处",
        "unit_type": "institution",
        "level": "city",
        "provenance": "article",
    },
]
_EXAMPLE_TIES = [
    {
        "source": "district-gusu",
        "target": "city-suzhou",
        "type": "PART_OF",
        "provenance": "public-record",
    },
    {
        "source": "street-canglang",
        "target": "district-gusu",
        "type": "PART_OF",
        "provenance": "public-record",
    },
    {
        "source": "community-daoqian",
        "target": "street-canglang",
        "type": "PART_OF",
        "provenance": "article",
    },
    {
        "source": "unit-szsz",
        "target": "community-daoqian",
        "type": "PAIRED_WITH",
        "provenance": "article",
    },
]
_KEY_NOTES = {
    "id": "unique id of the node, kept as text (007 stays 007)",
    "label": "node label (the labels sheet lists them; Chinese names such as 社区 work too)",
    "name": "name as given, in Chinese",
    "source": "id of the node the tie starts from",
    "target": "id of the node the tie points to",
    "type": "tie type (the tie_types sheet lists them; 结对共建 and other aliases work too)",
}
_BOLD = Font(bold=True)


def write_template(path: str | os.PathLike[str], *, schema: Schema | None = None) -> Path:
    """Write an ``.xlsx`` template: the nodes and ties sheets, metadata, and notes.

    The ``nodes`` and ``ties`` sheets carry every column the schema knows, a note on each
    header, drop-down lists for labels and tie types, and a few real example rows; the
    ``columns``, ``labels`` and ``tie_types`` sheets explain the schema.

    Parameters
    ----------
    path
        Where to write the workbook.
    schema
        The schema to describe; extend it first to get a template for your own node kinds.

    Returns
    -------
    pathlib.Path
        `path`.
    """
    schema = schema_or_default(schema)
    path = Path(path)
    book = openpyxl.Workbook()
    book.remove(book.active)
    node_columns = _columns(
        NODE_KEY_COLUMNS, schema.node_attributes, [s.attributes for s in schema.labels.values()]
    )
    tie_columns = _columns(
        TIE_KEY_COLUMNS, schema.tie_attributes, [s.attributes for s in schema.tie_types.values()]
    )
    _data_sheet(book, "nodes", node_columns, _EXAMPLE_NODES, "label", sorted(schema.labels))
    _data_sheet(book, "ties", tie_columns, _EXAMPLE_TIES, "type", sorted(schema.tie_types))

    meta = book.create_sheet("metadata")
    _fill(
        meta,
        [
            ["key", "value"],
            ["name", "我的共建网络"],
            ["place", ""],
            ["date", ""],
            ["licence", ""],
            ["description", ""],
        ],
    )
    meta["A1"].font = meta["B1"].font = _BOLD

    column_rows: list[list[object]] = [
        [
            "table",
            "column",
            "applies to",
            "type",
            "allowed values",
            "other headers accepted",
            "meaning",
        ]
    ]
    for table, keys, common, owner_specs in (
        (
            "nodes",
            NODE_KEY_COLUMNS,
            schema.node_attributes,
            {n: s.attributes for n, s in schema.labels.items()},
        ),
        (
            "ties",
            TIE_KEY_COLUMNS,
            schema.tie_attributes,
            {n: s.attributes for n, s in schema.tie_types.items()},
        ),
    ):
        for key in keys:
            column_rows.append(
                [
                    table,
                    key,
                    "all (required)",
                    "str",
                    "",
                    ", ".join(KEY_COLUMN_ALIASES[key]),
                    _KEY_NOTES[key],
                ]
            )
        for name, spec in common.items():
            column_rows.append(_column_row(table, name, "all", spec))
        for owner, specs in owner_specs.items():
            for name, spec in specs.items():
                column_rows.append(_column_row(table, name, owner, spec))

    columns = _fill(book.create_sheet("columns"), column_rows)
    labels = _fill(
        book.create_sheet("labels"),
        [
            ["label", "other spellings accepted", "meaning", "hierarchy level"],
            *(
                [name, ", ".join(spec.aliases), spec.description, _blank(schema.level(name))]
                for name, spec in schema.labels.items()
            ),
        ],
    )
    ties = _fill(
        book.create_sheet("tie_types"),
        [
            ["type", "other spellings accepted", "meaning", "from → to"],
            *(
                [
                    name,
                    ", ".join(spec.aliases),
                    spec.description,
                    "; ".join(f"{s} → {t}" for s, t in sorted(spec.endpoints)),
                ]
                for name, spec in schema.tie_types.items()
            ),
        ],
    )
    for sheet in (columns, labels, ties):
        for cell in sheet[1]:
            cell.font = _BOLD
        sheet.freeze_panes = "A2"
    save_workbook(book, path)
    return path


def _blank(value: object) -> object:
    return "" if value is None else value


def _fill(sheet: Worksheet, rows: Iterable[Iterable[object]]) -> Worksheet:
    """Write `rows` from the sheet's first row, every string as text."""
    for row, values in enumerate(rows, start=1):
        append_row(sheet, values, row=row)
    return sheet


def _columns(
    keys: tuple[str, ...],
    common: Mapping[str, AttributeSpec],
    specific: list[Mapping[str, AttributeSpec]],
) -> list[tuple[str, AttributeSpec | None]]:
    columns: dict[str, AttributeSpec | None] = dict.fromkeys(keys)
    for mapping in (common, *specific):
        for name, spec in mapping.items():
            columns.setdefault(name, spec)
    return list(columns.items())


def _column_row(table: str, name: str, owner: str, spec: AttributeSpec) -> list[str]:
    return [
        table,
        name,
        owner,
        spec.type,
        ", ".join(spec.choices or ()),
        ", ".join(spec.aliases),
        spec.description,
    ]


def _data_sheet(
    book: openpyxl.Workbook,
    title: str,
    columns: list[tuple[str, AttributeSpec | None]],
    examples: list[dict[str, object]],
    listed: str,
    choices: list[str],
) -> None:
    names = [name for name, _ in columns]
    sheet = _fill(
        book.create_sheet(title),
        [names, *([example.get(name) for name in names] for example in examples)],
    )
    for cell, (name, spec) in zip(sheet[1], columns, strict=True):
        cell.font = _BOLD
        note = _KEY_NOTES.get(name) or (spec.description if spec else "")
        if spec is not None:
            note = f"{spec.type}: {note}" + (
                f" ({', '.join(spec.choices)})" if spec.choices else ""
            )
        cell.comment = Comment(note, "cobuild_graph")
    column_letter = sheet.cell(1, names.index(listed) + 1).column_letter
    drop_down = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=False,
    )
    drop_down.add(f"{column_letter}2:{column_letter}5000")
    sheet.add_data_validation(drop_down)
    sheet.freeze_panes = "A2"
