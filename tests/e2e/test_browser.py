"""A real browser (Debian's chromium driven by Playwright): staff log in, customers answer surveys."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import sync_playwright

from centric.config import Settings
from centric.surveys.schemas import SurveyIn
from centric.surveys.service import create_survey
from centric.surveys.templates import TEMPLATES
from centric.web.app import create_app
from tests.e2e.serving import free_port, serving
from tests.factories import PASSWORD, make_journey, make_user, respond

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(sqlite_db):
    with sqlite_db.transaction() as s:
        make_journey(s)
        make_user(s, "admin")
        start = datetime(2026, 1, 15)
        for i in range(60):
            respond(s, "rnps", i % 11, email=f"c{i}@example.com", touchpoint="check-in",
                    when=start + timedelta(days=5 * i), comment="<img src=x onerror=alert(1)>" if i == 3 else None)
        create_survey(s, SurveyIn(key="rel", name="Relationship NPS", questions=TEMPLATES["relationship-nps"].questions,
                                  languages=["en", "zh"], touchpoint="check-in"))
    app = create_app(Settings(database_url=sqlite_db.url), sqlite_db)
    with serving(app, free_port()) as url:
        yield url


def test_login_and_dashboard_in_chromium(server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server + "/")
        assert "/login" in page.url
        page.get_by_label("E-mail").fill("admin@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(server + "/")
        assert page.get_by_role("heading", name="Overview").is_visible()
        nps_tile = page.locator('[data-metric="nps"]')
        assert "n = 60" in nps_tile.inner_text()
        page.wait_for_selector("#chart-nps svg")  # ECharts drew the trend from vendored assets
        page.get_by_role("link", name="Customers").click()
        page.get_by_role("link", name="Customer 4", exact=True).click()
        assert page.get_by_text("<img src=x onerror=alert(1)>").is_visible()
        assert dialogs == []  # customer text never runs as script
        browser.close()


def test_customer_answers_on_a_phone_without_javascript_by_keyboard(server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(java_script_enabled=False, viewport={"width": 390, "height": 844},
                                locale="zh-CN")
        page.goto(server + "/s/rel")
        assert page.locator("html").get_attribute("lang") == "zh"  # the browser's language is honoured
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        low = page.get_by_role("radio", name="3", exact=True)
        low.focus()
        page.keyboard.press("Space")  # radios are reachable and selectable from the keyboard
        assert low.is_checked()
        page.get_by_role("textbox").first.fill("<script>alert(1)</script> 入住太慢")
        page.locator("button[type=submit]").click()
        assert page.locator("textarea[name=improve]").count() == 1  # the follow-up asked because NPS ≤ 6
        page.locator("textarea[name=improve]").fill("多派员工")
        page.locator("button[type=submit]").click()
        assert "/s/rel/thanks" in page.url
        browser.close()
