"""The missing-answers queue: which questions land on it, grouping of paraphrases (EN and ZH), links, dismissals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from centric.chat.missing import dismiss, is_question, missing_groups, missing_questions, restore, write_link
from centric.errors import NotFound
from tests.chat.transcripts import ChatWorld

SINCE, UNTIL = datetime(2025, 3, 1), datetime(2025, 4, 1)
# Needs the demo FAQ does not answer, each asked in several ways (not the development set of the grouping).
TOPICS = {
    "umbrella": ["can i borrow an umbrella", "do you lend umbrellas to guests", "umbrella at reception?",
                 "可以借雨伞吗", "前台能借伞吗", "下雨了有伞借吗"],
    "karaoke": ["is there karaoke in the hotel", "karaoke room?", "where can we sing karaoke tonight",
                "酒店有卡拉OK吗", "有KTV吗", "附近哪里可以唱K"],
    "babysitting": ["do you offer babysitting", "can someone look after my kids tonight",
                    "babysitter service available?", "有托儿服务吗", "能帮忙照看孩子吗", "酒店有保姆服务吗"],
}


def queue(session: Any) -> ChatWorld:
    """Every question of TOPICS on the queue for a different reason, plus questions that must stay off it."""
    w = ChatWorld(session)
    t = datetime(2025, 3, 5, 9)
    n = 0
    for topic, questions in TOPICS.items():
        for question in questions:
            zh = not question.isascii()
            lang = "zh" if zh else "en"
            when = t + timedelta(hours=n)
            kind = n % 3
            if kind == 0:  # abstained, then the customer left
                w.chat([("q", question), ("x",)], started=when, resolution="abandoned", language=lang,
                       customer=f"{topic}{n}")
            elif kind == 1:  # answered with the wrong article; the customer said no
                w.chat([("q", question), ("a", f"wrong-{lang}", False), ("q", "no" if not zh else "没用")],
                       started=when, resolution="handed_off", reason="unhelpful", language=lang)
            else:  # answered, then the customer asked for a person
                w.chat([("q", question), ("a", f"other-{lang}", None), ("q", "talk to a human please")],
                       started=when, resolution="handed_off", reason="requested", language=lang)
            n += 1
    # stays off: answered and confirmed; a hand-off on abstention's first question is there already
    w.chat([("q", "what time is breakfast"), ("a", "breakfast", True)], started=t, resolution="confirmed")
    # outside the period
    w.chat([("q", "can i borrow an umbrella"), ("x",)], started=SINCE - timedelta(days=2), resolution="abandoned")
    return w


def test_questions_and_their_reasons(db):
    with db.transaction() as s:
        queue(s)
    with db.reader() as s:
        found = missing_questions(s, since=SINCE, until=UNTIL)
    texts = {q.text: q.reasons for q in found}
    # not "no", "没用" nor the request for a person
    assert set(texts) == {q for questions in TOPICS.values() for q in questions}
    assert texts["can i borrow an umbrella"] == ["abstained"]
    assert texts["do you lend umbrellas to guests"] == ["unhelpful"]
    assert texts["umbrella at reception?"] == ["handoff"]
    assert [q.asked_at for q in found] == sorted(q.asked_at for q in found)
    assert not is_question("No.") and not is_question("好的！") and is_question("no wifi in my room")


def test_paraphrases_are_grouped_across_languages(db):
    with db.transaction() as s:
        queue(s)
    with db.reader() as s:
        groups = missing_groups(s, since=SINCE, until=UNTIL)
        members = {g.key: {q.text for q in missing_examples(s, g)} for g in groups}
    topic_of = {q: topic for topic, questions in TOPICS.items() for q in questions}
    for texts in members.values():
        assert len({topic_of[t] for t in texts}) == 1, ("a group mixes needs", texts)
    for topic, questions in TOPICS.items():
        main = max(members.values(), key=lambda texts: len(texts & set(questions)))
        # at least five of the six wordings, English and Chinese, in one group
        assert len(main & set(questions)) >= 5, (topic, members)
        assert any(t.isascii() for t in main) and any(not t.isascii() for t in main), (topic, main)
    top = groups[0]
    assert top.size == 6 and top.languages == ["en", "zh"] and sum(top.reasons.values()) == 6
    assert top.first_seen < top.last_seen and len(top.examples) == 6
    assert {link.language for link in top.write} == {"en", "zh"}
    assert all(g.label for g in groups)


def missing_examples(session: Any, group: Any) -> list[Any]:
    """Every question of a group (the examples show only the most central ones)."""
    ids = set(group.message_ids)
    return [q for q in missing_questions(session, since=SINCE, until=UNTIL) if q.message_id in ids]


def test_write_link_carries_title_language_and_variants():
    link = write_link(["can i borrow an umbrella", "  do you lend\numbrellas ", "CAN I BORROW AN UMBRELLA"], "en")
    parts = urlsplit(link)
    assert parts.path == "/kb/articles/new"
    query = parse_qs(parts.query)
    assert query == {"title": ["can i borrow an umbrella"], "language": ["en"], "variants": ["do you lend umbrellas"]}
    long = write_link([f"可以借{i}号雨伞吗" * 20 for i in range(30)], "zh")
    assert len(long) <= 4000 and parse_qs(urlsplit(long).query)["variants"][0].count("\n") >= 1


def test_dismissals_take_questions_off_and_back(db):
    with db.transaction() as s:
        queue(s)
    with db.reader() as s:
        groups = missing_groups(s, since=SINCE, until=UNTIL)
    target = groups[0]
    with db.transaction() as s:
        assert dismiss(s, target.message_ids, None).dismissed == 6
    with db.transaction() as s:
        assert dismiss(s, target.message_ids[:2], None).dismissed == 0  # a retry changes nothing
    with db.reader() as s:
        after = missing_groups(s, since=SINCE, until=UNTIL)
        assert target.key not in {g.key for g in after} and len(after) == len(groups) - 1
        assert len(missing_questions(s, since=SINCE, until=UNTIL, include_dismissed=True)) == 18
    with db.transaction() as s:
        assert restore(s, target.message_ids[:1]).restored == 1
    with db.reader() as s:
        back = missing_groups(s, since=SINCE, until=UNTIL)
    assert any(g.size == 1 and g.message_ids == target.message_ids[:1] for g in back)


def test_dismissing_unknown_or_bot_messages_is_refused(db):
    with db.transaction() as s:
        w = queue(s)
        bot_message = w.chat([("q", "hi there what is up"), ("x",)], started=datetime(2025, 3, 9),
                             resolution="abandoned").id
    with db.transaction() as s, pytest.raises(NotFound):
        dismiss(s, [10**12], None)
    with db.reader() as s:
        from centric.chat.models import ChatMessage
        ids = [m.id for m in s.query(ChatMessage).filter_by(conversation_id=bot_message, author="bot")]
    with db.transaction() as s, pytest.raises(NotFound):
        dismiss(s, ids, None)
