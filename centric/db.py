"""Database engine, sessions and the declarative base shared by every domain."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, TypeVar

from sqlalchemy import JSON, Connection, CursorResult, Delete, Engine, MetaData, Table, Update, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

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


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        # Enough pooled connections for every thread of the web server's thread pool (40):
        # an overflow connection is opened and closed per use, with its PRAGMAs.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=POOL_SIZE, max_overflow=10)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # A PostgreSQL connection is a server process: opening one per request (pool overflow)
    # costs more than the request itself, so the pool keeps as many as the thread pool uses.
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
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


T = TypeVar("T")
IN_LIST_SIZE = 1_000


def in_chunks(items: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """Slices of ``items`` small enough for one ``IN (…)`` list on every backend."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Database:
    """An engine plus its session factory; one per process."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

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


def as_utc(moment: datetime) -> datetime:
    """A naive UTC datetime from an aware one (naive ones are taken as UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
