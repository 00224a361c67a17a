"""Throughput of importing survey responses through Centric's real import path, beside raw loads.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--backend both] [--database-url URL]
        [--demo-customers 0] [--profile]

For each database (default: SQLite in a temporary directory and PostgreSQL in a
temporary database that is dropped afterwards) this

1. creates the survey, touchpoints and 2,000 guests the CSV refers to (``--setup demo``:
   generates the demo company instead, which takes minutes);
2. writes a CSV (once, shared by both databases) of ``--rows`` relationship-NPS responses (external_id, survey, email,
   touchpoint, submitted_at, nps, comment) — two thirds from known guests, one third
   from new e-mail addresses, half with a comment in English or Chinese;
3. loads the same CSV raw, as the storage's own yardstick: ``sqlite3 FILE ".import --csv"``
   into a plain table of a fresh file, and ``psql -c "\\copy … FROM … CSV HEADER"`` into a
   plain table — no validation, no identities, no indexes;
4. times ``import_rows(db, "responses", read_rows(path, "responses"))`` in a child process
   (the set-based path for CSV responses), reporting its peak RSS (``ru_maxrss``);
5. times the same import again, which must create nothing (idempotency);
6. with ``--demo-customers N``, times ``generate_demo(customers=N)`` into a fresh database.

It prints rows/s of Centric's import, of the raw load and their ratio, with the load
average: the machine may be shared, and the ratio is what compares across machines.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
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
from centric.ingest.records import SourceRow, read_rows
from centric.ingest.service import ImportReport, import_rows
from centric.journeys.schemas import JourneyIn, StageIn, TouchpointIn
from centric.journeys.service import create_journey, create_touchpoint
from centric.store import upgrade
from centric.surveys.schemas import SurveyIn
from centric.surveys.service import create_survey

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
    report = import_rows(db, "responses", read_rows(path, "responses"), filename=path.name)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    if profiler:
        print(f"\n--- cProfile of the import on {db.dialect} (top 25 by cumulative time) ---")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return report, seconds


@dataclass(frozen=True)
class ChildImport:
    report: dict
    seconds: float
    peak_mb: float
    cpu_seconds: float  # of the importing process (start-up included), not of the database server


# The child imports only what an import needs (not this script's demo generator), as `centric import` would.
CHILD = """
import json, resource, sys, time
from centric.db import Database
from centric.ingest.records import SourceRow, read_rows
from centric.journeys.schemas import JourneyIn, StageIn, TouchpointIn
from centric.journeys.service import create_journey, create_touchpoint
from centric.surveys.schemas import SurveyIn
from centric.store import upgrade
from centric.surveys.service import create_survey
from centric.ingest.service import import_rows
db = Database(sys.argv[1])
start = time.perf_counter()
report = import_rows(db, "responses", read_rows(sys.argv[2], "responses"), filename=sys.argv[2])
seconds = time.perf_counter() - start
db.dispose()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"report": {k: v for k, v in report.as_dict().items() if k != "errors"}, "seconds": seconds,
                  "peak_kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}))
"""


def child_import(url: str, path: Path) -> ChildImport:
    """The import run in a fresh process, so that its peak RSS (``ru_maxrss``, KiB) is the import's own."""
    result = subprocess.run([sys.executable, "-c", CHILD, url, str(path)], check=True, capture_output=True, text=True)
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return ChildImport(data["report"], data["seconds"], data["peak_kb"] / 1024, data["cpu"])


def minimal_company(db: Database, guests: int) -> int:
    """The demo company's touchpoints and relationship-NPS survey, and ``guests`` customers with an e-mail:
    what the generated CSV refers to, in seconds rather than the minutes of ``generate_demo``."""
    upgrade(db)
    with db.transaction() as session:
        create_journey(session, JourneyIn(key="stay", name="Hotel stay", stages=[StageIn(key="stay", name="Stay")]))
        for key in TOUCHPOINT_KEYS:
            create_touchpoint(session, TouchpointIn(key=key, name=key, journey="stay", stage="stay"))
        create_survey(session, SurveyIn(key=SURVEY, name="Relationship NPS", kind="nps"))
    rows = [SourceRow(i + 2, {"external_id": f"guest-{i}", "email": f"guest{i}@example.com"}) for i in range(guests)]
    return import_rows(db, "customers", rows).created


