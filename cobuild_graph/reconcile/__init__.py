"""Reconcile the names of a researcher's rosters, reviewably: rules merge, the rest is suggested.

The same organisation is written many ways across rosters (docs/reconcile.md). What a rule can
decide is merged automatically: width (NFKC), spaces and U+3000, bracket variants, and the
suffixes of a place's own kind (社区居委会 / 社区居民委员会, 街道办事处). Everything else —
administrative prefixes, legal-form suffixes, abbreviations, bracketed qualifiers, party
organisations, containment, similar spelling — is a *suggestion* with a reason and a score,
written to a review workbook; the researcher's decisions are a file beside the data, applied
on every run, so the study can be repeated.

Ids are stable: an entity's id is its kind and a hash of its rule key
(:func:`entity_id`), so the same roster gives the same ids every run, in any row order, and
appended rows never renumber old ones. Merged entities keep the id of the member key that
sorts first.
"""

# Inside: _names (the rule key, the forms suggestions compare, the dictionaries),
# _candidates (blocking and scoring), _decisions (the decisions and names read back, and the
# review workbook's layout), _engine (reconcile, ids, decisions applied), _review (the review
# workbook written from the engine's result), _categories (unit categories). One way:
# _review imports _engine, which imports _decisions.
from cobuild_graph.reconcile._categories import CATEGORIES, unit_categories, unit_category
from cobuild_graph.reconcile._decisions import (
    DECISION_COLUMNS,
    KEEP_APART,
    MERGE,
    read_decisions,
    read_names,
)
from cobuild_graph.reconcile._engine import (
    ACCEPT_ABOVE,
    ENTITY_COLUMNS,
    EVIDENCE_LABELS,
    OCCURRENCE_COLUMNS,
    SIMILARITY,
    SUGGESTION_COLUMNS,
    Reconciliation,
    entity_id,
    reconcile,
)
from cobuild_graph.reconcile._names import (
    ABBREVIATIONS,
    LEGAL_SUFFIXES,
    OWN_SUFFIXES,
    PARTY_SUFFIXES,
    PREFIXES,
    REASONS,
    RULE_SCORES,
    normalize_name,
)
from cobuild_graph.reconcile._review import write_review

__all__ = [
    "ABBREVIATIONS",
    "ACCEPT_ABOVE",
    "CATEGORIES",
    "DECISION_COLUMNS",
    "ENTITY_COLUMNS",
    "EVIDENCE_LABELS",
    "KEEP_APART",
    "LEGAL_SUFFIXES",
    "MERGE",
    "OCCURRENCE_COLUMNS",
    "OWN_SUFFIXES",
    "PARTY_SUFFIXES",
    "PREFIXES",
    "REASONS",
    "RULE_SCORES",
    "SIMILARITY",
    "SUGGESTION_COLUMNS",
    "Reconciliation",
    "entity_id",
    "normalize_name",
    "read_decisions",
    "read_names",
    "reconcile",
    "unit_categories",
    "unit_category",
    "write_review",
]
