"""Purchase log -> (x, t_x, T, z̄) summary, and historical CLV."""

from __future__ import annotations

import numpy as np
import pytest

from centric.stats import historical_clv, summary_from_transactions
from tests.stats import cdnow

needs_cdnow = pytest.mark.skipif(not cdnow.available(), reason="CDNOW data not found")


def test_small_log_by_hand() -> None:
    # a: Jan 1 (2 + 3 on the same day), Jan 8, Jan 15; b: Jan 8 only; c: after the end.
    ids = ["a", "b", "a", "a", "a", "c"]
    dates = ["2024-01-15", "2024-01-08", "2024-01-01", "2024-01-08", "2024-01-01", "2024-02-01"]
    amounts = [10.0, 7.0, 2.0, 20.0, 3.0, 5.0]
    s = summary_from_transactions(ids, dates, amounts, calibration_end="2024-01-29")
    assert s.customer_ids.tolist() == ["a", "b"]
    assert s.frequency.tolist() == [2, 0]
    assert s.recency.tolist() == pytest.approx([2.0, 0.0])
    assert s.T.tolist() == pytest.approx([4.0, 3.0])
    assert s.monetary_value.tolist() == pytest.approx([15.0, 0.0])
    assert s.total_value.tolist() == pytest.approx([35.0, 7.0])


def test_order_does_not_matter() -> None:
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 50, 400)
    days = np.datetime64("2024-01-01") + rng.integers(0, 200, 400)
    amounts = rng.gamma(2.0, 10.0, 400)
    order = rng.permutation(400)
    a = summary_from_transactions(ids, days, amounts)
    b = summary_from_transactions(ids[order], days[order], amounts[order])
    for field in ("frequency", "recency", "T", "monetary_value"):
        assert np.allclose(getattr(a, field), getattr(b, field))


def test_days_unit() -> None:
    s = summary_from_transactions([1, 1], ["2024-01-01", "2024-01-11"], [1, 1], freq_days=1)
    assert s.recency.tolist() == [10.0] and s.T.tolist() == [10.0]


@pytest.mark.parametrize(
    ("ids", "dates", "amounts", "message"),
    [
        ([1, 2], ["2024-01-01", "2024-01-02"], [1.0, -3.0], "row 1 is negative"),
        ([1, 2], ["2024-01-01", "2024-01-02"], [1.0, None], "row 1"),
        ([1, 2], ["2024-01-01", "2024-01-02"], [1.0, "ten"], "row 1 is not a number"),
        ([1, 2], ["2024-01-01", None], [1.0, 2.0], "date missing in row 1"),
        ([1, 2], ["2024-01-01", "soon"], [1.0, 2.0], "row 1"),
        ([1, None], ["2024-01-01", "2024-01-02"], [1.0, 2.0], "customer id missing in row 1"),
        ([1, 2], ["2024-01-01"], [1.0, 2.0], "dates has 1 rows"),
        ([], [], [], "no transactions"),
    ],
)
def test_bad_rows(ids: list, dates: list, amounts: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        summary_from_transactions(ids, dates, amounts)


def test_nothing_before_calibration_end() -> None:
    with pytest.raises(ValueError, match="calibration_end"):
        summary_from_transactions([1], ["2024-05-01"], [1.0], calibration_end="2024-01-01")


@needs_cdnow
def test_reproduces_published_cdnow_summary() -> None:
    # Fader & Hardie's summary: 39-week calibration ending 1997-09-30, time in weeks,
    # published rounded to two decimals.
    log = cdnow.transactions(sample=True)
    s = summary_from_transactions(log["customer_id"].to_numpy(), log["date"].to_numpy(),
                                  log["value"].to_numpy(), calibration_end=cdnow.CALIBRATION_END)
    ref = cdnow.summary_with_transactions()
    assert s.customer_ids.astype(int).tolist() == ref["ID"].tolist()
    assert np.array_equal(s.frequency, ref["x"].to_numpy())
    assert np.allclose(s.recency, ref["t_x"], atol=0.0051)
    assert np.allclose(s.T, ref["T"], atol=0.0051)
    assert np.allclose(s.monetary_value, ref["zbar"], atol=0.0051)


def test_historical_clv() -> None:
    h = historical_clv(["a", "b", "a", "c"], [10.0, 5.0, 30.0, 0.0], margin=0.5)
    assert h.customer_ids.tolist() == ["a", "b", "c"]
    assert h.value.tolist() == pytest.approx([20.0, 2.5, 0.0])
    assert h.total == pytest.approx(22.5)
    assert h.mean.value == pytest.approx(7.5) and h.mean.low is not None
    with pytest.raises(ValueError, match="margin"):
        historical_clv(["a"], [1.0], margin=2.0)
