"""The HR page ``/staff``: the directory, the pulses with their waves (head counts only), imports."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from centric.db import utcnow
from centric.errors import Invalid, first_problem
from centric.mirror import pulses, staff
from centric.mirror.schemas import PulseIn
from centric.web import exports
from centric.web.deps import AppSettings, CanManageStaff, CheckedForm, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()
DIRECTORY_ROWS = 500
RECENT_WAVES = 6
EMPLOYEE_COLUMNS: tuple[exports.Column, ...] = (
    "id", "name", "email", "team", "location", "job_title", "touchpoints", "active")
# A wave's answers are blank while fewer than k answered, as the page says "fewer than k".
WAVE_COLUMNS: tuple[exports.Column, ...] = (
    *((name, lambda row, attr=attr: getattr(row[0], attr)) for name, attr in (
        ("pulse_key", "key"), ("pulse", "name"), ("kind", "kind"), ("cadence", "cadence"))),
    *((name, lambda row, attr=attr: getattr(row[1], attr)) for name, attr in (
        ("period", "period_key"), ("opens_on", "opens_on"), ("closes_on", "closes_on"), ("open", "open"),
        ("invited", "invited"), ("answered", "answered"))))


@router.get("/staff", response_class=HTMLResponse)
def staff_page(request: Request, session: DbSession, caller: CanManageStaff, settings: AppSettings) -> Response:
    fmt = exports.requested(request)
    table = request.query_params.get("table") or "directory"
    if fmt and table == "directory":  # the whole directory, as the API and the CLI give it
        everyone, count = exports.every(request, session, lambda s, limit, offset: staff.list_employees(
            s, limit=limit, offset=offset))
        return exports.respond(exports.table_of("staff", everyone, EMPLOYEE_COLUMNS, count), fmt)
    if fmt and table != "waves":
        raise Invalid(f"table: expected directory or waves, got {table[:20]!r}", field="table")
    found = pulses.list_pulses(session)
    waves = {p.id: pulses.list_waves(session, p.id, settings.mirror_min_group)[:RECENT_WAVES] for p in found}
    described = [pulses.describe_pulse(p) for p in found]
    if fmt:
        return exports.respond(exports.table_of("pulse-waves", [
            (pulse, wave) for pulse in described for wave in waves[pulse.id]], WAVE_COLUMNS), fmt)
    employees, total = staff.list_employees(session, limit=DIRECTORY_ROWS)
    return render(request, "mirror/staff.html", caller=caller, employees=employees, total=total,
                  pulses=described, waves=waves, kinds=list(pulses.TEMPLATES),
                  k=settings.mirror_min_group, shown=DIRECTORY_ROWS)


@router.post("/staff/import", response_class=HTMLResponse)
async def import_page(request: Request, session: DbSession, caller: CanManageStaff, form: CheckedForm,
                      settings: AppSettings) -> HTMLResponse:
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise Invalid("choose a CSV or JSON Lines file", field="file")
    try:
        data = await upload.read(settings.max_body_bytes + 1)
    finally:
        await upload.close()
    if len(data) > settings.max_body_bytes:
        raise Invalid(f"the file is larger than {settings.max_body_bytes} bytes; use the CLI", field="file")
    report = staff.import_employees(session, staff.read_staff_rows(upload.filename, data), caller.user.id)
    return render(request, "mirror/import_report.html", caller=caller, report=report, filename=upload.filename)


@router.post("/staff/pulses")
def create_pulse(session: DbSession, caller: CanManageStaff, form: CheckedForm) -> RedirectResponse:
    fields = {key: form.get(key) for key in ("key", "name", "kind", "cadence")}
    try:
        data = PulseIn.model_validate({k: v for k, v in fields.items() if isinstance(v, str) and v})
    except ValidationError as exc:
        field, message = first_problem(exc)
        raise Invalid(f"{field}: {message}" if field else message, field=field) from None
    pulses.create_pulse(session, data, caller.user.id)
    return RedirectResponse("/staff#pulses", status_code=303)


@router.post("/staff/pulses/{pulse_id}/waves")
def open_wave(pulse_id: ObjectId, session: DbSession, caller: CanManageStaff, form: CheckedForm) -> RedirectResponse:
    pulses.open_wave(session, pulses.get_pulse(session, pulse_id), utcnow().date(), caller.user.id)
    return RedirectResponse("/staff#pulses", status_code=303)
