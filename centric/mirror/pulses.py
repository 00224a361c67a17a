"""Employee pulses: templates, waves, single-use links, anonymous answers and the scheduler.

A pulse (eNPS, engagement, enablement, mirror or custom items) runs in waves, one per
period of its cadence (``2026-11``, ``2026-Q4``, ``once``). Opening a wave fixes who is
asked: an invitation per active employee, each with a random single-use token of which
only the SHA-256 hash is stored; the e-mail with the link goes out in a job per
invitation. Answering marks the invitation answered and stores an anonymous response
(wave, team and location copied at that moment; no employee id, no time) in one
transaction, so nothing links an answer to the person who gave it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.service import audit
from centric.db import Database, changed_rows, utcnow
from centric.errors import Conflict, Invalid, NotFound
from centric.jobs.models import Job
from centric.jobs.service import enqueue
from centric.journeys.models import Touchpoint
from centric.mirror.models import (
    Employee,
    EmployeeTouchpoint,
    Pulse,
    PulseAnswer,
    PulseInvitation,
    PulseResponse,
    PulseWave,
)
from centric.mirror.schemas import PulseIn, PulseItem, PulseOut, Scale, WaveOut
from centric.surveys.models import Survey

INVITE_TASK = "mirror.pulse_invite"
SCHEDULE_TASK = "mirror.pulse_schedule"
TEXT_MAX = 2000  # characters kept of a free-text answer
MIRROR_COMMENT = "comment"

# --- templates -----------------------------------------------------------------------------

ENPS_QUESTION = "How likely are you to recommend us as a place to work?"
TEMPLATES: dict[str, dict[str, Any]] = {
    "enps": {"name": "Employee NPS", "items": [
        {"key": "enps", "text": ENPS_QUESTION, "scale": "enps"},
        {"key": "comment", "text": "What is the main reason for your score?", "scale": "text", "optional": True},
    ]},
    "engagement": {"name": "Engagement pulse", "items": [
        {"key": "proud", "text": "I am proud to work here.", "scale": "agree5"},
        {"key": "meaningful", "text": "My work gives me a sense of accomplishment.", "scale": "agree5"},
        {"key": "recognised", "text": "In the last month I was recognised for doing good work.", "scale": "agree5"},
        {"key": "stay", "text": "I see myself still working here in two years.", "scale": "agree5"},
        {"key": "comment", "text": "What would make this a better place to work?", "scale": "text",
         "optional": True},
    ]},
    "enablement": {"name": "Enablement pulse", "items": [
        {"key": "equipped", "text": "I have what I need to solve a customer's problem.", "scale": "agree5"},
        {"key": "empowered", "text": "I may decide on the spot to put things right for a customer.",
         "scale": "agree5"},
        {"key": "informed", "text": "I learn what customers say about the part of the service I work on.",
         "scale": "agree5"},
        {"key": "obstacles", "text": "Our tools and processes rarely get in the way of serving customers well.",
         "scale": "agree5"},
        {"key": "comment", "text": "What stops you from helping customers better?", "scale": "text",
         "optional": True},
    ]},
    # Items per touchpoint the employee serves are added when they open the link (items_for).
    "mirror": {"name": "Mirror: how do customers see us?", "items": [
        {"key": MIRROR_COMMENT, "text": "Where do you think we disappoint customers most?", "scale": "text",
         "optional": True},
    ]},
}
GUESS_SCALES: dict[str, Scale] = {"nps": "guess_nps", "csat": "guess_csat", "ces": "guess_ces"}
GUESS_WORDING = {
    "guess_nps": "as an NPS from −100 to 100",
    "guess_csat": "as the % of customers satisfied, 0 to 100",
    "guess_ces": "as the average effort score, 1 (very hard) to 7 (very easy)",
}
# inclusive bounds of the numeric scales; whole numbers only where marked
SCALE_RANGES: dict[str, tuple[float, float, bool]] = {
    "enps": (0, 10, True), "agree5": (1, 5, True), "guess_nps": (-100, 100, True),
    "guess_csat": (0, 100, False), "guess_ces": (1, 7, False),
}
AGREE_LABELS = (i18n.N_("Strongly disagree"), i18n.N_("Disagree"), i18n.N_("Neither"), i18n.N_("Agree"),
                i18n.N_("Strongly agree"))


def templates() -> list[PulseOut]:
    return [PulseOut(id=0, key=kind, name=t["name"], kind=kind, cadence="monthly", open_days=14, active=True,
                     items=[PulseItem.model_validate(i) for i in t["items"]]) for kind, t in TEMPLATES.items()]


# --- pulses --------------------------------------------------------------------------------

def describe_pulse(pulse: Pulse) -> PulseOut:
    return PulseOut(id=pulse.id, key=pulse.key, name=pulse.name, kind=pulse.kind, cadence=pulse.cadence,
                    open_days=pulse.open_days, active=pulse.active,
                    items=[PulseItem.model_validate(i) for i in pulse.items])


def create_pulse(session: Session, data: PulseIn, user_id: int | None) -> Pulse:
    if session.scalar(select(Pulse.id).where(Pulse.key == data.key)) is not None:
        raise Conflict(f"a pulse with key {data.key!r} exists", field="key")
    if data.items is not None:
        items = [i.model_dump(exclude_none=True) for i in data.items]
        kind: str = data.kind if data.kind != "mirror" else "custom"
    elif data.kind == "custom":
        raise Invalid("a custom pulse needs its items", field="items")
    else:
        items = [dict(i) for i in TEMPLATES[data.kind]["items"]]
        kind = data.kind
    keys = [i["key"] for i in items]
    if len(set(keys)) != len(keys):
        raise Invalid("item keys must be unique", field="items")
    if any(i["key"].startswith("guess:") for i in items):
        raise Invalid("item keys starting with 'guess:' are reserved for mirror items", field="items")
    name = data.name or (TEMPLATES[data.kind]["name"] if data.kind in TEMPLATES else data.key)
    pulse = Pulse(key=data.key, name=name, kind=kind, items=items, cadence=data.cadence,
                  open_days=data.open_days, active=True, created_by=user_id)
    session.add(pulse)
    session.flush()
    audit(session, user_id, "pulse.create", "pulse", pulse.id, {"key": pulse.key, "kind": kind})
    return pulse


def get_pulse(session: Session, pulse_id: int) -> Pulse:
    pulse = session.get(Pulse, pulse_id)
    if pulse is None:
        raise NotFound(f"no pulse {pulse_id}")
    return pulse


def list_pulses(session: Session) -> list[Pulse]:
    return list(session.scalars(select(Pulse).order_by(Pulse.key)))


def touchpoint_scales(session: Session, touchpoint_ids: set[int]) -> dict[int, Scale]:
    """The customer metric of each touchpoint as a guess scale: the kind of most of its surveys (NPS if none)."""
    kinds: dict[int, Counter[str]] = {tid: Counter() for tid in touchpoint_ids}
    if touchpoint_ids:
        for tid, kind in session.execute(select(Survey.touchpoint_id, Survey.kind)
                                         .where(Survey.touchpoint_id.in_(touchpoint_ids))):
            if tid is not None and kind in GUESS_SCALES:
                kinds[tid][kind] += 1
    return {tid: GUESS_SCALES[c.most_common(1)[0][0]] if c else "guess_nps" for tid, c in kinds.items()}


def items_for(session: Session, pulse: Pulse, employee_id: int) -> list[PulseItem]:
    """The items this employee is asked: the pulse's own, and for a mirror pulse one per touchpoint served."""
    items = [PulseItem.model_validate(i) for i in pulse.items]
    if pulse.kind != "mirror":
        return items
    served = session.execute(select(Touchpoint.id, Touchpoint.key, Touchpoint.name)
                             .join(EmployeeTouchpoint, EmployeeTouchpoint.touchpoint_id == Touchpoint.id)
                             .where(EmployeeTouchpoint.employee_id == employee_id).order_by(Touchpoint.name)).all()
    scales = touchpoint_scales(session, {tid for tid, _, _ in served})
    guesses = [PulseItem.model_construct(key=f"guess:{key}"[:80], scale=scales[tid], touchpoint_id=tid,
                                         optional=False,
                                         text=f"What score do you think our customers give us for {name}? "
                                              f"({GUESS_WORDING[scales[tid]]})") for tid, key, name in served]
    return guesses + items


