"""The page kit shared by the maps and the report: the templates and assets of
``cobuild_graph/_static`` rendered with a Content-Security-Policy, data as JSON safe in a
script element, vis-network inlined, and values as text."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pyvis
from markupsafe import Markup

from cobuild_graph._style import FONT_PATH  # the one file both the charts and pages use


def render_page(
    template: str,
    *,
    data: Any,
    css: str,
    scripts: Mapping[str, str],
    frames: bool = False,
    **context: Any,
) -> str:
    """Render one of the package's page templates with its safety measures.

    `data` goes into a ``<script type="application/json">`` with every ``<``, ``>`` and
    ``&`` escaped, so no text in it can close the script or open a comment; `scripts`
    are inlined and allowed by their SHA-256 in the Content-Security-Policy, which
    forbids every other script and every network request. Other context values are
    HTML-escaped by the template.

    Parameters
    ----------
    template
        File name under ``cobuild_graph/_static``.
    data
        JSON-serialisable data for the page's scripts.
    css
        The page's style sheet.
    scripts
        Template variable to script source.
    frames
        Allow the page to embed pages of its own folder in frames.
    **context
        Other template variables (escaped).

    Returns
    -------
    str
        The page.
    """
    csp = content_security_policy(scripts=scripts.values(), styles=[css], frames=frames)
    return (
        _templates()
        .get_template(template)
        .render(
            csp=csp,
            css=Markup(css),
            data=Markup(json_for_script(data)) if data is not None else "",
            **{k: Markup(v) for k, v in scripts.items()},
            **context,
        )
    )


def content_security_policy(
    *, scripts: Sequence[str] | Any = (), styles: Sequence[str] | Any = (), frames: bool = False
) -> str:
    """A Content-Security-Policy that allows only the given inline scripts and styles.

    No network request of any kind is allowed; images and fonts only from ``data:`` URLs.

    Examples
    --------
    >>> content_security_policy(scripts=["alert(1)"]).split("; ")[:2]
    ["default-src 'none'", "script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]
    """
    script_src = " ".join(_sha256(s) for s in scripts) or "'none'"
    style_src = " ".join(_sha256(s) for s in styles) or "'none'"
    policy = [
        "default-src 'none'",
        f"script-src {script_src}",
        f"style-src {style_src}",
        "img-src data:",
        "font-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    if frames:
        policy.append("frame-src 'self' file:")
    return "; ".join(policy)


def json_for_script(data: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element: no ``<``, ``>``, ``&`` left raw.

    Examples
    --------
    >>> json_for_script({"name": "</script><!--"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(data, ensure_ascii=False, default=text_of)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def text_of(value: Any) -> str:
    """A value as the pages show it: dates in ISO form, floats to 4 significant digits.

    Examples
    --------
    >>> text_of(0.123456), text_of(3.0), text_of(date(2020, 6, 30))
    ('0.1235', '3', '2020-06-30')
    """
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        return (
            str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.4g}"
        )
    return str(value)


def font_face(text: str, *, family: str) -> str:
    """A CSS ``@font-face`` rule that embeds the package's Chinese font, cut down to the
    characters of `text`, as a ``data:`` URL (WOFF), so a page shows its Chinese on a
    machine with no CJK font and loads nothing.

    The font is the one the charts use (:data:`cobuild_graph.plot.FONT_PATH`, a subset of
    Noto Sans CJK SC under the SIL Open Font License); characters it lacks fall back to the
    page's other fonts. With ``font-display: swap`` the text shows at first paint in those
    (the system's CJK fonts) and changes to this one once it is decoded.

    Parameters
    ----------
    text
        Every character the page may show.
    family
        The font-family name the page's CSS gives it.

    Examples
    --------
    >>> rule = font_face("街道 Street", family="Page Sans")
    >>> rule.startswith('@font-face { font-family: "Page Sans"; src: url(data:font/woff;base64,')
    True
    """
    data = _font_subset(frozenset(text))
    url = "data:font/woff;base64," + base64.b64encode(data).decode("ascii")
    return (
        f'@font-face {{ font-family: "{family}"; src: url({url}) format("woff"); '
        "font-display: swap; }\n"
    )


@lru_cache(maxsize=8)
def _font_subset(characters: frozenset[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # bounds recalculated would cost seconds and change nothing the page shows; the date
    # kept as the font's, not now, so the same page gives the same bytes
    font = TTFont(
        io.BytesIO(FONT_PATH.read_bytes()), recalcBBoxes=False, recalcTimestamp=False, lazy=True
    )
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True  # a missing character shows as a box, not as nothing
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in characters} | set(range(0x20, 0x7F))))
    subsetter.subset(font)
    font.flavor = "woff"  # zlib: a third smaller
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@cache
def vis_network_js() -> str:
    """The vis-network script that pyvis ships (its licence header included)."""
    lib = Path(pyvis.__file__).parent / "lib"
    found = sorted(lib.glob("vis-*/vis-network.min.js"), key=lambda p: _version(p.parent.name))
    if not found:
        raise FileNotFoundError(f"no vis-network.min.js under {lib}: reinstall pyvis")
    # the source-map comment would make developer tools fetch a file: drop it
    text = found[-1].read_text(encoding="utf-8")
    return re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", text)


def _version(folder: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder))


@cache
def asset(name: str) -> str:
    """The text of the file `name` under ``cobuild_graph/_static``."""
    return (resources.files("cobuild_graph") / "_static" / name).read_text(encoding="utf-8")


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(asset),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
