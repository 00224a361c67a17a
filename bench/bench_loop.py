"""The agent inbox and the loop KPIs on a demo with 100,000 cases (target: each < 200 ms).

    .venv/bin/python bench/bench_loop.py [--cases 100000] [--database-url URL] [--repeat 7]

Builds a small demo company (its structure, staff, rules and SLA policies) in a temporary
SQLite file or the given empty database (kept as it is when ``--reuse PATH`` or
``--database-url`` already holds cases), then writes ``--cases`` simulated cases in
every state, cycling through the demo's detractors. Times, in-process through the real
app (routing, queries, template): the inbox tabs of an agent and of a manager as JSON and
HTML, a case page, the workload page, and the KPI API and page.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from centric.accounts.models import User
from centric.accounts.service import hash_password
from centric.config import Settings
from centric.db import Database, utcnow
from centric.demo import generate_demo
from centric.demo.loop import Staff, policy_calendars, simulate_cases, triggers, write
from centric.journeys.models import Touchpoint
from centric.loop.models import AlertRule, Case, CaseActivity, RootCause, SlaPolicy
from centric.store import upgrade
from centric.web.app import create_app

PASSWORD = "bench-password-1"


def _fill(db: Database, cases: int) -> None:
    end = datetime.combine(utcnow().date(), clock())
    with db.transaction() as session:
        staff_rows = session.execute(select(User.id, User.team_id, User.role).where(User.team_id.is_not(None))).all()
        members: dict[int, list[int]] = {}
        leads: dict[int, int] = {}
        for user_id, team_id, role in staff_rows:
            members.setdefault(team_id, []).append(user_id)
            if role == "manager":
                leads[team_id] = user_id
        staff = Staff({}, members, leads)
        rules = {r.condition["all"][0]["field"]: r.id for r in session.scalars(select(AlertRule))
                 if r.applies_to == "response"}
        sources = triggers(session, end - timedelta(days=540), end)
        team_of = {tp: team for tp, team in session.execute(select(Touchpoint.id, Touchpoint.owner_team_id)) if team}
        leaves = list(session.scalars(select(RootCause.id).where(RootCause.parent_id.is_not(None))))
        policies = list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.position)))
        first_id = (session.scalar(select(func.max(Case.id))) or 0) + 1
        rows = simulate_cases(np.random.default_rng(3), sources, cases, end, staff, rules, leaves, policies, team_of,
                              first_id, policy_calendars(session, policies))
        write(session, Case.__table__, rows.cases)
        write(session, CaseActivity.__table__, rows.activities)
        if db.dialect == "postgresql":
            for table in ("case_record", "case_activity"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
    if db.dialect == "postgresql":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")


def _holds_cases(db: Database, reuse: Path | str | None) -> bool:
    """True when ``--reuse`` or ``--database-url`` names an already built bench database (then upgraded)."""
    if reuse is None or (isinstance(reuse, Path) and not reuse.exists()):
        return False
    upgrade(db)
    with db.transaction() as session:
        return bool(session.scalar(select(Case.id).limit(1)))


def _login(client: TestClient, email: str) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token}).raise_for_status()


def _median_ms(client: TestClient, path: str, repeat: int) -> tuple[float, int]:
    times = []
    status = 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        status = response.status_code
    return statistics.median(times) * 1000, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", type=Path, metavar="PATH",
                        help="SQLite file to keep between runs: built on the first run, reused when it holds cases")
    args = parser.parse_args()
    if args.reuse is not None:
        url = f"sqlite:///{args.reuse}"
    else:
        workdir = Path(tempfile.mkdtemp(prefix="centric-bench-"))
        url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    db = Database(url)
    start = time.perf_counter()
    if not _holds_cases(db, args.reuse or args.database_url):
        generate_demo(db, customers=args.customers)
        _fill(db, args.cases)
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(Case))
        agent = session.scalars(select(User).where(User.role == "agent", User.team_id.is_not(None))
                                .order_by(User.id)).first()
        manager = session.scalars(select(User).where(User.role == "manager").order_by(User.id)).first()
        assert agent is not None and manager is not None
        for user in (agent, manager):
            user.password_hash = hash_password(PASSWORD)
        emails = (agent.email, manager.email)
        some_case = session.scalar(select(Case.id).where(Case.owner_id == agent.id).order_by(Case.id.desc()))
    print(f"{total:,} cases on {db.dialect}, built in {time.perf_counter() - start:.0f} s")
    app = create_app(Settings(database_url=url, job_workers=0), db)
    paths = {
        "agent": ["/api/v1/cases?view=mine", "/api/v1/cases?view=team", "/api/v1/cases?view=unassigned",
                  "/api/v1/cases?view=at_risk", "/api/v1/cases?view=breached", "/inbox", "/inbox?view=team",
                  f"/cases/{some_case}", f"/api/v1/cases/{some_case}"],
        "manager": ["/api/v1/cases?view=all", "/api/v1/cases?view=breached", "/inbox?view=all", "/cases/workload",
                    "/api/v1/cases/workload", "/api/v1/loop/kpis", "/loop", "/api/v1/loop/root-causes/impact"],
    }
    print(f"\n{'caller':<8} {'GET':<40} {'median ms':>10}  status")
    for role, email in zip(("agent", "manager"), emails, strict=True):
        with TestClient(app) as client:
            _login(client, email)
            for path in paths[role]:
                client.get(path)  # warm
                ms, status = _median_ms(client, path, args.repeat)
                flag = "" if ms < 200 else "  <-- over 200 ms"
                print(f"{role:<8} {path:<40} {ms:>10.1f}  {status}{flag}")


if __name__ == "__main__":
    main()