# --- waves and links -----------------------------------------------------------------------

def period_key(cadence: str, day: date) -> str:
    """The period a wave opened on ``day`` belongs to: ``2026-11``, ``2026-Q4`` or ``once``."""
    if cadence == "monthly":
        return f"{day.year}-{day.month:02d}"
    if cadence == "quarterly":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return "once"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_wave(session: Session, pulse: Pulse, day: date, user_id: int | None = None) -> PulseWave:
    """Open the wave of ``day``'s period: invite every active employee, queue one e-mail per invitation.

    A wave already open for the period is a :class:`Conflict` (two schedulers racing make
    the second insert fail on the unique ``(pulse, period)`` constraint instead).
    """
    if not pulse.active:
        raise Invalid(f"the pulse {pulse.key!r} is not active", field="pulse")
    key = period_key(pulse.cadence, day)
    if session.scalar(select(PulseWave.id).where(PulseWave.pulse_id == pulse.id,
                                                 PulseWave.period_key == key)) is not None:
        raise Conflict(f"the pulse {pulse.key!r} already has a wave for {key}", field="period")
    wave = PulseWave(pulse_id=pulse.id, period_key=key, opens_on=day,
                     closes_on=day + timedelta(days=pulse.open_days - 1))
    session.add(wave)
    session.flush()
    employees = list(session.scalars(select(Employee.id).where(Employee.active.is_(True)).order_by(Employee.id)))
    # Until its e-mail is sent an invitation's hash is of a token nobody was given.
    invitations = [PulseInvitation(wave_id=wave.id, employee_id=eid, token_hash=token_hash(secrets.token_urlsafe(32)),
                                   answered=False) for eid in employees]
    session.add_all(invitations)
    session.flush()
    for invitation in invitations:
        enqueue(session, INVITE_TASK, {"invitation_id": invitation.id},
                idempotency_key=f"{INVITE_TASK}:{invitation.id}")
    audit(session, user_id, "pulse.wave_open", "pulse_wave", wave.id,
          {"pulse": pulse.key, "period": key, "invited": len(invitations)})
    return wave


