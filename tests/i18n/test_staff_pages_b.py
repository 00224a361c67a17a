"""Staff pages of surveys, maps, personas, themes, journeys, ideas and privacy in Chinese; public pages keep theirs."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from centric.customers.models import Customer
from centric.db import Database
from centric.ideas.models import Idea
from centric.journeys.models import Journey
from centric.maps import personas
from centric.maps.personas import SegmentSave
from tests.api import conftest as api_fixtures
from tests.api.test_pages import login
from tests.ideas.staff_factories import comment, make_board, make_customer, make_idea, vote

app, client, tokens = api_fixtures.app, api_fixtures.client, api_fixtures.tokens  # an app per database, users per role

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", html, re.S)]


def _seed(db: Database) -> dict[str, object]:
    with db.transaction() as s:
        board = make_board(s)
        idea = make_idea(s, board, "Late check-out on Sundays")
        make_idea(s, board, "Quieter rooms", moderation="pending")
        guest = make_customer(s, "Mei", clv=1200.0, churn=0.3, band="high")
        vote(s, idea, guest)
        comment(s, idea, guest, "Yes please, 100% agree")
        personas.save_segment(s, "vip", SegmentSave(name="VIP guests", kind="persona",
                                                      rule=[{"attribute": "clv", "op": "gte", "value": 1000}]), None)
        journey = s.scalar(select(Journey.id).where(Journey.key == "stay"))
        return {"idea": idea.id, "customer": s.scalar(select(Customer.id).where(Customer.name == "Mei")),
                "journey": journey}


def test_survey_list_and_editor_are_in_chinese_for_a_chinese_browser(client, tokens):
    assert login(client, "manager@example.com").status_code == 303
    listing = client.get("/surveys", headers=ZH)
    assert listing.status_code == 200 and listing.headers["content-language"] == "zh"
    assert "问卷" in _headings(listing.text) and "新建问卷" in _headings(listing.text)
    assert "Surveys" not in _headings(listing.text) and "New survey" not in listing.text
    assert ">创建草稿<" in listing.text and ">Create draft<" not in listing.text
    editor = client.get("/surveys/rnps/edit", headers=ZH)
    assert editor.status_code == 200
    headings = _headings(editor.text)
    assert "编辑“Relationship NPS”" in headings and "设置" in headings and "添加题目" in headings
    assert not {"Settings", "Add a question", "Advanced: the draft as JSON"} & set(headings)
    assert "保存草稿" in editor.text and "Save draft" not in editor.text
    detail = client.get("/surveys/rnps", headers=ZH)
    assert detail.status_code == 200 and "分发" in _headings(detail.text) and "Distribution" not in detail.text


def test_staff_pages_without_accept_language_stay_english(client, tokens):
    login(client, "manager@example.com")
    listing = client.get("/surveys")
    assert listing.headers["content-language"] == "en"
    assert "Surveys" in _headings(listing.text) and "New survey" in _headings(listing.text)
    assert "新建问卷" not in listing.text


def test_personas_and_idea_moderation_are_in_chinese(client, tokens, db):
    ids = _seed(db)
    login(client, "agent@example.com")
    page = client.get("/personas", headers=ZH)
    assert page.status_code == 200
    assert "用户画像与细分群体" in _headings(page.text) and "Personas and segments" not in page.text
    assert ">用户画像<" in page.text  # the kind "persona", translated where shown
    persona = client.get("/personas/vip", headers=ZH)
    assert persona.status_code == 200 and "规模与趋势" in _headings(persona.text)
    assert "Size and trend" not in persona.text
    queue = client.get("/manage/ideas/moderation", headers=ZH)
    assert queue.status_code == 200
    headings = _headings(queue.text)
    assert any(h.startswith("审核队列") for h in headings) and "待审核的创意" in headings
    assert not any(h.startswith("Moderation queue") for h in headings) and "Ideas awaiting review" not in queue.text
    listing = client.get("/manage/ideas", headers=ZH)
    assert "按风险收入排名" in listing.text and "Rank by votes" not in listing.text and ">未结<" in listing.text
    idea = client.get(f"/manage/ideas/{ids['idea']}", headers=ZH)
    assert idea.status_code == 200 and "1 票" in idea.text and "100% agree" in idea.text  # customer text untouched


@pytest.mark.parametrize("headers", [ZH, {}], ids=["zh", "en"])
def test_every_page_of_these_areas_renders_in_both_languages(client, tokens, db, headers):
    ids = _seed(db)
    login(client, "admin@example.com")
    pages = ["/surveys", "/surveys/rnps", "/surveys/rnps/edit", "/personas", "/personas/vip", "/segments/new",
             "/segments/vip/edit", "/personas/compare?keys=vip,vip", "/journeys", f"/journeys/{ids['journey']}/map",
             f"/journeys/{ids['journey']}/analytics", "/themes", "/themes/taxonomy", "/themes/proposals",
             "/verbatims", "/manage/ideas", "/manage/ideas/boards", "/manage/ideas/new", "/manage/ideas/moderation",
             f"/manage/ideas/{ids['idea']}", f"/manage/ideas/{ids['idea']}/effect",
             f"/customers/{ids['customer']}/privacy"]
    for path in pages:
        answer = client.get(path, headers=headers)
        assert answer.status_code in (200, 422), (path, answer.status_code)
        assert answer.headers["content-language"] == ("zh" if headers else "en"), path
        if headers:
            assert re.search(r"[\u4e00-\u9fff]", "".join(_headings(answer.text))), path


def test_a_public_survey_page_still_follows_its_own_lang(client, tokens, db):
    with db.transaction() as s:
        assert s.scalar(select(Idea.id)) is None  # nothing seeded: the public page needs only the survey
    manager = {"Authorization": f"Bearer {tokens['manager']}"}
    assert client.patch("/api/v1/surveys/rnps", headers=manager, json={"languages": ["en", "zh"]}).status_code == 200
    assert client.post("/api/v1/surveys/rnps/publish", headers=manager).status_code == 200
    english = client.get("/s/rnps?lang=en", headers=ZH)
    assert english.status_code == 200 and 'lang="en"' in english.text
    assert ">Send<" in english.text and ">提交<" not in english.text
    chinese = client.get("/s/rnps?lang=zh")
    assert chinese.status_code == 200 and 'lang="zh"' in chinese.text and ">提交<" in chinese.text
