"""``centric text``: ad-hoc files without a database, re-enrichment, discovery, taxonomy files."""

from __future__ import annotations

import csv
import json

from sqlalchemy import select
from typer.testing import CliRunner

from centric.cli.main import app
from centric.feedback.models import Feedback
from tests.themes.conftest import add_items

runner = CliRunner()


def test_analyze_a_csv_and_a_jsonl_file_with_line_numbered_errors(tmp_path):
    source = tmp_path / "reviews.csv"
    source.write_bytes("id,comment\n7,The delivery was late and nobody answered\n8,服务很好，快递也很快\n".encode()
                       + b"9,bad \xff byte\n10,\"<b>Great</b> staff, but I had to call three times\"\n")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["text", "analyze", str(source), "--text-col", "comment", "--id-col", "id",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "line 4: not valid UTF-8" in result.output and "3 texts analysed" in result.output
    with out.open(encoding="utf-8") as written:
        rows = list(csv.DictReader(written))
    assert [r["id"] for r in rows] == ["7", "8", "10"]
    assert rows[0]["sentiment"] == "negative" and "delivery/late" in rows[0]["themes"]
    assert rows[1]["language"] == "zh" and rows[1]["sentiment"] == "positive"
    assert rows[2]["high_effort"] == "1" and rows[2]["mixed"] == "1"
    lines = tmp_path / "chats.jsonl"
    lines.write_text('{"text": "Refund never arrived"}\nnot json\n{"other": 1}\n', encoding="utf-8")
    result = runner.invoke(app, ["text", "analyze", str(lines), "--text-col", "text", "--json"])
    assert result.exit_code == 0
    first = json.loads(result.stdout.splitlines()[0])
    assert first["line"] == 1 and first["sentiment"]["label"] == "negative"
    assert "line 2: not valid JSON" in result.output and "line 3: no text field 'text'" in result.output
    missing = runner.invoke(app, ["text", "analyze", str(source), "--text-col", "body"])
    assert missing.exit_code == 2 and "no column 'body'" in missing.output


def test_analyze_chooses_the_sentiment_model(tmp_path, monkeypatch):
    lines = tmp_path / "posts.jsonl"
    lines.write_text('{"text": "@united 2 hours on hold and still no answer"}\n{"text": ""}\n'
                     '{"text": "can you change my booking to Friday?"}\n', encoding="utf-8")
    versions = {}
    for model in ("fast", "accurate"):
        result = runner.invoke(app, ["text", "analyze", str(lines), "--text-col", "text", "--json", "--model", model])
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert [r["sentiment"]["label"] for r in rows] == ["negative", "neutral", "neutral"]
        assert all(r["sentiment"]["mode"] == model for r in rows)
        versions[model] = rows[0]["version"]
    assert versions["fast"] != versions["accurate"]
    monkeypatch.setenv("CENTRIC_TEXT_MODEL", "accurate")
    result = runner.invoke(app, ["text", "analyze", str(lines), "--text-col", "text", "--json"])
    assert json.loads(result.stdout.splitlines()[0])["version"] == versions["accurate"]
    wrong = runner.invoke(app, ["text", "analyze", str(lines), "--text-col", "text", "--model", "turbo"])
    assert wrong.exit_code == 2 and "fast or accurate" in wrong.output


def test_reenrich_discover_and_taxonomy_files(db, tmp_path):
    with db.transaction() as s:
        add_items(s, [f"The karaoke bar downstairs played songs until {n} am" for n in range(1, 13)]
                  + [f"Please add a vegan dish to the breakfast menu, dish {n}" for n in range(12)])
    base = ["--database-url", db.url, "text"]
    result = runner.invoke(app, [*base, "reenrich"])
    assert result.exit_code == 0 and "24 item(s) enriched, 0 failed" in result.output
    assert "0 item(s) enriched" in runner.invoke(app, [*base, "reenrich"]).output
    found = runner.invoke(app, [*base, "discover", "--n-themes", "2", "--json"])
    assert found.exit_code == 0 and sorted(p["size"] for p in json.loads(found.output)) == [12, 12]
    exported = tmp_path / "themes.yaml"
    assert runner.invoke(app, [*base, "taxonomy", "export", "--out", str(exported)]).exit_code == 0
    text = exported.read_text(encoding="utf-8")
    exported.write_text(text + "  - name: noise\n    keywords: {en: [karaoke]}\n", encoding="utf-8")
    imported = runner.invoke(app, [*base, "taxonomy", "import", str(exported)])
    assert imported.exit_code == 0 and "37 themes imported" in imported.output
    assert "24 item(s) enriched" in runner.invoke(app, [*base, "reenrich"]).output  # the taxonomy changed
    with db.reader() as s:
        assert all(f.enrichment["themes"] for f in s.scalars(select(Feedback)) if "karaoke" in f.text)
    broken = tmp_path / "broken.json"
    broken.write_text("{oops", encoding="utf-8")
    failed = runner.invoke(app, [*base, "taxonomy", "import", str(broken)])
    assert failed.exit_code == 2 and "not valid JSON" in failed.output
