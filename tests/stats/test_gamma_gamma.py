"""Gamma-Gamma: CDNOW reproduction, recovery from simulation, predictions, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from centric.stats import GammaGammaFit, conditional_expected_average_profit, fit_gamma_gamma
from tests.stats import cdnow
from tests.stats.simulate import simulate_bgnbd

needs_cdnow = pytest.mark.skipif(not cdnow.available(), reason="CDNOW data not found")


@needs_cdnow
def test_reproduces_published_cdnow_fit() -> None:
    # Fader & Hardie (2013): p = 6.25, q = 3.74, γ = 15.44 on the 946 repeat customers.
    s = cdnow.summary_with_transactions()
    fit = fit_gamma_gamma(s["x"], s["zbar"])
    assert fit.n_customers == 946
    assert fit.p == pytest.approx(6.25, abs=0.01)
    assert fit.q == pytest.approx(3.74, abs=0.01)
    assert fit.gamma == pytest.approx(15.44, abs=0.01)


def test_recovers_simulated_parameters() -> None:
    sim = simulate_bgnbd(60_000, 0.5, 6.0, 1.2, 3.5, p=5.0, q=3.0, gamma=20.0, seed=2)
    fit = fit_gamma_gamma(sim.frequency, sim.monetary_value)
    assert fit.p == pytest.approx(5.0, rel=0.1)
    assert fit.q == pytest.approx(3.0, rel=0.1)
    assert fit.gamma == pytest.approx(20.0, rel=0.15)


def test_conditional_expectation_by_hand() -> None:
    fit = GammaGammaFit(p=6.0, q=4.0, gamma=15.0, log_likelihood=0.0, converged=True, n_customers=1)
    # Population mean pγ/(q − 1) = 30; x = 2, z̄ = 20: 6(15 + 40)/(12 + 3) = 22.
    assert fit.population_mean == pytest.approx(30.0)
    assert conditional_expected_average_profit(fit, [0, 2], [0.0, 20.0]).tolist() == pytest.approx([30.0, 22.0])
    heavy = GammaGammaFit(1.0, 0.9, 1.0, 0.0, True, 1)
    assert heavy.population_mean is None
    with pytest.raises(ValueError, match="q <= 1"):
        heavy.conditional_expected_average_profit([0], [0.0])


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one customer"):
        fit_gamma_gamma([0, 0], [0.0, 0.0])
    with pytest.raises(ValueError, match="row 1 must be > 0"):
        fit_gamma_gamma([0, 2, 3], [0.0, 0.0, 5.0])
    with pytest.raises(ValueError, match="monetary value in row 0"):
        fit_gamma_gamma([1], [-5.0])
    with pytest.raises(ValueError, match="numeric"):
        fit_gamma_gamma(["a"], [1.0])


def test_zero_repeat_customers_are_ignored_by_the_fit() -> None:
    sim = simulate_bgnbd(5000, 0.5, 6.0, 1.2, 3.5, seed=4)
    with_zeros = fit_gamma_gamma(sim.frequency, sim.monetary_value)
    repeat = sim.frequency > 0
    without = fit_gamma_gamma(sim.frequency[repeat], sim.monetary_value[repeat])
    assert with_zeros.p == pytest.approx(without.p) and with_zeros.n_customers == int(np.sum(repeat))
