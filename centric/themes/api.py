"""JSON routes of text analytics: taxonomy, discovered themes, theme insight, verbatims.

Reading needs ``metrics:read`` (verbatims, being customers' words, ``customers:read``);
editing the taxonomy and deciding on proposals needs ``themes:write`` (analyst and up).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.errors import Invalid, NotFound
from centric.feedback.models import Feedback
from centric.search import COUNT_CAP
from centric.text.versions import describe_version
from centric.themes import proposals, service
from centric.themes.drivers import theme_drivers
from centric.themes.enrichment import reenrichment_status, schedule_reenrichment
from centric.themes.insight import theme_insight
from centric.themes.schemas import (
    DiscoverIn,
    ImportOut,
    InsightFilter,
    InsightOut,
    JobQueued,
    ProposalAction,
    ProposalOut,
    TextStatusOut,
    ThemeDriversOut,
    ThemeIn,
    ThemeOut,
    ThemeUpdate,
    VerbatimOut,
    VerbatimQuery,
)
from centric.themes.taxonomy import load_document
from centric.themes.verbatims import search_verbatims
from centric.web import exports
from centric.web.deps import (
    CanEditThemes,
    CanReadCustomers,
    CanReadMetrics,
    DbSession,
    ObjectId,
    Page,
    Paging,
)

router = APIRouter(tags=["text analytics"])
MAX_DOCUMENT = 2_000_000


async def document_text(request: Request) -> str:
    """The raw request body as UTF-8 text (a JSON or YAML taxonomy)."""
    body = await request.body()
    if len(body) > MAX_DOCUMENT:
        raise Invalid(f"the document is larger than {MAX_DOCUMENT} bytes", field="body")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("the document is not UTF-8 text", field="body") from None


@router.get("/themes", response_model=Page[ThemeOut], responses=exports.FILE_RESPONSES)
def list_themes(request: Request, session: DbSession, caller: CanReadMetrics, paging: Paging
                ) -> Page[ThemeOut] | Response:
    """The taxonomy, parents first, with how many items carry each theme; examples need ``customers:read``."""
    examples = caller.can(Permission.READ_CUSTOMERS)
    columns = exports.columns_of(ThemeOut, () if examples else ("examples",))
    if file := exports.listing(request, session, "themes", columns, lambda s, limit, offset:
                               service.list_themes(s, limit, offset, with_examples=examples)):
        return file
    rows, total = service.list_themes(session, paging.limit, paging.offset,
                                      with_examples=caller.can(Permission.READ_CUSTOMERS))
    return paging.of(rows, total)


@router.post("/themes", response_model=ThemeOut, status_code=201)
def create_theme(data: ThemeIn, session: DbSession, _: CanEditThemes) -> ThemeOut:
    """Add a theme (keywords and example phrases per language); items are re-enriched in the background."""
    return service.create_theme(session, data)


@router.patch("/themes/{theme_id}", response_model=ThemeOut)
def update_theme(theme_id: ObjectId, data: ThemeUpdate, session: DbSession, _: CanEditThemes) -> ThemeOut:
    """Rename, move, or change the label, keywords or examples of a theme."""
    return service.update_theme(session, theme_id, data)


@router.delete("/themes/{theme_id}", status_code=204)
def delete_theme(theme_id: ObjectId, session: DbSession, _: CanEditThemes) -> Response:
    service.delete_theme(session, theme_id)
    return Response(status_code=204)


# Declared by hand: the document is JSON or YAML as asked, and errors are problem details in JSON.
_EXPORTED: dict[int | str, dict[str, Any]] = {200: {"description": "The taxonomy document", "content": {
    "application/json": {"schema": {"type": "object"}}, "application/yaml": {"schema": {"type": "object"}}}}}


@router.get("/themes/export", response_class=Response, responses=_EXPORTED)
def export_themes(session: DbSession, _: CanReadCustomers, format: Literal["json", "yaml"] = "json") -> Response:
    """The taxonomy as a JSON or YAML document (the form ``/themes/import`` reads).

    Whole, examples included (they may be customers' words), hence ``customers:read``.
    """
    media = "application/yaml" if format == "yaml" else "application/json"
    return Response(service.export_document(session, format), media_type=media)


@router.post("/themes/import", response_model=ImportOut)
def import_themes(session: DbSession, _: CanEditThemes, format: Literal["json", "yaml"] | None = None,
                  text: str = Depends(document_text)) -> ImportOut:
    """Replace the taxonomy by the JSON or YAML document in the body; unchanged themes keep their tags."""
    return service.import_document(session, load_document(text, format))


@router.post("/themes/reenrich", response_model=JobQueued, status_code=202)
def reenrich(session: DbSession, _: CanEditThemes) -> JobQueued:
    """Start (or return the active) re-enrichment run: only items enriched with another version.

    Not needed after an upgrade or a taxonomy edit, which start one by themselves.
    """
    job = schedule_reenrichment(session)
    return JobQueued(job_id=job.id, status=job.status)


@router.get("/text/status", response_model=TextStatusOut)
def text_status(session: DbSession, _: CanReadMetrics) -> TextStatusOut:
    """The current text version, how many items are on it, and the re-enrichment run (counts only)."""
    return text_status_of(session)


def text_status_of(session: Session) -> TextStatusOut:
    """Shared by the JSON route and the taxonomy page."""
    state = reenrichment_status(session)
    return TextStatusOut.model_validate({**asdict(state), "stale": state.stale})


@router.get("/themes/insight", response_model=InsightOut)
def insight(f: Annotated[InsightFilter, Query()], session: DbSession, _: CanReadMetrics,
            period_days: int = Query(default=30, ge=7, le=366)) -> InsightOut:
    """Per theme: volume, share, sentiment, monthly trend, NPS impact with interval; emerging themes."""
    return theme_insight(session, f, period_days)


@router.get("/themes/drivers", response_model=ThemeDriversOut)
def drivers(f: Annotated[InsightFilter, Query()], session: DbSession, _: CanReadMetrics) -> ThemeDriversOut:
    """Top-level themes mentioned in comments as key drivers of the NPS score."""
    return theme_drivers(session, f)


@router.post("/themes/discover", response_model=JobQueued, status_code=202)
def discover(session: DbSession, _: CanEditThemes, data: DiscoverIn | None = None) -> JobQueued:
    """Queue clustering of untagged feedback into proposed themes (see ``/themes/proposals``)."""
    data = data or DiscoverIn()
    job = proposals.schedule_discovery(session, data.limit, data.n_themes)
    return JobQueued(job_id=job.id, status=job.status)


@router.get("/themes/proposals", response_model=Page[ProposalOut])
def list_proposals(session: DbSession, caller: CanReadMetrics, paging: Paging,
                   status: Literal["proposed", "accepted", "merged", "rejected"] | None = "proposed"
                   ) -> Page[ProposalOut]:
    """Discovered themes; their example texts only for callers with ``customers:read``."""
    rows, total = proposals.list_proposals(session, status, paging.limit, paging.offset,
                                           with_examples=caller.can(Permission.READ_CUSTOMERS))
    return paging.of(rows, total)


@router.post("/themes/proposals/{proposal_id}", response_model=ProposalOut)
def decide(proposal_id: ObjectId, data: ProposalAction, session: DbSession, _: CanEditThemes) -> Any:
    """Accept (creates a theme), rename, merge into ``theme_id``, or reject a proposal."""
    return apply_action(session, proposal_id, data)


def apply_action(session: Session, proposal_id: int, data: ProposalAction) -> Any:
    """Shared by the JSON route and the HTML form."""
    if data.action == "accept":
        proposals.accept_proposal(session, proposal_id, data.name, data.parent)
    elif data.action == "rename":
        proposals.rename_proposal(session, proposal_id, data.label or "")
    elif data.action == "merge":
        if data.theme_id is None:
            raise Invalid("merge needs theme_id", field="theme_id")
        proposals.merge_proposal(session, proposal_id, data.theme_id)
    else:
        proposals.reject_proposal(session, proposal_id)
    return proposals.get_proposal(session, proposal_id, open_only=False)


@router.get("/verbatims", response_model=Page[VerbatimOut], responses=exports.FILE_RESPONSES)
def verbatims(request: Request, q: Annotated[VerbatimQuery, Query()], session: DbSession, _: CanReadCustomers,
              paging: Paging) -> Page[VerbatimOut] | Response:
    """Search feedback text with filters; ``highlighted`` is escaped HTML with matches in ``<mark>``."""
    if file := exports.listing(request, session, "verbatims", exports.columns_of(VerbatimOut, ("highlighted",)),
                               lambda s, limit, offset: search_verbatims(s, q, limit, offset)):
        return file
    items, total = search_verbatims(session, q, paging.limit, paging.offset, COUNT_CAP)
    return paging.of(items, total, COUNT_CAP)


@router.get("/verbatims/{feedback_id}/enrichment")
def enrichment(feedback_id: ObjectId, session: DbSession, _: CanReadCustomers) -> dict:
    """The stored enrichment of one item: sentiment per sentence, themes, effort, emotions, errors."""
    item = session.get(Feedback, feedback_id)
    if item is None:
        raise NotFound(f"feedback {feedback_id} not found")
    return {"id": item.id, "text_version": item.text_version, "model": describe_version(item.text_version),
            "enrichment": item.enrichment or {}}
