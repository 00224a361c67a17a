"""The delivery gap (what staff believe customers score vs what customers score) and correlations across teams.

**Delivery gap.** For one scope (a team, a touchpoint, the company) and period: the mean
of the staff's predictions of the customers' score minus the customers' actual score,
both on the customers' scale: NPS −100…100 (each customer contributes +100 as a promoter
9–10, 0 as a passive, −100 as a detractor 0–6, so the mean of the contributions *is* the
NPS), CSAT 0…100 % (100 for a 4–5 on 1–5, else 0) or CES 1…7 (the score itself). The
interval is a **percentile bootstrap** (Efron & Tibshirani, *An Introduction to the
Bootstrap*, Chapman & Hall 1993, ch. 13) that resamples the staff's predictions and the
customers' answers **independently** (two independent samples), each with replacement
and at its own size. Both samples take few distinct values, so a resample of ``n`` draws
is drawn as multinomial counts of those values — exactly the same distribution as
drawing indices, vectorised and independent of ``n``. Seeded: the same data give the
same interval.

The idea and its headline come from Bain & Company (Allen, Reichheld, Hamilton & Markey,
*Closing the delivery gap*, 2005): 80% of companies believed they delivered a superior
experience, 8% of their customers agreed. Here the same comparison is made inside one
company, team by team (:func:`overestimation`).

**Correlation across teams** (:func:`correlation`): Pearson's r with the Fisher z
interval (Fisher 1921, *Metron* 1: 3–32; z = atanh r, se = 1/√(n−3)) and Spearman's rank
correlation with the Bonett & Wright interval (Bonett & Wright 2000, *Psychometrika* 65:
23–28; se of atanh ρ = √((1 + ρ²/2)/(n−3))). Both are analytic intervals, not a
bootstrap. An ecological, observational correlation: see ``docs/mirror.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from centric.stats.estimate import check_confidence, check_count, z_quantile
from centric.stats.scales import DETRACTOR_MAX, PROMOTER_MIN

GapMetric = Literal["nps", "csat", "ces"]
GAP_METRICS: tuple[GapMetric, ...] = ("nps", "csat", "ces")
CSAT_SATISFIED_MIN = 4
#: what staff may predict, and what customers may answer, per metric
PREDICTION_RANGE: dict[str, tuple[float, float]] = {"nps": (-100.0, 100.0), "csat": (0.0, 100.0), "ces": (1.0, 7.0)}
ANSWER_RANGE: dict[str, tuple[float, float]] = {"nps": (0.0, 10.0), "csat": (1.0, 5.0), "ces": (1.0, 7.0)}
BOOTSTRAP_METHOD = ("percentile bootstrap, staff predictions and customers' answers resampled independently "
                    "(Efron & Tibshirani 1993)")


@dataclass(frozen=True)
class Gap:
    """Staff's mean prediction minus the customers' score, with a bootstrap interval.

    ``gap`` is ``None`` when either side has no observation; ``low``/``high`` are ``None``
    when either side has fewer than two (a resample of one value has no spread).
    """

    metric: str
    predicted: float | None
    actual: float | None
    gap: float | None
    low: float | None
    high: float | None
    n_staff: int
    n_customers: int
    method: str = BOOTSTRAP_METHOD

    @property
    def overestimates(self) -> bool | None:
        """Staff believe customers rate them higher than customers do (the point estimate)."""
        return None if self.gap is None else self.gap > 0

    @property
    def clearly_overestimates(self) -> bool:
        """The whole interval lies above 0."""
        return self.low is not None and self.low > 0


@dataclass(frozen=True)
class Overestimation:
    """How many groups (teams) overestimate their customers' score: by the point, and beyond doubt."""

    groups: int
    over: int
    clearly_over: int
    share: float | None  # % of groups whose gap is above 0
    clearly_share: float | None  # % of groups whose interval lies above 0


@dataclass(frozen=True)
class Correlation:
    """Pearson's r (Fisher z interval) and Spearman's ρ (Bonett–Wright interval) over ``n`` pairs."""

    n: int
    pearson: float | None
    pearson_low: float | None
    pearson_high: float | None
    spearman: float | None
    spearman_low: float | None
    spearman_high: float | None
    method: str = ("Pearson r with Fisher z interval (Fisher 1921); Spearman rho with Bonett-Wright interval "
                   "(Bonett & Wright 2000)")


def _check_metric(metric: str) -> None:
    if metric not in GAP_METRICS:
        raise ValueError(f"metric must be one of {', '.join(GAP_METRICS)}, got {metric!r}")


