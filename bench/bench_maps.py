"""Time the journey map, persona and customer-360 pages on a demo company (default 100k customers).

    .venv/bin/python bench/bench_maps.py [--customers 100000] [--reuse PATH] [--repeat 5]

Builds the demo company in a temporary SQLite file (or reuses one built before with ``--reuse``),
logs in through the real login form as an admin and times each page end to end in-process
(routing, SQL, statistics, template): the first load, which computes the touchpoints' impact on
NPS and churn (cached per process for an hour), then the median of ``--repeat`` loads; the map
also filtered by a persona and with two personas compared. Target: the map under 200 ms.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from centric.accounts.models import User
from centric.accounts.schemas import UserCreate
from centric.accounts.service import create_user
from centric.config import Settings
from centric.db import Database
from centric.demo import generate_demo
from centric.journeys.models import Journey
from centric.web.app import create_app

PASSWORD = "bench-password-1"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dashboard import _timed  # noqa: E402  (the dashboard benchmark's timer)


def _database(args: argparse.Namespace) -> Database:
    if args.reuse and Path(args.reuse).exists():
        return Database(f"sqlite:///{args.reuse}")
    path = args.reuse or str(Path(tempfile.mkdtemp(prefix="centric-bench-")) / "bench.db")
    db = Database(f"sqlite:///{path}")
    start = time.perf_counter()
    generate_demo(db, customers=args.customers)
    print(f"demo with {args.customers:,} customers generated in {time.perf_counter() - start:.1f} s ({path})")
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--reuse", help="a demo database file to reuse (built there when missing)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = _database(args)
    with db.transaction() as session:
        if session.scalar(select(User.id).where(User.email == "bench@example.com")) is None:
            create_user(session, UserCreate(email="bench@example.com", password=PASSWORD, role="admin"))
        stay = session.scalar(select(Journey.id).where(Journey.key == "stay"))
    app = create_app(Settings(database_url=db.url, job_workers=0), db)
    pages = (f"/journeys/{stay}/map", f"/journeys/{stay}/map?segment=business",
             f"/journeys/{stay}/map?segment=business&compare=family", f"/journeys/{stay}/map.svg",
             f"/journeys/{stay}/analytics", "/personas", "/personas/business", "/customers/1")
    with TestClient(app) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert token is not None
        client.post("/login", data={"email": "bench@example.com", "password": PASSWORD, "csrf": token.group(1)})
        print(f"\npages on {db.dialect} (first load, then the median of {args.repeat}):")
        for path in pages:
            first = _timed(lambda p=path: client.get(p).raise_for_status(), 1)[0]
            warm = _timed(lambda p=path: client.get(p).raise_for_status(), args.repeat)
            print(f"  GET {path:<58} first {first * 1000:7.0f} ms   median {statistics.median(warm) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
