"""The customer's chat API (no login): the widget and other channels talk to it with ``X-Chat-Token``.

Starting a conversation returns its token once; every other call sends it in the
``X-Chat-Token`` header. No token: 401. A wrong token, or a conversation that does not
exist: the same 404. Writes are rate-limited per client address and per conversation.
New messages arrive over Server-Sent Events (``/events``: the stream polls the database, so
any web process serves any conversation) or by polling ``?after=<last id>``.

The widget is embedded on other sites, so these routes answer cross-origin requests
(``Access-Control-Allow-Origin: *``, the preflight included): they use no cookies, and the
token authorises one conversation only.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute

from centric.chat import customer, service
from centric.chat.models import Conversation
from centric.chat.schemas import (
    ContactIn,
    ConversationOut,
    HelpfulIn,
    MessageIn,
    MessageOut,
    StartIn,
    StartOut,
    TurnOut,
)
from centric.chat.transcript import messages_after
from centric.db import Database
from centric.errors import Unauthorized
from centric.web.deps import AppSettings, DbSession, ObjectId, Page, Paging, client_address, installation_key

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, X-Chat-Token, Last-Event-ID",
        "Access-Control-Max-Age": "600", "Vary": "Origin"}
STREAM_POLL_S = 1.0  # how often an open event stream looks for new messages
STREAM_MAX_S = 25  # a stream ends after this long; the client reconnects from its last id
HEARTBEAT_S = 15.0


class CrossOriginRoute(APIRoute):
    """Adds the CORS headers to every answer of the route, its error answers included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            try:
                response = await handle(request)
            except Exception as exc:
                handler = next((request.app.exception_handlers[kind] for kind in type(exc).__mro__
                                if kind is not Exception and kind in request.app.exception_handlers), None)
                if handler is None:
                    raise
                response = await handler(request, exc)
            response.headers.update(CORS)
            return response

        return with_cors


router = APIRouter(prefix="/chat/conversations", tags=["chat (public)"], route_class=CrossOriginRoute)
Token = Annotated[str | None, Header(alias="X-Chat-Token", max_length=200,
                                     description="the conversation's token, as the start returned it")]


def _conversation(session: DbSession, conversation_id: int, token: str | None) -> Conversation:
    if not token:
        raise Unauthorized("send the conversation's token in the X-Chat-Token header")
    return service.authorise(session, conversation_id, token)


def _write(request: Request, session: DbSession, conversation_id: int, token: str | None) -> tuple[bytes, Conversation]:
    """The signing key and the conversation of a write, counted against the rate limits first."""
    key = installation_key(request, session)
    customer.limit(session, key, client_address(request), "send", conversation_id)
    return key, _conversation(session, conversation_id, token)


@router.options("", include_in_schema=False)
@router.options("/{rest:path}", include_in_schema=False)
def preflight() -> Response:
    return Response(status_code=204)


@router.post("", response_model=StartOut, status_code=201)
def start(data: StartIn, request: Request, session: DbSession, settings: AppSettings) -> StartOut:
    """Start a conversation (or get back the one this ``start_key`` started): its token is in the answer."""
    key = installation_key(request, session)
    customer.limit(session, key, client_address(request), "start")
    conversation, token = service.start_conversation(session, key, data)
    return StartOut(conversation=customer.view(session, settings, key, conversation), token=token)


@router.get("/{conversation_id}", response_model=ConversationOut)
def read(conversation_id: ObjectId, request: Request, session: DbSession, settings: AppSettings, token: Token = None,
         after: int = Query(default=0, ge=0, le=2**63 - 1, description="only messages with a larger id")
         ) -> ConversationOut:
    """The conversation's status and its messages after ``after`` (the polling fallback of ``/events``)."""
    conversation = _conversation(session, conversation_id, token)
    return customer.view(session, settings, installation_key(request, session), conversation, after)


@router.get("/{conversation_id}/messages", response_model=Page[MessageOut])
def messages(conversation_id: ObjectId, request: Request, session: DbSession, settings: AppSettings,
             paging: Paging, token: Token = None,
             after: int = Query(default=0, ge=0, le=2**63 - 1, description="only messages with a larger id")
             ) -> Page[MessageOut]:
    """The conversation's messages after ``after``, oldest first."""
    conversation = _conversation(session, conversation_id, token)
    found = messages_after(session, conversation.id, after)
    return paging.cut(customer.outs(session, settings, installation_key(request, session), conversation, found))


