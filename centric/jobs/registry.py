"""The task registry: ``@task`` names a function that a worker may run as a job."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from centric.jobs.runner import JobContext

Handler = Callable[["JobContext", dict[str, Any]], None]


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
    """Import every ``centric.<domain>.tasks`` module so that its tasks are registered."""
    import centric

    root = Path(centric.__path__[0])
    for info in pkgutil.iter_modules(centric.__path__):
        if info.ispkg and (root / info.name / "tasks.py").exists():
            importlib.import_module(f"centric.{info.name}.tasks")
    return TASKS
