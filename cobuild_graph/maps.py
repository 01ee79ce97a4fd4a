"""Interactive network maps: pyvis / vis-network pages that work offline and show user text safely.

:func:`network_map` turns a co-building graph into a pyvis :class:`~pyvis.network.Network`
with a seeded layout computed in Python (igraph's Fruchterman-Reingold), so a map of
thousands of nodes draws at once with physics off. The page it writes holds everything it
needs: vis-network (the copy pyvis ships), a legend read from the schema, filters by label
and by place (district, street), search by name, and plain-text tooltips. A big graph can
be folded to streets (:func:`aggregate_graph`), or held whole but start folded and unfold
on double-click (``expandable=True``, :func:`fold_tree`). Names and
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

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import math
import random
import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import igraph
import jinja2
import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from cobuild_graph import domain
from cobuild_graph._memo import shared
from cobuild_graph._style import (
    CJK_FONT_STACK,
    MISSING,
    category_color,
    label_colors,
    label_text,
    tie_colors,
    tie_text,
)
from cobuild_graph.metrics import communities as detect_communities
from cobuild_graph.schema import DEFAULT_SCHEMA, Schema

logger = logging.getLogger(__name__)

#: Labels that an aggregated map folds into their place, beside the hierarchy levels below
#: it: action branches, positions and projects go into their community or street; units and
#: committees stay, since their ties across places are what a co-building map shows.
COLLAPSE: tuple[str, ...] = ("ActionBranch", "Position", "Project")
#: Hierarchy levels the map offers as filters, from the top down.
FILTER_LEVELS: tuple[str, ...] = ("District", "Street")
#: Colour ramp of maps coloured by a number (matplotlib's viridis).
SCALE_COLORMAP = "viridis"
#: Maps with up to this many ties draw arrows by default.
ARROWS_UP_TO = 5_000
#: At most this many categories get a colour of their own; the rest share the last one.
MAX_CATEGORIES = 12

_MIN_SIZE, _MAX_SIZE = 6.0, 40.0
_EDGE_LENGTH = 60.0  # least median tie length of the precomputed layout, in pixels
_SPACING = 40.0  # least room per node of the precomputed layout, in pixels
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
        #: Legend, label list, tie styles and filters of the page (see :func:`network_map`).
        self.page: dict[str, Any] = {
            "labels": [],
            "legend": {"kind": "label"},
            "ties": [],
            "filters": [],
            "expandable": False,
        }

    def generate_html(
        self, name: str = "index.html", local: bool = True, notebook: bool = False
    ) -> str:
        """The whole page as one string of HTML (the arguments are pyvis' and ignored)."""
        options = (
            self.options if isinstance(self.options, dict) else json.loads(self.options.to_json())
        )
        payload = {"nodes": self.nodes, "edges": self.edges, "options": options, **self.page}
        self.html = render_page(
            "map.html",
            heading=self.heading,
            data=payload,
            css=_css(self.height),
            scripts={"vis_js": vis_network_js(), "app_js": _asset("map.js")},
        )
        return self.html

    def write_html(
        self,
        name: str | Path,
        local: bool = True,
        notebook: bool = False,
        open_browser: bool = False,
    ) -> None:
        """Write the page to `name` as UTF-8 (the other arguments are pyvis' and ignored)."""
        Path(name).write_text(self.generate_html(), encoding="utf-8")
        logger.info("wrote the map %s", name)

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
    aggregate: str | None = None,
    expandable: bool = False,
    collapse: Sequence[str] = COLLAPSE,
    layout_seed: int = 0,
    physics: bool = False,
    stabilization_iterations: int = 150,
    arrows: bool | None = None,
    filter_levels: Sequence[str] = FILTER_LEVELS,
    heading: str | None = None,
    height: str = "100vh",
    schema: Schema = DEFAULT_SCHEMA,
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
        Labels folded into their place when aggregating.
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
        Hierarchy levels offered as filters (those missing from the schema are skipped).
    heading
        Title of the page; the dataset's name (``G.graph["name"]``) by default.
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
        If `color_by`, `size_by` or `aggregate` names nothing the graph or `metrics` has,
        or `expandable` comes without `aggregate`.
    """
    if expandable and aggregate is None:
        raise ValueError("expandable=True needs aggregate, the level to start at, e.g. 'Street'")
    levels = [level for level in filter_levels if level in schema.hierarchy]
    places = place_table(G, schema=schema)
    members: dict[Hashable, Counter[str]] = {}
    parents: dict[Hashable, Hashable] = {}
    H = G
    if aggregate is not None and expandable:
        parents = fold_tree(G, aggregate, collapse=collapse, places=places, schema=schema)
    elif aggregate is not None:
        H, members = aggregate_graph(G, aggregate, collapse=collapse, places=places, schema=schema)
    positions = layout(H, seed=layout_seed)
    held = _held(parents)
    for holder, inside in held.items():
        members[holder] = Counter(G.nodes[node]["label"] for node in inside)
        centre = np.mean([positions[node] for node in (holder, *inside)], axis=0).round(1)
        positions[holder] = (float(centre[0]), float(centre[1]))
    colors, legend = _colors(G, H, color_by, metrics, layout_seed, schema)
    sizes = _sizes(G, H, size_by, metrics, members, schema)
    own_sizes = _sizes(G, H, size_by, metrics, {}, schema) if held else sizes
    filters, node_places = _filters(G, H, places[levels], schema)
    where = _where(G, places, schema)
    rows = metrics.to_dict("index") if metrics is not None else {}
    by_label = legend["kind"] == "label"
    net = NetworkMap(
        heading=str(G.graph.get("name", "")) if heading is None else heading, height=height
    )
    for node, attrs in H.nodes(data=True):
        item: dict[str, Any] = {
            "id": node,
            "label": str(attrs.get("name", node)),
            "title": _tooltip(node, attrs, where, rows.get(node), members.get(node), schema),
            **({"group": attrs.get("label")} if by_label else {"color": colors[node]}),
            "size": sizes[node],
            "x": positions[node][0],
            "y": positions[node][1],
            "cg_label": attrs.get("label"),
            "cg_places": node_places[node],
        }
        if node in parents:
            item["cg_parent"] = parents[node]
        if node in held:  # how it looks unfolded; the map starts with the look above
            item["cg_open"] = {
                "size": own_sizes[node],
                "title": _tooltip(node, attrs, where, rows.get(node), None, schema),
            }
        net.nodes.append(item)
    net.node_ids = [n["id"] for n in net.nodes]
    net.node_map = {n["id"]: n for n in net.nodes}
    net.edges, ties = _edges(H, schema, typed=expandable)
    if arrows is None:
        arrows = H.number_of_edges() <= ARROWS_UP_TO
    net.options = _options(physics, stabilization_iterations, layout_seed, H.number_of_nodes())
    net.options["edges"]["arrows"]["to"]["enabled"] = arrows
    if by_label:
        # one group per label: vis-network parses each colour once, not once per node
        net.options["groups"] = {label: {"color": c} for label, c in label_colors(schema).items()}
    net.page = {
        "labels": _label_items(H, schema, by_label=by_label),
        "legend": legend,
        "ties": ties,
        "filters": filters,
        "expandable": expandable,
    }
    if path is not None:
        net.write_html(path)
    return net


# -- places, aggregation and layout -------------------------------------------------------


def place_table(G: nx.MultiDiGraph, *, schema: Schema = DEFAULT_SCHEMA) -> pd.DataFrame:
    """The place of every node at each hierarchy level (:func:`cobuild_graph.domain.ancestors`).

    Parameters
    ----------
    G
        A co-building graph.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id, one column per hierarchy level holding the id of the node's
        place there, or ``None``.
    """
    with shared():
        table = pd.concat(
            [domain.ancestors(G, level, schema=schema) for level in schema.hierarchy], axis=1
        ).astype(object)
    return table.where(table.notna(), None)


def aggregate_graph(
    G: nx.MultiDiGraph,
    level: str,
    *,
    collapse: Sequence[str] = COLLAPSE,
    places: pd.DataFrame | None = None,
    schema: Schema = DEFAULT_SCHEMA,
) -> tuple[nx.MultiDiGraph, dict[Hashable, Counter[str]]]:
    """Fold the hierarchy below `level`, and the labels in `collapse`, into their places.

    Parameters
    ----------
    G
        A co-building graph.
    level
        A hierarchy level, e.g. ``"Street"``: communities, grids and (by default) action
        branches fold into their street.
    collapse
        Labels outside the hierarchy that fold too.
    places
        :func:`place_table` of `G`, when already computed.
    schema
        Gives the hierarchy.

    Returns
    -------
    tuple
        The folded graph (one tie per source, target and type, with ``count``), and for
        each node that holds others the number it holds per label.

    Examples
    --------
    >>> import cobuild_graph as cg
    >>> H, members = aggregate_graph(cg.generate("tiny", seed=1), "Street")
    >>> sorted({H.nodes[n]["label"] for n in H})
    ['Body', 'City', 'District', 'Street', 'Unit']
    """
    parents = fold_tree(G, level, collapse=collapse, places=places, schema=schema)
    group = {node: node for node in G}
    members: dict[Hashable, Counter[str]] = {}
    for top, inside in _held(parents).items():
        if top not in parents:
            group.update(dict.fromkeys(inside, top))
            members[top] = Counter(G.nodes[node]["label"] for node in inside)
    H = nx.MultiDiGraph(**G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in dict.fromkeys(group.values()))
    counts = Counter(
        (group[u], group[v], key) for u, v, key in G.edges(keys=True) if group[u] != group[v]
    )
    for (u, v, key), count in counts.items():
        H.add_edge(u, v, key=key, type=key, count=count)
    return H, members


def fold_tree(
    G: nx.MultiDiGraph,
    level: str,
    *,
    collapse: Sequence[str] = COLLAPSE,
    places: pd.DataFrame | None = None,
    schema: Schema = DEFAULT_SCHEMA,
) -> dict[Hashable, Hashable]:
    """Where each node folds when the map is folded to `level`, one step at a time.

    A node folds when its label is below `level` in the hierarchy or in `collapse` and it
    has a place at `level` or above. It folds into its nearest place that folds into the
    same place at the top: a branch into its community, the community into its street.
    :func:`aggregate_graph` folds every such chain into its top; an expandable map
    (:func:`network_map`) unfolds it one step per double-click.

    Parameters
    ----------
    G
        A co-building graph.
    level
        A hierarchy level, e.g. ``"Street"``.
    collapse
        Labels outside the hierarchy that fold too.
    places
        :func:`place_table` of `G`, when already computed.
    schema
        Gives the hierarchy.

    Returns
    -------
    dict
        Each node that folds, to the node it folds into.

    Raises
    ------
    ValueError
        If `level` is not a hierarchy level.

    Examples
    --------
    >>> import cobuild_graph as cg
    >>> G = cg.generate("tiny", seed=1)
    >>> parents = fold_tree(G, "Street")
    >>> branch = next(n for n in parents if G.nodes[n]["label"] == "ActionBranch")
    >>> [G.nodes[p]["label"] for p in (parents[branch], parents[parents[branch]])]
    ['Community', 'Street']
    """
    depth = schema.level(level)
    if depth is None:
        raise ValueError(
            f"aggregate must be a hierarchy level ({', '.join(schema.hierarchy)}), not {level!r}"
        )
    if places is None:
        places = place_table(G, schema=schema)
    upward = list(reversed(schema.hierarchy[: depth + 1]))
    folded = set(collapse) | set(schema.hierarchy[depth + 1 :])
    top: dict[Hashable, Hashable] = {}
    for node, row in zip(places.index, places[upward].itertuples(index=False), strict=True):
        if G.nodes[node].get("label") in folded:
            target = next((p for p in row if p is not None), node)
            if target != node:
                top[node] = target
    # the deepest place on the way to the top; places only name shallower levels, so no cycle
    return {
        node: next(
            p for p in reversed(row) if p is not None and p != node and top.get(p, p) == top[node]
        )
        for node, row in zip(places.index, places.itertuples(index=False), strict=True)
        if node in top
    }


def _held(parents: Mapping[Hashable, Hashable]) -> dict[Hashable, list[Hashable]]:
    """Each node that others fold into, and every node folded into it at any depth."""
    held: dict[Hashable, list[Hashable]] = {}
    for node in parents:
        up = parents.get(node)
        while up is not None:
            held.setdefault(up, []).append(node)
            up = parents.get(up)
    return held


def layout(G: nx.Graph, *, seed: int = 0) -> dict[Hashable, tuple[float, float]]:
    """Seeded Fruchterman-Reingold positions in screen pixels (igraph).

    Parameters
    ----------
    G
        Any networkx graph; directions and parallel ties are ignored.
    seed
        The same seed gives the same positions.

    Returns
    -------
    dict
        Node to ``(x, y)``, scaled so that the median tie is about 60 pixels long.
    """
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({tuple(sorted((index[u], index[v]))) for u, v in G.edges() if u != v})
    graph = igraph.Graph(n=len(nodes), edges=pairs)
    coords = np.zeros((len(nodes), 2))
    parts = sorted(graph.connected_components(), key=lambda c: (-len(c), c[0]))
    igraph.set_random_number_generator(random.Random(seed))
    try:
        boxes = [_component_layout(graph.subgraph(part)) for part in parts]
    finally:
        igraph.set_random_number_generator(random)
    for part, placed in zip(parts, _pack(boxes), strict=True):
        coords[part] = placed
    coords = np.round(coords - coords.mean(axis=0), 1) if len(nodes) else coords
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, coords, strict=True)}


def _component_layout(part: igraph.Graph) -> np.ndarray:
    """Fruchterman-Reingold positions of one connected piece, in pixels.

    Scaled so that the median tie is at least `_EDGE_LENGTH` long and each node has at
    least `_SPACING` pixels square of room: a big piece stays readable when zoomed in.
    """
    if part.vcount() == 1:
        return np.zeros((1, 2))
    coords = np.array(part.layout_fruchterman_reingold(niter=500, grid="auto").coords)
    ends = np.array(part.get_edgelist())
    median = float(np.median(np.hypot(*(coords[ends[:, 0]] - coords[ends[:, 1]]).T)))
    area = float(np.prod(np.ptp(coords, axis=0)))
    scale = max(
        _EDGE_LENGTH / median if median > 0 else 1.0,
        _SPACING * math.sqrt(part.vcount() / area) if area > 0 else 1.0,
    )
    return (coords - coords.min(axis=0)) * scale


def _pack(pieces: list[np.ndarray]) -> list[np.ndarray]:
    """Shelf-pack the pieces, largest first, in rows as wide as the largest one."""
    gap = _EDGE_LENGTH
    width = max([float(np.ptp(p[:, 0])) for p in pieces[:1]] + [gap * 10])
    x = y = shelf = 0.0
    placed = []
    for piece in pieces:
        w, h = float(np.ptp(piece[:, 0])), float(np.ptp(piece[:, 1]))
        if x > 0 and x + w > width:
            x, y, shelf = 0.0, y + shelf + gap, 0.0
        placed.append(piece + np.array([x, y]))
        x += w + gap
        shelf = max(shelf, h)
    return placed


# -- colours, sizes, tooltips --------------------------------------------------------------


def _colors(
    G: nx.MultiDiGraph,
    H: nx.MultiDiGraph,
    color_by: str,
    metrics: pd.DataFrame | None,
    seed: int,
    schema: Schema,
) -> tuple[dict[Hashable, str], dict[str, Any]]:
    if color_by == "label":
        palette = label_colors(schema)
        return {n: palette.get(a.get("label"), MISSING) for n, a in H.nodes(data=True)}, {
            "kind": "label"
        }
    values = _node_values(G, H, color_by, metrics)
    if values is None and color_by == "community":
        values = detect_communities(G, seed=seed)["community"].reindex(list(H.nodes))
    if values is None:
        raise ValueError(
            f"color_by={color_by!r}: neither a column of metrics nor a node attribute; "
            'use "label", "community" or one of: ' + ", ".join(_known_columns(H, metrics))
        )
    present = values.dropna()
    if _categorical(present, color_by):
        order = present.value_counts(sort=True)
        shown = list(order.index[: MAX_CATEGORIES - 1 if len(order) > MAX_CATEGORIES else None])
        color_of = {value: category_color(i) for i, value in enumerate(shown)}
        other = category_color(len(shown))
        items = [{"text": str(v), "color": color_of[v], "count": int(order[v])} for v in shown]
        if len(order) > len(shown):
            items.append(
                {"text": "其他 other", "color": other, "count": int(order.iloc[len(shown) :].sum())}
            )
        colors = {n: MISSING if pd.isna(v) else color_of.get(v, other) for n, v in values.items()}
        return colors, {"kind": "category", "title": color_by, "items": items}
    numbers = pd.to_numeric(values, errors="coerce")
    low, high = float(numbers.min()), float(numbers.max())
    cmap = mpl.colormaps[SCALE_COLORMAP]
    span = high - low or 1.0
    colors = {
        n: MISSING if pd.isna(v) else mpl.colors.to_hex(cmap((v - low) / span))
        for n, v in numbers.items()
    }
    ramp = [mpl.colors.to_hex(cmap(x)) for x in np.linspace(0, 1, 5)]
    legend = {
        "kind": "scale",
        "title": color_by,
        "min": _fmt(low),
        "max": _fmt(high),
        "colors": ramp,
    }
    return colors, legend


def _node_values(
    G: nx.MultiDiGraph, H: nx.MultiDiGraph, column: str, metrics: pd.DataFrame | None
) -> pd.Series | None:
    index = list(H.nodes)
    if metrics is not None and column in metrics.columns:
        return metrics[column].reindex(index)
    if any(column in attrs for _, attrs in H.nodes(data=True)):
        return pd.Series([H.nodes[n].get(column) for n in index], index=index, dtype=object)
    if column == "degree":
        return pd.Series(dict(H.degree()), dtype=float).reindex(index)
    return None


def _known_columns(H: nx.MultiDiGraph, metrics: pd.DataFrame | None) -> list[str]:
    columns = set(metrics.columns) if metrics is not None else set()
    for _, attrs in H.nodes(data=True):
        columns.update(attrs)
    return [*sorted(map(str, columns - {"label", "name"})), "degree"]


def _categorical(values: pd.Series, name: str) -> bool:
    """Text, booleans and community ids get colours per value; other numbers a ramp."""
    numbers = pd.to_numeric(values, errors="coerce")
    if values.empty or numbers.isna().any() or values.map(type).eq(bool).any():
        return True
    integral = bool((numbers == numbers.round()).all())
    return integral and ("community" in name.lower() or numbers.nunique() <= MAX_CATEGORIES)


def _sizes(
    G: nx.MultiDiGraph,
    H: nx.MultiDiGraph,
    size_by: str | None,
    metrics: pd.DataFrame | None,
    members: Mapping[Hashable, Counter[str]],
    schema: Schema,
) -> dict[Hashable, float]:
    if size_by is None:
        depth = len(schema.hierarchy)
        held = {node: math.sqrt(sum(members.get(node, Counter()).values())) for node in H}
        most = max(held.values(), default=0.0) or 1.0
        sizes = {}
        for node, attrs in H.nodes(data=True):
            level = schema.level(attrs.get("label", ""))
            base = 8.0 if level is None else 8.0 + 4.0 * (depth - 1 - level)
            sizes[node] = round(base + (_MAX_SIZE - base) * held[node] / most, 1)
        return sizes
    values = _node_values(G, H, size_by, metrics)
    if values is None:
        raise ValueError(
            f"size_by={size_by!r}: neither a column of metrics nor a node attribute; use one "
            "of: " + ", ".join(_known_columns(H, metrics))
        )
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().all():
        raise ValueError(f"size_by={size_by!r} holds no numbers")
    roots = np.sqrt(numbers.clip(lower=0))
    top = float(roots.max()) or 1.0
    scaled = _MIN_SIZE + (_MAX_SIZE - _MIN_SIZE) * roots / top
    return {n: _MIN_SIZE if pd.isna(s) else round(float(s), 1) for n, s in scaled.items()}


def _where(G: nx.MultiDiGraph, places: pd.DataFrame, schema: Schema) -> dict[Hashable, str]:
    """Each node's places as text, from the top: ``苏州市 › 姑苏区 › 沧浪街道``."""
    names = {n: str(a.get("name", n)) for n, a in G.nodes(data=True)}
    return {
        node: " › ".join(names[p] for p in row if p is not None and p != node)
        for node, row in zip(places.index, places.itertuples(index=False), strict=True)
    }


def _tooltip(
    node: Hashable,
    attrs: Mapping[str, Any],
    where: Mapping[Hashable, str],
    metrics: Mapping[str, Any] | None,
    held: Counter[str] | None,
    schema: Schema,
) -> str:
    """Plain text shown on hover: name, label, id, places, attributes, metrics."""
    lines = [str(attrs.get("name", node)), f"{label_text(schema, attrs.get('label', ''))} · {node}"]
    if where.get(node):
        lines.append(where[node])
    lines += [f"{k}: {_fmt(v)}" for k, v in attrs.items() if k not in ("label", "name")]
    if held:
        total = sum(held.values())
        parts = ", ".join(f"{label} {n}" for label, n in held.most_common())
        lines.append(f"holds 包含: {total} ({parts})")
    if metrics:
        lines += [
            f"{k}: {_fmt(v)}"
            for k, v in metrics.items()
            if k not in ("label", "name") and not _missing(v)
        ]
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        return (
            str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.4g}"
        )
    return str(value)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


