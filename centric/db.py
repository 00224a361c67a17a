"""Database engine, sessions and the declarative base shared by every domain."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, TypeVarTuple

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema
from sqlalchemy import (
    JSON,
    ClauseElement,
    ColumnElement,
    Connection,
    CursorResult,
    Delete,
    Engine,
    Insert,
    Integer,
    MetaData,
    Row,
    Select,
    SQLColumnExpression,
    String,
    Table,
    Update,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.dml import ReturningInsert

from centric.errors import Invalid

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Connections kept per process: AnyIO's default thread pool, which runs the app's
# synchronous routes and use-cases, has 40 threads.
POOL_SIZE = 40

# JSON everywhere, JSONB on PostgreSQL (indexable, compact).
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    if TYPE_CHECKING:
        # Every model maps one table (never a join or a select), so Core statements
        # (insert, delete, upserts) can take ``Model.__table__``.
        __table__: ClassVar[Table]


def utcnow() -> datetime:
    """Naive UTC timestamp: both SQLite and PostgreSQL store it unambiguously."""
    return datetime.now(UTC).replace(tzinfo=None)


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` URLs and route them to psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, *, pool_size: int = POOL_SIZE, max_overflow: int = 10, pgbouncer: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    ``pgbouncer``: PostgreSQL sits behind PgBouncer in transaction pooling mode, where one
    client's consecutive transactions may run on different server connections, so psycopg
    must not prepare statements on the server (``prepare_threshold=None``).
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        # Enough pooled connections for every thread of the web server's thread pool (40):
        # an overflow connection is opened and closed per use, with its PRAGMAs.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=pool_size, max_overflow=max_overflow)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # A PostgreSQL connection is a server process: opening one per request (pool overflow)
    # costs more than the request itself, so the pool keeps as many as the thread pool uses.
    connect_args: dict[str, Any] = {"prepare_threshold": None} if pgbouncer else {}
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow,
                         connect_args=connect_args)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # pysqlite's own transaction handling would commit before a SAVEPOINT, so that a
    # rollback after a nested block could not undo it; SQLAlchemy issues BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A deferred transaction that reads and then writes cannot wait for the write lock:
    # when another connection committed in between, SQLite answers "database is locked" at
    # once instead of using the busy timeout. Units of work that write begin IMMEDIATE and
    # queue for the lock; reads stay deferred and never wait (WAL).
    mode = connection.get_execution_options().get(BEGIN_OPTION, "")
    connection.exec_driver_sql(f"BEGIN {mode}".rstrip())


BEGIN_OPTION = "sqlite_begin"


def intend_to_write(session: Session) -> None:
    """Call first in a session that will write: on SQLite it takes the write lock at BEGIN."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={BEGIN_OPTION: "IMMEDIATE"})


