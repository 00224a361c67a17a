"""Scale conventions and score validation."""

from __future__ import annotations

import numpy as np
import pytest

from centric.stats import agreement_threshold, nps_category, top_box_threshold
from centric.stats.scales import validated_scores


def test_top_box() -> None:
    assert top_box_threshold(5) == 4
    assert top_box_threshold(7) == 6
    assert top_box_threshold(10, boxes=3) == 8
    assert top_box_threshold(5, boxes=1) == 5
    with pytest.raises(ValueError, match="boxes"):
        top_box_threshold(5, boxes=6)
    with pytest.raises(ValueError, match="greater"):
        top_box_threshold(1)


def test_agreement() -> None:
    assert agreement_threshold(7) == 5
    assert agreement_threshold(5) == 4
    assert agreement_threshold(10, scale_min=0) == 6


def test_nps_category() -> None:
    assert [nps_category(s) for s in (0, 6, 7, 8, 9, 10)] == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter"]
    with pytest.raises(ValueError):
        nps_category(11)


def test_validation_messages() -> None:
    assert validated_scores(np.array([1, 2]), scale_min=1, scale_max=5).tolist() == [1.0, 2.0]
    assert validated_scores(["3", 4.0], scale_min=1, scale_max=5).tolist() == [3.0, 4.0]
    with pytest.raises(ValueError, match="position 2 is not a number: 'abc'"):
        validated_scores([1, 2, "abc"], scale_min=1, scale_max=5)
    with pytest.raises(ValueError, match="position 0"):
        validated_scores([True], scale_min=0, scale_max=1)
    assert validated_scores([2.5], scale_min=1, scale_max=5, integer=False).tolist() == [2.5]
