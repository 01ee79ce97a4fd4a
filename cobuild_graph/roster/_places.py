"""Places: the hierarchy (社区 → 街道 → 区) from a places list, or from the rosters' own
columns, and the problems of a community placed twice or missing from the list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cobuild_graph.errors import Problems


@dataclass
class Parent:
    """Where one place sits: its parent's id and the row that said so."""

    id: str
    name: str
    where: str  # file/sheet:row, as provenance names it
    at: tuple[str, int]  # (file as problems name it, row)


@dataclass
class Hierarchy:
    """Each place's parent (community → street, street → district), first said where."""

    authority: bool  # whether a places list gives it
    parents: dict[str, Parent] = field(default_factory=dict)

    def place(
        self,
        child: str,
        child_name: str,
        parent: Parent,
        problems: Problems,
        at: tuple[str, int, str | None],
        from_list: bool,
    ) -> None:
        """Record that `child` sits in `parent`; a second, different parent is a problem."""
        known = self.parents.get(child)
        if known is None:
            if from_list or not self.authority:
                self.parents[child] = parent
            return
        if known.id == parent.id:
            return
        file, row, column = at
        if from_list:
            message = (
                f"名单把“{child_name}”放在两个上级：{known.name}（{known.where}）"
                f"与 {parent.name} / "
                f"the places list puts {child_name} in two places: {known.name} "
                f"({known.where}) and {parent.name}; keep one"
            )
        elif self.authority:
            message = (
                f"名册写“{child_name}”属于 {parent.name}，社区名单写 {known.name}"
                f"（{known.where}） / "
                f"the roster puts {child_name} in {parent.name}, the places list in "
                f"{known.name} ({known.where}); correct the roster or the list"
            )
        else:
            message = (
                f"名册把“{child_name}”放在两个上级：{known.name}（{known.where}）"
                f"与 {parent.name} / "
                f"the rosters put {child_name} in two places: {known.name} ({known.where}) "
                f"and {parent.name}; correct one, or give a places list (--places)"
            )
        problems.add(file, row, column, parent.name, message)


def missing_place(kind: str, name: str) -> str:
    """The message for a place the places list lacks."""
    zh = {"Community": "社区", "Street": "街道", "District": "区"}.get(kind, kind)
    return (
        f"社区名单中没有这个{zh}“{name}” / the places list lacks this {kind.lower()}: add it "
        "to the list, or correct the name (the review workbook may list a likely match; "
        "decide it and run again with --aliases)"
    )


def record_at(record: dict[str, Any], role: str) -> tuple[str, int, str | None]:
    """(file as problems name it, row, column header) of a record's cell."""
    return record["_where"], record["_row"], record["_headers"].get(role, role)
