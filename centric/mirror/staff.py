"""The staff directory: employees, their team, location and the touchpoints they serve.

Employees are imported from the HR system (CSV or JSON Lines, columns ``external_id,
email, name, team, location, job_title, touchpoints`` with touchpoint keys separated by
``;``) or managed one by one. A re-import matches rows by ``external_id``, else by
``email``, so running the same file twice changes nothing. The directory is personal
data: only ``staff:write`` (HR, admins) reads it. It never holds an employee's answers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from centric.accounts.models import Team
from centric.accounts.service import audit
from centric.errors import Conflict, Invalid, NotFound, first_problem
from centric.ingest.records import RowError, SourceRow, csv_encoding, read_rows
from centric.journeys.models import Touchpoint
from centric.mirror.models import Employee, EmployeeTouchpoint
from centric.mirror.schemas import EmployeeIn, EmployeeOut, EmployeeUpdate, ImportError_, StaffImportReport

STAFF_COLUMNS = ("external_id", "email", "name", "team", "location", "job_title", "touchpoints")


# --- reading files -------------------------------------------------------------------------

def read_staff_rows(name: str, data: bytes) -> Iterator[SourceRow]:
    """Rows of a staff file: ``.csv`` (the columns above) or ``.jsonl``/``.json`` (the same keys)."""
    if name.lower().endswith(".csv"):
        yield from _csv_rows(data)
    else:
        yield from read_rows(name, "customers", data=data)  # JSON is read the same for every kind


def _csv_rows(data: bytes) -> Iterator[SourceRow]:
    text = data.decode(csv_encoding(data), errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        yield SourceRow(1, None, RowError(1, None, "the file is empty"))
        return
    unknown = [h for h in header if h not in STAFF_COLUMNS]
    if unknown:
        yield SourceRow(1, None, RowError(1, unknown[0], f"unknown column {unknown[0]!r}; the columns are "
                                                         f"{', '.join(STAFF_COLUMNS)}"))
        return
    if "external_id" not in header and "email" not in header:
        yield SourceRow(1, None, RowError(1, None, "the file needs an external_id or an email column"))
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield SourceRow(reader.line_num, None, RowError(reader.line_num, None, f"CSV: {exc}"))
            continue
        if None in row:
            yield SourceRow(reader.line_num, None, RowError(reader.line_num, None, "more cells than header columns"))
            continue
        cells = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(cells.values()):
            continue
        yield SourceRow(reader.line_num, cells)


def _record(raw: dict[str, Any]) -> EmployeeIn:
    record = dict(raw)
    touchpoints = record.get("touchpoints")
    if isinstance(touchpoints, str):
        record["touchpoints"] = [t.strip() for t in touchpoints.split(";") if t.strip()]
    if isinstance(record.get("active"), str):
        record["active"] = record["active"].strip().lower() not in ("0", "false", "no", "n", "")
    return EmployeeIn.model_validate(record)


# --- lookups -------------------------------------------------------------------------------

def _team_ids(session: Session, names: set[str]) -> dict[str, int]:
    """Team ids by name, creating the teams the directory names that don't exist yet."""
    found = {name: tid for tid, name in session.execute(select(Team.id, Team.name).where(Team.name.in_(names)))}
    for name in sorted(names - set(found)):
        team = Team(name=name)
        session.add(team)
        session.flush()
        found[name] = team.id
    return found


