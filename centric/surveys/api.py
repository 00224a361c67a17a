"""JSON routes for surveys (builder, publishing, links) and responses."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.errors import NotFound
from centric.surveys import service
from centric.surveys.links import personal_link, public_link
from centric.surveys.listing import list_responses
from centric.surveys.schemas import (
    LinkIn,
    LinkOut,
    ResponseIn,
    ResponseOut,
    SurveyDetailOut,
    SurveyDraftIn,
    SurveyIn,
    SurveyOut,
    SurveyStatusIn,
    TemplateOut,
    VersionOut,
)
from centric.web import exports
from centric.web.deps import (
    MAX_ID,
    AppSettings,
    CanConfigure,
    CanIngest,
    CanReadCustomers,
    CanReadMetrics,
    DbSession,
    Page,
    Paging,
)
from centric.web.responses import created

router = APIRouter(tags=["surveys"])


@router.get("/surveys", response_model=Page[SurveyOut])
def list_surveys(session: DbSession, _: CanReadMetrics, paging: Paging) -> Page[SurveyOut]:
    rows, total = service.list_surveys(session, paging.limit, paging.offset)
    return paging.of(rows, total)


@router.get("/responses", response_model=Page[ResponseOut], responses=exports.FILE_RESPONSES)
def stored_responses(request: Request, session: DbSession, _: CanReadCustomers, paging: Paging,
              survey: str | None = Query(default=None, max_length=80, description="a survey's key"),
              touchpoint: str | None = Query(default=None, max_length=80, description="a touchpoint's key"),
              start: date | None = Query(default=None, description="submitted on or after this day"),
              end: date | None = Query(default=None, description="submitted before this day"),
              customer_id: int | None = Query(default=None, ge=1, le=MAX_ID)) -> Page[ResponseOut] | Response:
    """Stored responses, newest first, with their answers; ``Accept: text/csv`` for all matching as a file."""
    def fetch(s: Session, limit: int, offset: int) -> tuple[list[ResponseOut], int]:
        return list_responses(s, survey=survey, touchpoint=touchpoint, start=start, end=end,
                              customer_id=customer_id, limit=limit, offset=offset)

    if file := exports.listing(request, session, "responses", exports.columns_of(ResponseOut, ("created",)), fetch):
        return file
    return paging.of(*fetch(session, paging.limit, paging.offset))


@router.post("/surveys", response_model=SurveyOut, status_code=201)
def create_survey(data: SurveyIn, session: DbSession, caller: CanConfigure) -> SurveyOut:
    survey = service.create_survey(session, data, caller.user.id)
    return service.survey_outs(session, [survey])[0]


@router.get("/survey-templates", response_model=Page[TemplateOut])
def list_templates(_: CanReadMetrics, paging: Paging) -> Page[TemplateOut]:
    return paging.cut(service.template_outs())


@router.get("/surveys/{survey_key}", response_model=SurveyDetailOut)
def get_survey(survey_key: str, session: DbSession, _: CanReadMetrics) -> SurveyDetailOut:
    return service.survey_detail(session, service.get_survey(session, survey_key))


@router.patch("/surveys/{survey_key}", response_model=SurveyDetailOut)
def update_draft(survey_key: str, data: SurveyDraftIn, session: DbSession, caller: CanConfigure) -> SurveyDetailOut:
    """Edit the draft and settings; published versions stay as they are."""
    survey = service.update_draft(session, service.get_survey(session, survey_key), data, caller.user.id)
    return service.survey_detail(session, survey)


@router.post("/surveys/{survey_key}/publish", response_model=SurveyDetailOut)
def publish(survey_key: str, session: DbSession, caller: CanConfigure) -> SurveyDetailOut:
    """Publish the draft as a new immutable version (no new version when nothing changed)."""
    survey = service.get_survey(session, survey_key)
    service.publish(session, survey, caller.user.id)
    return service.survey_detail(session, survey)


@router.post("/surveys/{survey_key}/status", response_model=SurveyDetailOut)
def set_status(survey_key: str, data: SurveyStatusIn, session: DbSession, caller: CanConfigure) -> SurveyDetailOut:
    survey = service.set_status(session, service.get_survey(session, survey_key), data.status, caller.user.id)
    return service.survey_detail(session, survey)


@router.get("/surveys/{survey_key}/versions/{number}", response_model=VersionOut)
def get_version(survey_key: str, number: int, session: DbSession, _: CanReadMetrics) -> VersionOut:
    detail = service.survey_detail(session, service.get_survey(session, survey_key))
    found = next((v for v in detail.versions if v.version == number), None)
    if found is None:
        raise NotFound(f"survey {survey_key!r} has no version {number}", field="version")
    return found


@router.post("/surveys/{survey_key}/links", response_model=LinkOut)
def make_link(survey_key: str, data: LinkIn, session: DbSession, settings: AppSettings,
              _: CanConfigure) -> LinkOut:
    """The public link, or a signed personal (optionally one-click) link for one customer."""
    survey = service.get_survey(session, survey_key)
    if data.customer_id is None:
        return LinkOut(url=public_link(settings, survey.key))
    return LinkOut(url=personal_link(session, settings, survey, data.customer_id, data.invitation_id,
                                     data.ttl_days, data.score))


@router.post("/responses", response_model=ResponseOut, status_code=201)
def submit_response(data: ResponseIn, request: Request, session: DbSession, caller: CanIngest) -> JSONResponse:
    def make() -> tuple[ResponseOut, bool]:
        out = service.submit_response(session, data, caller.user.id,
                                      may_merge=caller.can(Permission.WRITE_CUSTOMERS))
        return out, out.created

    return created(request, session, caller, data, make)
