"""Honest resolution metrics: every outcome, re-contact on any channel, CSAT bot vs human, query count."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from centric.chat.metrics import article_helpfulness, resolution_metrics
from centric.cli.main import app as cli
from centric.errors import Invalid
from centric.kb.models import KbArticle
from centric.stats.proportions import compare_proportions, proportion_estimate
from tests.api.conftest import auth
from tests.chat.transcripts import ChatWorld

SINCE, UNTIL, NOW = datetime(2025, 3, 1), datetime(2025, 5, 1), datetime(2025, 4, 30, 12)
DAY = timedelta(days=1)


def world(session: Any, tag: str = "", w: ChatWorld | None = None) -> ChatWorld:
    """Twelve conversations in range, one outside; figures worked out by hand in the tests below.

    ``tag`` makes another, disjoint set of customers in the world ``w`` (for the query-count test).
    """
    w = w or ChatWorld(session)
    w.session = session
    t = datetime(2025, 3, 3, 10)

    def who(name: str) -> str:
        return name + tag

    # 1 confirmed, re-contacted: a ticket 3 days after it closed
    c1 = w.chat([("q", "breakfast?"), ("a", "breakfast", True)], started=t, resolution="confirmed",
                customer=who("A"), survey=(5, 6))
    w.feedback(who("A"), "ticket", c1.closed_at + 3 * DAY)
    # 2 confirmed, its own transcript item right after closing, and a ticket only after 8 days: not re-contacted
    c2 = w.chat([("q", "parking?"), ("a", "parking", True)], started=t + DAY, resolution="confirmed",
                customer=who("B"), survey=(4, 7))
    c2.feedback_id = w.feedback(who("B"), "chat", c2.closed_at + timedelta(minutes=1), "transcript")
    w.feedback(who("B"), "ticket", c2.closed_at + 8 * DAY)
    # 3 assumed, auto-closed (its survey answer must not count), re-contacted by a chat 2 days later (9)
    c3 = w.chat([("q", "wifi password"), ("a", "wifi", None)], started=t + 2 * DAY, resolution="assumed",
                customer=who("C"), channel="web", closed_by="auto", survey=(1, 1))
    # 9 abandoned: only an abstention
    w.chat([("q", "can i bring my horse"), ("x",)], started=c3.closed_at + 2 * DAY, resolution="abandoned",
           customer=who("C"), channel="web")
    # 4 assumed in Chinese; a survey answer and an alert-rule case follow within 7 days: neither is a contact
    c4 = w.chat([("q", "早餐几点"), ("a", "breakfast-zh", None)], started=t + 3 * DAY, resolution="assumed",
                customer=who("D"), language="zh", survey=(2, 2))
    w.feedback(who("D"), "survey", c4.closed_at + DAY)
    w.case(who("D"), "response", c4.closed_at + DAY)
    # 5 assumed, customer unknown: re-contact cannot be checked
    w.chat([("q", "有停车场吗"), ("a", "parking-zh", None)], started=t + 4 * DAY, resolution="assumed", language="zh")
    # 6 handed off on request, 7 on abstention, 8 after two "no"
    w.chat([("q", "late checkout"), ("a", "checkout", None), ("q", "talk to a person"), ("agent", "Sure")],
           started=t + 5 * DAY, resolution="handed_off", reason="requested", customer=who("E"), closed_by="agent",
           survey=(2, 3))
    w.chat([("q", "我的发票在哪里"), ("x",)], started=t + 6 * DAY, resolution="handed_off", reason="abstained",
           customer=who("F"), language="zh", closed_by="agent", survey=(4, 5))
    w.chat([("q", "refund"), ("a", "refunds", False), ("q", "no, my refund"), ("a", "refunds", False)],
           started=t + 7 * DAY, resolution="handed_off", reason="unhelpful", customer=who("G"), channel="api")
    # 10 still open
    w.chat([("q", "pool hours"), ("a", "pool", None)], started=t + 8 * DAY, resolution=None)
    # 11 confirmed two days before "now": its 7 days are not over
    w.chat([("q", "gym?"), ("a", "gym", True)], started=NOW - 2 * DAY, resolution="confirmed", customer=who("H"))
    # 12 confirmed, then a case opened from feedback 6 days later
    c12 = w.chat([("q", "pets allowed?"), ("a", "pets", True)], started=t + 9 * DAY, resolution="confirmed",
                 customer=who("I"))
    w.case(who("I"), "feedback", c12.closed_at + 6 * DAY)
    # outside the range
    w.chat([("q", "old question"), ("a", "breakfast", True)], started=SINCE - DAY, resolution="confirmed",
           customer=who("A"))
    return w


def rate(r: Any, count: int, n: int) -> None:
    expected = proportion_estimate(n, count)
    assert (r.count, r.n) == (count, n)
    assert r.value == pytest.approx(expected.value) if n else r.value is None
    assert (r.low, r.high) == pytest.approx((expected.low, expected.high)) if n else r.low is None


def test_every_outcome_is_reported_separately(db):
    with db.transaction() as s:
        world(s)
    with db.reader() as s:
        m = resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW)
    o = m.overall
    assert (o.conversations, o.open, o.with_outcome) == (12, 1, 11)
    rate(o.confirmed, 4, 11)
    rate(o.assumed, 3, 11)
    rate(o.handed_off, 3, 11)
    rate(o.abandoned, 1, 11)
    for reason in ("requested", "abstained", "unhelpful"):
        rate(getattr(o.handoffs, reason), 1, 11)
    rate(o.answer_rate, 11, 13)
    rate(o.abstention_rate, 2, 13)


def test_recontact_on_any_channel_within_seven_days(db):
    with db.transaction() as s:
        world(s)
    with db.reader() as s:
        o = resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW).overall
    rate(o.unknown_customer, 1, 11)  # the anonymous assumed chat: not checkable
    assert o.window_open == 1  # confirmed two days before now
    assert o.checkable == 9
    rate(o.recontact_after_confirmed, 2, 3)  # ticket after 3 days, case after 6; not the ticket after 8 days
    rate(o.recontact_after_assumed, 1, 2)  # another chat after 2 days; not a survey answer nor an alert case
    rate(o.confirmed_without_recontact, 1, 9)
    rate(o.assumed_without_recontact, 1, 9)
    rate(o.deflection, 2, 9)


def test_assumed_alone_overstates_resolution(db):
    with db.transaction() as s:
        world(s)
    with db.reader() as s:
        o = resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW).overall
    silence_counted = (o.confirmed.count + o.assumed.count) / o.with_outcome
    assert silence_counted == pytest.approx(7 / 11)
    assert o.deflection.value is not None and o.deflection.value / 100 < silence_counted / 2


def test_later_now_closes_the_window(db):
    with db.transaction() as s:
        world(s)
    with db.reader() as s:
        o = resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW + 10 * DAY).overall
    assert (o.window_open, o.checkable) == (0, 10)
    rate(o.deflection, 3, 10)  # the gym chat, nobody came back


def test_csat_and_ces_bot_only_against_human(db):
    with db.transaction() as s:
        world(s)
    with db.reader() as s:
        m = resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW)
    sat = m.satisfaction
    rate(sat.csat_bot, 2, 3)  # 5, 4, 2 — the auto-closed chat's 1 is left out
    rate(sat.csat_human, 1, 2)  # 2, 4
    expected = compare_proportions((3, 2), (2, 1))
    assert sat.csat_difference.difference == pytest.approx(expected.difference)
    assert (sat.csat_difference.low, sat.csat_difference.high) == pytest.approx((expected.low, expected.high))
    assert sat.csat_difference.p_value == pytest.approx(expected.p_value)
    assert (sat.ces_bot.n, sat.ces_bot.value) == (3, pytest.approx(5.0))  # 6, 7, 2
    assert (sat.ces_human.n, sat.ces_human.value) == (2, pytest.approx(4.0))  # 3, 5
    assert sat.ces_difference.difference == pytest.approx(1.0)
    assert m.overall.surveyed == 5  # the auto-closed one is never counted as surveyed
    assert "Auto-closed" in sat.caveat


def test_slices_by_language_and_channel_and_filters(db):
    with db.transaction() as s:
        world(s)
    with db.reader() as s:
        m = resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW)
        zh_only = resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW, language="zh")
        web_only = resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW, channel="web")
    assert {x.key: x.conversations for x in m.by_language} == {"en": 9, "zh": 3}
    assert {x.key: x.conversations for x in m.by_channel} == {"api": 1, "web": 2, "widget": 9}
    zh = next(x for x in m.by_language if x.key == "zh")
    rate(zh.assumed, 2, 3)
    rate(zh.answer_rate, 2, 3)
    assert zh_only.overall.model_dump() == {**zh.model_dump(), "key": "all"}
    assert zh_only.satisfaction.csat_bot.n == 1 and zh_only.satisfaction.csat_human.n == 1
    assert web_only.overall.conversations == 2 and web_only.overall.recontact_after_assumed.count == 1


def test_bad_ranges_and_filters_are_refused(db):
    with db.reader() as s:
        with pytest.raises(Invalid, match="before"):
            resolution_metrics(s, since=UNTIL, until=SINCE)
        with pytest.raises(Invalid, match="channel"):
            resolution_metrics(s, channel="<script>")
        with pytest.raises(Invalid, match="language"):
            resolution_metrics(s, language="e n")
        empty = resolution_metrics(s)
    assert empty.overall.conversations == 0 and empty.overall.deflection.value is None


def test_article_helpfulness_least_helpful_first(db):
    with db.transaction() as s:
        w = world(s)
    with db.reader() as s:
        rows = article_helpfulness(s, since=SINCE, until=UNTIL)
        only = article_helpfulness(s, since=SINCE, until=UNTIL, article_ids=[w.articles["pets"]])
    first = rows[0]
    assert (first.slug, first.answers, first.helpful, first.unhelpful) == ("refunds", 2, 0, 2)
    breakfast = next(r for r in rows if r.slug == "breakfast")
    assert (breakfast.answers, breakfast.helpful, breakfast.unhelpful) == (1, 1, 0)  # the February one is outside
    assert rows[-1].helpful_share.n == 0  # never rated: last
    assert [r.slug for r in only] == ["pets"]


def test_a_constant_number_of_statements(db):
    def statements() -> int:
        seen: list[str] = []

        def note(*args: Any) -> None:
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            with db.reader() as s:
                resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        return len([q for q in seen if q.lstrip().upper().startswith("SELECT")])

    with db.transaction() as s:
        w = world(s)
    few = statements()
    with db.transaction() as s:
        world(s, "2", w)
        world(s, "3", w)
    assert statements() == few == 4
    with db.reader() as s:
        assert resolution_metrics(s, since=SINCE, until=UNTIL, now=NOW).overall.conversations == 36


HOSTILE = "<script>alert('q')</script> Quixotic marmalade question"
RANGE = {"since": "2025-03-01T00:00:00Z", "until": "2025-05-01T00:00:00Z"}


def with_customer_words(session: Any) -> None:
    """The world, plus a customer's recognisable words and a hostile article title."""
    w = world(session)
    w.chat([("q", HOSTILE), ("a", "late-checkout", False)], started=datetime(2025, 3, 20), resolution="handed_off",
           reason="unhelpful", customer="Zelda Quarry")
    session.get(KbArticle, w.articles["late-checkout"]).title = "<b>Late</b> check-out"


