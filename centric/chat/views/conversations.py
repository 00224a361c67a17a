"""Staff pages of chat: the conversations, one transcript with what the bot weighed, reply and close.

The same transcript panel and reply form appear on the page of a case opened by a hand-off
(``/cases/{id}``); a reply or a close posted from there returns there.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from centric import i18n
from centric.accounts.roles import Permission
from centric.chat import reads, replies
from centric.chat.models import RESOLUTIONS, STATUSES
from centric.chat.schemas import MAX_REPLY
from centric.errors import CentricError, explain
from centric.web import exports
from centric.web.deps import CanReadCases, CanWorkCases, CheckedForm, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()
PER_PAGE = 50
LANGUAGES = ("en", "zh")
# Stored codes the chat pages show, translated when rendered (``_(chat.status)``).
CODE_LABELS = (
    i18n.N_("bot"), i18n.N_("waiting"), i18n.N_("agent"), i18n.N_("closed"), i18n.N_("customer"), i18n.N_("system"),
    i18n.N_("auto"), i18n.N_("confirmed"), i18n.N_("assumed"), i18n.N_("handed off"), i18n.N_("abandoned"),
    i18n.N_("requested"), i18n.N_("abstained"), i18n.N_("unhelpful"),
)


def _choice(value: str, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


CHAT_COLUMNS: tuple[exports.Column, ...] = (
    "id", "channel", "started_at", "question", "language", "status", "resolution", "closed_by", "case_id",
    "customer_id", "customer_name", "messages", "last_message_at",
)
"""The chat list's columns (its readers hold ``cases:read``)."""


@router.get("/chats", response_class=HTMLResponse)
def chats_page(request: Request, session: DbSession, caller: CanReadCases, status: str = "", resolution: str = "",
               language: str = "", page: int = Query(default=1, ge=1, le=100_000)) -> Response:
    """Conversations, newest first, filtered by status, resolution and language."""
    filters = {"status": _choice(status, STATUSES), "resolution": _choice(resolution, RESOLUTIONS),
               "language": _choice(language, LANGUAGES)}
    if fmt := exports.requested(request):
        chats, count = exports.every(request, session, lambda s, limit, offset: reads.list_chats(
            s, caller.user, status=filters["status"], resolution=filters["resolution"],
            language=filters["language"], limit=limit, offset=offset))
        return exports.respond(exports.table_of("chats", chats, CHAT_COLUMNS, count), fmt)
    items, total = reads.list_chats(session, caller.user, status=filters["status"], resolution=filters["resolution"],
                                    language=filters["language"], limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    keep = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "chat/list.html", caller=caller, chats=items, total=total, page=page,
                  pages=max(1, -(-total // PER_PAGE)), filters=filters, keep=keep, statuses=STATUSES,
                  resolutions=RESOLUTIONS, languages=LANGUAGES)


def _chat_page(request: Request, session: DbSession, caller: CanReadCases, chat_id: int, problem: str | None = None,
               status_code: int = 200) -> HTMLResponse:
    detail = reads.chat_detail(session, reads.get_chat(session, chat_id, caller.user))
    return render(request, "chat/conversation.html", status_code=status_code, caller=caller, chat=detail,
                  can_work=caller.can(Permission.WORK_CASES), problem=problem, max_reply=MAX_REPLY,
                  back=f"/chats/{chat_id}")


@router.get("/chats/{chat_id}", response_class=HTMLResponse)
def chat_page(chat_id: ObjectId, request: Request, session: DbSession, caller: CanReadCases) -> HTMLResponse:
    """The transcript with the bot's candidates and confidence per answer, the status, the case; reply and close."""
    return _chat_page(request, session, caller, chat_id)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _back(form: FormData, chat_id: int, case_id: int | None) -> str:
    """Back to the chat, or to its case's page when the form was posted there."""
    wanted = _text(form, "next")
    return wanted if case_id is not None and wanted == f"/cases/{case_id}" else f"/chats/{chat_id}"


@router.post("/chats/{chat_id}/reply")
def reply(chat_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
          form: CheckedForm) -> Response:
    """Send the reply to the customer; it is the case's contact with them."""
    try:
        message = replies.reply(session, chat_id, caller.user, _text(form, "body"), _text(form, "key") or None)
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _chat_page(request, session, caller, chat_id, explain(exc), getattr(exc, "status_code", 422))
    case_id = reads.get_chat(session, message.conversation_id, caller.user).case_id
    return RedirectResponse(_back(form, chat_id, case_id) + "#latest", status_code=303)


@router.post("/chats/{chat_id}/close")
def close(chat_id: ObjectId, request: Request, session: DbSession, caller: CanWorkCases,
          form: CheckedForm) -> Response:
    """End the conversation (its case stays open)."""
    conversation = replies.close_by_agent(session, chat_id, caller.user)
    return RedirectResponse(_back(form, chat_id, conversation.case_id), status_code=303)
