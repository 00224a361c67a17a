"""Build a large Centric database fast: N survey responses with set-based SQL, then its rollups.

    .venv/bin/python bench/make_scale_db.py --responses 10000000 [--database-url URL]

The small tables (journeys, stages, touchpoints, teams, surveys, segments and personas)
are made through the services; the large ones with a few ``INSERT … SELECT`` statements
per million rows over ``generate_series`` (PostgreSQL) or a recursive CTE (SQLite), never
a row at a time: customers (one per ten responses) with an e-mail identity and attributes,
their segment and persona memberships, responses, one rated answer each, and for every
fourth response a comment (an answer and a feedback item). Secondary and search indexes
are dropped for the load and built afterwards; then the daily and segment rollups are rebuilt and the
statistics analysed. Values are pseudo-random but deterministic (a multiplicative hash of
the row number), so two runs build the same database.

Without ``--database-url`` the database is a SQLite file in a new temporary directory
(printed). The database must be new (migrated or empty): the script refuses one with responses.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Index, func, select, text

from centric import search
from centric.customers.models import Customer, CustomerSegment, Identity, Segment
from centric.customers.schemas import SegmentIn
from centric.customers.service import create_segment
from centric.db import Database
from centric.feedback.models import Feedback
from centric.insights import rollups, segment_rollups
from centric.journeys.models import Touchpoint
from centric.journeys.schemas import JourneyIn, StageIn, TouchpointIn
from centric.journeys.service import create_journey, create_touchpoint
from centric.store import upgrade
from centric.surveys.models import Answer, Response, Survey, SurveyVersion
from centric.surveys.schemas import SurveyIn
from centric.surveys.service import create_survey

CHUNK = 1_000_000
JOURNEYS = {"stay": ("Hotel stay", ["book", "arrive", "stay", "depart"]),
            "dine": ("Restaurant", ["reserve", "eat", "pay"]),
            "help": ("Support", ["contact", "resolve"])}
TEAMS = ("Front Office", "Housekeeping", "Food and Beverage", "Support", "Digital")
SURVEYS = (("rnps", "nps"), ("tnps", "nps"), ("stay-csat", "csat"), ("dine-csat", "csat"),
           ("support-ces", "ces"), ("web-ces", "ces"))
SEGMENTS = 9  # plus PERSONAS personas; every customer is in one segment and one persona, one in five in "vip"
PERSONAS = 4
WORDS = ("room", "clean", "dirty", "staff", "friendly", "rude", "slow", "fast", "breakfast", "checkin", "checkout",
         "wifi", "noisy", "quiet", "bed", "comfortable", "price", "expensive", "value", "parking", "pool", "spa",
         "shower", "towels", "view", "location", "waiting", "queue", "refund", "booking", "app", "website",
         "helpful", "unhelpful", "manager", "reception", "lift", "air", "conditioning", "coffee", "dinner",
         "menu", "waiter", "bill", "card", "late", "early", "great", "terrible", "okay", "again", "never",
         "recommend", "family", "business", "trip", "weekend", "upgrade", "loyalty", "points", "email", "call",
         "chat", "agent")
FIRST = ("Ann", "Bo", "Chen", "Dana", "Eli", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Mo", "Nia",
         "Omar", "Pia", "Quinn", "Rui", "Sara", "Tom", "Uma", "Vik", "Wen", "Xia", "Yara", "Zed")
LAST = ("Smith", "Garcia", "Wang", "Khan", "Müller", "Rossi", "Silva", "Kim", "Nowak", "Dubois", "Tanaka",
        "Okafor", "Ivanova", "Jensen", "Murphy", "Cohen", "Li", "Novak", "Haddad", "Costa")
YEAR_SECONDS = 365 * 24 * 3600


def _hash(dialect: str, column: str, salt: int) -> str:
    """A deterministic pseudo-random integer in [0, 2^32) from a row number (a multiplicative hash, Knuth).

    Each salt multiplies by its own odd constant, so hashes of one row under two salts are unrelated.
    """
    cast = f"CAST({column} AS BIGINT)" if dialect == "postgresql" else column
    return f"(({cast} * {2654435761 + 2 * salt * 104729}) % 4294967296)"


def _pick(dialect: str, column: str, salt: int, choices: int) -> str:
    """One of ``choices`` (< 65536) values from the hash's high bits, which are better mixed than its low ones."""
    return f"(({_hash(dialect, column, salt)} / 65536) % {choices})"


def _series(dialect: str, low: int, high: int) -> str:
    """A ``FROM`` clause yielding ``g`` = low…high."""
    if dialect == "postgresql":
        return f"generate_series({low}, {high}) AS s(g)"
    return (f"(WITH RECURSIVE s(g) AS (SELECT {low} UNION ALL SELECT g + 1 FROM s WHERE g < {high}) "
            "SELECT g FROM s) AS s")


