"""Unsubscribe links: signed, long-lived, one click from any e-mail footer (RFC 8058)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from centric.accounts.signing import sign, signing_key, verify
from centric.config import Settings
from centric.errors import Invalid
from centric.surveys.links import base_url

UNSUBSCRIBE = "unsubscribe"

UNSUBSCRIBE_TTL_DAYS = 5 * 365  # a link in an old e-mail must still work


def unsubscribe_token(session: Session, settings: Settings, customer_id: int, channel: str = "email",
                      ttl_days: int = UNSUBSCRIBE_TTL_DAYS) -> str:
    return sign(signing_key(session, settings.secret_key), UNSUBSCRIBE, {"c": customer_id, "ch": channel},
                ttl_days * 86_400)


def unsubscribe_link(session: Session, settings: Settings, customer_id: int, channel: str = "email",
                     ttl_days: int = UNSUBSCRIBE_TTL_DAYS) -> str:
    """The link for e-mail footers and the ``List-Unsubscribe`` header (RFC 8058)."""
    return f"{base_url(settings)}/u/{unsubscribe_token(session, settings, customer_id, channel, ttl_days)}"


def read_unsubscribe_token(session: Session, settings: Settings, token: str) -> tuple[int, str]:
    """(customer id, channel) of an unsubscribe link; :class:`Forbidden` when tampered or expired."""
    claims = verify(signing_key(session, settings.secret_key), UNSUBSCRIBE, token)
    if not isinstance(claims.get("c"), int):
        raise Invalid("this unsubscribe link names no customer")
    return claims["c"], str(claims.get("ch") or "email")
