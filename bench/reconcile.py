"""Benchmark: reconcile the names of a generated roster with the naming variants planted.

A seeded roster of 100,000 rows (unit, community, street) whose 20,000 distinct unit
spellings name fewer units: each planted naming variant of docs/reconcile.md (width, spaces,
brackets, administrative prefixes, legal-form suffixes, branches of national companies, 校,
abbreviations, (本部)) is kept as ground truth, beside look-alikes that are different units
(第一中学 / 第二中学, 姑苏区税务局 / 吴中区税务局, 星海 / 星港). Prints the time of
`reconcile` with suggestions, the peak memory, and recall and precision of merges +
suggestions against the truth, with the goal ratios.

Recall and precision count pairs of spellings: a pair is found when the rules merge it or a
chain of suggestions joins it (what accepting every suggestion would merge); precision
counts the pairs so joined that are one unit. The share of suggestions that join one unit
is printed too.

    PYTHONPATH=. python3 bench/reconcile.py [--rows 100000] [--names 20000] [--seed 2020]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections import defaultdict

import pandas as pd

GOAL_SECONDS = 10.0
GOAL_RECALL = 0.95
GOAL_PRECISION = 0.90

# Characters of ordinary names, and what the rosters put around them.
_CHARS = (
    "华海新天金东南西北中兴盛达通远建恒泰丰利源福安康宁和平明光宏伟博信诚德隆嘉瑞祥辉"
    "创科技智联合众力鑫卓越星港湖山江河园林桥城湾塘浦泾溪苑湾茂盛荣昌永乐佳美晶晨阳春"
    "润泽青云龙凤鹏翔锦绣华夏启航志成思远融汇铭轩宇航启迪睿景逸晟霖灏骏珑琪璟"
)
_DISTRICTS = ["姑苏区", "吴中区", "相城区", "吴江区", "虎丘区"]
_COMPANY = ["科技有限公司", "贸易有限公司", "实业有限公司", "建设有限公司", "置业有限公司"]
_FAMILIES = ["税务局", "人力资源和社会保障局", "市场监督管理局", "住房和城乡建设局", "妇女联合会"]
_ABBREVIATED = {
    "人力资源和社会保障局": "人社局",
    "市场监督管理局": "市监局",
    "住房和城乡建设局": "住建局",
    "妇女联合会": "妇联",
}
_NUMBERS = "一二三四五六七八九十"


def _stem(rng: random.Random) -> str:
    # a common character, then one or two of the CJK block's first 3,000
    rare = [chr(0x4E00 + rng.randrange(3_000)) for _ in range(rng.choice((1, 1, 2)))]
    return rng.choice(_CHARS) + "".join(rare)


def _bases(rng: random.Random, count: int) -> list[str]:
    """Distinct unit names, with look-alikes that are different units."""
    names: set[str] = set()
    for district in _DISTRICTS:  # the same bureau in every district: different units
        names.update(f"{district}{family}" for family in _FAMILIES)
    while len(names) < count:
        stem, roll = _stem(rng), rng.random()
        if roll < 0.3:
            names.add(f"苏州{stem}{rng.choice(_COMPANY)}")
        elif roll < 0.35:  # a sibling company one character apart: a different unit
            company = rng.choice(_COMPANY)
            names.add(f"苏州{stem}{company}")
            names.add(f"苏州{stem[:-1]}{rng.choice(_CHARS)}{company}")
        elif roll < 0.5:  # numbered schools and hospitals: 第一 ≠ 第二
            place = rng.choice(["苏州市", *_DISTRICTS])
            kind = rng.choice(["中学", "小学", "人民医院"])
            for n in rng.sample(_NUMBERS, rng.randint(1, 3)):
                names.add(f"{place}第{n}{kind}")
        elif roll < 0.6:
            names.add(f"苏州{stem}集团")
        elif roll < 0.65:
            names.add(f"{rng.choice(_DISTRICTS)}{stem}社区卫生服务中心")
        elif roll < 0.7:
            names.add(f"苏州市{stem}服务中心（{rng.choice(_DISTRICTS)[:2]}分中心）")
        elif roll < 0.8:
            names.add(f"苏州市{stem}协会")
        elif roll < 0.9:
            names.add(f"{stem}银行苏州分行")
        else:
            names.add(f"苏州{stem}实验学校")
    return sorted(names)[:count]


def _variant(name: str, rng: random.Random) -> tuple[str, str]:
    """A planted spelling of `name` as rosters write it, and the pattern."""
    options: list[tuple[str, str]] = [
        (name.replace("苏州", "苏州 ", 1) + "\u3000", "spaces"),
        (f"江苏省{name}" if name.startswith("苏州市") else f"苏州市{name}", "prefix"),
    ]
    if name.endswith("有限公司"):
        options += [(name[: -len("有限公司")], "legal"), (name[:-4] + "股份有限公司", "legal")]
    if name.endswith("集团"):
        options.append((f"{name}有限公司", "legal"))
    if name.endswith(("中学", "小学")):
        options.append((f"{name}校", "school"))
    for full, short in _ABBREVIATED.items():
        if name.endswith(full):
            options.append((name.replace(full, short), "abbreviation"))
    if name.endswith("银行苏州分行"):
        options.append((f"中国{name[:-6]}银行股份有限公司江苏省分行苏州分行", "branch"))
    if name.endswith(("学校", "医院")):
        options.append((f"{name}（本部）", "qualifier"))
    if name.endswith("分中心）"):
        options.append((name.replace("（", "(").replace("）", ")"), "width"))
    return rng.choice(options)


def roster(rows: int, names: int, seed: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """The occurrences (unit, community and street columns) and each unit spelling's unit."""
    rng = random.Random(seed)
    truth: dict[str, str] = {}
    bases = _bases(rng, int(names * 0.62))
    for base in bases:
        truth[base] = base
    while len(truth) < names:
        base = rng.choice(bases)
        spelled, _ = _variant(base, rng)
        if spelled not in truth:
            truth[spelled] = base
    spellings = sorted(truth)
    communities = places(rng)
    units = spellings + rng.choices(spellings, k=rows - len(spellings))
    return located(units, communities, rng), truth


