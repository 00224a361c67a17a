"""Customer value scores, loop KPIs against hand-computed figures, and root causes by revenue at risk."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from typer.testing import CliRunner

from centric.cli.main import app as cli
from centric.customers.models import Customer
from centric.insights.models import CustomerValue
from centric.insights.value import purchases_from_events, score_customer_values
from centric.journeys.models import Event

runner = CliRunner()


def purchase_history(session, customers: int = 60, seed: int = 0) -> list[int]:  # type: ignore[no-untyped-def]
    """A year of purchases drawn from the BG/NBD story: Poisson buying at a gamma rate until an exponential lifetime."""
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1)
    ids = []
    for index in range(customers):
        person = Customer(name=f"Buyer {index}")
        session.add(person)
        session.flush()
        ids.append(person.id)
        rate, life, weeks = rng.gamma(1.5, 0.1), rng.exponential(40), 0.0
        while weeks <= min(life, 52):
            session.add(Event(customer_id=person.id, kind="purchase", value=float(rng.gamma(4, 10)),
                              occurred_at=start + timedelta(days=int(weeks * 7))))
            weeks += rng.exponential(1 / rate)
    session.flush()
    return ids


def test_value_scores_are_stored_with_tercile_bands_and_rescoring_updates(db):
    with db.transaction() as s:
        ids = purchase_history(s)
        result = score_customer_values(s, purchases_from_events(s))
    assert result.scored == result.created == 60
    with db.reader() as s:
        rows = {v.customer_id: v for v in s.scalars(select(CustomerValue))}
    assert set(rows) == set(ids)
    for value in rows.values():
        assert value.churn_risk == np.float64(1.0) - value.p_alive and 0 <= value.p_alive <= 1 and value.clv >= 0
    by_clv = sorted(rows.values(), key=lambda v: v.clv)
    assert [v.clv_band for v in (by_clv[0], by_clv[30], by_clv[-1])] == ["low", "medium", "high"]
    assert sum(v.clv_band == "high" for v in rows.values()) == 20
    by_risk = sorted(rows.values(), key=lambda v: v.churn_risk)
    assert by_risk[-1].risk_band == "high" and by_risk[0].risk_band == "low"
    with db.transaction() as s:
        again = score_customer_values(s, purchases_from_events(s), horizon_months=24)
    assert again.scored == 60 and again.created == 0
    with db.reader() as s:
        longer = {v.customer_id: v.clv for v in s.scalars(select(CustomerValue))}
    assert all(longer[c] >= rows[c].clv for c in ids) and sum(longer.values()) > sum(v.clv for v in rows.values())


def test_cli_scores_from_the_stored_purchases(db):
    with db.transaction() as s:
        purchase_history(s, customers=45)
    result = runner.invoke(cli, ["--database-url", db.url, "clv", "score"])
    assert result.exit_code == 0, result.output
    assert "scored 45 customers (45 for the first time)" in result.output
    with db.reader() as s:
        assert len(s.scalars(select(CustomerValue)).all()) == 45


def test_cli_without_purchases_says_so(db):
    result = runner.invoke(cli, ["--database-url", db.url, "clv", "score"])
    assert result.exit_code == 2 and "no purchases" in result.output
