"""Emotion and effort cues measured, before and after the issue-16 fixes, in one run.

    .venv/bin/python bench/bench_cues.py [--data DIR] [--split test|dev|both] [--tweeteval test|train|val]

"before" is the frozen copy of the rules as they were (``bench/_baseline_cues.py``,
rules-1), "after" the current :mod:`centric.text.cues`. Both run on the same texts.

* **TweetEval emotion** (Barbieri et al. 2020; SemEval-2018 Task 1, Mohammad et al.
  2018): 4 classes. Mapping to Centric's emotion names: anger ← {anger, frustration},
  joy ← {delight, gratitude}, sadness ← {disappointment, worry} (TweetEval has no fear
  class; its sadness tweets include anxiety, nervousness and panic); optimism has no Centric
  counterpart and is left out of accuracy (its tweets still count as false positives
  when Centric calls them anger, joy or sadness). A tweet's predicted class is the
  mapped class with the largest summed intensity; a tweet with no mapped emotion is a
  miss. Reference: RoBERTa-base fine-tuned on the 3,257 training tweets reaches
  macro-F1 ≈ 77 over the 4 classes (TweetEval paper, Table 2) — a supervised model,
  where Centric's cues are a lexicon with no training on these tweets. The test split
  is never used for tuning (train/val are, via ``--tweeteval train``).
* **Service-text sets** (``tests/data/service_text/{en,zh}.jsonl``, hand-labelled, see
  docs/labelling-guideline.md): precision/recall per emotion (multi-label) and for the
  high-effort flag. Ids whose number is divisible by 3 form the dev split (used to tune
  the cues); the rest is the test split, reported as the result.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from centric.config import Settings
from centric.text import cues as current
from centric.text.clean import clean_text

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "data" / "service_text"
EMOTIONS = ("anger", "frustration", "confusion", "disappointment", "delight", "gratitude", "worry")
TWEETEVAL_MAP = {"anger": "anger", "frustration": "anger", "delight": "joy", "gratitude": "joy",
                 "disappointment": "sadness", "worry": "sadness"}
MAPPED = ("anger", "joy", "sadness")
ROBERTA_MACRO_F1 = 0.77


def load_baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_baseline_cues", ROOT / "bench" / "_baseline_cues.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


def split_of(item_id: str) -> str:
    """dev when the id's number is divisible by 3, else test (docs/labelling-guideline.md)."""
    return "dev" if int(item_id.split("-")[1]) % 3 == 0 else "test"


