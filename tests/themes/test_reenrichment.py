"""Automatic re-enrichment after a version change: batches, resuming, no duplicate runs, visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from centric.cli.main import app as cli
from centric.db import utcnow
from centric.feedback.models import Feedback
from centric.jobs.models import Job
from centric.themes import enrichment, taxonomy
from centric.themes.enrichment import (
    REENRICH_TASK,
    enrich_items,
    load_state,
    reenrich_if_stale,
    reenrichment_status,
    schedule_reenrichment,
    start_reenrichment,
)
from centric.themes.taxonomy import current_taxonomy
from tests.api.conftest import auth
from tests.api.test_pages import login
from tests.themes.conftest import add_items, run_jobs

TEXTS = ["Flight delayed again, no info at the gate", "Lovely staff, thank you", "Refund still missing after 3 weeks",
         "快递转了好几次都没人管", "Can you change my booking to Friday?"]
NEW_MODEL = "centric-sentiment-9+feedbeef/rules-9"


@pytest.fixture
def enriched(db) -> list[int]:
    """Five items enriched with today's version."""
    with db.transaction() as s:
        ids = add_items(s, TEXTS)
        assert enrich_items(s, ids).enriched == len(TEXTS)
    return ids


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """Every text enriched, in order, so tests can tell redone work from new work."""
    seen: list[int] = []
    real = enrichment.enrich_many

    def counting(texts, taxonomy=None, *args, **options):  # type: ignore[no-untyped-def]
        seen.extend(TEXTS.index(t) for t in texts)
        return real(texts, taxonomy, *args, **options)

    monkeypatch.setattr(enrichment, "enrich_many", counting)
    return seen


def _new_model(monkeypatch, batch: int = 2) -> None:  # type: ignore[no-untyped-def]
    """A new model or rules version, as an upgrade brings; small batches to see several."""
    monkeypatch.setattr(taxonomy, "model_version", lambda mode="fast": NEW_MODEL)
    monkeypatch.setattr(enrichment, "BATCH", batch)


def _runs(session) -> list[Job]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Job).where(Job.name == REENRICH_TASK).order_by(Job.id)))


def _versions(session, ids) -> set[str | None]:  # type: ignore[no-untyped-def]
    return {session.get(Feedback, i).text_version for i in ids}


def test_a_new_model_re_enriches_every_item_in_batches_by_itself(db, enriched, counted, monkeypatch):
    start_reenrichment(db)  # nothing stale: nothing queued
    with db.reader() as s:
        assert _runs(s) == []
    _new_model(monkeypatch)
    start_reenrichment(db)  # what a worker or the web app does when it starts
    with db.reader() as s:
        version = current_taxonomy(s).version
        assert version.startswith(NEW_MODEL) and len(_runs(s)) == 1
        status = reenrichment_status(s)
        assert (status.total, status.current, status.stale, status.job_status) == (5, 0, 5, "queued")
    run_jobs(db)
    with db.reader() as s:
        assert _versions(s, enriched) == {version}
        jobs = _runs(s)
        assert [j.status for j in jobs] == ["done"] * 4  # batches of 2, 2, 1, and the one that found none left
        assert [j.payload["after"] for j in jobs] == [0, enriched[1], enriched[3], enriched[4]]
        state = load_state(s)
        assert (state.version, state.run, state.done, state.enriched, state.failed) == (version, 1, True, 5, 0)
        item = s.get(Feedback, enriched[0])
        assert item.text_version == version and item.enrichment["emotions"]  # rules-2 cues ran again
        status = reenrichment_status(s)
        assert (status.current, status.stale, status.job_id) == (5, 0, None)
        assert status.label.startswith("model centric-sentiment-9+feedbeef · rules-9 · taxonomy ")
    assert sorted(counted) == [0, 1, 2, 3, 4]  # each item once
    start_reenrichment(db)
    with db.reader() as s:
        assert len(_runs(s)) == 4  # all current: no new run


