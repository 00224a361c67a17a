"""Loop statistics: order-statistic intervals for quantiles and the matched uplift."""

from __future__ import annotations

import math

import numpy as np
import pytest

from centric.stats.loop import matched_uplift, order_statistic_ranks, quantile_estimate
from centric.stats.proportions import proportion_estimate


def test_median_interval_of_ten_matches_the_published_table() -> None:
    # Conover (1999), Table A3 / the classic example: for n = 10 the 95% interval of the
    # median is [x(2), x(9)] with exact coverage 1 − 2·11/1024 = 0.9785.
    r, s, coverage = order_statistic_ranks(10, 0.5, 0.95)
    assert (r, s) == (2, 9)
    assert coverage == pytest.approx(1 - 2 * 11 / 1024)


def test_quantile_interval_on_a_sample() -> None:
    est = quantile_estimate(np.arange(10, 0, -1) * 10.0, 0.5)  # 10, 20, … 100, given unsorted
    assert est.value == 50.0 and (est.low, est.high) == (20.0, 90.0) and est.n == 10


def test_counts_expand_the_sample() -> None:
    plain = quantile_estimate([1, 1, 1, 2, 2, 5, 7, 7, 9, 12], 0.9)
    weighted = quantile_estimate([12, 1, 2, 5, 7, 9], 0.9, counts=[1, 3, 2, 1, 2, 1])
    assert plain == weighted


def test_p90_of_a_small_sample_has_no_upper_bound() -> None:
    # n = 10, p = 0.9: P(B ≤ 9) = 1 − 0.9^10 = 0.651 < 0.975, so no order statistic bounds it above.
    est = quantile_estimate(range(1, 11), 0.9)
    assert est.value == 9.0 and est.high is None and est.low is not None
    assert est.coverage == pytest.approx(1 - _binom_cdf(10, 0.9, (est.low or 0) - 1))


def _binom_cdf(n: int, p: float, k: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(int(k) + 1))


def test_coverage_is_at_least_nominal_in_simulation() -> None:
    rng = np.random.default_rng(7)
    hits = 0
    true_median = math.log(2)  # exponential(1)
    for _ in range(2000):
        est = quantile_estimate(rng.exponential(size=25), 0.5)
        hits += est.low is not None and est.high is not None and est.low <= true_median <= est.high
    assert hits / 2000 >= 0.94


def test_no_values_is_undefined() -> None:
    assert quantile_estimate([], 0.5).value is None


def test_wilson_matches_the_published_interval() -> None:
    # Newcombe (1998) Table I, example 81/263: Wilson interval 0.2553 to 0.3662.
    est = proportion_estimate(263, 81)
    assert est.low == pytest.approx(25.53, abs=0.01) and est.high == pytest.approx(36.62, abs=0.01)


def test_matched_uplift_recovers_the_known_effect_where_the_naive_one_is_biased() -> None:
    # Stratum "low" (original score 2) changes by +4 without contact, "high" (score 5) by +0;
    # contact adds exactly 2 in both. Contacted customers are mostly in "low": naive is biased.
    treated = [("low", 6.0)] * 8 + [("low", 5.0), ("low", 7.0)] + [("high", 2.0)] * 2
    control = [("low", 4.0)] * 2 + [("high", 0.0)] * 9 + [("high", 1.0), ("high", -1.0)]
    treated += [("orphan", 3.0)]  # no control in its stratum: left out, counted
    result = matched_uplift(treated, control)
    assert result.difference == pytest.approx(2.0)
    assert result.n_treated == 12 and result.n_control == 13 and result.strata == 2
    assert result.unmatched_treated == 1
    assert result.naive_difference is not None and result.naive_difference > 4
    assert result.low is not None and result.high is not None and result.low < 2.0 < result.high


def test_uplift_variance_by_hand() -> None:
    treated = [("a", 1.0), ("a", 3.0)]
    control = [("a", 0.0), ("a", 2.0), ("a", 4.0)]
    result = matched_uplift(treated, control)
    se = math.sqrt(2.0 / 2 + 4.0 / 3)
    assert result.difference == pytest.approx(0.0)
    assert result.high == pytest.approx(1.959963984540054 * se)


def test_uplift_without_common_strata_is_undefined() -> None:
    result = matched_uplift([("a", 1.0)], [("b", 0.0)])
    assert result.difference is None and result.unmatched_treated == 1
