"""``centric connectors``: feedback sources with saved field mappings; import files with them."""

from __future__ import annotations

from pathlib import Path

import typer

from centric import i18n
from centric.cli.common import (
    console,
    errors_as_messages,
    json_arg,
    open_db,
    options,
    parse,
    show,
)
from centric.connectors import service
from centric.connectors.schemas import ConnectorIn, ConnectorOut, MappingIn

app = typer.Typer(help="Inbound feedback connectors (helpdesk, chat, reviews) and mapped imports.",
                  no_args_is_help=True)


@app.command("add")
def add(key: str, mapping: str = typer.Option(..., help='JSON, e.g. \'{"text":"ticket.description"}\''),
        name: str | None = None, channel: str = "other", source: str | None = None,
        auth: str = typer.Option("token", help="token or hmac"), items_path: str | None = None) -> None:
    """Create a connector; prints its inbound URL and secret once."""
    data = parse(ConnectorIn, key=key, name=name or key, channel=channel, source=source, auth=auth,
                 mapping=json_arg(mapping, "--mapping"), items_path=items_path)
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        connector, secret = service.create_connector(session, data)
    base = options().public_url.rstrip("/")
    console.print(i18n._("connector %(key)s: POST %(url)s")
                  % {"key": connector.key, "url": f"{base}/api/v1/connectors/{connector.key}/inbound"})
    console.print(i18n._("token (shown once):") if connector.auth == "token" else i18n._("HMAC secret (shown once):"))
    typer.echo(secret)


@app.command("list")
def list_connectors(json_out: bool = typer.Option(False, "--json")) -> None:
    db = open_db()
    with db.reader() as session:
        rows = [ConnectorOut.model_validate(c) for c in service.list_connectors(session)[0]]
    show(rows, ["key", "name", "source", "channel", "auth", "received", "last_received_at", "active"], json_out,
         title=i18n._('connectors'))


@app.command("mapping")
def set_mapping(key: str, mapping: str = typer.Argument(..., help="the new mapping as JSON"),
                items_path: str | None = None) -> None:
    """Replace a connector's saved mapping."""
    data = parse(MappingIn, mapping=json_arg(mapping, "MAPPING"), items_path=items_path)
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        service.update_mapping(session, key, data)
    console.print(i18n._("mapping of %(key)s saved") % {"key": key})


@app.command("import")
def import_file(key: str, path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
                json_out: bool = typer.Option(False, "--json")) -> None:
    """Import a CSV or JSON Lines file through KEY's saved mapping; bad rows listed by line."""
    db = open_db()
    with errors_as_messages():
        report = service.import_file(db, key, path)
    if json_out:
        typer.echo(report.model_dump_json())
    else:
        console.print(i18n._("%(created)s created, %(skipped)s already stored, %(failed)s "
                             "rejected") % {"created": report.created, "skipped": report.skipped,
                                            "failed": report.failed})
        for error in report.errors:
            where = i18n._("field %(field)s: ") % {"field": error.field} if error.field else ""
            typer.echo(f"{path}:{error.index}: {where}{error.message}", err=True)
    if report.failed:
        raise typer.Exit(1)
