"""The files in deploy/ name commands and options that exist (no image is built: no network for base images)."""

from __future__ import annotations

import json
import re
import shlex

import httpx
from typer.testing import CliRunner

from centric.cli.main import app
from tests.conftest import REPO

DEPLOY = REPO / "deploy"


def _unit_commands() -> dict[str, list[str]]:
    found = {}
    for unit in sorted(DEPLOY.glob("*.service")):
        text = unit.read_text().replace("\\\n", " ")
        line = re.search(r"^ExecStart=(.+)$", text, re.M)
        assert line, unit.name
        words = shlex.split(line.group(1))
        if words[:2] == ["/bin/sh", "-c"]:  # a command line built by the shell (the backup's dated folder)
            words = shlex.split(words[2].replace("exec ", "", 1))
        assert words[0] == "/opt/centric/venv/bin/centric", unit.name
        found[unit.name] = words[1:]
    return found


def _container_command() -> list[str]:
    text = (DEPLOY / "Containerfile").read_text()
    entry = json.loads(re.search(r"^ENTRYPOINT (\[.+\])$", text, re.M).group(1))
    command = json.loads(re.search(r"^CMD (\[.+\])$", text, re.M).group(1))
    assert entry == ["centric"]
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M) and re.search(r"^USER centric$", text, re.M)
    assert "/api/health" in text and "HEALTHCHECK" in text
    return command


def test_every_documented_command_parses():
    commands = {**_unit_commands(), "Containerfile": _container_command()}
    assert {"centric-web.service", "centric-worker.service", "centric-backup.service", "Containerfile"} <= set(commands)
    assert commands["centric-backup.service"][0] == "backup"
    assert commands["centric-web.service"][0] == "serve" and commands["centric-worker.service"][0] == "worker"
    runner = CliRunner()
    for where, words in commands.items():
        result = runner.invoke(app, [*words, "--help"])  # unknown options fail before --help answers
        assert result.exit_code == 0, f"{where}: {' '.join(words)}\n{result.output}"


def test_the_proxy_overwrites_forwarded_headers_and_hides_metrics():
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx  # never $proxy_add_x_forwarded_for
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert re.search(r"location = /metrics \{\s*return 404;", nginx)
    assert "ssl_certificate " in nginx and "return 301 https://" in nginx


def test_the_worker_serves_its_job_metrics_on_loopback_only():
    from centric.cli.worker import _serve_metrics
    from tests.integration.processes import free_port

    port = free_port()
    server = _serve_metrics(port)
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
        assert "centric_job_failures_total" in text and "centric_job_runs_total" in text
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.shutdown()
        server.server_close()
