"""Filling an empty database with Harbour & Pine Hotels, a realistic demo company.

The structure (teams, journeys, touchpoints, segments, surveys) goes through the domain
services, like an administrator would create it. Guests and everything they did are
simulated in blocks with NumPy and written with multi-row Core inserts, so a hundred
thousand guests take a couple of minutes, not hours. Comments are enriched (sentiment,
themes, effort) in bulk at the end, so the theme and verbatim pages show data at once. One transaction: a failure leaves
the database as empty as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from centric.accounts.models import Team
from centric.customers.models import Customer, CustomerSegment, Identity, Segment
from centric.customers.schemas import SegmentCondition, SegmentIn
from centric.customers.service import create_segment, matches_rule
from centric.db import Database, utcnow
from centric.demo.activity import browsing_visits, make_bookings, make_contacts
from centric.demo.chats import build_chats
from centric.demo.comments import CommentWriter
from centric.demo.company import (
    CX_SURVEY,
    DESIGNED_EMOTIONS,
    EVENT_KINDS,
    JOURNEYS,
    SEGMENTS,
    SURVEYS,
    TEAMS,
    TOUCHPOINTS,
    cx_questions,
)
from centric.demo.governance import build_governance
from centric.demo.ideas import build_ideas
from centric.demo.kb import build_kb
from centric.demo.loop import build_closed_loop
from centric.demo.mirror import build_mirror
from centric.demo.people import make_guests
from centric.demo.rows import (
    BlockRows,
    Company,
    Counters,
    contact_rows,
    event_rows,
    response_rows,
    review_rows,
    social_rows,
)
from centric.demo.scores import make_responses
from centric.errors import Conflict, Invalid
from centric.events import ResponsesStored, publish
from centric.feedback.models import Feedback
from centric.insights import rollups, segment_rollups
from centric.journeys import analytics as journey_analytics
from centric.journeys.models import Event
from centric.journeys.schemas import JourneyIn, StageIn, TouchpointIn
from centric.journeys.service import create_journey, create_touchpoint
from centric.loop.models import Case
from centric.maps.personas import refresh_metric_segments
from centric.store import upgrade
from centric.surveys.models import Answer, Response, Survey
from centric.surveys.questions import default_questions
from centric.surveys.schemas import SurveyIn, SurveyOptions
from centric.surveys.service import create_survey, current_version

Progress = Callable[[str, int, int], None]
BLOCK = 5_000  # guests simulated and written at a time
CHUNK = 10_000  # rows per INSERT statement
DEMO_IDEAS_URL = "http://127.0.0.1:8000/ideas/b/stays"  # the thank-you page invites passives and detractors here


@dataclass(frozen=True)
class DemoSummary:
    """How much of everything the demo company holds."""

    start: date
    end: date
    teams: int
    journeys: int
    stages: int
    touchpoints: int
    segments: int
    segment_members: int
    customers: int
    identities: int
    events: int
    purchases: int
    surveys: int
    responses: int
    answers: int
    comments: int
    feedback: int
    cases: int
    targets: int = 0
    initiatives: int = 0
    employees: int = 0
    pulse_responses: int = 0
    ideas: int = 0
    idea_votes: int = 0
    help_articles: int = 0
    chats: int = 0

    def __str__(self) -> str:
        counts = ", ".join(f"{f.name.replace('_', ' ')} {getattr(self, f.name):,}" for f in fields(self)[2:])
        return f"Harbour & Pine Hotels, {self.start} to {self.end}: {counts}"


def generate_demo(db: Database, *, customers: int = 3000, months: int = 18, seed: int = 7,
                  progress: Progress | None = None, today: date | None = None) -> DemoSummary:
    """Fill an empty database with a hotel group's journeys, guests, surveys and feedback.

    The same ``seed`` (and ``today``, the day the data ends, default: today in UTC) gives
    the same data. Raises :class:`Conflict` when the database holds customers already.
    """
    if customers < 1:
        raise Invalid("customers must be at least 1", field="customers")
    if not 1 <= months <= 120:
        raise Invalid("months must be between 1 and 120", field="months")
    report = progress or (lambda _step, _done, _total: None)
    upgrade(db)
    end = datetime.combine(today or utcnow().date(), time())
    start = end - timedelta(days=round(months * 365.25 / 12))
    with db.transaction() as session:
        existing = session.scalar(select(func.count()).select_from(Customer)) or 0
        if existing:
            raise Conflict(f"the database holds {existing:,} customers already; the demo needs an empty one")
        report("structure", 0, 1)
        company = _structure(session, start, (end - start).total_seconds() / 86_400)
        report("structure", 1, 1)
        totals = _simulate(session, company, customers, seed, report)
        report("rollups", 0, 1)
        rollups.rebuild(session)
        segment_rollups.rebuild(session)
        if db.dialect == "postgresql":
            _advance_sequences(session, ("customer", "response"))
        report("rollups", 1, 1)
        _enrich_text(session, report)
        report("closed loop", 0, 1)
        _score_customers(session)
        totals["segment_members"] += sum(refresh_metric_segments(session).values())  # rules naming CLV or risk
        loop = build_closed_loop(session, end, seed=seed + 4)
        if loop.get("resurveys"):
            rollups.rebuild(session)  # the re-survey answers count in the dashboards too
            segment_rollups.rebuild(session)
            totals["responses"] += loop["resurveys"]
            totals["answers"] += loop["resurveys"]
        if db.dialect == "postgresql":
            _advance_sequences(session, ("case_record", "response", "invitation"))
        report("closed loop", 1, 1)
        report("governance", 0, 1)
        governance = build_governance(session, start, end)
        report("governance", 1, 1)
        report("mirror", 0, 1)
        mirror = build_mirror(session, end, seed=seed + 5)
        if db.dialect == "postgresql":
            _advance_sequences(session, ("pulse_response",))
        report("mirror", 1, 1)
        report("ideas", 0, 1)
        ideas = build_ideas(session, end, seed=seed + 6)
        totals["events"] += ideas.get("events", 0)  # each idea, vote and comment is on its guest's timeline
        if ideas.get("resurvey_responses"):
            rollups.rebuild(session)  # the re-survey answers count in the dashboards too
            segment_rollups.rebuild(session)
            totals["responses"] += ideas["resurvey_responses"]
            totals["answers"] += ideas["resurvey_answers"]
        if db.dialect == "postgresql":
            _advance_sequences(session, ("idea_vote", "response", "invitation"))
        report("ideas", 1, 1)
        report("help centre", 0, 1)
        articles = build_kb(session)
        guests = list(session.scalars(select(Customer.id).order_by(Customer.id)))
        before = _counts(session, CHAT_COUNTED)
        chats = build_chats(session, np.random.default_rng(seed + 7), guests, end=end)
        for name, added in _added(session, CHAT_COUNTED, before).items():
            totals[name] += added  # anonymous visitors surveyed, chat events, survey answers, transcripts
        rollups.rebuild(session)  # the post-chat surveys' answers count in the dashboards too
        segment_rollups.rebuild(session)
        if db.dialect == "postgresql":
            _advance_sequences(session, ("response", "invitation", "case_record"))
        report("help centre", 1, 1)
        report("journeys", 0, 1)
        journey_analytics.rebuild(session)  # the events were written in bulk: the funnels' summaries from them
        report("journeys", 1, 1)
        return DemoSummary(
            start=start.date(), end=(end - timedelta(days=1)).date(), teams=len(TEAMS), journeys=len(JOURNEYS),
            stages=sum(len(j[4]) for j in JOURNEYS), touchpoints=len(TOUCHPOINTS), segments=len(SEGMENTS),
            surveys=session.scalar(select(func.count()).select_from(Survey)) or 0,
            cases=session.scalar(select(func.count()).select_from(Case)) or 0,  # the loop's and the chats' hand-offs
            targets=governance["targets"],
            initiatives=governance["initiatives"], employees=mirror["employees"],
            pulse_responses=mirror["pulse_responses"], ideas=ideas["ideas"], idea_votes=ideas["idea_votes"],
            help_articles=len(articles), chats=chats.get("conversations", 0),
            **totals,
        )


def _structure(session: Session, start: datetime, span_days: float) -> Company:
    """Teams, journeys, touchpoints, segments and surveys, through the domain services."""
    known = set(session.scalars(select(Team.name)))
    session.add_all(Team(name=name) for name in TEAMS if name not in known)
    session.flush()
    for key, name, team, description, stages in JOURNEYS:
        create_journey(session, JourneyIn(key=key, name=name, description=description, owner_team=team,
                                          stages=[StageIn(key=k, name=n) for k, n in stages]))
    touchpoints = {}
    for journey, spec in TOUCHPOINTS:
        touchpoint = create_touchpoint(session, TouchpointIn(
            key=spec.key, name=spec.name, journey=journey, stage=spec.stage, channel=spec.channel,
            owner_team=spec.team))
        touchpoints[spec.key] = touchpoint.id
        touchpoint.position = len(touchpoints)
        touchpoint.designed_emotion = DESIGNED_EMOTIONS.get(spec.key)
        touchpoint.event_kinds = list(EVENT_KINDS.get(spec.key, ()))
    for segment in SEGMENTS:
        create_segment(session, SegmentIn(
            key=segment.key, name=segment.name, kind=segment.kind, description=segment.description,
            rule=[SegmentCondition(attribute=a, op=op, value=v) for a, op, v in segment.rule]))
    surveys, versions = {}, {}
    for survey_spec in SURVEYS:
        questions = default_questions(survey_spec.kind)
        if survey_spec.key == CX_SURVEY:  # the rated question, the CX items, the comment
            questions = [questions[0], *cx_questions(), *questions[1:]]
        survey = create_survey(session, SurveyIn(
            key=survey_spec.key, name=survey_spec.name, kind=survey_spec.kind, touchpoint=survey_spec.touchpoint,
            languages=["en", "zh"], questions=questions,
            options=SurveyOptions(ideas_url=DEMO_IDEAS_URL) if survey_spec.kind in ("nps", "csat") else None))
        surveys[survey_spec.key] = survey.id
        versions[survey_spec.key] = current_version(session, survey).id
    return Company(start, span_days, touchpoints, surveys, versions)


def _enrich_text(session: Session, report: Progress, batch: int = 2_000) -> None:
    """Enrich every comment now, in bulk (the same code as the ingest jobs, without the queue)."""
    from centric.demo.themes import add_hotel_themes
    from centric.text import enrich_many
    from centric.themes.enrichment import write_enrichments
    from centric.themes.taxonomy import current_taxonomy

    add_hotel_themes(session)
    current = current_taxonomy(session)
    rows = session.execute(select(Feedback.id, Feedback.text).order_by(Feedback.id)).all()
    report("text", 0, len(rows))
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        results = enrich_many([text for _, text in chunk], current.taxonomy)
        write_enrichments(session, [(item_id, r) for (item_id, _), r in zip(chunk, results, strict=True)], current)
        report("text", min(start + batch, len(rows)), len(rows))


def _score_customers(session: Session) -> None:
    """Each guest's CLV and churn risk from their bookings (alert rules and case priorities read them)."""
    from centric.insights.value import purchases_from_events, score_customer_values

    log = purchases_from_events(session)
    if len(np.unique(log.customer_ids)) >= 500:  # fewer buyers fit unstable models: priorities use severity
        score_customer_values(session, log)