def _touchpoint_ids(session: Session, keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    return {key: tid for tid, key in session.execute(select(Touchpoint.id, Touchpoint.key)
                                                      .where(Touchpoint.key.in_(keys)))}


def _served(session: Session, employee_ids: list[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {eid: set() for eid in employee_ids}
    if employee_ids:
        for eid, tid in session.execute(select(EmployeeTouchpoint.employee_id, EmployeeTouchpoint.touchpoint_id)
                                        .where(EmployeeTouchpoint.employee_id.in_(employee_ids))):
            out[eid].add(tid)
    return out


def _set_touchpoints(session: Session, employee: Employee, wanted: set[int], current: set[int]) -> None:
    if wanted == current:
        return
    gone = current - wanted
    if gone:
        session.execute(delete(EmployeeTouchpoint).where(EmployeeTouchpoint.employee_id == employee.id,
                                                         EmployeeTouchpoint.touchpoint_id.in_(gone)))
    for tid in sorted(wanted - current):
        session.add(EmployeeTouchpoint(employee_id=employee.id, touchpoint_id=tid))


def _unknown_touchpoint(keys: list[str], known: dict[str, int]) -> None:
    missing = [k for k in keys if k not in known]
    if missing:
        raise Invalid(f"unknown touchpoint {missing[0]!r}", field="touchpoints")


# --- one at a time -------------------------------------------------------------------------

def get_employee(session: Session, employee_id: int) -> Employee:
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise NotFound(f"no employee {employee_id}")
    return employee


def _check_unique(session: Session, employee_id: int | None, external_id: str | None, email: str | None) -> None:
    for column, value, field in ((Employee.external_id, external_id, "external_id"), (Employee.email, email, "email")):
        if value is None:
            continue
        other = session.scalar(select(Employee.id).where(column == value))
        if other is not None and other != employee_id:
            raise Conflict(f"another employee already has this {field}", field=field)


def create_employee(session: Session, data: EmployeeIn, user_id: int | None) -> Employee:
    if data.external_id is None and data.email is None:
        raise Invalid("give an external_id or an email", field="external_id")
    email = data.email.lower() if data.email else None
    _check_unique(session, None, data.external_id, email)
    touchpoints = _touchpoint_ids(session, set(data.touchpoints))
    _unknown_touchpoint(data.touchpoints, touchpoints)
    team_id = _team_ids(session, {data.team})[data.team] if data.team else None
    employee = Employee(external_id=data.external_id, email=email, name=data.name, team_id=team_id,
                        location=data.location, job_title=data.job_title, active=data.active)
    session.add(employee)
    session.flush()
    _set_touchpoints(session, employee, set(touchpoints.values()), set())
    audit(session, user_id, "staff.create", "employee", employee.id, {"external_id": data.external_id})
    return employee


def update_employee(session: Session, employee_id: int, data: EmployeeUpdate, user_id: int | None) -> Employee:
    employee = get_employee(session, employee_id)
    given = data.model_dump(exclude_unset=True)
    if "email" in given and given["email"]:
        given["email"] = given["email"].lower()
    _check_unique(session, employee.id, given.get("external_id"), given.get("email"))
    for field in ("external_id", "email", "name", "location", "job_title", "active"):
        if field in given:
            if given[field] is None and field not in ("external_id", "email"):
                raise Invalid(f"{field} may not be null", field=field)
            setattr(employee, field, given[field].strip() if isinstance(given[field], str) else given[field])
    if employee.external_id is None and employee.email is None:
        raise Invalid("an employee needs an external_id or an email", field="external_id")
    if "team" in given:
        employee.team_id = _team_ids(session, {given["team"]})[given["team"]] if given["team"] else None
    if given.get("touchpoints") is not None:
        keys = given["touchpoints"]
        known = _touchpoint_ids(session, set(keys))
        _unknown_touchpoint(keys, known)
        _set_touchpoints(session, employee, set(known.values()), _served(session, [employee.id])[employee.id])
    audit(session, user_id, "staff.update", "employee", employee.id, {"fields": sorted(given)})
    return employee


def deactivate_employee(session: Session, employee_id: int, user_id: int | None) -> Employee:
    """Not asked in new waves any more; kept so that past invitations still count as sent."""
    employee = get_employee(session, employee_id)
    employee.active = False
    audit(session, user_id, "staff.deactivate", "employee", employee.id, {})
    return employee


def list_employees(session: Session, *, active: bool | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[list[EmployeeOut], int]:
    """A page of the directory, in three queries whatever its length."""
    query = select(Employee)
    if active is not None:
        query = query.where(Employee.active == active)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(Employee.name, Employee.id).limit(limit).offset(offset)))
    return describe(session, rows), total


def describe(session: Session, employees: list[Employee]) -> list[EmployeeOut]:
    """Employees as the API shows them (two queries for any number)."""
    ids = [e.id for e in employees]
    teams = dict(session.execute(select(Team.id, Team.name)).all()) if ids else {}
    keys: dict[int, list[str]] = {eid: [] for eid in ids}
    if ids:
        for eid, key in session.execute(select(EmployeeTouchpoint.employee_id, Touchpoint.key)
                                        .join(Touchpoint, Touchpoint.id == EmployeeTouchpoint.touchpoint_id)
                                        .where(EmployeeTouchpoint.employee_id.in_(ids)).order_by(Touchpoint.key)):
            keys[eid].append(key)
    return [EmployeeOut(id=e.id, external_id=e.external_id, email=e.email, name=e.name,
                        team=teams.get(e.team_id) if e.team_id else None, location=e.location,
                        job_title=e.job_title, touchpoints=keys[e.id], active=e.active) for e in employees]


# --- bulk import ---------------------------------------------------------------------------

def import_employees(session: Session, rows: Iterable[SourceRow], user_id: int | None, *,
                     on_row: Callable[[int], None] | None = None) -> StaffImportReport:
    """Create or update an employee per row; bad rows are reported by line and field and skipped.

    Idempotent: a row equal to the stored employee counts as ``unchanged``. Rows are
    matched by ``external_id``, else ``email``; a row whose ``external_id`` and ``email``
    point at two different employees is rejected.
    """
    report = StaffImportReport()
    parsed: list[tuple[int, EmployeeIn]] = []
    for row in rows:
        if on_row is not None:
            on_row(row.line)
        if row.error is not None or row.record is None:
            error = row.error or RowError(row.line, None, "unreadable row")
            report.errors.append(ImportError_(line=error.line, field=error.field, message=error.message))
            continue
        try:
            data = _record(row.record)
        except ValidationError as exc:
            field, message = first_problem(exc)
            report.errors.append(ImportError_(line=row.line, field=field, message=message))
            continue
        if data.external_id is None and data.email is None:
            report.errors.append(ImportError_(line=row.line, field="external_id",
                                              message="give an external_id or an email"))
            continue
        parsed.append((row.line, data))
    existing = list(session.scalars(select(Employee)))
    by_external = {e.external_id: e for e in existing if e.external_id}
    by_email = {e.email: e for e in existing if e.email}
    teams = _team_ids(session, {d.team for _, d in parsed if d.team})
    touchpoints = _touchpoint_ids(session, {k for _, d in parsed for k in d.touchpoints})
    served = _served(session, [e.id for e in existing])
    for line, data in parsed:
        email = data.email.lower() if data.email else None
        missing = [k for k in data.touchpoints if k not in touchpoints]
        if missing:
            report.errors.append(ImportError_(line=line, field="touchpoints",
                                              message=f"unknown touchpoint {missing[0]!r}"))
            continue
        match_ext = by_external.get(data.external_id) if data.external_id else None
        match_mail = by_email.get(email) if email else None
        if match_ext is not None and match_mail is not None and match_ext is not match_mail:
            report.errors.append(ImportError_(line=line, field="email",
                                              message="this email belongs to another employee"))
            continue
        employee = match_ext or match_mail
        if employee is None:
            employee = Employee()
            session.add(employee)
            before: dict[str, Any] | None = None
        else:
            before = _snapshot(employee, served.get(employee.id, set()))
        if data.external_id is not None:
            employee.external_id = data.external_id
        if email is not None:
            employee.email = email
        given = data.model_fields_set if before is not None else set(EmployeeIn.model_fields)
        if "name" in given:
            employee.name = data.name
        if "team" in given:
            employee.team_id = teams[data.team] if data.team else None
        if "location" in given:
            employee.location = data.location
        if "job_title" in given:
            employee.job_title = data.job_title
        if "active" in given:
            employee.active = data.active
        session.flush()
        current = served.get(employee.id, set())
        wanted = {touchpoints[k] for k in data.touchpoints} if "touchpoints" in given else current
        _set_touchpoints(session, employee, wanted, current)
        served[employee.id] = wanted
        if employee.external_id:
            by_external[employee.external_id] = employee
        if employee.email:
            by_email[employee.email] = employee
        if before is None:
            report.created += 1
        elif before != _snapshot(employee, wanted):
            report.updated += 1
        else:
            report.unchanged += 1
    report.errors.sort(key=lambda e: e.line)
    report.failed = len(report.errors)
    audit(session, user_id, "staff.import", "employee", None,
          {"created": report.created, "updated": report.updated, "failed": report.failed})
    return report


def _snapshot(employee: Employee, served: set[int]) -> dict[str, Any]:
    return {"external_id": employee.external_id, "email": employee.email, "name": employee.name,
            "team_id": employee.team_id, "location": employee.location, "job_title": employee.job_title,
            "active": employee.active, "touchpoints": frozenset(served)}
