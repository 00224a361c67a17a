"""Test data of the staff side of the ideas portal: boards, ideas, customers with value, votes, comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from centric.customers.models import Customer, CustomerSegment, Segment
from centric.ideas.counts import recount
from centric.ideas.models import Board, Idea, IdeaComment, IdeaVote
from centric.insights.models import CustomerValue


def make_board(session: Session, key: str = "stays", budget: int | None = None) -> Board:
    board = Board(key=key, names={"en": key.title(), "zh": "住宿"}, vote_budget=budget)
    session.add(board)
    session.flush()
    return board


def make_idea(session: Session, board: Board, title: str, *, status: str = "open", moderation: str = "approved",
              customer_id: int | None = None, body: str = "") -> Idea:
    idea = Idea(board_id=board.id, title=title, body=body, status=status, moderation=moderation,
                customer_id=customer_id, author_name="Ann")
    session.add(idea)
    session.flush()
    return idea


def make_customer(session: Session, name: str, *, clv: float | None = None, churn: float = 0.0,
                  band: str = "low", segments: tuple[Segment, ...] = ()) -> Customer:
    customer = Customer(name=name, external_id=f"ext-{name.lower().replace(' ', '-')}")
    session.add(customer)
    session.flush()
    if clv is not None:
        session.add(CustomerValue(customer_id=customer.id, clv=clv, churn_risk=churn, p_alive=1 - churn,
                                  risk_band=band))
    for segment in segments:
        session.add(CustomerSegment(customer_id=customer.id, segment_id=segment.id))
    session.flush()
    return customer


def make_segment(session: Session, key: str) -> Segment:
    segment = Segment(key=key, name=key.title())
    session.add(segment)
    session.flush()
    return segment


def vote(session: Session, idea: Idea, customer: Customer | None, when: datetime | None = None) -> IdeaVote:
    row = IdeaVote(idea_id=idea.id, origin_idea_id=idea.id, customer_id=customer.id if customer else None)
    if when is not None:
        row.created_at = when
    session.add(row)
    session.flush()
    recount(session, (idea.id,))
    return row


def comment(session: Session, idea: Idea, customer: Customer | None, body: str) -> IdeaComment:
    row = IdeaComment(idea_id=idea.id, origin_idea_id=idea.id, customer_id=customer.id if customer else None,
                      author_name=customer.name if customer else "", body=body)
    session.add(row)
    session.flush()
    recount(session, (idea.id,))
    return row
