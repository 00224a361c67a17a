"""Journey steps and paths maintained from the event log; funnel, paths, timing and drop-off over them."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from centric.cli.main import app as cli
from centric.config import Settings
from centric.customers.models import Customer, CustomerSegment, Segment
from centric.customers.service import merge_customers, undo_merge
from centric.journeys import analytics, funnels
from centric.journeys.models import Journey, JourneyPath, JourneyStep, Touchpoint
from centric.journeys.schemas import EventIn, JourneyIn, StageIn, TouchpointIn
from centric.journeys.service import create_journey, create_touchpoint, record_event
from centric.stats.funnel import funnel_counts, progression
from centric.web.app import create_app
from tests.api.conftest import auth
from tests.factories import make_user

T0 = datetime(2024, 3, 1, 9, 0)
STAGES = ("look", "book", "stay", "review")
CHANNELS = {"look": "web", "book": "app", "stay": "front desk", "review": "email"}


def make_booking_journey(session) -> int:
    """Four stages, one touchpoint each; "review" also takes events of kind ``review`` without a touchpoint."""
    journey = create_journey(session, JourneyIn(key="booking", name="Booking", stages=[
        StageIn(key=k, name=k.title()) for k in STAGES]))
    journey.conversion_window_days = 10
    for key in STAGES:
        create_touchpoint(session, TouchpointIn(key=f"tp-{key}", name=key, journey="booking", stage=key,
                                                channel=CHANNELS[key]))
    session.execute(update(Touchpoint).where(Touchpoint.key == "tp-review").values(event_kinds=["review"]))
    return journey.id


def event(session, email: str, stage: str | None, hours: float, kind: str = "visit") -> None:
    record_event(session, EventIn(customer={"email": email}, kind=kind, touchpoint=f"tp-{stage}" if stage else None,
                                  occurred_at=T0 + timedelta(hours=hours)))


def rows(session, journey_id: int) -> tuple[set, set]:
    paths = {(c, p, s, e, ch) for c, p, s, e, ch in session.execute(
        select(JourneyPath.customer_id, JourneyPath.path, JourneyPath.steps, JourneyPath.entered_at,
               JourneyPath.entry_channel).where(JourneyPath.journey_id == journey_id))}
    steps = {(c, k, r, round(d, 3) if d is not None else None) for c, k, r, d in session.execute(
        select(JourneyStep.customer_id, JourneyStep.step, JourneyStep.reached_at, JourneyStep.since_previous_s)
        .where(JourneyStep.journey_id == journey_id))}
    return paths, steps


def customer_id(session, email: str) -> int:
    from centric.customers.models import Identity
    return session.scalar(select(Identity.customer_id).where(Identity.value == email))


def test_ingest_keeps_steps_and_paths(db):
    with db.transaction() as s:
        journey_id = make_booking_journey(s)
        event(s, "ann@example.com", "book", 0)      # before entering: in the path, not a step
        event(s, "ann@example.com", "look", 1)
        event(s, "ann@example.com", "book", 3)
        event(s, "ann@example.com", None, 4, kind="stay")  # no touchpoint, kind not mapped: outside the journey
        event(s, "ann@example.com", "stay", 30)
        event(s, "ann@example.com", None, 48, kind="review")  # placed at "review" by its kind
        event(s, "bob@example.com", "book", 2)
    with db.transaction() as s:
        ann, bob = customer_id(s, "ann@example.com"), customer_id(s, "bob@example.com")
        paths, steps = rows(s, journey_id)
        assert paths == {(ann, "book>look>stay>review", 4, T0 + timedelta(hours=1), "web"),
                         (bob, "book", 0, T0 + timedelta(hours=2), "app")}
        assert sorted((k, r, d) for c, k, r, d in steps if c == ann) == [
            (1, T0 + timedelta(hours=1), None), (2, T0 + timedelta(hours=3), 7200.0),
            (3, T0 + timedelta(hours=30), 27 * 3600.0), (4, T0 + timedelta(hours=48), 18 * 3600.0)]
        assert not [row for row in steps if row[0] == bob]
        # a late review, outside the 10-day window of ann's entry, changes nothing; a new customer appears
        event(s, "cat@example.com", "look", 5)
        event(s, "cat@example.com", "book", 5 + 24 * 11)
    with db.transaction() as s:
        result = funnels.funnel(s, journey_id)
        assert (result.entrants, result.not_entered) == (2, 1)
        assert [r.customers for r in result.stages] == [2, 1, 1, 1]
        assert result.stages[1].conversion_from_previous == 0.5 and result.stages[1].dropped == 1


def test_rows_follow_merges_and_undos(db):
    with db.transaction() as s:
        journey_id = make_booking_journey(s)
        event(s, "ann@example.com", "look", 0)
        event(s, "ann.work@example.com", "book", 5)
        event(s, "ann.work@example.com", "stay", 6)
    with db.transaction() as s:
        ann, work = customer_id(s, "ann@example.com"), customer_id(s, "ann.work@example.com")
        assert {(c, p, n) for c, p, n, *_ in rows(s, journey_id)[0]} == {(ann, "look", 1), (work, "book>stay", 0)}
        merge = merge_customers(s, s.get(Customer, ann), s.get(Customer, work), reason="same person")
        merge_id = merge.id
    with db.transaction() as s:
        assert {(c, p, n) for c, p, n, *_ in rows(s, journey_id)[0]} == {(ann, "look>book>stay", 3)}
        undo_merge(s, merge_id)
    with db.transaction() as s:
        assert {(c, p, n) for c, p, n, *_ in rows(s, journey_id)[0]} == {(ann, "look", 1), (work, "book>stay", 0)}


def random_log(seed: int, customers: int = 40, events: int = 300) -> list[tuple[str, str | None, float, str]]:
    rng = random.Random(seed)
    log = []
    for _ in range(events):
        email = f"c{rng.randrange(customers)}@example.com"
        stage = rng.choice((*STAGES, None))
        kind = "review" if stage is None and rng.random() < 0.5 else "visit"
        log.append((email, stage, rng.uniform(0, 24 * 25), kind))
    return log


def test_sql_reports_equal_the_pure_computation_and_rebuild_equals_incremental(db):
    log = random_log(7)
    with db.transaction() as s:
        journey_id = make_booking_journey(s)
        segment = Segment(key="gold", name="Gold")
        s.add(segment)
        s.flush()
        for email, stage, hours, kind in log:
            event(s, email, stage, hours, kind)
        for c in {customer_id(s, e) for e, *_ in log if int(e[1:].split("@")[0]) % 3 == 0}:
            s.add(CustomerSegment(customer_id=c, segment_id=segment.id))
    # the same funnel, straight from the log
    by_customer: dict[str, list[tuple[int, float]]] = {}
    for email, stage, hours, kind in log:
        index = STAGES.index(stage) if stage else (3 if kind == "review" else None)
        if index is not None:
            by_customer.setdefault(email, []).append((index, hours * 3600.0))
    runs = {e: progression(events, 4, 10 * 86_400.0) for e, events in by_customer.items()}
    expected = funnel_counts([r.depth for r in runs.values()], 4)
    with db.transaction() as s:
        incremental = rows(s, journey_id)
        result = funnels.funnel(s, journey_id)
        assert [r.customers for r in result.stages] == expected
        assert result.not_entered == sum(1 for r in runs.values() if r.depth == 0)
        for top in (0, 1, 3, 50):
            listed = funnels.paths(s, journey_id, top)
            assert [sum(p.customers for p in listed if p.steps >= k) for k in range(1, 5)] == expected
        expected_paths = Counter((">".join(STAGES[i] for i in r.path), r.depth) for r in runs.values() if r.depth)
        assert {(p.path, p.steps): p.customers for p in funnels.paths(s, journey_id, 50)} == dict(expected_paths)
        gold = {e for e in runs if int(e[1:].split("@")[0]) % 3 == 0}
        gold_funnel = funnels.funnel(s, journey_id, funnels.JourneyFilter(segment="gold"))
        assert [r.customers for r in gold_funnel.stages] == funnel_counts([runs[e].depth for e in gold], 4)
        by_segment = funnels.dropoff(s, journey_id, "segment")
        assert [(d.group, d.reached) for d in by_segment] == [("gold", [r.customers for r in gold_funnel.stages])]
        by_channel = funnels.dropoff(s, journey_id, "channel")
        assert [d.group for d in by_channel] == ["web"] and by_channel[0].reached == expected
        durations = [b.at - a.at for r in runs.values() for a, b in zip(r.steps, r.steps[1:], strict=False)
                     if b.step == 2]
        timing = funnels.timing(s, journey_id)
        assert timing.transitions[0].customers == len(durations) == expected[1]
        if durations:
            import numpy as np
            assert abs(timing.transitions[0].median_s - float(np.median(durations))) <= 3600.0
        assert analytics.rebuild(s, journey_id) == len(by_customer)
    with db.transaction() as s:
        assert rows(s, journey_id) == incremental
        # changing the window and rebuilding gives the funnel of the new window
        s.get(Journey, journey_id).conversion_window_days = 1
        analytics.rebuild(s)
        narrow = funnel_counts([progression(ev, 4, 86_400.0).depth for ev in by_customer.values()], 4)
        assert [r.customers for r in funnels.funnel(s, journey_id).stages] == narrow


def test_api_and_cli_answer(db):
    with db.transaction() as s:
        journey_id = make_booking_journey(s)
        for email, stage, hours, kind in random_log(3, customers=12, events=60):
            event(s, email, stage, hours, kind)
        from centric.accounts.service import create_token
        viewer = create_token(s, make_user(s, "viewer"), "tests")[1]
    with TestClient(create_app(Settings(database_url=db.url, job_workers=0), db)) as client:
        h = auth(viewer)
        base = f"/api/v1/journeys/{journey_id}"
        funnel = client.get(f"{base}/funnel", headers=h).json()
        reached = [st["customers"] for st in funnel["stages"]]
        paths = client.get(f"{base}/paths?top=2", headers=h).json()
        assert paths["total"] == len(paths["items"]) and len([p for p in paths["items"] if not p["other"]]) <= 2
        assert [sum(p["customers"] for p in paths["items"] if p["steps"] >= k) for k in range(1, 5)] == reached
        timing = client.get(f"{base}/timing", headers=h).json()
        assert [t["to_stage"] for t in timing["transitions"]] == ["book", "stay", "review"]
        channel = client.get(f"{base}/dropoff?by=channel&start=2024-01-01&end=2024-12-31", headers=h).json()
        assert channel["items"][0]["reached"] == reached
        assert client.get(f"{base}/funnel?start=2030-01-01", headers=h).json()["entrants"] == 0
        assert client.get("/api/v1/journeys/999/funnel", headers=h).status_code == 404
        assert client.get(f"{base}/dropoff?by=age", headers=h).status_code == 422
        assert client.get(f"{base}/funnel?segment=nobody", headers=h).status_code == 422
        assert client.get(f"{base}/funnel?start=2024-02-01&end=2024-01-01", headers=h).status_code == 422
        assert client.get(f"{base}/paths?top=-1", headers=h).status_code == 422
        assert client.get(f"{base}/funnel").status_code == 401
        page = client.get(f"/journeys/{journey_id}/analytics?channel=web", headers=h)
        assert page.status_code == 200 and "Funnel" in page.text and "Book" in page.text
        assert client.get("/journeys/999/analytics", headers=h).status_code == 404
    runner = CliRunner()
    out = runner.invoke(cli, ["--database-url", db.url, "journeys", "funnel", "booking", "--json"])
    assert out.exit_code == 0, out.output
    assert [st["customers"] for st in json.loads(out.output)["stages"]] == reached
    out = runner.invoke(cli, ["--database-url", db.url, "journeys", "paths", "booking", "--top", "2", "--json"])
    assert [p["customers"] for p in json.loads(out.output)] == [p["customers"] for p in paths["items"]]
    assert "median" in runner.invoke(cli, ["--database-url", db.url, "journeys", "timing", "booking"]).output
    out = runner.invoke(cli, ["--database-url", db.url, "journeys", "rebuild", "booking"])
    assert out.exit_code == 0 and "rebuilt the journeys of" in out.output
    assert runner.invoke(cli, ["--database-url", db.url, "journeys", "funnel", "nope"]).exit_code == 2
