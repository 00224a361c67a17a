"""Enrichment as background jobs: every ingest path, bad input, failures, incremental re-runs."""

from __future__ import annotations

from sqlalchemy import func, select

from centric.events import FeedbackStored, publish
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.feedback.schemas import FeedbackIn
from centric.feedback.service import record_feedback
from centric.ingest.records import read_rows
from centric.ingest.service import import_rows
from centric.jobs.models import Job
from centric.text.clean import MAX_CHARS
from centric.themes import enrichment, service
from centric.themes.enrichment import ENRICH_TASK, REENRICH_TASK, enrich_items, stale_ids
from centric.themes.schemas import ThemeIn
from centric.themes.taxonomy import current_taxonomy
from tests.factories import make_journey, respond
from tests.themes.conftest import add_items, run_jobs


def _jobs(session, name: str) -> list[Job]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Job).where(Job.name == name)))


def test_every_ingest_path_enqueues_enrichment_and_bulk_imports_batch_it(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
        record_feedback(s, FeedbackIn(text="The delivery was late and the driver was rude", channel="review"))
        respond(s, "rnps", 2, comment="Check-in took forever, the queue was endless")
    path = tmp_path / "feedback.csv"
    rows = "\n".join(f"{i},ticket,Refund still missing after {i} days" for i in range(30))
    path.write_text("external_id,channel,text\n" + rows + "\n", encoding="utf-8")
    assert import_rows(db, "feedback", read_rows(path, "feedback")).created == 30
    with db.reader() as s:
        jobs = _jobs(s, ENRICH_TASK)
        assert len(jobs) == 3  # one per API item, one per comment, one for the whole import batch
        assert sorted(len(j.payload["ids"]) for j in jobs) == [1, 1, 30]
    run_jobs(db)
    with db.reader() as s:
        items = list(s.scalars(select(Feedback).order_by(Feedback.id)))
        version = current_taxonomy(s).version
        assert len(items) == 32 and all(i.text_version == version for i in items)
        first = items[0]
        assert (first.language, first.sentiment_label, first.actionable) == ("en", "negative", True)
        themes = dict(s.execute(select(Theme.name, FeedbackTheme.sentiment).join(FeedbackTheme)
                                .where(FeedbackTheme.feedback_id == first.id)).all())
        assert {"delivery/late", "staff/attitude"} <= themes.keys() and themes["delivery/late"] < 0
        assert first.enrichment["sentiment"]["sentences"] and first.enrichment["version"]
        comment = next(i for i in items if i.source == "survey")
        assert "wait_time" in {t for t, in s.execute(select(Theme.name).join(FeedbackTheme)
                                                      .where(FeedbackTheme.feedback_id == comment.id))}
        assert all(j.status == "done" for j in _jobs(s, ENRICH_TASK))


def test_bad_input_gets_a_defined_result(db):
    texts = ["", "   ", "😀😀😀", "late delivery " * 8000, "<p>The <b>delivery</b> was <script>x()</script>late</p>",
             "The delivery was late 快递太慢了", "Bonjour, merci pour tout", "\ufffd\ufffd"]
    with db.transaction() as s:
        ids = add_items(s, texts)
        outcome = enrich_items(s, ids)
    assert outcome.enriched == len(texts) and not outcome.errors
    with db.reader() as s:
        got = {i.text[:12]: i for i in s.scalars(select(Feedback))}
    empty, emoji, huge, html = got[""], got["😀😀😀"], got["late deliver"], got["<p>The <b>de"]
    # every item is labelled; a text without evidence is neutral and has no numeric score to average
    assert (empty.language, empty.sentiment, empty.sentiment_label) == ("und", None, "neutral")
    assert emoji.language == "und"
    assert huge.enrichment["truncated"] and huge.enrichment["characters"] <= MAX_CHARS
    assert html.language == "en" and "delivery/late" in [t["path"] for t in html.enrichment["themes"]]
    assert got["The delivery"].enrichment["mixed_language"] is True
    assert got["Bonjour, mer"].language == "und"
    assert got["\ufffd\ufffd"].language == "und" and got["\ufffd\ufffd"].sentiment is None
    assert got["\ufffd\ufffd"].sentiment_label == "neutral"


def test_a_failing_item_is_recorded_retried_and_parked_without_spoiling_its_batch(db, monkeypatch):
    real = enrichment.enrich_many

    def fragile(texts, taxonomy=None, mode="fast"):  # type: ignore[no-untyped-def]
        if any("BOOM" in t for t in texts):
            raise RuntimeError("model exploded")
        return real(texts, taxonomy, mode)

    monkeypatch.setattr(enrichment, "enrich_many", fragile)
    with db.transaction() as s:
        ids = add_items(s, ["Great staff, thank you", "BOOM goes the parser", "Refund took weeks"])
        publish(s, FeedbackStored(tuple(ids)))  # as every ingest path announces new items
    run_jobs(db, job_max_attempts=3)
    with db.reader() as s:
        job = _jobs(s, ENRICH_TASK)[0]
        assert (job.status, job.attempts) == ("failed", 3)
        assert f"feedback {ids[1]}: RuntimeError: model exploded" in job.last_error
        bad = s.get(Feedback, ids[1])
        assert bad.text_version is None and bad.enrichment["error"] == "RuntimeError: model exploded"
        assert all(s.get(Feedback, i).sentiment_label for i in (ids[0], ids[2]))


def test_taxonomy_edits_re_enrich_only_stale_items(db):
    with db.transaction() as s:
        ids = add_items(s, ["The karaoke night was far too loud", "Lovely breakfast buffet"])
        assert enrich_items(s, ids).enriched == 2
        assert enrich_items(s, ids).skipped == 2  # already current: nothing recomputed
        service.create_theme(s, ThemeIn(name="noise", keywords={"en": ["karaoke", "loud"], "zh": ["吵"]}))
        assert stale_ids(s, current_taxonomy(s).version) == ids
        assert len(_jobs(s, REENRICH_TASK)) == 1
        service.create_theme(s, ThemeIn(name="food", keywords={"en": ["breakfast"]}))
        assert len(_jobs(s, REENRICH_TASK)) == 1  # a waiting re-run covers both edits
    run_jobs(db)
    with db.reader() as s:
        assert stale_ids(s, current_taxonomy(s).version) == []
        tagged = dict(s.execute(select(FeedbackTheme.feedback_id, Theme.name).join(Theme)
                                .where(Theme.name.in_(("noise", "food")))).all())
        assert tagged == {ids[0]: "noise", ids[1]: "food"}
        assert s.scalar(select(func.count()).select_from(Job).where(Job.status != "done")) == 0
