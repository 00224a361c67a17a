"""The notice job: e-mail a status change to the idea's voters and commenters, once each, in chunks.

Per chunk of customers: one transaction decides (unsubscribed, no address, frequency) and
records every :class:`IdeaNotice` (``pending`` for those to mail) and commits; then the
e-mails go out; then one transaction marks them ``sent``. A send that fails marks that
notice and the chunk's unsent ones ``failed`` and fails the job, whose retry tries the
failed ones again and never those sent or skipped. A worker that dies between the commit
and the send leaves ``pending`` rows that are never retried: at most once, never twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from centric.events import IdeaStatusesChanged, JobSpec
from centric.ideas.models import Idea, IdeaNotice, IdeaStatusChange
from centric.ideas.notify import already_noticed, compose_notice, decide, recipients
from centric.jobs import JobContext, PermanentError, task
from centric.outreach import mail

NOTICE_TASK = "ideas.status_notices"
CHUNK = 200  # customers decided, recorded and mailed per round


def notice_jobs(event: IdeaStatusesChanged) -> Iterable[JobSpec]:
    for change_id in event.change_ids:
        yield JobSpec(NOTICE_TASK, {"change_id": change_id}, idempotency_key=f"{NOTICE_TASK}:{change_id}")


@task(NOTICE_TASK)
def send_status_notices(context: JobContext, payload: dict[str, Any]) -> None:
    change_id = int(payload["change_id"])
    with context.db.transaction() as session:
        change = session.get(IdeaStatusChange, change_id)
        if change is None:
            raise PermanentError(f"no idea status change {change_id}")
        done = already_noticed(session, change_id)
        todo = [c for c in recipients(session, change.idea_id) if c not in done]
    for start in range(0, len(todo), CHUNK):
        _deliver(context, _claim(context, change_id, todo[start:start + CHUNK]))


def _claim(context: JobContext, change_id: int, customer_ids: Sequence[int]) -> list[tuple[int, mail.Mail]]:
    """Record this chunk's notices (committed before any e-mail goes); the mails to send, by notice id."""
    with context.db.transaction() as session:
        change = session.get(IdeaStatusChange, change_id)
        assert change is not None
        idea = session.get(Idea, change.idea_id)
        assert idea is not None
        failed = {n.customer_id: n for n in session.scalars(select(IdeaNotice).where(
            IdeaNotice.change_id == change_id, IdeaNotice.customer_id.in_(customer_ids)))}
        outgoing: list[tuple[IdeaNotice, str]] = []
        for verdict in decide(session, context.settings, change, customer_ids):
            notice = failed.get(verdict.customer_id) or _new(session, change_id, verdict.customer_id)
            notice.state, notice.reason = verdict.state, verdict.reason
            if verdict.state == "pending":
                outgoing.append((notice, verdict.address))
        session.flush()
        return [(notice.id, compose_notice(session, context.settings, idea, change, notice.customer_id or 0, address))
                for notice, address in outgoing]


def _new(session: Session, change_id: int, customer_id: int) -> IdeaNotice:
    notice = IdeaNotice(change_id=change_id, customer_id=customer_id)
    session.add(notice)
    return notice


def _deliver(context: JobContext, outgoing: list[tuple[int, mail.Mail]]) -> None:
    sent: list[int] = []
    for position, (notice_id, message) in enumerate(outgoing):
        try:
            mail.send(context.settings, message)
        except Exception as exc:
            _mark(context, sent, "sent", "")
            _mark(context, [n for n, _ in outgoing[position:]], "failed", f"{type(exc).__name__}: {exc}"[:40])
            raise
        sent.append(notice_id)
    _mark(context, sent, "sent", "")


def _mark(context: JobContext, notice_ids: list[int], state: str, reason: str) -> None:
    if not notice_ids:
        return
    with context.db.transaction() as session:
        session.execute(update(IdeaNotice).where(IdeaNotice.id.in_(notice_ids)).values(state=state, reason=reason))
