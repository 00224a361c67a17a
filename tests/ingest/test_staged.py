"""The set-based import of CSV responses: same guarantees as the row path, a chunk at a time."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import func, select

from centric import events
from centric.customers.models import Customer, Identity
from centric.customers.service import merge_customers
from centric.feedback.models import Feedback
from centric.ingest import records
from centric.ingest.records import CsvChunk, RowSource, read_rows
from centric.ingest.service import import_rows
from centric.insights.models import AnswerRollup
from centric.insights.service import MetricFilter, metric
from centric.jobs.models import Job
from centric.surveys.models import Answer, Response
from centric.surveys.schemas import ResponseIn, SurveyIn
from centric.surveys.service import create_survey, submit_response
from centric.themes.enrichment import ENRICH_TASK
from tests.factories import make_journey

HEADER = "external_id,survey,email,phone,touchpoint,submitted_at,nps,comment\n"


def _counts(db) -> dict[str, int]:
    with db.reader() as s:
        return {model.__tablename__: s.scalar(select(func.count()).select_from(model))
                for model in (Response, Answer, Feedback, Customer, Identity)}


def _write(path, lines: list[str]) -> RowSource:
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return read_rows(path, "responses")


def test_a_rerun_creates_nothing_and_duplicates_in_the_file_are_skipped(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    lines = [f"r{i},rnps,guest{i % 9}@example.com,,check-in,2026-03-0{1 + i % 9}T10:00:00,{i % 11},"
             + ("Lovely" if i % 2 else "") for i in range(30)]
    lines.append("r3,rnps,other@example.com,,room,2026-03-01T10:00:00,1,a second r3")  # same key as line 5
    source = _write(tmp_path / "responses.csv", lines)
    first = import_rows(db, "responses", source, chunk_rows=7)
    assert (first.created, first.skipped, first.failed) == (30, 1, 0)
    after_first = _counts(db)
    assert after_first == {"response": 30, "answer": 45, "feedback": 15, "customer": 9, "identity": 9}
    again = import_rows(db, "responses", read_rows(tmp_path / "responses.csv", "responses"), chunk_rows=11)
    assert (again.created, again.skipped, again.failed) == (0, 31, 0)
    assert _counts(db) == after_first
    with db.reader() as s:
        assert s.scalar(select(func.sum(AnswerRollup.n))) == 30  # the re-run counted nothing twice


def test_bad_rows_are_reported_by_line_and_field_and_good_rows_kept(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    path = tmp_path / "responses.csv"
    path.write_bytes((HEADER + (
        'g1,rnps,ann@example.com,,check-in,2026-03-01T10:00:00,9,"two\nlines"\n'  # lines 2-3
        "b1,rnps,bob@example.com,,check-in,2026-03-01T10:00:00,11,\n"  # line 4: out of range
        "b2,rnps,cy@example.com,,spa,2026-03-01T10:00:00,5,\n"  # line 5: unknown touchpoint
        "b3,rnps,dee@example.com,,room,2999-03-01T10:00:00,5,\n"  # line 6: in the future
        "b4,rnps,not-an-address,,room,2026-03-01T10:00:00,5,\n"  # line 7: no e-mail address
        "b5,nope,eve@example.com,,room,2026-03-01T10:00:00,5,\n"  # line 8: unknown survey
        "g2,rnps,fay@example.com,,room,2026-03-01T10:00,3,très bien\n"  # line 9: fine (and UTF-8)
    )).encode() + b"b6,rnps,g\xffl@example.com,,room,2026-03-01T10:00:00,7,\n"  # line 10: broken UTF-8
        + b"g3,rnps,,,room,,10,no customer at all\n")  # line 11: fine
    report = import_rows(db, "responses", read_rows(path, "responses"), chunk_rows=4)
    assert (report.created, report.failed) == (3, 6), report.errors
    where = {e.line: e.field for e in report.errors}
    assert where == {4: "nps", 5: "touchpoint", 6: "submitted_at", 7: "email", 8: "survey", 10: None}
    assert "0 to 10" in next(e.message for e in report.errors if e.line == 4)
    assert "UTF-8" in next(e.message for e in report.errors if e.line == 10)
    with db.reader() as s:
        assert sorted(s.scalars(select(Response.idempotency_key))) == ["g1", "g2", "g3"]
        assert s.scalar(select(Feedback.text).where(Feedback.response_id.is_not(None)).order_by(Feedback.id)) \
            == "two\nlines"
    assert _counts(db)["customer"] == 2  # rejected rows left no customer behind


def test_identities_resolve_to_existing_customers_and_merges_go_row_by_row(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
        ann = submit_response(s, ResponseIn(survey="rnps", answers={"nps": 9}, customer={"email": "ann@example.com"}))
        bob = submit_response(s, ResponseIn(survey="rnps", answers={"nps": 9},
                                            customer={"phone": "+47 900 00 001"}))
        old = submit_response(s, ResponseIn(survey="rnps", answers={"nps": 9}, customer={"email": "old@example.com"}))
        survivor, merged = s.get(Customer, ann.customer_id), s.get(Customer, old.customer_id)
        merge_customers(s, survivor, merged, reason="same person")
    source = _write(tmp_path / "responses.csv", [
        "x1,rnps,ANN@example.com,,room,2026-03-01T10:00:00,8,",  # a known e-mail, other case
        "x2,rnps,,+4790000001,room,2026-03-01T10:00:00,7,",  # a known phone, other formatting
        "x3,rnps,old@example.com,,room,2026-03-01T10:00:00,6,",  # merged away: the survivor
        "x4,rnps,new@example.com,,room,2026-03-01T10:00:00,5,",  # new
        "x5,rnps,new@example.com,+4790000099,room,2026-03-01T10:00:00,4,",  # the same new person, one more phone
    ])
    report = import_rows(db, "responses", source, may_merge=True, chunk_rows=3)
    assert (report.created, report.failed) == (5, 0)
    with db.reader() as s:
        owner = dict(s.execute(select(Response.idempotency_key, Response.customer_id)).all())
        assert owner["x1"] == ann.customer_id and owner["x3"] == ann.customer_id
        assert owner["x2"] == bob.customer_id
        assert owner["x4"] == owner["x5"] not in (ann.customer_id, bob.customer_id)
        identities = set(s.scalars(select(Identity.value).where(Identity.customer_id == owner["x4"])))
        assert identities == {"new@example.com", "+4790000099"}
    two = _write(tmp_path / "two.csv", ["x6,rnps,ann@example.com,+4790000001,room,2026-03-01T10:00:00,3,"])
    assert import_rows(db, "responses", two, may_merge=True).created == 1  # two profiles: merged by the row path
    with db.reader() as s:
        assert s.get(Customer, bob.customer_id).merged_into_id == ann.customer_id
        assert s.scalar(select(Response.customer_id).where(Response.idempotency_key == "x6")) == ann.customer_id


def test_rollups_enrichment_and_metric_match_the_row_path(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
        create_survey(s, SurveyIn(key="rnps-live", name="Same survey, answered live", kind="nps"))
    rows = [(i, (i * 7) % 11, f"2026-0{1 + i % 3}-1{i % 10}T0{i % 10}:30:00", ["room", "check-in", ""][i % 3])
            for i in range(40)]
    source = _write(tmp_path / "responses.csv", [
        f"s{i},rnps,p{i % 13}@example.com,,{point},{when},{score},{'Noisy' if i % 4 == 0 else ''}"
        for i, score, when, point in rows])
    with events.recorded() as seen:
        report = import_rows(db, "responses", source, chunk_rows=15)
    assert report.created == 40
    assert [len(e.ids) for e in seen if isinstance(e, events.ResponsesStored)] == [15, 15, 10]
    assert all(e.imported for e in seen if isinstance(e, events.ResponsesStored))
    with db.transaction() as s:
        for i, score, when, point in rows:
            submit_response(s, ResponseIn(survey="rnps-live", answers={"nps": score, **(
                {"comment": "Noisy"} if i % 4 == 0 else {})}, customer={"email": f"p{i % 13}@example.com"},
                touchpoint=point or None, submitted_at=datetime.fromisoformat(when)))
    with db.reader() as s:
        by_survey: dict[str, set[tuple]] = {}
        for key in ("rnps", "rnps-live"):
            survey_id = s.scalar(select(Response.survey_id).join(Answer).where(
                Response.idempotency_key.is_(None) if key == "rnps-live" else Response.idempotency_key.is_not(None)))
            by_survey[key] = set(s.execute(select(
                AnswerRollup.day, AnswerRollup.touchpoint_id, AnswerRollup.channel, AnswerRollup.metric,
                AnswerRollup.n, AnswerRollup.promoters, AnswerRollup.detractors, AnswerRollup.total,
                AnswerRollup.total_sq).where(AnswerRollup.survey_id == survey_id)).all())
        assert by_survey["rnps"] == by_survey["rnps-live"] and len(by_survey["rnps"]) > 3
        staged = metric(s, "nps", where=MetricFilter(survey="rnps"))
        live = metric(s, "nps", where=MetricFilter(survey="rnps-live"))
        assert staged.overall == live.overall and staged.overall.n == 40
        comments = set(s.scalars(select(Feedback.id).join(Response, Feedback.response_id == Response.id)
                                 .where(Response.idempotency_key.is_not(None))))
        queued = {i for job in s.scalars(select(Job).where(Job.name == ENRICH_TASK)) for i in job.payload["ids"]}
        assert len(comments) == 10 and comments <= queued  # every imported comment waits for enrichment


def test_the_file_is_streamed_and_no_chunk_is_kept(db, tmp_path, monkeypatch):
    with db.transaction() as s:
        make_journey(s)
    _write(tmp_path / "responses.csv", [
        f"m{i},rnps,m{i}@example.com,,room,2026-03-01T10:00:00,{i % 11},{'x' * 200}" for i in range(6000)])
    monkeypatch.setattr(records, "BLOCK", 16_384)
    chunks: list[weakref.ref[CsvChunk]] = []
    reads: list[int] = []
    opened = RowSource._open

    def tracked_open(self: RowSource) -> BinaryIO:
        handle = opened(self)
        original = handle.read

        def read(n: int = -1) -> bytes:
            reads.append(n)
            return original(n)

        handle.read = read  # type: ignore[method-assign]
        return handle

    original_chunks = RowSource.csv_chunks

    def tracked_chunks(self: RowSource, size_: int) -> Iterator[CsvChunk]:
        for chunk in original_chunks(self, size_):
            gc.collect()
            # the loop that imports still names the previous chunk; none before it may be alive
            assert [ref for ref in chunks[:-1] if ref() is not None] == []
            chunks.append(weakref.ref(chunk))
            yield chunk

    monkeypatch.setattr(RowSource, "_open", tracked_open)
    monkeypatch.setattr(RowSource, "csv_chunks", tracked_chunks)
    report = import_rows(db, "responses", read_rows(tmp_path / "responses.csv", "responses"), chunk_rows=500)
    assert report.created == 6000 and len(chunks) == 12
    assert reads and all(0 < n <= 16_384 for n in reads)  # never the whole file at once


def test_timestamps_of_every_form_are_kept_and_the_import_leaves_the_process_as_it_found_it(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    plain = [f"p{i},rnps,p{i}@example.com,,room,2026-03-0{1 + i % 9} 10:00:0{i % 10},{i % 11}," for i in range(12)]
    other = ["z1,rnps,z1@example.com,,room,2026-03-01T11:00:00Z,5,",
             "z2,rnps,z2@example.com,,room,2026-03-02,6,",
             "z3,rnps,z3@example.com,,room,2026-02-30T10:00:00,7,",
             "z4,rnps,z4@example.com,,room,2999-01-01T00:00:00,8,"]
    with db.engine.connect() as connection:
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar() if db.dialect == "sqlite" else None
    assert gc.isenabled()
    first = import_rows(db, "responses", _write(tmp_path / "plain.csv", plain), chunk_rows=5)
    second = import_rows(db, "responses", _write(tmp_path / "other.csv", other), chunk_rows=5)
    assert (first.created, first.failed) == (12, 0)
    assert (second.created, second.failed) == (2, 2)  # no 30 February, nothing from the future
    assert sorted(e.line for e in second.errors) == [4, 5]
    with db.reader() as s:
        moments = dict(s.execute(select(Response.idempotency_key, Response.submitted_at)).all())
    assert moments["p11"] == datetime(2026, 3, 3, 10, 0, 1)
    assert moments["z1"] == datetime(2026, 3, 1, 11, 0) and moments["z2"] == datetime(2026, 3, 2)
    assert gc.isenabled()  # the collector runs again once no import is running
    if db.dialect == "sqlite":
        with db.engine.connect() as connection:  # the pooled connection has its own cache size back
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == cache


def test_imported_answers_are_counted_in_their_customers_segments(db, tmp_path):
    from centric.customers.schemas import SegmentIn
    from centric.customers.service import create_segment
    from centric.insights import segment_rollups
    from centric.insights.models import SegmentRollup

    with db.transaction() as s:
        make_journey(s)
        create_segment(s, SegmentIn(key="gold", name="Gold", rule=[{"attribute": "tier", "op": "eq", "value": "gold"}]))
        for i in range(4):  # known guests, two of them gold, before the import
            submit_response(s, ResponseIn(survey="rnps", answers={"nps": 9}, customer={
                "email": f"k{i}@example.com", "attributes": {"tier": "gold" if i % 2 else "silver"}}))
    source = _write(tmp_path / "responses.csv", [
        f"g{i},rnps,k{i % 4}@example.com,,room,2026-03-0{1 + i % 5}T10:00:00,{i % 11}," for i in range(20)])
    assert import_rows(db, "responses", source, chunk_rows=6).created == 20

    def sums(s) -> set[tuple]:  # type: ignore[no-untyped-def]
        return set(s.execute(select(SegmentRollup.segment_id, SegmentRollup.day, SegmentRollup.survey_id,
                                    SegmentRollup.touchpoint_id, SegmentRollup.metric, SegmentRollup.n,
                                    SegmentRollup.total).where(SegmentRollup.n > 0)).all())

    with db.reader() as s:
        incremental = sums(s)
        gold = metric(s, "nps", where=MetricFilter(segment="gold"))
        raw = metric(s, "nps", where=MetricFilter(segment="gold"), use_rollups=False)
    assert gold.overall == raw.overall and gold.overall.n == 2 + 10  # two live answers, ten imported
    with db.transaction() as s:
        segment_rollups.rebuild(s)
    with db.reader() as s:
        assert sums(s) == incremental
