"""Shared pieces of the portal tests: an app whose public URL is the test client's, boards, visitors."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from centric.accounts.signing import signing_key
from centric.config import Settings
from centric.customers.schemas import CustomerIn
from centric.customers.service import upsert_customer
from centric.customers.visitors import visitor_token
from centric.db import Database
from centric.ideas.models import Board, Idea, IdeaComment, IdeaStatusChange
from centric.web.app import create_app

BASE = "http://testserver"


def portal_app(db: Database, **overrides):  # type: ignore[no-untyped-def]
    settings = Settings(database_url=db.url, max_body_bytes=200_000, job_workers=0, public_url=BASE, **overrides)
    return create_app(settings, db)


def make_board(db: Database, key: str = "stays", budget: int | None = None) -> int:
    with db.transaction() as s:
        board = Board(key=key, names={"en": "Stays", "zh": "住宿"}, descriptions={"en": "Rooms and stays"},
                      vote_budget=budget)
        s.add(board)
        s.flush()
        return board.id


def make_idea(db: Database, board_id: int, title: str, *, status: str = "open", moderation: str = "approved",
              customer_id: int | None = None, locked: bool = False, created_at: datetime | None = None,
              body: str = "") -> int:
    with db.transaction() as s:
        idea = Idea(board_id=board_id, title=title, body=body, status=status, moderation=moderation,
                    customer_id=customer_id, locked=locked, author_name="Tester", source="staff")
        if created_at is not None:
            idea.created_at = created_at
        s.add(idea)
        s.flush()
        return idea.id


def make_customer(db: Database, email: str, name: str = "") -> int:
    with db.transaction() as s:
        return upsert_customer(s, CustomerIn(email=email, name=name)).id


def approve_author(db: Database, board_id: int, customer_id: int) -> None:
    """Give the customer an approved idea, so that their next posts skip first-post moderation."""
    make_idea(db, board_id, f"Earlier idea of {customer_id}", customer_id=customer_id)


def visitor(app, db: Database, customer_id: int) -> TestClient:  # type: ignore[no-untyped-def]
    """A browser signed in as ``customer_id`` (it followed a sign-in link)."""
    client = TestClient(app)
    with db.transaction() as s:
        key = signing_key(s, "")
    arrival = client.get(f"/ideas?t={visitor_token(key, customer_id, 3600)}", follow_redirects=False)
    assert arrival.status_code == 303 and arrival.headers["location"] == "/ideas"
    return client


def form_token(html: str, index: int = 0) -> str:
    return re.findall(r'name="f" value="([^"]+)"', html)[index]


def ideas(db: Database) -> list[Idea]:
    with db.reader() as s:
        return list(s.scalars(select(Idea).order_by(Idea.id)))


def add_comment(db: Database, idea_id: int, body: str, *, official: bool = False, parent_id: int | None = None,
                customer_id: int | None = None) -> int:
    with db.transaction() as s:
        comment = IdeaComment(idea_id=idea_id, origin_idea_id=idea_id, body=body, official=official,
                              parent_id=parent_id, customer_id=customer_id, author_name="Staff" if official else "Bo")
        s.add(comment)
        s.flush()
        return comment.id


def add_change(db: Database, idea_id: int, to: str, note: str) -> None:
    with db.transaction() as s:
        s.add(IdeaStatusChange(idea_id=idea_id, from_status="open", to_status=to, note=note))
        idea = s.get(Idea, idea_id)
        assert idea is not None
        idea.status = to
