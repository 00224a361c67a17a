"""The CX index's weights from the company's own data (pure statistics)."""

from __future__ import annotations

import numpy as np
import pytest

from centric.stats.cx_index import cx_index, index_weights, top_two_box

NAMES = ("cx_needs", "cx_ease", "cx_enjoy")


def synthetic(n: int, coefficients: tuple[float, float, float], seed: int = 1):
    rng = np.random.default_rng(seed)
    items = rng.integers(1, 6, size=(n, 3)).astype(float)
    score = items @ np.array(coefficients) + rng.normal(0, 1.0, n)
    nps = np.clip(np.round((score - score.min()) / (score.max() - score.min()) * 10), 0, 10)
    return items, nps


def test_weights_recover_the_strongest_item():
    items, nps = synthetic(600, (1.0, 2.0, 1.0))
    w = index_weights(items, nps, NAMES, n_boot=100)
    assert w.estimated and w.n == 600
    assert sum(w.weights) == pytest.approx(1.0)
    ease = w.weights[1]
    assert ease > w.weights[0] and ease > w.weights[2]
    # twice the coefficient on independent items: four times the explained variance → about 2/3 of the weight
    assert ease == pytest.approx(4 / 6, abs=0.08)
    for x, lo, hi in zip(w.weights, w.low, w.high, strict=True):
        assert lo is not None and hi is not None and lo <= x <= hi
    assert "relative weights" in w.method and "600" in w.method


def test_too_few_responses_fall_back_to_equal_weights():
    items, nps = synthetic(60, (1.0, 2.0, 1.0))
    w = index_weights(items, nps, NAMES)
    assert not w.estimated and w.weights == (1 / 3, 1 / 3, 1 / 3) and w.low == (None, None, None)
    assert "equal weights" in w.method and "60" in w.method
    empty = index_weights([], [], NAMES)
    assert not empty.estimated and empty.n == 0


def test_constant_item_falls_back_instead_of_failing():
    items, nps = synthetic(200, (1.0, 1.0, 1.0))
    items[:, 2] = 4.0
    w = index_weights(items, nps, NAMES)
    assert not w.estimated and "no variation" in w.method


def test_index_is_the_weighted_top_two_box():
    items = [[5, 1, 4], [4, 2, 1], [1, 5, 5], [2, 3, 2]]  # top-2-box: 50%, 25%, 50%
    assert top_two_box([5, 4, 1, 2]) == 50.0 and top_two_box([]) is None
    assert cx_index(items, (0.5, 0.25, 0.25)) == pytest.approx(0.5 * 50 + 0.25 * 25 + 0.25 * 50)
    assert cx_index([], (1 / 3, 1 / 3, 1 / 3)) is None
