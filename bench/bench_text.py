"""Benchmark Centric's text analytics against VADER and SnowNLP on held-out splits.

    .venv/bin/python bench/bench_text.py [--data DIR] [--cross-domain] [--full] [--quick] [--mixed-only]

Needs the labelled corpora (``../shared/data/text``) and, for the anchors only,
``pip install vaderSentiment snownlp``. Held-out splits come from
:func:`centric.text.corpora.split` and were never used in training.

1. Three-class sentiment on service language, every system on the same texts: Centric fast,
   Centric accurate, VADER (compound >= 0.05 positive, <= -0.05 negative: Hutto & Gilbert's
   thresholds) and, for Chinese, SnowNLP (>= 0.6 positive, <= 0.4 negative). Sets: Centric's
   held-out service examples, the independent hand-labelled sets of ``tests/data/service_text``
   (their test split: ids not divisible by 3), and TweetEval sentiment's test split. A text
   labelled "mixed" holds a complaint and counts as negative; the mixed flag is reported apart
   (precision and recall against the gold "mixed" texts; ``--mixed-only`` prints just that table).
2. Binary review sentiment (macro-F1, score >= 0 is positive), as before.
3. Theme assignment, and the throughput of both sentiment modes.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from centric.config import Settings
from centric.text import Taxonomy, analyze_many, corpora, enrich_many
from centric.text.clean import clean_text
from centric.text.features import document_features

CLASSES = ("negative", "neutral", "positive")
SERVICE_TEXT = Path("tests/data/service_text")
SERVICE_TEXT_ELSEWHERE = Path("/work/wt-textsets/tests/data/service_text")
#: Published TweetEval sentiment test figure (Barbieri et al. 2020): RoBERTa-base macro-recall.
ROBERTA_TWEETEVAL_MACRO_RECALL = 0.72
#: Published ceiling for airline tweets (issue 16): a fine-tuned RoBERTa's accuracy.
ROBERTA_AIRLINE_ACCURACY = 0.87


def _f1(labels: list[int], predicted: list[int]) -> float:
    return float(f1_score(labels, predicted, average="macro"))


def _centric(texts: list[str], mode: str = "fast") -> list[int]:
    return [1 if r.sentiment.score >= 0 else 0 for r in enrich_many(texts, mode=mode)]


def _vader(texts: list[str]) -> list[int]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return [1 if analyzer.polarity_scores(t)["compound"] >= 0 else 0 for t in texts]


def _snownlp(texts: list[str]) -> list[int]:
    from snownlp import SnowNLP

    return [1 if t.strip() and SnowNLP(t).sentiments >= 0.5 else 0 for t in texts]


@dataclass(frozen=True)
class Scores:
    """Three-class figures of one system on one set."""

    n: int
    macro_f1: float
    accuracy: float
    macro_recall: float
    precision: tuple[float, float, float]
    recall: tuple[float, float, float]
    ece: float | None


def three_class(gold: list[str], predicted: list[str], confidence: list[float] | None = None) -> Scores:
    truth = [("negative" if g == "mixed" else g) for g in gold]
    p, r, f, _ = precision_recall_fscore_support(truth, predicted, labels=list(CLASSES), zero_division=0)
    accuracy = sum(a == b for a, b in zip(truth, predicted, strict=True)) / len(truth)
    return Scores(len(truth), float(np.mean(f)), accuracy, float(np.mean(r)), tuple(float(v) for v in p),
                  tuple(float(v) for v in r),
                  None if confidence is None else ece(truth, predicted, confidence))


def ece(truth: list[str], predicted: list[str], confidence: list[float], bins: int = 10) -> float:
    """Expected calibration error of the label's probability (Naeini et al. 2015; 10 equal-width bins)."""
    conf = np.asarray(confidence)
    correct = np.asarray([a == b for a, b in zip(truth, predicted, strict=True)], dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges, edges[1:], strict=False):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(total)


def _vader3(texts: list[str]) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    out = []
    for t in texts:
        c = analyzer.polarity_scores(t)["compound"]
        out.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
    return out


def _snownlp3(texts: list[str]) -> list[str]:
    from snownlp import SnowNLP

    out = []
    for t in texts:
        s = SnowNLP(t).sentiments if t.strip() else 0.5
        out.append("positive" if s >= 0.6 else "negative" if s <= 0.4 else "neutral")
    return out


