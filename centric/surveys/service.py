"""Surveys with immutable versions, and the submission of responses (idempotent)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Row, func, insert, select
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.customers.service import move_rows_on_merge, move_rows_on_undo, upsert_customer
from centric.db import in_chunks, not_in_future, page_of
from centric.errors import Conflict, Invalid, NotFound, first_problem
from centric.events import (
    AnswersStored,
    CustomerMergeUndone,
    CustomersMerged,
    RatedAnswer,
    ResponsesStored,
)
from centric.events import publish as publish_event
from centric.feedback.service import SurveyComment, add_survey_comments
from centric.journeys.models import Touchpoint
from centric.journeys.service import touchpoint_id_for
from centric.surveys.models import Answer, Invitation, Response, Survey, SurveyVersion
from centric.surveys.questions import (
    Question,
    TypedAnswer,
    default_questions,
    parse_questions,
    validate_answers,
)
from centric.surveys.schemas import (
    ResponseIn,
    ResponseOut,
    SurveyDetailOut,
    SurveyDraftIn,
    SurveyIn,
    SurveyOptions,
    SurveyOut,
    TemplateOut,
    VersionOut,
)
from centric.surveys.templates import TEMPLATES, get_template


def create_survey(session: Session, data: SurveyIn, user_id: int | None = None) -> Survey:
    """A new survey from explicit questions, a ready template, or the kind's default set.

    An ``active`` survey is published at once (version 1); a ``draft`` one waits for
    :func:`publish`.
    """
    if session.scalar(select(Survey.id).where(Survey.key == data.key)) is not None:
        raise Conflict(f"survey {data.key!r} exists already", field="key")
    options = data.options or SurveyOptions()
    if data.questions is not None:
        raw = data.questions
    elif data.template:
        template = get_template(data.template)
        raw = template.questions
        options = SurveyOptions.model_validate({**template.options, **(data.options.model_dump(
            exclude_unset=True) if data.options else {})})
    else:
        raw = default_questions(data.kind)
    questions = _parsed(raw)
    survey = Survey(
        key=data.key, name=data.name, kind=data.kind, languages=data.languages,
        touchpoint_id=touchpoint_id_for(session, data.touchpoint), status=data.status,
        draft=questions, options=options.model_dump(),
    )
    session.add(survey)
    session.flush()
    if data.status == "active":
        publish_version(session, survey, questions)
    audit(session, user_id, "survey.create", "survey", survey.id, {"key": data.key})
    return survey


def _parsed(raw: list[dict]) -> list[dict]:
    """The normalised question schema, or :class:`Invalid` naming the first problem."""
    try:
        return [q.model_dump(exclude_defaults=True) | {"key": q.key, "type": q.type}
                for q in parse_questions(raw)]
    except ValidationError as exc:
        where, message = first_problem(exc)
        raise Invalid(f"questions: {where + ': ' if where else ''}{message}", field="questions") from None
    except ValueError as exc:
        raise Invalid(str(exc).splitlines()[0] if str(exc) else "invalid questions", field="questions") from None


def publish_version(session: Session, survey: Survey, questions: list[dict]) -> SurveyVersion:
    """A new immutable version; earlier responses keep the version they answered."""
    latest = session.scalar(
        select(func.max(SurveyVersion.version)).where(SurveyVersion.survey_id == survey.id)
    )
    version = SurveyVersion(survey_id=survey.id, version=(latest or 0) + 1, questions=questions)
    session.add(version)
    session.flush()
    return version


def get_survey(session: Session, key: str) -> Survey:
    survey = session.scalar(select(Survey).where(Survey.key == key))
    if survey is None:
        raise NotFound(f"unknown survey {key!r}", field="survey")
    return survey


def latest_version(session: Session, survey: Survey) -> SurveyVersion | None:
    return session.scalar(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
        .order_by(SurveyVersion.version.desc()).limit(1)
    )


def current_version(session: Session, survey: Survey) -> SurveyVersion:
    """The published version respondents answer; a never-published draft has none."""
    version = latest_version(session, survey)
    if version is None:
        raise Conflict(f"survey {survey.key!r} is a draft that was never published", field="survey")
    return version


def update_draft(session: Session, survey: Survey, data: SurveyDraftIn, user_id: int | None = None) -> Survey:
    """Edit the draft and settings; published versions (and their responses) never change."""
    if data.questions is not None:
        survey.draft = _parsed(data.questions)
    if data.name is not None:
        survey.name = data.name
    if data.touchpoint is not None:
        survey.touchpoint_id = touchpoint_id_for(session, data.touchpoint)
    if data.languages is not None:
        survey.languages = list(dict.fromkeys(data.languages))
    if data.options is not None:
        survey.options = data.options.model_dump()
    session.flush()
    audit(session, user_id, "survey.edit", "survey", survey.id, {"fields": sorted(data.model_fields_set)})
    return survey


def publish(session: Session, survey: Survey, user_id: int | None = None) -> SurveyVersion:
    """Publish the draft as a new version (unless it equals the latest); a draft survey goes active."""
    questions = _parsed(survey.draft or [])
    if not questions:
        raise Invalid("a survey needs at least one question before it is published", field="questions")
    latest = latest_version(session, survey)
    if latest is not None and latest.questions == questions:
        version = latest
    else:
        version = publish_version(session, survey, questions)
    if survey.status == "draft":
        survey.status = "active"
    audit(session, user_id, "survey.publish", "survey", survey.id, {"version": version.version})
    return version


def set_status(session: Session, survey: Survey, status: str, user_id: int | None = None) -> Survey:
    """Open (active) or close a survey; a closed survey accepts no responses."""
    if status not in ("active", "closed"):
        raise Invalid("status must be active or closed", field="status")
    if status == "active":
        current_version(session, survey)  # a never-published draft cannot go live
    survey.status = status
    audit(session, user_id, "survey.status", "survey", survey.id, {"status": status})
    return survey


def survey_options(survey: Survey) -> SurveyOptions:
    return SurveyOptions.model_validate(survey.options or {})


def survey_detail(session: Session, survey: Survey) -> SurveyDetailOut:
    versions = session.scalars(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id).order_by(SurveyVersion.version.desc())
    ).all()
    counts = session.execute(
        select(func.count(), func.count().filter(Response.completed.is_(True)))
        .where(Response.survey_id == survey.id)
    ).one()
    touchpoint = session.get(Touchpoint, survey.touchpoint_id) if survey.touchpoint_id else None
    draft = survey.draft if survey.draft is not None else (versions[0].questions if versions else [])
    return SurveyDetailOut(
        id=survey.id, key=survey.key, name=survey.name, kind=survey.kind, status=survey.status,
        touchpoint=touchpoint.key if touchpoint else None, languages=list(survey.languages or ["en"]),
        options=survey_options(survey), draft=draft,
        unpublished_changes=not versions or versions[0].questions != draft,
        version=versions[0].version if versions else 0,
        versions=[VersionOut(version=v.version, published_at=v.published_at, questions=v.questions)
                  for v in versions],
        responses=counts[0], completed=counts[1],
    )


def list_surveys(session: Session, limit: int | None = None, offset: int = 0) -> tuple[list[SurveyOut], int]:
    """Surveys by name (a slice of them) as lists show them, and how many there are."""
    rows, total = page_of(session, select(Survey).order_by(Survey.name), limit, offset)
    return survey_outs(session, rows), total


class _VersionCache:
    """Parsed questions per version, so imports and respondent pages parse each schema once.

    Entries are checked against the stored schema: two databases served by one process
    (tests, several tenants) may both hold a version with the same id.
    """

    def __init__(self, size: int = 512) -> None:
        self._parsed: dict[int, tuple[list, list[Question]]] = {}
        self._size = size

    def questions(self, version: SurveyVersion) -> list[Question]:
        cached = self._parsed.get(version.id)
        if cached is None or cached[0] != version.questions:
            if len(self._parsed) >= self._size:
                self._parsed.clear()
            cached = (version.questions, parse_questions(version.questions))
            self._parsed[version.id] = cached
        return cached[1]


_cache = _VersionCache()


def submit_response(session: Session, data: ResponseIn, user_id: int | None = None, *,
                    may_merge: bool = False) -> ResponseOut:
    """Validate and store a response with one typed row per answer.

    A retry carrying the same ``external_id`` returns the stored response unchanged.
    Open-text answers also become feedback items, so every comment is analysed alike.
    ``may_merge``: whether the caller may merge two profiles its customer names (see ``upsert_customer``).
    """
    if data.external_id:
        existing = session.scalar(select(Response).where(Response.idempotency_key == data.external_id))
        if existing is not None:
            return response_out(session, existing, created=False)
    survey = get_survey(session, data.survey)
    if survey.status == "closed":
        raise Conflict(f"survey {survey.key!r} is closed", field="survey")
    version = current_version(session, survey)
    typed = validate_answers(_cache.questions(version), data.answers)
    submitted_at = not_in_future(data.submitted_at, "submitted_at")
    touchpoint_id = touchpoint_id_for(session, data.touchpoint) if data.touchpoint else survey.touchpoint_id
    customer = upsert_customer(session, data.customer, user_id, may_merge=may_merge,
                               origin=f"response {data.survey}/{data.external_id or ''}") if data.customer else None
    response = Response(
        survey_id=survey.id, version_id=version.id, customer_id=customer.id if customer else None,
        touchpoint_id=touchpoint_id, channel=data.channel, locale=data.locale,
        submitted_at=submitted_at, idempotency_key=data.external_id,
    )
    session.add(response)
    session.flush()
    store_answers(session, survey, response, typed, new_response=True)
    session.flush()
    publish_event(session, ResponsesStored((response.id,)))
    return new_response_out(survey, version, response, typed)


def new_response_out(survey: Survey, version: SurveyVersion, response: Response,
                     typed: list[TypedAnswer]) -> ResponseOut:
    """The just-stored response as the API and webhooks show it, without reading it back."""
    return ResponseOut(
        id=response.id, survey=survey.key, version=version.version, customer_id=response.customer_id,
        touchpoint_id=response.touchpoint_id, submitted_at=response.submitted_at,
        answers={a.question_key: a.number if a.number is not None else a.text for a in typed},
    )


def store_answers(session: Session, survey: Survey, response: Response, typed: list[TypedAnswer],
                  rating: float | None = None, *, new_response: bool = False) -> None:
    """Add typed answers to a stored response; open-text answers also become feedback items.

    ``rating`` is the response's headline score when it was stored earlier (partial responses).
    Publishes :class:`AnswersStored` (the rollups count the rated answers). ``new_response``:
    the response was created in this transaction with exactly these answers, which
    :func:`just_stored_answers` then hands to reactions without reading them back.
    """
    if new_response:
        session.info.setdefault(_JUST_STORED, {})[response.id] = list(typed)
    _store_answers(session, [(response, survey.kind, typed, rating)])


@dataclass(frozen=True)
class NewResponse:
    """A response inserted in this transaction (without an ORM object) and the answers it holds."""

    id: int
    survey_id: int
    headline: str  # the survey's kind: the metric of its headline score
    customer_id: int | None
    touchpoint_id: int | None
    channel: str
    submitted_at: datetime
    answers: list[TypedAnswer]


def store_new_answers(session: Session, responses: Sequence[NewResponse]) -> None:
    """:func:`store_answers` for many new responses at once: one INSERT of answers, one
    :class:`AnswersStored`, one INSERT of comments, whatever their number (group commit)."""
    remembered = session.info.setdefault(_JUST_STORED, {})
    for response in responses:
        remembered[response.id] = list(response.answers)
    _store_answers(session, [(r, r.headline, r.answers, None) for r in responses])


# A response, its headline metric, its answers, and its headline score stored earlier (partial responses).
_Answered = tuple[Response | NewResponse, str, Sequence[TypedAnswer], float | None]


def _store_answers(session: Session, batch: Sequence[_Answered]) -> None:
    rows: list[dict[str, Any]] = []
    rated: list[RatedAnswer] = []
    comments: list[SurveyComment] = []
    for response, headline, typed, rating in batch:
        rating = next((a.number for a in typed if a.metric == headline), rating)
        for a in typed:
            rows.append({"response_id": response.id, "question_key": a.question_key, "metric": a.metric,
                         "number": a.number, "text": a.text})
            if a.number is not None:
                rated.append(rated_answer(response, a))
            elif a.metric == "text" and a.text and a.text.strip():
                comments.append(SurveyComment(response, a.question_key, a.text, rating))
    if rows:  # one multi-row INSERT through Core: answer ids are never needed here
        session.execute(insert(Answer.__table__), rows)
    if rated:
        publish_event(session, AnswersStored(tuple(rated)))
    add_survey_comments(session, comments)


_JUST_STORED = "centric.surveys.just_stored_answers"


def just_stored_answers(session: Session, response_ids: Iterable[int]) -> dict[int, list[TypedAnswer]]:
    """The answers of responses created in this transaction, as stored (no query); others are absent."""
    remembered: dict[int, list[TypedAnswer]] = session.info.get(_JUST_STORED, {})
    return {rid: remembered[rid] for rid in response_ids if rid in remembered}


def rated_answer(response: Response | NewResponse, answer: TypedAnswer | Answer) -> RatedAnswer:
    """A rated answer of ``response`` as the metric rollups count it."""
    assert answer.number is not None
    return RatedAnswer(response.submitted_at, response.survey_id, response.touchpoint_id, response.channel,
                       answer.metric, answer.number, response.customer_id)


def response_out(session: Session, response: Response, *, created: bool) -> ResponseOut:
    survey = session.get(Survey, response.survey_id)
    version = session.get(SurveyVersion, response.version_id)
    answers = session.scalars(select(Answer).where(Answer.response_id == response.id)).all()
    assert survey is not None and version is not None
    return ResponseOut(
        id=response.id, survey=survey.key, version=version.version, customer_id=response.customer_id,
        touchpoint_id=response.touchpoint_id, submitted_at=response.submitted_at,
        answers={a.question_key: a.number if a.number is not None else a.text for a in answers},
        created=created,
    )


def questions_of(version: SurveyVersion) -> list[Question]:
    """The parsed questions of a published version (parsed once per process)."""
    return _cache.questions(version)


def response_outs(session: Session, ids: Sequence[int]) -> list[ResponseOut]:
    """Stored responses as the API and webhooks show them, in three queries whatever their number."""
    rows: list[Row[Response, str, int]] = []
    for chunk in in_chunks(list(ids)):
        rows.extend(session.execute(
            select(Response, Survey.key, SurveyVersion.version)
            .join(Survey, Response.survey_id == Survey.id).join(SurveyVersion, Response.version_id == SurveyVersion.id)
            .where(Response.id.in_(chunk)).order_by(Response.id)
        ).all())
    answers: dict[int, dict[str, Any]] = {}
    for chunk in in_chunks([r.id for r, _, _ in rows]):
        for answer in session.scalars(select(Answer).where(Answer.response_id.in_(chunk)).order_by(Answer.id)):
            value = answer.number if answer.number is not None else answer.text
            answers.setdefault(answer.response_id, {})[answer.question_key] = value
    return [
        ResponseOut(id=r.id, survey=key, version=version, customer_id=r.customer_id, touchpoint_id=r.touchpoint_id,
                    submitted_at=r.submitted_at, answers=answers.get(r.id, {}))
        for r, key, version in rows
    ]


def responses_follow_merge(session: Session, merged: CustomersMerged) -> None:
    """Reaction: a merged customer's responses and invitations belong to the survivor."""
    for model in (Response, Invitation):
        move_rows_on_merge(session, model, merged)


