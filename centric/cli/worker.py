"""``centric worker``: run background jobs (in-process threads, or Dramatiq on Redis/RabbitMQ)."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Any

import typer

from centric import i18n, logs
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
    threads: int | None = typer.Option(None, "--concurrency", "--threads", "-c", min=1, max=64,
                                       help="jobs run at once, in threads (default CENTRIC_JOB_WORKERS)"),
    queue_url: str | None = typer.Option(None, envvar="CENTRIC_QUEUE_URL",
                                         help="redis://… or amqp://…; omit for the database-backed worker"),
    queue: str | None = typer.Option(None, help="queue name (default CENTRIC_QUEUE_NAME)"),
    grace: float = typer.Option(30.0, min=0, help="seconds running jobs get to finish on SIGTERM"),
    metrics_port: int = typer.Option(0, min=0, max=65535,
                                     help="serve this worker's job metrics on 127.0.0.1:PORT/metrics (0: off)"),
) -> None:
    """Take jobs from the database (embedded) or from the queue at CENTRIC_QUEUE_URL until stopped.

    SIGTERM or Ctrl-C: take no new job, let running ones finish within --grace seconds (a job
    cut short is run again once its lease ends: jobs run at least once), then exit 0.
    """
    settings = options()
    logs.configure(settings.log_format, settings.log_level)
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
    if metrics_port:
        _serve_metrics(metrics_port)
    # (the English line's "taking jobs from" is what the integration tests wait for)
    console.print(i18n._("centric worker: taking jobs from %(where)s; Ctrl-C stops") % {"where": where})
    stop.wait()
    console.print(i18n._("centric worker: stopping; running jobs get %(n)s s to finish") % {"n": grace})
    runner.stop(grace)
    console.print(i18n._("centric worker stopped"))


def _serve_metrics(port: int) -> Any:
    """Start the metrics server (a daemon thread); returns it, to ``shutdown()`` in tests."""
    # This process's job counters (or, with PROMETHEUS_MULTIPROC_DIR, the machine's), on loopback only.
    from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    from centric.web.observe import multiprocess_dir

    registry = REGISTRY
    folder = multiprocess_dir()
    if folder:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=folder)
    server, _thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    return server
