"""A small per-process cache whose entries expire, shared by the map's costly figures."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy.orm import Session

T = TypeVar("T")


class TimedCache:
    """Values computed once and reused for ``ttl_s`` seconds, per database (the session's engine).

    At most ``max_entries`` are kept: when full, expired entries are dropped first, then the
    oldest. Thread-safe; two threads missing at once may both compute (the last one is kept).
    """

    def __init__(self, max_entries: int = 256) -> None:
        self._entries: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, session: Session, key: tuple[Hashable, ...], compute: Callable[[], T], ttl_s: float) -> T:
        bind = session.get_bind()
        full = (id(bind), str(getattr(bind, "url", "")), *key)
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(full)
        if hit is not None and now - hit[0] < ttl_s:
            return cast(T, hit[1])
        value = compute()
        with self._lock:
            if len(self._entries) >= self._max:
                fresh = {k: v for k, v in self._entries.items() if now - v[0] < ttl_s}
                self._entries = dict(sorted(fresh.items(), key=lambda kv: kv[1][0])[-(self._max - 1):])
            self._entries[full] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
