"""JSON route of the FAQ bot: ask it a question as a customer would (staff and API tokens)."""

from __future__ import annotations

from fastapi import APIRouter

from centric.kb import answering
from centric.kb.answer_schemas import AskIn, BotAnswerOut, bot_answer_out
from centric.web.deps import CanReadMetrics, DbSession

router = APIRouter(tags=["kb"])


@router.post("/kb/ask", response_model=BotAnswerOut)
def ask(data: AskIn, session: DbSession, _: CanReadMetrics) -> BotAnswerOut:
    """The bot's answer from the published entries: the best entry and alternatives with confidences,
    or an abstention below the calibrated threshold. Reads only; any staff role (viewers included)."""
    return bot_answer_out(answering.ask(session, data.question, data.language, k=data.k))
