"""ROI of customer experience and Earned Growth Rate."""

from __future__ import annotations

import pytest

from centric.stats import cx_roi, earned_growth_rate

CATEGORY = ["promoter", "passive", "detractor", "detractor", "passive", "promoter", "detractor"]
CHURNED = [0, 0, 1, 0, 1, 0, 1]
VALUE = [100.0, 80.0, 50.0, 60.0, 70.0, 120.0, 40.0]


def test_by_category() -> None:
    roi = cx_roi(CATEGORY, CHURNED, VALUE)
    by = {c.category: c for c in roi.categories}
    assert by["detractor"].n == 3 and by["detractor"].churn_rate.value == pytest.approx(200 / 3)
    assert by["promoter"].churn_rate.value == 0.0
    assert by["passive"].mean_value.value == pytest.approx(75.0)
    # Revenue at risk: detractors hold 150, two thirds churn -> 100.
    assert roi.revenue_at_risk.value == pytest.approx(100.0)
    assert roi.revenue_at_risk.low < 100.0 < roi.revenue_at_risk.high  # type: ignore[operator]
    # Moving a detractor (mean 50) to passive (mean 75) is worth 25.
    assert roi.detractor_to_passive_value.difference == pytest.approx(25.0)
    assert roi.detractor_to_passive_value.p_value is not None


def test_empty_categories_are_undefined_not_errors() -> None:
    roi = cx_roi(["promoter", "promoter"], [0, 1], [10.0, 20.0])
    by = {c.category: c for c in roi.categories}
    assert by["detractor"].n == 0 and by["detractor"].churn_rate.value is None
    assert roi.revenue_at_risk.value is None
    assert roi.detractor_to_passive_value.difference is None


def test_roi_bad_input() -> None:
    with pytest.raises(ValueError, match="row 1 must be promoter"):
        cx_roi(["promoter", "fan"], [0, 0], [1.0, 1.0])
    with pytest.raises(ValueError, match="flag in row 0"):
        cx_roi(["promoter"], ["maybe"], [1.0])
    with pytest.raises(ValueError, match="value in row 0"):
        cx_roi(["promoter"], [0], [-1.0])
    with pytest.raises(ValueError, match="expected 2 flags"):
        cx_roi(["promoter", "passive"], [0], [1.0, 1.0])


def test_earned_growth_by_hand() -> None:
    # Last period 350 from three customers; they bring 270 now (NRR 77.14%);
    # one earned newcomer brings 30 (ENC 8.57%), one bought newcomer 40 (not counted).
    growth = earned_growth_rate([100, 200, 0, 0, 50], [120, 150, 30, 40, 0], [0, 0, 1, 0, 0], n_boot=200)
    assert growth.net_revenue_retention.value == pytest.approx(100 * 270 / 350)
    assert growth.earned_new_customers.value == pytest.approx(100 * 30 / 350)
    assert growth.earned_growth_rate.value == pytest.approx(100 * (270 + 30) / 350 - 100)
    assert growth.earned_growth_rate.low is not None
    assert growth.previous_revenue == 350.0


def test_earned_growth_bad_input() -> None:
    with pytest.raises(ValueError, match="zero"):
        earned_growth_rate([0, 0], [1, 2], [1, 0])
    with pytest.raises(ValueError, match="current_revenue has 1 rows"):
        earned_growth_rate([1, 2], [1], [0, 0])
