"""Use-cases of cases: opening, working and closing them; every change lands in the case's trail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true, update
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.accounts.roles import Permission, allows
from centric.customers.models import Customer
from centric.customers.service import move_rows_on_merge, move_rows_on_undo
from centric.db import in_chunks, utcnow
from centric.errors import CentricError, Conflict, Invalid, NotFound
from centric.events import (
    CaseChange,
    CaseContacted,
    CasesOpened,
    CasesUpdated,
    CustomerMergeUndone,
    CustomersMerged,
    publish,
)
from centric.journeys.models import Touchpoint
from centric.loop.case_schemas import AssignIn, BulkIn, CaseIn, CasePatch, CloseIn, ContactIn
from centric.loop.models import Case, CaseActivity, CaseWatcher
from centric.loop.priority import prioritise
from centric.loop.rootcauses import by_code
from centric.loop.routing import route

# Which status may follow which. Closing needs a root cause; a closed case can only be reopened.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"open", "waiting", "resolved", "closed"}),
    "open": frozenset({"waiting", "resolved", "closed"}),
    "waiting": frozenset({"open", "resolved", "closed"}),
    "reopened": frozenset({"open", "waiting", "resolved", "closed"}),
    "resolved": frozenset({"closed", "reopened"}),
    "closed": frozenset({"reopened"}),
}


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
    """Note a contact with the customer (a call, an e-mail sent); the first one stops the first-contact clock.

    A new case becomes open, in its trail and announced like any status change.
    """
    at = at or utcnow()
    activity = record(session, case.id, "contact", user_id, body=body, channel=channel, outcome=outcome,
                      detail=detail, at=at)
    if case.first_contact_at is None:
        case.first_contact_at = at
    case.last_contact_at = at
    opened = case.status == "new"
    if opened:
        case.status = "open"
        record(session, case.id, "status", user_id, detail={"from": "new", "to": "open"})
    session.flush()
    publish(session, CaseContacted(case.id, at))
    if opened:
        publish(session, CasesUpdated((CaseChange(case.id, {"status": ("new", "open")}),)))
    return activity


# --- who sees which case -------------------------------------------------------------------


def is_scoped(user: User | None) -> bool:
    """Agents (who work cases but configure nothing) see only their own, their team's and unassigned cases."""
    return user is not None and allows(user.role, Permission.WORK_CASES) and not allows(user.role,
                                                                                      Permission.CONFIGURE)


def visible_to(user: User | None) -> ColumnElement[bool]:
    """The cases ``user`` may see, as a WHERE clause (None: the system, which sees all)."""
    if not is_scoped(user):
        return true()
    assert user is not None
    mine = Case.owner_id == user.id
    nobody = and_(Case.owner_id.is_(None), Case.team_id.is_(None))
    team = Case.team_id == user.team_id if user.team_id is not None else false()
    return or_(mine, team, nobody)


def may_see(user: User | None, case: Case) -> bool:
    if not is_scoped(user):
        return True
    assert user is not None
    return (case.owner_id == user.id or (user.team_id is not None and case.team_id == user.team_id)
            or (case.owner_id is None and case.team_id is None))


def get_case(session: Session, case_id: int, user: User | None = None) -> Case:
    """The case, if ``user`` may see it; otherwise (or when there is none) NotFound."""
    case = session.get(Case, case_id)
    if case is None or not may_see(user, case):
        raise NotFound(f"no case {case_id}")
    return case


# --- changes and their trail ---------------------------------------------------------------