def test_an_interrupted_batch_is_run_again_and_the_run_resumes_at_its_cursor(db, enriched, counted, monkeypatch):
    _new_model(monkeypatch)
    real = enrichment.enrich_items
    broken = {"on": True}

    def crashing(session, ids, current=None, **kw):  # type: ignore[no-untyped-def]
        result = real(session, ids, current, **kw)
        if ids[0] == enriched[2] and broken["on"]:
            raise RuntimeError("worker lost mid-batch")  # after writing: the transaction must undo it
        return result

    monkeypatch.setattr(enrichment, "enrich_items", crashing)
    with db.transaction() as s:
        schedule_reenrichment(s)
    run_jobs(db)  # the second batch fails on every attempt and is parked
    with db.reader() as s:
        version = current_taxonomy(s).version
        jobs = _runs(s)
        assert [(j.status, j.attempts) for j in jobs] == [("done", 1), ("failed", jobs[1].max_attempts)]
        assert "worker lost mid-batch" in jobs[1].last_error
        assert _versions(s, enriched[:2]) == {version}
        assert version not in _versions(s, enriched[2:])  # the failed batch's writes were rolled back
        assert load_state(s).cursor == enriched[1]
        assert reenrichment_status(s).job_id is None
    broken["on"] = False
    with db.transaction() as s:
        resumed = reenrich_if_stale(s)  # the next start-up (or `centric text reenrich --queue`)
        assert resumed is not None and resumed.id == jobs[1].id and resumed.status == "queued"
    run_jobs(db)
    with db.reader() as s:
        assert _versions(s, enriched) == {version}
        assert [j.status for j in _runs(s)] == ["done"] * 4
        assert load_state(s).enriched == 5
    assert counted.count(0) == 1 and counted.count(1) == 1  # the first batch was not redone
    assert counted.count(2) == jobs[1].max_attempts + 1  # every lost attempt, and the one that stuck


def test_triggers_while_a_run_is_active_do_not_start_another(db, enriched, counted, monkeypatch):
    _new_model(monkeypatch)
    with db.transaction() as s:
        first = schedule_reenrichment(s)
        assert schedule_reenrichment(s).id == first.id  # twice in one transaction
    start_reenrichment(db)
    start_reenrichment(db)  # two workers starting
    with db.transaction() as s:
        assert schedule_reenrichment(s).id == first.id
        assert len(_runs(s)) == 1
    run_jobs(db, rounds=1)
    with db.reader() as s:
        assert len(_runs(s)) == 4
    assert sorted(counted) == [0, 1, 2, 3, 4]


def test_a_second_trigger_mid_run_continues_the_same_chain(db, enriched, counted, monkeypatch):
    _new_model(monkeypatch)
    with db.transaction() as s:
        job = schedule_reenrichment(s)
        enrichment.reenrich_batch(s, job.payload)  # a worker ran the first batch ...
        s.execute(update(Job).where(Job.id == job.id).values(status="done"))
    with db.transaction() as s:
        again = schedule_reenrichment(s)  # ... when someone asks again
        assert again.payload["after"] == enriched[1] and len(_runs(s)) == 2
    run_jobs(db)
    with db.reader() as s:
        assert _versions(s, enriched) == {current_taxonomy(s).version}
    assert sorted(counted) == [0, 1, 2, 3, 4]


def test_a_run_queued_for_an_older_version_adopts_the_current_one(db, enriched, monkeypatch):
    _new_model(monkeypatch)
    with db.transaction() as s:
        schedule_reenrichment(s)
    monkeypatch.setattr(taxonomy, "model_version", lambda mode="fast": "centric-sentiment-10+cafe/rules-10")
    with db.transaction() as s:
        assert len(_runs(s)) == 1 and schedule_reenrichment(s).payload["version"].startswith(NEW_MODEL)
    run_jobs(db)
    with db.reader() as s:
        assert _versions(s, enriched) == {current_taxonomy(s).version}
        assert current_taxonomy(s).version.startswith("centric-sentiment-10+cafe/rules-10")
        state = load_state(s)
        assert state.run == 2 and state.done  # the queued run found itself superseded and started over


def test_a_stray_job_of_another_run_leaves_the_run_underway_alone(db, enriched, counted, monkeypatch):
    _new_model(monkeypatch)
    with db.transaction() as s:
        job = schedule_reenrichment(s)
        stray = {**job.payload, "run": job.payload["run"] + 7}
        assert enrichment.reenrich_batch(s, stray) is None
        assert load_state(s).cursor == 0 and counted == []
    run_jobs(db)
    assert sorted(counted) == [0, 1, 2, 3, 4]


def test_an_old_style_job_without_payload_still_works(db, enriched, monkeypatch):
    _new_model(monkeypatch, batch=500)
    with db.transaction() as s:
        enrichment.enqueue(s, REENRICH_TASK, {})
    run_jobs(db)
    with db.reader() as s:
        assert _versions(s, enriched) == {current_taxonomy(s).version}