def _moment(dialect: str, g: str, n: int) -> str:
    """Spread row ``g`` of ``n`` evenly over 2025 (SQLite: the text format SQLAlchemy writes)."""
    if dialect == "postgresql":
        seconds = f"(CAST({g} AS BIGINT) * {YEAR_SECONDS} / {n})"
        return f"(TIMESTAMP '2025-01-01' + {seconds} * INTERVAL '1 second')"
    seconds = f"({g} * {YEAR_SECONDS} / {n})"
    return f"(datetime('2025-01-01', '+' || {seconds} || ' seconds') || '.000000')"


def _structure(db: Database) -> None:
    with db.transaction() as s:
        for key, (name, stages) in JOURNEYS.items():
            create_journey(s, JourneyIn(key=key, name=name, stages=[StageIn(key=st, name=st.title())
                                                                    for st in stages]))
            for i, stage in enumerate(stages):
                for j in range(2):
                    create_touchpoint(s, TouchpointIn(
                        key=f"{key}-{stage}-{j}", name=f"{name}: {stage} {j + 1}", journey=key, stage=stage,
                        owner_team=TEAMS[(i + j + len(key)) % len(TEAMS)] if (i + j) % 5 else None))
        for key, kind in SURVEYS:
            create_survey(s, SurveyIn(key=key, name=key.replace("-", " ").title(), kind=kind))
        for i in range(SEGMENTS):
            create_segment(s, SegmentIn(key=f"segment-{i}", name=f"Segment {i}"))
        for i in range(PERSONAS):
            create_segment(s, SegmentIn(key=f"persona-{i}", name=f"Persona {i}", kind="persona"))
        create_segment(s, SegmentIn(key="vip", name="VIP"))


def _plan(connection: Connection) -> int:
    """``scale_plan``: each slot names a survey, its version, a touchpoint and the rated question."""
    connection.execute(text("DROP TABLE IF EXISTS scale_plan"))
    connection.execute(text("CREATE TABLE scale_plan (slot INTEGER PRIMARY KEY, survey_id INTEGER, "
                            "version_id INTEGER, touchpoint_id INTEGER, metric VARCHAR(20), question_key VARCHAR(80), "
                            "comment_key VARCHAR(80))"))
    touchpoints = list(connection.scalars(select(Touchpoint.id).order_by(Touchpoint.id)))
    slot = 0
    for i, (key, kind) in enumerate(SURVEYS):
        survey_id = connection.scalar(select(Survey.id).where(Survey.key == key))
        version_id, questions = connection.execute(select(SurveyVersion.id, SurveyVersion.questions).where(
            SurveyVersion.survey_id == survey_id).order_by(SurveyVersion.version.desc()).limit(1)).one()
        rated = next(q["key"] for q in questions if q.get("type") == kind)
        comment = next((q["key"] for q in questions if q.get("type") == "text"), "comment")
        for j in range(4):  # each survey runs at four touchpoints
            touchpoint_id = touchpoints[(i * 3 + j * 5) % len(touchpoints)]
            connection.execute(text("INSERT INTO scale_plan VALUES (:slot, :s, :v, :t, :m, :q, :c)"),
                               {"slot": slot, "s": survey_id, "v": version_id, "t": touchpoint_id, "m": kind,
                                "q": rated, "c": comment})
            slot += 1
    return slot


