"""Respondent pages /s/{key}: no login, no JavaScript, abuse-proof — on both backends."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from centric.accounts.signing import sign, signing_key
from centric.config import Settings
from centric.customers.schemas import CustomerIn
from centric.customers.service import upsert_customer
from centric.feedback.models import Feedback
from centric.insights.models import AnswerRollup
from centric.surveys.links import personal_link
from centric.surveys.models import Answer, Invitation, Response
from centric.surveys.schemas import SurveyIn, SurveyOptions
from centric.surveys.service import create_survey
from tests.surveys.helpers import form_token

OPTIONS = SurveyOptions(review_url="https://reviews.example.com/hotel", ideas_url="https://ideas.example.com",
                        frame_origins=["https://www.example.com"], rate_limit_per_hour=1000)


@pytest.fixture
def survey(db, tokens):
    """The relationship-NPS template (nps; comment; improve if nps ≤ 6) plus a hidden ticket id."""
    from centric.surveys.templates import TEMPLATES

    questions = [*TEMPLATES["relationship-nps"].questions, {"key": "ticket", "type": "hidden", "source": "tid"}]
    with db.transaction() as s:
        create_survey(s, SurveyIn(key="rel", name="Relationship NPS", questions=questions,
                                  languages=["en", "zh"], touchpoint="check-in", options=OPTIONS))
        customer = upsert_customer(s, CustomerIn(email="ann@example.com", name="Ann"))
        return customer.id


def _count(db, model, *where):
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _answers(db):
    with db.reader() as s:
        return {a.question_key: (a.number if a.number is not None else a.text) for a in s.scalars(select(Answer))}


def test_anonymous_respondent_answers_page_by_page_without_javascript(client, db, survey):
    page = client.get("/s/rel?tid=T-42")
    assert page.status_code == 200 and "<script" not in page.text
    assert 'type="radio" name="nps" value="10"' in page.text and "<legend>" in page.text
    assert "frame-ancestors 'self' https://www.example.com" in page.headers["content-security-policy"]
    first = client.post("/s/rel", data={"f": form_token(page.text), "nps": "4", "comment": "Slow check-in"},
                        follow_redirects=False)
    assert first.status_code == 303
    assert _count(db, Response, Response.completed.is_(False)) == 1  # partial answers are kept
    second = client.get(first.headers["location"])
    assert 'name="improve"' in second.text and 'name="nps"' not in second.text  # asked because nps ≤ 6
    done = client.post("/s/rel", data={"f": form_token(second.text), "improve": "More staff"}, follow_redirects=False)
    assert done.headers["location"].startswith("/s/rel/thanks")
    thanks = client.get(done.headers["location"])
    assert "Thank you" in thanks.text and "https://ideas.example.com" in thanks.text
    assert _count(db, Response) == 1 and _count(db, Response, Response.completed.is_(True)) == 1
    assert _answers(db) == {"nps": 4.0, "comment": "Slow check-in", "improve": "More staff", "ticket": "T-42"}
    with db.reader() as s:
        texts = sorted(s.scalars(select(Feedback.text)))
        assert texts == ["More staff", "Slow check-in"]  # comments become feedback
        response = s.scalar(select(Response))
        assert response.channel == "link" and response.touchpoint_id is not None


def test_promoters_are_invited_to_review_and_locale_follows_the_browser(client, db, survey):
    page = client.get("/s/rel", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert 'lang="zh"' in page.text and "推荐" in page.text
    done = client.post("/s/rel", data={"f": form_token(page.text), "nps": "10"}, follow_redirects=False)
    thanks = client.get(done.headers["location"])
    assert "https://reviews.example.com/hotel" in thanks.text and "谢谢" in thanks.text
    assert "推荐" not in client.get("/s/rel?lang=en").text


def test_double_submit_and_back_button_resubmit_store_one_response(client, db, survey):
    token = form_token(client.get("/s/rel").text)
    for _ in range(3):
        assert client.post("/s/rel", data={"f": token, "nps": "9"}, follow_redirects=False).status_code == 303
    assert _count(db, Response) == 1 and _count(db, Answer) == 1
    with db.reader() as s:
        assert s.scalar(select(func.sum(AnswerRollup.n))) == 1  # the rollup counted it once


def test_answers_that_do_not_fit_rerender_the_page_with_an_accessible_error(client, db, survey):
    token = form_token(client.get("/s/rel").text)
    for bad in ({"nps": "11"}, {"nps": "seven"}, {"nps": ["3", "4"]}, {}):
        answer = client.post("/s/rel", data={"f": token, **bad})
        assert answer.status_code == 422
        assert 'role="alert"' in answer.text and 'id="e-nps"' in answer.text and 'aria-invalid="true"' in answer.text
    assert _count(db, Response) == 0


def test_script_in_answers_is_inert_and_oversized_bodies_are_refused(client, db, survey):
    evil = "<script>alert(1)</script>"
    token = form_token(client.get("/s/rel").text)
    long = client.post("/s/rel", data={"f": token, "nps": "5", "comment": "x" * 70_000})
    assert long.status_code == 413 and "Too much text" in long.text
    answer = client.post("/s/rel", data={"f": token, "nps": "5", "comment": evil}, follow_redirects=False)
    assert answer.status_code == 303
    again = client.get(f"/s/rel?f={token}")  # the page shows what was typed, escaped
    assert evil not in again.text
    assert _answers(db)["comment"] == evil  # stored verbatim, escaped on output


def test_honeypot_looks_accepted_but_stores_nothing(client, db, survey):
    token = form_token(client.get("/s/rel").text)
    answer = client.post("/s/rel", data={"f": token, "nps": "10", "website": "http://spam.example"},
                         follow_redirects=False)
    assert answer.status_code == 303 and "/thanks" in answer.headers["location"]
    assert client.get(answer.headers["location"]).status_code == 200
    assert _count(db, Response) == 0


def test_flood_from_one_address_gets_a_429_page(client, db, survey):
    from centric.surveys import service

    with db.transaction() as s:
        rel = service.get_survey(s, "rel")
        rel.options = {**rel.options, "rate_limit_per_hour": 3}
    codes = []
    for _ in range(5):
        token = form_token(client.get("/s/rel").text)  # page views are not counted
        codes.append(client.post("/s/rel", data={"f": token, "nps": "8"}, follow_redirects=False).status_code)
    assert codes == [303, 303, 303, 429, 429]
    blocked = client.post("/s/rel", data={"f": token, "nps": "8"})
    assert "Too many answers" in blocked.text and blocked.headers["retry-after"] == "3600"
    assert _count(db, Response) == 3


def test_one_click_score_from_an_email_link_is_stored_at_once(client, db, survey, app):
    settings = Settings(database_url=db.url)
    with db.transaction() as s:
        invitation = Invitation(survey_id=1, customer_id=survey, token_hash="h" * 64, channel="email")
        s.add(invitation)
        s.flush()
        link = personal_link(s, settings, "rel", survey, invitation_id=invitation.id, score=9)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path + "&tid=T-7")
    assert page.status_code == 200 and 'value="9" checked' in page.text
    with db.reader() as s:
        response = s.scalar(select(Response))
        assert response.customer_id == survey and response.completed is False and response.channel == "email"
        assert s.get(Invitation, response.invitation_id).answered_at is not None
    client.get("/" + path.replace("score=9", "score=7"))  # a second click changes the score, no duplicate
    assert _count(db, Response) == 1 and _answers(db)["nps"] == 7.0
    with db.reader() as s:
        rollup = s.scalar(select(AnswerRollup))
        assert (rollup.n, rollup.promoters, rollup.total) == (1, 0, 7.0)
    done = client.post("/s/rel", data={"f": form_token(client.get("/" + path).text), "nps": "10",
                                       "comment": "Great"}, follow_redirects=False)
    assert "/thanks" in done.headers["location"]
    with db.reader() as s:
        assert s.scalar(select(Response)).completed is True
        assert s.scalar(select(Feedback)).customer_id == survey and s.scalar(select(Feedback)).rating == 10


def test_tampered_expired_or_foreign_tokens_get_a_clear_403(client, db, survey):
    with db.transaction() as s:
        key = signing_key(s)
    good = sign(key, "survey", {"s": "rel", "c": survey}, 3600)
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    expired = sign(key, "survey", {"s": "rel", "c": survey}, -10)
    other = sign(key, "survey", {"s": "other", "c": survey}, 3600)
    for token in (tampered, expired, other, "garbage"):
        answer = client.get(f"/s/rel?t={token}&score=9")
        assert answer.status_code == 403 and "This link cannot be used" in answer.text
    assert client.post("/s/rel", data={"f": "forged", "nps": "9"}).status_code == 403
    assert _count(db, Response) == 0


def test_unknown_closed_and_draft_surveys(client, db, survey):
    assert client.get("/s/nope").status_code == 404
    with db.transaction() as s:
        create_survey(s, SurveyIn(key="wip", name="Draft", status="draft"))
    assert client.get("/s/wip").status_code == 404
    token = form_token(client.get("/s/rel").text)
    from centric.surveys import service

    with db.transaction() as s:
        service.set_status(s, service.get_survey(s, "rel"), "closed")
    assert client.get("/s/rel").status_code == 410
    assert client.post("/s/rel", data={"f": token, "nps": "9"}).status_code == 410
    assert _count(db, Response) == 0


def test_responses_keep_their_version_when_a_new_one_is_published(client, db, survey):
    from centric.surveys import service
    from centric.surveys.schemas import SurveyDraftIn

    token = form_token(client.get("/s/rel").text)
    first = client.post("/s/rel", data={"f": token, "nps": "3"}, follow_redirects=False)
    token = form_token(client.get(first.headers["location"]).text)
    with db.transaction() as s:
        rel = service.get_survey(s, "rel")
        service.update_draft(s, rel, SurveyDraftIn(questions=[{"key": "nps", "type": "nps", "required": True}]))
        assert service.publish(s, rel).version == 2
    second = client.post("/s/rel", data={"f": token, "improve": "x"}, follow_redirects=False)
    assert second.status_code == 303 and "/thanks" in second.headers["location"]
    assert _answers(db)["improve"] == "x"  # answered against version 1, which asks it
    with db.reader() as s:
        versions = {r.version_id for r in s.scalars(select(Response))}
        assert len(versions) == 1 and _count(db, Response) == 1


def test_qr_code_and_widget_are_served(client, db, survey):
    svg = client.get("/s/rel/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml") and "<path" in svg.text
    assert client.get("/s/nope/qr.svg").status_code == 404
    widget = client.get("/static/widget.js")
    assert widget.status_code == 200 and "data-survey" in widget.text or "dataset.survey" in widget.text
    embedded = client.get("/s/rel?embed=1")
    assert 'class="respondent embed"' in embedded.text


def test_form_token_expiry_is_enforced(client, db, survey, monkeypatch):
    token = form_token(client.get("/s/rel").text)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 8 * 86_400)
    assert client.post("/s/rel", data={"f": token, "nps": "9"}).status_code == 403
