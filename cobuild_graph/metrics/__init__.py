"""General network measures as pandas DataFrames, equal to networkx's and fast on igraph.

Every function takes a graph first — any networkx graph where the measure is general, a
co-building graph where it is not (:func:`ego_network`, :func:`project`,
:func:`robustness`) — then keyword-only options, and returns a DataFrame with documented
columns, indexed by node id (in graph order) where it is per node.

How a co-building graph is measured
-----------------------------------
Co-building ties are measured as **undirected** by default: a unit ``PAIRED_WITH`` a
community and a community ``PART_OF`` its street are relations, not flows. Each measure
first collapses the graph once into a *simple* graph (:func:`simple_graph`): two nodes are
linked once however many ties join them and in whichever direction (with
``directed=True``, once per direction); self-ties are dropped. With ``weight=`` the link
carries the sum of its ties' weights (a tie without the attribute weighs 1). Weights are
tie *strengths*: eigenvector centrality and PageRank use them as they are, while the
path-based measures (betweenness, closeness) use ``1 / weight`` as the length of a link,
so that strong ties are short (Newman 2001, *Phys. Rev. E* 64, 016132; Opsahl, Agneessens
& Skvoretz 2010, *Social Networks* 32, 245).

The heavy measures (betweenness, closeness, PageRank, eigenvector, k-core, components,
Louvain / Leiden, constraint) run on igraph; the results equal networkx's, with
networkx's normalisation, and the tests compare them. Exact betweenness and closeness of an
undirected graph search breadth-first from every node but the leaves (one neighbour):
a leaf's paths are its neighbour's plus one link, so its share follows exactly (a quarter
of the searches of a co-building graph, whose "海棠花红" positions are leaves). Randomised
steps (Louvain, Leiden, sampled sources) take a ``seed`` and repeat exactly with it.
"""

# Inside: _simple (the simple graph, igraph run quiet or seeded), _centrality, _summary (the
# whole network, Freeman centralisation), _groups (communities, k-cores, cliques), _brokerage
# (structural holes, brokerage roles), _ego (ego networks and their measures), _two_mode
# (two-mode centrality), _ei (E-I index), _core_periphery (Borgatti–Everett), _blocks
# (structural equivalence, blockmodels), _robustness (a unit's withdrawal). The two-mode
# network and its projections (two_mode, project) are made by cobuild_graph.views, whose
# views the measures run on; they are names here too. The reference page
# (docs/reference/metrics.md) sets the order in which the measures are shown.
from cobuild_graph.metrics._blocks import blockmodel, equivalence_blocks, profile_distances
from cobuild_graph.metrics._brokerage import (
    BROKERAGE_ROLES,
    brokerage,
    carried_caveats,
    structural_holes,
)
from cobuild_graph.metrics._centrality import centrality
from cobuild_graph.metrics._core_periphery import core_periphery
from cobuild_graph.metrics._ego import ego_network, ego_table
from cobuild_graph.metrics._ei import EI_STATISTICS, ei_groups, ei_index, ei_nodes
from cobuild_graph.metrics._groups import cliques, communities, kcore
from cobuild_graph.metrics._robustness import robustness
from cobuild_graph.metrics._simple import Simple, node_index, simple_graph
from cobuild_graph.metrics._summary import freeman_centralization, summary
from cobuild_graph.metrics._two_mode import two_mode_centrality
from cobuild_graph.views import project, two_mode

__all__ = [
    "BROKERAGE_ROLES",
    "EI_STATISTICS",
    "Simple",
    "blockmodel",
    "brokerage",
    "carried_caveats",
    "centrality",
    "cliques",
    "communities",
    "core_periphery",
    "ego_network",
    "ego_table",
    "ei_groups",
    "ei_index",
    "ei_nodes",
    "equivalence_blocks",
    "freeman_centralization",
    "kcore",
    "node_index",
    "profile_distances",
    "project",
    "robustness",
    "simple_graph",
    "structural_holes",
    "summary",
    "two_mode",
    "two_mode_centrality",
]
