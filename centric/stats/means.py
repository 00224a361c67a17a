"""Means from sufficient statistics (n, Σx, Σx²): CES and other rating means.

The sample variance is s² = (Σx² − (Σx)²/n)/(n − 1). One-sample interval: Student t,
x̄ ± t_{n−1} s/√n. Two samples: Welch's t-test with Welch–Satterthwaite degrees of
freedom (Welch 1947, "The generalization of 'Student's' problem when several different
population variances are involved", Biometrika 34).
"""

from __future__ import annotations

import math

from numpy.typing import ArrayLike

from centric.stats.estimate import (
    Comparison,
    Estimate,
    check_count,
    check_finite,
    t_quantile,
)
from centric.stats.scales import validated_scores


def mean_estimate(n: int, total: float, total_sq: float, *, confidence: float = 0.95) -> Estimate:
    """Mean of ``n`` values from their sum and sum of squares, with a Student t interval.

    ``n == 0``: all ``None``. ``n == 1``: the value, no interval (no variance).
    Identical values: a zero-width interval at the mean.
    """
    n, mean, variance = _moments(n, total, total_sq)
    if mean is None:
        return Estimate(None, None, None, 0, None, "no responses")
    if variance is None:
        return Estimate(mean, None, None, n, None, "Student t (undefined for n = 1)")
    se = math.sqrt(variance / n)
    half = t_quantile(confidence, n - 1) * se
    return Estimate(mean, mean - half, mean + half, n, se, "Student t")


def ces_estimate(n: int, total: float, total_sq: float, *, confidence: float = 0.95) -> Estimate:
    """CES mean (1–7 by default) from (n, Σx, Σx²) with a Student t interval.

    Method: one-sample t interval; see :func:`mean_estimate` for the edge cases.
    """
    return mean_estimate(n, total, total_sq, confidence=confidence)


def ces_from_scores(
    scores: ArrayLike,
    *,
    scale_min: int = 1,
    scale_max: int = 7,
    confidence: float = 0.95,
) -> Estimate:
    """:func:`ces_estimate` from raw scores on ``scale_min..scale_max``."""
    values = validated_scores(scores, scale_min=scale_min, scale_max=scale_max, label="CES score")
    return ces_estimate(
        values.shape[0], float(values.sum()), float((values * values).sum()), confidence=confidence
    )


def compare_means(
    a: tuple[int, float, float],
    b: tuple[int, float, float],
    *,
    confidence: float = 0.95,
) -> Comparison:
    """Difference of means a − b from ``(n, Σx, Σx²)`` of each group: Welch's t-test.

    Both groups need n ≥ 2 for an interval and a test; with fewer, only the difference
    (or nothing, for an empty group) is given. When both groups have zero variance the
    t statistic is undefined: the difference is returned without interval or p-value.
    """
    from scipy import stats as _sp  # at use: scipy.stats costs each process ~1 s to import
    n_a, mean_a, var_a = _moments(*a)
    n_b, mean_b, var_b = _moments(*b)
    method = "Welch t-test"
    if mean_a is None or mean_b is None:
        return Comparison(None, None, None, None, None, n_a, n_b, "undefined: a group has no responses")
    difference = mean_a - mean_b
    if var_a is None or var_b is None:
        return Comparison(difference, None, None, None, None, n_a, n_b,
                          f"{method} (undefined: a group has a single response)")
    share_a, share_b = var_a / n_a, var_b / n_b
    se = math.sqrt(share_a + share_b)
    if se == 0.0:
        return Comparison(difference, None, None, None, None, n_a, n_b,
                          f"{method} (undefined: no variation in either group)")
    df = (share_a + share_b) ** 2 / (share_a**2 / (n_a - 1) + share_b**2 / (n_b - 1))
    statistic = difference / se
    half = t_quantile(confidence, df) * se
    return Comparison(
        difference=difference,
        low=difference - half,
        high=difference + half,
        statistic=statistic,
        p_value=float(2.0 * _sp.t.sf(abs(statistic), df)),
        n_a=n_a,
        n_b=n_b,
        method=method,
    )


def _moments(n: int, total: float, total_sq: float) -> tuple[int, float | None, float | None]:
    """(n, mean, sample variance) with ``None`` where undefined; checks consistency."""
    n = check_count("n", n)
    total = check_finite("total", total)
    total_sq = check_finite("total_sq", total_sq)
    if n == 0:
        if total != 0.0 or total_sq != 0.0:
            raise ValueError("with n = 0 the total and total_sq must be 0")
        return 0, None, None
    if total_sq < 0.0:
        raise ValueError(f"total_sq (a sum of squares) cannot be negative, got {total_sq!r}")
    mean = total / n
    if n == 1:
        return 1, mean, None
    centred = total_sq - total * total / n
    # Rounding in Σx² − (Σx)²/n can leave a tiny negative number for identical values.
    if centred < -1e-9 * max(total_sq, 1.0):
        raise ValueError(
            f"inconsistent sufficient statistics: total_sq ({total_sq!r}) is smaller than "
            f"total²/n ({total * total / n!r})"
        )
    return n, mean, max(centred, 0.0) / (n - 1)
