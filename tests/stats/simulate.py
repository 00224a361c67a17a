"""Seeded simulation from the BG/NBD and Gamma-Gamma generative processes (tests, bench)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class SimulatedCustomers:
    frequency: NDArray[np.int64]
    recency: NDArray[np.float64]
    T: NDArray[np.float64]
    monetary_value: NDArray[np.float64]


def simulate_bgnbd(
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    p: float = 6.0,
    q: float = 4.0,
    gamma: float = 15.0,
    T_max: float = 39.0,
    day_grid: bool = True,
    seed: int = 0,
) -> SimulatedCustomers:
    """Customers from BG/NBD (Fader, Hardie & Lee 2005) with Gamma-Gamma spend.

    λ ~ Gamma(r, α) and the drop-out probability ~ Beta(a, b); purchases while alive are
    Poisson(λ); after each repeat purchase the customer drops out with that probability.
    T is uniform on [1, T_max] weeks; with ``day_grid`` T and t_x are whole days (in
    weeks), as in data summarised from dated purchases. Vectorised: the number of repeat purchases before
    dropping out is geometric, the count in [0, T] is Poisson(λT), x is the smaller of
    the two, and the x-th of K uniform purchase times is T · Beta(x, K − x + 1).
    """
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    big_t = rng.uniform(1.0, T_max, n)
    if day_grid:
        big_t = np.round(big_t * 7.0) / 7.0
    possible = rng.poisson(rate * big_t)
    until_drop = rng.geometric(np.clip(drop, 1e-12, 1.0))
    x = np.minimum(possible, until_drop)
    t_x = np.zeros(n)
    repeat = x > 0
    t_x[repeat] = big_t[repeat] * rng.beta(x[repeat], possible[repeat] - x[repeat] + 1)
    if day_grid:
        t_x = np.round(t_x * 7.0) / 7.0
    scale_rate = rng.gamma(q, 1.0 / gamma, n)
    zbar = np.zeros(n)
    zbar[repeat] = rng.gamma(p * x[repeat], 1.0 / (scale_rate[repeat] * x[repeat]))
    return SimulatedCustomers(x.astype(np.int64), t_x, big_t, zbar)
