"""Targets and their owners: create, change, archive (every change audited), list, and who owns a touchpoint.

Managers and admins (``targets:write``) set targets. The owner of a target (its owner
user, or the lead of its owner team) may change only its notes: never the threshold, the
scope or the owner. Every change writes an audit row with the before and after of the
fields that changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from centric.accounts.models import Team, User
from centric.accounts.roles import Permission, allows
from centric.accounts.service import audit
from centric.customers.models import Segment
from centric.errors import Forbidden, Invalid, NotFound
from centric.governance.measure import (
    CADENCES,
    check_compatible,
    current_period,
    metric_spec,
    resolve_scope,
)
from centric.governance.models import DIRECTIONS, Target
from centric.governance.schemas import OwnerOut, TargetOut
from centric.governance.target_schemas import TargetIn, TargetPatch
from centric.journeys.models import Journey, Stage, Touchpoint

AUDITED = ("name", "metric", "scope_kind", "scope_ref", "cadence", "threshold", "direction", "min_n",
           "owner_user_id", "owner_team_id", "valid_from", "valid_until", "notes", "active")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _snapshot(target: Target) -> dict[str, Any]:
    return {name: _plain(getattr(target, name)) for name in AUDITED}


def _validate(session: Session, target: Target) -> None:
    """Metric, scope, compatibility, threshold range, direction, cadence, owners and dates, all checked."""
    spec = metric_spec(target.metric)
    if target.cadence not in CADENCES:
        raise Invalid(f"unknown cadence {target.cadence!r}; use month, quarter or year", field="cadence")
    check_compatible(spec, target.scope_kind)
    scope = resolve_scope(session, target.scope_kind, target.scope_ref)
    target.scope_ref = scope.ref
    if target.direction not in DIRECTIONS:
        raise Invalid(f"unknown direction {target.direction!r}; use at_least or at_most", field="direction")
    if not spec.low <= target.threshold <= spec.high:
        raise Invalid(f"threshold: {spec.label} targets lie between {spec.low:g} and {spec.high:g} ({spec.unit}), "
                      f"got {target.threshold:g}", field="threshold")
    if target.owner_user_id is None and target.owner_team_id is None:
        raise Invalid("a target needs an owner: a user (owner_user_id), a team (owner_team_id) or both",
                      field="owner_user_id")
    if target.owner_user_id is not None and session.get(User, target.owner_user_id) is None:
        raise Invalid(f"owner_user_id: no user with id {target.owner_user_id}", field="owner_user_id")
    if target.owner_team_id is not None and session.get(Team, target.owner_team_id) is None:
        raise Invalid(f"owner_team_id: no team with id {target.owner_team_id}", field="owner_team_id")
    if target.valid_until is not None and target.valid_until < target.valid_from:
        raise Invalid("valid_until must not be before valid_from", field="valid_until")


def create_target(session: Session, data: TargetIn, actor_id: int | None) -> Target:
    metric = data.metric.strip().lower()
    spec = metric_spec(metric)
    cadence = data.cadence.strip().lower()
    target = Target(
        name=data.name.strip(), metric=metric, scope_kind=data.scope_kind.strip().lower(),
        scope_ref=data.scope_ref.strip(), cadence=cadence, threshold=data.threshold,
        direction=(data.direction or spec.direction).strip().lower(), min_n=data.min_n,
        owner_user_id=data.owner_user_id, owner_team_id=data.owner_team_id,
        valid_from=data.valid_from or (current_period(cadence).start if cadence in CADENCES else date.today()),
        valid_until=data.valid_until, notes=data.notes, active=True, created_by=actor_id,
    )
    if not target.name:
        raise Invalid("name must not be blank", field="name")
    _validate(session, target)
    session.add(target)
    session.flush()
    audit(session, actor_id, "target.create", "target", target.id, {"after": _snapshot(target)})
    return target


def get_target(session: Session, target_id: int) -> Target:
    target = session.get(Target, target_id)
    if target is None:
        raise NotFound(f"no target with id {target_id}")
    return target


def is_owner(session: Session, user: User, target: Target) -> bool:
    """The target's owner user, or the lead of its owner team."""
    if target.owner_user_id == user.id:
        return True
    if target.owner_team_id is None:
        return False
    return session.scalar(select(Team.lead_id).where(Team.id == target.owner_team_id)) == user.id


def update_target(session: Session, target_id: int, patch: TargetPatch, actor: User | None) -> Target:
    """Change the fields sent; owners without ``targets:write`` may change only ``notes`` (None: the system)."""
    target = get_target(session, target_id)
    sent = {name: getattr(patch, name) for name in patch.model_fields_set}
    if actor is not None and not allows(actor.role, Permission.SET_TARGETS):
        if not is_owner(session, actor, target):
            raise Forbidden(f"the {actor.role} role may not change targets it does not own (needs targets:write)")
        others = sorted(set(sent) - {"notes"})
        if others:
            raise Forbidden(f"an owner may change only the notes of a target, not {', '.join(others)}",
                            field=others[0])
    before = _snapshot(target)
    for name, value in sent.items():
        if value is None and name not in ("owner_user_id", "owner_team_id", "valid_until"):
            raise Invalid(f"{name} must not be null", field=name)
        if isinstance(value, str) and name not in ("notes", "scope_ref"):
            value = value.strip() if name == "name" else value.strip().lower()
            if not value:
                raise Invalid(f"{name} must not be blank", field=name)
        setattr(target, name, value)
    if "metric" in sent and "direction" not in sent:
        target.direction = metric_spec(target.metric).direction
    _validate(session, target)
    after = _snapshot(target)
    changed = {k: {"before": before[k], "after": after[k]} for k in AUDITED if before[k] != after[k]}
    if changed:
        session.flush()
        audit(session, actor.id if actor else None, "target.update", "target", target.id, {"changed": changed})
    return target


