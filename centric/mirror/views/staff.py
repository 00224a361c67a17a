"""The HR page ``/staff``: the directory, the pulses with their waves (head counts only), imports."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from centric.db import utcnow
from centric.errors import Invalid, first_problem
from centric.mirror import pulses, staff
from centric.mirror.schemas import PulseIn
from centric.web.deps import AppSettings, CanManageStaff, CheckedForm, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()
DIRECTORY_ROWS = 500


@router.get("/staff", response_class=HTMLResponse)
def staff_page(request: Request, session: DbSession, caller: CanManageStaff, settings: AppSettings) -> HTMLResponse:
    employees, total = staff.list_employees(session, limit=DIRECTORY_ROWS)
    found = pulses.list_pulses(session)
    waves = {p.id: pulses.list_waves(session, p.id, settings.mirror_min_group)[:6] for p in found}
    return render(request, "mirror/staff.html", caller=caller, employees=employees, total=total,
                  pulses=[pulses.describe_pulse(p) for p in found], waves=waves, kinds=list(pulses.TEMPLATES),
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
