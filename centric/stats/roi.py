"""Return on customer experience: what promoters, passives and detractors are worth.

From per-customer NPS category, churn flag and value (CLV or revenue):

* churn rate per category — Wilson interval (see :mod:`centric.stats.proportions`);
* mean value per category — Student t interval (see :mod:`centric.stats.means`);
* revenue at risk from detractors — the value held by detractors times their churn
  rate, Σ value(detractors) × churn(detractors); its interval carries the Wilson
  interval of the churn rate (the detractors' total value is treated as known);
* value of moving one detractor to passive — mean value of passives − mean value of
  detractors, with Welch's interval (Reichheld 2003's customer-value logic of the
  NPS categories; an observational difference, not a causal effect).

Earned Growth Rate (Reichheld, Darnell & Burns 2021, "Winning on Purpose"; HBR
"Net Promoter 3.0"): EGR = NRR + ENC − 100%, where net revenue retention
NRR = this period's revenue from last period's customers ÷ last period's revenue, and
earned new customers ENC = this period's revenue from new customers who came by
referral or word of mouth ÷ last period's revenue. Interval: percentile bootstrap
over customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from centric.stats.estimate import Comparison, Estimate, check_confidence
from centric.stats.means import compare_means, mean_estimate
from centric.stats.proportions import proportion_estimate

CATEGORIES = ("promoter", "passive", "detractor")


@dataclass(frozen=True)
class CategoryOutcome:
    """Churn and value of one NPS category."""

    category: str
    n: int
    churn_rate: Estimate
    mean_value: Estimate
    total_value: float


@dataclass(frozen=True)
class CxRoi:
    """Value of customer experience by NPS category."""

    categories: tuple[CategoryOutcome, ...]
    revenue_at_risk: Estimate
    detractor_to_passive_value: Comparison
    method: str


@dataclass(frozen=True)
class EarnedGrowth:
    """Earned Growth Rate and its parts, each in percent."""

    earned_growth_rate: Estimate
    net_revenue_retention: Estimate
    earned_new_customers: Estimate
    previous_revenue: float
    method: str


def cx_roi(
    category: ArrayLike, churned: ArrayLike, value: ArrayLike, *, confidence: float = 0.95
) -> CxRoi:
    """Churn, value and revenue at risk by promoter/passive/detractor (module docstring).

    ``category`` holds ``"promoter"``, ``"passive"`` or ``"detractor"`` per customer,
    ``churned`` 0/1 or booleans, ``value`` non-negative CLV or revenue. Empty categories
    give undefined estimates, never an error.
    """
    check_confidence(confidence)
    labels = np.asarray(category, dtype=object).ravel()
    n = labels.shape[0]
    bad = ~np.isin(labels.astype(str), CATEGORIES)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"category in row {row} must be promoter, passive or detractor, got {labels[row]!r}")
    lost = _flags(churned, n)
    money = _values(value, n, "value")
    labels = labels.astype(str)
    outcomes = []
    for name in CATEGORIES:
        chosen = labels == name
        v = money[chosen]
        outcomes.append(CategoryOutcome(
            category=name,
            n=int(chosen.sum()),
            churn_rate=proportion_estimate(int(chosen.sum()), int(lost[chosen].sum()), confidence=confidence),
            mean_value=mean_estimate(v.shape[0], float(v.sum()), float((v * v).sum()), confidence=confidence),
            total_value=float(v.sum()),
        ))
    detractors = outcomes[2]
    churn = detractors.churn_rate
    if churn.value is None:
        at_risk = Estimate(None, None, None, 0, None, "no detractors")
    else:
        # Wilson's interval exists whenever the rate does.
        assert churn.low is not None and churn.high is not None
        scale = detractors.total_value / 100.0
        at_risk = Estimate(scale * churn.value, scale * churn.low, scale * churn.high, detractors.n,
                           None if churn.se is None else scale * churn.se,
                           "detractors' total value × detractor churn rate (Wilson)")
    moved = compare_means(_sufficient(money[labels == "passive"]),
                          _sufficient(money[labels == "detractor"]), confidence=confidence)
    return CxRoi(tuple(outcomes), at_risk, moved,
                 "churn: Wilson; mean value: Student t; passive − detractor: Welch t")


def earned_growth_rate(
    previous_revenue: ArrayLike,
    current_revenue: ArrayLike,
    earned_new: ArrayLike,
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> EarnedGrowth:
    """Earned Growth Rate (Reichheld et al. 2021) from per-customer revenue of two periods.

    One row per customer: revenue last period (0 for customers new this period),
    revenue this period, and whether a new customer was *earned* (referral, word of
    mouth). Existing customers are those with previous revenue > 0. Intervals:
    percentile bootstrap over customers (``n_boot`` resamples, seeded).
    """
    check_confidence(confidence)
    previous = _values(previous_revenue, None, "previous_revenue")
    n = previous.shape[0]
    current = _values(current_revenue, n, "current_revenue")
    earned = _flags(earned_new, n)
    if previous.sum() <= 0:
        raise ValueError("previous-period revenue is zero: retention is undefined")
    existing = previous > 0
    earned_new_customer = ~existing & earned

    def parts(rows: NDArray[np.int64] | slice) -> tuple[float, float]:
        base = previous[rows].sum()
        if base <= 0:
            return np.nan, np.nan
        return (float(100.0 * current[rows][existing[rows]].sum() / base),
                float(100.0 * current[rows][earned_new_customer[rows]].sum() / base))

    nrr, enc = parts(slice(None))
    rng = np.random.default_rng(seed)
    boot = (np.array([parts(np.asarray(rng.integers(0, n, size=n))) for _ in range(n_boot)])
            if n_boot else np.empty((0, 2)))
    boot = boot[np.isfinite(boot).all(axis=1)]
    tail = (1.0 - confidence) / 2.0

    def estimate(value: float, samples: NDArray[np.float64], label: str) -> Estimate:
        if samples.shape[0] < 2:
            return Estimate(value, None, None, n, None, label)
        low, high = np.quantile(samples, [tail, 1.0 - tail])
        return Estimate(value, float(low), float(high), n, float(samples.std(ddof=1)),
                        f"{label}, percentile bootstrap ({samples.shape[0]} resamples)")

    return EarnedGrowth(
        earned_growth_rate=estimate(nrr + enc - 100.0, boot.sum(axis=1) - 100.0, "NRR + ENC − 100%"),
        net_revenue_retention=estimate(nrr, boot[:, 0], "net revenue retention"),
        earned_new_customers=estimate(enc, boot[:, 1], "earned new customer revenue ÷ previous revenue"),
        previous_revenue=float(previous.sum()),
        method="Earned Growth Rate (Reichheld, Darnell & Burns 2021)",
    )


def _sufficient(values: NDArray[np.float64]) -> tuple[int, float, float]:
    return values.shape[0], float(values.sum()), float((values * values).sum())


def _flags(values: ArrayLike, n: int) -> NDArray[np.bool_]:
    raw = np.asarray(values, dtype=object).ravel()
    if raw.shape[0] != n:
        raise ValueError(f"expected {n} flags, got {raw.shape[0]}")
    ok = np.array([cell in (0, 1) and cell is not None for cell in raw], dtype=bool)
    if not ok.all():
        row = int(np.argmax(~ok))
        raise ValueError(f"flag in row {row} must be 0/1 or True/False, got {raw[row]!r}")
    return raw.astype(bool)


def _values(values: ArrayLike, n: int | None, name: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must contain only numbers") from None
    if n is not None and array.shape[0] != n:
        raise ValueError(f"{name} has {array.shape[0]} rows, expected {n}")
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"{name} in row {row} must be a finite number >= 0, got {array[row]!r}")
    return array
