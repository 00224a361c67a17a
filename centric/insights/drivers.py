"""Key-driver analysis of a survey: which rated items move the outcome question.

For every complete response of a survey, the outcome is its main rated question (the
survey's kind: NPS, CSAT or CES) and the drivers are its other rated items. The pure
analysis (relative weights with bootstrap intervals, Johnson 2000) is
:func:`centric.stats.key_drivers`; here the answers are pivoted, one row per response.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.errors import Invalid
from centric.stats import DriverAnalysis, key_drivers
from centric.surveys.models import Answer, Response, Survey

RATED = ("nps", "csat", "ces", "rating")
MAX_RESPONSES = 20_000


def survey_drivers(session: Session, survey_key: str, *, n_boot: int = 200,
                   max_responses: int = MAX_RESPONSES) -> DriverAnalysis:
    """Importance of each rated item for the survey's outcome question, with quadrants."""
    survey = session.scalar(select(Survey).where(Survey.key == survey_key))
    if survey is None:
        raise Invalid(f"unknown survey {survey_key!r}", field="survey")
    latest = select(Response.id).where(Response.survey_id == survey.id).order_by(
        Response.submitted_at.desc()).limit(max_responses).subquery()
    rows = session.execute(
        select(Answer.response_id, Answer.question_key, Answer.metric, Answer.number)
        .where(Answer.response_id.in_(select(latest.c.id)), Answer.metric.in_(RATED), Answer.number.is_not(None))
    ).all()
    outcome_key = next((key for _, key, metric, _ in rows if metric == survey.kind), None)
    items = sorted({key for _, key, _, _ in rows if key != outcome_key})
    if outcome_key is None or not items:
        raise Invalid(f"survey {survey_key!r} needs an outcome question and at least one other rated item",
                      field="survey")
    column = {key: i for i, key in enumerate([outcome_key, *items])}
    responses: dict[int, list[float]] = {}
    for response_id, key, _, number in rows:
        if number is not None:  # always: the query keeps answered items only
            responses.setdefault(response_id, [np.nan] * len(column))[column[key]] = number
    matrix = np.array([r for r in responses.values() if not np.isnan(r).any()], dtype=np.float64)
    if matrix.shape[0] < len(items) + 10:
        raise Invalid(f"too few complete responses ({matrix.shape[0]}) for {len(items)} drivers", field="survey")
    try:
        return key_drivers(matrix[:, 1:], matrix[:, 0], items, n_boot=n_boot)
    except ValueError as exc:
        raise Invalid(str(exc), field="survey") from None
