"""Digests go out exactly once per user and period: two workers on Redis, two start-ups, a restart, a crash."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update

from centric.accounts.models import User
from centric.config import Settings
from centric.db import Database, utcnow
from centric.governance import digests
from centric.governance.models import DigestRun, DigestSubscription
from centric.jobs.models import Job
from centric.jobs.queue import QueueBackend, make_broker
from centric.jobs.runner import LocalWorker
from centric.journeys.models import Touchpoint
from centric.web.app import create_app
from tests.factories import make_journey, make_user
from tests.jobs.backends import REDIS
from tests.jobs.waiting import eventually
from tests.outreach.conftest import Mailbox, smtp  # noqa: F401

DIGEST_JOBS = (digests.SCHEDULE_TASK, digests.SEND_TASK)


def _settings(port: int, **extra: object) -> Settings:
    """Weekly digests are due today, so one planning sends both kinds."""
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_s=5, public_url="https://cx.example.com",
                    digest_weekday=utcnow().weekday(), job_retry_base_s=0.01, job_retry_max_s=0.05,
                    job_poll_s=0.02, job_workers=2, **extra)


def _people(db: Database) -> dict[str, str]:
    """Who should get what today: e-mail → frequency (the others get nothing)."""
    with db.transaction() as s:
        make_journey(s)
        make_user(s, "manager", "boss@example.com")  # weekly by default
        owner = make_user(s, "agent", "owner@example.com")  # owns a touchpoint: weekly by default
        s.execute(update(Touchpoint).where(Touchpoint.key == "room").values(owner_user_id=owner.id))
        make_user(s, "agent", "plain@example.com")  # off by default
        daily = make_user(s, "agent", "daily@example.com")
        s.add(DigestSubscription(user_id=daily.id, frequency="daily"))
        quiet = make_user(s, "manager", "quiet@example.com")
        s.add(DigestSubscription(user_id=quiet.id, frequency="off"))
        make_user(s, "viewer", "viewer@example.com")  # off by default
        gone = make_user(s, "manager", "gone@example.com")
        gone.is_active = False
    return {"boss@example.com": "weekly", "owner@example.com": "weekly", "daily@example.com": "daily"}


def _due_digest_jobs_done(db: Database) -> bool:
    with db.reader() as s:
        statuses = set(s.scalars(select(Job.status).where(Job.name.in_(DIGEST_JOBS), Job.run_at <= utcnow())))
    return statuses == {"done"}


def _runs(db: Database) -> dict[str, str]:
    with db.reader() as s:
        return {email: status for email, status in s.execute(
            select(User.email, DigestRun.status).join(User, User.id == DigestRun.user_id))}


def _recipients(mailbox: Mailbox) -> list[str]:
    return sorted(str(m["To"]) for m in mailbox.messages)


@contextmanager
def _two_queue_workers(db: Database, settings: Settings) -> Iterator[None]:
    """Two `centric worker` processes' worth of Dramatiq backends on the same Redis queue."""
    queue = settings.queue_name
    backends = [QueueBackend(db, settings, broker=make_broker(REDIS, namespace=queue), queue_name=queue).start()
                for _ in range(2)]
    try:
        yield
    finally:
        for backend in backends:
            backend.stop()


@pytest.fixture
def redis_queue() -> Iterator[str]:
    queue = f"centric_test_{uuid.uuid4().hex[:10]}"
    yield queue
    client = redis.Redis.from_url(REDIS)
    client.delete(*client.scan_iter(f"{queue}:*"), f"{queue}:__nothing__")


def test_two_workers_on_redis_mail_each_digest_once_also_after_a_restart(db, smtp, redis_queue):  # noqa: F811
    controller, mailbox = smtp
    settings = _settings(controller.port, queue_url=REDIS, queue_name=redis_queue)
    expected = _people(db)
    digests.start_digests(db)  # two processes start up: one planning job for today
    digests.start_digests(db)
    with _two_queue_workers(db, settings):
        eventually(lambda: len(_runs(db)) == len(expected) and _due_digest_jobs_done(db), what="the digests")
    assert _recipients(mailbox) == sorted(expected)
    assert _runs(db) == {email: "sent" for email in expected}
    with db.reader() as s:
        kinds = dict(s.execute(select(User.email, DigestRun.frequency).join(User, User.id == DigestRun.user_id)).all())
        assert kinds == expected
        # the planning queued tomorrow's, once
        tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
        assert s.scalar(select(func.count()).select_from(Job).where(
            Job.idempotency_key == f"{digests.SCHEDULE_TASK}:{tomorrow}")) == 1

    # A restart after the finished jobs were purged, and the broker delivering every send job again.
    with db.transaction() as s:
        s.execute(delete(Job).where(Job.name == digests.SCHEDULE_TASK, Job.run_at <= utcnow()))
        s.execute(update(Job).where(Job.name == digests.SEND_TASK).values(status="queued", dispatched_at=None))
    digests.start_digests(db)
    digests.start_digests(db)
    with _two_queue_workers(db, settings):
        eventually(lambda: _due_digest_jobs_done(db), what="the replanning and the re-delivered sends")
    assert _recipients(mailbox) == sorted(expected)  # nothing new
    assert _runs(db) == {email: "sent" for email in expected}


