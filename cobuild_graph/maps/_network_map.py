"""The map: :class:`NetworkMap`, a pyvis network that writes the package's own page, and
:func:`network_map`, which fills one from a co-building graph (nodes, ties, place filters,
vis-network options)."""

from __future__ import annotations

import html
import json
import logging
import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from markupsafe import Markup
from pyvis.network import Network

from cobuild_graph._files import write_text
from cobuild_graph._page import asset, font_face, json_for_script, render_page, vis_network_js
from cobuild_graph._style import CJK_FONT_STACK, MISSING, category_color, label_colors, label_text
from cobuild_graph.layout import geo_layout
from cobuild_graph.layout import layout as force_layout
from cobuild_graph.maps._appearance import (
    MAX_CATEGORIES,
    MAX_SIZE,
    MIN_SIZE,
    aliases_of,
    label_items,
    measure_columns,
    measure_table,
    node_colors,
    node_sizes,
    places_of,
    scale_ramp,
    tie_records,
    tooltip_text,
)
from cobuild_graph.maps._folding import (
    COLLAPSE,
    aggregate_graph,
    fold_tree,
    folded_into,
    place_table,
)
from cobuild_graph.metrics import ego_network
from cobuild_graph.schema import Schema, schema_of

logger = logging.getLogger(__name__)

#: Hierarchy levels the map offers as filters, from the top down.
FILTER_LEVELS: tuple[str, ...] = ("District", "Street")
#: Maps with up to this many ties draw arrows by default.
ARROWS_UP_TO = 5_000
#: Title of a map whose dataset has no name and that is not written to a file.
DEFAULT_HEADING = "共建网络 co-building network"
#: Font family of the Chinese font the page embeds (only the characters it shows).
FONT_FAMILY = "Cobuild Sans SC"
#: Layouts of :func:`network_map`.
LAYOUTS = ("force", "geo")

#: The tables of :func:`cobuild_graph.analysis.analyze`, by name.
Tables = Mapping[str, pd.DataFrame]
_FONT_STACK = f'"{FONT_FAMILY}", {CJK_FONT_STACK}'  # the embedded font first: same on every machine
_CSS_LENGTH = re.compile(r"^\d+(\.\d+)?(px|vh|vw|%|em|rem)$")


class NetworkMap(Network):
    """A pyvis network whose page is self-contained, offline and safe for user text.

    Everything pyvis offers on a :class:`~pyvis.network.Network` works (``nodes``,
    ``edges``, ``options``, ``write_html`` ...); the page is this module's own instead of
    pyvis' template, which loads Bootstrap from a CDN and switches to HTML popups when a
    tooltip contains "href". Shown inline in Jupyter (JupyterLab, classic Notebook,
    VS Code) through :meth:`_repr_html_`.

    Parameters
    ----------
    heading
        Title of the page, shown as text.
    height
        CSS height of the page, e.g. ``"100vh"`` or ``"640px"``.
    """

    def __init__(self, heading: str = "", height: str = "100vh") -> None:
        if not _CSS_LENGTH.match(height):
            raise ValueError(f"height must be a CSS length such as 640px or 100vh, not {height!r}")
        super().__init__(height=height, width="100%", directed=True, heading=heading)
        #: Legend, label list, tie styles, filters and the rest of the page's settings
        #: (see :func:`network_map`).
        self.page: dict[str, Any] = {
            "labels": [],
            "legend": {"kind": "label"},
            "ties": [],
            "filters": [],
            "expandable": False,
        }
        #: What the page offers to colour and size by, and the measures its side panel
        #: shows: one record per column, values in the order of :attr:`nodes`.
        self.columns: list[dict[str, Any]] = []

    def generate_html(
        self, name: str = "index.html", local: bool = True, notebook: bool = False
    ) -> str:
        """The whole page as one string of HTML (the arguments are pyvis' and ignored)."""
        self.html = self._page(self.heading or DEFAULT_HEADING)
        return self.html

    def write_html(
        self,
        name: str | Path,
        local: bool = True,
        notebook: bool = False,
        open_browser: bool = False,
    ) -> None:
        """Write the page to `name` as UTF-8 (the other arguments are pyvis' and ignored).

        A map without a heading takes the file's name as its title.
        """
        write_text(name, self._page(self.heading or Path(name).stem))
        logger.info("wrote the map %s", name)

    def _page(self, heading: str) -> str:
        options = (
            self.options if isinstance(self.options, dict) else json.loads(self.options.to_json())
        )
        payload = {"nodes": self.nodes, "edges": self.edges, "options": options, **self.page}
        data, columns = json_for_script(payload), json_for_script(self.columns)
        app_js = asset("map.js")
        text = "".join((heading, data, columns, asset("map.html"), app_js))
        return render_page(
            "map.html",
            heading=heading,
            data=payload,
            columns=Markup(columns),
            css=font_face(text, family=FONT_FAMILY) + _css(self.height),
            scripts={
                "vis_js": vis_network_js(),
                "draw_js": asset("map-draw.js"),
                "app_js": app_js,
            },
        )

    def _repr_html_(self) -> str:
        """The page in a sandboxed ``<iframe srcdoc>``, as Jupyter front ends show HTML."""
        height = self.height if self.height.endswith("px") else "640px"
        return (
            f'<iframe srcdoc="{html.escape(self.generate_html(), quote=True)}" '
            f'sandbox="allow-scripts" width="100%" height="{height}" '
            'style="border:1px solid #ddd" title="network map"></iframe>'
        )


