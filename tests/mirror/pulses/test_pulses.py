"""Pulse waves: personal single-use links, anonymous answers, validation, closed waves, e-mails, the scheduler."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import func, inspect, select

from centric.config import Settings
from centric.db import utcnow
from centric.jobs import LocalWorker
from centric.jobs.models import Job
from centric.mirror import pulses
from centric.mirror.models import Employee, PulseAnswer, PulseInvitation, PulseResponse, PulseWave
from centric.mirror.schemas import EmployeeIn, PulseIn
from centric.mirror.staff import create_employee
from tests.factories import make_journey
from tests.jobs.waiting import eventually
from tests.mirror.pulses.conftest import add_staff, open_with_links

FORM = {"content-type": "application/x-www-form-urlencoded"}


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_link_answers_once_and_stores_an_anonymous_response(db, client):
    [ann, _] = add_staff(db, [("ann@example.com", "Front Office", "Berlin"), ("bob@example.com", "Spa", "Rome")])
    wave_id, links = open_with_links(db)
    page = client.get(f"/e/{links[ann]}")
    assert page.status_code == 200 and pulses.ENPS_QUESTION in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"] and "<script" not in page.text
    done = client.post(f"/e/{links[ann]}", content="enps=9&comment=Great+team", headers=FORM)
    assert done.status_code == 200 and "Thank you" in done.text
    again = client.post(f"/e/{links[ann]}", content="enps=2", headers=FORM)
    assert again.status_code == 409 and "Already answered" in again.text
    assert client.get(f"/e/{links[ann]}").status_code == 409
    with db.reader() as s:
        [response] = s.scalars(select(PulseResponse)).all()
        assert (response.wave_id, response.location) == (wave_id, "Berlin")
        employee = s.get(Employee, ann)
        assert employee is not None and response.team_id == employee.team_id
        answers = {a.item_key: (a.number, a.text) for a in s.scalars(select(PulseAnswer))}
        assert answers == {"enps": (9.0, None), "comment": (None, "Great team")}
        invitation = s.scalar(select(PulseInvitation).where(PulseInvitation.employee_id == ann))
        assert invitation is not None and invitation.answered
    # nothing in a response row could name the person or the moment
    columns = {c.key for c in inspect(PulseResponse).columns} | {c.key for c in inspect(PulseAnswer).columns}
    assert not columns & {"employee_id", "invitation_id", "created_at", "submitted_at", "answered_at"}


def test_bad_values_are_refused_with_a_message_and_nothing_is_stored(db, client):
    [ann] = add_staff(db, [("ann@example.com", "Front Office", "Berlin")])
    _, links = open_with_links(db)
    for body, message in (("enps=11", "from 0 to 10"), ("enps=abc", "whole number"), ("comment=hi", "please answer"),
                          ("enps=5&comment=" + "x" * 2100, "under 2000"), ("enps=5&spy=1", "unknown field")):
        answer = client.post(f"/e/{links[ann]}", content=body, headers=FORM)
        assert answer.status_code == 422, body
        assert message in answer.text, body
    assert client.post(f"/e/{links[ann]}", content=b'{"enps": 5}',
                       headers={"content-type": "application/json"}).status_code == 400
    assert client.get("/e/not-a-token").status_code == 404
    assert _count(db, PulseResponse) == 0 and _count(db, PulseAnswer) == 0
    assert client.post(f"/e/{links[ann]}", content="enps=5", headers=FORM).status_code == 200


def test_a_closed_wave_takes_no_answers(db, client):
    [ann] = add_staff(db, [("ann@example.com", "Front Office", "Berlin")])
    wave_id, links = open_with_links(db)
    with db.transaction() as s:
        pulses.close_wave(s, wave_id, None)
    for answer in (client.get(f"/e/{links[ann]}"), client.post(f"/e/{links[ann]}", content="enps=5", headers=FORM)):
        assert answer.status_code == 410 and "This pulse is closed" in answer.text
    assert _count(db, PulseResponse) == 0


def test_mirror_items_ask_per_touchpoint_on_its_customer_scale(db, client):
    with db.transaction() as s:
        make_journey(s)  # room: a CSAT survey, check-out: CES, check-in: none (NPS)
    [ann] = add_staff(db, [("ann@example.com", "Front Office", "Berlin")],
                      touchpoints=("check-in", "room", "check-out"))
    _, links = open_with_links(db, "mirror", "mirror")
    page = client.get(f"/e/{links[ann]}").text
    assert "What score do you think our customers give us for Room?" in page
    bad = client.post(f"/e/{links[ann]}", content="guess:check-in=-101&guess:room=50&guess:check-out=5.5", headers=FORM)
    assert bad.status_code == 422 and "from -100 to 100" in bad.text
    ok = client.post(f"/e/{links[ann]}", content="guess:check-in=-20&guess:room=82.5&guess:check-out=5.5",
                     headers=FORM)
    assert ok.status_code == 200, ok.text
    with db.reader() as s:
        got = {(a.item_key, a.scale, a.number) for a in s.scalars(select(PulseAnswer))}
        assert got == {("guess:check-in", "guess_nps", -20.0), ("guess:room", "guess_csat", 82.5),
                       ("guess:check-out", "guess_ces", 5.5)}
        assert all(a.touchpoint_id for a in s.scalars(select(PulseAnswer)))


def test_the_invitation_e_mail_carries_a_working_link_and_is_sent_once(db, smtp):
    controller, mailbox = smtp
    app_settings = Settings(database_url=db.url, smtp_host="127.0.0.1", smtp_port=controller.port,
                            public_url="https://cx.example.com", job_poll_s=0.02)
    [ann] = add_staff(db, [("ann@example.com", "Front Office", "Berlin")])
    with db.transaction() as s:
        pulse = pulses.create_pulse(s, PulseIn(key="p", kind="engagement"), None)
        pulses.open_wave(s, pulse, utcnow().date())
    worker = LocalWorker(db, app_settings)
    assert worker.run_due() == 1
    [message] = mailbox.wait(1)
    assert message["To"] == "ann@example.com"
    body = message.get_body(("plain",)).get_content()
    token = re.search(r"https://cx\.example\.com/e/([A-Za-z0-9_-]+)", body)
    assert token is not None
    with db.transaction() as s:
        invitation = s.scalar(select(PulseInvitation).where(PulseInvitation.employee_id == ann))
        assert invitation is not None and invitation.sent_at is not None
        assert invitation.token_hash == pulses.token_hash(token.group(1))
        assert pulses.show(s, token.group(1)).state == "form"
    with db.transaction() as s:  # a second run of the same job sends nothing
        pulses.enqueue(s, pulses.INVITE_TASK, {"invitation_id": invitation.id})
    assert worker.run_due() == 1 and len(mailbox.messages) == 1


def test_the_scheduler_opens_one_wave_per_period_with_two_workers(db):
    with db.transaction() as s:
        for n in range(3):
            create_employee(s, EmployeeIn(external_id=f"E{n}", team="Ops"), None)
        pulses.create_pulse(s, PulseIn(key="monthly", kind="enps", cadence="monthly"), None)
        pulses.create_pulse(s, PulseIn(key="quarterly", kind="enablement", cadence="quarterly"), None)
    fast = Settings(database_url=db.url, job_poll_s=0.02, job_workers=2)
    workers = [LocalWorker(db, fast).start(), LocalWorker(db, fast).start()]
    try:
        starters = [threading.Thread(target=pulses.start_pulses, args=(db,)) for _ in range(2)]
        for t in starters:
            t.start()
        for t in starters:
            t.join()
        tomorrow = f"{pulses.SCHEDULE_TASK}:{(utcnow().date() + timedelta(days=1)).isoformat()}"

        def settled() -> bool:
            with db.reader() as s:
                return s.scalar(select(func.count()).select_from(Job).where(Job.idempotency_key == tomorrow)) == 1

        eventually(settled, what="tomorrow's scheduler queued")
        pulses.open_due_waves(db, utcnow().date())  # a third, late run finds nothing due
    finally:
        for w in workers:
            w.stop()
    with db.reader() as s:
        waves = s.execute(select(PulseWave.pulse_id, PulseWave.period_key)).all()
        assert len(waves) == 2 and len({w[0] for w in waves}) == 2
        assert s.scalar(select(func.count()).select_from(PulseInvitation)) == 6
        today_jobs = s.scalar(select(func.count()).select_from(Job).where(Job.name == pulses.SCHEDULE_TASK))
        assert today_jobs == 2  # today's (ran once) and tomorrow's


def test_period_keys():
    from datetime import date

    assert pulses.period_key("monthly", date(2026, 11, 30)) == "2026-11"
    assert pulses.period_key("quarterly", date(2026, 11, 30)) == "2026-Q4"
    assert pulses.period_key("quarterly", date(2026, 1, 1)) == "2026-Q1"
    assert pulses.period_key("once", date(2026, 1, 1)) == "once"
