"""Name reconciliation: rules merge, everything else is a suggestion the researcher decides."""

from __future__ import annotations

import logging
import math
import random
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from rapidfuzz import process
from rapidfuzz.distance import Indel, LCSseq

from cobuild_graph.errors import CobuildGraphError, ValidationError
from cobuild_graph.reconcile import (
    ABBREVIATIONS,
    KEEP_APART,
    MERGE,
    RULE_SCORES,
    _candidates,
    _engine,
    entity_id,
    normalize_name,
    read_decisions,
    reconcile,
    unit_categories,
    unit_category,
    write_review,
)
from cobuild_graph.reconcile._candidates import similar_candidates
from tests._workbooks import HOSTILE, texts, workbook_cells


def occurrences(names: list[str], kind: str = "unit", file: str = "名册.xlsx") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": names,
            "kind": kind,
            "file": file,
            "sheet": "2022",
            "row": range(2, len(names) + 2),
        }
    )


def pair(found, a: str, b: str) -> pd.Series | None:
    """The suggestion between the names `a` and `b` (by rule key), if any."""
    s = found.suggestions
    kind = found.occurrences.loc[found.occurrences["name"] == a, "label"].iloc[0]
    ka, kb = sorted((normalize_name(a, kind), normalize_name(b, kind)))
    hit = s[(s["kind"] == kind) & (s["key_a"] == ka) & (s["key_b"] == kb)]
    return None if hit.empty else hit.iloc[0]


def same_entity(found, a: str, b: str) -> bool:
    ids = found.occurrences.drop_duplicates("name").set_index("name")["id"]
    return bool(ids[a] == ids[b])


# -- merged by rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        ("community", ["道前社区", "道前社区居委会", "道前社区居民委员会", "道前社区\u3000"]),
        ("community", [" 道前 社区", "道前社区居委会\t"]),
        ("street", ["沧浪街道", "沧浪街道办事处", "沧浪街道办"]),
        ("unit", ["苏州市公安局（姑苏分局）", "苏州市公安局(姑苏分局)", "苏州市公安局[姑苏分局]"]),
        ("unit", ["ＳＺ１２３中心", "SZ123中心", "SZ 123 中心"]),
    ],
)  # fmt: skip
def test_width_spaces_brackets_and_own_suffixes_merge_by_rule(kind: str, names: list[str]) -> None:
    found = reconcile(occurrences(names, kind))
    assert len(found.entities) == 1
    assert found.suggestions.empty
    entity = found.entities.iloc[0]
    assert sorted(entity["spellings"]) == sorted(set(names))
    assert entity["occurrences"] == len(names)


def test_a_party_organisation_is_suggested_never_merged_with_its_place() -> None:
    found = reconcile(
        pd.concat(
            [
                occurrences(
                    ["道前社区", "道前社区居委会", "道前社区党委", "道前社区党总支"], "社区"
                ),
                occurrences(["沧浪街道办事处", "沧浪街道党工委"], "Street"),
            ]
        )
    )
    assert len(found.entities) == 5
    for a, b in [("道前社区", "道前社区党委"), ("沧浪街道办事处", "沧浪街道党工委")]:
        assert not same_entity(found, a, b)
        suggestion = pair(found, a, b)
        assert suggestion is not None
        assert "party organisation" in suggestion["reason"]
        assert suggestion["score"] < 90  # below the usual --accept threshold
    # two party bodies of one community: a suggestion too, never a merge
    assert pair(found, "道前社区党委", "道前社区党总支") is not None


def test_names_of_different_kinds_are_never_compared() -> None:
    found = reconcile(
        pd.concat([occurrences(["道前社区"], "community"), occurrences(["道前社区"])])
    )
    assert len(found.entities) == 2
    assert found.suggestions.empty
    assert set(found.entities["kind"]) == {"Community", "Unit"}


# -- suggested ----------------------------------------------------------------------------

