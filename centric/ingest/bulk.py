"""The fast path of bulk imports: a batch of rows in a handful of set-based statements.

Rows are validated in Python, customers are resolved for the whole batch with one
identity lookup, and new customers, identities, responses, answers, feedback and events
are inserted with multi-row INSERTs. Rows that need more care — a customer whose
identities span two profiles (a merge), or new attributes for a known customer — are
handed back to the row-by-row path, which gives exactly the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.customers.models import Customer, CustomerSegment, Identity, Segment
from centric.customers.schemas import CustomerIn
from centric.customers.service import identities_of, matches_rule
from centric.db import in_chunks, not_in_future, utcnow
from centric.errors import CentricError, Invalid, NotFound, first_problem
from centric.events import (
    AnswersStored,
    EventsRecorded,
    FeedbackStored,
    RatedAnswer,
    ResponsesStored,
    publish,
)
from centric.feedback.models import Feedback
from centric.feedback.schemas import FeedbackIn
from centric.feedback.service import (
    ResponseRef,
    SurveyComment,
    add_survey_comments,
)
from centric.ingest.records import RowError, SourceRow
from centric.journeys.models import Event, Touchpoint
from centric.journeys.schemas import EventIn
from centric.surveys.models import Answer, Response, Survey, SurveyVersion
from centric.surveys.questions import Question, TypedAnswer, parse_questions, validate_answers
from centric.surveys.schemas import ResponseIn

CHUNK = 400
Identities = list[tuple[str, str]]


@dataclass
class Prepared:
    """A validated row waiting for its customer id."""

    line: int
    source: SourceRow
    record: BaseModel
    identities: Identities
    key: str | None = None  # idempotency key
    values: dict[str, Any] = field(default_factory=dict)
    answers: list[TypedAnswer] = field(default_factory=list)
    customer_id: int | None = None


@dataclass
class BatchOutcome:
    created: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    deferred: list[SourceRow] = field(default_factory=list)


class Lookups:
    """Surveys, versions and touchpoints read once per import, not once per row."""

    def __init__(self, session: Session) -> None:
        self.touchpoints = dict(session.execute(select(Touchpoint.key, Touchpoint.id)).all())
        self._session = session
        self._surveys: dict[str, tuple[Survey, SurveyVersion, list[Question]]] = {}
        self.rule_segments = [(s.id, s.rule) for s in session.scalars(select(Segment)) if s.rule]

    def touchpoint(self, key: str | None) -> int | None:
        if not key:
            return None
        if key not in self.touchpoints:
            raise NotFound(f"unknown touchpoint {key!r}", field="touchpoint")
        return self.touchpoints[key]

    def survey(self, key: str) -> tuple[Survey, SurveyVersion, list[Question]]:
        if key not in self._surveys:
            survey = self._session.scalar(select(Survey).where(Survey.key == key))
            if survey is None:
                raise NotFound(f"unknown survey {key!r}", field="survey")
            version = self._session.scalar(
                select(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
                .order_by(SurveyVersion.version.desc()).limit(1)
            )
            assert version is not None
            self._surveys[key] = (survey, version, parse_questions(version.questions))
        return self._surveys[key]


def _moment(value: datetime | None, field_name: str) -> datetime:
    return not_in_future(value, field_name)


def _customer_identities(customer: CustomerIn | None) -> Identities:
    return identities_of(customer) if customer is not None else []


def prepare_response(record: ResponseIn, lookups: Lookups) -> tuple[Identities, str | None, dict, list[TypedAnswer]]:
    survey, version, questions = lookups.survey(record.survey)
    if survey.status == "closed":
        raise Invalid(f"survey {survey.key!r} is closed", field="survey")
    answers = validate_answers(questions, record.answers)
    touchpoint_id = lookups.touchpoint(record.touchpoint) if record.touchpoint else survey.touchpoint_id
    values = {
        "survey_id": survey.id, "version_id": version.id, "touchpoint_id": touchpoint_id,
        "channel": record.channel, "locale": record.locale,
        "submitted_at": _moment(record.submitted_at, "submitted_at"), "idempotency_key": record.external_id,
        "_kind": survey.kind,
    }
    return _customer_identities(record.customer), record.external_id, values, answers


def prepare_feedback(record: FeedbackIn, lookups: Lookups) -> tuple[Identities, str | None, dict, list]:
    if not record.text.strip():
        raise Invalid("text is empty", field="text")
    values = {
        "source": record.source, "channel": record.channel, "external_id": record.external_id,
        "touchpoint_id": lookups.touchpoint(record.touchpoint), "text": record.text, "rating": record.rating,
        "occurred_at": _moment(record.occurred_at, "occurred_at"),
    }
    key = f"{record.source}\x1f{record.external_id}" if record.external_id else None
    return _customer_identities(record.customer), key, values, []


def prepare_event(record: EventIn, lookups: Lookups) -> tuple[Identities, str | None, dict, list]:
    values = {
        "kind": record.kind, "occurred_at": _moment(record.occurred_at, "occurred_at"),
        "touchpoint_id": lookups.touchpoint(record.touchpoint), "value": record.value,
        "source": record.source, "external_id": record.external_id, "payload": record.payload,
    }
    key = f"{record.source}\x1f{record.external_id}" if record.external_id else None
    return _customer_identities(record.customer), key, values, []


def prepare_customer(record: CustomerIn, lookups: Lookups) -> tuple[Identities, str | None, dict, list]:
    identities = identities_of(record)
    if not identities:
        raise Invalid("a customer needs an external_id, email, phone or another identity", field="identities")
    return identities, None, {}, []


PREPARE: dict[str, Callable[[Any, Lookups], tuple[Identities, str | None, dict, list]]] = {
    "responses": prepare_response, "feedback": prepare_feedback,
    "events": prepare_event, "customers": prepare_customer,
}


def _stored_keys(session: Session, kind: str, keys: list[str]) -> set[str]:
    """Idempotency keys of this batch that are stored already."""
    found: set[str] = set()
    for chunk in in_chunks(keys, CHUNK):
        if kind == "responses":
            found.update(session.scalars(select(Response.idempotency_key).where(Response.idempotency_key.in_(chunk))))
        elif kind in ("feedback", "events"):
            model = Feedback if kind == "feedback" else Event
            for source, external_ids in _group_pairs(_split_key(k) for k in chunk).items():
                found.update(f"{source}\x1f{e}" for e in session.scalars(select(model.external_id).where(
                    model.source == source, model.external_id.in_(external_ids))))
    return found


def _split_key(key: str) -> tuple[str, str]:
    """A ``source\\x1fexternal_id`` idempotency key as its two parts."""
    source, external_id = key.split("\x1f", 1)
    return source, external_id


def _group_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """(a, b) pairs as a → sorted b's, so a lookup can filter on a and range over b."""
    groups: dict[str, set[str]] = {}
    for first, second in pairs:
        groups.setdefault(first, set()).add(second)
    return {first: sorted(seconds) for first, seconds in groups.items()}


