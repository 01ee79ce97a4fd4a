"""Seeded synthetic co-building datasets, from a few hundred nodes to a province.

:func:`generate` returns a co-building graph of the Suzhou shape (see "Where does the Suzhou
sample come from?" in docs/faq.md). The ``sample`` scale holds the facts of the source
article and of public records as real rows (``provenance`` ``"article"`` or
``"public-record"``, see :mod:`cobuild_graph.generate._suzhou_facts`), filled up to the
article's scale by a seeded generator whose rows all carry ``provenance="synthetic"``: 6
urban districts, 35 streets, 626 communities, 180+ city-level units assigned by location to
19 streets, 3,000+ action branches, service projects of which exactly 100 are exemplary,
"海棠花红" positions and the six-member steering committee.

Other scales are built from synthetic cities of the same shape (see :data:`SCALES`); a
province starts with the Suzhou sample, whose rows are the same as those of ``sample`` for
the same seed. The same seed always gives the same tables; another seed changes every
synthetic row and none of the real ones.

The ratios the generator fills to are derived from the article (docs/faq.md), not published:
about 9.5 city-level units per assigned street, 4.8 action branches per urban community
(the article's 3,000+ stood by mid-2020; a further 8 % join later), 2.3 positions per
community. Tie dates run from 2017 to 2024 (ties to a street or community never start before
2017-01-01), so that time slices show growth, and a few ties end. The ``weight`` of a
synthetic ``PAIRED_WITH`` tie is the number of joint activities a year.

Real units (the article's and the public record's) take part only through their real ties
and the ties the record implies but leaves open, marked synthetic: the street each city-level
unit is assigned to, and which 12 communities of 姑苏区 the 市委党校 branch joined.

Ids are short ASCII strings: the real rows' are named (``street-canglang``,
``community-daoqian``), synthetic ones numbered (``community-canglang-07``,
``unit-city-012``, ``branch-00042``); in a dataset of several cities every synthetic city
prefixes its ids with ``cNN-``.
"""

# Inside: _dataset (generate, generate_tables, the metadata), _scales (the named scales),
# _ratios (what each city is filled to), _city (districts, streets, communities), _units
# (units and their streets), _pairings, _branches, _projects (and their supporters),
# _positions, and the helpers: _dates (tie dates), _picks (weighted picks in groups), _rows
# (table rows), _names (word lists, names and ids); _suzhou_facts holds the published facts.
import inspect
import sys
from types import ModuleType
from typing import Any

from cobuild_graph.generate._dataset import GENERATOR, generate, generate_tables
from cobuild_graph.generate._scales import SCALES, Scale

__all__ = ["GENERATOR", "SCALES", "Scale", "generate", "generate_tables"]


class _CallableModule(ModuleType):
    # ``cg.generate("city", seed=1)`` calls :func:`generate` while ``import
    # cobuild_graph.generate`` still gives this module (a function of the same name in the
    # package would hide it).
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return generate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
__signature__ = inspect.signature(generate)