def test_status_and_item_versions_are_visible(db, client, tokens, enriched, monkeypatch):
    with db.transaction() as s:
        customer_item = add_items(s, ["The app crashes every time"], customer_id=None)[0]
    status = client.get("/api/v1/text/status", headers=auth(tokens["viewer"]))
    assert status.status_code == 200
    body = status.json()
    assert (body["total"], body["current"], body["never"], body["failed"]) == (6, 5, 1, 0)
    assert body["label"].startswith("model ") and "rules-2" in body["label"] and body["job_id"] is None
    assert client.get("/api/v1/text/status").status_code == 401
    listed = client.get("/api/v1/feedback", headers=auth(tokens["agent"])).json()["items"]
    mine = next(i for i in listed if i["id"] == enriched[0])
    assert mine["text_version"] and mine["model"].startswith("model ") and " · rules-2 · taxonomy " in mine["model"]
    assert next(i for i in listed if i["id"] == customer_item)["model"] is None
    verbatims = client.get("/api/v1/verbatims", headers=auth(tokens["analyst"]), params={"q": "refund"}).json()
    assert verbatims["items"][0]["model"] == mine["model"]
    detail = client.get(f"/api/v1/verbatims/{enriched[0]}/enrichment", headers=auth(tokens["analyst"])).json()
    assert detail["model"] == mine["model"]
    _new_model(monkeypatch)
    assert client.post("/api/v1/themes/reenrich", headers=auth(tokens["viewer"])).status_code == 403
    first = client.post("/api/v1/themes/reenrich", headers=auth(tokens["analyst"]))
    again = client.post("/api/v1/themes/reenrich", headers=auth(tokens["analyst"]))  # a retried request
    assert first.status_code == again.status_code == 202 and first.json() == again.json()
    with db.transaction() as s:
        job = schedule_reenrichment(s)
        assert job.id == first.json()["job_id"]
    body = client.get("/api/v1/text/status", headers=auth(tokens["viewer"])).json()
    assert (body["current"], body["stale"], body["job_id"], body["job_status"]) == (0, 6, job.id, "queued")
    assert body["run"]["run"] == 1 and not body["run"]["done"]
    assert login(client, "viewer@example.com").status_code == 303
    page = client.get("/themes/taxonomy")
    assert page.status_code == 200 and "Text models" in page.text and "model centric-sentiment-9+feedbeef" in page.text
    assert "0</strong> of 6 items" in page.text and f"(job {job.id})" in page.text


def test_the_customer_timeline_shows_the_model(db, client, tokens):
    made = client.post("/api/v1/feedback", headers=auth(tokens["agent"]), json={
        "text": "Third email about my refund, still nothing", "channel": "email",
        "customer": {"email": "ann@example.com", "name": "Ann"}})
    assert made.status_code == 201
    run_jobs(db)
    customer = made.json()["customer_id"]
    items = client.get(f"/api/v1/customers/{customer}/timeline", headers=auth(tokens["agent"])).json()["items"]
    assert items[0]["model"].startswith("model ") and "rules-2" in items[0]["model"]
    assert login(client, "agent@example.com").status_code == 303
    page = client.get(f"/customers/{customer}")
    assert page.status_code == 200 and items[0]["model"] in page.text


def test_cli_status_and_explicit_trigger(db, enriched, monkeypatch):
    runner = CliRunner()
    base = ["--database-url", db.url, "text"]
    shown = runner.invoke(cli, [*base, "status"])
    assert shown.exit_code == 0 and "5 of 5 (100.0 %)" in shown.output and "none active" in shown.output
    _new_model(monkeypatch)
    queued = runner.invoke(cli, [*base, "reenrich", "--queue"])
    assert queued.exit_code == 0 and "(queued)" in queued.output
    again = runner.invoke(cli, [*base, "reenrich", "--queue"])
    assert again.output == queued.output  # the active run, not a second one
    shown = runner.invoke(cli, [*base, "status", "--json"])
    assert '"current": 0' in shown.output and '"job_status": "queued"' in shown.output


def test_old_failed_items_are_counted_and_retried_by_a_new_run(db, enriched, monkeypatch):
    with db.transaction() as s:
        s.execute(update(Feedback).where(Feedback.id == enriched[0]).values(
            text_version=None, enrichment={"error": "RuntimeError: boom"}, enriched_at=utcnow() - timedelta(days=1)))
        assert reenrichment_status(s).failed == 1
        assert reenrich_if_stale(s) is not None
    run_jobs(db)
    with db.reader() as s:
        status = reenrichment_status(s)
        assert (status.failed, status.current) == (0, 5)
