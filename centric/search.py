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
  external-content tables kept in step by triggers. :func:`narrowed` joins a query to the FTS rows that
  may match: the words of a search become one ``MATCH`` of quoted phrases (a ``"`` in a word is doubled, so nothing
  the user types is read as FTS syntax) and the caller keeps its ``LIKE`` condition as a
  re-check on those candidates: results are exactly those of the plain ``LIKE``. A word
  shorter than three characters has no trigram; such a search falls back to the scan.

See the SQLite FTS5 documentation ("The Trigram Tokenizer") and PostgreSQL's ``pg_trgm``
("Index Support"). :data:`INDEXED` names every searched column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Connection, Select, bindparam, column, literal_column, table, text
from sqlalchemy.orm import InstrumentedAttribute

Ts = TypeVarTuple("Ts")

INDEXED = (("feedback", "text", False), ("customer", "name", True), ("identity", "value", True))
"""(table, column, lowered): ``lowered`` when the query compares ``lower(column)`` (PostgreSQL index expression)."""

MIN_WORD = 3  # trigram indexes need three characters
COUNT_CAP = 1_000
"""Search pages and the API count matches up to this many, then say "more than" (files count them all)."""


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


def fts_narrows(dialect: str, words: Sequence[str]) -> bool:
    """Whether :func:`narrowed` joins an FTS table for these words (SQLite, every word of three characters)."""
    return dialect == "sqlite" and fts_query(words) is not None


def narrowed(query: Select[*Ts], dialect: str, name: str, ids: ColumnElement[int] | InstrumentedAttribute[int],
             words: Sequence[str]) -> Select[*Ts]:
    """``query`` joined to the FTS rows of ``name`` that may contain every word (SQLite); else unchanged.

    ``ids`` is the column holding ``name``'s id in ``query``. A join (rather than
    ``id IN (SELECT rowid …)``) lets SQLite stream the candidates, so a ``LIMIT`` stops the
    index early instead of after it produced every match. On PostgreSQL the ``LIKE`` itself
    uses the trigram index, so there is nothing to add.
    """
    match = fts_query(words)
    if not fts_narrows(dialect, words) or match is None:
        return query
    fts = table(fts_table(name), column("rowid"))
    return query.join(fts, fts.c.rowid == ids).where(literal_column(fts.name).op("MATCH")(bindparam(None, match)))
