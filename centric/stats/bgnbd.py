"""BG/NBD model of repeat purchasing: maximum-likelihood fit and predictions.

Source: Fader, Hardie & Lee (2005), "'Counting your customers' the easy way: an
alternative to the Pareto/NBD model", Marketing Science 24(2), 275–284; equation
numbers below refer to that paper. While alive, a customer buys as a Poisson process
with rate λ ~ Gamma(r, α); after each purchase they drop out with probability
p ~ Beta(a, b).

Fit: the individual log-likelihood (eq. 6) is

    ln L = lnΓ(r+x) − lnΓ(r) + r ln α + ln(e^{A₁} + δ_{x>0} e^{A₂})
    A₁ = ln B(a, b+x) − ln B(a, b) − (r+x) ln(α+T)
    A₂ = ln B(a+1, b+x−1) − ln B(a, b) − (r+x) ln(α+t_x)

summed with log-sum-exp over the unique (x, t_x, T) rows weighted by their counts,
and maximised by BFGS over the logarithms of (r, α, a, b) with the analytic gradient.
A fit that does not reach a stationary point raises :class:`ConvergenceError`; a
returned fit always has ``converged=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, digamma, gammaln, hyp2f1

from centric.stats.fitting import ConvergenceError, maximise_log_likelihood

__all__ = ["BgNbdFit", "ConvergenceError", "fit_bgnbd"]


@dataclass(frozen=True)
class BgNbdFit:
    """Fitted BG/NBD parameters (time in the units of the data, e.g. weeks)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    converged: bool
    n_customers: int

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> NDArray[np.float64]:
        """E[X(t)] for a new customer (eq. 9)."""
        return expected_number_of_purchases_up_to_time(self, t)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> NDArray[np.float64]:
        """E[Y(t) | x, t_x, T]: purchases in (T, T + t] (eq. 10)."""
        return conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T)

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> NDArray[np.float64]:
        """P(alive | x, t_x, T) (Fader, Hardie & Lee 2005, appendix / eq. 11 note)."""
        return conditional_probability_alive(self, frequency, recency, T)


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BgNbdFit:
    """Maximum-likelihood BG/NBD fit (Fader, Hardie & Lee 2005) from x, t_x, T arrays.

    Raises ``ValueError`` for invalid data (negative or fractional x, t_x > T, x > 0
    with t_x = 0 is allowed) and :class:`ConvergenceError` if the optimiser fails.
    """
    x, t_x, big_t = _checked_rfm(frequency, recency, T)
    if x.shape[0] == 0:
        raise ValueError("cannot fit BG/NBD to zero customers")
    data = _Compressed(x, t_x, big_t, np.ones_like(x))
    n = float(x.shape[0])
    mean_rate = max(float(np.sum(x)) / max(float(np.sum(big_t)), 1e-12), 1e-6)
    start = np.log(np.array([1.0, 1.0 / mean_rate, 1.0, 1.0]))
    optimum = maximise_log_likelihood(
        lambda theta: data.negative_mean_ll(theta, n), start, n, model="BG/NBD"
    )
    r, alpha, a, b = (float(v) for v in optimum.params)
    return BgNbdFit(r, alpha, a, b, optimum.log_likelihood, True, int(n))


def bgnbd_log_likelihood(
    params: tuple[float, float, float, float], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> float:
    """Total BG/NBD log-likelihood (eq. 6) of the data at ``params = (r, α, a, b)``."""
    x, t_x, big_t = _checked_rfm(frequency, recency, T)
    data = _Compressed(x, t_x, big_t, np.ones_like(t_x))
    value, _ = data.negative_mean_ll(np.log(np.asarray(params, dtype=np.float64)), 1.0)
    return -value


def expected_number_of_purchases_up_to_time(fit: BgNbdFit, t: ArrayLike) -> NDArray[np.float64]:
    """E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))] (eq. 9)."""
    t = np.asarray(t, dtype=np.float64)
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    hyper = hyp2f1(r, b, a + b - 1.0, t / (alpha + t))
    return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyper)


