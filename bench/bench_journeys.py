"""Journey funnel and paths over millions of events: per-customer summaries vs a window-function query.

    .venv/bin/python bench/bench_journeys.py [--events 10000000] [--backend sqlite|postgresql|both]

Data. A 5-stage journey (discover → book → arrive → stay → review), two touchpoints per stage on
different channels; "review" also takes events of kind ``review`` that name no touchpoint. One
customer per 8 events; each customer's depth follows a believable funnel (100 %, 60 %, 50 %,
45 %, 25 % of entrants reach the stages), gaps between stages are exponential (hours to days),
each reached stage gets 1 + Poisson events, 5 % of customers have a stray event at a later stage
before entering and some reviews come after the 30-day window. Entries spread over a year.
Inserted in bulk: PostgreSQL with COPY, SQLite with ``executemany`` in big transactions.

Method. ``centric.journeys.analytics.rebuild`` computes every customer's steps and path
(``JourneyStep``, ``JourneyPath``; what ingest maintains incrementally); then
``centric.journeys.funnels.funnel`` and ``paths`` (top 10 + "other" buckets) read those summaries
with GROUP BY queries: median of 5 runs each. Beside them, a straightforward SQL query over the
raw events computes the same ordered funnel with window functions (per customer: MIN … OVER
(PARTITION BY customer) per step, nested one level per step, ROW_NUMBER to keep one row per
customer): median of 3 runs (1 on SQLite above 2 M events); its counts are checked to be equal.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import text, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from centric.db import Database  # noqa: E402
from centric.journeys import analytics, funnels  # noqa: E402
from centric.journeys.models import Journey, Touchpoint  # noqa: E402
from centric.journeys.schemas import JourneyIn, StageIn, TouchpointIn  # noqa: E402
from centric.journeys.service import create_journey, create_touchpoint  # noqa: E402
from centric.store import upgrade  # noqa: E402

PG_ADMIN = os.environ.get("CENTRIC_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
STAGES = ("discover", "book", "arrive", "stay", "review")
CHANNELS = (("web", "social"), ("web", "app"), ("front desk", "app"), ("in person", "phone"), ("email", "web"))
DEPTH_P = (0.40, 0.10, 0.05, 0.20, 0.25)  # → reach 100 %, 60 %, 50 %, 45 %, 25 %
GAP_HOURS = (0.0, 30.0, 200.0, 20.0, 60.0)  # mean hours from the previous stage
WINDOW_DAYS = 30


def generate(n_events: int, seed: int = 14) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(customers, customer ids, touchpoint index 0–9 or −1 for a kind-placed review, seconds, kind is review)."""
    rng = np.random.default_rng(seed)
    customers = max(1, n_events // 8)
    depth = rng.choice(np.arange(1, 6), size=customers, p=DEPTH_P)
    entry = rng.uniform(0, 365 * 86_400.0, customers) + 1_704_067_200.0  # 2024-01-01
    gaps = np.column_stack([rng.exponential(h * 3600.0, customers) if h else np.zeros(customers)
                            for h in GAP_HOURS]).cumsum(axis=1)
    stage_time = entry[:, None] + gaps
    reached = np.arange(5)[None, :] < depth[:, None]
    cust, stage = np.nonzero(reached)
    base = stage_time[cust, stage]
    per = 1 + rng.poisson(max(0.0, n_events / len(cust) - 1.05), len(cust))
    cust, stage, base = np.repeat(cust, per), np.repeat(stage, per), np.repeat(base, per)
    at = base + np.where(np.r_[True, np.diff(cust * 8 + stage) != 0], 0.0, rng.uniform(0, 48 * 3600.0, len(cust)))
    stray = rng.random(customers) < 0.05  # a later stage visited before entering
    s_cust = np.nonzero(stray)[0]
    cust = np.r_[cust, s_cust]
    stage = np.r_[stage, rng.integers(1, 5, len(s_cust))]
    at = np.r_[at, entry[s_cust] - rng.uniform(3600.0, 5 * 86_400.0, len(s_cust))]
    cust, stage, at = cust[:n_events], stage[:n_events], at[:n_events]
    touchpoint = stage * 2 + rng.integers(0, 2, len(stage))
    review_kind = (stage == 4) & (rng.random(len(stage)) < 0.3)
    touchpoint = np.where(review_kind, -1, touchpoint)
    return customers, cust + 1, touchpoint, at, review_kind


def setup_journey(db: Database) -> tuple[int, list[int]]:
    with db.transaction() as s:
        journey = create_journey(s, JourneyIn(key="stay", name="Hotel stay", stages=[
            StageIn(key=k, name=k.title()) for k in STAGES]))
        journey.conversion_window_days = WINDOW_DAYS
        ids = []
        for index, key in enumerate(STAGES):
            for n, channel in enumerate(CHANNELS[index]):
                tp = create_touchpoint(s, TouchpointIn(key=f"{key}-{n}", name=f"{key} {channel}", journey="stay",
                                                       stage=key, channel=channel))
                ids.append(tp.id)
        s.execute(update(Touchpoint).where(Touchpoint.key == "review-0").values(event_kinds=["review"]))
        return journey.id, ids


def _stamp(seconds: np.ndarray) -> np.ndarray:
    text_ = np.datetime_as_string((seconds * 1e6).astype("int64").astype("datetime64[us]"), unit="us")
    return np.char.replace(text_, "T", " ")


def load(db: Database, n_events: int, tp_ids: list[int]) -> tuple[int, int]:
    customers, cust, tp, at, review = generate(n_events)
    tp_db = np.where(tp >= 0, np.asarray(tp_ids)[np.clip(tp, 0, None)], -1)
    kinds = np.where(review, "review", "visit")
    now = "2025-01-01 00:00:00.000000"
    step = 500_000
    if db.url.startswith("sqlite"):
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("BEGIN")
            cursor.executemany("INSERT INTO customer (id, name, attributes, created_at, updated_at) "
                               "VALUES (?, '', '{}', ?, ?)", ((i, now, now) for i in range(1, customers + 1)))
            for start in range(0, len(cust), step):
                sl = slice(start, start + step)
                stamps = _stamp(at[sl])
                cursor.executemany(
                    "INSERT INTO event (customer_id, touchpoint_id, kind, occurred_at, source, payload, created_at) "
                    "VALUES (?, ?, ?, ?, 'bench', '{}', ?)",
                    ((int(c), None if t < 0 else int(t), k, str(d), now)
                     for c, t, k, d in zip(cust[sl], tp_db[sl], kinds[sl], stamps, strict=True)))
            cursor.execute("COMMIT")
            cursor.execute("ANALYZE")
        finally:
            raw.close()
        return customers, len(cust)
    with psycopg.connect(db.url.replace("postgresql+psycopg://", "postgresql://")) as conn, conn.cursor() as cur:
        with cur.copy("COPY customer (id, name, attributes, created_at, updated_at) FROM STDIN") as copy:
            copy.write("".join(f"{i}\t\t{{}}\t{now}\t{now}\n" for i in range(1, customers + 1)))
        cur.execute("SELECT setval('customer_id_seq', %s)", (customers,))
        for start in range(0, len(cust), step):
            sl = slice(start, start + step)
            buffer = io.StringIO()
            null = "\\N"
            for c, t, k, d in zip(cust[sl], tp_db[sl], kinds[sl], _stamp(at[sl]), strict=True):
                buffer.write(f"{c}\t{null if t < 0 else t}\t{k}\t{d}\tbench\t{{}}\t{now}\n")
            with cur.copy("COPY event (customer_id, touchpoint_id, kind, occurred_at, source, payload, created_at) "
                          "FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        conn.commit()
        conn.execute("ANALYZE")
    return customers, len(cust)


def raw_funnel_sql(dialect: str, journey_id: int) -> str:
    """The ordered funnel straight from the events: window functions, one nesting level per step."""
    epoch = ("EXTRACT(EPOCH FROM e.occurred_at)" if dialect == "postgresql" else
             "CAST(strftime('%s', e.occurred_at) AS REAL) + COALESCE(CAST(substr(e.occurred_at, 20) AS REAL), 0.0)")
    window = WINDOW_DAYS * 86_400
    placed = f"""
      SELECT e.customer_id AS c, s.position AS k, {epoch} AS t FROM event e
        JOIN touchpoint tp ON tp.id = e.touchpoint_id JOIN stage s ON s.id = tp.stage_id
        WHERE s.journey_id = {journey_id}
      UNION ALL
      SELECT e.customer_id, 4, {epoch} FROM event e WHERE e.touchpoint_id IS NULL AND e.kind = 'review'"""
    query = f"SELECT c, k, t, MIN(CASE WHEN k = 0 THEN t END) OVER (PARTITION BY c) AS t1 FROM ({placed}) p"
    for step in range(2, 6):
        prev = f"t{step - 1}"
        query = (f"SELECT q.*, MIN(CASE WHEN k = {step - 1} AND t >= {prev} AND t <= t1 + {window} THEN t END) "
                 f"OVER (PARTITION BY c) AS t{step} FROM ({query}) q")
    counts = ", ".join(f"SUM(CASE WHEN t{k} IS NOT NULL THEN 1 ELSE 0 END)" for k in range(1, 6))
    return (f"SELECT {counts} FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY c ORDER BY t) AS rn "
            f"FROM ({query}) r) x WHERE rn = 1")


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench(backend: str, n_events: int) -> dict[str, Any]:
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-journeys-")
        url = f"sqlite:///{folder}/bench.db"
    else:
        name = "centric_bench_journeys"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    db = Database(url)
    upgrade(db)
    journey_id, tp_ids = setup_journey(db)
    started = time.perf_counter()
    customers, events = load(db, n_events, tp_ids)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    with db.transaction() as s:
        analytics.rebuild(s, journey_id)
    rebuild_s = time.perf_counter() - started
    if backend == "postgresql":
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE journey_path")
            conn.execute("VACUUM ANALYZE journey_step")
    with db.reader() as s:
        funnel_s, funnel = timed(lambda: funnels.funnel(s, journey_id), 5)
        paths_s, paths = timed(lambda: funnels.paths(s, journey_id, 10), 5)
        timing_s, _ = timed(lambda: funnels.timing(s, journey_id), 5)
        sql = raw_funnel_sql(s.get_bind().dialect.name, journey_id)
        raw_runs = 1 if backend == "sqlite" and n_events > 2_000_000 else 3
        raw_s, raw = timed(lambda: s.execute(text(sql)).one(), raw_runs)
        steps = s.execute(text("SELECT COUNT(*) FROM journey_step")).scalar_one()
        windows = s.get(Journey, journey_id).conversion_window_days
    reached = [st.customers for st in funnel.stages]
    reconciles = [sum(p.customers for p in paths if p.steps >= k) for k in range(1, 6)] == reached
    db.dispose()
    return {"backend": backend, "events": events, "customers": customers, "summary_rows": customers + steps,
            "window_days": windows, "load_s": load_s, "rebuild_s": rebuild_s, "funnel_s": funnel_s,
            "paths_s": paths_s, "timing_s": timing_s, "raw_window_sql_s": raw_s, "funnel": reached,
            "raw_equal": [int(x) for x in raw] == reached, "paths_reconcile": reconciles}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(f"machine: {os.cpu_count()} cores; method: per-customer summaries (rebuild = what ingest maintains), "
          "funnel/paths/timing read them (median of 5); raw = window-function SQL over the events")
    for backend in backends:
        r = bench(backend, args.events)
        print(f"{r['backend']:<10} {r['events']:>10,} events, {r['customers']:,} customers, "
              f"{r['summary_rows']:,} summary rows | load {r['load_s']:.1f} s, rebuild {r['rebuild_s']:.1f} s | "
              f"funnel {r['funnel_s'] * 1000:.0f} ms, paths {r['paths_s'] * 1000:.0f} ms, "
              f"timing {r['timing_s'] * 1000:.0f} ms | raw window SQL funnel {r['raw_window_sql_s']:.2f} s "
              f"(equal: {r['raw_equal']}) | paths reconcile: {r['paths_reconcile']} | funnel {r['funnel']}",
              flush=True)


if __name__ == "__main__":
    main()
