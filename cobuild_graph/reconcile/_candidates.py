"""Which names of one kind to suggest as the same, by blocking: never every pair of names.

Three ways to a suggestion, each through an index, not a comparison of all pairs:

1. the same compared form (:meth:`Forms.compared`: legal form, qualifier, party organisation,
   abbreviation, 校): one dictionary lookup per name;
2. an administrative prefix: each name, less its prefixes one at a time, looked up among the
   others' forms;
3. spelling, only between forms that write the same numbers and name the same districts
   (:func:`numbers`, :func:`districts`: forms whose numbers or districts differ are different
   units), so each index below is kept per such block. For similarity (rapidfuzz's normalised
   Indel ratio) each form indexes its rarest characters (rarity counted among all forms), as
   many as the edits within the threshold can take away (prefix filtering), so that two forms
   of one block at least as similar as the threshold always share an indexed character; for
   containment each short form looks up its three rarest character bigrams.

The pairs an index gives are listed (after the length filter), scored and dropped in batches
of at most ``_BATCH``: memory grows with the forms and the suggestions, not with the pairs of
a large block. Time still grows with the pairs listed: a block of many forms that share a
rare character (and no number) is compared pair by pair, batch after batch.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import Indel, LCSseq

from cobuild_graph.reconcile._names import RULE_SCORES, Forms, districts, numbers

logger = logging.getLogger(__name__)

# A bigram shared by more forms than this is too common to find containment by.
_COMMON = 500
_CONTAINMENT_PROBES = 3
_MIN_CONTAINED = 4
# Candidate pairs listed and scored at once.
_BATCH = 1 << 20


@dataclass(frozen=True)
class Pair:
    """A suggestion between rule keys ``a`` and ``b`` (positions in the list of keys)."""

    a: int
    b: int
    score: float
    reasons: tuple[str, ...]


def suggest(keys: Sequence[str], forms: Forms, *, similarity: float) -> list[Pair]:
    """Suggestions among the distinct rule keys of one kind.

    Parameters
    ----------
    keys
        Distinct rule keys of one kind.
    forms
        The dictionaries and prefixes in force.
    similarity
        The least Indel ratio (0–100) of two forms for a spelling suggestion.

    Returns
    -------
    list of Pair
        One per pair of keys (``a < b``), the best-scored reasons.
    """
    compared = [forms.compared(k) for k in keys]
    by_form: dict[str, list[int]] = defaultdict(list)
    for i, (form, _) in enumerate(compared):
        by_form[form].append(i)
    best: dict[tuple[int, int], Pair] = {}

    def add(i: int, j: int, score: float, reasons: Iterable[str]) -> None:
        a, b = min(i, j), max(i, j)
        if a != b and ((a, b) not in best or best[a, b].score < score):
            best[a, b] = Pair(a, b, score, tuple(sorted(reasons)))

    def differences(i: int, j: int) -> frozenset[str]:
        ri, rj = compared[i][1], compared[j][1]
        return (ri ^ rj) or (ri & rj)

    for members in by_form.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                reasons = differences(i, j)
                add(i, j, min(RULE_SCORES[r] for r in reasons), reasons)
    for form, members in by_form.items():
        for shorter in forms.shorter(form):
            for j in by_form.get(shorter, ()):
                for i in members:
                    reasons = differences(i, j) | {"prefix"}
                    add(i, j, min(RULE_SCORES[r] for r in reasons), reasons)

    distinct = list(by_form)
    ruled = {(compared[p.a][0], compared[p.b][0]) for p in best.values()}
    for x, y, score, reason in _spelling(distinct, similarity):
        fx, fy = distinct[x], distinct[y]
        if (fx, fy) in ruled or (fy, fx) in ruled:
            continue
        for i in by_form[fx]:
            for j in by_form[fy]:
                add(i, j, score, (reason,))
    return sorted(best.values(), key=lambda p: (p.a, p.b))


def _bigrams(text: str) -> set[str]:
    return {text[k : k + 2] for k in range(len(text) - 1)} or {text}


def similar_candidates(
    forms: Sequence[str], similarity: float, blocks: np.ndarray | None = None
) -> set[tuple[int, int]]:
    """Pairs of `forms` that may have an Indel ratio of at least `similarity` (0–100).

    Every pair that does, and is of one block, is among them (prefix filtering): a ratio
    ``t`` allows at most ``d = (1 - t) (la + lb)`` insertions and deletions, and each deletion
    takes at most one of a form's distinct characters away, so two such forms share one of
    each other's ``d + 1`` rarest characters (rarity counted among all `forms`). Only those
    are indexed, per block, and only forms of compatible lengths are paired.

    Parameters
    ----------
    forms
        Distinct forms.
    similarity
        The least Indel ratio (0–100).
    blocks
        A block number per form: only pairs of one block are candidates. ``None``: one block.

    Returns
    -------
    set of tuple of int
        Pairs of positions in `forms`, the smaller first.
    """
    if blocks is None:
        blocks = np.zeros(len(forms), dtype=np.int64)
    return {
        pair
        for first, second in _similar_pairs(forms, similarity, blocks)
        for pair in zip(first.tolist(), second.tolist(), strict=True)
    }


def _blocks(forms: Sequence[str]) -> np.ndarray:
    """A number per form, the same for forms that write the same numbers and districts."""
    kinds: dict[tuple[tuple[str, ...], frozenset[str]], int] = {}
    return np.array(
        [kinds.setdefault((numbers(f), districts(f)), len(kinds)) for f in forms], dtype=np.int64
    )


def _longest(lengths: np.ndarray, t: float) -> np.ndarray:
    """The longest of `lengths` a form of each of `lengths` may be at ratio `t` (0–1) to."""
    present = np.unique(lengths)
    la, lb = present[:, None], present[None, :]
    near = (lb >= la) & (lb - la <= (1 - t) * (la + lb) + 1e-9)
    return np.where(near, lb, -1).max(axis=1)[np.searchsorted(present, lengths)]


def _pairs_within(
    groups: np.ndarray, members: np.ndarray, lengths: np.ndarray, t: float
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every pair of `members` that share a group and whose lengths allow a ratio `t` (0–1),
    the smaller first, in batches of at most ``_BATCH`` pairs (more only when one member
    alone has more partners).

    `groups` and `members` are sorted by group, then by the members' length.
    """
    if not len(members):
        return
    # sorted by length within a group, a member's partners are the ones after it up to the
    # longest length allowed: counted before any pair is listed
    size = int(lengths.max()) + 1
    keys = groups * size + lengths[members]
    ends = np.searchsorted(keys, groups * size + _longest(lengths[members], t), side="right")
    counts = ends - np.arange(len(members)) - 1
    totals = np.cumsum(counts)
    start = 0
    while start < len(members):
        before = totals[start] - counts[start]
        stop = max(start + 1, int(np.searchsorted(totals, before + _BATCH, side="right")))
        each = counts[start:stop]
        if each.sum():
            at = np.repeat(np.arange(start, stop), each)
            partner = at + 1 + np.arange(len(at)) - np.repeat(np.cumsum(each) - each, each)
            a, b = members[at], members[partner]
            yield np.minimum(a, b), np.maximum(a, b)
        start = stop


