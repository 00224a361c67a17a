"""Normalising identity values so the same person is recognised on every channel."""

from __future__ import annotations

import re

from centric.customers.models import IDENTITY_KINDS
from centric.errors import Invalid

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_identity(kind: str, value: object) -> tuple[str, str]:
    """Canonical ``(kind, value)``; raises :class:`Invalid` naming the bad field."""
    kind = str(kind).strip().lower()
    if kind not in IDENTITY_KINDS:
        raise Invalid(f"unknown identity kind {kind!r}; use one of {', '.join(IDENTITY_KINDS)}", field=kind)
    text = str(value).strip() if value is not None else ""
    if not text:
        raise Invalid(f"{kind} is empty", field=kind)
    if len(text) > 320:
        raise Invalid(f"{kind} is longer than 320 characters", field=kind)
    if kind == "email":
        text = text.lower()
        if not _EMAIL.match(text):
            raise Invalid(f"{text!r} is not an e-mail address", field="email")
    elif kind == "phone":
        digits = re.sub(r"[^\d]", "", text)
        if len(digits) < 6:
            raise Invalid(f"{text!r} is not a phone number", field="phone")
        international = text.startswith(("+", "00"))
        text = ("+" if international else "") + digits.removeprefix("00" if text.startswith("00") else "")
    elif kind == "social":
        text = text.lower().lstrip("@")
    return kind, text
