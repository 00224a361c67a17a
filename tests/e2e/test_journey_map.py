"""The journey map in a real browser: a manager opens the demo hotel's stay journey, looks at it
through one persona's eyes, compares two personas, and redesigns a touchpoint in place."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from centric.accounts.models import AuditLog
from centric.config import Settings
from centric.demo import generate_demo
from centric.journeys.models import Journey, Touchpoint
from centric.web.app import create_app
from tests.e2e.serving import free_port, serving
from tests.e2e.test_browser import CHROMIUM, FLAGS
from tests.factories import PASSWORD, make_user


@pytest.fixture
def hotel(sqlite_db):
    generate_demo(sqlite_db, customers=400, months=6, seed=3, today=date(2026, 3, 15))
    with sqlite_db.transaction() as s:
        make_user(s, "manager", email="mia@example.com")
        journey_id = s.scalar(select(Journey.id).where(Journey.key == "stay"))
    port = free_port()
    settings = Settings(database_url=sqlite_db.url, job_workers=0)
    with serving(create_app(settings, sqlite_db), port):
        yield f"http://127.0.0.1:{port}", sqlite_db, journey_id


def test_a_manager_reads_the_map_by_persona_and_redesigns_a_touchpoint(hotel):
    server, db, journey_id = hotel
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server + "/login")
        page.get_by_label("E-mail").fill("mia@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        # 1. the map of the stay journey: stages left to right, a card per touchpoint
        page.goto(server + "/journeys")
        page.get_by_role("row", name=re.compile("Guest stay")).get_by_role("link", name="Journey map").click()
        expect(page).to_have_url(re.compile(rf"/journeys/{journey_id}/map"))
        for stage in ("Discover", "Book", "Stay", "Check-out", "After stay"):
            expect(page.get_by_role("heading", name=stage, exact=True, level=2)).to_be_visible()
        check_in = page.locator("article.tp", has=page.get_by_role("heading", name="Check-in", exact=True, level=3))
        expect(check_in.get_by_text("designed +2")).to_be_visible()
        expect(page.locator("svg").first).to_be_visible()  # the emotion curve
        expect(page.locator("#map-png")).to_be_visible()  # the PNG export, when scripts run

        # 2. through one persona's eyes, then two side by side
        page.get_by_label("Persona / segment").select_option("business")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"segment=business"))
        page.get_by_label("Compare with").select_option("family")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"compare=family"))
        expect(check_in.locator(".compare")).to_be_visible()

        # 3. the Front Office redesigns check-in: a pain point until the new desk opens
        check_in.locator("details.edit summary").click()
        check_in.get_by_label("Designed emotion").select_option("-1")
        check_in.get_by_label("Event kinds (comma-separated)").fill("stay, arrival")
        check_in.get_by_role("button", name="Save").click()
        expect(page).to_have_url(re.compile(r"segment=business"))  # back to the same view
        expect(check_in.get_by_text("designed -1")).to_be_visible()
        assert errors == []
        browser.close()

    with db.reader() as s:
        touchpoint = s.scalars(select(Touchpoint).where(Touchpoint.key == "check-in")).one()
        assert touchpoint.designed_emotion == -1 and touchpoint.event_kinds == ["stay", "arrival"]
        audited = s.scalars(select(AuditLog).where(AuditLog.entity == "touchpoint",
                                                   AuditLog.entity_id == str(touchpoint.id))).all()
        assert audited, "the edit is in the audit log"
