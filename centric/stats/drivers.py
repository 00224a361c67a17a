"""Key-driver analysis: which attributes move an outcome, and where to act.

Continuous outcome (e.g. overall satisfaction, likelihood to recommend):

* ``"relative_weights"`` — Johnson (2000), "A heuristic method for estimating the
  relative weight of predictor variables in multiple regression", Multivariate
  Behavioral Research 35(1). With the predictors' correlation matrix R = QΛQᵀ, the
  orthogonal counterparts Z have loadings Λ* = QΛ^{½}Qᵀ; regressing y on Z gives
  β = Λ*⁻¹ r_xy and the raw weight of driver j is εⱼ = Σₖ Λ*ⱼₖ² βₖ². The weights
  add up to R².
* ``"shapley"`` — Shapley value decomposition of R² (Lipovetsky & Conklin 2001,
  "Analysis of regression in game theory approach", Applied Stochastic Models in Business
  and Industry 17): the average gain in R² from adding driver j over all orders of entry,
  computed exactly over the 2^p subsets (p ≤ 12).

Uncertainty: percentile bootstrap intervals (resampling respondents). Significance
follows Tonidandel, LeBreton & Johnson (2009, Psychological Methods 14(4)): a random
noise variable is added as an extra driver in each bootstrap sample, and the p-value is
the two-sided bootstrap p-value of "driver weight − noise weight = 0".

Binary outcome (e.g. churned): logistic regression on standardised drivers fitted by
Newton–Raphson (IRLS); importance is the coefficient (change in log-odds per standard
deviation of the driver) with Wald interval and p-value (Hosmer & Lemeshow 2000).

Quadrants (importance–performance analysis, Martilla & James 1977, Journal of
Marketing 41(1)): importance against performance, each split at its mean across drivers:
"key strength" (high, high), "priority to fix" (high importance, low performance),
"possible overkill" (low, high), "low priority" (low, low).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from math import factorial
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from centric.stats.estimate import check_confidence, two_sided_normal_p, z_quantile
from centric.stats.fitting import ConvergenceError

MAX_SHAPLEY_DRIVERS = 12


@dataclass(frozen=True)
class DriverResult:
    """One driver: importance with interval and p-value, performance and quadrant."""

    name: str
    importance: float
    low: float | None
    high: float | None
    p_value: float | None
    performance: float | None
    quadrant: str | None


@dataclass(frozen=True)
class DriverAnalysis:
    """Drivers sorted by importance (largest first) and the fit of the whole model."""

    drivers: tuple[DriverResult, ...]
    r_squared: float | None
    n: int
    method: str


def key_drivers(
    drivers: ArrayLike,
    outcome: ArrayLike,
    names: Sequence[str],
    *,
    method: Literal["relative_weights", "shapley"] = "relative_weights",
    performance: Sequence[float] | None = None,
    n_boot: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> DriverAnalysis:
    """Importance of each driver for a continuous outcome (module docstring for methods).

    ``drivers`` is an (n × p) array, one column per name. ``performance`` defaults to
    each driver's mean rating. ``n_boot=0`` skips the bootstrap (intervals and p-values
    ``None``).
    """
    x, y = _checked(drivers, outcome, names)
    check_confidence(confidence)
    if method not in ("relative_weights", "shapley"):
        raise ValueError(f"method must be 'relative_weights' or 'shapley', got {method!r}")
    if method == "shapley" and x.shape[1] > MAX_SHAPLEY_DRIVERS:
        raise ValueError(f"Shapley decomposition is limited to {MAX_SHAPLEY_DRIVERS} drivers")
    weigh = relative_weights if method == "relative_weights" else shapley_r2
    importance = weigh(x, y)
    low = high = p_values = None
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        n, p = x.shape
        samples = []
        for _ in range(n_boot):
            rows = rng.integers(0, n, n)
            noise = rng.standard_normal(n)
            try:
                samples.append(weigh(np.column_stack((x[rows], noise)), y[rows]))
            except ValueError:
                continue  # a resample where a driver or the outcome happens to be constant
        if len(samples) < max(10, n_boot // 2):
            raise ValueError("too few usable bootstrap samples: the data have too little variation")
        boot = np.array(samples)
        tail = (1.0 - confidence) / 2.0
        low, high = np.quantile(boot[:, :p], [tail, 1.0 - tail], axis=0)
        excess = boot[:, :p] - boot[:, [p]]
        share_below = (np.sum(excess <= 0, axis=0) + 1) / (excess.shape[0] + 1)
        share_above = (np.sum(excess >= 0, axis=0) + 1) / (excess.shape[0] + 1)
        p_values = np.minimum(1.0, 2.0 * np.minimum(share_below, share_above))
    label = ("relative weights (Johnson 2000)" if method == "relative_weights"
             else "Shapley R² (Lipovetsky & Conklin 2001)")
    results = _results(names, importance, low, high, p_values,
                       _performance(x, performance, len(names)))
    return DriverAnalysis(results, float(importance.sum()), x.shape[0],
                          f"{label}, {n_boot} bootstrap samples")


def churn_drivers(
    drivers: ArrayLike,
    churned: ArrayLike,
    names: Sequence[str],
    *,
    performance: Sequence[float] | None = None,
    confidence: float = 0.95,
) -> DriverAnalysis:
    """Logistic-regression driver importance for a binary outcome (module docstring).

    Importance: standardised coefficient (log-odds per SD, positive = raises churn), Wald
    interval and p-value. ``ConvergenceError`` when the fit diverges (perfect separation).
    """
    x, y = _checked(drivers, churned, names)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("churned must contain only 0/1 or False/True")
    z = z_quantile(confidence)
    standardised = (x - x.mean(axis=0)) / x.std(axis=0)
    design = np.column_stack((np.ones(x.shape[0]), standardised))
    beta, covariance, deviance = _logistic_newton(design, y)
    se = np.sqrt(np.diag(covariance))[1:]
    coefficient = beta[1:]
    p_values = np.array([two_sided_normal_p(c / s) for c, s in zip(coefficient, se, strict=True)])
    null_deviance = -2.0 * _bernoulli_ll(np.full_like(y, y.mean()), y)
    results = _results(names, coefficient, coefficient - z * se, coefficient + z * se, p_values,
                       _performance(x, performance, len(names)))
    return DriverAnalysis(results, float(1.0 - deviance / null_deviance), x.shape[0],
                          "logistic regression, standardised coefficients, Wald intervals "
                          "(r_squared is McFadden's pseudo-R²)")


def relative_weights(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Johnson (2000) raw relative weights; they sum to the R² of y on x."""
    corr = _correlations(x, y)
    r_xx, r_xy = corr[:-1, :-1], corr[:-1, -1]
    eigenvalues, eigenvectors = np.linalg.eigh(r_xx)
    if eigenvalues.min() < 1e-10:
        raise ValueError("drivers are perfectly collinear; drop or combine redundant drivers")
    loadings = (eigenvectors * np.sqrt(eigenvalues)) @ eigenvectors.T
    beta = np.linalg.solve(loadings, r_xy)
    return (loadings**2) @ (beta**2)


