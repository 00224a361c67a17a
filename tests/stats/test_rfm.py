"""RFM quintile scores and segments."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from centric.stats import SEGMENTS, quintile_scores, rfm_segments
from centric.stats.rfm import SEGMENT_GRID


def test_quintiles_of_distinct_values() -> None:
    assert quintile_scores(range(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_scores([10, 20, 30, 40, 50], higher_is_better=False).tolist() == [5, 4, 3, 2, 1]


def test_ties_share_a_score() -> None:
    assert quintile_scores([7, 7, 7]).tolist() == [3, 3, 3]
    scores = quintile_scores([1, 2, 2, 3])
    assert scores[1] == scores[2]


@given(st.lists(st.integers(0, 20), min_size=1, max_size=80), st.randoms())
def test_scores_are_order_free_and_monotone(values: list[int], rnd) -> None:  # type: ignore[no-untyped-def]
    scores = quintile_scores(values)
    assert scores.min() >= 1 and scores.max() <= 5
    order = list(range(len(values)))
    rnd.shuffle(order)
    shuffled = quintile_scores([values[i] for i in order])
    assert shuffled.tolist() == [int(scores[i]) for i in order]
    ranked = sorted(zip(values, scores, strict=True))
    assert all(s1 <= s2 for (_, s1), (_, s2) in zip(ranked, ranked[1:], strict=False))


def test_segments_by_hand() -> None:
    rfm = rfm_segments(recency_days=[1, 300, 5, 100, 200],
                       frequency=[10, 1, 1, 4, 9],
                       monetary=[500, 10, 20, 200, 900])
    # Recency scores (lower days better): 5, 1, 4, 3, 2.
    assert rfm.recency_score.tolist() == [5, 1, 4, 3, 2]
    assert rfm.frequency_score.tolist() == [5, 2, 2, 3, 4]  # the two 1s tie at rank 1.5
    assert rfm.monetary_score.tolist() == [4, 1, 2, 3, 5]
    assert rfm.fm_score.tolist() == [5, 2, 2, 3, 5]  # ⌈(F + M)/2⌉
    assert rfm.segment.tolist() == ["Champions", "Hibernating", "Potential loyalist",
                                    "Need attention", "Can't lose them"]
    assert rfm.codes[0] == "554"
    counts = rfm.segment_counts()
    assert sum(counts.values()) == 5 and list(counts) == list(SEGMENTS)


def test_grid_covers_every_segment() -> None:
    named = {name for row in SEGMENT_GRID.values() for name in row}
    assert named == set(SEGMENTS) and len(SEGMENTS) == 11


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        rfm_segments([1, 2], [1], [1, 2])
    with pytest.raises(ValueError, match="monetary in row 1"):
        rfm_segments([1, 2], [1, 1], [5, -1])
    with pytest.raises(ValueError, match="only numbers"):
        rfm_segments(["x"], [1], [1])
    assert rfm_segments([], [], []).segment.shape == (0,)
    assert np.all(rfm_segments([3, 3], [2, 2], [9, 9]).recency_score == 3)
