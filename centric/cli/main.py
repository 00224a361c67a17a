"""The ``centric`` command line: set up, serve, import, measure."""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path
from typing import Any, cast

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from centric import i18n
from centric.accounts import service as accounts
from centric.accounts.schemas import UserCreate
from centric.cli import (
    cases,
    chat,
    clv,
    connectors,
    ideas,
    initiatives,
    jobs,
    journeys,
    kb,
    maturity,
    mirror,
    ops,
    outreach,
    privacy,
    staff,
    surveys,
    targets,
    text,
    webhooks,
    worker,
)
from centric.cli.common import console, err, fail, open_db, report_import, settings, state
from centric.errors import CentricError

app = typer.Typer(help="Centric: an open, self-hosted customer-experience platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.")
user_app = typer.Typer(help="Users and roles.")
token_app = typer.Typer(help="API tokens.")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

# Every sub-command group, in the order ``centric --help`` lists them; a new command
# module is added here.
SUBCOMMANDS: tuple[tuple[str, typer.Typer], ...] = (
    ("cases", cases.app),
    ("chat", chat.app),
    ("clv", clv.app),
    ("connectors", connectors.app),
    ("ideas", ideas.app),
    ("initiatives", initiatives.app),
    ("jobs", jobs.app),
    ("journeys", journeys.app),
    ("kb", kb.app),
    ("maturity", maturity.maturity_app),
    ("mirror", mirror.app),
    ("outreach", outreach.app),
    ("privacy", privacy.app),
    ("scorecards", targets.scorecards_app),
    ("staff", staff.app),
    ("surveys", surveys.app),
    ("targets", targets.app),
    ("text", text.app),
    ("webhooks", webhooks.app),
    ("worker", worker.app),
)
for _name, _sub in SUBCOMMANDS:
    app.add_typer(_sub, name=_name)
ops.register(app)


@app.callback()
def main(ctx: typer.Context, database_url: str | None = typer.Option(
    None, "--database-url", envvar="CENTRIC_DATABASE_URL", help="SQLAlchemy URL; default sqlite:///centric.db",
)) -> None:
    state.database_url = database_url
    i18n.set_locale(i18n.cli_locale())  # messages in CENTRIC_LANG, else the POSIX locale (LANG=zh_CN.UTF-8)
    ctx.call_on_close(state.close)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema to the newest version; safe to run on every start.

    Idempotent, and one process migrates at a time: others starting together wait, then find nothing to do.
    """
    from centric import i18n
    from centric.store import schema_state, upgrade

    db = open_db(migrate=False)
    with db.engine.connect() as connection:
        before = schema_state(connection)
    if before.unknown:
        fail(i18n._("the database's schema (%(revision)s) is newer than this version of Centric")
             % {"revision": ", ".join(before.unknown)})
    for revision in upgrade(db):
        console.print(i18n._("applied %(revision)s") % {"revision": revision})
    console.print(i18n._("schema up to date on %(dialect)s (%(revision)s)")
                  % {"dialect": db.dialect, "revision": ", ".join(before.heads)})


@user_app.command("create")
def user_create(
    email: str,
    role: str = typer.Option("viewer", help="admin, analyst, manager, agent or viewer"),
    name: str = typer.Option(""),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Add a user who can log in to the web app."""
    db = open_db()
    try:
        data = UserCreate(email=email, password=password, name=name, role=role)
        with db.transaction() as session:
            user = accounts.create_user(session, data)
    except CentricError as exc:
        fail(exc.message)
    except ValueError as exc:
        fail(str(exc).splitlines()[0] if "\n" not in str(exc) else _pydantic_message(exc))
    console.print(i18n._("created %(email)s (%(role)s)") % {"email": user.email, "role": user.role})


