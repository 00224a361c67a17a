"""Pydantic schemas for connectors, their mappings and what an inbound call stored."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from centric.db import UtcDatetime
from centric.feedback.schemas import Channel


class ConnectorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$", examples=["zendesk"])
    name: str = Field(min_length=1, max_length=200)
    source: str | None = Field(default=None, min_length=1, max_length=60, description="feedback source; default: key")
    channel: Channel = Field(default="other", description="channel of items whose mapping names none")
    auth: Literal["token", "hmac"] = "token"
    mapping: dict[str, Any] = Field(examples=[{"text": "ticket.description", "external_id": "ticket.id",
                                               "customer.email": "ticket.requester.email"}])
    items_path: str | None = Field(default=None, max_length=200, description="where the list of items lies in a body")
    merge_identities: bool = Field(default=False, description=(
        "merge two existing customers when an item names identities of both (needs customers:write); "
        "off: a merge suggestion is recorded for a manager"))


class MappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mapping: dict[str, Any]
    items_path: str | None = Field(default=None, max_length=200)


class ConnectorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    source: str
    channel: str
    auth: str
    mapping: dict[str, Any]
    items_path: str | None
    active: bool
    merge_identities: bool
    received: int
    last_received_at: UtcDatetime | None
    created_at: UtcDatetime


class ConnectorCreated(ConnectorOut):
    secret: str = Field(description="the token (auth=token) or HMAC secret (auth=hmac); shown only now")
    inbound_url: str


class ItemError(BaseModel):
    index: int = Field(description="position in the body (0-based) or line in a file")
    field: str | None
    message: str


class InboundResult(BaseModel):
    created: int
    skipped: int
    failed: int
    feedback_ids: list[int]
    errors: list[ItemError]
