"""Many processes as one: two ``centric serve`` and two ``centric worker`` on one PostgreSQL and one Redis.

Everything the processes share (rate limits, login throttling, staff sessions, the signing
key, schedules, jobs) lives in the database, so requests spread over both web processes
meet one limit, a session opened on one is valid on the other, and each job runs once
whichever worker takes it. The Redis server is this test's own (a free port, no
persistence), so it can be stopped and started again: while it is down, submissions are
still stored and acknowledged and their jobs wait in the table; when it is back, they run.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from centric.accounts.models import AppSetting
from centric.db import Database, utcnow
from centric.governance.digests import SCHEDULE_TASK as DIGESTS_TASK
from centric.jobs import enqueue
from centric.jobs.models import Job
from centric.jobs.queue import REDISPATCH_S
from centric.mirror.pulses import SCHEDULE_TASK as PULSES_TASK
from centric.privacy.retention import PURGE_TASK
from centric.surveys.models import Response
from centric.surveys.schemas import SurveyIn, SurveyOptions
from centric.surveys.service import create_survey
from tests.conftest import pg_copy
from tests.factories import PASSWORD, make_user
from tests.integration.fleet_worker import RECORD_TASK, RUN_PREFIX
from tests.integration.processes import Fleet, free_port, healthy, log_in
from tests.jobs.waiting import eventually
from tests.surveys.helpers import csrf_of, form_token

pytestmark = pytest.mark.postgres

START_S = 120.0  # a deadline, not a wait: four imports of the app at once on two shared cores can be slow
LIMIT = 4  # the fleet survey's submissions per address and hour
DAILY = (PURGE_TASK, DIGESTS_TASK, PULSES_TASK)  # the schedulers every worker starts


@pytest.fixture(scope="module")
def fleet(pg_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    logs = tmp_path_factory.mktemp("fleet")
    with pg_copy(pg_template) as url:
        db = Database(url)
        with db.transaction() as s:
            make_user(s, "admin", "admin@example.com")
            make_user(s, "analyst", "locked@example.com")
            create_survey(s, SurveyIn(key="fleet", name="Fleet NPS", kind="nps",
                                      options=SurveyOptions(rate_limit_per_hour=LIMIT)))
            create_survey(s, SurveyIn(key="outage", name="Outage NPS", kind="nps"))
        redis_port = free_port()
        env = {**os.environ, "CENTRIC_DATABASE_URL": url, "CENTRIC_QUEUE_URL": f"redis://127.0.0.1:{redis_port}/0",
               "CENTRIC_QUEUE_NAME": f"fleet_{uuid.uuid4().hex[:8]}", "CENTRIC_JOB_POLL_S": "0.05",
               "CENTRIC_SECRET_KEY": "", "CENTRIC_LOGIN_MAX_FAILURES": "3", "PYTHONUNBUFFERED": "1"}
        ports = [free_port(), free_port()]
        running = Fleet(db, [f"http://127.0.0.1:{p}" for p in ports], redis_port, logs, env)
        running.start_redis()
        centric = str(Path(sys.executable).with_name("centric"))
        try:
            for n, port in enumerate(ports):
                running.start(f"web{n}", [centric, "serve", "--host", "127.0.0.1", "--port", str(port)])
            for n in range(2):
                running.start(f"worker{n}", [sys.executable, "-m", "tests.integration.fleet_worker", "worker",
                                             "--threads", "2"])
            for base in running.webs:
                eventually(lambda b=base: running.alive() and healthy(b), timeout=START_S, what=f"{base} to serve")
            for n in range(2):
                eventually(lambda n=n: running.alive() and "taking jobs from" in running.log(f"worker{n}"),
                           timeout=START_S, what=f"worker{n} to start")
            yield running
        finally:
            for process in running.processes:
                process.send_signal(signal.SIGTERM)
            for process in running.processes:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
            if running.broker is not None:
                running.stop_redis()
            db.dispose()


def _count(db: Database, *where) -> int:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(Response).where(*where)) or 0)


def _answer(page_from: str, post_to: str, survey: str) -> int:
    """Open the survey on one process and post the answer to another: the form's signed token is shared."""
    token = form_token(httpx.get(f"{page_from}/s/{survey}").text)
    return httpx.post(f"{post_to}/s/{survey}", data={"f": token, "nps": "8"}).status_code


def test_requests_spread_over_both_processes_meet_one_rate_limit(fleet):
    web0, web1 = fleet.webs
    codes = [_answer(web0 if n % 2 else web1, web1 if n % 2 else web0, "fleet") for n in range(LIMIT + 2)]
    assert codes == [303] * LIMIT + [429, 429]
    assert _count(fleet.db) == LIMIT


def test_failed_logins_on_either_process_lock_the_account_everywhere(fleet):
    web0, web1 = fleet.webs
    codes = [log_in(fleet.webs[n % 2], "locked@example.com", "wrong password").status_code for n in range(3)]
    assert codes == [401, 401, 429]  # CENTRIC_LOGIN_MAX_FAILURES=3, counted across both processes
    for base in (web0, web1):
        refused = log_in(base, "locked@example.com", PASSWORD)  # even the right password waits
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


