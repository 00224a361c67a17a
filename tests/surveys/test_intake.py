"""Group commit of respondent pages: concurrent pages share a transaction, and a 2xx still means stored."""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Callable, Sequence

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.accounts.signing import signing_key
from centric.db import Database
from centric.feedback.models import Feedback
from centric.insights.models import AnswerRollup
from centric.jobs.models import Job
from centric.surveys import ratelimit
from centric.surveys.intake import Submission, submit_pages
from centric.surveys.models import RateLimitBucket, Response
from centric.surveys.respond import FormState, Message, Redirect, View, submit_page
from centric.surveys.schemas import SurveyIn, SurveyOptions
from centric.surveys.service import create_survey
from centric.surveys.writer import GroupCommit
from tests.api.live import hammer, serving
from tests.api.test_statement_counts import counted

KEY = b"intake-test-key-" + b"x" * 16
QUESTIONS = [
    {"key": "nps", "type": "nps", "required": True, "label": {"en": "How likely are you to recommend us?"}},
    {"key": "comment", "type": "text", "label": {"en": "Why?"}},
]


def _survey(db: Database, key: str = "pulse", limit: int = 1000) -> None:
    with db.transaction() as s:
        create_survey(s, SurveyIn(key=key, name="Pulse", questions=QUESTIONS,
                                  options=SurveyOptions(rate_limit_per_hour=limit)))


def _page(nonce: str | None = None, *, address: str = "10.0.0.1", score: str = "9", key: bytes = KEY,
          survey: str = "pulse") -> Submission:
    state = FormState(survey_key=survey, nonce=nonce or secrets.token_urlsafe(12), locale="en",
                      page=("nps", "comment"))
    return Submission(survey, {"f": [state.token(key)], "nps": [score], "comment": ["Lovely stay"]}, address)


def _nonce(page: Submission) -> str:
    return FormState.read(KEY, page.survey_key, page.form["f"][0]).nonce


def _count(db: Database, model: type, *where: object) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _rollup_n(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.coalesce(func.sum(AnswerRollup.n), 0))) or 0)


def _alone(db: Database) -> Callable[[Submission], View]:
    def store(item: Submission) -> View:
        with db.transaction() as s:
            return submit_page(s, KEY, item.survey_key, item.form, item.address)
    return store


class _Gate:
    """Holds the writer inside its first batch until every later item is queued behind it."""

    def __init__(self, batch: Callable[[Session, Sequence[Submission]], list[View | None]]) -> None:
        self.batch = batch
        self.sizes: list[int] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, session: Session, items: Sequence[Submission]) -> list[View | None]:
        self.sizes.append(len(items))
        if len(self.sizes) == 1:
            self.entered.set()
            assert self.release.wait(30)
        return self.batch(session, items)


async def _submit_behind_gate(intake: GroupCommit, gate: _Gate, items: list[Submission]) -> list:
    first = asyncio.ensure_future(intake.submit(items[0]))
    assert await asyncio.to_thread(gate.entered.wait, 30)
    rest = [asyncio.ensure_future(intake.submit(item)) for item in items[1:]]
    await asyncio.sleep(0)  # one turn of the loop: every task puts its item on the queue
    gate.release.set()
    return await asyncio.gather(first, *rest, return_exceptions=True)


def test_concurrent_pages_share_one_transaction_and_are_all_stored(db):
    _survey(db)
    gate = _Gate(lambda session, items: submit_pages(session, KEY, items))
    intake = GroupCommit(db, gate, _alone(db))
    try:
        views = asyncio.run(_submit_behind_gate(intake, gate, [_page() for _ in range(30)]))
    finally:
        intake.close()
    assert gate.sizes == [1, 29]
    assert all(isinstance(v, Redirect) and "/thanks?" in v.url for v in views), views
    assert _count(db, Response, Response.completed.is_(True)) == 30
    assert _count(db, Feedback) == 30
    assert _rollup_n(db) == 30
    assert _count(db, Job) == 2  # one enrichment job per batch, not per comment
    assert (intake.batches, intake.items) == (2, 30)


