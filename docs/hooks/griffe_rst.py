"""Griffe extension: the reStructuredText of the docstrings, as Markdown for the API pages.

The docstrings are numpy style with a few Sphinx habits that mkdocstrings would otherwise
show as raw text. This extension rewrites each docstring's text before it is parsed (the
code is never changed):

- ``:func:`name```, ``:class:``, ``:meth:``, ``:mod:``, ``:data:``, ``:attr:``, ``:exc:``
  become links to the object when it is documented on the site (names resolved in the
  docstring's scope, ``~`` showing the last part only), or plain code when it is not;
- ``:math:`...``` and ``.. math::`` blocks become plain-text formulas (Σ, σ, ≠ ...): the
  site loads no script from a CDN, so it has no MathJax;
- simple tables (``====  ====`` borders) become Markdown tables;
- a paragraph ending in ``::`` ends in ``:`` (the indented block after it is code anyway);
- the ``#:`` comments above a module constant become its docstring.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):`(~?)([^`]+)`")
_MATH_ROLE = re.compile(r":math:`([^`]+)`")
_MATH_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<first>.*)$")
_BORDER = re.compile(r"^[ \t]*=+(?:[ \t]+=+)+[ \t]*$")
_SYMBOLS = {
    "sum": "Σ",
    "prod": "Π",
    "sigma": "σ",
    "delta": "δ",
    "gamma": "γ",
    "alpha": "α",
    "beta": "β",
    "lambda": "λ",
    "ell": "ℓ",
    "ne": "≠",
    "neq": "≠",
    "le": "≤",
    "ge": "≥",
    "to": "→",
    "in": "∈",
    "cdot": "·",
    "times": "×",
    "ln": "ln",
    "log": "log",
    "max": "max",
    "min": "min",
    "left": "",
    "right": "",
}
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SIMPLE = re.compile(r"^(?:\w(?:_\w+)?|\d+(?:\.\d+)?)$")


def _group(text: str, start: int) -> tuple[str, int]:
    """The brace group opening at `start` (or the single character there) and its end."""
    if start >= len(text):
        return "", start
    if text[start] == "\\":
        command = re.match(r"\\(?:[A-Za-z]+|.)", text[start:])
        return command.group(0), start + len(command.group(0))  # type: ignore[union-attr]
    if text[start] != "{":
        return text[start], start + 1
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i], i + 1
    return text[start + 1 :], len(text)


def _wrapped(text: str) -> str:
    return text if _SIMPLE.match(text) else f"({text})"


def latex_to_text(tex: str) -> str:
    r"""A LaTeX formula as plain text: ``\frac{1}{n-1} \sum_{v} x_v^2`` → ``1 / (n-1) Σ_v x_v²``."""
    out: list[str] = []
    i = 0
    while i < len(tex):
        char = tex[i]
        if char == "\\":
            if i + 1 < len(tex) and not tex[i + 1].isalpha():
                out.append(" " if tex[i + 1] in ",;: " else tex[i + 1])
                i += 2
                continue
            name = re.match(r"[A-Za-z]+", tex[i + 1 :]).group(0)  # type: ignore[union-attr]
            i += 1 + len(name)
            while i < len(tex) and tex[i] == " " and name in ("frac", "bar"):
                i += 1
            if name == "frac":
                top, i = _group(tex, i)
                bottom, i = _group(tex, i)
                out.append(f"{_wrapped(latex_to_text(top))} / {_wrapped(latex_to_text(bottom))}")
            elif name in ("bar", "overline"):
                body, i = _group(tex, i)
                out.append(latex_to_text(body) + "\u0304")
            elif name in ("mathrm", "text", "operatorname"):
                body, i = _group(tex, i)
                out.append(latex_to_text(body))
            else:
                out.append(_SYMBOLS.get(name, name))
        elif char in "_^":
            body, i = _group(tex, i + 1)
            body = latex_to_text(body)
            if char == "^" and body.isdigit():
                out.append(body.translate(_SUPERSCRIPTS))
            elif " " in body.strip():
                out.append(f"{char}{{{body}}}")
            else:
                out.append(char + body)
        elif char in "{}":
            i += 1
        else:
            out.append(char)
            i += 1
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _math_blocks(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _MATH_BLOCK.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        indent = match["indent"]
        parts = [match["first"]]
        i += 1
        while (
            i < len(lines)
            and lines[i].strip()
            and len(lines[i]) - len(lines[i].lstrip()) > len(indent)
        ):
            parts.append(lines[i].strip())
            i += 1
        formula = latex_to_text(" ".join(p for p in parts if p))
        out += [f"{indent}```text", f"{indent}{formula}", f"{indent}```"]
    return out


def _cell(text: str) -> str:
    return text.strip().replace("|", "\\|")


def _tables(lines: list[str]) -> list[str]:
    """reStructuredText simple tables (border, header, border, rows, border) as Markdown."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _BORDER.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        border = lines[i]
        starts = [m.start() for m in re.finditer(r"=+", border)]
        end = i + 1
        while end < len(lines) and not (_BORDER.match(lines[end]) and end > i + 2):
            end += 1
        body = [line for line in lines[i + 1 : end] if not _BORDER.match(line)]
        indent = border[: len(border) - len(border.lstrip())]

        def cells(line: str, starts: list[int] = starts) -> list[str]:
            bounds = [*starts[1:], None]
            return [_cell(line[a:b]) for a, b in zip(starts, bounds, strict=True)]

        rows = [cells(line) for line in body if line.strip()]
        if rows:
            out.append(f"{indent}| " + " | ".join(rows[0]) + " |")
            out.append(f"{indent}|" + "---|" * len(starts))
            out += [f"{indent}| " + " | ".join(row) + " |" for row in rows[1:]]
        i = end + 1
    return out


