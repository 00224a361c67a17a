"""Ideas portal latency: the board list (GET /ideas/b/{key}) and the vote POST at a human pace.

    .venv/bin/python bench/bench_portal.py [--rate 50] [--duration 10] [--ideas 500] [--customers 2000]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--no-postgres]

The respondent-page harness (bench/bench_respondent.py) applied to the portal: the real
app served by Uvicorn on loopback, on a fresh SQLite file and then on a fresh PostgreSQL
database, with background jobs off in the web process (``centric worker`` runs them in
production). A board holds ``--ideas`` ideas with votes spread over the last 30 days, so
the trending sort has work to do. The load is open loop at ``--rate`` requests per second
(default 50: the pace of a busy portal's visitors, as the respondent bench's 50
submissions/s), each latency measured from the moment the request was *due* (no
coordinated omission), over up to 100 connections:

* **board list**: a signed-in visitor (cookie) reads the trending list — the heaviest
  sort, with the visitor's votes and a signed form token per idea on the page;
* **vote POST**: each request is another customer supporting another idea (own cookie,
  own form token, own client address behind the proxy), so each one stores a vote, its
  recount, a timeline event and two rate-limit hits, then answers 303.

Prints p50/p95/p99 in milliseconds and the error count; the target is p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from centric.customers.models import Customer  # noqa: E402
from centric.customers.visitors import visitor_token  # noqa: E402
from centric.db import Database, utcnow  # noqa: E402
from centric.ideas.models import Board, Idea, IdeaVote  # noqa: E402
from centric.ideas.public.portal import COOKIE, form_token  # noqa: E402
from centric.store import upgrade  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from bench_respondent import _free_port, _serve  # noqa: E402  (the respondent pages' harness)

SECRET = "bench-" + secrets.token_urlsafe(24)
BOARD = "stays"
WORDS = ("quiet rooms late checkout pillow menu faster wifi rooftop pool spa breakfast vegan options "
         "airport shuttle bikes parking charger desk lamp kettle shower pressure blackout curtains").split()


def _prepare(url: str, ideas: int, customers: int) -> tuple[list[int], list[int]]:
    """A board with ``ideas`` ideas, ``customers`` customers, and votes over the last 30 days."""
    db = Database(url)
    upgrade(db)
    rng = random.Random(7)
    with db.transaction() as session:
        board = Board(key=BOARD, names={"en": "Stays", "zh": "住宿"})
        session.add(board)
        people = [Customer(name=f"Guest {n}") for n in range(customers)]
        session.add_all(people)
        session.flush()
        rows = [Idea(board_id=board.id, title=" ".join(rng.sample(WORDS, 5)).capitalize(), body="From the bench",
                     author_name="Guest", created_at=utcnow() - timedelta(days=rng.uniform(0, 90)))
                for _ in range(ideas)]
        session.add_all(rows)
        session.flush()
        idea_ids, people_ids = [i.id for i in rows], [p.id for p in people]
        # the first tenth of the customers already voted a little, so lists have history to sort
        for person in people_ids[: customers // 10]:
            for idea in rng.sample(idea_ids, 5):
                session.add(IdeaVote(idea_id=idea, origin_idea_id=idea, customer_id=person,
                                     created_at=utcnow() - timedelta(days=rng.uniform(0, 30))))
        session.flush()
        for idea in rows:
            idea.vote_count = 0
        from sqlalchemy import func, select, update
        counts = select(func.count(IdeaVote.id)).where(IdeaVote.idea_id == Idea.id).scalar_subquery()
        session.execute(update(Idea).values(vote_count=counts))
    db.dispose()
    return idea_ids, people_ids[customers // 10:]


async def _paced(requests: list[dict], rate: float, connections: int) -> dict[str, float]:
    import httpx

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(limits=limits, timeout=30, follow_redirects=False) as client:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.2

        async def one(i: int, request: dict) -> None:
            nonlocal errors
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            answer = await client.request(**request)
            if answer.status_code >= 400:
                errors += 1
            latencies.append(1000 * (loop.time() - due))

        await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[max(0, int(len(latencies) * p) - 1)]

    return {"requests": len(latencies), "p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99), "errors": errors}


def run_backend(name: str, url: str, args: argparse.Namespace) -> list[tuple[str, dict[str, float]]]:
    idea_ids, voters = _prepare(url, args.ideas, args.customers)
    key = SECRET.encode()
    port = _free_port()
    server = _serve(["centric.web.app:create_app", "--factory"], port,
                    {"CENTRIC_DATABASE_URL": url, "CENTRIC_SECRET_KEY": SECRET, "CENTRIC_JOB_WORKERS": "0"}, workers=1)
    base = f"http://127.0.0.1:{port}"
    count = int(args.rate * args.duration)
    reader = voters[0]
    reader_cookie = {"cookie": f"{COOKIE}={visitor_token(key, reader, 3600)}"}
    try:
        gets = [{"method": "GET", "url": f"{base}/ideas/b/{BOARD}?sort=trending", "headers": reader_cookie}] * count
        asyncio.run(_paced(gets[: int(args.rate)], args.rate, 100))  # warm up
        listing = asyncio.run(_paced(gets, args.rate, 100))
        posts = []
        for i in range(count):
            customer = voters[i % len(voters)]
            idea = idea_ids[(i * 7919 + i // len(voters)) % len(idea_ids)]
            posts.append({"method": "POST", "url": f"{base}/ideas/i/{idea}/vote",
                          "data": {"f": form_token(key, customer)},
                          "headers": {"cookie": f"{COOKIE}={visitor_token(key, customer, 3600)}",
                                      "X-Forwarded-For": f"10.9.{i % 250}.{i // 250 % 250}"}})
        votes = asyncio.run(_paced(posts, args.rate, 100))
    finally:
        server.terminate()
        server.wait()
    return [(f"GET /ideas/b/{{key}} trending, signed in ({name})", listing),
            (f"POST /ideas/i/{{id}}/vote ({name})", votes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--ideas", type=int, default=500)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as workdir:
        rows += run_backend("SQLite", f"sqlite:///{Path(workdir) / 'bench.db'}", args)
    if not args.no_postgres:
        import psycopg

        name = f"centric_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            rows += run_backend("PostgreSQL", args.postgres.rsplit("/", 1)[0] + "/" + name, args)
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if args.json:
        print(json.dumps(dict(rows), indent=2))
        return
    print(f"open loop at {args.rate:g} requests/s for {args.duration} s; {args.ideas} ideas; target p99 < 50 ms")
    print(f"{'':58} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for label, row in rows:
        print(f"{label:58} {row['requests']:>6} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['p99']:>8.1f} "
              f"{row['errors']:>7}")


if __name__ == "__main__":
    main()
