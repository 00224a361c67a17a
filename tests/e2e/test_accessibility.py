"""Accessibility, checked: axe-core (vendored, ``tests/e2e/vendor``) runs in Chromium on every page,
staff and public, at phone and desktop widths, and any WCAG 2.0/2.1 A or AA violation fails.

The pages come from a generated demo company: the staff pages from the navigation as an admin
sees it, the detail pages (a customer, a case, a survey editor, a persona…) and the public pages
(survey, ideas portal, help centre, chat) from ids found in its database. A second test checks
that every HTML page the app serves is on that list, so a new page cannot skip the check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import iter_route_contexts
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import func, select

from centric.accounts.signing import signing_key
from centric.chat.models import ChatMessage
from centric.config import Settings
from centric.customers.models import Customer, Segment
from centric.customers.visitors import visitor_token
from centric.db import Database, utcnow
from centric.demo import generate_demo
from centric.governance import digests
from centric.governance.models import Initiative
from centric.ideas.models import Board, Idea
from centric.journeys.models import Event, Journey
from centric.kb.models import KbArticle, KbCategory
from centric.loop.models import AlertRule, Case
from centric.mirror import pulses
from centric.mirror.models import MaturityAssessment, PulseInvitation
from centric.mirror.schemas import PulseIn
from centric.outreach.unsubscribe import unsubscribe_token
from centric.surveys.models import Survey
from centric.web.app import create_app
from tests.e2e.serving import free_port, serving
from tests.e2e.test_browser import CHROMIUM, FLAGS
from tests.factories import PASSWORD, make_user

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
         "resultTypes": ["violations"]}  # details of the violations only: a faster run, the same rules
RUN_AXE = f"async () => {{ const r = await axe.run(document, {json.dumps(RULES)}); return r.violations; }}"
STAFF_EMAIL = "a11y@example.com"


@dataclass
class Site:
    url: str
    db: Database
    staff: list[str] = field(default_factory=list)  # paths, besides the navigation's
    public: list[str] = field(default_factory=list)
    survey: str = ""
    board: str = ""
    idea: int = 0
    visitor: str = ""  # a guest's sign-in token for the ideas portal
    checked: list[str] = field(default_factory=list)  # every path axe ran on


@dataclass(frozen=True)
class Violation:
    url: str
    width: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:5]) + (f" (+{len(self.targets) - 5} more)" if len(self.targets) > 5 else "")
        return f"{self.url} [{self.width}] {self.rule} ({self.impact}): {self.help} — {shown}"


def _first(session: Any, statement: Any) -> Any:
    value = session.scalar(statement.limit(1))
    assert value is not None, f"the demo holds no row for {statement}"
    return value


def _pages(session: Any, settings: Settings, site: Site) -> None:
    """Detail and public paths, with ids of the richest demo rows (the most to render)."""
    customer = _first(session, select(Event.customer_id).group_by(Event.customer_id)
                      .order_by(func.count().desc(), Event.customer_id))
    case = _first(session, select(Case.id).where(Case.customer_id.is_not(None)).order_by(Case.id))
    chat = _first(session, select(ChatMessage.conversation_id).group_by(ChatMessage.conversation_id)
                  .order_by(func.count().desc(), ChatMessage.conversation_id))
    survey = _first(session, select(Survey.key).where(Survey.status == "active").order_by(Survey.id))
    initiative = _first(session, select(Initiative.id).order_by(Initiative.id))
    persona = _first(session, select(Segment.key).where(Segment.kind == "persona").order_by(Segment.id))
    personas = session.scalars(select(Segment.key).where(Segment.kind == "persona").order_by(Segment.id).limit(2))
    journey = _first(session, select(Journey.id).order_by(Journey.id))
    idea = _first(session, select(Idea.id).where(Idea.moderation == "approved", Idea.duplicate_of_id.is_(None))
                  .order_by(Idea.comment_count.desc(), Idea.id))
    board = _first(session, select(Board.key).where(Board.active.is_(True)).order_by(Board.position, Board.id))
    article = _first(session, select(KbArticle.id).where(KbArticle.status == "published").order_by(KbArticle.id))
    slug = _first(session, select(KbArticle.slug).where(KbArticle.status == "published").order_by(KbArticle.id))
    category = _first(session, select(KbCategory.key).order_by(KbCategory.id))
    rule = _first(session, select(AlertRule.id).order_by(AlertRule.id))
    assessment = _first(session, select(MaturityAssessment.id).order_by(MaturityAssessment.id))
    wave = pulses.open_wave(session, pulses.create_pulse(session, PulseIn(key="a11y", kind="enps"), None),
                            utcnow().date())  # the demo's waves have closed: an employee's link to an open one
    invitation = _first(session, select(PulseInvitation).where(PulseInvitation.wave_id == wave.id)
                        .order_by(PulseInvitation.id))
    pulse_token = pulses.issue_link(session, invitation)
    guest = _first(session, select(Customer.id).order_by(Customer.id))
    staff = [
        f"/customers/{customer}", f"/customers/{customer}/privacy", "/merge-suggestions",
        f"/cases/{case}", "/cases/workload", f"/chats/{chat}",
        f"/surveys/{survey}", f"/surveys/{survey}/edit", f"/surveys/{survey}/preview",
        "/initiatives/new", f"/initiatives/{initiative}",
        f"/personas/{persona}", f"/personas/compare?keys={','.join(personas)}", "/segments/new",
        f"/segments/{persona}/edit", f"/journeys/{journey}/map", f"/journeys/{journey}/analytics",
        "/manage/ideas/new", f"/manage/ideas/{idea}", f"/manage/ideas/{idea}/effect", "/manage/ideas/boards",
        "/manage/ideas/moderation", "/kb/articles/new", f"/kb/articles/{article}",
        f"/kb/articles/{article}/history", "/kb/categories", "/kb/import", f"/alert-rules/{rule}/preview",
        "/mirror/maturity/new", f"/mirror/maturity/{assessment}", "/mirror/cx-index",
        "/themes/taxonomy", "/themes/proposals",
    ]
    user = _first(session, select(digests.User.id).where(digests.User.email == STAFF_EMAIL))
    public = [
        "/login", "/ideas", f"/ideas/b/{board}", f"/ideas/b/{board}/new", f"/ideas/i/{idea}", "/ideas/login",
        "/help", f"/help/c/{category}", f"/help/a/{slug}", "/help/search?q=breakfast", "/help/chat",
        f"/e/{pulse_token}", f"/u/{unsubscribe_token(session, settings, guest)}",
        f"/digest/unsubscribe?token={digests.unsubscribe_token(session, settings, user)}",
    ]  # the survey's pages, its thank-you page included, as a respondent answers it: see _public_pages
    site.staff, site.public, site.survey, site.board, site.idea = staff, public, survey, board, idea
    site.visitor = visitor_token(signing_key(session, settings.secret_key), guest, 3600)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('a11y') / 'demo.db'}")
    generate_demo(db, customers=800, months=18, seed=7)  # the fewest guests with customer values (ideas need them)
    port = free_port()
    settings = Settings(database_url=db.url, public_url=f"http://127.0.0.1:{port}", job_workers=0)  # no mail to send
    with db.transaction() as s:
        make_user(s, "admin", email=STAFF_EMAIL)
    site = Site(url=f"http://127.0.0.1:{port}", db=db)
    with db.transaction() as s:
        _pages(s, settings, site)
    with serving(create_app(settings, db), port):
        yield site
    db.dispose()


class Checker:
    """Runs axe on the page at both widths and keeps what it finds."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.found: list[Violation] = []

    def check(self, page: Page, label: str | None = None) -> None:
        path = page.url.removeprefix(self.site.url)
        self.site.checked.append(path)
        sizes = list(WIDTHS.items())
        if page.viewport_size == WIDTHS["phone"]:
            sizes.reverse()  # start with the width the page has already
        for width, size in sizes:
            page.set_viewport_size(size)
            if page.evaluate("typeof axe") == "undefined":
                page.add_script_tag(path=AXE)
            for v in page.evaluate(RUN_AXE):
                self.found.append(Violation(url=label or path, width=width, rule=v["id"], impact=v["impact"] or "",
                                            help=v["help"], targets=tuple(" ".join(n["target"]) for n in v["nodes"])))

    def visit(self, page: Page, path: str) -> None:
        response = page.goto(self.site.url + path)
        status = response.status if response is not None else 0
        if status != 200:  # kept with the violations, so that one run reports everything
            self.found.append(Violation(url=path, width="-", rule=f"http-{status}", impact="serious",
                                        help="the page did not load", targets=()))
        self.check(page, label=path)


