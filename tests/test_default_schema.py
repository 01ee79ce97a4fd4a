"""The default schema is the TOML file ``cobuild_graph/schemas/default.toml``, read as written.

The file is parsed here on its own with :mod:`tomllib`, and what the domain relies on (the
tie roles, the labels and levels, the value labels, the inferred marks, the coverage kinds)
is checked against that reading, not against a copy of the schema kept in the test.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

import cobuild_graph as cg
from cobuild_graph.schema import (
    ALIAS_SEPARATOR,
    ALIASES,
    DEFAULT_SCHEMA,
    DEFAULT_SCHEMA_FILE,
    INFERENCES,
    INFERRED,
    TIE_ROLES,
    load_schema,
    schema_from_dict,
)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """The default schema's file, as tomllib reads it."""
    return tomllib.loads(DEFAULT_SCHEMA_FILE.read_text(encoding="utf-8"))


def _attributes(table: dict[str, Any]) -> dict[str, Any]:
    """Attributes of the file in :meth:`Schema.to_dict`'s shape (defaults filled in)."""
    out = {}
    for name, body in table.items():
        body = {"type": body} if isinstance(body, str) else body
        spec = {
            "type": body.get("type", "str"),
            "description": body.get("description", ""),
            "aliases": list(body.get("aliases", [])),
        }
        if "choices" in body:
            spec["choices"] = list(body["choices"])
        if body.get("value_labels"):
            spec["value_labels"] = {
                value: [text, ""] if isinstance(text, str) else list(text)
                for value, text in body["value_labels"].items()
            }
        out[name] = spec
    return out


def _as_written(raw: dict[str, Any]) -> dict[str, Any]:
    """The file in :meth:`Schema.to_dict`'s shape, made here apart from the schema module."""
    return {
        "labels": {
            name: {
                "description": body.get("description", ""),
                "aliases": list(body.get("aliases", [])),
                "attributes": _attributes(body.get("attributes", {})),
            }
            for name, body in raw["labels"].items()
        },
        "tie_types": {
            name: {
                "description": body.get("description", ""),
                "aliases": list(body.get("aliases", [])),
                "endpoints": sorted(list(pair) for pair in body["endpoints"]),
                "attributes": _attributes(body.get("attributes", {})),
                "role": body.get("role", "other"),
            }
            | ({"attachment": body["attachment"]} if "attachment" in body else {})
            for name, body in raw["tie_types"].items()
        },
        "node_attributes": _attributes(raw["node_attributes"]),
        "tie_attributes": _attributes(raw["tie_attributes"]),
        "hierarchy": list(raw["hierarchy"]),
        "coverage": {
            kind: {
                "tie_type": body["tie_type"],
                "label": body["label"],
                "cobuilding": body.get("cobuilding", False),
            }
            for kind, body in raw["coverage"].items()
        },
        "coverage_levels": list(raw["coverage_levels"]),
        "balance_counts": dict(raw["balance_counts"]),
    }


def test_the_default_schema_is_its_file_in_every_field_and_order(raw: dict[str, Any]) -> None:
    # json text, so that the order of labels, tie types and attributes counts too
    as_written = json.dumps(_as_written(raw), ensure_ascii=False)
    assert json.dumps(DEFAULT_SCHEMA.to_dict(), ensure_ascii=False) == as_written


def test_the_default_schema_round_trips_through_its_dict_form() -> None:
    as_dict = DEFAULT_SCHEMA.to_dict()
    again = schema_from_dict(json.loads(json.dumps(as_dict, ensure_ascii=False)))
    assert again == DEFAULT_SCHEMA
    assert again.to_dict() == as_dict


def test_the_file_is_the_template_a_copy_of_it_reads_as_the_default(tmp_path: Path) -> None:
    copy = tmp_path / "my-schema.toml"
    shutil.copy(cg.schema.DEFAULT_SCHEMA_FILE, copy)
    assert load_schema(copy) == DEFAULT_SCHEMA  # a schema file adds to the default
    village = copy.read_text(encoding="utf-8") + (
        '\n[labels.Village]\ndescription = "村"\nparent = "Street"\n'
    )
    copy.write_text(village, encoding="utf-8")
    schema = load_schema(copy)
    assert schema.hierarchy == ("City", "District", "Street", "Village", "Community", "Grid")
    assert schema.allows("PART_OF", "Village", "Street")


