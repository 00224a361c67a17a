"""Users, passwords (argon2id), API tokens (SHA-256 of a random secret) and auditing."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from centric.accounts import throttle
from centric.accounts.models import ApiToken, AuditLog, User, WebSession
from centric.accounts.roles import ROLES
from centric.accounts.schemas import UserCreate
from centric.config import Settings
from centric.db import changed_rows, page_of, utcnow
from centric.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthorized

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


def find_user(session: Session, email: str) -> User | None:
    """The user with this e-mail address (compared in lower case), or None."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def list_users(session: Session, limit: int | None = None, offset: int = 0) -> tuple[list[User], int]:
    """Users by email (a slice of them) and how many there are."""
    return page_of(session, select(User).order_by(User.email), limit, offset)


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


def log_in(session: Session, settings: Settings, key: bytes, email: str, password: str, address: str,
           now: datetime | None = None) -> User:
    """The user with these credentials, unless the account or the address is locked by recent failures.

    A locked attempt is refused before the password is checked, so even the right password
    waits (:mod:`centric.accounts.throttle`); failures are counted and audited, and a success
    clears the account's count. Raises :class:`Unauthorized` or :class:`TooManyRequests`.
    """
    account = throttle.bucket(key, throttle.LOGIN_ACCOUNT, email)
    place = throttle.bucket(key, throttle.LOGIN_ADDRESS, address)
    user_id = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    detail = {"address": place[:16], "account": account[:16]}  # pseudonyms: correlate attempts, store no address
    wait = throttle.retry_after(session, [account, place], now)
    if wait:
        audit(session, user_id, "user.login_locked", "user", user_id, detail)
        raise TooManyRequests(_locked_message(wait), retry_after=wait)
    user = authenticate(session, email, password)
    if user is None:
        lock = max(throttle.fail(session, account, throttle.Limits.for_accounts(settings), now),
                   throttle.fail(session, place, throttle.Limits.for_addresses(settings), now))
        audit(session, user_id, "user.login_failed", "user", user_id, {**detail, "locked_s": lock})
        if lock:
            raise TooManyRequests(_locked_message(lock), retry_after=lock)
        raise Unauthorized("Wrong e-mail or password.")
    throttle.clear(session, account)
    return user


def _locked_message(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


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


# A token's last use is kept to the minute: writing it on every call would make every
# read a write (and, on SQLite, fail reads while another request writes).
TOKEN_USE_PRECISION = timedelta(minutes=1)


def user_for_token(session: Session, secret: str) -> tuple[ApiToken, User] | None:
    """The live token with this secret and its active user, or None. Only reads."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    return token, user


def token_use_is_due(token: ApiToken) -> bool:
    """Whether ``last_used_at`` is older than :data:`TOKEN_USE_PRECISION` (so worth writing)."""
    return token.last_used_at is None or token.last_used_at < utcnow() - TOKEN_USE_PRECISION


def note_token_use(session: Session, token_id: int) -> bool:
    """Record that the token was used now, unless another request did so within the minute.

    The condition is in the UPDATE itself, so several processes write it once a minute at most.
    """
    now = utcnow()
    stale = (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - TOKEN_USE_PRECISION)
    return changed_rows(session, update(ApiToken).where(ApiToken.id == token_id, stale).values(last_used_at=now)) > 0


def authenticate_token(session: Session, settings: Settings, secret: str, address: str,
                       key: Callable[[], bytes], now: datetime | None = None) -> tuple[ApiToken, User]:
    """The live token and its user; invalid tokens are counted per address, and too many answer 429.

    The lock is checked only after a failed lookup: a valid token costs no extra query, and
    a 256-bit token cannot be guessed anyway — the limit stops floods of bad tokens and shows them
    in the audit log. ``key`` gives the installation's key, read only when needed.
    """
    found = user_for_token(session, secret)
    if found is not None:
        return found
    place = throttle.bucket(key(), throttle.TOKEN_ADDRESS, address)
    wait = throttle.retry_after(session, [place], now)
    if wait:
        raise TooManyRequests(_locked_message(wait), retry_after=wait)
    lock = throttle.fail(session, place, throttle.Limits.for_tokens(settings), now)
    audit(session, None, "token.invalid", "api_token", None, {"address": place[:16], "locked_s": lock})
    if lock:
        raise TooManyRequests(_locked_message(lock), retry_after=lock)
    raise Unauthorized("the API token is invalid or revoked")


def revoke_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and user.role != "admin"):
        raise NotFound(f"token {token_id} not found")
    if token.revoked_at is not None:
        return  # revoked already: the first revocation's time and audit entry stand
    token.revoked_at = utcnow()
    audit(session, user.id, "token.revoke", "api_token", token.id, {})


def list_tokens(session: Session, user: User, limit: int | None = None,
                offset: int = 0) -> tuple[list[ApiToken], int]:
    """The user's live tokens, oldest first (a slice of them), and how many there are."""
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    return page_of(session, query.order_by(ApiToken.id), limit, offset)


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


def open_web_session(session: Session, user: User, max_age_s: int,
                     via: str | None = None) -> tuple[str, WebSession]:
    """A new browser session; returns the cookie secret (stored only as a hash). ``via``: e.g. "sso"."""
    secret = secrets.token_urlsafe(32)
    record = WebSession(
        token_hash=_token_digest(secret), user_id=user.id, csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(seconds=max_age_s),
    )
    session.add(record)
    session.flush()
    audit(session, user.id, "user.login", "user", user.id, {"via": via} if via else {})
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