def _pydantic_message(exc: Exception) -> str:
    errors: list[Any] = getattr(exc, "errors", lambda: [])()
    if errors:
        first = errors[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


@token_app.command("create")
def token_create(email: str, name: str = typer.Option("cli", help="what the token is for")) -> None:
    """Create an API token for a user; it is shown once."""
    db = open_db()
    with db.transaction() as session:
        user = accounts.find_user(session, email)
        if user is None:
            fail(i18n._("no user %(email)s") % {"email": email})
        _, secret = accounts.create_token(session, user, name)
    console.print(secret)


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on (0.0.0.0: every interface)"),
    port: int = typer.Option(8000, min=1, max=65535),
    workers: int = typer.Option(1, min=1, max=64, help="web processes (each with its own database pool)"),
    upgrade: bool = typer.Option(True, "--upgrade/--no-upgrade",
                                 help="migrate the schema first, as 'centric db upgrade' does"),
    proxy_headers: bool | None = typer.Option(
        None, "--proxy-headers/--no-proxy-headers",
        help="believe X-Forwarded-For/-Proto from the proxies of --forwarded-allow-ips (default: "
             "CENTRIC_TRUSTED_PROXIES); --no-proxy-headers believes none"),
    forwarded_allow_ips: str | None = typer.Option(
        None, help="comma-separated proxy addresses or networks whose forwarded headers count "
                   "(sets CENTRIC_TRUSTED_PROXIES)"),
    graceful_timeout: int = typer.Option(30, min=0, help="seconds requests in flight get to finish on SIGTERM"),
) -> None:
    """Serve the web app and the API until SIGTERM or Ctrl-C (then finish the requests in flight)."""
    from centric.web.serving import ServerOptions, run

    open_db(migrate=upgrade)
    allowed = "" if proxy_headers is False else forwarded_allow_ips
    url = f"http://{host}:{port}"
    console.print(i18n._("Centric on %(url)s, %(n)s processes; SIGTERM or Ctrl-C stops") % {"url": url, "n": workers})
    run(settings(), ServerOptions(host=host, port=port, workers=workers, graceful_timeout_s=graceful_timeout,
                                  forwarded_allow_ips=allowed))


@app.command("demo")
def demo(
    customers: int = typer.Option(3000, min=10, help="number of customers to generate"),
    months: int = typer.Option(18, min=2, max=60),
    seed: int = 7,
    serve_app: bool = typer.Option(True, "--serve/--no-serve", help="serve the web app afterwards"),
    port: int = 8000,
    password: str | None = typer.Option(None, help="admin password (random when omitted)"),
) -> None:
    """Generate a realistic demo company, create an admin login and serve the app."""
    from centric.demo import generate_demo
    from centric.errors import Conflict

    db = open_db()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=total)
            progress.update(tasks[step], completed=done, total=total)

        try:
            summary = generate_demo(db, customers=customers, months=months, seed=seed, progress=report)
            console.print(summary)
        except Conflict as exc:
            console.print(i18n._("[yellow]%(message)s[/yellow] — keeping the existing data") % {"message": exc.message})
    email = "admin@centric.local"
    password = password or secrets.token_urlsafe(9)
    with db.transaction() as session:
        existing = accounts.find_user(session, email)
        if existing is None:
            accounts.create_user(session, UserCreate(email=email, password=password, name="Demo admin", role="admin"))
        else:
            existing.password_hash = accounts.hash_password(password)
    console.print(i18n._("\n[bold]Log in at http://127.0.0.1:%(port)s[/bold]\n  e-mail:   %(email)s\n  password: "
                         "%(password)s\n") % {"port": port, "email": email, "password": password})
    if serve_app:
        from centric.web.serving import ServerOptions, run

        run(settings(), ServerOptions(port=port))


