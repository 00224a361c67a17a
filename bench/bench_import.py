"""Throughput of importing survey responses through Centric's real import path.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--database-url URL]
        [--demo-customers 100000] [--profile]

For each database (default: SQLite in a temporary directory and PostgreSQL in a
temporary database that is dropped afterwards) this

1. generates a small demo company (2,000 guests) so the survey and touchpoints exist;
2. writes a CSV of ``--rows`` relationship-NPS responses (external_id, survey, email,
   touchpoint, submitted_at, nps, comment) — two thirds from known guests, one third
   from new e-mail addresses, half with a comment in English or Chinese;
3. times ``import_rows(db, "responses", read_rows(path, "responses"), batch_size=1000)``;
4. times the same import again, which must create nothing (idempotency);
5. times ``generate_demo(customers=--demo-customers)`` into a fresh database.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import pstats
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import select

from centric.customers.models import Identity
from centric.db import Database
from centric.demo import generate_demo
from centric.demo.comments import CommentWriter
from centric.demo.company import HOTELS, TOUCHPOINT_KEYS
from centric.ingest.records import read_rows
from centric.ingest.service import ImportReport, import_rows

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SURVEY = "relationship-nps"


@dataclass(frozen=True)
class Measure:
    backend: str
    step: str
    rows: int
    seconds: float
    note: str = ""


@contextmanager
def database(backend: str, url: str | None, workdir: Path) -> Iterator[Database]:
    """The given database, a SQLite file in ``workdir``, or a temporary PostgreSQL database."""
    if url:
        db = Database(url)
        yield db
        db.dispose()
        return
    if backend == "sqlite":
        db = Database(f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}")
        yield db
        db.dispose()
        return
    name = f"centric_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
    try:
        yield db
    finally:
        db.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_csv(db: Database, path: Path, rows: int, seed: int = 3) -> None:
    """``rows`` NPS responses: mostly known guests, some new ones, half with a comment."""
    with db.reader() as session:
        emails = sorted(session.scalars(select(Identity.value).where(Identity.kind == "email")))
    chance = random.Random(seed)
    writer = CommentWriter(seed)
    today = date.today()
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["external_id", "survey", "email", "touchpoint", "submitted_at", "nps", "comment"])
        for i in range(rows):
            email = chance.choice(emails) if chance.random() < 2 / 3 else f"bench.guest{i}@example.org"
            score = min(10, max(0, round(chance.gauss(8.0, 2.2))))
            moment = datetime.combine(today, datetime.min.time()) - timedelta(seconds=chance.randint(3600, 365 * 86400))
            comment = ""
            if chance.random() < 0.5:
                tone = "neg" if score <= 6 else "pos" if score >= 9 else "mixed"
                language = "zh" if chance.random() < 0.25 else "en"
                comment = writer.comment(chance.choice(TOUCHPOINT_KEYS), tone, language, chance.choice(HOTELS))
            out.writerow([f"bench-{i:08d}", SURVEY, email, chance.choice(TOUCHPOINT_KEYS),
                          moment.isoformat(timespec="seconds"), score, comment])


def timed_import(db: Database, path: Path, profile: bool) -> tuple[ImportReport, float]:
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    report = import_rows(db, "responses", read_rows(path, "responses"), filename=path.name, batch_size=1000)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    if profiler:
        print(f"\n--- cProfile of the import on {db.dialect} (top 25 by cumulative time) ---")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return report, seconds


def bench(backend: str, args: argparse.Namespace, workdir: Path) -> list[Measure]:
    measures: list[Measure] = []
    with database(backend, args.database_url, workdir) as db:
        name = db.dialect
        start = time.perf_counter()
        summary = generate_demo(db, customers=args.customers)
        measures.append(Measure(name, f"demo company ({args.customers:,} guests)", summary.responses,
                                time.perf_counter() - start, "responses generated"))
        path = workdir / f"responses-{name}.csv"
        write_csv(db, path, args.rows)
        report, seconds = timed_import(db, path, args.profile)
        measures.append(Measure(name, f"import {args.rows:,} responses", report.rows, seconds,
                                f"created {report.created:,}, skipped {report.skipped:,}, failed {report.failed:,}"))
        again, seconds = timed_import(db, path, False)
        note = f"created {again.created:,} (idempotent: {again.created == 0}), skipped {again.skipped:,}"
        measures.append(Measure(name, "same import again", again.rows, seconds, note))
        for error in (report.errors + again.errors)[:5]:
            print(f"  {name}: {error}")
    if args.demo_customers and not args.database_url:
        with database(backend, None, workdir) as db:
            start = time.perf_counter()
            summary = generate_demo(db, customers=args.demo_customers)
            seconds = time.perf_counter() - start
            rows = sum(getattr(summary, f) for f in (
                "customers", "identities", "segment_members", "events", "responses", "answers", "feedback"))
            measures.append(Measure(name, f"demo company ({args.demo_customers:,} guests)", rows, seconds,
                                    "rows written"))
            print(f"\n{name}: {summary}")
    return measures


def print_table(measures: list[Measure]) -> None:
    print(f"\n{'database':<11} {'step':<34} {'rows':>10} {'seconds':>9} {'rows/s':>9}  note")
    print("-" * 110)
    for m in measures:
        rate = m.rows / m.seconds if m.seconds else 0.0
        print(f"{m.backend:<11} {m.step:<34} {m.rows:>10,} {m.seconds:>9.2f} {rate:>9,.0f}  {m.note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="responses in the CSV file")
    parser.add_argument("--customers", type=int, default=2_000, help="guests of the demo company imported into")
    parser.add_argument("--demo-customers", type=int, default=100_000,
                        help="guests for the generate_demo timing (0: skip; not with --database-url)")
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite and PostgreSQL")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first import")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="centric-bench-import-"))
    backends = ["given"] if args.database_url else (
        ["sqlite", "postgresql"] if args.backend == "both" else [args.backend])
    measures: list[Measure] = []
    try:
        for backend in backends:
            measures += bench(backend, args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_table(measures)
    slow = [m for m in measures if m.step.startswith("import") and m.rows / m.seconds < 1_000]
    if slow:
        print("\nimport slower than 1,000 rows/s — run with --profile to see where the time goes")


if __name__ == "__main__":
    main()
