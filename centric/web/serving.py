"""Running the web app in production: ``centric serve`` on Uvicorn, one or several processes.

Each process builds its app with :func:`app_factory` (settings from ``CENTRIC_*``, logging
configured, the metrics of a multi-process server kept in ``PROMETHEUS_MULTIPROC_DIR``).
SIGTERM (or Ctrl-C) stops the server gracefully: it stops accepting connections, lets the
requests in flight finish for up to ``graceful_timeout_s``, then runs the app's shutdown,
which stores the survey submissions still queued for the group-commit writer and stops the
embedded job workers. With several processes the parent passes SIGTERM on to each.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from centric import logs
from centric.config import Settings
from centric.web.app import create_app
from centric.web.observe import multiprocess_dir

log = logging.getLogger("centric.web.serving")
FACTORY = "centric.web.serving:app_factory"
HEALTHCHECK_S = 60


def app_factory() -> FastAPI:
    """The app of one server process (Uvicorn calls it in each worker process)."""
    settings = Settings()
    logs.configure(settings.log_format, settings.log_level)
    app = create_app(settings)
    folder = multiprocess_dir()
    if folder:
        inner = app.router.lifespan_context

        @asynccontextmanager
        async def lifespan(running: FastAPI) -> AsyncIterator[None]:
            async with inner(running):
                try:
                    yield
                finally:  # this process's gauges (the DB pool) stop counting in the sums
                    from prometheus_client import multiprocess

                    multiprocess.mark_process_dead(os.getpid(), folder)

        app.router.lifespan_context = lifespan
    return app


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    graceful_timeout_s: int = 30
    keep_alive_s: int = 5
    #: None: ``CENTRIC_TRUSTED_PROXIES`` as configured; "": believe no proxy; else the proxies' addresses
    forwarded_allow_ips: str | None = None


def run(settings: Settings, options: ServerOptions) -> None:
    """Serve until SIGTERM or Ctrl-C; returns once every process has stopped."""
    import uvicorn

    logs.configure(settings.log_format, settings.log_level)
    # The worker processes read their settings from the environment: pass on what the
    # command line chose (the database URL given with --database-url, the proxies).
    os.environ["CENTRIC_DATABASE_URL"] = settings.database_url
    if options.forwarded_allow_ips is not None:
        os.environ["CENTRIC_TRUSTED_PROXIES"] = options.forwarded_allow_ips
    own_folder = None
    if options.workers > 1 and not multiprocess_dir():
        # Each process counts into its own files here; /metrics, answered by any of them, adds them up.
        own_folder = tempfile.mkdtemp(prefix="centric-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = own_folder
    try:
        uvicorn.run(FACTORY, factory=True, host=options.host, port=options.port, workers=options.workers,
                    timeout_graceful_shutdown=options.graceful_timeout_s, timeout_keep_alive=options.keep_alive_s,
                    # the app itself honours X-Forwarded-* from CENTRIC_TRUSTED_PROXIES only
                    proxy_headers=False, log_config=None, access_log=False, server_header=False,
                    # a new process imports the whole app (NumPy, SciPy, scikit-learn…) before it can
                    # answer the parent's ping: a few seconds on a busy machine, so give it a minute
                    timeout_worker_healthcheck=HEALTHCHECK_S)
    finally:
        if own_folder is not None:
            shutil.rmtree(own_folder, ignore_errors=True)
    log.info("centric serve stopped")