def responses_follow_undo(session: Session, undone: CustomerMergeUndone) -> None:
    """Reaction: an undone merge gives the responses and invitations back."""
    for model in (Response, Invitation):
        move_rows_on_undo(session, model, undone)


def template_outs() -> list[TemplateOut]:
    """The ready survey templates, as the API and the CLI list them."""
    return [TemplateOut(key=t.key, name=t.name, kind=t.kind, description=t.description, questions=t.questions)
            for t in TEMPLATES.values()]


# --- API output ---------------------------------------------------------------------------

def survey_out(survey: Survey, version: SurveyVersion | None, touchpoint: str | None, responses: int) -> SurveyOut:
    """A survey as lists show it, from rows already read: its latest version, or the draft."""
    return SurveyOut(
        id=survey.id, key=survey.key, name=survey.name, kind=survey.kind, status=survey.status,
        touchpoint=touchpoint, version=version.version if version else 0,
        questions=version.questions if version else (survey.draft or []), responses=responses,
    )


def survey_outs(session: Session, surveys: Sequence[Survey]) -> list[SurveyOut]:
    """Many surveys as lists show them: three queries per thousand surveys, whatever their number."""
    latest: dict[int, SurveyVersion] = {}
    counts: dict[int, int] = {}
    for chunk in in_chunks([s.id for s in surveys]):
        newest = (select(SurveyVersion.survey_id, func.max(SurveyVersion.version).label("version"))
                  .where(SurveyVersion.survey_id.in_(chunk)).group_by(SurveyVersion.survey_id).subquery())
        latest.update((v.survey_id, v) for v in session.scalars(select(SurveyVersion).join(
            newest, (SurveyVersion.survey_id == newest.c.survey_id) & (SurveyVersion.version == newest.c.version))))
        counts.update((survey_id, n) for survey_id, n in session.execute(
            select(Response.survey_id, func.count()).where(Response.survey_id.in_(chunk)).group_by(Response.survey_id)))
    touchpoint_ids = sorted({s.touchpoint_id for s in surveys if s.touchpoint_id is not None})
    touchpoints: dict[int, str] = {}
    for chunk in in_chunks(touchpoint_ids):
        touchpoints.update((tid, key) for tid, key in session.execute(
            select(Touchpoint.id, Touchpoint.key).where(Touchpoint.id.in_(chunk))))
    return [survey_out(s, latest.get(s.id), touchpoints.get(s.touchpoint_id) if s.touchpoint_id else None,
                       counts.get(s.id, 0)) for s in surveys]
