"""The demo company's closed loop: staff, root causes, SLAs, alert rules and cases in every state.

The configuration goes through plain rows like an administrator's forms would create
them; the cases are history, simulated from the demo's own detractors (and low CSAT, high
effort answers) with their lifecycle — contacts, escalations, root causes, recoveries —
and written in bulk, like the rest of the demo.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.accounts.service import hash_password
from centric.feedback.models import Feedback, Theme
from centric.loop.calendar import Calendar, add_business_minutes
from centric.loop.models import (
    AlertRule,
    BusinessCalendar,
    Case,
    CaseActivity,
    RootCause,
    RuleMatch,
    SlaPolicy,
)
from centric.loop.sla import calendar_of
from centric.surveys.models import Answer, Invitation, Response, Survey

STAFF: dict[str, tuple[str, ...]] = {
    "Front Office": ("Maria Lopez", "Tom Becker", "Aiko Tanaka"),
    "Housekeeping": ("Grace Okafor", "Liam Walsh"),
    "Engineering": ("Sven Olsen", "Priya Nair"),
    "Food & Beverage": ("Luca Romano", "Chloe Martin"),
    "Reservations": ("Nina Petrova", "Omar Haddad"),
    "Digital": ("Wei Zhang", "Hannah Schmidt"),
    "Billing": ("Carlos Mendes", "Fatima Rahman"),
    "Guest Support": ("Jonas Berg", "Sara Ali", "Ken Ito", "Emma Clarke"),
    "Loyalty": ("Julia Novak",),
    "Marketing": ("Ben Carter",),
}

# (code, name, theme path or None, children: (code, name))
ROOT_CAUSES: tuple[tuple[str, str, str | None, tuple[tuple[str, str], ...]], ...] = (
    ("room", "Room condition", "stay/room", (("cleanliness", "Room not clean"), ("maintenance", "Broken fixture"),
                                             ("noise", "Noise"))),
    ("front-desk", "Front desk", "stay/front_desk", (("wait", "Long wait at check-in"),
                                                      ("staff-attitude", "Unfriendly staff"),
                                                      ("room-not-ready", "Room not ready"))),
    ("billing", "Billing", None, (("overcharge", "Charged twice or too much"), ("refund-delay", "Refund delay"))),
    ("booking", "Booking", "booking", (("website-error", "Website or app error"),
                                       ("rate-mismatch", "Rate different from booking"))),
    ("service", "Service recovery", None, (("slow-response", "Slow reply from support"),
                                           ("no-follow-up", "Promised call-back missed"))),
    ("food", "Food & beverage", "stay/breakfast", (("quality", "Food quality"), ("choice", "Too little choice"))),
    ("wifi", "Wi-Fi", "stay/wifi", (("outage", "Wi-Fi outage"),)),
)

STATUSES_WEIGHTS = {"closed": 0.62, "resolved": 0.1, "waiting": 0.08, "open": 0.12, "new": 0.05, "reopened": 0.03}
ACTIONS = ("Apologised and refunded one night", "Offered a free upgrade on the next stay",
           "Called the guest and explained the fix", "Sent a voucher for breakfast",
           "Fixed the issue and confirmed with the guest", "Escalated to the property manager")
NOTES = ("Guest prefers a call in the evening.", "Checked the booking: the rate was right, the app showed it wrong.",
         "Housekeeping confirmed the room was missed.", "Waiting for the guest to send the receipt.",
         "Same guest complained last month about the Wi-Fi.")


@dataclass
class Staff:
    team_ids: dict[str, int]
    members: dict[int, list[int]]  # team id → user ids
    leads: dict[int, int]


@dataclass(frozen=True)
class Trigger:
    """A stored answer that an alert rule catches."""

    response_id: int
    customer_id: int | None
    touchpoint_id: int | None
    submitted_at: datetime
    metric: str
    score: float
    verbatim: str
    survey_id: int = 0
    version_id: int = 0


@dataclass
class LoopRows:
    cases: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)


def add_staff(session: Session) -> Staff:
    """Agents per team and a lead (a manager) for each; nobody can log in until an admin sets a password."""
    teams = {t.name: t for t in session.scalars(select(Team))}
    unusable = hash_password(secrets.token_urlsafe(24))
    members: dict[int, list[int]] = {}
    leads: dict[int, int] = {}
    for team_name, names in STAFF.items():
        team = teams.get(team_name)
        if team is None:
            continue
        users = []
        for position, name in enumerate(names):
            email = name.lower().replace(" ", ".") + "@harbourpine.example"
            user = User(email=email, name=name, password_hash=unusable, role="manager" if position == 0 else "agent",
                        team_id=team.id)
            session.add(user)
            users.append(user)
        session.flush()
        team.lead_id = users[0].id
        team.routing = "round_robin" if len(users) > 2 else "least_loaded"
        members[team.id] = [u.id for u in users]
        leads[team.id] = users[0].id
    return Staff({name: t.id for name, t in teams.items()}, members, leads)


def add_root_causes(session: Session) -> dict[str, int]:
    """The root-cause code list, linked to the demo's text themes where one fits; code → id."""
    themes = {name: theme_id for name, theme_id in session.execute(select(Theme.name, Theme.id))}
    ids: dict[str, int] = {}
    for position, (code, name, theme, children) in enumerate(ROOT_CAUSES):
        parent = RootCause(code=code, name=name, theme_id=themes.get(theme) if theme else None, position=position)
        session.add(parent)
        session.flush()
        ids[code] = parent.id
        for child_position, (child, child_name) in enumerate(children):
            row = RootCause(code=f"{code}/{child}", name=child_name, parent_id=parent.id,
                            theme_id=parent.theme_id, position=child_position)
            session.add(row)
            session.flush()
            ids[row.code] = row.id
    return ids


