"""Storing text enrichment on feedback items: on ingest, and incrementally after changes.

:func:`enrich_items` runs :func:`centric.text.enrich_many` over a batch and writes the
filterable columns (language, sentiment, effort, actionable), the full result as JSON,
one ``feedback_theme`` row per theme with that theme's own sentiment, and
``text_version`` — the model, rules and taxonomy hash it was computed with. An item
whose version differs from :func:`~centric.themes.taxonomy.current_taxonomy` is *stale*;
:func:`stale_ids` finds those, so a taxonomy edit re-runs only what it affects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from centric.db import utcnow
from centric.events import FeedbackEnriched, FeedbackStored, JobSpec, publish
from centric.feedback.models import Feedback, FeedbackTheme
from centric.jobs.models import Job
from centric.jobs.service import enqueue
from centric.text import Enrichment, enrich_many
from centric.themes.models import ThemeProposal
from centric.themes.taxonomy import CurrentTaxonomy, current_taxonomy

ENRICH_TASK = "themes.enrich"
REENRICH_TASK = "themes.reenrich"
BATCH = 500
MAX_ERROR = 500


@dataclass
class EnrichOutcome:
    """What one batch did: items enriched, items skipped (already current) and per-item errors."""

    enriched: int = 0
    skipped: int = 0
    errors: dict[int, str] = field(default_factory=dict)


def enrichment_jobs(stored: FeedbackStored) -> list[JobSpec]:
    """Reaction: one enrichment job per :data:`BATCH` newly stored items."""
    ids = list(stored.ids)
    return [JobSpec(ENRICH_TASK, {"ids": ids[start:start + BATCH]}) for start in range(0, len(ids), BATCH)]


def schedule_reenrichment(session: Session) -> Job:
    """Queue one incremental re-run (after a taxonomy edit) unless one is waiting already."""
    waiting = session.scalar(select(Job).where(Job.name == REENRICH_TASK, Job.status == "queued").limit(1))
    return waiting or enqueue(session, REENRICH_TASK, {})


def stale_ids(session: Session, version: str, limit: int | None = None, after: int = 0) -> list[int]:
    """Ids of items never enriched or enriched with another version, in id order."""
    query = (select(Feedback.id).where(Feedback.id > after, or_(Feedback.text_version.is_(None),
                                                                  Feedback.text_version != version))
             .order_by(Feedback.id))
    return list(session.scalars(query.limit(limit) if limit else query))


def enrich_items(session: Session, ids: Iterable[int], current: CurrentTaxonomy | None = None,
                 *, force: bool = False) -> EnrichOutcome:
    """Enrich the items ``ids`` that are stale (all of them with ``force``); one bad item never
    spoils the batch: its error is stored in its ``enrichment`` JSON and reported."""
    current = current or current_taxonomy(session)
    outcome = EnrichOutcome()
    wanted = sorted(set(ids))
    rows = session.execute(select(Feedback.id, Feedback.text, Feedback.text_version)
                           .where(Feedback.id.in_(wanted))).all() if wanted else []
    todo = [(i, t) for i, t, v in rows if force or v != current.version]
    outcome.skipped = len(rows) - len(todo)
    results = _enrich_each(todo, current)
    good = [(i, r) for i, r in results if isinstance(r, Enrichment)]
    write_enrichments(session, good, current)
    for item_id, error in ((i, r) for i, r in results if isinstance(r, str)):
        outcome.errors[item_id] = error
        session.execute(update(Feedback).where(Feedback.id == item_id).values(
            enrichment={"error": error, "version": current.version}, enriched_at=utcnow(), text_version=None))
    outcome.enriched = len(good)
    return outcome


def _enrich_each(items: list[tuple[int, str]], current: CurrentTaxonomy) -> list[tuple[int, Enrichment | str]]:
    """The whole batch at once; when that fails, item by item so the culprit is named."""
    if not items:
        return []
    try:
        return list(zip([i for i, _ in items], enrich_many([t for _, t in items], current.taxonomy, current.mode),
                        strict=True))
    except Exception:  # noqa: BLE001 — retried per item below, where the error is recorded
        pass
    out: list[tuple[int, Enrichment | str]] = []
    for item_id, text in items:
        try:
            out.append((item_id, enrich_many([text], current.taxonomy, current.mode)[0]))
        except Exception as exc:  # noqa: BLE001 — the item is parked with its error, the batch goes on
            out.append((item_id, f"{type(exc).__name__}: {exc}"[:MAX_ERROR]))
    return out


def write_enrichments(session: Session, results: Sequence[tuple[int, Enrichment]], current: CurrentTaxonomy) -> None:
    """Store enrichments with set-based statements: one UPDATE per batch, themes replaced."""
    if not results:
        return
    now = utcnow()
    table = Feedback.__table__
    session.execute(
        update(table).where(table.c.id == bindparam("item_id")),
        [{"item_id": item_id, **_columns(result, current.version, now)} for item_id, result in results]
    )
    ids = [item_id for item_id, _ in results]
    session.execute(delete(FeedbackTheme).where(FeedbackTheme.feedback_id.in_(ids)))
    links = _theme_links(results, current.paths) | _manual_links(session, results, current)
    if links:
        session.execute(FeedbackTheme.__table__.insert(), [
            {"feedback_id": f, "theme_id": t, "sentiment": s} for (f, t), s in sorted(links.items())])
    publish(session, FeedbackEnriched(tuple(ids)))


def _columns(result: Enrichment, version: str, now: Any) -> dict[str, Any]:
    sentiment = result.sentiment
    return {
        "language": result.language,
        "sentiment": round(sentiment.score, 4) if sentiment.evidence else None,
        "sentiment_label": sentiment.label,
        "effort": round(result.effort.score, 4),
        "actionable": result.actionable,
        "enrichment": enrichment_json(result),
        "enriched_at": now,
        "text_version": version,
    }


def _theme_links(results: Sequence[tuple[int, Enrichment]], paths: dict[str, int]) -> dict[tuple[int, int],
                                                                                           float | None]:
    return {(item_id, paths[hit.path]): hit.score for item_id, result in results for hit in result.themes
            if hit.path in paths}


def _manual_links(session: Session, results: Sequence[tuple[int, Enrichment]],
                  current: CurrentTaxonomy) -> dict[tuple[int, int], float | None]:
    """Tags given by accepting or merging a discovered theme survive every re-run."""
    wanted = {item_id: r for item_id, r in results}
    ancestors = {row_id: [current.paths[a] for a in current.taxonomy.ancestors(path) if a in current.paths]
                 for path, row_id in current.paths.items()}
    out: dict[tuple[int, int], float | None] = {}
    for theme_id, members in session.execute(
            select(ThemeProposal.theme_id, ThemeProposal.feedback_ids)
            .where(ThemeProposal.status.in_(("accepted", "merged")), ThemeProposal.theme_id.is_not(None))):
        for item_id in set(members or ()) & wanted.keys():
            result = wanted[item_id]
            score = round(result.sentiment.score, 4) if result.sentiment.evidence else None
            for target in (theme_id, *ancestors.get(theme_id, ())):
                out[(item_id, target)] = score
    return out


def enrichment_json(result: Enrichment) -> dict[str, Any]:
    """The stored JSON form of an :class:`~centric.text.Enrichment` (also the CLI's --json)."""
    sentiment = result.sentiment
    return {
        "language": result.language,
        "mixed_language": result.mixed_language,
        "sentiment": {
            "label": sentiment.label, "score": round(sentiment.score, 4), "mixed": sentiment.mixed,
            "probabilities": [round(p, 4) for p in sentiment.probabilities], "evidence": sentiment.evidence,
            "mode": sentiment.mode,
            "sentences": [{"start": s.start, "end": s.end, "language": s.language, "score": round(s.score, 4),
                           "label": s.label} for s in sentiment.sentences],
        },
        "themes": [{"path": t.path, "label": t.label, "sentiment": t.sentiment, "score": t.score,
                    "terms": list(t.terms), "source": t.source} for t in result.themes],
        "effort": {"score": round(result.effort.score, 4), "high": result.effort.high,
                   "cues": [{"kind": c.kind, "text": c.text} for c in result.effort.cues],
                   "ease": list(result.effort.ease)},
        "emotions": [{"name": e.name, "intensity": round(e.intensity, 4), "terms": list(e.terms)}
                     for e in result.emotions],
        "actionable": result.actionable,
        "actionable_reasons": list(result.actionable_reasons),
        "truncated": result.truncated,
        "characters": result.characters,
        "version": result.model_version,
    }
