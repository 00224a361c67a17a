"""Use-cases of cases: opening, working and closing them; every change lands in the case's trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from centric.db import utcnow
from centric.events import CaseContacted, CasesOpened, publish
from centric.loop.models import Case, CaseActivity
from centric.loop.priority import prioritise
from centric.loop.routing import route


@dataclass(frozen=True)
class CaseDraft:
    """What a case is opened from: a rule's match, an agent's form, or a chat hand-off."""

    title: str
    source: str  # response | feedback | manual | chat
    customer_id: int | None = None
    response_id: int | None = None
    feedback_id: int | None = None
    rule_id: int | None = None
    touchpoint_id: int | None = None
    metric: str | None = None
    score: float | None = None
    verbatim: str = ""
    severity: int = 2
    team_id: int | None = None  # route to this team instead of the touchpoint's owner
    owner_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def open_cases(session: Session, drafts: Sequence[CaseDraft], user_id: int | None = None) -> list[Case]:
    """Open one case per draft: prioritised, routed to an owner, its opening in the trail.

    Publishes one :class:`CasesOpened` for the batch (the SLA clocks start, webhooks go out).
    """
    if not drafts:
        return []
    cases = [
        Case(title=d.title[:300], source=d.source, customer_id=d.customer_id, response_id=d.response_id,
             feedback_id=d.feedback_id, rule_id=d.rule_id, touchpoint_id=d.touchpoint_id, metric=d.metric,
             score=d.score, verbatim=d.verbatim, severity=d.severity, team_id=d.team_id, owner_id=d.owner_id,
             status="new", created_by=user_id)
        for d in drafts
    ]
    session.add_all(cases)
    session.flush()
    prioritise(session, cases)
    for case in cases:
        if case.owner_id is None:
            route(session, case)
    for case, draft in zip(cases, drafts, strict=True):
        record(session, case.id, "created", user_id,
               detail={"source": draft.source, "rule_id": draft.rule_id, "priority": case.priority,
                       "owner_id": case.owner_id, "team_id": case.team_id, **draft.detail})
    session.flush()
    publish(session, CasesOpened(tuple(case.id for case in cases)))
    return cases


def record(session: Session, case_id: int, kind: str, user_id: int | None = None, *, body: str = "",
           channel: str | None = None, outcome: str | None = None, detail: dict[str, Any] | None = None,
           at: datetime | None = None) -> CaseActivity:
    """Add an entry to a case's trail (a change, a note, a contact, an escalation)."""
    activity = CaseActivity(case_id=case_id, kind=kind, user_id=user_id, body=body, channel=channel,
                            outcome=outcome, detail=detail or {}, at=at or utcnow())
    session.add(activity)
    return activity


def log_contact(session: Session, case: Case, user_id: int | None, *, channel: str, outcome: str,
                body: str = "", at: datetime | None = None, detail: dict[str, Any] | None = None) -> CaseActivity:
    """Note a contact with the customer (a call, an e-mail sent); the first one stops the first-contact clock."""
    at = at or utcnow()
    activity = record(session, case.id, "contact", user_id, body=body, channel=channel, outcome=outcome,
                      detail=detail, at=at)
    if case.first_contact_at is None:
        case.first_contact_at = at
    case.last_contact_at = at
    if case.status == "new":
        case.status = "open"
    session.flush()
    publish(session, CaseContacted(case.id, at))
    return activity
