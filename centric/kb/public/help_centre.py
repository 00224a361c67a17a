"""The public help centre: topics, search, a topic's entries and one entry, in English and Chinese.

No login and no JavaScript needed: search is a plain GET form. The language comes from
``?lang=`` (remembered in a cookie), else the cookie, else Accept-Language. Only published
entries exist here; any other address answers a 404 page in the visitor's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from centric.errors import NotFound
from centric.kb import portal
from centric.kb.articles import article_path
from centric.kb.locale import LANGUAGE_NAMES, LANGUAGES, choose_locale, texts
from centric.kb.schemas import Translation
from centric.kb.search import MAX_QUERY, search
from centric.web.deps import DbSession
from centric.web.templating import environment

router = APIRouter()

COOKIE = "centric_help_lang"
COOKIE_TTL_S = 365 * 86_400
CHAT_PATH = "/help/chat"
RESULTS = 20
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Visit:
    locale: str
    asked: bool  # ?lang= was given: kept in links and remembered

    def link(self, path: str, **params: Any) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        if self.asked:
            query["lang"] = self.locale
        return f"{path}?{urlencode(query)}" if query else path


def _visit(request: Request) -> Visit:
    asked = request.query_params.get("lang") or ""
    locale = choose_locale(asked, request.cookies.get(COOKIE), request.headers.get("accept-language"))
    return Visit(locale, locale == asked.lower().split("-")[0])


def _languages(request: Request, translations: list[Translation] | None = None) -> list[tuple[str, str, str]]:
    """(code, name, URL) per language: an entry's translation when it has one, else this page in that language."""
    out = []
    for code in LANGUAGES:
        other = next((t for t in translations or [] if t.language == code), None)
        path = article_path(other.slug) if other else request.url.path
        params = [] if other else [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        out.append((code, LANGUAGE_NAMES.get(code, code), f"{path}?{urlencode([*params, ('lang', code)])}"))
    return out


def _page(request: Request, visit: Visit, template: str, status: int = 200,
          translations: list[Translation] | None = None, **context: Any) -> HTMLResponse:
    html = environment.get_template(template).render(
        t=texts(visit.locale), locale=visit.locale, link=visit.link, path=request.url.path,
        languages=_languages(request, translations), language_names=LANGUAGE_NAMES, asked=visit.asked,
        chat_url=visit.link(CHAT_PATH), max_query=MAX_QUERY, **context)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Referrer-Policy"] = "same-origin"
    if visit.asked:
        response.set_cookie(COOKIE, visit.locale, max_age=COOKIE_TTL_S, path="/help", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    return response


def _not_found(request: Request, visit: Visit) -> HTMLResponse:
    return _page(request, visit, "kb/public/message.html", 404, title="not_found_title", text="not_found")


@router.get("/help", response_class=HTMLResponse)
def help_home(request: Request, session: DbSession) -> HTMLResponse:
    visit = _visit(request)
    return _page(request, visit, "kb/public/home.html", home=portal.home(session, visit.locale))


@router.get("/help/search", response_class=HTMLResponse)
def help_search(request: Request, session: DbSession, q: str = "") -> HTMLResponse:
    visit = _visit(request)
    query = q.replace("\x00", "").strip()[:MAX_QUERY]
    hits = search(session, query, visit.locale, RESULTS) if query else []
    return _page(request, visit, "kb/public/search.html", q=query, hits=hits,
                 topics=[] if hits else portal.topics(session, visit.locale))


@router.get("/help/c/{key}", response_class=HTMLResponse)
def help_topic(key: str, request: Request, session: DbSession) -> HTMLResponse:
    visit = _visit(request)
    if not _KEY.match(key[:60]):
        return _not_found(request, visit)
    try:
        found, entries = portal.topic(session, key, visit.locale)
    except NotFound:
        return _not_found(request, visit)
    return _page(request, visit, "kb/public/topic.html", topic=found, entries=entries)


@router.get("/help/a/{slug}", response_class=HTMLResponse)
def help_article(slug: str, request: Request, session: DbSession) -> HTMLResponse:
    visit = _visit(request)
    if not _KEY.match(slug[:200]):
        return _not_found(request, visit)
    try:
        shown = portal.article(session, slug, visit.locale)
    except NotFound:
        return _not_found(request, visit)
    return _page(request, visit, "kb/public/article.html", translations=shown.translations, page=shown)