def test_closing_the_writer_stores_every_page_queued_before_it_stops(db):
    """Graceful shutdown (SIGTERM → the app's shutdown → ``close``): pages already queued are stored and answered."""
    _survey(db)
    gate = _Gate(lambda session, items: submit_pages(session, KEY, items))
    intake = GroupCommit(db, gate, _alone(db))

    async def stop_while_busy() -> list:
        first = asyncio.ensure_future(intake.submit(_page()))
        assert await asyncio.to_thread(gate.entered.wait, 30)
        rest = [asyncio.ensure_future(intake.submit(_page())) for _ in range(5)]
        await asyncio.sleep(0)  # every page is queued behind the first batch
        closing = asyncio.ensure_future(asyncio.to_thread(intake.close))
        gate.release.set()
        views = await asyncio.gather(first, *rest)
        await closing
        return views

    views = asyncio.run(stop_while_busy())
    assert not intake.running and gate.sizes == [1, 5]
    assert all(isinstance(v, Redirect) for v in views)
    assert _count(db, Response, Response.completed.is_(True)) == 6


def test_a_failing_batch_acknowledges_none_and_each_page_is_then_stored_alone(db):
    """The batch writes, then fails: it rolls back whole; the others are stored one by one; the bad one errs."""
    _survey(db)
    poisoned = _page(score="0")

    def batch(session: Session, items: Sequence[Submission]) -> list[View | None]:
        views = submit_pages(session, KEY, items)
        if poisoned in items:
            raise RuntimeError("the disk is full")
        return views

    def alone(item: Submission) -> View:
        if item is poisoned:
            raise RuntimeError("the disk is full")
        return _alone(db)(item)

    gate = _Gate(batch)
    intake = GroupCommit(db, gate, alone)
    items = [_page(), *(_page() for _ in range(5)), poisoned, *(_page() for _ in range(5))]
    try:
        views = asyncio.run(_submit_behind_gate(intake, gate, items))
    finally:
        intake.close()
    assert gate.sizes == [1, 11]
    assert isinstance(views[6], RuntimeError)
    assert all(isinstance(v, Redirect) for i, v in enumerate(views) if i != 6), views
    assert intake.batches == 1  # the first batch; the failed one committed nothing
    with db.reader() as s:
        stored = list(s.scalars(select(Response.idempotency_key)))
    assert sorted(stored) == sorted(f"form:{_nonce(i)}" for i in items if i is not poisoned)
    assert _rollup_n(db) == 11 and _count(db, Feedback) == 11  # nothing counted twice, nothing of the poisoned one


def test_resubmits_and_repeated_nonces_are_left_to_the_general_path(db):
    _survey(db)
    earlier, new = _page(), _page()
    with db.transaction() as s:
        assert isinstance(submit_pages(s, KEY, [earlier])[0], Redirect)
    twice = _page()
    with db.transaction() as s:
        views = submit_pages(s, KEY, [new, earlier, twice, _page(_nonce(twice))])
    assert isinstance(views[0], Redirect) and isinstance(views[2], Redirect)
    assert views[1] is None and views[3] is None  # stored already / the same nonce earlier in the batch
    intake = GroupCommit(db, lambda session, items: submit_pages(session, KEY, items), _alone(db))
    try:  # through the writer, the general path answers them: a completed response goes to its thanks page
        again = asyncio.run(intake.submit(earlier))
    finally:
        intake.close()
    assert isinstance(again, Redirect) and "/thanks?" in again.url
    assert _count(db, Response) == 3


def test_rate_limits_count_every_page_of_a_batch(db):
    _survey(db, limit=3)
    with db.transaction() as s:
        views = submit_pages(s, KEY, [_page(address="10.9.9.9") for _ in range(5)] + [_page(address="10.1.1.1")])
    assert [type(v) for v in views] == [Redirect] * 3 + [Message] * 2 + [Redirect]
    assert all(v.status == 429 for v in views[3:5] if isinstance(v, Message))
    assert _count(db, Response) == 4
    with db.reader() as s:
        assert sorted(s.scalars(select(RateLimitBucket.hits))) == [1, 5]


