"""Votes, comments and reports on the portal: idempotency, budgets, CSRF, refusals, moderation, abuse."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from centric.ideas import participation
from centric.ideas.models import Idea, IdeaComment, IdeaReport, IdeaVote
from centric.insights.timeline import timeline
from centric.journeys.models import Event
from tests.ideas.portal_helpers import (
    approve_author,
    form_token,
    make_board,
    make_customer,
    make_idea,
    portal_app,
    visitor,
)


@pytest.fixture
def app(db):
    return portal_app(db)


def _votes(db, idea_id: int) -> tuple[int, int]:
    """(rows, the idea's vote_count)."""
    with db.reader() as s:
        rows = s.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id))
        return rows, s.get(Idea, idea_id).vote_count


def test_a_vote_posted_twice_counts_once_and_can_be_withdrawn(app, db):
    board = make_board(db)
    idea = make_idea(db, board, "Pillow menu")
    customer = make_customer(db, "ann@example.com", "Ann")
    browser = visitor(app, db, customer)
    page = browser.get(f"/ideas/i/{idea}")
    token = form_token(page.text)
    for _ in range(2):
        voted = browser.post(f"/ideas/i/{idea}/vote", data={"f": token}, follow_redirects=False)
        assert voted.status_code == 303
    assert _votes(db, idea) == (1, 1)
    page = browser.get(voted.headers["location"])
    assert "You support this idea." in page.text and "Remove my vote" in page.text
    unvoted = browser.post(f"/ideas/i/{idea}/unvote", data={"f": form_token(page.text)}, follow_redirects=False)
    assert unvoted.status_code == 303 and _votes(db, idea) == (0, 0)
    # from the list, the vote returns to the list
    listing = browser.get("/ideas/b/stays?sort=top")
    back = browser.post(f"/ideas/i/{idea}/vote", follow_redirects=False,
                        data={"f": form_token(listing.text), "back": "/ideas/b/stays?sort=top"})
    assert back.headers["location"] == "/ideas/b/stays?sort=top" and _votes(db, idea) == (1, 1)


def test_the_service_counts_a_retried_or_concurrent_vote_once(db):
    board = make_board(db)
    idea = make_idea(db, board, "Late checkout")
    customer = make_customer(db, "bo@example.com")
    with db.transaction() as s:
        assert participation.vote(s, idea, customer) is True
    with db.transaction() as s:
        assert participation.vote(s, idea, customer) is False
    assert _votes(db, idea) == (1, 1)
    # the insert itself ignores the conflict: two sessions that both saw "no vote yet"
    other = make_customer(db, "cy@example.com")

    def cast_vote() -> int | None:
        with db.transaction() as s:
            inserted = participation._insert_vote(s, idea, other, "portal")
            participation.recount_votes(s, idea)
            return inserted

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: cast_vote(), range(2)))
    assert sum(r is not None for r in results) == 1
    with db.transaction() as s:
        participation.recount_votes(s, idea)
    assert _votes(db, idea) == (2, 2)
    with db.reader() as s:
        events = list(s.scalars(select(Event).where(Event.customer_id == customer, Event.kind == "idea_vote")))
    assert len(events) == 1 and events[0].source == "ideas" and events[0].payload["idea_id"] == idea


def test_the_board_budget_refuses_one_vote_too_many_and_done_ideas_give_it_back(app, db):
    board = make_board(db, budget=2)
    first, second, third = (make_idea(db, board, f"Idea {n}") for n in (1, 2, 3))
    customer = make_customer(db, "dee@example.com")
    browser = visitor(app, db, customer)
    for idea in (first, second):
        browser.post(f"/ideas/i/{idea}/vote", data={"f": form_token(browser.get(f"/ideas/i/{idea}").text)})
    refused = browser.post(f"/ideas/i/{third}/vote", data={"f": form_token(browser.get(f"/ideas/i/{third}").text)})
    assert refused.status_code == 409 and "Vote limit reached" in refused.text
    assert "You support 2 open ideas" in refused.text
    assert _votes(db, third) == (0, 0)
    with db.transaction() as s:
        s.get(Idea, first).status = "done"
    allowed = browser.post(f"/ideas/i/{third}/vote", data={"f": form_token(browser.get(f"/ideas/i/{third}").text)},
                           follow_redirects=False)
    assert allowed.status_code == 303 and _votes(db, third) == (1, 1)