def shapley_r2(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Exact Shapley decomposition of R² over all subsets of drivers (p ≤ 12)."""
    corr = _correlations(x, y)
    p = x.shape[1]
    r2: dict[frozenset[int], float] = {frozenset(): 0.0}
    for size in range(1, p + 1):
        for subset in combinations(range(p), size):
            idx = list(subset)
            r_s = corr[idx, -1]
            try:
                r2[frozenset(subset)] = float(r_s @ np.linalg.solve(corr[np.ix_(idx, idx)], r_s))
            except np.linalg.LinAlgError:
                raise ValueError("drivers are perfectly collinear; drop or combine redundant drivers") from None
    weights = np.zeros(p)
    for members, value in r2.items():
        if len(members) == 0:
            continue
        share = factorial(len(members) - 1) * factorial(p - len(members)) / factorial(p)
        for j in members:
            weights[j] += share * (value - r2[members - {j}])
    return weights


def ipa_quadrant(importance: float, performance: float, importance_cut: float,
                 performance_cut: float) -> str:
    """Importance–performance quadrant of one driver (Martilla & James 1977)."""
    important = importance >= importance_cut
    performing = performance >= performance_cut
    if important:
        return "key strength" if performing else "priority to fix"
    return "possible overkill" if performing else "low priority"


def _results(
    names: Sequence[str],
    importance: NDArray[np.float64],
    low: NDArray[np.float64] | None,
    high: NDArray[np.float64] | None,
    p_values: NDArray[np.float64] | None,
    performance: NDArray[np.float64],
) -> tuple[DriverResult, ...]:
    # Quadrants split on magnitude: for churn a large negative coefficient matters too.
    magnitude = np.abs(importance)
    cut_i, cut_p = float(magnitude.mean()), float(performance.mean())
    rows = [
        DriverResult(
            name=str(name),
            importance=float(importance[j]),
            low=None if low is None else float(low[j]),
            high=None if high is None else float(high[j]),
            p_value=None if p_values is None else float(p_values[j]),
            performance=float(performance[j]),
            quadrant=ipa_quadrant(float(magnitude[j]), float(performance[j]), cut_i, cut_p),
        )
        for j, name in enumerate(names)
    ]
    return tuple(sorted(rows, key=lambda row: (-abs(row.importance), row.name)))


def _performance(x: NDArray[np.float64], performance: Sequence[float] | None, p: int) -> NDArray[np.float64]:
    if performance is None:
        return x.mean(axis=0)
    values = np.asarray(performance, dtype=np.float64)
    if values.shape != (p,) or not np.isfinite(values).all():
        raise ValueError(f"performance must hold {p} finite numbers, one per driver")
    return values


def _correlations(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    data = np.column_stack((x, y))
    spread = data.std(axis=0)
    if (spread == 0).any():
        raise ValueError("a driver or the outcome has no variation")
    return np.asarray(np.corrcoef(data, rowvar=False), dtype=np.float64)


def _checked(
    drivers: ArrayLike, outcome: ArrayLike, names: Sequence[str]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    try:
        x = np.asarray(drivers, dtype=np.float64)
        y = np.asarray(outcome, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("drivers and outcome must contain only numbers") from None
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(f"drivers must be (n × p) and outcome n long; got {x.shape} and {y.shape}")
    if x.shape[1] != len(names) or x.shape[1] == 0:
        raise ValueError(f"{x.shape[1]} driver columns but {len(names)} names")
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        row = int(np.argmax(~np.isfinite(x).all(axis=1) | ~np.isfinite(y)))
        raise ValueError(f"missing or non-finite value in row {row}; drop incomplete rows first")
    if x.shape[0] < x.shape[1] + 2:
        raise ValueError(f"need at least {x.shape[1] + 2} complete rows for {x.shape[1]} drivers")
    constant = np.flatnonzero(x.std(axis=0) == 0)
    if constant.size:
        raise ValueError(f"driver {names[int(constant[0])]!r} has no variation")
    if y.std() == 0:
        raise ValueError("the outcome has no variation")
    return x, y


def _logistic_newton(
    design: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Maximum-likelihood logistic regression by Newton–Raphson; (β, Cov(β), deviance)."""
    beta = np.zeros(design.shape[1])
    previous = np.inf
    for _ in range(100):
        eta = np.clip(design @ beta, -35, 35)
        prob = 1.0 / (1.0 + np.exp(-eta))
        weight = prob * (1.0 - prob)
        information = design.T @ (design * weight[:, None])
        step = np.linalg.lstsq(information, design.T @ (y - prob), rcond=None)[0]
        beta = beta + step
        deviance = -2.0 * _bernoulli_ll(prob, y)
        if abs(previous - deviance) < 1e-10 * (1.0 + abs(deviance)) and np.max(np.abs(step)) < 1e-8:
            break
        previous = deviance
    else:
        raise ConvergenceError("logistic regression did not converge (perfect separation?)")
    if np.max(np.abs(beta)) > 30:
        raise ConvergenceError("logistic regression diverges: a driver separates the outcome perfectly")
    eta = design @ beta
    prob = 1.0 / (1.0 + np.exp(-eta))
    information = design.T @ (design * (prob * (1.0 - prob))[:, None])
    covariance = np.asarray(np.linalg.inv(information), dtype=np.float64)
    return np.asarray(beta, dtype=np.float64), covariance, -2.0 * _bernoulli_ll(prob, y)


def _bernoulli_ll(prob: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    prob = np.clip(prob, 1e-300, 1.0 - 1e-16)
    return float(np.sum(y * np.log(prob) + (1.0 - y) * np.log1p(-prob)))
