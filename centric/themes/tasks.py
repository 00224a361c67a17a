"""Jobs of the themes domain: enrich a batch, re-enrich stale items, discover themes.

All are idempotent: enrichment skips items already at the current version, a re-run
is a chain of batch jobs keyed by version, run and cursor (see
:mod:`centric.themes.enrichment`), and discovery replaces the open proposals it made before.
"""

from __future__ import annotations

from typing import Any

from centric.jobs import JobContext, PermanentError, task
from centric.themes.enrichment import ENRICH_TASK, REENRICH_TASK, enrich_items, reenrich_batch
from centric.themes.proposals import DISCOVER_TASK, run_discovery
from centric.themes.taxonomy import current_taxonomy


class ItemsFailed(Exception):
    """Some items of a batch could not be enriched; the others are stored."""


@task(ENRICH_TASK)
def enrich_batch(context: JobContext, payload: dict[str, Any]) -> None:
    """Enrich the stale items among ``payload["ids"]``; failing items make the job retry them."""
    ids = payload.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise PermanentError("payload needs 'ids', a list of feedback ids")
    with context.db.transaction() as session:
        outcome = enrich_items(session, ids, current_taxonomy(session, context.settings.text_model))
    if outcome.errors:
        listed = "; ".join(f"feedback {i}: {e}" for i, e in sorted(outcome.errors.items())[:5])
        raise ItemsFailed(f"{len(outcome.errors)} of {len(ids)} item(s) failed: {listed}")


@task(REENRICH_TASK, max_attempts=5)
def reenrich(context: JobContext, payload: dict[str, Any]) -> None:
    """One batch of a re-enrichment run, in one transaction with the job for the next batch.

    Items that fail are parked with their error (and counted in the run); the run goes on.
    """
    with context.db.transaction() as session:
        reenrich_batch(session, payload)


@task(DISCOVER_TASK, max_attempts=2)
def discover(context: JobContext, payload: dict[str, Any]) -> None:
    """Cluster untagged feedback into proposed themes."""
    with context.db.transaction() as session:
        run_discovery(session, limit=int(payload.get("limit", 5000)), n_themes=payload.get("n_themes"))
