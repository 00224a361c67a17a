"""Result values shared by every estimator: an :class:`Estimate` and a :class:`Comparison`.

Results are small frozen dataclasses. A field is ``None`` when the quantity is undefined
(no observations, one observation for a variance, a zero standard error for a test);
no function in :mod:`centric.stats` returns NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import SupportsFloat, SupportsIndex


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval.

    ``value`` is ``None`` when undefined (``n == 0``); ``low``/``high`` are the bounds of
    the requested (default 95%) interval, ``None`` when no interval can be formed.
    """

    value: float | None
    low: float | None
    high: float | None
    n: int
    se: float | None = None
    method: str = ""


@dataclass(frozen=True)
class Comparison:
    """The difference ``a - b`` between two groups, its interval and a test of zero."""

    difference: float | None
    low: float | None
    high: float | None
    statistic: float | None
    p_value: float | None
    n_a: int
    n_b: int
    method: str = ""


def z_quantile(confidence: float) -> float:
    """Two-sided standard normal quantile for ``confidence`` (0.95 -> 1.95996...)."""
    check_confidence(confidence)
    return _z_cached(float(confidence))


@lru_cache(maxsize=64)
def _z_cached(confidence: float) -> float:
    from scipy import stats as _sp  # at use: scipy.stats costs each process ~1 s to import
    return float(_sp.norm.ppf(0.5 + confidence / 2.0))


def t_quantile(confidence: float, df: float) -> float:
    """Two-sided Student t quantile for ``confidence`` with ``df`` degrees of freedom."""
    from scipy import stats as _sp  # at use: scipy.stats costs each process ~1 s to import
    check_confidence(confidence)
    return float(_sp.t.ppf(0.5 + confidence / 2.0, df))


def check_confidence(confidence: float) -> None:
    """Raise ``ValueError`` unless ``0 < confidence < 1``."""
    if not isinstance(confidence, (int, float)) or not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be a number strictly between 0 and 1, got {confidence!r}")


def check_count(name: str, value: object, *, minimum: int | None = 0) -> int:
    """Return ``value`` as ``int`` if it is a whole number >= ``minimum``, else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, SupportsIndex)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    as_float = float(value)
    if not math.isfinite(as_float) or as_float != int(as_float):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if minimum is not None and as_float < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(as_float)


def check_finite(name: str, value: object) -> float:
    """Return ``value`` as ``float`` if it is a finite real number, else ``ValueError``."""
    # Whatever float() accepts: numbers, NumPy scalars, numeric strings and bytes.
    if isinstance(value, bool) or not isinstance(value, (str, bytes, bytearray, SupportsFloat, SupportsIndex)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(as_float):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return as_float


def two_sided_normal_p(statistic: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    from scipy import stats as _sp  # at use: scipy.stats costs each process ~1 s to import
    return float(2.0 * _sp.norm.sf(abs(statistic)))
