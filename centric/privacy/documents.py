"""Erasure in JSON documents that hold copies of a customer's data without a foreign key.

Webhook deliveries, idempotency records, job payloads, the audit log, import errors,
theme proposals, themes' examples (copied from accepted proposals) and merge snapshots
keep *copies* (a response as it was sent, an API answer as it was given). They are found
by what they contain: a ``customer_id`` (or ``merged_id``/``survivor_id``) of the erased
family, or a string holding one of the person's values (name, identities, texts…).
Copies that exist only to be replayed are removed; logs keep their rows with the
personal strings replaced by :data:`ERASED`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from centric.accounts.models import AuditLog
from centric.customers.models import Customer, CustomerMerge, Identity
from centric.db import in_chunks
from centric.feedback.models import Feedback, Theme
from centric.ingest.models import IdempotencyRecord, ImportRun
from centric.jobs.models import Job
from centric.journeys.models import Event
from centric.surveys.models import Answer, Response
from centric.themes.models import ThemeProposal
from centric.webhooks.models import WebhookDelivery

ERASED = "[erased]"
MIN_NEEDLE = 4  # shorter values ("Al", "FR") would match other people's data by chance
_ID_KEYS = ("customer_id", "merged_id", "survivor_id")
_NOTE_KEYS = ("reason",)  # free text a user wrote about the customer (a merge's reason)
_BATCH = 500


@dataclass(frozen=True)
class Person:
    """What identifies the erased customer inside a copied document."""

    ids: frozenset[int]
    needles: frozenset[str]

    def named_in(self, value: Any) -> bool:
        """Whether ``value`` (any JSON) refers to this person by id or contains one of their values."""
        if isinstance(value, dict):
            return any((key in _ID_KEYS and item in self.ids) or self.named_in(item) for key, item in value.items())
        if isinstance(value, list):
            return any(self.named_in(item) for item in value)
        return isinstance(value, str) and self._contains(value)

    def redacted(self, value: Any) -> Any:
        """``value`` with every string that holds one of the person's values replaced by :data:`ERASED`."""
        if isinstance(value, dict):
            about = any(key in _ID_KEYS and item in self.ids for key, item in value.items())
            return {key: ERASED if about and key in _NOTE_KEYS and item else self.redacted(item)
                    for key, item in value.items()}
        if isinstance(value, list):
            return [self.redacted(item) for item in value]
        return ERASED if isinstance(value, str) and self._contains(value) else value

    def _contains(self, text: str) -> bool:
        folded = text.casefold()
        return any(needle in folded for needle in self.needles)


def person_of(session: Session, ids: list[int], response_ids: list[int]) -> Person:
    """Collect the family's values before their rows are deleted."""
    values: list[Any] = []
    for name, external_id, attributes in session.execute(
            select(Customer.name, Customer.external_id, Customer.attributes).where(Customer.id.in_(ids))):
        values += [name, external_id, attributes]
    values += session.scalars(select(Identity.value).where(Identity.customer_id.in_(ids)))
    values += session.scalars(select(Feedback.text).where(Feedback.customer_id.in_(ids)))
    values += session.scalars(select(Event.payload).where(Event.customer_id.in_(ids)))
    values += session.scalars(select(Response.idempotency_key).where(Response.id.in_(response_ids)))
    values += session.scalars(select(Answer.text).where(Answer.response_id.in_(response_ids),
                                                        Answer.metric.in_(("text", "hidden"))))
    return Person(frozenset(ids), frozenset(_strings(values)))


def _strings(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, dict):
            yield from _strings(value.values())
        elif isinstance(value, list):
            yield from _strings(value)
        elif isinstance(value, str) and len(value.strip()) >= MIN_NEEDLE:
            yield value.strip().casefold()


def _named_rows(session: Session, key: InstrumentedAttribute[Any], document: InstrumentedAttribute[Any],
                person: Person) -> Iterator[tuple[Any, Any]]:
    """(key, document) of the rows whose document names ``person``, read in batches by key."""
    last: Any = None
    while True:
        query = select(key, document).order_by(key).limit(_BATCH)
        if last is not None:
            query = query.where(key > last)
        rows = session.execute(query).all()
        for row_key, value in rows:
            if person.named_in(value):
                yield row_key, value
        if len(rows) < _BATCH:
            return
        last = rows[-1][0]


def erase_copies(session: Session, person: Person) -> dict[str, int]:
    """Remove or redact every copied document that names ``person``; returns counts per table."""
    counts: dict[str, int] = {}
    replayable = ((IdempotencyRecord.key, IdempotencyRecord.body), (Job.id, Job.payload))
    for key, document in replayable:  # a stored answer or a job about someone who is gone: drop it
        doomed = [row_key for row_key, _ in _named_rows(session, key, document, person)]
        for chunk in in_chunks(doomed):
            session.execute(delete(key.class_).where(key.in_(chunk)))
        counts[f"{key.class_.__tablename__}_deleted"] = len(doomed)
    sent = [row_key for row_key, _ in _named_rows(session, WebhookDelivery.id, WebhookDelivery.payload, person)]
    for chunk in in_chunks(sent):  # the log row stays (it was sent, or it fails); the copy goes
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(chunk)).values(payload={"erased": True}))
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(chunk),
                                                      WebhookDelivery.status == "pending")
                        .values(status="failed", last_error="not sent: the customer was erased"))
    counts["webhook_delivery_scrubbed"] = len(sent)
    logs: tuple[tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any]], ...] = (
        (AuditLog.id, AuditLog.detail), (ImportRun.id, ImportRun.errors),
        (ThemeProposal.id, ThemeProposal.examples), (Theme.id, Theme.rule), (CustomerMerge.id, CustomerMerge.snapshot))
    for key, document in logs:
        redacted = 0
        for row_key, value in list(_named_rows(session, key, document, person)):
            clean = person.redacted(value)
            if clean != value:  # an id alone is not personal once the profile is gone
                session.execute(update(key.class_).where(key == row_key).values({document.key: clean}))
                redacted += 1
        counts[f"{key.class_.__tablename__}_redacted"] = redacted
    return counts
