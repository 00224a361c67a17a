"""Safe Markdown for the help centre: :func:`render` (HTML) and :func:`plain_text` (snippets).

Parsing is CommonMark (markdown-it-py) plus tables and strikethrough, with raw HTML
turned off, so ``<script>`` in a body is shown as text. Every text is escaped by the
renderer. Links may only point to ``http``, ``https``, ``mailto`` or a relative address
(``/help/a/wifi``, ``#opening-hours``); any other scheme (``javascript:``, ``data:``,
``vbscript:``…) leaves the Markdown as plain text. Images are kept only with a relative
source: the pages load nothing from other sites (their Content-Security-Policy would
block it anyway), so an outside image becomes a link to it. Links to other sites get
``rel="nofollow noopener noreferrer"``. Input beyond :data:`MAX_CHARS` is cut, and nesting
deeper than the preset's 20 levels is not parsed further, so hostile input costs bounded
time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

MAX_CHARS = 60_000
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_SPACES = re.compile(r"\s+")


def safe_url(url: str) -> bool:
    """True for an http(s) or mailto address, or a relative one (no scheme, not ``//host``)."""
    url = url.strip()
    if url.startswith(("//", "\\\\", "/\\", "\\/")):
        return False  # protocol-relative: another site
    found = _SCHEME.match(url)
    return found is None or found.group(1).lower() in SAFE_SCHEMES


def _external(url: str) -> bool:
    return _SCHEME.match(url.strip()) is not None


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if _external(str(token.attrGet("href") or "")):
        token.attrSet("rel", "nofollow noopener noreferrer")
    return str(self.renderToken(tokens, idx, options, env))


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if _external(src):
        return f'<a href="{escape(src)}" rel="nofollow noopener noreferrer">{escape(alt or src)}</a>'
    title = token.attrGet("title")
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<img src="{escape(src)}" alt="{escape(alt)}"{title_attr} loading="lazy">'


class _SafeMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # markdown-it's name for the link check
        return safe_url(url)


def _parser() -> MarkdownIt:
    md = _SafeMarkdown("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    return md


_MD = _parser()


def render(text: str) -> Markup:
    """The body's safe HTML (a :class:`Markup`, so that templates do not escape it twice)."""
    return Markup(_MD.render(text[:MAX_CHARS].replace("\x00", "")))


@lru_cache(maxsize=256)
def render_cached(text: str) -> Markup:
    """:func:`render`, remembered for the most recently shown bodies (help pages are read far more than edited)."""
    return render(text)


@lru_cache(maxsize=4096)
def plain_text(text: str, limit: int = 240) -> str:
    """The body's words without Markdown syntax, cut at ``limit`` characters on a word boundary.

    Only the start of the body is parsed (four times ``limit``): a snippet needs no more.
    """
    words: list[str] = []
    size = 0
    for token in _MD.parse(text[: max(limit * 4, 400)].replace("\x00", "")):
        for child in token.children or []:
            if child.type in ("text", "code_inline") and child.content.strip():
                words.append(child.content)
                size += len(child.content) + 1
        if size > limit:
            break
    flat = _SPACES.sub(" ", " ".join(words)).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(" ,.;:") + "…"
