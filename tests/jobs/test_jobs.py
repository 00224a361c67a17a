"""The job table and in-process workers: enqueue in a transaction, retries, parking, restarts."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from centric.cli.main import app as cli
from centric.config import Settings
from centric.db import utcnow
from centric.errors import Conflict
from centric.jobs import JobContext, LocalWorker, enqueue, task
from centric.jobs import service as jobs
from centric.jobs.models import Job
from tests.jobs.waiting import eventually

SEEN: list[tuple[str, dict]] = []
FLAKY: dict[str, int] = {}


@task("test.record")
def record(context: JobContext, payload: dict) -> None:
    SEEN.append(("record", payload))


@task("test.flaky", max_attempts=3)
def flaky(context: JobContext, payload: dict) -> None:
    FLAKY[payload["key"]] = FLAKY.get(payload["key"], 0) + 1
    if FLAKY[payload["key"]] <= payload["failures"]:
        raise ConnectionError(f"target down (attempt {context.attempt})")


def fast(**overrides) -> Settings:  # type: ignore[no-untyped-def]
    values = {"job_retry_base_s": 0.01, "job_retry_max_s": 0.05, "job_poll_s": 0.02, "job_workers": 2}
    return Settings(**(values | overrides))


def test_jobs_commit_with_the_caller_and_run_once_per_key(db):
    SEEN.clear()
    with db.transaction() as s:
        first = enqueue(s, "test.record", {"n": 1}, idempotency_key="k1")
        again = enqueue(s, "test.record", {"n": 2}, idempotency_key="k1")
        assert again.id == first.id
    with pytest.raises(RuntimeError), db.transaction() as s:
        enqueue(s, "test.record", {"n": 3})
        raise RuntimeError("the caller's use-case failed")
    ran = LocalWorker(db, fast()).run_due()
    assert ran == 1 and SEEN == [("record", {"n": 1})]
    with db.reader() as s:
        assert [j.status for j in jobs.list_jobs(s)] == ["done"]


def test_a_delayed_job_waits_for_its_time(db):
    with db.transaction() as s:
        job_id = enqueue(s, "test.record", {"n": "later"}, delay_s=3600).id
    worker = LocalWorker(db, fast())
    assert worker.run_due() == 0
    with db.transaction() as s:
        s.get(Job, job_id).run_at = utcnow() - timedelta(seconds=1)
    assert worker.run_due() == 1


def test_failures_back_off_exponentially_then_park_and_can_be_retried(db):
    with db.transaction() as s:
        job_id = enqueue(s, "test.flaky", {"key": f"park-{db.dialect}", "failures": 10}).id
    done = threading.Event()
    worker = LocalWorker(db, fast(), on_outcome=lambda jid, outcome: outcome == "failed" and done.set()).start()
    try:
        assert done.wait(15)
    finally:
        worker.stop()
    with db.reader() as s:
        job = jobs.get_job(s, job_id)
        assert (job.status, job.attempts, job.max_attempts) == ("failed", 3, 3)
        assert "ConnectionError: target down (attempt 3)" in job.last_error
        assert jobs.list_jobs(s, status="failed")[0].id == job_id
    assert jobs.backoff_s(1, 10, 3600) == 10 and jobs.backoff_s(4, 10, 3600) == 80 and jobs.backoff_s(20, 10, 60) == 60

    FLAKY[f"park-{db.dialect}"] = 100  # the target is back
    with db.transaction() as s:
        jobs.retry(s, job_id)
        with pytest.raises(Conflict):
            jobs.retry(s, job_id)
    assert LocalWorker(db, fast()).run_due() == 1
    with db.reader() as s:
        assert jobs.get_job(s, job_id).status == "done"


def test_a_job_whose_worker_died_is_taken_again(db):
    """At-least-once: a job left running by a crashed worker runs after its lease ends."""
    SEEN.clear()
    with db.transaction() as s:
        job_id = enqueue(s, "test.record", {"n": "orphan"}).id
    with db.transaction() as s:
        assert jobs.claim(s, job_id, "crashed-worker", lease_s=300) is not None
    worker = LocalWorker(db, fast())
    assert worker.run_due() == 0  # still leased
    with db.transaction() as s:
        s.get(Job, job_id).locked_until = utcnow() - timedelta(seconds=1)
    assert worker.run_due() == 1
    assert SEEN == [("record", {"n": "orphan"})]


def test_worker_threads_run_many_jobs_each_once(db):
    SEEN.clear()
    with db.transaction() as s:
        for n in range(30):
            enqueue(s, "test.record", {"n": n})
    worker = LocalWorker(db, fast(job_workers=4)).start()
    try:
        eventually(lambda: len(SEEN) >= 30, what="30 jobs")
    finally:
        worker.stop()
    assert sorted(p["n"] for _, p in SEEN) == list(range(30))


def test_unknown_tasks_are_parked_at_once(db):
    with db.transaction() as s:
        job_id = enqueue(s, "test.nobody-knows", {}).id
    LocalWorker(db, fast()).run_due()
    with db.reader() as s:
        job = jobs.get_job(s, job_id)
    assert job.status == "failed" and job.attempts == 1 and "unknown task" in job.last_error


def test_cli_lists_failed_jobs_and_retries_them(sqlite_db):
    with sqlite_db.transaction() as s:
        job_id = enqueue(s, "test.nobody-knows", {"x": 1}).id
    LocalWorker(sqlite_db, fast()).run_due()
    runner = CliRunner()
    url = ["--database-url", sqlite_db.url]
    listed = runner.invoke(cli, [*url, "jobs", "list", "--failed", "--json"])
    assert listed.exit_code == 0, listed.output
    assert '"status": "failed"' in listed.output and "unknown task" in listed.output
    retried = runner.invoke(cli, [*url, "jobs", "retry", str(job_id)])
    assert retried.exit_code == 0 and "queued again" in retried.output
    again = runner.invoke(cli, [*url, "jobs", "retry", str(job_id)])
    assert again.exit_code == 2 and "only failed jobs" in again.output
    missing = runner.invoke(cli, [*url, "jobs", "show", "999"])
    assert missing.exit_code == 2 and "not found" in missing.output


def test_api_lists_and_retries_jobs(client, tokens, db):
    from tests.api.conftest import auth

    with db.transaction() as s:
        job_id = enqueue(s, "test.nobody-knows", {}).id
    LocalWorker(db, fast()).run_due()
    failed = client.get("/api/v1/jobs?status=failed", headers=auth(tokens["manager"]))
    assert failed.status_code == 200 and failed.json()["items"][0]["id"] == job_id and failed.json()["total"] == 1
    assert client.get("/api/v1/jobs", headers=auth(tokens["analyst"])).status_code == 403
    assert client.get("/api/v1/jobs?status=nonsense", headers=auth(tokens["admin"])).status_code == 422
    assert client.get("/api/v1/jobs/counts", headers=auth(tokens["admin"])).json()["failed"] == 1
    retried = client.post(f"/api/v1/jobs/{job_id}/retry", headers=auth(tokens["admin"]))
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    assert client.post(f"/api/v1/jobs/{job_id}/retry", headers=auth(tokens["admin"])).status_code == 409
    assert client.get("/api/v1/jobs/12345", headers=auth(tokens["admin"])).status_code == 404


def test_processes_racing_on_one_key_share_the_winners_job(pg_db):
    """A second transaction inserting the same key waits for the first and goes on with its job, unharmed."""
    first = pg_db.sessions()
    first.begin()
    winner = enqueue(first, "test.record", {"n": "first"}, idempotency_key="race")
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            with pg_db.transaction() as s:
                outcome["id"] = enqueue(s, "test.record", {"n": "second"}, idempotency_key="race").id
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            outcome["error"] = exc

    racer = threading.Thread(target=second)
    racer.start()

    def second_waits_on_the_first() -> bool:
        with pg_db.reader() as s:
            return bool(s.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                      "AND wait_event_type = 'Lock'")))

    eventually(second_waits_on_the_first, what="the second insert to wait on the first's key")
    first.commit()
    first.close()
    racer.join(10)
    assert outcome == {"id": winner.id}
    with pg_db.reader() as s:
        assert [(j.id, j.payload) for j in jobs.list_jobs(s)] == [(winner.id, {"n": "first"})]
