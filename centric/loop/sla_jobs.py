"""SLA timers: a job per case, target, stage and due time fires the policy's escalation steps once.

A timer re-reads the case when it runs: a case no longer open, paused, whose target was
met or whose due time moved (a pause, a policy change) makes it a no-op. Each step it
fires inserts an :class:`SlaEscalation` row, unique per case/target/stage/step/due time:
a second run of the same timer (re-delivery, two workers) skips the steps already stored,
and a concurrent duplicate fails on the unique constraint, rolls back, and is retried by
the job layer, which then finds the row. Notifications are queued in the same transaction
with a key per step, so they too go out once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.models import Team, User
from centric.db import utcnow
from centric.events import CaseChange, CasesUpdated, publish
from centric.jobs import JobContext, task
from centric.loop import sla
from centric.loop.cases import record
from centric.loop.models import OPEN_STATUSES, Case, SlaEscalation, SlaPolicy
from centric.loop.notify import notify


@task(sla.TIMER_TASK)
def run_timer(context: JobContext, payload: dict[str, Any]) -> None:
    with context.db.transaction() as session:
        fire(session, payload)


@task(sla.REAPPLY_TASK)
def run_reapply(context: JobContext, payload: dict[str, Any]) -> None:
    with context.db.transaction() as session:
        sla.reapply(session)


def fire(session: Session, payload: dict[str, Any], now: datetime | None = None) -> list[SlaEscalation]:
    """Fire the escalation steps of one timer that are not stored yet; returns those fired now."""
    now = now or utcnow()
    case = session.get(Case, int(payload["case_id"]))
    target, stage = str(payload["target"]), str(payload["stage"])
    if case is None or case.status not in OPEN_STATUSES or case.paused_since is not None:
        return []
    policy = session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    clock = next((c for c in sla.case_clocks(session, case) if c.target == target), None)
    due_at = datetime.fromisoformat(str(payload["due_at"]))
    if policy is None or clock is None or clock.met_at is not None or clock.due_at != due_at:
        return []
    state = clock.state(now)
    if sla.STATE_RANK[state] > sla.STATE_RANK.get(case.sla_state, 0):
        case.sla_state = state
    steps = [(index, step) for index, step in enumerate(policy.escalation or [])
             if step.get("when") == stage and step.get("target") == target]
    done = set(session.scalars(select(SlaEscalation.step).where(
        SlaEscalation.case_id == case.id, SlaEscalation.target == target, SlaEscalation.stage == stage,
        SlaEscalation.due_at == due_at)))
    fired = []
    for index, step in steps:
        if index in done:
            continue
        row = SlaEscalation(case_id=case.id, target=target, stage=stage, step=index, due_at=due_at,
                            action=step["action"], fired_at=now, detail={})
        session.add(row)
        session.flush()  # the unique constraint stops a concurrent second firing here
        row.detail = _act(session, case, step, f"{case.id}:{target}:{stage}:{index}:{due_at.isoformat()}")
        record(session, case.id, "escalated", body=f"{target.replace('_', ' ')} {stage.replace('_', ' ')}",
               detail={"target": target, "stage": stage, "step": index, "action": step["action"],
                       "due_at": due_at.isoformat(), **row.detail}, at=now)
        fired.append(row)
    session.flush()
    return fired


def _act(session: Session, case: Case, step: dict[str, Any], key: str) -> dict[str, Any]:
    """Carry out one step; returns what it did (for the trail)."""
    action = step["action"]
    team = session.get(Team, step.get("to_team_id") or case.team_id) if (step.get("to_team_id") or case.team_id) \
        else None
    if action == "reassign":
        new_owner = step.get("to_user_id") or (team.lead_id if team else None)
        if new_owner is None or new_owner == case.owner_id:
            return {"skipped": "no one to reassign to"}
        before = case.owner_id
        case.owner_id = new_owner
        session.flush()
        publish(session, CasesUpdated((CaseChange(case.id, {"owner_id": (before, new_owner)}),)))
        return {"owner_id": new_owner, "previous_owner_id": before}
    if action == "notify_owner":
        recipients = [case.owner_id] if case.owner_id else []
    elif action == "notify_lead":
        recipients = [team.lead_id] if team and team.lead_id else []
    else:  # notify_manager
        recipients = [step["to_user_id"]] if step.get("to_user_id") else list(session.scalars(
            select(User.id).where(User.role == "manager", User.is_active.is_(True))))
    case_id, title, priority, when, target = case.id, case.title, case.priority, step["when"], step["target"]

    def compose() -> tuple[str, str]:  # in each recipient's language
        words = {"case": case_id, "title": title, "target": i18n._(target.replace("_", " ")),
                 "priority": i18n._(priority)}
        if when == "breached":
            return (i18n._("SLA breached: case #%(case)s (%(target)s)") % words,
                    i18n._("Case #%(case)s \u201c%(title)s\u201d: the %(target)s target is breached. "
                           "Priority %(priority)s.") % words)
        return (i18n._("SLA at risk: case #%(case)s (%(target)s)") % words,
                i18n._("Case #%(case)s \u201c%(title)s\u201d: the %(target)s target is at risk. "
                       "Priority %(priority)s.") % words)

    job = notify(session, user_ids=recipients, key=f"sla:{key}", compose=compose)
    return {"notified": recipients, "job_id": job.id if job else None}
