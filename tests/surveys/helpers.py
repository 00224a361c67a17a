"""Small helpers shared by the survey page tests."""

from __future__ import annotations

import re

from tests.factories import PASSWORD


def form_token(html: str) -> str:
    return re.search(r'name="f" value="([^"]+)"', html).group(1)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client, email: str = "admin@example.com"):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": PASSWORD, "csrf": csrf_of(page.text), "next": "/"},
                       follow_redirects=False)
