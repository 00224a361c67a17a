"""Import and export of the knowledge base, one service for the CLI, the API and the import page.

An import reads a :class:`~centric.kb.formats.Source` (CSV, JSON or Markdown, see
:mod:`centric.kb.formats`) and keeps every good row: a bad one is reported with its file,
line and field and skipped. Entries are matched by slug, so importing the same file again
changes nothing; an entry whose fields differ is updated as a new version. On an update
only the fields the file gives are applied (an empty ``status``, ``kind`` or ``language``
keeps the stored one). A category the entries name but nobody defined is created from its
key. A dry run does all of it inside a savepoint and rolls it back: the report says what
would happen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.db import in_chunks
from centric.errors import CentricError, Invalid
from centric.kb.articles import ArticleFilter, article_query, create_article, update_article, variants_of
from centric.kb.categories import check_key, check_names, default_names
from centric.kb.formats import Located, Source, read_path
from centric.kb.models import KbArticle, KbCategory
from centric.kb.schemas import (
    MAX_SLUG,
    ArticleDoc,
    CategoryDoc,
    ImportProblem,
    ImportReport,
    KbDocument,
)
from centric.kb.validation import ArticleData, check_article, slugify

CONTENT = ("group", "kind", "language", "category", "title", "body", "variants")
KEPT_WHEN_EMPTY = ("kind", "language")  # and the status


def export_document(session: Session, where: ArticleFilter | None = None) -> KbDocument:
    """Every category and the entries matching ``where``, oldest first (the import format)."""
    rows = list(session.scalars(article_query(where or ArticleFilter()).order_by(KbArticle.id)))
    variants: dict[int, list[str]] = {}
    for chunk in in_chunks([row.id for row in rows]):
        variants.update(variants_of(session, chunk))
    categories = list(session.scalars(select(KbCategory).order_by(KbCategory.position, KbCategory.key)))
    keys = {category.id: category.key for category in categories}
    return KbDocument(
        categories=[CategoryDoc(key=c.key, names=dict(c.names or {}), position=c.position) for c in categories],
        articles=[ArticleDoc(slug=row.slug, group=row.group_key, kind=row.kind, language=row.language,
                             category=keys.get(row.category_id) if row.category_id else None, title=row.title,
                             body=row.body, variants=variants.get(row.id, []), status=row.status) for row in rows])


def import_source(session: Session, source: Source, *, dry_run: bool = False, publish: bool = False,
                  user_id: int | None = None, on_entry: Callable[[int], None] | None = None) -> ImportReport:
    """Import what ``source`` holds; ``publish`` publishes every imported entry; ``on_entry(n)`` counts progress."""
    report = ImportReport(dry_run=dry_run, errors=list(source.problems))
    savepoint = session.begin_nested()
    try:
        _import_categories(session, source.categories, report, user_id)
        _import_entries(session, source.entries, report, publish, user_id, on_entry)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
        if report.created or report.updated or report.categories_created:
            audit(session, user_id, "kb.import", "kb_article", None,
                  {"created": report.created, "updated": report.updated, "failed": len(report.errors)})
    report.failed = len({(problem.file, problem.line) for problem in report.errors})
    return report


def import_path(session: Session, path: Path, fmt: str | None = None, *, dry_run: bool = False,
                publish: bool = False, user_id: int | None = None) -> ImportReport:
    """Import a file, a folder of Markdown files or a .zip (the demo's ``hotel_faq.json``, a script's)."""
    return import_source(session, read_path(path, fmt), dry_run=dry_run, publish=publish, user_id=user_id)


def _fail(report: ImportReport, item: Located, problem: CentricError | str, field: str | None = None) -> None:
    message = problem if isinstance(problem, str) else problem.message
    name = field if isinstance(problem, str) else (problem.field or field)
    report.errors.append(ImportProblem(file=item.file, line=item.line_of(name), field=name, message=message))


def _position(value: Any) -> int:
    text = str(value if value is not None else 0).strip()
    if not text.isdigit() or int(text) > 100_000:
        raise Invalid(f"{text[:20]!r} is not a whole number from 0 to 100000", field="position")
    return int(text)


def _import_categories(session: Session, items: Iterable[Located], report: ImportReport,
                       user_id: int | None) -> None:
    stored = {category.key: category for category in session.scalars(select(KbCategory))}
    seen: set[str] = set()
    for item in items:
        try:
            key = check_key(str(item.record.get("key") or ""))
            names, position = check_names(item.record.get("names") or {}), _position(item.record.get("position"))
        except Invalid as problem:
            _fail(report, item, problem)
            continue
        if key in seen:
            _fail(report, item, f"the category {key!r} is defined twice", "key")
            continue
        seen.add(key)
        category = stored.get(key)
        if category is None:
            session.add(KbCategory(key=key, names=names, position=position))
        elif category.names != names or category.position != position:
            category.names, category.position = names, position
    session.flush()


def _entry(item: Located, report: ImportReport, publish: bool) -> ArticleData | None:
    data, problems = check_article(item.record)
    for problem in problems:
        _fail(report, item, problem)
    if data is None:
        return None
    slug = data.slug or slugify(data.title) or (f"{data.group}-{data.language}" if data.group else "")
    if not slug or len(slug) > MAX_SLUG:
        _fail(report, item, "give a slug: the title has no Latin letters to make one from, and no group", "slug")
        return None
    return replace(data, slug=slug, status="published" if publish else data.status)


def _import_entries(session: Session, items: list[Located], report: ImportReport, publish: bool,
                    user_id: int | None, on_entry: Callable[[int], None] | None) -> None:
    categories = set(session.scalars(select(KbCategory.key)))
    seen: dict[str, Located] = {}
    for n, item in enumerate(items, start=1):
        data = _entry(item, report, publish)
        if data is not None and data.slug in seen:
            first = seen[data.slug]
            _fail(report, item, f"the slug {data.slug!r} appears twice ({first.file} line {first.line})", "slug")
        elif data is not None and data.slug is not None:
            seen[data.slug] = item
            if data.category and data.category not in categories:
                session.add(KbCategory(key=data.category, names=default_names(data.category), position=0))
                categories.add(data.category)
                report.categories_created.append(data.category)
            _store(session, item, data, report, publish, user_id)
        if on_entry is not None:
            on_entry(n)


def _store(session: Session, item: Located, data: ArticleData, report: ImportReport, publish: bool,
           user_id: int | None) -> None:
    try:
        with session.begin_nested():
            stored = session.scalar(select(KbArticle).where(KbArticle.slug == data.slug))
            if stored is None:
                create_article(session, data, user_id)
                report.created += 1
            else:
                given: dict[str, Any] = {name: getattr(data, name) for name in CONTENT if name in item.record}
                for name in KEPT_WHEN_EMPTY:
                    if name in given and not str(item.record.get(name) or "").strip():
                        del given[name]
                status = data.status if publish or str(item.record.get("status") or "").strip() else None
                before = stored.version
                update_article(session, stored.id, given, None, user_id, status=status)
                if stored.version == before:
                    report.unchanged += 1
                    return
                report.updated += 1
    except CentricError as problem:
        _fail(report, item, problem)
        return
    except IntegrityError:
        _fail(report, item, "conflicts with a stored entry (changed at the same time?); import the file again", "slug")
        return
    report.slugs.append(str(data.slug))
