"""HTML pages of personas: the list, a persona's page, a comparison, and the segment editor with preview.

The editor works without JavaScript: its form has a "Preview" button that shows the live
member count of the rule as typed (nothing saved) and a "Save" button.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from centric import i18n
from centric.accounts.roles import Permission
from centric.customers.service import get_segment
from centric.errors import CentricError, explain
from centric.maps import personas
from centric.web import exports
from centric.web.deps import Caller, CanConfigure, CanReadMetrics, CheckedForm, DbSession, ReadSession
from centric.web.templating import render

router = APIRouter()
# Case states and priorities on the persona page, shown as stored and translated where shown.
SHOWN_AS_STORED = (i18n.N_("new"), i18n.N_("open"), i18n.N_("waiting"), i18n.N_("resolved"), i18n.N_("closed"),
                   i18n.N_("reopened"), i18n.N_("low"), i18n.N_("normal"), i18n.N_("high"), i18n.N_("urgent"))
BLANK_ROWS = 3


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _scalar(text: str) -> Any:
    """A form value as the rule stores it: numbers and true/false as such, anything else as text."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def conditions_of(form: FormData) -> list[dict[str, Any]]:
    """The editor's rows (``attribute``/``op``/``value`` repeated) as rule conditions; empty rows dropped."""
    names, ops, values = form.getlist("attribute"), form.getlist("op"), form.getlist("value")
    out = []
    for i, name in enumerate(names):
        attribute = name.strip() if isinstance(name, str) else ""
        if not attribute:
            continue
        op = ops[i] if i < len(ops) and isinstance(ops[i], str) else "eq"
        given = values[i] if i < len(values) else ""
        raw = given.strip() if isinstance(given, str) else ""
        value: Any = None if op == "exists" else (
            [_scalar(v.strip()) for v in raw.split(",") if v.strip()] if op == "in" else _scalar(raw))
        out.append({"attribute": attribute, "op": op, "value": value})
    return out


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


PERSONA_COLUMNS: tuple[exports.Column, ...] = (
    "key", "name", "kind", "description", "members", ("nps", "nps.value"), ("nps_low", "nps.low"),
    ("nps_high", "nps.high"), ("nps_n", "nps.n"), ("clv_mean", "value.clv_mean"), ("clv_scored", "value.scored"),
    ("churn_risk_mean", "value.churn_risk_mean"), ("high_risk_share", "value.high_risk_share"),
)
"""The persona cards as a table: aggregates only (viewers may read it)."""


@router.get("/personas", response_class=HTMLResponse)
def personas_page(request: Request, session: ReadSession, caller: CanReadMetrics) -> Response:
    rows, _ = personas.list_personas(session, "all")
    if fmt := exports.requested(request):
        return exports.respond(exports.table_of("personas", rows, PERSONA_COLUMNS), fmt)
    return render(request, "maps/personas.html", caller=caller, rows=rows,
                  can_edit=caller.can(Permission.CONFIGURE))


@router.get("/personas/compare", response_class=HTMLResponse)
def compare_page(request: Request, session: ReadSession, caller: CanReadMetrics,
                 keys: str = Query(default="", max_length=400), start: date | None = None,
                 end: date | None = None) -> HTMLResponse:
    chosen = [k for k in keys.split(",") if k.strip()]
    rows, _ = personas.list_personas(session, "all")
    problem, status, reports = None, 200, None
    if chosen:
        try:
            reports = personas.compare_personas(session, chosen, start=start, end=end,
                                                customers=caller.can(Permission.READ_CUSTOMERS)).personas
        except CentricError as exc:
            problem, status = explain(exc), exc.status_code
    return render(request, "maps/persona_compare.html", status_code=status, caller=caller, rows=rows,
                  chosen=chosen, reports=reports, problem=problem, journeys=personas.journeys(session))


@router.get("/personas/{key}", response_class=HTMLResponse)
def persona_page(key: str, request: Request, session: ReadSession, caller: CanReadMetrics,
                 start: date | None = None, end: date | None = None) -> HTMLResponse:
    report = personas.persona_report(session, key, start=start, end=end,
                                     customers=caller.can(Permission.READ_CUSTOMERS))
    return render(request, "maps/persona.html", caller=caller, r=report, points=personas.trend_points(report.trend),
                  top=max([1] + [p.active for p in report.trend]), can_edit=caller.can(Permission.CONFIGURE))


def _editor(request: Request, session: Session, caller: Caller, values: dict[str, Any], *, key: str | None,
            result: personas.PreviewOut | None = None, problem: str | None = None,
            status_code: int = 200) -> HTMLResponse:
    rows = [{"attribute": c.get("attribute", ""), "op": c.get("op", "eq"), "value": _shown(c.get("value"))}
            for c in values.get("rule", [])]
    rows += [{"attribute": "", "op": "eq", "value": ""}] * BLANK_ROWS
    return render(request, "maps/segment_edit.html", status_code=status_code, caller=caller, key=key, v=values,
                  rows=rows, result=result, problem=problem, ops=personas.OP_WORDS, metrics=personas.METRIC_LABELS)


@router.get("/segments/new", response_class=HTMLResponse)
def new_segment(request: Request, session: ReadSession, caller: CanConfigure) -> HTMLResponse:
    return _editor(request, session, caller, {"kind": "persona", "rule": []}, key=None)


@router.get("/segments/{key}/edit", response_class=HTMLResponse)
def edit_segment(key: str, request: Request, session: ReadSession, caller: CanConfigure) -> HTMLResponse:
    segment = get_segment(session, key)
    values = {"key": segment.key, "name": segment.name, "kind": segment.kind, "description": segment.description,
              "rule": list(segment.rule or [])}
    return _editor(request, session, caller, values, key=key,
                   result=personas.preview(session, values["rule"],
                                           with_sample=caller.can(Permission.READ_CUSTOMERS)) if values["rule"]
                   else None)


def _submit(request: Request, session: Session, caller: Caller, form: FormData, key: str | None) -> Response:
    values: dict[str, Any] = {"key": key or _text(form, "key"), "name": _text(form, "name"),
                              "kind": _text(form, "kind") or "persona", "description": _text(form, "description"),
                              "rule": conditions_of(form)}
    try:
        if _text(form, "action") == "preview":
            result = personas.preview(session, values["rule"], with_sample=caller.can(Permission.READ_CUSTOMERS))
            return _editor(request, session, caller, values, key=key, result=result)
        data = personas.SegmentSave.model_validate(values)
        save = personas.save_segment if key else personas.create_only
        saved = save(session, values["key"], data, caller.user.id)
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _editor(request, session, caller, values, key=key, problem=explain(exc),
                       status_code=getattr(exc, "status_code", 422))
    return RedirectResponse(f"/personas/{saved.key}", status_code=303)


@router.post("/segments/new")
def create_segment(request: Request, session: DbSession, caller: CanConfigure, form: CheckedForm) -> Response:
    return _submit(request, session, caller, form, None)


@router.post("/segments/{key}/edit")
def update_segment(key: str, request: Request, session: DbSession, caller: CanConfigure,
                   form: CheckedForm) -> Response:
    get_segment(session, key)
    return _submit(request, session, caller, form, key)