@router.post("/{conversation_id}/messages", response_model=TurnOut)
def send(conversation_id: ObjectId, data: MessageIn, request: Request, session: DbSession, settings: AppSettings,
         token: Token = None) -> TurnOut:
    """Send a message; the answer holds it and the bot's reply (a retried ``client_key``: the same)."""
    key, conversation = _write(request, session, conversation_id, token)
    return customer.turn_out(session, settings, key, service.send_message(session, conversation, data.text,
                                                                          data.client_key))


@router.post("/{conversation_id}/feedback", response_model=TurnOut)
def feedback(conversation_id: ObjectId, data: HelpfulIn, request: Request, session: DbSession,
             settings: AppSettings, token: Token = None) -> TurnOut:
    """Yes or no to "Did this answer your question?" on the answer waiting for it."""
    key, conversation = _write(request, session, conversation_id, token)
    return customer.turn_out(session, settings, key, service.mark_helpful(session, conversation, data.message_id,
                                                                          data.helpful))


@router.post("/{conversation_id}/handoff", response_model=TurnOut)
def handoff(conversation_id: ObjectId, request: Request, session: DbSession, settings: AppSettings,
            token: Token = None) -> TurnOut:
    """Talk to a person: the conversation is handed to the team (once)."""
    key, conversation = _write(request, session, conversation_id, token)
    return customer.turn_out(session, settings, key, service.request_handoff(session, conversation))


@router.post("/{conversation_id}/contact", response_model=TurnOut)
def contact(conversation_id: ObjectId, data: ContactIn, request: Request, session: DbSession,
            settings: AppSettings, token: Token = None) -> TurnOut:
    """Leave an e-mail address for the team (kept unverified; it names no customer)."""
    key, conversation = _write(request, session, conversation_id, token)
    return customer.turn_out(session, settings, key, service.leave_email(session, conversation, data.email))


@router.post("/{conversation_id}/close", response_model=TurnOut)
def close(conversation_id: ObjectId, request: Request, session: DbSession, settings: AppSettings,
          token: Token = None) -> TurnOut:
    """End the conversation; the post-chat survey's link may follow as its last message."""
    key, conversation = _write(request, session, conversation_id, token)
    return customer.turn_out(session, settings, key, service.end_by_customer(session, conversation))


@router.get("/{conversation_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "``message`` events (a MessageOut) and ``status`` events"}})
def events(conversation_id: ObjectId, request: Request, session: DbSession, settings: AppSettings,
           token: Token = None,
           after: int = Query(default=0, ge=0, le=2**63 - 1, description="only messages with a larger id"),
           wait: int = Query(default=STREAM_MAX_S, ge=0, le=STREAM_MAX_S, description="seconds to keep the stream "
                                                                                      "open"),
           last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
           ) -> StreamingResponse:
    """New messages as Server-Sent Events, for ``wait`` seconds; then reconnect from the last id."""
    conversation = _conversation(session, conversation_id, token)
    resumed = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
    key = installation_key(request, session)
    stream = _stream(request, request.app.state.db, settings, key, conversation.id, max(after, resumed), wait)
    return StreamingResponse(stream, media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _stream(request: Request, db: Database, settings: AppSettings, key: bytes, conversation_id: int,
                  after: int, wait: int) -> AsyncIterator[str]:
    """Poll the database every :data:`STREAM_POLL_S` seconds (any process sees every message)."""
    ends = time.monotonic() + wait
    quiet_since = time.monotonic()
    status: str | None = None

    def poll(last: int) -> ConversationOut:
        with db.reader() as reading:
            found = reading.get(Conversation, conversation_id)
            assert found is not None
            return customer.view(reading, settings, key, found, last)

    yield "retry: 3000\n\n"
    while True:
        seen = await to_thread.run_sync(poll, after)
        for message in seen.messages:
            after = message.id
            yield f"id: {message.id}\nevent: message\ndata: {message.model_dump_json()}\n\n"
            quiet_since = time.monotonic()
        if seen.status != status:
            status = seen.status
            yield f"event: status\ndata: {json.dumps({'status': status})}\n\n"
        if status == "closed" or time.monotonic() >= ends or await request.is_disconnected():
            return
        if time.monotonic() - quiet_since >= HEARTBEAT_S:
            quiet_since = time.monotonic()
            yield ": still here\n\n"
        await asyncio.sleep(min(STREAM_POLL_S, max(ends - time.monotonic(), 0)))
