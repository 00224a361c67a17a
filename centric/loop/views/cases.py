"""HTML pages of the closed loop: the agent inbox, a case beside its customer, and the managers' workload.

Routes parse, call the cases services, and render; a refused action shows the case page
again with the service's message and its 4xx status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from centric import i18n
from centric.accounts.roles import Permission
from centric.chat import reads as chat_reads
from centric.chat.schemas import MAX_REPLY
from centric.db import utcnow
from centric.errors import CentricError, Invalid, explain
from centric.insights.timeline import timeline
from centric.loop import cases, choices, followup, inbox, rootcauses, sla
from centric.loop.case_schemas import (
    AssignIn,
    CaseFilters,
    CaseOut,
    CasePatch,
    CloseIn,
    ContactIn,
    SavedViewIn,
    View,
)
from centric.loop.models import OPEN_STATUSES
from centric.web import exports
from centric.web.deps import MAX_ID, Caller, CanConfigure, CanReadCases, CanWorkCases, CheckedForm, DbSession, ObjectId
from centric.web.templating import page_locale, render

router = APIRouter()
PER_PAGE = 50
TIMELINE_ITEMS = 20
SCOPED_TABS: tuple[View, ...] = ("mine", "team", "unassigned", "at_risk", "breached")
TAB_LABELS = {"mine": "Mine", "team": "Team", "unassigned": "Unassigned", "at_risk": "At risk",
              "breached": "Breached", "all": "All"}
FILTER_KEYS = ("view", "status", "priority", "owner_id", "team_id", "rule_id", "q", "sort")
CALL_OUTCOMES = ("reached", "no_answer", "left_message")


# --- SLA countdowns ------------------------------------------------------------------------


def span(minutes: int) -> str:
    """A duration for a person: ``2 d 3 h``, ``3 h 12 min``, ``5 min`` (loop.js writes the same)."""
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    d, h, m = (i18n._("%(n)s d") % {"n": days}, i18n._("%(n)s h") % {"n": hours},
               i18n._("%(n)s min") % {"n": mins})
    if days:
        return f"{d} {h}" if hours else d
    if hours:
        return f"{h} {m}" if mins else h
    return m


def countdown(due: datetime, now: datetime) -> str:
    """``3 h 12 min left`` before the due time, ``breached 2 h ago`` after it."""
    minutes = int((due - now).total_seconds() // 60)
    if minutes >= 0:
        return i18n._("%(span)s left") % {"span": span(minutes)}
    return i18n._("breached %(span)s ago") % {"span": span(-minutes)}


def next_due(case: CaseOut) -> datetime | None:
    """The due time an agent races now: first contact until it happened, then resolution (open cases only)."""
    if case.status not in OPEN_STATUSES:
        return None
    if case.first_contact_at is None and case.first_contact_due_at is not None:
        return case.first_contact_due_at
    return case.resolution_due_at


@dataclass(frozen=True)
class InboxRow:
    case: CaseOut
    age: str
    due_iso: str | None
    countdown: str


def _row(case: CaseOut, now: datetime) -> InboxRow:
    due = next_due(case)
    return InboxRow(case=case, age=span(int((now - case.created_at).total_seconds() // 60)),
                    due_iso=due.isoformat() + "Z" if due else None, countdown=countdown(due, now) if due else "–")


# --- the inbox -----------------------------------------------------------------------------


def _tabs(caller: Caller) -> tuple[View, ...]:
    return SCOPED_TABS if cases.is_scoped(caller.user) else (*SCOPED_TABS, "all")


def _id(text: str | None, field: str) -> int | None:
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_ID:
        raise Invalid(f"{field} must be a positive whole number", field=field)
    return int(text)


def _given(params: Mapping[str, str]) -> dict[str, str]:
    return {key: value.strip() for key in FILTER_KEYS if (value := params.get(key, "")) and value.strip()}


CASE_COLUMNS: tuple[exports.Column, ...] = (
    "id", "title", "priority", "priority_score", "severity", "status", "sla_state", "customer_id", "customer_name",
    "owner_name", "team_name", "source", "metric", "score", "verbatim", "root_cause", "created_at",
    "first_contact_due_at", "resolution_due_at", "first_contact_at", "resolved_at", "closed_at",
)
"""The inbox's cases with the filters and the caller's scope applied (its readers hold ``cases:read``)."""


def _inbox(request: Request, session: Session, caller: Caller, params: Mapping[str, str], page: int = 1,
           problem: str | None = None, status_code: int = 200) -> Response:
    tabs = _tabs(caller)
    given = _given(params)
    saved_id: int | None = None
    filters, rows, total = CaseFilters(view=tabs[0] if cases.is_scoped(caller.user) else "all"), [], 0
    try:
        saved_id = _id(params.get("saved_view"), "saved_view")
        saved = inbox.get_view(session, saved_id, caller.user) if saved_id else None
        if saved is None and "view" not in given:
            given["view"] = filters.view
        filters = inbox.filters_of(saved, dict(given))
        if fmt := exports.requested(request):
            chosen = filters
            every, count = exports.every(request, session, lambda s, limit, offset: inbox.list_cases(
                s, chosen, caller.user, limit=limit, offset=offset))
            return exports.respond(exports.table_of("cases", every, CASE_COLUMNS, count), fmt)
        found, total = inbox.list_cases(session, filters, caller.user, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        now = utcnow()
        with i18n.use_locale(page_locale(request, caller.user)):
            rows = [_row(case, now) for case in found]
    except (CentricError, ValidationError) as exc:
        problem, status_code = explain(exc), getattr(exc, "status_code", 422)
    sizes = choices.queue_sizes(session, caller.user, tabs)
    keep = {**given, **({"saved_view": str(saved_id)} if saved_id else {})}
    return render(request, "loop/inbox.html", status_code=status_code, caller=caller, filters=filters,
                  tabs=[(tab, TAB_LABELS[tab], sizes[tab]) for tab in tabs], rows=rows, total=total, page=page,
                  pages=max(1, -(-total // PER_PAGE)), keep=urlencode(keep),
                  without_view=urlencode({k: v for k, v in keep.items() if k not in ("view", "saved_view")}),
                  saved_views=inbox.list_views(session, caller.user), saved_id=saved_id,
                  teams=choices.teams(session), rules=choices.rules(session), problem=problem,
                  can_work=caller.can(Permission.WORK_CASES))


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, session: DbSession, caller: CanReadCases,
               page: int = Query(default=1, ge=1, le=100_000)) -> Response:
    """My cases, my team's queue, unassigned, at risk, breached (and all, for managers and analysts)."""
    return _inbox(request, session, caller, request.query_params, page)


