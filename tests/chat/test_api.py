"""The chat over HTTP: the customer's token-guarded API (polling and SSE), the staff API, who may do what."""

from __future__ import annotations

import json

from sqlalchemy import select

from centric.chat.models import Conversation
from centric.loop.models import Case
from tests.api.conftest import auth

BASE = "/api/v1/chat/conversations"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _start(client, **fields):  # type: ignore[no-untyped-def]
    answer = client.post(BASE, json=fields)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return body["conversation"]["id"], {"X-Chat-Token": body["token"]}


def _events(text: str) -> list[tuple[str, dict]]:
    found = []
    for block in text.split("\n\n"):
        kind, data = "message", ""
        for line in block.splitlines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data += line[6:]
        if data:
            found.append((kind, json.loads(data)))
    return found


def test_a_customer_asks_rates_and_ends_over_the_api(client, api_faq):
    conversation_id, token = _start(client, language="en", page_url="https://hotel.example.com/rooms")
    turn = client.post(f"{BASE}/{conversation_id}/messages", headers=token,
                       json={"text": "What time is check-out?", "client_key": "m-1"}).json()
    asked, answer = turn["messages"]
    assert asked["author"] == "customer" and answer["kind"] == "answer" and answer["asks_helpful"]
    assert answer["article"] == {"title": "What time is check-out?", "url": "/help/a/check-out-en"}
    assert answer["prompt"] == "Did this answer your question?"
    assert "candidates" not in answer and "confidence" not in answer  # the customer sees no scores
    again = client.post(f"{BASE}/{conversation_id}/messages", headers=token,
                        json={"text": "What time is check-out?", "client_key": "m-1"}).json()
    assert [m["id"] for m in again["messages"]] == [asked["id"], answer["id"]]
    rated = client.post(f"{BASE}/{conversation_id}/feedback", headers=token,
                        json={"message_id": answer["id"], "helpful": True}).json()
    assert [m["body"] for m in rated["messages"]] == ["Yes", "Glad I could help! Is there anything else?"]
    ended = client.post(f"{BASE}/{conversation_id}/close", headers=token).json()
    assert ended["status"] == "closed"
    assert [m["kind"] for m in ended["messages"]] == ["closed"]
    shown = client.get(f"{BASE}/{conversation_id}", headers=token).json()
    survey = shown["messages"][-1]
    assert survey["kind"] == "survey" and survey["link"].startswith("http://127.0.0.1:8000/s/post-chat?t=")
    page = client.get(f"{BASE}/{conversation_id}/messages?after={answer['id']}&limit=2", headers=token).json()
    assert page["total"] == 4
    assert [m["body"] for m in page["items"]] == ["Yes", "Glad I could help! Is there anything else?"]


def test_an_agent_reply_reaches_the_widget_by_polling_and_by_events(client, api_faq, tokens):
    conversation_id, token = _start(client)
    handed = client.post(f"{BASE}/{conversation_id}/handoff", headers=token).json()
    assert handed["status"] == "waiting" and handed["messages"][-1]["kind"] == "handoff"
    last = handed["messages"][-1]["id"]
    detail = client.get(f"/api/v1/chats/{conversation_id}", headers=auth(tokens["agent"])).json()
    case_id = detail["case_id"]
    sent = client.post(f"/api/v1/chats/{conversation_id}/reply", headers=auth(tokens["agent"]),
                       json={"text": "Hi, I am Agent. Happy to help!"})
    assert sent.status_code == 201 and sent.json()["author"] == "agent"
    polled = client.get(f"{BASE}/{conversation_id}?after={last}", headers=token).json()
    assert polled["status"] == "agent"
    assert [(m["author"], m["author_name"], m["body"]) for m in polled["messages"]] == [
        ("agent", "Agent", "Hi, I am Agent. Happy to help!")]
    with client.stream("GET", f"{BASE}/{conversation_id}/events?after={last}&wait=0", headers=token) as stream:
        assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["access-control-allow-origin"] == "*"
        text = "".join(stream.iter_text())
    assert _events(text) == [("message", polled["messages"][0]), ("status", {"status": "agent"})]
    assert f"id: {polled['messages'][0]['id']}\n" in text
    resumed = client.get(f"{BASE}/{conversation_id}/events?wait=0",
                         headers={**token, "Last-Event-ID": str(polled["messages"][0]["id"])})
    assert [kind for kind, _ in _events(resumed.text)] == ["status"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=auth(tokens["agent"])).json()
    assert case["first_contact_at"] is not None and case["source"] == "chat"


