"""HTML pages of the closed loop: the alert rules page (list, create from presets, preview, apply)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.roles import Permission
from centric.db import utcnow
from centric.errors import CentricError, Invalid, explain
from centric.loop import alert_jobs, alerts
from centric.loop.rule_schemas import PreviewOut, RuleIn
from centric.web import exports
from centric.web.deps import Caller, CanConfigure, CanReadCases, CheckedForm, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()
# What a rule applies to, as the page names it (translated in the template).
APPLIES_TO_LABELS = (i18n.N_("response"), i18n.N_("feedback"))

PRESETS: dict[str, dict[str, Any]] = {
    "detractor": {"name": i18n.N_("Detractor (NPS ≤ 6)"), "applies_to": "response", "severity": 3,
                  "condition": {"all": [{"field": "nps", "op": "lte", "value": 6}]}},
    "csat": {"name": i18n.N_("Unhappy (CSAT ≤ 2)"), "applies_to": "response", "severity": 2,
             "condition": {"all": [{"field": "csat", "op": "lte", "value": 2}]}},
    "ces": {"name": i18n.N_("High effort (CES ≥ 5)"), "applies_to": "response", "severity": 2,
            "condition": {"all": [{"field": "ces", "op": "gte", "value": 5}]}},
    "ticket": {"name": i18n.N_("Negative actionable ticket"), "applies_to": "feedback", "severity": 3,
               "condition": {"all": [{"field": "sentiment_label", "op": "eq", "value": "negative"},
                                     {"field": "actionable", "op": "eq", "value": True}]}},
}


def _page(request: Request, session: Session, caller: Caller, *, form: dict[str, Any] | None = None,
          error: str | None = None, preview: PreviewOut | None = None, applied: int | None = None,
          status_code: int = 200) -> HTMLResponse:
    rules, _ = alerts.list_rules(session)
    preset = form or {**PRESETS["detractor"], "name": ""}
    return render(request, "loop/rules.html", status_code=status_code, caller=caller,
                  rules=alerts.rule_outs(session, rules), presets=PRESETS, error=error, preview=preview,
                  applied=applied, can_configure=caller.can(Permission.CONFIGURE),
                  form={**preset, "condition_json": json.dumps(preset["condition"], indent=2, ensure_ascii=False)})


@router.get("/alert-rules", response_class=HTMLResponse)
def rules_page(request: Request, session: DbSession, caller: CanReadCases,
               preset: str | None = Query(default=None, max_length=20),
               applied: int | None = Query(default=None, ge=1, le=2**62)) -> Response:
    if fmt := exports.requested(request):
        rules, _ = alerts.list_rules(session)
        return exports.respond(exports.table_of("alert-rules", alerts.rule_outs(session, rules), RULE_COLUMNS), fmt)
    return _page(request, session, caller, form=PRESETS.get(preset or ""), applied=applied)


# What the page shows of each rule (not its actions: recipients and hooks stay on the rule's own form).
RULE_COLUMNS: tuple[exports.Column, ...] = (
    "id", "name", "description", "version", "applies_to", "condition", "severity", "dedupe_hours", "matches",
    "cases", "active")


@router.post("/alert-rules")
def create_rule(request: Request, session: DbSession, caller: CanConfigure, _: CheckedForm,
                name: str = Form(max_length=200), applies_to: str = Form(default="response", max_length=20),
                condition: str = Form(max_length=50_000), severity: int = Form(default=2),
                dedupe_hours: int = Form(default=72), description: str = Form(default="", max_length=2000),
                open_case: bool = Form(default=False), emails: str = Form(default="", max_length=5000),
                webhook: bool = Form(default=False)) -> Response:
    form = {"name": name, "applies_to": applies_to, "severity": severity, "dedupe_hours": dedupe_hours,
            "description": description, "open_case": open_case, "emails": emails, "webhook": webhook}
    try:
        try:
            parsed = json.loads(condition)
        except ValueError as exc:
            raise Invalid(f"is not JSON: {exc}", field="condition") from None
        form["condition"] = parsed
        addresses = [e.strip() for e in emails.replace(";", ",").split(",") if e.strip()]
        alerts.create_rule(session, RuleIn.model_validate({
            "name": name.strip(), "description": description, "applies_to": applies_to, "condition": parsed,
            "severity": severity, "dedupe_hours": dedupe_hours,
            "actions": {"open_case": open_case, "notify": {"emails": addresses, "webhook": webhook}}}),
            caller.user.id)
    except (CentricError, ValidationError) as problem:
        session.rollback()
        form.setdefault("condition", {})
        return _page(request, session, caller, form=form, error=explain(problem), status_code=422)
    return RedirectResponse("/alert-rules", status_code=303)


@router.post("/alert-rules/{rule_id}/deactivate")
def deactivate_rule(rule_id: ObjectId, session: DbSession, caller: CanConfigure, _: CheckedForm) -> Response:
    alerts.deactivate_rule(session, rule_id, caller.user.id)
    return RedirectResponse("/alert-rules", status_code=303)


@router.get("/alert-rules/{rule_id}/preview", response_class=HTMLResponse)
def preview_rule(rule_id: ObjectId, request: Request, session: DbSession, caller: CanConfigure,
                 days: int = Query(default=30, ge=1, le=3650)) -> HTMLResponse:
    """How many of the last ``days`` days' sources the rule matches, and the cases applying would open."""
    result = alert_jobs.preview(session, rule_id, utcnow() - timedelta(days=days))
    return _page(request, session, caller, preview=result)


@router.post("/alert-rules/{rule_id}/apply")
def apply_rule(rule_id: ObjectId, session: DbSession, _: CanConfigure, __: CheckedForm,
               days: int = Form(default=30, ge=1, le=3650)) -> Response:
    job = alert_jobs.enqueue_apply(session, rule_id, utcnow() - timedelta(days=days))
    session.flush()
    return RedirectResponse(f"/alert-rules?applied={job.id}", status_code=303)