@router.post("/inbox/views")
def save_inbox_view(request: Request, session: DbSession, caller: CanReadCases, form: CheckedForm) -> Response:
    """Save the filters of the form as a named view of the caller's inbox."""
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        filters = CaseFilters.model_validate({**_given(fields), "view": fields.get("view") or "all"})
        view = inbox.save_view(session, SavedViewIn(name=fields.get("name", "").strip(), filters=filters),
                               caller.user)
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _inbox(request, session, caller, fields, problem=explain(exc),
                      status_code=getattr(exc, "status_code", 422))
    return RedirectResponse(f"/inbox?saved_view={view.id}", status_code=303)


@router.post("/inbox/views/{view_id}/delete")
def delete_inbox_view(view_id: ObjectId, session: DbSession, caller: CanReadCases, _: CheckedForm) -> Response:
    inbox.delete_view(session, view_id, caller.user)
    return RedirectResponse("/inbox", status_code=303)


# --- the workload (before /cases/{id}, which would take "workload" for an id) ----------------


@router.get("/cases/workload", response_class=HTMLResponse)
def workload_page(request: Request, session: DbSession, caller: CanConfigure) -> Response:
    """Managers: open, at-risk and breached cases by owner and by team, each linking to the inbox."""
    workload = inbox.workload(session)
    if fmt := exports.requested(request):
        rows = [{"by": by, **r.model_dump()} for by, group in (("owner", workload.by_owner),
                                                               ("team", workload.by_team)) for r in group]
        return exports.respond(exports.table_of("workload", rows, ("by", "id", "name", "open", "at_risk",
                                                                   "breached")), fmt)
    return render(request, "loop/workload.html", caller=caller, workload=workload)


# --- a case --------------------------------------------------------------------------------


def _case_page(request: Request, session: Session, caller: Caller, case_id: int, problem: str | None = None,
               status_code: int = 200) -> HTMLResponse:
    detail = inbox.case_detail(session, case_id, caller.user)
    case = cases.get_case(session, case_id, caller.user)
    now = utcnow()
    with i18n.use_locale(page_locale(request, caller.user)):
        clocks = [(clock, clock.state(now), countdown(clock.due_at, now)) for clock in sla.case_clocks(session, case)]
        previous = [_row(c, now) for c in detail.previous_cases]
    items = timeline(session, case.customer_id, limit=TIMELINE_ITEMS)[0] if case.customer_id else []
    can_work = caller.can(Permission.WORK_CASES)
    manages = caller.can(Permission.CONFIGURE)
    conversation = chat_reads.conversation_of_case(session, case.id)  # a chat hand-off: its transcript and reply form
    return render(
        request, "loop/case.html", status_code=status_code, caller=caller, case=detail, clocks=clocks,
        chat=chat_reads.chat_detail(session, conversation) if conversation else None, back=f"/cases/{case.id}",
        max_reply=MAX_REPLY,
        followup=followup.followup_of(session, case), timeline=items, problem=problem, can_work=can_work,
        statuses=sorted(cases.TRANSITIONS.get(case.status, frozenset()) - {"closed", "reopened"}),
        owners=choices.case_owners(session, None if manages else case.team_id) if can_work else [],
        teams=choices.teams(session) if can_work and manages else [],
        root_causes=rootcauses.list_root_causes(session) if can_work else [],
        watchers=choices.user_names(session, detail.watchers), watching=caller.user.id in detail.watchers,
        outcomes=CALL_OUTCOMES,
        previous=previous)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: ObjectId, request: Request, session: DbSession, caller: CanReadCases) -> HTMLResponse:
    """The case, its trail, SLA, follow-up and watchers, beside the customer (value, segments, timeline)."""
    return _case_page(request, session, caller, case_id)


