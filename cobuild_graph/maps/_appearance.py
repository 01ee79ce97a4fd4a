"""How nodes and ties look on the map: colours and their legend, sizes, plain-text tooltips,
the tie records with their legend, and the list of labels."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._page import text_of
from cobuild_graph._style import (
    MISSING,
    category_color,
    label_colors,
    label_text,
    tie_colors,
    tie_text,
    value_text,
)
from cobuild_graph.metrics import communities as detect_communities
from cobuild_graph.schema import ALIAS_SEPARATOR, ALIASES, INFERRED, Schema, inferred_fields

#: Colour ramp of maps coloured by a number (matplotlib's viridis).
SCALE_COLORMAP = "viridis"
#: At most this many categories get a colour of their own; the rest share the last one.
MAX_CATEGORIES = 12

MIN_SIZE, MAX_SIZE = 6.0, 40.0


# -- colours, sizes, tooltips --------------------------------------------------------------


def node_colors(
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
        shown = _shown_categories(order)
        color_of = {value: category_color(i) for i, value in enumerate(shown)}
        other = category_color(len(shown))
        items = [
            {"text": value_text(schema, color_by, v), "color": color_of[v], "count": int(order[v])}
            for v in shown
        ]
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
    ramp = scale_ramp()
    legend = {
        "kind": "scale",
        "title": color_by,
        "min": text_of(low),
        "max": text_of(high),
        "colors": ramp,
    }
    return colors, legend


def scale_ramp(stops: int = 5) -> list[str]:
    """`stops` colours evenly along :data:`SCALE_COLORMAP`, low to high."""
    cmap = mpl.colormaps[SCALE_COLORMAP]
    return [mpl.colors.to_hex(cmap(x)) for x in np.linspace(0, 1, stops)]


def _shown_categories(order: pd.Series) -> list[Any]:
    """The values (most frequent first) that get a colour of their own; the rest share one."""
    return list(order.index[: MAX_CATEGORIES - 1 if len(order) > MAX_CATEGORIES else None])


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


# -- what the page may colour and size by -------------------------------------------------

#: Node attributes the page does not offer to colour or size by.
_NOT_COLUMNS = frozenset({"label", "name", "lat", "lon"})


def measure_table(
    tables: Mapping[str, pd.DataFrame] | None, metrics: pd.DataFrame | None
) -> pd.DataFrame | None:
    """The per-node columns of `tables` (those indexed by node ``id``, as
    :func:`~cobuild_graph.analysis.analyze` gives them), then those of `metrics`; a column
    name seen before is skipped, and so are names and labels."""
    parts = [t for t in (tables or {}).values() if t.index.name == "id" and t.index.is_unique]
    if metrics is not None:
        parts.append(metrics)
    columns: dict[str, pd.Series] = {}
    for table in parts:
        for column in table.columns:
            if column not in columns and column not in ("name", "label"):
                columns[str(column)] = table[column]
    return pd.DataFrame(columns) if columns else None


def measure_columns(
    H: nx.MultiDiGraph,
    nodes: list[Hashable],
    measures: pd.DataFrame | None,
    schema: Schema | None = None,
) -> list[dict[str, Any]]:
    """What the page offers to colour and size by: the node attributes, ``degree`` and the
    measures, each with its values in the order of `nodes` (text for categories, numbers
    for a scale, ``None`` for none; the positions and values alone when fewer than half of
    the nodes have one). A category attribute also carries ``texts``: how the legend shows
    each of its categories (the `schema`'s value labels, ``机关 organ``)."""
    keys = list(dict.fromkeys(k for n in nodes for k in H.nodes[n] if k not in _NOT_COLUMNS))
    found = [
        (key, "attribute", pd.Series([H.nodes[n].get(key) for n in nodes], dtype=object))
        for key in keys
    ]
    found.append(("degree", "measure", pd.Series([H.degree(n) for n in nodes], dtype=float)))
    if measures is not None:
        found += [
            (str(c), "measure", measures[c].reindex(nodes).reset_index(drop=True).astype(object))
            for c in measures.columns
            if c != "degree"
        ]
    columns = []
    for key, source, values in found:
        values = values.where(values.notna(), None)
        present = values.dropna()
        if present.empty:
            continue
        numbers = pd.to_numeric(present, errors="coerce")
        numeric = not numbers.isna().any() and not present.map(type).eq(bool).any()
        column: dict[str, Any] = {"key": key, "source": source, "numeric": numeric}
        if _categorical(present, key):
            shown = present.map(text_of)
            order = shown.value_counts(sort=True)
            if not numeric and len(order) > 4 * MAX_CATEGORIES:
                continue  # names, ids, free text: no colour per value tells anything
            categories = _shown_categories(order)
            column |= {"kind": "category", "categories": categories}
            if schema is not None and source == "attribute":  # the legend's text per value
                column["texts"] = [value_text(schema, key, v) for v in categories]
        else:
            column |= {"kind": "scale", "min": float(numbers.min()), "max": float(numbers.max())}
            shown = numbers.map(lambda v: float(f"{v:.4g}"))
        if len(shown) * 2 < len(values):
            column["at"] = [int(i) for i in shown.index]
            column["values"] = shown.tolist()
        else:
            at = dict(zip(shown.index.tolist(), shown.tolist(), strict=True))
            column["values"] = [at.get(i) for i in range(len(values))]
        columns.append(column)
    return columns


def node_sizes(
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
            sizes[node] = round(base + (MAX_SIZE - base) * held[node] / most, 1)
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
    scaled = MIN_SIZE + (MAX_SIZE - MIN_SIZE) * roots / top
    return {n: MIN_SIZE if pd.isna(s) else round(float(s), 1) for n, s in scaled.items()}


def places_of(G: nx.MultiDiGraph, places: pd.DataFrame, schema: Schema) -> dict[Hashable, str]:
    """Each node's places as text, from the top: ``苏州市 › 姑苏区 › 沧浪街道``."""
    names = {n: str(a.get("name", n)) for n, a in G.nodes(data=True)}
    return {
        node: " › ".join(names[p] for p in row if p is not None and p != node)
        for node, row in zip(places.index, places.itertuples(index=False), strict=True)
    }


def tooltip_text(
    node: Hashable,
    attrs: Mapping[str, Any],
    where: Mapping[Hashable, str],
    metrics: Mapping[str, Any] | None,
    held: Counter[str] | None,
    schema: Schema,
) -> str:
    """Plain text shown on hover: name, label, id, places, attributes (the other spellings
    as ``别名 aliases``, what was inferred as ``推定 inferred``), metrics."""
    lines = [str(attrs.get("name", node)), f"{label_text(schema, attrs.get('label', ''))} · {node}"]
    if where.get(node):
        lines.append(where[node])
    lines += [
        f"{_ATTRIBUTE_TEXT.get(k, k)}: {text_of(v)}"
        for k, v in attrs.items()
        if k not in ("label", "name")
    ]
    if held:
        total = sum(held.values())
        parts = ", ".join(f"{label} {n}" for label, n in held.most_common())
        lines.append(f"holds 包含: {total} ({parts})")
    if metrics:
        lines += [
            f"{k}: {text_of(v)}"
            for k, v in metrics.items()
            if k not in ("label", "name") and not _missing(v)
        ]
    return "\n".join(lines)


#: How the tooltip names the attributes of the data's own making, Chinese first.
_ATTRIBUTE_TEXT = {ALIASES: "别名 aliases", INFERRED: "推定 inferred"}


def aliases_of(attrs: Mapping[str, Any]) -> list[str]:
    """A node's other spellings (its :data:`~cobuild_graph.schema.ALIASES`), in order."""
    value = attrs.get(ALIASES)
    if not isinstance(value, str):
        return []
    return [a.strip() for a in value.split(ALIAS_SEPARATOR) if a.strip()]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


# -- ties and labels ---------------------------------------------------------------------


def tie_records(
    H: nx.MultiDiGraph, schema: Schema
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ties of the page, and the tie legend. Each tie carries its type (the legend hides
    ties by type; the expandable page merges ties of a type), its ``since`` and ``until``
    as days since 1970-01-01, for the time slider, and which of them are inferred
    (``cg_inferred``, from :data:`~cobuild_graph.schema.INFERRED`), which the slider may
    leave out."""
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
        marks = inferred_fields(attrs.get(INFERRED))
        inferred = [
            end for end in ("since", "until") if end in marks and attrs.get(end) is not None
        ]
        for end, before in (("since", " · "), ("until", " – ")):
            if attrs.get(end) is not None:
                title += (
                    before + text_of(attrs[end]) + (" (推定 inferred)" if end in inferred else "")
                )
        edge = {
            "id": len(edges),  # given ids spare vis-network a UUID per tie
            "from": u,
            "to": v,
            "color": palette.get(key, MISSING),
            "title": title,
        }
        if count > 1:
            edge["width"] = round(1 + math.log2(count), 1)
        edge["cg_type"] = key
        for end in ("since", "until"):
            if attrs.get(end) is not None:
                edge[f"cg_{end}"] = _day(attrs[end])
        if inferred:
            edge["cg_inferred"] = inferred
        edges.append(edge)
    order = [t for t in schema.tie_types if t in counts] + sorted(
        set(counts) - set(schema.tie_types)
    )
    ties = [
        {"key": t, "text": texts.get(t, t), "color": palette.get(t, MISSING), "count": counts[t]}
        for t in order
    ]
    return edges, ties


_EPOCH = dt.date(1970, 1, 1)


def _day(value: Any) -> int:
    """A date as days since 1970-01-01 (what the page's time slider compares)."""
    # Through datetime.date: a nanosecond Timestamp would end before 1677 and after 2262.
    return (pd.Timestamp(value).date() - _EPOCH).days


def label_items(H: nx.MultiDiGraph, schema: Schema, *, by_label: bool) -> list[dict[str, Any]]:
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
