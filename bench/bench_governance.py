"""Governance and Mirror pages on a demo company: scorecards, CSV export, the board, council, digests, EX reports,
the delivery gap, EX ↔ CX, CX maturity and the CX index.

    .venv/bin/python bench/bench_governance.py [--customers 20000] [--repeat 5] [--reuse PATH]

Generates the demo (its targets, initiatives and built-in effect included) in a temporary
SQLite file, or reuses a demo database, then times in-process through the real app
(routing, queries, statistics, template) as a manager: the company scorecard and each
team lead's, the CSV export, the initiative board (JSON and HTML), an initiative page, the
council agenda, a digest, re-measuring the done initiative's impact (2,000 bootstrap
resamples), and the Mirror's reports (all published through the disclosure rules).
Prints the median and the worst of ``--repeat`` runs of each.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from centric.accounts.models import Team, User
from centric.accounts.service import hash_password
from centric.config import Settings
from centric.db import Database
from centric.demo import generate_demo
from centric.governance import impact
from centric.governance.models import Initiative
from centric.store import upgrade
from centric.web.app import create_app

PASSWORD = "bench-password-1"
MANAGER = "bench.manager@example.com"


def _timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def _login(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    form = {"email": MANAGER, "password": PASSWORD, **({"csrf": token.group(1)} if token else {})}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", type=Path, help="a demo SQLite file to reuse (generated there when missing)")
    args = parser.parse_args()
    path = args.reuse or Path(tempfile.mkdtemp()) / "governance.db"
    url = f"sqlite:///{path}"
    fresh = not path.exists()
    db = Database(url)
    if fresh:
        start = time.perf_counter()
        upgrade(db)
        generate_demo(db, customers=args.customers)
        print(f"demo with {args.customers:,} customers generated in {time.perf_counter() - start:.1f} s")
    with db.transaction() as session:
        if session.scalar(select(User.id).where(User.email == MANAGER)) is None:
            session.add(User(email=MANAGER, name="Bench Manager", password_hash=hash_password(PASSWORD),
                             role="manager"))
        team_ids = list(session.scalars(select(Team.id)))
        done = session.scalars(select(Initiative).where(Initiative.status == "done")).first()
        done_id = done.id if done else None
    app = create_app(Settings(database_url=url, job_workers=0), db)
    with TestClient(app) as client:
        _login(client)

        def get(path: str) -> Callable[[], object]:
            def run() -> object:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code, response.text[:300])
                return response
            return run

        def team_scorecards() -> None:
            for team_id in team_ids:
                get(f"/api/v1/scorecards?team_id={team_id}")()

        def remeasure() -> None:
            with db.transaction() as session:
                initiative = session.get(Initiative, done_id)
                assert initiative is not None
                impact.measure(session, initiative)

        cases: list[tuple[str, Callable[[], object]]] = [
            ("company scorecard (API)", get("/api/v1/scorecards")),
            ("company scorecard (page)", get("/scorecards")),
            (f"all {len(team_ids)} team scorecards (API)", team_scorecards),
            ("scorecard CSV export (company)", get("/api/v1/scorecards/export.csv")),
            ("initiative board (API)", get("/api/v1/initiatives/board")),
            ("initiative board (page)", get("/initiatives")),
            ("council agenda (page)", get("/council")),
            ("council agenda (API)", get("/api/v1/council")),
            ("my digest (API)", get("/api/v1/digests/me")),
            ("targets list (API)", get("/api/v1/targets")),
            ("employee experience (page)", get("/ex")),
            ("employee experience (API)", get("/api/v1/ex/report")),
            ("delivery gap (page)", get("/mirror/gap")),
            ("delivery gap (API)", get("/api/v1/mirror/gap")),
            ("EX <-> CX (page)", get("/mirror/linkage")),
            ("CX maturity (page)", get("/mirror/maturity")),
            ("CX index (API)", get("/api/v1/mirror/cx-index")),
        ]
        if done_id is not None:
            cases += [("initiative page (done)", get(f"/initiatives/{done_id}")),
                      ("re-measure impact (DiD, 2,000 resamples)", remeasure)]
        print(f"{'what':45} {'median ms':>10} {'worst ms':>10}")
        for name, run in cases:
            median, worst = _timed(run, args.repeat)
            print(f"{name:45} {median:10.0f} {worst:10.0f}")
    db.dispose()


if __name__ == "__main__":
    main()
