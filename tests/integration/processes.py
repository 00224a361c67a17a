"""Running Centric as real processes for the integration tests: free ports, a Redis of the test's own,
the processes' logs, and waiting for them to serve (used by the fleet and production-run tests).
"""

from __future__ import annotations

import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from centric.db import Database
from tests.conftest import REPO
from tests.jobs.waiting import eventually


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Fleet:
    db: Database
    webs: list[str]
    redis_port: int
    logs: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    broker: subprocess.Popen[bytes] | None = None

    def start(self, name: str, command: list[str]) -> None:
        with (self.logs / f"{name}.log").open("wb") as log:  # the child keeps its own descriptor
            self.processes.append(subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log,
                                                   stderr=subprocess.STDOUT))

    def start_redis(self) -> None:
        self.broker = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.logs, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.redis_port, socket_connect_timeout=1)
        eventually(lambda: pings(client), timeout=10, what="the test's Redis server")

    def stop_redis(self) -> None:
        assert self.broker is not None
        self.broker.terminate()
        self.broker.wait(10)
        self.broker = None

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def alive(self) -> bool:
        dead = [p.args for p in self.processes if p.poll() is not None]
        if dead:
            logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in self.logs.glob("*.log"))
            raise AssertionError(f"a fleet process exited: {dead}\n{logs}")
        return True


def pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def log_in(base: str, email: str, password: str) -> httpx.Response:
    csrf = uuid.uuid4().hex  # the login form's double-submit token: any value, as cookie and field
    return httpx.post(f"{base}/login", data={"email": email, "password": password, "csrf": csrf, "next": "/"},
                      cookies={"centric_login_csrf": csrf}, timeout=30)
