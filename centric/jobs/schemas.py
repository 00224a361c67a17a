"""Pydantic schemas for jobs as the API and CLI show them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from centric.db import UtcDatetime


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    payload: dict[str, Any]
    status: str
    attempts: int
    max_attempts: int | None
    run_at: UtcDatetime
    last_error: str | None
    created_at: UtcDatetime
    finished_at: UtcDatetime | None


class JobCounts(BaseModel):
    queued: int
    running: int
    done: int
    failed: int
