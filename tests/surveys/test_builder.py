"""The survey builder: JSON API and manager pages — drafts, immutable versions, links."""

from __future__ import annotations

import re

from tests.api.conftest import auth
from tests.surveys.helpers import csrf_of, form_token, login


def test_api_builds_from_a_template_publishes_versions_and_keeps_them_immutable(client, tokens):
    manager = auth(tokens["manager"])
    templates = client.get("/api/v1/survey-templates", headers=auth(tokens["viewer"])).json()["items"]
    assert {t["key"] for t in templates} >= {"relationship-nps", "support-csat", "onboarding-ces", "enps", "happiness"}
    made = client.post("/api/v1/surveys", headers=manager, json={
        "key": "support", "name": "Support CSAT", "kind": "csat", "template": "support-csat",
        "status": "draft", "touchpoint": "check-out", "languages": ["en", "zh"]})
    assert made.status_code == 201 and made.json()["version"] == 0 and made.json()["status"] == "draft"
    assert client.get("/s/support").status_code == 404  # drafts are not public
    published = client.post("/api/v1/surveys/support/publish", headers=manager).json()
    assert published["version"] == 1 and published["status"] == "active" and not published["unpublished_changes"]
    v1 = client.get("/api/v1/surveys/support/versions/1", headers=manager).json()["questions"]
    edited = client.patch("/api/v1/surveys/support", headers=manager, json={
        "questions": [*v1, {"key": "agent", "type": "rating", "display": "stars",
                            "label": {"en": "Rate the agent", "zh": "请评价客服"}}]}).json()
    assert edited["unpublished_changes"] and edited["version"] == 1
    assert client.get("/api/v1/surveys/support/versions/1", headers=manager).json()["questions"] == v1
    assert client.post("/api/v1/surveys/support/publish", headers=manager).json()["version"] == 2
    assert client.post("/api/v1/surveys/support/publish", headers=manager).json()["version"] == 2  # unchanged
    assert client.get("/api/v1/surveys/support/versions/1", headers=manager).json()["questions"] == v1
    closed = client.post("/api/v1/surveys/support/status", headers=manager, json={"status": "closed"})
    assert closed.json()["status"] == "closed"
    answer = client.post("/api/v1/responses", headers=auth(tokens["agent"]),
                         json={"survey": "support", "answers": {"csat": 5}})
    assert answer.status_code == 409


def test_api_rejects_bad_schemas_and_checks_roles(client, tokens):
    manager = auth(tokens["manager"])
    bad = client.post("/api/v1/surveys", headers=manager, json={
        "key": "bad", "name": "Bad", "questions": [{"key": "a", "type": "text",
                                                      "show_if": {"question": "zzz", "op": "eq", "value": 1}}]})
    assert bad.status_code == 422 and bad.json()["field"] == "questions"
    assert client.post("/api/v1/surveys", headers=auth(tokens["analyst"]),
                       json={"key": "x", "name": "X"}).status_code == 403
    unsafe = client.patch("/api/v1/surveys/rnps", headers=manager,
                          json={"options": {"review_url": "javascript:alert(1)"}})
    assert unsafe.status_code == 422
    framed = client.patch("/api/v1/surveys/rnps", headers=manager,
                          json={"options": {"frame_origins": ["https://a.example; script-src *"]}})
    assert framed.status_code == 422


def test_api_makes_public_and_personal_links(client, tokens):
    manager = auth(tokens["manager"])
    customer = client.post("/api/v1/customers", headers=auth(tokens["agent"]), json={"email": "li@example.com"}).json()
    public = client.post("/api/v1/surveys/rnps/links", headers=manager, json={}).json()["url"]
    assert public.endswith("/s/rnps")
    link = client.post("/api/v1/surveys/rnps/links", headers=manager,
                       json={"customer_id": customer["id"], "score": 10}).json()["url"]
    assert "t=" in link and link.endswith("score=10")
    page = client.get(link.split("8000", 1)[1])
    assert page.status_code == 200
    assert client.get(f"/api/v1/customers/{customer['id']}/timeline", headers=manager).json()["items"][0]["score"] == 10
    assert client.post("/api/v1/surveys/rnps/links", headers=manager, json={"customer_id": 999}).status_code == 404


