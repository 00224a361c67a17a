"""Merging duplicate ideas: votes deduplicated per customer, comments moved, exact undo, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.db import Database
from centric.errors import Conflict, Invalid
from centric.events import IdeaStatusesChanged, recorded
from centric.ideas import merging, statuses
from centric.ideas.models import Board, Idea, IdeaComment, IdeaMerge, IdeaStatusChange, IdeaVote
from centric.ideas.service import original_of
from tests.ideas.staff_factories import comment, make_board, make_customer, make_idea, vote


def _snapshot(db: Database) -> dict[str, object]:
    with db.reader() as s:
        return {
            "votes": sorted(s.execute(select(IdeaVote.id, IdeaVote.idea_id, IdeaVote.origin_idea_id,
                                             IdeaVote.customer_id, IdeaVote.superseded)).all()),
            "comments": sorted(s.execute(select(IdeaComment.id, IdeaComment.idea_id,
                                                IdeaComment.origin_idea_id)).all()),
            "ideas": sorted(s.execute(select(Idea.id, Idea.status, Idea.duplicate_of_id, Idea.vote_count,
                                             Idea.comment_count)).all()),
        }


def _board_of(s: Session, idea_id: int) -> Board:
    return s.get_one(Board, s.get_one(Idea, idea_id).board_id)


@pytest.fixture
def pair(db: Database) -> tuple[int, int, list[int]]:
    """An original with voters A, B and a duplicate with voters B, C and an erased voter; comments on both."""
    with db.transaction() as s:
        board = make_board(s)
        original = make_idea(s, board, "Late checkout for members")
        duplicate = make_idea(s, board, "Let members check out late", status="under_review")
        a, b, c = (make_customer(s, name) for name in ("Ann", "Bob", "Cai"))
        vote(s, original, a)
        vote(s, original, b)
        vote(s, duplicate, b)
        vote(s, duplicate, c)
        vote(s, duplicate, None)
        comment(s, original, a, "Yes please")
        comment(s, duplicate, c, "Would love 2pm")
        comment(s, duplicate, b, "Me too")
        return original.id, duplicate.id, [a.id, b.id, c.id]


def test_merge_deduplicates_votes_per_customer_and_moves_comments(db: Database, pair) -> None:
    original_id, duplicate_id, (a, b, c) = pair
    with db.transaction() as s, recorded() as events:
        record = merging.merge(s, duplicate_id, original_id, user_id=None)
        merge_id = record.id
    with db.reader() as s:
        original, duplicate = s.get(Idea, original_id), s.get(Idea, duplicate_id)
        assert original is not None and duplicate is not None
        assert original.vote_count == 4  # A, B, C and the erased voter: B counts once
        assert duplicate.vote_count == 0 and duplicate.comment_count == 0
        assert original.comment_count == 3
        assert duplicate.status == "duplicate" and duplicate.duplicate_of_id == original_id
        assert original_of(s, duplicate).id == original_id
        on_original = s.execute(select(IdeaVote.customer_id, IdeaVote.origin_idea_id)
                                .where(IdeaVote.idea_id == original_id, IdeaVote.superseded.is_(False))).all()
        assert sorted(on_original, key=str) == sorted([(a, original_id), (b, original_id), (c, duplicate_id),
                                                       (None, duplicate_id)], key=str)
        kept = s.execute(select(IdeaVote.customer_id, IdeaVote.superseded)
                         .where(IdeaVote.idea_id == duplicate_id)).all()
        assert kept == [(b, True)]
        moved = s.scalars(select(IdeaComment.origin_idea_id).where(IdeaComment.idea_id == original_id)).all()
        assert sorted(moved) == sorted([original_id, duplicate_id, duplicate_id])
        change = s.scalar(select(IdeaStatusChange).where(IdeaStatusChange.idea_id == duplicate_id))
        assert change is not None and change.from_status == "under_review" and change.to_status == "duplicate"
        assert str(original_id) in change.note
        merge = s.get(IdeaMerge, merge_id)
        assert merge is not None and len(merge.moved_vote_ids) == 2 and len(merge.superseded_vote_ids) == 1
    assert [type(e) for e in events] == [IdeaStatusesChanged]


def test_undo_restores_exactly_the_rows_and_counts_and_refuses_a_second_undo(db: Database, pair) -> None:
    original_id, duplicate_id, _ = pair
    before = _snapshot(db)
    with db.transaction() as s:
        merge_id = merging.merge(s, duplicate_id, original_id, user_id=None).id
    assert _snapshot(db) != before
    with db.transaction() as s, recorded() as events:
        merging.undo_merge(s, merge_id, user_id=None)
    assert _snapshot(db) == before
    assert len(events) == 1 and isinstance(events[0], IdeaStatusesChanged)
    with db.reader() as s:
        merge = s.get(IdeaMerge, merge_id)
        assert merge is not None and merge.undone_at is not None
        assert [m.id for m in merging.merges_of(s, original_id)] == [merge_id]
    with db.transaction() as s, pytest.raises(Conflict, match="undone already"):
        merging.undo_merge(s, merge_id, user_id=None)


def test_merging_into_itself_a_duplicate_or_twice_is_refused(db: Database, pair) -> None:
    original_id, duplicate_id, _ = pair
    with db.transaction() as s:
        third_id = make_idea(s, _board_of(s, original_id), "Checkout at 1pm").id
    with db.transaction() as s, pytest.raises(Invalid, match="itself"):
        merging.merge(s, original_id, original_id, None)
    with db.transaction() as s:
        merging.merge(s, duplicate_id, original_id, None)
    with db.transaction() as s, pytest.raises(Conflict, match="itself a duplicate"):
        merging.merge(s, third_id, duplicate_id, None)
    with db.transaction() as s, pytest.raises(Conflict, match="merged already"):
        merging.merge(s, duplicate_id, third_id, None)
    with db.transaction() as s, pytest.raises(Invalid, match="merging"):
        statuses.change_status(s, third_id, "duplicate", "", None)


def test_a_failure_midway_leaves_nothing_changed(db: Database, pair, monkeypatch: pytest.MonkeyPatch) -> None:
    original_id, duplicate_id, _ = pair
    before = _snapshot(db)

    def broken(*args: object) -> None:
        raise RuntimeError("the recount failed")

    monkeypatch.setattr(merging, "recount", broken)
    with db.transaction() as s:  # the caller goes on and commits: the savepoint kept the merge out
        with pytest.raises(RuntimeError):
            merging.merge(s, duplicate_id, original_id, None)
        assert s.scalar(select(IdeaMerge.id)) is None
    assert _snapshot(db) == before
    with db.reader() as s:
        assert s.scalar(select(IdeaStatusChange.id)) is None


def test_undo_is_refused_while_the_original_is_merged_on(db: Database, pair) -> None:
    original_id, duplicate_id, _ = pair
    with db.transaction() as s:
        final_id = make_idea(s, _board_of(s, original_id), "Flexible checkout").id
        first = merging.merge(s, duplicate_id, original_id, None).id
        second = merging.merge(s, original_id, final_id, None).id
    with db.transaction() as s, pytest.raises(Conflict, match="undo that merge first"):
        merging.undo_merge(s, first, None)
    with db.transaction() as s:
        merging.undo_merge(s, second, None)
        merging.undo_merge(s, first, None)
    with db.reader() as s:
        assert s.get_one(Idea, duplicate_id).status == "under_review"
        assert s.get_one(Idea, original_id).vote_count == 2


def test_undo_after_a_customer_merge_keeps_one_vote_per_customer(db: Database, pair) -> None:
    """Cai's vote moved to the original; Bob (superseded vote on the duplicate) is then merged into Cai."""
    from centric.customers.models import Customer
    from centric.customers.service import merge_customers

    original_id, duplicate_id, (_, b, c) = pair
    with db.transaction() as s:
        merge_id = merging.merge(s, duplicate_id, original_id, user_id=None).id
    with db.transaction() as s:
        # Bob's votes (one on each idea) now belong to Cai
        merge_customers(s, s.get_one(Customer, c), s.get_one(Customer, b), reason="same person")
    with db.transaction() as s:
        merging.undo_merge(s, merge_id, user_id=None)
    with db.reader() as s:
        per_idea = s.execute(select(IdeaVote.idea_id, IdeaVote.customer_id)
                             .where(IdeaVote.customer_id == c, IdeaVote.superseded.is_(False))).all()
        assert len(per_idea) == len(set(per_idea))  # never two counted votes of one person on one idea
        for idea_id in (original_id, duplicate_id):
            counted = s.scalar(select(func.count()).select_from(IdeaVote).where(
                IdeaVote.idea_id == idea_id, IdeaVote.superseded.is_(False)))
            assert s.get_one(Idea, idea_id).vote_count == counted
