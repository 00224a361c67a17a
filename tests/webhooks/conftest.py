"""The API fixtures (an app on each backend, a token per role) for these tests too.

The receivers of these tests listen on 127.0.0.1, which webhooks may reach only when an
admin allows it: :data:`LOCAL` allows it explicitly.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from centric.config import Settings
from centric.web.app import create_app
from tests.api.conftest import client, tokens  # noqa: F401

LOCAL = "127.0.0.1,localhost"
FAST = Settings(job_retry_base_s=0.01, job_retry_max_s=0.05, job_poll_s=0.02, job_max_attempts=3,
                webhook_allowed_hosts=LOCAL)


class Receiver:
    """An HTTP server in a thread that answers ``status`` and keeps every request."""

    def __init__(self) -> None:
        self.status = 204
        self.body = b""
        self.location: str | None = None
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()




@pytest.fixture
def app(db):
    settings = Settings(database_url=db.url, max_body_bytes=200_000, job_workers=0, webhook_allowed_hosts=LOCAL)
    return create_app(settings, db)
