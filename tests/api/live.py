"""The app served by a real Uvicorn server on a free loopback port, and load from several threads."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` in a thread; yields its base URL and stops the server on exit.

    The socket listens before the server starts, so clients may connect at once: the
    kernel queues them until Uvicorn accepts (no waiting for start-up by polling).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def hammer(workers: list[Callable[[httpx.Client], None]], seconds: float,
           stop: threading.Event | None = None) -> None:
    """Run each worker in its own thread, repeatedly, for ``seconds`` or until ``stop`` is set.

    Re-raises the first error a worker raised.
    """
    deadline = time.monotonic() + seconds
    errors: list[BaseException] = []

    def loop(work: Callable[[httpx.Client], None]) -> None:
        try:
            with httpx.Client(timeout=30) as client:
                while time.monotonic() < deadline and not (stop and stop.is_set()):
                    work(client)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