def test_counting_many_hits_at_once_equals_counting_them_in_turn(db):
    with db.transaction() as s:
        assert ratelimit.hit_many(s, ["a", "b", "a", "a"]) == [1, 1, 2, 3]
        assert ratelimit.hit(s, "a") == 4
        assert ratelimit.hit_many(s, ["b", "c"]) == [2, 1]


def test_invalid_pages_are_answered_in_the_batch_without_storing(db):
    _survey(db)
    forged = Submission("pulse", {"f": ["not-a-token"], "nps": ["9"]}, "10.0.0.1")
    with db.transaction() as s:
        views = submit_pages(s, KEY, [_page(score="11"), forged, _page()])
    assert getattr(views[0], "status", None) == 422 and getattr(views[1], "status", None) == 403
    assert isinstance(views[2], Redirect)
    assert _count(db, Response) == 1


def test_statements_per_batch_do_not_grow_with_its_size(db):
    """A batch of 40 pages costs the same statements as a batch of two (transaction control aside).

    A lone page costs fewer: its rows are inserted with ``RETURNING`` (on SQLite the ids of
    several rows are taken after ``max(id)``, one statement more per table).
    """
    _survey(db)
    with db.transaction() as s:
        submit_pages(s, KEY, [_page()])  # the first page creates the rollup row and the rate-limit bucket
    counts = []
    for size in (1, 2, 40):
        pages = [_page(address=f"10.0.{i}.1") for i in range(size)]
        with counted(db.engine) as statements, db.transaction() as s:
            submit_pages(s, KEY, pages)
        counts.append(len(statements))
    assert counts[0] <= counts[1] == counts[2] <= 12, counts


@pytest.fixture
def served(db, app):
    _survey(db)
    with db.transaction() as s:
        key = signing_key(s, "")
    with serving(app) as url:
        yield url, key


def test_acknowledged_pages_survive_killed_connections(db, served):
    """Concurrent pages while PostgreSQL's connections are terminated: every 303 is stored, once."""
    url, key = served
    acknowledged: set[str] = set()
    lock = threading.Lock()
    done = threading.Event()
    sent = threading.Semaphore(0)
    kills = 0

    def post(client: httpx.Client) -> None:
        page = _page(key=key, address=f"10.2.{secrets.randbelow(250)}.1")
        try:
            answer = client.post(url + "/s/pulse", data=page.form, follow_redirects=False,
                                 headers={"X-Forwarded-For": page.address})
        except httpx.TransportError:
            return
        finally:
            sent.release()
        if answer.status_code == 303:
            with lock:
                acknowledged.add(FormState.read(key, "pulse", page.form["f"][0]).idempotency_key)
                if len(acknowledged) >= 150:
                    done.set()

    def kill_connections() -> None:
        nonlocal kills
        with psycopg.connect(db.url.replace("+psycopg", ""), autocommit=True) as conn:
            while not done.is_set():
                for _ in range(5):
                    if not sent.acquire(timeout=1):
                        break
                row = conn.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()
                kills += row[0] if row else 0

    killer = threading.Thread(target=kill_connections) if db.dialect == "postgresql" else None
    if killer:
        killer.start()
    try:
        hammer([post] * 8, seconds=20, stop=done)
    finally:
        done.set()
        if killer:
            killer.join()
    with db.reader() as s:
        stored = list(s.scalars(select(Response.idempotency_key)))
        rolled = int(s.scalar(select(func.coalesce(func.sum(AnswerRollup.n), 0))) or 0)
    assert acknowledged - set(stored) == set()
    assert len(stored) == len(set(stored)) and rolled == len(stored)  # nothing stored or counted twice
    assert len(acknowledged) >= 50
    if killer:
        assert kills > 0


def test_the_writer_stops_with_the_app_and_a_restarted_app_starts_another(db, app):
    _survey(db)
    with db.transaction() as s:
        key = signing_key(s, "")
    for _ in range(2):
        with TestClient(app) as client:
            answer = client.post("/s/pulse", data=_page(key=key).form, follow_redirects=False)
            assert answer.status_code == 303 and "/thanks?" in answer.headers["location"]
        assert app.state.survey_intake is None
    assert _count(db, Response) == 2
