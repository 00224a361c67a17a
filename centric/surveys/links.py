"""Distribution links: the public link, QR codes, and signed personal links.

A personal link identifies the customer without a login: its token is signed (HMAC,
:mod:`centric.accounts.signing`) with purpose ``survey`` and the claims
``{"s": survey key, "c": customer id, "i": invitation id}``. A score in the link
(``?score=9``) is stored at once when the customer clicks it in an e-mail.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode, urlsplit

import segno
from sqlalchemy.orm import Session

from centric.accounts.signing import sign, signing_key, verify
from centric.config import Settings
from centric.customers.service import get_customer
from centric.customers.visitors import visitor_token
from centric.errors import Forbidden
from centric.surveys.models import Survey

PURPOSE = "survey"
DAY_S = 86_400
DEFAULT_BASE = "http://127.0.0.1:8000"


def base_url(settings: Settings) -> str:
    """Where respondents reach Centric (``CENTRIC_PUBLIC_URL``), without a trailing slash."""
    return (getattr(settings, "public_url", "") or DEFAULT_BASE).rstrip("/")


def public_path(survey_key: str, **query: str | int) -> str:
    return f"/s/{survey_key}" + (f"?{urlencode(query)}" if query else "")


def public_link(settings: Settings, survey_key: str) -> str:
    """The anonymous link anyone may open (posters, QR codes, the website widget)."""
    return base_url(settings) + public_path(survey_key)


def survey_token(key: bytes, survey_key: str, customer_id: int, invitation_id: int | None = None,
                 ttl_days: int = 30) -> str:
    claims: dict[str, object] = {"s": survey_key, "c": customer_id}
    if invitation_id is not None:
        claims["i"] = invitation_id
    return sign(key, PURPOSE, claims, ttl_days * DAY_S)


def personal_link(session: Session, settings: Settings, survey: Survey | str, customer_id: int,
                  invitation_id: int | None = None, ttl_days: int = 30, score: int | None = None) -> str:
    """A link that answers as ``customer_id``; with ``score`` a one-click answer link.

    For e-mails: build one link per scale point (``score=0…10``) to let the customer
    answer straight from the message.
    """
    survey_key = survey if isinstance(survey, str) else survey.key
    customer = get_customer(session, customer_id)
    token = survey_token(signing_key(session, settings.secret_key), survey_key, customer.id, invitation_id, ttl_days)
    query: dict[str, str | int] = {"t": token}
    if score is not None:
        query["score"] = score
    return base_url(settings) + public_path(survey_key, **query)


def read_survey_token(key: bytes, survey_key: str, token: str) -> dict:
    """The claims of a personal link for this survey; :class:`Forbidden` when tampered or expired."""
    claims = verify(key, PURPOSE, token)
    if claims.get("s") != survey_key or not isinstance(claims.get("c"), int):
        raise Forbidden("this link belongs to another survey")
    return claims


def qr_svg(url: str, title: str = "") -> str:
    """An SVG QR code (error correction M) for ``url``, drawn in pure Python by segno."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True, title=title or url,
              svgclass="qr", lineclass=None)
    return out.getvalue().decode()


def identified_link(url: str, settings: Settings, key: bytes, customer_id: int | None, ttl_s: int = 3600) -> str:
    """``url`` with a visitor token (``t=``) for ``customer_id`` when it points at this installation.

    The thank-you page's "Share an idea" link signs a known respondent in to the ideas
    portal; the token is never appended to another site's address.
    """
    if customer_id is None or urlsplit(url)[:2] != urlsplit(base_url(settings))[:2]:
        return url
    separator = "&" if "?" in url else "?"
    fragment = ""
    if "#" in url:
        url, fragment = url.split("#", 1)
        fragment = "#" + fragment
    return f"{url}{separator}{urlencode({'t': visitor_token(key, customer_id, ttl_s)})}{fragment}"
