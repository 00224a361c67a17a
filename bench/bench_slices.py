"""Every metric slice from rollups, beside a naive GROUP BY over the raw answers, in one run.

    .venv/bin/python bench/bench_slices.py [--responses 200000] [--database-url URL] [--repeat 5]

Builds a database of ``--responses`` responses with ``bench/make_scale_db.py`` (a SQLite
file in a temporary directory unless ``--database-url`` names one; a database that holds
responses already is reused as it is), then times NPS by each slice — touchpoint, stage,
journey, team, channel, survey, month, segment, persona (one persona by month) — as
:func:`centric.insights.metric` answers it from the rollups (median of ``--repeat``) and
as the same statistics aggregated from the answers (``use_rollups=False``: answers joined
to responses, and to memberships for segments), and checks that both agree. Then the
verbatim search and the customer list, with and without a search word. Prints the load
average beside the figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_scale_db import build  # noqa: E402

from centric.customers.service import list_customers  # noqa: E402
from centric.db import Database  # noqa: E402
from centric.insights.service import MetricFilter, metric  # noqa: E402
from centric.search import COUNT_CAP  # noqa: E402
from centric.surveys.models import Answer, Response  # noqa: E402
from centric.themes.schemas import VerbatimQuery  # noqa: E402
from centric.themes.verbatims import search_verbatims  # noqa: E402

SLICES: list[tuple[str, str, MetricFilter | None]] = [
    ("touchpoint", "touchpoint", None), ("stage", "stage", None), ("journey", "journey", None),
    ("team", "team", None), ("channel", "channel", None), ("survey", "survey", None), ("month", "month", None),
    ("segment", "segment", None), ("persona by month", "month", MetricFilter(segment="persona-1")),
    ("segment x touchpoint", "touchpoint", MetricFilter(segment="vip")),
]


def _median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), result


SEARCHES: list[tuple[str, str, str]] = [
    ("verbatims 'SKU1234' (rare)", "verbatims", "SKU1234"),
    ("verbatims 'breakfast' (common)", "verbatims", "breakfast"),
    ("verbatims 'rude waiter'", "verbatims", "rude waiter"), ("verbatims 'room' (very common)", "verbatims", "room"),
    ("customers (no search)", "customers", ""), ("customers 'guest12345@'", "customers", "guest12345@"),
    ("customers 'okafor' (common)", "customers", "okafor"),
]


def _searches(s: Any, repeat: int) -> None:
    """Each search as pages and the API run it (count up to COUNT_CAP, newest window first) beside an exact count."""
    print(f"\n{'search (first page)':<34} {'page ms':>8} {'exact ms':>9}  matches (page says)")
    for label, kind, words in SEARCHES:
        def run(cap: int | None, kind: str = kind, words: str = words) -> tuple[list[Any], int]:
            if kind == "verbatims":
                return search_verbatims(s, VerbatimQuery(q=words or None), count_cap=cap)
            return list_customers(s, search=words or None, count_cap=cap)
        page_ms, (_rows, shown) = _median_ms(lambda: run(COUNT_CAP), repeat)
        exact_ms, (_rows, total) = _median_ms(lambda: run(None), repeat)
        said = f"more than {COUNT_CAP:,}" if shown > COUNT_CAP else f"{shown:,}"
        print(f"{label:<34} {page_ms:>8.1f} {exact_ms:>9.1f}  {total:,} ({said})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--naive", type=int, default=1, help="runs of each naive GROUP BY (slow at 10 M; 0: none)")
    parser.add_argument("--searches-only", action="store_true", help="skip the slices, time the searches")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='centric-slices-')) / 'scale.db'}"
    db = Database(url)
    try:
        with db.reader() as s:
            stored = s.scalar(select(func.count()).select_from(Response)) or 0
    except Exception:  # a new database: no tables yet
        stored = 0
    if not stored:
        print(f"building {args.responses:,} responses into {url} …", flush=True)
        build(db, args.responses)
    with db.reader() as s:
        responses = s.scalar(select(func.count()).select_from(Response)) or 0
        answers = s.scalar(select(func.count()).select_from(Answer).where(Answer.number.is_not(None))) or 0
    print(f"\n{db.dialect}: {responses:,} responses, {answers:,} rated answers; load {os.getloadavg()}")
    if args.searches_only:
        with db.reader() as s:
            _searches(s, args.repeat)
        return
    print(f"{'NPS by':<22} {'rollups ms':>11} {'raw GROUP BY ms':>16} {'ratio':>7}  groups")
    worst = 0.0
    with db.reader() as s:
        for label, by, where in SLICES:
            fast_ms, fast = _median_ms(lambda by=by, where=where: metric(s, "nps", by, where), args.repeat)  # type: ignore[misc]
            slow_ms, slow = float("nan"), fast
            if args.naive:
                slow_ms, slow = _median_ms(lambda by=by, where=where: metric(s, "nps", by, where, use_rollups=False),  # type: ignore[misc]
                                           args.naive)
            same = "" if fast == slow else "  MISMATCH"
            worst = max(worst, fast_ms)
            print(f"{label:<22} {fast_ms:>11.1f} {slow_ms:>16.1f} {slow_ms / fast_ms:>6.0f}x  {len(fast.rows)}{same}",
                  flush=True)
        print(f"slowest slice from rollups: {worst:.1f} ms; load {os.getloadavg()[0]:.2f}")
        _searches(s, args.repeat)
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
