"""The task registry: ``@task`` names a function that a worker may run as a job."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from centric.config import Settings
from centric.db import Database
from centric.domains import DOMAINS


@dataclass(frozen=True)
class JobContext:
    """What a handler gets besides its payload: where to work, and which attempt this is."""

    db: Database
    settings: Settings
    job_id: int
    attempt: int
    max_attempts: int

    @property
    def last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help (the job is parked at once)."""


Handler = Callable[[JobContext, dict[str, Any]], None]


@dataclass(frozen=True)
class Task:
    name: str
    handler: Handler
    max_attempts: int | None  # None: the installation's CENTRIC_JOB_MAX_ATTEMPTS


TASKS: dict[str, Task] = {}


def task(name: str, *, max_attempts: int | None = None) -> Callable[[Handler], Handler]:
    """Register ``handler(context, payload)`` as the task ``name``.

    Jobs run at least once, so a handler must be idempotent: running it twice for the
    same payload has the effect of running it once.
    """

    def register(handler: Handler) -> Handler:
        existing = TASKS.get(name)
        if existing is not None and existing.handler is not handler:
            qualified = f"{handler.__module__}.{handler.__qualname__}"
            known = f"{existing.handler.__module__}.{existing.handler.__qualname__}"
            if qualified != known:
                raise ValueError(f"task {name!r} is registered twice")
        TASKS[name] = Task(name, handler, max_attempts)
        return handler

    return register


def load_tasks() -> dict[str, Task]:
    """Import the ``tasks`` module of every domain in :data:`centric.domains.DOMAINS` that has one."""
    for domain in DOMAINS:
        name = f"centric.{domain}.tasks"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return TASKS
