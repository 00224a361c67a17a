"""Staff pages of entries: the list with filters, the editor (new and existing) with a preview, publishing.

Reading needs a login with any role (entries are not customer data); changing needs kb:write.
The preview works without JavaScript (the Preview button posts the form and shows it
again with the rendered body); with JavaScript, htmx refreshes it while typing.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.roles import Permission
from centric.errors import CentricError, explain
from centric.kb import articles
from centric.kb.articles import ArticleFilter
from centric.kb.categories import list_categories
from centric.kb.markdown import render as render_markdown
from centric.kb.models import KINDS, LANGUAGES, STATUSES
from centric.kb.schemas import ArticleOut
from centric.kb.validation import article_data
from centric.kb.views.forms import article_fields, choice, labels, say, text
from centric.web import exports
from centric.web.deps import Caller, CanWriteKb, CheckedForm, CurrentCaller, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()
LIST_ROWS = 200
Short = Annotated[str | None, Query(max_length=60)]


KB_COLUMNS: tuple[exports.Column, ...] = (
    "id", "title", "slug", "language", "kind", "category", "status", "version", ("variants", lambda a: len(a.variants)),
    "updated_at", "published_at", "url",
)


@router.get("/kb", response_class=HTMLResponse)
def list_page(request: Request, session: DbSession, caller: CurrentCaller, status: Short = None,
              language: Short = None, category: Short = None, kind: Short = None,
              q: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Every entry matching the filters, most recently changed first."""
    where = ArticleFilter(status=choice(status, STATUSES), language=choice(language, LANGUAGES),
                          category=category or None, kind=choice(kind, KINDS), q=q or None)
    if fmt := exports.requested(request):
        entries, count = exports.every(request, session, lambda s, limit, offset: articles.list_articles(
            s, where, limit=limit, offset=offset))
        return exports.respond(exports.table_of("kb", entries, KB_COLUMNS, count), fmt)
    items, total = articles.list_articles(session, where, limit=LIST_ROWS)
    filters = {"status": where.status or "", "language": where.language or "", "category": where.category or "",
               "kind": where.kind or "", "q": q or ""}
    exported = urlencode({k: v for k, v in filters.items() if v and k in ("status", "language", "category")})
    return render(request, "kb/staff/list.html", caller=caller, items=items, total=total, f=filters,
                  categories=list_categories(session), export_query=exported,
                  can_write=caller.can(Permission.WRITE_KB), **labels())


def editor(request: Request, session: Session, caller: Caller, values: dict[str, Any], article: ArticleOut | None,
           problem: str | None = None, preview: Markup | None = None, status_code: int = 200,
           notice: str = "") -> HTMLResponse:
    return render(request, "kb/staff/edit.html", status_code=status_code, caller=caller, v=values, article=article,
                  categories=list_categories(session), problem=problem, preview=preview, notice=notice,
                  can_write=caller.can(Permission.WRITE_KB), **labels())


def _values(article: ArticleOut) -> dict[str, Any]:
    return {"kind": article.kind, "language": article.language, "category": article.category or "",
            "title": article.title, "body": article.body, "variants": "\n".join(article.variants),
            "slug": article.slug, "group": article.group, "version": article.version}


@router.get("/kb/articles/new", response_class=HTMLResponse)
def new_page(request: Request, session: DbSession, caller: CanWriteKb, language: Short = None, group: Short = None,
             category: Short = None, kind: Short = None) -> HTMLResponse:
    """The editor for a new entry; ``?group=…&language=zh`` starts a translation of an entry."""
    values = {"kind": choice(kind, KINDS) or "faq", "language": choice(language, LANGUAGES) or "en",
              "category": category or "", "title": "", "body": "", "variants": "", "slug": "", "group": group or ""}
    return editor(request, session, caller, values, None)


@router.post("/kb/articles/new")
def create(request: Request, session: DbSession, caller: CanWriteKb, form: CheckedForm) -> Response:
    values = article_fields(form)
    action = text(form, "action")
    if action == "preview":
        return editor(request, session, caller, values, None, preview=render_markdown(values["body"]))
    try:
        data = article_data({**values, "status": "published" if action == "publish" else "draft"})
        created = articles.create_article(session, data, caller.user.id)
    except CentricError as exc:
        session.rollback()
        return editor(request, session, caller, values, None, explain(exc), status_code=exc.status_code)
    return RedirectResponse(f"/kb/articles/{created.id}?saved=1", status_code=303)


def _shown(session: Session, article_id: int) -> ArticleOut:
    return articles.article_outs(session, [articles.get_article(session, article_id)])[0]


@router.get("/kb/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: ObjectId, request: Request, session: DbSession, caller: CurrentCaller,
                 saved: str = "") -> HTMLResponse:
    shown = _shown(session, article_id)
    return editor(request, session, caller, _values(shown), shown, preview=render_markdown(shown.body),
                  notice=say(request, caller.user, i18n.N_("Saved.")) if saved else "")


def _version(form_value: str) -> int | None:
    return int(form_value) if form_value.isdigit() and len(form_value) < 10 else None


@router.post("/kb/articles/{article_id}")
def save(article_id: ObjectId, request: Request, session: DbSession, caller: CanWriteKb, form: CheckedForm) -> Response:
    """Save the editor's fields as a new version (``action=publish`` also publishes); a stale version: 409."""
    values = {**article_fields(form), "version": text(form, "version")}
    action = text(form, "action")
    shown = _shown(session, article_id)
    if action == "preview":
        return editor(request, session, caller, values, shown, preview=render_markdown(values["body"]))
    fields = {k: v for k, v in values.items() if k not in ("version",) and not (k in ("slug", "group") and not v)}
    try:
        articles.update_article(session, article_id, fields, _version(values["version"]) or 0, caller.user.id,
                                status="published" if action == "publish" else None)
    except CentricError as exc:
        session.rollback()
        return editor(request, session, caller, values, _shown(session, article_id), explain(exc),
                      render_markdown(values["body"]), exc.status_code)
    return RedirectResponse(f"/kb/articles/{article_id}?saved=1", status_code=303)


@router.post("/kb/articles/{article_id}/status")
def change_status(article_id: ObjectId, request: Request, session: DbSession, caller: CanWriteKb,
                  form: CheckedForm) -> Response:
    """Publish, unpublish (back to draft) or archive."""
    try:
        articles.set_status(session, article_id, text(form, "to", 20), caller.user.id, _version(text(form, "version")))
    except CentricError as exc:
        session.rollback()
        shown = _shown(session, article_id)
        return editor(request, session, caller, _values(shown), shown, explain(exc), render_markdown(shown.body),
                      exc.status_code)
    return RedirectResponse(f"/kb/articles/{article_id}?saved=1", status_code=303)


@router.post("/kb/preview", response_class=HTMLResponse)
def preview(caller: CurrentCaller, form: CheckedForm) -> HTMLResponse:
    """The rendered body, for the editor's live preview (htmx)."""
    return HTMLResponse(str(render_markdown(article_fields(form)["body"])))
