"""Make the Chinese font that cobuild_graph's charts use: a subset of Noto Sans CJK SC.

The charts must render Chinese on machines with no CJK font installed, so the package
ships ``cobuild_graph/_static/fonts/CobuildSansSC-Regular.otf``: Noto Sans CJK SC Regular
2.004 (SIL Open Font License 1.1) cut down to Latin, punctuation, CJK symbols, full-width
forms and the whole CJK Unified Ideographs block U+4E00–U+9FFF, renamed so that it never
clashes with an installed Noto Sans CJK. To make it again::

    apt-get download fonts-noto-cjk
    dpkg-deb -x fonts-noto-cjk_*.deb noto
    python3 scripts/subset_font.py noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

The licence travels beside the font as ``OFL.txt``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

FAMILY = "Cobuild Sans SC"
POSTSCRIPT = "CobuildSansSC-Regular"
OUT = Path(__file__).resolve().parents[1] / "cobuild_graph/_static/fonts" / f"{POSTSCRIPT}.otf"
RANGES = (
    (0x0020, 0x007F),  # ASCII
    (0x00A0, 0x0180),  # Latin-1 and Latin Extended-A
    (0x2000, 0x2070),  # general punctuation
    (0x2100, 0x2200),  # letter-like symbols, number forms, arrows
    (0x2212, 0x2213),  # minus sign (matplotlib's axes.unicode_minus)
    (0x2460, 0x2500),  # enclosed alphanumerics ①
    (0x2E80, 0x2FE0),  # CJK and Kangxi radicals
    (0x3000, 0x3040),  # CJK symbols and punctuation
    (0x4E00, 0xA000),  # CJK Unified Ideographs
    (0xFF00, 0xFFF0),  # half-width and full-width forms
)


def make_subset(ttc: Path, out: Path = OUT) -> Path:
    """Subset and rename the Simplified Chinese face of `ttc` into `out`."""
    collection = TTCollection(ttc)
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC")
    options = subset.Options()
    options.name_IDs = ["*"]
    options.hinting = False
    options.layout_features = []  # matplotlib shapes no CJK features: keep no alternates
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in RANGES for c in range(lo, hi)])
    subsetter.subset(font)
    _rename(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out)
    return out


def _rename(font: TTFont) -> None:
    names = font["name"]
    version = names.getDebugName(5)
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 18):
            names.removeNames(nameID=record.nameID)
    names.setName(FAMILY, 1, 3, 1, 0x409)
    names.setName(f"{POSTSCRIPT};subset of Noto Sans CJK SC {version}", 3, 3, 1, 0x409)
    names.setName(FAMILY, 4, 3, 1, 0x409)
    names.setName(POSTSCRIPT, 6, 3, 1, 0x409)
    font["CFF "].cff.fontNames = [POSTSCRIPT]
    top = font["CFF "].cff.topDictIndex[0]
    top.FullName = FAMILY
    top.FamilyName = FAMILY


def main() -> None:
    """Command line: ``python3 scripts/subset_font.py NotoSansCJK-Regular.ttc``."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger(__name__).setLevel(logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ttc", type=Path, help="NotoSansCJK-Regular.ttc from fonts-noto-cjk")
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    args = parser.parse_args()
    out = make_subset(args.ttc, args.out)
    logging.getLogger(__name__).info("wrote %s (%d bytes)", out, out.stat().st_size)


if __name__ == "__main__":
    main()