def _words(connection: Connection) -> None:
    connection.execute(text("DROP TABLE IF EXISTS scale_word"))
    connection.execute(text("CREATE TABLE scale_word (i INTEGER PRIMARY KEY, w VARCHAR(40))"))
    connection.execute(text("INSERT INTO scale_word VALUES (:i, :w)"), [{"i": i, "w": w} for i, w in enumerate(WORDS)])
    connection.execute(text("DROP TABLE IF EXISTS scale_name"))
    connection.execute(text("CREATE TABLE scale_name (i INTEGER PRIMARY KEY, first VARCHAR(40), last VARCHAR(40))"))
    connection.execute(text("INSERT INTO scale_name VALUES (:i, :f, :l)"),
                       [{"i": i, "f": FIRST[i % len(FIRST)], "l": LAST[i // len(FIRST)]}
                        for i in range(len(FIRST) * len(LAST))])


BIG_TABLES = (Customer, Identity, CustomerSegment, Response, Answer, Feedback)


def _secondary_indexes() -> list[Index]:
    return [index for model in BIG_TABLES for index in model.__table__.indexes]


def _customers(connection: Connection, dialect: str, customers: int, step: Callable[[str], None]) -> None:
    now = "CURRENT_TIMESTAMP" if dialect == "postgresql" else "datetime('now') || '.000000'"
    tiers = "CASE {h} % 10 WHEN 0 THEN 'gold' WHEN 1 THEN 'gold' WHEN 2 THEN 'silver' ELSE 'bronze' END"
    tier = tiers.format(h=_hash(dialect, "g", 11))
    attributes = (f"jsonb_build_object('tier', {tier}, 'country', 'c' || {_pick(dialect, 'g', 12, 30)})"
                  if dialect == "postgresql" else
                  f"json_object('tier', {tier}, 'country', 'c' || {_pick(dialect, 'g', 12, 30)})")
    names = len(FIRST) * len(LAST)
    for low in range(1, customers + 1, CHUNK):
        high = min(customers, low + CHUNK - 1)
        connection.execute(text(
            f"INSERT INTO customer (id, external_id, name, attributes, created_at, updated_at) "
            f"SELECT g, 'scale-' || g, n.first || ' ' || n.last, {attributes}, {now}, {now} "
            f"FROM {_series(dialect, low, high)} JOIN scale_name n ON n.i = {_pick(dialect, 'g', 13, names)}"))
        connection.execute(text(
            f"INSERT INTO identity (id, customer_id, kind, value, created_at) "
            f"SELECT g, g, 'email', 'guest' || g || '@scale.example', {now} FROM {_series(dialect, low, high)}"))
        step(f"customers {high:,}")
    segment_ids = list(connection.scalars(select(Segment.id).where(Segment.kind == "segment", Segment.key != "vip")
                                          .order_by(Segment.id)))
    persona_ids = list(connection.scalars(select(Segment.id).where(Segment.kind == "persona").order_by(Segment.id)))
    vip = connection.scalar(select(Segment.id).where(Segment.key == "vip"))
    member = "INSERT INTO customer_segment (customer_id, segment_id) SELECT id, {sid} FROM customer WHERE {cond}"
    for i, sid in enumerate(segment_ids):
        connection.execute(text(member.format(sid=sid, cond=f"{_pick(dialect, 'id', 21, len(segment_ids))} = {i}")))
    for i, sid in enumerate(persona_ids):
        connection.execute(text(member.format(sid=sid, cond=f"{_pick(dialect, 'id', 22, len(persona_ids))} = {i}")))
    connection.execute(text(member.format(sid=vip, cond=f"{_pick(dialect, 'id', 23, 5)} = 0")))
    step("memberships")


def _responses(connection: Connection, dialect: str, responses: int, customers: int, slots: int,
               step: Callable[[str], None]) -> None:
    true = "TRUE" if dialect == "postgresql" else "1"
    now = "CURRENT_TIMESTAMP" if dialect == "postgresql" else "datetime('now') || '.000000'"
    slot = f"{_pick(dialect, 'g', 1, slots)}"
    channel = (f"CASE {_pick(dialect, 'g', 2, 4)} WHEN 0 THEN 'email' WHEN 1 THEN 'link' "
               f"WHEN 2 THEN 'widget' ELSE 'sms' END")
    roll = _pick(dialect, 'g', 3, 100)
    bias = "(p.touchpoint_id % 7)"  # touchpoints differ, so slices differ
    score = (f"CASE p.metric "
             f"WHEN 'nps' THEN CASE WHEN {roll} < 40 + {bias} THEN 9 + {roll} % 2 WHEN {roll} < 72 THEN 7 + {roll} % 2 "
             f"ELSE {roll} % 7 END "
             f"WHEN 'csat' THEN CASE WHEN {roll} < 70 + {bias} THEN 4 + {roll} % 2 ELSE 1 + {roll} % 3 END "
             f"ELSE CASE WHEN {roll} < 60 + {bias} THEN 5 + {roll} % 3 ELSE 1 + {roll} % 4 END END")
    words = len(WORDS)
    comment = (f"w1.w || ' ' || w2.w || ' ' || w3.w || ' and ' || w4.w || ' order SKU' || "
               f"{_pick(dialect, 'g', 8, 20000)}")
    word_joins = " ".join(f"JOIN scale_word w{k} ON w{k}.i = {_pick(dialect, 'g', 3 + k, words)}"
                          for k in range(1, 5))
    for low in range(1, responses + 1, CHUNK):
        high = min(responses, low + CHUNK - 1)
        series = _series(dialect, low, high)
        connection.execute(text(
            f"INSERT INTO response (id, survey_id, version_id, customer_id, touchpoint_id, channel, locale, "
            f"submitted_at, completed, created_at) "
            f"SELECT g, p.survey_id, p.version_id, 1 + {_hash(dialect, 'g', 9)} % {customers}, p.touchpoint_id, "
            f"{channel}, 'en', {_moment(dialect, 'g', responses)}, {true}, {now} "
            f"FROM {series} JOIN scale_plan p ON p.slot = {slot}"))
        connection.execute(text(
            f"INSERT INTO answer (response_id, question_key, metric, number) "
            f"SELECT g, p.question_key, p.metric, {score} FROM {series} JOIN scale_plan p ON p.slot = {slot}"))
        commented = f"{_pick(dialect, 'g', 10, 4)} = 0"
        connection.execute(text(
            f"INSERT INTO answer (response_id, question_key, metric, text) "
            f"SELECT g, p.comment_key, 'text', {comment} FROM {series} JOIN scale_plan p ON p.slot = {slot} "
            f"{word_joins} WHERE {commented}"))
        enrichment = "'{}'::jsonb" if dialect == "postgresql" else "'{}'"
        connection.execute(text(
            f"INSERT INTO feedback (source, channel, external_id, customer_id, touchpoint_id, response_id, text, "
            f"rating, enrichment, occurred_at, created_at) "
            f"SELECT 'survey', 'survey', 'response:' || g || ':' || p.comment_key, "
            f"1 + {_hash(dialect, 'g', 9)} % {customers}, p.touchpoint_id, g, {comment}, {score}, {enrichment}, "
            f"{_moment(dialect, 'g', responses)}, {now} "
            f"FROM {series} JOIN scale_plan p ON p.slot = {slot} {word_joins} WHERE {commented}"))
        step(f"responses {high:,}")


def _roomy(connection: Connection, dialect: str) -> None:
    """Memory for the rebuilds' GROUP BY (~500 k groups from ~22 M rows), so they do not sort on disk."""
    if dialect == "postgresql":
        connection.execute(text("SET LOCAL work_mem = '256MB'"))
    else:
        connection.exec_driver_sql("PRAGMA cache_size = -400000")  # temp_store cannot change inside a transaction


def build(db: Database, responses: int) -> dict[str, float]:
    """Fill ``db`` with ``responses`` responses and everything around them; seconds per phase."""
    timings: dict[str, float] = {}
    start = last = time.perf_counter()

    def step(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        timings[name] = now - last
        print(f"  {name:<24} {now - last:7.1f} s  (total {now - start:7.1f} s, load {os.getloadavg()[0]:.2f})",
              flush=True)
        last = now

    upgrade(db)
    with db.reader() as s:
        if s.scalar(select(func.count()).select_from(Response)):
            raise SystemExit("the database has responses already: give a new one")
    _structure(db)
    step("structure")
    customers = max(1000, responses // 10)
    dialect = db.dialect
    with db.engine.begin() as connection:
        if dialect == "postgresql":
            connection.execute(text("SET LOCAL synchronous_commit = off"))
            # foreign-key triggers fire per row; the rows are consistent by construction (superuser only)
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.exec_driver_sql("PRAGMA cache_size = -400000")
        slots = _plan(connection)
        _words(connection)
        for index in _secondary_indexes():
            index.drop(connection, checkfirst=True)
        search.drop(connection)  # the trigram indexes are built once, after the load
        _customers(connection, dialect, customers, step)
        _responses(connection, dialect, responses, customers, slots, step)
        for name in ("scale_plan", "scale_word", "scale_name"):
            connection.execute(text(f"DROP TABLE {name}"))
    with db.engine.begin() as connection:
        if dialect == "postgresql":
            connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for index in _secondary_indexes():
            index.create(connection)
    step("indexes")
    with db.engine.begin() as connection:
        if dialect == "postgresql":
            connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        search.create(connection)
        if dialect == "postgresql":
            for table in ("customer", "identity", "response", "answer", "feedback"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
    step("search indexes")
    with db.transaction() as s:
        _roomy(s.connection(), dialect)
        rollup_rows = rollups.rebuild(s)
    step(f"answer rollup ({rollup_rows:,})")
    with db.transaction() as s:
        _roomy(s.connection(), dialect)
        segment_rows = segment_rollups.rebuild(s)
    step(f"segment rollup ({segment_rows:,})")
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    step("analyse")
    timings["total"] = time.perf_counter() - start
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="a new database; default: a SQLite file in a temporary directory")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='centric-scale-')) / 'scale.db'}"
    print(f"building {args.responses:,} responses into {url}")
    timings = build(Database(url), args.responses)
    print(f"done in {timings['total']:.0f} s ({timings['total'] / 60:.1f} min); load {os.getloadavg()}")


if __name__ == "__main__":
    main()
