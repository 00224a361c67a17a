"""The chat in a real browser (Chromium), on a real server with a real SMTP server.

A guest opens the widget on the hotel's page and asks in Chinese; the bot answers from the
knowledge base; she says it did not help, twice, and is handed to a person; an agent replies
from the case's page; the reply appears in her widget while it is open; she ends the chat
and answers the post-chat survey from its last message. A known guest whose chat an agent
closes gets the survey by e-mail instead.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select

from centric.accounts.signing import signing_key
from centric.chat.models import Conversation
from centric.config import Settings
from centric.customers.schemas import CustomerIn
from centric.customers.service import upsert_customer
from centric.customers.visitors import visitor_token
from centric.surveys.models import Answer, Response
from centric.web.app import create_app
from tests.chat.helpers import seed_kb
from tests.e2e.serving import free_port, serving
from tests.e2e.test_browser import CHROMIUM, FLAGS
from tests.factories import PASSWORD, make_journey, make_user
from tests.outreach.conftest import smtp  # noqa: F401

expect.set_options(timeout=30_000)  # a loaded 2-core machine: the first answer loads the Chinese segmenter
SURVEY_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/s/post-chat\?[^\s\"<>]+)")


@pytest.fixture
def site(sqlite_db, smtp):  # noqa: F811
    controller, mailbox = smtp
    port = free_port()
    server = f"http://127.0.0.1:{port}"
    with sqlite_db.transaction() as s:
        make_journey(s)
        make_user(s, "agent", email="ana@example.com")
        seed_kb(s)
    settings = Settings(database_url=sqlite_db.url, public_url=server, smtp_host="127.0.0.1",
                        smtp_port=controller.port, smtp_timeout_s=5, job_poll_s=0.05, job_workers=2)
    app = create_app(settings, sqlite_db)
    with serving(app, port):
        yield server, sqlite_db, mailbox, app


def _log_in(page: Page, server: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("E-mail").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + "/")


def _answer_survey(page: Page, csat: str, ces: str) -> None:
    page.locator(f'input[name="csat"][value="{csat}"]').check()
    if page.locator(f'input[name="ces"][value="{ces}"]').count():
        page.locator(f'input[name="ces"][value="{ces}"]').check()
    page.locator("button[type=submit]").click()
    while page.locator("button[type=submit]").count() and "/thanks" not in page.url:
        if page.locator(f'input[name="ces"][value="{ces}"]').count():
            page.locator(f'input[name="ces"][value="{ces}"]').check()
        page.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/thanks"))


def test_a_guest_asks_in_chinese_is_handed_to_an_agent_and_gets_the_survey(site):
    server, db, _mailbox, _app = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        guest = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
        dialogs: list[str] = []
        guest.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        guest.goto(server + "/help/chat/demo?lang=zh")

        # 1. she opens the widget (keyboard focus lands in the message box) and asks in Chinese
        guest.get_by_role("button", name="在线咨询").click()
        widget = guest.get_by_role("dialog", name="向我们提问")
        expect(widget).to_be_visible()
        message_box = widget.get_by_label("您的消息")
        expect(message_box).to_be_focused()
        message_box.fill("早餐几点开始？")
        message_box.press("Enter")
        log = widget.get_by_role("log")
        expect(log.get_by_text("早餐每天 6:30 至 10:30 在海港餐厅供应。")).to_be_visible()
        expect(log.get_by_role("link", name="早餐几点供应？")).to_have_attribute(
            "href", server + "/help/a/breakfast-hours-zh")
        expect(log.get_by_text("这个回答解决您的问题了吗？")).to_be_visible()

        # 2. it did not help; asked to rephrase, she says no again and is handed to a person
        log.get_by_role("button", name="否").click()
        expect(log.get_by_text("抱歉。您可以换个说法再问一次，或者转人工客服。")).to_be_visible()
        message_box.fill("没用")
        message_box.press("Enter")
        expect(log.get_by_text(re.compile("已为您转接我们的团队"))).to_be_visible()
        expect(widget.get_by_role("status")).to_have_text("正在等待工作人员回复…")
        with db.reader() as s:
            conversation = s.scalar(select(Conversation))
            assert conversation.status == "waiting" and conversation.handoff_reason == "unhelpful"
            assert conversation.language == "zh" and conversation.case_id is not None
            case_id = conversation.case_id

        # 3. an agent finds the chat, opens its case and replies from there
        agent = browser.new_page()
        _log_in(agent, server)
        agent.get_by_role("link", name="Chats").click()
        agent.locator(f'a[href="/chats/{conversation.id}"]').click()
        expect(agent.get_by_text("早餐几点开始？").first).to_be_visible()
        agent.locator(f'a[href="/cases/{case_id}"]').first.click()
        expect(agent).to_have_url(re.compile(rf"/cases/{case_id}$"))
        expect(agent.get_by_text("Language: zh", exact=False).first).to_be_visible()
        agent.get_by_label("Reply to the customer").fill("您好，我是 Ana。早餐在一楼海港餐厅，周末延长到 11 点。")
        agent.get_by_role("button", name="Send reply").click()
        expect(agent).to_have_url(re.compile(rf"/cases/{case_id}"))
        expect(agent.get_by_text("您好，我是 Ana。", exact=False).first).to_be_visible()

        # 4. the reply appears in the open widget by itself (Server-Sent Events), announced to screen readers
        expect(log.get_by_text("您好，我是 Ana。早餐在一楼海港餐厅，周末延长到 11 点。")).to_be_visible()
        expect(log).to_have_attribute("aria-live", "polite")

        # 5. she ends the chat; the survey's link is the last message and opens the survey
        widget.get_by_role("button", name="结束对话").click()
        expect(log.get_by_text("您已结束对话，谢谢！")).to_be_visible()
        survey_link = log.get_by_role("link", name="填写问卷")
        expect(survey_link).to_be_visible()
        with guest.expect_popup() as opened:
            survey_link.click()
        survey = opened.value
        _answer_survey(survey, csat="4", ces="6")
        assert dialogs == []
        browser.close()

    with db.reader() as s:
        conversation = s.get(Conversation, conversation.id)
        assert conversation.closed_by == "customer" and conversation.resolution == "handed_off"
        response = s.scalar(select(Response).where(Response.invitation_id == conversation.survey_invitation_id))
        answers = {a.metric: a.number for a in s.scalars(select(Answer).where(Answer.response_id == response.id))}
        assert answers["csat"] == 4 and answers["ces"] == 6


def test_a_known_guest_whose_chat_an_agent_closes_gets_the_survey_by_email(site):
    server, db, mailbox, app = site
    with db.transaction() as s:
        customer = upsert_customer(s, CustomerIn(email="mei@example.com", name="Mei"))
        token = visitor_token(signing_key(s, app.state.settings.secret_key), customer.id, 3600)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        guest = browser.new_page()
        guest.goto(f"{server}/help/chat/demo?t={token}")
        guest.get_by_role("button", name="Chat with us").click()
        widget = guest.get_by_role("dialog", name="Ask us")
        widget.get_by_label("Your message").fill("I want to talk to a person")
        widget.get_by_label("Your message").press("Enter")
        expect(widget.get_by_text(re.compile("A person will reply here"))).to_be_visible()
        with db.reader() as s:
            conversation = s.scalar(select(Conversation))
            assert conversation.customer_id == customer.id
        agent = browser.new_page()
        _log_in(agent, server)
        agent.goto(f"{server}/chats/{conversation.id}")
        agent.get_by_label("Reply to the customer").fill("Hello Mei, your room is ready.")
        agent.get_by_role("button", name="Send reply").click()
        agent.get_by_role("button", name="Close the chat").click()
        expect(widget.get_by_text("Our team closed the chat. Thank you!")).to_be_visible()
        mail = mailbox.wait(1, timeout=20)[0]
        assert mail["To"] == "mei@example.com"
        link = SURVEY_LINK.search(mail.get_body(preferencelist=("plain",)).get_content()).group(1)
        page = browser.new_page()
        page.goto(link)
        _answer_survey(page, csat="5", ces="7")
        browser.close()
