"""SLA policies and business calendars, and the clocks they put on cases.

A case gets the first active policy (lowest ``position``) whose conditions match it.
Each target (first contact, next response, resolution) runs in business minutes on the
policy's calendar from its clock's start (the case's opening; for next response the end
of the last wait on the customer; for resolution after a reopen, the reopening), pushed
out by the minutes the clock stood still while waiting on the customer. Clock starts other
than the opening are kept in the case's trail (``kind="sla"``, ``{"clock", "from"}``).
Timers are jobs (:mod:`centric.loop.sla_jobs`) that fire the policy's escalation steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.db import in_chunks, page_of, utcnow
from centric.errors import Conflict, Invalid, NotFound
from centric.events import CaseChange, CaseContacted, CasesOpened, CasesUpdated
from centric.jobs.service import enqueue
from centric.loop.calendar import Calendar, add_business_minutes, business_minutes_between, calendar_from
from centric.loop.cases import record
from centric.loop.models import OPEN_STATUSES, SLA_TARGETS, BusinessCalendar, Case, CaseActivity, SlaPolicy
from centric.loop.sla_schemas import CalendarIn, CalendarPatch, PolicyIn, PolicyPatch

TIMER_TASK = "loop.sla.timer"
REAPPLY_TASK = "loop.sla.reapply"
REAPPLY_CHUNK = 1000
CONDITION_FIELDS = ("priority", "severity", "source", "team_id", "touchpoint_id", "metric", "rule_id")
CONDITION_OPS = ("eq", "ne", "in", "gte", "lte")
_MINUTES = {"first_contact": "first_contact_minutes", "next_response": "next_response_minutes",
            "resolution": "resolution_minutes"}
_DUE = {"first_contact": "first_contact_due_at", "next_response": "next_response_due_at",
        "resolution": "resolution_due_at"}
STATE_RANK = {"ok": 0, "met": 0, "at_risk": 1, "breached": 2}


# --- calendars ---------------------------------------------------------------------------------


def list_calendars(session: Session, *, limit: int | None = None,
                   offset: int = 0) -> tuple[list[BusinessCalendar], int]:
    return page_of(session, select(BusinessCalendar).order_by(BusinessCalendar.name), limit, offset)


def get_calendar(session: Session, calendar_id: int) -> BusinessCalendar:
    found = session.get(BusinessCalendar, calendar_id)
    if found is None:
        raise NotFound(f"business calendar {calendar_id} not found")
    return found


def create_calendar(session: Session, data: CalendarIn) -> BusinessCalendar:
    _unique_name(session, BusinessCalendar, data.name)
    row = BusinessCalendar(name=data.name, timezone=data.timezone, periods=_periods_json(data.periods),
                           holiday_country=data.holiday_country, holiday_subdivision=data.holiday_subdivision,
                           extra_holidays=list(data.extra_holidays))
    calendar_of(row)  # validates the time zone, periods, holiday codes and dates
    session.add(row)
    session.flush()
    return row


def update_calendar(session: Session, calendar_id: int, data: CalendarPatch) -> BusinessCalendar:
    row = get_calendar(session, calendar_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name") not in (None, row.name):
        _unique_name(session, BusinessCalendar, changes["name"])
    if "periods" in changes and changes["periods"] is not None:
        changes["periods"] = _periods_json(data.periods or {})
    for name, value in changes.items():
        if value is not None or name in ("holiday_country", "holiday_subdivision"):
            setattr(row, name, value)
    calendar_of(row)
    session.flush()
    reapply_later(session)
    return row


def delete_calendar(session: Session, calendar_id: int) -> None:
    row = get_calendar(session, calendar_id)
    used = session.scalar(select(SlaPolicy.name).where(SlaPolicy.calendar_id == calendar_id).limit(1))
    if used is not None:
        raise Conflict(f"calendar {row.name!r} is used by the SLA policy {used!r}; change that policy first")
    session.delete(row)
    session.flush()


def calendar_of(row: BusinessCalendar | None) -> Calendar | None:
    """The arithmetic calendar of a stored one (None: 24×7)."""
    if row is None:
        return None
    return calendar_from(row.timezone, row.periods or {}, holiday_country=row.holiday_country,
                         holiday_subdivision=row.holiday_subdivision, extra_holidays=row.extra_holidays or [])


# --- policies ----------------------------------------------------------------------------------


def list_policies(session: Session, *, include_inactive: bool = True, limit: int | None = None,
                  offset: int = 0) -> tuple[list[SlaPolicy], int]:
    query = select(SlaPolicy).order_by(SlaPolicy.position, SlaPolicy.id)
    if not include_inactive:
        query = query.where(SlaPolicy.active.is_(True))
    return page_of(session, query, limit, offset)


def get_policy(session: Session, policy_id: int) -> SlaPolicy:
    found = session.get(SlaPolicy, policy_id)
    if found is None:
        raise NotFound(f"SLA policy {policy_id} not found")
    return found


def create_policy(session: Session, data: PolicyIn) -> SlaPolicy:
    _unique_name(session, SlaPolicy, data.name)
    _check_policy(session, data.conditions, data.calendar_id)
    row = SlaPolicy(**data.model_dump(exclude={"escalation"}),
                    escalation=[step.model_dump(exclude_none=True) for step in data.escalation])
    session.add(row)
    session.flush()
    reapply_later(session)
    return row


def update_policy(session: Session, policy_id: int, data: PolicyPatch) -> SlaPolicy:
    row = get_policy(session, policy_id)
    changes = data.model_dump(exclude_unset=True, exclude={"escalation"})
    if changes.get("name") not in (None, row.name):
        _unique_name(session, SlaPolicy, changes["name"])
    _check_policy(session, changes.get("conditions") or {}, changes.get("calendar_id"))
    for name, value in changes.items():
        if value is not None or name in ("calendar_id", *_MINUTES.values()):
            setattr(row, name, value)
    if data.escalation is not None:
        row.escalation = [step.model_dump(exclude_none=True) for step in data.escalation]
    row.version += 1
    session.flush()
    reapply_later(session)
    return row


def deactivate_policy(session: Session, policy_id: int) -> SlaPolicy:
    """Stop choosing the policy; open cases that had it get the next matching one."""
    row = get_policy(session, policy_id)
    row.active = False
    row.version += 1
    session.flush()
    reapply_later(session)
    return row


def matches(conditions: dict[str, Any], case: Case) -> bool:
    """Whether a case satisfies a condition tree (``{}`` matches every case)."""
    if not conditions:
        return True
    if "all" in conditions:
        return all(matches(node, case) for node in conditions["all"])
    if "any" in conditions:
        return any(matches(node, case) for node in conditions["any"])
    actual, op, expected = getattr(case, conditions["field"]), conditions["op"], conditions.get("value")
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "in":
        return actual in (expected or [])
    if actual is None or expected is None:
        return False
    try:
        return bool(actual >= expected) if op == "gte" else bool(actual <= expected)
    except TypeError:
        return False


def choose_policy(policies: Sequence[SlaPolicy], case: Case) -> SlaPolicy | None:
    """The first active policy, in order of position, whose conditions the case meets."""
    ordered = sorted((p for p in policies if p.active), key=lambda p: (p.position, p.id))
    return next((p for p in ordered if matches(p.conditions or {}, case)), None)


# --- clocks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """One running or finished SLA target of a case."""

    target: str
    started_at: datetime
    due_at: datetime
    at_risk_at: datetime
    met_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.met_at is not None:
            return "breached" if self.met_at > self.due_at else "met"
        if now >= self.due_at:
            return "breached"
        return "at_risk" if now >= self.at_risk_at else "ok"


@dataclass
class Setup:
    """What the clocks of a batch of cases need, loaded once: policies, calendars, clock starts."""

    policies: list[SlaPolicy]
    calendars: dict[int, Calendar | None]
    starts: dict[tuple[int, str], datetime]

    @classmethod
    def load(cls, session: Session, case_ids: Iterable[int]) -> Setup:
        policies = list(session.scalars(select(SlaPolicy).where(SlaPolicy.active.is_(True))))
        rows = session.scalars(select(BusinessCalendar).where(
            BusinessCalendar.id.in_({p.calendar_id for p in policies if p.calendar_id is not None})))
        calendars = {row.id: calendar_of(row) for row in rows}
        return cls(policies, calendars, clock_starts(session, list(case_ids)))


def clock_starts(session: Session, case_ids: Sequence[int]) -> dict[tuple[int, str], datetime]:
    """The latest restart of each case's clocks (next response after a wait, resolution after a reopen)."""
    starts: dict[tuple[int, str], datetime] = {}
    for chunk in in_chunks(case_ids):
        rows = session.execute(select(CaseActivity.case_id, CaseActivity.detail).where(
            CaseActivity.case_id.in_(chunk), CaseActivity.kind == "sla").order_by(CaseActivity.id))
        for case_id, detail in rows:
            if detail.get("clock") in SLA_TARGETS and detail.get("from"):
                starts[(case_id, detail["clock"])] = datetime.fromisoformat(detail["from"]).replace(tzinfo=None)
    return starts


