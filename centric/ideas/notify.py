"""The loop back to voters: webhooks for new ideas and status changes, and the status notices.

Every status change e-mails each voter and commenter of the idea once (deduplicated).
An :class:`IdeaNotice` row per (change, customer) is the exactly-once record: it is
inserted (state ``pending``) and committed before the e-mail is sent, so a retried job
never mails a customer twice; the job then marks it ``sent`` or ``failed`` (a failed one
is tried again by the job's retry). Nobody is mailed who unsubscribed from e-mail
(``skipped``/``unsubscribed``) or has no address (``no_email``). Frequency rule: at most
``ideas_notice_cap`` notices per customer per ``ideas_notice_window_days`` days (defaults
3 per 7), over it ``skipped``/``frequency`` — except a "done" notice, which always goes
(it closes the loop the customer opened by voting), unless they unsubscribed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from html import escape

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from centric.config import Settings
from centric.customers.models import Customer, Identity
from centric.db import in_chunks, page_of, utcnow
from centric.events import IdeasSubmitted, IdeaStatusesChanged
from centric.ideas.loop_schemas import ChangeNotices, NoticeOut, StatusChangedOut
from centric.ideas.models import Idea, IdeaComment, IdeaNotice, IdeaStatusChange, IdeaVote
from centric.ideas.service import get_idea, idea_outs, public_path
from centric.outreach import mail
from centric.outreach.models import Suppression
from centric.outreach.unsubscribe import unsubscribe_link
from centric.surveys.links import base_url
from centric.webhooks.service import emit, wanted

ALWAYS_SENT = ("done",)  # statuses whose notice ignores the frequency rule (never an unsubscribe)

STATUS_WORDS: dict[str, dict[str, str]] = {
    "en": {"open": "open", "under_review": "under review", "planned": "planned", "in_progress": "in progress",
           "done": "done", "declined": "declined", "duplicate": "merged into another idea"},
    "zh": {"open": "开放", "under_review": "审核中", "planned": "已计划", "in_progress": "进行中",
           "done": "已完成", "declined": "未采纳", "duplicate": "已合并到另一个想法"},
}


# --- webhooks ------------------------------------------------------------------------------


def _ideas(session: Session, ids: Sequence[int]) -> list[Idea]:
    found: list[Idea] = []
    for chunk in in_chunks(sorted(set(ids))):
        found += session.scalars(select(Idea).where(Idea.id.in_(chunk)).order_by(Idea.id))
    return found


def announce_created(session: Session, event: IdeasSubmitted) -> None:
    """Reaction: ``idea.created`` for each new idea (its :class:`IdeaOut`)."""
    if not wanted(session, "idea.created"):
        return
    for out in idea_outs(session, _ideas(session, event.ids)):
        emit(session, "idea.created", out)


def announce_status_changed(session: Session, event: IdeaStatusesChanged) -> None:
    """Reaction: ``idea.status_changed`` per change: the idea now, with from, to, note and changed_at."""
    if not wanted(session, "idea.status_changed"):
        return
    changes: list[IdeaStatusChange] = []
    for chunk in in_chunks(sorted(set(event.change_ids))):
        changes += session.scalars(select(IdeaStatusChange).where(IdeaStatusChange.id.in_(chunk))
                                   .order_by(IdeaStatusChange.id))
    outs = {out.id: out for out in idea_outs(session, _ideas(session, [c.idea_id for c in changes]))}
    for change in changes:
        body = StatusChangedOut(**outs[change.idea_id].model_dump(), change_id=change.id,
                                from_status=change.from_status, to_status=change.to_status, note=change.note,
                                changed_at=change.created_at)
        emit(session, "idea.status_changed", body.model_dump(mode="json", by_alias=True))


# --- who hears of a change -------------------------------------------------------------------


def recipients(session: Session, idea_id: int) -> list[int]:
    """Voters (active votes, and votes a merge moved away from this idea) and commenters, once each.

    Profiles merged into another are left out: their rows moved to the survivor, who is
    told instead.
    """
    voters = select(IdeaVote.customer_id).where(
        IdeaVote.customer_id.is_not(None),
        or_(and_(IdeaVote.idea_id == idea_id, IdeaVote.superseded.is_(False)),
            and_(IdeaVote.origin_idea_id == idea_id, IdeaVote.idea_id != idea_id)))
    commenters = select(IdeaComment.customer_id).where(
        IdeaComment.customer_id.is_not(None), IdeaComment.moderation != "hidden",
        or_(IdeaComment.idea_id == idea_id, IdeaComment.origin_idea_id == idea_id))
    ids = {i for i in (*session.scalars(voters), *session.scalars(commenters)) if i is not None}
    live: set[int] = set()
    for chunk in in_chunks(sorted(ids)):
        live.update(session.scalars(select(Customer.id).where(Customer.id.in_(chunk),
                                                              Customer.merged_into_id.is_(None))))
    return sorted(live)


def already_noticed(session: Session, change_id: int) -> set[int]:
    """Customers this change was handled for (sent, skipped, or being sent): never again."""
    return set(session.scalars(select(IdeaNotice.customer_id).where(
        IdeaNotice.change_id == change_id, IdeaNotice.state != "failed", IdeaNotice.customer_id.is_not(None))))


@dataclass(frozen=True)
class Verdict:
    customer_id: int
    state: str  # pending (to send) | skipped
    reason: str = ""
    address: str = ""


def decide(session: Session, settings: Settings, change: IdeaStatusChange,
           customer_ids: Sequence[int]) -> list[Verdict]:
    """Whether each customer gets this change's e-mail, with a constant number of queries per chunk."""
    ids = list(customer_ids)
    suppressed = _suppressed(session, ids)
    addresses = _addresses(session, ids)
    since = utcnow() - timedelta(days=settings.ideas_notice_window_days)
    recent = dict(session.execute(
        select(IdeaNotice.customer_id, func.count()).where(
            IdeaNotice.customer_id.in_(ids), IdeaNotice.state == "sent", IdeaNotice.created_at >= since)
        .group_by(IdeaNotice.customer_id)).all()) if ids else {}
    verdicts = []
    for customer_id in ids:
        if customer_id in suppressed:
            verdicts.append(Verdict(customer_id, "skipped", "unsubscribed"))
        elif customer_id not in addresses:
            verdicts.append(Verdict(customer_id, "skipped", "no_email"))
        elif change.to_status not in ALWAYS_SENT and recent.get(customer_id, 0) >= settings.ideas_notice_cap:
            verdicts.append(Verdict(customer_id, "skipped", "frequency"))
        else:
            verdicts.append(Verdict(customer_id, "pending", address=addresses[customer_id]))
    return verdicts