SUGGESTED = [
    ("市政设施管理处", "苏州市市政设施管理处", "administrative prefix"),
    ("苏州市律师协会", "江苏省苏州市律师协会", "administrative prefix"),
    ("姑苏区税务局", "国家税务总局苏州市姑苏区税务局", "administrative prefix"),
    ("苏州银行", "苏州银行股份有限公司", "legal-form"),
    ("苏州轨道交通集团", "苏州轨道交通集团有限公司", "legal-form"),
    ("某某创业投资中心", "某某创业投资中心（有限合伙）", "legal-form"),
    ("苏州某某有限责任公司", "苏州某某有限公司", "legal-form"),
    ("中国移动苏州分公司", "中国移动通信集团江苏有限公司苏州分公司", "in order"),
    ("苏州供电公司", "国网苏州供电公司", "administrative prefix"),
    ("苏州供电公司", "国网江苏省电力有限公司苏州供电分公司", "in order"),
    ("国网苏州供电公司", "国网江苏省电力有限公司苏州供电分公司", "in order"),
    ("苏州市第十中学", "苏州市第十中学校", "school"),
    ("苏州大学（本部）", "苏州大学", "qualifier"),
    ("苏州市妇联", "苏州市妇女联合会", "abbreviation"),
    ("团市委", "共青团苏州市委员会", "abbreviation"),
    ("苏州市工商联", "苏州市工商业联合会", "abbreviation"),
    ("苏州市公积金中心", "苏州市住房公积金管理中心", "abbreviation"),
    ("姑苏区人社局", "苏州市姑苏区人力资源和社会保障局", "administrative prefix"),
]


@pytest.mark.parametrize(("a", "b", "reason"), SUGGESTED)
def test_every_other_naming_pattern_is_a_suggestion_not_a_merge(
    a: str, b: str, reason: str
) -> None:
    found = reconcile(occurrences([a, b, a]))
    assert not same_entity(found, a, b)
    suggestion = pair(found, a, b)
    assert suggestion is not None, (a, b)
    assert reason in suggestion["reason"]
    assert suggestion["decision"] is None
    assert {suggestion["name_a"], suggestion["name_b"]} == {a, b}
    assert suggestion["rows_a" if suggestion["name_a"] == a else "rows_b"] == (
        "名册.xlsx/2022:2, 名册.xlsx/2022:4"
    )


@pytest.mark.parametrize("short", sorted(ABBREVIATIONS))
def test_each_abbreviation_of_the_dictionary_is_suggested(short: str) -> None:
    found = reconcile(occurrences([f"苏州市{short}", f"苏州市{ABBREVIATIONS[short]}"]))
    assert pair(found, f"苏州市{short}", f"苏州市{ABBREVIATIONS[short]}") is not None


def test_the_caller_extends_abbreviations_and_prefixes() -> None:
    names = ["市总", "苏州市总工会", "某某服务中心", "吴江经开区管委会某某服务中心"]
    found = reconcile(occurrences(names))
    assert found.suggestions.empty  # 经开区 names a district the other does not
    found = reconcile(
        occurrences(names), abbreviations={"市总": "苏州市总工会"}, prefixes=["吴江经开区管委会"]
    )
    assert "abbreviation" in pair(found, "市总", "苏州市总工会")["reason"]
    prefixed = pair(found, "某某服务中心", "吴江经开区管委会某某服务中心")
    assert prefixed["reason"] == "行政前缀 administrative prefix"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("南环第一社区", "南环第二社区"),
        ("苏州市第一中学", "苏州市第十中学"),
        ("姑苏区税务局", "吴中区税务局"),
        ("苏州市第1人民医院", "苏州市第2人民医院"),
    ],
)
def test_different_numbers_or_places_are_kept_apart(a: str, b: str) -> None:
    kind = "community" if "社区" in a else "unit"
    found = reconcile(occurrences([a, b], kind))
    assert len(found.entities) == 2
    assert found.suggestions.empty


def test_a_similar_spelling_is_suggested_when_its_rare_characters_agree() -> None:
    a, b = "苏州团市委", "苏州市团市委"  # both written out: 苏州(市)共青团市委员会
    others = [
        "苏州市星海实验中学",
        "苏州市星港实验中学",
        "中国农业银行苏州分行",
        "中国工商银行苏州分行",
    ]
    found = reconcile(occurrences([a, b, *others]))
    suggestion = pair(found, a, b)
    assert "similar spelling" in suggestion["reason"]
    ratio = Indel.normalized_similarity("苏州共青团市委员会", "苏州市共青团市委员会") * 100
    assert suggestion["score"] == pytest.approx(ratio, abs=0.05)
    # one rare character apart: alike in spelling, different units
    assert len(found.suggestions) == 1
    # under a stricter threshold the pair is still contained, at containment's lower score
    stricter = pair(reconcile(occurrences([a, b]), similarity=95), a, b)
    assert "in order" in stricter["reason"]
    assert stricter["score"] == 80


# -- blocking ----------------------------------------------------------------------------