def issue_link(session: Session, invitation: PulseInvitation) -> str:
    """A fresh random token for ``invitation`` (any earlier one stops working); only its hash is kept."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    return token


def link_path(token: str) -> str:
    return f"/e/{token}"


def is_open(wave: PulseWave, today: date | None = None) -> bool:
    today = today or utcnow().date()
    return wave.opens_on <= today <= wave.closes_on


def close_wave(session: Session, wave_id: int, user_id: int | None) -> PulseWave:
    wave = session.get(PulseWave, wave_id)
    if wave is None:
        raise NotFound(f"no wave {wave_id}")
    yesterday = utcnow().date() - timedelta(days=1)
    if wave.closes_on > yesterday:
        wave.closes_on = max(yesterday, wave.opens_on - timedelta(days=1))
    audit(session, user_id, "pulse.wave_close", "pulse_wave", wave.id, {})
    return wave


def list_waves(session: Session, pulse_id: int, k: int) -> list[WaveOut]:
    """The pulse's waves with head counts (one grouped query); answers shown only from ``k``."""
    waves = list(session.scalars(select(PulseWave).where(PulseWave.pulse_id == pulse_id)
                                 .order_by(PulseWave.opens_on.desc(), PulseWave.id.desc())))
    counts: dict[int, tuple[int, int]] = {}
    if waves:
        answered = func.sum(case((PulseInvitation.answered.is_(True), 1), else_=0))
        for wid, sent, done in session.execute(
                select(PulseInvitation.wave_id, func.count(), answered)
                .where(PulseInvitation.wave_id.in_([w.id for w in waves])).group_by(PulseInvitation.wave_id)):
            counts[wid] = (int(sent), int(done or 0))
    out = []
    for wave in waves:
        sent, done = counts.get(wave.id, (0, 0))
        out.append(WaveOut(id=wave.id, pulse_id=wave.pulse_id, period_key=wave.period_key, opens_on=wave.opens_on,
                           closes_on=wave.closes_on, open=is_open(wave), invited=sent,
                           answered=done if done >= k else None))
    return out


# --- answering -----------------------------------------------------------------------------

@dataclass
class Answering:
    """What the public page shows: the items, and after a failed submit the values and errors."""

    state: str  # "form" | "closed" | "already" | "unknown" | "thanks"
    pulse_name: str = ""
    items: list[PulseItem] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    closes_on: date | None = None


def _find(session: Session, token: str) -> tuple[PulseInvitation, PulseWave, Pulse] | None:
    if not token or len(token) > 100:
        return None
    row = session.execute(select(PulseInvitation, PulseWave, Pulse)
                          .join(PulseWave, PulseWave.id == PulseInvitation.wave_id)
                          .join(Pulse, Pulse.id == PulseWave.pulse_id)
                          .where(PulseInvitation.token_hash == token_hash(token))).first()
    return None if row is None else (row[0], row[1], row[2])


def show(session: Session, token: str) -> Answering:
    found = _find(session, token)
    if found is None:
        return Answering("unknown")
    invitation, wave, pulse = found
    if invitation.answered:
        return Answering("already", pulse.name)
    if not is_open(wave) or not pulse.active:
        return Answering("closed", pulse.name)
    return Answering("form", pulse.name, items_for(session, pulse, invitation.employee_id), closes_on=wave.closes_on)


