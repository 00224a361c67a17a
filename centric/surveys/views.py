"""HTML pages of the survey builder (managers); the respondent pages (no login) are in
:mod:`centric.surveys.public`."""

from __future__ import annotations

import json

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from centric import i18n
from centric.accounts.roles import Permission
from centric.config import Settings
from centric.errors import CentricError, Invalid, explain
from centric.journeys.service import list_touchpoints
from centric.outreach import service as outreach
from centric.surveys import builder, respond, service
from centric.surveys.links import personal_link, public_link
from centric.surveys.locale import pick_locale
from centric.surveys.public import page_html
from centric.surveys.questions import parse_questions
from centric.surveys.schemas import SurveyIn
from centric.surveys.templates import TEMPLATES
from centric.web import exports
from centric.web.deps import (
    AppSettings,
    Caller,
    CanConfigure,
    CanReadMetrics,
    CheckedForm,
    DbSession,
)
from centric.web.templating import render

router = APIRouter()

# Survey and invitation states are shown as stored and translated where shown (`_(status)`).
SHOWN_AS_STORED = (i18n.N_("draft"), i18n.N_("active"), i18n.N_("closed"), i18n.N_("scheduled"), i18n.N_("queued"),
                   i18n.N_("sent"), i18n.N_("failed"), i18n.N_("suppressed"), i18n.N_("answered"))
QUESTION_TYPES = ("nps", "csat", "ces", "rating", "choice", "text", "hidden")
EDIT_FORM_MAX_BYTES = 512 * 1024


@router.get("/surveys", response_class=HTMLResponse)
def surveys(request: Request, session: DbSession, caller: CanReadMetrics) -> Response:
    listed = service.list_surveys(session)[0]
    if fmt := exports.requested(request):
        return exports.respond(exports.table_of("surveys", listed, SURVEY_COLUMNS), fmt)
    return render(request, "surveys/list.html", caller=caller, surveys=listed,
                  templates=TEMPLATES.values(), touchpoints=list_touchpoints(session), error=None,
                  can_edit=caller.can(Permission.CONFIGURE))


SURVEY_COLUMNS: tuple[exports.Column, ...] = (
    "id", "key", "name", "kind", "status", "touchpoint", "version", "responses")


@router.post("/surveys")
def create(request: Request, session: DbSession, caller: CanConfigure, _: CheckedForm, key: str = Form(max_length=80),
           name: str = Form(max_length=200), template: str = Form(default="", max_length=80),
           touchpoint: str = Form(default="", max_length=80)) -> Response:
    kind = TEMPLATES[template].kind if template in TEMPLATES else "nps"
    try:
        data = SurveyIn(key=key.strip(), name=name.strip(), kind=kind, template=template or None,
                        touchpoint=touchpoint or None, status="draft", languages=["en", "zh"])
        survey = service.create_survey(session, data, caller.user.id)
    except (ValidationError, CentricError) as problem:
        session.rollback()
        return render(request, "surveys/list.html", status_code=422, caller=caller,
                      surveys=service.list_surveys(session)[0], templates=TEMPLATES.values(),
                      touchpoints=list_touchpoints(session), error=explain(problem, name_field=False), can_edit=True)
    return RedirectResponse(f"/surveys/{survey.key}/edit", status_code=303)


@router.get("/surveys/{survey_key}", response_class=HTMLResponse)
def detail(survey_key: str, request: Request, session: DbSession,
           settings: AppSettings,
           caller: CanReadMetrics) -> HTMLResponse:
    return _detail(request, session, settings, caller, survey_key)


def _detail(request: Request, session: Session, settings: Settings, caller: Caller, survey_key: str,
            link: str | None = None, error: str | None = None, status: int = 200) -> HTMLResponse:
    survey = service.get_survey(session, survey_key)
    # Skips are per-customer rows: shown to those who may read customers, counts to everyone.
    skips = outreach.list_skips(session, survey=survey.key, limit=20) if caller.can(Permission.READ_CUSTOMERS) else None
    return render(request, "surveys/detail.html", status_code=status, caller=caller, survey=survey,
                  invitations=outreach.invitation_counts(session, survey.id), skips=skips,
                  detail=service.survey_detail(session, survey), public_url=public_link(settings, survey.key),
                  base=public_link(settings, survey.key).rsplit("/s/", 1)[0], link=link, error=error,
                  can_edit=caller.can(Permission.CONFIGURE))


