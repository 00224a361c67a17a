"""Import and export: per-row errors with file, line and field; good rows kept; idempotent re-import;
dry runs; and export → import into an empty database → the same knowledge base, in every format."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from centric.db import Database
from centric.kb.articles import ArticleFilter
from centric.kb.formats import read_csv, read_json, read_markdown, read_upload, to_csv, to_json, to_markdown
from centric.kb.models import KbArticle, KbArticleVersion, KbCategory
from centric.kb.transfer import export_document, import_source
from tests.kb.helpers import EVIL, hotel

CSV = (
    "slug,group,kind,language,category,title,body,variants,status\n"
    "breakfast-en,breakfast,faq,en,food,When is breakfast?,\"From 6:30\n\nto **10:30**.\",breakfast time | brekkie,"
    "published\n"
    "breakfast-zh,breakfast,faq,zh,food,早餐几点？,6:30 至 10:30。,早餐几点 | 早饭,published\n"
    "bad-language,,faq,fr,food,Quand?,,,draft\n"
    ",,faq,en,,Is there parking?,Yes.,,\n"
    ",,faq,zh,,停车场在哪里？,地下一层。,,\n"
    "Bad Slug,,article,en,,Title,,,live\n"
)


def _count(db: Database, model: type) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_csv_rows_report_file_line_and_field_and_good_rows_are_kept(db) -> None:
    source = read_csv(CSV.encode(), "faq.csv")
    with db.transaction() as s:
        report = import_source(s, source)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    errors = [f"{e.file} line {e.line}, field {e.field}: {e.message}" for e in report.errors]
    assert "faq.csv line 6, field language: 'fr' is not one of en, zh" in errors
    assert any(e.startswith("faq.csv line 8, field slug: give a slug") for e in errors)  # Chinese title, no group
    assert any(e.startswith("faq.csv line 9, field slug: 'Bad Slug' is not valid") for e in errors)
    assert any(e.startswith("faq.csv line 9, field status: 'live'") for e in errors)
    assert report.failed == 3 and report.categories_created == ["food"]
    with db.reader() as s:
        breakfast = s.scalar(select(KbArticle).where(KbArticle.slug == "breakfast-en"))
        assert breakfast is not None and breakfast.status == "published"
        assert breakfast.body == "From 6:30\n\nto **10:30**."
        assert s.scalar(select(KbCategory.names).where(KbCategory.key == "food")) == {"en": "Food"}
        assert s.scalar(select(KbArticle.slug).where(KbArticle.title == "Is there parking?")) == "is-there-parking"


def test_reimport_is_idempotent_and_a_changed_row_becomes_a_new_version(db) -> None:
    source = read_csv(CSV.encode(), "faq.csv")
    with db.transaction() as s:
        import_source(s, source)
    versions = _count(db, KbArticleVersion)
    with db.transaction() as s:
        again = import_source(s, read_csv(CSV.encode(), "faq.csv"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3) and _count(db, KbArticleVersion) == versions
    changed = CSV.replace("Yes.", "Yes: in the garage.")
    with db.transaction() as s:
        third = import_source(s, read_csv(changed.encode(), "faq.csv"))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2) and third.slugs == ["is-there-parking"]
    with db.reader() as s:
        parking = s.scalar(select(KbArticle).where(KbArticle.slug == "is-there-parking"))
        assert parking is not None and parking.version == 2 and parking.body == "Yes: in the garage."


def test_a_file_without_a_status_keeps_what_is_published(db) -> None:
    with db.transaction() as s:
        hotel(s)
    rows = "slug,title,body\nbreakfast-hours-en,When is breakfast served?,New hours.\n"
    with db.transaction() as s:
        report = import_source(s, read_csv(rows.encode(), "x.csv"))
        assert report.updated == 1
        stored = s.scalar(select(KbArticle).where(KbArticle.slug == "breakfast-hours-en"))
        assert stored is not None and stored.status == "published" and stored.language == "en"
        assert stored.category_id is not None  # no category column: kept


def test_dry_run_reports_and_stores_nothing(db) -> None:
    with db.transaction() as s:
        report = import_source(s, read_csv(CSV.encode(), "faq.csv"), dry_run=True)
    assert report.dry_run and report.created == 3 and report.failed == 3
    assert _count(db, KbArticle) == 0 and _count(db, KbCategory) == 0


def test_publish_flag_and_duplicate_slugs(db) -> None:
    rows = "slug,title,status\na,First,draft\na,Second,draft\nb,Third,\n"
    with db.transaction() as s:
        report = import_source(s, read_csv(rows.encode(), "dup.csv"), publish=True)
    assert report.created == 2 and [(e.line, e.field) for e in report.errors] == [(3, "slug")]
    assert "dup.csv line 2" in report.errors[0].message
    with db.reader() as s:
        assert set(s.scalars(select(KbArticle.status))) == {"published"}


def test_json_errors_name_the_line_of_the_object() -> None:
    text = json.dumps({"categories": [{"key": "Bad Key", "names": {"en": "x"}}],
                       "articles": [{"slug": "ok", "title": "Fine"}, {"slug": "x", "title": "T", "language": "fr"}]},
                      indent=2)
    source = read_json(text.encode(), "kb.json")
    starts = [n + 1 for n, line in enumerate(text.splitlines()) if line == "    {"]
    assert len(starts) == 3 and source.categories[0].line == starts[0]
    assert [e.line for e in source.entries] == starts[1:]
    broken = read_json(b'{"articles": [\n{"title": "a",}\n]}', "broken.json")
    assert broken.problems[0].line == 2 and "malformed JSON" in broken.problems[0].message
    assert read_json(b"\xff\xfe", "x.json").problems[0].message.startswith("invalid UTF-8")


def test_markdown_front_matter_errors_name_the_field_line() -> None:
    text = "---\nslug: wifi\ntitle: yes\nlanguage: fr\nvariants:\n  - wifi password\n---\n\nBody *here*.\n"
    source = read_markdown(text.encode(), "kb/wifi.md")
    entry = source.entries[0]
    assert entry.record["title"] == "yes" and entry.record["variants"] == ["wifi password"]
    assert entry.record["body"] == "Body *here*." and entry.line_of("language") == 4
    assert read_markdown(b"no front matter", "x.md").problems[0].line == 1
    bad = read_markdown(b"---\ntitle: [unclosed\n---\n", "y.md")
    assert bad.problems and bad.problems[0].file == "y.md"


def _round_trip(db: Database, other: Database, fmt: str) -> None:
    with db.reader() as s:
        original = export_document(s)
    if fmt == "json":
        source = read_json(to_json(original).encode(), "kb.json")
    elif fmt == "csv":
        source = read_csv(to_csv(original).encode(), "kb.csv")
    else:
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w") as archive:
            for name, content in to_markdown(original).items():
                archive.writestr(f"kb/{name}", content)
        source = read_upload("kb.zip", packed.getvalue())
    with other.transaction() as s:
        report = import_source(s, source)
    assert not report.errors and report.created == len(original.articles)
    with other.reader() as s:
        copy = export_document(s)
    if fmt == "csv":  # a CSV names categories by key only
        assert copy.articles == original.articles
    else:
        assert copy == original


def test_export_then_import_into_an_empty_database_gives_the_same(db, sqlite_template, tmp_path) -> None:
    with db.transaction() as s:
        rows = hotel(s)
        rows["parking"].body = f"Line with {EVIL}, a | pipe, \"quotes\", ---\n---\n- a list\n\n= formula"
    with db.reader() as s:
        assert [a.slug for a in export_document(s, ArticleFilter(language="zh")).articles] == ["breakfast-hours-zh"]
        assert len(export_document(s, ArticleFilter(status="published", category="stay")).articles) == 1
    for n, fmt in enumerate(("json", "csv", "md")):
        target = tmp_path / f"copy{n}.db"
        target.write_bytes(sqlite_template.read_bytes())
        other = Database(f"sqlite:///{target}")
        try:
            _round_trip(db, other, fmt)
        finally:
            other.dispose()


def test_import_path_reads_a_file(db, tmp_path) -> None:
    from centric.kb.transfer import import_path
    path = tmp_path / "faq.json"
    path.write_text(json.dumps({"articles": [{"slug": "a", "title": "A?", "status": "published"}]}), encoding="utf-8")
    with db.transaction() as s:
        assert import_path(s, path).created == 1
        assert import_path(s, path).unchanged == 1
