"""BG/NBD: CDNOW reproduction, gradient, recovery from simulation, predictions, bad input."""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from centric.stats import (
    BgNbdFit,
    bgnbd_log_likelihood,
    conditional_probability_alive,
    fit_bgnbd,
)
from centric.stats.bgnbd import _Compressed
from tests.stats import cdnow
from tests.stats.simulate import simulate_bgnbd

needs_cdnow = pytest.mark.skipif(not cdnow.available(), reason="CDNOW data not found")
# Published parameters, Fader, Hardie & Lee (2005), CDNOW sample, 39-week calibration.
PUBLISHED = BgNbdFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4,
                     converged=True, n_customers=2357)


@pytest.fixture(scope="module")
def cdnow_fit() -> BgNbdFit:
    s = cdnow.summary()
    return fit_bgnbd(s["frequency"], s["recency"], s["T"])


@needs_cdnow
def test_reproduces_published_cdnow_fit(cdnow_fit: BgNbdFit) -> None:
    assert cdnow_fit.r == pytest.approx(PUBLISHED.r, abs=0.001)
    assert cdnow_fit.alpha == pytest.approx(PUBLISHED.alpha, abs=0.001)
    assert cdnow_fit.a == pytest.approx(PUBLISHED.a, abs=0.001)
    assert cdnow_fit.b == pytest.approx(PUBLISHED.b, abs=0.001)
    assert cdnow_fit.log_likelihood == pytest.approx(PUBLISHED.log_likelihood, abs=0.1)
    assert cdnow_fit.converged and cdnow_fit.n_customers == 2357


@needs_cdnow
def test_published_prediction_for_one_customer(cdnow_fit: BgNbdFit) -> None:
    # FHL (2005) §5: a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make
    # 1.226 purchases in the next 39 weeks.
    expected = cdnow_fit.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)
    assert float(expected[0]) == pytest.approx(1.226, abs=0.001)


def test_log_likelihood_matches_direct_formula() -> None:
    # The compressed, log-sum-exp evaluation equals a naive product formula (eq. 6).
    from scipy.special import beta, gamma

    r, alpha, a, b = 0.5, 3.0, 0.8, 2.0
    x, t_x, big_t = np.array([0, 1, 3, 3]), np.array([0, 2.0, 5.0, 5.0]), np.array([6.0, 7, 9, 9])
    naive = 0.0
    for xi, ti, Ti in zip(x, t_x, big_t, strict=True):
        common = gamma(r + xi) * alpha**r / gamma(r)
        term = beta(a, b + xi) / beta(a, b) * common / (alpha + Ti) ** (r + xi)
        if xi > 0:
            term += beta(a + 1, b + xi - 1) / beta(a, b) * common / (alpha + ti) ** (r + xi)
        naive += np.log(term)
    assert bgnbd_log_likelihood((r, alpha, a, b), x, t_x, big_t) == pytest.approx(naive)


def test_analytic_gradient() -> None:
    sim = simulate_bgnbd(3000, 0.4, 5.0, 0.9, 3.0, day_grid=False, seed=5)
    x = sim.frequency.astype(float)
    data = _Compressed(x, sim.recency, sim.T, np.ones_like(x))
    theta = np.log([0.35, 4.0, 1.1, 2.5])
    _, analytic = data.negative_mean_ll(theta, 3000.0)
    numeric = approx_fprime(theta, lambda t: data.negative_mean_ll(t, 3000.0)[0], 1e-7)
    assert np.allclose(analytic, numeric, atol=1e-5)


def test_recovers_simulated_parameters() -> None:
    truth = (0.5, 6.0, 1.2, 3.5)
    sim = simulate_bgnbd(100_000, *truth, T_max=52.0, day_grid=False, seed=11)
    started = time.perf_counter()
    fit = fit_bgnbd(sim.frequency, sim.recency, sim.T)
    assert time.perf_counter() - started < 20.0
    for value, target in zip((fit.r, fit.alpha, fit.a, fit.b), truth, strict=True):
        assert value == pytest.approx(target, rel=0.1)


def test_predictions_behave() -> None:
    fit = BgNbdFit(0.243, 4.414, 0.793, 2.426, -9582.4, True, 2357)
    # No repeat purchase: alive for sure. Long silence since the last purchase: less alive.
    assert conditional_probability_alive(fit, 0, 0, 30)[0] == 1.0
    alive = conditional_probability_alive(fit, [5, 5, 5], [30, 20, 5], [30, 30, 30])
    assert alive[0] > alive[1] > alive[2] > 0
    expected = fit.conditional_expected_number_of_purchases_up_to_time([10, 20, 40], 3, 20, 30)
    assert np.all(np.diff(expected) > 0) and np.all(expected >= 0)
    heavy = fit.conditional_expected_number_of_purchases_up_to_time([0.0, 39, 200], 500, 38.5, 38.86)
    assert np.all(np.isfinite(heavy)) and heavy[0] == pytest.approx(0.0) and np.all(np.diff(heavy) > 0)
    population = fit.expected_number_of_purchases_up_to_time([0.0, 39.0, 78.0])
    assert population[0] == pytest.approx(0.0) and np.all(np.diff(population) > 0)


@pytest.mark.parametrize(
    ("x", "t_x", "T", "message"),
    [
        ([1, -1], [1, 0], [2, 2], "frequency in row 1"),
        ([1.5], [1], [2], "whole number"),
        ([1], [3], [2], "exceeds T"),
        ([0], [1], [2], "no repeat purchases"),
        ([1], [float("nan")], [2], "recency in row 0"),
        ([], [], [], "zero customers"),
    ],
)
def test_bad_input(x: list, t_x: list, T: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_bgnbd(x, t_x, T)
