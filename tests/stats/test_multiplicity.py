"""Holm and Benjamini–Hochberg adjustments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centric.stats import adjust_p_values


def test_holm_by_hand() -> None:
    # Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> running max.
    assert adjust_p_values([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_bh_by_hand() -> None:
    # Sorted times 4/1, 4/2, 4/3, 4/4 = 0.02, 0.02, 0.04, 0.04 -> running min from the top.
    assert adjust_p_values([0.01, 0.04, 0.03, 0.005], "bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_edge_cases() -> None:
    assert adjust_p_values([]) == []
    assert adjust_p_values([0.3]) == [0.3]
    with pytest.raises(ValueError, match="position 1"):
        adjust_p_values([0.1, 1.2])
    with pytest.raises(ValueError, match="position 0"):
        adjust_p_values(["x"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="method"):
        adjust_p_values([0.1], "bonferroni")  # type: ignore[arg-type]


@given(st.lists(st.floats(0, 1), max_size=40))
def test_properties(ps: list[float]) -> None:
    holm, bh = adjust_p_values(ps, "holm"), adjust_p_values(ps, "bh")
    for raw, h, b in zip(ps, holm, bh, strict=True):
        assert raw <= b + 1e-12 and b <= h + 1e-12 and h <= 1.0
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    for adjusted in (holm, bh):
        ranked = [adjusted[i] for i in order]
        assert all(x <= y + 1e-12 for x, y in zip(ranked, ranked[1:], strict=False))
