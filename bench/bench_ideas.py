"""Duplicate suggestions for ideas: quality on labelled paraphrases, and latency with 10,000 ideas.

    .venv/bin/python bench/bench_ideas.py [--quality-only | --latency-only] [--tune] [--json]

Quality. "Two utterances of the same intent are duplicate ideas", on BANKING77
(``shared/data/text/en_banking77``, 77 intents) and CLINC150 (``shared/data/faq/clinc150``,
150 intents plus out-of-scope utterances). Two protocols, both on the *test* split:

* small: the corpus holds, per intent, one test utterance as an existing idea (plus, for
  CLINC, the 1,000 out-of-scope ``oos_test`` utterances as distractors); every other test
  utterance is a query. A hit at k when the same-intent idea is among the top k.
* large: a corpus of up to 10,000 ideas (every test utterance, then train utterances);
  1,000 test utterances (seeded sample) are queries, the query itself excluded. A hit at k
  when any of the top k ideas has the query's intent.

The third ranker adds the unsupervised semantic space (``retrieval.SemanticSpace``), fitted
only on the *unlabelled* utterances of the train split (BANKING77: train; CLINC: train +
oos_train), never on the test texts and never with labels; in the product it is fitted on the
installation's own ideas and feedback comments.

The baseline is the placeholder that came with the domain: count of shared lower-cased words
longer than two letters. ``--tune`` runs the same protocols on the *train* split (CLINC:
train + oos_train; BANKING77: train) over a grid of settings: the defaults were chosen there.

Latency. 10,000 ideas on 4 boards in a fresh SQLite database (migrated with
``centric.store.upgrade``, bulk inserts); the cold index build, then ``suggest()`` over 500
queries with the index warm: p50/p95/p99.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from centric.text import retrieval  # noqa: E402
from centric.text.retrieval import SemanticSpace, TextIndex  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
BANKING = SHARED / "text" / "en_banking77"
CLINC = SHARED / "faq" / "clinc150" / "data_full.json"
LARGE_CORPUS = 10_000
LARGE_QUERIES = 1_000
OOS = "oos"

Labelled = list[tuple[str, str]]
Ranker = Callable[[list[tuple[int, str]]], Callable[[str, int, int | None], list[int]]]


def banking(split: str) -> Labelled:
    with (BANKING / f"{split}.csv").open(encoding="utf-8") as f:
        return [(row["text"], row["category"]) for row in csv.DictReader(f)]


def clinc(split: str) -> Labelled:
    data = json.loads(CLINC.read_text(encoding="utf-8"))
    return [(text, intent) for text, intent in data[split]]


def clinc_oos(split: str) -> Labelled:
    data = json.loads(CLINC.read_text(encoding="utf-8"))
    return [(text, OOS) for text, _ in data[f"oos_{split}"]]


# ---- rankers: build(corpus of (id, text)) -> rank(query, k, exclude id) -> ids ----

def overlap_ranker(corpus: list[tuple[int, str]]) -> Callable[[str, int, int | None], list[int]]:
    """The placeholder: shared lower-cased words longer than two letters, ties by corpus order."""
    docs = [(i, set(text.lower().split())) for i, text in corpus]

    def rank(query: str, k: int, exclude: int | None) -> list[int]:
        words = {w for w in query.lower().split() if len(w) > 2}
        scored = [(len(words & d), i) for i, d in docs if i != exclude]
        scored = [s for s in scored if s[0]]
        scored.sort(key=lambda s: -s[0])
        return [i for _, i in scored[:k]]

    return rank


def index_ranker(semantic: SemanticSpace | None = None, **options: float) -> Ranker:
    def build(corpus: list[tuple[int, str]]) -> Callable[[str, int, int | None], list[int]]:
        index = TextIndex(corpus, char_weight=float(options.get("char_weight", retrieval.CHAR_WEIGHT)),
                          semantic=semantic,
                          semantic_weight=float(options.get("semantic_weight", retrieval.SEMANTIC_WEIGHT)))

        def rank(query: str, k: int, exclude: int | None) -> list[int]:
            excluded = (exclude,) if exclude is not None else ()
            return [i for i, _ in index.search(query, k, exclude=excluded)]

        return rank

    return build


# ---- protocols ----

def small_protocol(data: Labelled, distractors: Labelled, build: Ranker, seed: int = 13) -> dict[str, float]:
    """One idea per intent (+ distractors); other same-intent utterances are the queries."""
    rng = random.Random(seed)
    by_intent: dict[str, list[str]] = {}
    for text, intent in data:
        by_intent.setdefault(intent, []).append(text)
    corpus: list[tuple[int, str]] = []
    intent_of: dict[int, str] = {}
    queries: list[tuple[str, str]] = []
    for intent in sorted(by_intent):
        texts = list(by_intent[intent])
        rng.shuffle(texts)
        intent_of[len(corpus)] = intent
        corpus.append((len(corpus), texts[0]))
        queries += [(t, intent) for t in texts[1:]]
    for text, _ in distractors:
        intent_of[len(corpus)] = OOS
        corpus.append((len(corpus), text))
    rank = build(corpus)
    top1 = top3 = 0
    for query, intent in queries:
        found = [intent_of[i] for i in rank(query, 3, None)]
        top1 += bool(found[:1] == [intent])
        top3 += intent in found
    return {"queries": len(queries), "corpus": len(corpus), "top1": top1 / len(queries), "top3": top3 / len(queries)}


def large_protocol(primary: Labelled, filler: Labelled, build: Ranker, seed: int = 13) -> dict[str, float]:
    """Up to 10,000 ideas (primary then filler); sampled primary utterances query, themselves excluded."""
    rng = random.Random(seed)
    rows = (list(primary) + list(filler))[:LARGE_CORPUS]
    corpus = [(i, text) for i, (text, _) in enumerate(rows)]
    sample = rng.sample(range(min(len(primary), len(rows))), min(LARGE_QUERIES, len(primary), len(rows)))
    rank = build(corpus)
    top1 = top3 = 0
    for n in sample:
        text, intent = rows[n]
        found = [rows[i][1] for i in rank(text, 3, n)]
        top1 += bool(found[:1] == [intent])
        top3 += intent in found
    return {"queries": len(sample), "corpus": len(corpus), "top1": top1 / len(sample), "top3": top3 / len(sample)}


def quality(split: str, rankers: dict[str, Ranker], semantic: bool = False) -> list[dict[str, object]]:
    """Both protocols on both data sets for each ranker (``split``: "test", or "train" to tune).

    ``semantic`` adds a ranker with a :class:`SemanticSpace` fitted on the unlabelled train texts.
    """
    filler_split = "train" if split == "test" else "val"
    unlabelled = {"banking77": [t for t, _ in banking("train")],
                  "clinc150": [t for t, _ in clinc("train") + clinc_oos("train")]} if semantic else {}
    sets = {
        "banking77": (banking(split), [], banking("train") if split == "test" else []),
        "clinc150": (clinc(split), clinc_oos(split), clinc(filler_split) + clinc_oos(filler_split)),
    }
    out: list[dict[str, object]] = []
    for dataset, (data, distractors, filler) in sets.items():
        per_set = dict(rankers)
        if dataset in unlabelled:
            started = time.perf_counter()
            space = SemanticSpace.fit(unlabelled[dataset])
            print(f"{dataset}: semantic space of {len(space.vocab)} words x {space.dims} fitted on "
                  f"{len(unlabelled[dataset])} unlabelled train texts in {time.perf_counter() - started:.1f} s")
            per_set["bm25 + features + semantic"] = index_ranker(semantic=space)
        for name, build in per_set.items():
            started = time.perf_counter()
            small = small_protocol(data, distractors, build)
            large = large_protocol(data, filler, build)
            out.append({"dataset": dataset, "ranker": name, "small": small, "large": large,
                        "seconds": round(time.perf_counter() - started, 1)})
    return out


def print_quality(rows: Sequence[dict[str, object]], split: str) -> None:
    print(f"Duplicate suggestion quality, {split} split (hit@k: the same-intent idea in the top k)")
    print(f"{'dataset':<10} {'ranker':<27} {'small: ideas':>12} {'queries':>8} {'top1':>6} {'top3':>6}"
          f" {'large: ideas':>13} {'queries':>8} {'top1':>6} {'top3':>6}")
    for row in rows:
        s = row["small"]
        g = row["large"]
        assert isinstance(s, dict) and isinstance(g, dict)
        print(f"{row['dataset']:<10} {row['ranker']:<27} {s['corpus']:>12} {s['queries']:>8} {s['top1']:>6.1%}"
              f" {s['top3']:>6.1%} {g['corpus']:>13} {g['queries']:>8} {g['top1']:>6.1%} {g['top3']:>6.1%}")


# ---- latency ----

def latency(n_ideas: int = LARGE_CORPUS, n_queries: int = 500, n_feedback: int = 50_000) -> dict[str, float]:
    from sqlalchemy import insert, select

    from centric import store
    from centric.db import Database, utcnow
    from centric.feedback.models import Feedback
    from centric.ideas import similar
    from centric.ideas.models import Board, Idea

    texts = [t for t, _ in clinc("train")] + [t for t, _ in banking("train")]
    rng = random.Random(7)
    rng.shuffle(texts)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/ideas.db")
        store.upgrade(db)
        now = utcnow()
        with db.transaction() as session:
            session.execute(insert(Board), [{"key": f"b{i}", "names": {"en": f"Board {i}"}, "descriptions": {},
                                             "position": i, "active": True, "created_at": now} for i in range(4)])
            boards = list(session.scalars(select(Board.id).order_by(Board.id)))
            rows = [{"board_id": boards[i % len(boards)], "title": texts[i % len(texts)][:200],
                     "body": texts[(i * 7 + 3) % len(texts)], "language": "en", "status": "open",
                     "moderation": "approved", "created_at": now, "updated_at": now, "status_changed_at": now}
                    for i in range(n_ideas)]
            session.execute(insert(Idea), rows)
            session.execute(insert(Feedback), [{"source": "bench", "channel": "survey", "external_id": str(i),
                                                "text": texts[(i * 13 + 5) % len(texts)], "occurred_at": now,
                                                "created_at": now, "enrichment": {}} for i in range(n_feedback)])
        queries = [t for t, _ in clinc("test")]
        rng.shuffle(queries)
        queries = queries[:n_queries]
        similar.clear_cache()
        with db.reader() as session:
            started = time.perf_counter()
            similar.suggest(session, "warm up the index")
            cold = time.perf_counter() - started
            times = []
            for n, query in enumerate(queries):
                started = time.perf_counter()
                similar.suggest(session, query, board_id=boards[n % 2] if n % 3 == 0 else None)
                times.append((time.perf_counter() - started) * 1000)
        with db.transaction() as session:  # a new idea: the index is rebuilt, the semantic space reused
            session.add(Idea(board_id=boards[0], title="Rooftop yoga at sunrise"))
        with db.reader() as session:
            started = time.perf_counter()
            similar.suggest(session, "yoga on the rooftop")
            rebuild = time.perf_counter() - started
        db.dispose()
    cuts = statistics.quantiles(times, n=100)
    return {"ideas": n_ideas, "feedback": n_feedback, "queries": len(times), "cold_build_ms": round(cold * 1000, 1),
            "rebuild_after_new_idea_ms": round(rebuild * 1000, 1),
            "p50_ms": round(cuts[49], 2), "p95_ms": round(cuts[94], 2), "p99_ms": round(cuts[98], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--latency-only", action="store_true")
    parser.add_argument("--tune", action="store_true", help="run the quality protocols on train data over a grid")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict[str, object] = {}
    if args.tune:
        grid: dict[str, Ranker] = {"word overlap (baseline)": overlap_ranker}
        for k1, b, char in ((1.2, 0.75, 0.0), (1.5, 0.75, 0.0), (0.9, 0.4, 0.0), (1.2, 0.75, 0.3), (1.2, 0.75, 0.5)):
            retrieval.K1, retrieval.B = k1, b
            grid[f"bm25 k1={k1} b={b} c={char}"] = _frozen(k1, b, char)
        rows = quality("train", grid)
        print_quality(rows, "train (tuning)")
        report["tune"] = rows
    if not args.latency_only and not args.tune:
        rows = quality("test", {"word overlap (baseline)": overlap_ranker, "bm25 + features": index_ranker()},
                       semantic=True)
        print("Protocol: " + " ".join(__doc__.split("Quality. ")[1].split("\n\nLatency.")[0].split()))
        print_quality(rows, "test")
        report["quality"] = rows
    if not args.quality_only and not args.tune:
        figures = latency()
        print(f"Latency of suggest() with {figures['ideas']} ideas and {figures['feedback']} feedback texts"
              " in SQLite, warm index, "
              f"{figures['queries']} queries: "
              f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms; "
              f"cold build {figures['cold_build_ms']} ms; rebuild after a new idea "
              f"{figures['rebuild_after_new_idea_ms']} ms")
        report["latency"] = figures
    if args.json:
        print(json.dumps(report, indent=2))


def _frozen(k1: float, b: float, char: float) -> Ranker:
    def build(corpus: list[tuple[int, str]]) -> Callable[[str, int, int | None], list[int]]:
        retrieval.K1, retrieval.B = k1, b
        return index_ranker(char_weight=char)(corpus)

    return build


if __name__ == "__main__":
    main()