def _suppressed(session: Session, ids: list[int]) -> set[int]:
    """Customers unsubscribed from e-mail, themselves or through a profile merged into them
    (the rule of :func:`centric.outreach.service.is_suppressed`, for many at once)."""
    if not ids:
        return set()
    channel = Suppression.channel.in_(("email", "all"))
    direct = set(session.scalars(select(Suppression.customer_id).where(Suppression.customer_id.in_(ids), channel)))
    merged = set(session.scalars(select(Customer.merged_into_id)
                                 .join(Suppression, Suppression.customer_id == Customer.id)
                                 .where(Customer.merged_into_id.in_(ids), channel)))
    return direct | {i for i in merged if i is not None}


def _addresses(session: Session, ids: list[int]) -> dict[int, str]:
    """Each customer's first e-mail identity (as :func:`centric.outreach.service.email_of`)."""
    found: dict[int, str] = {}
    if not ids:
        return found
    rows = session.execute(select(Identity.customer_id, Identity.value).where(
        Identity.customer_id.in_(ids), Identity.kind == "email").order_by(Identity.id))
    for customer_id, value in rows:
        found.setdefault(customer_id, value)
    return found


# --- the e-mail ------------------------------------------------------------------------------


def language_of(idea: Idea) -> str:
    return "zh" if (idea.language or "").lower().startswith("zh") else "en"


