"""The API fixtures, and a real SMTP server (aiosmtpd) on a free local port."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from centric.config import Settings
from tests.api.conftest import app, client, tokens  # noqa: F401


class Mailbox:
    """Collects every message the SMTP server accepts; ``wait`` blocks until ``n`` arrived."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        with self._arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 OK"

    def wait(self, n: int, timeout: float = 10) -> list[EmailMessage]:
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.messages) >= n, timeout)
            assert arrived, f"{len(self.messages)} of {n} mails"
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mail_settings(smtp) -> Settings:
    controller, _ = smtp
    return Settings(smtp_host="127.0.0.1", smtp_port=controller.port, public_url="https://cx.example.com",
                             job_retry_base_s=0.01, job_retry_max_s=0.05, job_poll_s=0.02, smtp_timeout_s=5)
