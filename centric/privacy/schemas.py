"""Pydantic schemas of the privacy domain."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class CustomerExport(BaseModel):
    """A customer's data (GDPR art. 15): every profile merged into this one, and what hangs on them."""

    customer_id: int
    exported_at: str
    profiles: list[dict[str, Any]]
    identities: list[dict[str, Any]]
    segments: list[str]
    events: list[dict[str, Any]]
    responses: list[dict[str, Any]] = Field(description="each with its answers")
    feedback: list[dict[str, Any]]
    invitations: list[dict[str, Any]]
    merges: list[dict[str, Any]]
    ideas: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, description="ideas they posted, their votes and comments (with each idea's title)")
    other: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, description="rows of other tables that refer to the customer, by table.column")


class ErasureIn(BaseModel):
    confirm: int | str = Field(description="the customer's id again, to confirm")


class ErasureReport(BaseModel):
    customer_id: int
    counts: dict[str, int]
