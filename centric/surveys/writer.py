"""Group commit: one writer thread stores the requests that arrive together in one transaction.

A request hands its item to :meth:`GroupCommit.submit` and waits. The writer thread takes
every item waiting (up to ``max_batch``), stores them with ``batch(session, items)`` in
one unit of work and commits; only then does each request get its answer. So a 2xx still
means committed, while the fixed costs of a transaction — BEGIN, COMMIT (the WAL write or
the round trip to PostgreSQL), the rate-limit, rollup and job statements — are paid once
per batch instead of once per request. Under light load a batch holds one item and the
latency is that of a lone transaction; under heavy load batches grow by themselves.

An item ``batch`` answers ``None`` for, and every item of a batch that failed (an
exception rolls the whole batch back, so none of it was acknowledged), is then stored
alone by ``alone(item)``, which opens its own transactions: one bad item costs its own
request an error, never its neighbours theirs. A killed process loses only requests that
were never answered.

Same idea as PostgreSQL's ``commit_delay`` and the group commit of databases' logs; the
batching without a timer (take whatever is queued) follows "smart batching" (M. Thompson,
*Mechanical Sympathy*, 2011): no request waits for a batch to fill.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from sqlalchemy.orm import Session

from centric import logs
from centric.db import Database

log = logging.getLogger("centric.surveys.writer")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class _Waiting(Generic[T, R]):
    item: T
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[R]
    request_id: str | None = None  # the submitting request's (centric.logs): jobs enqueued carry it


class GroupCommit(Generic[T, R]):
    """A writer thread storing items in shared transactions; see the module's docstring."""

    def __init__(self, db: Database, batch: Callable[[Session, Sequence[T]], Sequence[R | None]],
                 alone: Callable[[T], R], *, max_batch: int = 100, name: str = "centric-group-commit") -> None:
        self._db = db
        self._batch = batch
        self._alone = alone
        self._max_batch = max(1, max_batch)
        self._queue: queue.SimpleQueue[_Waiting[T, R] | None] = queue.SimpleQueue()
        self.batches = 0  # committed batches and items in them: for tests and benchmarks
        self.items = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    async def submit(self, item: T) -> R:
        """Store ``item``; returns once it is committed (or raises what storing it raised)."""
        if not self._thread.is_alive():
            raise RuntimeError("the writer has stopped")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._queue.put(_Waiting(item, loop, future, logs.current_request_id()))
        return await future

    def close(self, timeout: float = 30.0) -> None:
        """Store what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            waiting = [first]
            while len(waiting) < self._max_batch:
                try:
                    following = self._queue.get_nowait()
                except queue.Empty:
                    break
                if following is None:
                    stopping = True
                    break
                waiting.append(following)
            try:
                self._store(waiting)
            except BaseException as exc:  # never leave a request waiting for ever
                failed: list[_Outcome[T, R]] = [(w, None, exc) for w in waiting if not w.future.done()]
                _answer(failed)
                if not isinstance(exc, Exception):
                    raise

    def _store(self, waiting: list[_Waiting[T, R]]) -> None:
        results: Sequence[R | None]
        try:
            # A batch's jobs (one per batch, e.g. text enrichment) carry its first request's id.
            with logs.request_context(waiting[0].request_id), self._db.transaction() as session:
                results = self._batch(session, [w.item for w in waiting])
        except Exception as exc:
            log.warning("a batch of %d submissions failed and was rolled back; storing each alone: %s",
                        len(waiting), exc)
            results = [None] * len(waiting)
        else:
            self.batches += 1
            self.items += sum(r is not None for r in results)
        _answer([(w, r, None) for w, r in zip(waiting, results, strict=True) if r is not None])
        for w, r in zip(waiting, results, strict=True):
            if r is None:
                outcome: _Outcome[T, R]
                try:
                    with logs.request_context(w.request_id):
                        outcome = (w, self._alone(w.item), None)
                except Exception as exc:
                    outcome = (w, None, exc)
                _answer([outcome])


_Outcome = tuple[_Waiting[T, R], R | None, BaseException | None]  # a request, and its result or error


def _answer(outcomes: list[_Outcome[T, R]]) -> None:
    """Hand results to the waiting requests: one wake-up per event loop, not one per request."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome[T, R]]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].loop, []).append(outcome)
    for loop, some in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, some)
        except RuntimeError:  # the loop was closed: nobody waits any more
            pass


def _settle(outcomes: list[_Outcome[T, R]]) -> None:
    for w, result, error in outcomes:
        if w.future.done():  # the request was cancelled (client gone); what was stored stays stored
            continue
        if error is not None:
            w.future.set_exception(error)
        else:
            w.future.set_result(cast(R, result))
