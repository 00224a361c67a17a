"""The FAQ bot: answer quality on CLINC150, BANKING77 and a hand-made Chinese set; latency with 10,000 entries.

    .venv/bin/python bench/bench_kb.py [--quality-only | --latency-only] [--datasets clinc150,banking77,zh]
                                       [--entries 10000] [--queries 500] [--json]

Quality. The protocol of :mod:`centric.kb.evaluation` (the same code as ``centric kb evaluate``):
an FAQ entry per intent whose question variants are the intent's training utterances; the test
utterances are the customers' questions; CLINC150's 1,000 out-of-scope test questions (and the
Chinese set's 150) must be abstained on. The abstention threshold and the fusion weights come
from CLINC150's validation split (``val`` + ``oos_val``) or, as for a live knowledge base, from
the entries' own variants held out in turn plus the shipped off-topic questions ("self"); never
from the test questions. Printed beside Larson et al. 2019 (Table 2, "Full") and beside two
baselines measured in the same run: BM25 alone over the question texts, and the nearest question
text by embedding cosine alone (thresholds from the validation split). The ablation rows drop the
lexical or the embedding features from the same engine. ``--sparse 3`` (the default) adds CLINC150
with only three question texts per entry (title and two variants), as a typical hand-written FAQ.

Latency. A synthetic knowledge base of ``--entries`` entries (default 10,000): the 150 CLINC150 and
77 BANKING77 intents as entries of 10 question texts each, then entries made of 2-3 consecutive
utterances of one intent from the remaining CLINC150 train/val and BANKING77 train utterances (so
many entries are near-duplicates, as in a large, untidy base), each with a short templated answer
body. Test utterances are never entries. Measured: the index build (embeddings cached, then the
fit), the self-calibration, and answering ``--queries`` CLINC150 test questions: end to end
(the question embedded live, then scored and decided), and the two parts apart, p50/p95/p99 on
this machine with its load average (the machine is shared: other work inflates the figures,
the encoder's most). ``OPENBLAS_NUM_THREADS=1`` avoids BLAS threads spinning on a busy machine.

Embeddings of the data sets are cached under the system's temporary folder (``centric-embeddings``)
so that reruns do not embed 40,000 texts again.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from centric.kb import evaluation  # noqa: E402
from centric.text import answer_calibration, embeddings  # noqa: E402
from centric.text.answers import AnswerEngine, Entry  # noqa: E402

BODY = ("{title} Our team answers this in the account area under Help; if the steps there do not solve it, "
        "reply to this message and an agent will look at your case within one working day.")


def quality(names: list[str], cache: evaluation.DiskEmbeddings, sparse: int) -> list[evaluation.Evaluation]:
    sets = [evaluation.load(name) for name in names]
    if sparse and "clinc150" in names:
        sets.append(evaluation.with_variants(evaluation.load("clinc150"), sparse))
    out = []
    for dataset in sets:
        result = evaluation.evaluate(dataset, cache, progress=lambda m: print(f"... {m}", flush=True))
        print(evaluation.report(result), end="\n\n", flush=True)
        out.append(result)
    return out


def synthetic_entries(size: int) -> list[Entry]:
    """The synthetic knowledge base of the latency benchmark (see the module docstring)."""
    clinc = evaluation.load("clinc150")
    banking = evaluation.load("banking77")
    entries = [Entry(f"{e.id}", e.title, e.variants[:9], BODY.format(title=e.title))
               for e in clinc.entries + banking.entries]
    pool: list[tuple[str, str]] = []
    for e in clinc.entries + banking.entries:
        pool += [(text, str(e.id)) for text in e.variants[9:]]
    pool += [(text, intent) for text, intent in clinc.calibration]
    pool.sort(key=lambda row: row[1])
    at = 0
    while len(entries) < size and at < len(pool):
        take = 3 if len(entries) % 2 else 2
        group = [text for text, intent in pool[at:at + take] if intent == pool[at][1]]
        at += len(group)
        entries.append(Entry(f"g{len(entries)}", group[0], tuple(group[1:]), BODY.format(title=group[0])))
    return entries


def latency(size: int, n_queries: int, cache: evaluation.DiskEmbeddings) -> dict[str, float]:
    entries = synthetic_entries(size)
    texts = [q for e in entries for q in e.questions()]
    started = time.perf_counter()
    cache(texts + [e.body for e in entries])
    embedded = time.perf_counter() - started
    started = time.perf_counter()
    engine = AnswerEngine.build(entries, cache)
    built = time.perf_counter() - started
    started = time.perf_counter()
    engine = answer_calibration.self_calibrate(engine)
    calibrated = time.perf_counter() - started
    engine = dataclasses.replace(engine, embedder=embeddings.embed)  # questions are embedded live
    questions = [q for q, _ in evaluation.load("clinc150").test]
    random.Random(7).shuffle(questions)
    engine.answer("warm up the encoder")
    total, encode, score = [], [], []
    for question in questions[:n_queries]:
        started = time.perf_counter()
        vector = embeddings.embed([question])
        encoded = time.perf_counter()
        engine.decide(engine.score([question], vector)[0])
        done = time.perf_counter()
        total.append((done - started) * 1000)
        encode.append((encoded - started) * 1000)
        score.append((done - encoded) * 1000)
    figures: dict[str, float] = {
        "entries": len(engine.entries), "question_texts": len(texts), "embeddings_from_cache_s": round(embedded, 1),
        "build_s": round(built, 1), "self_calibration_s": round(calibrated, 1), "queries": len(total),
        "load_average": round(os.getloadavg()[0], 1)}
    for name, times in (("answer", total), ("embedding", encode), ("scoring", score)):
        cuts = statistics.quantiles(times, n=100)
        figures |= {f"{name}_p50_ms": round(cuts[49], 1), f"{name}_p95_ms": round(cuts[94], 1),
                    f"{name}_p99_ms": round(cuts[98], 1)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--latency-only", action="store_true")
    parser.add_argument("--datasets", default=",".join(evaluation.DATASETS))
    parser.add_argument("--sparse", type=int, default=3,
                        help="also CLINC150 with this many question texts per entry (0: not)")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cache = evaluation.DiskEmbeddings()
    report: dict[str, object] = {}
    if not args.latency_only:
        report["quality"] = [dataclasses.asdict(r) for r in quality(args.datasets.split(","), cache, args.sparse)]
    if not args.quality_only:
        figures = latency(args.entries, args.queries, cache)
        print(f"Latency with {figures['entries']} entries ({figures['question_texts']} question texts): build "
              f"{figures['build_s']} s (+ self-calibration {figures['self_calibration_s']} s; embeddings from the "
              f"cache {figures['embeddings_from_cache_s']} s); {figures['queries']} questions (load average "
              f"{figures['load_average']} on {os.cpu_count()} cores):")
        for name in ("answer", "embedding", "scoring"):
            print(f"  {name:<10} p50 {figures[name + '_p50_ms']} ms, p95 {figures[name + '_p95_ms']} ms, "
                  f"p99 {figures[name + '_p99_ms']} ms")
        report["latency"] = figures
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
