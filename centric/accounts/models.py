"""Tables for users, teams, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # who a breached case escalates to, and how new cases are shared among the members
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", use_alter=True))
    routing: Mapped[str] = mapped_column(String(20), default="least_loaded")  # least_loaded | round_robin
    last_assigned_id: Mapped[int | None]  # the round-robin cursor
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))  # staff UI language; None: the browser's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SsoIdentity(Base):
    """A user's account at the OpenID provider: the (issuer, subject) pair signs them in.

    ``disabled_by_sso``: the account was deactivated because the provider's groups no longer
    map to a role; a later sign-in with mapped groups reactivates it (an account deactivated
    by an admin stays so).
    """

    __tablename__ = "sso_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_sso_identity_issuer_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(400))
    subject: Mapped[str] = mapped_column(String(255))
    groups: Mapped[list] = mapped_column(JSONType, default=list)  # as the last sign-in brought them
    disabled_by_sso: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)


class WebSession(Base):
    """A browser login; the cookie holds a random secret, the table only its hash."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class AuthThrottle(Base):
    """Recent failed logins or invalid tokens of one account or address, shared by every process.

    ``bucket`` is an HMAC of the scope and the account or address, so no address is stored.
    """

    __tablename__ = "auth_throttle"

    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    locked_until: Mapped[datetime | None]


class AppSetting(Base):
    """Installation-wide values such as the generated signing key (never in the repo)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(String(400))