def test_tokens_guard_each_conversation_without_telling_which_exist(client, api_faq):
    mine, token = _start(client)
    other, other_token = _start(client)
    assert client.get(f"{BASE}/{mine}").status_code == 401
    wrong = client.get(f"{BASE}/{mine}", headers=other_token)
    missing = client.get(f"{BASE}/999999", headers=token)
    assert wrong.status_code == missing.status_code == 404 and wrong.json()["detail"] == missing.json()["detail"]
    assert client.post(f"{BASE}/{mine}/messages", headers={"X-Chat-Token": "x" * 40},
                       json={"text": "hi"}).status_code == 404
    assert client.get(f"{BASE}/{mine}/events", headers=other_token).status_code == 404
    assert client.post(f"{BASE}/{mine}/close", headers=other_token).status_code == 404
    assert client.get(f"{BASE}/{mine}", headers=token).status_code == 200


def test_hostile_input_is_refused_and_escaped(client, api_faq, tokens):
    conversation_id, token = _start(client)
    assert client.post(f"{BASE}/{conversation_id}/messages", headers=token,
                       json={"text": "x" * 2001}).status_code == 422
    assert client.post(f"{BASE}/{conversation_id}/messages", headers=token, json={"text": ""}).status_code == 422
    assert client.post(BASE, json={"start_key": "short"}).status_code == 422
    assert client.post(BASE, json={"visitor_token": "forged"}).status_code == 403
    assert client.post(f"{BASE}/{conversation_id}/contact", headers=token,
                       json={"email": "not an address"}).status_code == 422
    sent = client.post(f"{BASE}/{conversation_id}/messages", headers=token, json={"text": XSS}).json()
    assert sent["messages"][0]["body"] == XSS  # JSON carries it as text; pages escape it
    client.post(f"{BASE}/{conversation_id}/handoff", headers=token)
    from tests.api.test_pages import login

    assert login(client, "agent@example.com").status_code == 303
    for page in (f"/chats/{conversation_id}", "/chats"):
        html = client.get(page).text
        assert XSS not in html and "&lt;script&gt;alert(" in html
    case_id = client.get(f"/api/v1/chats/{conversation_id}", headers=auth(tokens["agent"])).json()["case_id"]
    html = client.get(f"/cases/{case_id}").text
    assert "Reply to the customer" in html and XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_public_writes_are_rate_limited_per_address(client, api_faq, monkeypatch):
    from centric.chat import customer

    monkeypatch.setitem(customer.LIMITS, "start", (3, 0))
    for _ in range(3):
        _start(client)
    refused = client.post(BASE, json={})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.headers["access-control-allow-origin"] == "*"  # the widget can read why


