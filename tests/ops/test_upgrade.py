"""``centric db upgrade`` is safe on every start: idempotent, and one process migrates at a time."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from typer.testing import CliRunner

from centric.cli.main import app
from centric.db import Database
from centric.store import UPGRADE_LOCK_KEY, schema_state, upgrade
from tests.conftest import _pg_execute, _pg_url

runner = CliRunner()
UPGRADE = [sys.executable, "-c", "from centric.cli.main import app; app()"]


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    """A PostgreSQL database without any table."""
    name = f"centric_u_{uuid.uuid4().hex[:12]}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _waiting_for_the_lock(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                       "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").fetchone()
    assert row is not None
    return int(row[0])


def test_two_upgrades_started_together_on_a_fresh_postgresql_database(fresh_pg):
    """Both processes queue on the advisory lock (held here until both wait); one migrates, the other finds
    the schema at head, and both succeed."""
    with psycopg.connect(fresh_pg, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (UPGRADE_LOCK_KEY,))
        processes = [subprocess.Popen([*UPGRADE, "--database-url", fresh_pg, "db", "upgrade"], text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
        deadline = time.monotonic() + 120
        while _waiting_for_the_lock(holder) < 2:  # polls the server's lock table, no fixed sleep
            assert time.monotonic() < deadline, "the upgrades never queued on the lock"
            assert all(p.poll() is None for p in processes), [p.communicate()[0] for p in processes]
            time.sleep(0.05)
        holder.execute("SELECT pg_advisory_unlock(%s)", (UPGRADE_LOCK_KEY,))
        outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    migrated = [o for o in outputs if "applied 0001" in o]
    assert len(migrated) == 1, outputs  # exactly one process ran the migrations
    assert all("schema up to date on postgresql" in o for o in outputs)
    db = Database(fresh_pg)
    with db.engine.connect() as connection:
        assert schema_state(connection).at_head
    assert upgrade(db) == ()  # a further start does nothing
    db.dispose()


def test_two_upgrades_started_together_on_a_fresh_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    processes = [subprocess.Popen([*UPGRADE, "--database-url", url, "db", "upgrade"], text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert len([o for o in outputs if "applied 0001" in o]) == 1, outputs
    again = runner.invoke(app, ["--database-url", url, "db", "upgrade"])
    assert again.exit_code == 0 and "applied" not in again.output and "up to date" in again.output
