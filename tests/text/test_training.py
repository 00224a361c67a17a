"""Calibration and decision helpers of the sentiment training (centric.text.train) and its validation split."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score, recall_score

from centric.text import corpora
from centric.text.train import _recall, choose_offsets, fit_temperature, macro_f1, pooled_weights, softmax


def test_dev_and_test_splits_of_the_hand_labelled_sets_partition_them() -> None:
    for language in ("en", "zh"):
        dev = corpora.load_service_text(language, dev=True)
        test = corpora.load_service_text(language, dev=False)
        assert len(dev) >= 100 and len(test) >= 200
        assert not {r.text for r in dev} & {r.text for r in test}
        assert {r.label for r in dev + test} <= {"negative", "neutral", "positive", "mixed"}
    assert corpora.service_text_is_dev("en-0003") and not corpora.service_text_is_dev("zh-0004")


def test_unit_weights_reproduce_the_unweighted_metrics() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 400)
    predicted = np.where(rng.random(400) < 0.7, truth, rng.integers(0, 3, 400))
    ones = np.ones(400)
    assert np.isclose(macro_f1(truth, predicted, ones), f1_score(truth, predicted, average="macro"))
    assert np.isclose(_recall(truth, predicted, 0, ones), recall_score(truth, predicted, labels=[0], average=None)[0])


def test_pooled_weights_give_each_source_half() -> None:
    w = pooled_weights(750, 113)
    assert np.isclose(w[:750].sum(), 0.5) and np.isclose(w[750:].sum(), 0.5)
    assert np.isclose(pooled_weights(40, 0).sum(), 1.0)


def test_offsets_reach_the_negative_recall_on_the_weighted_rows() -> None:
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 600)
    logits = rng.normal(0, 1, (600, 3))
    logits[np.arange(600), truth] += 1.0
    logits[truth == 0, 1] += 0.8  # complaints that look neutral: plain argmax misses many
    probabilities = softmax(logits)
    weights = np.r_[np.full(300, 0.5 / 300), np.full(300, 0.5 / 300)]
    plain = np.argmax(probabilities, axis=1)
    offsets = choose_offsets(probabilities, truth, 0.9, weights)
    chosen = np.argmax(np.log(probabilities) + offsets, axis=1)
    assert _recall(truth, plain, 0, weights) < 0.9 <= _recall(truth, chosen, 0, weights)
    assert offsets[0] > 0 and offsets[1] == 0


def test_temperature_recovers_a_known_scale() -> None:
    rng = np.random.default_rng(7)
    logits = rng.normal(0, 2, (3000, 3))
    truth = np.array([rng.choice(3, p=p) for p in softmax(logits)])
    assert 0.85 <= fit_temperature(logits * 2.0, truth) / 2.0 <= 1.15
