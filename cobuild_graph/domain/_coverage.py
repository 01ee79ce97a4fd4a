"""Coverage: the communities each kind of tie reaches, and those none reaches."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._net import Net, named, sorted_as_text
from cobuild_graph.schema import Schema, schema_of


def _covered(net: Net) -> dict[str, frozenset[Hashable]]:
    """The places at the coverage levels each kind of tie reaches (a grid's tie counts for its
    community); made once per Net (coverage, coverage by street and uncovered share it)."""
    return net.kept("covered", lambda: _find_covered(net))


def _find_covered(net: Net) -> dict[str, frozenset[Hashable]]:
    links = net.attachments()
    links["community"] = net.covered_place(links["place"])
    links = links.dropna(subset=["community"])
    other = net.label(links["node"])
    kinds = net.schema.coverage
    covered = {
        kind: frozenset(links.loc[(links["type"] == k.tie_type) & (other == k.label), "community"])
        for kind, k in kinds.items()
    }
    any_kind = net.schema.cobuilding_coverage()
    covered["any"] = frozenset().union(*(covered[kind] for kind in any_kind))
    return covered


def coverage(
    G: nx.Graph, *, level: str | None = None, schema: Schema | None = None
) -> pd.DataFrame:
    """How many communities each kind of tie reaches.

    The kinds are the schema's (:attr:`~cobuild_graph.schema.Schema.coverage`), and so are
    the places counted as communities (:attr:`~cobuild_graph.schema.Schema.coverage_levels`:
    ``Community``, and for instance a ``Village`` level an extended schema adds). In the
    default schema a community is covered by

    - ``unit``: a ``PAIRED_WITH`` tie from a ``Unit``;
    - ``branch``: an ``EMBEDDED_IN`` tie from an ``ActionBranch``;
    - ``project``: a ``RUNS`` tie to a ``Project`` (the community runs one);
    - ``position``: a ``LOCATED_IN`` tie from a ``Position``;
    - ``any``: any of the kinds marked ``cobuilding`` (``unit`` or ``branch``: the
      co-building ties proper);

    where a tie to one of the community's grids counts for the community, and a tie to a
    street covers none of its communities. share = covered / total.

    Parameters
    ----------
    G
        A co-building graph.
    level
        ``None`` for the whole network; a level above ``Community`` (e.g. ``"Street"``)
        for one row per place.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        With ``level=None``: indexed by ``kind`` (the schema's kinds, then ``any``), columns
        ``communities_covered``, ``communities_total``, ``share``. With a level: indexed by
        place id, columns ``name``, ``communities``, and ``{kind}_covered`` and
        ``{kind}_share`` for each kind.
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    communities = net.covered_places()
    covered = _covered(net)
    if level is None:
        rows = {
            kind: (len(found), len(communities), len(found) / len(communities))
            if len(communities)
            else (0, 0, np.nan)
            for kind, found in covered.items()
        }
        out = pd.DataFrame.from_dict(
            rows, orient="index", columns=["communities_covered", "communities_total", "share"]
        )
        out.index.name = "kind"
        return out
    where = net.up(pd.Series(communities, index=communities, dtype=object), level)
    frame = pd.DataFrame({"communities": 1}, index=communities)
    for kind, found in covered.items():
        frame[f"{kind}_covered"] = communities.isin(list(found)).astype(int)
    per = frame.groupby(where.to_numpy()).sum()
    out = named(net, net.places(level), per).fillna(0)
    for kind in covered:
        out[f"{kind}_covered"] = out[f"{kind}_covered"].astype(int)
        out[f"{kind}_share"] = out[f"{kind}_covered"] / out["communities"].replace(0, np.nan)
    return out.astype({"communities": int})


def uncovered(G: nx.Graph, kind: str = "any", *, schema: Schema | None = None) -> pd.DataFrame:
    """The communities that no tie of `kind` reaches, with their street.

    Parameters
    ----------
    G
        A co-building graph.
    kind
        One of the schema's coverage kinds (:attr:`Schema.coverage`) or ``"any"``, as in
        :func:`coverage`.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        Indexed by community id, sorted by street then id: ``name``, ``street``,
        ``street_name``.
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    covered = _covered(net)
    if kind not in covered:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(covered)}")
    communities = net.covered_places()
    left = communities[~communities.isin(list(covered[kind]))]
    street = net.up(pd.Series(left, index=left, dtype=object), "Street")
    out = pd.DataFrame(
        {
            "name": net.nodes["name"].reindex(left).to_numpy(),
            "street": street.to_numpy(),
            "street_name": street.map(net.nodes["name"]).to_numpy(),
        },
        index=pd.Index(left, name="id"),
    )
    return sorted_as_text(out.rename_axis("id").reset_index(), ["street", "id"]).set_index("id")
