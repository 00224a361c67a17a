"""The missing-answers grouping: agreement with hand-made groups, and its wall time.

    .venv/bin/python bench/bench_missing.py [--sizes 100,500,1000]

1. Adjusted Rand index (Hubert & Arabie 1985) of :func:`centric.text.question_groups.group_questions`
   on the development set bench/data/missing_questions_dev.json (the set its thresholds were
   chosen on, so an optimistic figure), beside plain theme discovery alone (every question
   it leaves out counted as its own group).
2. Wall time for n questions (the development set's questions repeated with a numbered
   suffix, so every text differs), after the embedding model and jieba are loaded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from centric.text.discovery import discover_themes  # noqa: E402
from centric.text.embeddings import embed  # noqa: E402
from centric.text.question_groups import group_questions  # noqa: E402

DEV = REPO / "bench" / "data" / "missing_questions_dev.json"


def _assignment(n: int, groups: list[tuple[int, ...]]) -> list[int]:
    labels = list(range(n, 2 * n))  # not grouped: its own group
    for k, members in enumerate(groups):
        for i in members:
            labels[i] = k
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,1000")
    args = parser.parse_args()
    questions = json.loads(DEV.read_text(encoding="utf-8"))["questions"]
    texts, topics = [q["text"] for q in questions], [q["topic"] for q in questions]
    start = time.perf_counter()
    embed(["warm up"])
    group_questions(texts[:12] + [q for q in texts if not q.isascii()][:12])
    print(f"loading the embedding model and jieba: {time.perf_counter() - start:.1f} s")
    grouped = group_questions(texts)
    discovered = discover_themes(texts, min_size=2, max_themes=max(2, len(texts) // 4))
    print(f"development set: {len(texts)} questions, {len(set(topics))} needs")
    ours = adjusted_rand_score(topics, _assignment(len(texts), [g.members for g in grouped]))
    alone = adjusted_rand_score(topics, _assignment(len(texts), [t.members for t in discovered]))
    print(f"  adjusted Rand index, grouping:        {ours:.3f} ({len(grouped)} groups)")
    print(f"  adjusted Rand index, discovery alone: {alone:.3f} ({len(discovered)} clusters)")
    for n in (int(x) for x in args.sizes.split(",")):
        many = [f"{texts[i % len(texts)]} {i // len(texts)}" for i in range(n)]
        start = time.perf_counter()
        groups = group_questions(many)
        print(f"  {n:>5} questions: {time.perf_counter() - start:6.2f} s, {len(groups)} groups")


if __name__ == "__main__":
    main()
