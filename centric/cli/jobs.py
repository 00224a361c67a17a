"""``centric jobs``: list, inspect, retry and run background jobs."""

from __future__ import annotations

import typer

from centric import i18n
from centric.cli.common import errors_as_messages, open_db, options, show
from centric.jobs import service
from centric.jobs.runner import LocalWorker
from centric.jobs.schemas import JobOut

app = typer.Typer(help="Background jobs: list, retry parked (failed) jobs, run due jobs.", no_args_is_help=True)


@app.command("list")
def list_jobs(
    failed: bool = typer.Option(False, "--failed", help="only parked jobs (failed after every retry)"),
    status: str | None = typer.Option(None, help="queued, running, done or failed"),
    name: str | None = typer.Option(None, help="task name, e.g. webhooks.deliver"),
    limit: int = typer.Option(50, min=1, max=10_000),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Jobs, newest first, with attempts and the last error."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        rows = [JobOut.model_validate(j) for j in
                service.list_jobs(session, status="failed" if failed else status, name=name, limit=limit)]
    show(rows, ["id", "name", "status", "attempts", "run_at", "last_error"], json_out, title=i18n._('jobs'))


@app.command("show")
def show_job(job_id: int) -> None:
    """One job as JSON, payload and error included."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        job = JobOut.model_validate(service.get_job(session, job_id))
    typer.echo(job.model_dump_json(indent=2))


@app.command("retry")
def retry_job(job_ids: list[int] = typer.Argument(..., help="ids of failed jobs")) -> None:
    """Queue parked jobs again with a fresh set of attempts."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        for job_id in job_ids:
            service.retry(session, job_id)
    typer.echo(i18n._("%(n_job_ids)s job(s) queued again") % {"n_job_ids": len(job_ids)})


@app.command("run")
def run_due(limit: int = typer.Option(1000, min=1, help="stop after this many jobs")) -> None:
    """Run the jobs that are due now in this process, then exit (for cron or debugging)."""
    worker = LocalWorker(open_db(), options(), threads=1)
    ran = worker.run_due(limit)
    typer.echo(i18n._("%(ran)s job(s) run") % {"ran": ran})
