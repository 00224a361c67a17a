"""DICE scoring (Sirkin, Keenan & Jackson 2005): score, zones at every boundary, bad input."""

from __future__ import annotations

import pytest

from centric.errors import Invalid
from centric.governance.dice import assess, zone


def test_best_and_worst_scores() -> None:
    best = assess(1, 1, 1, 1, 1)
    assert (best.score, best.zone) == (7, "win")
    worst = assess(4, 4, 4, 4, 4)
    assert (worst.score, worst.zone) == (28, "woe")


def test_weights_double_integrity_and_senior_commitment() -> None:
    # D + 2I + 2C1 + C2 + E
    assert assess(2, 1, 1, 1, 1).score == 8
    assert assess(1, 2, 1, 1, 1).score == 9
    assert assess(1, 1, 2, 1, 1).score == 9
    assert assess(1, 1, 1, 2, 1).score == 8
    assert assess(1, 1, 1, 1, 2).score == 8
    assert assess(3, 2, 4, 1, 2).score == 3 + 4 + 8 + 1 + 2


@pytest.mark.parametrize(("score", "expected"), [
    (7, "win"), (14, "win"), (15, "worry"), (17, "worry"), (18, "woe"), (28, "woe")])
def test_zone_boundaries(score: int, expected: str) -> None:
    assert zone(score) == expected


def test_boundaries_reached_through_factors() -> None:
    assert assess(2, 2, 2, 2, 2).score == 14 and assess(2, 2, 2, 2, 2).zone == "win"
    assert assess(3, 2, 2, 2, 2).zone == "worry"  # 15
    assert assess(3, 2, 2, 3, 3).score == 17 and assess(3, 2, 2, 3, 3).zone == "worry"
    assert assess(4, 2, 2, 3, 3).score == 18 and assess(4, 2, 2, 3, 3).zone == "woe"


@pytest.mark.parametrize("bad", [0, 5, -1, 2.5, "x", None, True, float("nan")])
def test_bad_factor_names_the_field(bad: object) -> None:
    with pytest.raises(Invalid) as caught:
        assess(1, bad, 1, 1, 1)
    assert caught.value.field == "integrity"


def test_numeric_strings_are_accepted() -> None:
    assert assess("1", "2", "3", "4", "1").score == 1 + 4 + 6 + 4 + 1


@pytest.mark.parametrize("bad", [6, 29, 0])
def test_zone_rejects_impossible_scores(bad: int) -> None:
    with pytest.raises(Invalid):
        zone(bad)
