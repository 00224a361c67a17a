"""``centric ideas``: boards, ideas with raw and value-weighted demand, status changes, merges and exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from centric import i18n
from centric.cli.common import console, errors_as_messages, fail, open_db, show, spreadsheet_safe
from centric.ideas import boards, merging, staff_reads, statuses
from centric.ideas.demand import SORTS
from centric.ideas.models import STATUSES
from centric.ideas.staff_schemas import StaffIdeaOut

app = typer.Typer(help="The ideas portal: boards, ideas, demand, statuses and merges.", no_args_is_help=True)
EXPORT_COLUMNS = ("id", "board", "title", "status", "moderation", "votes", "comments", "scored_voters", "clv_sum",
                  "churn_risk_mean", "high_risk_share", "revenue_at_stake", "rank_votes", "rank_revenue",
                  "top_segments", "created_at", "url")


def _flat(item: StaffIdeaOut) -> dict[str, Any]:
    d = item.demand
    return {"id": item.id, "board": item.board, "title": item.title, "status": item.status,
            "moderation": item.moderation, "votes": item.votes, "comments": item.comments,
            "scored_voters": d.scored_voters, "clv_sum": d.clv_sum, "churn_risk_mean": d.churn_risk_mean,
            "high_risk_share": d.high_risk_share, "revenue_at_stake": d.revenue_at_stake,
            "rank_votes": d.rank_votes, "rank_revenue": d.rank_revenue,
            "top_segments": "; ".join(f"{s.key}:{s.voters}" for s in d.segments),
            "created_at": item.created_at.isoformat(), "url": item.url}


def _check(value: str | None, allowed: tuple[str, ...], option: str) -> None:
    if value is not None and value not in allowed:
        fail(i18n._("%(option)s must be one of %(items)s") % {"option": option, "items": ', '.join(allowed)}, 2)


@app.command("boards")
def list_boards(json_out: bool = typer.Option(False, "--json")) -> None:
    """Every board with its names, vote budget and number of visible ideas."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        rows = boards.list_boards(session)
    show(rows, ["key", "names", "vote_budget", "active", "ideas"], json_out, title=i18n._('idea boards'),
         cell=lambda v: ", ".join(f"{k}: {t}" for k, t in v.items()) if isinstance(v, dict) else
         "-" if v is None else str(v))


@app.command("list")
def list_ideas(board: str | None = typer.Option(None, help="a board's key"),
               status: str | None = typer.Option(None, help="open, under_review, planned, in_progress, done, "
                                                            "declined or duplicate"),
               sort: str = typer.Option("top", help="top (votes), revenue (revenue at stake), trending or new"),
               json_out: bool = typer.Option(False, "--json")) -> None:
    """Ideas with both rankings: by raw votes and by revenue at stake (Σ voters' CLV × churn risk)."""
    _check(status, STATUSES, "--status")
    _check(sort, SORTS, "--sort")
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        rows = staff_reads.list_ideas(session, board=board, status=status, sort=sort)
    if json_out:
        show(rows, [], True)
        return
    table_rows = [_flat(r) for r in rows]
    columns = ["rank_votes", "rank_revenue", "id", "board", "status", "votes", "clv_sum", "revenue_at_stake", "title"]
    table = Table(title=i18n._('ideas'))
    for column in columns:
        table.add_column(i18n._(column))
    for row in table_rows:
        table.add_row(*(f"{row[c]:,.0f}" if isinstance(row[c], float) else str(row[c]) for c in columns))
    console.print(table)


