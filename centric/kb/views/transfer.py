"""Import (upload a CSV, JSON, Markdown or .zip file; per-row errors shown) and export pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from centric import i18n
from centric.kb import transfer
from centric.kb.articles import ArticleFilter
from centric.kb.formats import FORMATS, read_upload, to_csv, to_json
from centric.kb.models import LANGUAGES, STATUSES
from centric.kb.schemas import ImportReport
from centric.kb.views.forms import MAX_UPLOAD, choice, say, text, upload
from centric.web.deps import Caller, CanWriteKb, CheckedForm, CurrentCaller, DbSession
from centric.web.templating import render

router = APIRouter()
Short = Annotated[str | None, Query(max_length=60)]


def _page(request: Request, caller: Caller, report: ImportReport | None = None, problem: str = "",
          status_code: int = 200) -> HTMLResponse:
    return render(request, "kb/staff/import.html", status_code=status_code, caller=caller, report=report,
                  problem=problem, formats=FORMATS)


@router.get("/kb/import", response_class=HTMLResponse)
def import_page(request: Request, caller: CanWriteKb) -> HTMLResponse:
    return _page(request, caller)


@router.post("/kb/import", response_class=HTMLResponse)
def import_file(request: Request, session: DbSession, caller: CanWriteKb, form: CheckedForm) -> HTMLResponse:
    """Import the uploaded file; the page lists what was created, updated, and each bad row with its line."""
    sent = upload(form, "file")
    if sent is None:
        problem = say(request, caller.user, i18n.N_("Choose a file to import."))
        return _page(request, caller, problem=problem, status_code=422)
    try:
        data = sent.file.read(MAX_UPLOAD + 1)
    finally:
        sent.file.close()
    if len(data) > MAX_UPLOAD:
        problem = say(request, caller.user, i18n.N_("The file is larger than %(size)s bytes."),
                      size=i18n.format_number(MAX_UPLOAD))
        return _page(request, caller, problem=problem, status_code=413)
    source = read_upload(str(sent.filename)[:200], data, choice(text(form, "format"), FORMATS))
    report = transfer.import_source(session, source, dry_run=text(form, "dry_run") == "1",
                                    publish=text(form, "publish") == "1", user_id=caller.user.id)
    return _page(request, caller, report)


@router.get("/kb/export")
def export(session: DbSession, caller: CurrentCaller, status: Short = None, language: Short = None,
           category: Short = None, fmt: Annotated[str, Query(alias="format", max_length=10)] = "json") -> Response:
    """The entries matching the filters as a JSON or CSV download (the import formats)."""
    document = transfer.export_document(session, ArticleFilter(status=choice(status, STATUSES),
                                                               language=choice(language, LANGUAGES),
                                                               category=category or None))
    if fmt == "csv":
        return Response(to_csv(document), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="knowledge-base.csv"'})
    return Response(to_json(document), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="knowledge-base.json"'})
