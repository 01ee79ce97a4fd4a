"""The schema (docs/reference/schema.md) as data, extended in one place, validated like the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from cobuild_graph import DEFAULT_SCHEMA, ValidationError, load_schema, read_dataset
from tests.conftest import NODES, TIES, write_csv_dataset


def test_default_schema_has_the_design_labels_and_ties() -> None:
    assert set(DEFAULT_SCHEMA.labels) == {
        "City",
        "District",
        "Street",
        "Community",
        "Grid",
        "Unit",
        "ActionBranch",
        "Project",
        "Position",
        "Body",
    }
    assert DEFAULT_SCHEMA.allows("ASSIGNED_TO", "Unit", "Street")
    assert not DEFAULT_SCHEMA.allows("ASSIGNED_TO", "Street", "Unit")
    assert DEFAULT_SCHEMA.allows("EMBEDDED_IN", "ActionBranch", "Grid")
    assert DEFAULT_SCHEMA.hierarchy == ("City", "District", "Street", "Community", "Grid")
    assert DEFAULT_SCHEMA.node_attribute("Unit", "unit_type").choices == (
        "organ",
        "soe",
        "school",
        "hospital",
        "institution",
        "private",
        "mass",
        "social",
        "other",
    )
    assert DEFAULT_SCHEMA.tie_attribute("PAIRED_WITH", "since").type == "date"
    assert DEFAULT_SCHEMA.node_attribute("Street", "members") is None


def test_chinese_spellings_resolve() -> None:
    assert DEFAULT_SCHEMA.label_lookup()["社区"] == "Community"
    assert DEFAULT_SCHEMA.label_lookup()["actionbranch"] == "ActionBranch"
    assert DEFAULT_SCHEMA.tie_type_lookup()["结对共建"] == "PAIRED_WITH"


def test_the_schema_cannot_be_changed_in_place() -> None:
    with pytest.raises(TypeError):
        DEFAULT_SCHEMA.labels["Planet"] = DEFAULT_SCHEMA.labels["City"]  # type: ignore[index]


def test_extension_adds_a_level_and_endpoints() -> None:
    schema = DEFAULT_SCHEMA.extend(
        {
            "labels": {
                "Village": {
                    "aliases": ["村"],
                    "parent": "Street",
                    "attributes": {"households": "int"},
                }
            },
            "tie_types": {"PAIRED_WITH": {"endpoints": [["Unit", "Village"]]}},
        }
    )
    assert schema.hierarchy == ("City", "District", "Street", "Village", "Community", "Grid")
    assert schema.allows("PART_OF", "Village", "Street")
    assert schema.allows("PAIRED_WITH", "Unit", "Village")
    assert schema.node_attribute("Village", "households").type == "int"
    assert "Village" not in DEFAULT_SCHEMA.labels


def test_extended_schema_reads_a_dataset_the_default_refuses(tmp_path: Path) -> None:
    nodes = NODES + "v1,村,新村,,,\n"
    ties = TIES + "v1,canglang,PART_OF,,,,\n007,v1,PAIRED_WITH,,,,\n"
    folder = write_csv_dataset(tmp_path / "data", nodes, ties)
    with pytest.raises(ValidationError, match="unknown label"):
        read_dataset(folder)
    schema_file = tmp_path / "village.toml"
    schema_file.write_text(
        '[labels.Village]\naliases = ["村"]\nparent = "Street"\n'
        '[tie_types.PAIRED_WITH]\nendpoints = [["Unit", "Village"]]\n',
        encoding="utf-8",
    )
    G = read_dataset(folder, schema=load_schema(schema_file))
    assert G.nodes["v1"]["label"] == "Village"


def test_bad_extension_lists_every_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        DEFAULT_SCHEMA.extend(
            {
                "labels": {"bad label": {}, "Farm": {"attributes": {"size": "huge"}}},
                "tie_types": {"helps": {"endpoints": [["Unit", "Nowhere"]]}},
                "colours": {},
            }
        )
    messages = " | ".join(caught.value.problems["message"])
    assert "unknown schema section" in messages
    assert "CamelCase" in messages
    assert "UPPER_CASE" in messages
    assert "unknown label" in messages
    assert "unknown attribute type" in messages
    assert len(caught.value.problems) == 5


def test_alias_clash_is_refused() -> None:
    with pytest.raises(ValidationError, match="spelling used by both"):
        DEFAULT_SCHEMA.extend({"labels": {"Village": {"aliases": ["社区"]}}})


@pytest.mark.parametrize(
    ("name", "text", "row"),
    [("bad.toml", "[labels.Village\n", 1), ("bad.json", '{\n "labels": ,\n}', 2)],
)
def test_unparseable_schema_file_names_file_and_line(
    tmp_path: Path, name: str, text: str, row: int
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="cannot parse the schema file") as caught:
        load_schema(path)
    problem = caught.value.problems.iloc[0]
    assert (Path(problem["file"]).name, problem["row"]) == (name, row)


def test_schema_round_trips_through_plain_data() -> None:
    data = DEFAULT_SCHEMA.to_dict()
    assert data["tie_types"]["ASSIGNED_TO"]["endpoints"] == [["Unit", "Street"]]
    assert "纬度" in data["node_attributes"]["lat"]["aliases"]
