"""The closed loop in a real browser: a detractor's answer becomes a case, the agent writes to the
customer (a real SMTP server), closes the case with a root cause, and the customer answers the
recovery survey that the close sent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from centric.accounts.models import Team, User
from centric.config import Settings
from centric.customers.schemas import CustomerIn
from centric.loop.models import AlertRule, Case, CaseActivity, RootCause
from centric.outreach.schemas import InvitationIn
from centric.outreach.service import invite
from centric.surveys.models import Response
from centric.surveys.schemas import SurveyIn
from centric.surveys.service import create_survey
from centric.surveys.templates import TEMPLATES
from centric.web.app import create_app
from tests.e2e.serving import free_port, serving
from tests.e2e.test_browser import CHROMIUM, FLAGS
from tests.factories import PASSWORD, make_journey, make_user
from tests.outreach.conftest import smtp  # noqa: F401

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/s/[^\s\"<>]+)")


def _link_in(message) -> str:  # type: ignore[no-untyped-def]
    found = LINK.search(message.get_body(preferencelist=("plain",)).get_content())
    assert found, "the e-mail holds a survey link"
    return found.group(1)


@pytest.fixture
def loop_server(sqlite_db, smtp):  # noqa: F811
    controller, mailbox = smtp
    port = free_port()
    with sqlite_db.transaction() as s:
        make_journey(s)  # Check-in is owned by the Front Office team
        agent = make_user(s, "agent", email="ana@example.com")
        agent.team_id = s.scalar(select(Team.id).where(Team.name == "Front Office"))
        create_survey(s, SurveyIn(key="rel", name="Relationship NPS", touchpoint="check-in",
                                  questions=TEMPLATES["relationship-nps"].questions))
        create_survey(s, SurveyIn(key="sorry", name="How did we do?", kind="csat"))
        s.add(RootCause(code="front-desk", name="Front desk"))
        s.flush()
        s.add(RootCause(code="front-desk/wait", name="Long wait at check-in",
                        parent_id=s.scalar(select(RootCause.id).where(RootCause.code == "front-desk"))))
        s.add(AlertRule(name="Detractor", applies_to="response", severity=3,
                        condition={"all": [{"field": "nps", "op": "lte", "value": 6}]},
                        actions={"open_case": True}, followup={"recovery_survey": "sorry"}))
    settings = Settings(database_url=sqlite_db.url, public_url=f"http://127.0.0.1:{port}", smtp_host="127.0.0.1",
                        smtp_port=controller.port, smtp_timeout_s=5, job_poll_s=0.05, job_workers=2)
    with serving(create_app(settings, sqlite_db), port):
        yield f"http://127.0.0.1:{port}", sqlite_db, mailbox


def test_a_detractor_is_called_back_and_the_recovery_is_measured(loop_server):
    server, db, mailbox = loop_server
    with db.transaction() as s:
        assert invite(s, InvitationIn(survey="rel", customer=CustomerIn(email="guest@example.com",
                                                                        name="Gia Guest"))).invited
    invitation = mailbox.wait(1)[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        guest = browser.new_page()
        dialogs: list[str] = []
        guest.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        # 1. the guest answers the invitation: a detractor, with a comment
        guest.goto(_link_in(invitation))
        guest.get_by_role("radio", name="2", exact=True).check()
        guest.get_by_role("textbox").first.fill("Waited 40 minutes at check-in <script>alert(1)</script>")
        guest.locator("button[type=submit]").click()
        if guest.locator("textarea[name=improve]").count():
            guest.locator("textarea[name=improve]").fill("More staff at the desk")
            guest.locator("button[type=submit]").click()
        expect(guest).to_have_url(re.compile(r"/thanks"))

        # 2. the agent of the owning team finds the case in the inbox
        agent = browser.new_page()
        agent.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        agent.goto(server + "/login")
        agent.get_by_label("E-mail").fill("ana@example.com")
        agent.get_by_label("Password").fill(PASSWORD)
        agent.get_by_role("button", name="Log in").click()
        agent.goto(server + "/inbox")
        agent.get_by_role("link", name=re.compile("NPS 2")).first.click()
        expect(agent.get_by_text("Waited 40 minutes at check-in <script>alert(1)</script>").first).to_be_visible()

        # 3. she writes to the guest; the mail goes out through SMTP with an unsubscribe link
        agent.get_by_label("E-mail the customer").fill("Sorry about your wait")
        agent.get_by_label("E-mail text").fill("Dear Gia, we are sorry. Your next breakfast is on us.")
        agent.get_by_role("button", name="Send e-mail").click()
        reply = mailbox.wait(2)[1]
        assert reply["To"] == "guest@example.com" and reply["Subject"] == "Sorry about your wait"
        assert "List-Unsubscribe" in reply

        # 4. and closes the case with a root cause; the guest is recovered
        agent.reload()
        agent.get_by_label("Close with root cause").select_option("front-desk/wait")
        agent.get_by_label("Action taken").fill("Apologised, breakfast voucher")
        agent.locator("input[name=recovered][value=yes]").check()
        agent.get_by_role("button", name="Close case").click()
        expect(agent.get_by_text("closed").first).to_be_visible()

        # 5. the close sent the recovery survey; the guest answers it
        recovery = mailbox.wait(3)[2]
        assert recovery["To"] == "guest@example.com"
        guest.goto(_link_in(recovery))
        guest.get_by_role("radio", name="5", exact=True).first.check()
        guest.locator("button[type=submit]").click()
        expect(guest).to_have_url(re.compile(r"/thanks"))
        assert dialogs == []  # customer text never ran as script
        browser.close()

    with db.reader() as s:
        case = s.scalars(select(Case)).one()
        owner = s.get(User, case.owner_id) if case.owner_id else None
        assert owner is not None and owner.email == "ana@example.com"  # routed to the touchpoint's team
        assert case.status == "closed" and case.recovered == "yes" and case.root_cause_id is not None
        assert case.first_contact_at is not None and case.recovery_invitation_id is not None
        kinds = set(s.scalars(select(CaseActivity.kind).where(CaseActivity.case_id == case.id)))
        assert {"created", "contact", "status", "survey"} <= kinds
        answered = s.scalars(select(Response).where(Response.invitation_id == case.recovery_invitation_id)).all()
        assert len(answered) == 1
