"""Pydantic schemas for users and API tokens."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from centric.db import UtcDatetime

Role = Literal["admin", "analyst", "manager", "agent", "viewer", "hr"]


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8, max_length=200)
    name: str = Field(default="", max_length=200)
    role: Role = "viewer"


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    is_active: bool


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: UtcDatetime
    token: str | None = Field(default=None, description="Shown once, at creation.")
