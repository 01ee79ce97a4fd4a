"""ERGM formulas as statnet writes them, read with Python's ``ast`` (never evaluated).

``"edges + nodematch('unit_type', diff=TRUE) + gwesp(0.5, fixed=TRUE)"`` becomes three
:class:`TermCall`\\ s. A leading ``~`` (or ``y ~``) is allowed; arguments are literals:
numbers, strings, ``True``/``False`` (or R's ``TRUE``/``FALSE``/``T``/``F``), and R's
``c(...)`` or a Python list for a vector.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_R_NAMES = {"TRUE": True, "FALSE": False, "T": True, "F": False, "True": True, "False": False}


@dataclass(frozen=True)
class TermCall:
    """One term of a formula: its name and arguments."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(shown)})" if shown else self.name


def parse(formula: str | Sequence[Any]) -> list[TermCall]:
    """The terms of `formula`: a statnet formula string or a list of terms.

    A list holds term strings (``"gwesp(0.5, fixed=True)"``) or tuples
    ``(name, *args)`` whose last item may be a dict of keyword arguments.

    Examples
    --------
    >>> [str(t) for t in parse("~ edges + nodematch('unit_type', diff=TRUE) + kstar(c(2, 3))")]
    ['edges', "nodematch('unit_type', diff=True)", 'kstar([2, 3])']
    >>> parse([("gwesp", 0.5, {"fixed": True})])[0].kwargs
    {'fixed': True}
    """
    if isinstance(formula, str):
        return _parse_string(formula)
    terms: list[TermCall] = []
    for item in formula:
        if isinstance(item, str):
            terms.extend(_parse_string(item))
        elif isinstance(item, tuple) and item and isinstance(item[0], str):
            rest = list(item[1:])
            kwargs = rest.pop() if rest and isinstance(rest[-1], dict) else {}
            terms.append(TermCall(item[0], tuple(rest), dict(kwargs)))
        else:
            raise ValueError(
                f"模型项应为字符串或元组 a term is a string or a tuple (name, *args), not {item!r}"
            )
    if not terms:
        raise ValueError("模型没有任何项 the model has no terms")
    return terms


def _parse_string(text: str) -> list[TermCall]:
    source = text.strip()
    if "~" in source:
        source = source.split("~", 1)[1]
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ValueError(
            f"无法解析模型公式 cannot read the formula {text!r}: {error.msg}"
        ) from None
    terms = [_term(node, text) for node in _summands(tree.body, text)]
    if not terms:
        raise ValueError("模型没有任何项 the model has no terms")
    return terms


def _summands(node: ast.expr, text: str) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, ast.Add):
            raise ValueError(f"模型项只能用 + 连接 terms are joined by '+' only, in {text!r}")
        return _summands(node.left, text) + _summands(node.right, text)
    return [node]


def _term(node: ast.expr, text: str) -> TermCall:
    if isinstance(node, ast.Name):
        return TermCall(node.id)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = tuple(_literal(a, text) for a in node.args)
        kwargs = {k.arg: _literal(k.value, text) for k in node.keywords if k.arg}
        return TermCall(node.func.id, args, kwargs)
    raise ValueError(
        f"无法识别的模型项 not a term: {ast.unparse(node)!r} in {text!r}; write name or name(args)"
    )


def _literal(node: ast.expr, text: str) -> Any:
    if isinstance(node, ast.Name) and node.id in _R_NAMES:
        return _R_NAMES[node.id]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "c":
        return [_literal(a, text) for a in node.args]
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(a, text) for a in node.elts]
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ValueError(
            f"模型项的参数须为常量 a term's argument must be a literal (number, string, "
            f"TRUE/FALSE, c(...)), not {ast.unparse(node)!r} in {text!r}"
        ) from None
