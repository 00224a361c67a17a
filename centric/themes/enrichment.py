"""Storing text enrichment on feedback items: on ingest, and incrementally after changes.

:func:`enrich_items` runs :func:`centric.text.enrich_many` over a batch and writes the
filterable columns (language, sentiment, effort, actionable), the full result as JSON,
one ``feedback_theme`` row per theme with that theme's own sentiment, and
``text_version`` — the model, rules and taxonomy hash it was computed with. An item
whose version differs from :func:`~centric.themes.taxonomy.current_taxonomy` is *stale*;
:func:`stale_ids` finds those, so a taxonomy edit re-runs only what it affects.

Re-enrichment after any change of the version (a new sentiment model or cue rules in an
upgrade, a taxonomy edit) is automatic: :func:`schedule_reenrichment` runs when a worker
or the web app starts, after every taxonomy edit and on ``centric text reenrich --queue``.
It queues a *run*: a chain of jobs, one batch of :data:`BATCH` stale items each, in id
order. Each batch job enriches its items, moves the run's cursor (an ``AppSetting`` row)
and queues the next batch with the idempotency key ``(version, run, cursor)`` — all in one
transaction, so a batch interrupted half-way is simply run again, a second trigger while
a run is active returns the active job instead of starting another, and two workers
starting at once agree on the same key. A job that finds the version changed under it
starts a fresh run for the current version from the first id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from centric.accounts.models import AppSetting
from centric.db import Database, utcnow
from centric.events import FeedbackEnriched, FeedbackStored, JobSpec, publish
from centric.feedback.models import Feedback, FeedbackTheme
from centric.jobs.models import Job
from centric.jobs.service import enqueue, retry
from centric.text import Enrichment, enrich_many
from centric.text.versions import describe_version
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


STATE_KEY = "text.reenrichment"
ACTIVE = ("queued", "running")


@dataclass
class RunState:
    """The latest re-enrichment run, kept in the ``AppSetting`` row :data:`STATE_KEY`."""

    version: str | None = None
    run: int = 0
    cursor: int = 0
    done: bool = True
    enriched: int = 0
    failed: int = 0
    started_at: str | None = None
    finished_at: str | None = None


@dataclass(frozen=True)
class ReenrichmentStatus:
    """Where stored items stand against the current text version, and the run bringing them there."""

    version: str
    label: str
    total: int
    current: int
    failed: int
    never: int
    run: RunState
    job_id: int | None
    job_status: str | None

    @property
    def stale(self) -> int:
        return self.total - self.current


def load_state(session: Session) -> RunState:
    row = session.get(AppSetting, STATE_KEY)
    if row is None:
        return RunState()
    try:
        raw = json.loads(row.value)
        return RunState(**{k: v for k, v in raw.items() if k in RunState.__dataclass_fields__})
    except (ValueError, TypeError):
        return RunState()


def _save_state(session: Session, state: RunState) -> None:
    value = json.dumps(asdict(state), separators=(",", ":"))
    row = session.get(AppSetting, STATE_KEY)
    if row is None:
        session.add(AppSetting(key=STATE_KEY, value=value))
    else:
        row.value = value
    session.flush()


def _new_run(session: Session, state: RunState, version: str) -> RunState:
    fresh = RunState(version=version, run=state.run + 1, cursor=0, done=False, started_at=utcnow().isoformat())
    _save_state(session, fresh)
    return fresh


def _batch_job(session: Session, version: str, state: RunState) -> Job:
    """The job for the run's next batch (after ``state.cursor``); the same one however often asked."""
    digest = hashlib.sha256(version.encode()).hexdigest()[:16]
    return enqueue(session, REENRICH_TASK, {"version": version, "run": state.run, "after": state.cursor},
                   idempotency_key=f"{REENRICH_TASK}:{digest}:{state.run}:{state.cursor}")


def active_reenrichment(session: Session) -> Job | None:
    return session.scalar(select(Job).where(Job.name == REENRICH_TASK, Job.status.in_(ACTIVE))
                          .order_by(Job.id.desc()).limit(1))


def schedule_reenrichment(session: Session) -> Job:
    """Make sure a re-enrichment run brings stored items to the current version.

    Returns the active run's job when there is one (it adopts a newer version by itself);
    otherwise resumes the last run where its cursor stands (a parked job is retried) or
    starts a new one.
    """
    return active_reenrichment(session) or _resume_or_start(session, current_taxonomy(session).version)


def reenrich_if_stale(session: Session) -> Job | None:
    """:func:`schedule_reenrichment` when some item is not on the current version (the automatic trigger)."""
    active = active_reenrichment(session)
    if active is not None:
        return active
    version = current_taxonomy(session).version
    return _resume_or_start(session, version) if stale_ids(session, version, limit=1) else None


def _resume_or_start(session: Session, version: str) -> Job:
    state = load_state(session)
    if state.version != version or state.done:
        state = _new_run(session, state, version)
    job = _batch_job(session, version, state)
    if job.status == "failed":
        retry(session, job.id)
    elif job.status == "done":  # the run's state is behind its jobs: start over rather than stall
        job = _batch_job(session, version, _new_run(session, state, version))
    return job


def start_reenrichment(db: Database) -> None:
    """At start-up (worker or web app): re-enrich stored items if the text version changed.

    Two processes starting at once race on the run's idempotency key; the loser's insert
    fails and the winner's job stands.
    """
    try:
        with db.transaction() as session:
            reenrich_if_stale(session)
    except IntegrityError:
        pass


def reenrich_batch(session: Session, payload: dict[str, Any]) -> Job | None:
    """One batch of a run: enrich up to :data:`BATCH` stale items after the cursor, queue the next.

    Returns the next batch's job, or None when the run is complete.
    """
    current = current_taxonomy(session)
    state = load_state(session)
    underway = state.version == current.version and not state.done
    if underway and (payload.get("version"), payload.get("run")) != (current.version, state.run):
        return None  # a stray job of another run: the run underway covers its items
    if not underway:
        state = _new_run(session, state, current.version)  # a run queued for an older version, or an old-style job
    ids = stale_ids(session, current.version, limit=BATCH, after=state.cursor)
    if not ids:
        state.done, state.finished_at = True, utcnow().isoformat()
        _save_state(session, state)
        return None
    outcome = enrich_items(session, ids, current)
    state.cursor = ids[-1]
    state.enriched += outcome.enriched
    state.failed += len(outcome.errors)
    _save_state(session, state)
    return _batch_job(session, current.version, state)


def reenrichment_status(session: Session) -> ReenrichmentStatus:
    """Items on the current version out of all, failures, the run and its active job (constant queries)."""
    version = current_taxonomy(session).version
    on_version = case((Feedback.text_version == version, 1), else_=0)
    failed = case((and_(Feedback.text_version.is_(None), Feedback.enriched_at.is_not(None)), 1), else_=0)
    never = case((Feedback.enriched_at.is_(None), 1), else_=0)
    total, current, failures, untouched = session.execute(
        select(func.count(), func.coalesce(func.sum(on_version), 0), func.coalesce(func.sum(failed), 0),
               func.coalesce(func.sum(never), 0)).select_from(Feedback)).one()
    job = active_reenrichment(session)
    return ReenrichmentStatus(version=version, label=describe_version(version) or version, total=int(total),
                              current=int(current), failed=int(failures), never=int(untouched),
                              run=load_state(session), job_id=job.id if job else None,
                              job_status=job.status if job else None)


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