def generated_names(count: int, seed: int) -> list[str]:
    """Names from a few hundred characters, a third of them near copies of another."""
    rng = random.Random(seed)
    pool = [chr(c) for c in range(0x4E00, 0x4E00 + 1000)]
    tails = ["中学", "小学", "医院", "银行", "有限公司", "中心", "协会", "研究所", "管理处", "局"]
    names: set[str] = set()
    while len(names) < count:
        if names and rng.random() < 0.35:
            name = list(rng.choice(sorted(names)))
            for _ in range(rng.randint(1, 2)):  # a typo, a character more or less
                at = rng.randrange(len(name))
                edit = rng.choice(["swap", "insert", "delete"])
                if edit == "swap":
                    name[at] = rng.choice(pool)
                elif edit == "insert":
                    name.insert(at, rng.choice(pool))
                elif len(name) > 3:
                    del name[at]
            names.add("".join(name))
        else:
            names.add("".join(rng.choices(pool, k=rng.randint(3, 10))) + rng.choice(tails))
    return sorted(names)


@pytest.mark.parametrize("threshold", [70, 80, 90])
def test_blocking_finds_every_pair_an_all_pairs_comparison_finds(threshold: float) -> None:
    names = generated_names(400, seed=threshold)
    scores = process.cdist(names, names, scorer=Indel.normalized_similarity, workers=1)
    i, j = np.nonzero(np.triu(scores >= threshold / 100 - 1e-9, k=1))
    brute = set(zip(i.tolist(), j.tolist(), strict=True))
    assert len(brute) > 20
    candidates = similar_candidates(names, threshold)
    found = {(a, b) for a, b in candidates if scores[a, b] >= threshold / 100 - 1e-9}
    assert found == brute
    if threshold >= 90:  # the default: far from all pairs
        assert len(candidates) < len(names) * (len(names) - 1) / 2 / 20


