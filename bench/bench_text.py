"""Benchmark Centric's text analytics against VADER and SnowNLP on held-out splits.

    .venv/bin/python bench/bench_text.py [--data DIR] [--cross-domain] [--full]

Needs the labelled corpora (``../shared/data/text``) and, for the anchors only,
``pip install vaderSentiment snownlp``. Held-out splits come from
:func:`centric.text.corpora.split` and were never used in training. Sentiment is scored
as binary macro-F1 (score >= 0 is positive) for every system on the same texts.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from sklearn.metrics import f1_score, precision_recall_fscore_support

from centric.config import Settings
from centric.text import Taxonomy, analyze_sentiment, corpora, enrich_many
from centric.text.artefact import LinearModel
from centric.text.clean import clean_text
from centric.text.features import segment_features, segments


def _f1(labels: list[int], predicted: list[int]) -> float:
    return float(f1_score(labels, predicted, average="macro"))


def _centric(texts: list[str]) -> list[int]:
    return [1 if r.sentiment.score >= 0 else 0 for r in enrich_many(texts)]


def _vader(texts: list[str]) -> list[int]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return [1 if analyzer.polarity_scores(t)["compound"] >= 0 else 0 for t in texts]


def _snownlp(texts: list[str]) -> list[int]:
    from snownlp import SnowNLP

    return [1 if t.strip() and SnowNLP(t).sentiments >= 0.5 else 0 for t in texts]


def sentiment_rows(root: Path, full: bool) -> list[tuple[str, int, float, str, float]]:
    rows = []
    for name in corpora.UCI_SETS:
        test = corpora.split(corpora.load_uci(name, root), test=True)
        rows.append(
            (
                f"en {name} (held-out)",
                len(test.texts),
                _f1(test.labels, _centric(test.texts)),
                "VADER",
                _f1(test.labels, _vader(test.texts)),
            )
        )
    for name in corpora.ZH_SETS:
        test = corpora.split(corpora.load_zh(name, root), test=True)
        step = 1 if full or len(test.texts) < 5000 else 4  # every 4th row keeps all categories
        texts, labels = test.texts[::step], test.labels[::step]
        rows.append(
            (
                f"zh {name} (held-out)",
                len(texts),
                _f1(labels, _centric(texts)),
                "SnowNLP",
                _f1(labels, _snownlp(texts)),
            )
        )
    return rows


def _score_with(model_en: LinearModel, model_zh: LinearModel, text: str) -> float:
    total = (model_zh if any("\u4e00" <= ch <= "\u9fff" for ch in text) else model_en).intercept
    for seg in segments(clean_text(text).text):
        model = model_zh if seg.language == "zh" else model_en
        total += seg.weight * sum(model.weights.get(f, 0.0) * v for f, v in segment_features(seg))
    return math.tanh(total / 2)


def cross_domain_rows(root: Path, with_chinese: bool) -> list[tuple[str, int, float, str, float]]:
    """Leave one domain out of training entirely, then test on all of that domain."""
    from centric.text import train as training

    rows = []
    base = training.TrainingConfig()
    for name in corpora.UCI_SETS:
        config = training.TrainingConfig(**{**base.__dict__, "exclude": (name,)})
        feats, coef, b = training.fit_language(
            training.english_corpus(root, config), "en", config.c_en, config.min_df_en
        )
        model = LinearModel(dict(zip(feats, coef.tolist(), strict=True)), b)
        data = corpora.load_uci(name, root)
        predicted = [1 if _score_with(model, model, t) >= 0 else 0 for t in data.texts]
        rows.append(
            (
                f"en {name} (unseen domain, all rows)",
                len(data.texts),
                _f1(data.labels, predicted),
                "VADER",
                _f1(data.labels, _vader(data.texts)),
            )
        )
    if with_chinese:
        for name in corpora.ZH_SETS:
            config = training.TrainingConfig(**{**base.__dict__, "exclude": (name,)})
            feats, coef, b = training.fit_language(
                training.chinese_corpus(root, config), "zh", config.c_zh, config.min_df_zh
            )
            model = LinearModel(dict(zip(feats, coef.tolist(), strict=True)), b)
            test = corpora.split(corpora.load_zh(name, root), test=True)
            texts, labels = (
                test.texts[:: 1 if len(test.texts) < 5000 else 4],
                test.labels[:: 1 if len(test.texts) < 5000 else 4],
            )
            predicted = [1 if _score_with(model, model, t) >= 0 else 0 for t in texts]
            rows.append(
                (
                    f"zh {name} (unseen domain, held-out)",
                    len(texts),
                    _f1(labels, predicted),
                    "SnowNLP",
                    _f1(labels, _snownlp(texts)),
                )
            )
    return rows


def theme_rows(root: Path) -> list[tuple[str, int, float, float, float]]:
    rows = []
    train_x, train_y = corpora.load_banking77("train", root)
    test_x, test_y = corpora.load_banking77("test", root)
    rows.append(
        _theme_eval(
            "BANKING77 intents (77)",
            Taxonomy.from_examples("banking77", train_x, train_y),
            test_x,
            test_y,
        )
    )
    shop = corpora.load_zh("online_shopping_10_cats", root)
    train, test = corpora.split(shop, False), corpora.split(shop, True)
    taxonomy = Taxonomy.from_examples("shopping", train.texts, train.categories, language="zh")
    rows.append(
        _theme_eval("shopping categories (10, zh)", taxonomy, test.texts[::4], test.categories[::4])
    )
    return rows


def _theme_eval(
    name: str, taxonomy: Taxonomy, texts: list[str], truth: list[str]
) -> tuple[str, int, float, float, float]:
    predicted = []
    for r in enrich_many(texts, taxonomy):
        hits = [h for h in r.themes if h.source == "example"]
        predicted.append(hits[0].path if hits else "(none)")
    labels = sorted(set(truth))
    p, r, f, _ = precision_recall_fscore_support(
        truth, predicted, labels=labels, average="macro", zero_division=0
    )
    return (name, len(texts), float(p), float(r), float(f))


def throughput(root: Path) -> tuple[int, float, float, float]:
    """Texts per second of wall time and of process CPU time (the machine is shared)."""
    en = [t for n in corpora.UCI_SETS for t in corpora.load_uci(n, root).texts]
    zh = corpora.load_zh("waimai_10k", root).texts[:3000]
    texts = en + zh
    enrich_many(texts[:50])  # load models and compile the taxonomy outside the timing
    wall, cpu = time.perf_counter(), time.process_time()
    enrich_many(texts)
    rate_wall = len(texts) / (time.perf_counter() - wall)
    rate_cpu = len(texts) / (time.process_time() - cpu)
    start = time.process_time()
    for t in texts:
        analyze_sentiment(t)
    rate_sentiment = len(texts) / (time.process_time() - start)
    return len(texts), rate_wall, rate_cpu, rate_sentiment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Settings().text_corpora)
    parser.add_argument(
        "--cross-domain",
        action="store_true",
        help="also retrain without each Chinese domain (slow)",
    )
    parser.add_argument(
        "--full", action="store_true", help="score every held-out Chinese row (SnowNLP is slow)"
    )
    args = parser.parse_args()

    print("Sentiment, binary macro-F1 (same texts for both systems)")
    print(f"{'set':46} {'n':>6} {'Centric':>8} {'anchor':>8} {'anchor F1':>9} {'margin':>7}")
    for name, n, ours, anchor, theirs in sentiment_rows(args.data, args.full) + cross_domain_rows(
        args.data, args.cross_domain
    ):
        print(f"{name:46} {n:6d} {ours:8.3f} {anchor:>8} {theirs:9.3f} {ours - theirs:+7.3f}")
    print("\nTheme assignment (nearest example centroid, top-1), macro over categories")
    print(f"{'set':46} {'n':>6} {'precision':>9} {'recall':>7} {'F1':>6}")
    for name, n, p, r, f in theme_rows(args.data):
        print(f"{name:46} {n:6d} {p:9.3f} {r:7.3f} {f:6.3f}")
    n, rate_wall, rate_cpu, rate_sentiment = throughput(args.data)
    print(
        f"\nThroughput on {n} short texts, one process: enrich_many {rate_wall:,.0f} texts/s wall, "
        f"{rate_cpu:,.0f} texts/s per CPU-second; analyze_sentiment {rate_sentiment:,.0f} texts/s per CPU-second"
    )


if __name__ == "__main__":
    main()
