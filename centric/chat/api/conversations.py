"""Staff JSON routes of chat: the conversations, one transcript, replying and closing; starting for a customer."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from centric.accounts.roles import Permission
from centric.chat import customer, reads, replies, service
from centric.chat.schemas import (
    Channel,
    ChatDetailOut,
    ChatOut,
    Language,
    ReplyIn,
    Resolution,
    StaffMessageOut,
    StaffStartIn,
    StartOut,
    Status,
)
from centric.web.deps import (
    AppSettings,
    CanIngest,
    CanReadCases,
    CanWorkCases,
    DbSession,
    ObjectId,
    Page,
    Paging,
    installation_key,
)

router = APIRouter(prefix="/chats", tags=["chat"])


@router.get("", response_model=Page[ChatOut])
def list_chats(session: DbSession, caller: CanReadCases, paging: Paging, status: Status | None = None,
               resolution: Resolution | None = None, language: Language | None = None, channel: Channel | None = None,
               customer_id: int | None = Query(default=None, ge=1, le=2**63 - 1)) -> Page[ChatOut]:
    """Conversations, newest first; agents see those without a case and those of cases they may work."""
    items, total = reads.list_chats(session, caller.user, status=status, resolution=resolution, language=language,
                                    channel=channel, customer_id=customer_id, limit=paging.limit,
                                    offset=paging.offset)
    return paging.of(items, total)


@router.post("", response_model=StartOut, status_code=201)
def start_chat(data: StaffStartIn, request: Request, session: DbSession, settings: AppSettings,
               caller: CanIngest) -> StartOut:
    """Start a conversation for a customer this token vouches for (a messenger bridge); then use the
    public routes with the token."""
    key = installation_key(request, session)
    conversation, token = service.start_for_customer(session, key, data, caller.user.id,
                                                     may_merge=caller.can(Permission.WRITE_CUSTOMERS))
    return StartOut(conversation=customer.view(session, settings, key, conversation), token=token)


@router.get("/{chat_id}", response_model=ChatDetailOut)
def chat(chat_id: ObjectId, session: DbSession, caller: CanReadCases) -> ChatDetailOut:
    """The transcript with the bot's candidates and confidence per answer, the case, the survey's answers."""
    return reads.chat_detail(session, reads.get_chat(session, chat_id, caller.user))


@router.post("/{chat_id}/reply", response_model=StaffMessageOut, status_code=201)
def reply(chat_id: ObjectId, data: ReplyIn, session: DbSession, caller: CanWorkCases) -> StaffMessageOut:
    """Reply to the customer (a handed-off conversation); it counts as a contact on its case."""
    message = replies.reply(session, chat_id, caller.user, data.text, data.client_key)
    return reads.staff_message_outs(session, [message])[0]


@router.post("/{chat_id}/close", response_model=ChatOut)
def close(chat_id: ObjectId, session: DbSession, caller: CanWorkCases) -> ChatOut:
    """End the conversation (its case stays open); the customer may get the post-chat survey."""
    return reads.chat_outs(session, [replies.close_by_agent(session, chat_id, caller.user)])[0]
