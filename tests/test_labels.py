"""How categories are shown: the schema's value labels, in charts, tables and legends."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import cobuild_graph as cg
from cobuild_graph import plot
from cobuild_graph._style import LANGUAGES, value_text
from cobuild_graph.errors import ValidationError
from cobuild_graph.schema import DEFAULT_SCHEMA, load_schema, schema_from_dict


def _attributes_with_choices(schema):
    mappings = [schema.node_attributes, schema.tie_attributes]
    mappings += [s.attributes for s in (*schema.labels.values(), *schema.tie_types.values())]
    return [(name, spec) for m in mappings for name, spec in m.items() if spec.choices]


def _has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_choice_of_the_default_schema_has_a_chinese_and_an_english_label():
    found = _attributes_with_choices(DEFAULT_SCHEMA)
    assert {"unit_type", "level", "party_org_kind"} <= {name for name, _ in found}
    for name, spec in found:
        assert set(spec.value_labels) == set(spec.choices), name
        for value, (zh, en) in spec.value_labels.items():
            assert _has_chinese(zh), (name, value)
            assert en, (name, value)
            assert not _has_chinese(en), (name, value)


OWN = {
    "labels": {
        "Unit": {
            "attributes": {
                "ownership": {
                    "choices": ["state", "collective"],
                    "value_labels": {"state": ["国有", "state-owned"], "collective": "集体"},
                }
            }
        }
    }
}


def test_an_extension_gives_labels_to_its_own_values_and_they_round_trip():
    schema = DEFAULT_SCHEMA.extend(OWN)
    assert schema.value_label("ownership", "state", label="Unit") == ("国有", "state-owned")
    assert schema.value_label("ownership", "collective") == ("集体", "")
    assert value_text(schema, "ownership", "collective", language="en") == "collective"
    again = schema_from_dict(schema.to_dict())
    assert again == schema
    assert again.to_dict() == schema.to_dict()
    assert DEFAULT_SCHEMA.value_label("ownership", "state") is None


def test_an_extension_labels_values_of_an_existing_attribute(tmp_path):
    path = tmp_path / "schema.toml"
    path.write_text(
        '[labels.Unit.attributes.level]\nvalue_labels = { city = ["市属", "municipal"] }\n',
        encoding="utf-8",
    )
    schema = load_schema(path)
    level = schema.labels["Unit"].attributes["level"]
    assert level.choices == DEFAULT_SCHEMA.labels["Unit"].attributes["level"].choices
    assert schema.value_label("level", "city", label="Unit") == ("市属", "municipal")
    assert schema.value_label("level", "district", label="Unit") == ("区级", "district level")
    more = (*DEFAULT_SCHEMA.labels["Unit"].attributes["unit_type"].choices, "coop")
    grown = DEFAULT_SCHEMA.extend(
        {"labels": {"Unit": {"attributes": {"unit_type": {"choices": list(more)}}}}}
    )
    assert grown.value_label("unit_type", "organ") == DEFAULT_SCHEMA.value_label(
        "unit_type", "organ"
    )
    assert grown.value_label("unit_type", "coop") is None
    assert value_text(grown, "unit_type", "coop") == "coop"


@pytest.mark.parametrize(
    "bad", [{"nope": ["不是", "not a choice"]}, {"organ": 3}, {"organ": ["", "empty"]}]
)
def test_a_value_label_for_no_choice_or_of_a_wrong_shape_is_refused(bad):
    spec = {"labels": {"Unit": {"attributes": {"unit_type": {"value_labels": bad}}}}}
    with pytest.raises(ValidationError):
        DEFAULT_SCHEMA.extend(spec)


@pytest.fixture(scope="module")
def tiny():
    return cg.generate("tiny", seed=1)


def _texts(ax):
    texts = [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
    legend = ax.get_legend()
    texts += [t.get_text() for t in legend.get_texts()] if legend else []
    return texts


def test_the_unit_type_chart_shows_display_labels_in_each_language(tiny):
    labels = DEFAULT_SCHEMA.labels["Unit"].attributes["unit_type"].value_labels
    shown = {}
    for language in LANGUAGES:
        fig, ax = plot.plot_unit_types(tiny, language=language)
        shown[language] = (_texts(ax), ax.get_title())
        plt.close(fig)
    ticks, title = shown["both"]
    assert "机关 organ" in ticks
    assert "organ" not in ticks
    ticks, title = shown["zh"]
    assert "机关" in ticks
    assert not any(t in ticks for t in labels)
    assert _has_chinese(title)
    assert not any(c.isascii() and c.isalpha() for c in title)
    ticks, title = shown["en"]
    assert labels["organ"][1] in ticks
    assert "机关" not in ticks
    assert title == "Unit types per Street"


@pytest.mark.parametrize(
    "draw",
    [
        lambda G, lang: plot.plot_per_street(G, "units", language=lang),
        lambda G, lang: plot.plot_coverage(G, language=lang),
        lambda G, lang: plot.plot_degree_distribution(G, language=lang),
        lambda G, lang: plot.plot_centrality_distribution(G, language=lang),
        lambda G, lang: plot.plot_top_nodes(G, language=lang),
        lambda G, lang: plot.plot_growth(G, language=lang),
        lambda G, lang: plot.plot_rollup(G, language=lang),
    ],
)
def test_chart_titles_axes_and_legends_follow_the_language(tiny, draw):
    for language in ("zh", "en"):
        fig, ax = draw(tiny, language)
        words = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        words += [t.get_text() for t in legend.get_texts()] if legend else []
        plt.close(fig)
        assert ax.get_title()
        for text in filter(None, words):
            if language == "en":
                assert not _has_chinese(text), text
            else:
                assert _has_chinese(text), text
    with pytest.raises(ValueError, match="language"):
        draw(tiny, "fr")
