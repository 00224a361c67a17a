"""JSON routes of merges: merge a duplicate into its original, list merges, undo one."""

from __future__ import annotations

from fastapi import APIRouter

from centric.ideas import merging, staff_reads
from centric.ideas.staff_schemas import MergeIn, MergeOut
from centric.web.deps import CanModerateIdeas, CanReadMetrics, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["ideas"])


@router.post("/ideas/{idea_id}/merge", response_model=MergeOut, status_code=201)
def merge(idea_id: ObjectId, data: MergeIn, session: DbSession, caller: CanModerateIdeas) -> MergeOut:
    """Merge this idea (the duplicate) into ``original_id``: votes deduplicated per customer, comments moved,
    the duplicate redirects to the original. 409 for a merge into a duplicate or a circular one."""
    return merging.merge_out(merging.merge(session, idea_id, data.original_id, caller.user.id))


@router.get("/ideas/{idea_id}/merges", response_model=Page[MergeOut])
def list_merges(idea_id: ObjectId, session: DbSession, _: CanReadMetrics, paging: Paging) -> Page[MergeOut]:
    """Merges into this idea and of this idea, newest first."""
    staff_reads.require_idea(session, idea_id)
    return paging.cut(merging.merges_of(session, idea_id))


@router.post("/idea-merges/{merge_id}/undo", response_model=MergeOut)
def undo(merge_id: ObjectId, session: DbSession, caller: CanModerateIdeas) -> MergeOut:
    """Put back exactly what the merge moved and restore the duplicate's status; 409 on a second undo."""
    return merging.merge_out(merging.undo_merge(session, merge_id, caller.user.id))
