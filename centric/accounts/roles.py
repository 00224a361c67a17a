"""Roles and the permissions each grants; checked on every endpoint."""

from __future__ import annotations

from enum import StrEnum

from centric.i18n import N_


class Permission(StrEnum):
    READ_METRICS = "metrics:read"
    READ_CUSTOMERS = "customers:read"
    WRITE_CUSTOMERS = "customers:write"
    INGEST = "ingest:write"
    EDIT_THEMES = "themes:write"  # the text-analytics taxonomy and discovered themes
    READ_CASES = "cases:read"  # cases with the customer's name and words
    WORK_CASES = "cases:write"  # work own and own team's cases (managers: all)
    CONFIGURE = "config:write"  # also alert rules, SLA policies, calendars and root-cause codes
    SET_TARGETS = "targets:write"  # create and change targets and their owners
    PROPOSE_INITIATIVES = "initiatives:write"  # propose initiatives and update the ones one owns
    APPROVE_INITIATIVES = "initiatives:approve"  # approve, reject and edit any initiative
    MANAGE_STAFF = "staff:write"  # the employee directory and employee pulses (HR, admins)
    READ_MIRROR = "mirror:read"  # employee-experience aggregates, the delivery gap, EX↔CX, CX maturity
    MODERATE_IDEAS = "ideas:write"  # ideas portal: statuses, answers, merges, moderation, links
    WRITE_KB = "kb:write"  # knowledge-base articles and FAQ entries: write, publish, import; the missing-answers queue
    ADMIN_USERS = "users:admin"


# The roles' names as staff read them (the catalog holds their translations).
ROLE_LABELS = {role: label for role, label in (
    ("viewer", N_("viewer")), ("agent", N_("agent")), ("analyst", N_("analyst")), ("manager", N_("manager")),
    ("admin", N_("admin")), ("hr", N_("hr")),
)}

ROLES: dict[str, frozenset[Permission]] = {
    "viewer": frozenset({Permission.READ_METRICS}),
    "agent": frozenset(
        {Permission.READ_METRICS, Permission.READ_CUSTOMERS, Permission.INGEST, Permission.READ_CASES,
         Permission.WORK_CASES, Permission.PROPOSE_INITIATIVES, Permission.MODERATE_IDEAS, Permission.WRITE_KB}
    ),
    "analyst": frozenset(
        {Permission.READ_METRICS, Permission.READ_CUSTOMERS, Permission.INGEST, Permission.EDIT_THEMES,
         Permission.READ_CASES, Permission.PROPOSE_INITIATIVES, Permission.MODERATE_IDEAS, Permission.WRITE_KB}
    ),
    "manager": frozenset(
        {
            Permission.READ_METRICS,
            Permission.READ_CUSTOMERS,
            Permission.WRITE_CUSTOMERS,
            Permission.INGEST,
            Permission.EDIT_THEMES,
            Permission.READ_CASES,
            Permission.WORK_CASES,
            Permission.CONFIGURE,
            Permission.SET_TARGETS,
            Permission.PROPOSE_INITIATIVES,
            Permission.APPROVE_INITIATIVES,
            Permission.READ_MIRROR,
            Permission.MODERATE_IDEAS,
            Permission.WRITE_KB,
        }
    ),
    # HR: the staff directory and the employee pulses, and their (anonymous) aggregates; no customer data
    "hr": frozenset({Permission.READ_METRICS, Permission.MANAGE_STAFF, Permission.READ_MIRROR}),
    "admin": frozenset(Permission),
}


def allows(role: str, permission: Permission) -> bool:
    return permission in ROLES.get(role, frozenset())
