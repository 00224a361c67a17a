"""``centric outreach``: invitations, reminders, unsubscribes, trigger and contact-frequency rules."""

from __future__ import annotations

import typer

from centric import i18n
from centric.cli.common import console, errors_as_messages, json_arg, open_db, parse, show
from centric.customers.schemas import CustomerIn
from centric.outreach import rules, service, triggers
from centric.outreach.schemas import ContactRuleIn, InvitationIn, ReminderIn, TriggerIn

app = typer.Typer(help="Survey invitations by e-mail, reminders, triggers and contact rules.", no_args_is_help=True)
rules_app = typer.Typer(help="Contact-frequency rules (global or per survey, attribute-aware).", no_args_is_help=True)
triggers_app = typer.Typer(help="Event-triggered surveys.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(triggers_app, name="triggers")


@app.command("invite")
def invite(
    survey: str,
    customer_id: int | None = typer.Option(None, help="the customer's id"),
    email: str | None = typer.Option(None, help="or the customer's e-mail (created if new)"),
    delay_minutes: int = typer.Option(0, min=0),
    channel: str = typer.Option("email", help="email, or link (a link handed out elsewhere)"),
) -> None:
    """Invite one customer, unless a contact rule or an unsubscribe forbids it (then says which)."""
    customer = CustomerIn(email=email) if email else None
    data = parse(InvitationIn, survey=survey, customer_id=customer_id, customer=customer, channel=channel,
                 delay_minutes=delay_minutes)
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        result = service.invite(session, data, may_merge=True)  # an operator at the console counts as a manager
    if result.invited and result.invitation:
        invitation = result.invitation
        console.print(i18n._("invitation %(id)s %(status)s, sending at %(send_at)s UTC")
                      % {"id": invitation.id, "status": invitation.status,
                         "send_at": f"{invitation.send_at:%Y-%m-%d %H:%M}"})
    elif result.skip:
        console.print(i18n._("[yellow]skipped[/yellow]: %(reason)s") % {"reason": result.skip.reason})


@app.command("invitations")
def list_invitations(survey: str | None = None, status: str | None = None, limit: int = 100,
                     json_out: bool = typer.Option(False, "--json")) -> None:
    """Invitations with their delivery status, attempts and last error."""
    db = open_db()
    with db.reader() as session:
        rows = service.list_invitations(session, survey=survey, status=status, limit=limit)
    show(rows, ["id", "survey", "customer_id", "channel", "status", "send_at", "sent_at", "reminders_sent",
                "last_error"], json_out, title=i18n._('invitations'))


@app.command("remind")
def remind(
    survey: str,
    after_days: float = typer.Option(3.0, min=0),
    max_reminders: int = typer.Option(1, min=1, max=5),
) -> None:
    """Queue reminders for e-mailed invitations still unanswered after AFTER_DAYS."""
    data = parse(ReminderIn, survey=survey, after_days=after_days, max_reminders=max_reminders)
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        result = service.schedule_reminders(session, data)
    console.print(i18n._("%(scheduled)s reminder(s) queued") % {"scheduled": result.scheduled})


@app.command("skips")
def skips(survey: str | None = None, rule_id: int | None = typer.Option(None, "--rule"), limit: int = 100,
          json_out: bool = typer.Option(False, "--json")) -> None:
    """Invitations that were not made, with the rule or reason that stopped each."""
    db = open_db()
    with db.reader() as session:
        rows = service.list_skips(session, survey=survey, rule_id=rule_id, limit=limit)
    show(rows, ["at", "survey", "customer_id", "channel", "rule", "reason", "source"], json_out,
         title=i18n._('skipped'))


@app.command("unsubscribe")
def unsubscribe(customer_id: int, channel: str = typer.Option("email", help="email, sms, whatsapp or all")) -> None:
    """Stop contacting a customer on a channel."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        service.unsubscribe(session, customer_id, channel, reason="by an administrator")
    console.print(i18n._("customer %(customer_id)s unsubscribed from %(channel)s") % {"customer_id": customer_id,
                                                                                      "channel": channel})


@rules_app.command("list")
def rules_list(json_out: bool = typer.Option(False, "--json"), all_rules: bool = typer.Option(False, "--all")) -> None:
    db = open_db()
    with db.reader() as session:
        rows, _ = rules.list_rules(session, include_inactive=all_rules)
    show(rows, ["id", "name", "survey", "conditions", "max_contacts", "window_days", "active"], json_out,
         title=i18n._('contact rules'))


@rules_app.command("add")
def rules_add(
    name: str,
    max_contacts: int = typer.Option(..., "--max", min=0, help="at most this many invitations…"),
    window_days: int = typer.Option(..., "--days", min=1, help="…per this many days"),
    survey: str | None = typer.Option(None, help="only for this survey (default: all surveys)"),
    where: str = typer.Option(
        "[]", help='attribute conditions, e.g. \'[{"attribute":"tier","op":"eq","value":"vip"}]\''
    ),
) -> None:
    """Add a rule, e.g. ``centric outreach rules add "VIP calm" --max 1 --days 60 --where '[…]'``."""
    data = parse(ContactRuleIn, name=name, max_contacts=max_contacts, window_days=window_days, survey=survey,
                 conditions=json_arg(where, "--where"))
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        rule = rules.create_rule(session, data)
    console.print(i18n._("contact rule %(id)s added") % {"id": rule.id})


@rules_app.command("remove")
def rules_remove(rule_id: int) -> None:
    """Switch a rule off (past skips keep naming it)."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        rules.deactivate_rule(session, rule_id)
    console.print(i18n._("contact rule %(rule_id)s switched off") % {"rule_id": rule_id})


@triggers_app.command("list")
def triggers_list(json_out: bool = typer.Option(False, "--json")) -> None:
    db = open_db()
    with db.reader() as session:
        rows, _ = triggers.list_triggers(session)
    show(rows, ["id", "name", "event_kind", "touchpoint", "survey", "channel", "delay_minutes"], json_out,
         title=i18n._('triggers'))


@triggers_app.command("add")
def triggers_add(
    name: str,
    event_kind: str = typer.Option(..., "--event", help="e.g. ticket_solved, chat_ended, order_delivered"),
    survey: str = typer.Option(...),
    touchpoint: str | None = typer.Option(None),
    delay_minutes: int = typer.Option(0, "--delay", min=0, help="minutes after the event"),
) -> None:
    """Invite to SURVEY DELAY minutes after each EVENT (at TOUCHPOINT, if given)."""
    data = parse(TriggerIn, name=name, event_kind=event_kind, survey=survey, touchpoint=touchpoint,
                 delay_minutes=delay_minutes)
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        rule = triggers.create_trigger(session, data)
    console.print(i18n._("trigger %(id)s added") % {"id": rule.id})


@triggers_app.command("remove")
def triggers_remove(trigger_id: int) -> None:
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        triggers.deactivate_trigger(session, trigger_id)
    console.print(i18n._("trigger %(trigger_id)s switched off") % {"trigger_id": trigger_id})
