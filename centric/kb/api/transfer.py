"""JSON routes of export (the JSON import format) and import (a JSON body or an uploaded file)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import UploadFile

from centric.errors import Invalid
from centric.kb import transfer
from centric.kb.articles import ArticleFilter
from centric.kb.formats import FORMATS, Source, read_json, read_upload
from centric.kb.schemas import KEY_PATTERN, ImportReport, KbDocument, Language, Status
from centric.web.deps import CanWriteKb, CurrentCaller, DbSession

router = APIRouter(tags=["knowledge base"])
MAX_FORM_FIELDS = 10

IMPORT_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/KbDocument"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "a .csv, .json, .md or .zip of .md files"},
        "format": {"type": "string", "enum": list(FORMATS), "description": "default: from the file name"}}}},
}}}


@router.get("/kb/export", response_model=KbDocument)
def export(session: DbSession, _: CurrentCaller, status: Status | None = None, language: Language | None = None,
           category: Annotated[str | None, Query(max_length=60, pattern=KEY_PATTERN)] = None) -> KbDocument:
    """Every category and the entries matching the filters, oldest first: the document ``POST /kb/import`` reads."""
    return transfer.export_document(session, ArticleFilter(status=status, language=language, category=category))


async def _read_source(request: Request) -> Source:
    """What the request carries: a multipart upload (field ``file``) or a JSON document as the body."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
        try:
            sent, fmt = form.get("file"), form.get("format")
            if not isinstance(sent, UploadFile):
                raise Invalid("send the file in the form field 'file'", field="file")
            return read_upload(str(sent.filename or "upload")[:200], await sent.read(),
                               fmt if isinstance(fmt, str) and fmt in FORMATS else None)
        finally:
            await form.close()
    return read_json(await request.body(), "body")


@router.post("/kb/import", response_model=ImportReport, openapi_extra=IMPORT_BODY)
def import_entries(caller: CanWriteKb, session: DbSession, source: Annotated[Source, Depends(_read_source)],
                   dry_run: Annotated[bool, Query(description="check and report; store nothing")] = False,
                   publish: Annotated[bool, Query(description="publish every imported entry")] = False
                   ) -> ImportReport:
    """Import a KbDocument (JSON body) or an uploaded file; entries are matched by slug (a re-import changes only
    what differs). Bad rows are reported with file, line and field and skipped; the good ones are kept.
    A body with nothing readable answers 422."""
    if not source.entries and not source.categories:
        first = source.problems[0] if source.problems else None
        raise Invalid(f"line {first.line}: {first.message}" if first else "nothing to import", field="body")
    return transfer.import_source(session, source, dry_run=dry_run, publish=publish, user_id=caller.user.id)
