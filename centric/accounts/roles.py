"""Roles and the permissions each grants; checked on every endpoint."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    READ_METRICS = "metrics:read"
    READ_CUSTOMERS = "customers:read"
    WRITE_CUSTOMERS = "customers:write"
    INGEST = "ingest:write"
    EDIT_THEMES = "themes:write"  # the text-analytics taxonomy and discovered themes
    CONFIGURE = "config:write"
    ADMIN_USERS = "users:admin"


ROLES: dict[str, frozenset[Permission]] = {
    "viewer": frozenset({Permission.READ_METRICS}),
    "agent": frozenset({Permission.READ_METRICS, Permission.READ_CUSTOMERS, Permission.INGEST}),
    "analyst": frozenset(
        {Permission.READ_METRICS, Permission.READ_CUSTOMERS, Permission.INGEST, Permission.EDIT_THEMES}
    ),
    "manager": frozenset(
        {
            Permission.READ_METRICS,
            Permission.READ_CUSTOMERS,
            Permission.WRITE_CUSTOMERS,
            Permission.INGEST,
            Permission.EDIT_THEMES,
            Permission.CONFIGURE,
        }
    ),
    "admin": frozenset(Permission),
}


def allows(role: str, permission: Permission) -> bool:
    return permission in ROLES.get(role, frozenset())
