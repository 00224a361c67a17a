"""JSON routes of the closed loop: SLA policies, business calendars, and a case's SLA clocks."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from centric.db import utcnow
from centric.errors import NotFound
from centric.loop import sla
from centric.loop.calendar import business_minutes_between
from centric.loop.models import Case, SlaEscalation
from centric.loop.sla_schemas import (
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    CaseSlaOut,
    EscalationOut,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
    TargetClock,
)
from centric.web.deps import CanConfigure, CanReadCases, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["closed loop"])


@router.get("/sla/calendars", response_model=Page[CalendarOut])
def list_calendars(session: DbSession, _: CanReadCases, paging: Paging) -> Page[CalendarOut]:
    rows, total = sla.list_calendars(session, limit=paging.limit, offset=paging.offset)
    return paging.of([CalendarOut.model_validate(row) for row in rows], total)


@router.post("/sla/calendars", response_model=CalendarOut, status_code=201)
def create_calendar(data: CalendarIn, session: DbSession, _: CanConfigure) -> CalendarOut:
    return CalendarOut.model_validate(sla.create_calendar(session, data))


@router.get("/sla/calendars/{calendar_id}", response_model=CalendarOut)
def get_calendar(calendar_id: ObjectId, session: DbSession, _: CanReadCases) -> CalendarOut:
    return CalendarOut.model_validate(sla.get_calendar(session, calendar_id))


@router.patch("/sla/calendars/{calendar_id}", response_model=CalendarOut)
def update_calendar(calendar_id: ObjectId, data: CalendarPatch, session: DbSession, _: CanConfigure) -> CalendarOut:
    return CalendarOut.model_validate(sla.update_calendar(session, calendar_id, data))


@router.delete("/sla/calendars/{calendar_id}", status_code=204)
def delete_calendar(calendar_id: ObjectId, session: DbSession, _: CanConfigure) -> None:
    sla.delete_calendar(session, calendar_id)


@router.get("/sla/policies", response_model=Page[PolicyOut])
def list_policies(session: DbSession, _: CanReadCases, paging: Paging,
                  include_inactive: bool = True) -> Page[PolicyOut]:
    rows, total = sla.list_policies(session, include_inactive=include_inactive, limit=paging.limit,
                                    offset=paging.offset)
    return paging.of([PolicyOut.model_validate(row) for row in rows], total)


@router.post("/sla/policies", response_model=PolicyOut, status_code=201)
def create_policy(data: PolicyIn, session: DbSession, _: CanConfigure) -> PolicyOut:
    """Add a policy; open cases are re-evaluated against all policies by a background job."""
    return PolicyOut.model_validate(sla.create_policy(session, data))


@router.get("/sla/policies/{policy_id}", response_model=PolicyOut)
def get_policy(policy_id: ObjectId, session: DbSession, _: CanReadCases) -> PolicyOut:
    return PolicyOut.model_validate(sla.get_policy(session, policy_id))


@router.patch("/sla/policies/{policy_id}", response_model=PolicyOut)
def update_policy(policy_id: ObjectId, data: PolicyPatch, session: DbSession, _: CanConfigure) -> PolicyOut:
    return PolicyOut.model_validate(sla.update_policy(session, policy_id, data))


@router.delete("/sla/policies/{policy_id}", status_code=204)
def deactivate_policy(policy_id: ObjectId, session: DbSession, _: CanConfigure) -> None:
    """Deactivate the policy (kept for the history of the cases it governed)."""
    sla.deactivate_policy(session, policy_id)


@router.get("/cases/{case_id}/sla", response_model=CaseSlaOut)
def case_sla(case_id: ObjectId, session: DbSession, _: CanReadCases) -> CaseSlaOut:
    """A case's SLA: each target's due time and business minutes left, the pause, the escalations fired."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    now = utcnow()
    policy = sla.get_policy(session, case.sla_policy_id) if case.sla_policy_id else None
    calendar = sla.calendar_of(sla.get_calendar(session, policy.calendar_id)) if policy and policy.calendar_id \
        else None
    clocks = [TargetClock.model_validate({
        "target": c.target, "started_at": c.started_at, "due_at": c.due_at, "at_risk_at": c.at_risk_at,
        "met_at": c.met_at, "state": c.state(now),
        "minutes_left": business_minutes_between(c.met_at or case.paused_since or now, c.due_at, calendar)})
        for c in sla.case_clocks(session, case)]
    escalations = session.scalars(select(SlaEscalation).where(SlaEscalation.case_id == case.id)
                                  .order_by(SlaEscalation.id))
    return CaseSlaOut(case_id=case.id, status=case.status, policy_id=policy.id if policy else None,
                      policy_name=policy.name if policy else None, sla_state=case.sla_state,
                      paused_since=case.paused_since, paused_minutes=case.paused_minutes, clocks=clocks,
                      escalations=[EscalationOut.model_validate(e) for e in escalations])
