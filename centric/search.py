"""Index-backed substring search over customer text: trigram indexes on both databases.

Searches in Centric are case-insensitive substring matches (``LIKE '%word%'``), which no
B-tree index can answer, so at millions of rows each search read the whole table. Both
databases index the three-character substrings (trigrams) of a text instead:

* PostgreSQL: GIN indexes with ``pg_trgm``'s ``gin_trgm_ops`` on ``feedback.text`` (for
  ``ILIKE``) and on ``lower(customer.name)`` and ``lower(identity.value)``. The planner uses
  them for the unchanged ``LIKE``/``ILIKE`` conditions, so results are the same by
  construction. Where the extension is not available the indexes are skipped (and
  searches scan, as before).
* SQLite: FTS5 tables with the ``trigram`` tokenizer (SQLite ≥ 3.34) over the same columns,
  external-content tables kept in step by triggers. :func:`candidates` turns the words of
  a search into one ``MATCH`` of quoted phrases (a ``"`` in a word is doubled, so nothing
  the user types is read as FTS syntax) and the caller keeps its ``LIKE`` condition as a
  re-check on those candidates: results are exactly those of the plain ``LIKE``. A word
  shorter than three characters has no trigram; such a search falls back to the scan.

See the SQLite FTS5 documentation ("The Trigram Tokenizer") and PostgreSQL's ``pg_trgm``
("Index Support"). :data:`INDEXED` names every searched column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, bindparam, column, literal_column, select, table, text

INDEXED = (("feedback", "text", False), ("customer", "name", True), ("identity", "value", True))
"""(table, column, lowered): ``lowered`` when the query compares ``lower(column)`` (PostgreSQL index expression)."""

MIN_WORD = 3  # trigram indexes need three characters


def fts_table(name: str) -> str:
    return f"{name}_fts"


def _trgm_index(name: str, col: str) -> str:
    return f"ix_{name}_{col}_trgm"


def is_search_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """``include_object`` for Alembic: False for the search tables and indexes, which no model describes."""
    if name is None:
        return True
    if type_ == "table" and any(name.startswith(fts_table(t)) for t, _c, _l in INDEXED):
        return False
    return not (type_ == "index" and name in {_trgm_index(t, c) for t, c, _l in INDEXED})


def _has_trigrams(connection: Connection) -> bool:
    return bool(connection.scalar(text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")))


def create(connection: Connection) -> None:
    """Create the search indexes (and fill them from the rows already stored)."""
    if connection.dialect.name == "postgresql":
        if not _has_trigrams(connection):
            return
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        for name, col, lowered in INDEXED:
            expression = f"lower({col})" if lowered else col
            connection.execute(text(f"CREATE INDEX IF NOT EXISTS {_trgm_index(name, col)} ON {name} "
                                    f"USING gin ({expression} gin_trgm_ops)"))
        return
    for name, col, _lowered in INDEXED:
        fts = fts_table(name)
        connection.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({col}, content='{name}', "
                                f"content_rowid='id', tokenize='trigram')"))
        connection.execute(text(f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {name} BEGIN "
                                f"INSERT INTO {fts}(rowid, {col}) VALUES (new.id, new.{col}); END"))
        connection.execute(text(f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {name} BEGIN "
                                f"INSERT INTO {fts}({fts}, rowid, {col}) VALUES ('delete', old.id, old.{col}); END"))
        connection.execute(text(f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {col} ON {name} BEGIN "
                                f"INSERT INTO {fts}({fts}, rowid, {col}) VALUES ('delete', old.id, old.{col}); "
                                f"INSERT INTO {fts}(rowid, {col}) VALUES (new.id, new.{col}); END"))
        connection.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))


def drop(connection: Connection) -> None:
    """Remove the search indexes (the reverse of :func:`create`; bulk loads call it, then ``create``)."""
    for name, col, _lowered in INDEXED:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"DROP INDEX IF EXISTS {_trgm_index(name, col)}"))
            continue
        fts = fts_table(name)
        for suffix in ("ai", "ad", "au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {fts}_{suffix}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {fts}"))


def fts_query(words: Sequence[str]) -> str | None:
    """An FTS5 query matching rows that contain every word as a substring; None if a word is too short.

    Each word becomes a quoted string (its ``"`` doubled), so operators, column filters,
    ``*`` or parentheses typed by a user are text to find, never syntax.
    """
    if not words or any(len(w) < MIN_WORD for w in words):
        return None
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


def candidates(dialect: str, name: str, words: Sequence[str]) -> Select[Any] | None:
    """Ids of ``name`` rows that may contain every word (SQLite, from the FTS table); None: no narrowing.

    On PostgreSQL the ``LIKE`` itself uses the trigram index, so there is nothing to add.
    """
    query = fts_query(words)
    if dialect != "sqlite" or query is None:
        return None
    fts = fts_table(name)
    return select(column("rowid")).select_from(table(fts)).where(
        literal_column(fts).op("MATCH")(bindparam(None, query)))
