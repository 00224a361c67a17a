"""Schemas shared by the ideas services, the API, the pages, the webhooks and the CLI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from centric.db import UtcDatetime

IdeaStatus = Literal["open", "under_review", "planned", "in_progress", "done", "declined", "duplicate"]
Moderation = Literal["pending", "approved", "hidden"]


class BoardOut(BaseModel):
    id: int
    key: str
    names: dict[str, str]
    descriptions: dict[str, str]
    vote_budget: int | None
    position: int
    active: bool
    ideas: int = 0  # visible ideas on the board


class IdeaOut(BaseModel):
    """An idea as staff and integrations see it (the author's customer id, never their e-mail)."""

    id: int
    board: str
    title: str
    body: str
    language: str
    status: IdeaStatus
    duplicate_of: int | None
    moderation: Moderation
    locked: bool
    votes: int
    comments: int
    author_name: str
    customer_id: int | None
    source: str
    source_ref: str
    spam_score: float
    created_at: UtcDatetime
    updated_at: UtcDatetime
    status_changed_at: UtcDatetime
    url: str = Field(description="the idea's public page, relative to the installation")