def _context(browser: Browser, **options: Any) -> BrowserContext:
    # bypass_csp: the pages forbid inline scripts, and axe is injected as one
    return browser.new_context(viewport=WIDTHS["desktop"], bypass_csp=True, **options)


def _log_in(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.goto(url + "/login")
    page.locator("input[name=email]").fill(STAFF_EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(url + "/")
    return page


def _staff_pages(checker: Checker, browser: Browser) -> None:
    site = checker.site
    context = _context(browser, locale="en-US")
    page = _log_in(context, site.url)
    nav = page.eval_on_selector_all("nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    assert len(nav) > 20, nav
    for path in dict.fromkeys([*nav, *site.staff]):
        checker.visit(page, path)
    context.close()
    chinese = _context(browser, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = _log_in(chinese, site.url)
    assert (page.locator("html").get_attribute("lang") or "").startswith("zh")
    checker.check(page, label="/ (zh-CN)")
    chinese.close()


def _public_pages(checker: Checker, browser: Browser) -> None:
    site = checker.site
    context = _context(browser, locale="en-US")
    page = context.new_page()
    for path in site.public:
        checker.visit(page, path)
    # a respondent answers: the first question page, the next one, and so on to the thank-you page
    checker.visit(page, f"/s/{site.survey}")
    for _ in range(8):
        groups = page.eval_on_selector_all("input[type=radio]", "els => [...new Set(els.map(e => e.name))]")
        for name in groups:  # the top answer of each scale
            page.locator(f'input[type=radio][name="{name}"]').last.check()
        with page.expect_navigation():
            page.locator("button[type=submit]").last.click()
        if "/thanks" in page.url:
            break
        checker.check(page, label=page.url.removeprefix(site.url) + " (next page)")
    assert "/thanks" in page.url, f"the survey did not end on its thank-you page: {page.url}"
    checker.check(page, label=page.url.removeprefix(site.url) + " (thank-you page)")
    # a guest signed in from a link (as a survey's thank-you page sends them): voting and posting
    page.goto(f"{site.url}/ideas/b/{site.board}?t={site.visitor}")
    for path in (f"/ideas/b/{site.board}", f"/ideas/b/{site.board}/new", f"/ideas/i/{site.idea}"):
        checker.visit(page, path)
    # the chat widget on the demo hotel's page, closed and open
    checker.visit(page, "/help/chat/demo")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_role("dialog").wait_for()
    checker.check(page, label="/help/chat/demo (widget open)")
    context.close()


def test_every_page_passes_axe_at_phone_and_desktop_widths(site: Site) -> None:
    checker = Checker(site)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        _staff_pages(checker, browser)
        _public_pages(checker, browser)
        browser.close()
    missing = _unchecked_routes(site)
    counts: dict[str, int] = {}
    for v in checker.found:
        counts[v.rule] = counts.get(v.rule, 0) + max(1, len(v.targets))
    report = "\n".join(map(str, checker.found))
    assert not checker.found and not missing, (f"pages no accessibility check visits: {missing}\n"
                                               f"{len(checker.found)} axe violations {counts}:\n{report}")


def _unchecked_routes(site: Site) -> list[str]:
    """The app's HTML pages (GET routes outside /api) that no checked path matched."""
    app = create_app(Settings(database_url=site.db.url), site.db)
    checked = [c.split("?")[0].split(" ")[0] for c in site.checked]
    missing = []
    for route in iter_route_contexts(app.routes):
        response_class = getattr(route.original_route, "response_class", None)
        response_class = getattr(response_class, "value", response_class)
        html = isinstance(response_class, type) and issubclass(response_class, HTMLResponse)
        if "GET" not in (route.methods or ()) or route.path.startswith("/api") or not (html or route.path == "/login"):
            continue
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route.path)) + "$")
        if not any(pattern.match(path) for path in checked):
            missing.append(route.path)
    return missing
