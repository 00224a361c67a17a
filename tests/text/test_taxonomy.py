import json

import pytest

from centric.text import Taxonomy, Theme, default_taxonomy, enrich

SMALL = {
    "name": "hotel",
    "version": 2,
    "example_similarity": 0.5,
    "themes": [
        {
            "name": "room",
            "label": "Room",
            "keywords": {"en": ["room", "bed"], "zh": ["房间"]},
            "children": [
                {"name": "noise", "keywords": {"en": ["noisy", "thin walls"], "zh": ["吵"]}},
                {
                    "name": "clean",
                    "keywords": {"en": ["dirty"]},
                    "examples": {"en": ["stains on the sheets"]},
                },
            ],
        },
        {"name": "breakfast", "keywords": {"en": ["breakfast", "buffet"], "zh": ["早餐"]}},
    ],
}


def test_round_trip_through_json() -> None:
    taxonomy = Taxonomy.from_dict(SMALL)
    again = Taxonomy.from_dict(json.loads(json.dumps(taxonomy.to_dict())))
    assert again == taxonomy
    assert again.to_dict() == taxonomy.to_dict()
    assert [t.path for t in taxonomy.themes] == ["room", "room/noise", "room/clean", "breakfast"]


def test_hierarchy_navigation() -> None:
    taxonomy = Taxonomy.from_dict(SMALL)
    assert taxonomy.get("room/noise").parent == "room"
    assert [t.path for t in taxonomy.children("room")] == ["room/noise", "room/clean"]
    assert taxonomy.ancestors("room/noise") == ("room",)
    assert "breakfast" in taxonomy and "lobby" not in taxonomy


def test_child_match_counts_for_parent() -> None:
    result = enrich("The walls were thin and it was so noisy at night", Taxonomy.from_dict(SMALL))
    by_path = {h.path: h for h in result.themes}
    assert by_path["room/noise"].source == "keyword"
    assert by_path["room"].source == "child"
    assert "noisy" in by_path["room"].terms
    assert "breakfast" not in by_path


def test_theme_takes_sentiment_of_its_clause() -> None:
    result = enrich(
        "The breakfast was delicious, but the room was dirty and noisy.", Taxonomy.from_dict(SMALL)
    )
    by_path = {h.path: h for h in result.themes}
    assert by_path["breakfast"].sentiment == "positive"
    assert by_path["room"].sentiment == "negative"


def test_keywords_match_inflections_and_chinese_substrings() -> None:
    taxonomy = default_taxonomy()
    assert "returns/refund" in enrich("They refunded me quickly", taxonomy).theme_paths
    assert "delivery" in enrich("快递三天才送到", taxonomy).theme_paths
    assert "account/access" in enrich("忘记密码了，登录不上", taxonomy).theme_paths


def test_example_phrases_classify_without_keywords() -> None:
    taxonomy = Taxonomy.from_dict(SMALL)
    assert "room/clean" in enrich("there were stains on the sheets", taxonomy).theme_paths
    assert enrich("stains on the sheets", taxonomy).themes[-1].source == "example"


def test_from_examples_builds_a_classifier() -> None:
    taxonomy = Taxonomy.from_examples(
        "intents",
        [
            "where is my card",
            "my card has not arrived",
            "how do I reset my pin",
            "forgot my pin code",
        ],
        ["card_arrival", "card_arrival", "pin", "pin"],
    )
    assert enrich("my new card still has not arrived", taxonomy).theme_paths == ("card_arrival",)
    assert enrich("I need to reset the pin", taxonomy).theme_paths == ("pin",)


def test_default_taxonomy_is_bilingual_and_hierarchical() -> None:
    taxonomy = default_taxonomy()
    roots = {t.path for t in taxonomy.roots()}
    assert {
        "billing",
        "delivery",
        "staff",
        "product",
        "digital",
        "wait_time",
        "cleanliness",
        "returns",
        "account",
        "communication",
    } <= roots
    for root in taxonomy.roots():
        assert root.keywords_for("en") and root.keywords_for("zh"), root.path
    assert any(t.parent for t in taxonomy.themes)


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"themes": [{"label": "no name"}]},
        {"themes": [{"name": "a/b"}]},
        {"themes": [{"name": "a"}, {"name": "a"}]},
        {"themes": [{"name": "a", "keywords": ["not", "a", "mapping"]}]},
    ],
)
def test_malformed_taxonomies_are_rejected(bad: dict) -> None:
    with pytest.raises(ValueError):
        Taxonomy.from_dict(bad)


def test_child_before_parent_is_rejected() -> None:
    with pytest.raises(ValueError):
        Taxonomy("t", (Theme("a/b"), Theme("a")))
