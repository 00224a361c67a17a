"""The loop back: status changes e-mailed to voters and commenters over real SMTP, once each, within the rules."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from centric.db import utcnow
from centric.ideas.models import IdeaNotice
from centric.ideas.notify import notices_by_change
from centric.ideas.notify_jobs import NOTICE_TASK, send_status_notices
from centric.jobs import JobContext, LocalWorker
from centric.jobs.models import Job
from centric.outreach.service import unsubscribe
from centric.webhooks import service as webhooks
from centric.webhooks.models import WebhookDelivery
from centric.webhooks.schemas import SubscriptionIn
from tests.ideas.loop_helpers import change_status, comment, customer, idea, vote
from tests.outreach import conftest as outreach_fixtures
from tests.webhooks.conftest import FAST

smtp, mail_settings = outreach_fixtures.smtp, outreach_fixtures.mail_settings  # a real SMTP server


def notices(db, change_id: int) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """E-mail address (or customer id) → (state, reason) of each notice of a change."""
    from centric.customers.models import Identity
    with db.reader() as s:
        rows = s.execute(select(IdeaNotice.customer_id, IdeaNotice.state, IdeaNotice.reason)
                         .where(IdeaNotice.change_id == change_id)).all()
        emails = dict(s.execute(select(Identity.customer_id, Identity.value).where(Identity.kind == "email")).all())
    return {emails.get(cid, str(cid)): (state, reason) for cid, state, reason in rows}


def text_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(("plain",)).get_content()


def test_voters_and_commenters_get_one_mail_each_and_the_rules_hold(db, smtp, mail_settings):
    _, mailbox = smtp
    with db.transaction() as s:
        ann, bo, cy = customer(s, "ann@example.com"), customer(s, "bo@example.com"), customer(s, "cy@example.com")
        quiet, nameless = customer(s, "quiet@example.com"), customer(s, None, name="walk-in")
        target = idea(s, "Late checkout on Sundays", author=ann)
        for voter in (ann, bo, quiet, nameless):
            vote(s, target.id, voter)
        comment(s, target.id, bo, "Me too")  # a voter who also commented: one mail
        comment(s, target.id, cy, "Good idea")  # a commenter who did not vote
        comment(s, target.id, cy, "Really")
        unsubscribe(s, quiet, "email")
        change = change_status(s, target.id, "planned", "We will start in <May>.")
        target_id, change_id = target.id, change.id
    assert LocalWorker(db, mail_settings).run_due() == 1
    messages = mailbox.wait(3)
    assert sorted(m["To"] for m in messages) == ["ann@example.com", "bo@example.com", "cy@example.com"]
    message = messages[0]
    text = text_of(message)
    assert message["Subject"] == "An idea you supported is now planned: \u201cLate checkout on Sundays\u201d"
    assert "is now planned" in text and "We will start in <May>." in text
    assert f"https://cx.example.com/ideas/i/{target_id}?lang=en" in text
    assert "&lt;May&gt;" in message.get_body(("html",)).get_content()
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://cx.example.com/u/") and link in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notices(db, change_id) == {
        "ann@example.com": ("sent", ""), "bo@example.com": ("sent", ""), "cy@example.com": ("sent", ""),
        "quiet@example.com": ("skipped", "unsubscribed"), str(nameless): ("skipped", "no_email")}
    with db.reader() as s:
        [summary] = notices_by_change(s, target_id)
    assert (summary.sent, summary.skipped, summary.failed) == (3, {"unsubscribed": 1, "no_email": 1}, 0)
    # a re-delivered job (at least once) sends nothing twice
    send_status_notices(JobContext(db, mail_settings, 0, 2, 5), {"change_id": change_id})
    assert len(mailbox.messages) == 3
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(IdeaNotice)) == 5


def test_a_failed_send_is_retried_and_never_doubles(db, smtp, mail_settings):
    _, mailbox = smtp
    with db.transaction() as s:
        target = idea(s)
        for address in ("ann@example.com", "bo@example.com"):
            vote(s, target.id, customer(s, address))
        change_id = change_status(s, target.id, "in_progress").id
    down = mail_settings.model_copy(update={"smtp_port": outreach_fixtures.free_port()})
    try:
        send_status_notices(JobContext(db, down, 0, 1, 5), {"change_id": change_id})
        raise AssertionError("the send should have failed")
    except OSError:
        pass
    assert {state for state, _ in notices(db, change_id).values()} == {"failed"}
    send_status_notices(JobContext(db, mail_settings, 0, 2, 5), {"change_id": change_id})
    send_status_notices(JobContext(db, mail_settings, 0, 3, 5), {"change_id": change_id})
    assert sorted(m["To"] for m in mailbox.wait(2)) == ["ann@example.com", "bo@example.com"]
    assert notices(db, change_id) == {"ann@example.com": ("sent", ""), "bo@example.com": ("sent", "")}


def test_the_frequency_cap_skips_but_done_always_goes(db, smtp, mail_settings):
    _, mailbox = smtp
    settings = mail_settings.model_copy(update={"ideas_notice_cap": 2, "ideas_notice_window_days": 7})
    with db.transaction() as s:
        ann = customer(s, "ann@example.com")
        first, second, third = idea(s, "One"), idea(s, "Two"), idea(s, "Three")
        for target in (first, second, third):
            vote(s, target.id, ann)
        old = change_status(s, first.id, "under_review")
        s.add(IdeaNotice(change_id=old.id, customer_id=ann, state="sent", created_at=utcnow() - timedelta(days=8)))
        ids = [change_status(s, t.id, "planned").id for t in (first, second, third)]
        done = change_status(s, third.id, "done", "Shipped!").id
    LocalWorker(db, settings).run_due()
    assert notices(db, old.id) == {"ann@example.com": ("sent", "")}  # older than the window: not counted
    states = [notices(db, change_id)["ann@example.com"] for change_id in ids]
    assert sorted(states) == [("sent", ""), ("sent", ""), ("skipped", "frequency")]
    assert notices(db, done) == {"ann@example.com": ("sent", "")}  # over the cap, but "done" closes the loop
    assert len(mailbox.wait(3)) == 3 and "is now done" in mailbox.messages[-1]["Subject"]
    with db.transaction() as s:
        unsubscribe(s, ann, "email")
        later_done = change_status(s, second.id, "done").id
    LocalWorker(db, settings).run_due()
    assert notices(db, later_done) == {"ann@example.com": ("skipped", "unsubscribed")}  # unsubscribe always wins
    assert len(mailbox.messages) == 3


def test_a_chinese_idea_is_told_in_chinese(db, smtp, mail_settings):
    _, mailbox = smtp
    with db.transaction() as s:
        target = idea(s, "周日延迟退房", language="zh")
        vote(s, target.id, customer(s, "li@example.com"))
        change_status(s, target.id, "done", "已经上线。")
        target_id = target.id
    LocalWorker(db, mail_settings).run_due()
    message = mailbox.wait(1)[0]
    text = text_of(message)
    assert message["Subject"] == "您支持的想法「周日延迟退房」：已完成"
    assert "已完成" in text and "已经上线。" in text and f"/ideas/i/{target_id}?lang=zh" in text
    assert "退订" in text and message["List-Unsubscribe"]


def test_votes_moved_by_a_merge_are_told_and_superseded_ones_are_not(db, smtp, mail_settings):
    _, mailbox = smtp
    with db.transaction() as s:
        original, duplicate = idea(s, "Original"), idea(s, "Duplicate")
        ann, bo = customer(s, "ann@example.com"), customer(s, "bo@example.com")
        moved = vote(s, duplicate.id, ann)
        moved.idea_id = original.id  # the merge moved Ann's vote to the original
        vote(s, duplicate.id, bo, superseded=True)  # Bo voted both: left superseded on the duplicate
        change_id = change_status(s, duplicate.id, "duplicate").id
    LocalWorker(db, mail_settings).run_due()
    assert [m["To"] for m in mailbox.wait(1)] == ["ann@example.com"]
    assert "merged into another idea" in mailbox.messages[0]["Subject"]
    assert set(notices(db, change_id)) == {"ann@example.com"}


def test_many_voters_are_mailed_in_chunks_by_one_job(db, smtp, mail_settings, monkeypatch):
    _, mailbox = smtp
    monkeypatch.setattr("centric.ideas.notify_jobs.CHUNK", 4)
    with db.transaction() as s:
        target = idea(s)
        for n in range(10):
            vote(s, target.id, customer(s, f"guest{n}@example.com"))
        change_id = change_status(s, target.id, "planned").id
    assert LocalWorker(db, mail_settings).run_due() == 1
    assert len(mailbox.wait(10)) == 10
    assert len({m["To"] for m in mailbox.messages}) == 10
    assert [state for state, _ in notices(db, change_id).values()] == ["sent"] * 10


def test_ideas_and_status_changes_are_announced_to_webhooks(db):
    with db.transaction() as s:
        webhooks.create_subscription(s, SubscriptionIn(url="http://127.0.0.1:9/hook", events=["idea.*"]), FAST)
    with db.transaction() as s:
        target = idea(s, "Quiet floors", author=customer(s, "ann@example.com"))
        change = change_status(s, target.id, "declined", "Not this year.")
        target_id, change_id = target.id, change.id
    with db.reader() as s:
        deliveries = list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        jobs = s.scalar(select(func.count()).select_from(Job).where(Job.name == NOTICE_TASK))
    assert [d.event for d in deliveries] == ["idea.created", "idea.status_changed"]
    created, changed = (d.payload for d in deliveries)
    assert created["id"] == target_id and created["title"] == "Quiet floors" and created["status"] == "open"
    assert created["url"] == f"/ideas/i/{target_id}" and "email" not in created
    assert (changed["id"], changed["status"], changed["from"], changed["to"], changed["note"]) == (
        target_id, "declined", "open", "declined", "Not this year.")
    assert changed["change_id"] == change_id and changed["changed_at"] == changed["status_changed_at"]
    assert changed["changed_at"].endswith(("Z", "+00:00")) and created["created_at"].endswith(("Z", "+00:00"))
    assert jobs == 1  # the notice job is queued with the change
