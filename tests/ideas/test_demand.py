"""Value-weighted demand: sums, means, shares and both ranks on hand-made CLV rows; a list in constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from centric.db import Database, utcnow
from centric.ideas import demand
from centric.ideas.models import Idea
from tests.api.conftest import auth
from tests.api.test_statement_counts import counted
from tests.ideas.staff_factories import make_board, make_customer, make_idea, make_segment, vote


def test_weighted_sums_shares_segments_and_ranks(db: Database) -> None:
    with db.transaction() as s:
        board = make_board(s)
        loyal = make_segment(s, "loyal")
        business = make_segment(s, "business")
        many = make_idea(s, board, "Faster wifi")
        few = make_idea(s, board, "Airport shuttle")
        none = make_idea(s, board, "Pet rooms")
        for i in range(3):  # three low-value, low-risk voters
            vote(s, many, make_customer(s, f"Low {i}", clv=100.0, churn=0.1, segments=(loyal,)))
        vote(s, many, make_customer(s, "Unscored"))
        big = make_customer(s, "Big", clv=2000.0, churn=0.5, band="high", segments=(loyal, business))
        mid = make_customer(s, "Mid", clv=1000.0, churn=0.2, band="medium", segments=(business,))
        vote(s, few, big)
        vote(s, few, mid)
        ids = (many.id, few.id, none.id)
    with db.reader() as s:
        ranked = {r.idea.id: r.demand for r in demand.ranked_ideas(s, sort="revenue")}
        order = [r.idea.id for r in demand.ranked_ideas(s, sort="revenue")]
    many_d, few_d, none_d = (ranked[i] for i in ids)
    assert (many_d.votes, many_d.scored_voters, many_d.clv_sum) == (4, 3, 300.0)
    assert many_d.churn_risk_mean == pytest.approx(0.1) and many_d.high_risk_share == 0.0
    assert many_d.revenue_at_stake == pytest.approx(30.0)
    assert few_d.revenue_at_stake == pytest.approx(2000 * 0.5 + 1000 * 0.2)
    assert few_d.churn_risk_mean == pytest.approx(0.35) and few_d.high_risk_share == 0.5
    assert [(c.key, c.voters) for c in few_d.segments] == [("business", 2), ("loyal", 1)]
    assert [(c.key, c.voters) for c in many_d.segments] == [("loyal", 3)]
    assert (many_d.rank_votes, many_d.rank_revenue) == (1, 2)
    assert (few_d.rank_votes, few_d.rank_revenue) == (2, 1)
    assert (none_d.votes, none_d.rank_votes, none_d.rank_revenue, none_d.churn_risk_mean) == (0, 3, 3, None)
    assert order == [ids[1], ids[0], ids[2]]


def test_superseded_votes_do_not_count_and_trending_counts_recent_votes(db: Database) -> None:
    with db.transaction() as s:
        board = make_board(s)
        old, new = make_idea(s, board, "Old favourite"), make_idea(s, board, "New hit")
        for i in range(3):
            vote(s, old, make_customer(s, f"Early {i}", clv=10.0), when=utcnow() - timedelta(days=30))
        for i in range(2):
            vote(s, new, make_customer(s, f"Late {i}", clv=10.0))
        superseded = vote(s, new, make_customer(s, "Counted elsewhere", clv=10.0))
        superseded.superseded = True
        ids = old.id, new.id
    with db.reader() as s:
        trending = [r.idea.id for r in demand.ranked_ideas(s, sort="trending")]
        top = demand.ranked_ideas(s, sort="top")
    assert trending == [ids[1], ids[0]]
    assert [r.idea.id for r in top] == [ids[0], ids[1]] and top[1].demand.votes == 2


def test_competition_ranks_share_ties() -> None:
    assert demand.competition_ranks([5, 9, 5, 1]) == [2, 1, 2, 4]


def _ideas_with_voters(db: Database, n: int) -> None:
    with db.transaction() as s:
        board = make_board(s, key=f"b{n}")
        segment = make_segment(s, f"seg{n}")
        for i in range(n):
            idea = make_idea(s, board, f"Idea {n}-{i}")
            vote(s, idea, make_customer(s, f"Voter {n}-{i}", clv=50.0 * i, churn=0.3, segments=(segment,)))


def test_the_list_costs_the_same_statements_for_2_and_20_ideas(client, tokens, db: Database) -> None:
    h = auth(tokens["viewer"])
    _ideas_with_voters(db, 2)
    client.get("/api/v1/ideas", headers=h)  # warm: the token's first use is recorded once
    with counted(db.engine) as few:
        assert client.get("/api/v1/ideas?sort=revenue", headers=h).json()["total"] == 2
    _ideas_with_voters(db, 18)
    with counted(db.engine) as many:
        assert client.get("/api/v1/ideas?sort=revenue", headers=h).json()["total"] == 20
    assert len(many) == len(few)
    with db.reader() as s:
        assert s.query(Idea).count() == 20
