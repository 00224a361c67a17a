"""Roles and the permissions each grants; checked on every endpoint."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    READ_METRICS = "metrics:read"
    READ_CUSTOMERS = "customers:read"
    WRITE_CUSTOMERS = "customers:write"
    INGEST = "ingest:write"
    CONFIGURE = "config:write"
    ADMIN_USERS = "users:admin"


ROLES: dict[str, frozenset[Permission]] = {
    "viewer": frozenset({Permission.READ_METRICS}),
    "agent": frozenset({Permission.READ_METRICS, Permission.READ_CUSTOMERS, Permission.INGEST}),
    "analyst": frozenset(
        {Permission.READ_METRICS, Permission.READ_CUSTOMERS, Permission.INGEST}
    ),
    "manager": frozenset(
        {
            Permission.READ_METRICS,
            Permission.READ_CUSTOMERS,
            Permission.WRITE_CUSTOMERS,
            Permission.INGEST,
            Permission.CONFIGURE,
        }
    ),
    "admin": frozenset(Permission),
}


def allows(role: str, permission: Permission) -> bool:
    return permission in ROLES.get(role, frozenset())
