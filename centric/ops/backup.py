"""``centric backup`` / ``centric restore``: a consistent copy of the whole database, with a manifest.

A backup is a directory holding the data file and ``manifest.json`` (format, Centric
version, schema revision, creation time, the data file's size and SHA-256, and the rows
of every table). It is written under ``PATH.partial`` and renamed when complete, so a
half-written backup never looks like a good one.

- SQLite: the online backup API copies the database in one step, a consistent snapshot
  while the app keeps writing (WAL readers never block writers).
- PostgreSQL: ``pg_dump -Fc`` of a snapshot exported by the transaction that counts the
  rows, so the counts and the dump see the same data; ``pg_restore`` brings it back.
  Credentials travel in the environment (``PGPASSWORD`` …), never on the command line.

A restore verifies the manifest and the checksum, refuses a database that holds data
unless forced, compares the restored row counts with the manifest, then upgrades the
schema (a backup made by an older version is migrated).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url

import centric.models  # noqa: F401  (registers every table: what "empty" means)
from centric import __version__, i18n
from centric.db import Base, Database, utcnow
from centric.errors import CentricError, Conflict, Invalid, NotFound
from centric.store import alembic_config, upgrade

Progress = Callable[[str, int, int], None]
MANIFEST = "manifest.json"
FORMAT = 1
DATA_FILES = {"sqlite": "centric.sqlite3", "postgresql": "centric.pgdump"}
# Tables the app fills by itself on a fresh database (schema version, generated keys,
# scheduled jobs): rows there do not make a database "hold data".
BOOKKEEPING = frozenset({"alembic_version", "app_setting", "job"})
_CHUNK = 1 << 20
# libpq's environment variables for the query parameters a PostgreSQL URL may carry.
_LIBPQ_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
              "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS", "host": "PGHOST", "port": "PGPORT",
              "application_name": "PGAPPNAME", "target_session_attrs": "PGTARGETSESSIONATTRS"}


class MissingTool(CentricError):
    """A program the operation needs is not installed."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds; written as ``manifest.json`` next to the data file."""

    format: int
    centric_version: str
    dialect: str
    revision: list[str]
    created_at: str
    file: str
    size: int
    sha256: str
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest of the backup in ``folder``; :class:`Invalid` when missing or damaged."""
        path = folder / MANIFEST
        if not folder.is_dir():
            raise NotFound(i18n._("no backup at %(path)s") % {"path": folder})
        if not path.is_file():
            raise Invalid(i18n._("%(path)s is missing: not a Centric backup, or an incomplete one")
                          % {"path": path})
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls(format=int(body["format"]), centric_version=str(body["centric_version"]),
                           dialect=str(body["dialect"]), revision=[str(r) for r in body["revision"]],
                           created_at=str(body["created_at"]), file=str(body["file"]), size=int(body["size"]),
                           sha256=str(body["sha256"]),
                           tables={str(k): int(v) for k, v in dict(body["tables"]).items()})
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Invalid(i18n._("%(path)s is damaged (%(error)s)") % {"path": path, "error": exc}) from exc
        if manifest.format > FORMAT:
            raise Invalid(i18n._("this backup was made by a newer Centric (backup format %(n)d)")
                          % {"n": manifest.format})
        if manifest.dialect not in DATA_FILES or Path(manifest.file).name != manifest.file:
            raise Invalid(i18n._("%(path)s is damaged (unknown database kind or file name)") % {"path": path})
        return manifest

    def write(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


# --- backup ----------------------------------------------------------------------------

def backup(db: Database, path: Path, progress: Progress = _quiet) -> Manifest:
    """Copy the whole database of ``db`` into a new backup directory ``path``."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise Conflict(i18n._("%(path)s exists already; give a new path") % {"path": path})
    partial = path.with_name(path.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        data = partial / DATA_FILES[db.dialect]
        if db.dialect == "sqlite":
            revision, tables = _backup_sqlite(db, data, progress)
        else:
            revision, tables = _backup_postgresql(db, data, progress)
        manifest = Manifest(FORMAT, __version__, db.dialect, revision, utcnow().isoformat() + "Z", data.name,
                            data.stat().st_size, _sha256(data, progress), tables)
        manifest.write(partial)
        if path.exists():
            path.rmdir()
        partial.rename(path)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _sqlite_file(db: Database) -> Path:
    name = make_url(db.url).database
    if not name or name == ":memory:":
        raise Invalid(i18n._("an in-memory SQLite database cannot be backed up or restored"))
    return Path(name)


def _backup_sqlite(db: Database, target: Path, progress: Progress) -> tuple[list[str], dict[str, int]]:
    source = sqlite3.connect(_sqlite_file(db), timeout=30)
    copy = sqlite3.connect(target)
    try:
        progress(i18n._("copying the database"), 0, 1)
        # One step: a snapshot of one moment. Copied in several steps, SQLite would start
        # over after every write of the running app, and might never finish.
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        progress(i18n._("copying the database"), 1, 1)
    finally:
        source.close()
        copy.close()
    copied = Database(f"sqlite:///{target}", pool_size=1, max_overflow=0)
    try:
        with copied.engine.connect() as connection:
            return _revision(connection), _count_rows(connection, progress)
    finally:
        copied.dispose()


def _backup_postgresql(db: Database, target: Path, progress: Progress) -> tuple[list[str], dict[str, int]]:
    pg_dump = _tool("pg_dump")
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # The dump reads the snapshot this transaction counts in: both see the same rows.
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision, tables = _revision(connection), _count_rows(connection, progress)
            _run(progress, i18n._("dumping tables"), len(tables), "dumping contents of table",
                 [pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--verbose",
                  f"--snapshot={snapshot}", f"--file={target}"], _libpq_env(db.url))
    return revision, tables


# --- restore ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    applied: tuple[str, ...]  # migrations run after the restore (a backup of an older version)


def restore(db: Database, path: Path, *, force: bool = False, progress: Progress = _quiet) -> Restored:
    """Replace the database of ``db`` with the backup in ``path``, verify it, and upgrade its schema.

    Raises :class:`Conflict` when the database holds data and ``force`` is false.
    """
    manifest = verify(path, db.dialect, progress)
    if not force:
        held = holding(db)
        if held:
            shown = ", ".join(f"{name} ({rows:,})" for name, rows in list(held.items())[:5])
            raise Conflict(i18n._("the database holds data already (%(tables)s); restore into an empty database, "
                                  "or add --force to replace everything in it") % {"tables": shown})
    data = path / manifest.file
    if db.dialect == "sqlite":
        _restore_sqlite(db, data, progress)
    else:
        _restore_postgresql(db, data, len(manifest.tables), progress)
    with db.engine.connect() as connection:
        restored = _count_rows(connection, progress, i18n._("verifying rows"))
    differing = {name for name in manifest.tables.keys() | restored.keys()
                 if manifest.tables.get(name) != restored.get(name)}
    if differing:
        name = sorted(differing)[0]
        raise Invalid(i18n._("the restored database differs from the manifest: table %(table)s has %(rows)s rows, "
                             "the manifest says %(expected)s")
                      % {"table": name, "rows": restored.get(name, 0), "expected": manifest.tables.get(name, 0)})
    progress(i18n._("upgrading the schema"), 0, 1)
    applied = upgrade(db)
    progress(i18n._("upgrading the schema"), 1, 1)
    return Restored(manifest, applied)


def verify(path: Path, dialect: str, progress: Progress = _quiet) -> Manifest:
    """The manifest of the backup in ``path`` once its data file, checksum and revision check out."""
    manifest = Manifest.read(path)
    if manifest.dialect != dialect:
        raise Invalid(i18n._("this is a backup of a %(kind)s database; restore it into %(kind)s")
                      % {"kind": "SQLite" if manifest.dialect == "sqlite" else "PostgreSQL"})
    data = path / manifest.file
    if not data.is_file():
        raise Invalid(i18n._("%(path)s is missing from the backup") % {"path": data})
    if data.stat().st_size != manifest.size or _sha256(data, progress) != manifest.sha256:
        raise Invalid(i18n._("%(path)s is damaged: its checksum differs from the manifest's") % {"path": data})
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    for revision in manifest.revision:
        try:
            script.get_revision(revision)
        except Exception as exc:  # noqa: BLE001 — Alembic raises several kinds for an unknown id
            raise Invalid(i18n._("this backup's schema (%(revision)s) is newer than this version of Centric; "
                                 "upgrade Centric first") % {"revision": revision}) from exc
    return manifest


def holding(db: Database) -> dict[str, int]:
    """The tables of Centric's own that hold rows (bookkeeping tables aside), with their row counts."""
    with db.engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        names = sorted(n for n in Base.metadata.tables if n in present and n not in BOOKKEEPING)
        held = {}
        for name in names:
            rows = connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            if rows:
                held[name] = int(rows)
    return held


def _restore_sqlite(db: Database, data: Path, progress: Progress) -> None:
    target = _sqlite_file(db)
    db.dispose()  # no pooled connection may keep the old pages
    source = sqlite3.connect(data)
    copy = sqlite3.connect(target, timeout=30)
    try:
        progress(i18n._("copying the database"), 0, 1)
        source.backup(copy, pages=-1)
        progress(i18n._("copying the database"), 1, 1)
    finally:
        source.close()
        copy.close()


def _restore_postgresql(db: Database, data: Path, tables: int, progress: Progress) -> None:
    pg_restore = _tool("pg_restore")
    with db.engine.begin() as connection:
        # Everything in the schema goes, so that nothing of the old database (a newer
        # migration's tables, say) lingers beside the restored one.
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    db.dispose()
    database = make_url(db.url).database or ""
    _run(progress, i18n._("restoring tables"), tables, "processing data for table",
         [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--verbose", f"--dbname={database}",
          str(data)], _libpq_env(db.url))


# --- helpers ---------------------------------------------------------------------------

def _revision(connection: Connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    return sorted(str(r) for r in connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _count_rows(connection: Connection, progress: Progress, step: str = "") -> dict[str, int]:
    """Rows of every table in the database (FTS and trigram tables included), by name."""
    step = step or i18n._("counting rows")
    names = sorted(inspect(connection).get_table_names())
    counts: dict[str, int] = {}
    for done, name in enumerate(names):
        progress(step, done, len(names))
        counts[name] = int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
    progress(step, len(names), len(names))
    return counts


def _sha256(path: Path, progress: Progress) -> str:
    digest, total, done = hashlib.sha256(), path.stat().st_size, 0
    step = i18n._("checking the file")
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            progress(step, done, total)
    progress(step, total, total)
    return digest.hexdigest()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MissingTool(i18n._("%(tool)s is not installed (not found on PATH); install the PostgreSQL client "
                                 "programs, of the server's major version or newer") % {"tool": name})
    return found


def _libpq_env(url: str) -> dict[str, str]:
    """The environment that points libpq programs at ``url``'s database, credentials included."""
    parsed = make_url(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    given = {"PGHOST": parsed.host, "PGPORT": str(parsed.port) if parsed.port else None, "PGUSER": parsed.username,
             "PGPASSWORD": parsed.password, "PGDATABASE": parsed.database}
    env.update({k: str(v) for k, v in given.items() if v})
    for key, value in parsed.query.items():
        if key in _LIBPQ_ENV:
            env[_LIBPQ_ENV[key]] = value if isinstance(value, str) else value[0]
    return env


def _run(progress: Progress, step: str, total: int, marker: str, argv: list[str], env: Mapping[str, str]) -> None:
    """Run a libpq program, advancing ``step`` on each verbose line that contains ``marker``."""
    done = 0
    progress(step, done, total)
    errors: list[str] = []
    with subprocess.Popen(argv, env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        for line in process.stderr:
            if marker in line:
                done += 1
                progress(step, min(done, total), total)
            elif "error" in line.lower():
                errors.append(line.strip())
    if process.returncode != 0:
        raise Invalid(i18n._("%(tool)s failed: %(error)s")
                      % {"tool": Path(argv[0]).name, "error": "; ".join(errors[-3:]) or process.returncode})
    progress(step, total, total)