def compose_notice(session: Session, settings: Settings, idea: Idea, change: IdeaStatusChange, customer_id: int,
                   address: str) -> mail.Mail:
    """The notice in the idea's language: which idea, its new status in words, the staff note, links."""
    lang = language_of(idea)
    status = STATUS_WORDS[lang].get(change.to_status, change.to_status)
    url = f"{base_url(settings)}{public_path(idea.id)}?lang={lang}"
    unsubscribe = unsubscribe_link(session, settings, customer_id, "email")
    if lang == "zh":
        subject = f"您支持的想法「{idea.title}」：{status}"[:200]
        lead = f"您投票或评论过的想法「{idea.title}」现在的状态是：{status}。"
        note_label, view, stop = "团队的说明：", "查看这个想法", "不想再收到这类邮件？退订"
    else:
        subject = f"An idea you supported is now {status}: \u201c{idea.title}\u201d"[:200]
        lead = f"The idea \u201c{idea.title}\u201d that you voted for or commented on is now {status}."
        note_label, view, stop = "A word from the team:", "See the idea", "Don't want these e-mails? Unsubscribe"
    lines = [lead, ""]
    if change.note.strip():
        lines += [note_label, change.note.strip(), ""]
    lines += [f"{view}: {url}", "", f"{stop}: {unsubscribe}"]
    html = (f"<p>{escape(lead)}</p>"
            + (f"<p>{escape(note_label)}</p><blockquote style=\"white-space:pre-wrap\">{escape(change.note.strip())}"
               "</blockquote>" if change.note.strip() else "")
            + f'<p><a href="{escape(url)}">{escape(view)}</a></p>'
            + f'<p style="font-size:small;color:#666"><a href="{escape(unsubscribe)}">{escape(stop)}</a></p>')
    return mail.Mail(to=address, subject=subject, text="\n".join(lines), html=html, unsubscribe_url=unsubscribe)


# --- the notice log --------------------------------------------------------------------------


def notices_of(session: Session, idea_id: int, *, limit: int | None = 50,
               offset: int = 0) -> tuple[list[NoticeOut], int]:
    """The notices about this idea's status changes, newest first."""
    get_idea(session, idea_id)
    query = (select(IdeaNotice).join(IdeaStatusChange, IdeaStatusChange.id == IdeaNotice.change_id)
             .where(IdeaStatusChange.idea_id == idea_id).order_by(IdeaNotice.id.desc()))
    rows, total = page_of(session, query, limit, offset)
    return [NoticeOut.model_validate(row) for row in rows], total


def notices_by_change(session: Session, idea_id: int) -> list[ChangeNotices]:
    """Per status change of the idea (newest first): notices sent, pending, failed, and skipped by reason."""
    get_idea(session, idea_id)
    changes = list(session.scalars(select(IdeaStatusChange).where(IdeaStatusChange.idea_id == idea_id)
                                   .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc())))
    summary = {c.id: ChangeNotices(change_id=c.id, from_status=c.from_status, to_status=c.to_status, note=c.note,
                                   changed_at=c.created_at) for c in changes}
    if not summary:
        return []
    counts = session.execute(
        select(IdeaNotice.change_id, IdeaNotice.state, IdeaNotice.reason, func.count())
        .join(IdeaStatusChange, IdeaStatusChange.id == IdeaNotice.change_id)
        .where(IdeaStatusChange.idea_id == idea_id)
        .group_by(IdeaNotice.change_id, IdeaNotice.state, IdeaNotice.reason))
    for change_id, state, reason, n in counts:
        row = summary[change_id]
        if state == "skipped":
            row.skipped[reason] = row.skipped.get(reason, 0) + n
        elif state in ("sent", "pending", "failed"):
            setattr(row, state, getattr(row, state) + n)
    return list(summary.values())
