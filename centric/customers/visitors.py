"""A visitor's signed identity on public pages (the ideas portal): which customer this browser is.

A visitor token is a :func:`centric.accounts.signing.sign` token of purpose ``visitor``
naming one customer id. It travels in sign-in links (short-lived) and in the portal's
HttpOnly cookie (30 days); it grants nothing but acting as that customer on public pages.
"""

from __future__ import annotations

from centric.accounts.signing import sign, verify
from centric.errors import Forbidden

PURPOSE = "visitor"
LINK_TTL_S = 3600
COOKIE_TTL_S = 30 * 86_400


def visitor_token(key: bytes, customer_id: int, ttl_s: int) -> str:
    return sign(key, PURPOSE, {"c": int(customer_id)}, ttl_s)


def read_visitor_token(key: bytes, token: str) -> int:
    """The customer id of a valid token; :class:`Forbidden` when tampered, expired or of another purpose."""
    claims = verify(key, PURPOSE, token)
    customer_id = claims.get("c")
    if not isinstance(customer_id, int) or isinstance(customer_id, bool) or customer_id <= 0:
        raise Forbidden("this link does not name a visitor")
    return customer_id