def load_service(language: str, split: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (SETS / f"{language}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [r for r in rows if split == "both" or split_of(r["id"]) == split]


def load_tweeteval(data: Path, split: str) -> tuple[list[str], list[str]]:
    folder = data / "en_tweeteval" / "emotion"
    names = dict(line.split("\t") for line in (folder / "mapping.txt").read_text().splitlines() if line.strip())
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [names[x.strip()] for x in (folder / f"{split}_labels.txt").read_text().splitlines() if x.strip()]
    return texts[:len(labels)], labels


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def tweet_class(emotions: Sequence[Any]) -> str:
    """The mapped TweetEval class with the largest summed intensity, or "none"."""
    votes: dict[str, float] = {}
    for e in emotions:
        cls = TWEETEVAL_MAP.get(e.name)
        if cls:
            votes[cls] = votes.get(cls, 0.0) + e.intensity
    return max(votes, key=lambda c: (votes[c], -MAPPED.index(c))) if votes else "none"


def tweeteval_scores(module: ModuleType, texts: list[str], gold: list[str]) -> dict[str, Any]:
    predicted = [tweet_class(module.detect_emotions(clean_text(t).text)) for t in texts]
    pairs = [(g, p) for g, p in zip(gold, predicted, strict=True)]
    on_mapped = [(g, p) for g, p in pairs if g in MAPPED]
    out: dict[str, Any] = {"accuracy": sum(g == p for g, p in on_mapped) / len(on_mapped),
                           "none": sum(p == "none" for _, p in on_mapped) / len(on_mapped)}
    f1s = []
    for cls in MAPPED:
        tp = sum(g == cls and p == cls for g, p in pairs)
        fp = sum(g != cls and p == cls for g, p in pairs)
        fn = sum(g == cls and p != cls for g, p in pairs)
        out[cls] = _prf(tp, fp, fn)
        f1s.append(out[cls][2])
    out["macro_f1"] = sum(f1s) / len(f1s)
    optimism = [p for g, p in pairs if g == "optimism"]
    out["optimism"] = {c: sum(p == c for p in optimism) / max(len(optimism), 1) for c in (*MAPPED, "none")}
    out["n"] = len(on_mapped)
    return out


def service_scores(module: ModuleType, rows: list[dict[str, Any]]) -> dict[str, Any]:
    cleaned = [clean_text(r["text"]).text for r in rows]
    found = [{e.name for e in module.detect_emotions(t)} for t in cleaned]
    high = [module.detect_effort(t).high for t in cleaned]
    out: dict[str, Any] = {}
    totals = [0, 0, 0]
    for name in EMOTIONS:
        tp = sum(name in f and name in r["emotions"] for f, r in zip(found, rows, strict=True))
        fp = sum(name in f and name not in r["emotions"] for f, r in zip(found, rows, strict=True))
        fn = sum(name not in f and name in r["emotions"] for f, r in zip(found, rows, strict=True))
        out[name] = (*_prf(tp, fp, fn), tp + fn)
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
    out["micro"] = (*_prf(*totals), totals[0] + totals[2])
    tp = sum(h and r["high_effort"] for h, r in zip(high, rows, strict=True))
    fp = sum(h and not r["high_effort"] for h, r in zip(high, rows, strict=True))
    fn = sum(not h and r["high_effort"] for h, r in zip(high, rows, strict=True))
    out["high_effort"] = (*_prf(tp, fp, fn), tp + fn)
    out["n"] = len(rows)
    return out


def _throughput(fn: Callable[[str], object], texts: list[str], repeats: int = 3) -> float:
    """Texts per CPU-second of this process, best of ``repeats`` (the machine is shared)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - start)
    return len(texts) / best


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def print_tweeteval(before: dict[str, Any], after: dict[str, Any], split: str) -> None:
    print(f"\n## TweetEval emotion, {split} split: {before['n']} tweets labelled anger/joy/sadness "
          "(optimism has no Centric emotion)")
    print("mapping: anger <- anger|frustration; joy <- delight|gratitude; sadness <- disappointment|worry; "
          "no mapped emotion = miss")
    print(f"| {'measure':<28} | before | after |")
    print(f"| {'-' * 28} | -----: | ----: |")
    print(f"| {'accuracy (3 mapped classes)':<28} | {_pct(before['accuracy'])} | {_pct(after['accuracy'])} |")
    print(f"| {'no mapped emotion found':<28} | {_pct(before['none'])} | {_pct(after['none'])} |")
    print(f"| {'macro-F1 (3 classes)':<28} | {_pct(before['macro_f1'])} | {_pct(after['macro_f1'])} |")
    for cls in MAPPED:
        b, a = before[cls], after[cls]
        print(f"| {cls + ' precision / recall':<28} | {_pct(b[0])} / {_pct(b[1])} | {_pct(a[0])} / {_pct(a[1])} |")
    shares = ", ".join(f"{c} {_pct(after['optimism'][c]).strip()} %" for c in (*MAPPED, "none"))
    print(f"optimism tweets, after: called {shares}")
    print(f"reference: RoBERTa-base fine-tuned on TweetEval train, macro-F1 {100 * ROBERTA_MACRO_F1:.0f} "
          "over 4 classes (supervised; Barbieri et al. 2020)")


def print_service(language: str, split: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    print(f"\n## {language.upper()} service texts, {split} split ({after['n']} items): precision / recall")
    print(f"| {'label':<15} | {'n':>3} | before P / R  | after P / R   |")
    print(f"| {'-' * 15} | --: | ------------- | ------------- |")
    for name in (*EMOTIONS, "micro", "high_effort"):
        b, a = before[name], after[name]
        label = "emotions, micro" if name == "micro" else name
        print(f"| {label:<15} | {a[3]:>3} | {_pct(b[0])} / {_pct(b[1])} | {_pct(a[0])} / {_pct(a[1])} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=None, help="shared text data (default: the settings')")
    parser.add_argument("--split", choices=("test", "dev", "both"), default="test",
                        help="split of the service-text sets (tune on dev, report test)")
    parser.add_argument("--tweeteval", choices=("test", "train", "val"), default="test",
                        help="TweetEval split (tune on train/val only)")
    args = parser.parse_args()
    data = args.data or Settings().text_corpora
    baseline = load_baseline()
    print("# Emotion and effort cues: before (rules-1, bench/_baseline_cues.py) vs after (centric.text.cues)")
    emotion_dir = data / "en_tweeteval" / "emotion"
    if emotion_dir.exists():
        texts, gold = load_tweeteval(data, args.tweeteval)
        print_tweeteval(tweeteval_scores(baseline, texts, gold), tweeteval_scores(current, texts, gold),
                        args.tweeteval)
    else:
        print(f"\n(TweetEval emotion not found under {emotion_dir}; skipped)")
    every: list[str] = []
    for language in ("en", "zh"):
        rows = load_service(language, args.split)
        every.extend(clean_text(r["text"]).text for r in rows)
        print_service(language, args.split, service_scores(baseline, rows), service_scores(current, rows))
    texts = every * max(1, 3000 // max(len(every), 1))
    print()
    for name, module in (("before", baseline), ("after", current)):
        rate = _throughput(lambda t, m=module: (m.detect_emotions(t), m.detect_effort(t)), texts)
        print(f"throughput {name}: {rate:,.0f} texts per CPU-second (emotions + effort, {len(texts)} texts, best of 3)")


if __name__ == "__main__":
    main()