def network_map(
    G: nx.MultiDiGraph,
    path: str | Path | None = None,
    *,
    color_by: str = "label",
    size_by: str | None = None,
    metrics: pd.DataFrame | None = None,
    tables: Tables | None = None,
    ego: Hashable | None = None,
    radius: int = 1,
    layout: str = "force",
    aggregate: str | None = None,
    expandable: bool = False,
    collapse: Sequence[str] | None = None,
    layout_seed: int = 0,
    physics: bool = False,
    stabilization_iterations: int = 150,
    arrows: bool | None = None,
    filter_levels: Sequence[str] | None = None,
    heading: str | None = None,
    height: str = "100vh",
    schema: Schema | None = None,
) -> NetworkMap:
    """An interactive map of a co-building graph, written as HTML only when given a path.

    Parameters
    ----------
    G
        A co-building graph (:func:`~cobuild_graph.read_dataset`).
    path
        Where to write the page (UTF-8); nothing is written when ``None``.
    color_by
        ``"label"`` (colours from the schema), a column of `metrics`, a node attribute, or
        ``"community"`` (Louvain communities detected with `layout_seed` when neither
        `metrics` nor the nodes have it). Numbers get a colour ramp; text, booleans and
        community ids get one colour per value.
    size_by
        A numeric column of `metrics`, a node attribute or ``"degree"``; ``None`` sizes
        nodes by their hierarchy level (and, in an aggregated map, by what they hold).
    metrics
        Measures indexed by node id (e.g. a table of :func:`cobuild_graph.analysis.analyze`); every
        column shows in the tooltips.
    tables
        The tables of :func:`cobuild_graph.analysis.analyze` (its dict of DataFrames): the
        columns of those indexed by node ``id`` (centrality, communities, k-core ...) show
        in the side panel when a node is clicked, and the page may colour and size by them;
        `color_by` and `size_by` may name them.
    ego
        Map only this node and the nodes within `radius` ties of it, either direction
        (:func:`cobuild_graph.metrics.ego_network`); the page opens with it selected.
    radius
        Number of ties out from `ego`.
    layout
        ``"force"``: seeded Fruchterman-Reingold (:func:`layout`); ``"geo"``: by the
        nodes' ``lat`` and ``lon`` (:func:`geo_layout`), nodes without them beside their
        place. Either way a node without ties sits beside its place.
    aggregate
        ``None`` for every node, or a hierarchy level (``"Community"``, ``"Street"``): the
        levels below it and the labels in `collapse` fold into their place at that level;
        a folded node's size tells how many nodes it holds.
    expandable
        With `aggregate`: the page holds every node and tie but starts folded to
        `aggregate`; double-clicking a folded node (thick border) unfolds it one step (a
        street into its communities, a community into its branches, positions and
        projects), double-clicking it again (dashed border) folds it back, and a button
        folds everything. Searching a folded node's name unfolds the way to it. Every node
        sits where the layout of the whole graph puts it, a folded node at the centre of
        what it holds, so the same seed gives the same map at every step.
    collapse
        Labels folded into their place when aggregating; :data:`COLLAPSE` when ``None``.
    layout_seed
        Seed of the layout (and of community detection): the same seed gives the same map.
    physics
        Let vis-network move the nodes for `stabilization_iterations` steps after the
        first draw, then stop. Off by default: the precomputed layout draws at once.
    stabilization_iterations
        Bound of the physics stabilisation.
    arrows
        Draw the direction of ties; ``None`` draws it up to :data:`ARROWS_UP_TO` ties
        in the page (all of them in an expandable map; arrows are a third of the first
        drawing of a big map; the legend still names each tie type, whose direction the
        schema fixes).
    filter_levels
        Hierarchy levels offered as filters, those the schema or the graph lacks skipped;
        when ``None``, those of :data:`FILTER_LEVELS` of which the graph has two places or
        more (a study in one district gets no district filter).
    heading
        Title of the page; by default the dataset's name (``G.graph["name"]``, which
        :func:`~cobuild_graph.read_dataset` takes from the metadata), else the name of the
        file written, else :data:`DEFAULT_HEADING`.
    height
        CSS height of the page.
    schema
        Labels, tie types and hierarchy: the legend, colours and filters come from it.

    Returns
    -------
    NetworkMap
        The pyvis network, ready to write or to show in Jupyter.

    Raises
    ------
    ValueError
        If `color_by`, `size_by` or `aggregate` names nothing the graph, `metrics` or
        `tables` has, `expandable` comes without `aggregate`, `ego` is not a node,
        `layout` is unknown, or a ``lat``/``lon`` is not a position.
    """
    schema = schema_of(G, schema)
    if expandable and aggregate is None:
        raise ValueError("expandable=True needs aggregate, the level to start at, e.g. 'Street'")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    collapse = COLLAPSE if collapse is None else collapse
    asked_levels = filter_levels is not None
    filter_levels = FILTER_LEVELS if filter_levels is None else filter_levels
    places = place_table(G, schema=schema)
    where = places_of(G, places, schema)
    if ego is not None:
        if ego not in G:
            raise ValueError(f"ego={ego!r} is not a node of the graph")
        keep = set(ego_network(G, ego, radius=radius, schema=schema)[0])
        # copied in the whole graph's order (a subgraph iterates a set, whose order
        # changes between processes): the same seed gives the same layout every time
        sub = nx.MultiDiGraph(**G.graph)
        sub.add_nodes_from((n, a) for n, a in G.nodes(data=True) if n in keep)
        sub.add_edges_from(
            (u, v, k, a) for u, v, k, a in G.edges(keys=True, data=True) if u in keep and v in keep
        )
        G = sub
        places = places.loc[list(G.nodes)]
    # by default a filter only where there is a choice: none for a level the study lacks
    # or has once (a roster's one district); a level asked for whenever the graph has it
    place_counts = Counter(attrs.get("label") for _, attrs in G.nodes(data=True))
    fewest = 1 if asked_levels else 2
    levels = [
        level
        for level in filter_levels
        if level in schema.hierarchy and place_counts[level] >= fewest
    ]
    measures = measure_table(tables, metrics)
    members: dict[Hashable, Counter[str]] = {}
    parents: dict[Hashable, Hashable] = {}
    H = G
    if aggregate is not None and expandable:
        parents = fold_tree(G, aggregate, collapse=collapse, places=places, schema=schema)
    elif aggregate is not None:
        H, members = aggregate_graph(G, aggregate, collapse=collapse, places=places, schema=schema)
    near = {  # each node's places, nearest first
        node: [p for p in reversed(row) if p is not None and p != node]
        for node, row in zip(places.index, places.itertuples(index=False), strict=True)
    }
    if layout == "geo":
        positions = geo_layout(H, near=near)
    else:
        positions = force_layout(H, seed=layout_seed, near=near)
    held = folded_into(parents)
    for holder, inside in held.items():
        members[holder] = Counter(G.nodes[node]["label"] for node in inside)
        centre = np.mean([positions[node] for node in (holder, *inside)], axis=0).round(1)
        positions[holder] = (float(centre[0]), float(centre[1]))
    colors, legend = node_colors(G, H, color_by, measures, layout_seed, schema)
    sizes = node_sizes(G, H, size_by, measures, members, schema)
    own_sizes = node_sizes(G, H, size_by, measures, {}, schema) if held else sizes
    filters, node_places = _filters(G, H, places[levels], schema)
    rows = metrics.to_dict("index") if metrics is not None else {}
    by_label = legend["kind"] == "label"
    if heading is None:
        heading = str(G.graph.get("name") or "")  # else the file's name (write_html)
    net = NetworkMap(heading=heading, height=height)
    depth = len(schema.hierarchy)
    for node, attrs in H.nodes(data=True):
        level = schema.level(attrs.get("label", ""))
        item: dict[str, Any] = {
            "id": node,
            "label": str(attrs.get("name", node)),
            "title": tooltip_text(node, attrs, where, rows.get(node), members.get(node), schema),
            **({"group": attrs.get("label")} if by_label else {"color": colors[node]}),
            "size": sizes[node],
            "x": positions[node][0],
            "y": positions[node][1],
            "cg_label": attrs.get("label"),
            "cg_level": depth if level is None else level,
            "cg_places": node_places[node],
        }
        if aliases := aliases_of(attrs):  # the search finds a node by any of its names
            item["cg_aliases"] = aliases
        if node in parents:
            item["cg_parent"] = parents[node]
        if node in held:  # how it looks unfolded; the map starts with the look above
            item["cg_open"] = {
                "size": own_sizes[node],
                "title": tooltip_text(node, attrs, where, rows.get(node), None, schema),
            }
        net.nodes.append(item)
    net.node_ids = [n["id"] for n in net.nodes]
    net.node_map = {n["id"]: n for n in net.nodes}
    net.edges, ties = tie_records(H, schema)
    if arrows is None:
        arrows = H.number_of_edges() <= ARROWS_UP_TO
    net.options = _options(physics, stabilization_iterations, layout_seed, H.number_of_nodes())
    net.options["edges"]["arrows"]["to"]["enabled"] = arrows
    if by_label:
        # one group per label: vis-network parses each colour once, not once per node
        net.options["groups"] = {label: {"color": c} for label, c in label_colors(schema).items()}
    days = [e[k] for e in net.edges for k in ("cg_since", "cg_until") if k in e]
    net.page = {
        "labels": label_items(H, schema, by_label=by_label),
        "legend": legend,
        "ties": ties,
        "filters": filters,
        "expandable": expandable,
        "ego": ego,
        "time": {
            "first": min(days),
            "last": max(days),
            "dates": len(days),
            "inferred": sum(len(e.get("cg_inferred", ())) for e in net.edges),
        }
        if days
        else None,
        "color_by": color_by,
        "size_by": size_by,
        "look": {
            "labels": label_colors(schema),
            "categories": [category_color(i) for i in range(MAX_CATEGORIES)],
            "missing": MISSING,
            "ramp": scale_ramp(9),
            "sizes": [MIN_SIZE, MAX_SIZE],
        },
    }
    net.columns = measure_columns(H, net.node_ids, measures, schema)
    if path is not None:
        net.write_html(path)
    return net