#: What the demo chats add to the summary's counts: table models by summary field.
CHAT_COUNTED: dict[str, Any] = {"customers": Customer, "identities": Identity, "events": Event,
                                "responses": Response, "answers": Answer, "feedback": Feedback}


def _counts(session: Session, models: dict[str, Any]) -> dict[str, int]:
    return {name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in models.items()}


def _added(session: Session, models: dict[str, Any], before: dict[str, int]) -> dict[str, int]:
    return {name: count - before[name] for name, count in _counts(session, models).items()}


def _next_id(session: Session, table: Table) -> int:
    return (session.scalar(select(func.max(table.c.id))) or 0) + 1


def _simulate(session: Session, company: Company, customers: int, seed: int, report: Progress) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    writer = CommentWriter(int(rng.integers(0, 2**62)))
    counters = Counters(customer=_next_id(session, Customer.__table__), response=_next_id(session, Response.__table__))
    numbers = np.stack([rng.permutation(customers) for _ in range(4)])
    rules = [(segment_id, rule) for segment_id, rule in session.execute(select(Segment.id, Segment.rule)) if rule]
    totals = dict.fromkeys(("segment_members", "customers", "identities", "events", "purchases", "responses",
                            "answers", "comments", "feedback"), 0)
    report("guests", 0, customers)
    for first in range(0, customers, BLOCK):
        block = _block(rng, company, numbers[:, first:first + BLOCK], counters, writer, rules)
        for table, rows in ((Customer.__table__, block.customers), (Identity.__table__, block.identities),
                            (CustomerSegment.__table__, block.memberships), (Event.__table__, block.events),
                            (Response.__table__, block.responses), (Answer.__table__, block.answers),
                            (Feedback.__table__, block.feedback)):
            _write(session, table, rows)
        # History, announced like an import: one event per block. Rollups are rebuilt and
        # comments enriched in one pass at the end, which is faster than the live reactions.
        publish(session, ResponsesStored(tuple(row["id"] for row in block.responses), imported=True))
        for name in ("customers", "identities", "memberships", "events", "responses", "answers", "feedback"):
            totals["segment_members" if name == "memberships" else name] += len(getattr(block, name))
        totals["purchases"] += block.purchases
        totals["comments"] += block.comments
        report("guests", min(first + BLOCK, customers), customers)
    return totals