class Changes:
    """The fields one call changed, per case; published as one :class:`CasesUpdated`."""

    def __init__(self, session: Session, user: User | None) -> None:
        self.session = session
        self.user_id = user.id if user is not None else None
        self.fields: dict[int, dict[str, tuple[Any, Any]]] = {}

    def set(self, case: Case, name: str, value: Any) -> bool:
        """Set ``case.name`` to ``value``; True when it changed (then it is noted for the event)."""
        before = getattr(case, name)
        if before == value:
            return False
        setattr(case, name, value)
        fields = self.fields.setdefault(case.id, {})
        fields[name] = (fields[name][0] if name in fields else _plain(before), _plain(value))
        return True

    def note(self, case: Case, kind: str, *, body: str = "", detail: dict[str, Any] | None = None) -> None:
        record(self.session, case.id, kind, self.user_id, body=body, detail=detail)

    def publish(self) -> None:
        self.session.flush()
        changes = tuple(CaseChange(case_id, fields) for case_id, fields in self.fields.items() if fields)
        if changes:
            publish(self.session, CasesUpdated(changes))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _move(changes: Changes, case: Case, status: str, *, body: str = "") -> None:
    """Move the case to ``status`` if the transition is allowed (Conflict otherwise)."""
    if case.status == status:
        return
    if status not in TRANSITIONS.get(case.status, frozenset()):
        raise Conflict(f"case {case.id} cannot go from {case.status} to {status}", field="status")
    if status == "closed" and case.root_cause_id is None:
        raise Invalid(f"case {case.id} needs a root cause to be closed; pick a code from the root-cause list",
                      field="root_cause")
    before = case.status
    changes.set(case, "status", status)
    now = utcnow()
    if status == "resolved":
        changes.set(case, "resolved_at", now)
    elif status == "closed":
        changes.set(case, "closed_at", now)
        changes.set(case, "auto_closed", False)
        if case.resolved_at is None:
            changes.set(case, "resolved_at", now)
    elif status == "reopened":
        changes.set(case, "closed_at", None)
        changes.set(case, "resolved_at", None)
        changes.set(case, "auto_closed", False)
    changes.note(case, "status", body=body, detail={"from": before, "to": status})


def _root_cause(changes: Changes, case: Case, code: str | None) -> None:
    if code is None:
        return
    found = by_code(changes.session, code)
    if changes.set(case, "root_cause_id", found.id):
        changes.note(case, "root_cause", detail={"code": found.code})


def _outcome(changes: Changes, case: Case, action_taken: str | None, recovered: str | None) -> None:
    if action_taken is not None and changes.set(case, "action_taken", action_taken):
        changes.note(case, "edited", body=action_taken, detail={"field": "action_taken"})
    if recovered is not None and changes.set(case, "recovered", recovered):
        changes.note(case, "recovered", detail={"recovered": recovered})


def _assign(changes: Changes, case: Case, owner_id: int | None, team_id: int | None, unassign: bool = False) -> None:
    session = changes.session
    if team_id is not None and session.get(Team, team_id) is None:
        raise Invalid(f"no team {team_id}", field="team_id")
    if owner_id is not None:
        owner = session.get(User, owner_id)
        if owner is None or not owner.is_active or not allows(owner.role, Permission.WORK_CASES):
            raise Invalid(f"user {owner_id} cannot own cases (unknown, inactive, or not an agent or manager)",
                          field="owner_id")
    before = {"owner_id": case.owner_id, "team_id": case.team_id}
    changed = False
    if team_id is not None:
        changed |= changes.set(case, "team_id", team_id)
    if owner_id is not None or unassign:
        changed |= changes.set(case, "owner_id", owner_id)
    if changed:
        changes.note(case, "assigned", detail={"before": before, "owner_id": case.owner_id, "team_id": case.team_id})


# --- use-cases -----------------------------------------------------------------------------


def open_case(session: Session, data: CaseIn, user: User | None = None) -> Case:
    """Open a case by hand (or from a chat hand-off): prioritised and routed like a rule's."""
    if data.customer_id is not None and session.get(Customer, data.customer_id) is None:
        raise Invalid(f"no customer {data.customer_id}", field="customer_id")
    if data.touchpoint_id is not None and session.get(Touchpoint, data.touchpoint_id) is None:
        raise Invalid(f"no touchpoint {data.touchpoint_id}", field="touchpoint_id")
    if data.team_id is not None and session.get(Team, data.team_id) is None:
        raise Invalid(f"no team {data.team_id}", field="team_id")
    if data.owner_id is not None and session.get(User, data.owner_id) is None:
        raise Invalid(f"no user {data.owner_id}", field="owner_id")
    draft = CaseDraft(title=data.title, source=data.source, customer_id=data.customer_id,
                      touchpoint_id=data.touchpoint_id, verbatim=data.verbatim, severity=data.severity,
                      team_id=data.team_id, owner_id=data.owner_id)
    return open_cases(session, [draft], user.id if user else None)[0]


