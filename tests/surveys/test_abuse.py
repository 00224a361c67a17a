"""Bad input and abuse across the survey API and pages: clear answers, nothing half-stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from centric.outreach import mail
from centric.surveys.models import Answer, Response
from centric.surveys.schemas import SurveyIn
from centric.surveys.service import create_survey
from tests.api.conftest import auth
from tests.surveys.helpers import form_token, login

EVIL = "<script>alert(1)</script>"
QUESTIONS = [
    {"key": "csat", "type": "csat", "required": True},
    {"key": "liked", "type": "choice", "options": ["staff", "price"], "multiple": True},
    {"key": "plan", "type": "choice", "options": ["basic", "pro"]},
]


@pytest.fixture
def survey(db, tokens):
    with db.transaction() as s:
        create_survey(s, SurveyIn(key="pick", name=f"Pick {EVIL}", kind="csat", questions=QUESTIONS))


def _responses(db) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(Response)) + s.scalar(select(func.count()).select_from(Answer))


@pytest.mark.parametrize(("answers", "field"), [
    ({"csat": 6}, "csat"), ({"csat": 0}, "csat"), ({"csat": "five"}, "csat"), ({"csat": [4]}, "csat"),
    ({"csat": 4, "liked": ["staff", "free beer"]}, "liked"), ({"csat": 4, "plan": ["basic", "pro"]}, "plan"),
    ({"csat": 4, "plan": 3}, "plan"), ({"csat": 4, "bogus": 1}, "bogus"), ({"plan": "pro"}, "csat"),
])
def test_api_answers_that_do_not_fit_are_422_naming_the_question(client, tokens, db, survey, answers, field):
    answer = client.post("/api/v1/responses", headers=auth(tokens["agent"]),
                         json={"survey": "pick", "answers": answers})
    assert answer.status_code == 422 and answer.json()["field"] == field
    assert _responses(db) == 0


def test_page_refuses_unknown_options_and_tampered_fields(client, db, survey):
    token = form_token(client.get("/s/pick").text)
    for bad in ({"csat": "4", "plan": "enterprise"}, {"csat": "4", "liked": ["staff", "<b>x</b>"]},
                {"csat": "4", "plan": ["basic", "pro"]}):
        answer = client.post("/s/pick", data={"f": token, **bad})
        assert answer.status_code == 422 and 'role="alert"' in answer.text and "<b>x</b>" not in answer.text
    assert client.post("/s/pick", content=b"f=x", headers={"Content-Type": "text/plain"}).status_code == 400
    assert client.post("/s/pick", data={"f": token, "csat": "\x00\xff" * 10}).status_code == 422
    assert _responses(db) == 0


def test_oversized_bodies_are_413_with_or_without_a_content_length(client, tokens, db, survey):
    agent = auth(tokens["agent"])  # the app's limit in these tests is 200,000 bytes

    def chunks():
        for _ in range(30):
            yield b'{"survey": "pick", "answers": {"csat": 4}, "locale": "' + b"x" * 10_000

    chunked = client.post("/api/v1/responses", headers={**agent, "Content-Type": "application/json"}, content=chunks())
    assert chunked.status_code == 413
    big = client.post("/api/v1/responses", headers=agent, json={"survey": "pick", "answers": {"csat": 4},
                                                                "locale": "x" * 300_000})
    assert big.status_code == 413
    assert _responses(db) == 0


def test_script_in_names_and_answers_is_inert_on_admin_pages_and_in_mail(client, tokens, db, survey):
    client.post("/api/v1/responses", headers=auth(tokens["agent"]), json={
        "survey": "rnps", "answers": {"nps": 2, "comment": EVIL}, "customer": {"email": "x@example.com", "name": EVIL}})
    login(client)
    for path in ("/surveys", "/surveys/pick", "/surveys/pick/preview", "/customers", "/customers/1"):
        page = client.get(path)
        assert page.status_code == 200 and EVIL not in page.text, path
    assert "&lt;script&gt;" in client.get("/surveys").text
    composed = mail.compose("x@example.com", mail.InvitationText(
        survey_name=EVIL, survey_kind="nps", customer_name=EVIL, survey_url="https://cx.example.com/s/a?t=1&x=\"",
        score_urls={}, unsubscribe_url="https://cx.example.com/u/t"))
    assert EVIL not in composed.html and 'x=\\"' not in composed.html