def test_a_form_served_to_another_identity_is_refused(app, db):
    board = make_board(db)
    idea = make_idea(db, board, "Spa hours")
    ann, bo = make_customer(db, "ann@example.com"), make_customer(db, "bo@example.com")
    ann_browser, bo_browser = visitor(app, db, ann), visitor(app, db, bo)
    anns_token = form_token(ann_browser.get(f"/ideas/i/{idea}").text)
    forged = bo_browser.post(f"/ideas/i/{idea}/vote", data={"f": anns_token})
    assert forged.status_code == 403 and "cannot be used" in forged.text
    assert bo_browser.post(f"/ideas/i/{idea}/vote", data={"f": anns_token[:-2] + "xx"}).status_code == 403
    assert bo_browser.post(f"/ideas/i/{idea}/vote", data={"x": "1"}).status_code == 403
    assert bo_browser.post(f"/ideas/i/{idea}/vote").status_code == 400  # not a form at all
    anonymous = TestClient(app).post(f"/ideas/i/{idea}/vote", data={"f": anns_token}, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/ideas/login?next=%2Fideas%2Fi%2F{idea}"
    assert _votes(db, idea) == (0, 0)


def test_locked_and_closed_ideas_refuse_votes_and_comments_as_the_rules_say(app, db):
    board = make_board(db)
    locked = make_idea(db, board, "Locked idea", locked=True)
    done = make_idea(db, board, "Done idea", status="done")
    customer = make_customer(db, "eve@example.com")
    approve_author(db, board, customer)
    browser = visitor(app, db, customer)
    token = form_token(browser.get(f"/ideas/i/{done}").text)
    page = browser.get(f"/ideas/i/{locked}")
    assert "This idea is locked" in page.text and f'action="/ideas/i/{locked}/vote"' not in page.text
    refused = browser.post(f"/ideas/i/{locked}/vote", data={"f": token})
    assert refused.status_code == 409 and "This idea is locked." in refused.text
    assert browser.post(f"/ideas/i/{locked}/comment", data={"f": token, "body": "Hello"}).status_code == 409
    assert browser.post(f"/ideas/i/{done}/vote", data={"f": token}).status_code == 409
    commented = browser.post(f"/ideas/i/{done}/comment", data={"f": token, "body": "Thanks for shipping it"},
                             follow_redirects=False)
    assert commented.status_code == 303  # comments stay open on done ideas
    assert _votes(db, locked) == (0, 0) and _votes(db, done) == (0, 0)


def test_a_new_identity_waits_for_review_and_later_posts_go_straight_through(app, db):
    board = make_board(db)
    idea = make_idea(db, board, "Rooftop bar")
    newcomer = make_customer(db, "fay@example.com", "Fay")
    browser = visitor(app, db, newcomer)
    page = browser.get(f"/ideas/i/{idea}")
    first = browser.post(f"/ideas/i/{idea}/comment", data={"f": form_token(page.text), "body": "Yes please!"},
                         follow_redirects=False)
    assert "notice=comment_pending" in first.headers["location"]
    mine = browser.get(first.headers["location"].split("#")[0])
    assert "Yes please!" in mine.text and "Awaiting review" in mine.text
    assert "Yes please!" not in TestClient(app).get(f"/ideas/i/{idea}").text
    with db.transaction() as s:
        s.scalar(select(IdeaComment)).moderation = "approved"  # a moderator approves it
    second = browser.post(f"/ideas/i/{idea}/comment", data={"f": form_token(browser.get(f"/ideas/i/{idea}").text),
                                                            "body": "And a terrace"}, follow_redirects=False)
    assert "comment_pending" not in second.headers["location"]
    spam = browser.post(f"/ideas/i/{idea}/comment", data={
        "f": form_token(browser.get(f"/ideas/i/{idea}").text),
        "body": "Cheap loan at https://x.example.biz and www.spam.xyz call +1 555 010 9999"}, follow_redirects=False)
    assert "comment_pending" in spam.headers["location"]
    with db.reader() as s:
        rows = {c.body[:5]: c for c in s.scalars(select(IdeaComment))}
        assert rows["And a"].moderation == "approved" and rows["Cheap"].moderation == "pending"
        assert rows["Cheap"].spam_score >= 0.6
        assert s.get(Idea, idea).comment_count == 2
    # a first idea waits too, visible to its author only
    other = make_customer(db, "gus@example.com")
    gus = visitor(app, db, other)
    posted = gus.post("/ideas/b/stays/new", data={"f": form_token(gus.get("/ideas/b/stays/new").text),
                                                  "title": "Free bikes for guests", "step": "post"},
                      follow_redirects=False)
    assert "notice=idea_pending" in posted.headers["location"]
    path = posted.headers["location"].split("?")[0]
    assert "Awaiting review" in gus.get(posted.headers["location"]).text
    assert TestClient(app).get(path).status_code == 404
    assert "Free bikes for guests" in gus.get("/ideas/b/stays?sort=new").text
    assert "Free bikes for guests" not in TestClient(app).get("/ideas/b/stays?sort=new").text


def test_the_honeypot_stores_nothing_and_the_rate_limit_answers_429(app, db, monkeypatch):
    board = make_board(db)
    idea = make_idea(db, board, "Honey")
    customer = make_customer(db, "hal@example.com")
    approve_author(db, board, customer)
    browser = visitor(app, db, customer)
    token = form_token(browser.get(f"/ideas/i/{idea}").text)
    bot = browser.post(f"/ideas/i/{idea}/comment", data={"f": token, "body": "Buy now", "website": "http://x"},
                       follow_redirects=False)
    assert bot.status_code == 303
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(IdeaComment)) == 0
    from centric.ideas.public import portal as routes

    monkeypatch.setitem(routes.LIMITS, "comment", (100, 2))
    def post_comment(n: int) -> int:
        fresh = form_token(browser.get(f"/ideas/i/{idea}").text)
        return browser.post(f"/ideas/i/{idea}/comment", data={"f": fresh, "body": f"Comment {n}"},
                            follow_redirects=False).status_code

    codes = [post_comment(n) for n in range(3)]
    assert codes == [303, 303, 429]
    limited = browser.post(f"/ideas/i/{idea}/comment", data={"f": token, "body": "more"})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3600"
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(IdeaComment)) == 2


