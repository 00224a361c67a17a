"""No merge by the side door: only callers with customers:write merge two profiles on ingest.

An agent, analyst or connector naming identities of two existing customers leaves a merge
suggestion that a manager accepts (a real merge, rows move) or rejects — on both backends.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from centric.cli.main import app as cli
from centric.connectors import service as connectors
from centric.connectors.schemas import ConnectorIn
from centric.customers.models import Customer, CustomerMerge, MergeSuggestion
from centric.errors import Forbidden
from centric.feedback.models import Feedback
from tests.api.conftest import auth
from tests.api.test_pages import login

FEEDBACK = "/api/v1/feedback"


def _two_customers(client, tokens) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Two people known by e-mail and by phone, each with a feedback item of their own."""
    ids = []
    for n, customer in enumerate(({"email": "ann@example.com"}, {"phone": "+44 20 7946 0000"})):
        answer = client.post(FEEDBACK, headers=auth(tokens["manager"]), json={
            "text": f"First visit {n}", "channel": "chat", "source": "chat", "external_id": f"own-{n}",
            "customer": customer})
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["customer_id"])
    assert ids[0] != ids[1]
    return ids[0], ids[1]


def _naming_both(n: int) -> dict:
    return {"text": f"Chat {n} from the same person?", "channel": "chat", "source": "chat",
            "external_id": f"both-{n}", "customer": {"email": "ann@example.com", "phone": "+442079460000"}}


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("role", ["agent", "analyst"])
def test_ingest_without_customers_write_suggests_instead_of_merging(client, tokens, db, role):
    first, second = _two_customers(client, tokens)
    answer = client.post(FEEDBACK, headers=auth(tokens[role]), json=_naming_both(1))
    assert answer.status_code == 201, answer.text
    assert answer.json()["customer_id"] == first  # attached to the older profile, not merged
    again = client.post(FEEDBACK, headers=auth(tokens[role]), json=_naming_both(2))
    assert again.status_code == 201
    assert _count(db, CustomerMerge) == 0
    with db.reader() as s:
        assert s.scalar(select(func.count()).where(Customer.merged_into_id.is_not(None))) == 0
        suggestions = list(s.scalars(select(MergeSuggestion)))
    assert len(suggestions) == 1  # the same pair is suggested once
    suggestion = suggestions[0]
    assert (suggestion.customer_id, suggestion.other_id, suggestion.status) == (first, second, "pending")
    assert {(i["kind"], i["value"], i["customer_id"]) for i in suggestion.identities} == {
        ("email", "ann@example.com", first), ("phone", "+442079460000", second)}
    assert suggestion.source == "feedback chat/both-1" and suggestion.user_id is not None
    listed = client.get("/api/v1/merge-suggestions", headers=auth(tokens["manager"])).json()
    assert (listed["total"], listed["items"][0]["id"]) == (1, suggestion.id)
    assert client.get("/api/v1/merge-suggestions", headers=auth(tokens[role])).status_code == 403
    assert client.post(f"/api/v1/merge-suggestions/{suggestion.id}/accept",
                       headers=auth(tokens[role])).status_code == 403


def test_manager_accepting_a_suggestion_merges_and_moves_rows(client, tokens, db):
    first, second = _two_customers(client, tokens)
    client.post(FEEDBACK, headers=auth(tokens["agent"]), json=_naming_both(1))
    suggestion_id = client.get("/api/v1/merge-suggestions", headers=auth(tokens["manager"])).json()["items"][0]["id"]
    accepted = client.post(f"/api/v1/merge-suggestions/{suggestion_id}/accept", headers=auth(tokens["manager"]))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["merge_id"] is not None
    with db.reader() as s:
        assert s.get(Customer, second).merged_into_id == first
        assert set(s.scalars(select(Feedback.customer_id))) == {first}  # the other profile's feedback moved
        merge = s.scalar(select(CustomerMerge))
        assert (merge.survivor_id, merge.merged_id) == (first, second)
        assert "feedback" in merge.snapshot["moved"]  # the CustomersMerged reactions ran
    assert client.post(f"/api/v1/merge-suggestions/{suggestion_id}/reject",
                       headers=auth(tokens["manager"])).status_code == 409
    assert client.get("/api/v1/merge-suggestions", headers=auth(tokens["manager"])).json()["total"] == 0


