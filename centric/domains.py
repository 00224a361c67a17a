"""The domain areas, in the order they plug into the app, the job registry and the docs.

Each name is a package ``centric.<name>``; a domain may have ``api`` (JSON routes),
``views`` (HTML pages), ``public`` (pages without login) and ``tasks`` (background jobs)
modules, which the web app and the workers load from this list — no directory scans.
Lower domains come first; a domain imports only those listed before it (checked by
``lint-imports``, see ``.importlinter``).
"""

from __future__ import annotations

DOMAINS: tuple[str, ...] = (
    "jobs",
    "accounts",
    "customers",
    "journeys",
    "feedback",
    "surveys",
    "webhooks",
    "outreach",
    "ingest",
    "connectors",
    "themes",
    "insights",
    "loop",
    "governance",
    "mirror",
    "ideas",
    "maps",
    "kb",
    "chat",
    "privacy",
)
