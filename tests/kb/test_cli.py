"""``centric kb import`` and ``centric kb export``: file/line/field errors, dry run, idempotent re-import,
and a Markdown folder that round-trips."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from centric.cli.main import app
from tests.kb.helpers import hotel

runner = CliRunner()


def run(db, *args: str):
    return runner.invoke(app, ["--database-url", db.url, *args])


def test_import_reports_errors_with_file_line_and_field(db, tmp_path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text("slug,language,title,variants\nwifi,en,Wi-Fi?,wifi | internet\nbad,fr,Quoi?,\nhours,en,Hours?,\n",
                    encoding="utf-8")
    dry = run(db, "kb", "import", str(path), "--dry-run")
    assert dry.exit_code == 1 and "2 created" in dry.output and "would be checked" in dry.output
    assert "faq.csv line 3, field language: 'fr' is not one of en, zh" in dry.output
    done = run(db, "kb", "import", str(path), "--publish", "--json")
    report = json.loads(done.output)
    assert done.exit_code == 1 and report["created"] == 2 and report["errors"][0]["line"] == 3
    path.write_text("slug,language,title,variants\nwifi,en,Wi-Fi?,wifi | internet\nhours,en,Hours?,\n",
                    encoding="utf-8")
    again = run(db, "kb", "import", str(path))
    assert again.exit_code == 0 and "0 created, 0 updated, 2 unchanged" in again.output
    assert run(db, "kb", "import", str(path), "--format", "xml").exit_code == 2


def test_export_and_import_a_markdown_folder(db, tmp_path) -> None:
    with db.transaction() as s:
        hotel(s)
    folder = tmp_path / "kb"
    exported = run(db, "kb", "export", str(folder))
    assert exported.exit_code == 0, exported.output
    assert (folder / "breakfast-hours-zh.md").read_text(encoding="utf-8").startswith('---\nslug: "breakfast-hours-zh"')
    assert (folder / "_categories.yaml").exists()
    (folder / "is-there-parking.md").write_text("---\nslug: is-there-parking\ntitle: Is there parking?\n"
                                                 "language: de\n---\nJa.\n", encoding="utf-8")
    result = run(db, "kb", "import", str(folder))
    assert result.exit_code == 1 and "0 created, 0 updated, 4 unchanged" in result.output
    assert "is-there-parking.md line 4, field language: 'de' is not one of en, zh" in result.output
    published = run(db, "kb", "export", "-", "--status", "published", "--language", "en")
    assert [a["slug"] for a in json.loads(published.stdout)["articles"]] == [
        "breakfast-hours-en", "how-do-i-connect-to-the-wi-fi"]
    csv_path = tmp_path / "kb.csv"
    assert run(db, "kb", "export", str(csv_path)).exit_code == 0 and "slug,group" in csv_path.read_text()
    assert run(db, "kb", "export", str(csv_path), "--status", "live").exit_code == 2
