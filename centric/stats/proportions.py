"""Shares in percent: CSAT top-box, CES agreement, churn — estimate and comparison.

* Interval for one share: Wilson score interval (Wilson 1927, "Probable inference, the
  law of succession, and statistical inference", JASA 22), which keeps near-nominal
  coverage for small n and for shares near 0% or 100%, unlike the Wald interval.
* Difference of two shares: Newcombe's hybrid score interval (Newcombe 1998, "Interval
  estimation for the difference between independent proportions", Statistics in
  Medicine 17, method 10) and the pooled two-proportion z-test.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from centric.stats.estimate import (
    Comparison,
    Estimate,
    check_count,
    two_sided_normal_p,
    z_quantile,
)
from centric.stats.scales import agreement_threshold, top_box_threshold, validated_scores


def proportion_estimate(n: int, successes: int, *, confidence: float = 0.95) -> Estimate:
    """Share of successes in percent with a Wilson score interval (Wilson 1927).

    ``se`` is the binomial standard error sqrt(p(1 − p)/n) in percentage points.
    ``n == 0`` gives an undefined estimate (all fields ``None``).
    """
    n, successes = _checked(n, successes)
    z = z_quantile(confidence)
    if n == 0:
        return Estimate(None, None, None, 0, None, "no responses")
    share = successes / n
    low, high = _wilson(share, n, z)
    se = 100.0 * math.sqrt(share * (1.0 - share) / n)
    return Estimate(100.0 * share, 100.0 * low, 100.0 * high, n, se, "Wilson")


def csat_estimate(n: int, satisfied: int, *, confidence: float = 0.95) -> Estimate:
    """CSAT: the top-box share of ``n`` answers in percent, with a Wilson interval.

    ``satisfied`` counts answers at or above :func:`~centric.stats.scales.top_box_threshold`
    (4–5 on a 1–5 scale by default). Method: Wilson (1927) score interval.
    """
    return proportion_estimate(n, satisfied, confidence=confidence)


def csat_from_scores(
    scores: ArrayLike,
    *,
    scale_min: int = 1,
    scale_max: int = 5,
    boxes: int = 2,
    confidence: float = 0.95,
) -> Estimate:
    """:func:`csat_estimate` from raw scores; top ``boxes`` answers of the scale count."""
    threshold = top_box_threshold(scale_max, scale_min=scale_min, boxes=boxes)
    values = validated_scores(scores, scale_min=scale_min, scale_max=scale_max, label="CSAT score")
    satisfied = int(np.count_nonzero(values >= threshold))
    return csat_estimate(values.shape[0], satisfied, confidence=confidence)


def ces_agreement_from_scores(
    scores: ArrayLike,
    *,
    scale_min: int = 1,
    scale_max: int = 7,
    confidence: float = 0.95,
) -> Estimate:
    """CES "% agreeing": share of answers above the scale midpoint (5–7 on 1–7), Wilson."""
    threshold = agreement_threshold(scale_max, scale_min=scale_min)
    values = validated_scores(scores, scale_min=scale_min, scale_max=scale_max, label="CES score")
    agreeing = int(np.count_nonzero(values >= threshold))
    return proportion_estimate(values.shape[0], agreeing, confidence=confidence)


def compare_proportions(
    a: tuple[int, int],
    b: tuple[int, int],
    *,
    confidence: float = 0.95,
) -> Comparison:
    """Difference of two shares in percentage points; groups are ``(n, successes)``.

    Method: Newcombe (1998) hybrid score interval for the difference, pooled
    two-proportion z-test for the p-value. When both shares are 0% or both are 100%
    the pooled variance is zero; the difference is then exactly 0 and the test reports
    statistic 0, p-value 1. A group with ``n == 0`` makes everything undefined.
    """
    n_a, s_a = _checked(*a)
    n_b, s_b = _checked(*b)
    z = z_quantile(confidence)
    if n_a == 0 or n_b == 0:
        return Comparison(None, None, None, None, None, n_a, n_b, "undefined: a group has no responses")
    p_a, p_b = s_a / n_a, s_b / n_b
    low_a, high_a = _wilson(p_a, n_a, z)
    low_b, high_b = _wilson(p_b, n_b, z)
    difference = p_a - p_b
    low = difference - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = difference + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    pooled = (s_a + s_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))
    statistic = difference / se0 if se0 > 0.0 else 0.0
    return Comparison(
        difference=100.0 * difference,
        low=100.0 * max(low, -1.0),
        high=100.0 * min(high, 1.0),
        statistic=statistic,
        p_value=two_sided_normal_p(statistic),
        n_a=n_a,
        n_b=n_b,
        method="Newcombe hybrid score interval, pooled z-test",
    )


def _wilson(share: float, n: int, z: float) -> tuple[float, float]:
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (share + z2 / (2.0 * n)) / denominator
    half = z / denominator * math.sqrt(share * (1.0 - share) / n + z2 / (4.0 * n * n))
    # At 0% and 100% the bound is exactly 0 or 1; the formula leaves rounding noise.
    low = 0.0 if share == 0.0 else max(0.0, centre - half)
    high = 1.0 if share == 1.0 else min(1.0, centre + half)
    return low, high


def _checked(n: int, successes: int) -> tuple[int, int]:
    n = check_count("n", n)
    successes = check_count("successes", successes)
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")
    return n, successes
