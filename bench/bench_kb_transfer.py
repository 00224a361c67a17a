"""Knowledge-base import, export and help-centre search: how fast on this machine.

    .venv/bin/python bench/bench_kb_transfer.py [--copies 20] [--json]

Entries are built from CLINC150 (``shared/data/faq/clinc150/data_full.json``): per intent
of the *train* split one FAQ entry — the first utterance as its title, the next ten as its
question variants, a 600-character Markdown body — repeated ``--copies`` times under other
slugs (150 × 20 = 3,000 entries). In a fresh SQLite database:

* import of the CSV (every entry created, with its variants and first version),
* the same file again (every entry compared, none changed: the idempotent re-import),
* export of everything as JSON,
* help-centre search (:func:`centric.kb.search.search`): the cold index build, then 500
  *test* utterances as queries against the warm index, p50/p95.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from centric.db import Database
from centric.kb.formats import read_csv, to_csv, to_json
from centric.kb.schemas import ArticleDoc, KbDocument
from centric.kb.search import search
from centric.kb.transfer import export_document, import_source
from centric.store import upgrade

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "faq" / "clinc150" / "data_full.json"
BODY = ("**{title}**\n\nHere is what to do: open the app, choose *Account*, then follow the steps below.\n\n"
        "1. Check the details shown.\n2. Confirm with your PIN.\n3. Keep the receipt.\n\n"
        "If something looks wrong, [write to us](mailto:help@example.com) or see [our policies](/help/a/policies). "
        "Opening hours are 8:00-20:00 on weekdays; at weekends we answer within a day. ") * 2


def _document(copies: int) -> tuple[KbDocument, list[str]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        by_intent.setdefault(intent, []).append(text)
    articles = [ArticleDoc(slug=f"{intent.replace('_', '-')}-{n}", group=f"{intent.replace('_', '-')}-{n}", kind="faq",
                           language="en", category=None, title=texts[0], body=BODY.format(title=texts[0]),
                           variants=texts[1:11], status="published")
                for n in range(copies) for intent, texts in sorted(by_intent.items())]
    queries = [text for text, intent in data["test"]]
    random.Random(7).shuffle(queries)
    return KbDocument(articles=articles), queries[:500]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    document, queries = _document(args.copies)
    csv_bytes = to_csv(document).encode()
    figures: dict[str, float] = {"entries": len(document.articles), "csv_bytes": len(csv_bytes)}
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/bench.db")
        upgrade(db)
        for name in ("import_s", "reimport_s"):
            start = time.perf_counter()
            with db.transaction() as session:
                report = import_source(session, read_csv(csv_bytes, "bench.csv"))
            figures[name] = time.perf_counter() - start
            assert not report.errors, report.errors[:3]
        assert report.unchanged == len(document.articles)
        start = time.perf_counter()
        with db.reader() as session:
            exported = to_json(export_document(session))
        figures["export_s"] = time.perf_counter() - start
        figures["export_bytes"] = len(exported.encode())
        with db.reader() as session:
            start = time.perf_counter()
            search(session, "warm up", "en")
            figures["index_build_s"] = time.perf_counter() - start
            times = []
            for query in queries:
                start = time.perf_counter()
                search(session, query, "en")
                times.append((time.perf_counter() - start) * 1000)
        db.dispose()
    figures["search_p50_ms"] = statistics.median(times)
    figures["search_p95_ms"] = statistics.quantiles(times, n=20)[18]
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    n = figures["entries"]
    print(f"{n:.0f} entries, CSV {figures['csv_bytes'] / 1e6:.1f} MB")
    print(f"import       {figures['import_s']:.1f} s  ({n / figures['import_s']:.0f} entries/s)")
    print(f"re-import    {figures['reimport_s']:.1f} s  ({n / figures['reimport_s']:.0f} entries/s, all unchanged)")
    print(f"export JSON  {figures['export_s']:.2f} s  ({figures['export_bytes'] / 1e6:.1f} MB)")
    print(f"search       index build {figures['index_build_s']:.2f} s; "
          f"query p50 {figures['search_p50_ms']:.1f} ms, p95 {figures['search_p95_ms']:.1f} ms (500 queries)")


if __name__ == "__main__":
    main()
