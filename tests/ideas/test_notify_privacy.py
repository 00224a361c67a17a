"""Ideas follow their customers: a merge (and its undo) moves votes, comments, ideas and notices; erasure."""

from __future__ import annotations

from sqlalchemy import select

from centric.customers.models import Customer
from centric.customers.service import merge_customers, undo_merge
from centric.ideas.models import Idea, IdeaComment, IdeaNotice, IdeaVote
from centric.privacy.service import erase_customer, export_customer
from tests.ideas.loop_helpers import change_status, comment, customer, idea, vote


def state(db) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return {
            "votes": sorted(s.execute(select(IdeaVote.idea_id, IdeaVote.customer_id, IdeaVote.superseded)).all()),
            "counts": sorted(s.execute(select(Idea.id, Idea.vote_count)).all()),
            "comments": sorted(s.execute(select(IdeaComment.id, IdeaComment.customer_id)).all()),
            "authors": sorted(s.execute(select(Idea.id, Idea.customer_id)).all()),
            "notices": sorted(s.execute(select(IdeaNotice.change_id, IdeaNotice.customer_id)).all()),
        }


def test_a_merge_keeps_one_vote_per_idea_and_its_undo_restores_everything(db):
    with db.transaction() as s:
        ann, bo = customer(s, "ann@example.com"), customer(s, "bo@example.com")
        both, only_bo, bos_own = idea(s, "Both voted"), idea(s, "Only Bo voted"), idea(s, "Bo's idea", author=bo)
        vote(s, both.id, ann)
        vote(s, both.id, bo)
        vote(s, only_bo.id, bo)
        comment(s, both.id, bo)
        told_both = change_status(s, both.id, "planned")
        told_bo = change_status(s, only_bo.id, "planned")
        s.add_all([IdeaNotice(change_id=told_both.id, customer_id=ann),
                   IdeaNotice(change_id=told_both.id, customer_id=bo),
                   IdeaNotice(change_id=told_bo.id, customer_id=bo)])
        ids = {"both": both.id, "only_bo": only_bo.id, "own": bos_own.id, "c1": told_both.id, "c2": told_bo.id}
    before = state(db)
    assert dict(before["counts"])[ids["both"]] == 2
    with db.transaction() as s:
        merge_id = merge_customers(s, s.get(Customer, ann), s.get(Customer, bo), reason="same person").id
    after = state(db)
    assert after["votes"] == sorted([(ids["both"], ann, False), (ids["both"], bo, True), (ids["only_bo"], ann, False)])
    assert dict(after["counts"]) == {ids["both"]: 1, ids["only_bo"]: 1, ids["own"]: 0}  # one person, one vote
    assert {c for _, c in after["comments"]} == {ann}
    assert dict(after["authors"])[ids["own"]] == ann
    # Ann was told of the first change already: Bo's notice of it stays with Bo's merged profile
    assert after["notices"] == sorted([(ids["c1"], ann), (ids["c1"], bo), (ids["c2"], ann)])
    with db.transaction() as s:
        undo_merge(s, merge_id)
    assert state(db) == before


def test_erasure_keeps_ideas_and_votes_without_the_person(db):
    with db.transaction() as s:
        ann, bo = customer(s, "ann@example.com"), customer(s, "bo@example.com")
        own = idea(s, "Ann's idea", author=ann)
        vote(s, own.id, ann)
        vote(s, own.id, bo)
        comment(s, own.id, ann, "Call me on 555-0100, Ann Smith")
        s.add(IdeaNotice(change_id=change_status(s, own.id, "planned").id, customer_id=ann))
        idea_id = own.id
    with db.transaction() as s:
        export = export_customer(s, ann)
    assert [i["title"] for i in export.ideas["ideas"]] == ["Ann's idea"]
    assert [v["idea_title"] for v in export.ideas["votes"]] == ["Ann's idea"]
    assert [c["body"] for c in export.ideas["comments"]] == ["Call me on 555-0100, Ann Smith"]
    assert "idea.customer_id" not in export.other and "idea_notice.customer_id" in export.other
    with db.transaction() as s:
        report = erase_customer(s, ann, str(ann))
    assert report.counts["idea_authorship_erased"] == 2
    with db.reader() as s:
        erased = s.get(Idea, idea_id)
        assert (erased.customer_id, erased.author_name, erased.title, erased.vote_count) == (None, "", "Ann's idea", 2)
        assert sorted(s.scalars(select(IdeaVote.customer_id)), key=str) == sorted([None, bo], key=str)
        [left] = s.scalars(select(IdeaComment))
        assert (left.customer_id, left.author_name, left.body) == (None, "", "[erased]")
        assert list(s.scalars(select(IdeaNotice.customer_id))) == [None]