def test_a_staff_session_opened_on_one_process_is_valid_on_the_other(fleet):
    web0, web1 = fleet.webs
    opened = log_in(web0, "admin@example.com", PASSWORD)
    assert opened.status_code == 303
    cookies = {"centric_session": opened.cookies["centric_session"]}
    assert httpx.get(f"{web1}/api/v1/jobs/counts", cookies=cookies).status_code == 200
    page = httpx.get(f"{web1}/", cookies=cookies)
    closed = httpx.post(f"{web1}/logout", data={"csrf": csrf_of(page.text)}, cookies=cookies)
    assert closed.status_code == 303
    assert httpx.get(f"{web0}/api/v1/jobs/counts", cookies=cookies).status_code == 401


def _jobs(db: Database, *where) -> list[Job]:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return list(s.scalars(select(Job).where(*where).order_by(Job.id)))


def test_each_daily_schedule_runs_once_per_period_across_both_workers(fleet):
    """Both workers schedule the daily jobs at start-up; each day's job is taken once and queues the next day's once."""
    today, tomorrow = utcnow().date(), utcnow().date() + timedelta(days=1)
    for name in DAILY:
        key = f"{name}:{today.isoformat()}"
        done = eventually(lambda k=key: [j for j in _jobs(fleet.db, Job.idempotency_key == k) if j.status == "done"],
                          timeout=30, what=f"today's {name} to run")
        assert [j.attempts for j in done] == [1]
        following = _jobs(fleet.db, Job.idempotency_key == f"{name}:{tomorrow.isoformat()}")
        assert [(j.status, j.attempts) for j in following] == [("queued", 0)]
    assert {j.name for j in _jobs(fleet.db, Job.name.in_(DAILY))} == set(DAILY)
    assert len(_jobs(fleet.db, Job.name.in_(DAILY))) == 2 * len(DAILY)  # today's and tomorrow's, nothing else


def _runs(db: Database) -> dict[str, list[str]]:
    """Job number → the process id of each run of it."""
    with db.reader() as s:
        rows = s.execute(select(AppSetting.key, AppSetting.value).where(AppSetting.key.startswith(RUN_PREFIX))).all()
    runs: dict[str, list[str]] = {}
    for key, pid in rows:
        runs.setdefault(key[len(RUN_PREFIX):].split(":")[0], []).append(pid)
    return runs


def _enqueue_records(db: Database, numbers: range) -> list[int]:
    with db.transaction() as s:
        return [enqueue(s, RECORD_TASK, {"n": n}).id for n in numbers]


def _all_done(db: Database, ids: list[int]) -> bool:
    return all(j.status == "done" for j in _jobs(db, Job.id.in_(ids)))


def test_many_jobs_each_run_exactly_once_on_two_workers(fleet):
    ids = _enqueue_records(fleet.db, range(100, 160))
    eventually(lambda: _all_done(fleet.db, ids), timeout=30, what="60 jobs to run")
    runs = _runs(fleet.db)
    assert {n: len(runs.get(str(n), [])) for n in range(100, 160)} == {n: 1 for n in range(100, 160)}
    assert {j.attempts for j in _jobs(fleet.db, Job.id.in_(ids))} == {1}


def test_without_redis_submissions_are_stored_and_their_jobs_run_when_it_returns(fleet):
    web0, web1 = fleet.webs
    fleet.stop_redis()
    try:
        before = _count(fleet.db)
        assert _answer(web1, web0, "outage") == 303  # acknowledged: the web processes never need the broker
        assert _count(fleet.db) == before + 1
        ids = _enqueue_records(fleet.db, range(200, 210))
        # Both relays tried, failed and said so; the jobs wait in the table.
        for n in range(2):
            eventually(lambda n=n: re.search(r"job relay error", fleet.log(f"worker{n}")), timeout=30,
                       what=f"worker{n}'s relay to meet the outage")
        assert {(j.status, j.attempts) for j in _jobs(fleet.db, Job.id.in_(ids))} == {("queued", 0)}
    finally:
        fleet.start_redis()
    # Well before REDISPATCH_S: a job whose send failed was not left marked as sent.
    eventually(lambda: _all_done(fleet.db, ids), timeout=REDISPATCH_S / 2, what="the jobs to run once Redis is back")
    runs = _runs(fleet.db)
    assert {n: len(runs.get(str(n), [])) for n in range(200, 210)} == {n: 1 for n in range(200, 210)}


def test_a_chat_stream_on_one_process_carries_messages_posted_to_the_other(fleet):
    """The widget's event stream polls the database, so a message stored by any process reaches it."""
    web0, web1 = fleet.webs
    opened = httpx.post(f"{web0}/api/v1/chat/conversations", json={})
    assert opened.status_code == 201, opened.text
    started = opened.json()
    conversation, headers = started["conversation"]["id"], {"X-Chat-Token": started["token"]}
    posted: dict[int, str] = {}
    streamed: set[int] = set()
    with httpx.stream("GET", f"{web1}/api/v1/chat/conversations/{conversation}/events", params={"wait": 25},
                      headers=headers, timeout=30) as stream:
        for line in stream.iter_lines():  # ends after ``wait`` seconds at the latest
            if line == "event: status" and not posted:  # the stream is live: now post to the other process
                # A hand-off (its notice is a message) rather than a question: the bot's first answer
                # loads its sentence encoder, which can take longer than the stream on a busy machine.
                sent = httpx.post(f"{web0}/api/v1/chat/conversations/{conversation}/handoff", headers=headers,
                                  timeout=30)
                assert sent.status_code == 200, sent.text
                posted = {m["id"]: m["author"] for m in sent.json()["messages"]}
            elif line.startswith("id: "):
                streamed.add(int(line[4:]))
            if posted and set(posted) <= streamed:
                break
    assert posted and set(posted) <= streamed  # stored by web0, streamed by web1
