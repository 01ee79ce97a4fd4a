"""Funding: service funds and project budgets per place."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from cobuild_graph._net import Net, named, node_attribute
from cobuild_graph.schema import Schema, schema_of


def funding(G: nx.Graph, *, level: str = "Street", schema: Schema | None = None) -> pd.DataFrame:
    """Service funds and project budgets per place.

    ``service_fund_yuan`` sums the yearly service fund (为民服务专项经费) of the communities at or
    below the place; projects are those the place or a place below it ``RUNS`` (a tie whose
    role in the schema is ``placement``; a project run by a street counts for the street and
    above, not for any community), with their ``budget_yuan`` summed where present.

    Parameters
    ----------
    G
        A co-building graph.
    level
        ``"Community"``, ``"Street"``, ``"District"`` or ``"City"``.
    schema
        Gives the hierarchy.

    Returns
    -------
    pandas.DataFrame
        One row per place at `level`, indexed by id: ``name``, ``communities``,
        ``communities_funded`` (with a fund), ``service_fund_yuan``, ``projects``,
        ``projects_budgeted`` (with a budget), ``budget_yuan``, ``exemplary_projects``
        (百佳, ``exemplary`` true).
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    communities = net.covered_places()
    where = net.up(pd.Series(communities, index=communities, dtype=object), level)
    fund = node_attribute(G, "service_fund_yuan").reindex(communities).astype(float)
    per = (
        pd.DataFrame(
            {
                "communities": 1,
                "communities_funded": fund.notna().astype(int).to_numpy(),
                "service_fund_yuan": fund.fillna(0).to_numpy(),
            },
            index=communities,
        )
        .groupby(where.to_numpy())
        .sum()
    )
    runs = net.ties_with_role("placement")
    runs = runs[net.label(runs["target"]) == "Project"].drop_duplicates("target")
    projects = pd.DataFrame(
        {
            "place": net.up(runs["source"], level).to_numpy(),
            "budget": runs["target"].map(node_attribute(G, "budget_yuan")).astype(float),
            "exemplary": runs["target"].map(node_attribute(G, "exemplary")).eq(True),
        }
    ).dropna(subset=["place"])
    work = projects.groupby("place").agg(
        projects=("budget", "size"),
        projects_budgeted=("budget", "count"),
        budget_yuan=("budget", "sum"),
        exemplary_projects=("exemplary", "sum"),
    )
    out = named(net, net.places(level), per.join(work, how="outer")).fillna(0)
    counts = ["communities", "communities_funded", "projects", "projects_budgeted"]
    return out.astype(dict.fromkeys([*counts, "exemplary_projects"], int))
