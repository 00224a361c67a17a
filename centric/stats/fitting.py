"""Maximum-likelihood fitting shared by the CLV models."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


class ConvergenceError(ArithmeticError):
    """A maximum-likelihood fit did not reach an optimum; no numbers should be shown."""


@dataclass(frozen=True)
class Optimum:
    """Parameters at the optimum and the maximised log-likelihood."""

    params: NDArray[np.float64]
    log_likelihood: float
    iterations: int


def maximise_log_likelihood(
    negative_mean_ll: Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]],
    start: NDArray[np.float64],
    n_weight: float,
    *,
    model: str,
    gradient_tolerance: float = 1e-5,
) -> Optimum:
    """Maximise a log-likelihood over log-parameters with BFGS and an analytic gradient.

    ``negative_mean_ll(log_params)`` returns minus the log-likelihood divided by
    ``n_weight`` (so the objective stays of order one) and its gradient. Fitting on the
    log scale keeps every parameter positive without bounds. Raises
    :class:`ConvergenceError` when the optimiser stops away from a stationary point or
    at a non-finite value.
    """
    from scipy import optimize  # at use: SciPy's optimiser costs each process ~0.5 s to import

    result = optimize.minimize(
        negative_mean_ll, start, jac=True, method="BFGS", options={"gtol": 1e-7, "maxiter": 2000}
    )
    _, gradient = negative_mean_ll(result.x)
    for _restart in range(3):
        if float(np.max(np.abs(gradient))) <= gradient_tolerance or not np.all(np.isfinite(result.x)):
            break
        # A fresh BFGS from the last point drops a stale inverse-Hessian estimate, which is
        # what usually stops it short on flat likelihood ridges (few customers).
        result = optimize.minimize(
            negative_mean_ll, result.x, jac=True, method="BFGS", options={"gtol": 1e-8, "maxiter": 2000}
        )
        _, gradient = negative_mean_ll(result.x)
    finite = np.isfinite(result.fun) and np.all(np.isfinite(result.x))
    # BFGS often reports "precision loss" at a genuine optimum; the gradient decides.
    if not finite or float(np.max(np.abs(gradient))) > gradient_tolerance:
        raise ConvergenceError(
            f"{model} fit did not converge ({result.message}); "
            f"largest gradient {float(np.max(np.abs(gradient))):.3g}"
        )
    return Optimum(
        params=np.exp(result.x),
        log_likelihood=float(-result.fun * n_weight),
        iterations=int(result.nit),
    )
