"""``centric initiatives``: the CX council's board from the shell."""

from __future__ import annotations

import typer

from centric import i18n
from centric.cli.common import console, errors_as_messages, fail, open_db, show
from centric.governance import board as board_module
from centric.governance import initiatives

app = typer.Typer(help="Initiatives of the CX council (the board).", no_args_is_help=True)
STATUSES = ("proposed", "approved", "in_progress", "done", "dropped")


@app.command("list")
def list_initiatives(status: str | None = typer.Option(None, help="proposed, approved, in_progress, done or dropped"),
                     json_out: bool = typer.Option(False, "--json")) -> None:
    """The board: ranked by measured value (done) and expected value (the others), best first."""
    if status is not None and status not in STATUSES:
        fail(i18n._("--status must be one of %(items)s") % {"items": ', '.join(STATUSES)}, 2)
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        rows = board_module.board(session, status=status)
    if json_out:
        show(rows, [], True)
        return
    flat = [r.model_copy(update={"problem": ""}) for r in rows]
    show(flat, ["rank", "id", "status", "title", "metric", "expected_effect", "expected_value", "measured_value"],
         False, title=i18n._('initiatives'),
         cell=lambda v: "" if v is None else f"{v:,.0f}" if isinstance(v, float) else str(v))


@app.command("show")
def show_initiative(initiative_id: int, json_out: bool = typer.Option(False, "--json")) -> None:
    """One initiative: links, approvals, DICE and measured impact with its assumptions."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        item = initiatives.detail(session, initiative_id)
    if json_out:
        console.print_json(item.model_dump_json())
        return
    out = console.print
    out(i18n._("initiative %(id)s: %(title)s") % {"id": item.id, "title": item.title}, markup=False, highlight=False)
    expected = "-" if item.expected_effect is None else f"{item.expected_effect:+g}"
    out(i18n._("%(status)s · owner %(owner)s · sponsor %(sponsor)s · cost %(cost)s · expected %(expected)s "
               "%(metric)s")
        % {"status": item.status, "owner": item.owner.user_name or "-", "sponsor": item.sponsor.user_name or "-",
           "cost": item.cost if item.cost is not None else "-", "expected": expected, "metric": item.metric},
        markup=False, highlight=False)
    if item.problem:
        out(item.problem, markup=False, highlight=False)
    for link in item.links:
        out(f"  {link.kind}: {link.label}", markup=False, highlight=False)
    for a in item.approvals:
        out(i18n._("  %(decision)s by %(value)s at %(at)s %(note)s") % {"decision": a.decision,
                                                                        "value": a.user_name or '-',
                                                                        "at": f"{a.at:%Y-%m-%d %H:%M}", "note": a.note},
                                                                        markup=False, highlight=False)
    if item.dice:
        out(i18n._("DICE %(score)s (%(zone)s)") % {"score": item.dice.score, "zone": item.dice.zone}, markup=False,
            highlight=False)
    if item.impact:
        i = item.impact
        if i.effect is None:
            out(i18n._("impact: not measurable - %(value)s") % {"value": i.detail.get('reason', '')}, markup=False,
                highlight=False)
        else:
            out(i18n._("impact (observational): %(effect)s %(unit)s (95%% CI %(low)s to %(high)s; n %(treated)s "
                       "treated, %(control)s control)")
                % {"effect": f"{i.effect:+.1f}", "unit": i.detail.get("unit", i.metric), "low": f"{i.low:+.1f}",
                   "high": f"{i.high:+.1f}", "treated": i.n_treated, "control": i.n_control},
                markup=False, highlight=False)
        for assumption in i.assumptions:
            out(i18n._("  assumes: %(assumption)s") % {"assumption": assumption}, markup=False, highlight=False)
    if item.value_note:
        out(i18n._("value: %(value_note)s") % {"value_note": item.value_note}, markup=False, highlight=False)