def clocks(case: Case, policy: SlaPolicy | None, calendar: Calendar | None,
           starts: dict[tuple[int, str], datetime]) -> list[Clock]:
    """The case's clocks under ``policy``: each target with a budget and a start."""
    if policy is None:
        return []
    out = []
    for target in SLA_TARGETS:
        budget = getattr(policy, _MINUTES[target])
        started = starts.get((case.id, target), case.created_at if target != "next_response" else None)
        if not budget or started is None:
            continue
        paused = case.paused_minutes if target != "next_response" else 0
        due = _naive(add_business_minutes(started, budget + paused, calendar))
        at_risk = _naive(add_business_minutes(started, math.ceil(budget * policy.at_risk_ratio) + paused, calendar))
        out.append(Clock(target, started, due, at_risk, _met_at(case, target, started)))
    return out


def apply(session: Session, cases: Sequence[Case], setup: Setup, now: datetime | None = None, *,
          rechoose: bool = True) -> None:
    """(Re)choose each case's policy, set its due times and state, and schedule its timers."""
    now = now or utcnow()
    by_id = {p.id: p for p in setup.policies}
    for case in cases:
        policy = choose_policy(setup.policies, case) if rechoose else by_id.get(case.sla_policy_id or 0)
        case.sla_policy_id = policy.id if policy else None
        calendar = setup.calendars.get(policy.calendar_id) if policy and policy.calendar_id else None
        found = {clock.target: clock for clock in clocks(case, policy, calendar, setup.starts)}
        for target, column in _DUE.items():
            setattr(case, column, found[target].due_at if target in found else None)
        case.sla_state = _worst(clock.state(now) for clock in found.values())
        if case.status in OPEN_STATUSES and case.paused_since is None:
            _schedule(session, case, found.values(), now)
    session.flush()


