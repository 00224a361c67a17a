"""JSON routes of the closed loop: follow-up of a case, loop KPIs and root causes by revenue at risk."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query

from centric.loop import cases, followup, kpis, outer
from centric.loop.kpi_schemas import CaseEmailIn, CaseEmailOut, FollowupOut, LoopKpis, RootCauseImpact
from centric.web.deps import CanReadCases, CanReadMetrics, CanWorkCases, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["closed loop"])


@router.post("/cases/{case_id}/emails", response_model=CaseEmailOut, status_code=202)
def email_customer(case_id: ObjectId, data: CaseEmailIn, session: DbSession, caller: CanWorkCases) -> CaseEmailOut:
    case = cases.get_case(session, case_id)
    followup.check_may_work(caller.user, case)
    activity = followup.send_case_email(session, case, caller.user.id, data.subject, data.body)
    return CaseEmailOut(id=activity.id, case_id=case.id, status="queued", at=activity.at)


@router.get("/cases/{case_id}/followup", response_model=FollowupOut)
def case_followup(case_id: ObjectId, session: DbSession, caller: CanReadCases) -> FollowupOut:
    """The case's e-mails and surveys; agents see only cases they may see (others: 404)."""
    return followup.followup_of(session, cases.get_case(session, case_id, caller.user))


@router.get("/loop/kpis", response_model=LoopKpis)
def loop_kpis(session: DbSession, _: CanReadMetrics, since: datetime | None = Query(None),
              until: datetime | None = Query(None), team_id: int | None = Query(None, ge=1)) -> LoopKpis:
    return kpis.loop_kpis(session, since=since, until=until, team_id=team_id)


@router.get("/loop/root-causes/impact", response_model=Page[RootCauseImpact])
def root_cause_impact(session: DbSession, _: CanReadMetrics, paging: Paging, since: datetime | None = Query(None),
                      until: datetime | None = Query(None)) -> Page[RootCauseImpact]:
    return paging.cut(outer.root_cause_impact(session, since=since, until=until))
