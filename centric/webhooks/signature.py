"""HMAC-SHA256 signatures of webhook bodies: ``X-Centric-Signature: t=<ts>,v1=<hex>``.

The signed text is ``"<ts>.<body>"`` (as Stripe does), so a receiver can refuse replays
of old deliveries by checking ``ts``.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Centric-Signature"
TOLERANCE_S = 300


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def verify_header(secret: str, body: bytes, header: str, tolerance_s: int = TOLERANCE_S) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` within ``tolerance_s`` of now."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        ts = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    if abs(time.time() - ts) > tolerance_s:
        return False
    expected = signature_header(secret, body, ts).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", []))


def verify_plain(secret: str, body: bytes, header: str) -> bool:
    """GitHub-style ``sha256=<hex>`` over the raw body (no timestamp)."""
    candidate = header.strip().removeprefix("sha256=")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, candidate)
