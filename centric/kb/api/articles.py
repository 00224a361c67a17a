"""JSON routes of entries: list with filters, get, create (Idempotency-Key), update with optimistic
concurrency (a stale ``version`` answers 409), publish, unpublish, archive, versions, diff, restore."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from centric.kb import articles, versions
from centric.kb.articles import ArticleFilter
from centric.kb.schemas import (
    KEY_PATTERN,
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    Kind,
    Language,
    RestoreIn,
    Status,
    StatusChange,
    VersionDiff,
    VersionOut,
)
from centric.kb.validation import article_data
from centric.web.deps import CanWriteKb, CurrentCaller, DbSession, ObjectId, Page, Paging
from centric.web.responses import created

router = APIRouter(tags=["knowledge base"])
Key = Annotated[str | None, Query(max_length=120, pattern=KEY_PATTERN)]
Words = Annotated[str | None, Query(max_length=200, description="words in the title, body, slug or a variant")]
VersionNumber = Annotated[int, Query(ge=1, le=2**31 - 1)]


@router.get("/kb/articles", response_model=Page[ArticleOut])
def list_articles(session: DbSession, _: CurrentCaller, paging: Paging, status: Status | None = None,
                  language: Language | None = None, kind: Kind | None = None, category: Key = None,
                  group: Key = None, q: Words = None) -> Page[ArticleOut]:
    """Entries matching the filters, most recently changed first, with their variants and translations."""
    where = ArticleFilter(status=status, language=language, kind=kind, category=category, group=group, q=q)
    items, total = articles.list_articles(session, where, limit=paging.limit, offset=paging.offset)
    return paging.of(items, total)


@router.post("/kb/articles", response_model=ArticleOut, status_code=201)
def create_article(data: ArticleIn, request: Request, session: DbSession, caller: CanWriteKb) -> JSONResponse:
    """A new entry at version 1; the slug is made from the title when left out (409 when a given one is taken).
    A retry with the same ``Idempotency-Key`` gets the first answer and creates nothing."""
    def make() -> tuple[ArticleOut, bool]:
        row = articles.create_article(session, article_data(data.model_dump()), caller.user.id)
        return articles.article_outs(session, [row])[0], True

    return created(request, session, caller, data, make)


@router.get("/kb/articles/{article_id}", response_model=ArticleOut)
def get_article(article_id: ObjectId, session: DbSession, _: CurrentCaller) -> ArticleOut:
    return articles.article_outs(session, [articles.get_article(session, article_id)])[0]


@router.patch("/kb/articles/{article_id}", response_model=ArticleOut)
def update_article(article_id: ObjectId, data: ArticlePatch, session: DbSession, caller: CanWriteKb) -> ArticleOut:
    """Change fields as one new version; send the ``version`` you edited: if someone saved since, 409 and nothing
    changes. A change that changes nothing keeps the version."""
    fields = data.model_dump(exclude_none=True, exclude={"version"})
    row = articles.update_article(session, article_id, fields, data.version, caller.user.id)
    return articles.article_outs(session, [row])[0]


def _status(session: DbSession, article_id: int, status: str, data: StatusChange | None, user_id: int) -> ArticleOut:
    row = articles.set_status(session, article_id, status, user_id, data.version if data else None)
    return articles.article_outs(session, [row])[0]


@router.post("/kb/articles/{article_id}/publish", response_model=ArticleOut)
def publish(article_id: ObjectId, session: DbSession, caller: CanWriteKb, data: StatusChange | None = None
            ) -> ArticleOut:
    """Show the entry in the help centre and answer from it; 409 when published already or ``version`` is stale."""
    return _status(session, article_id, "published", data, caller.user.id)


@router.post("/kb/articles/{article_id}/unpublish", response_model=ArticleOut)
def unpublish(article_id: ObjectId, session: DbSession, caller: CanWriteKb, data: StatusChange | None = None
              ) -> ArticleOut:
    """Back to draft: hidden from the help centre and the bot."""
    return _status(session, article_id, "draft", data, caller.user.id)


@router.post("/kb/articles/{article_id}/archive", response_model=ArticleOut)
def archive(article_id: ObjectId, session: DbSession, caller: CanWriteKb, data: StatusChange | None = None
            ) -> ArticleOut:
    """Retire the entry (kept with its history, hidden everywhere public)."""
    return _status(session, article_id, "archived", data, caller.user.id)


@router.get("/kb/articles/{article_id}/versions", response_model=Page[VersionOut])
def list_versions(article_id: ObjectId, session: DbSession, _: CurrentCaller, paging: Paging) -> Page[VersionOut]:
    """Every saved version, newest first, with who saved it and when."""
    items, total = versions.list_versions(session, article_id, limit=paging.limit, offset=paging.offset)
    return paging.of(items, total)


@router.get("/kb/articles/{article_id}/diff", response_model=VersionDiff)
def diff(article_id: ObjectId, session: DbSession, _: CurrentCaller, old: VersionNumber,
         new: VersionNumber) -> VersionDiff:
    """What changed from version ``old`` to ``new``, line by line per field."""
    return versions.diff_versions(session, article_id, old, new)


@router.post("/kb/articles/{article_id}/restore", response_model=ArticleOut)
def restore(article_id: ObjectId, data: RestoreIn, session: DbSession, caller: CanWriteKb) -> ArticleOut:
    """An old version's title, body, variants and category become the entry's content again, as a new version."""
    row = versions.restore_version(session, article_id, data.restore, data.version, caller.user.id)
    return articles.article_outs(session, [row])[0]