def test_viewer_reads_the_metrics_api_without_customer_data(db, client, tokens):
    with db.transaction() as s:
        with_customer_words(s)
    answer = client.get("/api/v1/chats/metrics", params=RANGE, headers=auth(tokens["viewer"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["overall"]["conversations"] == 13 and body["recontact_days"] == 7
    assert body["overall"]["deflection"]["n"] == 11  # now, every 7-day window is over
    assert "Quixotic" not in answer.text and "Zelda" not in answer.text and "customer_id" not in answer.text
    articles = client.get("/api/v1/chats/metrics/articles", params={**RANGE, "limit": 2},
                          headers=auth(tokens["viewer"])).json()
    assert articles["total"] >= 10 and len(articles["items"]) == 2
    assert articles["items"][0]["unhelpful"] >= 1
    assert client.get("/api/v1/chats/metrics").status_code == 401
    bad = client.get("/api/v1/chats/metrics", params={"channel": "fax"}, headers=auth(tokens["viewer"]))
    assert bad.status_code == 422 and "channel" in bad.text
    backwards = {"since": RANGE["until"], "until": RANGE["since"]}
    assert client.get("/api/v1/chats/metrics", params=backwards, headers=auth(tokens["viewer"])).status_code == 422


def test_the_metrics_page_shows_figures_and_no_customer_text(db, client, tokens):
    with db.transaction() as s:
        with_customer_words(s)
    page = client.get("/chats/metrics", params={"since": "2025-03-01", "until": "2025-04-30"},
                      headers=auth(tokens["viewer"]))
    assert page.status_code == 200, page.text
    text = page.text
    deflection = proportion_estimate(11, 3)
    assert f"<strong>{deflection.value:.0f}%</strong> resolved without a person and without re-contact" in text
    assert f"95% CI {deflection.low:.0f}–{deflection.high:.0f}%, n = 11" in text
    assert "Why \"assumed\" is not \"resolved\"" in text and "Not a fair contest" in text
    assert "Quixotic" not in text and "Zelda" not in text and "<script>alert" not in text
    assert "&lt;b&gt;Late&lt;/b&gt; check-out" in text  # staff's article title, escaped
    assert 'href="/kb/missing"' not in text  # a viewer may not open the queue
    assert "Chat resolution</a>" in text
    agent = client.get("/chats/metrics?language=zh", headers=auth(tokens["agent"]))
    assert agent.status_code == 200 and 'href="/kb/missing"' in agent.text
    assert client.get("/chats/metrics?since=2025-13-01", headers=auth(tokens["viewer"])).status_code == 422


def test_the_cli_prints_the_figures_and_json(db):
    with db.transaction() as s:
        world(s)
    runner = CliRunner()
    base = ["--database-url", db.url, "chat", "metrics", "--since", "2025-03-01", "--until", "2025-04-30"]
    as_json = runner.invoke(cli, [*base, "--json"])
    assert as_json.exit_code == 0, as_json.output
    figures = json.loads(as_json.output)
    assert figures["overall"]["conversations"] == 12 and figures["overall"]["deflection"]["count"] == 3
    assert figures["until"].startswith("2025-05-01")
    table = runner.invoke(cli, [*base, "--language", "zh"])
    assert table.exit_code == 0, table.output
    assert "3 conversations started 2025-03-01" in table.output and "deflection" in table.output
    bad = runner.invoke(cli, ["--database-url", db.url, "chat", "metrics", "--since", "March"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    wrong = runner.invoke(cli, ["--database-url", db.url, "chat", "metrics", "--channel", "fax"])
    assert wrong.exit_code != 0 and "channel" in wrong.output