def _block(rng: np.random.Generator, company: Company, numbers: np.ndarray, counters: Counters,
           writer: CommentWriter, rules: list[tuple[int, list[dict[str, Any]]]]) -> BlockRows:
    """Simulate one block of guests and everything they did; returns the rows to write."""
    guests = make_guests(rng, numbers, counters.customer, company.start, company.span_days)
    counters.customer += len(guests.ids)
    bookings = make_bookings(rng, guests, company.span_days, counters.booking)
    counters.booking += len(bookings.t)
    contacts = make_contacts(rng, guests, bookings, company.span_days, counters.contact)
    counters.contact += len(contacts.t)
    visits = browsing_visits(rng, guests, company.span_days)
    scored = make_responses(rng, guests, bookings, contacts, company.start, company.span_days)
    rows = BlockRows(customers=guests.customers, identities=guests.identities, purchases=len(bookings.t))
    rows.memberships = [{"customer_id": c["id"], "segment_id": segment_id}
                        for c in guests.customers for segment_id, rule in rules if matches_rule(c["attributes"], rule)]
    rows.events = event_rows(rng, company, guests, bookings, contacts, visits, counters)
    response_rows(rng, company, guests, scored, writer, counters, rows)
    rows.feedback += contact_rows(rng, company, guests, contacts, writer)
    rows.feedback += review_rows(rng, company, guests, bookings, writer, counters)
    rows.feedback += social_rows(rng, company, guests, writer, counters)
    return rows


def _write(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Multi-row Core inserts; PostgreSQL gets COPY, several times faster than INSERTs."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        for offset in range(0, len(rows), CHUNK):
            session.execute(table.insert(), rows[offset:offset + CHUNK])
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    raw = session.connection().connection.driver_connection
    assert raw is not None  # a checked-out connection always has its driver (psycopg) connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                            for v in (row[c] for c in columns)])


def _advance_sequences(session: Session, tables: tuple[str, ...]) -> None:
    """PostgreSQL: rows inserted with explicit ids leave the id sequence behind; catch it up."""
    for table in tables:
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            f" WHERE EXISTS (SELECT 1 FROM {table})"))