@app.command("show")
def show_idea(idea_id: int, json_out: bool = typer.Option(False, "--json")) -> None:
    """One idea: demand, status history, merges and links."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        item = staff_reads.detail(session, idea_id)
    if json_out:
        console.print_json(item.model_dump_json())
        return
    out = console.print
    d = item.demand
    out(i18n._("idea %(id)s: %(title)s") % {"id": item.id, "title": item.title}, markup=False, highlight=False)
    duplicate = i18n._(" of idea %(duplicate_of)s") % {"duplicate_of": item.duplicate_of} if item.duplicate_of else ""
    out(i18n._("%(status)s%(duplicate)s · %(moderation)s%(value)s · board %(board)s · %(votes)s votes · %(comments)s "
               "comments") % {"status": item.status, "duplicate": duplicate, "moderation": item.moderation,
                              "value": ' · locked' if item.locked else '', "board": item.board, "votes": item.votes,
                              "comments": item.comments}, markup=False, highlight=False)
    risk = "-" if d.churn_risk_mean is None else f"{d.churn_risk_mean:.0%}"
    out(i18n._("demand: rank %(rank_votes)s by votes, rank %(rank_revenue)s by revenue at stake; voters' CLV "
               "%(clv_sum)s, mean churn risk %(risk)s, revenue at stake "
               "%(revenue_at_stake)s") % {"rank_votes": d.rank_votes, "rank_revenue": d.rank_revenue,
                                          "clv_sum": f"{d.clv_sum:,.0f}", "risk": risk,
                                          "revenue_at_stake": f"{d.revenue_at_stake:,.0f}"},
        markup=False, highlight=False)
    if d.segments:
        out(i18n._("segments: %(segments)s") % {"segments": ", ".join(f"{s.name} ({s.voters})" for s in d.segments)},
            markup=False, highlight=False)
    for h in item.history:
        out(f"  {h.created_at:%Y-%m-%d %H:%M} {h.from_status} -> {h.to_status} {h.note}", markup=False,
            highlight=False)
    for m in item.merges:
        undone = i18n._(" (undone %(undone_at)s)") % {"undone_at": f"{m.undone_at:%Y-%m-%d}"} if m.undone_at else ""
        out(i18n._("  merge %(id)s: idea %(duplicate)s -> idea %(original)s%(undone)s")
            % {"id": m.id, "duplicate": m.duplicate_id, "original": m.original_id, "undone": undone},
            markup=False, highlight=False)
    for link in item.links:
        out(f"  {link.kind}: {link.label}", markup=False, highlight=False)


@app.command("status")
def change_status(idea_id: int, status: str, note: str = typer.Option("", "--note", help="public note")) -> None:
    """Move an idea to another status (voters and commenters are told); "duplicate" comes from a merge."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        change = statuses.change_status(session, idea_id, status, note, None)
        line = i18n._("idea %(idea_id)s: %(from_status)s -> %(to_status)s") % {"idea_id": idea_id,
                                                                               "from_status": change.from_status,
                                                                               "to_status": change.to_status}
    console.print(line, markup=False, highlight=False)


@app.command("merge")
def merge(duplicate_id: int, original_id: int) -> None:
    """Merge DUPLICATE into ORIGINAL: votes once per customer, comments moved, the duplicate redirects."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        record = merging.merge(session, duplicate_id, original_id, None)
        line = (f"merge {record.id}: idea {duplicate_id} -> idea {original_id}; {len(record.moved_vote_ids)} votes "
                f"moved, {len(record.superseded_vote_ids)} kept (voted on both), "
                f"{len(record.moved_comment_ids)} comments moved")
    console.print(line, markup=False, highlight=False)


@app.command("unmerge")
def unmerge(merge_id: int) -> None:
    """Undo a merge exactly (votes, comments, counts and the duplicate's previous status)."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        record = merging.undo_merge(session, merge_id, None)
        line = i18n._("merge %(merge_id)s undone: idea %(duplicate_id)s is %(previous_status)s "
                      "again") % {"merge_id": merge_id, "duplicate_id": record.duplicate_id,
                                  "previous_status": record.previous_status}
    console.print(line, markup=False, highlight=False)


@app.command("export")
def export(fmt: str = typer.Option("csv", "--format", help="csv or json"),
           out: Path | None = typer.Option(None, "--out", help="file to write; default standard output"),
           board: str | None = typer.Option(None, help="a board's key")) -> None:
    """Every idea (duplicates aside) with raw and value-weighted demand and both ranks."""
    _check(fmt, ("csv", "json"), "--format")
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        rows = [_flat(r) for r in staff_reads.list_ideas(session, board=board, sort="top")]
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=2)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        writer.writerows(spreadsheet_safe(row) for row in rows)
        text = buffer.getvalue()
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    console.print(i18n._("%(n_rows)s ideas written to %(out)s") % {"n_rows": len(rows), "out": out}, markup=False,
                  highlight=False)