@router.get("/surveys/{survey_key}/edit", response_class=HTMLResponse)
def edit(survey_key: str, request: Request, session: DbSession, caller: CanConfigure) -> HTMLResponse:
    survey = service.get_survey(session, survey_key)
    return _editor(request, session, caller, survey, service.survey_detail(session, survey).draft)


def _editor(request: Request, session: Session, caller: Caller, survey, questions: list, *,
            error: str | None = None, status: int = 200) -> HTMLResponse:
    detail = service.survey_detail(session, survey)
    return render(request, "surveys/edit.html", status_code=status, caller=caller, survey=survey, detail=detail,
                  questions=questions, questions_json=json.dumps(questions, ensure_ascii=False, indent=2),
                  types=QUESTION_TYPES, ops=builder.OPS, touchpoints=list_touchpoints(session), error=error,
                  languages=detail.languages, describe=builder.describe_condition,
                  condition_value=builder.condition_value)


@router.post("/surveys/{survey_key}/edit")
async def save(survey_key: str, request: Request, session: DbSession, caller: CanConfigure,
               posted: CheckedForm) -> Response:
    form = {name: [v for v in posted.getlist(name) if isinstance(v, str)] for name in posted}
    if sum(len(name) + sum(map(len, values)) for name, values in form.items()) > EDIT_FORM_MAX_BYTES:
        raise Invalid("the survey is too large to save at once")
    return await run_in_threadpool(_save, request, session, caller, survey_key, form)


def _save(request: Request, session: Session, caller: Caller, survey_key: str, form: dict[str, list[str]]) -> Response:
    survey = service.get_survey(session, survey_key)
    questions: list | None = None
    try:
        draft = builder.settings_from_form(form)
        questions = builder.questions_from_form(form, draft.languages or ["en"])
        service.update_draft(session, survey, draft.model_copy(update={"questions": questions}), caller.user.id)
    except (ValidationError, CentricError) as problem:
        session.rollback()
        survey = service.get_survey(session, survey_key)
        shown = questions if questions is not None else service.survey_detail(session, survey).draft
        return _editor(request, session, caller, survey, shown, error=explain(problem, name_field=False), status=422)
    if (form.get("then") or [""])[0] == "publish":
        service.publish(session, survey, caller.user.id)
        return RedirectResponse(f"/surveys/{survey_key}", status_code=303)
    return RedirectResponse(f"/surveys/{survey_key}/edit", status_code=303)


@router.post("/surveys/{survey_key}/publish")
def publish(survey_key: str, session: DbSession, caller: CanConfigure, _: CheckedForm) -> Response:
    service.publish(session, service.get_survey(session, survey_key), caller.user.id)
    return RedirectResponse(f"/surveys/{survey_key}", status_code=303)


@router.post("/surveys/{survey_key}/status")
def status(survey_key: str, session: DbSession, caller: CanConfigure, _: CheckedForm,
           status: str = Form(max_length=20)) -> Response:
    service.set_status(session, service.get_survey(session, survey_key), status, caller.user.id)
    return RedirectResponse(f"/surveys/{survey_key}", status_code=303)


@router.post("/surveys/{survey_key}/link", response_class=HTMLResponse)
def make_link(survey_key: str, request: Request, session: DbSession, settings: AppSettings,
              caller: CanConfigure, _: CheckedForm, customer_id: int = Form()) -> HTMLResponse:
    try:
        link = personal_link(session, settings, survey_key, customer_id)
    except CentricError as problem:
        return _detail(request, session, settings, caller, survey_key, error=problem.message, status=404)
    return _detail(request, session, settings, caller, survey_key, link=link)


@router.get("/surveys/{survey_key}/preview", response_class=HTMLResponse)
def preview(survey_key: str, request: Request, session: DbSession, caller: CanReadMetrics,
            lang: str | None = Query(default=None, max_length=10)) -> HTMLResponse:
    """The draft as respondents would see it, every question on one page; nothing is stored."""
    survey = service.get_survey(session, survey_key)
    questions = parse_questions(service.survey_detail(session, survey).draft)
    locale = pick_locale(list(survey.languages or ["en"]), lang, request.headers.get("accept-language"))
    view = respond.preview_page(survey, questions, locale)
    conditions = {q.key: builder.describe_condition(q) for q in questions if q.show_if}
    return HTMLResponse(page_html(request, view, conditions))
