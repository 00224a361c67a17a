"""The mirror in a real browser: an employee answers a mirror pulse from their own link, and a manager
reads the delivery gap — what the team believes customers give against what customers gave."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import func, select

from centric.config import Settings
from centric.db import utcnow
from centric.mirror.models import PulseAnswer, PulseInvitation, PulseResponse
from centric.mirror.pulses import create_pulse, issue_link, open_wave, submit
from centric.mirror.schemas import EmployeeIn, PulseIn
from centric.mirror.staff import create_employee
from centric.web.app import create_app
from tests.e2e.serving import free_port, serving
from tests.e2e.test_browser import CHROMIUM, FLAGS
from tests.factories import PASSWORD, make_journey, make_user, respond

K = 3


@pytest.fixture
def mirror_server(sqlite_db):  # type: ignore[no-untyped-def]
    port = free_port()
    today = utcnow()
    with sqlite_db.transaction() as s:
        make_journey(s)  # check-in is owned by Front Office and asked about in NPS
        make_user(s, "manager", email="mia@example.com")
        staff = [create_employee(s, EmployeeIn(email=f"fo{n}@example.com", name=f"Front {n}", team="Front Office",
                                               location="London", touchpoints=["check-in"]), None) for n in range(4)]
        pulse = create_pulse(s, PulseIn(key="mirror", kind="mirror", cadence="quarterly"), None)
        wave = open_wave(s, pulse, (today - timedelta(days=3)).date())
        links = {}
        for invitation in s.scalars(select(PulseInvitation).where(PulseInvitation.wave_id == wave.id)):
            links[invitation.employee_id] = issue_link(s, invitation)  # what the invitation e-mail carries
        for colleague in staff[1:3]:  # two colleagues answered already: 60 each
            assert submit(s, links[colleague.id], {"guess:check-in": "60"}).state == "thanks"
        for n, score in enumerate([10] * 3 + [8] * 3 + [3] * 4):  # customers: NPS 3 × 100 − 4 × 100 over 10 = −10
            respond(s, "rnps", score, touchpoint="check-in", when=today - timedelta(days=5, hours=n),
                    email=f"guest{n}@example.com")
        employee_link = links[staff[0].id]
    # No job workers: the invitation e-mails would issue new links (their own tests cover them).
    settings = Settings(database_url=sqlite_db.url, public_url=f"http://127.0.0.1:{port}", job_workers=0,
                        mirror_min_group=K)
    with serving(create_app(settings, sqlite_db), port):
        yield f"http://127.0.0.1:{port}", sqlite_db, employee_link


def test_an_employee_answers_a_pulse_and_a_manager_reads_the_delivery_gap(mirror_server) -> None:  # type: ignore[no-untyped-def]
    server, db, link = mirror_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        employee = browser.new_page()
        employee.goto(f"{server}/e/{link}")
        guess = employee.locator("input[name='guess:check-in']")
        expect(guess).to_be_visible()
        guess.fill("90")
        employee.get_by_role("button", name="Send my answers").click()
        expect(employee.locator("body")).to_contain_text(re.compile("thank", re.I))
        employee.goto(f"{server}/e/{link}")  # the link answers once
        expect(employee.locator("body")).to_contain_text(re.compile("already", re.I))

        manager = browser.new_page()
        manager.goto(server + "/login")
        manager.get_by_label("E-mail").fill("mia@example.com")
        manager.get_by_label("Password").fill(PASSWORD)
        manager.get_by_role("button", name="Log in").click()
        manager.goto(server + "/mirror/gap")
        expect(manager.locator("#gap-headline")).to_contain_text("100% of teams believe customers rate them higher")
        front = manager.locator("#gap-teams tr", has_text="Front Office")
        # staff predict (60 + 60 + 90) / 3 = 70; customers give −10: a gap of +80
        expect(front).to_contain_text("70.0")
        expect(front).to_contain_text("-10.0")
        expect(front).to_contain_text("+80.0")
        browser.close()

    with db.reader() as s:
        # three anonymous responses, none of them tied to a person; the link is spent
        assert s.scalar(select(func.count()).select_from(PulseResponse)) == 3
        assert sorted(s.scalars(select(PulseAnswer.number))) == [60.0, 60.0, 90.0]
        assert s.scalar(select(func.count()).select_from(PulseInvitation).where(PulseInvitation.answered)) == 3