def test_manager_builds_previews_and_publishes_in_the_web_ui(client, tokens):
    assert login(client, "manager@example.com").status_code == 303
    listing = client.get("/surveys")
    assert listing.status_code == 200 and "Relationship NPS" in listing.text
    created = client.post("/surveys", data={"csrf": csrf_of(listing.text), "key": "onb", "name": "Onboarding",
                                            "template": "onboarding-ces", "touchpoint": ""}, follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"] == "/surveys/onb/edit"
    editor = client.get("/surveys/onb/edit")
    assert editor.status_code == 200 and 'name="q0_key" value="ces"' in editor.text
    builder = editor.text.split("Advanced:")[0]
    form = {name: value for name, value in re.findall(r'<input[^>]* name="([^"]+)" value="([^"]*)"', builder)
            if not name.endswith("_delete")}
    form.update(re.findall(r'<select id="[^"]+" name="([^"]+)">(?:<option value="[^"]*">[^<]*</option>)*'
                           r'<option value="([^"]+)" selected>', builder))
    form.update({"csrf": csrf_of(editor.text), "languages": "en", "q3_key": "plan", "q3_type": "choice",
                 "q3_options": "basic\npro", "q3_label_en": "Which plan?", "q3_if_question": "ces",
                 "q3_if_op": "gte", "q3_if_value": "5", "then": "save"})
    saved = client.post("/surveys/onb/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:2000]
    preview = client.get("/surveys/onb/preview")
    assert "Which plan?" in preview.text and "Shown if ces ≥ 5" in preview.text and "Preview" in preview.text
    broken = client.post("/surveys/onb/edit", data={**form, "q3_if_question": "nope"})
    assert broken.status_code == 422 and "show_if must name an earlier question" in broken.text
    detail = client.get("/surveys/onb")
    published = client.post("/surveys/onb/publish", data={"csrf": csrf_of(detail.text)}, follow_redirects=False)
    assert published.status_code == 303
    detail = client.get("/surveys/onb")
    assert "qr.svg" in detail.text and "widget.js" in detail.text and "Version 1" in detail.text
    assert client.get("/s/onb").status_code == 200
    assert client.post("/surveys/onb/publish", data={"csrf": "wrong"}).status_code == 403


def test_viewers_cannot_edit_and_pages_need_a_login(client, tokens):
    assert client.get("/surveys", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303
    login(client, "viewer@example.com")
    assert client.get("/surveys").status_code == 200
    assert client.get("/surveys/rnps/edit").status_code == 403


def test_web_builder_edits_chinese_texts_skip_logic_touchpoint_and_publishes_immutable_versions(client, tokens):
    login(client, "manager@example.com")
    assert 'href="/surveys"' in client.get("/").text  # the main navigation leads to the surveys
    listing = client.get("/surveys")
    client.post("/surveys", data={"csrf": csrf_of(listing.text), "key": "sup", "name": "Support",
                                  "template": "relationship-nps", "touchpoint": ""})
    editor = client.get("/surveys/sup/edit")
    form = {"csrf": csrf_of(editor.text), "name": "Support", "touchpoint": "check-out", "languages": ["en", "zh"],
            "rate_limit_per_hour": "30",
            "q0_key": "nps", "q0_type": "nps", "q0_required": "1", "q0_label_en": "Would you recommend us?",
            "q0_label_zh": "您会推荐我们吗？",
            "q1_key": "why", "q1_type": "text", "q1_label_en": "What went wrong?", "q1_label_zh": "哪里做得不好？",
            "q1_if_question": "nps", "q1_if_op": "lte", "q1_if_value": "6", "then": "publish"}
    published = client.post("/surveys/sup/edit", data=form, follow_redirects=False)
    assert published.status_code == 303 and published.headers["location"] == "/surveys/sup"
    detail = client.get("/surveys/sup").text
    assert "check-out" in detail and "Version 1" in detail and "unpublished changes" not in detail
    preview = client.get("/surveys/sup/preview?lang=zh").text
    assert "您会推荐我们吗？" in preview and "哪里做得不好？" in preview and "Shown if nps ≤ 6" in preview
    page = client.get("/s/sup", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "您会推荐我们吗？" in page.text and "哪里做得不好？" not in page.text  # asked only after a low score
    promoter = client.post("/s/sup", data={"f": form_token(page.text), "nps": "9"}, follow_redirects=False)
    assert "/thanks" in promoter.headers["location"]  # skipped: nps > 6
    page = client.get("/s/sup?lang=zh")
    detractor = client.post("/s/sup", data={"f": form_token(page.text), "nps": "2"}, follow_redirects=False)
    assert "哪里做得不好？" in client.get(detractor.headers["location"]).text
    # A new edit is a new version; version 1, which the responses answered, stays as it was.
    manager = auth(tokens["manager"])
    v1 = client.get("/api/v1/surveys/sup/versions/1", headers=manager).json()["questions"]
    client.post("/surveys/sup/edit", data={**form, "q1_if_value": "5"})
    detail = client.get("/api/v1/surveys/sup", headers=manager).json()
    assert detail["version"] == 2 and detail["touchpoint"] == "check-out" and detail["languages"] == ["en", "zh"]
    assert client.get("/api/v1/surveys/sup/versions/1", headers=manager).json()["questions"] == v1
    assert v1[1]["show_if"] == {"question": "nps", "op": "lte", "value": 6}
    assert v1[0]["label"] == {"en": "Would you recommend us?", "zh": "您会推荐我们吗？"}


def test_survey_page_shows_invitations_and_every_skipped_invitation(client, tokens):
    agent = auth(tokens["agent"])
    admin = auth(tokens["admin"])
    client.post("/api/v1/outreach/contact-rules", headers=admin, json={
        "name": "Once a month", "survey": "rnps", "max_contacts": 1, "window_days": 30})
    body = {"survey": "rnps", "channel": "link", "customer": {"email": "kim@example.com"}}
    assert client.post("/api/v1/outreach/invitations", headers=agent, json=body).json()["invited"] is True
    skipped = client.post("/api/v1/outreach/invitations", headers=agent, json=body).json()
    assert skipped["invited"] is False
    login(client, "manager@example.com")
    page = client.get("/surveys/rnps")
    assert page.status_code == 200 and "Skipped invitations" in page.text
    assert "Once a month" in page.text and "skipped 1" in page.text and "sent 1" in page.text
    assert f'href="/customers/{skipped["skip"]["customer_id"]}"' in page.text