def numbered_names(count: int, seed: int) -> list[str]:
    """Generated names with numbered and districted look-alikes (第3中学, 第13中学, 第十中学)."""
    rng = random.Random(seed)
    numbered = [
        f"{place}第{number}{kind}"
        for place in ("", "苏州市", "吴中区", "苏州市吴江区")
        for number in ("3", "13", "31", "十", "一", "十一")
        for kind in ("中学", "中学校", "号公司", "人民医院", "人民医院(本部)")
    ]
    names = generated_names(count, seed) + rng.sample(numbered, len(numbered) // 2)
    near = [n[:-1] + rng.choice("的一是") for n in rng.sample(names, count // 10)]
    return sorted(set(names + near))


def all_pairs_spelling(forms: list[str], similarity: float) -> dict[tuple[int, int], tuple]:
    """The spelling rules of every pair of `forms`, compared one by one (no blocking)."""
    df = {c: sum(c in f for f in forms) for c in set("".join(forms))}
    idf = {c: math.log((len(forms) + 1) / n) for c, n in df.items()}
    blocks = [(_candidates.numbers(f), _candidates.districts(f)) for f in forms]
    out: dict[tuple[int, int], tuple] = {}
    for i, a in enumerate(forms):
        for j in range(i + 1, len(forms)):
            b = forms[j]
            if blocks[i] != blocks[j]:
                continue
            ratio = 100 * Indel.normalized_similarity(a, b)
            short, long = sorted((a, b), key=len)
            if ratio >= similarity:
                union = sum(idf[c] for c in set(a) | set(b))
                weighted = 100 * sum(idf[c] for c in set(a) & set(b)) / union
                if weighted >= similarity:
                    out[i, j] = (round(min(ratio, weighted), 1), "similar")
            elif (
                len(short) >= 4
                and short[-1] == long[-1]
                and short[:2] in long
                and LCSseq.similarity(short, long) == len(short)
            ):
                out[i, j] = (RULE_SCORES["contained"], "contained")
    return out


@pytest.mark.parametrize("batch", [1 << 20, 7])
@pytest.mark.parametrize("threshold", [80, 90])
def test_spelling_suggestions_are_those_of_an_all_pairs_comparison(
    threshold: float, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_candidates, "_BATCH", batch)
    forms = numbered_names(300, seed=threshold)
    found = {(i, j): tuple(rest) for i, j, *rest in _candidates._spelling(forms, threshold)}
    brute = all_pairs_spelling(forms, threshold)
    similar = {p: s for p, s in brute.items() if s[1] == "similar"}
    assert len(similar) > 10
    assert {p: s for p, s in found.items() if s[1] == "similar"} == similar
    # containment is looked for through the shorter form's rarest bigrams: found ones are right
    contained = {p: s for p, s in found.items() if s[1] == "contained"}
    assert contained
    assert contained.items() <= brute.items()
    # and numbers and districts keep apart what they name: 第3中学 / 第13中学 / 吴中区第3中学
    at = {f: k for k, f in enumerate(forms)}
    for a, b in [("第3中学", "第13中学"), ("第3中学", "吴中区第3中学"), ("第十中学", "第十一中学")]:
        if a in at and b in at:
            assert tuple(sorted((at[a], at[b]))) not in found


def test_blocking_by_numbers_and_districts_keeps_every_pair_of_a_block() -> None:
    forms = numbered_names(300, seed=7)
    blocks = _candidates._blocks(forms)
    blocked = similar_candidates(forms, 80, blocks)
    assert blocked == {(a, b) for a, b in similar_candidates(forms, 80) if blocks[a] == blocks[b]}


def candidate_counts(caplog: pytest.LogCaptureFixture) -> list[tuple[int, int, int]]:
    """(forms, candidate pairs, most at once) of each kind `_spelling` suggested among."""
    return [r.args for r in caplog.records if r.name == _candidates.__name__]  # type: ignore[misc]


@pytest.mark.slow
def test_distinct_numbered_names_list_candidate_pairs_linearly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    count = 20_000
    shapes = ("第{}号公司", "第{}中学", "苏州市第{}人民医院")
    names = [shapes[k % 3].format(k // 3 + 1) for k in range(count)]
    with caplog.at_level(logging.DEBUG, logger=_candidates.__name__):
        found = reconcile(occurrences(names + names[::7]))
    assert len(found.entities) == count
    assert found.suggestions.empty
    (forms, listed, most), *_ = candidate_counts(caplog)
    assert forms == count
    # before blocking by number, every pair sharing a digit was listed: about count² / 10
    assert listed <= 2 * count
    assert most <= _candidates._BATCH


@pytest.mark.slow
def test_a_large_block_without_numbers_is_scored_in_batches(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(3)
    alphabet = "华海新天金东南西北中兴盛达通远建恒泰"  # few characters: large blocks
    stems = {"".join(rng.choices(alphabet, k=rng.randint(4, 7))) for _ in range(1500)}
    forms = sorted(f"{stem}中心" for stem in stems)
    whole = _candidates._spelling(forms, 80)
    monkeypatch.setattr(_candidates, "_BATCH", 1000)
    with caplog.at_level(logging.DEBUG, logger=_candidates.__name__):
        assert _candidates._spelling(forms, 80) == whole
    ((_, listed, most),) = candidate_counts(caplog)
    # a batch is full once past 1000 pairs; containment adds at most 3 x 500 at a time
    assert listed > 20 * 1000
    assert most <= 1000 + 3 * 500


# -- decisions ---------------------------------------------------------------------------


def decide(review: Path, decisions: dict[tuple[str, str], str]) -> None:
    book = openpyxl.load_workbook(review)
    sheet = book["建议 suggestions"]
    header = [c.value for c in sheet[1]]
    a, b, d = (header.index(h) for h in ("名称甲 name_a", "名称乙 name_b", "决定 decision"))
    for row in sheet.iter_rows(min_row=2):
        key = (row[a].value, row[b].value)
        for names in (key, key[::-1]):
            if names in decisions:
                row[d].value = decisions[names]
    book.save(review)


def test_decisions_round_trip_through_the_review_workbook(tmp_path: Path) -> None:
    names = ["苏州市妇联", "苏州市妇女联合会", "苏州大学（本部）", "苏州大学"]
    names += ["苏州银行", "苏州银行股份有限公司"]
    roster = occurrences(names)
    first = reconcile(roster)
    assert first.summary()["entities"] == 6
    assert first.summary()["undecided"] == 3
    review = write_review(first, tmp_path / "review.xlsx")
    decide(
        review,
        {
            ("苏州市妇联", "苏州市妇女联合会"): "合并 merge",
            ("苏州大学", "苏州大学（本部）"): "分开 keep apart",
        },
    )
    decisions = read_decisions(review)
    assert sorted(decisions["decision"]) == [KEEP_APART, MERGE]
    assert decisions["row"].tolist() == sorted(decisions["row"].tolist())

    second = reconcile(roster, decisions=review)
    assert second.summary() | {"spellings": 0} == {
        "spellings": 0,
        "keys": 6,
        "entities": 5,
        "suggestions": 3,
        "merged": 1,
        "kept_apart": 1,
        "undecided": 1,
        "rule_merges": 0,
        "split": 0,
        "canonical": 0,
        "absent_decisions": 0,
        "absent_names": 0,
    }
    assert same_entity(second, "苏州市妇联", "苏州市妇女联合会")
    assert pair(second, "苏州大学", "苏州大学（本部）")["decided_by"] == "file"
    # the merged entity: the id of the key that sorts first, the most frequent spelling
    merged = second.entities.loc[second.occurrences.set_index("name")["id"]["苏州市妇联"]]
    assert merged.name == entity_id("Unit", min("苏州市妇联", "苏州市妇女联合会"))
    assert sorted(merged["keys"]) == ["苏州市妇女联合会", "苏州市妇联"]

    # the review written again keeps the decisions; accepting all merges only the undecided
    again = write_review(second, tmp_path / "again.xlsx")
    assert len(read_decisions(again)) == 2
    third = reconcile(roster, decisions=again, accept_above=0)
    assert len(third.entities) == 4
    assert not same_entity(third, "苏州大学", "苏州大学（本部）")
    assert pair(third, "苏州银行", "苏州银行股份有限公司")["decided_by"] == "threshold"


def test_decisions_match_any_spelling_the_rules_merge_and_need_no_suggestion(
    tmp_path: Path,
) -> None:
    roster = occurrences(["道前社区居委会", "十全街社区", "道前社区"], "community")
    csv = tmp_path / "decisions.csv"
    csv.write_bytes(
        "类型,名称甲,名称乙,决定\n社区,道前社区居民委员会,十全街社区,合并\n".encode("gbk")
    )
    found = reconcile(roster, decisions=csv)
    assert len(found.entities) == 1
    assert found.suggestions.loc[0, "reason"] == "研究者的决定 the researcher's decision"


def test_accept_above_takes_only_suggestions_at_or_over_the_threshold() -> None:
    roster = occurrences(["苏州银行", "苏州银行股份有限公司", "苏州大学", "苏州大学（本部）"])
    assert len(reconcile(roster, accept_above=95).entities) == 3
    assert len(reconcile(roster, accept_above=95.1).entities) == 4
    accepted = reconcile(roster, accept_above=90)
    assert not same_entity(accepted, "苏州大学", "苏州大学（本部）")  # a qualifier scores 70
    assert accepted.summary()["merged"] == 1


def test_accept_above_never_merges_what_a_decision_keeps_apart() -> None:
    # 苏州银行 = 苏州银行股份有限公司 (95) and 苏州银行有限公司 (95); keep the last two apart
    roster = occurrences(["苏州银行", "苏州银行股份有限公司", "苏州银行有限公司"])
    keep = pd.DataFrame(
        {"kind": ["unit"], "name_a": ["苏州银行股份有限公司"], "name_b": ["苏州银行有限公司"],
         "decision": ["分开"]}
    )  # fmt: skip
    found = reconcile(roster, decisions=keep, accept_above=90)
    assert len(found.entities) == 2
    assert found.summary()["merged"] == 1


def test_contradictory_decisions_are_refused_with_their_rows() -> None:
    roster = occurrences(["甲单位", "乙单位", "丙单位"])
    decisions = pd.DataFrame(
        {
            "kind": ["unit"] * 3,
            "name_a": ["甲单位", "乙单位", "甲单位"],
            "name_b": ["乙单位", "丙单位", "丙单位"],
            "decision": ["分开", "合并", "合并"],
        }
    )
    with pytest.raises(ValidationError, match="keeps apart") as error:
        reconcile(roster, decisions=decisions)
    # the merge that closes the chain, and the keep-apart it contradicts, each naming the other
    problems = error.value.problems.sort_values("row")
    assert problems["row"].tolist() == [2, 4]
    assert "row 4" in problems["message"].iloc[0]
    assert "row 2" in problems["message"].iloc[1]


def test_one_pair_merged_and_kept_apart_is_refused_naming_both_rows() -> None:
    roster = occurrences(["苏州市妇联", "苏州市妇女联合会", "苏州银行"])
    decisions = pd.DataFrame(
        {
            "kind": ["unit"] * 3,
            "name_a": ["苏州市妇联", "苏州银行", "苏州市妇女联合会"],
            "name_b": ["苏州市妇女联合会", "苏州市妇联", "苏州市妇联\u3000"],
            "decision": ["合并", "分开", "分开"],
        }
    )
    with pytest.raises(ValidationError, match="decided the other way") as error:
        reconcile(roster, decisions=decisions)
    problems = error.value.problems
    assert problems["row"].tolist() == [2, 4]
    assert "row 4" in problems["message"].iloc[0]
    assert "row 2" in problems["message"].iloc[1]


def test_a_decision_that_is_neither_merge_nor_keep_apart_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("kind,name_a,name_b,decision\nunit,甲,乙,maybe\nvillage,甲,乙,合并\n")
    with pytest.raises(ValidationError, match="unknown decision") as error:
        read_decisions(path)
    assert error.value.problems[["row", "column"]].values.tolist() == [[2, "decision"], [3, "kind"]]
    path.write_text("kind,name_a,decision\n")
    with pytest.raises(ValidationError, match="name_b is missing"):
        read_decisions(path)


# -- stable ids ----------------------------------------------------------------------------

ROSTER = ["苏州银行", "道前社区", "苏州市妇联", "苏州大学（本部）", "苏州大学", "苏州市妇女联合会"]


def test_ids_are_the_same_every_run_in_any_row_order_and_after_appended_rows() -> None:
    roster = occurrences(ROSTER * 3)
    ids = reconcile(roster).occurrences.set_index("name")["id"].to_dict()
    assert reconcile(roster).occurrences.set_index("name")["id"].to_dict() == ids
    shuffled = reconcile(roster.sample(frac=1, random_state=7))
    assert shuffled.occurrences.set_index("name")["id"].to_dict() == ids
    pd.testing.assert_frame_equal(shuffled.entities.drop(columns="rows"),
                                  reconcile(roster).entities.drop(columns="rows"))  # fmt: skip
    more = pd.concat([roster, occurrences(["苏州银行股份有限公司", "沧浪新城社区", "苏州市妇联"])])
    after = reconcile(more).occurrences.drop_duplicates("name").set_index("name")["id"]
    assert {n: after[n] for n in ids} == ids
    assert ids["苏州银行"] == entity_id("Unit", "苏州银行")


def test_a_merged_entity_keeps_its_id_when_rows_are_appended() -> None:
    merge = pd.DataFrame(
        {"kind": ["unit"], "name_a": ["苏州市妇联"], "name_b": ["苏州市妇女联合会"]}
    ).assign(decision="合并")
    before = reconcile(occurrences(ROSTER), decisions=merge)
    after = reconcile(occurrences([*ROSTER, "苏州市妇联", "苏州市妇联"]), decisions=merge)
    id_before = before.occurrences.set_index("name")["id"]["苏州市妇联"]
    assert after.occurrences.set_index("name")["id"]["苏州市妇女联合会"] == id_before
    # the canonical name follows the rows (now 苏州市妇联 is the more frequent); the id does not
    assert after.entities.loc[id_before, "name"] == "苏州市妇联"


def test_an_id_collision_is_an_error_not_a_silent_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_engine, "_ID_BYTES", 1)
    with pytest.raises(CobuildGraphError, match="same id"):
        reconcile(occurrences([f"单位{i}" for i in range(300)]))


# -- the occurrences table -----------------------------------------------------------------


def test_blank_names_get_no_entity_and_unknown_kinds_are_refused() -> None:
    found = reconcile(occurrences(["苏州银行", "", "\u3000", None]))  # type: ignore[list-item]
    assert len(found.entities) == 1
    assert found.occurrences["id"].isna().tolist() == [False, True, True, True]
    with pytest.raises(ValidationError, match="unknown kind") as error:
        reconcile(occurrences(["苏州银行"], "village"))
    assert error.value.problems[["file", "row"]].values.tolist() == [["名册.xlsx", 2]]
    with pytest.raises(ValidationError, match="missing"):
        reconcile([{"name": "苏州银行"}])


def test_hostile_names_stay_text_in_the_review_workbook(tmp_path: Path) -> None:
    names = [text for text in HOSTILE if len(text) < 1000]
    roster = occurrences([*names, *(f"{n}有限公司" for n in names)], file=HOSTILE[1])
    found = reconcile(roster)
    assert len(found.suggestions) >= 5
    cells = texts(workbook_cells(write_review(found, tmp_path / "review.xlsx"))["建议 suggestions"])
    shown = {*found.suggestions["name_a"], *found.suggestions["name_b"]}
    assert HOSTILE[0] in shown
    assert "a\r\nb\rc有限公司" in shown  # kept as written: only the rule key drops spaces
    assert shown <= cells
    assert any(str(v).startswith(HOSTILE[1]) for v in cells)  # the file name, in rows_a


# -- categories ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "unit_type"),
    [
        *((w, "organ") for w in ("党政机关", "机关", "机关单位", "行政机关")),
        ("事业单位", "institution"),
        *((w, "soe") for w in ("国有企业", "国企", "央企", "市属国企")),
        *((w, "private") for w in ("非公企业", "民营企业", "民企", "私营企业", "外资企业")),
        ("两新组织", "private"),
        *((w, "school") for w in ("学校", "高校", "中小学")),
        *((w, "hospital") for w in ("医院", "卫生院")),
        *((w, "mass") for w in ("群团组织", "群团", "工会", "共青团", "妇联", "科协", "残联")),
        *((w, "social") for w in ("社会组织", "社团", "民办非企业单位", "基金会", "行业协会")),
        ("ＳＯＥ", "soe"),
        (" 国 企\u3000", "soe"),
    ],
)  # fmt: skip
def test_roster_categories_map_onto_the_schema_unit_types(written: str, unit_type: str) -> None:
    assert unit_category(written) == unit_type


def test_unknown_categories_are_kept_as_written_and_reported() -> None:
    table = unit_categories(["国企", "合作社", "国企", "", None, "村集体"])
    assert table.index.tolist() == ["国企", "合作社", "村集体"]
    unknown = table[~table["known"]]
    assert unknown.index.tolist() == ["合作社", "村集体"]
    assert unknown["unit_type"].tolist() == [None, None]
    assert table.loc["国企", "count"] == 2
    extended = unit_categories(["合作社"], extra={"合作社": "private"})
    assert extended.loc["合作社", "unit_type"] == "private"
    with pytest.raises(ValueError, match="not unit_type values: cooperative"):
        unit_categories(["合作社"], extra={"合作社": "cooperative"})


def test_hostile_decision_files_get_a_message(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["类型 kind", "名称甲 name_a", "名称乙 name_b", "决定 decision"])
    sheet.append(["unit", "苏州市妇联", "苏州市妇女联合会", "合并"])
    sheet["XFD1048576"] = "x"  # a claimed sheet of 17 billion cells
    book.save(tmp_path / "review.xlsx")
    with pytest.raises(ValidationError, match=r"row 1048576: 16,384 列.* / 16,384 columns"):
        read_decisions(tmp_path / "review.xlsx")
    long_field = 'kind,name_a,name_b,decision\nunit,"' + "妇" * 200_000 + '",x,合并\n'
    (tmp_path / "decisions.csv").write_text(long_field, encoding="utf-8")
    with pytest.raises(ValidationError, match=r"decisions\.csv.*row 2"):
        read_decisions(tmp_path / "decisions.csv")


# -- the evidence, rule merges undone, canonical names, decisions for absent names ----------


def sheet_rows(review: Path, sheet: str) -> list[dict[str, object]]:
    return pd.read_excel(review, sheet_name=sheet, dtype=str, engine="openpyxl").to_dict("records")


def test_evidence_shows_each_names_attributes_with_counts(tmp_path: Path) -> None:
    roster = occurrences(["苏州市第十中学"] * 4 + ["苏州市第十中学校"]).assign(
        category=["事业单位", "事业单位", "学校", "事业单位", "学校"],
        members=[5, 5, 7, None, 7],
        place="道前社区",
    )
    found = reconcile(roster)
    row = found.suggestions.iloc[0]
    assert row["evidence_a"] == (
        "单位类型 category: 事业单位 ×3、学校 ×1\n党员人数 members: 5 ×2、7 ×1\n"
        "所在地 place: 道前社区 ×4"
    )
    assert row["evidence_b"].startswith("单位类型 category: 学校 ×1\n")
    shown = sheet_rows(write_review(found, tmp_path / "review.xlsx"), "建议 suggestions")[0]
    assert shown["名称甲的属性 evidence_a"] == row["evidence_a"]
    assert shown["本次出现 in this run"] == "是 yes"


def test_a_rule_merge_undone_splits_the_spelling_with_a_stable_id(tmp_path: Path) -> None:
    names = ["道前社区", "道前社区居委会", "道前社区居委会", "胥江社区", "胥江社区居民委员会"]
    roster = occurrences([*names, "道前社区\u3000"], "community")
    first = reconcile(roster)
    # trimming is no spelling; the others are listed, merged by the rules
    assert first.rule_merges[["name_a", "name_b"]].values.tolist() == [
        ["胥江社区", "胥江社区居民委员会"],
        ["道前社区", "道前社区居委会"],
    ]
    assert set(first.rule_merges["decision"]) == {MERGE}
    review = write_review(first, tmp_path / "review.xlsx")
    rules = sheet_rows(review, "规则合并 rule merges")
    assert [r["理由 reason"] for r in rules] == ["规则合并 rule merge"] * 2
    assert [r["决定 decision"] for r in rules] == ["合并 merge"] * 2
    assert read_decisions(review).empty  # the rules' own merges are not decisions
    book = openpyxl.load_workbook(review)
    sheet = book["规则合并 rule merges"]
    sheet["H3"] = "分开 keep apart"  # 道前社区 / 道前社区居委会
    book.save(review)

    second = reconcile(roster, decisions=review)
    before = first.occurrences.drop_duplicates("name").set_index("name")["id"]
    after = second.occurrences.drop_duplicates("name").set_index("name")["id"]
    split = entity_id("Community", "道前社区 道前社区居委会")
    assert after["道前社区居委会"] == split != after["道前社区"]
    assert after.drop("道前社区居委会").to_dict() == before.drop("道前社区居委会").to_dict()
    assert second.entities.loc[split, ["name", "occurrences"]].tolist() == ["道前社区居委会", 2]
    assert second.summary()["split"] == 1
    # the same again, from the workbook written after the split
    again = reconcile(roster, decisions=write_review(second, tmp_path / "again.xlsx"))
    assert again.occurrences["id"].tolist() == second.occurrences["id"].tolist()
    # a merge that would join them again contradicts the split
    merge = pd.DataFrame(
        {"kind": ["社区"], "name_a": ["道前社区居委会"], "name_b": ["道前社区"]}
    ).assign(decision="合并")
    with pytest.raises(ValidationError, match="decided the other way"):
        reconcile(roster, decisions=pd.concat([read_decisions(review), merge]))


def test_a_canonical_name_chosen_in_the_workbook_is_the_entitys_name(tmp_path: Path) -> None:
    roster = occurrences(["苏州市妇联", "苏州市妇联", "苏州市妇女联合会", "苏州银行"])
    merge = {("苏州市妇联", "苏州市妇女联合会"): "合并 merge"}
    review = write_review(reconcile(roster), tmp_path / "review.xlsx")
    decide(review, merge)
    merged = reconcile(roster, decisions=review)
    id_ = merged.occurrences.drop_duplicates("name").set_index("name")["id"]["苏州市妇联"]
    assert merged.entities.loc[id_, "name"] == "苏州市妇联"
    write_review(merged, review)
    names = sheet_rows(review, "名称 names")
    shown = [(r["编号 id"], r["写法 spellings"]) for r in names]
    assert shown == [(id_, "苏州市妇联；苏州市妇女联合会")]
    book = openpyxl.load_workbook(review)
    book["名称 names"]["E2"] = "苏州市妇女联合会"
    book.save(review)

    chosen = reconcile(roster, decisions=review)
    assert chosen.entities.loc[id_, "name"] == "苏州市妇女联合会"
    assert chosen.summary()["canonical"] == 1
    # the choice survives the workbook's rewrite
    write_review(chosen, review)
    assert sheet_rows(review, "名称 names")[0]["规范名称 canonical"] == "苏州市妇女联合会"
    assert reconcile(roster, decisions=review).entities.loc[id_, "name"] == "苏州市妇女联合会"

    book = openpyxl.load_workbook(review)
    book["名称 names"]["E2"] = "苏州银行"
    book.save(review)
    with pytest.raises(ValidationError, match="not a spelling of the entity") as error:
        reconcile(roster, decisions=review)
    assert error.value.problems[["row", "column"]].values.tolist() == [[2, "canonical"]]
    assert "names" in error.value.problems.loc[0, "file"]


def test_a_decision_naming_no_known_spelling_is_kept_and_reported(tmp_path: Path) -> None:
    roster = occurrences(["苏州市妇联", "苏州市妇女联合会", "苏州银行", "苏州银行股份有限公司"])
    decisions = pd.DataFrame(
        {
            "kind": ["unit"] * 3,
            "name_a": ["苏州市妇联", "苏州大学", "苏州银行"],
            "name_b": ["苏州市妇女联合会", "苏州大学（本部）", "苏州农商银行"],
            "decision": ["合并", "分开", "合并"],
        }
    )
    found = reconcile(roster, decisions=decisions)
    assert found.summary()["absent_decisions"] == 2
    absent = found.decisions[~found.decisions["in_run"]]
    assert absent["name_b"].tolist() == ["苏州大学（本部）", "苏州农商银行"]
    review = write_review(found, tmp_path / "review.xlsx")
    rows = sheet_rows(review, "建议 suggestions")
    assert [r["本次出现 in this run"] for r in rows] == ["是 yes", "是 yes", "否 no", "否 no"]
    assert len(read_decisions(review)) == 3  # kept, to apply when the names come back
