"""Three-class sentiment on service language: labels, calibration, modes, robustness, held-out accuracy."""

import math

import pytest

from centric.text import analyze_many, analyze_sentiment, corpora, enrich, enrich_many, model_version
from centric.text.artefact import load_models
from centric.text.embeddings import available as embeddings_available

accurate_only = pytest.mark.skipif(not embeddings_available(), reason="sentence encoder package not installed")

IMPLICIT_COMPLAINTS = [
    "@AmericanAir 2 hours on hold and still no answer",
    "Flight delayed again, no info",
    "@UPS package says delivered but it's not here",
    "I was told the refund would be back in 5 days, that was a month ago",
    "third time I'm calling about the same bill",
    "@Hilton still waiting for someone to fix the AC",
    "my bag is lost and nobody tells me anything",
    "订单显示已签收，可我根本没收到",
    "等了一个小时还没送到",
]
REQUESTS = [
    "@SouthwestAir can you change my booking to Friday?",
    "How do I reset my password?",
    "What are your opening hours on Sunday?",
    "请问可以开发票吗？",
]
THANKS = [
    "@Delta thanks for sorting my refund so quickly!",
    "That worked, thank you so much",
    "问题解决了，谢谢你们",
]


@pytest.mark.parametrize("text", IMPLICIT_COMPLAINTS)
def test_implicit_complaints_are_negative(text: str) -> None:
    assert analyze_sentiment(text).label == "negative"


@pytest.mark.parametrize("text", REQUESTS)
def test_plain_requests_are_neutral(text: str) -> None:
    assert analyze_sentiment(text).label == "neutral"


@pytest.mark.parametrize("text", THANKS)
def test_thanks_after_a_fix_is_positive(text: str) -> None:
    assert analyze_sentiment(text).label == "positive"


def test_mixed_complaint_is_flagged_and_still_reaches_the_loop() -> None:
    result = analyze_sentiment("The crew were lovely but the 3 hour delay ruined our day")
    assert result.mixed
    assert result.label == "negative"


FUZZ = [
    "",
    " \n\t ",
    "😀😀",
    "🙄",
    "http://t.co/abc123",
    "www.example.com/a?b=c",
    "@united",
    "#help",
    "12345 678",
    "3.14159",
    "?!?!",
    "Le personnel était très désagréable",
    "これはテストです",
    "服务 very good 但是 delivery 太慢",
    "x" * 20_000,
    "delayed again " * 3_000,
    "\u200b\u200b",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", FUZZ)
def test_every_text_gets_a_label_and_a_probability(text: str) -> None:
    for result in analyze_many([text], mode="fast"):
        assert result.label in ("negative", "neutral", "positive")
        assert all(0.0 <= p <= 1.0 for p in result.probabilities)
        assert math.isclose(sum(result.probabilities), 1.0, abs_tol=1e-6)
        assert 0.0 <= result.confidence <= 1.0
        assert -1.0 <= result.score <= 1.0


@accurate_only
def test_accurate_mode_labels_every_fuzz_text() -> None:
    results = analyze_many(FUZZ, mode="accurate")
    assert all(r.label in ("negative", "neutral", "positive") for r in results)
    assert all(0.0 <= r.confidence <= 1.0 for r in results)


@accurate_only
def test_modes_differ_in_version_and_both_label_service_text() -> None:
    texts = IMPLICIT_COMPLAINTS[:3] + REQUESTS[:2] + THANKS[:2]
    fast = analyze_many(texts, mode="fast")
    accurate = analyze_many(texts, mode="accurate")
    assert {r.model_version for r in fast} == {load_models().version}
    assert {r.model_version for r in accurate} == {load_models().accurate_version}
    assert load_models().version != load_models().accurate_version
    assert [r.mode for r in accurate] == ["accurate"] * len(texts)
    assert [r.label for r in accurate[:3]] == ["negative"] * 3
    assert model_version("fast") != model_version("accurate")


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        analyze_sentiment("fine", mode="turbo")


@accurate_only
def test_enrich_reports_the_mode_version() -> None:
    fast = enrich("@united lost my bag again")
    accurate = enrich_many(["@united lost my bag again"], mode="accurate")[0]
    assert fast.model_version == model_version("fast")
    assert accurate.model_version == model_version("accurate")
    assert fast.sentiment.label == accurate.sentiment.label == "negative"
    assert "complaint" in fast.actionable_reasons


def test_enrich_of_a_text_without_signal_keeps_themes_unscored() -> None:
    result = enrich("12345")
    assert result.sentiment.label == "neutral"
    assert not result.sentiment.evidence
    assert result.language == "und"


def test_held_out_service_examples_negative_recall() -> None:
    """Centric's own held-out service examples (never trained on): a bounded check of the closed loop's need."""
    held = corpora.load_service("en", test=True)[:150]
    results = analyze_many([r.text for r in held], mode="fast")
    complaints = [res for row, res in zip(held, results, strict=True) if row.label in ("negative", "mixed")]
    assert len(complaints) >= 60
    recall = sum(r.label == "negative" for r in complaints) / len(complaints)
    assert recall >= 0.8
    correct = sum(
        res.label == ("negative" if row.label == "mixed" else row.label)
        for row, res in zip(held, results, strict=True)
    )
    assert correct / len(held) >= 0.7