def add_sla(session: Session) -> list[SlaPolicy]:
    """A support-hours calendar (split shift, UK holidays) and two policies: urgent 24×7, standard."""
    weekday = [["08:00", "12:30"], ["13:30", "18:00"]]
    calendar = BusinessCalendar(
        name="Guest Support hours", timezone="Europe/London",
        periods={"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday,
                 "sat": [["09:00", "13:00"]], "sun": []},
        holiday_country="GB", holiday_subdivision="ENG", extra_holidays=[])
    session.add(calendar)
    session.flush()
    escalate = [
        {"when": "at_risk", "target": "first_contact", "action": "notify_owner"},
        {"when": "breached", "target": "first_contact", "action": "notify_lead"},
        {"when": "breached", "target": "resolution", "action": "reassign"},
    ]
    policies = [
        SlaPolicy(name="Urgent guests (24×7)", position=0,
                  conditions={"any": [{"field": "priority", "op": "in", "value": ["urgent", "high"]}]},
                  calendar_id=None, first_contact_minutes=4 * 60, next_response_minutes=8 * 60,
                  resolution_minutes=48 * 60, at_risk_ratio=0.8, escalation=escalate),
        SlaPolicy(name="Standard (support hours)", position=1, conditions={}, calendar_id=calendar.id,
                  first_contact_minutes=2 * 60 * 9, next_response_minutes=9 * 60, resolution_minutes=5 * 9 * 60,
                  at_risk_ratio=0.8, escalation=escalate),
    ]
    session.add_all(policies)
    session.flush()
    return policies


def add_rules(session: Session) -> dict[str, AlertRule]:
    """The alert rules a hotel CX team starts with; metric → rule."""
    recovery = session.scalar(select(Survey.key).where(Survey.kind == "csat").order_by(Survey.id))
    follow = {"recovery_survey": recovery, "resurvey_days": 30}
    notify_case = {"open_case": True, "notify": {"user_ids": [], "emails": [], "webhook": True}}
    rules = {
        "nps": AlertRule(name="Detractor (NPS 0–6)", applies_to="response", severity=3, dedupe_hours=72,
                         description="Every detractor gets a call back from the touchpoint's team.",
                         condition={"all": [{"field": "nps", "op": "lte", "value": 6}]},
                         actions=notify_case, followup=follow),
        "csat": AlertRule(name="Very dissatisfied (CSAT ≤ 2)", applies_to="response", severity=2, dedupe_hours=72,
                          condition={"all": [{"field": "csat", "op": "lte", "value": 2}]},
                          actions=notify_case, followup=follow),
        "ces": AlertRule(name="High effort (CES ≥ 5)", applies_to="response", severity=2, dedupe_hours=72,
                         condition={"all": [{"field": "ces", "op": "gte", "value": 5}]},
                         actions=notify_case, followup={"recovery_survey": None, "resurvey_days": 30}),
        "ticket": AlertRule(name="Angry ticket that needs a reply", applies_to="feedback", severity=3,
                            dedupe_hours=48,
                            condition={"all": [{"field": "sentiment_label", "op": "eq", "value": "negative"},
                                               {"field": "actionable", "op": "eq", "value": True},
                                               {"field": "channel", "op": "in", "value": ["ticket", "email"]}]},
                            actions=notify_case, followup={}),
    }
    session.add_all(rules.values())
    session.flush()
    return rules


