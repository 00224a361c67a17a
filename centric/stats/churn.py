"""Customer churn and retention cohorts from a purchase (or activity) log.

Churn rate over a period [start, end] (both days inclusive):

* customers at start — customers with at least one event before ``start`` (and, when
  ``active_window_days`` is given, at least one in the ``active_window_days`` days just
  before ``start``, so long-gone customers do not dilute the rate);
* lost — customers at start with no event during [start, end];
* churn rate = lost ÷ customers at start, in percent, with a Wilson interval. Customers
  whose first event falls in the period are new: counted, but excluded from both parts.

Retention cohorts: customers are grouped by the period (month by default) of their first
event; cell (cohort c, offset k) is the share of the cohort with at least one event in
period c + k (classic cohort retention, e.g. Fader & Hardie 2007 "How to project
customer retention" for the contractual analogue). Offset 0 is 100% by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from centric.stats.estimate import Estimate, check_count
from centric.stats.event_log import as_day, customer_id_column, date_column
from centric.stats.proportions import proportion_estimate

if TYPE_CHECKING:
    import pandas as pd

Frequency = Literal["M", "W", "Q"]


@dataclass(frozen=True)
class ChurnRate:
    """Churn over one period: the rate (percent, Wilson interval) and the counts behind it."""

    rate: Estimate
    customers_at_start: int
    lost: int
    retained: int
    new: int
    period_start: np.datetime64
    period_end: np.datetime64
    definition: str


@dataclass(frozen=True)
class RetentionTable:
    """Cohort retention: ``shares[c, k]`` = % of cohort c active k periods after its first.

    ``observed[c, k]`` is False for cells after the last period in the data; there
    ``active`` is 0 and ``shares`` is NaN (shown as missing by :meth:`to_pandas`).
    """

    cohorts: NDArray[np.str_]
    sizes: NDArray[np.int64]
    active: NDArray[np.int64]
    observed: NDArray[np.bool_]
    shares: NDArray[np.float64]
    freq: str

    def to_pandas(self) -> pd.DataFrame:
        """Shares as a DataFrame: one row per cohort, one column per offset, plus ``size``."""
        import pandas as pd

        frame = pd.DataFrame(self.shares, index=pd.Index(self.cohorts, name="cohort"),
                             columns=range(self.shares.shape[1]))
        frame.insert(0, "size", self.sizes)
        return frame


def churn_rate(
    customer_ids: ArrayLike,
    event_dates: ArrayLike,
    period_start: date | np.datetime64 | str,
    period_end: date | np.datetime64 | str,
    *,
    active_window_days: int | None = None,
    confidence: float = 0.95,
) -> ChurnRate:
    """Share of customers active before ``period_start`` with no event in the period.

    Definition and interval: module docstring (Wilson interval on lost ÷ at start).
    Events after ``period_end`` are ignored. No customer at start gives an undefined
    rate (``value=None``).
    """
    ids = customer_id_column(customer_ids)
    days = date_column(event_dates, ids.shape[0])
    start = as_day(period_start, "period_start")
    end = as_day(period_end, "period_end")
    if end < start:
        raise ValueError(f"period_end ({end}) is before period_start ({start})")
    window = None
    if active_window_days is not None:
        window = check_count("active_window_days", active_window_days, minimum=1)
    before = days < start
    if window is not None:
        before &= days >= start - np.timedelta64(window, "D")
    during = (days >= start) & (days <= end)
    at_start = set(np.unique(ids[before]).tolist())
    active = set(np.unique(ids[during]).tolist())
    ever_before = set(np.unique(ids[days < start]).tolist())
    retained = len(at_start & active)
    lost = len(at_start) - retained
    new = len(active - ever_before)
    window_text = f" within {window} days before it" if window is not None else ""
    return ChurnRate(
        rate=proportion_estimate(len(at_start), lost, confidence=confidence),
        customers_at_start=len(at_start),
        lost=lost,
        retained=retained,
        new=new,
        period_start=start,
        period_end=end,
        definition=(f"customers with an event before {start}{window_text} and none from "
                    f"{start} to {end}, ÷ customers with an event before {start}{window_text}; "
                    "new customers excluded"),
    )


def retention_cohorts(
    customer_ids: ArrayLike,
    event_dates: ArrayLike,
    freq: Frequency = "M",
    *,
    as_of: date | np.datetime64 | str | None = None,
) -> RetentionTable:
    """Retention by first-event cohort: share of each cohort active k periods later.

    ``freq``: ``"M"`` calendar months, ``"Q"`` quarters, ``"W"`` weeks starting Monday.
    Cells after the period of ``as_of`` (default: the last event) are unobserved.
    """
    if freq not in ("M", "W", "Q"):
        raise ValueError(f"freq must be 'M', 'W' or 'Q', got {freq!r}")
    ids = customer_id_column(customer_ids)
    days = date_column(event_dates, ids.shape[0])
    if days.shape[0] == 0:
        raise ValueError("no events to build cohorts from")
    last_day = days.max() if as_of is None else as_day(as_of, "as_of")
    keep = days <= last_day
    ids, days = ids[keep], days[keep]
    if days.shape[0] == 0:
        raise ValueError(f"no events on or before as_of ({last_day})")
    period = _period_index(days, freq)
    _, customer = np.unique(ids, return_inverse=True)
    first = np.full(customer.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, customer, period)
    cohort_of_event = first[customer]
    offset = period - cohort_of_event
    cohort_periods, cohort_row = np.unique(first, return_inverse=True)
    last_period = int(_period_index(np.array([last_day]), freq)[0])
    width = last_period - int(cohort_periods[0]) + 1
    sizes = np.bincount(cohort_row, minlength=cohort_periods.shape[0])
    # One count per customer and period, however many events they had in it.
    pairs = np.unique(np.column_stack((customer, offset)), axis=0)
    row_of_pair = cohort_row[pairs[:, 0]]
    active = np.zeros((cohort_periods.shape[0], width), dtype=np.int64)
    np.add.at(active, (row_of_pair, pairs[:, 1]), 1)
    observed = (cohort_periods[:, None] + np.arange(width)[None, :]) <= last_period
    shares = np.where(observed, 100.0 * active / sizes[:, None], np.nan)
    return RetentionTable(
        cohorts=np.array([_period_label(int(p), freq) for p in cohort_periods]),
        sizes=sizes.astype(np.int64),
        active=active,
        observed=observed,
        shares=shares,
        freq=freq,
    )


def _period_index(days: NDArray[np.datetime64], freq: str) -> NDArray[np.int64]:
    if freq == "M":
        return days.astype("datetime64[M]").astype(np.int64)
    if freq == "Q":
        return days.astype("datetime64[M]").astype(np.int64) // 3
    # 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday.
    return (days.astype(np.int64) + 3) // 7


def _period_label(index: int, freq: str) -> str:
    if freq == "M":
        return str(np.datetime64(index, "M"))
    if freq == "Q":
        month = np.datetime64(index * 3, "M")
        return f"{str(month)[:4]}-Q{index % 4 + 1}"
    return str(np.datetime64(index * 7 - 3, "D"))