class RstToMarkdown(griffe.Extension):
    """Rewrite the docstrings of the package as Markdown once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._walk(pkg, set())

    def _walk(self, obj: griffe.Object, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.docstring is None and obj.is_attribute:
            obj.docstring = _comment_docstring(obj)
        if obj.docstring is not None:
            obj.docstring.value = self._convert(obj, obj.docstring.value)
        for member in obj.members.values():
            if not member.is_alias:
                self._walk(member, seen)  # type: ignore[arg-type]

    def _convert(self, obj: griffe.Object, text: str) -> str:
        lines = _tables(_math_blocks(text.splitlines()))
        text = "\n".join(lines)
        text = _MATH_ROLE.sub(lambda m: f"`{latex_to_text(m[1])}`", text)
        text = _ROLE.sub(lambda m: self._reference(obj, m[2], short=bool(m[1])), text)
        return re.sub(r"(\S)::$", r"\1:", text, flags=re.MULTILINE)

    @staticmethod
    def _reference(obj: griffe.Object, name: str, *, short: bool) -> str:
        name = name.strip()
        shown = name.rsplit(".", 1)[-1] if short else name
        target = _resolve(obj, name)
        if target is None:
            return f"`{shown}`"
        return f'<autoref optional identifier="{html.escape(target)}">`{shown}`</autoref>'


def _comment_docstring(obj: griffe.Object) -> griffe.Docstring | None:
    """The ``#:`` comment lines just above an attribute (Sphinx's habit), as its docstring."""
    if obj.parent is None or obj.lineno is None:
        return None
    lines = obj.parent.module.lines
    comments: list[str] = []
    number = obj.lineno - 1  # the line above, counted from 1
    while number >= 1 and lines[number - 1].lstrip().startswith("#:"):
        comments.insert(0, lines[number - 1].lstrip()[2:].strip())
        number -= 1
    if not comments:
        return None
    return griffe.Docstring("\n".join(comments), lineno=number + 1, parent=obj)


def _resolve(obj: griffe.Object, name: str) -> str | None:
    """The path of the object `name` means in the scope of `obj`, where it is defined."""
    head, _, rest = name.partition(".")
    package = obj.package
    try:
        path = name if head == package.name else obj.resolve(head) + (f".{rest}" if rest else "")
    except griffe.NameResolutionError:
        return None
    if not path.startswith(package.name + "."):
        return None
    try:
        found = package[path[len(package.name) + 1 :]]
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return path
    try:
        return found.final_target.path if found.is_alias else found.path
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return path
