"""Ideas written by staff: through the API (optionally on behalf of a customer) or from a verbatim, theme or case."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.customers.models import Customer
from centric.customers.service import find_by_identity, get_customer
from centric.db import utcnow
from centric.errors import Invalid, NotFound
from centric.events import IdeasSubmitted, publish
from centric.ideas.models import SOURCES, Idea
from centric.ideas.service import get_board
from centric.ideas.staff_schemas import IdeaCreate
from centric.journeys.models import Event

MAX_TITLE = 200


def create_idea(session: Session, *, board_key: str, title: str, body: str, user_id: int | None, source: str,
                source_ref: str = "", language: str = "en", customer_id: int | None = None,
                author_name: str = "") -> Idea:
    """A new approved idea written by staff; publishes ``IdeasSubmitted``.

    With ``customer_id`` (written on a customer's behalf) the idea also lands on that
    customer's timeline as an ``idea`` event.
    """
    board = get_board(session, board_key)
    if not board.active:
        raise Invalid(f"board {board_key!r} is closed", field="board")
    title = " ".join(title.split())[:MAX_TITLE]
    if not title:
        raise Invalid("give the idea a title", field="title")
    if source not in SOURCES:
        raise Invalid(f"unknown source {source!r}", field="source")
    idea = Idea(board_id=board.id, customer_id=customer_id, created_by=user_id, author_name=author_name[:80],
                title=title, body=body.strip(), language=language, source=source, source_ref=source_ref[:120],
                moderation="approved")
    session.add(idea)
    session.flush()
    if customer_id is not None:
        session.add(Event(customer_id=customer_id, kind="idea", occurred_at=utcnow(), source="ideas",
                          external_id=f"idea:{idea.id}", payload={"idea_id": idea.id, "title": idea.title}))
        session.flush()
    publish(session, IdeasSubmitted((idea.id,)))
    return idea


def _customer(session: Session, email: str | None, external_id: str | None) -> Customer | None:
    if email:
        found = find_by_identity(session, "email", email)
        if found is None:
            raise NotFound(f"no customer with e-mail {email.strip()[:80]!r}")
        return found
    if external_id:
        customer_id = session.scalar(select(Customer.id).where(Customer.external_id == external_id.strip()))
        if customer_id is None:
            raise NotFound(f"no customer with external id {external_id.strip()[:80]!r}")
        return get_customer(session, customer_id)
    return None


def create_from_api(session: Session, data: IdeaCreate, user_id: int | None) -> Idea:
    """An idea posted through the API (source "api"), on behalf of a customer when one is named."""
    customer = _customer(session, data.customer_email, data.customer_external_id)
    author = data.author_name or (customer.name.split(" ")[0] if customer and customer.name else "")
    return create_idea(session, board_key=data.board, title=data.title, body=data.body, user_id=user_id,
                       source="api", language=data.language, customer_id=customer.id if customer else None,
                       author_name=author)
