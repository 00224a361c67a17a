"""``centric privacy``: apply the retention periods now."""

from __future__ import annotations

import typer

from centric import i18n
from centric.cli.common import errors_as_messages, open_db, options
from centric.privacy.retention import purge_expired

app = typer.Typer(help="Privacy: retention of copied customer data.", no_args_is_help=True)


@app.command("purge")
def purge() -> None:
    """Delete webhook deliveries, idempotency records and finished jobs older than their retention period.

    The workers do this daily; run it after shortening a period (CENTRIC_RETENTION_*_DAYS).
    """
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        report = purge_expired(session, options())
    typer.echo(i18n._("deleted %(webhook_deliveries)s webhook deliveries, %(idempotency_records)s idempotency records, "
                      "%(jobs)s finished jobs") % {"webhook_deliveries": report.webhook_deliveries,
                                                   "idempotency_records": report.idempotency_records,
                                                   "jobs": report.jobs})