def test_the_widget_may_call_from_another_site(client, api_faq):
    preflight = client.options(f"{BASE}/1/messages", headers={
        "Origin": "https://hotel.example.com", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-chat-token"})
    assert preflight.status_code == 204
    assert "X-Chat-Token" in preflight.headers["access-control-allow-headers"]
    answer = client.post(BASE, json={}, headers={"Origin": "https://hotel.example.com"})
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers


def test_staff_routes_need_case_permissions(client, api_faq, tokens, db):
    conversation_id, token = _start(client)
    client.post(f"{BASE}/{conversation_id}/messages", headers=token, json={"text": "wifi password"})
    viewer, analyst, agent = (auth(tokens[r]) for r in ("viewer", "analyst", "agent"))
    assert client.get("/api/v1/chats").status_code == 401
    assert client.get("/api/v1/chats", headers=viewer).status_code == 403
    assert client.get(f"/api/v1/chats/{conversation_id}", headers=viewer).status_code == 403
    listed = client.get("/api/v1/chats?status=bot&language=en", headers=analyst).json()
    assert listed["total"] == 1 and listed["items"][0]["question"] == "wifi password"
    assert listed["items"][0]["messages"] == 2
    assert client.get("/api/v1/chats?status=closed", headers=analyst).json()["total"] == 0
    detail = client.get(f"/api/v1/chats/{conversation_id}", headers=analyst).json()
    answer = detail["transcript"][1]
    assert answer["candidates"][0]["slug"] == "wifi-en" and answer["confidence"] > 0
    assert client.post(f"/api/v1/chats/{conversation_id}/close", headers=analyst).status_code == 403
    assert client.post(f"/api/v1/chats/{conversation_id}/reply", headers=viewer, json={"text": "x"}).status_code == 403
    assert client.post(f"/api/v1/chats/{conversation_id}/reply", headers=agent,
                       json={"text": "hello"}).status_code == 409  # the bot is still answering
    closed = client.post(f"/api/v1/chats/{conversation_id}/close", headers=agent).json()
    assert closed["status"] == "closed" and closed["closed_by"] == "agent" and closed["resolution"] == "assumed"
    assert client.get("/api/v1/chats/999999", headers=agent).status_code == 404
    started = client.post("/api/v1/chats", headers=agent, json={"channel": "messenger",
                                                                "customer": {"phone": "+85291234567"}})
    assert started.status_code == 201
    assert client.post("/api/v1/chats", headers=viewer, json={}).status_code == 403
    with db.reader() as s:
        conversation = s.get(Conversation, started.json()["conversation"]["id"])
        assert conversation.customer_id is not None and conversation.channel == "messenger"


def test_agents_see_only_the_chats_of_cases_they_may_work(client, api_faq, tokens, db):
    conversation_id, token = _start(client)
    client.post(f"{BASE}/{conversation_id}/handoff", headers=token)
    with db.transaction() as s:
        from centric.accounts.models import Team, User

        team = Team(name="Elsewhere")
        s.add(team)
        s.flush()
        case = s.get(Case, s.scalar(select(Conversation.case_id).where(Conversation.id == conversation_id)))
        case.team_id, case.owner_id = team.id, s.scalar(select(User.id).where(User.role == "manager"))
    agent, manager = auth(tokens["agent"]), auth(tokens["manager"])
    assert client.get(f"/api/v1/chats/{conversation_id}", headers=agent).status_code == 404
    assert client.post(f"/api/v1/chats/{conversation_id}/reply", headers=agent, json={"text": "hi"}).status_code == 404
    assert client.get("/api/v1/chats", headers=agent).json()["total"] == 0
    assert client.get(f"/api/v1/chats/{conversation_id}", headers=manager).status_code == 200


def test_the_chat_list_reads_a_page_in_constant_statements(client, api_faq, tokens, db):
    from centric.chat import service
    from centric.customers.schemas import CustomerIn
    from centric.customers.service import upsert_customer
    from tests.api.test_statement_counts import MAX_STATEMENTS, counted
    from tests.chat.helpers import start

    with db.transaction() as s:
        for i in range(40):
            conversation, _ = start(s)
            if i % 2:
                conversation.customer_id = upsert_customer(s, CustomerIn(email=f"g{i}@example.com", name=f"G{i}")).id
            service.send_message(s, conversation, "wifi password" if i % 3 else "agent")
    with counted(db.engine) as statements:
        page = client.get("/api/v1/chats?limit=100", headers=auth(tokens["manager"])).json()
    assert page["total"] == 40 and len(page["items"]) == 40
    assert {item["customer_name"] for item in page["items"]} >= {"G1", None}
    assert len(statements) <= MAX_STATEMENTS, [s[:60] for s in statements]