def update_case(session: Session, case_id: int, data: CasePatch, user: User | None = None) -> Case:
    """Change a case's title, status, priority (by hand), root cause, action taken or recovery."""
    case = get_case(session, case_id, user)
    changes = Changes(session, user)
    if data.title is not None and changes.set(case, "title", data.title):
        changes.note(case, "edited", detail={"field": "title"})
    _root_cause(changes, case, data.root_cause)
    _outcome(changes, case, data.action_taken, data.recovered)
    if data.priority is not None and data.priority != case.priority:
        before = case.priority
        changes.set(case, "priority", data.priority)
        reason = dict(case.priority_reason or {})
        reason["override"] = {"priority": data.priority, "user_id": changes.user_id, "computed": reason.get("priority")}
        changes.set(case, "priority_reason", reason)
        changes.note(case, "priority", detail={"from": before, "to": data.priority, "by_hand": True})
    if data.status is not None:
        _move(changes, case, data.status)
    changes.publish()
    return case


def assign_case(session: Session, case_id: int, data: AssignIn, user: User | None = None) -> Case:
    case = get_case(session, case_id, user)
    changes = Changes(session, user)
    _assign(changes, case, data.owner_id, data.team_id, data.unassign)
    changes.publish()
    return case


def close_case(session: Session, case_id: int, data: CloseIn, user: User | None = None) -> Case:
    """Close a case: a root cause is required (given now or set before)."""
    case = get_case(session, case_id, user)
    changes = Changes(session, user)
    _close(changes, case, data)
    changes.publish()
    return case


def _close(changes: Changes, case: Case, data: CloseIn) -> None:
    _root_cause(changes, case, data.root_cause)
    _outcome(changes, case, data.action_taken, data.recovered)
    if case.status == "closed":
        raise Conflict(f"case {case.id} is closed already", field="status")
    _move(changes, case, "closed", body=data.resolution)


def reopen_case(session: Session, case_id: int, reason: str = "", user: User | None = None) -> Case:
    case = get_case(session, case_id, user)
    if case.merged_into_id is not None:
        raise Conflict(f"case {case.id} was merged into case {case.merged_into_id}; undo the merge instead")
    changes = Changes(session, user)
    _move(changes, case, "reopened", body=reason)
    changes.publish()
    return case


def add_note(session: Session, case_id: int, body: str, user: User | None = None) -> CaseActivity:
    """An internal note: never shown to the customer."""
    case = get_case(session, case_id, user)
    activity = record(session, case.id, "note", user.id if user else None, body=body)
    session.flush()
    return activity


def contact(session: Session, case_id: int, data: ContactIn, user: User | None = None) -> CaseActivity:
    """Log a contact with the customer (a call, an e-mail); a new case becomes open."""
    case = get_case(session, case_id, user)
    return log_contact(session, case, user.id if user else None, channel=data.channel, outcome=data.outcome,
                       body=data.body, at=data.at)


def watch(session: Session, case_id: int, watcher_id: int, *, remove: bool = False,
          user: User | None = None) -> list[int]:
    """Add or remove a watcher; returns the watchers' ids."""
    case = get_case(session, case_id, user)
    if session.get(User, watcher_id) is None:
        raise Invalid(f"no user {watcher_id}", field="user_id")
    existing = session.get(CaseWatcher, (case.id, watcher_id))
    if remove and existing is not None:
        session.delete(existing)
        record(session, case.id, "watcher", user.id if user else None, detail={"removed": watcher_id})
    elif not remove and existing is None:
        session.add(CaseWatcher(case_id=case.id, user_id=watcher_id))
        record(session, case.id, "watcher", user.id if user else None, detail={"added": watcher_id})
    session.flush()
    return list(session.scalars(select(CaseWatcher.user_id).where(CaseWatcher.case_id == case.id)
                                .order_by(CaseWatcher.user_id)))


def bulk(session: Session, data: BulkIn, user: User | None = None) -> list[int]:
    """Apply one action to many cases, all or nothing: any failure changes none (Conflict lists them all)."""
    ids = list(dict.fromkeys(data.ids))
    action = _bulk_action(data)
    changes = Changes(session, user)
    failures: list[str] = []
    savepoint = session.begin_nested()  # undone on any failure, even if the caller goes on
    for case_id in ids:
        try:
            action(changes, get_case(session, case_id, user))
        except CentricError as exc:
            failures.append(f"case {case_id}: {exc.message}")
    if failures:
        savepoint.rollback()
        raise Conflict(f"nothing changed; {len(failures)} of {len(ids)} cases failed: " + "; ".join(failures),
                       field="ids")
    savepoint.commit()
    changes.publish()
    return ids


