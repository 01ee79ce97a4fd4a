"""Names: the rule key (automatic) and the forms that suggestions compare (never automatic)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from cobuild_graph.schema import DEFAULT_SCHEMA, Schema, schema_or_default

# -- the rule key -----------------------------------------------------------------------------

# After NFKC every space (U+3000 included) is an ordinary space or another \s; zero-width
# characters and the byte-order mark are not \s but as invisible.
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
# Bracket variants NFKC leaves apart, written as the ASCII round brackets NFKC makes of （）.
_BRACKETS = str.maketrans(
    dict.fromkeys("[【〔〖「『{〈", "(") | dict.fromkeys("]】〕〗」』}〉", ")")
)

#: The suffixes of a place's own kind, dropped by rule: the residents' committee of a
#: community is the community, the office of a street is the street.
OWN_SUFFIXES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "Community": (("社区居民委员会", "社区"), ("社区居委会", "社区")),
    "Street": (("街道办事处", "街道"), ("街道办", "街道")),
}


def resolve_kind(kind: str, schema: Schema | None = None) -> str | None:
    """The schema label for `kind` (``"unit"``, ``"Unit"``, ``"单位"`` ...), ``None`` if unknown.

    Examples
    --------
    >>> resolve_kind("community"), resolve_kind("街道"), resolve_kind("village")
    ('Community', 'Street', None)
    """
    schema = schema_or_default(schema)
    return schema.label_lookup().get(unicodedata.normalize("NFKC", str(kind)).strip().casefold())


def trimmed(name: str) -> str:
    """`name` in Unicode width (NFKC) and without spaces around it: spellings that differ
    only so are one spelling, the rest of a rule key's spellings are listed for review.

    Examples
    --------
    >>> trimmed("苏州市总工会\u3000") == trimmed("苏州市总工会")
    True
    >>> trimmed("道前社区居委会") == trimmed("道前社区")
    False
    """
    return unicodedata.normalize("NFKC", str(name)).strip()


def normalize_name(name: str, kind: str = "Unit") -> str:
    """The rule key of `name`: two names with the same key are merged automatically.

    The rules, and only these: Unicode width (NFKC: full-width letters, digits and brackets
    become half-width), every space removed (U+3000 included), bracket variants
    (``【】〔〕[]`` ...) written as ``()``, and the suffixes of a place's own kind
    (:data:`OWN_SUFFIXES`): ``社区居委会`` / ``社区居民委员会`` of a community, ``街道办事处`` /
    ``街道办`` of a street.

    A party organisation is not its place: ``道前社区党委`` keeps its ``党委`` and so a key of
    its own. Whether a roster that writes the party committee means the community is for the
    researcher to decide; :func:`~cobuild_graph.reconcile.reconcile` suggests it.

    Parameters
    ----------
    name
        The name as written.
    kind
        The kind of thing named: a schema label or one of its spellings (``"community"``,
        ``"社区"`` ...). Only communities and streets have suffixes dropped.

    Returns
    -------
    str
        The key; readable, and stable across runs and library versions of the same rules.

    Examples
    --------
    >>> normalize_name(" 道前社区居民委员会\u3000", "community")
    '道前社区'
    >>> normalize_name("道前社区党委", "community")
    '道前社区党委'
    >>> normalize_name("苏州市公安局（姑苏分局）", "unit")
    '苏州市公安局(姑苏分局)'

    >>> normalize_name("沧浪街道办事处", "street")
    '沧浪街道'
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(name))).translate(_BRACKETS)
    label = kind if kind in DEFAULT_SCHEMA.labels else resolve_kind(kind)
    for suffix, replacement in OWN_SUFFIXES.get(label or "", ()):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)] + replacement
    return text


# -- what suggestions compare ---------------------------------------------------------------

#: Abbreviations 简称 → full forms 全称 (docs/reconcile.md); extend with ``abbreviations=``.
ABBREVIATIONS: Mapping[str, str] = {
    "妇联": "妇女联合会",
    "工商联": "工商业联合会",
    "科协": "科学技术协会",
    "文联": "文学艺术界联合会",
    "残联": "残疾人联合会",
    "侨联": "归国华侨联合会",
    "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局",
    "城管委": "城市管理委员会",
    "城管局": "城市管理局",
    "市监局": "市场监督管理局",
    "发改委": "发展和改革委员会",
    "国资委": "国有资产监督管理委员会",
    "卫健委": "卫生健康委员会",
    "公积金中心": "住房公积金管理中心",
    "团市委": "共青团市委员会",
    "团区委": "共青团区委员会",
}
# 共青团苏州市委员会 is written 苏州市团市委 / 团市委: the place moves in front.
_YOUTH_LEAGUE = re.compile(r"^共青团(.+?)(市|区|县)委员会$")

#: Legal-form suffixes, dropped (repeatedly) when comparing: 苏州银行 ~ 苏州银行股份有限公司.
LEGAL_SUFFIXES: tuple[str, ...] = (
    "(有限合伙)",
    "(普通合伙)",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
)
# 苏州市第十中学校 is 苏州市第十中学: the 校 of a school's legal name.
_SCHOOL = re.compile(r"(中学|小学|学)校$")

#: Administrative and parent-organisation prefixes, dropped (one at a time) when comparing:
#: 苏州市律师协会 ~ 江苏省苏州市律师协会. Names of districts and streets in the data are added;
#: extend with ``prefixes=``.
PREFIXES: tuple[str, ...] = (
    "中华人民共和国",
    "国家税务总局",
    "国网",
    "中国",
    "江苏省",
    "苏州市",
    "姑苏区",
    "吴中区",
    "相城区",
    "吴江区",
    "虎丘区",
    "苏州高新区",
    "苏州工业园区",
    "常熟市",
    "张家港市",
    "昆山市",
    "太仓市",
)
# Any other province, city, district or county name of two to four characters.
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,4}?(?:自治区|省|市|区|县)")

