"""Did shipping it help? Paired before/after changes and their difference between two groups.

Each customer contributes one pair: their last score before a date and their first
score after it. Three estimates:

* :func:`paired_change` — the mean of the per-customer differences ``after − before``
  with a Student t interval, ``d̄ ± t(1−α/2, n−1) · s_d / √n`` (the paired t procedure;
  Student 1908; e.g. Moore, McCabe & Craig, *Introduction to the Practice of Statistics*,
  ch. 7.1). Pairing removes the between-customer spread, so it needs fewer customers
  than comparing two independent samples.
* :func:`paired_nps_change` — NPS before and after among the same customers, and its
  change, with a percentile bootstrap interval that resamples customers (pairs) with
  replacement (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 13):
  scores become contributions (+100 promoter 9–10, −100 detractor 0–6, 0 passive), whose
  mean is the NPS; resampling whole pairs keeps the correlation between a customer's two
  answers. Seeded, so a result is reproducible.
* :func:`difference_of_changes` — the voters' mean change minus the comparison group's
  (difference in differences on paired changes; Angrist & Pischke 2009, *Mostly Harmless
  Econometrics*, ch. 5.2) with Welch's t interval and the Welch–Satterthwaite degrees of
  freedom (Welch 1947), the groups being independent samples of customers.

All of it is observational: voters chose to vote, and whatever else changed around the
done day touches the groups unequally. It describes; it does not prove the idea caused
the change. Below ``SMALL_N`` pairs an estimate is flagged as small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from centric.stats.estimate import check_confidence, t_quantile
from centric.stats.scales import DETRACTOR_MAX, PROMOTER_MIN

SMALL_N = 30
RESAMPLES = 2000


@dataclass(frozen=True)
class PairedChange:
    n: int
    mean_before: float | None
    mean_after: float | None
    change: float | None
    low: float | None
    high: float | None
    sd: float | None  # standard deviation of the per-customer differences


@dataclass(frozen=True)
class PairedNps:
    n: int
    nps_before: float | None
    nps_after: float | None
    change: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Difference:
    effect: float | None
    low: float | None
    high: float | None
    df: float | None


def _pairs(before: ArrayLike, after: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    b, a = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if b.shape != a.shape or b.ndim != 1:
        raise ValueError("before and after must be one score per customer, in the same order")
    if not (np.isfinite(b).all() and np.isfinite(a).all()):
        raise ValueError("scores must be finite numbers")
    return b, a


def paired_change(before: ArrayLike, after: ArrayLike, *, confidence: float = 0.95) -> PairedChange:
    """Mean of ``after − before`` per customer with a paired t interval (none below two pairs)."""
    check_confidence(confidence)
    b, a = _pairs(before, after)
    n = len(b)
    if n == 0:
        return PairedChange(0, None, None, None, None, None, None)
    d = a - b
    mean = float(d.mean())
    if n < 2:
        return PairedChange(n, float(b.mean()), float(a.mean()), mean, None, None, None)
    sd = float(d.std(ddof=1))
    half = t_quantile(confidence, n - 1) * sd / math.sqrt(n)
    return PairedChange(n, float(b.mean()), float(a.mean()), mean, mean - half, mean + half, sd)


def nps_contributions(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """+100 for a promoter (9–10), −100 for a detractor (0–6), 0 for a passive: their mean is the NPS."""
    return np.where(scores >= PROMOTER_MIN, 100.0, np.where(scores <= DETRACTOR_MAX, -100.0, 0.0))


def paired_nps_change(before: ArrayLike, after: ArrayLike, *, confidence: float = 0.95,
                      resamples: int = RESAMPLES, seed: int = 0) -> PairedNps:
    """NPS before and after among the same customers; the change with a pairs-bootstrap interval."""
    check_confidence(confidence)
    b, a = _pairs(before, after)
    n = len(b)
    if n == 0:
        return PairedNps(0, None, None, None, None, None)
    if ((b < 0) | (b > 10) | (a < 0) | (a > 10)).any():
        raise ValueError("NPS scores run from 0 to 10")
    cb, ca = nps_contributions(b), nps_contributions(a)
    d = ca - cb
    change = float(d.mean())
    if n < 2:
        return PairedNps(n, float(cb.mean()), float(ca.mean()), change, None, None)
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    low, high = np.quantile(means, [(1 - confidence) / 2, (1 + confidence) / 2])
    return PairedNps(n, float(cb.mean()), float(ca.mean()), change, float(low), float(high))


def difference_of_changes(changes_a: ArrayLike, changes_b: ArrayLike, *, confidence: float = 0.95) -> Difference:
    """``mean(changes_a) − mean(changes_b)`` with Welch's t interval (none below two in a group)."""
    check_confidence(confidence)
    da, db = np.asarray(changes_a, dtype=float), np.asarray(changes_b, dtype=float)
    if len(da) == 0 or len(db) == 0:
        return Difference(None, None, None, None)
    effect = float(da.mean() - db.mean())
    if len(da) < 2 or len(db) < 2:
        return Difference(effect, None, None, None)
    va, vb = float(da.var(ddof=1)) / len(da), float(db.var(ddof=1)) / len(db)
    se = math.sqrt(va + vb)
    if se == 0:
        return Difference(effect, effect, effect, None)
    df = (va + vb) ** 2 / (va ** 2 / (len(da) - 1) + vb ** 2 / (len(db) - 1))
    half = t_quantile(confidence, df) * se
    return Difference(effect, effect - half, effect + half, df)
