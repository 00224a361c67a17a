"""``centric backup`` / ``centric restore`` on both backends: a database with data comes back whole.

The backup is restored into an empty database; every table's row count and the NPS the
metrics service computes must be the same as in the original.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from centric.cli.main import app
from centric.db import Database, utcnow
from centric.errors import Conflict, Invalid
from centric.insights.service import MetricFilter, metric
from centric.ops.backup import MANIFEST, _libpq_env, backup, restore
from centric.store import alembic_config, schema_state
from tests.conftest import _pg_execute, _pg_url
from tests.factories import make_journey, respond

runner = CliRunner()


def _fill(db: Database) -> None:
    start = utcnow() - timedelta(days=30)
    with db.transaction() as s:
        make_journey(s)
        for i, score in enumerate([10, 9, 9, 8, 7, 6, 3, 10, 0, 9, 10, 5]):
            respond(s, "rnps", score, email=f"guest{i}@example.com", touchpoint="check-in",
                    when=start + timedelta(days=i), comment="Lovely room 房间很好" if i % 3 else None)
        for i, score in enumerate([5, 4, 2]):
            respond(s, "stay-csat", score, email=f"guest{i}@example.com", when=start + timedelta(days=i))


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        names = inspect(connection).get_table_names()
        return {n: connection.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}


def _nps(db: Database) -> tuple[float | None, int]:
    with db.reader() as session:
        result = metric(session, "nps", "touchpoint", MetricFilter())
    return result.overall.value, result.overall.n


@contextmanager
def empty_database(db: Database, tmp_path: Path) -> Iterator[Database]:
    """A database of ``db``'s kind with nothing in it, not even a schema."""
    if db.dialect == "sqlite":
        target = Database(f"sqlite:///{tmp_path / 'restored.db'}")
        yield target
        target.dispose()
        return
    name = f"centric_r_{uuid.uuid4().hex[:12]}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    target = Database(_pg_url(name))
    try:
        yield target
    finally:
        target.dispose()
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_into_an_empty_database_gives_the_same_rows_and_metric(db, tmp_path):
    _fill(db)
    before, nps = _counts(db), _nps(db)
    assert nps[1] == 12 and before["response"] == 15
    path = tmp_path / "backup"
    steps: set[str] = set()
    manifest = backup(db, path, progress=lambda step, _done, _total: steps.add(step))
    assert {"counting rows", "checking the file"} <= steps
    assert sorted(p.name for p in path.iterdir()) == sorted([MANIFEST, manifest.file])
    assert manifest.tables == before and manifest.revision == list(_heads(db))
    assert not path.with_name("backup.partial").exists()

    with empty_database(db, tmp_path) as target:
        restored = restore(target, path)
        assert restored.manifest == manifest and restored.applied == ()
        assert _counts(target) == before
        assert _nps(target) == nps
        # the restored database takes writes: sequences and ids carried over
        with target.transaction() as s:
            respond(s, "rnps", 10, email="new@example.com", touchpoint="check-in")
        assert _counts(target)["response"] == before["response"] + 1

        with pytest.raises(Conflict, match="holds data already"):
            restore(target, path)
        restore(target, path, force=True)  # replaces everything: the new response is gone
        assert _counts(target) == before and _nps(target) == nps


