"""The staff UI's languages: message catalogs, the current locale, and locale-aware formatting.

Messages are written in English in the code and templates (``_("Log out")``); the Chinese
translations live in ``centric/i18n/zh/*.po`` (one file per area, so that areas are
translated independently) and are merged when first needed. The catalogs are read as
PO text with Babel, so no compiled ``.mo`` file is kept in the repository.

The locale is a context variable: web pages set it per request (the user's choice, else
the browser's Accept-Language), the CLI from ``CENTRIC_LANG`` / ``LANG``, and jobs from
the recipient of what they send.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
DEFAULT = "en"
CATALOGS = Path(__file__).parent
BABEL_LOCALES = {"en": "en", "zh": "zh_Hans_CN"}

_current: ContextVar[str] = ContextVar("centric_locale", default=DEFAULT)


def catalog_files(language: str) -> list[Path]:
    """The PO files holding ``language``'s translations, in a stable order."""
    return sorted((CATALOGS / language).glob("*.po"))


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """All of ``language``'s PO files merged into one gettext catalog (English: the identity)."""
    files = catalog_files(language) if language != DEFAULT else []
    if not files:
        return _gettext.NullTranslations()
    merged = None
    for path in files:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=BABEL_LOCALES.get(language, language))
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and message.string:
                merged[message.id] = message
    buffer = io.BytesIO()
    assert merged is not None
    write_mo(buffer, merged, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def current() -> str:
    """The locale of the page, e-mail or command being produced now."""
    return _current.get()


@contextmanager
def use_locale(language: str | None) -> Iterator[str]:
    """Produce everything inside the block in ``language`` (unknown languages: English)."""
    chosen = normalise(language)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def set_locale(language: str | None) -> str:
    """Switch the current context (a CLI run, a worker's job) to ``language``."""
    chosen = normalise(language)
    _current.set(chosen)
    return chosen


def normalise(language: str | None) -> str:
    """``zh-CN``, ``zh_Hans`` → ``zh``; anything not shipped → English."""
    base = (language or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT


def cli_locale() -> str:
    """The CLI's language: ``CENTRIC_LANG``, else the POSIX ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG``."""
    for name in ("CENTRIC_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return normalise(value)
    return DEFAULT


def gettext(message: str) -> str:
    """``message`` in the current locale (English when it has no translation)."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the current locale."""
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on ``context`` (``pgettext("verb", "Close")``)."""
    return translations(_current.get()).pgettext(context, message)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (module-level constants)."""
    return message


def pick_locale(languages: list[str] | tuple[str, ...], requested: str | None, accept_language: str | None) -> str:
    """``requested`` when offered, else the best Accept-Language match, else the first offered."""
    available = list(languages) or [DEFAULT]
    if requested:
        for language in available:
            if requested.lower() == language.lower() or requested.lower().split("-")[0] == language:
                return language
    for wanted, _quality in ranked_languages(accept_language or ""):
        for language in available:
            if wanted == language.lower() or wanted.split("-")[0] == language.lower():
                return language
    return available[0]


def ranked_languages(header: str) -> list[tuple[str, float]]:
    """Accept-Language entries by descending quality (RFC 9110 §12.5.4)."""
    ranked = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((tag.lower(), quality, -position))
    return [(t, q) for t, q, _p in sorted(ranked, key=lambda r: (r[1], r[2]), reverse=True)]


def _babel_locale() -> Locale:
    return Locale.parse(BABEL_LOCALES.get(_current.get(), "en"))


def format_number(value: float | int | None, digits: int | None = None) -> str:
    """``1,234.5`` in English, ``1,234.5`` in Chinese; ``–`` for a missing value."""
    if value is None:
        return "–"
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_babel_locale())


def format_share(value: float | None, digits: int = 0) -> str:
    """A share (0.42) as a percentage in the current locale (``42%``)."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=_babel_locale())


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    """A date in the current locale (``Dec 2, 2026`` / ``2026年12月2日``)."""
    if value is None:
        return "–"
    day = value.date() if isinstance(value, datetime) else value
    return _format_date(day, format=style, locale=_babel_locale())


def format_moment(value: datetime | None, style: str = "medium") -> str:
    """A date and time in the current locale; naive datetimes are UTC."""
    if value is None:
        return "–"
    return _format_datetime(value, format=style, tzinfo=None, locale=_babel_locale())
