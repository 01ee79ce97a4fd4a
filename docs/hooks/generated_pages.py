"""MkDocs hook: the schema reference and the CLI reference, generated from the code.

The pages are made at build time from :data:`cobuild_graph.DEFAULT_SCHEMA` and from the
argument parser of ``cobuild-graph``, so the documentation cannot disagree with either.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from mkdocs.structure.files import File, Files

from cobuild_graph.cli import build_parser
from cobuild_graph.schema import (
    DEFAULT_SCHEMA,
    KEY_COLUMN_ALIASES,
    TIE_ROLES,
    AttributeSpec,
    Schema,
)


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages to the site."""
    files.append(File.generated(config, "reference/schema.md", content=schema_page()))
    files.append(File.generated(config, "reference/cli.md", content=cli_page(build_parser())))
    return files


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _choices(spec: AttributeSpec) -> str:
    """The allowed values, each with its value label (``organ`` 机关 party/government organ)."""
    shown = []
    for value in spec.choices or ():
        zh, en = spec.value_labels.get(value, ("", ""))
        label = " ".join(t for t in (zh if zh != value else "", en) if t)
        shown.append(f"`{value}` {label}".strip())
    return ", ".join(shown)


def _attribute_rows(owner: str, specs: dict[str, AttributeSpec]) -> list[str]:
    return [
        f"| `{name}` | {owner} | {spec.type} | {_cell(_choices(spec))} | "
        f"{_cell(', '.join(spec.aliases))} | {_cell(spec.description)} |"
        for name, spec in specs.items()
    ]


def schema_page(schema: Schema = DEFAULT_SCHEMA) -> str:
    """The schema reference as Markdown."""
    lines = [
        "# Schema reference",
        "",
        "Generated from `cobuild_graph.schema.DEFAULT_SCHEMA`. Extend it for other node kinds: "
        "see [Extending the schema](../extending-schema.md).",
        "",
        "## Node labels",
        "",
        "| label | other spellings | meaning | hierarchy level |",
        "|---|---|---|---|",
    ]
    for name, spec in schema.labels.items():
        level = schema.level(name)
        lines.append(
            f"| `{name}` | {_cell(', '.join(spec.aliases))} | {_cell(spec.description)} | "
            f"{'' if level is None else level} |"
        )
    lines += [
        "",
        "## Tie types",
        "",
        "| type | other spellings | meaning | from → to | role | attachment rank |",
        "|---|---|---|---|---|---|",
    ]
    for name, spec in schema.tie_types.items():
        pairs = "<br>".join(f"{s} → {t}" for s, t in sorted(spec.endpoints))
        rank = "" if spec.attachment is None else spec.attachment
        lines.append(
            f"| `{name}` | {_cell(', '.join(spec.aliases))} | {_cell(spec.description)} | {pairs} "
            f"| `{spec.role}` | {rank} |"
        )
    lines += ["", "## Tie roles", "", "| role | meaning |", "|---|---|"]
    lines += [f"| `{role}` | {_cell(meaning)} |" for role, meaning in TIE_ROLES.items()]
    lines += [
        "",
        "## Coverage and balance",
        "",
        "Coverage counts the places at the levels "
        + ", ".join(f"`{level}`" for level in schema.coverage_levels)
        + "; a place is covered by a kind when a tie of its type joins it (or a place below "
        "it) to a node of its label. `any` is the union of the co-building kinds.",
        "",
        "| kind | tie type | label at the other end | part of `any` |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{kind}` | `{c.tie_type}` | `{c.label}` | {'yes' if c.cobuilding else ''} |"
        for kind, c in schema.coverage.items()
    ]
    lines += ["", "Balance counts, per place: column and the label counted.", ""]
    lines += [f"- `{column}`: `{label}`" for column, label in schema.balance_counts.items()]
    lines += [
        "",
        "## Columns",
        "",
        "Required: nodes `id`, `label`, `name`; ties `source`, `target`, `type`. Other "
        "headers accepted for them:",
        "",
    ]
    lines += [f"- `{key}`: {', '.join(aliases)}" for key, aliases in KEY_COLUMN_ALIASES.items()]
    lines += [
        "",
        "| column | applies to | type | allowed values (shown as) | other headers | meaning |",
        "|---|---|---|---|---|---|",
    ]
    lines += _attribute_rows("every node", dict(schema.node_attributes))
    for name, spec in schema.labels.items():
        lines += _attribute_rows(name, dict(spec.attributes))
    lines += _attribute_rows("every tie", dict(schema.tie_attributes))
    for name, spec in schema.tie_types.items():
        lines += _attribute_rows(name, dict(spec.attributes))
    return "\n".join(lines) + "\n"


def cli_page(parser: argparse.ArgumentParser) -> str:
    """The command-line reference as Markdown: each command's help as ``--help`` prints it."""
    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal width
    lines = ["# Command line", "", "Generated from the argument parser of `cobuild-graph`.", ""]
    lines += ["```text", parser.format_help().rstrip(), "```", ""]
    return "\n".join(lines + _commands_help(parser, "cobuild-graph", "##"))


def _commands_help(parser: argparse.ArgumentParser, prefix: str, level: str) -> list[str]:
    """A section per command of `parser`, and a subsection per action of a command."""
    lines: list[str] = []
    for action in parser._subparsers._group_actions:  # argparse keeps its subparsers here
        for name, sub in action.choices.items():
            lines += [f"{level} `{prefix} {name}`", "", "```text", sub.format_help().rstrip()]
            lines += ["```", ""]
            if sub._subparsers is not None:
                lines += _commands_help(sub, f"{prefix} {name}", level + "#")
    return lines
