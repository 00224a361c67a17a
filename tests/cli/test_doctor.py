"""``centric doctor``: OK for a sound production configuration; FAIL lines, what to fix and exit 1 for a broken one."""

from __future__ import annotations

import re
import socket

import pytest
from aiosmtpd.controller import Controller
from click.testing import Result
from typer.testing import CliRunner

from centric.cli.main import app
from centric.config import Settings
from centric.db import Database
from centric.ops.doctor import check_oidc

runner = CliRunner()
STRONG_KEY = "k3Jx9-uQ2vL7pT0sWn4yRb8eZc1aHf6dMg5iOq2w"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Accepting:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        return "250 OK"


@pytest.fixture
def smtp_port():
    controller = Controller(Accepting(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port
    controller.stop()


def doctor(db: Database, env: dict[str, str]) -> tuple[Result, str]:
    result = runner.invoke(app, ["--database-url", db.url, "doctor", "--timeout", "3"], env={"COLUMNS": "200", **env})
    return result, " ".join(result.output.split())


def status_of(output: str, check: str) -> str:
    found = re.search(rf"│ {re.escape(check)}\s+│ (OK|WARN|FAIL)", output)
    assert found, output
    return found.group(1)


def test_a_sound_production_configuration_is_ok(db, smtp_port):
    result, said = doctor(db, {
        "CENTRIC_SECRET_KEY": STRONG_KEY, "CENTRIC_PUBLIC_URL": "https://cx.example.com",
        "CENTRIC_COOKIE_SECURE": "true", "CENTRIC_SMTP_HOST": "127.0.0.1", "CENTRIC_SMTP_PORT": str(smtp_port),
        "CENTRIC_MAIL_FROM": "CX <cx@example.com>", "CENTRIC_QUEUE_URL": "redis://127.0.0.1:6379/0"})
    assert result.exit_code == 0, result.output
    for check in ("secret key", "database", "migrations", "queue", "mail", "public URL", "cookies", "single sign-on",
                  "data folder", "backup"):
        assert status_of(result.output, check) == "OK", check
    assert "0 failed" in said


def test_a_broken_configuration_fails_and_says_what_to_fix(db):
    result, said = doctor(db, {
        "CENTRIC_SECRET_KEY": "change-me", "CENTRIC_PUBLIC_URL": "http://cx.example.com",
        "CENTRIC_SMTP_HOST": "127.0.0.1", "CENTRIC_SMTP_PORT": str(free_port()), "CENTRIC_SMTP_USER": "mailer",
        "CENTRIC_QUEUE_URL": f"redis://:topsecret@127.0.0.1:{free_port()}/0"})
    assert result.exit_code == 1
    for check in ("secret key", "queue", "mail", "public URL"):
        assert status_of(result.output, check) == "FAIL", check
    assert status_of(result.output, "database") == "OK"
    assert "Set CENTRIC_SECRET_KEY to a long random value" in said
    assert "Set both CENTRIC_SMTP_USER and CENTRIC_SMTP_PASSWORD" in said
    assert "Start the broker or correct CENTRIC_QUEUE_URL" in said
    assert "topsecret" not in result.output and "***" in result.output
    assert re.search(r"[1-9]\d* failed", said)


def test_pending_migrations_are_listed(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = runner.invoke(app, ["--database-url", url, "doctor", "--timeout", "3"],
                           env={"COLUMNS": "200", "CENTRIC_JOB_WORKERS": "0"})
    said = " ".join(result.output.split())
    assert result.exit_code == 1
    assert status_of(result.output, "migrations") == "FAIL"
    assert "migrations pending" in said and "0001" in said and "Run: centric db upgrade" in said
    assert status_of(result.output, "workers") == "WARN" and "Run centric worker" in said


def test_an_invalid_setting_is_a_failure_not_a_traceback(db):
    result, said = doctor(db, {"CENTRIC_SMTP_PORT": "twenty-five"})
    assert result.exit_code == 1
    assert status_of(result.output, "settings") == "FAIL" and "smtp_port" in said


class WithSingleSignOn(Settings):
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""


def test_single_sign_on_settings_come_all_or_none():
    assert check_oidc(WithSingleSignOn()).status == "ok"
    half = check_oidc(WithSingleSignOn(oidc_issuer="https://idp.example.com", oidc_client_id="centric"))
    assert half.status == "fail" and "CENTRIC_OIDC_CLIENT_SECRET" in half.reason
    assert check_oidc(WithSingleSignOn(oidc_issuer="http://idp.example.com", oidc_client_id="c",
                                       oidc_client_secret="s")).status == "fail"
    assert check_oidc(WithSingleSignOn(oidc_issuer="https://idp.example.com", oidc_client_id="c",
                                       oidc_client_secret="s")).status == "ok"
