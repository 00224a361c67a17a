"""Net Promoter Score and employee NPS: estimate, interval, and comparison of two groups.

NPS = 100 (p − d) where p and d are the shares of promoters (9–10) and detractors (0–6)
among n answers to the 0–10 recommendation question (Reichheld 2003). The counts
(n_promoters, n_passives, n_detractors) are trinomial, so the variance of the estimated
p − d is

    Var(p̂ − d̂) = [p + d − (p − d)²] / n

and the NPS on the −100..100 scale has standard error 100·sqrt(Var) (Rocks 2016,
"Interval estimation for the 'Net Promoter Score'", The American Statistician 70(4)).

Intervals:

* ``"wald"`` — trinomial Wald: NPS ± z·se.
* ``"adjusted_wald"`` — add 3/4 of a promoter, 3/4 of a detractor (and so 3/2 of a
  passive) before computing the centre and the standard error, i.e. n' = n + 3,
  p' = (P + 3/4)/n', d' = (D + 3/4)/n'. This is the adjusted-Wald interval for NPS that
  Sauro & Lewis (MeasuringU, 2021, "Confidence intervals for Net Promoter Scores")
  found to keep close to nominal coverage at small n, following Rocks (2016). The
  reported ``value`` stays the observed NPS; only the interval is adjusted, and it is
  widened where needed so that it always contains the observed NPS.
* ``"auto"`` — adjusted Wald when n < 30, or when every answer falls in one category
  (the Wald interval would have zero width); trinomial Wald otherwise.

Every interval is clipped to [−100, 100].
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from centric.stats.estimate import (
    Comparison,
    Estimate,
    check_count,
    two_sided_normal_p,
    z_quantile,
)
from centric.stats.scales import DETRACTOR_MAX, PROMOTER_MIN, validated_scores

NpsMethod = Literal["auto", "wald", "adjusted_wald"]
SMALL_SAMPLE = 30
_PSEUDO = 0.75  # pseudo-promoters and pseudo-detractors of the adjusted Wald interval

METHOD_NAMES = {"wald": "trinomial Wald", "adjusted_wald": "adjusted Wald (+3/4 P, +3/4 D)"}


def nps_estimate(
    n: int,
    promoters: int,
    detractors: int,
    *,
    confidence: float = 0.95,
    method: NpsMethod = "auto",
) -> Estimate:
    """NPS on −100..100 from counts, with a trinomial Wald or adjusted-Wald interval.

    Method: Rocks (2016) trinomial variance; adjusted Wald after Sauro & Lewis (2021).
    See the module docstring for the formulas and the ``"auto"`` rule.
    """
    n, promoters, detractors = _checked_counts(n, promoters, detractors)
    z = z_quantile(confidence)
    if method not in ("auto", "wald", "adjusted_wald"):
        raise ValueError(f"method must be 'auto', 'wald' or 'adjusted_wald', got {method!r}")
    if n == 0:
        return Estimate(value=None, low=None, high=None, n=0, se=None, method="no responses")
    value = 100.0 * (promoters - detractors) / n
    chosen = method
    if method == "auto":
        small = n < SMALL_SAMPLE or _trinomial_variance(n, promoters, detractors) == 0.0
        chosen = "adjusted_wald" if small else "wald"
    if chosen == "wald":
        centre = value
        se = 100.0 * math.sqrt(_trinomial_variance(n, promoters, detractors) / n)
    else:
        n_adj = n + 4 * _PSEUDO
        p_adj = (promoters + _PSEUDO) / n_adj
        d_adj = (detractors + _PSEUDO) / n_adj
        centre = 100.0 * (p_adj - d_adj)
        se = 100.0 * math.sqrt(max(p_adj + d_adj - (p_adj - d_adj) ** 2, 0.0) / n_adj)
    # The adjusted interval is centred on a shrunk estimate; at tiny n it can miss the
    # observed NPS (n = 1 promoter: 25 ± 73.5). Widening to include it only adds coverage.
    low = max(-100.0, min(centre - z * se, value))
    high = min(100.0, max(centre + z * se, value))
    return Estimate(value=value, low=low, high=high, n=n, se=se, method=METHOD_NAMES[chosen])


def _category_counts(scores: ArrayLike, label: str) -> tuple[int, int, int]:
    """(n, promoters, detractors) of raw 0–10 scores (``ValueError`` naming a bad cell)."""
    values = validated_scores(scores, scale_min=0, scale_max=10, label=label)
    promoters = int(np.count_nonzero(values >= PROMOTER_MIN))
    return values.shape[0], promoters, int(np.count_nonzero(values <= DETRACTOR_MAX))


def nps_from_scores(scores: ArrayLike, *, confidence: float = 0.95, method: NpsMethod = "auto") -> Estimate:
    """:func:`nps_estimate` from raw 0–10 scores (``ValueError`` naming a bad cell)."""
    return nps_estimate(*_category_counts(scores, "NPS score"), confidence=confidence, method=method)


def enps_estimate(
    n: int,
    promoters: int,
    detractors: int,
    *,
    confidence: float = 0.95,
    method: NpsMethod = "auto",
) -> Estimate:
    """Employee NPS: the same estimator as :func:`nps_estimate` on employees' answers."""
    result = nps_estimate(n, promoters, detractors, confidence=confidence, method=method)
    return Estimate(result.value, result.low, result.high, result.n, result.se,
                    f"eNPS, {result.method}")