# -- ties, labels, filters, options ------------------------------------------------------


def _edges(
    H: nx.MultiDiGraph, schema: Schema, *, typed: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ties of the page, and the tie legend; `typed` ties carry their type, with which
    the expandable page's script merges them."""
    palette = tie_colors(schema)
    texts = {t: tie_text(schema, t) for t in schema.tie_types}
    edges = []
    counts: Counter[str] = Counter()
    for u, v, key, attrs in H.edges(keys=True, data=True):
        count = int(attrs.get("count", 1))
        counts[key] += count
        title = texts.get(key, str(key))
        if "count" in attrs:
            title += f" ×{count}"
        if attrs.get("since") is not None:
            title += f" · {_fmt(attrs['since'])}"
        if attrs.get("until") is not None:
            title += f" – {_fmt(attrs['until'])}"
        edge = {
            "id": len(edges),  # given ids spare vis-network a UUID per tie
            "from": u,
            "to": v,
            "color": palette.get(key, MISSING),
            "title": title,
        }
        if count > 1:
            edge["width"] = round(1 + math.log2(count), 1)
        if typed:
            edge["cg_type"] = key
        edges.append(edge)
    order = [t for t in schema.tie_types if t in counts] + sorted(
        set(counts) - set(schema.tie_types)
    )
    ties = [
        {"key": t, "text": texts.get(t, t), "color": palette.get(t, MISSING), "count": counts[t]}
        for t in order
    ]
    return edges, ties


def _label_items(H: nx.MultiDiGraph, schema: Schema, *, by_label: bool) -> list[dict[str, Any]]:
    counts = Counter(attrs.get("label") for _, attrs in H.nodes(data=True))
    palette = label_colors(schema)
    order = [label for label in schema.labels if label in counts]
    order += sorted(str(label) for label in set(counts) - set(order))
    return [
        {
            "key": label,
            "text": label_text(schema, label),
            "count": counts[label],
            "color": palette.get(label, MISSING) if by_label else None,
        }
        for label in order
    ]


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


def _options(physics: bool, iterations: int, seed: int, n_nodes: int) -> dict[str, Any]:
    return {
        "autoResize": True,
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 12, "face": CJK_FONT_STACK},
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


# -- the page ----------------------------------------------------------------------------


def render_page(
    template: str,
    *,
    data: Any,
    css: str,
    scripts: Mapping[str, str],
    frames: bool = False,
    **context: Any,
) -> str:
    """Render one of the package's page templates with its safety measures.

    `data` goes into a ``<script type="application/json">`` with every ``<``, ``>`` and
    ``&`` escaped, so no text in it can close the script or open a comment; `scripts`
    are inlined and allowed by their SHA-256 in the Content-Security-Policy, which
    forbids every other script and every network request. Other context values are
    HTML-escaped by the template.

    Parameters
    ----------
    template
        File name under ``cobuild_graph/_static``.
    data
        JSON-serialisable data for the page's scripts.
    css
        The page's style sheet.
    scripts
        Template variable to script source.
    frames
        Allow the page to embed pages of its own folder in frames.
    **context
        Other template variables (escaped).

    Returns
    -------
    str
        The page.
    """
    csp = content_security_policy(scripts=scripts.values(), styles=[css], frames=frames)
    return (
        _templates()
        .get_template(template)
        .render(
            csp=csp,
            css=Markup(css),
            data=Markup(json_for_script(data)) if data is not None else "",
            **{k: Markup(v) for k, v in scripts.items()},
            **context,
        )
    )


def content_security_policy(
    *, scripts: Sequence[str] | Any = (), styles: Sequence[str] | Any = (), frames: bool = False
) -> str:
    """A Content-Security-Policy that allows only the given inline scripts and styles.

    No network request of any kind is allowed; images and fonts only from ``data:`` URLs.

    Examples
    --------
    >>> content_security_policy(scripts=["alert(1)"]).split("; ")[:2]
    ["default-src 'none'", "script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]
    """
    script_src = " ".join(_sha256(s) for s in scripts) or "'none'"
    style_src = " ".join(_sha256(s) for s in styles) or "'none'"
    policy = [
        "default-src 'none'",
        f"script-src {script_src}",
        f"style-src {style_src}",
        "img-src data:",
        "font-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    if frames:
        policy.append("frame-src 'self' file:")
    return "; ".join(policy)


def json_for_script(data: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element: no ``<``, ``>``, ``&`` left raw.

    Examples
    --------
    >>> json_for_script({"name": "</script><!--"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(data, ensure_ascii=False, default=_fmt)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _css(height: str) -> str:
    return f":root {{ --cg-font: {CJK_FONT_STACK}; --cg-height: {height}; }}\n" + _asset("map.css")


@cache
def vis_network_js() -> str:
    """The vis-network script that pyvis ships (its licence header included)."""
    lib = Path(pyvis.__file__).parent / "lib"
    found = sorted(lib.glob("vis-*/vis-network.min.js"), key=lambda p: _version(p.parent.name))
    if not found:
        raise FileNotFoundError(f"no vis-network.min.js under {lib}: reinstall pyvis")
    # the source-map comment would make developer tools fetch a file: drop it
    text = found[-1].read_text(encoding="utf-8")
    return re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", text)


def _version(folder: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder))


@cache
def _asset(name: str) -> str:
    return (resources.files("cobuild_graph") / "_static" / name).read_text(encoding="utf-8")


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_asset),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