@dataclass(frozen=True)
class MixedFlag:
    """The mixed flag against gold "mixed" texts of one set."""

    gold: int
    flagged: int
    caught: int

    @property
    def precision(self) -> float:
        return self.caught / self.flagged if self.flagged else float("nan")

    @property
    def recall(self) -> float:
        return self.caught / self.gold if self.gold else float("nan")


def mixed_flag(flags: list[bool], gold: list[str]) -> MixedFlag | None:
    truth = [g == "mixed" for g in gold]
    if not any(truth):
        return None
    return MixedFlag(sum(truth), sum(flags), sum(f and t for f, t in zip(flags, truth, strict=True)))


def _centric3(texts: list[str], mode: str) -> tuple[list[str], list[float], list[bool]]:
    results = analyze_many(texts, mode=mode)
    return [r.label for r in results], [r.confidence for r in results], [r.mixed for r in results]


def service_sets(root: Path, quick: bool = False) -> list[tuple[str, str, list[str], list[str]]]:
    """(name, language, texts, gold labels) of the service-language and tweet sets."""
    sets = []
    for lang in ("en", "zh"):
        held = corpora.load_service(lang, test=True)
        sets.append((f"{lang} Centric service, held-out", lang, [r.text for r in held], [r.label for r in held]))
    air = [r for r in corpora.load_service("en", test=True) if r.domain == "air"]
    sets.append(("en Centric service, held-out, airline", "en", [r.text for r in air], [r.label for r in air]))
    folder = SERVICE_TEXT if SERVICE_TEXT.is_dir() else SERVICE_TEXT_ELSEWHERE
    for lang in ("en", "zh"):
        path = folder / f"{lang}.jsonl"
        if path.is_file():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            test = [r for r in rows if int(str(r["id"]).rsplit("-", 1)[-1]) % 3 != 0]
            sets.append((f"{lang} service_text (independent), test", lang, [r["text"] for r in test],
                         [r["sentiment"] for r in test]))
    if corpora.tweeteval_available(root):
        texts, labels = corpora.load_tweeteval("test", root)
        step = 4 if quick else 1
        sets.append((f"en TweetEval sentiment, test{', every 4th' if quick else ''}", "en", texts[::step],
                     labels[::step]))
    return sets


def three_class_rows(root: Path, quick: bool = False) -> list[tuple[str, str, Scores, MixedFlag | None]]:
    """(set, system, scores, the mixed flag against gold "mixed" texts)."""
    rows = []
    for name, lang, texts, gold in service_sets(root, quick):
        for mode in ("fast", "accurate"):
            labels, confidence, mixed = _centric3(texts, mode)
            rows.append((name, f"Centric {mode}", three_class(gold, labels, confidence), mixed_flag(mixed, gold)))
        anchor = ("VADER", _vader3(texts)) if lang == "en" else ("SnowNLP", _snownlp3(texts))
        rows.append((name, anchor[0], three_class(gold, anchor[1]), None))
    return rows


def mixed_rows(root: Path) -> list[tuple[str, str, MixedFlag]]:
    """(set, system, mixed flag) on the sets holding gold "mixed" texts, without the anchors."""
    rows = []
    for name, _, texts, gold in service_sets(root, quick=True):
        if "mixed" not in gold:
            continue
        for mode in ("fast", "accurate"):
            flag = mixed_flag(_centric3(texts, mode)[2], gold)
            if flag is not None:
                rows.append((name, f"Centric {mode}", flag))
    return rows


def print_mixed(rows: list[tuple[str, str, MixedFlag]]) -> None:
    print("Mixed flag against gold 'mixed' texts (thresholds: centric.text.sentiment.MIXED_POLARITY)")
    print(f"{'set':42} {'system':16} {'gold':>5} {'flagged':>7} {'caught':>6} {'P':>6} {'R':>6}")
    for name, system, m in rows:
        print(f"{name:42} {system:16} {m.gold:5d} {m.flagged:7d} {m.caught:6d} {m.precision:6.2f} {m.recall:6.2f}")


