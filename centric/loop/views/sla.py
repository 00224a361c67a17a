"""HTML pages of the closed loop: the SLA page (policies in order, business calendars, their forms).

Managers only. The forms post plain text (a periods textarea, JSON for conditions and
escalation) that this module turns into the service's schemas; every problem, from a bad
time zone to malformed JSON, re-renders the page with the message and status 422.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import holidays as holiday_library
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from centric import i18n
from centric.accounts.models import Team, User
from centric.errors import CentricError, Invalid, NotFound, explain
from centric.journeys.models import Touchpoint
from centric.loop import sla
from centric.loop.calendar import WEEKDAYS
from centric.loop.models import PRIORITIES, AlertRule, BusinessCalendar, SlaPolicy
from centric.loop.sla_schemas import CalendarIn, PolicyIn, PolicyPatch
from centric.web import exports
from centric.web.deps import Caller, CanConfigure, CheckedForm, DbSession, ObjectId
from centric.web.templating import page_locale, render

router = APIRouter()
NEXT_HOLIDAYS = 5
HOLIDAY_HORIZON_DAYS = 2 * 366
MAX_TEXT = 50_000
PERIODS_EXAMPLE = "mon-fri 08:00-12:30, 13:30-18:00\nsat 09:00-13:00"
ESCALATION_EXAMPLE = json.dumps([
    {"when": "at_risk", "target": "first_contact", "action": "notify_owner"},
    {"when": "breached", "target": "first_contact", "action": "reassign"}])
_OPS = {"eq": i18n.N_("is"), "ne": i18n.N_("is not"), "in": i18n.N_("is one of"), "gte": i18n.N_("is at least"),
        "lte": i18n.N_("is at most")}
_FIELDS = {"team_id": i18n.N_("team"), "touchpoint_id": i18n.N_("touchpoint"), "rule_id": i18n.N_("alert rule"),
           "priority": i18n.N_("priority")}
_TARGETS = {"first_contact": i18n.N_("first contact"), "next_response": i18n.N_("next response"),
            "resolution": i18n.N_("resolution")}
_LINE = re.compile(r"^(?P<days>[a-z]+(?:\s*[-,]\s*[a-z]+)*)\s+(?P<times>\S.*)$", re.IGNORECASE)
_PAIR = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")


# --- reading the forms ---------------------------------------------------------------------------


def parse_periods(text: str) -> dict[str, list[tuple[str, str]]]:
    """Working periods from lines such as ``mon-fri 08:00-12:30, 13:30-18:00`` (days: ``mon``, ``mon-fri``,
    ``mon,wed``; a day named on several lines gets all their periods)."""
    periods: dict[str, list[tuple[str, str]]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        found = _LINE.match(line.strip())
        if found is None:
            raise Invalid(f"line {number}: write days then times, e.g. 'mon-fri 09:00-17:00'", field="periods")
        pairs = [_pair(part.strip(), number) for part in found["times"].split(",") if part.strip()]
        for day in _days(found["days"].lower(), number):
            periods.setdefault(day, []).extend(pairs)
    return {day: sorted(pairs) for day, pairs in periods.items()}


def _days(spec: str, number: int) -> list[str]:
    days: list[str] = []
    for item in spec.split(","):
        ends = [part.strip() for part in item.split("-")]
        for day in ends:
            if day not in WEEKDAYS:
                raise Invalid(f"line {number}: {day!r} is not a weekday (use {', '.join(WEEKDAYS)})",
                              field="periods")
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        days += [WEEKDAYS[(first + step) % 7] for step in range((last - first) % 7 + 1)]
    return list(dict.fromkeys(days))


def _pair(text: str, number: int) -> tuple[str, str]:
    found = _PAIR.match(text)
    if found is None:
        raise Invalid(f"line {number}: {text!r} is not a period HH:MM-HH:MM", field="periods")
    h1, m1, h2, m2 = found.groups()
    return f"{int(h1):02d}:{m1}", f"{int(h2):02d}:{m2}"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_TEXT:
        raise Invalid(f"{name} is too long (at most {MAX_TEXT} characters)", field=name)
    return text


def _json(form: FormData, name: str, default: Any) -> Any:
    text = _text(form, name)
    if not text:
        return default
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
                      field=name) from None


def calendar_from_form(form: FormData) -> CalendarIn:
    extra = [line.strip() for line in _text(form, "extra_holidays").splitlines() if line.strip()]
    return CalendarIn(name=_text(form, "name"), timezone=_text(form, "timezone") or "UTC",
                      periods=parse_periods(_text(form, "periods")),
                      holiday_country=_text(form, "holiday_country").upper() or None,
                      holiday_subdivision=_text(form, "holiday_subdivision").upper() or None, extra_holidays=extra)


def policy_from_form(form: FormData, next_position: int) -> PolicyIn:
    conditions = _json(form, "conditions", {})
    priorities = [p for p in form.getlist("priority") if isinstance(p, str) and p]
    if priorities:
        chosen = {"field": "priority", "op": "in", "value": priorities}
        conditions = {"all": [conditions, chosen]} if conditions else {"all": [chosen]}
    values = {"name": _text(form, "name"), "position": _text(form, "position") or next_position,
              "conditions": conditions, "calendar_id": _text(form, "calendar_id") or None,
              "at_risk_ratio": _text(form, "at_risk_ratio") or 0.8, "escalation": _json(form, "escalation", [])}
    for target in _TARGETS:
        values[f"{target}_minutes"] = _text(form, f"{target}_minutes") or None
    return PolicyIn.model_validate(values)


# --- in words --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """Display names of what conditions and escalation steps refer to by id."""

    teams: Mapping[int, str]
    touchpoints: Mapping[int, str]
    rules: Mapping[int, str]
    users: Mapping[int, str]

    @classmethod
    def load(cls, session: Session, policies: Sequence[SlaPolicy]) -> Names:
        """Four queries, whatever the number of policies."""
        user_ids = {step.get("to_user_id") for p in policies for step in p.escalation or []} - {None}
        return cls({tid: name for tid, name in session.execute(select(Team.id, Team.name))},
                   {tid: name for tid, name in session.execute(select(Touchpoint.id, Touchpoint.name))},
                   {rid: name for rid, name in session.execute(select(AlertRule.id, AlertRule.name))},
                   {uid: name or email for uid, name, email in session.execute(
                       select(User.id, User.name, User.email).where(User.id.in_(user_ids)))})

    def of(self, field: str, value: Any) -> str:
        table = {"team_id": self.teams, "touchpoint_id": self.touchpoints, "rule_id": self.rules}.get(field)
        if table is not None and isinstance(value, int):
            return table.get(value, i18n._("#%(id)s (deleted)") % {"id": value})
        return str(value)


def conditions_in_words(node: Mapping[str, Any], names: Names, nested: bool = False) -> str:
    """``{"all": [{"field": "priority", "op": "in", "value": ["high", "urgent"]}]}`` →
    ``priority is one of high, urgent``; ``{}`` → ``every case``."""
    if not node:
        return i18n._("every case")
    for group, joiner in (("all", i18n._(" and ")), ("any", i18n._(" or "))):
        if group in node:
            words = joiner.join(conditions_in_words(child, names, nested=True) for child in node[group])
            return f"({words})" if nested and len(node[group]) > 1 else words
    field, value = node.get("field", "?"), node.get("value")
    shown = ", ".join(names.of(field, v) for v in value) if isinstance(value, list) else names.of(field, value)
    label = i18n._(_FIELDS[field]) if field in _FIELDS else field
    op = node.get("op", "")
    return f"{label} {i18n._(_OPS[op]) if op in _OPS else op} {shown}"


def duration_in_words(minutes: int | None) -> str:
    """``90`` → ``1 h 30 min``; None → ``–`` (no target)."""
    if not minutes:
        return "–"
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (i18n._("%(n)s h") % {"n": hours} if hours else "",
                                      i18n._("%(n)s min") % {"n": rest} if rest else "") if part)


def escalation_in_words(steps: Iterable[Mapping[str, Any]], at_risk_ratio: float, names: Names) -> str:
    """``at 80% of first contact: notify the owner → at breach: reassign to the team lead``."""
    parts: list[str] = []
    last: tuple[str, str] | None = None
    for step in steps:
        key = step.get("target", "?")
        target = i18n._(_TARGETS[key]) if key in _TARGETS else key
        action = _action_in_words(step, names)
        when = step.get("when")
        if last == (when, target):
            parts[-1] += f", {action}"
            continue
        same_target = last is not None and last[1] == target
        if when == "at_risk":
            moment = i18n._("at %(share)s%% of %(target)s") % {"share": round(at_risk_ratio * 100), "target": target}
        else:
            moment = i18n._("at breach") if same_target else i18n._("at breach of %(target)s") % {"target": target}
        parts.append(f"{moment}: {action}")
        last = (when or "", target)
    return " → ".join(parts) or i18n._("none")


def _action_in_words(step: Mapping[str, Any], names: Names) -> str:
    user, team = step.get("to_user_id"), step.get("to_team_id")
    lead = (i18n._("the lead of %(team)s") % {"team": names.of("team_id", team)}) if team else i18n._("the team lead")
    person = names.users.get(user, i18n._("user #%(id)s") % {"id": user}) if user else None
    action = step.get("action")
    if action == "notify_owner":
        return i18n._("notify the owner")
    if action == "notify_lead":
        return i18n._("notify %(whom)s") % {"whom": lead}
    if action == "notify_manager":
        return i18n._("notify %(whom)s") % {"whom": person or i18n._("every manager")}
    if action == "reassign":
        return i18n._("reassign to %(whom)s") % {"whom": person or lead}
    return str(action)


def periods_in_words(periods: Mapping[str, Sequence[Sequence[str]]]) -> list[str]:
    """Consecutive weekdays with the same periods share a line: ``mon–fri 08:00–12:30, 13:30–18:00``."""
    lines: list[str] = []
    runs: list[tuple[list[str], list[tuple[str, ...]]]] = []
    for day in WEEKDAYS:
        pairs = [tuple(pair) for pair in periods.get(day) or []]
        if runs and runs[-1][1] == pairs and runs[-1][0][-1] == WEEKDAYS[WEEKDAYS.index(day) - 1]:
            runs[-1][0].append(day)
        else:
            runs.append(([day], pairs))
    for days, pairs in runs:
        if pairs:
            label = days[0] if len(days) == 1 else f"{days[0]}–{days[-1]}"
            lines.append(f"{label} {', '.join('–'.join(pair) for pair in pairs)}")
    return lines or [i18n._("closed every day")]


def next_holidays(row: BusinessCalendar, today: date | None = None,
                  count: int = NEXT_HOLIDAYS) -> list[tuple[date, str]]:
    """The next ``count`` holidays (from today, in the calendar's time zone) that close a working day."""
    calendar = sla.calendar_of(row)
    if calendar is None:
        return []
    today = today or datetime.now(calendar.zone).date()
    public: Mapping[date, str] = {}
    if calendar.holiday_country:
        public = holiday_library.country_holidays(calendar.holiday_country, subdiv=calendar.holiday_subdivision,
                                                  years=range(today.year, today.year + 3))
    found: list[tuple[date, str]] = []
    for offset in range(HOLIDAY_HORIZON_DAYS):
        day = today + timedelta(days=offset)
        if calendar.periods[day.weekday()] and calendar.is_holiday(day):
            found.append((day, public.get(day) or i18n._("company holiday")))
            if len(found) == count:
                break
    return found


# --- the page --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyView:
    row: SlaPolicy
    calendar: str
    conditions: str
    targets: list[tuple[str, str]]
    escalation: str


@dataclass(frozen=True)
class CalendarView:
    row: BusinessCalendar
    periods: list[str]
    holidays: list[tuple[date, str]]


def _views(request: Request, session: Session, caller: Caller) -> tuple[list[PolicyView], list[CalendarView]]:
    """The policies and calendars as the page shows them, in the reader's words."""
    policies, _ = sla.list_policies(session)
    calendars, _ = sla.list_calendars(session)
    names = Names.load(session, policies)
    calendar_names = {c.id: c.name for c in calendars}
    with i18n.use_locale(page_locale(request, caller.user)):  # the policies in the reader's words
        policy_views = [PolicyView(
            row=p, calendar=calendar_names.get(p.calendar_id, "?") if p.calendar_id else i18n._("24×7 (no calendar)"),
            conditions=conditions_in_words(p.conditions or {}, names),
            targets=[(i18n._(words), duration_in_words(getattr(p, f"{target}_minutes")))
                     for target, words in _TARGETS.items()],
            escalation=escalation_in_words(p.escalation or [], p.at_risk_ratio, names)) for p in policies]
        calendar_views = [CalendarView(row=c, periods=periods_in_words(c.periods or {}), holidays=next_holidays(c))
                          for c in calendars]
    return policy_views, calendar_views


def _page(request: Request, session: Session, caller: Caller, *, error: str | None = None,
          form: Mapping[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    policy_views, calendar_views = _views(request, session, caller)
    return render(request, "loop/sla.html", status_code=status_code, caller=caller, policies=policy_views,
                  calendars=calendar_views, error=error, form=form or {}, priorities=PRIORITIES,
                  periods_example=PERIODS_EXAMPLE, escalation_example=ESCALATION_EXAMPLE)


def _change(request: Request, session: Session, caller: Caller, form: FormData,
            change: Callable[[], object]) -> Response:
    """Apply a change from a form; redirect back on success, re-render with the problem otherwise."""
    try:
        change()
    except NotFound:
        raise
    except (CentricError, ValidationError) as problem:
        session.rollback()
        posted = {key: form.getlist(key) if key == "priority" else form.get(key) for key in form}
        return _page(request, session, caller, error=explain(problem), form=posted, status_code=422)
    return RedirectResponse("/sla", status_code=303)


@router.get("/sla", response_class=HTMLResponse)
def sla_page(request: Request, session: DbSession, caller: CanConfigure) -> Response:
    if fmt := exports.requested(request):
        return exports.respond(_sla_table(request.query_params.get("table") or "policies",
                                          *_views(request, session, caller)), fmt)
    return _page(request, session, caller)


POLICY_COLUMNS: tuple[exports.Column, ...] = (
    ("id", "row.id"), ("position", "row.position"), ("name", "row.name"), ("version", "row.version"),
    ("applies_to", "conditions"), ("first_contact_minutes", "row.first_contact_minutes"),
    ("next_response_minutes", "row.next_response_minutes"), ("resolution_minutes", "row.resolution_minutes"),
    "calendar", ("at_risk_ratio", "row.at_risk_ratio"), "escalation", ("active", "row.active"))
CALENDAR_COLUMNS: tuple[exports.Column, ...] = (
    ("id", "row.id"), ("name", "row.name"), ("timezone", "row.timezone"), ("working_periods", "periods"),
    ("holiday_country", "row.holiday_country"), ("holiday_subdivision", "row.holiday_subdivision"),
    ("own_holidays", lambda c: [str(day) for day in c.row.extra_holidays or []]),
    ("next_holidays", lambda c: [f"{day.isoformat()} {name}" for day, name in c.holidays]))


def _sla_table(name: str, policies: list[PolicyView], calendars: list[CalendarView]) -> exports.Table:
    """One table of the SLA page: ``policies`` (targets in business minutes) or ``calendars``."""
    if name == "policies":
        return exports.table_of("sla-policies", policies, POLICY_COLUMNS)
    if name == "calendars":
        return exports.table_of("sla-calendars", calendars, CALENDAR_COLUMNS)
    raise Invalid(f"table: expected policies or calendars, got {name[:20]!r}", field="table")


@router.post("/sla/calendars")
def create_calendar(request: Request, session: DbSession, caller: CanConfigure, form: CheckedForm) -> Response:
    return _change(request, session, caller, form,
                   lambda: sla.create_calendar(session, calendar_from_form(form)))


@router.post("/sla/policies")
def create_policy(request: Request, session: DbSession, caller: CanConfigure, form: CheckedForm) -> Response:
    def create() -> SlaPolicy:
        policies, _ = sla.list_policies(session)
        next_position = max((p.position for p in policies), default=-1) + 1
        return sla.create_policy(session, policy_from_form(form, next_position))

    return _change(request, session, caller, form, create)


@router.post("/sla/policies/{policy_id}/deactivate")
def deactivate_policy(policy_id: ObjectId, request: Request, session: DbSession, caller: CanConfigure,
                      form: CheckedForm) -> Response:
    return _change(request, session, caller, form, lambda: sla.deactivate_policy(session, policy_id))


@router.post("/sla/policies/{policy_id}/move")
def move_policy(policy_id: ObjectId, request: Request, session: DbSession, caller: CanConfigure,
                form: CheckedForm) -> Response:
    return _change(request, session, caller, form, lambda: _move(session, policy_id, _text(form, "direction")))


def _move(session: Session, policy_id: int, direction: str) -> None:
    """Swap the policy with its neighbour in the order; positions are renumbered 0, 1, 2… where they differ."""
    if direction not in ("up", "down"):
        raise Invalid("direction must be up or down", field="direction")
    ordered, _ = sla.list_policies(session)
    index = next((i for i, p in enumerate(ordered) if p.id == policy_id), None)
    if index is None:
        raise NotFound(f"SLA policy {policy_id} not found")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, policy in enumerate(ordered):
        if policy.position != position:
            sla.update_policy(session, policy.id, PolicyPatch(position=position))