def _act(request: Request, session: Session, caller: Caller, case_id: int, action: Callable[[], int | None],
         back: str | None = None) -> Response:
    """Run a form's action; 303 to the case (or ``back``), or the case page with the refusal."""
    try:
        landed = action()
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _case_page(request, session, caller, case_id, explain(exc), getattr(exc, "status_code", 422))
    return RedirectResponse(back or f"/cases/{landed or case_id}", status_code=303)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _back(form: FormData) -> str | None:
    """Where the inbox asked to return after "assign to me" (only a page of the inbox)."""
    target = _text(form, "next")
    return target if target == "/inbox" or target.startswith("/inbox?") else None


@router.post("/cases/{case_id}/status")
def change_status(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
                  form: CheckedForm) -> Response:
    def act() -> None:
        cases.update_case(session, case_id, CasePatch.model_validate({"status": _text(form, "status")}),
                          caller.user)
    return _act(request, session, caller, case_id, act)


@router.post("/cases/{case_id}/assign")
def assign(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
           form: CheckedForm) -> Response:
    """Assign to an owner (``me`` for the caller) and/or a team."""
    def act() -> None:
        owner = _text(form, "owner_id")
        owner_id = caller.user.id if owner == "me" else _id(owner, "owner_id")
        cases.assign_case(session, case_id, AssignIn(owner_id=owner_id, team_id=_id(_text(form, "team_id"),
                                                                                     "team_id")), caller.user)
    return _act(request, session, caller, case_id, act, _back(form))


@router.post("/cases/{case_id}/notes")
def add_note(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
             form: CheckedForm) -> Response:
    def act() -> None:
        if not _text(form, "body"):
            raise Invalid("write the note first", field="body")
        cases.add_note(session, case_id, _text(form, "body"), caller.user)
    return _act(request, session, caller, case_id, act)


@router.post("/cases/{case_id}/calls")
def log_call(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
             form: CheckedForm) -> Response:
    def act() -> None:
        data = ContactIn.model_validate({"channel": "phone", "outcome": _text(form, "outcome"),
                                         "body": _text(form, "body")})
        cases.contact(session, case_id, data, caller.user)
    return _act(request, session, caller, case_id, act)


@router.post("/cases/{case_id}/emails")
def email_customer(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
                   form: CheckedForm) -> Response:
    def act() -> None:
        case = cases.get_case(session, case_id, caller.user)
        followup.check_may_work(caller.user, case)
        followup.send_case_email(session, case, caller.user.id, _text(form, "subject"), _text(form, "body"))
    return _act(request, session, caller, case_id, act)


@router.post("/cases/{case_id}/close")
def close(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
          form: CheckedForm) -> Response:
    """Close with a root cause (required), the action taken and whether the customer was recovered."""
    def act() -> None:
        data = CloseIn.model_validate({"root_cause": _text(form, "root_cause") or None,
                                       "action_taken": _text(form, "action_taken") or None,
                                       "recovered": _text(form, "recovered") or None,
                                       "resolution": _text(form, "resolution")})
        cases.close_case(session, case_id, data, caller.user)
    return _act(request, session, caller, case_id, act)


@router.post("/cases/{case_id}/reopen")
def reopen(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
           form: CheckedForm) -> Response:
    def act() -> None:
        cases.reopen_case(session, case_id, _text(form, "reason"), caller.user)
    return _act(request, session, caller, case_id, act)


@router.post("/cases/{case_id}/watch")
def watch(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
          form: CheckedForm) -> Response:
    """Watch the case, or stop watching it (``remove=1``)."""
    def act() -> None:
        cases.watch(session, case_id, caller.user.id, remove=_text(form, "remove") == "1", user=caller.user)
    return _act(request, session, caller, case_id, act)


@router.post("/cases/{case_id}/merge")
def merge(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
          form: CheckedForm) -> Response:
    """Merge this duplicate into another case; lands on the case that stays."""
    def act() -> int:
        into = _id(_text(form, "into"), "into")
        if into is None:
            raise Invalid("give the number of the case to merge into", field="into")
        return cases.merge_case(session, case_id, into, caller.user).id
    return _act(request, session, caller, case_id, act)


@router.post("/cases/{case_id}/unmerge")
def unmerge(case_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
            _: CheckedForm) -> Response:
    def act() -> None:
        cases.unmerge_case(session, case_id, caller.user)
    return _act(request, session, caller, case_id, act)
