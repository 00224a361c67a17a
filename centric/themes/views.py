"""HTML pages of text analytics: theme insight, taxonomy editor, proposals, verbatim explorer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.roles import Permission
from centric.customers.service import list_segments
from centric.errors import CentricError, Invalid, explain
from centric.journeys.service import list_touchpoints
from centric.search import COUNT_CAP
from centric.themes import proposals, service
from centric.themes.api import apply_action, text_status_of
from centric.themes.drivers import theme_drivers
from centric.themes.insight import theme_insight
from centric.themes.schemas import (
    InsightFilter,
    ProposalAction,
    ThemeIn,
    ThemeUpdate,
    VerbatimQuery,
)
from centric.themes.taxonomy import load_document
from centric.themes.verbatims import search_verbatims
from centric.web import exports
from centric.web.deps import (
    Caller,
    CanEditThemes,
    CanReadCustomers,
    CanReadMetrics,
    CheckedForm,
    DbSession,
    ObjectId,
    PageRequest,
)
from centric.web.templating import render


def verbatims_table(request: Request, session: Session, query: VerbatimQuery) -> exports.Table:
    """Every verbatim matching ``query`` (its readers hold ``customers:read``)."""
    found, total = exports.every(request, session, lambda s, limit, offset: search_verbatims(s, query, limit, offset))
    return exports.table_of("verbatims", found, VERBATIM_COLUMNS, total)

router = APIRouter()

# Sentiment labels and job states are shown as stored and translated where shown (`_(label)`).
SHOWN_AS_STORED = (i18n.N_("positive"), i18n.N_("negative"), i18n.N_("neutral"), i18n.N_("mixed"),
                   i18n.N_("queued"), i18n.N_("running"), i18n.N_("done"), i18n.N_("failed"))
VERBATIMS_PER_PAGE = 25


def _choices(session: Session) -> dict:
    return {"touchpoints": list_touchpoints(session), "segments": [s for s, _ in list_segments(session)[0]]}


@router.get("/themes", response_class=HTMLResponse)
def themes_page(request: Request, f: Annotated[InsightFilter, Query()], session: DbSession,
                caller: CanReadMetrics) -> Response:
    result, problem = None, None
    try:
        result = theme_insight(session, f)
    except CentricError as exc:
        problem = exc.message
    if fmt := exports.requested(request):
        if result is None:
            raise Invalid(problem or "no theme insight for these filters")
        return exports.respond(exports.table_of("themes", result.themes, THEME_COLUMNS), fmt)
    drivers, drivers_problem = None, None
    if result is not None:
        try:
            drivers = theme_drivers(session, f, n_boot=100)
        except CentricError as exc:
            drivers_problem = exc.message
    return render(request, "themes/insight.html", caller=caller, f=f, result=result, problem=problem, drivers=drivers,
                  drivers_problem=drivers_problem, **_choices(session))


THEME_COLUMNS: tuple[exports.Column, ...] = (
    "path", "label", "volume", "share", "sentiment", "negative", "neutral", "positive",
    ("nps_impact", "impact.impact"), ("nps_impact_low", "impact.low"), ("nps_impact_high", "impact.high"),
    ("nps_with_theme", "impact.nps_theme"), ("nps_without_theme", "impact.nps_without"),
    ("responses_with_theme", "impact.n_theme"),
)
"""The theme insight table: aggregates only (viewers may read it)."""
VERBATIM_COLUMNS: tuple[exports.Column, ...] = (
    "id", "occurred_at", "text", "customer_id", "customer_name", "touchpoint", "channel", "rating", "language",
    "sentiment", "sentiment_label", "actionable", ("themes", lambda v: [t.path for t in v.themes]),
)


# --- the taxonomy -----------------------------------------------------------------------

def _taxonomy_page(request: Request, session: Session, caller: Caller, error: str | None = None,
                   status_code: int = 200) -> HTMLResponse:
    return render(request, "themes/taxonomy.html", status_code=status_code, caller=caller,
                  themes=service.list_themes(session, with_examples=caller.can(Permission.READ_CUSTOMERS))[0],
                  error=error, can_edit=caller.can(Permission.EDIT_THEMES), text_status=text_status_of(session))


@router.get("/themes/taxonomy", response_class=HTMLResponse)
def taxonomy_page(request: Request, session: DbSession, caller: CanReadMetrics) -> HTMLResponse:
    return _taxonomy_page(request, session, caller)


def _phrases(en: str, zh: str, separator: str) -> dict[str, list[str]]:
    split = (lambda text: [p.strip() for p in text.replace("，", ",").split(",")]) if separator == "," else (
        lambda text: [p.strip() for p in text.splitlines()])
    return {lang: [p for p in split(text) if p] for lang, text in (("en", en), ("zh", zh))}


def _edit(request: Request, session: Session, caller: Caller, change) -> Response:
    """Apply a taxonomy change from a form; redirect on success, show the page with the error otherwise."""
    try:
        change()
    except (CentricError, ValidationError) as problem:
        session.rollback()
        return _taxonomy_page(request, session, caller, explain(problem, name_field=False), 422)
    return RedirectResponse("/themes/taxonomy", status_code=303)


@router.post("/themes/taxonomy")
def create_theme(request: Request, session: DbSession, caller: CanEditThemes, _: CheckedForm,
                 name: str = Form(max_length=80), parent: str = Form(default="", max_length=200),
                 label: str = Form(default="", max_length=200),
                 keywords_en: str = Form(default="", max_length=20_000),
                 keywords_zh: str = Form(default="", max_length=20_000)) -> Response:
    return _edit(request, session, caller, lambda: service.create_theme(session, ThemeIn(
        name=name.strip(), parent=parent or None, label=label or None,
        keywords=_phrases(keywords_en, keywords_zh, ","))))


@router.post("/themes/taxonomy/import")
def import_taxonomy(request: Request, session: DbSession, caller: CanEditThemes, _: CheckedForm,
                    document: str = Form(max_length=2_000_000)) -> Response:
    return _edit(request, session, caller, lambda: service.import_document(session, load_document(document)))


@router.post("/themes/taxonomy/{theme_id}")
def update_theme(theme_id: ObjectId, request: Request, session: DbSession, caller: CanEditThemes, _: CheckedForm,
                 name: str = Form(max_length=80), label: str = Form(default="", max_length=200),
                 keywords_en: str = Form(default="", max_length=20_000),
                 keywords_zh: str = Form(default="", max_length=20_000),
                 examples_en: str = Form(default="", max_length=50_000),
                 examples_zh: str = Form(default="", max_length=50_000)) -> Response:
    return _edit(request, session, caller, lambda: service.update_theme(session, theme_id, ThemeUpdate(
        name=name.strip(), label=label, keywords=_phrases(keywords_en, keywords_zh, ","),
        examples=_phrases(examples_en, examples_zh, "\n"))))


@router.post("/themes/taxonomy/{theme_id}/delete")
def delete_theme(theme_id: ObjectId, request: Request, session: DbSession, caller: CanEditThemes,
                 _: CheckedForm) -> Response:
    return _edit(request, session, caller, lambda: service.delete_theme(session, theme_id))


# --- discovered themes ------------------------------------------------------------------

def _proposals_page(request: Request, session: Session, caller: Caller, error: str | None = None,
                    status_code: int = 200, notice: str | None = None) -> HTMLResponse:
    return render(request, "themes/proposals.html", status_code=status_code, caller=caller,
                  proposals=proposals.list_proposals(session, with_examples=caller.can(Permission.READ_CUSTOMERS))[0],
                  themes=service.list_themes(session, with_examples=caller.can(Permission.READ_CUSTOMERS))[0],
                  error=error, notice=notice, can_edit=caller.can(Permission.EDIT_THEMES))


@router.get("/themes/proposals", response_class=HTMLResponse)
def proposals_page(request: Request, session: DbSession, caller: CanReadMetrics) -> HTMLResponse:
    return _proposals_page(request, session, caller)


@router.post("/themes/discover")
def discover(request: Request, session: DbSession, caller: CanEditThemes, _: CheckedForm) -> Response:
    job = proposals.schedule_discovery(session)
    return _proposals_page(request, session, caller, status_code=202,
                           notice=f"Discovery queued as job {job.id}; reload this page when it is done.")


@router.post("/themes/proposals/{proposal_id}")
def decide(proposal_id: ObjectId, request: Request, session: DbSession, caller: CanEditThemes, _: CheckedForm,
           action: str = Form(max_length=10), name: str = Form(default="", max_length=80),
           label: str = Form(default="", max_length=200), theme_id: str = Form(default="", max_length=20)) -> Response:
    try:
        data = ProposalAction(action=action, name=name.strip() or None, label=label.strip() or None,
                              theme_id=int(theme_id) if theme_id.isdigit() else None)
        apply_action(session, proposal_id, data)
    except (CentricError, ValidationError) as problem:
        session.rollback()
        return _proposals_page(request, session, caller, explain(problem, name_field=False), 422)
    return RedirectResponse("/themes/proposals", status_code=303)


# --- verbatims --------------------------------------------------------------------------

@router.get("/verbatims", response_class=HTMLResponse)
def verbatims_page(request: Request, session: DbSession, caller: CanReadCustomers,
                   page: int = Query(default=1, ge=1, le=100_000)) -> Response:
    """The explorer pages by number; each number is the API's slice ``offset = (page - 1) × limit``."""
    raw = {k: v for k, v in request.query_params.items() if v != "" and k != "format"}
    result, problem = None, None
    try:
        query = VerbatimQuery.model_validate(raw)
        if fmt := exports.requested(request):
            return exports.respond(verbatims_table(request, session, query), fmt)
        slice_ = PageRequest(limit=VERBATIMS_PER_PAGE, offset=(page - 1) * VERBATIMS_PER_PAGE)
        items, total = search_verbatims(session, query, slice_.limit, slice_.offset, COUNT_CAP)
        result = slice_.of(items, total, COUNT_CAP)
    except (CentricError, ValidationError) as exc:
        query, problem = VerbatimQuery(), explain(exc, name_field=False)
    filters = {k: v for k, v in raw.items() if k != "page"}
    pages = max(1, -(-result.total // VERBATIMS_PER_PAGE)) if result else 1
    more = result is not None and (page < pages or (not result.total_exact and len(result.items) == result.limit))
    return render(request, "themes/verbatims.html", status_code=422 if problem else 200, caller=caller, query=query,
                  raw=raw, filters=filters, result=result, page=page, pages=pages, more=more, problem=problem,
                  themes=service.list_themes(session)[0], **_choices(session))
