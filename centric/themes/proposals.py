"""Discovered themes: cluster untagged feedback, then accept, rename, merge or reject.

:func:`run_discovery` feeds the newest untagged items to
:func:`centric.text.discover_themes` (LSA + k-means, labels from distinctive terms) and
stores each cluster as a :class:`~centric.themes.models.ThemeProposal`. Accepting one
creates a theme whose keywords are the cluster's terms and whose examples are its most
central texts, and tags its members; merging adds them to an existing theme. Those tags
are kept by every later re-enrichment (:mod:`centric.themes.enrichment`).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from centric.db import page_of, utcnow
from centric.errors import Conflict, Invalid, NotFound
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.jobs.models import Job
from centric.jobs.service import enqueue
from centric.text import discover_themes
from centric.themes.models import ThemeProposal
from centric.themes.schemas import ProposalOut
from centric.themes.taxonomy import create_theme, get_theme, update_rule

DISCOVER_TASK = "themes.discover"
MAX_ITEMS = 20_000
KEYWORDS = 3


def schedule_discovery(session: Session, limit: int = 5000, n_themes: int | None = None) -> Job:
    """Queue a discovery run (one at a time: a waiting run is returned instead)."""
    if not 20 <= limit <= MAX_ITEMS:
        raise Invalid(f"limit must be between 20 and {MAX_ITEMS}", field="limit")
    if n_themes is not None and not 2 <= n_themes <= 30:
        raise Invalid("n_themes must be between 2 and 30", field="n_themes")
    waiting = session.scalar(select(Job).where(Job.name == DISCOVER_TASK, Job.status.in_(("queued", "running"))))
    return waiting or enqueue(session, DISCOVER_TASK, {"limit": limit, "n_themes": n_themes})


def run_discovery(session: Session, limit: int = 5000, n_themes: int | None = None) -> list[ThemeProposal]:
    """Replace the open proposals by clusters of the newest ``limit`` enriched, untagged items."""
    tagged = exists().where(FeedbackTheme.feedback_id == Feedback.id)
    rows = session.execute(
        select(Feedback.id, Feedback.text).where(Feedback.text_version.is_not(None), ~tagged)
        .order_by(Feedback.occurred_at.desc(), Feedback.id.desc()).limit(limit)
    ).all()
    session.execute(delete(ThemeProposal).where(ThemeProposal.status == "proposed"))
    found = discover_themes([t for _, t in rows], n_themes=n_themes)
    proposals = [
        ThemeProposal(label=p.label[:200], language=p.language, terms=list(p.terms), examples=list(p.examples),
                      feedback_ids=[rows[m][0] for m in p.members], size=p.size, cohesion=p.cohesion)
        for p in found
    ]
    session.add_all(proposals)
    session.flush()
    return proposals


def list_proposals(session: Session, status: str | None = "proposed", limit: int | None = None,
                   offset: int = 0, *, with_examples: bool = True) -> tuple[list[ProposalOut], int]:
    """Proposals, largest first (a slice of them), and how many there are.

    Their examples are customers' texts, left out unless ``with_examples``.
    """
    query = select(ThemeProposal).order_by(ThemeProposal.size.desc(), ThemeProposal.id)
    rows, total = page_of(session, query.where(ThemeProposal.status == status) if status else query, limit, offset)
    outs = [ProposalOut.model_validate(row) for row in rows]
    return (outs if with_examples else [out.model_copy(update={"examples": []}) for out in outs]), total


def get_proposal(session: Session, proposal_id: int, *, open_only: bool = True) -> ThemeProposal:
    row = session.get(ThemeProposal, proposal_id)
    if row is None:
        raise NotFound(f"theme proposal {proposal_id} not found")
    if open_only and row.status != "proposed":
        raise Conflict(f"theme proposal {proposal_id} was {row.status} already")
    return row


def rename_proposal(session: Session, proposal_id: int, label: str) -> ThemeProposal:
    row = get_proposal(session, proposal_id)
    if not label.strip():
        raise Invalid("label is empty", field="label")
    row.label = label.strip()[:200]
    return row


def theme_name(label: str) -> str:
    """A theme name from a readable label: "Slow wifi / router" → "slow_wifi"."""
    first = label.split("/")[0].strip().lower()
    return re.sub(r"[\s/]+", "_", first)[:60].strip("_") or "theme"


def accept_proposal(session: Session, proposal_id: int, name: str | None = None,
                    parent: str | None = None) -> Theme:
    """Create a theme from the proposal (keywords: its top terms; examples: its central texts)."""
    row = get_proposal(session, proposal_id)
    rule = {"label": row.label, "keywords": {row.language: list(row.terms[:KEYWORDS])},
            "examples": {row.language: list(row.examples)}}
    theme = create_theme(session, _checked_name(name or theme_name(row.label)), parent, rule, origin="discovered")
    _decide(session, row, "accepted", theme)
    return theme


def merge_proposal(session: Session, proposal_id: int, theme_id: int) -> Theme:
    """Add the proposal's terms, examples and items to the existing theme ``theme_id``."""
    row = get_proposal(session, proposal_id)
    theme = get_theme(session, theme_id)
    rule = theme.rule or {}
    keywords = _extend(rule.get("keywords"), row.language, row.terms[:KEYWORDS])
    examples = _extend(rule.get("examples"), row.language, row.examples)
    update_rule(session, theme, {"keywords": keywords, "examples": examples})
    _decide(session, row, "merged", theme)
    return theme


def reject_proposal(session: Session, proposal_id: int) -> ThemeProposal:
    row = get_proposal(session, proposal_id)
    row.status, row.decided_at = "rejected", utcnow()
    return row


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or "/" in name or len(name) > 80:
        raise Invalid("a theme name needs 1-80 characters and no '/'", field="name")
    return name


def _extend(current: Any, language: str, extra: list[str]) -> dict[str, list[str]]:
    merged = {k: list(v) for k, v in (current or {}).items()}
    merged[language] = list(dict.fromkeys([*merged.get(language, []), *extra]))
    return merged


def _decide(session: Session, row: ThemeProposal, status: str, theme: Theme) -> None:
    """Record the decision and tag the proposal's items with the theme (and re-run the rest)."""
    from centric.themes.enrichment import schedule_reenrichment

    row.status, row.theme_id, row.decided_at = status, theme.id, utcnow()
    members = set(row.feedback_ids or ())
    tagged = set(session.scalars(select(FeedbackTheme.feedback_id).where(FeedbackTheme.theme_id == theme.id)))
    scores = dict(session.execute(select(Feedback.id, Feedback.sentiment).where(Feedback.id.in_(members - tagged)))
                  .all()) if members - tagged else {}
    if scores:
        session.execute(FeedbackTheme.__table__.insert(), [
            {"feedback_id": i, "theme_id": theme.id, "sentiment": s} for i, s in sorted(scores.items())])
    session.flush()
    schedule_reenrichment(session)
