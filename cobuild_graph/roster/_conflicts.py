"""Values that rows of one entity give differently: the researcher's choice, kept in the review.

A unit written 事业单位 in one row and 学校 in another, two 党员人数, two dates for one
pairing: the import cannot know which is right. Each such value is a *conflict*: every
value with the rows that give it, the one the import used (marked ``field:conflict`` in the
dataset) until the researcher picks one in the review workbook's conflicts sheet; a picked
value is used on every later run, unmarked, as it was read from a cell.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cobuild_graph._sheets import TRIM, read_sheets
from cobuild_graph.errors import Problems

#: Columns of :attr:`~cobuild_graph.roster.RosterImport.conflicts`: one row per value.
CONFLICT_COLUMNS: tuple[str, ...] = ("item", "name", "field", "value", "rows", "used", "chosen")
#: The review workbook's sheet of conflicts, and its columns (field, header).
CONFLICT_SHEET = "冲突 conflicts"
SHEET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("item", "对象 item"),
    ("name", "名称 name"),
    ("field", "字段 field"),
    ("value", "取值 value"),
    ("rows", "出现于 rows"),
    ("used", "本次采用 used"),
    ("chosen", "选择 choose"),
)
#: How a chosen value is marked in the sheet's last column (any non-blank text counts).
CHOSEN = "采用 use"
_USED = {True: "是 yes", False: "否 no", None: "本次无此冲突 not a conflict in this run"}
#: What the conflicts sheet asks of the researcher, Chinese first.
CONFLICT_HOW_TO = (
    "冲突：同一实体的不同行给出不同取值。在“选择”列为每组（对象+字段）标出一个取值（写“采用”），"
    "下次导入即采用它。",
    "Conflicts: rows of one entity give different values. Mark one value per item and field "
    "in the choose column (write 采用 use); the next import uses it.",
)


@dataclass
class Conflicts:
    """The researcher's choices read in, and the conflicts found in this run."""

    #: (item, field) → (value, where the choice was read)
    choices: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    used_choices: set[tuple[str, str]] = field(default_factory=set)

    def pick(
        self,
        item: str,
        name: str,
        field_: str,
        values: Mapping[str, Sequence[str]],
        default: str,
    ) -> tuple[str, bool]:
        """The value to use of several (value → rows), and whether the researcher chose it.

        Records one conflict row per value. `default` is used until a choice names one of
        the values.
        """
        chosen = self.choices.get((item, field_))
        decided = chosen is not None and chosen[0] in values
        used = chosen[0] if decided else default
        if decided:
            self.used_choices.add((item, field_))
        for value, where in values.items():
            self.rows.append(
                {
                    "item": item,
                    "name": name,
                    "field": field_,
                    "value": value,
                    "rows": shown_rows(where),
                    "used": value == used,
                    "chosen": decided and value == used,
                }
            )
        return used, decided

    def table(self) -> pd.DataFrame:
        """Every conflict of this run, then the choices that named no conflict of it."""
        rows = list(self.rows)
        for (item, field_), (value, _) in self.choices.items():
            if (item, field_) not in self.used_choices:
                rows.append(
                    {
                        "item": item,
                        "name": "",
                        "field": field_,
                        "value": value,
                        "rows": "",
                        "used": None,
                        "chosen": True,
                    }
                )
        return pd.DataFrame(rows, columns=list(CONFLICT_COLUMNS))


def shown_rows(where: Sequence[str], shown: int = 5) -> str:
    """The first `shown` places of a list, then how many more.

    Examples
    --------
    >>> shown_rows(["a:2", "a:3"]), shown_rows([f"a:{n}" for n in range(2, 9)], 2)
    ('a:2, a:3', 'a:2, a:3 … (+5)')
    """
    more = len(where) - shown
    return ", ".join(where[:shown]) + (f" … (+{more})" if more > 0 else "")


def conflict_rows(conflicts: pd.DataFrame) -> list[list[Any]]:
    """The conflicts sheet of the review workbook: a header, then one row per value."""
    rows: list[list[Any]] = [[header for _, header in SHEET_COLUMNS]]
    for record in conflicts.to_dict("records"):
        used = None if pd.isna(record["used"]) else bool(record["used"])
        rows.append(
            [
                record["item"],
                record["name"],
                record["field"],
                record["value"],
                record["rows"],
                _USED[used],
                CHOSEN if record["chosen"] else None,
            ]
        )
    return rows


def read_choices(
    decisions: pd.DataFrame | str | os.PathLike[str] | None, problems: Problems
) -> dict[tuple[str, str], tuple[str, str]]:
    """The values chosen in a review workbook's conflicts sheet: (item, field) → (value,
    where). Two values chosen for one item and field are a problem naming both rows."""
    if decisions is None or isinstance(decisions, pd.DataFrame):
        return {}
    path = Path(decisions)
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file():
        return {}
    sheets = read_sheets(path, problems)
    sheet = next((s for s in sheets if s.sheet == CONFLICT_SHEET), None)
    if sheet is None or not sheet.rows:
        return {}
    header = [h.strip(TRIM) for h in sheet.rows[0][1]]
    at = {}
    for name, written in SHEET_COLUMNS:
        if written not in header:
            problems.add(sheet.where, sheet.rows[0][0], written, None, "缺少列 / column missing")
            return {}
        at[name] = header.index(written)
    chosen: dict[tuple[str, str], tuple[str, str]] = {}
    for number, cells in sheet.rows[1:]:
        cell = {n: (cells[i].strip(TRIM) if i < len(cells) else "") for n, i in at.items()}
        if not cell["chosen"]:
            continue
        key = (cell["item"], cell["field"])
        where = f"{sheet.where}:{number}"
        if key in chosen and chosen[key][0] != cell["value"]:
            problems.add(
                sheet.where,
                number,
                dict(SHEET_COLUMNS)["chosen"],
                cell["value"],
                f"同一对象和字段选了两个取值 / two values chosen for {cell['item']} "
                f"{cell['field']}: {chosen[key][0]} ({chosen[key][1]}) and {cell['value']}; "
                "choose one",
            )
            continue
        chosen[key] = (cell["value"], where)
    return chosen
