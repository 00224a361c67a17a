"""JSON routes of idea boards: list (metrics:read), create and change (config:write)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from centric.ideas import boards
from centric.ideas.schemas import BoardOut
from centric.ideas.service import board_out
from centric.ideas.staff_schemas import BoardIn, BoardPatch
from centric.web.deps import CanConfigure, CanReadMetrics, DbSession, Page, Paging

router = APIRouter(tags=["ideas"])
BoardKey = Annotated[str, Path(max_length=60, description="the board's key")]


@router.get("/idea-boards", response_model=Page[BoardOut])
def list_boards(session: DbSession, _: CanReadMetrics, paging: Paging) -> Page[BoardOut]:
    """Every board in portal order, with its number of visible ideas."""
    return paging.cut(boards.list_boards(session))


@router.post("/idea-boards", response_model=BoardOut, status_code=201)
def create_board(data: BoardIn, session: DbSession, caller: CanConfigure) -> BoardOut:
    """A new board; names per portal language (English required), optional vote budget."""
    return board_out(boards.create_board(session, data, caller.user.id))


@router.patch("/idea-boards/{key}", response_model=BoardOut)
def update_board(key: BoardKey, data: BoardPatch, session: DbSession, caller: CanConfigure) -> BoardOut:
    """Change names, descriptions, vote budget, position or whether the board is open; nulls are kept."""
    return board_out(boards.update_board(session, key, data, caller.user.id))
