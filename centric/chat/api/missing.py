"""JSON routes of the missing-answers queue (customers' questions: ``kb:write``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from centric.chat import missing
from centric.chat.api.metrics import Channel, Language, Since, Until
from centric.chat.missing_schemas import DismissIn, DismissOut, MissingGroup
from centric.web.deps import CanWriteKb, DbSession, Page, Paging

router = APIRouter(tags=["knowledge base"])


@router.get("/kb/missing", response_model=Page[MissingGroup])
def missing_answers(session: DbSession, _: CanWriteKb, paging: Paging, since: datetime | None = Since,
                    until: datetime | None = Until, language: str | None = Language,
                    channel: str | None = Channel) -> Page[MissingGroup]:
    """Questions the bot abstained on, whose answer did not help, or before a request for a person — grouped
    by what they ask (English and Chinese together), the largest group first, each with its editor link."""
    return paging.cut(missing.missing_groups(session, since=since, until=until, language=language, channel=channel))


@router.post("/kb/missing/dismissals", response_model=DismissOut)
def dismiss(data: DismissIn, session: DbSession, caller: CanWriteKb) -> DismissOut:
    """Take questions off the queue (e.g. a group's ``message_ids``); dismissing one twice changes nothing."""
    return missing.dismiss(session, data.message_ids, caller.user.id)


@router.post("/kb/missing/restorations", response_model=DismissOut)
def restore(data: DismissIn, session: DbSession, _: CanWriteKb) -> DismissOut:
    """Put dismissed questions back on the queue."""
    return missing.restore(session, data.message_ids)