def raw_load(db: Database, path: Path, workdir: Path) -> tuple[str, float]:
    """Seconds to load the CSV with the database's own bulk loader, into a plain table."""
    if db.dialect == "sqlite":
        target = workdir / f"raw-{uuid.uuid4().hex[:8]}.db"
        start = time.perf_counter()
        subprocess.run(["sqlite3", str(target), f".import --csv {path} raw"], check=True)
        seconds = time.perf_counter() - start
        target.unlink()
        return "sqlite3 .import", seconds
    with psycopg.connect(db.url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_raw (external_id text, survey text, email text, touchpoint text, "
                     "submitted_at text, nps text, comment text)")
    url = db.url.replace("postgresql+psycopg", "postgresql")
    start = time.perf_counter()
    subprocess.run(["psql", "-q", url, "-c", f"\\copy bench_raw FROM '{path}' WITH (FORMAT csv, HEADER true)"],
                   check=True)
    seconds = time.perf_counter() - start
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_raw")
    return "psql \\copy", seconds


def bench(backend: str, args: argparse.Namespace, workdir: Path) -> list[Measure]:
    measures: list[Measure] = []
    with database(backend, args.database_url, workdir) as db:
        name = db.dialect
        start = time.perf_counter()
        if args.setup == "demo":
            made = generate_demo(db, customers=args.customers).responses
        else:
            made = minimal_company(db, args.customers)
        measures.append(Measure(name, f"{args.setup} company ({args.customers:,} guests)", made,
                                time.perf_counter() - start, "responses generated" if args.setup == "demo"
                                else "customers imported"))
        path = workdir / f"responses-{args.setup}.csv"
        if not path.exists() or args.database_url or args.setup == "demo":  # minimal: the same guests everywhere
            write_csv(db, path, args.rows)
        loader, raw_seconds = raw_load(db, path, workdir)
        measures.append(Measure(name, f"raw load: {loader}", args.rows, raw_seconds, "plain table, no checks"))
        if args.profile:
            report, seconds = timed_import(db, path, True)
            first = ChildImport(report.as_dict(), seconds, 0.0, 0.0)
        else:
            first = child_import(db.url, path)
        raw_rate = args.rows / raw_seconds
        rate = args.rows / first.seconds
        r = first.report
        measures.append(Measure(
            name, f"import {args.rows:,} responses", args.rows, first.seconds,
            f"{rate / raw_rate:.1%} of raw; peak RSS {first.peak_mb:,.0f} MB; {first.cpu_seconds:.1f} s CPU; "
            f"created {r['created']:,}, "
            f"skipped {r['skipped']:,}, failed {r['failed']:,}"))
        again = child_import(db.url, path)
        r = again.report
        measures.append(Measure(name, "same import again", args.rows, again.seconds,
                                f"created {r['created']:,} (idempotent: {r['created'] == 0}), "
                                f"skipped {r['skipped']:,}; peak RSS {again.peak_mb:,.0f} MB"))
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
    print("-" * 130)
    for m in measures:
        rate = m.rows / m.seconds if m.seconds else 0.0
        print(f"{m.backend:<11} {m.step:<34} {m.rows:>10,} {m.seconds:>9.2f} {rate:>9,.0f}  {m.note}")
    print(f"\nload average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="responses in the CSV file")
    parser.add_argument("--customers", type=int, default=2_000, help="guests of the demo company imported into")
    parser.add_argument("--demo-customers", type=int, default=0,
                        help="guests for a generate_demo timing (0: skip; not with --database-url)")
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite and PostgreSQL")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--setup", choices=("minimal", "demo"), default="minimal",
                        help="what the CSV is imported into: touchpoints, survey and guests, or generate_demo")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first import (in process)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="centric-bench-import-"))
    backends = ["given"] if args.database_url else (
        ["sqlite", "postgresql"] if args.backend == "both" else [args.backend])
    measures: list[Measure] = []
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    try:
        for backend in backends:
            measures += bench(backend, args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_table(measures)


if __name__ == "__main__":
    main()
