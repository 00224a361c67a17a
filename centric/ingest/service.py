"""Bulk import of customers, events, responses and feedback from CSV or JSON Lines.

Each row is validated and written inside its own savepoint: a bad row is reported with
its line, field and reason and leaves nothing behind, while good rows are kept. A text
longer than ``Settings.max_text_length`` fails its row only. The report counts rows
created, updated (a known customer that gained details) and skipped (stored already). Rows are
committed in batches, so an interrupted import keeps whole batches and re-running it
skips what is stored already (idempotency by external id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from centric.customers.schemas import CustomerIn
from centric.customers.service import upsert_customer_outcome
from centric.db import Database, intend_to_write, utcnow
from centric.errors import CentricError, Invalid, first_problem
from centric.feedback.schemas import FeedbackIn
from centric.feedback.service import record_feedback
from centric.ingest.bulk import BatchOutcome, Lookups, import_batch
from centric.ingest.models import ImportRun
from centric.ingest.records import IMPORT_KINDS, CsvChunk, RowError, RowSource, SourceRow, source_row
from centric.ingest.staged import STAGED_ROWS, collect_chunk_garbage, collector_paused, import_chunk
from centric.journeys.schemas import EventIn
from centric.journeys.service import record_event
from centric.surveys.schemas import ResponseIn
from centric.surveys.service import submit_response

MAX_REPORTED_ERRORS = 1000


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    run_id: int | None = None

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.skipped + self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "created": self.created, "updated": self.updated, "skipped": self.skipped,
            "failed": self.failed,
            "run_id": self.run_id,
            "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in self.errors],
        }


Outcome = Literal["created", "updated", "skipped"]


def _stored(created: bool) -> Outcome:
    return "created" if created else "skipped"


def _store_customer(session: Session, record: CustomerIn, user_id: int | None, may_merge: bool) -> Outcome:
    outcome = upsert_customer_outcome(session, record, user_id, may_merge=may_merge, origin="customer import")[1]
    return "skipped" if outcome == "unchanged" else outcome


def _store_event(session: Session, record: EventIn, user_id: int | None, may_merge: bool) -> Outcome:
    return _stored(record_event(session, record, user_id, may_merge=may_merge)[1])


def _store_response(session: Session, record: ResponseIn, user_id: int | None, may_merge: bool) -> Outcome:
    return _stored(submit_response(session, record, user_id, may_merge=may_merge).created)


def _store_feedback(session: Session, record: FeedbackIn, user_id: int | None, may_merge: bool) -> Outcome:
    return _stored(record_feedback(session, record, user_id, may_merge=may_merge, origin="feedback import").created)


Writer = Callable[[Session, Any, int | None, bool], Outcome]
WRITERS: dict[str, tuple[type[BaseModel], Writer]] = {
    "customers": (CustomerIn, _store_customer),
    "events": (EventIn, _store_event),
    "responses": (ResponseIn, _store_response),
    "feedback": (FeedbackIn, _store_feedback),
}


@dataclass(frozen=True)
class Importer:
    """Who imports: the user, and whether they may merge two existing profiles (``customers:write``)."""

    user_id: int | None
    may_merge: bool


def import_rows(
    db: Database,
    kind: str,
    rows: Iterable[SourceRow],
    *,
    filename: str = "",
    user_id: int | None = None,
    may_merge: bool = False,
    batch_size: int = 1000,
    on_row: Callable[[int], None] | None = None,
    max_text_length: int | None = None,
    chunk_rows: int = STAGED_ROWS,
) -> ImportReport:
    """Write every valid row, report every invalid one; safe to run again.

    Without ``may_merge`` (the importer lacks ``customers:write``) a row naming two existing
    profiles joins the older one and leaves a merge suggestion instead of merging them.

    ``max_text_length`` (``Settings.max_text_length``): a longer string anywhere in a row
    fails that row, naming its field.

    Responses read from a CSV file take the set-based path (:mod:`centric.ingest.staged`),
    ``chunk_rows`` rows per transaction; other kinds and JSON files go ``batch_size`` rows at
    a time through :mod:`centric.ingest.bulk`. Both hand rows that need care to the row path.
    """
    if kind not in IMPORT_KINDS:
        raise Invalid(f"unknown import kind {kind!r}; use one of {', '.join(IMPORT_KINDS)}", field="kind")
    schema, writer = WRITERS[kind]
    report = ImportReport(kind=kind)
    importer = Importer(user_id, may_merge)
    session = db.sessions()
    try:
        lookups = Lookups(session)
        if kind == "responses" and isinstance(rows, RowSource) and rows.is_csv:
            session.commit()  # each chunk begins its own (on SQLite: immediate) transaction
            with collector_paused():
                for chunk in rows.csv_chunks(chunk_rows):
                    _write_chunk(session, chunk, lookups, report, importer, max_text_length, on_row)
                    collect_chunk_garbage()
            rows = ()
        batch: list[SourceRow] = []
        for row in rows:
            batch.append(_within_limit(row, max_text_length) if max_text_length else row)
            if len(batch) >= batch_size:
                _write_batch(session, kind, schema, writer, batch, lookups, report, importer, on_row)
                batch = []
        if batch:
            _write_batch(session, kind, schema, writer, batch, lookups, report, importer, on_row)
        report.errors.sort(key=lambda error: error.line)
        run = ImportRun(
            kind=kind, filename=filename[:400], user_id=user_id, rows_ok=report.created,
            rows_updated=report.updated, rows_skipped=report.skipped, rows_failed=report.failed,
            errors=[{"line": e.line, "field": e.field, "message": e.message} for e in report.errors[:100]],
            finished_at=utcnow(),
        )
        session.add(run)
        session.commit()
        report.run_id = run.id
    finally:
        session.close()
    return report


def _write_batch(session: Session, kind: str, schema: type[BaseModel], writer: Writer,
                 batch: list[SourceRow], lookups: Lookups, report: ImportReport, importer: Importer,
                 on_row: Callable[[int], None] | None) -> None:
    """The set-based fast path; any surprise falls back to row by row for exact errors."""
    try:
        with session.begin_nested():
            outcome = import_batch(session, kind, schema, batch, lookups)
    except IntegrityError:
        outcome = None
    if outcome is None:
        for row in batch:
            _import_one(session, schema, writer, row, report, importer)
    else:
        report.created += outcome.created
        report.skipped += outcome.skipped
        for error in outcome.errors:
            _record_error(report, error)
        for row in outcome.deferred:
            _import_one(session, schema, writer, row, report, importer)
    session.commit()
    if on_row:
        for row in batch:
            on_row(row.line)


def _write_chunk(session: Session, chunk: CsvChunk, lookups: Lookups, report: ImportReport, importer: Importer,
                 max_text_length: int | None, on_row: Callable[[int], None] | None) -> None:
    """The set-based path for one chunk of CSV responses; on a conflict the chunk goes row by row."""
    intend_to_write(session)
    try:
        with session.begin_nested():
            outcome = import_chunk(session, chunk, lookups, max_text_length)
    except IntegrityError:
        rows = zip(chunk.lines, chunk.rows, strict=True)
        outcome = BatchOutcome(errors=list(chunk.errors),
                               deferred=[source_row("responses", chunk.header, line, row) for line, row in rows])
    report.created += outcome.created
    report.skipped += outcome.skipped
    for error in outcome.errors:
        _record_error(report, error)
    schema, writer = WRITERS["responses"]
    for row in sorted(outcome.deferred, key=lambda deferred: deferred.line):
        row = _within_limit(row, max_text_length) if max_text_length else row
        _import_one(session, schema, writer, row, report, importer)
    session.commit()
    if on_row:
        for line in chunk.lines:
            on_row(line)


def _within_limit(row: SourceRow, limit: int) -> SourceRow:
    """``row``, or an error naming the first string longer than ``limit`` characters."""
    if row.record is None:
        return row
    where = _oversized(row.record, limit)
    if where is None:
        return row
    return SourceRow(row.line, None, RowError(row.line, where, f"longer than {limit} characters"))


def _oversized(value: Any, limit: int, path: str = "") -> str | None:
    if isinstance(value, str):
        return path if len(value) > limit else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _oversized(item, limit, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def _record_error(report: ImportReport, error: RowError) -> None:
    report.failed += 1
    if len(report.errors) < MAX_REPORTED_ERRORS:
        report.errors.append(error)


def _import_one(session: Session, schema: type[BaseModel], writer: Writer, row: SourceRow,
                report: ImportReport, importer: Importer) -> None:
    error = row.error
    if error is None:
        try:
            record = schema.model_validate(row.record)
            with session.begin_nested():
                outcome = writer(session, record, importer.user_id, importer.may_merge)
            setattr(report, outcome, getattr(report, outcome) + 1)
            return
        except ValidationError as exc:
            where, message = first_problem(exc)
            error = RowError(row.line, where, message)
        except CentricError as exc:
            error = RowError(row.line, exc.field, exc.message)
        except IntegrityError as exc:
            error = RowError(row.line, None, f"conflicts with stored data ({type(exc.orig).__name__})")
    _record_error(report, error)
