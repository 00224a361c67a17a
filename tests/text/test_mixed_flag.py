"""The "mixed" sentiment flag: per-language thresholds chosen on the dev split, and the flag firing in Chinese."""

from __future__ import annotations

import pytest

from centric.text import analyze_many, analyze_sentiment, corpora, enrich, model_version
from centric.text.sentiment import MIXED_POLARITY, mixed_polarity, mixed_rule_tag, mixedness
from centric.text.train import MIXED_CEILING, MIXED_RECALL, choose_mixed_polarity, mixed_polarity_table


def _dev_flags(language: str) -> tuple[list[bool], list[bool]]:
    dev = corpora.load_service_text(language, dev=True)
    results = analyze_many([r.text for r in dev], [language] * len(dev))
    return [r.mixed for r in results], [r.label == "mixed" for r in dev]


def test_shipped_thresholds_are_the_dev_choice_for_the_shipped_models() -> None:
    # fails after a retraining until MIXED_POLARITY is recomputed (python -m centric.text.train --mixed-only)
    assert mixed_polarity_table() == MIXED_POLARITY


@pytest.mark.parametrize("language", ["en", "zh"])
def test_mixed_flag_fires_on_the_dev_split(language: str) -> None:
    flags, gold = _dev_flags(language)
    caught = sum(f and g for f, g in zip(flags, gold, strict=True))
    assert sum(gold) >= 3
    assert caught / sum(gold) >= MIXED_RECALL
    # and it stays a flag for a minority of texts, not a blanket
    assert sum(flags) <= 0.15 * len(flags)


def test_chinese_threshold_is_below_the_shared_one_the_temperature_broke() -> None:
    assert mixed_polarity("zh") < MIXED_CEILING
    assert mixed_polarity("und") == mixed_polarity("en")


def test_hand_written_chinese_mixed_complaint_is_flagged() -> None:
    text = "酒店房间很干净，但是前台服务太差了"
    result = analyze_sentiment(text, "zh")
    assert result.mixed
    assert result.label == "negative"
    assert result.positive_sentences and result.negative_sentences
    # the clause scores alone would not reach the shared threshold of 0.3
    assert mixedness(result.sentences) < MIXED_CEILING
    assert analyze_sentiment(text, "zh", mode="accurate").mixed


ONE_SIDED = ["送餐很快，味道也很好，谢谢", "等了一个小时还没送到，客服也不回复", "请问发票怎么开？"]


@pytest.mark.parametrize("text", ONE_SIDED)
def test_one_sided_chinese_texts_are_not_mixed(text: str) -> None:
    assert not analyze_sentiment(text, "zh").mixed


def test_choice_keeps_the_recall_floor_under_the_ceiling_and_cuts_midway() -> None:
    scores = [0.9, 0.25, 0.21, 0.2, 0.19, 0.1, 0.0, -1.0]
    gold = [True, True, False, False, True, False, False, False]
    t = choose_mixed_polarity(scores, gold)
    assert t == pytest.approx((0.19 + 0.1) / 2, abs=1e-3)  # every gold text flagged, highest such cut
    # without the floor F1 gives up the third gold text for two fewer false flags
    assert choose_mixed_polarity(scores, gold, recall=0.6) == pytest.approx((0.25 + 0.21) / 2, abs=1e-3)
    # clear mixed texts far above the ceiling keep the designed threshold
    assert choose_mixed_polarity([0.8, 0.7, 0.1, 0.0], [True, True, False, False]) == MIXED_CEILING
    with pytest.raises(ValueError):
        choose_mixed_polarity([0.1, 0.2], [False, False])


def test_stored_text_version_names_the_mixed_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    before = model_version("fast")
    assert mixed_rule_tag() in before and enrich("菜很好吃").model_version == before
    monkeypatch.setitem(MIXED_POLARITY, "zh", 0.3)
    assert model_version("fast") != before
