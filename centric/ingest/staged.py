"""The set-based import of survey responses from CSV: a chunk of rows in a few SQL statements.

For each chunk of CSV records (:data:`STAGED_ROWS` by default) this

1. validates column by column — scores with one NumPy conversion and range test per
   question, the other fields in one pass — without building a record per row; a row
   that fails any check is handed to the row path, which reports the exact error (file
   line, field, message) with the same Pydantic and survey rules as the API;
2. loads the valid rows into TEMP staging tables: ``COPY`` on PostgreSQL,
   ``executemany`` of one prepared INSERT on SQLite;
3. skips rows stored already (a join of staging to ``response`` on the idempotency key),
   and resolves customers by a join of staging to ``identity`` (following merges); a row
   whose identities name two profiles goes to the row path, which merges them;
4. inserts new customers, identities, responses, answers and comments (feedback items)
   with ``INSERT … SELECT`` from staging, and publishes :class:`AnswersStored`,
   :class:`FeedbackStored` and :class:`ResponsesStored` once for the chunk, so rollups,
   enrichment jobs and every other reaction happen as for any other entry point.

No statement's cost per row grows with the tables: each lookup is an index probe from a
staging row, never a list of parameters whose generic plan could go wrong (PostgreSQL
gets fresh statistics on its staging tables with ``ANALYZE``).
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from centric.customers.identities import normalise_identity
from centric.customers.models import IDENTITY_KINDS
from centric.db import CLOCK_SKEW, as_utc, utcnow
from centric.errors import CentricError
from centric.events import AnswersStored, FeedbackStored, RatedAnswer, ResponsesStored, publish
from centric.ingest.bulk import BatchOutcome, Lookups
from centric.ingest.records import CUSTOMER_COLUMNS, KIND_COLUMNS, CsvChunk, SourceRow, source_row
from centric.surveys.questions import Question

STAGED_ROWS = 10_000
SQLITE_CACHE_KIB = 65_536  # SQLite's page cache while a chunk is written (the default is 2 MiB)
RESERVED = KIND_COLUMNS["responses"] | CUSTOMER_COLUMNS | set(IDENTITY_KINDS)
OTHER_IDENTITIES = tuple(k for k in IDENTITY_KINDS if k not in ("email", "phone", "external"))
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?)?(?:Z|[+-]\d\d:?\d\d)?")
LIMITS = {"external_id": 200, "locale": 10, "channel": 20, "customer_external_id": 200, "customer_id": 200,
          "customer_name": 300, "email": 320, "phone": 64}


@dataclass
class Valid:
    """The rows of a chunk that passed every check, ready for staging (``seq`` = index in the chunk)."""

    responses: list[tuple[Any, ...]] = field(default_factory=list)  # one per row, see _RESPONSE_COLUMNS
    answers: list[tuple[Any, ...]] = field(default_factory=list)  # see _ANSWER_COLUMNS
    identities: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    customers: dict[int, tuple[str | None, str]] = field(default_factory=dict)  # seq → (external_id, name)


def import_chunk(session: Session, chunk: CsvChunk, lookups: Lookups, max_text_length: int | None) -> BatchOutcome:
    """Validate, stage and store one chunk; returns counts, errors and the rows for the row path."""
    outcome = BatchOutcome(errors=list(chunk.errors))
    failed: set[int] = set()
    valid = _validate(chunk, lookups, max_text_length, failed)
    outcome.deferred = [source_row("responses", chunk.header, chunk.lines[i], chunk.rows[i]) for i in sorted(failed)]
    if valid.responses:
        stage = _Stage(session, chunk)
        try:
            created, skipped = stage.store(valid, outcome)
        finally:
            stage.close()
        outcome.created += created
        outcome.skipped += skipped
    return outcome


class _CollectorPause:
    """How many imports run with Python's cyclic garbage collector paused, and whether it ran before."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.imports = 0
        self.was_enabled = False