def test_rejecting_keeps_both_profiles_and_the_pair_is_not_suggested_again(client, tokens, db):
    first, second = _two_customers(client, tokens)
    client.post(FEEDBACK, headers=auth(tokens["agent"]), json=_naming_both(1))
    suggestion_id = client.get("/api/v1/merge-suggestions", headers=auth(tokens["manager"])).json()["items"][0]["id"]
    rejected = client.post(f"/api/v1/merge-suggestions/{suggestion_id}/reject", headers=auth(tokens["manager"]))
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    client.post(FEEDBACK, headers=auth(tokens["agent"]), json=_naming_both(2))
    assert _count(db, MergeSuggestion) == 1 and _count(db, CustomerMerge) == 0
    with db.reader() as s:
        assert s.get(Customer, first).merged_into_id is None and s.get(Customer, second).merged_into_id is None
        assert s.scalar(select(func.count()).where(Feedback.customer_id == second)) == 1


def test_a_managers_own_ingest_still_merges_automatically(client, tokens, db):
    first, second = _two_customers(client, tokens)
    answer = client.post(FEEDBACK, headers=auth(tokens["manager"]), json=_naming_both(1))
    assert answer.status_code == 201 and answer.json()["customer_id"] == first
    assert _count(db, CustomerMerge) == 1 and _count(db, MergeSuggestion) == 0
    with db.reader() as s:
        assert s.get(Customer, second).merged_into_id == first


def test_bulk_import_by_a_non_manager_creates_suggestions(client, tokens, db):
    first, second = _two_customers(client, tokens)
    csv = ("external_id,source,channel,email,phone,text\n"
           "i1,import,chat,ann@example.com,+44 20 7946 0000,Same person in the import\n"
           "i2,import,chat,new@example.com,,Someone new\n")
    answer = client.post("/api/v1/import/feedback", headers=auth(tokens["agent"]),
                         files={"file": ("feedback.csv", csv.encode(), "text/csv")})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["created"], answer.json()["failed"]) == (2, 0)
    assert _count(db, CustomerMerge) == 0
    with db.reader() as s:
        suggestion = s.scalar(select(MergeSuggestion))
        assert (suggestion.customer_id, suggestion.other_id) == (first, second)
        assert suggestion.source == "feedback import import/i1"


def test_the_operators_cli_import_merges(db, tmp_path):
    path = tmp_path / "feedback.csv"
    path.write_text("external_id,source,channel,email,phone,text\n"
                    "c1,import,chat,ann@example.com,,one\n"
                    "c2,import,call,,+44 20 7946 0000,two\n"
                    "c3,import,chat,ann@example.com,+442079460000,three\n", encoding="utf-8")
    # one row per batch: the third row meets two stored profiles
    result = CliRunner().invoke(cli, ["--database-url", db.url, "import", "feedback", str(path), "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert _count(db, CustomerMerge) == 1 and _count(db, MergeSuggestion) == 0


def test_connectors_merge_only_when_configured_to(client, tokens, db):
    _two_customers(client, tokens)
    mapping = {"text": "text", "external_id": "id", "customer.email": "email", "customer.phone": "phone"}
    item = {"text": "Both at once", "id": "t1", "email": "ann@example.com", "phone": "+442079460000"}
    for key, merges in (("plain", False), ("trusted", True)):
        made = client.post("/api/v1/connectors", headers=auth(tokens["manager"]), json={
            "key": key, "name": key, "mapping": mapping, "merge_identities": merges})
        assert made.status_code == 201 and made.json()["merge_identities"] is merges
        sent = client.post(f"/api/v1/connectors/{key}/inbound", headers=auth(made.json()["secret"]), json=item)
        assert sent.status_code == 201, sent.text
        assert (_count(db, MergeSuggestion), _count(db, CustomerMerge)) == ((1, 0) if not merges else (1, 1))
    with db.transaction() as s, pytest.raises(Forbidden):
        connectors.create_connector(s, ConnectorIn(key="x", name="x", mapping=mapping, merge_identities=True))


def test_the_suggestions_page_accepts_and_rejects_with_csrf(client, tokens, db):
    first, second = _two_customers(client, tokens)
    client.post(FEEDBACK, headers=auth(tokens["agent"]), json=_naming_both(1))
    assert login(client, "manager@example.com").status_code == 303
    page = client.get("/merge-suggestions")
    assert page.status_code == 200 and "ann@example.com" in page.text
    action = re.search(r'action="(/merge-suggestions/\d+/accept)"', page.text).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert client.post(action, data={"csrf": "wrong"}).status_code == 403
    assert _count(db, CustomerMerge) == 0
    done = client.post(action, data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    with db.reader() as s:
        assert s.get(Customer, second).merged_into_id == first


def test_erasing_a_customer_erases_its_merge_suggestions(client, tokens, db):
    first, _ = _two_customers(client, tokens)
    client.post(FEEDBACK, headers=auth(tokens["agent"]), json=_naming_both(1))
    erased = client.post(f"/api/v1/customers/{first}/erase", headers=auth(tokens["admin"]), json={"confirm": first})
    assert erased.status_code == 200, erased.text
    assert _count(db, MergeSuggestion) == 0  # the evidence names the customer's identities
