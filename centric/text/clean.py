"""Input hygiene: every text that enters the analytics is cleaned here first.

Customer text arrives from web forms, e-mail, chat exports and scraped reviews, so it may
hold markup, entities, control characters, lone surrogates or megabytes of pasted logs.
:func:`clean_text` turns any of that into plain, NFKC-normalised text of bounded length;
the rest of :mod:`centric.text` can then assume well-formed input.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

#: Characters analysed per text. Longer texts keep their first ``MAX_CHARS`` characters
#: (cut at a sentence or word boundary where one is near) and are flagged ``truncated``.
MAX_CHARS = 10_000
#: Raw characters looked at before markup is stripped; bounds the cost of a 100 MB input.
_RAW_LIMIT = 8 * MAX_CHARS

_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|tr|h[1-6]|blockquote|section|article)\b[^>]{0,500}>", re.I
)
_TAG = re.compile(r"<!--.*?-->|<[a-zA-Z/!][^<>]{0,500}>", re.S)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff\ufffe\uffff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_BOUNDARY = re.compile(r"[.!?。！？\n]")


@dataclass(frozen=True, slots=True)
class CleanText:
    """A cleaned text and whether it was cut to :data:`MAX_CHARS`."""

    text: str
    truncated: bool


def clean_text(raw: object, max_chars: int = MAX_CHARS) -> CleanText:
    """Strip markup, normalise Unicode (NFKC) and bound the length of ``raw``.

    Never raises: ``None`` becomes ``""``, non-strings are converted with ``str``, lone
    surrogates and control characters are dropped, HTML tags are removed (block tags
    become line breaks) and entities unescaped.
    """
    if raw is None:
        return CleanText("", False)
    text = raw if isinstance(raw, str) else _as_str(raw)
    truncated = len(text) > _RAW_LIMIT
    text = text[:_RAW_LIMIT]
    if "<" in text:
        text = _SCRIPT_STYLE.sub(" ", text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = _SURROGATE.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    text = _NEWLINES.sub("\n", _SPACES.sub(" ", text)).strip()
    if len(text) > max_chars:
        text = _cut(text, max_chars)
        truncated = True
    return CleanText(text, truncated)


def _as_str(raw: object) -> str:
    if isinstance(raw, bytes | bytearray):
        return bytes(raw).decode("utf-8", "replace")
    try:
        return str(raw)
    except Exception:  # a hostile __str__ must not break enrichment
        return ""


def _cut(text: str, max_chars: int) -> str:
    """Cut at the last sentence end, else word break, within the final 10 % of the limit."""
    head = text[:max_chars]
    floor = int(max_chars * 0.9)
    ends = [m.end() for m in _BOUNDARY.finditer(head, floor)]
    if ends:
        return head[: ends[-1]].rstrip()
    space = head.rfind(" ", floor)
    return head[:space] if space > 0 else head