def test_the_tie_roles_are_the_files(raw: dict[str, Any]) -> None:
    ties = raw["tie_types"]
    for role in TIE_ROLES:
        expected = tuple(name for name, body in ties.items() if body.get("role") == role)
        assert DEFAULT_SCHEMA.ties_with_role(role) == expected
    # what the domain's measures are written for (docs/extending-schema.md, the role table)
    assert DEFAULT_SCHEMA.hierarchy_tie == "PART_OF"
    assert DEFAULT_SCHEMA.ties_with_role("cobuilding") == (
        "ASSIGNED_TO",
        "PAIRED_WITH",
        "EMBEDDED_IN",
    )
    assert DEFAULT_SCHEMA.ties_with_role("home") == ("BRANCH_OF",)
    ranked = sorted(
        (body["attachment"], name) for name, body in ties.items() if "attachment" in body
    )
    assert DEFAULT_SCHEMA.attachment_ties() == tuple(name for _, name in ranked)
    assert DEFAULT_SCHEMA.attachment_ties()[0] == "ASSIGNED_TO"


def test_the_hierarchy_and_its_tie_agree_in_the_file(raw: dict[str, Any]) -> None:
    levels = raw["hierarchy"]
    assert set(levels) <= set(raw["labels"])
    part_of = {tuple(pair) for pair in raw["tie_types"]["PART_OF"]["endpoints"]}
    assert part_of == set(zip(levels[1:], levels[:-1], strict=True))  # each level in the one above
    assert DEFAULT_SCHEMA.hierarchy == tuple(levels)
    assert tuple(DEFAULT_SCHEMA.labels) == tuple(raw["labels"])
    assert all(DEFAULT_SCHEMA.level(level) == i for i, level in enumerate(levels))


def test_every_choice_in_the_file_has_a_chinese_and_an_english_label(raw: dict[str, Any]) -> None:
    tables = [raw["node_attributes"], raw["tie_attributes"]]
    tables += [body.get("attributes", {}) for body in raw["labels"].values()]
    tables += [body.get("attributes", {}) for body in raw["tie_types"].values()]
    with_choices = [(name, body) for table in tables for name, body in table.items()]
    with_choices = [(name, body) for name, body in with_choices if "choices" in body]
    assert {name for name, _ in with_choices} == {"party_org_kind", "unit_type", "level"}
    for name, body in with_choices:
        labels = body["value_labels"]
        assert list(labels) == body["choices"], name
        for value, (zh, en) in labels.items():
            assert zh.strip(), (name, value)
            assert en.strip(), (name, value)
            assert DEFAULT_SCHEMA.value_label(name, value) == (zh, en)


def test_the_inferred_and_aliases_attributes_describe_the_modules_constants(
    raw: dict[str, Any],
) -> None:
    for table in ("node_attributes", "tie_attributes"):
        description = raw[table][INFERRED]["description"]
        # the file writes out the kinds of mark the code defines: the two must not drift
        assert description.endswith("(how: " + ", ".join(INFERENCES) + ")"), table
        assert DEFAULT_SCHEMA.to_dict()[table][INFERRED]["description"] == description
    assert raw["node_attributes"][ALIASES]["description"].endswith(ALIAS_SEPARATOR)
    assert ALIASES not in raw["tie_attributes"]


def test_the_coverage_kinds_are_the_files(raw: dict[str, Any]) -> None:
    kinds = raw["coverage"]
    assert DEFAULT_SCHEMA.cobuilding_coverage() == tuple(
        kind for kind, body in kinds.items() if body.get("cobuilding")
    )
    assert DEFAULT_SCHEMA.cobuilding_coverage() == ("unit", "branch")
    for kind, body in kinds.items():
        tie = raw["tie_types"][body["tie_type"]]
        assert any(body["label"] in pair for pair in tie["endpoints"]), kind
        if body.get("cobuilding"):  # coverage "any" counts the co-building ties proper
            assert tie["role"] == "cobuilding", kind
    assert DEFAULT_SCHEMA.coverage_levels == tuple(raw["coverage_levels"]) == ("Community",)
    assert dict(DEFAULT_SCHEMA.balance_counts) == raw["balance_counts"]


def test_the_value_labels_cannot_be_changed_in_place() -> None:
    labels = DEFAULT_SCHEMA.labels["Unit"].attributes["unit_type"].value_labels
    with pytest.raises(TypeError):
        labels["organ"] = ("x", "x")  # type: ignore[index]
    extended = DEFAULT_SCHEMA.extend(
        {"labels": {"Unit": {"attributes": {"level": {"value_labels": {"city": "市属"}}}}}}
    )
    with pytest.raises(TypeError):
        extended.labels["Unit"].attributes["level"].value_labels["city"] = ("x", "x")  # type: ignore[index]
    assert extended.value_label("level", "city") == ("市属", "")
