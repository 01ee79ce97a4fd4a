"""The python blocks of a documentation page's section and the text each one shows."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ERGM_PAGE = ROOT / "docs" / "analysis-ergm.md"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def section_blocks(page: Path, heading: str) -> list[tuple[str, str]]:
    """(code, shown) of each python block of the section `heading` (level 2) of `page`,
    with the text block that follows it."""
    section = page.read_text(encoding="utf-8").split(f"\n## {heading}", 1)[1]
    blocks = _BLOCK.findall(section.split("\n## ", 1)[0])
    assert [language for language, _ in blocks] == ["python", "text"] * (len(blocks) // 2)
    return [(code, shown) for (_, code), (_, shown) in zip(blocks[::2], blocks[1::2], strict=True)]
