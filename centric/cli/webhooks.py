"""``centric webhooks``: subscribe URLs to events, inspect and retry deliveries."""

from __future__ import annotations

import typer

from centric import i18n
from centric.cli.common import console, errors_as_messages, open_db, parse, settings, show
from centric.webhooks import service
from centric.webhooks.schemas import DeliveryOut, SubscriptionIn, SubscriptionOut

app = typer.Typer(help="Outbound webhooks (signed, retried, logged).", no_args_is_help=True)


@app.command("add")
def add(url: str, events: list[str] = typer.Option(..., "--event", help="response.created, feedback.created, case.*"),
        description: str = "") -> None:
    """Subscribe URL to events; prints the signing secret once."""
    data = parse(SubscriptionIn, url=url, events=events, description=description)
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        subscription, secret = service.create_subscription(session, data, settings())
    console.print(i18n._("webhook %(id)s created; signing secret (shown once):") % {"id": subscription.id})
    typer.echo(secret)


@app.command("list")
def list_webhooks(json_out: bool = typer.Option(False, "--json")) -> None:
    db = open_db()
    with db.reader() as session:
        rows = [SubscriptionOut.model_validate(s) for s in service.list_subscriptions(session)[0]]
    show(rows, ["id", "url", "events", "description", "created_at"], json_out, title=i18n._('webhooks'))


@app.command("remove")
def remove(subscription_id: int) -> None:
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        service.deactivate_subscription(session, subscription_id)
    console.print(i18n._("webhook %(subscription_id)s switched off") % {"subscription_id": subscription_id})


@app.command("deliveries")
def deliveries(subscription_id: int | None = typer.Option(None, "--webhook"),
               failed: bool = typer.Option(False, "--failed"), limit: int = 50,
               json_out: bool = typer.Option(False, "--json")) -> None:
    """The delivery log: status, attempts, response code and last error."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        rows = [DeliveryOut.model_validate(d) for d in service.list_deliveries(
            session, subscription_id=subscription_id, status="failed" if failed else None, limit=limit)]
    show(rows, ["id", "subscription_id", "event", "status", "attempts", "response_code", "last_error"], json_out,
         title=i18n._('deliveries'))


@app.command("retry")
def retry(delivery_id: int) -> None:
    """Send a failed delivery again."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        service.redeliver(session, delivery_id)
    console.print(i18n._("delivery %(delivery_id)s queued again") % {"delivery_id": delivery_id})