@app.command("import")
def import_file(
    kind: str = typer.Argument(..., help="customers, events, responses or feedback"),
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    batch_size: int = typer.Option(500, min=1),
    encoding: str | None = typer.Option(None, "--encoding",
                                        help="the CSV file's encoding (default: a BOM's, UTF-8, else Windows-1252)"),
    json_out: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Import a CSV or JSON Lines file; bad rows are reported with line, field and reason; exits 1 if any failed."""
    from centric.ingest.records import IMPORT_KINDS, read_rows
    from centric.ingest.service import import_rows

    if kind not in IMPORT_KINDS:
        fail(i18n._("unknown kind %(kind)s; use one of %(items)s") % {"kind": f"{kind!r}",
                                                                      "items": ', '.join(IMPORT_KINDS)}, 2)
    db = open_db()
    with path.open("rb") as lines:
        total = max(sum(1 for _ in lines) - (1 if path.suffix == ".csv" else 0), 0)
    with Progress(TextColumn(i18n._("importing %(name)s") % {"name": path.name}), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(),
                  console=err, disable=json_out) as progress:
        task = progress.add_task(i18n._('rows'), total=total)
        # the operator running the CLI counts as a manager: profiles the file ties together are merged
        report = import_rows(db, kind, read_rows(path, kind, encoding=encoding), filename=str(path),
                             batch_size=batch_size, may_merge=True, on_row=lambda _line: progress.advance(task),
                             max_text_length=settings().max_text_length)
    report_import(path, json.dumps(report.as_dict()) if json_out else None,
                  i18n._("%(created)s created, %(updated)s updated, %(skipped)s already stored, %(failed)s "
                         "rejected") % {"created": report.created, "updated": report.updated, "skipped": report.skipped,
                                        "failed": report.failed}, report.errors, report.failed)


@app.command("metrics")
def metrics(
    kind: str = typer.Argument(..., help="nps, csat or ces"),
    by: str = typer.Option("none", help="touchpoint, stage, journey, team, segment, month, quarter, channel, survey"),
    start: str | None = typer.Option(None, help="first day, YYYY-MM-DD"),
    end: str | None = typer.Option(None, help="day after the last, YYYY-MM-DD"),
    touchpoint: str | None = None,
    segment: str | None = None,
    survey: str | None = None,
    compare: bool = typer.Option(False, "--compare", help="test each group against the rest (Holm-adjusted)"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Print a metric with 95% intervals, overall and per group."""
    from centric.insights.comparisons import groups_vs_rest
    from centric.insights.schemas import Dimension, MetricKind
    from centric.insights.service import MetricFilter, metric

    try:
        where = MetricFilter(start=date.fromisoformat(start) if start else None,
                             end=date.fromisoformat(end) if end else None,
                             touchpoint=touchpoint, segment=segment, survey=survey)
    except ValueError as exc:
        fail(i18n._("bad date: %(exc)s") % {"exc": exc}, 2)
    db = open_db()
    try:
        with db.reader() as session:
            # Plain strings from the command line: the service checks them (Invalid, exit code 2).
            metric_kind, dimension = cast(MetricKind, kind), cast(Dimension, by)
            result = metric(session, metric_kind, dimension, where)
            versus = groups_vs_rest(session, metric_kind, dimension, where) if compare else None
    except CentricError as exc:
        fail(exc.message, 2)
    if json_out:
        body = result.model_dump(mode="json")
        if versus is not None:
            body["versus_rest"] = versus.model_dump(mode="json")
        typer.echo(json.dumps(body, indent=2))
        return
    digits = 2 if kind == "ces" else 1
    table = Table(title=i18n._("%(value)s by %(by)s — %(scale)s") % {"value": kind.upper(), "by": by,
                                                                     "scale": result.scale})
    for column in (by, i18n.N_("score"), i18n.N_("95% interval"), "n"):
        table.add_column(i18n._(column), justify="left" if column == by else "right")
    for row in [*result.rows, result.overall] if by != "none" else [result.overall]:
        interval = i18n._('undefined') if row.low is None else f"[{row.low:.{digits}f}, {row.high:.{digits}f}]"
        value = "–" if row.value is None else f"{row.value:.{digits}f}"
        table.add_row(row.group, value, interval, str(row.n))
    console.print(table)
    if versus is not None:
        tests = Table(title=i18n._("each %(by)s against the rest (%(correction)s adjusted)")
                      % {"by": by, "correction": versus.correction})
        for column in (by, i18n.N_("difference"), i18n.N_("95% interval"), "p", i18n.N_("adjusted p"), ""):
            tests.add_column(i18n._(column) if column else "", justify="left" if column == by else "right")
        for test in versus.rows:
            interval = i18n._('undefined') if test.low is None else f"[{test.low:.{digits}f}, {test.high:.{digits}f}]"
            tests.add_row(test.group, "–" if test.difference is None else f"{test.difference:+.{digits}f}", interval,
                          "–" if test.p_value is None else f"{test.p_value:.3f}",
                          "–" if test.adjusted_p_value is None else f"{test.adjusted_p_value:.3f}",
                          i18n._("significant") if test.significant else "")
        console.print(tests)