def enps_from_scores(scores: ArrayLike, *, confidence: float = 0.95, method: NpsMethod = "auto") -> Estimate:
    """:func:`enps_estimate` from raw 0–10 scores."""
    return enps_estimate(*_category_counts(scores, "eNPS score"), confidence=confidence, method=method)


def compare_nps(
    a: tuple[int, int, int],
    b: tuple[int, int, int],
    *,
    confidence: float = 0.95,
) -> Comparison:
    """Difference NPS_a − NPS_b (points) with a z-test; groups are ``(n, promoters, detractors)``.

    Method: two independent trinomial samples, Var = Var_a/n_a + Var_b/n_b with the
    trinomial variance of Rocks (2016); Wald interval and two-sided z-test of zero
    difference. When both groups have zero trinomial variance (each answered in one
    category) the adjusted-Wald variances (+3/4 promoter, +3/4 detractor) are used
    instead, so the test is defined.
    """
    n_a, p_a, d_a = _checked_counts(*a)
    n_b, p_b, d_b = _checked_counts(*b)
    z = z_quantile(confidence)
    if n_a == 0 or n_b == 0:
        return Comparison(None, None, None, None, None, n_a, n_b, "undefined: a group has no responses")
    difference = 100.0 * ((p_a - d_a) / n_a - (p_b - d_b) / n_b)
    variance = (_trinomial_variance(n_a, p_a, d_a) / n_a
                + _trinomial_variance(n_b, p_b, d_b) / n_b)
    method = "z-test, trinomial Wald variances"
    if variance == 0.0:
        variance = _adjusted_variance(n_a, p_a, d_a) + _adjusted_variance(n_b, p_b, d_b)
        method = "z-test, adjusted-Wald variances (no variation in either group)"
    se = 100.0 * math.sqrt(variance)
    statistic = difference / se
    return Comparison(
        difference=difference,
        low=max(-200.0, difference - z * se),
        high=min(200.0, difference + z * se),
        statistic=statistic,
        p_value=two_sided_normal_p(statistic),
        n_a=n_a,
        n_b=n_b,
        method=method,
    )


def _trinomial_variance(n: int, promoters: int, detractors: int) -> float:
    """p + d − (p − d)² for shares p, d (the per-answer variance of the ±1/0 NPS score)."""
    p, d = promoters / n, detractors / n
    return max(p + d - (p - d) ** 2, 0.0)


def _adjusted_variance(n: int, promoters: int, detractors: int) -> float:
    n_adj = n + 4 * _PSEUDO
    p, d = (promoters + _PSEUDO) / n_adj, (detractors + _PSEUDO) / n_adj
    return (p + d - (p - d) ** 2) / n_adj


def _checked_counts(n: int, promoters: int, detractors: int) -> tuple[int, int, int]:
    n = check_count("n", n)
    promoters = check_count("promoters", promoters)
    detractors = check_count("detractors", detractors)
    if promoters + detractors > n:
        raise ValueError(
            f"promoters + detractors ({promoters} + {detractors}) cannot exceed n ({n})"
        )
    return n, promoters, detractors
