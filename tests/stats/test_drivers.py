"""Key drivers: relative weights, Shapley R², logistic importance, quadrants."""

from __future__ import annotations

import numpy as np
import pytest

from centric.stats import churn_drivers, ipa_quadrant, key_drivers, relative_weights, shapley_r2
from centric.stats.fitting import ConvergenceError

NAMES = ["price", "speed", "staff", "noise"]


def _survey(n: int = 1500, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    x[:, 1] += 0.5 * x[:, 0]  # correlated drivers, as in real surveys
    y = 0.8 * x[:, 0] + 0.4 * x[:, 1] + 0.2 * x[:, 2] + rng.normal(size=n)
    return x, y


def _ols_r2(x: np.ndarray, y: np.ndarray) -> float:
    design = np.column_stack((np.ones(len(y)), x))
    residual = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1.0 - residual @ residual / np.sum((y - y.mean()) ** 2)


def test_weights_add_up_to_r_squared() -> None:
    x, y = _survey()
    assert relative_weights(x, y).sum() == pytest.approx(_ols_r2(x, y))
    assert shapley_r2(x, y).sum() == pytest.approx(_ols_r2(x, y))


def test_uncorrelated_drivers_get_their_squared_correlation() -> None:
    # With orthogonal drivers both methods reduce to r²(driver, outcome).
    # Centred columns stay centred under QR, so the columns of Q are uncorrelated.
    rng = np.random.default_rng(2)
    raw = rng.normal(size=(200, 3))
    x = np.linalg.qr(raw - raw.mean(axis=0))[0]
    y = x @ np.array([3.0, 1.0, 0.5]) + 0.05 * rng.normal(size=200)
    squared = np.array([np.corrcoef(x[:, j], y)[0, 1] ** 2 for j in range(3)])
    assert relative_weights(x, y) == pytest.approx(squared, rel=1e-6)
    assert shapley_r2(x, y) == pytest.approx(squared, rel=1e-6)


@pytest.mark.parametrize("method", ["relative_weights", "shapley"])
def test_recovers_known_ordering(method: str) -> None:
    x, y = _survey()
    result = key_drivers(x, y, NAMES, method=method, n_boot=100)  # type: ignore[arg-type]
    assert [d.name for d in result.drivers] == ["price", "speed", "staff", "noise"]
    by_name = {d.name: d for d in result.drivers}
    assert by_name["price"].p_value < 0.05 and by_name["staff"].p_value < 0.05  # type: ignore[operator]
    assert by_name["noise"].p_value > 0.05  # type: ignore[operator]
    for d in result.drivers:
        assert d.low <= d.importance <= d.high  # type: ignore[operator]
    assert result.r_squared == pytest.approx(_ols_r2(x, y))


def test_quadrants() -> None:
    assert ipa_quadrant(0.5, 4.5, 0.3, 4.0) == "key strength"
    assert ipa_quadrant(0.5, 3.0, 0.3, 4.0) == "priority to fix"
    assert ipa_quadrant(0.1, 4.5, 0.3, 4.0) == "possible overkill"
    assert ipa_quadrant(0.1, 3.0, 0.3, 4.0) == "low priority"
    x, y = _survey()
    result = key_drivers(x, y, NAMES, performance=[3.0, 4.5, 4.0, 4.9], n_boot=0)
    quadrant = {d.name: d.quadrant for d in result.drivers}
    assert quadrant == {"price": "priority to fix", "speed": "key strength",
                        "staff": "low priority", "noise": "possible overkill"}
    assert all(d.low is None and d.p_value is None for d in result.drivers)


def test_logistic_matches_unpenalised_sklearn() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    x = rng.normal(size=(3000, 3)) * [1.0, 2.0, 0.5]
    logit = -0.5 + 0.9 * x[:, 0] - 0.3 * x[:, 1]
    churned = (rng.random(3000) < 1 / (1 + np.exp(-logit))).astype(int)
    result = churn_drivers(x, churned, ["a", "b", "c"])
    standardised = (x - x.mean(axis=0)) / x.std(axis=0)
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(standardised, churned)
    by_name = {d.name: d.importance for d in result.drivers}
    assert [by_name[k] for k in "abc"] == pytest.approx(reference.coef_[0], abs=1e-4)
    assert [d.name for d in result.drivers][:2] == ["a", "b"]
    assert {d.name: d.p_value for d in result.drivers}["c"] > 0.01  # type: ignore[operator]


def test_perfect_separation_is_reported() -> None:
    x = np.arange(20, dtype=float).reshape(-1, 1)
    with pytest.raises(ConvergenceError):
        churn_drivers(x, (x[:, 0] > 9).astype(int), ["tenure"])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda x, y: (np.column_stack((x, np.ones(len(y)))), y), "no variation"),
        (lambda x, y: (x, np.ones(len(y))), "outcome has no variation"),
        (lambda x, y: (np.column_stack((x, 2 * x[:, 0])), y), "collinear"),
        (lambda x, y: (np.where(np.arange(len(y))[:, None] == 3, np.nan, x), y), "row 3"),
        (lambda x, y: (x[:4], y[:4]), "at least"),
    ],
)
def test_bad_input(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    x, y = _survey(200)
    x, y = mutate(x, y)
    names = [f"d{j}" for j in range(x.shape[1])]
    with pytest.raises(ValueError, match=message):
        key_drivers(x, y, names, n_boot=0)


def test_churn_outcome_must_be_binary() -> None:
    x, y = _survey(100)
    with pytest.raises(ValueError, match="0/1"):
        churn_drivers(x, y, NAMES)
