"""Churn rate and retention cohorts on small hand-made logs."""

from __future__ import annotations

import numpy as np
import pytest

from centric.stats import churn_rate, retention_cohorts

# a: Jan and Feb; b: Jan only; c: Jan, then March; d: first seen in Feb; e: a year ago.
IDS = ["a", "a", "b", "c", "c", "d", "e"]
DATES = ["2024-01-05", "2024-02-10", "2024-01-20", "2024-01-02", "2024-03-01", "2024-02-15",
         "2023-01-01"]


def test_churn_by_hand() -> None:
    result = churn_rate(IDS, DATES, "2024-02-01", "2024-02-29")
    # At start: a, b, c, e. Active in Feb: a (and new d). Lost: b, c (March is after), e.
    assert (result.customers_at_start, result.lost, result.retained, result.new) == (4, 3, 1, 1)
    assert result.rate.value == pytest.approx(75.0)
    assert result.rate.low < 75.0 < result.rate.high  # type: ignore[operator]


def test_active_window_drops_long_gone_customers() -> None:
    result = churn_rate(IDS, DATES, "2024-02-01", "2024-02-29", active_window_days=60)
    assert (result.customers_at_start, result.lost) == (3, 2)  # e left before the window
    assert "within 60 days" in result.definition


def test_no_customers_at_start() -> None:
    result = churn_rate(["x"], ["2024-02-02"], "2024-02-01", "2024-02-29")
    assert result.rate.value is None and result.new == 1


def test_churn_bad_input() -> None:
    with pytest.raises(ValueError, match="before period_start"):
        churn_rate(IDS, DATES, "2024-03-01", "2024-02-01")
    with pytest.raises(ValueError, match="date missing in row 1"):
        churn_rate(["a", "b"], ["2024-01-01", None], "2024-02-01", "2024-02-29")


def test_retention_by_hand() -> None:
    table = retention_cohorts(IDS, DATES)
    assert table.cohorts.tolist() == ["2023-01", "2024-01", "2024-02"]
    assert table.sizes.tolist() == [1, 3, 1]
    jan = table.shares[1]
    # Jan cohort a, b, c: Feb a only (1/3), March c only (1/3); April not observed.
    assert jan[:3] == pytest.approx([100.0, 100 / 3, 100 / 3])
    assert not table.observed[1, 3] and np.isnan(jan[3])
    assert table.observed[0].all()  # the 2023 cohort is observed up to March 2024
    assert table.shares[:, 0][table.observed[:, 0]] == pytest.approx([100.0] * 3)


def test_retention_counts_a_customer_once_per_period() -> None:
    table = retention_cohorts(["a", "a", "a", "b"], ["2024-01-01", "2024-01-09", "2024-02-03", "2024-01-20"])
    assert table.active.tolist() == [[2, 1]]


def test_weeks_quarters_and_pandas() -> None:
    weekly = retention_cohorts(["a", "a"], ["2024-01-07", "2024-01-08"], freq="W")  # Sun, Mon
    assert weekly.cohorts.tolist() == ["2024-01-01"] and weekly.active.tolist() == [[1, 1]]
    quarterly = retention_cohorts(["a", "a"], ["2024-03-31", "2024-04-01"], freq="Q")
    assert quarterly.cohorts.tolist() == ["2024-Q1"]
    frame = retention_cohorts(IDS, DATES).to_pandas()
    assert frame.loc["2024-01", "size"] == 3 and frame.loc["2024-01", 1] == pytest.approx(100 / 3)
    with pytest.raises(ValueError, match="freq"):
        retention_cohorts(IDS, DATES, freq="D")  # type: ignore[arg-type]