_PAUSE = _CollectorPause()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while chunks are imported (reference counting still frees).

    A chunk allocates hundreds of thousands of lists and tuples that live until it is written,
    so the collector would run every few hundred allocations and, now and then, walk every
    object of the process: about a quarter of an import's CPU time. Callers collect the young
    generations between chunks (:func:`collect_chunk_garbage`), which bounds what a cycle can
    hold; the collector runs again when the last import of the process ends.
    """
    with _PAUSE.lock:
        if _PAUSE.imports == 0:
            _PAUSE.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSE.imports += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.imports -= 1
            if _PAUSE.imports == 0 and _PAUSE.was_enabled:
                gc.enable()


def collect_chunk_garbage() -> None:
    """Free the cycles a written chunk left (the young generations only: cheap)."""
    gc.collect(1)


# --- validation, column by column ----------------------------------------------------------

def _validate(chunk: CsvChunk, lookups: Lookups, limit: int | None, failed: set[int]) -> Valid:
    header, count = chunk.header, len(chunk.rows)
    raw = list(zip(*chunk.rows, strict=True)) if count else [()] * len(header)
    columns = {name: list(map(str.strip, raw[i])) for i, name in enumerate(header)}
    empty = [""] * count
    if limit:
        for values in columns.values():
            if max(map(len, values), default=0) > limit:
                failed.update(i for i, v in enumerate(values) if len(v) > limit)
    for name, most in LIMITS.items():
        values = columns.get(name, empty)
        if max(map(len, values), default=0) > most:
            failed.update(i for i, v in enumerate(values) if len(v) > most)
    valid = Valid()
    answer_columns = [c for c in header if c not in RESERVED]
    by_survey: dict[str, list[int]] = {}
    for i, key in enumerate(columns.get("survey", empty)):
        by_survey.setdefault(key, []).append(i)
    ratings: dict[int, float] = {}
    for key, rows in by_survey.items():
        try:
            survey, version, questions = lookups.survey(key)
        except CentricError:
            failed.update(rows)
            continue
        if not key or survey.status == "closed":
            failed.update(rows)
            continue
        _check_answers(questions, answer_columns, columns, rows, valid.answers, failed)
        rated = next((q.key for q in questions if q.type == survey.kind), None)
        if rated is not None:
            ratings.update((a[0], a[3]) for a in valid.answers if a[1] == rated)
        _check_fields(columns, rows, (survey.id, version.id, survey.touchpoint_id), lookups, valid, failed)
    valid.responses = [(*r, ratings.get(r[0])) for r in valid.responses if r[0] not in failed]
    valid.answers = [a for a in valid.answers if a[0] not in failed]
    return valid


def _check_answers(questions: list[Question], answer_columns: list[str], columns: dict[str, list[str]],
                   rows: list[int], answers: list[tuple[Any, ...]], failed: set[int]) -> None:
    """Typed answers of ``rows`` (one survey) into ``answers``; offending rows into ``failed``.

    The same rules as :func:`centric.surveys.questions.check_answers`; a survey with display
    logic (``show_if``) sends its rows to the row path, which evaluates it row by row.
    """
    keys = {q.key for q in questions}
    if any(q.show_if is not None for q in questions):
        failed.update(rows)
        return
    for name in answer_columns:
        if name not in keys:
            values = columns[name]
            failed.update(i for i in rows if values[i])  # an unknown question
    answered = dict.fromkeys(rows, False)
    nothing = [""] * (max(rows) + 1)
    for question in questions:
        values = columns.get(question.key, nothing)
        given = [i for i in rows if values[i]]
        if question.required:
            failed.update(set(rows) - set(given))
        if not given:
            continue
        for i in given:
            answered[i] = True
        cells = [values[i] for i in given]
        if question.type in ("nps", "csat", "ces", "rating"):
            numbers = _numbers(cells)
            low, high = question.bounds
            bad = ~np.isfinite(numbers) | (numbers != np.round(numbers)) | (numbers < low) | (numbers > high)
            failed.update(given[j] for j in np.flatnonzero(bad))
            answers.extend((i, question.key, question.type, float(n), None, False)
                           for i, n, b in zip(given, numbers.tolist(), bad.tolist(), strict=True) if not b)
        elif question.type == "choice":
            options = set(question.options)
            failed.update(i for i, c in zip(given, cells, strict=True) if c not in options)
            answers.extend((i, question.key, "choice", None, c, False) for i, c in zip(given, cells, strict=True))
        else:
            most, comment = question.max_length, question.type == "text"
            failed.update(i for i, c in zip(given, cells, strict=True) if len(c) > most)
            answers.extend((i, question.key, question.type, None, c, comment)
                           for i, c in zip(given, cells, strict=True))
    failed.update(i for i, yes in answered.items() if not yes)  # "the response holds no answer"


def _numbers(cells: list[str]) -> np.ndarray:
    """The cells as floats in one conversion; a cell that is no number becomes NaN (and fails)."""
    try:
        return np.array(cells, dtype=np.float64)
    except ValueError:
        return np.array([_number(c) for c in cells], dtype=np.float64)


def _number(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return float("nan")


def _check_fields(columns: dict[str, list[str]], rows: list[int], survey: tuple[int, int, int | None],
                  lookups: Lookups, valid: Valid, failed: set[int]) -> None:
    """Touchpoint, time, locale, channel and customer of each row: each distinct value checked once."""
    none = [""] * (max(rows) + 1)
    get = columns.get
    external, touchpoint, moment = get("external_id", none), get("touchpoint", none), get("submitted_at", none)
    locale, channel = get("locale", none), get("channel", none)
    customer_external = [a or b for a, b in zip(get("customer_external_id", none), get("customer_id", none),
                                                  strict=False)]
    name = get("customer_name", none)
    named = [(kind, columns[kind]) for kind in OTHER_IDENTITIES if kind in columns]
    if "customer_external_id" in columns or "customer_id" in columns:
        named.append(("external", customer_external))
    named += [(kind, columns[kind]) for kind in ("email", "phone") if kind in columns]
    survey_id, version_id, default_touchpoint = survey
    points = {"": default_touchpoint, **lookups.touchpoints}
    latest = utcnow() + CLOCK_SKEW
    moments = _moments({moment[i] for i in rows if i not in failed} - {""}, latest)
    moments[""] = utcnow()
    normal: dict[tuple[str, str], tuple[str, str] | None] = {}
    for i in rows:
        if i in failed:
            continue
        at = moments[moment[i]] if moment[i] in moments else moments.setdefault(moment[i], _moment(moment[i], latest))
        point = points.get(touchpoint[i], False)
        if at is None or point is False:
            failed.add(i)
            continue
        identities: list[tuple[str, str]] = []
        for kind, values in named:
            if values[i]:
                key = (kind, values[i])
                identity = normal[key] if key in normal else normal.setdefault(key, _identity(*key))
                if identity is None:
                    break
                identities.append(identity)
        else:
            if identities:
                valid.identities[i] = list(dict.fromkeys(identities)) if len(identities) > 1 else identities
                valid.customers[i] = (customer_external[i] or None, name[i])
            valid.responses.append((i, external[i] or None, survey_id, version_id, point, channel[i] or "link",
                                    locale[i] or "en", at))
            continue
        failed.add(i)


PLAIN_MOMENTS = re.compile(r"(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\n)*")
EARLIEST = np.datetime64("0001-01-01T00:00:00", "s")


def _moments(values: set[str], latest: datetime) -> dict[str, datetime | None]:
    """:func:`_moment` of each value; when all are plain ``YYYY-MM-DD[T ]HH:MM:SS`` (no offset, taken
    as UTC) NumPy parses them in one conversion, else each is parsed alone."""
    cells = list(values)
    if PLAIN_MOMENTS.fullmatch("".join(f"{cell}\n" for cell in cells)):
        try:
            parsed = np.array(cells, dtype="datetime64[s]")
        except ValueError:  # e.g. 30 February: the slow path names no cell either, it only says None
            parsed = None
        if parsed is not None and (not len(parsed) or parsed.min() >= EARLIEST):
            future = parsed > np.datetime64(latest.replace(microsecond=0), "s")
            return {cell: None if late else at for cell, at, late in zip(
                cells, parsed.astype(object).tolist(), future.tolist(), strict=True)}
    return {cell: _moment(cell, latest) for cell in cells}


def _moment(value: str, latest: datetime) -> datetime | None:
    """An ISO-8601 time as naive UTC, or None when it is malformed or in the future."""
    if not ISO_MOMENT.fullmatch(value):
        return None
    try:
        at = as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None
    return at if at <= latest else None


def _identity(kind: str, value: str) -> tuple[str, str] | None:
    try:
        return normalise_identity(kind, value)
    except CentricError:
        return None


# --- staging and set-based writes ----------------------------------------------------------

_RESPONSE_COLUMNS = ("seq", "idempotency_key", "survey_id", "version_id", "touchpoint_id", "channel", "locale",
                     "submitted_at", "rating")
_ANSWER_COLUMNS = ("seq", "question_key", "metric", "number", "text", "comment")
_TABLES = {
    "import_stage_response": "seq INTEGER PRIMARY KEY, idempotency_key VARCHAR(200), survey_id INTEGER, "
                             "version_id INTEGER, touchpoint_id INTEGER, channel VARCHAR(20), locale VARCHAR(10), "
                             "submitted_at {moment}, rating {float}",
    "import_stage_identity": "seq INTEGER, kind VARCHAR(20), value VARCHAR(320)",
    "import_stage_answer": "seq INTEGER, question_key VARCHAR(80), metric VARCHAR(20), number {float}, text TEXT, "
                           "comment BOOLEAN",
    "import_stage_owner": "seq INTEGER PRIMARY KEY, response_id INTEGER, customer_id INTEGER",
}


class _Stage:
    """The staging tables of one chunk, loaded and read in the session's transaction."""

    def __init__(self, session: Session, chunk: CsvChunk) -> None:
        self.session, self.chunk = session, chunk
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.raw: Any = session.connection().connection.driver_connection
        # Staging rows come first in every join: SQLite keeps the written order of a CROSS JOIN.
        self.join = "JOIN" if self.postgres else "CROSS JOIN"
        self.now = utcnow()
        self._probe_by_index(True)
        if not self.postgres:
            # Each row of a chunk updates six indexes of ``response`` at scattered places: with
            # the default 2 MiB cache most of those pages are read again from the OS per row.
            self.cache = int(self._sql("PRAGMA cache_size").scalar_one())
            self._sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        for name, columns in _TABLES.items():
            columns = columns.format(moment="TIMESTAMP" if self.postgres else "TEXT",
                                     float="DOUBLE PRECISION" if self.postgres else "REAL")
            suffix = " ON COMMIT DROP" if self.postgres else ""
            self._sql(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns}){suffix}")
            if not self.postgres:
                self._sql(f"DELETE FROM {name}")

    def close(self) -> None:
        """Give the connection its own page cache size back (it returns to the pool)."""
        if not self.postgres:
            self._sql(f"PRAGMA cache_size = {self.cache}")

    def _probe_by_index(self, only: bool) -> None:
        """PostgreSQL: join staging rows to the big tables by index probes only, for this chunk's statements.

        With a hash or merge join the planner would scan ``response`` or ``identity`` whole once
        the table is large enough, a cost per chunk that grows with the table; index probes cost
        the same per staged row at any size.
        """
        if self.postgres:
            value = "off" if only else "DEFAULT"
            self._sql(f"SET LOCAL enable_hashjoin TO {value}")
            self._sql(f"SET LOCAL enable_mergejoin TO {value}")

    def _sql(self, statement: str, **params: Any) -> Any:
        return self.session.execute(text(statement), params)

    def moment(self, value: datetime) -> datetime | str:
        """A timestamp as SQLAlchemy stores it (SQLite: ISO text with microseconds)."""
        return value if self.postgres else value.isoformat(" ", "microseconds")

    def load(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Bulk-load ``rows``: COPY on PostgreSQL, one prepared INSERT run for every row on SQLite."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.postgres:
            with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def new_ids(self, table: str, count: int) -> list[int]:
        """``count`` fresh primary keys of ``table`` (SQLite: the write lock is held since BEGIN IMMEDIATE)."""
        if not count:
            return []
        if self.postgres:
            return list(self.session.scalars(text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
                {"table": table, "count": count}))
        start = int(self._sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()) + 1
        return list(range(start, start + count))

    def analyze(self, *tables: str) -> None:
        if self.postgres:  # temporary tables get no statistics from autovacuum
            self._sql(f"ANALYZE {', '.join(tables)}")

    def store(self, valid: Valid, outcome: BatchOutcome) -> tuple[int, int]:
        """Write the chunk's new rows; returns (created, skipped)."""
        responses = [r[:7] + (self.moment(r[7]), r[8]) for r in valid.responses]
        self.load("import_stage_response", _RESPONSE_COLUMNS, responses)
        self.analyze("import_stage_response")
        stored = set(self._sql(f"SELECT s.seq FROM import_stage_response s {self.join} response r "
                               "ON r.idempotency_key = s.idempotency_key").scalars())
        seen: set[str] = set()
        fresh: list[tuple[Any, ...]] = []
        for row in valid.responses:
            key = row[1]
            if key is not None:
                if row[0] in stored or key in seen:
                    continue
                seen.add(key)
            fresh.append(row)
        skipped = len(valid.responses) - len(fresh)
        owners = self._resolve(valid, fresh, outcome)
        kept = [row for row in fresh if row[0] in owners]
        response_ids = self.new_ids("response", len(kept))
        self.load("import_stage_owner", ("seq", "response_id", "customer_id"),
                  [(row[0], rid, owners[row[0]]) for row, rid in zip(kept, response_ids, strict=True)])
        self.load("import_stage_answer", _ANSWER_COLUMNS, valid.answers)
        self.analyze("import_stage_owner", "import_stage_answer")
        self._insert(response_ids)
        comments = list(self._sql(self._comments_sql(), now=self.moment(self.now)).scalars())
        by_seq = {row[0]: (row[7], row[2], row[4], row[5]) for row in kept}
        rated = tuple(
            RatedAnswer(*by_seq[a[0]], a[2], a[3], owners[a[0]])
            for a in valid.answers if a[3] is not None and a[0] in by_seq
        )
        if rated:
            publish(self.session, AnswersStored(rated))
        if comments:
            publish(self.session, FeedbackStored(tuple(comments), origin="survey"))
        if response_ids:
            publish(self.session, ResponsesStored(tuple(response_ids), imported=True))
        return len(kept), skipped

    def _resolve(self, valid: Valid, fresh: list[tuple[Any, ...]],
                 outcome: BatchOutcome) -> dict[int, int | None]:
        """Each writable row's customer id (None: no customer); new customers and identities are inserted.

        A row naming two profiles, or new attributes for a known one, goes to the row path.
        """
        named = [row[0] for row in fresh if row[0] in valid.identities]
        self.load("import_stage_identity", ("seq", "kind", "value"),
                  [(seq, kind, value) for seq in named for kind, value in valid.identities[seq]])
        self.analyze("import_stage_identity")
        found = self._sql(
            f"SELECT DISTINCT s.kind, s.value, i.customer_id, c.merged_into_id FROM import_stage_identity s "
            f"{self.join} identity i ON i.kind = s.kind AND i.value = s.value "
            "JOIN customer c ON c.id = i.customer_id").all()
        survivor = self._survivors({cid: merged for _k, _v, cid, merged in found if merged is not None})
        owner: dict[tuple[str, str], int | str] = {(k, v): survivor.get(cid, cid) for k, v, cid, _m in found}
        owners: dict[int, int | str | None] = {row[0]: None for row in fresh if row[0] not in valid.identities}
        new_customers: dict[str, tuple[str | None, str]] = {}
        for seq in named:
            identities = valid.identities[seq]
            targets = {owner[i] for i in identities if i in owner}
            if len(targets) > 1:
                outcome.deferred.append(self._source_row(seq))
                continue
            target = targets.pop() if targets else f"new{len(new_customers)}"
            if isinstance(target, str) and target not in new_customers:
                new_customers[target] = valid.customers[seq]
            for identity in identities:
                owner.setdefault(identity, target)
            owners[seq] = target
        ids = dict(zip(new_customers, self.new_ids("customer", len(new_customers)), strict=True))
        moment = self.moment(self.now)
        self.load("customer", ("id", "external_id", "name", "attributes", "created_at", "updated_at"),
                  [(ids[p], external, name, "{}", moment, moment) for p, (external, name) in new_customers.items()])
        return {seq: ids[t] if isinstance(t, str) else t for seq, t in owners.items()}

    def _survivors(self, merged: dict[int, int]) -> dict[int, int]:
        """Merged customer id → the profile that survives it (following chains of merges)."""
        result = dict(merged)
        pending = set(merged.values())
        while pending:
            rows = self._sql(f"SELECT id, merged_into_id FROM customer WHERE merged_into_id IS NOT NULL "
                             f"AND id IN ({', '.join(str(int(p)) for p in pending)})").all()
            step = {cid: target for cid, target in rows}
            for start, current in result.items():
                if current in step:
                    result[start] = step[current]
            pending = set(step.values())
        return result

    def _source_row(self, seq: int) -> SourceRow:
        return source_row("responses", self.chunk.header, self.chunk.lines[seq], self.chunk.rows[seq])

    def _insert(self, response_ids: list[int]) -> None:
        now = self.moment(self.now)
        self._sql(
            "INSERT INTO identity (customer_id, kind, value, created_at) "
            f"SELECT DISTINCT o.customer_id, s.kind, s.value, :now FROM import_stage_identity s {self.join} "
            "import_stage_owner o ON o.seq = s.seq WHERE NOT EXISTS "
            "(SELECT 1 FROM identity i WHERE i.kind = s.kind AND i.value = s.value)", now=now)
        self._probe_by_index(False)  # the statements below join staging tables only: hash joins are best
        self._sql(
            "INSERT INTO response (id, survey_id, version_id, customer_id, touchpoint_id, channel, locale, "
            "submitted_at, completed, idempotency_key, created_at) "
            "SELECT o.response_id, s.survey_id, s.version_id, o.customer_id, s.touchpoint_id, s.channel, s.locale, "
            f"s.submitted_at, :yes, s.idempotency_key, :now FROM import_stage_owner o {self.join} "
            "import_stage_response s ON s.seq = o.seq", now=now, yes=True)
        self._sql(
            "INSERT INTO answer (response_id, question_key, metric, number, text) "
            f"SELECT o.response_id, a.question_key, a.metric, a.number, a.text FROM import_stage_answer a "
            f"{self.join} import_stage_owner o ON o.seq = a.seq")

    def _comments_sql(self) -> str:
        """Every open-text answer is also a feedback item (as :func:`add_survey_comments` writes them)."""
        external = "'response:' || o.response_id || ':' || a.question_key"
        return (
            "INSERT INTO feedback (source, channel, external_id, customer_id, touchpoint_id, response_id, text, "
            "rating, occurred_at, created_at, enrichment) "
            f"SELECT 'survey', 'survey', {external}, o.customer_id, s.touchpoint_id, o.response_id, a.text, "
            f"s.rating, s.submitted_at, :now, '{{}}' FROM import_stage_answer a {self.join} import_stage_owner o "
            "ON o.seq = a.seq JOIN import_stage_response s ON s.seq = a.seq WHERE a.comment RETURNING id"
        )
