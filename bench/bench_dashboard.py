"""Time to render the overview dashboard on a demo company (default 100k customers).

    .venv/bin/python bench/bench_dashboard.py [--customers 100000] [--database-url URL] [--repeat 5]

Builds the demo company in a temporary SQLite file (or the given database, which must be
empty), logs in through the real login form and times ``GET /`` end to end in-process
(routing, SQL aggregates, statistics, template), then each metric query on its own.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from centric.accounts.schemas import UserCreate
from centric.accounts.service import create_user
from centric.config import Settings
from centric.db import Database
from centric.demo import generate_demo
from centric.insights.service import metric
from centric.store import upgrade
from centric.web.app import create_app

PASSWORD = "bench-password-1"


def _timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="centric-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    db = Database(url)
    upgrade(db)
    start = time.perf_counter()
    summary = generate_demo(db, customers=args.customers)
    print(f"demo with {args.customers:,} customers generated in {time.perf_counter() - start:.1f} s on {db.dialect}")
    print(f"  {summary}")
    with db.transaction() as session:
        create_user(session, UserCreate(email="bench@example.com", password=PASSWORD, role="admin"))
    app = create_app(Settings(database_url=url), db)
    with TestClient(app) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"email": "bench@example.com", "password": PASSWORD, "csrf": token})
        first = _timed(lambda: client.get("/").raise_for_status(), 1)[0]
        warm = _timed(lambda: client.get("/").raise_for_status(), args.repeat)
        pages = {p: _timed(lambda p=p: client.get(p).raise_for_status(), args.repeat)
                 for p in ("/touchpoints", "/customers", "/customers/1")}
    print(f"\nGET /  (overview dashboard) on {db.dialect}: first {first * 1000:.0f} ms, "
          f"median of {args.repeat} {statistics.median(warm) * 1000:.0f} ms")
    for path, times in pages.items():
        print(f"GET {path:<14} median {statistics.median(times) * 1000:.0f} ms")
    print("\nmetric queries (one SQL aggregate each):")
    with db.reader() as session:
        for kind in ("nps", "csat", "ces"):
            for by in ("none", "month", "touchpoint", "segment"):
                times = _timed(lambda k=kind, b=by: metric(session, k, b), args.repeat)
                print(f"  {kind:<4} by {by:<10} median {statistics.median(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