def print_three_class(rows: list[tuple[str, str, Scores, MixedFlag | None]]) -> None:
    print("Sentiment, three classes (negative / neutral / positive; gold 'mixed' counts as negative)")
    print(f"{'set':42} {'system':16} {'n':>6} {'mF1':>6} {'acc':>6} {'mRec':>6} {'P neg':>6} {'R neg':>6} "
          f"{'P neu':>6} {'R neu':>6} {'P pos':>6} {'R pos':>6} {'ECE':>6} {'mixP':>6} {'mixR':>6}")
    for name, system, s, mixed in rows:
        ece_cell = f"{s.ece:6.3f}" if s.ece is not None else f"{'':>6}"
        mixed_cell = f"{mixed.precision:6.2f} {mixed.recall:6.2f}" if mixed is not None else f"{'':>6} {'':>6}"
        print(f"{name:42} {system:16} {s.n:6d} {s.macro_f1:6.3f} {s.accuracy:6.3f} {s.macro_recall:6.3f} "
              f"{s.precision[0]:6.3f} {s.recall[0]:6.3f} {s.precision[1]:6.3f} {s.recall[1]:6.3f} "
              f"{s.precision[2]:6.3f} {s.recall[2]:6.3f} {ece_cell} {mixed_cell}")
    print(f"  references: RoBERTa-base on TweetEval sentiment test, macro-recall {ROBERTA_TWEETEVAL_MACRO_RECALL:.2f} "
          f"(Barbieri et al. 2020); fine-tuned RoBERTa on airline tweets, accuracy {ROBERTA_AIRLINE_ACCURACY:.2f}")
    for name, system, s, _ in rows:
        if name.endswith("airline") and system == "Centric accurate":
            low, high = _wilson(s.accuracy, s.n)
            print(f"  airline subset, Centric accurate: accuracy {s.accuracy:.3f} (95% CI {low:.2f}-{high:.2f}, "
                  f"n={s.n}), gap to {ROBERTA_AIRLINE_ACCURACY:.2f}: {s.accuracy - ROBERTA_AIRLINE_ACCURACY:+.3f}")
    print("  mixP / mixR: precision / recall of the mixed flag against gold 'mixed' texts")
    print_mixed([(name, system, m) for name, system, _, m in rows if m is not None])


def _wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (Wilson 1927)."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def sentiment_rows(root: Path, full: bool) -> list[tuple[str, int, float, float | None, str, float]]:
    """(set, n, Centric fast, Centric accurate, anchor, anchor) binary macro-F1 on held-out review splits."""
    rows: list[tuple[str, int, float, float | None, str, float]] = []
    for name in corpora.UCI_SETS:
        test = corpora.split(corpora.load_uci(name, root), test=True)
        rows.append((f"en {name} (held-out)", len(test.texts), _f1(test.labels, _centric(test.texts)),
                     _f1(test.labels, _centric(test.texts, "accurate")), "VADER",
                     _f1(test.labels, _vader(test.texts))))
    for name in corpora.ZH_SETS:
        test = corpora.split(corpora.load_zh(name, root), test=True)
        step = 1 if full or len(test.texts) < 5000 else 4  # every 4th row keeps all categories
        texts, labels = test.texts[::step], test.labels[::step]
        rows.append((f"zh {name} (held-out)", len(texts), _f1(labels, _centric(texts)),
                     _f1(labels, _centric(texts, "accurate")), "SnowNLP", _f1(labels, _snownlp(texts))))
    return rows


def _binary_with(
    d_features: list[str], rel: np.ndarray, rel_b: np.ndarray, texts: list[str], language: str
) -> list[int]:
    index = {f: i for i, f in enumerate(d_features)}
    out = []
    for t in texts:
        z = rel_b.copy()
        for f, v in document_features(clean_text(t).text).get(language, {}).items():
            j = index.get(f)
            if j is not None:
                z = z + v * rel[j]
        out.append(1 if z[1] >= z[0] else 0)
    return out


