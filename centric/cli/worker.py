"""``centric worker``: run background jobs (in-process threads, or Dramatiq on Redis/RabbitMQ)."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING

import typer

from centric import i18n
from centric.cli.common import console, errors_as_messages, open_db, options
from centric.governance.digests import start_digests
from centric.mirror.pulses import start_pulses
from centric.privacy.retention import start_retention
from centric.themes.enrichment import start_reenrichment

if TYPE_CHECKING:  # imported when used: the queue backend needs the optional Dramatiq
    from centric.jobs.queue import QueueBackend
    from centric.jobs.runner import LocalWorker

app = typer.Typer(invoke_without_command=True, help="Run background jobs until stopped (Ctrl-C or SIGTERM).")


@app.callback()
def worker(
    threads: int | None = typer.Option(None, min=1, max=64, help="worker threads (default CENTRIC_JOB_WORKERS)"),
    queue_url: str | None = typer.Option(None, envvar="CENTRIC_QUEUE_URL",
                                         help="redis://… or amqp://…; omit for the database-backed worker"),
    queue: str | None = typer.Option(None, help="queue name (default CENTRIC_QUEUE_NAME)"),
) -> None:
    """Take jobs from the database (embedded) or from the queue at CENTRIC_QUEUE_URL until stopped."""
    settings = options()
    update = {k: v for k, v in {"queue_url": queue_url, "queue_name": queue}.items() if v}
    settings = settings.model_copy(update=update)
    db = open_db()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runner: QueueBackend | LocalWorker
    with errors_as_messages():
        if settings.queue_url:
            from centric.jobs.queue import QueueBackend

            runner = QueueBackend(db, settings).start(threads)
            where = i18n._("queue %(queue_name)s at %(value)s") % {"queue_name": f"{settings.queue_name!r}",
                                                                   "value": settings.queue_url.split('@')[-1]}
        else:
            from centric.jobs.runner import LocalWorker

            runner = LocalWorker(db, settings, threads or max(settings.job_workers, 1)).start()
            where = i18n._("the job table on %(dialect)s") % {"dialect": db.dialect}
        start_retention(db)
        start_digests(db)
        start_pulses(db)
        start_reenrichment(db)
    console.print(i18n._("centric worker: taking jobs from %(where)s; Ctrl-C stops") % {"where": where})
    stop.wait()
    runner.stop()
    console.print(i18n._('centric worker stopped'))
