"""Interactive network maps: pyvis / vis-network pages that work offline and show user text safely.

:func:`network_map` turns a co-building graph into a pyvis :class:`~pyvis.network.Network`
with a seeded layout computed in Python (igraph's Fruchterman-Reingold), so a map of
thousands of nodes draws at once with physics off. The page it writes holds everything it
needs: vis-network (the copy pyvis ships), a legend read from the schema, filters by label
and by place (district, street), search by name or any other spelling (``aliases``), and
plain-text tooltips. A big graph can
be folded to streets (:func:`aggregate_graph`), or held whole but start folded and unfold
on double-click (``expandable=True``, :func:`fold_tree`). The page names nodes by level
of detail, fits itself to the view, colours and sizes by any attribute or measure chosen on
it, exports PNG, plays the network through time where ties have dates (saying how many of
them are inferred, e.g. from a roster's year, and leaving those ties out on request), and
embeds the
Chinese font it needs; ``ego=`` maps an ego network, ``layout="geo"`` places nodes by
latitude and longitude (:func:`geo_layout`). Names and
attributes are user data: they reach the page only as JSON inside a non-executed
``<script type="application/json">`` and are put on screen with ``textContent``; a
Content-Security-Policy lets only the page's own two scripts run and forbids every network
request.

Examples
--------
>>> import cobuild_graph as cg
>>> G = cg.generate("tiny", seed=1)
>>> net = network_map(G, layout_seed=1)
>>> len(net.nodes) == G.number_of_nodes()
True
>>> street = network_map(G, aggregate="Street", layout_seed=1)
>>> len(street.nodes) < G.number_of_nodes()
True
>>> unfolding = network_map(G, aggregate="Street", expandable=True, layout_seed=1)
>>> len(unfolding.nodes) == G.number_of_nodes()
True
"""

# Inside: _network_map (the pyvis network and the function that fills it), _folding (places,
# aggregation and the fold tree), _appearance (colours, sizes, tooltips, tie records and
# legends). The positions come from cobuild_graph.layout, shared with the charts (its layout
# and geo_layout are names of the maps too); the page kit (templates, assets,
# Content-Security-Policy, JSON for a script, vis-network) is cobuild_graph._page, shared with
# the report and not re-exported. The reference page (docs/reference/maps.md) sets the order
# in which the names are shown: the settings, then the map, folding and layout.
from cobuild_graph.layout import geo_layout, layout
from cobuild_graph.maps._appearance import MAX_CATEGORIES, SCALE_COLORMAP
from cobuild_graph.maps._folding import COLLAPSE, aggregate_graph, fold_tree, place_table
from cobuild_graph.maps._network_map import (
    ARROWS_UP_TO,
    DEFAULT_HEADING,
    FILTER_LEVELS,
    LAYOUTS,
    NetworkMap,
    Tables,
    network_map,
)

__all__ = [
    "ARROWS_UP_TO",
    "COLLAPSE",
    "DEFAULT_HEADING",
    "FILTER_LEVELS",
    "LAYOUTS",
    "MAX_CATEGORIES",
    "SCALE_COLORMAP",
    "NetworkMap",
    "Tables",
    "aggregate_graph",
    "fold_tree",
    "geo_layout",
    "layout",
    "network_map",
    "place_table",
]