def parse_answers(items: list[PulseItem], form: dict[str, str]) -> tuple[dict[str, float | str], dict[str, str]]:
    """Each item's value from the form, or why it is not acceptable (keyed by item)."""
    values: dict[str, float | str] = {}
    errors: dict[str, str] = {}
    for item in items:
        raw = form.get(item.key, "").strip()
        if item.scale == "text":
            if len(raw) > TEXT_MAX:
                errors[item.key] = i18n._("keep it under %(max)s characters") % {"max": TEXT_MAX}
            elif raw:
                values[item.key] = raw
            elif not item.optional:
                errors[item.key] = i18n._("please answer this question")
            continue
        if not raw:
            if not item.optional:
                errors[item.key] = i18n._("please answer this question")
            continue
        low, high, whole = SCALE_RANGES[item.scale]
        bounds = {"low": f"{low:g}", "high": f"{high:g}"}
        try:
            number = float(raw.replace(",", ".")) if not whole else int(raw)
        except ValueError:
            errors[item.key] = (i18n._("expected a whole number from %(low)s to %(high)s") if whole
                                else i18n._("expected a number from %(low)s to %(high)s")) % bounds
            continue
        if not low <= number <= high or number != number:
            errors[item.key] = i18n._("expected a value from %(low)s to %(high)s") % bounds
            continue
        values[item.key] = float(number)
    return values, errors


def submit(session: Session, token: str, form: dict[str, str]) -> Answering:
    """Store one anonymous response, in the caller's transaction; a link answers once.

    The invitation is flipped ``answered`` by a conditional UPDATE (false → true) so that
    two concurrent submits store one response; the response copies the employee's team
    and location and nothing else about them.
    """
    found = _find(session, token)
    if found is None:
        return Answering("unknown")
    invitation, wave, pulse = found
    if invitation.answered:
        return Answering("already", pulse.name)
    if not is_open(wave) or not pulse.active:
        return Answering("closed", pulse.name)
    items = items_for(session, pulse, invitation.employee_id)
    values, errors = parse_answers(items, form)
    unknown = sorted(set(form) - {i.key for i in items} - {"submit"})
    if unknown:
        errors["_form"] = i18n._("unknown field %(name)s") % {"name": repr(unknown[0][:40])}
    if errors:
        return Answering("form", pulse.name, items, {k: v[:TEXT_MAX + 10] for k, v in form.items()}, errors,
                         wave.closes_on)
    flipped = changed_rows(session, update(PulseInvitation)
                           .where(PulseInvitation.id == invitation.id, PulseInvitation.answered.is_(False))
                           .values(answered=True))
    if flipped != 1:
        return Answering("already", pulse.name)
    employee = session.get(Employee, invitation.employee_id)
    response = PulseResponse(wave_id=wave.id, team_id=employee.team_id if employee else None,
                             location=employee.location if employee else "")
    session.add(response)
    session.flush()
    for item in items:
        if item.key not in values:
            continue
        value = values[item.key]
        session.add(PulseAnswer(response_id=response.id, item_key=item.key, scale=item.scale,
                                touchpoint_id=item.touchpoint_id,
                                number=value if isinstance(value, float) else None,
                                text=value if isinstance(value, str) else None))
    return Answering("thanks", pulse.name)


# --- the scheduler -------------------------------------------------------------------------

def due_pulses(session: Session, day: date) -> list[Pulse]:
    """Active pulses without a wave for ``day``'s period ("once" pulses: without any wave)."""
    out = []
    pulses = list(session.scalars(select(Pulse).where(Pulse.active.is_(True)).order_by(Pulse.id)))
    have = {(pid, key) for pid, key in session.execute(select(PulseWave.pulse_id, PulseWave.period_key))}
    for pulse in pulses:
        if (pulse.id, period_key(pulse.cadence, day)) not in have:
            out.append(pulse)
    return out


def open_due_waves(db: Database, day: date) -> list[int]:
    """Open every due wave of ``day``, each in its own transaction; a wave another worker opened is skipped."""
    with db.reader() as session:
        due = [p.id for p in due_pulses(session, day)]
    opened = []
    for pulse_id in due:
        try:
            with db.transaction() as session:
                pulse = session.get(Pulse, pulse_id)
                if pulse is None or not pulse.active:
                    continue
                opened.append(open_wave(session, pulse, day).id)
        except (Conflict, IntegrityError):
            continue  # opened meanwhile by another worker: one wave per period
    return opened


def schedule_pulses(session: Session, day: date) -> Job:
    """The pulse scheduler of ``day`` (UTC), run at its start; one job per installation and day."""
    start = datetime.combine(day, time())
    delay = max((start - utcnow()).total_seconds(), 0.0)
    return enqueue(session, SCHEDULE_TASK, {"day": day.isoformat()}, delay_s=delay,
                   idempotency_key=f"{SCHEDULE_TASK}:{day.isoformat()}")


def start_pulses(db: Database) -> None:
    """At start-up: make sure today's pulse scheduler is queued (a no-op when it is, or ran already).

    The job queues the next day's itself. Two processes starting at once race on the key;
    the loser's insert fails and the winner's job stands.
    """
    try:
        with db.transaction() as session:
            schedule_pulses(session, utcnow().date())
    except IntegrityError:
        pass
