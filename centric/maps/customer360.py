"""Customer 360: what the domains above customers know of one customer, read in a constant number of queries.

Value and churn risk (the last CLV scoring), the personas and segments the customer belongs
to, open cases (closed loop) and ideas posted and voted for (ideas portal).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.customers.models import CustomerSegment, Segment
from centric.ideas.models import Idea, IdeaVote
from centric.insights.models import CustomerValue
from centric.loop.models import OPEN_STATUSES, Case

CASES_SHOWN = 10
IDEAS_SHOWN = 10


class ValueOf(BaseModel):
    clv: float
    p_alive: float
    churn_risk: float
    clv_band: str
    risk_band: str
    scored_at: datetime


class SegmentOf(BaseModel):
    key: str
    name: str
    kind: str


class CaseOf(BaseModel):
    id: int
    title: str
    status: str
    priority: str
    sla_state: str
    created_at: datetime


class IdeaOf(BaseModel):
    id: int
    title: str
    status: str
    votes: int


class Customer360(BaseModel):
    value: ValueOf | None
    personas: list[SegmentOf]
    segments: list[SegmentOf]
    open_cases: int
    cases: list[CaseOf]
    ideas_posted: list[IdeaOf]
    ideas_voted: list[IdeaOf]


def customer_360(session: Session, customer_id: int) -> Customer360:
    """Six queries, whatever the customer's history."""
    value = session.get(CustomerValue, customer_id)
    memberships = [SegmentOf(key=k, name=n, kind=kind) for k, n, kind in session.execute(
        select(Segment.key, Segment.name, Segment.kind).join(CustomerSegment, CustomerSegment.segment_id == Segment.id)
        .where(CustomerSegment.customer_id == customer_id).order_by(Segment.kind, Segment.name))]
    open_where = [Case.customer_id == customer_id, Case.status.in_(OPEN_STATUSES), Case.merged_into_id.is_(None)]
    count = session.scalar(select(func.count()).select_from(Case).where(*open_where)) or 0
    cases = [CaseOf(id=c.id, title=c.title, status=c.status, priority=c.priority, sla_state=c.sla_state,
                    created_at=c.created_at)
             for c in session.scalars(select(Case).where(*open_where)
                                      .order_by(Case.priority_score.desc(), Case.id.desc()).limit(CASES_SHOWN))]
    posted = [IdeaOf(id=i, title=t, status=s, votes=v) for i, t, s, v in session.execute(
        select(Idea.id, Idea.title, Idea.status, Idea.vote_count).where(Idea.customer_id == customer_id)
        .order_by(Idea.created_at.desc(), Idea.id.desc()).limit(IDEAS_SHOWN))]
    voted = [IdeaOf(id=i, title=t, status=s, votes=v) for i, t, s, v in session.execute(
        select(Idea.id, Idea.title, Idea.status, Idea.vote_count).join(IdeaVote, IdeaVote.idea_id == Idea.id)
        .where(IdeaVote.customer_id == customer_id).order_by(IdeaVote.id.desc()).limit(IDEAS_SHOWN))]
    return Customer360(
        value=None if value is None else ValueOf(clv=value.clv, p_alive=value.p_alive, churn_risk=value.churn_risk,
                                                 clv_band=value.clv_band, risk_band=value.risk_band,
                                                 scored_at=value.scored_at),
        personas=[m for m in memberships if m.kind == "persona"],
        segments=[m for m in memberships if m.kind != "persona"],
        open_cases=int(count), cases=cases, ideas_posted=posted, ideas_voted=voted,
    )