def test_report_abuse_and_threaded_replies(app, db):
    board = make_board(db)
    idea = make_idea(db, board, "Karaoke night")
    customer = make_customer(db, "ida@example.com")
    approve_author(db, board, customer)
    browser = visitor(app, db, customer)
    page = browser.get(f"/ideas/i/{idea}")
    browser.post(f"/ideas/i/{idea}/comment", data={"f": form_token(page.text), "body": "Top level"})
    with db.reader() as s:
        parent = s.scalar(select(IdeaComment.id))
    reply_page = browser.get(f"/ideas/i/{idea}?reply={parent}")
    assert 'id="reply-form"' in reply_page.text and f'name="parent" value="{parent}"' in reply_page.text
    token = form_token(reply_page.text, 0)
    browser.post(f"/ideas/i/{idea}/comment", data={"f": token, "body": "A reply", "parent": str(parent)})
    with db.reader() as s:
        reply = s.scalar(select(IdeaComment).where(IdeaComment.body == "A reply"))
        assert reply.parent_id == parent
    assert 'class="comment depth-1' in browser.get(f"/ideas/i/{idea}").text
    report_page = browser.get(f"/ideas/i/{idea}?report={parent}")
    reported = browser.post(f"/ideas/i/{idea}/report", data={
        "f": form_token(report_page.text), "reason": "spam", "comment": str(parent), "text": "Looks like an ad"},
        follow_redirects=False)
    assert reported.status_code == 303 and "notice=reported" in reported.headers["location"]
    assert "A moderator will look at it" in browser.get(reported.headers["location"]).text
    bad = browser.post(f"/ideas/i/{idea}/report", data={"f": form_token(report_page.text), "reason": "nonsense"})
    assert bad.status_code == 422
    with db.reader() as s:
        rows = list(s.scalars(select(IdeaReport)))
    assert [(r.reason, r.comment_id, r.customer_id, r.text) for r in rows] == [
        ("spam", parent, customer, "Looks like an ad")]


