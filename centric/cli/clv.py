"""``centric clv``: customer lifetime value from a transactions file or the stored events."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from centric import i18n
from centric.cli.common import console, errors_as_messages, open_db, spreadsheet_safe
from centric.errors import Invalid
from centric.insights.value import (
    PurchaseLog,
    file_line_message,
    fit_clv,
    purchases_from_events,
    score_customer_values,
)
from centric.maps.personas import refresh_metric_segments

app = typer.Typer(help="Customer lifetime value (BG/NBD + Gamma-Gamma).", no_args_is_help=True)


def read_purchase_log(path: Path, customer_col: str, date_col: str, amount_col: str) -> PurchaseLog:
    """The three columns of a CSV file; a missing column or empty cell is an error naming its line."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for column in (customer_col, date_col, amount_col):
            if column not in header:
                raise Invalid(i18n._("%(path)s: no column %(column)s (columns: %(columns)s)")
                              % {"path": path, "column": repr(column), "columns": ", ".join(header)})
        ids, dates, amounts = [], [], []
        for row in reader:
            line = reader.line_num
            for column in (customer_col, date_col):
                if not (row.get(column) or "").strip():
                    raise Invalid(i18n._("%(path)s:%(line)s: field %(column)s: empty") % {"path": path, "line": line,
                                                                                          "column": column})
            ids.append(row[customer_col].strip())
            dates.append(row[date_col].strip())
            amounts.append((row.get(amount_col) or "").strip() or None)
    if not ids:
        raise Invalid(i18n._("%(path)s: no transactions") % {"path": path})
    parsed = np.empty(len(dates), dtype="datetime64[D]")
    for index, text in enumerate(dates):
        compact = text if "-" in text or len(text) != 8 else f"{text[:4]}-{text[4:6]}-{text[6:]}"
        try:
            parsed[index] = np.datetime64(compact, "D")
        except ValueError:
            raise Invalid(i18n._("%(path)s:%(line)s: field %(field)s: not a date: %(text)s")
                          % {"path": path, "line": index + 2, "field": date_col, "text": repr(text)}) from None
    return PurchaseLog(np.asarray(ids, dtype=object), parsed, np.asarray(amounts, dtype=object))


@app.command("fit")
def fit(
    transactions: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    customer_col: str = typer.Option("customer_id", help="column with the customer id"),
    date_col: str = typer.Option("date", help="column with the purchase date (YYYY-MM-DD or YYYYMMDD)"),
    amount_col: str = typer.Option("amount", help="column with the purchase amount"),
    calibration_end: str | None = typer.Option(None, help="fit on purchases up to this day"),
    freq_days: float = typer.Option(7.0, help="time unit of the model in days (7 = weeks)"),
    horizon_months: int = typer.Option(12, min=1, max=120),
    discount: float = typer.Option(0.01, help="monthly discount rate"),
    margin: float = typer.Option(1.0, help="profit margin applied to revenue"),
    output: Path | None = typer.Option(None, help="write per-customer predictions to this CSV"),
    json_out: bool = typer.Option(False, "--json", help="print the parameters as JSON"),
) -> None:
    """Fit BG/NBD and Gamma-Gamma by maximum likelihood; print parameters and CLV."""
    try:
        log = read_purchase_log(transactions, customer_col, date_col, amount_col)
        report = fit_clv(log, calibration_end=calibration_end, freq_days=freq_days, horizon_months=horizon_months,
                         monthly_discount_rate=discount, margin=margin)
    except Invalid as exc:
        typer.echo(i18n._("error: %(value)s") % {"value": file_line_message(exc.message)}, err=True)
        raise typer.Exit(1) from None
    if output:
        rows = report.per_customer()
        with output.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(spreadsheet_safe(row) for row in rows)
    params = report.parameters()
    if json_out:
        typer.echo(json.dumps(params, indent=2))
        return
    table = Table(title=i18n._("CLV models, calibration to %(calibration_end)s (time unit %(freq_days)s "
                               "days)") % {"calibration_end": report.calibration_end, "freq_days": f"{freq_days:g}"})
    table.add_column(i18n._('model'))
    table.add_column(i18n._('parameters'))
    table.add_column(i18n._('log-likelihood'), justify="right")
    b, g = params["bgnbd"], params["gamma_gamma"]
    table.add_row(i18n._("BG/NBD (%(customers)s customers)") % {"customers": f"{b['customers']:,}"},
                  f"r={b['r']:.3f} α={b['alpha']:.3f} a={b['a']:.3f} b={b['b']:.3f}", f"{b['log_likelihood']:.1f}")
    table.add_row(i18n._("Gamma-Gamma (%(customers)s repeaters)") % {"customers": f"{g['customers']:,}"},
                  f"p={g['p']:.2f} q={g['q']:.2f} γ={g['gamma']:.2f}", f"{g['log_likelihood']:.1f}")
    console.print(table)
    c = params["clv"]
    interval = "" if c["low"] is None else f" [95% {c['low']:.2f}, {c['high']:.2f}]"
    console.print(i18n._("mean %(horizon_months)s-month discounted CLV: %(mean)s%(interval)s; total "
                         "%(total)s") % {"horizon_months": c['horizon_months'], "mean": f"{c['mean']:.2f}",
                                         "interval": interval, "total": f"{c['total']:,.0f}"})
    if output:
        console.print(i18n._("per-customer predictions written to %(output)s") % {"output": output})


@app.command("score")
def score(
    horizon_months: int = typer.Option(12, min=1, max=120, help="CLV horizon"),
    segment: str | None = typer.Option(None, help="score only this segment's customers"),
) -> None:
    """Score every purchasing customer (CLV, churn risk, bands) from the purchase events in the database."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        log = purchases_from_events(session, segment=segment)
        console.print(i18n._("fitting BG/NBD + Gamma-Gamma on %(size)s purchases …") % {"size": f"{log.size:,}"})
        with Progress(TextColumn(i18n._('storing scores')), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            task = bar.add_task(i18n._('scores'), total=None)
            result = score_customer_values(session, log, horizon_months=horizon_months,
                                           progress=lambda done, total: bar.update(task, completed=done, total=total))
        refreshed = refresh_metric_segments(session)  # segments whose rules name CLV or churn risk
    console.print(i18n._("scored %(scored)s customers (%(created)s for the first time); mean %(horizon_months)s-month "
                         "CLV %(value)s") % {"scored": f"{result.scored:,}", "created": f"{result.created:,}",
                                             "horizon_months": horizon_months,
                                             "value": f"{result.report.value.mean.value:.2f}"})
    for key, members in refreshed.items():
        console.print(i18n._("segment %(key)s: %(members)s members") % {"key": key, "members": f"{members:,}"})
