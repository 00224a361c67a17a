"""Gamma-Gamma model of spend per transaction: maximum-likelihood fit and predictions.

Source: Fader & Hardie (2013), "The Gamma-Gamma model of monetary value" (note, after
Colombo & Jiang 1999). Each transaction value z ~ Gamma(p, ν) with ν ~ Gamma(q, γ)
across customers, independent of the purchase process. For a customer with x repeat
purchases of mean value z̄, the marginal log-density of z̄ is

    lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + px ln x + (px−1) ln z̄ − (px+q) ln(γ + x z̄)

and the conditional expected transaction value is

    E[Z | x, z̄] = p(γ + x z̄) / (px + q − 1),

a weighted mean of the population mean pγ/(q−1) and the customer's z̄. The fit uses
customers with x ≥ 1 only (z̄ is undefined without repeat purchases); for x = 0 the
prediction is the population mean. BFGS over the log-parameters with the analytic
gradient; failure raises :class:`~centric.stats.fitting.ConvergenceError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma, gammaln

from centric.stats.fitting import maximise_log_likelihood


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted Gamma-Gamma parameters (p, q, γ) in the currency of the data."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    converged: bool
    n_customers: int

    @property
    def population_mean(self) -> float | None:
        """pγ/(q−1), the mean transaction value; ``None`` when q ≤ 1 (infinite mean)."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else None

    def conditional_expected_average_profit(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> NDArray[np.float64]:
        """E[Z | x, z̄] = p(γ + x z̄)/(px + q − 1) (Fader & Hardie 2013, eq. 5)."""
        return conditional_expected_average_profit(self, frequency, monetary_value)


def fit_gamma_gamma(frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma fit (Fader & Hardie 2013) on customers with x ≥ 1.

    ``ValueError`` when no customer has a repeat purchase, or when a repeat customer's
    mean value is not positive (the model has no zero-value transactions).
    """
    x, z = _checked(frequency, monetary_value)
    repeat = x > 0
    x, z = x[repeat], z[repeat]
    if x.shape[0] == 0:
        raise ValueError("Gamma-Gamma needs at least one customer with a repeat purchase")
    if (z <= 0).any():
        row = int(np.flatnonzero(repeat)[np.argmax(z <= 0)])
        raise ValueError(f"monetary value in row {row} must be > 0 for a repeat customer")
    n = float(x.shape[0])
    # Gamma functions depend on the customer only through x: evaluate once per distinct x.
    levels, level = np.unique(x, return_inverse=True)
    count_by_level = np.bincount(level, minlength=levels.shape[0]).astype(np.float64)
    x_log_xz = float(np.dot(x, np.log(x) + np.log(z)))
    sum_log_z = float(np.log(z).sum())
    xz = x * z

    def negative_mean_ll(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        p, q, gamma = np.exp(theta)
        px = p * levels
        log_gz = np.log(gamma + xz)
        per_level = gammaln(px + q) - gammaln(px)
        value = (count_by_level @ per_level - n * gammaln(q) + n * q * np.log(gamma)
                 + p * x_log_xz - sum_log_z - np.dot(p * x + q, log_gz))
        psi = digamma(px + q)
        d_p = (count_by_level @ (levels * (psi - digamma(px))) + x_log_xz
               - np.dot(x, log_gz))
        d_q = count_by_level @ psi - n * digamma(q) + n * np.log(gamma) - log_gz.sum()
        d_gamma = n * q / gamma - np.dot(p * x + q, 1.0 / (gamma + xz))
        if not np.isfinite(value):
            return float("inf"), np.zeros(3)
        return -float(value) / n, -np.array([p * d_p, q * d_q, gamma * d_gamma]) / n

    start = np.log(np.array([1.0, 1.0, float(np.mean(z))]))
    optimum = maximise_log_likelihood(negative_mean_ll, start, n, model="Gamma-Gamma")
    p, q, gamma = (float(v) for v in optimum.params)
    return GammaGammaFit(p, q, gamma, optimum.log_likelihood, True, int(n))


def conditional_expected_average_profit(
    fit: GammaGammaFit, frequency: ArrayLike, monetary_value: ArrayLike
) -> NDArray[np.float64]:
    """Expected value per future transaction: p(γ + x z̄)/(px + q − 1).

    For x = 0 this is the population mean pγ/(q − 1); ``ValueError`` if q ≤ 1 makes
    that mean infinite.
    """
    x, z = _checked(frequency, monetary_value)
    if fit.q <= 1.0 and (x == 0).any():
        raise ValueError("q <= 1: the population mean spend is infinite; no value for x = 0")
    z = np.where(x > 0, z, 0.0)
    return fit.p * (fit.gamma + x * z) / (fit.p * x + fit.q - 1.0)


def _checked(
    frequency: ArrayLike, monetary_value: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    try:
        x = np.atleast_1d(np.asarray(frequency, dtype=np.float64))
        z = np.atleast_1d(np.asarray(monetary_value, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError("frequency and monetary_value must be numeric") from None
    x, z = np.broadcast_arrays(x, z)
    for name, array in (("frequency", x), ("monetary value", z)):
        bad = ~np.isfinite(array) | (array < 0)
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(f"{name} in row {row} must be a finite number >= 0, got {array[row]!r}")
    if (x != np.round(x)).any():
        row = int(np.argmax(x != np.round(x)))
        raise ValueError(f"frequency in row {row} must be a whole number, got {x[row]!r}")
    return x, z