def triggers(session: Session, since: datetime, until: datetime) -> list[Trigger]:
    """Answers in the window that the demo's response rules catch, with the comment given beside them."""
    low = ((Answer.metric == "nps") & (Answer.number <= 6)) | ((Answer.metric == "csat") & (Answer.number <= 2)) \
        | ((Answer.metric == "ces") & (Answer.number >= 5))
    rows = session.execute(
        select(Response.id, Response.customer_id, Response.touchpoint_id, Response.submitted_at, Answer.metric,
               Answer.number, Response.survey_id, Response.version_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.submitted_at >= since, Response.submitted_at < until, low)
        .order_by(Response.submitted_at, Response.id)).all()
    comments = {rid: text for rid, text in session.execute(
        select(Feedback.response_id, Feedback.text)
        .where(Feedback.response_id.in_(select(Response.id).where(Response.submitted_at >= since,
                                                                  Response.submitted_at < until))))}
    seen: set[int] = set()
    out = []
    for rid, customer, touchpoint, at, metric, number, survey, version in rows:
        if rid in seen:
            continue
        seen.add(rid)
        out.append(Trigger(rid, customer, touchpoint, at, metric, float(number or 0), comments.get(rid, ""), survey,
                           version))
    return out


def simulate_cases(rng: np.random.Generator, sources: Sequence[Trigger], n: int, end: datetime, staff: Staff,
                   rules: dict[str, int], root_causes: Sequence[int], policies: Sequence[SlaPolicy],
                   team_of: dict[int, int], first_id: int,
                   calendars: dict[int, Calendar | None] | None = None,
                   first_ids: dict[str, int] | None = None) -> LoopRows:
    """``n`` cases (cycling through ``sources``) with their lifecycle up to ``end``, as rows.

    Due times come from the SLA engine's business calendars (``calendars``: policy id →
    its working hours; 24×7 when absent).
    """
    calendars = calendars or {}
    ids = dict(first_ids or {"response": 0, "invitation": 0})
    out = LoopRows()
    statuses = list(STATUSES_WEIGHTS)
    weights = np.array(list(STATUSES_WEIGHTS.values()))
    for k in range(n):
        source = sources[k % len(sources)]
        case_id = first_id + k
        created = source.submitted_at + timedelta(minutes=float(rng.integers(1, 30)))
        if created >= end:
            created = end - timedelta(minutes=5)
        age_h = (end - created).total_seconds() / 3600
        if k >= n - len(statuses):  # the newest few show every state, however small the demo
            status = statuses[n - 1 - k]
        elif age_h > 14 * 24:  # old cases are mostly done; a few are stuck
            status = str(rng.choice(["closed", "resolved", "waiting", "open"], p=[0.88, 0.07, 0.02, 0.03]))
        elif age_h > 72:
            status = str(rng.choice(statuses, p=weights / weights.sum()))
        else:
            status = str(rng.choice(["new", "open", "waiting", "resolved"], p=[0.35, 0.4, 0.15, 0.1]))
        severity = 3 if source.metric == "nps" and source.score <= 3 else 2
        priority = {2: "normal", 3: "high"}[severity] if rng.random() > 0.08 else "urgent"
        policy = policies[0] if priority in ("urgent", "high") else policies[1]
        team_id = team_of.get(source.touchpoint_id or 0)
        members = staff.members.get(team_id or 0, [])
        owner = int(rng.choice(members)) if members and (status != "new" or rng.random() < 0.5) else None
        hours = calendars.get(policy.id)
        first_due = add_business_minutes(created, policy.first_contact_minutes or 0, hours).replace(tzinfo=None)
        resolution_due = add_business_minutes(created, policy.resolution_minutes or 0, hours).replace(tzinfo=None)
        contact_h = float(rng.lognormal(np.log(6), 1.0))
        contacted = status not in ("new",) and rng.random() < 0.8
        first_contact = created + timedelta(hours=contact_h) if contacted else None
        if first_contact is not None and first_contact >= end:
            first_contact, contacted = None, False
        closed_status = status in ("resolved", "closed")
        close_h = contact_h + float(rng.lognormal(np.log(30), 0.9))
        resolved_at = created + timedelta(hours=min(close_h, age_h * 0.95)) if closed_status else None
        closed_at = resolved_at + timedelta(hours=float(rng.uniform(1, 48))) if status == "closed" and resolved_at \
            else None
        if closed_at is not None and closed_at >= end:
            closed_at = end - timedelta(minutes=10)
        root = int(rng.choice(root_causes)) if status == "closed" or (status == "resolved" and rng.random() < 0.6) \
            else None
        recovered = str(rng.choice(["yes", "no", "unknown"], p=[0.58, 0.22, 0.2])) if status == "closed" else "unknown"
        met = resolved_at if resolved_at is not None else end
        breached = met > resolution_due or (first_contact or end) > first_due
        at_risk = not breached and status not in ("resolved", "closed") and \
            (end - created) > (resolution_due - created) * policy.at_risk_ratio
        rule_key = source.metric if source.metric in rules else "nps"
        out.cases.append({
            "id": case_id, "title": _title(source), "source": "response", "response_id": source.response_id,
            "feedback_id": None, "customer_id": source.customer_id, "rule_id": rules[rule_key],
            "touchpoint_id": source.touchpoint_id, "metric": source.metric, "score": source.score,
            "verbatim": source.verbatim, "severity": severity, "priority": priority,
            "priority_score": float(severity) * (1.5 if priority == "urgent" else 1.0),
            "priority_reason": {"severity": severity, "summary": f"severity {severity} ({source.metric} "
                                                                   f"{source.score:g})"},
            "status": status, "owner_id": owner, "team_id": team_id, "root_cause_id": root,
            "action_taken": str(rng.choice(ACTIONS)) if closed_status else "", "recovered": recovered,
            "auto_closed": False, "merged_into_id": None, "sla_policy_id": policy.id,
            "first_contact_due_at": first_due, "next_response_due_at": None, "resolution_due_at": resolution_due,
            "paused_since": end - timedelta(hours=float(rng.uniform(1, 40))) if status == "waiting" else None,
            "paused_minutes": 0, "sla_state": "breached" if breached else "at_risk" if at_risk else "ok",
            "first_contact_at": first_contact, "last_contact_at": first_contact,
            "recovery_invitation_id": None, "resurvey_invitation_id": None, "created_by": None,
            "created_at": created, "updated_at": closed_at or resolved_at or first_contact or created,
            "resolved_at": resolved_at, "closed_at": closed_at,
        })
        out.matches.append({"rule_id": rules[rule_key], "source": "response", "source_id": source.response_id,
                            "customer_id": source.customer_id, "case_id": case_id, "outcome": "case",
                            "retroactive": False, "matched_at": created})
        _trail(rng, out.activities, case_id, created, owner, team_id, status, first_contact, resolved_at, closed_at,
               root, recovered, breached, staff.leads.get(team_id or 0))
        if resolved_at is not None and ids["response"] and source.customer_id is not None:
            _resurvey(rng, out, ids, source, resolved_at, end, contacted, recovered)
    return out