def _filters(
    G: nx.MultiDiGraph, H: nx.MultiDiGraph, places: pd.DataFrame, schema: Schema
) -> tuple[list[dict[str, Any]], dict[Hashable, list[int]]]:
    """The place filters of the page (one per column of `places`), and each node's place
    as an index into each filter's list (-1 for none)."""
    levels = list(places.columns)
    filters: list[dict[str, Any]] = []
    indexes: list[dict[Hashable, int]] = []
    for i, level in enumerate(levels):
        ids = [n for n, a in G.nodes(data=True) if a.get("label") == level]
        ids.sort(key=lambda n: str(G.nodes[n].get("name", n)))
        parent = places[levels[i - 1]] if i else None
        filters.append(
            {
                "level": level,
                "text": label_text(schema, level),
                "places": [
                    {
                        "name": str(G.nodes[n].get("name", n)),
                        "parent": -1 if parent is None else indexes[-1].get(parent[n], -1),
                    }
                    for n in ids
                ],
            }
        )
        indexes.append({n: j for j, n in enumerate(ids)})
    rows = zip(places.index, places.itertuples(index=False), strict=True)
    where = {node: [indexes[i].get(p, -1) for i, p in enumerate(row)] for node, row in rows}
    return filters, {node: where[node] for node in H.nodes}


def _css(height: str) -> str:
    return f":root {{ --cg-font: {_FONT_STACK}; --cg-height: {height}; }}\n" + asset("map.css")


def _options(physics: bool, iterations: int, seed: int, n_nodes: int) -> dict[str, Any]:
    return {
        "autoResize": True,
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 12, "face": _FONT_STACK},
        },
        "edges": {
            "smooth": False,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
            "width": 1,
            "selectionWidth": 2,
        },
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "stabilization": {"enabled": physics, "iterations": iterations, "fit": True},
        },
        "layout": {"improvedLayout": False, "randomSeed": seed},
        "interaction": {
            "hideEdgesOnDrag": True,
            "hideEdgesOnZoom": n_nodes > 2000,
            "tooltipDelay": 150,
            "hover": False,
        },
    }
