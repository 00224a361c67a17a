"""Value-weighted demand: who supports an idea, by what they are worth and how likely they are to leave.

For each idea, over its active votes (``superseded`` false):

* ``votes`` — raw votes;
* ``clv_sum`` — Σ CLV of the voters (``CustomerValue.clv``: BG/NBD + Gamma-Gamma expected value);
* ``churn_risk_mean`` — mean ``CustomerValue.churn_risk`` (1 − P(alive)) of the scored voters;
* ``high_risk_share`` — share of scored voters whose ``risk_band`` is "high" (top tercile);
* ``revenue_at_stake`` — Σ over voters of CLV × churn risk: the expected value the
  voters would take with them if nothing changes. It weights each voter's worth by
  the probability of losing it, so a few loyal high spenders rank below many valuable
  customers about to leave. Voters without a CLV score count in ``votes`` only.
* ``segments`` — the voters' most common segments (``customer_segment``), with counts.

Ranks are competition ranks ("1224") among the ideas of one list, by raw votes and by
revenue at stake; both are always returned, so neither ranking hides the other. A list
costs a constant number of queries: the ideas, one aggregate and one segment count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from centric.customers.models import Customer, CustomerSegment, Segment
from centric.db import utcnow
from centric.ideas.models import Board, Idea, IdeaVote
from centric.ideas.staff_schemas import DemandOut, SegmentCount
from centric.insights.models import CustomerValue

TOP_SEGMENTS = 5
TRENDING_DAYS = 7
SORTS = ("top", "new", "trending", "revenue")


@dataclass(frozen=True)
class Demand:
    votes: int = 0
    recent_votes: int = 0  # in the last TRENDING_DAYS days
    scored_voters: int = 0
    clv_sum: float = 0.0
    churn_risk_mean: float | None = None
    high_risk_share: float | None = None
    revenue_at_stake: float = 0.0
    segments: tuple[SegmentCount, ...] = ()
    rank_votes: int = 0
    rank_revenue: int = 0

    def out(self) -> DemandOut:
        return DemandOut(votes=self.votes, scored_voters=self.scored_voters, clv_sum=round(self.clv_sum, 2),
                         churn_risk_mean=self.churn_risk_mean, high_risk_share=self.high_risk_share,
                         revenue_at_stake=round(self.revenue_at_stake, 2), segments=list(self.segments),
                         rank_votes=self.rank_votes, rank_revenue=self.rank_revenue)


@dataclass(frozen=True)
class RankedIdea:
    idea: Idea
    demand: Demand


def _active_votes(ids: Select | Sequence[int]) -> tuple[ColumnElement[bool], ...]:
    return IdeaVote.idea_id.in_(ids), IdeaVote.superseded.is_(False)


def demand_of(session: Session, ids: Select | Sequence[int]) -> dict[int, Demand]:
    """Demand of the ideas ``ids`` (a list or a select of ids), unranked, in two queries."""
    cutoff = utcnow() - timedelta(days=TRENDING_DAYS)
    scored = CustomerValue.customer_id.is_not(None)
    rows = session.execute(
        select(IdeaVote.idea_id, func.count(IdeaVote.id),
               func.sum(case((IdeaVote.created_at >= cutoff, 1), else_=0)),
               func.count(CustomerValue.customer_id), func.coalesce(func.sum(CustomerValue.clv), 0.0),
               func.avg(CustomerValue.churn_risk),
               func.sum(case((and_(scored, CustomerValue.risk_band == "high"), 1), else_=0)),
               func.coalesce(func.sum(CustomerValue.clv * CustomerValue.churn_risk), 0.0))
        .outerjoin(CustomerValue, CustomerValue.customer_id == IdeaVote.customer_id)
        .where(*_active_votes(ids)).group_by(IdeaVote.idea_id)).all()
    mix = _segment_mix(session, ids)
    found: dict[int, Demand] = {}
    for idea_id, votes, recent, n_scored, clv_sum, risk_mean, high, at_stake in rows:
        found[idea_id] = Demand(
            votes=int(votes), recent_votes=int(recent or 0), scored_voters=int(n_scored), clv_sum=float(clv_sum),
            churn_risk_mean=None if risk_mean is None else round(float(risk_mean), 4),
            high_risk_share=round(int(high or 0) / n_scored, 4) if n_scored else None,
            revenue_at_stake=float(at_stake), segments=tuple(mix.get(idea_id, ())))
    return found


def _segment_mix(session: Session, ids: Select | Sequence[int]) -> dict[int, list[SegmentCount]]:
    rows = session.execute(
        select(IdeaVote.idea_id, Segment.key, Segment.name, func.count(IdeaVote.id).label("n"))
        .join(CustomerSegment, CustomerSegment.customer_id == IdeaVote.customer_id)
        .join(Segment, Segment.id == CustomerSegment.segment_id)
        .where(*_active_votes(ids)).group_by(IdeaVote.idea_id, Segment.key, Segment.name)).all()
    mix: dict[int, list[SegmentCount]] = {}
    for idea_id, key, name, n in sorted(rows, key=lambda r: (r[0], -r[3], r[1])):
        if len(mix.setdefault(idea_id, [])) < TOP_SEGMENTS:
            mix[idea_id].append(SegmentCount(key=key, name=name, voters=int(n)))
    return mix


def competition_ranks(values: Sequence[float]) -> list[int]:
    """Rank 1 for the largest value; ties share a rank and the next rank skips ("1224")."""
    return [1 + sum(1 for other in values if other > value) for value in values]


def rank(ideas: Sequence[Idea], demand: dict[int, Demand]) -> list[RankedIdea]:
    """The ideas with their demand and both ranks among them, in the given order."""
    rows = [demand.get(idea.id, Demand()) for idea in ideas]
    by_votes = competition_ranks([d.votes for d in rows])
    by_revenue = competition_ranks([round(d.revenue_at_stake, 6) for d in rows])
    return [RankedIdea(idea, Demand(**{**d.__dict__, "rank_votes": rv, "rank_revenue": rr}))
            for idea, d, rv, rr in zip(ideas, rows, by_votes, by_revenue, strict=True)]


def _filtered(board: str | None, status: str | None, moderation: str | None, q: str | None) -> Select:
    query = select(Idea)
    if board:
        query = query.join(Board, Board.id == Idea.board_id).where(Board.key == board)
    # duplicates redirect to their original and hold no active votes: listed only when asked for
    query = query.where(Idea.status == status) if status else query.where(Idea.status != "duplicate")
    if moderation:
        query = query.where(Idea.moderation == moderation)
    if q and q.strip():
        text = q.strip()[:200]
        query = query.where(or_(Idea.title.icontains(text, autoescape=True),
                                Idea.body.icontains(text, autoescape=True)))
    return query


SORT_KEYS = {
    "top": lambda r: (-r.demand.votes, -r.idea.id),
    "new": lambda r: (-r.idea.created_at.timestamp(), -r.idea.id),
    "trending": lambda r: (-r.demand.recent_votes, -r.demand.votes, -r.idea.id),
    "revenue": lambda r: (-r.demand.revenue_at_stake, -r.demand.votes, -r.idea.id),
}


def ranked_ideas(session: Session, *, board: str | None = None, status: str | None = None,
                 moderation: str | None = None, q: str | None = None, sort: str = "top") -> list[RankedIdea]:
    """Every idea matching the filters with its demand and both ranks, in ``sort`` order (three queries)."""
    query = _filtered(board, status, moderation, q)
    ideas = list(session.scalars(query))
    ids = query.with_only_columns(Idea.id).order_by(None)
    ranked = rank(ideas, demand_of(session, ids) if ideas else {})
    return sorted(ranked, key=SORT_KEYS.get(sort, SORT_KEYS["top"]))


def demand_one(session: Session, idea: Idea) -> Demand:
    """One idea's demand, ranked among the ideas of its board that are not duplicates."""
    board_ideas = select(Idea.id).where(Idea.board_id == idea.board_id, Idea.status != "duplicate")
    everything = demand_of(session, board_ideas)
    others = list(session.scalars(select(Idea).where(Idea.id.in_(board_ideas))))
    if idea.id not in {o.id for o in others}:
        others.append(idea)
        everything.update(demand_of(session, [idea.id]))
    return next(r.demand for r in rank(others, everything) if r.idea.id == idea.id)


