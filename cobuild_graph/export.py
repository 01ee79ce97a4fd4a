"""Writing a co-building graph for other network tools: Gephi, UCINET, Pajek, GraphML.

Each writer takes the graph first and writes one file, whole or not at all (see
:func:`cobuild_graph._files.atomic_write`), with the mode of any new file.

- :func:`write_gexf` — GEXF 1.2 for Gephi; dynamic (Gephi's timeline) when the graph has
  dates: a tie lives from its ``since`` to its ``until``, a node from its ``founded``.
- :func:`write_graphml` — GraphML, every attribute kept.
- :func:`write_ucinet_dl` — UCINET DL, one matrix per tie type (``edgelist1`` or
  ``fullmatrix``).
- :func:`write_two_mode_dl` — a two-mode UCINET DL matrix, e.g. units × communities.
- :func:`write_pajek` — a Pajek ``.net`` file, the tie type as each tie's label, that
  networkx, igraph and R's network read; or one relation per tie type.

XML cannot hold some characters (the C0 controls, U+FFFE ...): the GEXF and GraphML
writers refuse a graph holding one, naming the node or tie and the attribute. Everything
else is kept, markup such as ``<script>`` as text; only GraphML, which holds values as
element text, reads a carriage return back as a line feed (XML's line-end rule). DL labels
are plain text in double quotes with no escape: in them a double quote ``"`` becomes an
apostrophe ``'``, and line breaks, tabs and other control characters become spaces, so no
name can break a file's structure. Pajek labels are written as they are, and a name that a
Pajek reader would read back changed is refused (see :func:`write_pajek`). Two nodes with the
same name get their ids added to their labels, so labels stay unique.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from numbers import Real
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import Element

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from cobuild_graph._files import XML_ILLEGAL, atomic_write
from cobuild_graph.schema import written_meta

__all__ = [
    "DL_LAYOUTS",
    "TWO_MODE_DL_LAYOUTS",
    "write_gexf",
    "write_graphml",
    "write_pajek",
    "write_two_mode_dl",
    "write_ucinet_dl",
    "written_counts",
]

#: The layouts of a one-mode DL file.
DL_LAYOUTS: tuple[str, ...] = ("edgelist1", "fullmatrix")
#: The layouts of a two-mode DL file.
TWO_MODE_DL_LAYOUTS: tuple[str, ...] = ("fullmatrix", "edgelist2")

# Attribute names networkx's GEXF writer turns into parts of the XML element rather than
# attribute values: data of these names is written under a prefixed name instead.
_GEXF_NODE_RESERVED = frozenset({"id", "label", "pid", "start", "end", "spells", "parents", "viz"})
_GEXF_EDGE_RESERVED = frozenset(
    {"id", "label", "type", "weight", "start", "end", "spells", "viz", "key"}
)


def write_graphml(G: nx.Graph, path: str | os.PathLike[str]) -> Path:
    """Write `G` as GraphML, every node and tie attribute kept.

    Dates are written as ISO text (``2019-05-01``); the schema label stays the node
    attribute ``label`` and the tie type the edge attribute ``type``.

    Parameters
    ----------
    G
        A co-building graph.
    path
        The ``.graphml`` file to write.

    Returns
    -------
    pathlib.Path
        `path`.

    Raises
    ------
    ValueError
        If a value holds a character XML cannot hold, naming the node or tie and attribute.
    """
    path = Path(path)
    _refuse_xml_illegal(G)
    export = G.__class__(**_dates_as_text(written_meta(G.graph, as_text=True)))
    for node, attrs in G.nodes(data=True):
        export.add_node(node, **_dates_as_text(attrs))
    for u, v, key, attrs in _ties(G):
        export.add_edge(u, v, key=key, **_dates_as_text(attrs))
    # The pure-Python writer: the file does not depend on whether lxml is installed.
    atomic_write(path, lambda tmp: nx.write_graphml_xml(export, tmp))
    return path


def write_gexf(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    node_start: str | None = "founded",
    node_end: str | None = None,
) -> Path:
    """Write `G` as GEXF 1.2 for Gephi; dynamic, for Gephi's timeline, when it has dates.

    Every tie with a ``since`` or ``until`` starts or ends then (``start`` / ``end``), and
    every node with a `node_start` date (``founded``) starts then; the file is then a
    dynamic GEXF (``mode="dynamic"``, ``timeformat="date"``). A node without one is there
    from the beginning of the timeline, and a tie without dates always. A graph without
    any of these dates is written as a static GEXF.

    Gephi shows a node's ``label``: it is the node's name; the schema label is the node
    attribute ``node_label``. A tie's ``label`` is its type, also the edge attribute
    ``tie_type``. Every other attribute is kept as a static attribute (dates as ISO text,
    ``since`` and ``until`` too); one whose name GEXF reserves (``start``, ``end``, ``id``
    ...) is written as ``node_<name>`` or ``tie_<name>``. The file is valid against the
    GEXF 1.2draft schema; the graph's name goes into ``<meta><description>``.

    Parameters
    ----------
    G
        A co-building graph.
    path
        The ``.gexf`` file to write.
    node_start
        The node attribute holding the date a node starts (``None``: nodes have no start).
    node_end
        The node attribute holding the date a node ends (``None``: nodes have no end).

    Returns
    -------
    pathlib.Path
        `path`.

    Raises
    ------
    ValueError
        If a value holds a character XML cannot hold, naming the node or tie and attribute.
    """
    path = Path(path)
    _refuse_xml_illegal(G)
    export = G.__class__()
    for node, attrs in G.nodes(data=True):
        data = {
            (f"node_{k}" if k in _GEXF_NODE_RESERVED else k): v
            for k, v in _dates_as_text(attrs).items()
        }
        data["label"] = str(attrs.get("name", node))  # what Gephi shows
        for attribute, bound in ((node_start, "start"), (node_end, "end")):
            if attribute is not None and (day := _iso_day(attrs.get(attribute))) is not None:
                data[bound] = day
        export.add_node(node, **data)
    for u, v, key, attrs in _ties(G):
        tie_type = str(attrs.get("type", key))
        data = {
            (f"tie_{k}" if k in _GEXF_EDGE_RESERVED else k): x
            for k, x in _dates_as_text(attrs).items()
        }
        data.pop("tie_type", None)
        data.update(label=tie_type, tie_type=tie_type)
        weight = attrs.get("weight")
        if _is_number(weight):  # GEXF's own edge weight, which Gephi uses
            data.pop("tie_weight")
            data["weight"] = float(weight)
        for attribute, bound in (("since", "start"), ("until", "end")):
            if (day := _iso_day(attrs.get(attribute))) is not None:
                data[bound] = day
        export.add_edge(u, v, key=key, **data)

    writer = GEXFWriter(version="1.2draft")
    writer.add_graph(export)  # sets mode="dynamic", timeformat="date" when it meets a date
    # networkx gives <graph> a name attribute that GEXF 1.2draft does not allow
    writer.graph_element.attrib.pop("name", None)
    description = " — ".join(
        str(G.graph[k]) for k in ("name", "description") if G.graph.get(k) not in (None, "")
    )
    if description:
        meta = writer.xml.find("meta")
        if meta is not None:
            meta.append(_element("description", description))

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            writer.write(handle)

    atomic_write(path, write)
    return path


def write_ucinet_dl(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    layout: Literal["edgelist1", "fullmatrix"] = "edgelist1",
    tie_types: Sequence[str] | None = None,
    labels: str = "name",
    weight: str | None = "weight",
    encoding: str = "gb18030",
) -> Path:
    """Write `G` as a UCINET DL file: every node, one matrix (relation) per tie type.

    The file declares ``DL n=<nodes> nm=<relations>``, the node labels (``labels:``) and
    the tie types (``matrix labels:``), then the data: with ``layout="edgelist1"`` one line
    ``row column value`` per tie and a line ``!`` between matrices; with
    ``layout="fullmatrix"`` ``n`` rows of ``n`` values per matrix (use it for small graphs:
    it writes ``n²`` values per tie type). A tie runs from its row (source) to its column
    (target); a tie of an undirected graph fills both cells.

    Labels are the nodes' names in double quotes, one per line; see the module
    documentation for how quotes and line breaks in names are written, and for names
    that repeat.

    Parameters
    ----------
    G
        A co-building graph.
    path
        The ``.dl`` file to write.
    layout
        ``"edgelist1"`` (default) or ``"fullmatrix"``.
    tie_types
        The tie types to write, one matrix each, in this order; by default every tie type
        in `G`, sorted.
    labels
        The node attribute to label nodes with, or ``"id"`` for the node ids.
    weight
        The tie attribute holding a tie's value; ties without a number there (or all ties
        when ``None``) have value 1.
    encoding
        The file's encoding. GB18030 by default: UCINET is a Windows program that reads
        text in the system's code page, GBK (936) on Chinese Windows, which GB18030
        extends. Pass ``"utf-8-sig"`` for a program that reads UTF-8.

    Returns
    -------
    pathlib.Path
        `path`.

    Raises
    ------
    ValueError
        If `layout` is unknown, there are no tie types to write, or a label cannot be
        written in `encoding`.
    """
    _choose(layout, DL_LAYOUTS, "layout")
    nodes = list(G)
    types = _tie_types(G, tie_types)
    names = _labels(G, nodes, labels, encoding)
    matrices = _matrices(G, types, weight)

    def lines() -> Iterator[str]:
        yield f"DL n={len(nodes)} nm={len(types)}"
        yield f"format = {layout}"
        yield "labels:"
        yield from (_quoted(name) for name in names)
        yield from _dl_matrices(types, matrices, layout, nodes, nodes)

    return _write_lines(Path(path), lines(), encoding)


def write_two_mode_dl(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    rows: str = "Unit",
    columns: str = "Community",
    tie_types: Sequence[str] | None = None,
    layout: Literal["fullmatrix", "edgelist2"] = "fullmatrix",
    labels: str = "name",
    weight: str | None = "weight",
    encoding: str = "gb18030",
) -> Path:
    """Write a two-mode UCINET DL file: nodes of one label by nodes of another.

    The rows are every node labelled `rows`, the columns every node labelled `columns`
    (in the graph's order), and a cell holds the value of the tie joining the two, in
    either direction. With ``Unit`` × ``Community`` (the default) that is which units pair
    with which communities (``PAIRED_WITH``). One matrix per tie type, as in
    :func:`write_ucinet_dl`; the file declares ``DL nr=<rows> nc=<columns> nm=<relations>``,
    ``row labels:``, ``column labels:`` and ``matrix labels:``.

    Parameters
    ----------
    G
        A co-building graph.
    path
        The ``.dl`` file to write.
    rows
        The node label of the rows.
    columns
        The node label of the columns.
    tie_types
        The tie types to write, one matrix each; by default every tie type that joins a
        `rows` node and a `columns` node in `G`, sorted.
    layout
        ``"fullmatrix"`` (default) or ``"edgelist2"`` (one ``row column value`` line per
        tie, a line ``!`` between matrices).
    labels
        The node attribute to label nodes with, or ``"id"`` for the node ids.
    weight
        The tie attribute holding a tie's value (see :func:`write_ucinet_dl`).
    encoding
        The file's encoding (see :func:`write_ucinet_dl`).

    Returns
    -------
    pathlib.Path
        `path`.

    Raises
    ------
    ValueError
        If `layout` is unknown, `rows` and `columns` are the same, no node has one of them,
        there are no tie types to write, or a label cannot be written in `encoding`.
    """
    _choose(layout, TWO_MODE_DL_LAYOUTS, "layout")
    row_nodes, column_nodes, types, matrices = _two_mode(G, rows, columns, tie_types, weight)
    row_names = _labels(G, row_nodes, labels, encoding)
    column_names = _labels(G, column_nodes, labels, encoding)

    def lines() -> Iterator[str]:
        yield f"DL nr={len(row_nodes)} nc={len(column_nodes)} nm={len(types)}"
        yield f"format = {layout}"
        yield "row labels:"
        yield from (_quoted(name) for name in row_names)
        yield "column labels:"
        yield from (_quoted(name) for name in column_names)
        yield from _dl_matrices(types, matrices, layout, row_nodes, column_nodes)

    return _write_lines(Path(path), lines(), encoding)


def write_pajek(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    tie_types: Sequence[str] | None = None,
    labels: str = "name",
    weight: str | None = "weight",
    relations: bool = False,
) -> Path:
    """Write `G` as a Pajek ``.net`` file that networkx, igraph and R's network read.

    ``*Vertices n`` lists the nodes, ``1 "道前社区"``; then one ``*Arcs`` section
    (``*Edges`` for an undirected graph) holds one line ``source target value l "TYPE"``
    per tie: the value is the tie's weight and ``l`` is Pajek's edge label, the tie type.
    networkx reads the type as the edge attribute ``l``, python-igraph and R igraph as
    ``label``, R's ``network::read.paj`` as ``l``; the value is ``weight`` (``network``
    names it after the file). Parallel ties of one type between the same two nodes are one
    line, their values added. The file is UTF-8 without a byte-order mark (R igraph
    refuses one), with Windows line ends, and starts with a ``%`` comment line.

    With ``relations=True`` it is Pajek's multi-relational form instead: one section per
    tie type, ``*Arcs :1 "PAIRED_WITH"``, lines ``source target value``. Pajek reads it,
    but python-igraph and R igraph do not, and networkx reads only the first relation.

    Names are written as they are, in double quotes: none of these readers knows an
    escape that the others read the same way, so a label the four would not all read back
    as written is refused (see Raises). Two nodes with the same name get their ids added
    to their labels, since networkx keys nodes by label.

    Parameters
    ----------
    G
        A co-building graph.
    path
        The ``.net`` file to write.
    tie_types
        The tie types to write, in this order; by default every tie type in `G`, sorted.
    labels
        The node attribute to label nodes with, or ``"id"`` for the node ids.
    weight
        The tie attribute holding a tie's value (see :func:`write_ucinet_dl`).
    relations
        Write one relation per tie type (Pajek's ``*Arcs :n "TYPE"`` sections).

    Returns
    -------
    pathlib.Path
        `path`.

    Raises
    ------
    ValueError
        If there are no tie types to write; if a label holds a double quote, a line
        break, a tab or another control character, two backslashes in a row, or ends in
        a backslash, naming the node; or if a tie type holds a space, a double quote or a
        backslash.
    """
    nodes = list(G)
    types = _tie_types(G, tie_types)
    for tie_type in types:
        if not tie_type or _PAJEK_TYPE_UNSAFE.search(tie_type):
            raise ValueError(
                f"关系类型不能用作 Pajek 边标签 / tie type {tie_type!r}: a Pajek edge label "
                "cannot be empty or hold a space, "
                "a double quote or a backslash (R's read.paj splits lines at spaces)"
            )
    names = _labels(G, nodes, labels, "utf-8", clean=_pajek_label)
    matrices = _matrices(G, types, weight, both_ways=False)
    index = {node: i for i, node in enumerate(nodes, start=1)}
    section = "*Arcs" if G.is_directed() else "*Edges"

    def lines() -> Iterator[str]:
        title = _plain(str(G.graph.get("name", "co-building network")))
        yield f"% {title}: written by cobuild_graph"
        yield f"*Vertices {len(nodes)}"
        for number, name in enumerate(names, start=1):
            yield f"{number} {_quoted(name)}"
        if relations:
            for number, tie_type in enumerate(types, start=1):
                yield f"{section} :{number} {_quoted(tie_type)}"
                yield from _cell_lines(matrices[tie_type], index, index)
            return
        yield section
        numbered = sorted(
            (index[u], index[v], order, value)
            for order, tie_type in enumerate(types)
            for (u, v), value in matrices[tie_type].items()
        )
        for u, v, order, value in numbered:
            yield f"{u} {v} {_number(value)} l {_quoted(types[order])}"

    return _write_lines(Path(path), lines(), "utf-8")


# A tie type is a token of an edge line, which R's read.paj splits at spaces.
_PAJEK_TYPE_UNSAFE = re.compile(r'[\s"\\]')


def _pajek_label(node: Hashable, text: str) -> str:
    """`text` as a Pajek label, or ValueError naming `node` when a reader would change it.

    Inside double quotes igraph keeps every character; networkx (``shlex``) and R's
    ``read.table`` read a backslash before a quote or a backslash as an escape.

    >>> _pajek_label("a", "道前社区 C:\\\\data")
    '道前社区 C:\\\\data'
    """
    if '"' in text:
        what = "a double quote"
    elif "\\\\" in text:
        what = "two backslashes in a row"
    elif text.endswith("\\"):
        what = "a backslash at its end"
    elif not text.isprintable() and any(unicodedata.category(c) in _BREAKING for c in text):
        what = "a line break, tab or other control character"
    else:
        return text
    raise ValueError(
        f"节点的 Pajek 标签含有读不回来的字符 / node {node!r}: its Pajek label {text!r} holds "
        f"{what}, which networkx, igraph "
        "and R's read.paj do not all read back as written: change the name, or write "
        "labels='id'"
    )


# -- shared ------------------------------------------------------------------------------


def _ties(G: nx.Graph) -> Iterator[tuple[Hashable, Hashable, Any, dict[str, Any]]]:
    """(source, target, key, attributes) of every tie; the key is the type when unkeyed."""
    if G.is_multigraph():
        yield from G.edges(keys=True, data=True)
    else:
        for u, v, attrs in G.edges(data=True):
            yield u, v, attrs.get("type"), attrs


def _two_mode(
    G: nx.Graph, rows: str, columns: str, tie_types: Sequence[str] | None, weight: str | None
) -> tuple[
    list[Hashable], list[Hashable], list[str], dict[str, dict[tuple[Hashable, Hashable], float]]
]:
    """The row nodes, column nodes, tie types and per type the cells of a two-mode matrix."""
    if rows == columns:
        raise ValueError(
            f"行和列是同一类节点 / rows and columns are both {rows!r}: use write_ucinet_dl for "
            "one mode"
        )
    row_nodes = [n for n, label in G.nodes(data="label") if label == rows]
    column_nodes = [n for n, label in G.nodes(data="label") if label == columns]
    for label, found in ((rows, row_nodes), (columns, column_nodes)):
        if not found:
            raise ValueError(f"没有这类节点 / no node is labelled {label!r}")
    row_set, column_set = set(row_nodes), set(column_nodes)

    def across(u: Hashable, v: Hashable) -> tuple[Hashable, Hashable] | None:
        if u in row_set and v in column_set:
            return u, v
        if v in row_set and u in column_set:
            return v, u
        return None

    between = nx.subgraph_view(G, filter_node=lambda n: n in row_set or n in column_set)
    types = _tie_types(between, tie_types)
    matrices: dict[str, dict[tuple[Hashable, Hashable], float]] = {t: {} for t in types}
    for u, v, key, attrs in _ties(between):
        tie_type = str(attrs.get("type", key))
        cell = across(u, v)
        if tie_type in matrices and cell is not None:
            cells = matrices[tie_type]
            cells[cell] = cells.get(cell, 0) + _value(attrs, weight)
    return row_nodes, column_nodes, types, matrices


def written_counts(G: nx.Graph, suffix: str, **options: Any) -> tuple[int, int]:
    """The nodes and ties that the file of `suffix` written from `G` with `options` holds.

    GEXF and GraphML hold every node and tie. A DL or Pajek file holds every node (a
    two-mode DL, given ``rows`` and ``columns``, the nodes of those two labels) and one tie
    per source, target and type of the chosen ``tie_types``: parallel ties of one type are
    one cell there, their values added.

    Parameters
    ----------
    G
        The graph given to the writer.
    suffix
        The file's suffix: ``.gexf``, ``.graphml``, ``.dl`` or ``.net``.
    **options
        The writer's options: only ``tie_types`` counts, and ``rows`` with ``columns`` for
        a two-mode DL.

    Returns
    -------
    tuple of int
        (nodes, ties).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", type="PART_OF")
    0
    >>> G.add_edge("a", "b", type="PART_OF")
    1
    >>> G.add_edge("b", "c", type="PAIRED_WITH")
    0
    >>> written_counts(G, ".net", tie_types=["PART_OF"])
    (3, 1)
    """
    if suffix.lower() not in (".dl", ".net"):
        return G.number_of_nodes(), G.number_of_edges()
    tie_types = options.get("tie_types")
    if "rows" in options:  # a two-mode DL
        row_nodes, column_nodes, _, matrices = _two_mode(
            G, options["rows"], options["columns"], tie_types, None
        )
        return len(row_nodes) + len(column_nodes), sum(map(len, matrices.values()))
    matrices = _matrices(G, _tie_types(G, tie_types), None, both_ways=False)
    return G.number_of_nodes(), sum(map(len, matrices.values()))


def _tie_types(G: nx.Graph, chosen: Sequence[str] | None) -> list[str]:
    if chosen is not None:
        types = list(dict.fromkeys(chosen))
    else:
        types = sorted({str(attrs.get("type", key)) for _, _, key, attrs in _ties(G)})
    if not types:
        raise ValueError(
            "没有可写的关系 / the graph has no ties to write: a relation needs at least one tie "
            "type"
        )
    return types


def _matrices(
    G: nx.Graph, types: Sequence[str], weight: str | None, *, both_ways: bool = True
) -> dict[str, dict[tuple[Hashable, Hashable], float]]:
    """Per tie type, the value of each (row, column) cell that has a tie."""
    matrices: dict[str, dict[tuple[Hashable, Hashable], float]] = {t: {} for t in types}
    mirror = both_ways and not G.is_directed()
    for u, v, key, attrs in _ties(G):
        cells = matrices.get(str(attrs.get("type", key)))
        if cells is None:
            continue
        value = _value(attrs, weight)
        for cell in ((u, v), (v, u)) if mirror and u != v else ((u, v),):
            cells[cell] = cells.get(cell, 0) + value
    return matrices


def _dl_matrices(
    types: Sequence[str],
    matrices: Mapping[str, Mapping[tuple[Hashable, Hashable], float]],
    layout: str,
    rows: Sequence[Hashable],
    columns: Sequence[Hashable],
) -> Iterator[str]:
    """A DL file's matrix labels and data: one matrix per tie type, rows × columns."""
    yield "matrix labels:"
    yield from (_quoted(_plain(t)) for t in types)
    yield "data:"
    row_index = {n: i for i, n in enumerate(rows, start=1)}
    column_index = {n: i for i, n in enumerate(columns, start=1)}
    for number, tie_type in enumerate(types):
        cells = matrices[tie_type]
        if layout == "fullmatrix":
            for r in rows:
                yield " ".join(_number(cells.get((r, c), 0)) for c in columns)
            continue
        if number:
            yield "!"  # edge lists of several matrices are separated by a line "!"
        yield from _cell_lines(cells, row_index, column_index)


def _cell_lines(
    cells: Mapping[tuple[Hashable, Hashable], float],
    rows: Mapping[Hashable, int],
    columns: Mapping[Hashable, int],
) -> Iterator[str]:
    """``row column value`` lines, 1-based, in row then column order."""
    numbered = sorted((rows[r], columns[c], value) for (r, c), value in cells.items())
    for row, column, value in numbered:
        yield f"{row} {column} {_number(value)}"


def _value(attrs: Mapping[str, Any], weight: str | None) -> float:
    value = attrs.get(weight) if weight is not None else None
    return float(value) if _is_number(value) else 1


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _number(value: float) -> str:
    """A cell value as DL and Pajek read it: ``1``, ``0``, ``1.5``."""
    return str(int(value)) if float(value).is_integer() else f"{value:.15g}"


def _labels(
    G: nx.Graph,
    nodes: Iterable[Hashable],
    attribute: str,
    encoding: str,
    clean: Callable[[Hashable, str], str] = lambda node, text: _plain(text),
) -> list[str]:
    """The labels of `nodes`, each passed through `clean`, unique: a repeated one gets the
    node id added."""
    nodes = list(nodes)
    texts = []
    for node in nodes:
        value = node if attribute == "id" else G.nodes[node].get(attribute)
        texts.append(clean(node, str(node if value is None or value == "" else value)))
    seen: dict[str, int] = {}
    for text in texts:
        seen[text] = seen.get(text, 0) + 1
    labels: list[str] = []
    taken = set(texts)
    for node, text in zip(nodes, texts, strict=True):
        if seen[text] > 1:
            text = candidate = f"{text} ({clean(node, str(node))})"
            number = 2
            while candidate in taken:
                candidate = f"{text} #{number}"
                number += 1
            text = candidate
            taken.add(text)
        try:
            text.encode(encoding)
        except UnicodeEncodeError as error:
            raise ValueError(
                f"节点标签含有 {encoding} 编码不能保存的字符 / "
                f"node {node!r}: its label {text!r} has {text[error.start]!r}, which "
                f"{encoding} cannot hold: write the file in another encoding "
                f"(e.g. encoding='gb18030' or 'utf-8-sig')"
            ) from None
        labels.append(text)
    return labels


_BREAKING = {"Cc", "Cs", "Zl", "Zp"}  # controls, lone surrogates, line and paragraph separators


def _plain(text: str) -> str:
    """`text` as a label inside double quotes: no quote, no line break, no control.

    >>> _plain('甲"乙"\\n丙')
    "甲'乙' 丙"
    """
    text = text.replace('"', "'")
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(c) in _BREAKING else c for c in text)


