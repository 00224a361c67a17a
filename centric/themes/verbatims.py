"""The verbatim explorer: search feedback text, filter, and highlight the matches safely.

Search is a parameterised, case-insensitive ``LIKE`` per word (``%`` and ``_`` in the
query are escaped, so they match literally); every word must occur. Highlighting
escapes the customer's text first and wraps only the matched spans in ``<mark>``, so
markup in feedback is always shown as text, never interpreted.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Row, Select, select
from sqlalchemy.orm import Session

from centric.customers.models import Customer
from centric.db import capped_count_of, count_of, rows_page_of
from centric.errors import Invalid
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.journeys.models import Touchpoint
from centric.search import fts_narrows, narrowed
from centric.text.versions import describe_version
from centric.themes.insight import scope_conditions
from centric.themes.schemas import VerbatimOut, VerbatimQuery, VerbatimTheme
from centric.themes.taxonomy import theme_by_path

MAX_WORDS = 8
SNIPPET = 600
RECENT_WINDOW = 20_000
"""A search first looks for its page among this many newest items (see :func:`search_verbatims`)."""


def query_words(q: str | None) -> list[str]:
    """The distinct words of a search, longest first (so overlapping matches prefer the longer)."""
    words = list(dict.fromkeys(w for w in (q or "").split() if w))
    if len(words) > MAX_WORDS:
        raise Invalid(f"a search has at most {MAX_WORDS} words", field="q")
    return sorted(words, key=len, reverse=True)


def highlight(text: str, words: list[str], limit: int = SNIPPET) -> Markup:
    """``text`` escaped, with each case-insensitive occurrence of ``words`` in ``<mark>``.

    Long texts are cut to ``limit`` characters around the first match.
    """
    spans = _spans(text, words)
    start = 0
    if len(text) > limit:
        start = max(0, (spans[0][0] if spans else 0) - limit // 4)
    end = min(len(text), start + limit)
    out, cursor = [Markup("…") if start else Markup("")], start
    for low, high in spans:
        if high <= cursor or low >= end:
            continue
        low = max(low, cursor)
        out += [escape(text[cursor:low]), Markup("<mark>"), escape(text[low:min(high, end)]), Markup("</mark>")]
        cursor = min(high, end)
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _conditions(session: Session, q: VerbatimQuery, words: list[str]) -> list[ColumnElement]:
    conditions: list[ColumnElement] = [Feedback.text.icontains(w, autoescape=True) for w in words]
    if q.theme:
        theme = theme_by_path(session, q.theme)
        conditions.append(Feedback.id.in_(select(FeedbackTheme.feedback_id).where(FeedbackTheme.theme_id == theme.id)))
    if q.sentiment:
        conditions.append(Feedback.sentiment_label == q.sentiment)
    if q.language:
        conditions.append(Feedback.language == q.language)
    conditions += scope_conditions(session, q.touchpoint, q.segment, q.since, q.until)
    if q.min_score is not None and q.max_score is not None and q.min_score > q.max_score:
        raise Invalid("min_score must not exceed max_score", field="min_score")
    if q.min_score is not None:
        conditions.append(Feedback.rating >= q.min_score)
    if q.max_score is not None:
        conditions.append(Feedback.rating <= q.max_score)
    return conditions


def _listing(*conditions: ColumnElement) -> Select[Feedback, str, str]:
    return (
        select(Feedback, Touchpoint.name, Customer.name)
        .outerjoin(Touchpoint, Touchpoint.id == Feedback.touchpoint_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .where(*conditions).order_by(Feedback.occurred_at.desc(), Feedback.id.desc())
    )


def _recent_page(session: Session, q: VerbatimQuery, words: list[str], limit: int,
                 offset: int) -> list[Row[Feedback, str, str]] | None:
    """The page found among the :data:`RECENT_WINDOW` newest items, or None when they do not fill it.

    A common word matches thousands of items, and narrowing by the FTS5 index (SQLite) reads
    them all before the newest can be picked, while the newest few thousand items already
    hold a full page. The window is every item at least as new as the ``RECENT_WINDOW``-th
    newest (a prefix of the order), so a full page from it is exactly the page of the whole
    table; a word too rare to fill it falls through to the index. PostgreSQL's planner makes
    this choice itself (it walks the ``occurred_at`` index when the trigram estimate is large).
    """
    edge = session.scalar(select(Feedback.occurred_at).order_by(Feedback.occurred_at.desc())
                          .offset(RECENT_WINDOW - 1).limit(1))
    if edge is None:  # a small table: the index path is cheap
        return None
    query = _listing(Feedback.occurred_at >= edge, *_conditions(session, q, words))
    rows = list(session.execute(query.limit(limit).offset(offset or None)))
    return rows if len(rows) == limit else None


def search_verbatims(session: Session, q: VerbatimQuery, limit: int = 25, offset: int = 0,
                     count_cap: int | None = None) -> tuple[list[VerbatimOut], int]:
    """A slice of the matching feedback, newest first, with highlighted text and themes; and how many match.

    With ``count_cap`` the count stops after ``count_cap + 1`` matches (pages and the API;
    files count every match).
    """
    words = query_words(q.q)
    dialect = session.get_bind().dialect.name
    # SQLite: the FTS5 trigram index narrows, the LIKEs of the conditions still decide
    indexed = narrowed(_listing(*_conditions(session, q, words)), dialect, "feedback", Feedback.id, words)
    by_fts = fts_narrows(dialect, words)
    recent = _recent_page(session, q, words, limit, offset) if by_fts and offset + limit <= RECENT_WINDOW else None
    if recent is not None:
        count = count_of(session, indexed) if count_cap is None else capped_count_of(session, indexed, count_cap)
        rows, total = recent, max(count, offset + len(recent))
    else:
        rows, total = rows_page_of(session, indexed, limit, offset, count_cap)
    themes = _themes_of(session, [item.id for item, _, _ in rows])
    items = [
        VerbatimOut(
            id=item.id, text=item.text, highlighted=str(highlight(item.text, words)), customer_id=item.customer_id,
            customer_name=customer, touchpoint=touchpoint, channel=item.channel, rating=item.rating,
            language=item.language,
            sentiment=item.sentiment, sentiment_label=item.sentiment_label, actionable=item.actionable,
            themes=themes.get(item.id, []), occurred_at=item.occurred_at,
            error=(item.enrichment or {}).get("error"), text_version=item.text_version,
            model=describe_version(item.text_version),
        )
        for item, touchpoint, customer in rows
    ]
    return items, total


def _themes_of(session: Session, ids: list[int]) -> dict[int, list[VerbatimTheme]]:
    out: dict[int, list[VerbatimTheme]] = {}
    if not ids:
        return out
    for feedback_id, path, score in session.execute(
        select(FeedbackTheme.feedback_id, Theme.name, FeedbackTheme.sentiment)
        .join(Theme, Theme.id == FeedbackTheme.theme_id).where(FeedbackTheme.feedback_id.in_(ids))
        .order_by(Theme.name)
    ):
        out.setdefault(feedback_id, []).append(VerbatimTheme(path=path, sentiment=score))
    return out
