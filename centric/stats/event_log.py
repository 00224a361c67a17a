"""Validation of event-log columns (customer ids, dates, amounts) passed to the statistics.

Every problem is a ``ValueError`` that names the offending row, so an import screen can
point at the line to fix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def customer_id_column(customer_ids: ArrayLike) -> NDArray:
    """Customer ids as a 1-D array; ``ValueError`` naming the first missing one."""
    ids = np.asarray(customer_ids)
    if ids.ndim != 1:
        ids = ids.ravel()
    if ids.dtype.kind == "O":
        missing = np.array([cell is None or (isinstance(cell, float) and math.isnan(cell))
                            for cell in ids], dtype=bool)
        if missing.any():
            raise ValueError(f"customer id missing in row {int(np.argmax(missing))}")
        ids = ids.astype(str)
    elif ids.dtype.kind == "f" and np.isnan(ids).any():
        raise ValueError(f"customer id missing in row {int(np.argmax(np.isnan(ids)))}")
    return ids


def date_column(dates: ArrayLike, n: int) -> NDArray[np.datetime64]:
    """Dates as ``datetime64[D]`` (``n`` rows); ``ValueError`` naming a missing or bad row."""
    raw = np.asarray(dates)
    if raw.shape != (n,):
        raise ValueError(f"dates has {raw.size} rows but customer_ids has {n}")
    try:
        days = raw.astype("datetime64[D]")
    except (TypeError, ValueError):
        days = np.empty(n, dtype="datetime64[D]")
        for row, cell in enumerate(raw):
            days[row] = as_day(cell, f"date in row {row}")
    missing = np.isnat(days)
    if missing.any():
        raise ValueError(f"date missing in row {int(np.argmax(missing))}")
    return days


def amount_column(amounts: ArrayLike, n: int) -> NDArray[np.float64]:
    """Amounts as floats (``n`` rows); ``ValueError`` naming a missing, non-numeric or negative row."""
    raw = np.asarray(amounts)
    if raw.shape != (n,):
        raise ValueError(f"amounts has {raw.size} rows but customer_ids has {n}")
    if raw.dtype.kind in "iuf":
        values = raw.astype(np.float64)
    else:
        values = np.empty(n)
        for row, cell in enumerate(raw):
            try:
                values[row] = np.nan if cell is None or isinstance(cell, bool) else float(cell)
            except (TypeError, ValueError):
                raise ValueError(f"amount in row {row} is not a number: {_plain(cell)!r}") from None
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"amount missing or not finite in row {row}: {_plain(raw[row])!r}")
    if (values < 0).any():
        row = int(np.argmax(values < 0))
        raise ValueError(f"amount in row {row} is negative ({values[row]:g}); refunds are not purchases")
    return values


def as_day(value: object, name: str) -> np.datetime64:
    """One date as ``datetime64[D]``; ``ValueError`` mentioning ``name`` if it is not a date."""
    plain: Any = _plain(value)  # whatever NumPy reads as a date; it raises on anything else
    try:
        day = np.datetime64(plain, "D")
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not a date: {plain!r}") from None
    if np.isnat(day):
        raise ValueError(f"{name} is missing")
    return day


def _plain(cell: object) -> object:
    """A NumPy scalar as the Python value it holds, so messages read ``'x'``, not ``np.str_('x')``."""
    return cell.item() if isinstance(cell, np.generic) else cell