def test_a_backup_of_an_older_version_comes_back_upgraded(db, tmp_path):
    _fill(db)
    nps = _nps(db)
    with db.engine.begin() as connection:  # the schema of the version before this one
        config = alembic_config(db.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
        previous = schema_state(connection).current
    manifest = backup(db, tmp_path / "old")
    assert manifest.revision == list(previous) and manifest.revision != list(_heads(db))
    with empty_database(db, tmp_path) as target:
        restored = restore(target, tmp_path / "old")
        assert restored.applied == _heads(db)
        with target.engine.connect() as connection:
            assert schema_state(connection).at_head
        assert _nps(target) == nps
        assert _counts(target)["response"] == manifest.tables["response"]


def test_a_damaged_or_incomplete_backup_is_refused_with_a_reason(sqlite_db, tmp_path):
    _fill(sqlite_db)
    path = tmp_path / "backup"
    manifest = backup(sqlite_db, path)
    with empty_database(sqlite_db, tmp_path) as target:
        body = json.loads((path / MANIFEST).read_text())
        (path / MANIFEST).write_text(json.dumps({k: v for k, v in body.items() if k != "sha256"}))
        with pytest.raises(Invalid, match="damaged"):
            restore(target, path)
        (path / MANIFEST).write_text("{not json")
        with pytest.raises(Invalid, match="damaged"):
            restore(target, path)
        (path / MANIFEST).unlink()
        with pytest.raises(Invalid, match="manifest.json is missing"):
            restore(target, path)
        (path / MANIFEST).write_text(json.dumps(body))
        _flip_a_byte(path / manifest.file, manifest.size // 2)
        with pytest.raises(Invalid, match="checksum"):
            restore(target, path)
        _flip_a_byte(path / manifest.file, manifest.size // 2)  # whole again
        (path / MANIFEST).write_text(json.dumps({**body, "revision": ["9999_from_the_future"]}))
        with pytest.raises(Invalid, match="newer than this version"):
            restore(target, path)
        assert _counts(target).get("response", 0) == 0  # nothing was written


def _flip_a_byte(path: Path, offset: int) -> None:
    with path.open("r+b") as data:
        data.seek(offset)
        byte = data.read(1)
        data.seek(offset)
        data.write(bytes([byte[0] ^ 0xFF]))


def test_backup_refuses_an_existing_path_and_restore_the_other_backend(sqlite_db, pg_db, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    with pytest.raises(Conflict, match="exists already"):
        backup(sqlite_db, tmp_path / "taken")
    backup(sqlite_db, tmp_path / "lite")
    with pytest.raises(Invalid, match="backup of a SQLite database"):
        restore(pg_db, tmp_path / "lite")


def test_the_commands_show_progress_and_refuse_a_database_with_data(db, tmp_path):
    _fill(db)
    rows = f"{sum(_counts(db).values()):,} rows in"
    path = tmp_path / "backup"
    made = runner.invoke(app, ["--database-url", db.url, "backup", str(path)])
    assert made.exit_code == 0, made.output
    said = " ".join(made.output.split())  # Rich wraps lines at the terminal's width
    assert "counting rows" in said and "100%" in said  # progress
    assert "backed up to" in said and rows in said
    again = runner.invoke(app, ["--database-url", db.url, "restore", str(path)])
    refused = " ".join(again.output.split())
    assert again.exit_code == 1 and "holds data already" in refused and "--force" in refused
    with empty_database(db, tmp_path) as target:
        done = runner.invoke(app, ["--database-url", target.url, "restore", str(path)])
        assert done.exit_code == 0, done.output
        assert "restored" in done.output and rows in " ".join(done.output.split())
        assert _counts(target)["response"] == 15


def test_a_backup_taken_while_the_app_writes_is_consistent(db, tmp_path):
    """Responses keep arriving during the backup; the copy is of one moment, so the restore finds exactly
    the rows its manifest counted (restore checks every table), whatever arrived meanwhile."""
    _fill(db)
    stop, under_way, written = threading.Event(), threading.Event(), [0]

    def keep_writing() -> None:
        while not stop.is_set():
            with db.transaction() as s:
                respond(s, "rnps", written[0] % 11, email=f"live{written[0]}@example.com", touchpoint="check-in")
            written[0] += 1
            if written[0] == 5:
                under_way.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert under_way.wait(60)  # the writer is under way before the backup starts
        manifest = backup(db, tmp_path / "backup")
    finally:
        stop.set()
        writer.join()
    assert 15 < manifest.tables["response"] and _counts(db)["response"] == 15 + written[0]
    with empty_database(db, tmp_path) as target:
        restore(target, tmp_path / "backup")
        restored = _counts(target)
        assert restored["response"] == manifest.tables["response"]
        assert restored["answer"] == manifest.tables["answer"]


def test_pg_tools_get_the_credentials_in_their_environment():
    env = _libpq_env("postgresql+psycopg://cx:p%40ss@db.internal:5433/centric?sslmode=require")
    assert (env["PGUSER"], env["PGPASSWORD"], env["PGHOST"], env["PGPORT"], env["PGDATABASE"], env["PGSSLMODE"]) == (
        "cx", "p@ss", "db.internal", "5433", "centric", "require")


def _heads(db) -> tuple[str, ...]:
    """The newest migrations this version ships (what a fresh database is at)."""
    with db.engine.connect() as connection:
        return schema_state(connection).heads