RESURVEY_DAYS = 30
SCALE = {"nps": (0, 10, 1.0), "csat": (1, 5, 0.4), "ces": (1, 7, -0.5)}  # low, high, points per NPS point


def _resurvey(rng: np.random.Generator, out: LoopRows, ids: dict[str, int], source: Trigger, resolved: datetime,
              end: datetime, contacted: bool, recovered: str) -> None:
    """The original question asked again ``RESURVEY_DAYS`` after resolution, answered by about half."""
    sent = resolved + timedelta(days=RESURVEY_DAYS)
    answered = sent + timedelta(hours=float(rng.uniform(2, 72)))
    if answered >= end or rng.random() > 0.55:
        return
    case = out.cases[-1]
    invitation_id, response_id = ids["invitation"], ids["response"]
    ids["invitation"] += 1
    ids["response"] += 1
    case["resurvey_invitation_id"] = invitation_id
    gain = (3.2 if recovered == "yes" else 1.2) if contacted else 0.6
    low, high, per_point = SCALE.get(source.metric, SCALE["nps"])
    score = float(np.clip(round(source.score + per_point * (gain + rng.normal(0, 1.6))), low, high))
    out.invitations.append({"id": invitation_id, "survey_id": source.survey_id, "customer_id": source.customer_id,
                            "channel": "email", "token_hash": hashlib.sha256(f"resurvey:{case['id']}".encode())
                            .hexdigest(), "created_at": resolved, "sent_at": sent, "opened_at": answered,
                            "answered_at": answered})
    out.responses.append({"id": response_id, "survey_id": source.survey_id, "version_id": source.version_id,
                          "customer_id": source.customer_id, "invitation_id": invitation_id,
                          "touchpoint_id": source.touchpoint_id, "channel": "email", "locale": "en",
                          "submitted_at": answered, "completed": True, "created_at": answered})
    out.answers.append({"response_id": response_id, "question_key": source.metric, "metric": source.metric,
                        "number": score, "text": None})