def contributions(metric: str, scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """Each customer answer's contribution to the score: NPS ±100/0, CSAT 100/0, CES the score."""
    _check_metric(metric)
    values = np.asarray(scores, dtype=float)
    if values.size and not np.all(np.isfinite(values)):
        raise ValueError("customer scores must be finite numbers")
    low, high = ANSWER_RANGE[metric]
    if values.size and (values.min() < low or values.max() > high):
        raise ValueError(f"{metric} answers must lie in {low:g}…{high:g}")
    if metric == "nps":
        return np.where(values >= PROMOTER_MIN, 100.0, np.where(values <= DETRACTOR_MAX, -100.0, 0.0))
    if metric == "csat":
        return np.where(values >= CSAT_SATISFIED_MIN, 100.0, 0.0)
    return values


def _tally(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    distinct, counts = np.unique(values, return_counts=True)
    return distinct, counts.astype(np.int64)


def _boot_means(distinct: np.ndarray, counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` means of resamples (with replacement, size n) of the sample ``distinct`` × ``counts``."""
    n = int(counts.sum())
    draws = rng.multinomial(n, counts / n, size=n_boot)
    return np.asarray(draws @ distinct / n, dtype=float)


def delivery_gap(predictions: Sequence[float] | np.ndarray, customer_scores: Sequence[float] | np.ndarray,
                 metric: str, *, confidence: float = 0.95, n_boot: int = 4000, seed: int = 20051) -> Gap:
    """The gap between staff's predictions and the customers' answers (raw scores); see the module docstring."""
    return delivery_gap_from_counts(predictions, dict(zip(*_tally(np.asarray(customer_scores, dtype=float)),
                                                          strict=True)),
                                    metric, confidence=confidence, n_boot=n_boot, seed=seed)


def delivery_gap_from_counts(predictions: Sequence[float] | np.ndarray, score_counts: Mapping[float, int],
                             metric: str, *, confidence: float = 0.95, n_boot: int = 4000,
                             seed: int = 20051) -> Gap:
    """As :func:`delivery_gap`, the customers given as ``{score: number of answers}`` (what SQL returns)."""
    _check_metric(metric)
    check_confidence(confidence)
    n_boot = check_count("n_boot", n_boot, minimum=100)
    staff = np.asarray(predictions, dtype=float)
    if staff.size and not np.all(np.isfinite(staff)):
        raise ValueError("predictions must be finite numbers")
    low_p, high_p = PREDICTION_RANGE[metric]
    if staff.size and (staff.min() < low_p or staff.max() > high_p):
        raise ValueError(f"{metric} predictions must lie in {low_p:g}…{high_p:g}")
    scores = np.asarray(list(score_counts.keys()), dtype=float)
    weights = np.asarray([check_count("answers of a score", c) for c in score_counts.values()], dtype=np.int64)
    keep = weights > 0
    cust_values, cust_counts = _tally_weighted(contributions(metric, scores[keep]), weights[keep])
    n_staff, n_customers = int(staff.size), int(cust_counts.sum())
    predicted = float(staff.mean()) if n_staff else None
    actual = float(cust_values @ cust_counts / n_customers) if n_customers else None
    if predicted is None or actual is None:
        return Gap(metric, predicted, actual, None, None, None, n_staff, n_customers)
    gap = predicted - actual
    low = high = None
    if n_staff >= 2 and n_customers >= 2:
        rng = np.random.default_rng(seed)
        staff_values, staff_counts = _tally(staff)
        diffs = _boot_means(staff_values, staff_counts, n_boot, rng) - _boot_means(cust_values, cust_counts,
                                                                                   n_boot, rng)
        alpha = (1.0 - confidence) / 2.0
        low, high = (float(v) for v in np.quantile(diffs, [alpha, 1.0 - alpha]))
    return Gap(metric, predicted, actual, gap, low, high, n_staff, n_customers)


def _tally_weighted(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not values.size:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    distinct, inverse = np.unique(values, return_inverse=True)
    counts = np.bincount(inverse, weights=weights, minlength=distinct.size).astype(np.int64)
    return distinct, counts


def overestimation(gaps: Sequence[Gap]) -> Overestimation:
    """The share of groups with a gap above 0 (point estimate) and with their whole interval above 0."""
    known = [g for g in gaps if g.gap is not None]
    over = sum(1 for g in known if g.overestimates)
    clearly = sum(1 for g in known if g.clearly_overestimates)
    if not known:
        return Overestimation(0, 0, 0, None, None)
    return Overestimation(len(known), over, clearly, 100.0 * over / len(known), 100.0 * clearly / len(known))


def _fisher_interval(r: float, se: float, z: float) -> tuple[float, float]:
    if abs(r) >= 1.0:
        return r, r
    centre = math.atanh(r)
    return math.tanh(centre - z * se), math.tanh(centre + z * se)


def correlation(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, *,
                confidence: float = 0.95) -> Correlation | None:
    """Pearson and Spearman correlations of paired values with their intervals; ``None`` for fewer than 3 pairs.

    With 3 pairs the coefficients are given without an interval (both need n ≥ 4); a
    constant variable has no correlation (``None`` coefficients).
    """
    check_confidence(confidence)
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError("x and y must be two sequences of the same length")
    if xs.size and not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("x and y must be finite numbers")
    n = int(xs.size)
    if n < 3:
        return None
    z = z_quantile(confidence)

    def coefficient(a: np.ndarray, b: np.ndarray) -> float | None:
        if np.ptp(a) == 0 or np.ptp(b) == 0:
            return None
        return float(np.clip(np.corrcoef(a, b)[0, 1], -1.0, 1.0))

    r = coefficient(xs, ys)
    from scipy.stats import rankdata  # at use: scipy.stats costs each process ~1 s to import

    rho = coefficient(rankdata(xs), rankdata(ys))
    r_low = r_high = rho_low = rho_high = None
    if n >= 4 and r is not None:
        r_low, r_high = _fisher_interval(r, 1.0 / math.sqrt(n - 3), z)
    if n >= 4 and rho is not None:
        rho_low, rho_high = _fisher_interval(rho, math.sqrt((1.0 + rho * rho / 2.0) / (n - 3)), z)
    return Correlation(n, r, r_low, r_high, rho, rho_low, rho_high)
