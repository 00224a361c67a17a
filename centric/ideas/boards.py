"""Idea boards: create, change and list them (names per portal language, vote budget)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.errors import Conflict, Invalid
from centric.ideas.models import Board, Idea
from centric.ideas.schemas import BoardOut
from centric.ideas.service import board_out, get_board
from centric.ideas.staff_schemas import KEY_PATTERN, BoardIn, BoardPatch

LANGUAGES = ("en", "zh")
ENTITY = "idea_board"


def _check_names(names: dict[str, str], field: str, *, required: bool) -> dict[str, str]:
    cleaned = {lang: text.strip() for lang, text in names.items() if text and text.strip()}
    unknown = sorted(set(cleaned) - set(LANGUAGES))
    if unknown:
        raise Invalid(f"unknown language {unknown[0]!r}; use {' or '.join(LANGUAGES)}", field=field)
    if required and "en" not in cleaned:
        raise Invalid("give the board an English name", field=field)
    if any(len(text) > 200 for text in cleaned.values()):
        raise Invalid("a name or description is longer than 200 characters", field=field)
    return cleaned


def create_board(session: Session, data: BoardIn, user_id: int | None) -> Board:
    if not re.match(KEY_PATTERN, data.key):
        raise Invalid("the key takes lower-case letters, digits and dashes", field="key")
    if session.scalar(select(Board.id).where(Board.key == data.key)) is not None:
        raise Conflict(f"a board with key {data.key!r} exists already", field="key")
    board = Board(key=data.key, names=_check_names(data.names, "names", required=True),
                  descriptions=_check_names(data.descriptions, "descriptions", required=False),
                  vote_budget=data.vote_budget, position=data.position, active=data.active)
    session.add(board)
    session.flush()
    audit(session, user_id, "idea_board.create", ENTITY, board.id, {"key": board.key})
    return board


def update_board(session: Session, key: str, data: BoardPatch, user_id: int | None) -> Board:
    board = get_board(session, key)
    changed: dict[str, object] = {}
    if data.names is not None:
        board.names = _check_names(data.names, "names", required=True)
        changed["names"] = board.names
    if data.descriptions is not None:
        board.descriptions = _check_names(data.descriptions, "descriptions", required=False)
        changed["descriptions"] = board.descriptions
    if data.clear_budget or data.vote_budget is not None:
        board.vote_budget = None if data.clear_budget else data.vote_budget
        changed["vote_budget"] = board.vote_budget
    for name in ("position", "active"):
        value = getattr(data, name)
        if value is not None:
            setattr(board, name, value)
            changed[name] = value
    session.flush()
    if changed:
        audit(session, user_id, "idea_board.update", ENTITY, board.id, changed)
    return board


def list_boards(session: Session, *, include_inactive: bool = True) -> list[BoardOut]:
    """Every board in portal order, with its number of visible ideas (two queries)."""
    query = select(Board).order_by(Board.position, Board.key)
    if not include_inactive:
        query = query.where(Board.active.is_(True))
    boards = list(session.scalars(query))
    counts = dict(session.execute(
        select(Idea.board_id, func.count(Idea.id))
        .where(Idea.moderation == "approved", Idea.status != "duplicate").group_by(Idea.board_id)).all())
    return [board_out(board, counts.get(board.id, 0)) for board in boards]
