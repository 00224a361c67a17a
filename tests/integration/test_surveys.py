"""Responses: typed answers, validation, idempotency, comments as feedback — on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from centric.errors import Invalid, NotFound
from centric.feedback.models import Feedback
from centric.surveys.models import Answer, Response
from tests.factories import make_journey, respond


def _count(s, model):
    return s.scalar(select(func.count()).select_from(model))


def test_response_stores_one_typed_row_per_answer_and_comment_as_feedback(db):
    with db.transaction() as s:
        make_journey(s)
        out = respond(s, "rnps", 9, comment="Lovely staff", touchpoint="check-in")
        answers = {a.question_key: a for a in s.scalars(select(Answer).where(Answer.response_id == out.id))}
        assert answers["nps"].metric == "nps" and answers["nps"].number == 9
        assert answers["comment"].metric == "text" and answers["comment"].text == "Lovely staff"
        feedback = s.scalar(select(Feedback).where(Feedback.response_id == out.id))
        assert feedback.text == "Lovely staff" and feedback.channel == "survey" and feedback.rating == 9


@pytest.mark.parametrize(("survey", "score"), [("rnps", 11), ("rnps", -1), ("stay-csat", 0), ("stay-csat", 6),
                                               ("support-ces", 8), ("rnps", 7.5)])
def test_scores_out_of_range_are_rejected_with_the_field(db, survey, score):
    with db.transaction() as s:
        make_journey(s)
    with db.transaction() as s:
        with pytest.raises(Invalid) as caught:
            respond(s, survey, score)
        assert caught.value.field in ("nps", "csat", "ces")
        assert _count(s, Response) == 0


def test_unknown_survey_and_touchpoint_are_not_found(db):
    with db.transaction() as s:
        make_journey(s)
        with pytest.raises(NotFound):
            respond(s, "rnps", 5, touchpoint="spa")
    from centric.surveys.schemas import ResponseIn
    from centric.surveys.service import submit_response
    with db.transaction() as s, pytest.raises(NotFound):
        submit_response(s, ResponseIn(survey="nope", answers={"nps": 5}))


def test_retried_submission_is_not_duplicated(db):
    with db.transaction() as s:
        make_journey(s)
        first = respond(s, "rnps", 3, comment="Noisy room", external_id="r-1")
        again = respond(s, "rnps", 3, comment="Noisy room", external_id="r-1")
        assert again.id == first.id and again.created is False
        assert _count(s, Response) == 1 and _count(s, Feedback) == 1
