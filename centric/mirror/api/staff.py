"""JSON routes of the staff directory and the employee pulses (``staff:write``: HR and admins).

Reads need ``staff:write`` too: the directory is personal data. No route here returns an
answer: pulses and waves carry head counts only.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from centric.db import utcnow
from centric.errors import Invalid
from centric.mirror import pulses, staff
from centric.mirror.schemas import (
    EmployeeIn,
    EmployeeOut,
    EmployeeUpdate,
    PulseIn,
    PulseOut,
    StaffImportReport,
    WaveOut,
)
from centric.web.deps import AppSettings, CanManageStaff, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["mirror: staff and pulses"])
IMPORT_TYPES = {"text/csv": "upload.csv", "application/x-ndjson": "upload.jsonl", "application/jsonl": "upload.jsonl",
                "application/json": "upload.json"}


@router.get("/employees", response_model=Page[EmployeeOut])
def list_employees(session: DbSession, _: CanManageStaff, paging: Paging,
                   active: bool | None = Query(None)) -> Page[EmployeeOut]:
    rows, total = staff.list_employees(session, active=active, limit=paging.limit, offset=paging.offset)
    return paging.of(rows, total)


@router.post("/employees", response_model=EmployeeOut, status_code=201)
def create_employee(data: EmployeeIn, session: DbSession, caller: CanManageStaff) -> EmployeeOut:
    return staff.describe(session, [staff.create_employee(session, data, caller.user.id)])[0]


@router.get("/employees/{employee_id}", response_model=EmployeeOut)
def get_employee(employee_id: ObjectId, session: DbSession, _: CanManageStaff) -> EmployeeOut:
    return staff.describe(session, [staff.get_employee(session, employee_id)])[0]


@router.patch("/employees/{employee_id}", response_model=EmployeeOut)
def update_employee(employee_id: ObjectId, data: EmployeeUpdate, session: DbSession,
                    caller: CanManageStaff) -> EmployeeOut:
    return staff.describe(session, [staff.update_employee(session, employee_id, data, caller.user.id)])[0]


@router.delete("/employees/{employee_id}", response_model=EmployeeOut)
def deactivate_employee(employee_id: ObjectId, session: DbSession, caller: CanManageStaff) -> EmployeeOut:
    """Deactivate (not asked in new waves); the row stays so past waves keep their head counts."""
    return staff.describe(session, [staff.deactivate_employee(session, employee_id, caller.user.id)])[0]


@router.post("/employees/import", response_model=StaffImportReport,
             openapi_extra={"requestBody": {"content": {"text/csv": {}, "application/x-ndjson": {},
                                                        "multipart/form-data": {}}}})
async def import_employees(request: Request, session: DbSession, caller: CanManageStaff,
                           settings: AppSettings) -> StaffImportReport:
    """Create or update employees from a CSV or JSON Lines body (or a ``file`` upload); rejected rows by line/field."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise Invalid("upload the staff file as the form field 'file'", field="file")
            name = upload.filename or "upload.csv"
            data = await upload.read(settings.max_body_bytes + 1)
    elif kind in IMPORT_TYPES:
        name, data = IMPORT_TYPES[kind], await request.body()
    else:
        raise Invalid("send text/csv, application/x-ndjson or a multipart upload", field="content-type")
    if len(data) > settings.max_body_bytes:
        raise Invalid(f"the file is larger than {settings.max_body_bytes} bytes; use the CLI", field="file")
    return staff.import_employees(session, staff.read_staff_rows(name, data), caller.user.id)


@router.get("/pulse-templates", response_model=Page[PulseOut])
def list_templates(_: CanManageStaff, paging: Paging) -> Page[PulseOut]:
    return paging.cut(pulses.templates())


@router.get("/pulses", response_model=Page[PulseOut])
def list_pulses(session: DbSession, _: CanManageStaff, paging: Paging) -> Page[PulseOut]:
    return paging.cut([pulses.describe_pulse(p) for p in pulses.list_pulses(session)])


@router.post("/pulses", response_model=PulseOut, status_code=201)
def create_pulse(data: PulseIn, session: DbSession, caller: CanManageStaff) -> PulseOut:
    return pulses.describe_pulse(pulses.create_pulse(session, data, caller.user.id))


@router.get("/pulses/{pulse_id}/waves", response_model=Page[WaveOut])
def list_waves(pulse_id: ObjectId, session: DbSession, _: CanManageStaff, settings: AppSettings,
               paging: Paging) -> Page[WaveOut]:
    pulses.get_pulse(session, pulse_id)
    return paging.cut(pulses.list_waves(session, pulse_id, settings.mirror_min_group))


@router.post("/pulses/{pulse_id}/waves", response_model=WaveOut, status_code=201)
def open_wave(pulse_id: ObjectId, session: DbSession, caller: CanManageStaff, settings: AppSettings) -> WaveOut:
    """Open this period's wave now: invitations for every active employee, e-mails queued."""
    wave = pulses.open_wave(session, pulses.get_pulse(session, pulse_id), utcnow().date(), caller.user.id)
    return next(w for w in pulses.list_waves(session, pulse_id, settings.mirror_min_group) if w.id == wave.id)


@router.post("/pulses/{pulse_id}/waves/{wave_id}/close", response_model=WaveOut)
def close_wave(pulse_id: ObjectId, wave_id: ObjectId, session: DbSession, caller: CanManageStaff,
               settings: AppSettings) -> WaveOut:
    wave = pulses.close_wave(session, wave_id, caller.user.id)
    found = [w for w in pulses.list_waves(session, pulse_id, settings.mirror_min_group) if w.id == wave.id]
    if not found:
        raise Invalid(f"wave {wave_id} is not a wave of pulse {pulse_id}", field="wave_id")
    return found[0]
