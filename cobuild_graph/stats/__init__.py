"""Statistics of dyadic matrices: QAP correlation and MRQAP regression, as R's sna has them.

Questions about pairs — do units of the same sector pair with the same communities? do
communities of one street share more units than communities of different streets? — are
asked of *dyadic matrices*: one row and one column per node, one cell per pair. The
functions ``*_matrix`` build them from a graph on one node order (``nodes=``); the tests
relate them:

- :func:`qap_correlation`: Pearson's r of two matrices over the dyads, tested by the
  quadratic assignment procedure (QAP, Krackhardt 1988) — R ``sna::gcor`` under
  ``sna::qaptest``;
- :func:`mrqap`: regression of one matrix on several, least squares or logit, tested by
  Dekker, Krackhardt & Snijders' (2007) double semi-partialling or by relabelling `y` —
  R ``sna::netlm`` and ``sna::netlogit``, whose estimates it equals.

Why a tie forms, rather than whether two relations go together, is asked of an
exponential random graph model: :func:`ergm` fits one as R's statnet ``ergm`` does
(MPLE, MCMC-MLE), on one-mode and two-mode networks, and :class:`ERGMFit` simulates
from it, checks its fit (:func:`ergm_gof`) and plots its chains.

Pairs ``(i, i)`` are left out. A directed analysis uses every ordered pair ``(i, j)``; an
undirected one (symmetric matrices) each pair once. Permutations run in batches on numpy
arrays: a thousand permutations of a 100-node model take a fraction of a second.
"""

# Inside: _dyadic (matrices from a graph), _input (matrices checked, aligned, cut into
# dyads), _permute (random relabellings in batches, p-values), _correlation, _ols and
# _logit (batched fits), _mrqap; the ERGM in _ergm (fit, result) over _ergm_network,
# _ergm_formula, _ergm_terms, _ergm_sampler, _ergm_mcmle, _ergm_gof and _ergm_plot.
# The reference page (docs/reference/stats.md) sets the order in which the names are shown.
from cobuild_graph.stats._correlation import QAPCorrelation, qap_correlation
from cobuild_graph.stats._dyadic import (
    EARTH_RADIUS_KM,
    difference_matrix,
    distance_matrix,
    same_matrix,
    shared_neighbours_matrix,
    tie_matrix,
)
from cobuild_graph.stats._ergm import ERGMFit, ergm
from cobuild_graph.stats._ergm_gof import ERGMGof, ergm_gof
from cobuild_graph.stats._ergm_plot import plot_ergm_gof, plot_ergm_traces
from cobuild_graph.stats._ergm_terms import TERMS as ERGM_TERMS
from cobuild_graph.stats._mrqap import INTERCEPT, mrqap

__all__ = [
    "EARTH_RADIUS_KM",
    "ERGM_TERMS",
    "INTERCEPT",
    "ERGMFit",
    "ERGMGof",
    "QAPCorrelation",
    "difference_matrix",
    "distance_matrix",
    "ergm",
    "ergm_gof",
    "mrqap",
    "plot_ergm_gof",
    "plot_ergm_traces",
    "qap_correlation",
    "same_matrix",
    "shared_neighbours_matrix",
    "tie_matrix",
]
