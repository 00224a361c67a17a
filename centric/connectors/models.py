"""The ``connector`` table: one per feedback source that pushes or imports items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow


class Connector(Base):
    """A helpdesk, chat tool or review collector, with its saved field mapping.

    ``auth`` is ``token`` (only the token's SHA-256 is stored) or ``hmac`` (the shared
    secret is stored, since verifying a signature needs it).
    """

    __tablename__ = "connector"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(20), default="other")
    auth: Mapped[str] = mapped_column(String(10), default="token")
    token_hash: Mapped[str | None] = mapped_column(String(64))
    hmac_secret: Mapped[str | None] = mapped_column(String(100))
    mapping: Mapped[dict] = mapped_column(JSONType, default=dict)
    items_path: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # May this connector's items merge two existing profiles? Off: such items become merge suggestions.
    merge_identities: Mapped[bool] = mapped_column(default=False)
    received: Mapped[int] = mapped_column(default=0)
    last_received_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
