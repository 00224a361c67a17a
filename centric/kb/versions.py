"""An entry's history: its saved versions, a line diff between two of them, restoring an old one."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.db import page_of
from centric.errors import NotFound
from centric.kb.articles import category_keys, check_version, get_article, update_article
from centric.kb.models import KbArticle, KbArticleVersion
from centric.kb.schemas import DiffLine, VersionDiff, VersionOut

COMPARED = ("title", "status", "category", "variants", "body")


def version_outs(session: Session, rows: Sequence[KbArticleVersion]) -> list[VersionOut]:
    """Versions with their category key and the name of who saved them (two batched queries)."""
    categories = category_keys(session, [row.category_id for row in rows])
    user_ids = sorted({row.saved_by for row in rows if row.saved_by is not None})
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    return [VersionOut.model_validate({
        "version": row.version, "title": row.title, "body": row.body, "variants": list(row.variants or []),
        "status": row.status, "category": categories.get(row.category_id) if row.category_id else None,
        "saved_by": row.saved_by,
        "saved_by_name": (names.get(row.saved_by) or f"user {row.saved_by}") if row.saved_by else "import or system",
        "saved_at": row.saved_at}) for row in rows]


def list_versions(session: Session, article_id: int, *, limit: int | None = None,
                  offset: int = 0) -> tuple[list[VersionOut], int]:
    """The entry's versions, newest first, and how many there are."""
    get_article(session, article_id)
    query = (select(KbArticleVersion).where(KbArticleVersion.article_id == article_id)
             .order_by(KbArticleVersion.version.desc()))
    rows, total = page_of(session, query, limit, offset)
    return version_outs(session, rows), total


def get_version(session: Session, article_id: int, version: int) -> KbArticleVersion:
    found = session.scalar(select(KbArticleVersion).where(KbArticleVersion.article_id == article_id,
                                                          KbArticleVersion.version == version))
    if found is None:
        raise NotFound(f"entry {article_id} has no version {version}", field="version")
    return found


def _lines(out: VersionOut, field: str) -> list[str]:
    if field == "variants":
        return list(out.variants)
    if field == "body":
        return out.body.splitlines()
    value = getattr(out, field)
    return [] if value is None else [str(value)]


def diff_versions(session: Session, article_id: int, old: int, new: int) -> VersionDiff:
    """What changed from version ``old`` to ``new``, field by field, line by line (unchanged lines kept)."""
    get_article(session, article_id)
    before, after = version_outs(session, [get_version(session, article_id, number) for number in (old, new)])
    lines: list[DiffLine] = []
    changed: list[str] = []
    for field in COMPARED:
        a, b = _lines(before, field), _lines(after, field)
        if a != b:
            changed.append(field)
        for op in difflib.ndiff(a, b):
            if op[:1] in (" ", "-", "+"):
                lines.append(DiffLine.model_validate({"field": field, "op": op[0], "text": op[2:]}))
    return VersionDiff(article_id=article_id, old=old, new=new, lines=lines, changed=changed)


def restore_version(session: Session, article_id: int, version: int, expected_version: int | None,
                    user_id: int | None) -> KbArticle:
    """Make an old version's title, body, variants and category the entry's content again, as a new version.

    The status stays as it is (a published entry shows the restored text at once; a draft stays a draft).
    """
    article = get_article(session, article_id)
    check_version(article, expected_version)
    old = version_outs(session, [get_version(session, article_id, version)])[0]
    return update_article(session, article_id, {"title": old.title, "body": old.body, "variants": old.variants,
                                                 "category": old.category or ""}, article.version, user_id)