def _bulk_action(data: BulkIn) -> Callable[[Changes, Case], None]:
    if data.action == "assign":
        if data.owner_id is None and data.team_id is None:
            raise Invalid("assigning needs owner_id or team_id", field="owner_id")
        return lambda changes, case: _assign(changes, case, data.owner_id, data.team_id)
    if data.action == "status":
        status = data.status
        if status is None:
            raise Invalid("setting a status needs status", field="status")
        return lambda changes, case: _move(changes, case, status)
    if data.action == "close":
        if not data.root_cause:
            raise Invalid("closing needs a root cause", field="root_cause")
        close = CloseIn(root_cause=data.root_cause)
        return lambda changes, case: _close(changes, case, close)
    if not data.body:
        raise Invalid("a note needs a body", field="body")
    body = data.body
    return lambda changes, case: changes.note(case, "note", body=body)


def merge_case(session: Session, case_id: int, into_id: int, user: User | None = None) -> Case:
    """Merge duplicate case ``case_id`` into ``into_id``: it closes, its trail shows on the survivor.

    Undo with :func:`unmerge_case`, which restores its status before the merge.
    """
    case = get_case(session, case_id, user)
    into = get_case(session, into_id, user)
    if case.id == into.id:
        raise Invalid("a case cannot be merged into itself", field="into")
    if case.merged_into_id is not None:
        raise Conflict(f"case {case.id} was merged into case {case.merged_into_id} already")
    if into.merged_into_id is not None:
        raise Conflict(f"case {into.id} was itself merged into case {into.merged_into_id}; merge into that one",
                       field="into")
    changes = Changes(session, user)
    previous = {"status": case.status, "closed_at": _plain(case.closed_at), "auto_closed": case.auto_closed}
    changes.set(case, "merged_into_id", into.id)
    if case.status != "closed":  # a system close: no root cause, and no recovery survey for a duplicate
        changes.set(case, "status", "closed")
        changes.set(case, "closed_at", utcnow())
        changes.set(case, "auto_closed", True)
    changes.note(case, "merged", detail={"into": into.id, "previous": previous})
    changes.note(into, "merged", detail={"case_id": case.id})
    changes.publish()
    return into


def unmerge_case(session: Session, case_id: int, user: User | None = None) -> Case:
    """Undo a merge: the case gets its own status back and leaves the survivor's trail."""
    case = get_case(session, case_id, user)
    if case.merged_into_id is None:
        raise Conflict(f"case {case.id} is not merged into another case")
    into_id = case.merged_into_id
    merged = session.scalar(select(CaseActivity).where(CaseActivity.case_id == case.id, CaseActivity.kind == "merged")
                            .order_by(CaseActivity.id.desc()).limit(1))
    previous = (merged.detail or {}).get("previous", {}) if merged is not None else {}
    changes = Changes(session, user)
    changes.set(case, "merged_into_id", None)
    changes.set(case, "status", previous.get("status", "open"))
    closed_at = previous.get("closed_at")
    changes.set(case, "closed_at", datetime.fromisoformat(closed_at) if closed_at else None)
    changes.set(case, "auto_closed", bool(previous.get("auto_closed", False)))
    changes.note(case, "unmerged", detail={"from": into_id})
    record(session, into_id, "unmerged", changes.user_id, detail={"case_id": case.id})
    changes.publish()
    return case


# --- reactions to other domains ------------------------------------------------------------


def cases_follow_merge(session: Session, merged: CustomersMerged) -> None:
    """Reaction: a merged customer's cases belong to the survivor."""
    move_rows_on_merge(session, Case, merged)


def cases_follow_undo(session: Session, undone: CustomerMergeUndone) -> None:
    """Reaction: an undone customer merge gives the cases back."""
    move_rows_on_undo(session, Case, undone)


ERASED_TEXT = "[erased]"


def erase_case_text(session: Session, customer_ids: Sequence[int]) -> int:
    """Blank what cases of these customers quote or say about them (erasure); returns the cases touched.

    The case rows stay (they count in the loop KPIs) without the customer's words: the
    verbatim, the title, notes and contact logs are replaced; the customer reference is
    cleared by the privacy domain.
    """
    touched = 0
    for chunk in in_chunks(list(customer_ids)):
        case_ids = list(session.scalars(select(Case.id).where(Case.customer_id.in_(chunk))))
        for ids in in_chunks(case_ids):
            session.execute(update(Case).where(Case.id.in_(ids)).values(title=ERASED_TEXT, verbatim=""))
            session.execute(update(CaseActivity).where(CaseActivity.case_id.in_(ids), CaseActivity.body != "")
                            .values(body=ERASED_TEXT))
        touched += len(case_ids)
    return touched