def _quoted(label: str) -> str:
    return f'"{label}"'


def _write_lines(path: Path, lines: Iterable[str], encoding: str) -> Path:
    """Write `lines` with Windows line ends (UCINET and Pajek are Windows programs)."""

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding=encoding, newline="\r\n") as handle:
            for line in lines:
                handle.write(line + "\n")

    atomic_write(path, write)
    return path


def _choose(value: str, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(
            f"未知的选项 / unknown {what} {value!r}: choose one of {', '.join(allowed)}"
        )


def _iso_day(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def _dates_as_text(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in attrs.items()}


def _refuse_xml_illegal(G: nx.Graph) -> None:
    """Raise ValueError naming the first node or tie attribute that XML cannot hold."""

    def check(where: str, attrs: Mapping[Any, Any]) -> None:
        for name, value in attrs.items():
            for text, what in ((name, "the attribute name"), (value, "the value")):
                if isinstance(text, str) and (bad := XML_ILLEGAL.search(text)):
                    raise ValueError(
                        f"含有 XML 不能保存的字符 / {where}, attribute {str(name)!r}: {what} holds "
                        "the character "
                        f"U+{ord(bad.group()):04X}, which XML cannot hold: remove it from "
                        f"the data"
                    )

    check("the graph", G.graph)
    for node, attrs in G.nodes(data=True):
        check(f"node {node!r}", {"id": node, **attrs})
    for u, v, key, attrs in _ties(G):
        check(f"tie {u!r} -> {v!r} ({key})", {"source": u, "target": v, **attrs})


def _element(tag: str, text: str) -> Element:
    element = Element(tag)
    element.text = text
    return element
