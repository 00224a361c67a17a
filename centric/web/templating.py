"""Jinja2 templates with autoescaping always on; customer text is never trusted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from centric import i18n

TEMPLATES = Path(__file__).with_name("templates")

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates ship with the package; no stat() of every file per page
    extensions=["jinja2.ext.i18n"],
)
# Newstyle gettext: `_("Hello %(name)s", name=x)` escapes and formats safely; the catalog is the
# current locale's, which `render` sets for the page.
_install_gettext: Callable[..., None] = getattr(environment, "install_gettext_callables")  # noqa: B009 (added by the extension)
_install_gettext(gettext=i18n.gettext, ngettext=i18n.ngettext, pgettext=i18n.pgettext, newstyle=True)


def _fmt(value: float | None, digits: int = 1) -> str:
    return i18n.format_number(value, digits)


def _tr(value: object) -> str:
    """A stored word or message through the catalog (``{{ case.status|tr }}``): not a format string, and
    a plain ``str``, so autoescaping escapes it (``_()`` would format it and mark it safe)."""
    return "" if value is None else i18n.gettext(str(value))


environment.filters["fmt"] = _fmt
environment.filters["tr"] = _tr
environment.filters["num"] = i18n.format_number
environment.filters["pct"] = i18n.format_share
environment.filters["day"] = i18n.format_day
environment.filters["moment"] = i18n.format_moment
environment.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES


def page_locale(request: Request, user: Any = None) -> str:
    """The staff member's chosen language, else the browser's (Accept-Language), else English."""
    chosen = getattr(user, "locale", None)
    if chosen in i18n.LANGUAGES:
        return str(chosen)
    return i18n.pick_locale(i18n.LANGUAGES, request.query_params.get("lang"),
                            request.headers.get("accept-language"))


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    caller = context.pop("caller", None)
    user = caller.user if caller else None
    with i18n.use_locale(page_locale(request, user)) as locale:
        html = environment.get_template(name).render(
            request=request, caller=caller, user=user, lang=locale,
            csrf_token=caller.csrf_token if caller else None, path=request.url.path, **context,
        )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Language"] = locale
    response.headers.setdefault("Vary", "Accept-Language, Cookie")
    return response
