"""Held-out accuracy on the labelled corpora (skipped where ../shared/data/text is absent).

Floors sit well above the anchors measured on the same splits by bench/bench_text.py
(VADER about 0.71-0.74 macro-F1 on the UCI sets, SnowNLP about 0.76-0.81 on the Chinese
reviews), and well below Centric's own figures, so noise cannot flip them.
"""

import pytest
from sklearn.metrics import f1_score

from centric.config import Settings
from centric.text import corpora, enrich_many

CORPORA = Settings().text_corpora
pytestmark = pytest.mark.skipif(not corpora.available(CORPORA), reason="labelled corpora not present")


def _macro_f1(data: corpora.Labelled) -> float:
    results = enrich_many(data.texts)
    predicted = [1 if r.sentiment.score >= 0 else 0 for r in results]
    return f1_score(data.labels, predicted, average="macro")


@pytest.mark.parametrize("name", corpora.UCI_SETS)
def test_english_held_out_macro_f1(name: str) -> None:
    held_out = corpora.split(corpora.load_uci(name, CORPORA), test=True)
    assert len(held_out.texts) > 150
    assert _macro_f1(held_out) >= 0.78  # imdb (long film reviews, n=183) sits at 0.80; VADER 0.73


@pytest.mark.parametrize("name", corpora.ZH_SETS)
def test_chinese_held_out_macro_f1(name: str) -> None:
    held_out = corpora.split(corpora.load_zh(name, CORPORA), test=True)
    sample = corpora.Labelled(name, held_out.texts[:2000], held_out.labels[:2000], [])
    assert _macro_f1(sample) >= 0.85


def test_support_queries_are_mostly_neutral() -> None:
    texts, _ = corpora.load_banking77("test", CORPORA)
    labels = [r.sentiment.label for r in enrich_many(texts[::4])]
    assert labels.count("neutral") / len(labels) >= 0.7
    assert labels.count("positive") / len(labels) <= 0.1


def test_splits_are_disjoint_and_stable() -> None:
    data = corpora.load_uci("yelp", CORPORA)
    train, test = corpora.split(data, False), corpora.split(data, True)
    assert not {corpora.normalised_key(t) for t in train.texts} & {
        corpora.normalised_key(t) for t in test.texts
    }
    assert len(train.texts) + len(test.texts) == len(data.texts)
    assert corpora.is_test(test.texts[0]) and not corpora.is_test(train.texts[0])