def _schedule(session: Session, case: Case, running: Iterable[Clock], now: datetime) -> None:
    for clock in running:
        if clock.met_at is not None:
            continue
        for stage, moment in (("at_risk", clock.at_risk_at), ("breached", clock.due_at)):
            due_iso = clock.due_at.isoformat()
            enqueue(session, TIMER_TASK, {"case_id": case.id, "target": clock.target, "stage": stage,
                                          "due_at": due_iso},
                    delay_s=max(0.0, (moment - now).total_seconds()),
                    idempotency_key=f"sla:{case.id}:{clock.target}:{stage}:{due_iso}")


def case_clocks(session: Session, case: Case) -> list[Clock]:
    """The clocks of one case as they stand (for the API)."""
    policy = session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    calendar = calendar_of(session.get(BusinessCalendar, policy.calendar_id)) if policy and policy.calendar_id \
        else None
    return clocks(case, policy, calendar, clock_starts(session, [case.id]))


# --- reactions to case events --------------------------------------------------------------------


def on_cases_opened(session: Session, event: CasesOpened) -> None:
    """Reaction: start the clocks of new cases."""
    cases = _cases(session, event.ids)
    apply(session, cases, Setup.load(session, event.ids))


def on_cases_updated(session: Session, event: CasesUpdated) -> None:
    """Reaction: the clocks follow the cases' changes (see :func:`follow_changes`)."""
    follow_changes(session, event.changes)


