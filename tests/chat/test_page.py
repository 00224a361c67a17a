"""The chat without JavaScript: a form, a cookie that holds the conversation, forms bound to it."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from centric.chat.models import ChatMessage, Conversation

XSS = "<script>alert(1)</script>"


def _form_token(html: str) -> str:
    return re.search(r'name="f" value="([^"]+)"', html).group(1)


def _post(client, html: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post("/help/chat", data={"f": _form_token(html), **fields}, follow_redirects=False)


def test_a_customer_chats_without_javascript(client, api_faq, db):
    page = client.get("/help/chat?lang=zh")
    assert page.status_code == 200 and "在线咨询" in page.text and "frame-ancestors 'none'" in \
        page.headers["content-security-policy"]
    sent = _post(client, page.text, action="send", text="早餐几点开始？")
    assert sent.status_code == 303 and "?" not in sent.headers["location"].split("#")[0].replace("?lang=zh", "")
    cookie = sent.headers["set-cookie"]
    assert cookie.startswith("centric_chat=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/help/chat" in cookie
    token = client.cookies.get("centric_chat").split(".", 1)[1]
    assert token not in sent.headers["location"]  # the token never travels in the address
    shown = client.get("/help/chat?lang=zh")
    assert "早餐每天 6:30 至 10:30 在海港餐厅供应。" in shown.text and "这个回答解决您的问题了吗？" in shown.text
    assert 'href="/help/a/breakfast-hours-zh"' in shown.text
    no = _post(client, shown.text, action="no")
    assert no.status_code == 303
    again = client.get("/help/chat?lang=zh")
    handed = _post(client, again.text, action="send", text="没用")
    assert handed.status_code == 303
    waiting = client.get("/help/chat?lang=zh").text
    assert "正在等待工作人员回复" in waiting and "留下邮件地址" in waiting
    ended = _post(client, waiting, action="end")
    assert ended.status_code == 303
    closed = client.get("/help/chat?lang=zh").text
    assert "此对话已结束。" in closed and "开始新的对话" in closed
    with db.reader() as s:
        conversation = s.scalar(select(Conversation))
        assert conversation.channel == "web" and conversation.handoff_reason == "unhelpful"
        assert conversation.closed_by == "customer" and conversation.survey_invitation_id is not None
    assert "填写问卷" not in closed or "/s/post-chat?t=" in closed


def test_a_resubmitted_form_stores_one_message_and_a_stale_form_is_refused(client, api_faq, db):
    page = client.get("/help/chat")
    assert _post(client, page.text, action="send", text="wifi password").status_code == 303
    assert _post(client, page.text, action="send", text="wifi password").status_code == 403  # served for no chat
    form = client.get("/help/chat").text
    for _ in range(2):  # the same form twice (the back button, a double click): one message
        assert _post(client, form, action="send", text="parking price").status_code == 303
    with db.reader() as s:
        asked = list(s.scalars(select(ChatMessage.body).where(ChatMessage.author == "customer")))
        assert asked == ["wifi password", "parking price"]
    other = client.__class__(client.app)  # another visitor's form cannot post into this conversation
    stranger = other.get("/help/chat").text
    assert client.post("/help/chat", data={"f": _form_token(stranger), "action": "send",
                                           "text": "hi"}).status_code == 403
    assert client.post("/help/chat", data={"f": "forged", "action": "send", "text": "hi"}).status_code == 403
    assert client.post("/help/chat", content=b"x" * 20000,
                       headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 413
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Conversation)) == 1


def test_customer_text_is_escaped_on_the_page(client, api_faq):
    page = client.get("/help/chat")
    _post(client, page.text, action="send", text=XSS)
    html = client.get("/help/chat").text
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_demo_page_embeds_the_widget(client, api_faq):
    html = client.get("/help/chat/demo?lang=zh").text
    assert '<script src="/static/chat/widget.js" defer data-lang="zh"></script>' in html
    assert client.get("/static/chat/widget.js").status_code == 200
    assert client.get("/static/chat/widget.css").status_code == 200
    forged = client.get('/help/chat/demo?t="><script>alert(1)</script>').text
    assert "<script>alert(1)</script>" not in forged