@dataclass(frozen=True)
class Voter:
    vote: IdeaVote
    name: str
    clv: float | None
    churn_risk: float | None
    risk_band: str | None
    segments: tuple[str, ...]


def voters(session: Session, idea_id: int, *, limit: int, offset: int) -> tuple[list[Voter], int]:
    """The idea's active voters, newest first, with their value and segments (three queries)."""
    where = (IdeaVote.idea_id == idea_id, IdeaVote.superseded.is_(False))
    total = session.scalar(select(func.count(IdeaVote.id)).where(*where)) or 0
    rows = session.execute(
        select(IdeaVote, Customer.name, CustomerValue.clv, CustomerValue.churn_risk, CustomerValue.risk_band)
        .outerjoin(Customer, Customer.id == IdeaVote.customer_id)
        .outerjoin(CustomerValue, CustomerValue.customer_id == IdeaVote.customer_id)
        .where(*where).order_by(IdeaVote.created_at.desc(), IdeaVote.id.desc()).limit(limit).offset(offset)
    ).all()
    customer_ids = [vote.customer_id for vote, *_ in rows if vote.customer_id is not None]
    segments: dict[int, list[str]] = {}
    if customer_ids:
        for customer_id, key in session.execute(
                select(CustomerSegment.customer_id, Segment.key).join(Segment, Segment.id == CustomerSegment.segment_id)
                .where(CustomerSegment.customer_id.in_(customer_ids)).order_by(Segment.key)):
            segments.setdefault(customer_id, []).append(key)
    return [Voter(vote, name or "", clv, risk, band, tuple(segments.get(vote.customer_id or 0, ())))
            for vote, name, clv, risk, band in rows], int(total)