def _title(source: Trigger) -> str:
    if source.metric == "nps":
        return f"NPS {source.score:g} (detractor)"
    if source.metric == "csat":
        return f"CSAT {source.score:g} (very dissatisfied)"
    return f"CES {source.score:g} (high effort)"


def _trail(rng: np.random.Generator, rows: list[dict[str, Any]], case_id: int, created: datetime, owner: int | None,
           team: int | None, status: str, contact: datetime | None, resolved: datetime | None,
           closed: datetime | None, root: int | None, recovered: str, breached: bool, lead: int | None) -> None:
    def add(at: datetime, kind: str, user: int | None = None, body: str = "", channel: str | None = None,
            outcome: str | None = None, **detail: Any) -> None:
        rows.append({"case_id": case_id, "at": at, "user_id": user, "kind": kind, "channel": channel,
                     "outcome": outcome, "body": body, "detail": detail})

    add(created, "created", detail_source="response", owner_id=owner, team_id=team)
    if owner is not None:
        add(created, "assigned", owner_id=owner, team_id=team)
    if rng.random() < 0.4:
        add(created + timedelta(minutes=20), "note", owner, str(rng.choice(NOTES)))
    if contact is not None:
        channel = str(rng.choice(["phone", "email"], p=[0.6, 0.4]))
        add(contact, "contact", owner, "Spoke with the guest." if channel == "phone" else "Wrote to the guest.",
            channel, "reached" if channel == "phone" else "sent")
        add(contact, "status", owner, status_from="new", status_to="open")
    if breached and lead is not None:
        add(created + timedelta(hours=24), "escalated", None, "Resolution SLA breached: reassigned to the team lead",
            action="notify_lead", to_user_id=lead)
    if status == "waiting" and contact is not None:
        add(contact + timedelta(minutes=5), "status", owner, status_from="open", status_to="waiting")
    if resolved is not None:
        add(resolved, "status", owner, status_from="open", status_to="resolved")
    if root is not None and resolved is not None:
        add(resolved, "root_cause", owner, root_cause_id=root)
    if closed is not None:
        add(closed, "recovered", owner, recovered=recovered)
        add(closed, "status", owner, status_from="resolved", status_to="closed")


def policy_calendars(session: Session, policies: Sequence[SlaPolicy]) -> dict[int, Calendar | None]:
    """Each policy's working hours, as the SLA engine reads them."""
    return {p.id: calendar_of(session.get(BusinessCalendar, p.calendar_id) if p.calendar_id else None)
            for p in policies}


def write(session: Session, table: Table, rows: list[dict[str, Any]], chunk: int = 5_000) -> None:
    for offset in range(0, len(rows), chunk):
        session.execute(table.insert(), rows[offset:offset + chunk])


def build_closed_loop(session: Session, end: datetime, *, seed: int = 11, days: int = 365,
                      cases: int | None = None) -> dict[str, int]:
    """Staff, root causes, SLAs, rules and the cases of the last ``days`` (or ``cases`` of them, cycling)."""
    from centric.journeys.models import Touchpoint

    rng = np.random.default_rng(seed)
    staff = add_staff(session)
    root_ids = add_root_causes(session)
    policies = add_sla(session)
    rules = {metric: rule.id for metric, rule in add_rules(session).items()}
    sources = triggers(session, end - timedelta(days=days), end)
    if not sources:
        return {"cases": 0}
    team_of = {tp: team for tp, team in session.execute(select(Touchpoint.id, Touchpoint.owner_team_id)) if team}
    first_id = (session.scalar(select(func.max(Case.id))) or 0) + 1
    leaves = [cid for code, cid in root_ids.items() if "/" in code]
    first_ids = {"response": (session.scalar(select(func.max(Response.id))) or 0) + 1,
                 "invitation": (session.scalar(select(func.max(Invitation.id))) or 0) + 1}
    rows = simulate_cases(rng, sources, cases or len(sources), end, staff, rules, leaves, policies, team_of, first_id,
                          policy_calendars(session, policies), first_ids)
    # the re-surveys first: cases point at their invitations
    write(session, Invitation.__table__, rows.invitations)
    write(session, Response.__table__, rows.responses)
    write(session, Answer.__table__, rows.answers)
    write(session, Case.__table__, rows.cases)
    write(session, CaseActivity.__table__, rows.activities)
    write(session, RuleMatch.__table__, rows.matches[:len(sources)])
    return {"cases": len(rows.cases), "activities": len(rows.activities), "rules": len(rules),
            "root_causes": len(root_ids), "resurveys": len(rows.responses)}