def _known_identities(session: Session, identities: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Identity → surviving customer id, following merges."""
    owner: dict[tuple[str, str], int] = {}
    for kind, values in _group_pairs(identities).items():
        for chunk in in_chunks(values, CHUNK):  # kind = ? AND value IN (…): one index range per value on both backends
            for value, customer_id in session.execute(
                select(Identity.value, Identity.customer_id).where(Identity.kind == kind, Identity.value.in_(chunk))
            ):
                owner[(kind, value)] = customer_id
    survivors = {cid: cid for cid in owner.values()}
    pending = set(survivors)
    while pending:
        merged = {cid: target for cid, target in session.execute(
            select(Customer.id, Customer.merged_into_id)
            .where(Customer.id.in_(pending), Customer.merged_into_id.is_not(None))
        ) if target is not None}
        for cid, target in merged.items():
            for start, current in survivors.items():
                if current == cid:
                    survivors[start] = target
        pending = set(merged.values())
    return {identity: survivors[cid] for identity, cid in owner.items()}


def import_batch(session: Session, kind: str, schema: type[BaseModel], rows: list[SourceRow],
                 lookups: Lookups) -> BatchOutcome:
    """Validate and write one batch; returns counts, errors and rows for the careful path."""
    outcome = BatchOutcome()
    prepared: list[Prepared] = []
    for row in rows:
        if row.error is not None:
            outcome.errors.append(row.error)
            continue
        try:
            record = schema.model_validate(row.record)
            identities, key, values, answers = PREPARE[kind](record, lookups)
        except ValidationError as exc:
            outcome.errors.append(RowError(row.line, *first_problem(exc)))
            continue
        except CentricError as exc:
            outcome.errors.append(RowError(row.line, exc.field, exc.message))
            continue
        prepared.append(Prepared(row.line, row, record, identities, key, values, answers))
    stored = _stored_keys(session, kind, [p.key for p in prepared if p.key])
    seen: set[str] = set()
    fresh: list[Prepared] = []
    for item in prepared:
        if item.key and (item.key in stored or item.key in seen):
            outcome.skipped += 1
            continue
        if item.key:
            seen.add(item.key)
        fresh.append(item)
    writable = _resolve_customers(session, kind, fresh, lookups, outcome)
    _insert_records(session, kind, writable)
    outcome.created += len(writable)
    return outcome


def _resolve_customers(session: Session, kind: str, items: list[Prepared], lookups: Lookups,
                       outcome: BatchOutcome) -> list[Prepared]:
    owner: dict[tuple[str, str], int | str] = dict(
        _known_identities(session, {i for item in items for i in item.identities})
    )
    new_customers: dict[str, dict[str, Any]] = {}
    new_identities: list[tuple[tuple[str, str], int | str]] = []
    writable: list[Prepared] = []
    for item in items:
        if not item.identities:
            writable.append(item)
            continue
        customer = _customer_of(item.record)
        owners = {owner[i] for i in item.identities if i in owner}
        has_details = bool(customer.attributes) or bool(customer.name)
        if len(owners) > 1 or (owners and has_details and kind == "customers") or (
            owners and customer.attributes and any(isinstance(o, int) for o in owners)
        ):
            outcome.deferred.append(item.source)  # a merge or new details: the careful path
            continue
        if kind == "customers" and owners:
            if all(i in owner for i in item.identities):
                outcome.skipped += 1  # a known customer with nothing new
            else:
                outcome.deferred.append(item.source)  # a new identity: the careful path adds and counts it
            continue
        target: int | str = owners.pop() if owners else f"new{len(new_customers)}"
        if target not in new_customers and isinstance(target, str):
            new_customers[target] = {"external_id": customer.external_id, "name": customer.name,
                                     "attributes": dict(customer.attributes)}
        for identity in item.identities:
            if identity not in owner:
                owner[identity] = target
                new_identities.append((identity, target))
        item.values["_customer"] = target
        writable.append(item)
    ids = _insert_customers(session, new_customers, lookups)
    if new_identities:
        session.execute(Identity.__table__.insert(), [
            {"kind": k, "value": v, "customer_id": _customer_id(ids, t)} for (k, v), t in new_identities
        ])
    for item in writable:
        target = item.values.pop("_customer", None)
        item.customer_id = _customer_id(ids, target) if target is not None else None
    return writable


def _customer_of(record: BaseModel) -> CustomerIn:
    """The customer a row names: the row itself when customers are imported."""
    if isinstance(record, CustomerIn):
        return record
    assert isinstance(record, ResponseIn | FeedbackIn | EventIn)
    assert record.customer is not None  # a row without a customer has no identities
    return record.customer


def _customer_id(ids: dict[str, int], target: int | str) -> int:
    """The id of a known customer, or of the new one a placeholder (``"new3"``) stands for."""
    return ids[target] if isinstance(target, str) else target


def _insert_customers(session: Session, new: dict[str, dict[str, Any]], lookups: Lookups) -> dict[str, int]:
    if not new:
        return {}
    now = utcnow()
    placeholders = list(new)
    rows = [{**new[p], "created_at": now, "updated_at": now} for p in placeholders]
    table = Customer.__table__
    ids = list(session.scalars(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows))
    mapping = dict(zip(placeholders, ids, strict=True))
    if lookups.rule_segments:
        links = [
            {"customer_id": mapping[p], "segment_id": segment_id}
            for p in placeholders for segment_id, rule in lookups.rule_segments
            if matches_rule(new[p]["attributes"], rule)
        ]
        if links:
            session.execute(CustomerSegment.__table__.insert(), links)
    return mapping


def _insert_records(session: Session, kind: str, items: list[Prepared]) -> None:
    if not items or kind == "customers":
        return
    now = utcnow()
    if kind in ("feedback", "events"):
        model = Feedback if kind == "feedback" else Event
        table = model.__table__
        ids = list(session.scalars(
            table.insert().returning(table.c.id, sort_by_parameter_order=True),
            [{**i.values, "customer_id": i.customer_id, "created_at": now} for i in items],
        ))
        publish(session, FeedbackStored(tuple(ids)) if kind == "feedback" else EventsRecorded(tuple(ids)))
        return
    rows = [{k: v for k, v in i.values.items() if not k.startswith("_")} | {"customer_id": i.customer_id,
            "completed": True, "created_at": now} for i in items]
    responses = Response.__table__
    ids = list(session.scalars(responses.insert().returning(responses.c.id, sort_by_parameter_order=True), rows))
    answers: list[dict[str, Any]] = []
    comments: list[SurveyComment] = []
    for item, response_id in zip(items, ids, strict=True):
        rating = next((a.number for a in item.answers if a.metric == item.values["_kind"]), None)
        response = ResponseRef(response_id, item.customer_id, item.values["touchpoint_id"], item.values["submitted_at"])
        for a in item.answers:
            answers.append({"response_id": response_id, "question_key": a.question_key, "metric": a.metric,
                            "number": a.number, "text": a.text})
            if a.metric == "text" and a.text and a.text.strip():
                comments.append(SurveyComment(response, a.question_key, a.text, rating))
    session.execute(Answer.__table__.insert(), answers)
    rated = tuple(
        RatedAnswer(i.values["submitted_at"], i.values["survey_id"], i.values["touchpoint_id"], i.values["channel"],
                    a.metric, a.number, i.customer_id)
        for i in items for a in i.answers if a.number is not None
    )
    if rated:
        publish(session, AnswersStored(rated))
    add_survey_comments(session, comments)
    publish(session, ResponsesStored(tuple(ids), imported=True))
