"""Creating and upgrading the database schema with the packaged Alembic migrations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from centric.db import BEGIN_OPTION, Database, normalise_url

MIGRATIONS = Path(__file__).with_name("migrations")
# The key of the PostgreSQL advisory lock that one upgrade holds at a time (any constant bigint
# that no other code uses: "centric" in ASCII).
UPGRADE_LOCK_KEY = 0x63656E74726963


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url))
    return config


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this version's migrations."""

    current: tuple[str, ...]  # the revisions stored in ``alembic_version`` (empty: never migrated)
    heads: tuple[str, ...]  # the newest revisions this version ships
    pending: tuple[str, ...]  # revisions an upgrade would apply, oldest first
    unknown: tuple[str, ...]  # stored revisions this version does not know (a newer Centric migrated it)

    @property
    def at_head(self) -> bool:
        return not self.pending and not self.unknown and set(self.current) == set(self.heads)


def schema_state(connection: Connection) -> SchemaState:
    """Compare the revisions stored in the database of ``connection`` with the shipped migrations."""
    script = ScriptDirectory.from_config(alembic_config(connection.engine.url.render_as_string(hide_password=False)))
    current = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    heads = tuple(sorted(script.get_heads()))
    unknown = tuple(r for r in current if not _revision_known(script, r))
    if unknown:
        return SchemaState(current, heads, (), unknown)
    applied: set[str] = set()
    for revision in current:  # a stored revision implies all its ancestors
        applied.update(r.revision for r in script.iterate_revisions(revision, "base"))
    pending = [r.revision for r in script.walk_revisions() if r.revision not in applied]
    return SchemaState(current, heads, tuple(reversed(pending)), ())


def _revision_known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001 — Alembic raises several kinds for an unknown id
        return False


def upgrade(db: Database, revision: str = "heads") -> tuple[str, ...]:
    """Bring the schema of ``db`` up to ``revision``: idempotent, and safe when several processes start at once.

    When the schema is at its heads already nothing is locked or written (every command and
    every start calls this). Otherwise the upgrade runs in one transaction under a lock, so
    that two processes starting together never both migrate: on PostgreSQL a transaction-level
    advisory lock (``pg_advisory_xact_lock``), on SQLite the database's write lock taken at
    ``BEGIN IMMEDIATE``. The process that waited finds the schema migrated and does nothing.

    Returns the revisions this call applied, oldest first (for ``revision="heads"``).
    """
    if revision == "heads":
        with db.engine.connect() as connection:
            if schema_state(connection).at_head:
                return ()
    sqlite = db.dialect == "sqlite"
    with db.engine.connect() as connection:
        if sqlite:
            connection.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
        with connection.begin():
            if not sqlite:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY})
            pending = schema_state(connection).pending  # read under the lock: what this call applies
            config = alembic_config(db.url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)  # "heads": branches of parallel work
    return pending if revision == "heads" else ()
