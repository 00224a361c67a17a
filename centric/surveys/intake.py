"""Many respondent pages stored in one unit of work: the fast path behind ``POST /s/{key}``.

Under load, pages posted at the same moment are stored together (group commit, see
:mod:`centric.surveys.writer`): one rate-limit upsert, one read of the surveys, one check
for earlier submissions, one INSERT each of responses, answers and comments, one rollup
upsert and one job for the text enrichment — whatever the number of pages. The reactions
to :class:`~centric.events.ResponsesStored` (webhooks, alert rules) run once per batch.

Only new responses from the public form take this path. A page whose response exists
already (a double submit, the second page of a multi-page survey), a personal link
(customer or invitation) and a nonce repeated within the batch get ``None``: the caller
stores them one by one with :func:`centric.surveys.respond.submit_page`, which handles
every case. Nothing here is counted or stored for them, so that path counts them once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from centric.db import in_chunks, insert_ids, utcnow
from centric.errors import Forbidden
from centric.events import ResponsesStored, publish
from centric.surveys import ratelimit
from centric.surveys.models import Response, Survey, SurveyVersion
from centric.surveys.questions import Question, TypedAnswer, check_answers, next_questions
from centric.surveys.respond import (
    FormState,
    Message,
    View,
    answer_from_form,
    bot_redirect,
    is_bot,
    live,
    next_step,
    over_limit,
    page_problem,
    page_view,
)
from centric.surveys.service import NewResponse, questions_of, store_new_answers


@dataclass(frozen=True)
class Submission:
    """One posted page: the survey's key, the form as parsed, the client's address."""

    survey_key: str
    form: dict[str, list[str]]
    address: str


@dataclass
class _Planned:
    """A page that will store a new response, once its rate limit allows it."""

    index: int
    state: FormState
    survey: Survey
    version: SurveyVersion
    typed: list[TypedAnswer]
    following: list[Question]
    seen: set[str]


def submit_pages(session: Session, key: bytes, submissions: Sequence[Submission]) -> list[View | None]:
    """Store the pages that start a new response; ``None`` for those the general path must take."""
    views: list[View | None] = [None] * len(submissions)
    states: dict[int, FormState] = {}
    for i, submission in enumerate(submissions):
        try:
            state = FormState.read(key, submission.survey_key, (submission.form.get("f") or [""])[0])
        except Forbidden:
            views[i] = Message("forbidden_title", "expired", 403)
            continue
        if is_bot(submission.form):
            views[i] = bot_redirect(key, state)
        elif state.customer_id is None and state.invitation_id is None:
            states[i] = state
    taken = _earlier_nonces(session, [s.idempotency_key for s in states.values()])
    fresh: dict[int, FormState] = {}
    for i, state in states.items():
        if state.idempotency_key not in taken:  # else a resubmit: the general path finds the response
            taken.add(state.idempotency_key)
            fresh[i] = state
    surveys = {k: live(session, k) for k in sorted({submissions[i].survey_key for i in fresh})}
    hits = ratelimit.hit_many(session, [ratelimit.bucket_for(key, submissions[i].address, submissions[i].survey_key)
                                        for i in fresh])
    planned: list[_Planned] = []
    for (i, state), count in zip(fresh.items(), hits, strict=True):
        found = surveys[state.survey_key]
        if isinstance(found, Message):
            views[i] = found
            continue
        survey, version = found
        if over_limit(survey, count):
            views[i] = Message("too_many_title", "too_many", 429)
            continue
        questions = questions_of(version)
        page = [q for q in questions if q.key in state.page]
        form = submissions[i].form
        submitted = {q.key: answer_from_form(q, form.get(q.key, [])) for q in page}
        answers = {**state.hidden, **submitted}
        typed, errors = check_answers(questions, answers, required={q.key for q in page})
        problems = {q.key: page_problem(q, errors[q.key]) for q in page if q.key in errors}
        if problems:
            views[i] = page_view(key, survey, page, state, values={k: form.get(k, []) for k in submitted},
                                 errors=problems, status=422, questions=questions)
            continue
        kept = {a.question_key: answers[a.question_key] for a in typed}
        seen = set(state.seen) | set(state.page)
        planned.append(_Planned(i, state, survey, version, typed, next_questions(questions, kept, seen), seen))
    _store(session, planned)
    for plan in planned:
        views[plan.index] = next_step(key, plan.state, plan.following, plan.seen)
    return views


def _earlier_nonces(session: Session, keys: list[str]) -> set[str]:
    """The idempotency keys among ``keys`` that a stored response holds already."""
    taken: set[str] = set()
    for chunk in in_chunks(keys):
        taken.update(k for k in session.scalars(_EARLIER, {"keys": list(chunk)}) if k)
    return taken


_EARLIER = select(Response.idempotency_key).where(Response.idempotency_key.in_(bindparam("keys", expanding=True)))


def _store(session: Session, planned: list[_Planned]) -> None:
    """One INSERT of the responses (ids returned in order), then their answers and reactions."""
    if not planned:
        return
    now = utcnow()
    channels = ["widget" if p.state.embed else "link" for p in planned]
    rows = [{
        "survey_id": p.survey.id, "version_id": p.version.id, "customer_id": None, "invitation_id": None,
        "touchpoint_id": p.survey.touchpoint_id, "channel": channel,
        "locale": p.state.locale, "submitted_at": now, "completed": not p.following,
        "idempotency_key": p.state.idempotency_key, "created_at": now,
    } for p, channel in zip(planned, channels, strict=True)]
    ids = insert_ids(session, Response.__table__, rows)
    stored = [NewResponse(id=rid, survey_id=p.survey.id, headline=p.survey.kind, customer_id=None,
                          touchpoint_id=p.survey.touchpoint_id, channel=channel, submitted_at=now,
                          answers=p.typed) for rid, p, channel in zip(ids, planned, channels, strict=True)]
    store_new_answers(session, stored)
    completed = tuple(rid for rid, p in zip(ids, planned, strict=True) if not p.following)
    if completed:
        publish(session, ResponsesStored(completed))
