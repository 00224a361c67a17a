"""``centric chat``: the chat bot's honest resolution figures from the shell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer
from rich.table import Table

from centric import i18n
from centric.chat import metrics
from centric.chat.metric_schemas import Rate
from centric.cli.common import console, errors_as_messages, fail, open_db

app = typer.Typer(help="Chat: resolution metrics of the FAQ bot.", no_args_is_help=True)


def _day(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        fail(i18n._("%(option)s: expected a date as YYYY-MM-DD, got %(value)s") % {"option": option,
                                                                                   "value": f"{value!r}"}, 2)


def _share(rate: Rate) -> tuple[str, str, str]:
    if rate.value is None:
        return "–", "–", f"0 of {rate.n}"
    interval = f"{rate.low:.0f}–{rate.high:.0f}%" if rate.low is not None and rate.high is not None else "–"
    return f"{rate.value:.1f}%", interval, f"{rate.count:,} of {rate.n:,}"


@app.command("metrics")
def show_metrics(since: str | None = typer.Option(None, help="first day conversations started, YYYY-MM-DD "
                                                             "(default: 30 days before --until)"),
                 until: str | None = typer.Option(None, help="last day, YYYY-MM-DD (counted in full; default: today)"),
                 language: str | None = typer.Option(None, help="only this language (en, zh)"),
                 channel: str | None = typer.Option(None, help="only this channel (widget, web, api, …)"),
                 json_out: bool = typer.Option(False, "--json")) -> None:
    """Confirmed and assumed resolution, re-contact within 7 days, deflection, answer and hand-off rates, CSAT."""
    first, last = _day(since, "--since"), _day(until, "--until")
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        m = metrics.resolution_metrics(session, since=first, until=last + timedelta(days=1) if last else None,
                                       language=language, channel=channel)
    if json_out:
        console.print_json(m.model_dump_json())
        return
    o = m.overall
    console.print(i18n._("%(conversations)s conversations started %(since)s to %(until)s UTC, %(with_outcome)s with an "
                         "outcome, %(open)s open; %(checkable)s checkable for re-contact (%(count)s customer unknown, "
                         "%(window_open)s within %(recontact_days)s days)") % {"conversations": f"{o.conversations:,}",
                                                                               "since": f"{m.since:%Y-%m-%d}",
                                                                               "until": f"{m.until:%Y-%m-%d %H:%M}",
                                                                               "with_outcome": f"{o.with_outcome:,}",
                                                                               "open": f"{o.open:,}",
                                                                               "checkable": f"{o.checkable:,}",
                                                                               "count": f"{o.unknown_customer.count:,}",
                                                                               "window_open": f"{o.window_open:,}",
                                                                               "recontact_days": m.recontact_days},
                  markup=False, highlight=False)
    table = Table(title=i18n._('Chat resolution (95% Wilson intervals)'))
    for column in (i18n.N_("figure"), i18n.N_("share"), i18n.N_("95% CI"), i18n.N_("count")):
        table.add_column(i18n._(column))
    s = m.satisfaction
    for label, rate in (("confirmed (customer said yes)", o.confirmed), ("assumed (silence)", o.assumed),
                        ("handed off", o.handed_off), ("abandoned", o.abandoned), ("answer rate", o.answer_rate),
                        ("re-contact after confirmed", o.recontact_after_confirmed),
                        ("re-contact after assumed", o.recontact_after_assumed),
                        ("confirmed without re-contact", o.confirmed_without_recontact),
                        ("assumed without re-contact", o.assumed_without_recontact),
                        ("deflection", o.deflection), ("customer unknown", o.unknown_customer),
                        ("hand-off: requested", o.handoffs.requested), ("hand-off: abstained", o.handoffs.abstained),
                        ("hand-off: unhelpful", o.handoffs.unhelpful),
                        ("CSAT bot only", s.csat_bot), ("CSAT human", s.csat_human)):
        table.add_row(label, *_share(rate))
    console.print(table)
    d = s.csat_difference
    if d.difference is not None:
        interval = ""
        if d.low is not None and d.high is not None:
            interval = i18n._(", 95%% CI %(low)s to %(high)s") % {"low": f"{d.low:+.1f}", "high": f"{d.high:+.1f}"}
        console.print(i18n._("CSAT bot − human: %(difference)s points%(interval)s "
                             "(%(method)s)") % {"difference": f"{d.difference:+.1f}", "interval": interval,
                                                "method": d.method}, markup=False,
                      highlight=False)