def test_hostile_input_gets_a_4xx_page_never_a_500(app, db):
    board = make_board(db)
    idea = make_idea(db, board, "Robust")
    customer = make_customer(db, "jo@example.com")
    browser = visitor(app, db, customer)
    token = form_token(browser.get(f"/ideas/i/{idea}").text)
    checks = [
        browser.get("/ideas/i/abc"), browser.get("/ideas/i/99999999999999999999"), browser.get("/ideas/i/-1"),
        browser.get("/ideas/b/" + "x" * 500), browser.get("/ideas/b/stays?page=99999999999999&sort=%00&status=zz"),
        browser.get(f"/ideas/i/{idea}?reply=zz&report=-3&notice=<script>"),
        browser.get("/ideas?t=garbage"), browser.get("/ideas/login?next=https://evil.example&t=a.b"),
        browser.post(f"/ideas/i/{idea}/vote", data={"f": "A" * 5000}),
        browser.post(f"/ideas/i/{idea}/vote", content=b"\xff\xfe\x00garbage",
                     headers={"content-type": "application/x-www-form-urlencoded"}),
        browser.post(f"/ideas/i/{idea}/vote", content=b"{}", headers={"content-type": "application/json"}),
        browser.post(f"/ideas/i/{idea}/comment", data={"f": token, "body": "x" * 30_000}),
        browser.post(f"/ideas/i/{idea}/comment", data={"f": token, "body": "hi", "parent": "99999999999"}),
        browser.post(f"/ideas/i/{idea}/comment", data={"f": token, "body": "hi", "parent": "12"}),
        browser.post("/ideas/i/99999999999999/vote", data={"f": token}),
        browser.post(f"/ideas/i/{idea}/vote", content="&".join(f"k{n}=v" for n in range(500)).encode(),
                     headers={"content-type": "application/x-www-form-urlencoded"}),
        browser.post("/ideas/b/stays/new", data={"f": token, "title": "T" * 400, "step": "post"}),
        browser.post("/ideas/login", data={"f": "bad", "email": "x"}),
    ]
    codes = [r.status_code for r in checks]
    tolerated = {4, 5}  # odd paging, sorting and reply parameters fall back to the defaults
    assert all(400 <= c < 500 for n, c in enumerate(codes) if n not in tolerated), codes
    assert all(codes[n] == 200 for n in tolerated), codes
    assert "<script>" not in checks[5].text
    escaped = browser.post("/ideas/b/stays/new", data={"f": token, "title": "<b>bold</b> idea", "step": "check"})
    assert "<b>bold</b>" not in escaped.text and "&lt;b&gt;bold&lt;/b&gt;" in escaped.text


def test_the_customer_timeline_shows_ideas_votes_and_comments(app, db):
    board = make_board(db)
    idea = make_idea(db, board, "Pool towels")
    customer = make_customer(db, "kim@example.com")
    browser = visitor(app, db, customer)
    page = browser.get(f"/ideas/i/{idea}")
    browser.post(f"/ideas/i/{idea}/vote", data={"f": form_token(page.text)})
    browser.post(f"/ideas/i/{idea}/comment", data={"f": form_token(page.text), "body": "More towels"})
    with db.reader() as s:
        items, total = timeline(s, customer)
    titles = sorted(item.title for item in items)
    assert titles == ["Commented on an idea", "Voted for an idea"] and total == 2
    assert {item.text for item in items} == {"Pool towels"}