def test_the_embedded_workers_mail_each_digest_once_and_its_link_unsubscribes(db, smtp):  # noqa: F811
    controller, mailbox = smtp
    settings = _settings(controller.port)
    expected = _people(db)
    digests.start_digests(db)
    digests.start_digests(db)
    workers = [LocalWorker(db, settings, threads=2).start() for _ in range(2)]
    try:
        eventually(lambda: len(_runs(db)) == len(expected) and _due_digest_jobs_done(db), what="the digests")
    finally:
        for worker in workers:
            worker.stop()
    assert _recipients(mailbox) == sorted(expected)

    message = next(m for m in mailbox.messages if m["To"] == "owner@example.com")
    assert message["Subject"].startswith("Your weekly CX digest")
    text = message.get_body(("plain",)).get_content()
    for heading in ("SCORECARD", "NEW CASES", "BREACHED SLAS", "BIGGEST MOVES", "WHAT CUSTOMERS SAID"):
        assert heading in text
    link = str(message["List-Unsubscribe"]).strip("<>")
    assert link.startswith("https://cx.example.com/digest/unsubscribe?token=")
    app = create_app(Settings(database_url=db.url, job_workers=0), db)
    with TestClient(app) as client:
        answer = client.post(urlsplit(link).path + "?" + urlsplit(link).query)
    assert answer.status_code == 200 and "no more digest e-mails" in answer.text
    with db.reader() as s:
        owner = s.scalar(select(User).where(User.email == "owner@example.com"))
        assert owner is not None and digests.frequency_of(s, owner) == "off"


def _one_run(db: Database, settings: Settings) -> tuple[DigestRun, digests.Period]:
    with db.transaction() as s:
        make_user(s, "manager", "boss@example.com")
        [run] = digests.plan_runs(s, settings, utcnow().date())
        s.expunge(run)
    return run, digests.period_of(run.frequency, utcnow().date())


def test_a_run_left_sending_by_a_dead_worker_becomes_unknown_and_is_not_mailed(db, smtp):  # noqa: F811
    controller, mailbox = smtp
    settings = _settings(controller.port)
    run, period = _one_run(db, settings)
    with db.transaction() as s:  # a worker claimed it and died before it could say whether the mail left
        s.execute(update(DigestRun).where(DigestRun.id == run.id).values(status="sending"))
    assert digests.send_run(db, settings, run.id, period.start, period.end) == "unknown"
    assert digests.send_run(db, settings, run.id, period.start, period.end) == "unknown"  # stays so
    assert mailbox.messages == []
    assert _runs(db) == {"boss@example.com": "unknown"}


def test_a_failed_hand_over_returns_the_run_to_pending_and_the_retry_sends_it(db, smtp):  # noqa: F811
    controller, mailbox = smtp
    broken = _settings(1)  # nothing listens on port 1
    run, period = _one_run(db, broken)
    with pytest.raises(OSError):
        digests.send_run(db, broken, run.id, period.start, period.end)
    assert _runs(db) == {"boss@example.com": "pending"}
    settings = _settings(controller.port)
    assert digests.send_run(db, settings, run.id, period.start, period.end) == "sent"
    assert digests.send_run(db, settings, run.id, period.start, period.end) == "sent"  # a second delivery: no mail
    assert _recipients(mailbox) == ["boss@example.com"]
    with db.reader() as s:
        assert s.scalar(select(DigestRun.sent_at).where(DigestRun.id == run.id)) is not None


def test_a_user_who_turned_the_digest_off_or_left_meanwhile_is_skipped(db, smtp):  # noqa: F811
    controller, mailbox = smtp
    settings = _settings(controller.port)
    with db.transaction() as s:
        off = make_user(s, "manager", "off@example.com")
        left = make_user(s, "manager", "left@example.com")
        runs = {r.user_id: r.id for r in digests.plan_runs(s, settings, utcnow().date())}
        digests.set_subscription(s, settings, off, "off", off.id)
        left.is_active = False
    period = digests.period_of("weekly", utcnow().date())
    for run_id in runs.values():
        assert digests.send_run(db, settings, run_id, period.start, period.end) == "skipped"
    assert mailbox.messages == []
    assert _runs(db) == {"off@example.com": "skipped", "left@example.com": "skipped"}


def test_planning_twice_adds_no_run_and_no_job(db):
    settings = Settings(digest_weekday=utcnow().weekday())
    with db.transaction() as s:
        make_user(s, "manager", "boss@example.com")
        assert len(digests.plan_runs(s, settings, utcnow().date())) == 1
    with db.transaction() as s:
        assert digests.plan_runs(s, settings, utcnow().date()) == []
        assert s.scalar(select(func.count()).select_from(Job).where(Job.name == digests.SEND_TASK)) == 1