def conditional_expected_number_of_purchases_up_to_time(
    fit: BgNbdFit, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> NDArray[np.float64]:
    """E[Y(t) | x, t_x, T], expected purchases in the next ``t`` time units (eq. 10).

    (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
    divided by 1 + δ_{x>0} a/(b+x−1) ((α+T)/(α+t_x))^{r+x}.
    """
    x, t_x, big_t = _checked_rfm(frequency, recency, T)
    t = np.asarray(t, dtype=np.float64)
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    # Euler's transformation ₂F₁(A, B; C; z) = (1 − z)^{C−A−B} ₂F₁(C−A, C−B; C; z) with
    # 1 − z = (α+T)/(α+T+t) turns the power r+x into a−1 and leaves small upper
    # parameters, so heavy buyers (large x) do not overflow or lose precision.
    z = t / (alpha + big_t + t)
    hyper = hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
    shrink = np.exp((a - 1.0) * (np.log(alpha + big_t) - np.log(alpha + big_t + t)))
    numerator = (a + b + x - 1.0) / (a - 1.0) * (1.0 - shrink * hyper)
    return numerator * conditional_probability_alive(fit, x, t_x, big_t)


def conditional_probability_alive(
    fit: BgNbdFit, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> NDArray[np.float64]:
    """P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} a/(b+x−1) ((α+T)/(α+t_x))^{r+x}).

    Customers without repeat purchases are alive with probability 1 under BG/NBD
    (drop-out only happens right after a purchase).
    """
    x, t_x, big_t = _checked_rfm(frequency, recency, T)
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    safe_x = np.maximum(x, 1.0)
    log_odds = (np.log(a) - np.log(b + safe_x - 1.0)
                + (r + safe_x) * (np.log(alpha + big_t) - np.log(alpha + t_x)))
    dead_odds = np.where(x > 0, np.exp(np.minimum(log_odds, 700.0)), 0.0)
    return 1.0 / (1.0 + dead_odds)


class _Compressed:
    """The data as weighted unique rows, split into customers with and without repeats.

    Customers with x = 0 contribute only A₁ and depend on the data only through T, so
    they are merged by T. Repeat customers are merged by (x, t_x, T). Every Gamma and
    Beta function in eq. 6 depends on the customer only through the integer x, so those
    are computed once per distinct x and gathered; per row an evaluation needs two
    logarithms and one log-sum-exp.
    """

    def __init__(self, x: NDArray[np.float64], t_x: NDArray[np.float64],
                 T: NDArray[np.float64], weight: NDArray[np.float64]) -> None:
        zero = x == 0
        (self.T0,), self.w0 = _merge((T[zero],), weight[zero])
        (self.x, self.t_x, self.T), self.w = _merge((x[~zero], t_x[~zero], T[~zero]), weight[~zero])
        self.levels, self.level = np.unique(self.x, return_inverse=True)
        self.w_by_level = np.bincount(self.level, self.w, self.levels.shape[0])
        self.n_zero = float(self.w0.sum())

    def negative_mean_ll(
        self, theta: NDArray[np.float64], n: float
    ) -> tuple[float, NDArray[np.float64]]:
        """−ln L / n and its gradient with respect to the log-parameters."""
        r, alpha, a, b = np.exp(theta)
        log_alpha = np.log(alpha)
        psi_r, psi_a, psi_b, psi_ab = digamma(r), digamma(a), digamma(b), digamma(a + b)
        beta_ab = betaln(a, b)

        # x = 0: ln L = r ln α − r ln(α + T)   (B(a, b)/B(a, b) = 1).
        log_t0 = np.log(alpha + self.T0)
        value = self.n_zero * r * log_alpha - r * np.dot(self.w0, log_t0)
        d_r = self.n_zero * log_alpha - np.dot(self.w0, log_t0)
        d_alpha = self.n_zero * r / alpha - r * np.dot(self.w0, 1.0 / (alpha + self.T0))
        d_a = d_b = 0.0

        if self.x.shape[0]:
            xs, level, w, x = self.levels, self.level, self.w, self.x
            # Per distinct x ≥ 1: the Gamma/Beta parts of ln L and of its derivatives.
            const = gammaln(r + xs) - gammaln(r) + r * log_alpha
            psi_abx = digamma(a + b + xs)
            b1 = betaln(a, b + xs) - beta_ab
            b2 = betaln(a + 1.0, b + xs - 1.0) - beta_ab
            log_t = np.log(alpha + self.T)
            log_tx = np.log(alpha + self.t_x)
            a1 = b1[level] - (r + x) * log_t
            gap = b2[level] - (r + x) * log_tx - a1
            softplus = np.logaddexp(0.0, gap)
            w2 = np.exp(gap - softplus)  # weight of the A₂ term, in [0, 1]
            w1 = 1.0 - w2
            value += np.dot(w, a1 + softplus) + self.w_by_level @ const
            ww1, ww2 = w * w1, w * w2
            by_level1 = np.bincount(level, ww1, xs.shape[0])
            by_level2 = self.w_by_level - by_level1
            d_r += (self.w_by_level @ (digamma(r + xs) - psi_r + log_alpha)
                    - np.dot(ww1, log_t) - np.dot(ww2, log_tx))
            d_alpha += (r * self.w.sum() / alpha
                        - np.dot((r + x) * ww1, 1.0 / (alpha + self.T))
                        - np.dot((r + x) * ww2, 1.0 / (alpha + self.t_x)))
            d_a = (by_level1 @ (psi_ab - psi_abx)
                   + by_level2 @ (digamma(a + 1.0) - psi_a + psi_ab - psi_abx))
            d_b = (by_level1 @ (digamma(b + xs) - psi_b + psi_ab - psi_abx)
                   + by_level2 @ (digamma(b + xs - 1.0) - psi_b + psi_ab - psi_abx))
        if not np.isfinite(value):
            return float("inf"), np.zeros(4)
        gradient = np.array([r * d_r, alpha * d_alpha, a * d_a, b * d_b])
        return -float(value) / n, -gradient / n


def _merge(
    columns: tuple[NDArray[np.float64], ...], weight: NDArray[np.float64]
) -> tuple[tuple[NDArray[np.float64], ...], NDArray[np.float64]]:
    """Identical rows of ``columns`` merged into one, their weights added (sort, then diff)."""
    if columns[0].shape[0] == 0:
        return columns, weight
    order = np.lexsort(columns[::-1])
    sorted_columns = tuple(column[order] for column in columns)
    first = np.zeros(order.shape[0], dtype=bool)
    first[0] = True
    for column in sorted_columns:
        first[1:] |= column[1:] != column[:-1]
    starts = np.flatnonzero(first)
    return (tuple(column[starts] for column in sorted_columns),
            np.add.reduceat(weight[order], starts))


def _checked_rfm(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """x, t_x, T as float arrays after checking 0 ≤ t_x ≤ T and whole x ≥ 0."""
    arrays = []
    for name, values in (("frequency", frequency), ("recency", recency), ("T", T)):
        try:
            array = np.atleast_1d(np.asarray(values, dtype=np.float64))
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric") from None
        bad = ~np.isfinite(array) | (array < 0)
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(f"{name} in row {row} must be a finite number >= 0, got {array[row]!r}")
        arrays.append(array)
    x, t_x, big_t = np.broadcast_arrays(*arrays)
    if (x != np.round(x)).any():
        row = int(np.argmax(x != np.round(x)))
        raise ValueError(f"frequency in row {row} must be a whole number, got {x[row]!r}")
    if (t_x > big_t).any():
        row = int(np.argmax(t_x > big_t))
        raise ValueError(f"recency ({t_x[row]!r}) exceeds T ({big_t[row]!r}) in row {row}")
    if ((x == 0) & (t_x > 0)).any():
        row = int(np.argmax((x == 0) & (t_x > 0)))
        raise ValueError(f"row {row} has recency > 0 but no repeat purchases")
    return x, t_x, big_t