#: Party organisations of a place or unit: 道前社区党委 is the party committee of 道前社区.
PARTY_SUFFIXES: tuple[str, ...] = ("党工委", "党总支", "党支部", "党委")

_QUALIFIER = re.compile(r"^(.{2,})\(([^()]+)\)$")
_NUMBERS = re.compile(r"[0-9零〇一二三四五六七八九十百千两]+")
# A district or county named inside a name (姑苏区, 吴江区); not the 区 of 社区.
_DISTRICT = re.compile(r"[\u4e00-\u9fff]{2}(?<!社)[区县]")

#: How sure each reason is (0–100), the score of a suggestion made by a rule.
RULE_SCORES: Mapping[str, float] = {
    "abbreviation": 95.0,
    "legal_form": 95.0,
    "school": 95.0,
    "prefix": 90.0,
    "contained": 80.0,
    "party": 70.0,
    "qualifier": 70.0,
}
#: What each reason means, Chinese first.
REASONS: Mapping[str, str] = {
    "abbreviation": "简称 abbreviation",
    "legal_form": "法律形式后缀 legal-form suffix",
    "school": "学校的“校” school suffix 校",
    "prefix": "行政前缀 administrative prefix",
    "contained": "包含 one name's characters all appear, in order, in the other",
    "party": "党组织与其所在单位/地点 party organisation of the same place",
    "qualifier": "括号限定语 bracketed qualifier (本部, 分部 …): may be a different unit",
    "similar": "字面相似 similar spelling",
}


@dataclass(frozen=True)
class Forms:
    """How suggestions read names of one kind: the dictionaries and prefixes in force."""

    abbreviations: Mapping[str, str]
    prefixes: tuple[str, ...]

    @classmethod
    def make(
        cls, abbreviations: Mapping[str, str] | None = None, prefixes: Iterable[str] = ()
    ) -> Forms:
        extra = {normalize_name(k): normalize_name(v) for k, v in (abbreviations or {}).items()}
        words = {normalize_name(p) for p in (*PREFIXES, *prefixes)} - {""}
        return cls({**ABBREVIATIONS, **extra}, tuple(sorted(words, key=lambda p: (-len(p), p))))

    @cached_property
    def _abbreviation(self) -> re.Pattern[str]:
        # full forms match too (and stay as they are): 市总 is not expanded inside 苏州市总工会
        words = {*self.abbreviations, *self.abbreviations.values()}
        return re.compile("|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w)))))

    def compared(self, key: str) -> tuple[str, frozenset[str]]:
        """The form of rule key `key` that suggestions compare, and the reasons applied.

        Drops a bracketed qualifier, party-organisation and legal-form suffixes and the 校 of
        a school, and writes abbreviations in full. Prefixes stay (see :meth:`shorter`).
        """
        reasons: set[str] = set()
        text = key
        for suffix in PARTY_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)]
                reasons.add("party")
                break
        stripped = True
        while stripped:
            found = _QUALIFIER.match(text)
            if found:
                reasons.add("legal_form" if f"({found[2]})" in LEGAL_SUFFIXES else "qualifier")
                text = found[1]
            suffix = next(
                (s for s in LEGAL_SUFFIXES if text.endswith(s) and len(text) > len(s) + 1), None
            )
            if suffix is not None:
                text = text[: -len(suffix)]
                reasons.add("legal_form")
            stripped = bool(found) or suffix is not None
        if _SCHOOL.search(text):
            text = text[:-1]
            reasons.add("school")
        league = _YOUTH_LEAGUE.match(text)
        if league:
            text = f"{league[1]}{league[2]}团{league[2]}委"
            reasons.add("abbreviation")
        expanded = self._abbreviation.sub(lambda m: self.abbreviations.get(m[0], m[0]), text)
        if expanded != text:
            text = expanded
            reasons.add("abbreviation")
        return text, frozenset(reasons)

    def shorter(self, form: str) -> list[str]:
        """`form` without its leading prefixes, one prefix at a time (longest first).

        Examples
        --------
        >>> Forms.make().shorter("国家税务总局苏州市姑苏区税务局")
        ['苏州市姑苏区税务局', '姑苏区税务局', '税务局']
        """
        out: list[str] = []
        while True:
            cut = next((p for p in self.prefixes if form.startswith(p)), None)
            if cut is None:
                found = _PLACE_PREFIX.match(form)
                cut = found[0] if found else None
            if cut is None or len(form) - len(cut) < 2:
                return out
            form = form[len(cut) :]
            out.append(form)


def numbers(text: str) -> tuple[str, ...]:
    """The numbers written in `text` (digits and Chinese numerals), in order.

    Two names whose numbers differ name different things (南环第一社区, 南环第二社区): no
    similarity suggestion is made between them.

    Examples
    --------
    >>> numbers("苏州市第十中学"), numbers("南环第2社区")
    (('十',), ('2',))
    """
    return tuple(_NUMBERS.findall(text))


def districts(text: str) -> frozenset[str]:
    """The districts and counties named in `text` (not the 区 of 社区).

    Two names that name different districts (or one a district, the other none) are
    different units however alike they are spelt: 吴中区市场监督管理局, 吴江区市场监督管理局;
    苏州市第七中学, 苏州市相城区第七中学. Only the prefix rule pairs them.

    Examples
    --------
    >>> sorted(districts("苏州市吴中区道前社区卫生服务中心"))
    ['吴中区']
    """
    return frozenset(_DISTRICT.findall(text))