def archive_target(session: Session, target_id: int, actor_id: int | None) -> Target:
    """Deactivate a target (kept for the history of scorecards); archiving twice changes nothing."""
    target = get_target(session, target_id)
    if target.active:
        target.active = False
        session.flush()
        audit(session, actor_id, "target.archive", "target", target.id,
              {"changed": {"active": {"before": True, "after": False}}})
    return target


# --- reading --------------------------------------------------------------------------------------------


def _scope_labels(session: Session, targets: Iterable[Target]) -> dict[tuple[str, str], str]:
    """A label per (kind, ref), with one query per scope kind present (at most five)."""
    wanted: dict[str, set[str]] = {}
    for t in targets:
        wanted.setdefault(t.scope_kind, set()).add(t.scope_ref)
    labels: dict[tuple[str, str], str] = {}
    queries: dict[str, tuple[str, Select]] = {
        "journey": ("Journey", select(Journey.key, Journey.name)),
        "touchpoint": ("Touchpoint", select(Touchpoint.key, Touchpoint.name)),
        "segment": ("Segment", select(Segment.key, Segment.name)),
    }
    for kind, refs in wanted.items():
        if kind == "company":
            labels.update({(kind, r): "Company" for r in refs})
        elif kind in queries:
            title, query = queries[kind]
            column = query.selected_columns[0]
            names = {r[0]: r[1] for r in session.execute(query.where(column.in_(sorted(refs))))}
            labels.update({(kind, r): f"{title}: {names.get(r, r + ' (missing)')}" for r in refs})
        elif kind == "team":
            ids = [int(r) for r in refs if r.isdigit() and len(r) < 19]
            names = {str(i): n for i, n in session.execute(select(Team.id, Team.name).where(Team.id.in_(ids)))}
            labels.update({(kind, r): f"Team: {names.get(r, r + ' (missing)')}" for r in refs})
        elif kind == "stage":
            rows = session.execute(select(Journey.key, Stage.key, Stage.name).join(
                Journey, Journey.id == Stage.journey_id)).all()
            by_ref = {f"{j}/{s}": n for j, s, n in rows} | {s: n for _, s, n in rows}
            labels.update({(kind, r): f"Stage: {by_ref.get(r, r + ' (missing)')}" for r in refs})
        else:
            for r in refs:
                name, _, value = r.partition("=")
                labels[(kind, r)] = f"Customers with {name} = {value}"
    return labels


def _query() -> Select:
    owner, team = aliased(User), aliased(Team)
    return (select(Target, owner.name, owner.email, team.name)
            .outerjoin(owner, owner.id == Target.owner_user_id)
            .outerjoin(team, team.id == Target.owner_team_id))


def _out(target: Target, user_name: str | None, user_email: str | None, team_name: str | None,
         labels: dict[tuple[str, str], str]) -> TargetOut:
    return TargetOut(
        id=target.id, name=target.name, metric=target.metric, scope_kind=target.scope_kind,
        scope_ref=target.scope_ref, scope_label=labels.get((target.scope_kind, target.scope_ref), target.scope_ref),
        cadence=target.cadence, threshold=target.threshold, direction=target.direction, min_n=target.min_n,
        owner=OwnerOut(user_id=target.owner_user_id, user_name=(user_name or user_email) if target.owner_user_id
                       else None, team_id=target.owner_team_id, team_name=team_name),
        valid_from=target.valid_from, valid_until=target.valid_until, notes=target.notes, active=target.active,
    )


def list_targets(session: Session, *, owner_user_id: int | None = None, owner_team_id: int | None = None,
                 metric: str | None = None, scope_kind: str | None = None, ids: Iterable[int] | None = None,
                 include_archived: bool = False) -> list[TargetOut]:
    """Targets with owner names and scope labels in a constant number of queries (at most seven)."""
    query = _query()
    if not include_archived:
        query = query.where(Target.active.is_(True))
    if owner_user_id is not None:
        query = query.where(Target.owner_user_id == owner_user_id)
    if owner_team_id is not None:
        query = query.where(Target.owner_team_id == owner_team_id)
    if metric is not None:
        query = query.where(Target.metric == metric)
    if scope_kind is not None:
        query = query.where(Target.scope_kind == scope_kind)
    if ids is not None:
        query = query.where(Target.id.in_(sorted(set(ids))))
    rows = session.execute(query.order_by(Target.metric, Target.name, Target.id)).all()
    labels = _scope_labels(session, [row[0] for row in rows])
    return [_out(row[0], row[1], row[2], row[3], labels) for row in rows]


def target_out(session: Session, target_id: int) -> TargetOut:
    found = list_targets(session, ids=[target_id], include_archived=True)
    if not found:
        raise NotFound(f"no target with id {target_id}")
    return found[0]


def touchpoint_owners(session: Session) -> dict[int, OwnerOut]:
    """Who owns each touchpoint (one query): its owner user and team, with names."""
    owner, team = aliased(User), aliased(Team)
    rows = session.execute(
        select(Touchpoint.id, Touchpoint.owner_user_id, owner.name, owner.email, Touchpoint.owner_team_id, team.name)
        .outerjoin(owner, owner.id == Touchpoint.owner_user_id)
        .outerjoin(team, team.id == Touchpoint.owner_team_id)
    ).all()
    return {tid: OwnerOut(user_id=uid, user_name=(name or email) if uid else None, team_id=team_id, team_name=tname)
            for tid, uid, name, email, team_id, tname in rows}

