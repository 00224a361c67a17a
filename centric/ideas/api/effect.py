"""JSON routes of the loop back: re-surveys of a done idea's voters, the effect, the notice log."""

from __future__ import annotations

from fastapi import APIRouter

from centric.ideas import notify, resurvey
from centric.ideas.loop_schemas import ChangeNotices, EffectOut, NoticeOut, ResurveyIn, ResurveyOut
from centric.web.deps import CanModerateIdeas, CanReadCustomers, CanReadMetrics, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["ideas"])


@router.post("/ideas/{idea_id}/resurveys", response_model=ResurveyOut, status_code=201)
def create_resurvey(idea_id: ObjectId, data: ResurveyIn, session: DbSession, caller: CanModerateIdeas) -> ResurveyOut:
    """Invite a done idea's voters to a survey (each once per idea and survey; outreach rules apply)."""
    return resurvey.resurvey_voters(session, idea_id, data.survey, caller.user.id)


@router.get("/ideas/{idea_id}/resurveys", response_model=Page[ResurveyOut])
def list_resurveys(idea_id: ObjectId, session: DbSession, paging: Paging, caller: CanReadMetrics) -> Page[ResurveyOut]:
    items, total = resurvey.list_resurveys(session, idea_id, limit=paging.limit, offset=paging.offset)
    return paging.of(items, total)


@router.get("/ideas/{idea_id}/effect", response_model=EffectOut)
def effect(idea_id: ObjectId, session: DbSession, caller: CanReadMetrics) -> EffectOut:
    """Did shipping it help? Voters' paired NPS/CSAT change around the done day, beside non-voters'."""
    return resurvey.shipped_effect(session, idea_id)


@router.get("/ideas/{idea_id}/notices", response_model=Page[NoticeOut])
def list_notices(idea_id: ObjectId, session: DbSession, paging: Paging, caller: CanReadCustomers) -> Page[NoticeOut]:
    """Each e-mail about the idea's status changes: to whom (customer id), sent, skipped (why) or failed."""
    items, total = notify.notices_of(session, idea_id, limit=paging.limit, offset=paging.offset)
    return paging.of(items, total)


@router.get("/ideas/{idea_id}/notices/summary", response_model=Page[ChangeNotices])
def notice_summary(idea_id: ObjectId, session: DbSession, paging: Paging,
                   caller: CanReadMetrics) -> Page[ChangeNotices]:
    """Per status change: how many notices were sent, skipped (by reason) or failed (no names)."""
    return paging.cut(notify.notices_by_change(session, idea_id))
