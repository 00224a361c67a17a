"""The bot's reading of short replies and its plain-text answers (no database)."""

from __future__ import annotations

import pytest

from centric.chat.bot import intent, snippet


@pytest.mark.parametrize(("text", "meant"), [
    ("yes", "yes"), ("Yes, thanks!", "yes"), ("thanks, that helps", "yes"), ("是的", "yes"), ("谢谢！", "yes"),
    ("有用", "yes"), ("no", "no"), ("No, it didn't.", "no"), ("nope", "no"), ("不", "no"), ("没用", "no"),
    ("不是这个", "no"), ("agent", "handoff"), ("Human please", "handoff"), ("I want to talk to a person", "handoff"),
    ("can I speak to a real person", "handoff"), ("I'd like to talk to someone", "handoff"), ("人工", "handoff"),
    ("转人工", "handoff"), ("我要人工客服", "handoff"),
    ("What time is breakfast?", None), ("no pets allowed?", None), ("Does the agent speak Chinese?", None),
    ("人工湖在哪里", None), ("不含早餐吗？", None), ("yes " * 30, None),
])
def test_short_replies_are_read_as_what_they_mean(text, meant):
    assert intent(text) == meant


def test_an_answer_is_the_first_paragraph_as_plain_text():
    markdown = "## Breakfast\n\n**Every day** from 6:30 in the [Harbour](/help/a/harbour) restaurant.\n\nMore."
    assert snippet(markdown) == "Every day from 6:30 in the Harbour restaurant."
    assert snippet("**Every day** from 6:30 in the [Harbour](/x) <b>restaurant</b>.\n\nMore.") == \
        "Every day from 6:30 in the Harbour restaurant."
    long = "word " * 200
    cut = snippet(long, limit=50)
    assert cut.endswith("…") and len(cut) <= 51 and not cut[:-1].endswith(" ")
    assert snippet("") == ""
