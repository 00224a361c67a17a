"""``centric surveys``: list, create from a template, publish, open or close, links and QR codes."""

from __future__ import annotations

from pathlib import Path

import typer

from centric import i18n
from centric.cli.common import console, errors_as_messages, open_db, options, parse, show
from centric.surveys import service
from centric.surveys.links import personal_link, public_link, qr_svg
from centric.surveys.schemas import SurveyIn
from centric.surveys.templates import TEMPLATES

app = typer.Typer(help="Surveys: templates, drafts, immutable versions, links and QR codes.", no_args_is_help=True)


@app.command("list")
def list_surveys(json_out: bool = typer.Option(False, "--json")) -> None:
    db = open_db()
    with db.reader() as session:
        rows, _ = service.list_surveys(session)
    show(rows, ["key", "name", "kind", "status", "touchpoint", "version", "responses"], json_out,
         title=i18n._('surveys'))


@app.command("templates")
def templates(json_out: bool = typer.Option(False, "--json")) -> None:
    """The ready templates (relationship NPS, support CSAT, onboarding CES, eNPS, happiness)."""
    rows = service.template_outs()
    show(rows, ["key", "name", "kind", "description"], json_out, title=i18n._('templates'))


@app.command("create")
def create(key: str, name: str, template: str = typer.Option(..., help="a template key (centric surveys templates)"),
           touchpoint: str | None = typer.Option(None, help="the touchpoint it measures"),
           lang: list[str] = typer.Option(["en", "zh"], "--lang", help="languages offered"),
           draft: bool = typer.Option(False, "--draft", help="keep it a draft (publish later)")) -> None:
    """Create a survey from a template; it is published as version 1 unless --draft."""
    kind = TEMPLATES[template].kind if template in TEMPLATES else "nps"
    data = parse(SurveyIn, key=key, name=name, kind=kind, template=template, touchpoint=touchpoint,
                 languages=lang, status="draft" if draft else "active")
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        survey = service.create_survey(session, data)
        version = service.latest_version(session, survey)
    if version:
        console.print(i18n._("survey %(key)s created, version %(version)s published")
                      % {"key": key, "version": version.version})
    else:
        console.print(i18n._("survey %(key)s created as a draft") % {"key": key})
    typer.echo(public_link(options(), key))


@app.command("publish")
def publish(key: str) -> None:
    """Publish the draft as a new immutable version (none when nothing changed)."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        version = service.publish(session, service.get_survey(session, key))
    console.print(i18n._("survey %(key)s: version %(version)s is live") % {"key": key, "version": version.version})


@app.command("status")
def status(key: str, to: str = typer.Argument(..., help="active or closed")) -> None:
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        service.set_status(session, service.get_survey(session, key), to)
    console.print(i18n._("survey %(key)s is %(to)s") % {"key": key, "to": to})


@app.command("link")
def link(key: str, customer_id: int | None = typer.Option(None, "--customer-id", help="a signed personal link"),
         score: int | None = typer.Option(None, help="one-click answer with this score"),
         days: int = typer.Option(30, help="a personal link's validity")) -> None:
    """The public link, or a signed personal (optionally one-click) link."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        survey = service.get_survey(session, key)
        url = (public_link(options(), survey.key) if customer_id is None
               else personal_link(session, options(), survey, customer_id, ttl_days=days, score=score))
    typer.echo(url)


@app.command("qr")
def qr(key: str, out: Path = typer.Option(..., "--out", help="where to write the SVG")) -> None:
    """The public link as an SVG QR code (posters, receipts, table cards)."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        survey = service.get_survey(session, key)
    url = public_link(options(), survey.key)
    out.write_text(qr_svg(url, title=i18n._("Survey %(key)s") % {"key": survey.key}))
    console.print(i18n._("QR code of %(url)s written to %(out)s") % {"url": url, "out": out})
