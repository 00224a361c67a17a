"""The chat, knowledge-base and Mirror staff pages follow the browser's language (zh or en), and so does the
employee's pulse page; the JSON API keeps English."""

from __future__ import annotations

import pytest

from tests.api.conftest import auth
from tests.api.test_pages import login
from tests.kb.helpers import hotel

# page → a phrase of it in Chinese, and the same in English
PAGES = {
    "/kb": ("按当前筛选导出", "Export these filters"),
    "/kb/categories": ("帮助中心分类", "Help-centre categories"),
    "/kb/import": ("试运行：检查文件并报告，不保存任何内容", "Dry run: check the file and report, store nothing"),
    "/kb/articles/new": ("保存为草稿", "Save as draft"),
    "/kb/missing": ("此期间没有缺失的答案", "No missing answers in this period"),
    "/chats": ("还没有对话。", "No conversation yet."),
    "/chats/metrics": ("为什么“推定解决”不等于“已解决”", "Why \"assumed\" is not \"resolved\""),
    "/ex": ("员工体验", "Employee experience"),
    "/staff": ("员工与员工脉搏调查", "Staff and employee pulses"),
    "/mirror/gap": ("此期间没有员工预测。", "No staff prediction in this period."),
    "/mirror/linkage": ("此期间没有团队有员工或客户的回答。", "No team has staff or customer answers in this period."),
    "/mirror/maturity": ("还没有评估。", "No assessment yet."),
    "/mirror/maturity/new": ("保存评估", "Save the assessment"),
    "/mirror/cx-index": ("答卷少的组会因偶然因素波动", "Groups with few responses move by chance"),
}


@pytest.mark.parametrize("language", ["zh-CN,zh;q=0.9,en;q=0.5", "en-GB"])
def test_staff_pages_in_the_browsers_language(client, tokens, db, language) -> None:
    with db.transaction() as s:
        hotel(s)
    assert login(client, "admin@example.com").status_code == 303
    chinese = language.startswith("zh")
    for path, (zh, en) in PAGES.items():
        page = client.get(path, headers={"Accept-Language": language})
        assert page.status_code == 200, (path, page.text[:500])
        assert (zh if chinese else en) in page.text, path
        assert (en if chinese else zh) not in page.text, path
        assert page.headers["Content-Language"] == ("zh" if chinese else "en")
    listing = client.get("/kb", headers={"Accept-Language": language}).text
    assert ("已发布" if chinese else "Published") in listing  # stored status codes shown by name


def test_the_pulse_page_follows_the_browser_and_the_api_stays_english(client, tokens) -> None:
    page = client.get("/e/not-a-token", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 404 and "此链接无效" in page.text and 'lang="zh-CN"' in page.text
    assert "This link is not valid" in client.get("/e/not-a-token").text
    api = client.get("/api/v1/mirror/linkage", headers={**auth(tokens["admin"]), "Accept-Language": "zh-CN"})
    assert api.status_code == 200 and "Observational and ecological" in api.json()["caveat"]
