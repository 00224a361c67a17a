"""Domain events: what one domain tells the others, inside the unit of work that made it so.

A service that changes something other domains care about publishes a small frozen
dataclass — one per batch, never one per row of a bulk path — with :func:`publish`,
inside its own transaction. Who reacts is listed in one place, :mod:`centric.wiring`,
and every reaction runs in the publisher's transaction: either the work itself (cheap
reactions: a rollup upsert, webhook delivery rows) or the enqueueing of a job that does
the slow part later (text enrichment). Either way a reaction commits or rolls back with
the change that caused it, so no reaction is lost and none fires for a rolled-back change.

This module sits below every domain: it knows no domain, only the event types.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from centric.jobs.service import enqueue

# --- the events ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RatedAnswer:
    """One rated answer, as the metric rollups count it."""

    submitted_at: datetime
    survey_id: int
    touchpoint_id: int | None
    channel: str
    metric: str
    number: float
    customer_id: int | None = None  # whose answer: segment rollups count it in that customer's segments


@dataclass(frozen=True)
class AnswersStored:
    """Answers were added to responses (complete or partial); ``rated`` holds the scored ones."""

    rated: tuple[RatedAnswer, ...]


@dataclass(frozen=True)
class AnswersRetracted:
    """A respondent replaced answers of a partial response; ``rated`` holds the scored ones removed."""

    rated: tuple[RatedAnswer, ...]


@dataclass(frozen=True)
class ResponsesStored:
    """Responses were completed. ``imported``: a bulk import of history, not a live submission."""

    ids: tuple[int, ...]
    imported: bool = False


@dataclass(frozen=True)
class FeedbackStored:
    """Feedback items were stored. ``origin``: received as feedback, or an open-text survey answer."""

    ids: tuple[int, ...]
    origin: Literal["feedback", "survey"] = "feedback"


@dataclass(frozen=True)
class FeedbackEnriched:
    """Feedback items got (new) language, sentiment and themes."""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class EventsRecorded:
    """Customer events (purchases, tickets, chats…) were stored."""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class CustomersMerged:
    """``merged_id``'s profile was merged into ``survivor_id``'s (merge record ``merge_id``).

    Every domain that keeps rows of a customer moves them to the survivor and notes their
    ids on the merge record, so that the merge can be undone.
    """

    merge_id: int
    survivor_id: int
    merged_id: int


@dataclass(frozen=True)
class CustomerMergeUndone:
    """Merge ``merge_id`` was undone: the rows it ``moved`` (table → ids) go back to ``merged_id``."""

    merge_id: int
    survivor_id: int
    merged_id: int
    moved: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MembershipsChanged:
    """Customers joined (``added``) or left (``removed``) segments: ``(customer_id, segment_id)`` pairs.

    Published with the change, while those customers' answers are as they were at the change.
    """

    added: tuple[tuple[int, int], ...] = ()
    removed: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SegmentsRefilled:
    """These segments' members were recomputed wholesale (rule refresh, RFM scoring)."""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class CaseChange:
    """One case's changed fields: name → (before, after)."""

    case_id: int
    fields: Mapping[str, tuple[Any, Any]]


@dataclass(frozen=True)
class CasesOpened:
    """Cases were opened (by an alert rule, by hand, or by a chat hand-off)."""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class CasesUpdated:
    """Cases changed (status, owner, priority, root cause…); one event per batch (bulk actions)."""

    changes: tuple[CaseChange, ...]


@dataclass(frozen=True)
class CaseContacted:
    """Someone contacted the customer of case ``case_id`` (an e-mail, a call): the SLA's first contact."""

    case_id: int
    at: datetime


@dataclass(frozen=True)
class InitiativesDone:
    """Initiatives were marked done, their change taking effect on ``done_on``: measure their impact."""

    ids: tuple[int, ...]
    done_on: date


@dataclass(frozen=True)
class IdeasSubmitted:
    """Ideas were created (on the portal, through the API, or by staff from a verbatim, theme or case)."""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class IdeaStatusesChanged:
    """Ideas changed status; ``change_ids`` are their status-history rows (who, from, to, note)."""

    change_ids: tuple[int, ...]


@dataclass(frozen=True)
class ConversationsHandedOff:
    """Chat conversations were handed to a person: each now has a case (``chat.handoff``)."""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class ConversationsClosed:
    """Chat conversations ended (by the customer, an agent, or after inactivity): survey, analyse, announce."""

    ids: tuple[int, ...]


# --- subscribing and publishing ------------------------------------------------------------


@dataclass(frozen=True)
class JobSpec:
    """A job that a reaction wants run later: a registered task's name and its JSON payload."""

    task: str
    payload: dict[str, Any]
    idempotency_key: str | None = None  # enqueued at most once per key


@dataclass(frozen=True)
class Reaction:
    """``handler`` reacts to events of type ``event``.

    ``in_transaction``: ``handler(session, event)`` does the work at once. Otherwise
    ``handler(event)`` returns the jobs to enqueue, and a worker does the work later.
    """

    event: type
    handler: Callable[..., Any]
    in_transaction: bool

    @property
    def name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


def now(event: type, handler: Callable[[Session, Any], None]) -> Reaction:
    """React inside the publisher's transaction."""
    return Reaction(event, handler, in_transaction=True)


def later(event: type, jobs: Callable[[Any], Iterable[JobSpec]]) -> Reaction:
    """React by enqueueing the jobs ``jobs(event)`` names (in the publisher's transaction)."""
    return Reaction(event, jobs, in_transaction=False)


_index: dict[type, tuple[Reaction, ...]] | None = None


def reactions_to(event_type: type) -> tuple[Reaction, ...]:
    """The reactions :mod:`centric.wiring` lists for ``event_type``, in the order listed."""
    global _index
    if _index is None:
        # Loaded on first use, by name: the wiring module sits above every domain, which
        # all import this module.
        wiring = importlib.import_module("centric.wiring")
        index: dict[type, list[Reaction]] = {}
        for reaction in wiring.REACTIONS:
            index.setdefault(reaction.event, []).append(reaction)
        _index = {event: tuple(listed) for event, listed in index.items()}
    return _index.get(event_type, ())


_observers: list[list[object]] = []


@contextmanager
def recorded() -> Iterator[list[object]]:
    """Collect every event published while the block runs (for tests and debugging)."""
    seen: list[object] = []
    _observers.append(seen)
    try:
        yield seen
    finally:
        _observers.remove(seen)


def publish(session: Session, event: object) -> None:
    """Run every reaction to ``event`` inside ``session``'s transaction.

    Call it from the service that made the change, after the rows are flushed. An error
    in a reaction propagates: the whole unit of work rolls back, so the change and its
    reactions are stored together or not at all.
    """
    for seen in _observers:
        seen.append(event)
    for reaction in reactions_to(type(event)):
        if reaction.in_transaction:
            reaction.handler(session, event)
            continue
        for spec in reaction.handler(event):
            enqueue(session, spec.task, spec.payload, idempotency_key=spec.idempotency_key)
