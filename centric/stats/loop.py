"""Statistics of the closed loop: quantiles of waiting times and the matched re-survey uplift.

* Quantile with a distribution-free interval: the sample quantile and the pair of order
  statistics ``[x(r), x(s)]`` that covers the population p-quantile with probability at
  least the confidence, from the binomial distribution of the number of observations
  below it (Conover 1999, *Practical Nonparametric Statistics*, 3rd ed., §3.2, "Confidence
  interval for a quantile"). No assumption about the shape of the distribution.
* Matched uplift: exact matching on strata (coarsened exact matching without coarsening,
  Iacus, King & Porro 2012, "Causal inference without balance checking", *Political
  Analysis* 20), the difference of means within each stratum weighted by its treated
  count (the average effect on the treated), its variance the weighted sum of the
  within-stratum variances (Neyman 1923 / Imbens & Rubin 2015, ch. 9). Observational:
  it balances only what it matches on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from centric.stats.estimate import check_confidence, z_quantile


@dataclass(frozen=True)
class QuantileEstimate:
    """A sample quantile, its distribution-free interval and the interval's exact coverage."""

    value: float | None
    low: float | None  # None: too few observations for a lower bound at this confidence
    high: float | None
    n: int
    coverage: float | None
    method: str = "order statistics (Conover 1999, §3.2)"


def order_statistic_ranks(n: int, p: float, confidence: float = 0.95) -> tuple[int | None, int | None, float]:
    """1-based ranks ``(r, s)`` with P(x(r) ≤ ξ_p ≤ x(s)) ≥ ``confidence``, and the exact coverage.

    With B ~ Binomial(n, p) the count of observations below ξ_p, P(x(r) ≤ ξ_p < x(s)) =
    P(r ≤ B ≤ s − 1) (Conover 1999, §3.2). ``r`` is the largest rank with P(B ≤ r − 1) ≤ α/2
    and ``s`` the smallest with P(B ≤ s − 1) ≥ 1 − α/2; either is None when the sample is
    too small to bound that side (the coverage then counts that side as unbounded).
    """
    from scipy import stats as _sp  # at use: scipy.stats costs each process ~1 s to import
    check_confidence(confidence)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, got {p!r}")
    alpha = 1.0 - confidence
    cdf = _sp.binom.cdf(np.arange(n + 1), n, p)
    below = np.nonzero(cdf <= alpha / 2.0 + 1e-12)[0]
    r = int(below[-1]) + 1 if below.size else None
    above = np.nonzero(cdf >= 1.0 - alpha / 2.0 - 1e-12)[0]
    s = int(above[0]) + 1 if above.size and int(above[0]) + 1 <= n else None
    upper = float(cdf[s - 1]) if s is not None else 1.0
    lower = float(cdf[r - 1]) if r is not None else 0.0
    return r, s, upper - lower


def quantile_estimate(values: ArrayLike, p: float, *, counts: ArrayLike | None = None,
                      confidence: float = 0.95) -> QuantileEstimate:
    """The p-quantile of ``values`` (each repeated ``counts`` times) with an order-statistic interval.

    The point value is the order statistic x(⌈np⌉) (the inverse of the empirical
    distribution function); the interval is :func:`order_statistic_ranks`'. No values:
    an undefined estimate.
    """
    data = np.asarray(values, dtype=np.float64)
    weights = np.ones(data.shape[0], dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
    if data.shape != weights.shape:
        raise ValueError("values and counts must have the same length")
    if np.any(weights < 0) or not np.all(np.isfinite(data)):
        raise ValueError("counts must be >= 0 and values finite")
    order = np.argsort(data, kind="stable")
    data, weights = data[order], weights[order]
    cumulative = np.cumsum(weights)
    n = int(cumulative[-1]) if cumulative.size else 0
    if n == 0:
        return QuantileEstimate(None, None, None, 0, None)

    def at_rank(rank: int) -> float:  # the 1-based order statistic x(rank) of the expanded sample
        return float(data[int(np.searchsorted(cumulative, rank))])

    r, s, coverage = order_statistic_ranks(n, p, confidence)
    point = at_rank(max(1, math.ceil(n * p)))
    return QuantileEstimate(point, at_rank(r) if r else None, at_rank(s) if s else None, n, coverage)


@dataclass(frozen=True)
class MatchedUplift:
    """Difference of mean change, contacted minus not contacted, within exact-matched strata."""

    difference: float | None
    low: float | None
    high: float | None
    n_treated: int  # matched treated units (in strata that have both arms)
    n_control: int
    strata: int
    unmatched_treated: int  # treated units without a comparable control: left out
    naive_difference: float | None  # unmatched difference of means, for contrast
    method: str = "exact matching on strata, weighted by treated count (ATT), normal interval"


def matched_uplift(treated: Iterable[tuple[Hashable, float]], control: Iterable[tuple[Hashable, float]], *,
                   confidence: float = 0.95) -> MatchedUplift:
    """Average effect on the treated from ``(stratum, outcome)`` pairs of both arms.

    Within each stratum holding both arms the effect is the difference of the means;
    strata are weighted by their share of matched treated units. Variance:
    Σ w²(s²_t/n_t + s²_c/n_c), where a stratum arm with a single unit borrows its arm's
    pooled within-stratum variance (zero when no arm has two units in a stratum).
    """
    z = z_quantile(confidence)
    arms: tuple[dict[Hashable, list[float]], dict[Hashable, list[float]]] = (defaultdict(list), defaultdict(list))
    for arm, pairs in zip(arms, (treated, control), strict=True):
        for stratum, outcome in pairs:
            arm[stratum].append(float(outcome))
    by_treated, by_control = arms
    all_treated = [v for values in by_treated.values() for v in values]
    all_control = [v for values in by_control.values() for v in values]
    naive = (float(np.mean(all_treated)) - float(np.mean(all_control))) if all_treated and all_control else None
    common = [s for s in by_treated if s in by_control]
    matched_t = sum(len(by_treated[s]) for s in common)
    unmatched = len(all_treated) - matched_t
    if not common:
        return MatchedUplift(None, None, None, 0, 0, 0, unmatched, naive)
    pooled_t = _pooled_variance([by_treated[s] for s in common])
    pooled_c = _pooled_variance([by_control[s] for s in common])
    effect = variance = 0.0
    for stratum in common:
        t, c = by_treated[stratum], by_control[stratum]
        weight = len(t) / matched_t
        effect += weight * (float(np.mean(t)) - float(np.mean(c)))
        var_t = float(np.var(t, ddof=1)) if len(t) > 1 else pooled_t
        var_c = float(np.var(c, ddof=1)) if len(c) > 1 else pooled_c
        variance += weight**2 * (var_t / len(t) + var_c / len(c))
    half = z * math.sqrt(variance)
    return MatchedUplift(effect, effect - half, effect + half, matched_t, sum(len(by_control[s]) for s in common),
                         len(common), unmatched, naive)


def _pooled_variance(groups: Sequence[list[float]]) -> float:
    """Pooled within-group variance of the groups with two or more values (0 when none)."""
    squares = sum(float(np.var(g, ddof=1)) * (len(g) - 1) for g in groups if len(g) > 1)
    dof = sum(len(g) - 1 for g in groups if len(g) > 1)
    return squares / dof if dof else 0.0

