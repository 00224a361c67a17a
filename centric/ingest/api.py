"""JSON route for bulk imports from an uploaded CSV or JSON Lines file."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.concurrency import run_in_threadpool

from centric.accounts.roles import Permission
from centric.db import Database
from centric.errors import Invalid
from centric.ingest.records import read_rows
from centric.ingest.service import import_rows
from centric.web.deps import AppSettings, CanIngest, get_db, own_units_of_work

router = APIRouter(tags=["import"])


@router.post("/import/{kind}")
@own_units_of_work
async def import_file(
    settings: AppSettings,
    caller: CanIngest,
    kind: str = Path(pattern="^(customers|events|responses|feedback)$"),
    file: UploadFile = File(...),
    db: Database = Depends(get_db),
    encoding: str | None = Query(default=None, max_length=40, description="a CSV file's encoding; default: detected"),
) -> dict[str, object]:
    """Import every valid row; the answer lists each rejected row with line, field and reason."""
    data = await file.read(settings.max_body_bytes + 1)
    if len(data) > settings.max_body_bytes:
        raise Invalid(f"the file is larger than {settings.max_body_bytes} bytes; use the CLI", field="file")
    name = file.filename or "upload.csv"
    report = await run_in_threadpool(
        import_rows, db, kind, read_rows(name, kind, data=data, encoding=encoding), filename=name,
        user_id=caller.user.id, may_merge=caller.can(Permission.WRITE_CUSTOMERS),
        max_text_length=settings.max_text_length,
    )
    return report.as_dict()
