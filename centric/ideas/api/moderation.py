"""JSON routes of moderation: abuse reports on ideas and comments, and their resolution."""

from __future__ import annotations

from fastapi import APIRouter

from centric.ideas import moderation
from centric.ideas.staff_schemas import ReportOut, ResolveIn
from centric.web.deps import CanModerateIdeas, CanReadMetrics, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["ideas"])


@router.get("/idea-reports", response_model=Page[ReportOut])
def list_reports(session: DbSession, _: CanReadMetrics, paging: Paging, open: bool = True) -> Page[ReportOut]:
    """Reports of abuse, oldest first; ``open=false`` lists resolved ones too."""
    items = moderation.list_reports(session, open_only=open, limit=paging.limit, offset=paging.offset)
    return paging.of(items, moderation.count_reports(session, open_only=open))


@router.post("/idea-reports/{report_id}/resolve", response_model=ReportOut)
def resolve(report_id: ObjectId, data: ResolveIn, session: DbSession, caller: CanModerateIdeas) -> ReportOut:
    """Close a report: ``kept`` (nothing wrong) or ``hidden`` (hide the comment reported, or else the idea)."""
    return moderation.resolve_report(session, report_id, data.resolution, caller.user.id)
