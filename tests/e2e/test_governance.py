"""Governance in a real browser: a manager turns a costly root cause into an initiative, approves it,
marks it done, and reads its measured impact (difference in differences) on the initiative's page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from centric.accounts.models import AuditLog
from centric.config import Settings
from centric.db import utcnow
from centric.governance.models import Initiative, InitiativeApproval, InitiativeImpact, InitiativeLink
from centric.journeys.models import Touchpoint
from centric.loop.models import Case, RootCause
from centric.web.app import create_app
from tests.e2e.serving import free_port, serving
from tests.e2e.test_browser import CHROMIUM, FLAGS
from tests.factories import PASSWORD, make_journey, make_user, respond
from tests.jobs.waiting import eventually

DONE_DAYS_AGO = 30


def _wave(s, touchpoint: str, when: datetime, promoters: int, passives: int, detractors: int, tag: str) -> None:  # type: ignore[no-untyped-def]
    scores = [10] * promoters + [8] * passives + [3] * detractors
    for n, score in enumerate(scores):
        respond(s, "rnps", score, touchpoint=touchpoint, when=when + timedelta(minutes=10 * n),
                email=f"{tag}{n}@example.com")


@pytest.fixture
def governance_server(sqlite_db):  # type: ignore[no-untyped-def]
    port = free_port()
    today = utcnow()
    with sqlite_db.transaction() as s:
        make_journey(s)
        make_user(s, "manager", email="mia@example.com")
        # Check-in goes from NPS 0 to NPS 50 around the done day; the other touchpoints only from 0 to 10.
        before, after = today - timedelta(days=DONE_DAYS_AGO + 25), today - timedelta(days=DONE_DAYS_AGO - 3)
        _wave(s, "check-in", before, 36, 18, 36, "cb")
        _wave(s, "check-in", after, 54, 27, 9, "ca")
        for key in ("room", "check-out"):
            _wave(s, key, before, 36, 18, 36, f"{key}b")
            _wave(s, key, after, 36, 27, 27, f"{key}a")
        cause = RootCause(code="front-desk/wait", name="Long wait at check-in")
        s.add(cause)
        s.flush()
        check_in = s.scalar(select(Touchpoint.id).where(Touchpoint.key == "check-in"))
        for n in range(3):  # closed cases with this root cause put it on the ROI page's list
            s.add(Case(title=f"Waited at the desk {n}", source="manual", status="closed", touchpoint_id=check_in,
                       root_cause_id=cause.id, created_at=today - timedelta(days=9),
                       closed_at=today - timedelta(days=8)))
    settings = Settings(database_url=sqlite_db.url, public_url=f"http://127.0.0.1:{port}", job_poll_s=0.05,
                        job_workers=2)
    with serving(create_app(settings, sqlite_db), port):
        yield f"http://127.0.0.1:{port}", sqlite_db


def test_a_root_cause_becomes_an_approved_initiative_with_measured_impact(governance_server) -> None:  # type: ignore[no-untyped-def]
    server, db = governance_server
    done_on = (utcnow() - timedelta(days=DONE_DAYS_AGO)).date()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(server + "/login")
        page.get_by_label("E-mail").fill("mia@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        page.goto(server + "/roi")
        page.locator("a.propose-from-root-cause[data-code='front-desk/wait']").first.click()
        expect(page.locator("#initiative-origin")).to_have_value("root_cause")
        expect(page.locator("#initiative-problem")).to_contain_text("Long wait at check-in")
        page.locator("#initiative-title").fill("Express check-in lane")
        page.locator("#initiative-expected").fill("10")
        page.locator("#initiative-submit").click()

        expect(page.locator("#initiative-status")).to_have_attribute("data-status", "proposed")
        expect(page.locator("#initiative-links")).to_contain_text("Check-in")
        page.locator("#decision-note").fill("Worth it: the top cause by revenue at risk")
        page.locator("#approve-button").click()
        expect(page.locator("#initiative-status")).to_have_attribute("data-status", "approved")
        expect(page.locator("#initiative-approvals")).to_contain_text("Approved by")

        page.locator("#dice-duration").select_option("1")
        page.locator("#dice-button").click()
        expect(page.locator("#dice-history")).to_contain_text("win")

        page.locator("#status-select").select_option("in_progress")
        page.locator("#started-on").fill((done_on - timedelta(days=20)).isoformat())
        page.locator("#status-button").click()
        expect(page.locator("#initiative-status")).to_have_attribute("data-status", "in_progress")
        page.locator("#status-select").select_option("done")
        page.locator("#done-on").fill(done_on.isoformat())
        page.locator("#status-button").click()
        expect(page.locator("#initiative-status")).to_have_attribute("data-status", "done")

        # The impact job runs in the app's worker; the page shows the number once it is stored.
        def measured() -> bool:
            with db.reader() as s:
                return s.scalar(select(InitiativeImpact.effect)) is not None

        eventually(measured, timeout=30, what="the impact job")
        page.reload()
        effect = page.locator("#impact-effect")
        expect(effect).to_contain_text(re.compile(r"\+\d"))
        expect(page.locator("#impact")).to_contain_text("observational")
        expect(page.locator("#impact-assumptions")).to_contain_text("arallel trends")
        browser.close()

    with db.reader() as s:
        item = s.scalars(select(Initiative)).one()
        assert (item.status, item.origin, item.origin_ref, item.done_on) == ("done", "root_cause", "front-desk/wait",
                                                                             done_on)
        links = {(k, r) for k, r in s.execute(select(InitiativeLink.kind, InitiativeLink.ref_id))}
        assert ("root_cause", s.scalar(select(RootCause.id))) in links
        approval = s.scalars(select(InitiativeApproval)).one()
        assert approval.decision == "approved" and approval.user_id is not None and approval.note.startswith("Worth")
        impact = s.scalars(select(InitiativeImpact)).one()
        # NPS 0 → 50 at check-in against 0 → 10 elsewhere: a +40 difference in differences
        assert impact.effect == pytest.approx(40.0)
        assert impact.low is not None and impact.low > 0
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.entity == "initiative")))
        assert {"initiative.propose", "initiative.approve", "initiative.status"} <= actions
