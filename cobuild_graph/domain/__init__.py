"""The domain's own measures of a co-building network, as pandas DataFrames.

No general network tool has these: coverage of communities, balance of units over streets,
roll-ups along the four-level hierarchy (四级联动: city 市 → district 区 → street 街道 →
community 社区), how far ties reach across it, the sector mix of units, time slices and
growth, and funding. Every function takes a co-building graph as built by
:func:`~cobuild_graph.read_dataset` (a ``MultiDiGraph`` whose nodes carry ``label`` and
``name`` and whose ties carry ``type`` and optionally ``since`` / ``until``) and returns a
DataFrame with stable columns, indexed by node id where it is per node.

How nodes outside the hierarchy belong to a place
-------------------------------------------------
The hierarchy is the schema's (``City → District → Street → Community → Grid``, joined by
``PART_OF``). A node outside it (a unit, branch, project, position) belongs to the places
it is tied to directly: by the first of the schema's attachment ties it has
(:meth:`~cobuild_graph.schema.Schema.attachment_ties`: ``ASSIGNED_TO``, ``EMBEDDED_IN``,
``LOCATED_IN``, ``RUNS``, ``PAIRED_WITH``, then any other tie to a place) that leads to a
place at the level asked for. Among several such
places the most frequent ancestor wins, ties broken by the smallest id. A node with no tie
to a place takes the place of the nodes it is joined to by ties of role ``home`` (a unit whose
only ties are its action branches belongs where its branches are). See :func:`ancestors`.
"""

# Inside: _hierarchy (ancestors, roll-ups), _coverage, _balance (balance, Gini, inequality),
# _sector_mix, _cross_level (levels spanned, units' reach), _time (as_of, growth, diff),
# _funding, _with_names. cobuild_graph._net, shared with metrics, holds the graph as tables
# and the ties that place a node. The reference page (docs/reference/domain.md) sets the
# order in which the measures are shown.
from cobuild_graph.domain._balance import balance, gini, inequality
from cobuild_graph.domain._coverage import coverage, uncovered
from cobuild_graph.domain._cross_level import cross_level, cross_level_summary, unit_reach
from cobuild_graph.domain._funding import funding
from cobuild_graph.domain._hierarchy import ancestors, rollup
from cobuild_graph.domain._sector_mix import sector_mix
from cobuild_graph.domain._time import as_of, diff, growth
from cobuild_graph.domain._with_names import with_names

__all__ = [
    "ancestors",
    "as_of",
    "balance",
    "coverage",
    "cross_level",
    "cross_level_summary",
    "diff",
    "funding",
    "gini",
    "growth",
    "inequality",
    "rollup",
    "sector_mix",
    "uncovered",
    "unit_reach",
    "with_names",
]
