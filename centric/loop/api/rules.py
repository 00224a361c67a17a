"""JSON routes of the closed loop: alert rules, their matches, and retroactive runs."""

from __future__ import annotations

from fastapi import APIRouter

from centric.loop import alert_jobs, alerts
from centric.loop.rule_schemas import ApplyOut, MatchOut, PreviewOut, RangeIn, RuleIn, RuleOut, RulePatch
from centric.web.deps import CanConfigure, CanReadCases, DbSession, ObjectId, Page, Paging

router = APIRouter(prefix="/alert-rules", tags=["closed loop"])


@router.get("", response_model=Page[RuleOut])
def list_alert_rules(session: DbSession, _: CanReadCases, paging: Paging,
                     include_inactive: bool = True) -> Page[RuleOut]:
    rules, total = alerts.list_rules(session, include_inactive=include_inactive, limit=paging.limit,
                                     offset=paging.offset)
    return paging.of(alerts.rule_outs(session, rules), total)


@router.post("", response_model=RuleOut, status_code=201)
def create_alert_rule(data: RuleIn, session: DbSession, caller: CanConfigure) -> RuleOut:
    return alerts.rule_outs(session, [alerts.create_rule(session, data, caller.user.id)])[0]


@router.get("/{rule_id}", response_model=RuleOut)
def get_alert_rule(rule_id: ObjectId, session: DbSession, _: CanReadCases) -> RuleOut:
    return alerts.rule_outs(session, [alerts.get_rule(session, rule_id)])[0]


@router.patch("/{rule_id}", response_model=RuleOut)
def update_alert_rule(rule_id: ObjectId, data: RulePatch, session: DbSession, caller: CanConfigure) -> RuleOut:
    return alerts.rule_outs(session, [alerts.update_rule(session, rule_id, data, caller.user.id)])[0]


@router.delete("/{rule_id}", response_model=RuleOut)
def deactivate_alert_rule(rule_id: ObjectId, session: DbSession, caller: CanConfigure) -> RuleOut:
    """Deactivate (rules are never deleted: their matches and cases point at them)."""
    return alerts.rule_outs(session, [alerts.deactivate_rule(session, rule_id, caller.user.id)])[0]


@router.get("/{rule_id}/matches", response_model=Page[MatchOut])
def list_rule_matches(rule_id: ObjectId, session: DbSession, _: CanReadCases, paging: Paging) -> Page[MatchOut]:
    rows, total = alerts.list_matches(session, rule_id, paging.limit, paging.offset)
    return paging.of([MatchOut.model_validate(m) for m in rows], total)


@router.post("/{rule_id}/preview", response_model=PreviewOut)
def preview_alert_rule(rule_id: ObjectId, data: RangeIn, session: DbSession, _: CanConfigure) -> PreviewOut:
    """How many sources of the period the rule matches, and how many cases applying it would open."""
    return alert_jobs.preview(session, rule_id, data.since, data.until)


@router.post("/{rule_id}/apply", response_model=ApplyOut, status_code=202)
def apply_alert_rule(rule_id: ObjectId, data: RangeIn, session: DbSession, _: CanConfigure) -> ApplyOut:
    """Queue the retroactive run; follow it at ``GET /api/v1/jobs/{job_id}``."""
    job = alert_jobs.enqueue_apply(session, rule_id, data.since, data.until)
    return ApplyOut(rule_id=rule_id, job_id=job.id, since=job.payload["since"], until=job.payload["until"])