def changed_rows(session: Session, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE (without RETURNING) and return how many rows it matched."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)  # what DML without RETURNING always gives
    return result.rowcount


def insert_ids(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """INSERT ``rows`` into ``table`` (integer primary key ``id``); their new ids, in order.

    The ids are taken first and the rows inserted with them in one ``executemany``: on
    PostgreSQL from the column's sequence (``nextval`` over ``generate_series``), which
    psycopg then sends as one prepared statement per row in a pipeline; on SQLite after
    ``max(id)``, what SQLite itself assigns to a table without AUTOINCREMENT. Either is
    cheaper than ``INSERT … RETURNING`` of many rows: SQLite cannot promise the order of
    RETURNING rows (SQLAlchemy would send one statement per row), and on PostgreSQL the
    multi-row statement has a new text for each number of rows, parsed again every time.

    On SQLite, call it in a unit of work that writes (:func:`intend_to_write` holds the
    write lock from BEGIN); in one that does not, a concurrent writer makes the INSERT fail
    (busy snapshot or the primary key), never assign an id twice.
    """
    if not rows:
        return []
    plain, next_ids, max_id, one = _inserts(table)
    if len(rows) == 1:  # a lone row: INSERT … RETURNING is one statement everywhere
        return [int(session.execute(one, rows[0]).scalar_one())]
    if session.get_bind().dialect.name == "postgresql":
        ids = [int(i) for i in session.scalars(next_ids, {"n": len(rows)})]
    else:
        start = session.scalar(max_id) or 0
        ids = list(range(start + 1, start + 1 + len(rows)))
    session.execute(plain, [{**row, "id": new} for row, new in zip(rows, ids, strict=True)])
    return ids


@cache
def _inserts(table: Table) -> tuple[Insert, Select[int], Select[int], ReturningInsert[int]]:
    """The statements of :func:`insert_ids`, built once per table (building costs more than running)."""
    sequence = func.pg_get_serial_sequence(table.name, "id")
    next_ids = select(func.nextval(sequence)).select_from(func.generate_series(1, bindparam("n")))
    return insert(table), next_ids, select(func.coalesce(func.max(table.c.id), 0)), insert(table).returning(table.c.id)


T = TypeVar("T")
R = TypeVar("R")
Ts = TypeVarTuple("Ts")
IN_LIST_SIZE = 1_000


def in_chunks(items: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """Slices of ``items`` small enough for one ``IN (…)`` list on every backend."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def where_given(query: Select[*Ts], *filters: tuple[Any, object]) -> Select[*Ts]:
    """``query`` narrowed to ``column == value`` for each filter whose value was given (not None or empty)."""
    for column, value in filters:
        if value is not None and value != "":
            query = query.where(column == value)
    return query


def count_of(session: Session, query: Select[*Ts]) -> int:
    """How many rows ``query`` selects in all, whatever its order or slice."""
    counted = select(func.count()).select_from(query.order_by(None).limit(None).offset(None).subquery())
    return session.scalar(counted) or 0


def capped_count_of(session: Session, query: Select[*Ts], cap: int) -> int:
    """How many rows ``query`` selects, counting no further than ``cap + 1``.

    A search matching a large share of a big table costs its count more than its first page:
    counting stops after ``cap + 1`` rows, so a result above ``cap`` means "more than cap".
    """
    counted = select(func.count()).select_from(query.order_by(None).limit(cap + 1).offset(None).subquery())
    return session.scalar(counted) or 0


def page_of(session: Session, query: Select[T], limit: int | None = None, offset: int = 0,
            count_cap: int | None = None) -> tuple[list[T], int]:
    """A slice of ``query``'s entities, in its own order, and how many it selects in all.

    ``limit=None`` takes every entity from ``offset``; the count is skipped when the slice reaches the end.
    With ``count_cap`` the count stops after ``count_cap + 1`` rows (see :func:`capped_count_of`).
    """
    rows = list(session.scalars(query.limit(limit).offset(offset or None)))
    return _total(session, query, rows, limit, offset, count_cap)


def rows_page_of(session: Session, query: Select[*Ts], limit: int | None = None,
                 offset: int = 0, count_cap: int | None = None) -> tuple[list[Row[*Ts]], int]:
    """``page_of`` for a query of several columns: its rows (tuples) and how many it selects in all.

    With ``count_cap`` the count stops after ``count_cap + 1`` rows (see :func:`capped_count_of`).
    """
    rows = list(session.execute(query.limit(limit).offset(offset or None)))
    return _total(session, query, rows, limit, offset, count_cap)


def _total(session: Session, query: Select[*Ts], rows: list[R], limit: int | None, offset: int,
           count_cap: int | None = None) -> tuple[list[R], int]:
    if (limit is None or len(rows) < limit) and (rows or not offset):
        return rows, offset + len(rows)  # the slice reached the end: no count needed
    if count_cap is not None:
        return rows, max(capped_count_of(session, query, count_cap), offset + len(rows))
    return rows, count_of(session, query)


WROTE = "centric_wrote"


class ReplicaReads(Session):
    """A session that reads from a replica until it writes; from then on everything goes to the primary.

    A statement that is not a plain SELECT (DML, ``FOR UPDATE``, text) and every flush go to
    the primary and mark the session, so no read after a write in the same unit of work can
    miss it through replication lag. The routing follows SQLAlchemy's documented pattern of a
    ``Session`` subclass overriding ``get_bind`` ("Custom Vertical Partitioning").
    """

    def __init__(self, primary: Engine, replica: Engine) -> None:
        super().__init__(bind=primary, expire_on_commit=False)
        self.replica = replica

    def get_bind(self, mapper: Any = None, *, clause: ClauseElement | None = None, **kw: Any) -> Engine | Connection:
        if not self.info.get(WROTE):
            if not self._flushing and (clause is None or _plain_select(clause)):
                return self.replica
            self.info[WROTE] = True
        return super().get_bind(mapper, clause=clause, **kw)


def _plain_select(clause: object) -> bool:
    return isinstance(clause, Select) and clause._for_update_arg is None


def wrote(session: Session) -> bool:
    """Whether ``session`` wrote (flushed or ran DML) or holds changes not yet flushed."""
    return bool(session.info.get(WROTE) or session.new or session.dirty or session.deleted)


def _note_flush(session: Session, _context: object) -> None:
    session.info[WROTE] = True


def _note_dml(state: ORMExecuteState) -> None:
    if not (state.is_select and _plain_select(state.statement)):
        state.session.info[WROTE] = True


class Database:
    """An engine plus its session factory; one per process.

    With ``replica_url`` (``CENTRIC_DATABASE_REPLICA_URL``), :meth:`replica_reads` gives sessions
    that read from the replica; plain sessions then note whether they wrote (:func:`wrote`).
    """

    def __init__(self, url: str, replica_url: str | None = None, *, pool_size: int = POOL_SIZE,
                 max_overflow: int = 10, pgbouncer: bool = False) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, pool_size=pool_size, max_overflow=max_overflow, pgbouncer=pgbouncer)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.replica: Engine | None = (
            make_engine(replica_url, pool_size=pool_size, max_overflow=max_overflow, pgbouncer=pgbouncer)
            if replica_url else None)
        if self.replica is not None:  # only then: the listeners cost a call per statement
            event.listen(self.sessions, "after_flush", _note_flush)
            event.listen(self.sessions, "do_orm_execute", _note_dml)

    def replica_reads(self) -> Session:
        """A :class:`ReplicaReads` session (a plain one on the primary when no replica is configured)."""
        if self.replica is None:
            return self.sessions()
        return ReplicaReads(self.engine, self.replica)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error.

        ``write=False`` for one that only reads (on SQLite it then need not queue for the
        write lock).
        """
        with self.sessions() as session, session.begin():
            if write:
                intend_to_write(session)
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session (no commit)."""
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.replica is not None:
            self.replica.dispose()


CLOCK_SKEW = timedelta(days=1)


def not_in_future(moment: datetime | None, field: str) -> datetime:
    """``moment`` as naive UTC (now when None); :class:`Invalid` when it lies in the future.

    A day of slack allows for clocks and time zones of the systems that send us data.
    """
    if moment is None:
        return utcnow()
    moment = as_utc(moment)
    if moment > utcnow() + CLOCK_SKEW:
        raise Invalid(f"{field} lies in the future", field=field)
    return moment


def as_utc(moment: datetime) -> datetime:
    """A naive UTC datetime from an aware one (naive ones are taken as UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _iso_utc(moment: datetime) -> str:
    """``2026-12-01T18:00:00Z``: stored timestamps are naive UTC, so the offset is said explicitly."""
    return as_utc(moment).isoformat() + "Z"


def _only_iso(value: object) -> object:
    """Refuse what lax parsing would turn into a date-time (``0``, ``true``, ``"1700000000"``)."""
    if isinstance(value, datetime) or (isinstance(value, str) and not _is_number(value)):
        return value
    raise ValueError("expected an ISO-8601 date-time such as 2026-12-01T18:00:00Z")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_DATE_TIME = {"type": "string", "format": "date-time"}

UtcDatetime = Annotated[datetime, PlainSerializer(_iso_utc, when_used="json"), WithJsonSchema(_DATE_TIME)]
"""A timestamp the API returns: stored naive UTC, written as ISO-8601 with ``Z``."""

DatetimeIn = Annotated[datetime, BeforeValidator(_only_iso), AfterValidator(as_utc), WithJsonSchema(_DATE_TIME)]
"""A timestamp the API accepts: ISO-8601 only, converted to naive UTC; without an offset it is taken as UTC."""


# --- calendar buckets in SQL -------------------------------------------------------------

def month_of(session: Session, column: SQLColumnExpression[Any]) -> ColumnElement[str]:
    """``YYYY-MM`` of a timestamp in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def quarter_of(session: Session, column: SQLColumnExpression[Any]) -> ColumnElement[str]:
    """``YYYY-Qn`` of a timestamp in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, 'YYYY-"Q"Q')
    quarter = (func.cast(func.strftime("%m", column), Integer) + 2) // 3
    return func.strftime("%Y", column).concat("-Q").concat(func.cast(quarter, String))
