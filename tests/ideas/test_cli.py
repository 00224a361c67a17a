"""``centric ideas``: boards, list with both rankings, show, status, merge/unmerge, export — with clear errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from centric.cli.main import app
from centric.db import Database
from centric.ideas.models import Idea
from tests.ideas.staff_factories import make_board, make_customer, make_idea, vote

runner = CliRunner()


def _seed(db: Database) -> tuple[int, int]:
    with db.transaction() as s:
        board = make_board(s)
        popular, valuable = make_idea(s, board, "Faster wifi"), make_idea(s, board, "=HYPERLINK(evil)")
        for i in range(3):
            vote(s, popular, make_customer(s, f"Low {i}", clv=10.0, churn=0.1))
        vote(s, valuable, make_customer(s, "Whale", clv=5000.0, churn=0.6, band="high"))
        return popular.id, valuable.id


def _run(db: Database, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--database-url", db.url, "ideas", *args])


def test_boards_list_show_and_export(db: Database, tmp_path: Path) -> None:
    popular, valuable = _seed(db)
    boards = _run(db, "boards", "--json")
    assert boards.exit_code == 0, boards.output
    assert json.loads(boards.output)[0]["key"] == "stays" and json.loads(boards.output)[0]["ideas"] == 2
    listed = json.loads(_run(db, "list", "--sort", "revenue", "--json").output)
    assert [r["id"] for r in listed] == [valuable, popular]
    assert (listed[0]["demand"]["rank_votes"], listed[0]["demand"]["rank_revenue"]) == (2, 1)
    table = _run(db, "list")
    assert table.exit_code == 0 and "3,000" in table.output and "5,000" in table.output  # revenue at stake, CLV
    assert _run(db, "list", "--sort", "loudest").exit_code == 2
    shown = _run(db, "show", str(valuable))
    assert shown.exit_code == 0 and "rank 1 by revenue at stake" in shown.output
    missing = _run(db, "show", "999")
    assert missing.exit_code == 2 and "no idea with id 999" in missing.output
    exported = _run(db, "export")
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [r["id"] for r in rows] == [str(popular), str(valuable)]
    assert rows[1]["title"].startswith("'=") and float(rows[1]["revenue_at_stake"]) == 3000.0
    target = tmp_path / "ideas.json"
    assert _run(db, "export", "--format", "json", "--out", str(target)).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))[0]["votes"] == 3


def test_status_merge_and_unmerge(db: Database) -> None:
    popular, valuable = _seed(db)
    moved = _run(db, "status", str(popular), "planned", "--note", "For May")
    assert moved.exit_code == 0 and "open -> planned" in moved.output
    assert _run(db, "status", str(popular), "duplicate").exit_code == 2
    merged = _run(db, "merge", str(valuable), str(popular))
    assert merged.exit_code == 0 and "1 votes moved" in merged.output
    with db.reader() as s:
        assert s.get_one(Idea, popular).vote_count == 4
    merge_id = merged.output.split()[1].rstrip(":")
    assert _run(db, "unmerge", merge_id).exit_code == 0
    again = _run(db, "unmerge", merge_id)
    assert again.exit_code == 2 and "undone already" in again.output
    with db.reader() as s:
        assert s.get_one(Idea, popular).vote_count == 3 and s.get_one(Idea, valuable).status == "open"
