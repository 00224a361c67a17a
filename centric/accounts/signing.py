"""Signed, expiring tokens (HMAC-SHA256) for links that identify a customer without a login.

The key is ``CENTRIC_SECRET_KEY`` when set, else a random key generated once per
installation and kept in the ``app_setting`` table, so every process shares it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from centric.accounts.models import AppSetting
from centric.errors import Forbidden

KEY_NAME = "signing_key"


def signing_key(session: Session, configured: str = "") -> bytes:
    if configured:
        return configured.encode()
    row = session.get(AppSetting, KEY_NAME)
    if row is None:
        try:
            with session.begin_nested():
                row = AppSetting(key=KEY_NAME, value=secrets.token_urlsafe(48))
                session.add(row)
        except IntegrityError:  # another process created it first
            row = session.get(AppSetting, KEY_NAME)
    assert row is not None
    return row.value.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, purpose: str, claims: dict[str, Any], ttl_s: int) -> str:
    """``payload.signature``; ``purpose`` separates e.g. survey links from unsubscribe links."""
    body = {**claims, "p": purpose, "exp": int(time.time()) + ttl_s}
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify(key: bytes, purpose: str, token: str) -> dict[str, Any]:
    """The claims of a valid token; raises :class:`Forbidden` if tampered, expired or misused."""
    try:
        payload, signature = token.split(".", 1)
        expected = hmac.new(key, payload.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise ValueError("bad signature")
        claims = json.loads(_unb64(payload))
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise Forbidden("this link is not valid (it was changed or cut short)") from None
    if claims.get("p") != purpose:
        raise Forbidden("this link is not meant for this page")
    if int(claims.get("exp", 0)) < time.time():
        raise Forbidden("this link has expired")
    return claims
