"""Customer Happiness Score."""

from __future__ import annotations

import math

import pytest

from centric.stats import Estimate, HappinessWeights, happiness_score


def test_by_hand() -> None:
    nps = Estimate(30.0, 20.0, 40.0, 100, 5.0)      # -> 65, se 2.5
    csat = Estimate(80.0, 70.0, 90.0, 120, 4.0)      # -> 80, se 4
    ces = Estimate(4.0, 3.5, 4.5, 60, 0.3)           # 1–7 -> 50, se 5
    chs = happiness_score(nps=nps, csat=csat, ces=ces)
    # Weights 0.4, 0.3, 0.2 renormalised over 0.9 (no sentiment).
    assert chs.value == pytest.approx((0.4 * 65 + 0.3 * 80 + 0.2 * 50) / 0.9)
    se = math.sqrt((0.4 / 0.9 * 2.5) ** 2 + (0.3 / 0.9 * 4) ** 2 + (0.2 / 0.9 * 5) ** 2)
    assert chs.se == pytest.approx(se)
    assert chs.n == 60


def test_custom_weights_and_sentiment() -> None:
    sentiment = Estimate(0.2, 0.1, 0.3, 500, 0.05)   # -> 60
    chs = happiness_score(nps=Estimate(0.0, -10.0, 10.0, 50, 5.0), sentiment=sentiment,
                          weights=HappinessWeights(nps=1, csat=0, ces=0, sentiment=1))
    assert chs.value == pytest.approx((50 + 60) / 2)


def test_missing_parts() -> None:
    assert happiness_score().value is None
    assert happiness_score(nps=Estimate(None, None, None, 0)).value is None
    no_se = happiness_score(csat=Estimate(100.0, None, None, 1, None))
    assert no_se.value == 100.0 and no_se.low is None
    with pytest.raises(ValueError, match="weights"):
        HappinessWeights(nps=-1)
