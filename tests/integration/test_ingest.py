"""Bulk import: good rows kept, bad rows reported by line and field, re-runs create nothing."""

from __future__ import annotations

import csv

from sqlalchemy import func, select

from centric.customers.models import Customer
from centric.feedback.models import Feedback
from centric.ingest.records import read_rows
from centric.ingest.service import import_rows
from centric.journeys.models import Event
from centric.surveys.models import Response
from tests.factories import make_journey

RESPONSES_CSV = (
    "external_id,survey,email,touchpoint,submitted_at,nps,comment\n"
    "r1,rnps,ann@example.com,check-in,2026-03-01T10:00:00,9,Great welcome\n"
    "r2,rnps,bob@example.com,check-in,2026-03-02T10:00:00,11,Too high\n"
    "r3,rnps,cy@example.com,spa,2026-03-03T10:00:00,5,Unknown touchpoint\n"
    "r4,rnps,dee@example.com,room,2026-03-04T10:00:00,abc,\n"
    "r5,rnps,eve@example.com,room,2026-03-05T10:00:00,3,房间不干净\n"
)


def _count(db, model):
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_csv_import_keeps_good_rows_and_reports_bad_ones(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    path = tmp_path / "responses.csv"
    path.write_text(RESPONSES_CSV, encoding="utf-8")
    report = import_rows(db, "responses", read_rows(path, "responses"))
    assert (report.created, report.failed) == (2, 3)
    errors = {e.line: e for e in report.errors}
    assert errors[3].field == "nps" and "0 to 10" in errors[3].message
    assert errors[4].field == "touchpoint" and "spa" in errors[4].message
    assert errors[5].field == "nps" and "number" in errors[5].message
    assert _count(db, Response) == 2
    assert _count(db, Feedback) == 2
    # Nothing half-written: the rejected rows left no customer behind.
    assert _count(db, Customer) == 2

    again = import_rows(db, "responses", read_rows(path, "responses"))
    assert (again.created, again.skipped, again.failed) == (0, 2, 3)
    assert _count(db, Response) == 2 and _count(db, Customer) == 2


def test_invalid_utf8_line_is_reported_and_the_rest_imported(db, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(
        b"external_id,name,email,tier\n"
        b"c1,Zo\xc3\xab,ann@example.com,gold\n"
        b"c2,B\xff\xfeb,bob@example.com,silver\n"
        b"c3,Cy,cy@example.com,\n"
    )
    report = import_rows(db, "customers", read_rows(path, "customers"))
    assert report.created == 2 and report.failed == 1
    assert report.errors[0].line == 3 and "UTF-8" in report.errors[0].message
    with db.reader() as s:
        ann = s.scalar(select(Customer).where(Customer.external_id == "c1"))
        assert ann.attributes == {"tier": "gold"} and ann.name == "Zoë"  # the file stays UTF-8


def test_jsonl_events_and_feedback(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"customer": {"email": "ann@example.com"}, "kind": "purchase", "occurred_at": "2026-02-01T09:00:00", '
        '"value": 120.5, "external_id": "o-1", "source": "shop"}\n'
        '{"customer": {"email": "ann@example.com"}, "kind": "purchase", "occurred_at": "not a date", '
        '"external_id": "o-2"}\n'
        "{broken json\n"
        '{"customer": {"phone": "+1 555 0100 22"}, "kind": "ticket", "occurred_at": "2026-02-03T09:00:00Z", '
        '"touchpoint": "check-out", "external_id": "t-9", "source": "zendesk"}\n',
        encoding="utf-8",
    )
    report = import_rows(db, "events", read_rows(events, "events"))
    assert (report.created, report.failed) == (2, 2)
    assert {e.line for e in report.errors} == {2, 3}
    assert next(e for e in report.errors if e.line == 2).field == "occurred_at"
    feedback = tmp_path / "feedback.csv"
    feedback.write_text("external_id,source,channel,email,text,rating\n"
                        "z1,trustpilot,review,ann@example.com,\"Fine, <b>really</b>\",4\n"
                        "z2,trustpilot,review,ann@example.com,,3\n")
    report = import_rows(db, "feedback", read_rows(feedback, "feedback"))
    assert report.created == 1 and report.errors[0].line == 3 and report.errors[0].field == "text"
    assert _count(db, Event) == 2


def test_import_resolves_identities_across_rows_and_merges(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    path = tmp_path / "feedback.csv"
    path.write_text(
        "external_id,source,channel,email,phone,text\n"
        "f1,helpdesk,ticket,kim@example.com,,Where is my refund?\n"
        "f2,callcenter,call,,+86 138 0000 1111,Called about refund\n"
        "f3,livechat,chat,kim@example.com,+8613800001111,Chat: still no refund\n"
        "f4,helpdesk,ticket,KIM@example.com,,Thanks - refund arrived\n",
        encoding="utf-8",
    )
    report = import_rows(db, "feedback", read_rows(path, "feedback"), batch_size=2, may_merge=True)
    assert (report.created, report.failed) == (4, 0)
    with db.reader() as s:
        owners = set(s.scalars(select(Feedback.customer_id)))
        assert len(owners) == 1  # one person behind e-mail and phone
        assert s.scalar(select(func.count()).select_from(Customer).where(Customer.merged_into_id.is_(None))) == 1


def test_customers_import_adds_attributes_to_known_customers(db, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("external_id,email,tier\nc1,ann@example.com,gold\nc2,bob@example.com,\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("external_id,email,city\nc1,ann@example.com,Oslo\nc2,bob@example.com,\n", encoding="utf-8")
    assert import_rows(db, "customers", read_rows(first, "customers")).created == 2
    report = import_rows(db, "customers", read_rows(second, "customers"))
    assert (report.created, report.updated, report.skipped, report.failed) == (0, 1, 1, 0)
    with db.reader() as s:
        ann = s.scalar(select(Customer).where(Customer.external_id == "c1"))
        assert ann.attributes == {"tier": "gold", "city": "Oslo"}
        assert s.scalar(select(func.count()).select_from(Customer)) == 2


def test_json_array_file(db, tmp_path):
    path = tmp_path / "customers.json"
    path.write_text('[{"external_id": "j1", "email": "j1@example.com", "attributes": {"tier": "gold"}}, 5]',
                    encoding="utf-8")
    report = import_rows(db, "customers", read_rows(path, "customers"))
    assert report.created == 1 and report.failed == 1 and report.errors[0].line == 2


FEEDBACK_HEADER = "external_id,source,email,text\n"


def test_an_oversized_text_fails_only_its_row(db, tmp_path):
    path = tmp_path / "feedback.csv"
    path.write_text(FEEDBACK_HEADER + "f1,desk,a@x.org,Fine\n" + f"f2,desk,b@x.org,{'x' * 51}\n"
                    + "f3,desk,c@x.org,Also fine\n", encoding="utf-8")
    report = import_rows(db, "feedback", read_rows(path, "feedback"), max_text_length=50)
    assert (report.created, report.failed) == (2, 1)
    assert [(e.line, e.field, e.message) for e in report.errors] == [(3, "text", "longer than 50 characters")]
    assert _count(db, Feedback) == 2


def test_a_field_over_the_csv_field_limit_fails_only_its_row(db, tmp_path):
    path = tmp_path / "feedback.csv"
    huge = "x" * (csv.field_size_limit() + 5)
    path.write_text(FEEDBACK_HEADER + "f1,desk,a@x.org,Fine\n" + f"f2,desk,b@x.org,{huge}\n"
                    + "f3,desk,c@x.org,Also fine\nf4,desk,d@x.org,Last\n", encoding="utf-8")
    report = import_rows(db, "feedback", read_rows(path, "feedback"))
    assert (report.created, report.failed) == (3, 1)
    assert [(e.line, e.field) for e in report.errors] == [(3, "text")]
    assert "longer than" in report.errors[0].message
    with db.reader() as s:
        assert sorted(s.scalars(select(Feedback.external_id))) == ["f1", "f3", "f4"]


def test_encodings_are_detected_or_given(db, tmp_path):
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("external_id,name,email\nc1,Zoë Müller,z@x.org\nc2,Ann,a@x.org\n".encode("cp1252"))
    report = import_rows(db, "customers", read_rows(legacy, "customers"))
    assert (report.created, report.failed) == (2, 0)
    bom = tmp_path / "bom.csv"
    bom.write_bytes("external_id,name,email\nc3,Åsa,asa@x.org\n".encode("utf-8-sig"))
    assert import_rows(db, "customers", read_rows(bom, "customers")).created == 1
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("external_id,name,email\nc4,Łukasz,l@x.org\n".encode("utf-16-be"))
    assert import_rows(db, "customers", read_rows(utf16, "customers", encoding="utf-16-be")).created == 1
    with db.reader() as s:
        names = dict(s.execute(select(Customer.external_id, Customer.name)).all())
    assert names == {"c1": "Zoë Müller", "c2": "Ann", "c3": "Åsa", "c4": "Łukasz"}
    unknown = import_rows(db, "customers", read_rows(bom, "customers", encoding="klingon"))
    assert unknown.failed == 1 and "unknown encoding" in unknown.errors[0].message


def test_a_duplicated_header_is_an_error_naming_the_column(db, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("external_id,email,tier,email\nc1,a@x.org,gold,b@x.org\n", encoding="utf-8")
    report = import_rows(db, "customers", read_rows(path, "customers"))
    assert (report.created, report.failed) == (0, 1)
    assert (report.errors[0].line, report.errors[0].field) == (1, "email")
    assert "'email' appears twice" in report.errors[0].message
    assert _count(db, Customer) == 0


def test_customer_counts_tell_created_updated_and_skipped_apart(db, tmp_path):
    from centric.customers.models import Identity

    first = tmp_path / "a.csv"
    first.write_text("external_id,email,phone,tier\nc1,ann@x.org,,gold\nc2,bob@x.org,,\nc3,cy@x.org,,\n",
                     encoding="utf-8")
    assert import_rows(db, "customers", read_rows(first, "customers")).created == 3
    second = tmp_path / "b.csv"
    second.write_text("external_id,email,phone,tier\n"
                      "c1,ann@x.org,,silver\n"  # a new (conflicting) value is kept: updated
                      "c2,bob@x.org,,\n"  # nothing new: skipped
                      "c3,cy@x.org,+4790000000,\n"  # a new phone number: updated, not dropped
                      "c4,dee@x.org,,\n", encoding="utf-8")  # new: created
    report = import_rows(db, "customers", read_rows(second, "customers"))
    assert (report.created, report.updated, report.skipped, report.failed) == (1, 2, 1, 0)
    with db.reader() as s:
        cy = s.scalar(select(Customer).where(Customer.external_id == "c3"))
        assert ("phone", "+4790000000") in set(s.execute(
            select(Identity.kind, Identity.value).where(Identity.customer_id == cy.id)))
        from centric.ingest.models import ImportRun

        run = s.get(ImportRun, report.run_id)
        assert (run.rows_ok, run.rows_updated, run.rows_skipped) == (1, 2, 1)
