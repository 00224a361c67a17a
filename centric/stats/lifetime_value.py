"""Forward-looking customer lifetime value from a BG/NBD and a Gamma-Gamma fit.

Discounted CLV over a horizon of H months (the approach of Fader, Hardie & Lee 2005's
"CLV using RFM" adapted to monthly cash flows, as commonly done in practice):

    CLV = margin · E[Z | x, z̄] · Σ_{m=1..H} (E[Y(t_m)] − E[Y(t_{m−1})]) / (1 + d)^m

where t_m is the end of month m in the model's time unit (a month is 365.25/12 =
30.4375 days), E[Y(t)] is the BG/NBD conditional expected number of purchases, E[Z|·]
the Gamma-Gamma expected value per transaction, and d the monthly discount rate
(default 0.01, about 12.7% a year). Purchases expected in month m are discounted as if
they happened at its end. The population summary (mean CLV) carries a Student t interval
over customers; it reflects customer-to-customer variation, not parameter uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from centric.stats.bgnbd import BgNbdFit, conditional_expected_number_of_purchases_up_to_time
from centric.stats.estimate import Estimate, check_count
from centric.stats.gamma_gamma import GammaGammaFit, conditional_expected_average_profit
from centric.stats.means import mean_estimate

DAYS_PER_MONTH = 365.25 / 12.0


@dataclass(frozen=True)
class LifetimeValue:
    """Per-customer expected purchases, value per purchase and discounted CLV."""

    expected_purchases: NDArray[np.float64]
    expected_average_value: NDArray[np.float64]
    clv: NDArray[np.float64]
    mean: Estimate
    total: float
    horizon_months: int
    monthly_discount_rate: float
    method: str


def customer_lifetime_value(
    purchases: BgNbdFit,
    spend: GammaGammaFit,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary_value: ArrayLike,
    *,
    horizon_months: int = 12,
    monthly_discount_rate: float = 0.01,
    margin: float = 1.0,
    freq_days: float = 7.0,
    confidence: float = 0.95,
) -> LifetimeValue:
    """Discounted CLV per customer over ``horizon_months`` (formula in the module docstring).

    ``freq_days`` is the length in days of the time unit the fits were made in (7 for
    weeks). ``margin`` turns revenue into profit (1.0 keeps revenue).
    """
    horizon = check_count("horizon_months", horizon_months, minimum=1)
    if not 0.0 <= monthly_discount_rate < 1.0:
        raise ValueError(f"monthly_discount_rate must be in [0, 1), got {monthly_discount_rate!r}")
    if not 0.0 <= margin <= 1.0:
        raise ValueError(f"margin must be between 0 and 1, got {margin!r}")
    if not freq_days > 0:
        raise ValueError(f"freq_days must be positive, got {freq_days!r}")
    x = np.atleast_1d(np.asarray(frequency, dtype=np.float64))
    value_per_purchase = conditional_expected_average_profit(spend, x, monetary_value)
    months = np.arange(horizon + 1, dtype=np.float64)
    t = months * DAYS_PER_MONTH / freq_days
    cumulative = np.stack([
        conditional_expected_number_of_purchases_up_to_time(purchases, t_m, x, recency, T)
        if t_m > 0 else np.zeros(np.broadcast(x, np.asarray(T)).shape)
        for t_m in t
    ])
    per_month = np.diff(cumulative, axis=0)
    discount = (1.0 + monthly_discount_rate) ** -months[1:]
    clv = margin * value_per_purchase * (discount @ per_month)
    mean = mean_estimate(clv.shape[0], float(clv.sum()), float((clv * clv).sum()),
                         confidence=confidence)
    return LifetimeValue(
        expected_purchases=cumulative[-1],
        expected_average_value=value_per_purchase,
        clv=clv,
        mean=mean,
        total=float(clv.sum()),
        horizon_months=horizon,
        monthly_discount_rate=float(monthly_discount_rate),
        method=(f"BG/NBD × Gamma-Gamma, {horizon} months discounted monthly at "
                f"{monthly_discount_rate:.2%}"),
    )