def cross_domain_rows(root: Path, with_chinese: bool) -> list[tuple[str, int, float, float | None, str, float]]:
    """Leave one domain out of the fast model's training entirely, then test on all of that domain."""
    from centric.text import train as training

    rows = []
    base = training.TrainingConfig()
    for name in corpora.UCI_SETS:
        config = training.TrainingConfig(**{**base.__dict__, "exclude": (name,)})
        d = training.design(training.english_corpus(root, config), "en", config.min_df_en)
        rel, rel_b = training.relative(*training.fit_softmax(d.x, d.targets, d.weights, config.c_en))
        data = corpora.load_uci(name, root)
        predicted = _binary_with(d.features, rel, rel_b, data.texts, "en")
        rows.append((f"en {name} (unseen domain, all rows)", len(data.texts), _f1(data.labels, predicted), None,
                     "VADER", _f1(data.labels, _vader(data.texts))))
    if with_chinese:
        for name in corpora.ZH_SETS:
            config = training.TrainingConfig(**{**base.__dict__, "exclude": (name,)})
            d = training.design(training.chinese_corpus(root, config), "zh", config.min_df_zh)
            rel, rel_b = training.relative(*training.fit_softmax(d.x, d.targets, d.weights, config.c_zh))
            test = corpora.split(corpora.load_zh(name, root), test=True)
            texts, labels = test.texts[::4], test.labels[::4]
            predicted = _binary_with(d.features, rel, rel_b, texts, "zh")
            rows.append((f"zh {name} (unseen domain, held-out)", len(texts), _f1(labels, predicted), None,
                         "SnowNLP", _f1(labels, _snownlp(texts))))
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


def _load() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def throughput(root: Path) -> list[tuple[str, int, float, float, str]]:
    """(what, texts, texts/s of wall time, texts/s per CPU-second, load average after it): the machine is
    shared, so both rates and the load."""
    en = [t for n in corpora.UCI_SETS for t in corpora.load_uci(n, root).texts]
    zh = corpora.load_zh("waimai_10k", root).texts[:3000]
    texts = en + zh
    out = []
    for mode in ("fast", "accurate"):
        enrich_many(texts[:50], mode=mode)  # load models, the encoder and the taxonomy outside the timing
        wall, cpu = time.perf_counter(), time.process_time()
        enrich_many(texts, mode=mode)
        out.append((f"enrich_many, {mode}", len(texts), len(texts) / (time.perf_counter() - wall),
                    len(texts) / (time.process_time() - cpu), _load()))
        wall, cpu = time.perf_counter(), time.process_time()
        analyze_many(texts, mode=mode)
        out.append((f"sentiment only (analyze_many), {mode}", len(texts), len(texts) / (time.perf_counter() - wall),
                    len(texts) / (time.process_time() - cpu), _load()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Settings().text_corpora)
    parser.add_argument(
        "--cross-domain",
        action="store_true",
        help="also retrain without each English and Chinese domain (slow)",
    )
    parser.add_argument(
        "--full", action="store_true", help="score every held-out Chinese row (SnowNLP is slow)"
    )
    parser.add_argument("--skip-service", action="store_true", help="skip the three-class service-language tables")
    parser.add_argument("--quick", action="store_true",
                        help="every 4th TweetEval test tweet, no theme tables (for a busy machine)")
    parser.add_argument("--mixed-only", action="store_true", help="only the mixed-flag table (seconds)")
    args = parser.parse_args()
    print(f"load average at start: {_load()} (2-core machine shared with other sessions)\n")
    if args.mixed_only:
        print_mixed(mixed_rows(args.data))
        print(f"load average at the end: {_load()}")
        return

    if not args.skip_service:
        print_three_class(three_class_rows(args.data, args.quick))
        print()
    print("Sentiment on reviews, binary macro-F1 (score >= 0 is positive; same texts for every system)")
    print(f"{'set':46} {'n':>6} {'fast':>8} {'accurate':>8} {'anchor':>8} {'anchor F1':>9} {'margin':>7}")
    cross = cross_domain_rows(args.data, True) if args.cross_domain else []
    for name, n, ours, accurate, anchor, theirs in sentiment_rows(args.data, args.full) + cross:
        acc_cell = f"{accurate:8.3f}" if accurate is not None else f"{'':>8}"
        print(f"{name:46} {n:6d} {ours:8.3f} {acc_cell} {anchor:>8} {theirs:9.3f} {ours - theirs:+7.3f}")
    if not args.quick:
        print("\nTheme assignment (nearest example centroid, top-1), macro over categories")
        print(f"{'set':46} {'n':>6} {'precision':>9} {'recall':>7} {'F1':>6}")
        for name, n, p, r, f in theme_rows(args.data):
            print(f"{name:46} {n:6d} {p:9.3f} {r:7.3f} {f:6.3f}")
    print("\nThroughput, one process, short texts (3,000 UCI sentences + 3,000 waimai reviews)")
    for what, n, wall, cpu, load in throughput(args.data):
        print(f"{what:42} {n:6d} texts {wall:9,.0f} texts/s wall {cpu:9,.0f} texts/s per CPU-second  load {load}")


if __name__ == "__main__":
    main()