def _unique_pairs(a: np.ndarray, b: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs, sorted."""
    codes = np.sort(a.astype(np.int64) * size + b)
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes
    return codes // size, codes % size


def _similar_pairs(
    forms: Sequence[str], similarity: float, blocks: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    chars = [set(f) for f in forms]
    df = Counter(c for cs in chars for c in cs)
    t = similarity / 100
    indexed: list[str] = []
    members: list[int] = []
    for i, (form, cs) in enumerate(zip(forms, chars, strict=True)):
        longest = len(form) * (2 - t) / t if t > 0 else math.inf
        edits = math.floor((1 - t) * (len(form) + longest) + 1e-9) if t > 0 else len(cs)
        rarest = sorted(cs, key=lambda c: (df[c], c))[: edits + 1]
        indexed.extend(rarest)
        members.extend([i] * len(rarest))
    codes = pd.factorize(pd.Series(indexed, dtype=object))[0]
    at = np.asarray(members, dtype=np.int64)
    lengths = np.fromiter((len(f) for f in forms), dtype=np.int64, count=len(forms))
    groups = blocks[at] * (len(df) + 1) + codes
    order = np.lexsort((at, lengths[at], groups))
    yield from _pairs_within(groups[order], at[order], lengths, t)


def _contained_pairs(
    forms: Sequence[str], blocks: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    grams = [_bigrams(f) for f in forms]
    common = Counter(g for gs in grams for g in gs)
    # only bigrams rare enough to probe are indexed, per block
    index: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, (block, gs) in enumerate(zip(blocks.tolist(), grams, strict=True)):
        for g in gs:
            if common[g] <= _COMMON:
                index[block, g].append(i)
    first: list[int] = []
    second: list[int] = []
    for i, (form, block, gs) in enumerate(zip(forms, blocks.tolist(), grams, strict=True)):
        if len(form) < _MIN_CONTAINED:
            continue
        rarest = sorted(gs, key=lambda g: (common[g], g))[:_CONTAINMENT_PROBES]
        for g in rarest:
            for j in index.get((block, g), ()):
                other = forms[j]
                if len(other) > len(form) and other[-1] == form[-1]:
                    first.append(min(i, j))
                    second.append(max(i, j))
        if len(first) >= _BATCH:
            yield np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
            first, second = [], []
    yield np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)


def _spelling(forms: Sequence[str], similarity: float) -> list[tuple[int, int, float, str]]:
    # Chinese names share long boilerplate (股份有限公司江苏省分行); what tells them apart is
    # a few rare characters. A spelling suggestion needs both the Indel ratio and the overlap
    # of characters weighted by rarity (idf) at the threshold; its score is the lower.
    df = Counter(c for f in forms for c in set(f))
    idf = {c: math.log((len(forms) + 1) / n) for c, n in df.items()}
    blocks = _blocks(forms)
    texts = np.asarray(forms, dtype=object)
    lengths = np.fromiter((len(f) for f in forms), dtype=np.int64, count=len(forms))
    last = np.array([f[-1:] for f in forms], dtype=object)
    found: dict[tuple[int, int], tuple[float, str]] = {}
    listed = most = 0
    batches = chain(_similar_pairs(forms, similarity, blocks), _contained_pairs(forms, blocks))
    for first, second in batches:
        listed, most = listed + len(first), max(most, len(first))
        # a pair may come in several batches: its score is the same in each
        first, second = _unique_pairs(first, second, max(len(forms), 1))
        if not len(first):
            continue
        ratios = 100 * process.cpdist(
            texts[first], texts[second], scorer=Indel.normalized_similarity, dtype=np.float64
        )
        shortest = np.minimum(lengths[first], lengths[second])
        may_contain = (shortest >= _MIN_CONTAINED) & (last[first] == last[second])
        kept = (ratios >= similarity) | may_contain
        for i, j, ratio in zip(
            first[kept].tolist(), second[kept].tolist(), ratios[kept].tolist(), strict=True
        ):
            a, b = forms[i], forms[j]
            if ratio >= similarity:
                ca, cb = set(a), set(b)
                union = sum(idf[c] for c in ca | cb)
                weighted = 100 * sum(idf[c] for c in ca & cb) / union if union else 100.0
                if weighted >= similarity:
                    found[i, j] = (round(min(ratio, weighted), 1), "similar")
                continue
            short, long = (a, b) if len(a) < len(b) else (b, a)
            if short[:2] in long and LCSseq.similarity(short, long) == len(short):
                found[i, j] = (RULE_SCORES["contained"], "contained")
    logger.debug("%d forms: %d candidate pairs, at most %d at once", len(forms), listed, most)
    return [(i, j, *found[i, j]) for i, j in sorted(found)]
