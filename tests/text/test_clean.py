from hypothesis import given, settings
from hypothesis import strategies as st

from centric.text import MAX_CHARS, clean_text, enrich


def test_strips_markup_scripts_and_entities() -> None:
    cleaned = clean_text(
        "<p>Bad&nbsp;<b>service</b> &amp; slow</p><script>alert('x')</script>"
    ).text
    assert cleaned == "Bad service & slow"


def test_long_text_is_truncated_at_a_boundary() -> None:
    sentence = "The delivery was late again. "
    cleaned = clean_text(sentence * 5000)
    assert cleaned.truncated
    assert len(cleaned.text) <= MAX_CHARS
    assert cleaned.text.endswith(".")


def test_odd_unicode_is_normalised() -> None:
    cleaned = clean_text("ｇｏｏｄ\u200b\x00 service\ud800 \ufeff").text
    assert cleaned == "good service"


def test_non_strings_do_not_raise() -> None:
    assert clean_text(None).text == ""
    assert clean_text(b"caf\xc3\xa9 ok").text == "café ok"
    assert clean_text(42).text == "42"


def test_bad_inputs_give_defined_enrichments() -> None:
    for raw in ["", "🙂", "\ud83d", "<div></div>", "x" * 100_000, "🤬" * 5000, "\x00\x01\x02"]:
        result = enrich(raw)
        assert result.language in ("en", "zh", "und")
        assert result.characters <= MAX_CHARS
    assert enrich("x" * 100_000).truncated
    assert enrich("").sentiment.label == "neutral" and not enrich("").sentiment.evidence


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_enrich_never_raises(text: str) -> None:
    result = enrich(text)
    assert -1.0 <= result.sentiment.score <= 1.0
    assert result.sentiment.label in ("negative", "neutral", "positive")
    assert 0.0 <= result.sentiment.confidence <= 1.0
