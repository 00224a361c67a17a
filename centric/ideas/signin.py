"""Signing in to the ideas portal by e-mail: no password, a signed link valid for one hour.

``request_sign_in`` queues the e-mail; the page answers the same whatever happened, so it
does not tell which addresses are known. Requests are rate-limited per client address and
per e-mail address. The link carries a sign-in token (purpose ``ideas-sign-in``) naming the
address and the name typed. Only when the link is opened — proof that the visitor reads
that mailbox — does :func:`redeem_sign_in` find the customer behind the address or create
one (origin "ideas portal"); a name typed for an address that is already known changes
nothing. The portal then exchanges it for its 30-day visitor cookie.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from centric.accounts.signing import sign, verify
from centric.config import Settings
from centric.customers.schemas import CustomerIn
from centric.customers.service import find_by_identity, upsert_customer
from centric.customers.visitors import LINK_TTL_S
from centric.errors import Forbidden
from centric.ideas.locale import texts
from centric.jobs import enqueue
from centric.outreach.mail import Mail
from centric.surveys import ratelimit

SIGN_IN_TASK = "ideas.sign_in_mail"
SIGN_IN_PURPOSE = "ideas-sign-in"
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,190}\.[A-Za-z]{2,24}$")
PER_ADDRESS_PER_HOUR = 10
PER_EMAIL_PER_HOUR = 3


def valid_email(text: str) -> str | None:
    email = text.strip()
    return email if len(email) <= 320 and EMAIL.match(email) else None


def safe_next(path: str) -> str:
    """Where to go after signing in: a portal path only (never another site)."""
    if path.startswith("/ideas") and not path.startswith("//") and "\\" not in path and len(path) <= 500:
        return path
    return "/ideas"


def request_sign_in(session: Session, key: bytes, *, email: str, name: str, address: str, next_path: str,
                    locale: str) -> bool:
    """Queue the sign-in e-mail; False when a rate limit held it back (the visitor is not told)."""
    over_address = ratelimit.hit(session, ratelimit.bucket_for(key, address, "ideas:login")) > PER_ADDRESS_PER_HOUR
    over_email = ratelimit.hit(session, ratelimit.bucket_for(key, email.lower(), "ideas:login-email")) \
        > PER_EMAIL_PER_HOUR
    if over_address or over_email:
        return False
    enqueue(session, SIGN_IN_TASK, {"email": email, "name": " ".join(name.split())[:80],
                                    "next": safe_next(next_path), "locale": locale})
    return True


def sign_in_link(settings: Settings, key: bytes, email: str, name: str, next_path: str) -> str:
    path = safe_next(next_path)
    separator = "&" if "?" in path else "?"
    token = sign(key, SIGN_IN_PURPOSE, {"e": email, "n": name}, LINK_TTL_S)
    return f"{settings.public_url.rstrip('/')}{path}{separator}{urlencode({'t': token})}"


def redeem_sign_in(session: Session, key: bytes, token: str) -> int:
    """The customer a sign-in link names, created now if the address is new; Forbidden when tampered or expired."""
    claims = verify(key, SIGN_IN_PURPOSE, token)
    email = valid_email(str(claims.get("e", "")))
    if email is None:
        raise Forbidden("this link does not name an e-mail address")
    known = find_by_identity(session, "email", email)
    if known is not None:
        return known.id
    return upsert_customer(session, CustomerIn(email=email, name=str(claims.get("n", ""))[:80] or None),
                           origin="ideas portal").id


def compose_sign_in(to: str, name: str, link: str, locale: str) -> Mail:
    t = texts(locale)
    hello = t["mail_hello"].format(name=name) if name else t["mail_hello"].format(name="").replace(" ,", ",")
    text = "\n".join([hello, "", t["mail_body"], link, "", t["mail_ignore"]])
    html = (f"<p>{escape(hello)}</p><p>{escape(t['mail_body'])}</p>"
            f'<p><a href="{escape(link)}">{escape(t["sign_in"])}</a></p><p>{escape(t["mail_ignore"])}</p>')
    return Mail(to=to, subject=t["mail_subject"], text=text, html=html)
