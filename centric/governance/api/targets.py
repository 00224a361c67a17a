"""JSON routes of targets: read (viewers and up), set (managers), notes by their owners, archive."""

from __future__ import annotations

from fastapi import APIRouter, Query

from centric.governance import targets
from centric.governance.schemas import TargetOut
from centric.governance.target_schemas import TargetIn, TargetPatch
from centric.web.deps import MAX_ID, CanReadMetrics, CanSetTargets, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["targets"])


@router.get("/targets", response_model=Page[TargetOut])
def list_targets(session: DbSession, _: CanReadMetrics, paging: Paging,
                 owner_user_id: int | None = Query(None, ge=1, le=MAX_ID),
                 owner_team_id: int | None = Query(None, ge=1, le=MAX_ID),
                 metric: str | None = Query(None, max_length=30),
                 include_archived: bool = Query(False)) -> Page[TargetOut]:
    """Targets with their owners and scopes (constant number of queries)."""
    return paging.cut(targets.list_targets(session, owner_user_id=owner_user_id, owner_team_id=owner_team_id,
                                           metric=metric, include_archived=include_archived))


@router.post("/targets", response_model=TargetOut, status_code=201)
def create_target(data: TargetIn, session: DbSession, caller: CanSetTargets) -> TargetOut:
    target = targets.create_target(session, data, caller.user.id)
    return targets.target_out(session, target.id)


@router.get("/targets/{target_id}", response_model=TargetOut)
def get_target(target_id: ObjectId, session: DbSession, _: CanReadMetrics) -> TargetOut:
    return targets.target_out(session, target_id)


@router.patch("/targets/{target_id}", response_model=TargetOut)
def update_target(target_id: ObjectId, data: TargetPatch, session: DbSession, caller: CanReadMetrics) -> TargetOut:
    """Managers change any field; the target's owner may change only its notes (403 otherwise)."""
    targets.update_target(session, target_id, data, caller.user)
    return targets.target_out(session, target_id)


@router.delete("/targets/{target_id}", response_model=TargetOut)
def archive_target(target_id: ObjectId, session: DbSession, caller: CanSetTargets) -> TargetOut:
    """Archive (deactivate) the target; it stays in the audit log and past exports."""
    targets.archive_target(session, target_id, caller.user.id)
    return targets.target_out(session, target_id)
