"""The demo company's CX governance: touchpoint owners, targets, and the council's initiatives.

Written after the closed loop (it needs the staff and the root-cause codes), as plain rows
like the governance services would write them, dated in the demo's past so that a
scorecard has whole quarters to show and the initiative board has a history: proposals,
approvals with who and when (and the audit trail of each decision), DICE assessments that
move between zones, and one done initiative, express check-in, whose effect is built into
the scores (:func:`centric.demo.scores.checkin_fix_day`), so that its impact can be measured.
Nothing here is random: the same demo gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import AuditLog, Team, User
from centric.demo.company import HOUSEKEEPING_FIX_DAYS_BEFORE_END
from centric.demo.scores import checkin_fix_day
from centric.feedback.models import Feedback, Theme
from centric.governance import impact
from centric.governance.models import (
    DiceAssessment,
    Initiative,
    InitiativeApproval,
    InitiativeLink,
    Target,
)
from centric.journeys.models import Journey, Stage, Touchpoint
from centric.loop.models import RootCause

# The executives: sponsors of initiatives and the council's deciders (managers without a team).
EXECUTIVES = ("Helen Park", "David Moreau")  # chief operating officer, VP guest experience
COO, VP_GX = EXECUTIVES

Direction = Literal["at_least", "at_most"]


@dataclass(frozen=True)
class TargetSpec:
    name: str
    metric: str
    threshold: float
    scope_kind: str = "company"
    scope_ref: str = ""  # touchpoint / segment key, team name (stored as its id), attribute=value
    direction: Direction = "at_least"
    min_n: int = 30
    owner: str | None = None  # a user's name
    team: str | None = None  # a team's name
    cadence: str = "quarter"
    notes: str = ""


# Thresholds were set against the demo's own numbers (18 months, 3,000 guests): over the last
# quarters some are met, some missed, and some cannot be told apart from the threshold.
COMPANY_TARGETS = (
    TargetSpec("Company NPS", "nps", 20.0, owner=COO,
               notes="Relationship NPS over all touchpoints; the board's headline number."),
    TargetSpec("Company CSAT", "csat", 80.0, owner=VP_GX, notes="Share of 4–5 answers on 1–5, all CSAT surveys."),
    TargetSpec("Company CES", "ces", 4.5, owner=VP_GX,
               notes="Mean agreement (1–7) that we made it easy; higher is better."),
    TargetSpec("Detractors called back within 48 hours", "contacted_48h", 80.0, owner=VP_GX, min_n=20,
               notes="Share of detractor cases with a first contact within 48 hours of opening."),
    TargetSpec("Guest churn", "churn", 70.0, direction="at_most", owner=COO,
               notes="Share of guests who booked before the quarter and not during it; hotel guests book "
                     "rarely, so the level is high — the trend is what matters."),
)

# Per team: the NPS (and, where the team's touchpoints are rated on CSAT, the CSAT) of the
# touchpoints it owns, owned by the team and its lead, so that scorecards can rank teams.
# Marketing's touchpoints (website, social media) are hardly ever rated: no target.
TEAM_NPS = {"Front Office": 20.0, "Housekeeping": 10.0, "Engineering": 25.0, "Food & Beverage": 20.0,
            "Digital": 30.0, "Billing": 10.0, "Guest Support": 0.0, "Loyalty": 30.0, "Reservations": 30.0}
TEAM_CSAT = {"Front Office": 80.0, "Housekeeping": 80.0, "Engineering": 75.0, "Food & Beverage": 80.0,
             "Digital": 80.0, "Billing": 75.0}

# Per touchpoint: an owner (agent or lead) accountable for one number; they own the touchpoint too.
TOUCHPOINT_TARGETS = (
    TargetSpec("Check-in NPS", "nps", 25.0, "touchpoint", "check-in", owner="Tom Becker", min_n=20),
    TargetSpec("Housekeeping NPS", "nps", 10.0, "touchpoint", "housekeeping", owner="Liam Walsh", min_n=20),
    TargetSpec("Wi-Fi CSAT", "csat", 70.0, "touchpoint", "wifi", owner="Priya Nair", min_n=20),
    TargetSpec("Online booking CSAT", "csat", 80.0, "touchpoint", "web-booking", owner="Hannah Schmidt"),
    TargetSpec("Live chat effort", "ces", 4.3, "touchpoint", "live-chat", owner="Sara Ali", min_n=20),
    TargetSpec("Refunds CES", "ces", 4.0, "touchpoint", "refunds", owner="Fatima Rahman", min_n=20),
)

SEGMENT_TARGETS = (
    TargetSpec("Family NPS", "nps", 0.0, "segment", "family", owner=VP_GX,
               notes="Families were the unhappiest guests at check-in and in housekeeping."),
    TargetSpec("VIP NPS", "nps", 30.0, "segment", "vip", owner="Julia Novak", team="Loyalty"),
    TargetSpec("China market CSAT", "csat", 78.0, "attribute", "country=CN", owner=VP_GX,
               notes="Guests living in mainland China: breakfast and Wi-Fi were their weak spots."),
    TargetSpec("UK market NPS", "nps", 20.0, "attribute", "country=GB", owner=COO, cadence="year", min_n=50),
)


@dataclass(frozen=True)
class Dice:
    """One DICE assessment: factors 1 (best) … 4 (worst), ``day`` relative to the anchor."""

    duration: int
    integrity: int
    senior_commitment: int
    local_commitment: int
    effort: int
    day: int
    by: str
    note: str = ""


@dataclass(frozen=True)
class Decision:
    decision: Literal["approved", "rejected"]
    by: str
    day: int
    note: str = ""


@dataclass(frozen=True)
class InitiativeSpec:
    title: str
    problem: str
    status: str
    origin: str
    origin_ref: str  # root-cause code, theme name, "idea" (the guest comment is looked up), or ""
    owner: str
    sponsor: str
    proposer: str
    cost: float
    metric: str
    expected_effect: float
    target: str | None  # a target's name
    links: tuple[tuple[str, str], ...]  # (touchpoint | theme | root_cause, key / name / code)
    proposed: int  # days relative to the anchor
    dice: tuple[Dice, ...]
    decision: Decision | None = None
    started: int | None = None
    done: int | None = None
    anchor: Literal["end", "checkin_fix"] = "end"


EXPRESS_CHECK_IN = "Express check-in and a family lane"

INITIATIVES = (
    InitiativeSpec(
        EXPRESS_CHECK_IN,
        "Families wait 20 minutes and more at check-in with tired children; it is the first thing detractors "
        "mention. Online pre-check-in, keys ready on arrival and a family lane at peak times.",
        "done", "root_cause", "front-desk/wait", "Maria Lopez", COO, "Tom Becker", 48_000.0, "nps", 12.0,
        "Check-in NPS", (("touchpoint", "check-in"), ("theme", "stay/front_desk"), ("root_cause", "front-desk/wait")),
        proposed=-150, started=-110, done=0, anchor="checkin_fix",
        decision=Decision("approved", COO, -120, "Approved with the Q3 budget; Front Office leads, Digital builds "
                                                 "the pre-check-in."),
        dice=(Dice(2, 3, 2, 3, 2, -135, VP_GX, "Needs the PMS vendor; front desk sceptical."),
              Dice(2, 2, 1, 2, 2, -60, VP_GX, "Pilot in London went well; weekly reviews."),
              Dice(1, 1, 1, 2, 1, -5, VP_GX, "Rolled out in all six hotels."))),
    InitiativeSpec(
        "Family-room housekeeping programme",
        "Families rate housekeeping far below other guests: missing cots, extra towels, rooms made up late.",
        "in_progress", "theme", "stay/housekeeping", "Grace Okafor", VP_GX, "Grace Okafor", 22_000.0, "nps", 8.0,
        "Housekeeping NPS", (("touchpoint", "housekeeping"), ("theme", "stay/housekeeping"),
                             ("root_cause", "room/cleanliness")),
        proposed=-110, started=-HOUSEKEEPING_FIX_DAYS_BEFORE_END,
        decision=Decision("approved", VP_GX, -85, "Start with the family floors."),
        dice=(Dice(2, 2, 2, 2, 3, -100, VP_GX, "Extra hours per floor, staff shortage in summer."),
              Dice(2, 2, 2, 2, 2, -30, VP_GX))),
    InitiativeSpec(
        "Pine booking system: rates and payment errors",
        "Since Pine went live guests see rates that differ from the booking and payments that fail; refunds pile up.",
        "in_progress", "root_cause", "booking/rate-mismatch", "Wei Zhang", COO, "Hannah Schmidt", 95_000.0, "csat",
        6.0, "Online booking CSAT",
        (("touchpoint", "web-booking"), ("touchpoint", "app-booking"), ("theme", "booking"),
         ("root_cause", "booking/rate-mismatch"), ("root_cause", "booking/website-error")),
        proposed=-200, started=-150,
        decision=Decision("approved", COO, -170, "Top priority: it costs us bookings."),
        dice=(Dice(3, 3, 2, 3, 3, -190, VP_GX, "Vendor roadmap unclear; large change."),
              Dice(3, 2, 2, 2, 3, -100, VP_GX, "Dedicated squad in place."),
              Dice(2, 2, 1, 2, 3, -20, VP_GX, "Fixes shipping every two weeks."))),
    InitiativeSpec(
        "Chinese breakfast options",
        "Guests from mainland China miss congee, dim sum and warm dishes at breakfast.",
        "approved", "idea", "idea", "Luca Romano", VP_GX, "Chloe Martin", 9_500.0, "csat", 5.0,
        "China market CSAT", (("touchpoint", "breakfast"), ("theme", "stay/breakfast"), ("root_cause", "food/choice")),
        proposed=-40,
        decision=Decision("approved", VP_GX, -12, "Pilot in Shanghai and Beijing first."),
        dice=(Dice(1, 2, 2, 1, 1, -20, VP_GX, "Small, local, kitchen keen."),)),
    InitiativeSpec(
        "Wi-Fi upgrade for business floors",
        "Business travellers and guests from China find the Wi-Fi too slow for video calls.",
        "approved", "theme", "stay/wifi", "Sven Olsen", COO, "Priya Nair", 64_000.0, "csat", 7.0, "Wi-Fi CSAT",
        (("touchpoint", "wifi"), ("theme", "stay/wifi"), ("root_cause", "wifi/outage")),
        proposed=-60,
        decision=Decision("approved", COO, -25, "Approved for the next budget quarter."),
        dice=(Dice(3, 3, 2, 3, 2, -55, VP_GX, "Contractor not chosen; long lead time."),
              Dice(2, 2, 2, 2, 2, -15, VP_GX, "Contractor signed, plan per hotel."))),
    InitiativeSpec(
        "Call-back promise tracker",
        "Guests are promised a call back that never comes; support has no list of open promises.",
        "proposed", "root_cause", "service/no-follow-up", "Jonas Berg", VP_GX, "Sara Ali", 6_000.0, "contacted_48h",
        10.0, "Detractors called back within 48 hours",
        (("touchpoint", "support-phone"), ("touchpoint", "live-chat"), ("root_cause", "service/no-follow-up")),
        proposed=-9,
        dice=(Dice(2, 3, 3, 2, 2, -6, "Jonas Berg", "No sponsor yet."),)),
    InitiativeSpec(
        "Refunds within five working days",
        "Refund disputes take weeks; guests write again and again.",
        "proposed", "manual", "", "Carlos Mendes", COO, "Fatima Rahman", 15_000.0, "ces", 0.5, "Refunds CES",
        (("touchpoint", "refunds"), ("root_cause", "billing/refund-delay")),
        proposed=-4, dice=()),
    InitiativeSpec(
        "Rebuild the loyalty app",
        "Members find points and status hard to see in the app.",
        "dropped", "manual", "", "Julia Novak", COO, "Julia Novak", 240_000.0, "nps", 4.0, "VIP NPS",
        (("touchpoint", "loyalty"), ("theme", "loyalty")),
        proposed=-95,
        decision=Decision("rejected", COO, -70, "Too costly for the expected effect; fix the points page in the "
                                                "existing app instead."),
        dice=(Dice(4, 3, 3, 3, 4, -90, VP_GX, "Two years, new vendor, no owner in Digital."),
              Dice(4, 3, 4, 3, 4, -72, VP_GX, "Sponsor withdrew."))),
)


def dice_score(duration: int, integrity: int, senior: int, local: int, effort: int) -> tuple[int, str]:
    """DICE score D + 2·I + 2·C1 + C2 + E and its zone (Sirkin, Keenan & Jackson 2005, HBR).

    Each factor is 1 (best) … 4 (worst); 7–14 win, 15–17 worry, above 17 woe.
    """
    factors = (duration, integrity, senior, local, effort)
    if any(not 1 <= f <= 4 for f in factors):
        raise ValueError(f"DICE factors must be 1..4, got {factors}")
    score = duration + 2 * integrity + 2 * senior + local + effort
    return score, "win" if score <= 14 else "worry" if score <= 17 else "woe"


def quarter_start(day: date, back: int = 0) -> date:
    """The first day of ``day``'s quarter, ``back`` quarters earlier."""
    index = day.year * 4 + (day.month - 1) // 3 - back
    return date(index // 4, index % 4 * 3 + 1, 1)


def build_governance(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Owners, targets and initiatives of the demo company (after :func:`build_closed_loop`).

    ``start`` and ``end`` bound the demo's data (``end`` is its "today"). Returns counts.
    """
    users = _add_executives(session)
    teams = {t.name: t for t in session.scalars(select(Team))}
    owners = _own_touchpoints(session, teams, users)
    targets = _add_targets(session, end, teams, users)
    fix_day = start + timedelta(days=checkin_fix_day((end - start).total_seconds() / 86_400))
    anchors = {"end": end, "checkin_fix": datetime.combine(fix_day.date(), time())}
    initiatives = _add_initiatives(session, anchors, users, targets)
    session.flush()
    for initiative in session.scalars(select(Initiative).where(Initiative.status == "done")):
        impact.measure(session, initiative, today=end.date())
    return {"touchpoint_owners": owners, "targets": len(targets), "initiatives": initiatives}


def _add_executives(session: Session) -> dict[str, int]:
    """The two executives (managers without a team) join the staff; name → user id of everybody."""
    template = session.scalar(select(User.password_hash).where(User.email.like("%@harbourpine.example")).limit(1))
    for name in EXECUTIVES:
        email = name.lower().replace(" ", ".") + "@harbourpine.example"
        if session.scalar(select(User.id).where(User.email == email)) is None:
            session.add(User(email=email, name=name, password_hash=template or "!", role="manager"))
    session.flush()
    return {name: user_id for name, user_id in session.execute(select(User.name, User.id))}


def _own_touchpoints(session: Session, teams: dict[str, Team], users: dict[str, int]) -> int:
    """Every touchpoint gets an owner: a touchpoint target's owner, else its team's lead.

    A touchpoint without a team takes its journey's owning team. Returns how many changed.
    """
    accountable = {spec.scope_ref: users[spec.owner] for spec in TOUCHPOINT_TARGETS if spec.owner in users}
    journey_team = dict(session.execute(select(Stage.id, Journey.owner_team_id).join(Journey)).all())
    leads = {t.id: t.lead_id for t in teams.values()}
    changed = 0
    for touchpoint in session.scalars(select(Touchpoint).order_by(Touchpoint.id)):
        if touchpoint.owner_team_id is None:
            touchpoint.owner_team_id = journey_team.get(touchpoint.stage_id)
            changed += 1
        if touchpoint.owner_user_id is None:
            touchpoint.owner_user_id = accountable.get(touchpoint.key) or leads.get(touchpoint.owner_team_id or 0)
            changed += 1
    return changed


def _add_targets(session: Session, end: datetime, teams: dict[str, Team],
                 users: dict[str, int]) -> dict[str, Target]:
    """Every target, valid from two quarters back (one whole quarter and more of scorecards)."""
    valid_from = quarter_start(end.date(), back=2)
    created = datetime.combine(valid_from - timedelta(days=14), time(10))
    specs = list(COMPANY_TARGETS)
    for name, threshold in TEAM_NPS.items():
        specs.append(TargetSpec(f"{name} team NPS", "nps", threshold, "team", name, team=name, min_n=20))
    for name, threshold in TEAM_CSAT.items():
        specs.append(TargetSpec(f"{name} team CSAT", "csat", threshold, "team", name, team=name, min_n=20))
    specs += [*TOUCHPOINT_TARGETS, *SEGMENT_TARGETS]
    out: dict[str, Target] = {}
    for spec in specs:
        team = teams.get(spec.team or "")
        if spec.scope_kind == "team" and team is None:
            continue
        owner = users.get(spec.owner or "") or (team.lead_id if team is not None else None)
        target = Target(
            name=spec.name, metric=spec.metric, scope_kind=spec.scope_kind,
            scope_ref=str(team.id) if spec.scope_kind == "team" and team is not None else spec.scope_ref,
            cadence=spec.cadence, threshold=spec.threshold, direction=spec.direction, min_n=spec.min_n,
            owner_user_id=owner, owner_team_id=team.id if team is not None else None,
            valid_from=quarter_start(end.date(), back=4) if spec.cadence == "year" else valid_from,
            valid_until=None, notes=spec.notes, active=True, created_by=users.get(VP_GX),
            created_at=created, updated_at=created)
        session.add(target)
        assert spec.name not in out, spec.name  # initiatives name the target they should move
        out[spec.name] = target
    session.flush()
    return out


def _add_initiatives(session: Session, anchors: dict[str, datetime], users: dict[str, int],
                     targets: dict[str, Target]) -> int:
    touchpoints = dict(session.execute(select(Touchpoint.key, Touchpoint.id)).all())
    themes = dict(session.execute(select(Theme.name, Theme.id)).all())
    causes = dict(session.execute(select(RootCause.code, RootCause.id)).all())
    refs = {"touchpoint": touchpoints, "theme": themes, "root_cause": causes}
    for spec in INITIATIVES:
        anchor = anchors[spec.anchor]

        def at(day: int, hour: int = 10, anchor: datetime = anchor) -> datetime:
            return anchor + timedelta(days=day, hours=hour)

        origin_ref = _idea(session, touchpoints.get("breakfast")) if spec.origin == "idea" else spec.origin_ref
        last_change = max([at(spec.proposed)] + [at(d) for d in (spec.started, spec.done) if d is not None]
                          + ([at(spec.decision.day)] if spec.decision else []))
        initiative = Initiative(
            title=spec.title, problem=spec.problem, status=spec.status, origin=spec.origin, origin_ref=origin_ref,
            owner_user_id=users.get(spec.owner), sponsor_user_id=users.get(spec.sponsor), cost=spec.cost,
            target_id=targets[spec.target].id if spec.target in targets else None, metric=spec.metric,
            expected_effect=spec.expected_effect,
            started_on=at(spec.started).date() if spec.started is not None else None,
            done_on=at(spec.done).date() if spec.done is not None else None,
            created_by=users.get(spec.proposer), created_at=at(spec.proposed), updated_at=last_change)
        session.add(initiative)
        session.flush()
        for kind, key in spec.links:
            ref = refs[kind].get(key)
            if ref is not None:
                session.add(InitiativeLink(initiative_id=initiative.id, kind=kind, ref_id=ref))
        for dice in spec.dice:
            score, zone = dice_score(dice.duration, dice.integrity, dice.senior_commitment, dice.local_commitment,
                                     dice.effort)
            session.add(DiceAssessment(
                initiative_id=initiative.id, duration=dice.duration, integrity=dice.integrity,
                senior_commitment=dice.senior_commitment, local_commitment=dice.local_commitment, effort=dice.effort,
                score=score, zone=zone, note=dice.note, assessed_by=users.get(dice.by), assessed_at=at(dice.day)))
        _audit(session, users.get(spec.proposer), "initiative.propose", initiative.id, at(spec.proposed),
               {"title": spec.title, "origin": spec.origin})
        if spec.decision is not None:
            decided = at(spec.decision.day)
            decider = users.get(spec.decision.by)
            session.add(InitiativeApproval(initiative_id=initiative.id, user_id=decider,
                                           decision=spec.decision.decision, note=spec.decision.note, at=decided))
            verb = "approve" if spec.decision.decision == "approved" else "reject"
            _audit(session, decider, f"initiative.{verb}", initiative.id, decided, {"note": spec.decision.note})
        for status, day in (("in_progress", spec.started), ("done", spec.done)):
            if day is not None:
                _audit(session, users.get(spec.owner), "initiative.status", initiative.id, at(day), {"status": status})
        if spec.status == "dropped":
            _audit(session, users.get(spec.sponsor), "initiative.status", initiative.id,
                   at(spec.decision.day if spec.decision else spec.proposed, 11), {"status": "dropped"})
    return len(INITIATIVES)


def _idea(session: Session, breakfast: int | None) -> str:
    """The guest comment the breakfast idea came from: the first Chinese comment on breakfast."""
    found = session.scalar(select(Feedback.id).where(Feedback.touchpoint_id == breakfast, Feedback.language == "zh",
                                                     Feedback.source == "survey").order_by(Feedback.id).limit(1))
    return f"feedback:{found}" if found is not None else "feedback"


def _audit(session: Session, user_id: int | None, action: str, initiative_id: int, at: datetime,
           detail: dict[str, object]) -> None:
    """An audit-log row as :func:`centric.accounts.service.audit` writes it, dated when it happened."""
    session.add(AuditLog(at=at, user_id=user_id, action=action, entity="initiative", entity_id=str(initiative_id),
                         detail=detail))