def follow_changes(session: Session, changes: Sequence[CaseChange], now: datetime | None = None) -> None:
    """Pause on waiting, resume (pushing due times out) after it, restart on reopen, re-choose on re-triage."""
    now = now or utcnow()
    relevant = {c.case_id: c.fields for c in changes
                if {"status", "priority", "team_id", "severity", "touchpoint_id"} & set(c.fields)}
    if not relevant:
        return
    cases = _cases(session, list(relevant))
    setup = Setup.load(session, relevant)
    calendars = setup.calendars
    for case in cases:
        fields = relevant[case.id]
        if "status" in fields:
            before, after = fields["status"]
            calendar = None
            if case.sla_policy_id is not None:
                policy = next((p for p in setup.policies if p.id == case.sla_policy_id), None)
                calendar = calendars.get(policy.calendar_id) if policy and policy.calendar_id else None
            if after == "waiting" and case.paused_since is None:
                case.paused_since = now
            elif before == "waiting" and case.paused_since is not None:
                case.paused_minutes += max(0, business_minutes_between(case.paused_since, now, calendar))
                case.paused_since = None
                _restart(session, case, "next_response", now, setup)
            if after == "reopened":
                case.paused_minutes, case.paused_since = 0, None
                _restart(session, case, "resolution", now, setup)
    apply(session, cases, setup, now)


def on_case_contacted(session: Session, event: CaseContacted) -> None:
    """Reaction: a contact meets the first-contact (and next-response) target; the state follows."""
    case = session.get(Case, event.case_id)
    if case is not None:
        apply(session, [case], Setup.load(session, [case.id]), rechoose=False)


def reapply_later(session: Session) -> None:
    """Enqueue a re-application of the policies to every open case (idempotent: a repeat changes nothing)."""
    enqueue(session, REAPPLY_TASK, {})


def reapply(session: Session, now: datetime | None = None, chunk: int = REAPPLY_CHUNK) -> int:
    """Re-choose the policy and recompute due times of every open case, ``chunk`` cases at a time."""
    ids = list(session.scalars(select(Case.id).where(Case.status.in_(OPEN_STATUSES), Case.merged_into_id.is_(None))
                               .order_by(Case.id)))
    for part in in_chunks(ids, chunk):
        apply(session, _cases(session, part), Setup.load(session, part), now)
    return len(ids)


# --- helpers -----------------------------------------------------------------------------------


def _restart(session: Session, case: Case, target: str, now: datetime, setup: Setup) -> None:
    record(session, case.id, "sla", detail={"clock": target, "from": now.isoformat()}, at=now)
    setup.starts[(case.id, target)] = now


def _met_at(case: Case, target: str, started: datetime) -> datetime | None:
    if target == "first_contact":
        return case.first_contact_at
    if target == "next_response":
        return case.last_contact_at if case.last_contact_at and case.last_contact_at >= started else None
    if case.status in OPEN_STATUSES:
        return None
    return case.resolved_at or case.closed_at or case.updated_at


def _worst(states: Iterable[str]) -> str:
    worst = max(states, key=STATE_RANK.__getitem__, default="ok")
    return "ok" if worst == "met" else worst


def _cases(session: Session, ids: Iterable[int]) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.id.in_(list(ids))).order_by(Case.id)))


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _periods_json(periods: dict[str, list[tuple[str, str]]]) -> dict[str, list[list[str]]]:
    return {day: [list(pair) for pair in pairs] for day, pairs in periods.items()}


def _unique_name(session: Session, model: type[BusinessCalendar] | type[SlaPolicy], name: str) -> None:
    if session.scalar(select(model.id).where(model.name == name)) is not None:
        raise Conflict(f"the name {name!r} is taken", field="name")


def _check_policy(session: Session, conditions: dict[str, Any], calendar_id: int | None) -> None:
    _check_conditions(conditions)
    if calendar_id is not None and session.get(BusinessCalendar, calendar_id) is None:
        raise Invalid(f"business calendar {calendar_id} not found", field="calendar_id")


def _check_conditions(node: Any, depth: int = 0) -> None:
    if not isinstance(node, dict) or depth > 10:
        raise Invalid("a condition is an object (nested at most 10 deep)", field="conditions")
    if not node:
        return
    for group in ("all", "any"):
        if group in node:
            if not isinstance(node[group], list) or len(node) != 1:
                raise Invalid(f"{group!r} takes a list of conditions", field="conditions")
            for child in node[group]:
                _check_conditions(child, depth + 1)
            return
    if node.get("field") not in CONDITION_FIELDS:
        raise Invalid(f"a condition's field must be one of {', '.join(CONDITION_FIELDS)}", field="conditions")
    if node.get("op") not in CONDITION_OPS:
        raise Invalid(f"a condition's op must be one of {', '.join(CONDITION_OPS)}", field="conditions")
    if node["op"] == "in" and not isinstance(node.get("value"), list):
        raise Invalid("the value of an 'in' condition is a list", field="conditions")