def places(rng: random.Random) -> dict[str, str]:
    """700 communities, each with its street (one of 40)."""
    streets = [f"{_stem(rng)}街道" for _ in range(40)]
    return {f"{_stem(rng)}社区": rng.choice(streets) for _ in range(700)}


def located(units: list[str], communities: dict[str, str], rng: random.Random) -> pd.DataFrame:
    """The occurrences of `units` (shuffled, one a row), each in one of `communities` and its
    street, written with and without their suffixes."""
    rng.shuffle(units)
    table = []
    for row, unit in enumerate(units, start=2):
        community = rng.choice(list(communities))
        street = communities[community]
        community += rng.choice(["", "", "居委会", "居民委员会"])
        street += rng.choice(["", "", "办事处"])
        for kind, name in (("unit", unit), ("community", community), ("street", street)):
            table.append((name, kind, "名册.xlsx", "2023", row))
    return pd.DataFrame(table, columns=["name", "kind", "file", "sheet", "row"])


def score(found, truth: dict[str, str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Recall and precision of the pairs of unit spellings joined by rules and suggestions."""
    units = found.occurrences[found.occurrences["label"] == "Unit"]
    key_of = dict(zip(units["name"], units["key"], strict=True))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    suggestions = found.suggestions[found.suggestions["kind"] == "Unit"]
    spellings_of = defaultdict(set)
    for name, key in key_of.items():
        spellings_of[key].add(name)
    true_suggestions = 0
    for a, b in zip(suggestions["key_a"], suggestions["key_b"], strict=True):
        parent[find(a)] = find(b)
        true_suggestions += truth[next(iter(spellings_of[a]))] == truth[next(iter(spellings_of[b]))]
    joined = defaultdict(list)
    for name, key in key_of.items():
        joined[find(key)].append(name)
    same = defaultdict(int)
    for name in key_of:
        same[truth[name]] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in same.values())
    predicted = correct = 0
    for members in joined.values():
        predicted += len(members) * (len(members) - 1) // 2
        per_unit = defaultdict(int)
        for name in members:
            per_unit[truth[name]] += 1
        correct += sum(n * (n - 1) // 2 for n in per_unit.values())
    return {
        "true_pairs": true_pairs,
        "recall": correct / true_pairs,
        "precision": correct / predicted if predicted else 1.0,
        "suggestions": len(suggestions),
        "suggestion_precision": true_suggestions / len(suggestions) if len(suggestions) else 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    from cobuild_graph.reconcile import reconcile

    table, truth = roster(args.rows, args.names, args.seed)
    started = time.perf_counter()
    found = reconcile(table)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = score(found, truth)
    units = len(set(truth.values()))
    print(
        f"rows {args.rows:,}  occurrences {len(table):,}  unit spellings {len(truth):,}  "
        f"units {units:,}  true pairs {result['true_pairs']:,}"
    )
    print(f"entities {len(found.entities):,}  suggestions {result['suggestions']:,}")
    ratio = seconds / GOAL_SECONDS
    print(f"reconcile   {seconds:6.2f} s   goal {GOAL_SECONDS:.0f} s   ({ratio:.2f}x)")
    print(f"peak memory {peak:6,.0f} MB (whole process, generation included)")
    for name, goal in (("recall", GOAL_RECALL), ("precision", GOAL_PRECISION)):
        print(f"{name:<11} {result[name]:6.1%}   goal {goal:.0%}   ({result[name] / goal:.2f}x)")
    print(f"suggestions joining one unit: {result['suggestion_precision']:.1%}")


if __name__ == "__main__":
    main()
