"""Staff pages and staff e-mails in English and Chinese: the browser's language, the user's choice, the recipient's."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from centric import i18n
from centric.accounts.models import User
from centric.config import Settings
from centric.governance import digests, initiatives
from centric.governance.schemas import InitiativeIn
from centric.governance.target_schemas import TargetIn
from centric.governance.targets import create_target
from centric.jobs import LocalWorker
from centric.loop import alerts, sla
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.rule_schemas import RuleIn
from centric.loop.sla_jobs import fire
from centric.loop.sla_schemas import CalendarIn, EscalationStep, PolicyIn
from tests.api.conftest import app, client, tokens  # noqa: F401
from tests.api.test_pages import login
from tests.factories import make_journey, make_user, respond
from tests.outreach.conftest import mail_settings, smtp  # noqa: F401

CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_the_browser_s_chinese_gives_the_dashboard_and_the_inbox_in_chinese(client, tokens):  # noqa: F811
    assert login(client).status_code == 303
    dashboard = client.get("/", headers=CHINESE)
    assert dashboard.status_code == 200
    assert '<html lang="zh-CN">' in dashboard.text and dashboard.headers["content-language"] == "zh"
    assert "<h1>总览</h1>" in dashboard.text and ">收件箱</a>" in dashboard.text  # heading and navigation
    assert "每月 NPS" in dashboard.text and "NPS by month" not in dashboard.text
    inbox = client.get("/inbox", headers=CHINESE)
    assert inbox.status_code == 200 and inbox.headers["content-language"] == "zh"
    assert '<html lang="zh-CN">' in inbox.text and "<h1>收件箱" in inbox.text
    assert "键盘快捷键" in inbox.text and ">全部 <span" in inbox.text  # shortcuts help, the "All" queue tab
    assert "Keyboard shortcuts" not in inbox.text
    english = client.get("/inbox")  # no Accept-Language: English, as before
    assert '<html lang="en">' in english.text and "<h1>Inbox" in english.text
    assert english.headers["content-language"] == "en"


def test_every_page_of_the_loop_governance_and_customers_renders_in_chinese(client, tokens, db):  # noqa: F811
    with db.transaction() as s:
        admin = s.scalar(select(User).where(User.email == "admin@example.com"))
        assert admin is not None
        answer = respond(s, "rnps", 2, comment="Cold <b>room</b>", touchpoint="check-in")
        case = open_cases(s, [CaseDraft(title="Cold room", source="manual", owner_id=admin.id,
                                        customer_id=answer.customer_id)])[0]
        rule = alerts.create_rule(s, RuleIn(name="Detractors", condition={"all": [
            {"field": "nps", "op": "lte", "value": 6}]}), admin.id)
        office = sla.create_calendar(s, CalendarIn(name="Office", timezone="Europe/London",
                                                   periods={"mon": [("09:00", "17:00")]}, holiday_country="GB"))
        sla.create_policy(s, PolicyIn(name="Fast", first_contact_minutes=90, calendar_id=office.id, escalation=[
            EscalationStep(when="at_risk", target="first_contact", action="notify_owner")]))
        create_target(s, TargetIn(name="NPS up", metric="nps", threshold=20, owner_user_id=admin.id), admin.id)
        create_target(s, TargetIn(name="Keep them", metric="churn", threshold=5, owner_user_id=admin.id), admin.id)
        initiative = initiatives.propose(s, InitiativeIn(title="Warmer rooms", problem="Cold rooms"), admin)
        ids = {"case": case.id, "customer": answer.customer_id, "rule": rule.id, "initiative": initiative.id}
    assert login(client).status_code == 303
    pages = ["/", "/touchpoints", "/customers", f"/customers/{ids['customer']}", "/merge-suggestions", "/value",
             "/roi", "/drivers", "/drivers?by=themes", "/inbox", f"/cases/{ids['case']}", "/cases/workload", "/loop",
             "/alert-rules", f"/alert-rules/{ids['rule']}/preview", "/sla", "/targets", "/scorecards",
             "/initiatives", "/initiatives/new", f"/initiatives/{ids['initiative']}", "/digest", "/council"]
    for path in pages:
        page = client.get(path, headers=CHINESE)
        assert page.status_code == 200, (path, page.text[:300])
        assert '<html lang="zh-CN">' in page.text and page.headers["content-language"] == "zh", path
        assert "<b>room</b>" not in page.text, path  # customer text stays escaped in every language
    assert "服务时限" in client.get("/sla", headers=CHINESE).text
    case_page = client.get(f"/cases/{ids['case']}", headers=CHINESE).text
    assert "处理记录" in case_page and "关闭工单" in case_page and 'id="loop-words"' in case_page


def test_the_chosen_language_wins_over_the_browser_and_can_be_cleared(client, tokens, db):  # noqa: F811
    assert login(client, "manager@example.com").status_code == 303
    token = _csrf(client.get("/", headers=ENGLISH).text)
    chosen = client.post("/account/language", data={"csrf": token, "language": "zh", "next": "/loop"},
                         follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/loop"
    with db.reader() as s:
        assert s.scalar(select(User.locale).where(User.email == "manager@example.com")) == "zh"
    loop = client.get("/loop", headers=ENGLISH)
    assert '<html lang="zh-CN">' in loop.text and "<h1>闭环</h1>" in loop.text
    assert loop.headers["content-language"] == "zh"
    back = client.post("/account/language", data={"csrf": token, "language": ""}, follow_redirects=False)
    assert back.status_code == 303
    assert '<html lang="en">' in client.get("/loop", headers=ENGLISH).text
    assert "<h1>闭环</h1>" in client.get("/loop", headers=CHINESE).text  # the browser's choice again
    wrong = client.post("/account/language", data={"csrf": token, "language": "fr"})
    assert wrong.status_code == 422 and "unknown language 'fr'" in wrong.text
    with db.reader() as s:
        assert s.scalar(select(User.locale).where(User.email == "manager@example.com")) is None
    assert client.post("/account/language", data={"csrf": "forged", "language": "zh"}).status_code == 403


def test_choosing_a_language_needs_a_login(app, tokens):  # noqa: F811
    from fastapi.testclient import TestClient

    with TestClient(app) as anonymous:
        answer = anonymous.post("/account/language", data={"language": "zh"}, follow_redirects=False)
    assert answer.status_code in (401, 403)


def test_an_sla_notification_reaches_each_owner_in_their_language(db, smtp, mail_settings):  # noqa: F811
    _, mailbox = smtp
    with db.transaction() as s:
        chinese, english = make_user(s, "agent", "li@example.com"), make_user(s, "agent", "ann@example.com")
        chinese.locale = "zh"
        steps = [EscalationStep(when="breached", target="first_contact", action="notify_owner")]
        sla.create_policy(s, PolicyIn(name="Fast", first_contact_minutes=5, escalation=steps))
        cases = open_cases(s, [CaseDraft(title="Cold room", source="manual", owner_id=chinese.id),
                               CaseDraft(title="Late bill", source="manual", owner_id=english.id)])
        for case in cases:
            due = case.first_contact_due_at
            assert due is not None
            fire(s, {"case_id": case.id, "target": "first_contact", "stage": "breached", "due_at": due.isoformat()},
                 now=due + timedelta(minutes=1))
        ids = {case.owner_id: case.id for case in cases}
        chinese_case, english_case = ids[chinese.id], ids[english.id]
    LocalWorker(db, mail_settings).run_due()
    by_address = {str(m["To"]): m for m in mailbox.wait(2)}
    zh = by_address["li@example.com"]
    assert zh["Subject"] == f"服务时限已超时：工单 #{chinese_case}（首次联系）"
    assert "首次联系时限已超时。优先级：" in zh.get_body(("plain",)).get_content()
    en = by_address["ann@example.com"]
    assert en["Subject"] == f"SLA breached: case #{english_case} (first contact)"
    assert "the first contact target is breached. Priority normal." in en.get_body(("plain",)).get_content()


def test_the_digest_e_mail_is_written_in_the_recipient_s_language(db):
    today = date(2026, 12, 2)
    with db.transaction() as s:
        make_journey(s)
        user = make_user(s, "manager", "boss@example.com")
        period = digests.period_of("weekly", today)
        mails = {}
        for language in ("zh", None):
            with i18n.use_locale(language):
                content = digests.build_digest(s, user, period)
                mails[language] = digests.compose(Settings(), user.email, content, "https://cx.example.com/u")
    assert mails["zh"].subject.startswith("您的每周客户体验摘要：") and "计分卡" in mails["zh"].text
    assert "客户的声音" in mails["zh"].text and "退订" in mails["zh"].html
    assert mails[None].subject.startswith("Your weekly CX digest: ") and "SCORECARD" in mails[None].text
    assert "Unsubscribe" in mails[None].html and "计分卡" not in mails[None].text
