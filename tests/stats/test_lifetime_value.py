"""Discounted CLV from BG/NBD and Gamma-Gamma."""

from __future__ import annotations

import numpy as np
import pytest

from centric.stats import BgNbdFit, GammaGammaFit, customer_lifetime_value
from centric.stats.lifetime_value import DAYS_PER_MONTH

PURCHASES = BgNbdFit(0.243, 4.414, 0.793, 2.426, -9582.4, True, 2357)
SPEND = GammaGammaFit(6.25, 3.74, 15.44, -4055.9, True, 946)
CUSTOMERS = dict(frequency=[0, 2, 7], recency=[0.0, 30.43, 35.0], T=[38.86, 38.86, 38.86],
                 monetary_value=[0.0, 22.35, 40.0])


def test_undiscounted_clv_is_expected_purchases_times_value() -> None:
    clv = customer_lifetime_value(PURCHASES, SPEND, **CUSTOMERS, horizon_months=12,
                                  monthly_discount_rate=0.0)
    twelve_months = 12 * DAYS_PER_MONTH / 7
    purchases = PURCHASES.conditional_expected_number_of_purchases_up_to_time(
        twelve_months, CUSTOMERS["frequency"], CUSTOMERS["recency"], CUSTOMERS["T"])
    value = SPEND.conditional_expected_average_profit(CUSTOMERS["frequency"], CUSTOMERS["monetary_value"])
    assert clv.clv == pytest.approx(purchases * value)
    assert clv.expected_purchases == pytest.approx(purchases)
    assert clv.total == pytest.approx(float(np.sum(purchases * value)))


def test_discounting_margin_and_horizon() -> None:
    base = customer_lifetime_value(PURCHASES, SPEND, **CUSTOMERS, monthly_discount_rate=0.0)
    discounted = customer_lifetime_value(PURCHASES, SPEND, **CUSTOMERS, monthly_discount_rate=0.02)
    half_margin = customer_lifetime_value(PURCHASES, SPEND, **CUSTOMERS, monthly_discount_rate=0.0, margin=0.5)
    longer = customer_lifetime_value(PURCHASES, SPEND, **CUSTOMERS, horizon_months=24)
    assert np.all(discounted.clv < base.clv)
    assert half_margin.clv == pytest.approx(base.clv / 2)
    assert np.all(longer.clv > discounted.clv * 0.99)
    # One month: all purchases of month 1 discounted once.
    one = customer_lifetime_value(PURCHASES, SPEND, **CUSTOMERS, horizon_months=1, monthly_discount_rate=0.1)
    one_flat = customer_lifetime_value(PURCHASES, SPEND, **CUSTOMERS, horizon_months=1, monthly_discount_rate=0.0)
    assert one.clv == pytest.approx(one_flat.clv / 1.1)


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="horizon"):
        customer_lifetime_value(PURCHASES, SPEND, **CUSTOMERS, horizon_months=0)
    with pytest.raises(ValueError, match="discount"):
        customer_lifetime_value(PURCHASES, SPEND, **CUSTOMERS, monthly_discount_rate=1.5)
