"""``centric maturity``: CX maturity assessments and the CX index from the shell."""

from __future__ import annotations

import typer

from centric import i18n
from centric.cli.common import console, errors_as_messages, open_db, show
from centric.mirror import assessments
from centric.mirror.cx_index import cx_index_report
from centric.mirror.maturity import COMPETENCIES

maturity_app = typer.Typer(help="CX maturity assessments (self-rating beside evidence) and the CX index.",
                           no_args_is_help=True)


@maturity_app.command("list")
def list_assessments(json_out: bool = typer.Option(False, "--json")) -> None:
    """Assessments, newest first, with the stage of each competency and overall."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        rows, _ = assessments.list_assessments(session, limit=1000)
    if json_out:
        show(rows, [], True)
        return
    table = [r.model_copy(update={"stages": {}}) for r in rows]
    stages = {r.id: r.stages for r in rows}
    console.print(i18n._("%(n_rows)s assessments (stages: %(items)s, overall)") % {"n_rows": len(rows),
                                                                                   "items": ', '.join(COMPETENCIES)},
                                                                                   markup=False,
                  highlight=False)
    for row in table:
        line = " ".join(str(stages[row.id][c] or "-") for c in COMPETENCIES)
        console.print(i18n._("  %(id)s  %(taken_on)s  %(line)s  overall %(overall)s  %(title)s")
                      % {"id": f"{row.id:>4}", "taken_on": row.taken_on, "line": line,
                         "overall": row.overall_stage or "-", "title": row.title},
                      markup=False, highlight=False)


@maturity_app.command("show")
def show_assessment(assessment_id: int, json_out: bool = typer.Option(False, "--json")) -> None:
    """One assessment: stages, evidence beside each self-rating, disagreements, next steps, change."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        item = assessments.detail(session, assessment_id)
    if json_out:
        console.print_json(item.model_dump_json())
        return
    out = console.print
    out(i18n._("assessment %(id)s: %(value)s · %(taken_on)s · questionnaire %(version)s") % {"id": item.id,
                                                                                             "value": item.title or '-',
                                                                                             "taken_on": item.taken_on,
                                                                                             "version": item.version},
        markup=False, highlight=False)
    was = ""
    if item.previous_overall_stage is not None:
        was = i18n._(" (previous %(stage)s)") % {"stage": item.previous_overall_stage}
    out(i18n._("overall stage %(stage)s %(name)s%(was)s")
        % {"stage": item.overall_stage or "-", "name": item.overall_stage_name, "was": was},
        markup=False, highlight=False)
    for c in item.competencies:
        change = f" ({c.change:+d})" if c.change is not None else ""
        out(f"  {c.key:<10} {c.stage or '-'} {c.stage_name}{change}", markup=False, highlight=False)
        for step in c.next_steps:
            out(i18n._("      next: %(step)s") % {"step": step}, markup=False, highlight=False)
    for i in item.ratings:
        evidence = i18n._("no evidence")
        if i.evidence:
            evidence = (i18n._("evidence %(stage)s: %(sentence)s")
                        % {"stage": i.evidence.stage or "-", "sentence": i.evidence.sentence})
        flag = "  DISAGREES" if i.disagrees else ""
        out(i18n._("  %(key)s rated %(rating)s  %(evidence)s%(flag)s") % {"key": f"{i.key:<32}", "rating": i.rating,
                                                                          "evidence": evidence, "flag": flag},
                                                                          markup=False, highlight=False)
    out(i18n._("%(disagreements)s disagreement(s). %(aggregation)s.") % {"disagreements": item.disagreements,
                                                                         "aggregation": item.aggregation}, markup=False,
                                                                         highlight=False)


@maturity_app.command("index")
def show_index(json_out: bool = typer.Option(False, "--json")) -> None:
    """The CX index of the last 365 days: weights from your own data, n and the method."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        r = cx_index_report(session)
    if json_out:
        console.print_json(r.model_dump_json())
        return
    value = "-" if r.overall.index is None else f"{r.overall.index:.1f}"
    console.print(i18n._("CX index %(since)s to %(until)s: %(value)s (n %(n)s)") % {"since": r.since, "until": r.until,
                                                                                    "value": value, "n": r.overall.n},
                                                                                    markup=False, highlight=False)
    for w in r.weights:
        ci = f" [{w.low:.2f}, {w.high:.2f}]" if w.low is not None and w.high is not None else ""
        console.print(i18n._("  %(item)s weight %(weight)s%(ci)s") % {"item": f"{w.item:<9}",
                                                                      "weight": f"{w.weight:.2f}", "ci": ci},
                                                                      markup=False, highlight=False)
    console.print(r.method, markup=False, highlight=False)
