import pytest

from centric.text import analyze_sentiment


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The staff were friendly and helpful.", "positive"),
        ("I love this app!", "positive"),
        ("Terrible service, never again.", "negative"),
        ("The food was cold and tasteless.", "negative"),
        ("味道很好，送餐也快", "positive"),
        ("太难吃了，再也不点了", "negative"),
        ("How do I change my PIN?", "neutral"),
    ],
)
def test_clear_cases(text: str, label: str) -> None:
    assert analyze_sentiment(text).label == label


@pytest.mark.parametrize(
    ("plain", "negated"),
    [("good", "not good"), ("helpful", "not helpful at all"), ("好", "不好"), ("满意", "不满意")],
)
def test_negation_flips_polarity(plain: str, negated: str) -> None:
    assert analyze_sentiment(plain).score > 0
    result = analyze_sentiment(negated)
    assert result.label == "negative"
    assert result.score < 0


def test_double_negative_is_not_negative() -> None:
    assert (
        analyze_sentiment("The staff were not unhelpful").score
        > analyze_sentiment("The staff were unhelpful").score
    )


def test_intensifier_strengthens() -> None:
    assert analyze_sentiment("very good").score > analyze_sentiment("good").score


def test_contrast_weights_the_clause_after_but() -> None:
    after_negative = analyze_sentiment("The room was nice but the staff were rude")
    after_positive = analyze_sentiment("The staff were rude but the room was nice")
    assert after_negative.score < after_positive.score
    assert after_negative.label == "negative"
    assert after_positive.label == "positive"


def test_mixed_comment_keeps_both_sentences() -> None:
    result = analyze_sentiment(
        "The food was delicious. The delivery was very late and the driver was rude."
    )
    assert result.mixed
    assert len(result.sentences) >= 2
    assert result.sentences[0].label == "positive"
    assert result.negative_sentences
    zh = analyze_sentiment("菜很好吃，但是送餐太慢了，骑手态度也很差")
    assert zh.mixed
    assert zh.positive_sentences and zh.negative_sentences


def test_sentence_spans_point_into_the_text() -> None:
    text = "Great coffee. Awful parking."
    result = analyze_sentiment(text)
    for s in result.sentences:
        assert text[s.start : s.end] == s.text


def test_score_is_bounded_and_language_recorded() -> None:
    result = analyze_sentiment("amazing amazing amazing wonderful perfect " * 50)
    assert 0.9 < result.score <= 1.0
    assert result.language == "en"
    assert result.model_version.startswith("centric-sentiment")


def test_inputs_without_signal_are_neutral_with_low_confidence() -> None:
    for text in ("", "   ", "Le personnel était désagréable", "12345", "http://t.co/x1"):
        result = analyze_sentiment(text)
        assert result.label == "neutral"
        assert result.score == 0.0
        assert not result.evidence
        assert result.confidence <= 0.5


def test_emoji_carry_sentiment() -> None:
    assert analyze_sentiment("👍😍").label == "positive"
    assert analyze_sentiment("😡👎").label == "negative"


def test_explicit_language_skips_detection() -> None:
    assert not analyze_sentiment("good", language="und").evidence
    assert analyze_sentiment("good", language="en").label == "positive"
