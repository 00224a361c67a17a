"""JSON routes of the CX council's initiatives: the board, proposals, decisions, statuses, DICE, impact."""

from __future__ import annotations

from fastapi import APIRouter

from centric.governance import board as board_module
from centric.governance import impact, initiatives
from centric.governance.schemas import (
    DecisionIn,
    DiceIn,
    DiceOut,
    InitiativeIn,
    InitiativeOut,
    InitiativePatch,
    InitiativeStatus,
    StatusIn,
)
from centric.web.deps import (
    AppSettings,
    CanApproveInitiatives,
    CanProposeInitiatives,
    CanReadMetrics,
    DbSession,
    ObjectId,
    Page,
    Paging,
)

router = APIRouter(tags=["initiatives"])


@router.get("/initiatives", response_model=Page[InitiativeOut])
def list_initiatives(session: DbSession, caller: CanReadMetrics, paging: Paging,
                     status: InitiativeStatus | None = None) -> Page[InitiativeOut]:
    """Every initiative (or one status's), newest first."""
    items = initiatives.list_initiatives(session, status=status, user=caller.user, limit=paging.limit,
                                         offset=paging.offset)
    return paging.of(items, initiatives.count_initiatives(session, status=status))


@router.get("/initiatives/board", response_model=Page[InitiativeOut])
def initiative_board(session: DbSession, caller: CanReadMetrics, paging: Paging,
                     status: InitiativeStatus | None = None) -> Page[InitiativeOut]:
    """Ranked by measured value (done) and expected value (the others), best first; dropped only by status."""
    return paging.cut(board_module.board(session, status=status, user=caller.user))


@router.post("/initiatives", response_model=InitiativeOut, status_code=201)
def propose(data: InitiativeIn, session: DbSession, caller: CanProposeInitiatives) -> InitiativeOut:
    item = initiatives.propose(session, data, caller.user)
    return initiatives.detail(session, item.id, caller.user)


@router.get("/initiatives/{initiative_id}", response_model=InitiativeOut)
def get_initiative(initiative_id: ObjectId, session: DbSession, caller: CanReadMetrics) -> InitiativeOut:
    return initiatives.detail(session, initiative_id, caller.user)


@router.patch("/initiatives/{initiative_id}", response_model=InitiativeOut)
def update(initiative_id: ObjectId, data: InitiativePatch, session: DbSession,
           caller: CanProposeInitiatives) -> InitiativeOut:
    """Change fields and links (the owner, or a manager); the status moves with ``/status``."""
    initiatives.update(session, initiative_id, data, caller.user)
    return initiatives.detail(session, initiative_id, caller.user)


@router.post("/initiatives/{initiative_id}/approve", response_model=InitiativeOut)
def approve(initiative_id: ObjectId, data: DecisionIn, session: DbSession,
            caller: CanApproveInitiatives) -> InitiativeOut:
    initiatives.approve(session, initiative_id, caller.user, data.note)
    return initiatives.detail(session, initiative_id, caller.user)


@router.post("/initiatives/{initiative_id}/reject", response_model=InitiativeOut)
def reject(initiative_id: ObjectId, data: DecisionIn, session: DbSession,
           caller: CanApproveInitiatives) -> InitiativeOut:
    initiatives.reject(session, initiative_id, caller.user, data.note)
    return initiatives.detail(session, initiative_id, caller.user)


@router.post("/initiatives/{initiative_id}/status", response_model=InitiativeOut)
def move(initiative_id: ObjectId, data: StatusIn, session: DbSession, caller: CanProposeInitiatives) -> InitiativeOut:
    """Move on (409 names the allowed moves); done queues the impact measurement."""
    initiatives.move(session, initiative_id, data, caller.user)
    return initiatives.detail(session, initiative_id, caller.user)


@router.post("/initiatives/{initiative_id}/dice", response_model=DiceOut, status_code=201)
def assess(initiative_id: ObjectId, data: DiceIn, session: DbSession, caller: CanProposeInitiatives) -> DiceOut:
    initiatives.assess(session, initiative_id, data, caller.user)
    return initiatives.dice_history(session, initiative_id)[0]


@router.get("/initiatives/{initiative_id}/dice", response_model=Page[DiceOut])
def dice_history(initiative_id: ObjectId, session: DbSession, _: CanReadMetrics, paging: Paging) -> Page[DiceOut]:
    """Every DICE assessment, newest first."""
    return paging.cut(initiatives.dice_history(session, initiative_id))


@router.post("/initiatives/{initiative_id}/impact", response_model=InitiativeOut)
def measure(initiative_id: ObjectId, session: DbSession, settings: AppSettings,
            caller: CanApproveInitiatives) -> InitiativeOut:
    """Recompute the impact of a done initiative now."""
    impact.measure(session, initiatives.get(session, initiative_id), window=settings.impact_window_days)
    return initiatives.detail(session, initiative_id, caller.user)
