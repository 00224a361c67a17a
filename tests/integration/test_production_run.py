"""The documented production run, as real processes: ``centric serve --workers 2`` and
``centric worker --concurrency 2`` on a fresh PostgreSQL database with Redis as the queue (docs/operations.md).

It checks what an operator would after a deploy: health, a login through the HTML form, a
survey answer posted to the public page is stored and its derived job (text enrichment)
runs on the worker under the request id the "proxy" sent, ``/metrics`` adds up the
requests of both web processes and refuses a wrong token, and SIGTERM stops every
process cleanly (exit code 0) within the grace period.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from centric.db import Database
from centric.jobs.models import Job
from centric.surveys.models import Response
from centric.surveys.schemas import SurveyIn
from centric.surveys.service import create_survey
from centric.themes.enrichment import ENRICH_TASK
from centric.web.observe import samples
from tests.conftest import pg_copy
from tests.factories import PASSWORD, make_user
from tests.integration.processes import Fleet, free_port, healthy, log_in
from tests.jobs.waiting import eventually
from tests.surveys.helpers import form_token

pytestmark = pytest.mark.postgres

START_S = 180.0  # deadlines, not waits: three processes import the app at once on a shared machine
STOP_S = 30.0
T = 30.0  # per request: the first answers of a process that just started can be slow on a busy machine
TOKEN = "prod-run-" + uuid.uuid4().hex


def _lines(fleet: Fleet, name: str) -> list[dict[str, Any]]:
    """The JSON log lines a process wrote so far (other output, e.g. the banner, skipped)."""
    found = []
    for line in fleet.log(name).splitlines():
        if line.startswith("{"):
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:  # a line being written right now
                continue
    return found


def _health_lines(fleet: Fleet) -> list[dict[str, Any]]:
    return [e for e in _lines(fleet, "web") if e.get("route") == "/api/health" and e.get("status") == 200]


def _scrape(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=T)
    assert answer.status_code == 200, answer.text
    return {(name, frozenset(labels.items())): value for name, labels, value in samples(answer.text)}


def test_serve_and_worker_as_documented(pg_template: str, tmp_path: Path) -> None:
    with pg_copy(pg_template) as url:
        db = Database(url)
        with db.transaction() as s:
            make_user(s, "admin", "admin@example.com")
            create_survey(s, SurveyIn(key="smoke", name="Smoke NPS", kind="nps"))
        port, redis_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**_environment(), "CENTRIC_DATABASE_URL": url, "CENTRIC_QUEUE_URL": f"redis://127.0.0.1:{redis_port}/0",
               "CENTRIC_QUEUE_NAME": f"prod_{uuid.uuid4().hex[:8]}", "CENTRIC_JOB_POLL_S": "0.05",
               "CENTRIC_METRICS_TOKEN": TOKEN, "CENTRIC_DB_POOL_SIZE": "5", "CENTRIC_LOG_FORMAT": "json",
               "PYTHONUNBUFFERED": "1"}
        fleet = Fleet(db, [base], redis_port, tmp_path, env)
        fleet.start_redis()
        centric = str(Path(sys.executable).with_name("centric"))
        try:
            fleet.start("web", [centric, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"])
            fleet.start("worker", [centric, "worker", "--concurrency", "2"])
            eventually(lambda: fleet.alive() and healthy(base), timeout=START_S, what="centric serve to answer")
            eventually(lambda: fleet.alive() and "taking jobs from" in fleet.log("worker"), timeout=START_S,
                       what="centric worker to start")

            # a staff login through the HTML form
            opened = log_in(base, "admin@example.com", PASSWORD)
            assert opened.status_code == 303 and opened.cookies.get("centric_session")
            cookies = {"centric_session": opened.cookies["centric_session"]}
            assert httpx.get(f"{base}/api/v1/jobs/counts", cookies=cookies, timeout=T).status_code == 200

            # a respondent's answer, relayed by a proxy that names the request
            token = form_token(httpx.get(f"{base}/s/smoke", timeout=T).text)
            posted = httpx.post(f"{base}/s/smoke", data={"f": token, "nps": "4", "comment": "Checkout kept failing"},
                                headers={"X-Request-ID": "deploy-check-1"}, timeout=T)
            assert posted.status_code == 303 and posted.headers["x-request-id"] == "deploy-check-1"
            with db.reader() as s:
                assert s.scalar(select(func.count()).select_from(Response)) == 1
            job = eventually(lambda: _done(db), timeout=START_S, what="the answer's enrichment job to run")
            assert job.payload["_request_id"] == "deploy-check-1"
            ran = eventually(lambda: [e for e in _lines(fleet, "worker") if e.get("job_id") == job.id], timeout=10,
                             what="the worker's log line for the job")
            assert [(e["request_id"], e["outcome"]) for e in ran] == [("deploy-check-1", "done")]

            # /metrics: counts of both processes, whichever answers; a wrong token gets nothing
            eventually(lambda: httpx.get(f"{base}/api/health", timeout=T).status_code == 200
                       and len({e["pid"] for e in _health_lines(fleet)}) >= 2,
                       timeout=30, what="both web processes to answer health checks")
            forbidden = httpx.get(f"{base}/metrics", headers={"Authorization": "Bearer wrong"}, timeout=T)
            assert forbidden.status_code == 403 and "centric_http" not in forbidden.text
            answered = len(_health_lines(fleet))
            key = ("centric_http_requests_total",
                   frozenset({"method": "GET", "route": "/api/health", "status": "2xx"}.items()))
            for _ in range(4):  # several scrapes: any process may answer, each sees the sum
                assert _scrape(base)[key] == answered
            pool = ("centric_db_pool_size", frozenset({"pool": "primary"}.items()))
            assert _scrape(base)[pool] == 2 * 5  # CENTRIC_DB_POOL_SIZE in each of the two live processes

            # SIGTERM: every process finishes and exits 0
            for process in fleet.processes:
                process.send_signal(signal.SIGTERM)
            codes = [process.wait(STOP_S) for process in fleet.processes]
            assert codes == [0, 0], fleet.log("web")[-3000:] + fleet.log("worker")[-3000:]
            assert "Traceback" not in fleet.log("web") and "Traceback" not in fleet.log("worker")
        finally:
            for process in fleet.processes:
                if process.poll() is None:
                    process.kill()
                    process.wait(10)
            fleet.stop_redis()
            db.dispose()


def _done(db: Database) -> Job | None:
    with db.reader() as s:
        return s.scalar(select(Job).where(Job.name == ENRICH_TASK, Job.status == "done"))


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS_")}
