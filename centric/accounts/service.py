"""Users, passwords (argon2id), API tokens (SHA-256 of a random secret) and auditing."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import ApiToken, AuditLog, User, WebSession
from centric.accounts.roles import ROLES
from centric.accounts.schemas import UserCreate
from centric.db import utcnow
from centric.errors import Conflict, Invalid, NotFound

_hasher = PasswordHasher()
TOKEN_PREFIX = "ctc_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session: Session, data: UserCreate) -> User:
    if data.role not in ROLES:
        raise Invalid(f"unknown role {data.role!r}", field="role")
    email = data.email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} exists already", field="email")
    user = User(email=email, name=data.name, role=data.role, password_hash=hash_password(data.password))
    session.add(user)
    session.flush()
    audit(session, None, "user.create", "user", user.id, {"role": user.role})
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(f"user {user_id} not found")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Rehashes outdated hashes."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        _hasher.hash(password)  # same work either way: no user-enumeration by timing
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=_token_digest(secret))
    session.add(token)
    session.flush()
    audit(session, user.id, "token.create", "api_token", token.id, {"name": name})
    return token, secret


def user_for_token(session: Session, secret: str) -> User | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    token.last_used_at = utcnow()
    return user


def revoke_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and user.role != "admin"):
        raise NotFound(f"token {token_id} not found")
    if token.revoked_at is not None:
        return  # revoked already: the first revocation's time and audit entry stand
    token.revoked_at = utcnow()
    audit(session, user.id, "token.revoke", "api_token", token.id, {})


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    return list(session.scalars(query.order_by(ApiToken.id)))


def audit(
    session: Session,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    detail: dict,
) -> None:
    """Append to the audit log inside the caller's transaction."""
    session.add(
        AuditLog(
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail,
        )
    )


def open_web_session(session: Session, user: User, max_age_s: int) -> tuple[str, WebSession]:
    """A new browser session; returns the cookie secret (stored only as a hash)."""
    secret = secrets.token_urlsafe(32)
    record = WebSession(
        token_hash=_token_digest(secret), user_id=user.id, csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(seconds=max_age_s),
    )
    session.add(record)
    session.flush()
    audit(session, user.id, "user.login", "user", user.id, {})
    return secret, record


def web_session_for(session: Session, secret: str) -> tuple[WebSession, User] | None:
    record = session.scalar(select(WebSession).where(WebSession.token_hash == _token_digest(secret)))
    if record is None or record.expires_at < utcnow():
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        return None
    return record, user


def close_web_session(session: Session, secret: str) -> None:
    record = session.scalar(select(WebSession).where(WebSession.token_hash == _token_digest(secret)))
    if record is not None:
        session.delete(record)
