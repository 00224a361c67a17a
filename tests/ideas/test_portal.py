"""The public ideas portal: browsing, signing in by e-mail link or from a survey, posting with a check step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from centric.customers.models import Identity
from centric.db import utcnow
from centric.events import IdeasSubmitted
from centric.ideas.models import Idea, IdeaVote
from centric.jobs import load_tasks, run_job
from centric.jobs.models import Job
from centric.surveys.schemas import SurveyIn, SurveyOptions
from centric.surveys.service import create_survey
from tests.factories import make_journey
from tests.ideas.portal_helpers import (
    BASE,
    add_change,
    add_comment,
    approve_author,
    form_token,
    ideas,
    make_board,
    make_customer,
    make_idea,
    portal_app,
    visitor,
)
from tests.outreach.conftest import smtp  # noqa: F401
from tests.surveys.helpers import form_token as survey_form_token


@pytest.fixture
def app(db):
    return portal_app(db)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def _vote_at(db, idea_id: int, customer_id: int, days_ago: float) -> None:
    with db.transaction() as s:
        s.add(IdeaVote(idea_id=idea_id, origin_idea_id=idea_id, customer_id=customer_id,
                       created_at=utcnow() - timedelta(days=days_ago)))
        s.flush()
        s.get(Idea, idea_id).vote_count = s.scalar(select(func.count()).where(IdeaVote.idea_id == idea_id))


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/ideas/i/\d+[^"]*">([^<]+)</a></h2>', html)


def test_visitors_browse_boards_lists_and_ideas_without_signing_in(client, db):
    board = make_board(db)
    old_popular = make_idea(db, board, "Old popular idea", created_at=utcnow() - timedelta(days=60))
    fresh = make_idea(db, board, "Fresh idea with recent votes")
    newest = make_idea(db, board, "Newest idea")
    make_idea(db, board, "Pending idea", moderation="pending")
    make_idea(db, board, "Hidden idea", moderation="hidden")
    people = [make_customer(db, f"p{i}@example.com") for i in range(5)]
    for person in people[:4]:
        _vote_at(db, old_popular, person, days_ago=30)  # four votes, all long ago
    for person in people[:2]:
        _vote_at(db, fresh, person, days_ago=0.2)  # two recent votes

    home = client.get("/ideas")
    assert home.status_code == 200 and '<html lang="en">' in home.text
    assert "Stays" in home.text and "3 ideas" in home.text
    assert home.headers["cache-control"] == "private, no-store"
    assert "script-src 'self'" in home.headers["content-security-policy"]

    assert _titles(client.get("/ideas/b/stays").text)[:2] == ["Fresh idea with recent votes", "Old popular idea"]
    assert _titles(client.get("/ideas/b/stays?sort=top").text)[0] == "Old popular idea"
    assert _titles(client.get("/ideas/b/stays?sort=new").text)[0] == "Newest idea"
    listing = client.get("/ideas/b/stays").text
    assert "Pending idea" not in listing and "Hidden idea" not in listing
    assert 'action="/ideas/i/' not in listing  # no vote buttons for an anonymous visitor
    add_change(db, newest, "planned", "Coming in the spring release")
    assert _titles(client.get("/ideas/b/stays?status=planned").text) == ["Newest idea"]

    page = client.get(f"/ideas/i/{newest}")
    assert page.status_code == 200 and "Coming in the spring release" in page.text and "Planned" in page.text
    assert "Sign in to vote" in page.text
    assert client.get(f"/ideas/i/{newest + 100}").status_code == 404
    hidden_id = ideas(db)[-1].id
    assert client.get(f"/ideas/i/{hidden_id}").status_code == 404


def test_the_list_pages_and_runs_a_constant_number_of_queries(client, db, app):
    from sqlalchemy import event

    board = make_board(db)
    for n in range(45):
        make_idea(db, board, f"Idea number {n}")
    statements: list[str] = []

    def count(*args):  # type: ignore[no-untyped-def]
        if args[2].lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            statements.append(args[2])

    client.get("/ideas")  # reads the installation's signing key once
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = client.get("/ideas/b/stays?sort=new")
        queries_first = len(statements)
        statements.clear()
        last = client.get("/ideas/b/stays?sort=new&page=3")
        queries_last = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert "Page 1 of 3" in first.text and 'rel="next"' in first.text
    assert _titles(last.text) == [f"Idea number {n}" for n in range(4, -1, -1)]
    assert queries_first == queries_last <= 3, statements  # board, page, count


def test_the_sign_in_link_arrives_by_e_mail_and_sets_the_visitor_cookie(db, smtp):  # noqa: F811
    controller, mailbox = smtp
    app = portal_app(db, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_timeout_s=5)
    board = make_board(db)
    idea = make_idea(db, board, "Quiet rooms")
    load_tasks()
    with TestClient(app) as client:
        login = client.get(f"/ideas/login?next=/ideas/i/{idea}")
        answered = client.post("/ideas/login", data={"f": form_token(login.text), "email": "Mia@Example.com",
                                                     "name": "Mia", "next": f"/ideas/i/{idea}"})
        assert answered.status_code == 200 and "Check your inbox" in answered.text
        unknown = client.post("/ideas/login", data={"f": form_token(login.text), "email": "nobody@example.com",
                                                    "next": "/ideas"})
        assert unknown.text.count("Check your inbox") == answered.text.count("Check your inbox")
        with db.reader() as s:
            jobs = list(s.scalars(select(Job).where(Job.name == "ideas.sign_in_mail").order_by(Job.id)))
        assert [j.payload["email"] for j in jobs] == ["Mia@Example.com", "nobody@example.com"]
        assert "t" not in jobs[0].payload  # the queue holds no credential
        with db.reader() as s:  # nobody is created or renamed until the link is opened
            assert s.scalar(select(func.count()).select_from(Identity).where(
                Identity.value.in_(("mia@example.com", "nobody@example.com")))) == 0
        assert run_job(db, app.state.settings, jobs[0].id, "test") == "done"
        message = mailbox.wait(1)[0]
        assert message["To"] == "Mia@Example.com"
        link = re.search(r"(http://testserver/ideas/i/\d+\?t=\S+)", message.get_body(("plain",)).get_content())[1]
        arrival = client.get(link.removeprefix(BASE), follow_redirects=False)
        assert arrival.status_code == 303 and arrival.headers["location"] == f"/ideas/i/{idea}"
        cookie = arrival.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Path=/ideas" in cookie
        page = client.get(f"/ideas/i/{idea}")
        assert "Signed in as Mia" in page.text and 'action="/ideas/i/' in page.text
        assert client.get(link.removeprefix(BASE)[:-3] + "xyz", follow_redirects=False).status_code == 403
        client.get("/ideas/logout")
        assert "Signed in as" not in client.get(f"/ideas/i/{idea}").text
        # someone else asks a link for Mia's address under another name: her profile keeps her name
        client.post("/ideas/login", data={"f": form_token(login.text), "email": "mia@example.com",
                                          "name": "Mallory", "next": "/ideas"})
        with db.reader() as s:
            third = s.scalars(select(Job).where(Job.name == "ideas.sign_in_mail").order_by(Job.id.desc())).first()
        assert run_job(db, app.state.settings, third.id, "test") == "done"
        again = re.search(r"(http://testserver/ideas\?t=\S+)", mailbox.wait(2)[1].get_body(("plain",)).get_content())[1]
        client.get(again.removeprefix(BASE))
        assert "Signed in as Mia" in client.get(f"/ideas/i/{idea}").text
        with db.reader() as s:
            assert s.scalar(select(func.count()).select_from(Identity).where(
                Identity.value == "mia@example.com")) == 1


def test_a_known_survey_respondent_arrives_signed_in_from_the_thank_you_page(client, db):
    from centric.surveys.links import personal_link
    from centric.surveys.templates import TEMPLATES

    board = make_board(db)
    make_idea(db, board, "Faster check-in")
    customer = make_customer(db, "ann@example.com", "Ann")
    with db.transaction() as s:
        make_journey(s)
        create_survey(s, SurveyIn(key="rel", name="NPS", questions=TEMPLATES["relationship-nps"].questions,
                                  options=SurveyOptions(ideas_url=f"{BASE}/ideas/b/stays", rate_limit_per_hour=100)))
        link = personal_link(s, app_settings(client), "rel", customer)
    page = client.get(link.removeprefix(BASE))
    done = client.post("/s/rel", data={"f": survey_form_token(page.text), "nps": "3"}, follow_redirects=False)
    while done.headers["location"].startswith("/s/rel?"):
        follow = client.get(done.headers["location"])
        done = client.post("/s/rel", data={"f": survey_form_token(follow.text)}, follow_redirects=False)
    thanks = client.get(done.headers["location"])
    share = re.search(r'href="(http://testserver/ideas/b/stays\?t=[^"]+)"', thanks.text)
    assert share is not None, thanks.text
    arrival = client.get(share[1].removeprefix(BASE).replace("&amp;", "&"), follow_redirects=False)
    assert arrival.status_code == 303 and arrival.headers["location"] == "/ideas/b/stays"
    assert "Signed in as Ann" in client.get("/ideas/b/stays").text
    # An anonymous respondent's link stays plain
    anonymous = TestClient(client.app)
    page = anonymous.get("/s/rel")
    done = anonymous.post("/s/rel", data={"f": survey_form_token(page.text), "nps": "2"}, follow_redirects=False)
    while done.headers["location"].startswith("/s/rel?"):
        follow = anonymous.get(done.headers["location"])
        done = anonymous.post("/s/rel", data={"f": survey_form_token(follow.text)}, follow_redirects=False)
    assert f'href="{BASE}/ideas/b/stays"' in anonymous.get(done.headers["location"]).text


def app_settings(client):  # type: ignore[no-untyped-def]
    return client.app.state.settings


def test_posting_shows_similar_ideas_first_and_a_resubmit_stores_one_idea(client, db, app, monkeypatch):
    published: list[object] = []
    import centric.ideas.participation as participation

    monkeypatch.setattr(participation, "publish", lambda session, event: published.append(event))
    board = make_board(db)
    similar = make_idea(db, board, "Quieter rooms at night")
    customer = make_customer(db, "lee@example.com", "Lee")
    approve_author(db, board, customer)
    browser = visitor(app, db, customer)
    form = browser.get("/ideas/b/stays/new")
    assert form.status_code == 200
    assert 'id="idea-title"' in form.text and 'data-board="stays"' in form.text
    assert '<div id="idea-suggestions" aria-live="polite" data-heading="Similar ideas already here:"' in form.text
    assert '<script src="/static/ideas-suggest.js" defer></script>' in form.text
    token = form_token(form.text)
    fields = {"f": token, "title": "Quieter rooms near the lift", "body": "The lift hums all night.", "name": "Lee"}
    check = browser.post("/ideas/b/stays/new", data={**fields, "step": "check"})
    assert check.status_code == 200 and "Check before posting" in check.text
    assert "Quieter rooms at night" in check.text and f'action="/ideas/i/{similar}/vote"' in check.text
    assert "Post my idea anyway" in check.text
    first = browser.post("/ideas/b/stays/new", data={**fields, "step": "post"}, follow_redirects=False)
    again = browser.post("/ideas/b/stays/new", data={**fields, "step": "post"}, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    stored = [i for i in ideas(db) if i.title == "Quieter rooms near the lift"]
    assert len(stored) == 1 and stored[0].moderation == "approved" and stored[0].language == "en"
    assert stored[0].customer_id == customer and stored[0].author_name == "Lee"
    assert [e for e in published if isinstance(e, IdeasSubmitted)] == [IdeasSubmitted((stored[0].id,))]
    page = browser.get(first.headers["location"])
    assert "The lift hums all night." in page.text
    # "vote for this instead" from the check step
    vote = browser.post(f"/ideas/i/{similar}/vote", data={"f": form_token(check.text)}, follow_redirects=False)
    assert vote.status_code == 303
    with db.reader() as s:
        assert s.get(Idea, similar).vote_count == 1
    # a Chinese idea is stored as Chinese; a bad title comes back with the form
    zh = browser.post("/ideas/b/stays/new", data={"f": form_token(browser.get("/ideas/b/stays/new").text),
                                                  "title": "希望房间里有更安静的空调", "step": "post"},
                      follow_redirects=False)
    assert zh.status_code == 303 and ideas(db)[-1].language == "zh"
    short = browser.post("/ideas/b/stays/new", data={"f": token, "title": "x", "step": "check"})
    assert short.status_code == 422 and "Please give your idea a title" in short.text


def test_posting_needs_a_signed_in_visitor(client, db):
    make_board(db)
    new = client.get("/ideas/b/stays/new", follow_redirects=False)
    assert new.status_code == 303 and new.headers["location"].startswith("/ideas/login?next=")
    post = client.post("/ideas/b/stays/new", data={"f": "x", "title": "Hello there"}, follow_redirects=False)
    assert post.status_code == 303 and "/ideas/login" in post.headers["location"]


def test_the_idea_page_pins_the_official_answer_threads_comments_and_redirects_duplicates(client, db):
    board = make_board(db)
    original = make_idea(db, board, "Original idea")
    duplicate = make_idea(db, board, "Same idea again")
    first = add_comment(db, original, "First comment")
    add_comment(db, original, "A reply to the first", parent_id=first)
    add_comment(db, original, "We are building this now.", official=True)
    with db.transaction() as s:
        dup = s.get(Idea, duplicate)
        dup.status, dup.duplicate_of_id = "duplicate", original
    page = client.get(f"/ideas/i/{original}").text
    official_at = page.index("We are building this now.")
    assert page.index("Official answer") < official_at < page.index("First comment") < page.index("A reply to")
    assert 'class="comment depth-1' in page  # the reply is drawn under its comment
    moved = client.get(f"/ideas/i/{duplicate}", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/ideas/i/{original}?merged=1"
    assert "was merged into this one" in client.get(moved.headers["location"]).text
    assert "Same idea again" not in client.get("/ideas/b/stays").text


def test_chinese_visitors_get_chinese_pages(client, db):
    make_board(db)
    page = client.get("/ideas/b/stays", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-Hans">' in page.text and "住宿" in page.text and "热门" in page.text
    english = client.get("/ideas/b/stays?lang=en", headers={"Accept-Language": "zh-CN"})
    assert "Trending" in english.text and "热门" not in english.text
    chosen = client.get("/ideas?lang=zh").text
    assert "与我们分享您的建议" in chosen and 'href="/ideas/b/stays?lang=zh"' in chosen
