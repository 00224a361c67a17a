"""Respondent use-cases behind the public survey pages (``/s/{survey_key}``).

A survey is answered page by page without JavaScript: each page holds the unseen
questions up to one whose display logic needs an answer from that same page. Every
page is stored at once as a partial response (``completed=False``) and completed by the
last page, so nothing typed is lost.

The form carries one signed token (purpose ``survey-form``) with the response's nonce,
the customer of a personal link, hidden fields and which questions the page shows. The
nonce is the response's idempotency key: a double submit or a back-button resubmit
updates the same response instead of adding one. A one-click e-mail link derives its
nonce from the link's token, so clicking it twice keeps one response.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from centric.accounts.signing import sign, verify
from centric.customers.service import get_customer
from centric.db import utcnow
from centric.errors import Forbidden, Invalid, NotFound
from centric.events import AnswersRetracted, ResponsesStored, publish
from centric.feedback.models import Feedback
from centric.surveys import ratelimit
from centric.surveys.links import public_path, read_survey_token
from centric.surveys.locale import pick_locale
from centric.surveys.models import Answer, Invitation, Response, Survey, SurveyVersion
from centric.surveys.questions import RATED_TYPES, Question, check_answers, next_questions
from centric.surveys.schemas import SurveyOptions
from centric.surveys.service import (
    questions_of,
    rated_answer,
    store_answers,
    survey_options,
)

FORM_PURPOSE = "survey-form"
FORM_TTL_S = 7 * 86_400
HIDDEN_MAX = 200
HONEYPOT = "website"


@dataclass(frozen=True)
class FormState:
    """What the signed form token carries from one page to the next."""

    survey_key: str
    nonce: str
    locale: str
    customer_id: int | None = None
    invitation_id: int | None = None
    hidden: dict[str, str] = field(default_factory=dict)
    page: tuple[str, ...] = ()
    seen: tuple[str, ...] = ()
    embed: bool = False

    def token(self, key: bytes) -> str:
        # Short claim names keep the links short; "p" and "exp" belong to the signer.
        claims: dict[str, Any] = {"s": self.survey_key, "n": self.nonce, "l": self.locale,
                                  "q": list(self.page), "v": list(self.seen)}
        for name, value in (("c", self.customer_id), ("i", self.invitation_id), ("h", self.hidden)):
            if value:
                claims[name] = value
        if self.embed:
            claims["e"] = 1
        return sign(key, FORM_PURPOSE, claims, FORM_TTL_S)

    @classmethod
    def read(cls, key: bytes, survey_key: str, token: str) -> FormState:
        claims = verify(key, FORM_PURPOSE, token)
        if claims.get("s") != survey_key:
            raise Forbidden("this form belongs to another survey")
        return cls(survey_key=survey_key, nonce=str(claims["n"]), locale=str(claims.get("l", "en")),
                   customer_id=claims.get("c"), invitation_id=claims.get("i"), hidden=dict(claims.get("h", {})),
                   page=tuple(claims.get("q", ())), seen=tuple(claims.get("v", ())), embed=bool(claims.get("e")))

    @property
    def idempotency_key(self) -> str:
        return f"form:{self.nonce}"


@dataclass(frozen=True)
class Page:
    """A page of questions to render (status 422 when it comes back with errors)."""

    survey: Survey
    options: SurveyOptions
    questions: list[Question]
    state: FormState
    form_token: str
    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200
    preview: bool = False
    more: bool = False  # later pages may follow ("Next" rather than "Send")


@dataclass(frozen=True)
class Thanks:
    survey: Survey
    options: SurveyOptions
    locale: str
    embed: bool
    follow_up: str | None = None  # "review" | "ideas"
    already: bool = False
    customer_id: int | None = None  # a known respondent (personal link): the ideas link signs them in


@dataclass(frozen=True)
class Message:
    """A plain page: closed, unknown, forbidden, too many requests…"""

    title: str
    text: str
    status: int
    detail: str = ""


@dataclass(frozen=True)
class Redirect:
    url: str


View = Page | Thanks | Message | Redirect


# Built once: building a statement costs more than running it from SQLAlchemy's compiled cache.
_LIVE = (select(Survey, SurveyVersion).outerjoin(SurveyVersion, SurveyVersion.survey_id == Survey.id)
         .where(Survey.key == bindparam("survey_key")).order_by(SurveyVersion.version.desc()).limit(1))


def live(session: Session, survey_key: str) -> tuple[Survey, SurveyVersion] | Message:
    """The survey and its published version (one query), or the message a respondent should see."""
    row = session.execute(_LIVE, {"survey_key": survey_key}).first()
    if row is None or row[1] is None or row[0].status == "draft":
        return Message("not_found_title", "not_found", 404)
    if row[0].status == "closed":
        return Message("closed_title", "closed", 410)
    return row[0], row[1]


def open_page(session: Session, key: bytes, survey_key: str, *, query: dict[str, str],
              accept_language: str | None, address: str) -> View:
    """The page a respondent sees on ``GET /s/{key}``: first visit, personal link, one-click score, resume."""
    stores = bool(query.get("t")) and query.get("score") is not None and not query.get("f")
    hits = _hit(session, key, survey_key, address) if stores else 0
    found = live(session, survey_key)
    if isinstance(found, Message):
        return found
    survey, version = found
    questions = questions_of(version)
    locale = pick_locale(list(survey.languages or ["en"]), query.get("lang"), accept_language)
    if query.get("f"):
        state = FormState.read(key, survey_key, query["f"])
        if query.get("lang"):
            state = _with(state, locale=locale)
        stored = _stored_answers(session, state)
        page = [q for q in questions if q.key in state.page]
        return page_view(key, survey, page, state, values=_as_values(stored, page), questions=questions)
    claims = read_survey_token(key, survey_key, query["t"]) if query.get("t") else {}
    hidden = {q.key: query[q.query_name][:HIDDEN_MAX] for q in questions
              if q.type == "hidden" and query.get(q.query_name)}
    state = FormState(
        survey_key=survey_key, locale=locale, hidden=hidden, embed=query.get("embed") == "1",
        nonce=_nonce_of(query["t"]) if claims else secrets.token_urlsafe(16),
        customer_id=claims.get("c"), invitation_id=claims.get("i"),
    )
    if state.invitation_id:
        session.execute(update(Invitation).where(Invitation.id == state.invitation_id,
                                                 Invitation.opened_at.is_(None)).values(opened_at=utcnow()))
    headline = _headline(questions)
    score = query.get("score")
    if claims and score is not None and headline is not None:
        if over_limit(survey, hits):
            return Message("too_many_title", "too_many", 429)
        return _one_click(session, key, survey, version, questions, headline, state, score)
    page = next_questions(questions, hidden, set())
    values = {headline.key: [score]} if score is not None and headline in page else {}
    return page_view(key, survey, page, state, values=values, questions=questions)


def _one_click(session: Session, key: bytes, survey: Survey, version: SurveyVersion, questions: list[Question],
               headline: Question, state: FormState, score: str) -> View:
    """Store the score from an e-mail link at once; the rest of the survey stays optional."""
    response = _response(session, state)
    if response is not None and response.completed:
        return _thanks(session, survey, state, already=True)
    answers = {**_stored_answers(session, state), **state.hidden, headline.key: score}
    typed, errors = check_answers(questions, answers, required=set())
    if headline.key in errors:  # a hand-edited link: show the question instead
        page = next_questions(questions, state.hidden, set())
        return page_view(key, survey, page, state, errors={headline.key: page_problem(headline, errors[headline.key])},
                     status=422, questions=questions)
    response = _save(session, survey, version, state, response, typed)
    page = [headline, *next_questions(questions, answers, {headline.key})]
    return page_view(key, survey, page, state, values=_as_values(answers, page), questions=questions)


def submit_page(session: Session, key: bytes, survey_key: str, form: dict[str, list[str]], address: str) -> View:
    """Store one page of answers (``POST /s/{key}``) and say where the respondent goes next."""
    try:
        state = FormState.read(key, survey_key, (form.get("f") or [""])[0])
    except Forbidden:
        return Message("forbidden_title", "expired", 403)
    if is_bot(form):
        return bot_redirect(key, state)
    hits = _hit(session, key, survey_key, address)
    found = live(session, survey_key)
    if isinstance(found, Message):
        return found
    survey, version = found
    if over_limit(survey, hits):
        return Message("too_many_title", "too_many", 429)
    response = _response(session, state)
    if response is not None:
        if response.completed:
            return Redirect(thanks_url(key, state))
        version = session.get(SurveyVersion, response.version_id) or version  # responses keep their version
    questions = questions_of(version)
    page = [q for q in questions if q.key in state.page]
    submitted = {q.key: answer_from_form(q, form.get(q.key, [])) for q in page}
    stored = _stored_answers(session, state, response) if response is not None else {}
    answers = {**{k: v for k, v in stored.items() if k not in submitted}, **state.hidden, **submitted}
    typed, errors = check_answers(questions, answers, required={q.key for q in page})
    page_errors = {q.key: page_problem(q, errors[q.key]) for q in page if q.key in errors}
    if page_errors:
        return page_view(key, survey, page, state, values={k: form.get(k, []) for k in submitted},
                         errors=page_errors, status=422, questions=questions)
    kept = {a.question_key: answers[a.question_key] for a in typed}
    seen = set(state.seen) | set(state.page)
    following = next_questions(questions, kept, seen)
    response = _save(session, survey, version, state, response, typed, completed=not following)
    return next_step(key, state, following, seen)


def next_step(key: bytes, state: FormState, following: list[Question], seen: set[str]) -> Redirect:
    """Where a respondent goes once a page is stored: the next page, or the thanks page."""
    if not following:
        return Redirect(thanks_url(key, state))
    state = _with(state, page=tuple(q.key for q in following), seen=tuple(sorted(seen)))
    return Redirect(public_path(state.survey_key, f=state.token(key)))


def is_bot(form: dict[str, list[str]]) -> bool:
    """Whether the invisible field was filled (only bots see it)."""
    return any(v.strip() for v in form.get(HONEYPOT, []))


def bot_redirect(key: bytes, state: FormState) -> Redirect:
    """What a bot gets: an answer like a success; nothing is stored."""
    return Redirect(public_path(state.survey_key) + "/thanks?" + _query(f=_with(state, nonce="bot").token(key)))


def thanks_page(session: Session, key: bytes, survey_key: str, token: str) -> View:
    found = live(session, survey_key)
    if isinstance(found, Message):
        return found
    try:
        state = FormState.read(key, survey_key, token)
    except Forbidden:
        return Message("forbidden_title", "expired", 403)
    return _thanks(session, found[0], state)


def preview_page(survey: Survey, questions: list[Question], locale: str) -> Page:
    """Every draft question on one page, nothing stored (the builder's preview)."""
    state = FormState(survey_key=survey.key, nonce="preview", locale=locale)
    return Page(survey, survey_options(survey), [q for q in questions if q.type != "hidden"], state, "",
                preview=True)


# --- storage -----------------------------------------------------------------------------

def _response(session: Session, state: FormState) -> Response | None:
    return session.scalar(select(Response).where(Response.idempotency_key == state.idempotency_key))


def _save(session: Session, survey: Survey, version: SurveyVersion, state: FormState, response: Response | None,
          typed: list, *, completed: bool = False) -> Response:
    """Create the response or bring its answers in line with ``typed``."""
    if response is None:
        invitation = session.get(Invitation, state.invitation_id) if state.invitation_id else None
        if invitation is not None and invitation.customer_id != state.customer_id:
            invitation = None
        response = Response(
            survey_id=survey.id, version_id=version.id, customer_id=_customer_id(session, state.customer_id),
            invitation_id=invitation.id if invitation else None, touchpoint_id=survey.touchpoint_id,
            channel=invitation.channel if invitation else ("widget" if state.embed else "link"),
            locale=state.locale, submitted_at=utcnow(), completed=completed,
            idempotency_key=state.idempotency_key,
        )
        session.add(response)
        session.flush()
        store_answers(session, survey, response, typed, new_response=True)
        if invitation is not None and invitation.answered_at is None:
            invitation.answered_at = response.submitted_at
        if completed:
            publish(session, ResponsesStored((response.id,)))
        return response
    rows = {row.question_key: row for row in session.scalars(select(Answer).where(Answer.response_id == response.id))}
    wanted = {a.question_key: a for a in typed}
    gone = [row for k, row in rows.items() if k not in wanted or (row.number, row.text) != (wanted[k].number,
                                                                                            wanted[k].text)]
    added = [a for k, a in wanted.items() if k not in rows or (rows[k].number, rows[k].text) != (a.number, a.text)]
    _retract(session, survey, response, gone)
    headline = next((a.number for a in typed if a.metric == survey.kind), None)
    if any(row.metric == survey.kind for row in gone):
        session.execute(update(Feedback).where(Feedback.response_id == response.id).values(rating=headline))
    store_answers(session, survey, response, added, rating=headline)
    if completed and not response.completed:
        response.completed = True
        session.flush()
        publish(session, ResponsesStored((response.id,)))
    return response


def _retract(session: Session, survey: Survey, response: Response, rows: list[Answer]) -> None:
    """Take replaced answers out of the answer table, the rollups and the feedback."""
    rated = tuple(rated_answer(response, row) for row in rows if row.number is not None)
    if rated:
        publish(session, AnswersRetracted(rated))
    for row in rows:
        if row.metric == "text":
            session.execute(Feedback.__table__.delete().where(
                Feedback.response_id == response.id,
                Feedback.external_id == f"response:{response.id}:{row.question_key}"))
        session.delete(row)
    session.flush()


def _customer_id(session: Session, customer_id: int | None) -> int | None:
    if customer_id is None:
        return None
    try:
        return get_customer(session, customer_id).id  # follows merges; erased customers are gone
    except NotFound:
        return None


def _stored_answers(session: Session, state: FormState, response: Response | None = None) -> dict[str, Any]:
    response = response or _response(session, state)
    if response is None:
        return {}
    out: dict[str, Any] = {}
    for row in session.scalars(select(Answer).where(Answer.response_id == response.id)):
        if row.number is not None:
            out[row.question_key] = int(row.number) if float(row.number).is_integer() else row.number
        elif row.metric == "choice" and row.text is not None:
            out[row.question_key] = row.text.split("|")
        else:
            out[row.question_key] = row.text
    return out


def _hit(session: Session, key: bytes, survey_key: str, address: str) -> int:
    """Count a storing request from ``address``; done first so SQLite takes the write lock up front."""
    return ratelimit.hit(session, ratelimit.bucket_for(key, address, survey_key))


def over_limit(survey: Survey, hits: int) -> bool:
    return hits > survey_options(survey).rate_limit_per_hour


# --- helpers -----------------------------------------------------------------------------

def _headline(questions: list[Question]) -> Question | None:
    """The rated question a one-click link answers: the first scale question."""
    return next((q for q in questions if q.type in RATED_TYPES), None)


def _nonce_of(token: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()[:16]).rstrip(b"=").decode()


def _with(state: FormState, **changes: Any) -> FormState:
    return replace(state, **changes)


def _query(**params: str) -> str:
    return urlencode(params)


def thanks_url(key: bytes, state: FormState) -> str:
    return public_path(state.survey_key) + "/thanks?" + _query(f=_with(state, page=(), seen=()).token(key))


def page_view(key: bytes, survey: Survey, page: list[Question], state: FormState, *, questions: list[Question],
          values: dict[str, list[str]] | None = None, errors: dict[str, str] | None = None, status: int = 200) -> Page:
    state = _with(state, page=tuple(q.key for q in page))
    shown = set(state.seen) | set(state.page)
    more = any(q.type != "hidden" and q.key not in shown for q in questions)
    return Page(survey, survey_options(survey), page, state, state.token(key),
                values=values or {}, errors=errors or {}, status=status, more=more)


def _as_values(answers: dict[str, Any], page: list[Question]) -> dict[str, list[str]]:
    out = {}
    for question in page:
        value = answers.get(question.key)
        if value is not None:
            out[question.key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out


def answer_from_form(question: Question, values: list[str]) -> Any:
    """The raw answer of one question from the posted form (validated afterwards)."""
    values = [v for v in values if v.strip()] if question.type != "text" else values
    if question.type == "choice" and question.multiple:
        return values
    if not values:
        return None
    if len(values) > 1:
        return values  # two values for a single answer: rejected by validation
    return values[0] if question.type == "text" else values[0].strip()


def page_problem(question: Question, error: Invalid) -> str:
    """A message key (and arguments) the page translates: ``key|arg=value…``."""
    message = error.message
    if "needs an answer" in message:
        return "needs_answer"
    if question.type in RATED_TYPES:
        return f"scale_range|min={question.min}|max={question.max}"
    if question.type == "choice":
        return "pick_one" if "single option" in message else "pick_option"
    if "longer than" in message:
        return f"too_long|max={question.max_length}"
    return "needs_answer"


def _thanks(session: Session, survey: Survey, state: FormState, already: bool = False) -> Thanks:
    options = survey_options(survey)
    response = _response(session, state)
    follow_up = None
    if response is not None:
        version = session.get(SurveyVersion, response.version_id)
        headline = _headline(questions_of(version)) if version is not None else None
        score = _stored_answers(session, state, response).get(headline.key) if headline else None
        # A rated question always has its scale's bounds (the Question validator sets them).
        if (headline is not None and isinstance(score, int | float)
                and headline.min is not None and headline.max is not None):
            share = (score - headline.min) / (headline.max - headline.min)
            promoter = score >= 9 if headline.type == "nps" else share >= 0.75
            if promoter and options.review_url:
                follow_up = "review"
            elif not promoter and options.ideas_url:
                follow_up = "ideas"
    customer_id = _customer_id(session, state.customer_id) if follow_up == "ideas" else None
    return Thanks(survey, options, state.locale, state.embed, follow_up, already, customer_id)
