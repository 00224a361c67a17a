"""What staff read about ideas: lists with demand and both rankings, one idea in full, its voters."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from centric.ideas import demand, merging, moderation, statuses
from centric.ideas.demand import RankedIdea
from centric.ideas.links import links_of
from centric.ideas.service import get_idea, idea_outs
from centric.ideas.staff_schemas import IdeaDetailOut, StaffIdeaOut, VoterOut


def staff_outs(session: Session, ranked: Sequence[RankedIdea]) -> list[StaffIdeaOut]:
    """Outputs of ranked ideas (one query for the boards' keys)."""
    outs = idea_outs(session, [r.idea for r in ranked])
    return [StaffIdeaOut(**out.model_dump(), demand=r.demand.out()) for out, r in zip(outs, ranked, strict=True)]


def list_ideas(session: Session, *, board: str | None = None, status: str | None = None,
               moderation_state: str | None = None, q: str | None = None, sort: str = "top") -> list[StaffIdeaOut]:
    """Every idea matching the filters, in ``sort`` order, each with its demand and both ranks."""
    return staff_outs(session, demand.ranked_ideas(session, board=board, status=status,
                                                   moderation=moderation_state, q=q, sort=sort))


def detail(session: Session, idea_id: int) -> IdeaDetailOut:
    """One idea with its demand (ranked within its board), history, merges, links and official answer."""
    idea = get_idea(session, idea_id)
    base = staff_outs(session, [RankedIdea(idea, demand.demand_one(session, idea))])[0]
    answer = moderation.official_answer(session, idea.id)
    return IdeaDetailOut(**base.model_dump(), history=statuses.history(session, idea.id),
                         merges=merging.merges_of(session, idea.id), links=links_of(session, idea.id),
                         official_answer=answer.body if answer else None)


def voters(session: Session, idea_id: int, *, limit: int, offset: int) -> tuple[list[VoterOut], int]:
    get_idea(session, idea_id)
    rows, total = demand.voters(session, idea_id, limit=limit, offset=offset)
    return [VoterOut(vote_id=v.vote.id, customer_id=v.vote.customer_id, name=v.name, clv=v.clv,
                     churn_risk=v.churn_risk, risk_band=v.risk_band, segments=list(v.segments),
                     origin_idea_id=v.vote.origin_idea_id, superseded=v.vote.superseded,
                     created_at=v.vote.created_at) for v in rows], total


def require_idea(session: Session, idea_id: int) -> None:
    """404 unless the idea exists."""
    get_idea(session, idea_id)
