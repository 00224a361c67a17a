"""HTML pages of the CX maturity assessment (form, results, trend) and the CX index."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from centric.accounts.roles import Permission
from centric.errors import CentricError, Invalid, explain
from centric.mirror import assessments
from centric.mirror.cx_index import cx_index_report
from centric.mirror.maturity import STAGES
from centric.mirror.maturity_schemas import AssessmentIn, AssessmentOut, AssessmentSummary
from centric.web import exports
from centric.web.deps import (
    Caller,
    CanApproveInitiatives,
    CanReadMetrics,
    CanReadMirror,
    CheckedForm,
    DbSession,
    ObjectId,
    form_day,
)
from centric.web.templating import render

router = APIRouter()
TREND_LIMIT = 50


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _overview(request: Request, session: Session, caller: Caller, assessment_id: int | None) -> Response:
    trend, total = assessments.list_assessments(session, limit=TREND_LIMIT, oldest_first=False)
    chosen = assessment_id or (trend[0].id if trend else None)
    result = assessments.detail(session, chosen) if chosen else None
    if fmt := exports.requested(request):
        return exports.respond(_maturity_table(request.query_params.get("table") or "trend", trend, result), fmt)
    return render(request, "mirror/maturity.html", caller=caller, trend=list(reversed(trend)), total=total,
                  result=result, stages=STAGES, can_take=caller.can(Permission.APPROVE_INITIATIVES))


@router.get("/mirror/maturity", response_class=HTMLResponse)
def maturity_page(request: Request, session: DbSession, caller: CanReadMirror) -> Response:
    """The latest assessment's results and the trend across assessments."""
    return _overview(request, session, caller, None)


COMPETENCY_COLUMNS: tuple[exports.Column, ...] = (
    "key", "title", "stage", "stage_name", "previous_stage", "change", "next_steps")
ITEM_COLUMNS: tuple[exports.Column, ...] = (
    "key", "competency", "statement", "rating", "stage_name", "note", ("evidence_stage", "evidence.stage"),
    ("evidence_value", "evidence.value"), ("evidence_n", "evidence.n"), ("evidence", "evidence.sentence"),
    "disagrees")


def _maturity_table(name: str, trend: list[AssessmentSummary], result: AssessmentOut | None) -> exports.Table:
    """One table of the maturity page: the ``trend`` (newest first, a column per competency), or the shown
    assessment's ``competencies`` or ``items`` (self-rating beside evidence)."""
    if name == "trend":
        competencies = list(trend[0].stages) if trend else []
        return exports.table_of("maturity-trend", trend, (
            "id", "taken_on", "title", "version",
            *((f"{key}_stage", lambda a, key=key: a.stages.get(key)) for key in competencies), "overall_stage"))
    if name not in ("competencies", "items"):
        raise Invalid(f"table: expected trend, competencies or items, got {name[:20]!r}", field="table")
    if result is None:
        raise Invalid("no assessment yet")
    if name == "competencies":
        return exports.table_of(f"maturity-{result.id}-competencies", result.competencies, COMPETENCY_COLUMNS)
    return exports.table_of(f"maturity-{result.id}-items", result.ratings, ITEM_COLUMNS)


def _form_page(request: Request, session: Session, caller: Caller, values: dict[str, str], problem: str | None = None,
               status_code: int = 200) -> HTMLResponse:
    return render(request, "mirror/maturity_form.html", status_code=status_code, caller=caller,
                  q=assessments.questionnaire_out(session), values=values, problem=problem, stages=STAGES)


@router.get("/mirror/maturity/new", response_class=HTMLResponse)
def new_assessment(request: Request, session: DbSession, caller: CanApproveInitiatives) -> HTMLResponse:
    """The questionnaire by competency, each item with the evidence Centric has today."""
    return _form_page(request, session, caller, {"taken_on": date.today().isoformat()})


@router.post("/mirror/maturity")
def take_assessment(request: Request, session: DbSession, caller: CanApproveInitiatives,
                    form: CheckedForm) -> Response:
    values = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str) and k != "csrf"}
    ratings = []
    for key, value in values.items():
        if key.startswith("rating:"):
            item = key.removeprefix("rating:")
            ratings.append({"item_key": item, "rating": value, "note": values.get(f"note:{item}", "")})
    try:
        if any(not r["rating"].isdigit() for r in ratings):
            bad = next(r["item_key"] for r in ratings if not r["rating"].isdigit())
            raise Invalid(f"ratings: item {bad} needs a stage from 1 to 5", field=f"ratings.{bad}")
        data = AssessmentIn.model_validate({"title": _text(form, "title"), "notes": _text(form, "notes"),
                                            "taken_on": _text(form, "taken_on") or None, "ratings": ratings})
        created = assessments.take(session, data, caller.user)
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _form_page(request, session, caller, values, explain(exc), getattr(exc, "status_code", 422))
    return RedirectResponse(f"/mirror/maturity/{created.id}", status_code=303)


@router.get("/mirror/maturity/{assessment_id}", response_class=HTMLResponse)
def assessment_page(assessment_id: ObjectId, request: Request, session: DbSession,
                    caller: CanReadMirror) -> Response:
    return _overview(request, session, caller, assessment_id)



@router.get("/mirror/cx-index", response_class=HTMLResponse)
def cx_index_page(request: Request, session: DbSession, caller: CanReadMetrics,
                  since: str | None = Query(None, max_length=40),
                  until: str | None = Query(None, max_length=40)) -> HTMLResponse:
    report = cx_index_report(session, since=form_day(since, "since"), until=form_day(until, "until"))
    return render(request, "mirror/cx_index.html", caller=caller, r=report)
