"""The ideas portal in a real browser: a guest arrives from a survey's thank-you page already
signed in, is shown the existing idea while typing a new one, votes for it instead of posting,
and hears by e-mail (a real SMTP server) when staff mark it done."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import func, select

from centric.config import Settings
from centric.customers.schemas import CustomerIn
from centric.customers.service import find_by_identity
from centric.ideas.models import Board, Idea, IdeaNotice, IdeaVote
from centric.journeys.models import Event
from centric.outreach.schemas import InvitationIn
from centric.outreach.service import invite
from centric.surveys.schemas import SurveyIn, SurveyOptions
from centric.surveys.service import create_survey
from centric.surveys.templates import TEMPLATES
from centric.web.app import create_app
from tests.e2e.serving import free_port, serving
from tests.e2e.test_browser import CHROMIUM, FLAGS
from tests.factories import PASSWORD, make_journey, make_user
from tests.outreach.conftest import smtp  # noqa: F401

SURVEY_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/s/[^\s\"<>]+)")
IDEA_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/ideas/i/\d+[^\s\"<>]*)")
OTHER_IDEAS = ("Dark mode in the app", "Pet-friendly rooms", "Airport shuttle every 30 minutes",
               "More sockets by the bed", "Quiet rooms away from the lifts")


def _link(message, pattern: re.Pattern[str]) -> str:  # type: ignore[no-untyped-def]
    found = pattern.search(message.get_body(preferencelist=("plain",)).get_content())
    assert found, "the e-mail holds the link"
    return found.group(1)


@pytest.fixture
def portal(sqlite_db, smtp):  # noqa: F811
    controller, mailbox = smtp
    port = free_port()
    server = f"http://127.0.0.1:{port}"
    with sqlite_db.transaction() as s:
        make_journey(s)
        make_user(s, "manager", email="max@example.com")
        board = Board(key="stays", names={"en": "Stays", "zh": "住宿"}, descriptions={})
        s.add(board)
        s.flush()
        for title in ("Express check-in in the app", *OTHER_IDEAS):
            s.add(Idea(board_id=board.id, title=title, author_name="Harbour & Pine", source="staff"))
        create_survey(s, SurveyIn(key="rel", name="Relationship NPS", touchpoint="check-in",
                                  questions=TEMPLATES["relationship-nps"].questions,
                                  options=SurveyOptions(ideas_url=f"{server}/ideas/b/stays")))
    settings = Settings(database_url=sqlite_db.url, public_url=server, smtp_host="127.0.0.1",
                        smtp_port=controller.port, smtp_timeout_s=5, job_poll_s=0.05, job_workers=2)
    with serving(create_app(settings, sqlite_db), port):
        yield server, sqlite_db, mailbox


def test_a_guest_votes_for_the_existing_idea_and_hears_when_it_is_done(portal):
    server, db, mailbox = portal
    with db.transaction() as s:
        assert invite(s, InvitationIn(survey="rel", customer=CustomerIn(email="gia@example.com",
                                                                        name="Gia Guest"))).invited
        express = s.scalar(select(Idea.id).where(Idea.title == "Express check-in in the app"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        guest = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        dialogs: list[str] = []
        guest.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        # 1. the guest answers the survey as a passive; the thank-you page invites ideas, already signed in
        guest.goto(_link(mailbox.wait(1)[0], SURVEY_LINK))
        guest.get_by_role("radio", name="7", exact=True).check()
        guest.locator("button[type=submit]").click()
        while guest.locator("button[type=submit]").count() and "/thanks" not in guest.url:
            guest.locator("button[type=submit]").click()
        expect(guest).to_have_url(re.compile(r"/thanks"))
        with guest.expect_popup() as opened:  # the link opens a new tab (the survey may sit in a widget)
            guest.get_by_role("link", name="Share an idea").click()
        guest = opened.value
        guest.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        expect(guest.get_by_text("Signed in as Gia Guest")).to_be_visible()
        expect(guest).not_to_have_url(re.compile(r"[?&]t="))  # the token left the address bar

        # 2. while she types, the portal shows the idea that exists already
        guest.get_by_role("link", name="Post an idea").click()
        guest.get_by_label("Title").fill("Check in online before I arrive")
        suggestions = guest.locator("#idea-suggestions")
        expect(suggestions.get_by_role("link", name="Express check-in in the app")).to_be_visible()

        # 3. without posting, the check step offers it again; she votes for it instead
        guest.get_by_role("button", name="Continue").click()
        expect(guest.get_by_role("heading", name="Check before posting")).to_be_visible()
        guest.get_by_role("button", name="Vote for this instead").first.click()
        expect(guest).to_have_url(re.compile(rf"/ideas/i/{express}\b"))
        expect(guest.get_by_text("You support this idea.").first).to_be_visible()
        expect(guest.get_by_text("1 vote", exact=True)).to_be_visible()

        # 4. a manager marks the idea done with a public note
        staff = browser.new_page()
        staff.goto(server + "/login")
        staff.get_by_label("E-mail").fill("max@example.com")
        staff.get_by_label("Password").fill(PASSWORD)
        staff.get_by_role("button", name="Log in").click()
        staff.goto(f"{server}/manage/ideas/{express}")
        staff.get_by_label("Move to").select_option("done")
        staff.get_by_label("Public note").fill("Live in every hotel: check in from the app.")
        staff.get_by_role("button", name="Change status").click()
        expect(staff.get_by_text("Live in every hotel: check in from the app.").first).to_be_visible()

        # 5. the "done" e-mail reaches the guest, with a way out; its link opens the idea
        done = mailbox.wait(2)[1]
        assert done["To"] == "gia@example.com" and "done" in done["Subject"]
        assert "List-Unsubscribe" in done and "Live in every hotel" in done.get_body(("plain",)).get_content()
        guest.goto(_link(done, IDEA_LINK))
        expect(guest.get_by_text("Live in every hotel: check in from the app.").first).to_be_visible()
        assert dialogs == []
        browser.close()

    with db.reader() as s:
        customer = find_by_identity(s, "email", "gia@example.com")
        assert customer is not None
        votes = s.scalars(select(IdeaVote).where(IdeaVote.customer_id == customer.id)).all()
        assert [v.idea_id for v in votes] == [express]
        assert s.scalar(select(func.count()).select_from(Idea)) == 1 + len(OTHER_IDEAS)  # nothing new was posted
        assert s.scalar(select(Idea.vote_count).where(Idea.id == express)) == 1
        assert s.scalar(select(func.count()).select_from(Event).where(
            Event.customer_id == customer.id, Event.kind == "idea_vote")) == 1  # on her timeline
        notices = s.scalars(select(IdeaNotice).where(IdeaNotice.customer_id == customer.id)).all()
        assert [n.state for n in notices] == ["sent"]
