"""Churn counted in SQL for scorecards equals the churn of the purchase log (centric.stats.churn_rate)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from centric.customers.models import Customer, CustomerSegment, Segment
from centric.governance.measure import Measurer, current_period
from centric.insights.value import churn_in_period, churn_report, purchases_from_events
from centric.journeys.models import Event


def test_sql_churn_matches_the_purchase_log_churn(db) -> None:
    rng = np.random.default_rng(11)
    with db.transaction() as s:
        vip = Segment(key="vip", name="VIP")
        s.add(vip)
        s.flush()
        for n in range(120):
            customer = Customer(external_id=f"c{n}", name=f"Guest {n}")
            s.add(customer)
            s.flush()
            if n % 3 == 0:
                s.add(CustomerSegment(customer_id=customer.id, segment_id=vip.id))
            for day in rng.integers(0, 365, size=int(rng.integers(1, 6))):
                when = datetime(2025, 1, 1) + timedelta(days=int(day), hours=int(rng.integers(0, 24)))
                s.add(Event(customer_id=customer.id, kind="purchase", occurred_at=when, value=100.0,
                            source="test", external_id=f"{n}-{day}-{when.hour}"))
        # a visit (no value) does not count as a purchase
        s.add(Event(customer_id=customer.id, kind="visit", occurred_at=datetime(2025, 11, 1), source="test"))
    with db.reader() as s:
        for segment in (None, "vip"):
            log = purchases_from_events(s, segment=segment)
            for start, end in ((date(2025, 4, 1), date(2025, 7, 1)), (date(2025, 10, 1), date(2026, 1, 1)),
                               (date(2025, 7, 1), date(2025, 8, 1))):
                expected = churn_report(log, start, end - timedelta(days=1)).rate
                got = churn_in_period(s, start, end, segment=segment)
                assert got.n == expected.n > 0
                assert got.value == pytest.approx(expected.value)
                assert (got.low, got.high) == pytest.approx((expected.low, expected.high))
                assert "Wilson" in got.method and "purchase before" in got.method
        nobody = churn_in_period(s, date(2024, 1, 1), date(2024, 4, 1))
        assert nobody.value is None and nobody.n == 0 and "no purchases" in nobody.method


def test_a_running_period_is_not_judged_on_churn(db) -> None:
    """Who has not bought yet in the running quarter is not lost: its churn would be biased upwards."""
    with db.reader() as s:
        measurer = Measurer(s)
        running = measurer.measure("churn", "company", "", current_period("quarter"))
        assert running.value is None and "once it is over" in running.method
        over = measurer.measure("churn", "company", "", current_period("quarter").previous())
        assert "once it is over" not in over.method
