"""Real databases for tests: a SQLite file and a fresh PostgreSQL database per test.

Each backend is migrated once into a template (a file copy for SQLite, ``CREATE
DATABASE … TEMPLATE`` for PostgreSQL), so every test starts from a clean, real schema.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from centric.db import Database
from centric.store import upgrade

PG_ADMIN = os.environ.get("CENTRIC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    """The shared data sets (CDNOW, labelled text): ``$CENTRIC_SHARED_DATA`` or ``../shared/data``."""
    candidates = [os.environ.get("CENTRIC_SHARED_DATA"), REPO.parent / "shared" / "data", "/work/shared/data"]
    existing = [Path(c) for c in candidates if c and Path(c).is_dir()]
    return existing[0] if existing else REPO.parent / "shared" / "data"


SHARED_DATA = _shared_data()
# Settings().shared_data (the labelled text corpora) reads the same variable
os.environ.setdefault("CENTRIC_SHARED_DATA", str(SHARED_DATA))


def _pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _pg_execute(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    name = f"centric_tpl_{uuid.uuid4().hex[:10]}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    db = Database(_pg_url(name))
    upgrade(db)
    db.dispose()
    yield name
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "centric.db"
        shutil.copy(template, target)
        database = Database(f"sqlite:///{target}")
        yield database
        database.dispose()
        return
    with pg_copy(request.getfixturevalue("pg_template")) as url:
        database = Database(url)
        yield database
        database.dispose()


@contextmanager
def pg_copy(template: str) -> Iterator[str]:
    """The URL of a fresh PostgreSQL database copied from ``template``, dropped afterwards."""
    name = f"centric_t_{uuid.uuid4().hex[:12]}"
    _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _pg_url(name)
    finally:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_db(pg_template: str) -> Iterator[Database]:
    """A migrated PostgreSQL database only (for what only a server database can show: concurrency, replicas)."""
    with pg_copy(pg_template) as url:
        database = Database(url)
        yield database
        database.dispose()


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database only (for tests whose logic is backend-independent)."""
    target = tmp_path / "centric.db"
    shutil.copy(sqlite_template, target)
    database = Database(f"sqlite:///{target}")
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests read English messages whatever the developer's shell says (``LANG=zh_CN.UTF-8``), and a
    test that switches the language (the CLI sets it for the whole process) leaves English behind."""
    from centric import i18n

    monkeypatch.setenv("CENTRIC_LANG", "en")
    yield
    i18n.set_locale("en")
