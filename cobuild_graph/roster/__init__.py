"""Import researchers' rosters (名册) into a co-building network: shapes, names, places, years.

A roster is a sheet of rows naming units, communities and streets (docs/roster-import.md). Each
sheet's header says its shape and the role of each column (:data:`ROLES`, :data:`SHAPES`;
``columns=`` wins); names are reconciled by :mod:`cobuild_graph.reconcile` (rules merge,
the rest are suggestions for the researcher); a places list is the authority for the
hierarchy; rosters of several years give ties ``since`` and ``until``.
"""

# Inside: _shapes (roles, aliases, shapes), _places (the hierarchy), _years (a roster's
# year, since / until), _import (read_roster: sheets into rows and ties). Files become cells
# in cobuild_graph._sheets.
from cobuild_graph._sheets import MAX_SHEET_CELLS
from cobuild_graph.roster._conflicts import CONFLICT_COLUMNS
from cobuild_graph.roster._import import (
    HEADER_SEARCH_ROWS,
    SHAPE_TIES,
    UNIT_SEPARATORS,
    RosterError,
    RosterImport,
    read_roster,
)
from cobuild_graph.roster._shapes import ROLES, SHAPES, Shape
from cobuild_graph.roster._years import year_in

__all__ = [
    "CONFLICT_COLUMNS",
    "HEADER_SEARCH_ROWS",
    "MAX_SHEET_CELLS",
    "ROLES",
    "SHAPES",
    "SHAPE_TIES",
    "UNIT_SEPARATORS",
    "RosterError",
    "RosterImport",
    "Shape",
    "read_roster",
    "year_in",
]
