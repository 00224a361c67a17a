"""The demo company's ideas portal: every status, both languages, value-weighted demand, a shipped idea."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from centric.db import Database
from centric.demo import DemoSummary, generate_demo
from centric.ideas.demand import ranked_ideas
from centric.ideas.models import STATUSES, Board, Idea, IdeaComment, IdeaMerge, IdeaVote
from centric.ideas.resurvey import shipped_effect
from centric.ideas.service import original_of
from centric.journeys.models import Event

TODAY = date(2026, 3, 15)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('ideas') / 'demo.db'}")
    summary = generate_demo(db, customers=1500, months=18, seed=7, today=TODAY)
    yield db, summary
    db.dispose()


def test_boards_hold_ideas_in_every_status_and_both_languages(demo):
    db, summary = demo
    with db.reader() as s:
        boards = set(s.scalars(select(Board.key)))
        ideas = s.scalars(select(Idea)).all()
        votes = s.scalar(select(func.count()).select_from(IdeaVote))
        counted = s.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.superseded.is_(False)))
        timeline = s.scalar(select(func.count()).select_from(Event).where(Event.source == "ideas"))
        official = s.scalar(select(func.count()).select_from(IdeaComment).where(IdeaComment.official.is_(True)))
    assert boards == {"stays", "app", "loyalty"}
    assert {i.status for i in ideas} == set(STATUSES)
    assert {i.language for i in ideas} == {"en", "zh"}
    assert {i.moderation for i in ideas} == {"approved", "pending", "hidden"}
    assert summary.ideas == len(ideas) and summary.idea_votes <= votes
    assert sum(i.vote_count for i in ideas) == counted  # the kept counts agree with the rows
    assert timeline >= counted and official >= 3


def test_the_duplicate_points_at_its_original_and_its_merge_can_be_undone(demo):
    db, _ = demo
    with db.reader() as s:
        duplicate = s.scalars(select(Idea).where(Idea.status == "duplicate")).one()
        merge = s.scalars(select(IdeaMerge).where(IdeaMerge.duplicate_id == duplicate.id)).one()
        assert original_of(s, duplicate).id == merge.original_id
        assert merge.moved_vote_ids and merge.superseded_vote_ids and merge.undone_at is None


def test_raw_votes_and_revenue_at_stake_rank_differently(demo):
    db, _ = demo
    with db.reader() as s:
        ranked = ranked_ideas(s, moderation="approved")
    by_title = {r.idea.title: r.demand for r in ranked}
    breakfast, late = by_title["Free breakfast for every guest"], by_title["Guaranteed late check-out for Gold members"]
    assert breakfast.votes > late.votes  # popular with guests of low value…
    assert late.revenue_at_stake > breakfast.revenue_at_stake  # …while the members' favourite carries more value
    assert breakfast.rank_votes < late.rank_votes and late.rank_revenue < breakfast.rank_revenue


def test_the_shipped_idea_was_re_surveyed_and_its_voters_score_higher(demo):
    db, _ = demo
    with db.reader() as s:
        shipped = s.scalars(select(Idea).where(Idea.title == "Express check-in in the app")).one()
        effect = shipped_effect(s, shipped.id)
    assert shipped.status == "done"
    nps = next(m for m in effect.metrics if m.metric == "nps")
    assert nps.voters.n >= 30 and nps.voters.change is not None and nps.voters.low is not None
    assert nps.voters.low > 0  # the built-in uplift is found, with its interval above zero
