"""Customer value, comparisons, drivers and ROI through the HTTP API and pages."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from centric.ingest.records import SourceRow
from centric.ingest.service import import_rows
from centric.surveys.schemas import ResponseIn, SurveyIn
from centric.surveys.service import create_survey, submit_response
from tests.api.conftest import auth
from tests.api.test_pages import login
from tests.factories import respond

START = datetime(2025, 1, 1)


@pytest.fixture
def history(db, tokens):
    """300 customers buying over 15 months (BG/NBD-like); unhappy customers drop out sooner."""
    rng = np.random.default_rng(11)
    events, responses = [], []
    for c in range(300):
        score = int(rng.integers(0, 11))
        dropout = 0.08 if score >= 9 else 0.2 if score >= 7 else 0.45  # chance to leave after a purchase
        rate = rng.gamma(2.0, 1 / 40)  # purchases per day while active (BG/NBD's generative story)
        day = float(rng.uniform(0, 60))
        while day < 440:
            events.append({"customer": {"email": f"c{c}@example.com"}, "kind": "purchase",
                           "occurred_at": (START + timedelta(days=day)).isoformat(),
                           "value": float(rng.gamma(4.0, 15.0)), "external_id": f"o{c}-{len(events)}",
                           "source": "shop"})
            if rng.random() < dropout:
                break
            day += float(rng.exponential(1 / rate))
        responses.append(ResponseIn(survey="rnps", answers={"nps": score}, customer={"email": f"c{c}@example.com"},
                                    touchpoint=["check-in", "room"][c % 2], submitted_at=START + timedelta(days=70)))
    report = import_rows(db, "events", [SourceRow(i + 1, e) for i, e in enumerate(events)])
    assert report.failed == 0
    with db.transaction() as s:
        for response in responses:
            submit_response(s, response)
    return tokens


def test_customer_value_endpoints(client, history):
    headers = auth(history["viewer"])
    clv = client.get("/api/v1/value/clv", headers=headers)
    assert clv.status_code == 200, clv.text
    params = clv.json()["parameters"]
    assert params["bgnbd"]["customers"] == 300 and all(params["bgnbd"][k] > 0 for k in ("r", "alpha", "a", "b"))
    assert params["clv"]["mean"] > 0 and params["clv"]["low"] <= params["clv"]["mean"] <= params["clv"]["high"]
    rfm = client.get("/api/v1/value/rfm", headers=headers).json()
    assert sum(rfm["segments"].values()) == rfm["customers"] == 300
    churn = client.get("/api/v1/value/churn?months=3", headers=headers).json()
    assert churn["customers_at_start"] > 0 and 0 <= churn["rate"]["value"] <= 100
    assert churn["lost"] + churn["retained"] == churn["customers_at_start"]
    retention = client.get("/api/v1/value/retention", headers=headers).json()
    assert retention["shares"][0][0] == 100.0 and sum(retention["sizes"]) == 300


def test_roi_shows_detractors_churn_more(client, history):
    roi = client.get("/api/v1/value/roi?months=4", headers=auth(history["viewer"]))
    assert roi.status_code == 200, roi.text
    categories = {c["category"]: c for c in roi.json()["categories"]}
    assert categories["detractor"]["churn_rate"]["value"] > categories["promoter"]["churn_rate"]["value"]
    assert roi.json()["revenue_at_risk"]["value"] > 0


def test_group_and_period_comparisons(client, history):
    compared = client.get("/api/v1/metrics/nps/compare?by=touchpoint", headers=auth(history["viewer"])).json()
    assert {r["group"] for r in compared["rows"]} == {"Check-in", "Room"}
    for row in compared["rows"]:
        assert row["adjusted_p_value"] >= row["p_value"] and row["low"] <= row["difference"] <= row["high"]
    trend = client.get("/api/v1/metrics/nps/trend?start=2025-03-01&end=2025-04-01", headers=auth(history["viewer"]))
    assert trend.status_code == 200 and trend.json()["n"] == 300
    bad = client.get("/api/v1/metrics/nps/compare?by=none", headers=auth(history["viewer"]))
    assert bad.status_code == 422


def test_key_drivers_recover_the_strongest_item(client, db, tokens):
    rng = np.random.default_rng(3)
    with db.transaction() as s:
        create_survey(s, SurveyIn(key="stay", name="Stay", kind="csat", questions=[
            {"key": "overall", "type": "csat"}, {"key": "cleanliness", "type": "rating"},
            {"key": "staff", "type": "rating"}, {"key": "breakfast", "type": "rating"}]))
        for _ in range(150):
            clean, staff, food = (int(v) for v in rng.integers(1, 6, 3))
            overall = int(np.clip(round(0.8 * clean + 0.2 * staff + rng.normal(0, 0.4)), 1, 5))
            submit_response(s, ResponseIn(survey="stay", answers={"overall": overall, "cleanliness": clean,
                                                                   "staff": staff, "breakfast": food}))
    result = client.get("/api/v1/drivers/stay", headers=auth(tokens["viewer"]))
    assert result.status_code == 200, result.text
    names = [d["name"] for d in result.json()["drivers"]]
    assert names[0] == "cleanliness" and names[-1] == "breakfast"
    assert client.get("/api/v1/drivers/rnps", headers=auth(tokens["viewer"])).status_code == 422


def test_touchpoint_drivers_find_the_touchpoint_that_moves_nps(client, db, tokens):
    rng = np.random.default_rng(5)
    with db.transaction() as s:
        for c in range(160):
            room, checkout = (int(v) for v in rng.integers(1, 6, 2))
            nps = int(np.clip(round(2.2 * room - 1 + rng.normal(0, 1.0)), 0, 10))
            email = f"t{c}@example.com"
            respond(s, "stay-csat", room, email=email, touchpoint="room", when=START)
            if c % 4:  # not every customer rated check-out: its missing scores are imputed
                respond(s, "support-ces", int(rng.integers(1, 8)), email=email, touchpoint="check-out", when=START)
            respond(s, "rnps", nps, email=email, when=START + timedelta(days=3))
    result = client.get("/api/v1/drivers/rnps?by=touchpoints", headers=auth(tokens["viewer"]))
    assert result.status_code == 200, result.text
    drivers = result.json()["drivers"]
    assert [d["name"] for d in drivers] == ["Room", "Check-out"]
    assert drivers[0]["p_value"] < 0.05 and drivers[0]["low"] > drivers[1]["importance"]
    assert client.get("/api/v1/drivers/nope?by=touchpoints", headers=auth(tokens["viewer"])).status_code == 422


def test_churn_drivers_show_promoters_stay(client, history):
    result = client.get("/api/v1/value/churn/drivers?months=4", headers=auth(history["viewer"]))
    assert result.status_code == 200, result.text
    nps = next(d for d in result.json()["drivers"] if d["name"] == "latest NPS score")
    assert nps["importance"] < 0 and nps["high"] < 0  # a higher score lowers the odds of leaving
    page = client.get("/drivers?by=churn", headers=auth(history["viewer"]))
    assert page.status_code == 200 and "latest NPS score" in page.text


def test_earned_growth_rate_from_referral_data(client, db, tokens):
    purchases = [("a", "2025-07-01", 100, None), ("a", "2026-03-01", 120, None), ("b", "2025-09-01", 200, None),
                 ("c", "2025-10-01", 50, None), ("c", "2026-06-30", 30, None),
                 ("d", "2026-02-01", 60, "referral"), ("e", "2026-04-01", 90, "search")]
    events = [{"customer": {"email": f"{who}@example.com", "attributes": {"acquisition": how} if how else {}},
               "kind": "purchase", "occurred_at": day, "value": amount, "external_id": f"p{i}", "source": "shop"}
              for i, (who, day, amount, how) in enumerate(purchases)]
    assert import_rows(db, "events", [SourceRow(i + 1, e) for i, e in enumerate(events)]).failed == 0
    result = client.get("/api/v1/value/earned-growth?months=6", headers=auth(tokens["viewer"]))
    assert result.status_code == 200, result.text
    body = result.json()
    # previous revenue 350; retained 120 + 30; earned new 60 (d came by referral, e by search)
    assert body["net_revenue_retention"]["value"] == pytest.approx(100 * 150 / 350)
    assert body["earned_new_customer_revenue"]["value"] == pytest.approx(100 * 60 / 350)
    assert body["earned_growth_rate"]["value"] == pytest.approx(100 * 210 / 350 - 100)
    assert body["earned_new_customers"] == 1 and body["customers"] == 5
    too_long = client.get("/api/v1/value/earned-growth?months=12", headers=auth(tokens["viewer"]))
    assert too_long.status_code == 422 and "24 months" in too_long.json()["detail"]
    no_data = client.get("/api/v1/value/earned-growth?months=6&attribute=channel", headers=auth(tokens["viewer"]))
    assert no_data.status_code == 422 and "no referral data" in no_data.json()["detail"]


def test_empty_store_gets_a_clear_answer(client, tokens):
    answer = client.get("/api/v1/value/clv", headers=auth(tokens["viewer"]))
    assert answer.status_code == 422 and "no purchases" in answer.json()["detail"]


def test_analytics_pages_render(client, history):
    assert login(client).status_code == 303
    for page, text in (("/value", "BG/NBD"), ("/roi", "Revenue at risk"), ("/drivers", "Key drivers"),
                       ("/touchpoints", "Holm")):
        answer = client.get(page)
        assert answer.status_code == 200 and text in answer.text, page


def test_rfm_segments_become_shared_segments_and_happiness(client, history):
    stored = client.post("/api/v1/value/rfm/segments", headers=auth(history["manager"]))
    assert stored.status_code == 200 and sum(stored.json().values()) == 300
    assert client.post("/api/v1/value/rfm/segments", headers=auth(history["viewer"])).status_code == 403
    key = max(stored.json(), key=stored.json().get)
    by_segment = client.get(f"/api/v1/metrics/nps?segment={key}", headers=auth(history["viewer"])).json()
    assert by_segment["overall"]["n"] == stored.json()[key]
    churn = client.get(f"/api/v1/value/churn?segment={key}", headers=auth(history["viewer"]))
    assert churn.status_code in (200, 422)
    happy = client.get("/api/v1/metrics/happiness", headers=auth(history["viewer"])).json()
    assert 0 <= happy["value"] <= 100 and happy["n"] > 0
