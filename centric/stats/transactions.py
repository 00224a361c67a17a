"""From a purchase log to the per-customer summary used by the CLV models, and historical CLV.

The summary follows Fader, Hardie & Lee (2005): for each customer, ``frequency`` x is
the number of *repeat* purchases, ``recency`` t_x the time from the first to the last
purchase, ``T`` the time from the first purchase to the end of the calibration period,
and ``monetary_value`` the mean value of the repeat purchases (Fader & Hardie 2013's
z̄; 0 for customers without repeat purchases). Purchases on the same calendar day are
one purchase (their amounts are added), as in the published CDNOW summaries. Time is
measured in units of ``freq_days`` days (7: weeks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import ArrayLike, NDArray

from centric.stats.estimate import Estimate
from centric.stats.event_log import amount_column, as_day, customer_id_column, date_column
from centric.stats.means import mean_estimate


@dataclass(frozen=True)
class CustomerSummary:
    """Frequency/recency/T/monetary value per customer, in the order of ``customer_ids``."""

    customer_ids: NDArray[np.object_]
    frequency: NDArray[np.int64]
    recency: NDArray[np.float64]
    T: NDArray[np.float64]
    monetary_value: NDArray[np.float64]
    total_value: NDArray[np.float64]
    first_purchase: NDArray[np.datetime64]
    freq_days: float

    @property
    def n_customers(self) -> int:
        return int(self.frequency.shape[0])


@dataclass(frozen=True)
class HistoricalValue:
    """Historical CLV: each customer's margin-weighted revenue to date, and their mean."""

    customer_ids: NDArray[np.object_]
    value: NDArray[np.float64]
    mean: Estimate
    total: float


def summary_from_transactions(
    customer_ids: ArrayLike,
    dates: ArrayLike,
    amounts: ArrayLike,
    calibration_end: date | np.datetime64 | str | None = None,
    freq_days: float = 7.0,
) -> CustomerSummary:
    """Summarise a purchase log into x, t_x, T and z̄ per customer (Fader, Hardie & Lee 2005).

    Rows may come in any order. Purchases after ``calibration_end`` (default: the last
    purchase date) are ignored, and customers whose first purchase falls after it are
    left out. A missing customer id, date or amount, a non-numeric or negative amount
    raises ``ValueError`` naming the row.
    """
    ids = customer_id_column(customer_ids)
    days = date_column(dates, ids.shape[0])
    values = amount_column(amounts, ids.shape[0])
    if not freq_days > 0 or not math.isfinite(freq_days):
        raise ValueError(f"freq_days must be a positive number, got {freq_days!r}")
    if days.shape[0] == 0:
        raise ValueError("no transactions to summarise")
    end = days.max() if calibration_end is None else as_day(calibration_end, "calibration_end")
    keep = days <= end
    if not keep.any():
        raise ValueError(f"no transactions on or before calibration_end ({end})")
    ids, days, values = ids[keep], days[keep], values[keep]
    unique_ids, customer = np.unique(ids, return_inverse=True)
    day_number = days.astype(np.int64)
    order = np.lexsort((day_number, customer))
    customer, day_number, values = customer[order], day_number[order], values[order]
    # One purchase per customer-day: amounts of the same day are added.
    new_day = np.ones(customer.shape[0], dtype=bool)
    new_day[1:] = (customer[1:] != customer[:-1]) | (day_number[1:] != day_number[:-1])
    starts = np.flatnonzero(new_day)
    day_customer = customer[starts]
    day_of_purchase = day_number[starts]
    day_amount = np.add.reduceat(values, starts) if starts.size else values[:0]
    n_customers = unique_ids.shape[0]
    purchases = np.bincount(day_customer, minlength=n_customers)
    first_index = np.concatenate(([0], np.cumsum(purchases)[:-1]))
    last_index = first_index + purchases - 1
    first_day = day_of_purchase[first_index]
    total = np.bincount(day_customer, weights=day_amount, minlength=n_customers)
    frequency = purchases - 1
    repeat_total = total - day_amount[first_index]
    monetary = np.divide(repeat_total, frequency, out=np.zeros(n_customers), where=frequency > 0)
    end_number = end.astype(np.int64)
    return CustomerSummary(
        customer_ids=unique_ids.astype(object),
        frequency=frequency.astype(np.int64),
        recency=(day_of_purchase[last_index] - first_day) / freq_days,
        T=(end_number - first_day) / freq_days,
        monetary_value=monetary,
        total_value=total.astype(np.float64),
        first_purchase=first_day.astype("datetime64[D]"),
        freq_days=float(freq_days),
    )


def historical_clv(
    customer_ids: ArrayLike,
    amounts: ArrayLike,
    *,
    margin: float = 1.0,
    confidence: float = 0.95,
) -> HistoricalValue:
    """Historical CLV: sum of each customer's purchase amounts times ``margin``.

    The mean across customers carries a Student t interval (sampling variation of
    customers, not a forecast). Definition as in Gupta et al. (2006), "Modeling customer
    lifetime value", J. Service Research 9 — the backward-looking variant.
    """
    if not 0.0 <= margin <= 1.0:
        raise ValueError(f"margin must be between 0 and 1, got {margin!r}")
    ids = customer_id_column(customer_ids)
    values = amount_column(amounts, ids.shape[0])
    unique_ids, customer = np.unique(ids, return_inverse=True)
    value = margin * np.bincount(customer, weights=values, minlength=unique_ids.shape[0])
    mean = mean_estimate(value.shape[0], float(value.sum()), float((value * value).sum()),
                         confidence=confidence)
    return HistoricalValue(unique_ids.astype(object), value.astype(np.float64), mean,
                           float(value.sum()))


