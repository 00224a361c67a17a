"""After shipping: voters re-surveyed once per survey; their paired NPS/CSAT change beside non-voters'."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from centric.db import utcnow
from centric.errors import Conflict
from centric.ideas.models import IdeaResurvey
from centric.ideas.resurvey import resurvey_voters, shipped_effect
from centric.outreach.models import ContactSkip, InvitationDelivery
from centric.outreach.service import unsubscribe
from centric.stats.shipped import difference_of_changes, paired_change
from centric.surveys.models import Invitation
from tests.api import conftest as api_fixtures
from tests.api.conftest import auth
from tests.api.test_pages import login
from tests.factories import make_journey, respond
from tests.ideas.loop_helpers import change_status, customer, idea, vote

app, client, tokens = api_fixtures.app, api_fixtures.client, api_fixtures.tokens  # the API app and a token per role


def invitations(db) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return sorted(s.execute(select(Invitation.customer_id, InvitationDelivery.source)
                                .join(InvitationDelivery, InvitationDelivery.invitation_id == Invitation.id)).all())


def test_voters_of_a_done_idea_are_invited_once_per_survey(db):
    with db.transaction() as s:
        make_journey(s)
        ann, bo, quiet = (customer(s, f"{n}@example.com") for n in ("ann", "bo", "quiet"))
        target = idea(s)
        for voter in (ann, bo, quiet):
            vote(s, target.id, voter)
        unsubscribe(s, quiet, "email")
        with pytest.raises(Conflict):
            resurvey_voters(s, target.id, "rnps")  # open: not yet
        change_status(s, target.id, "done")
        first = resurvey_voters(s, target.id, "rnps", None)
        idea_id = target.id
    assert (first.invited, first.skipped, first.survey) == (2, 1, "rnps")
    assert invitations(db) == [(ann, f"idea:{idea_id}"), (bo, f"idea:{idea_id}")]
    with db.transaction() as s:
        cy = customer(s, "cy@example.com")
        vote(s, idea_id, cy)
        second = resurvey_voters(s, idea_id, "rnps", None)
        other_survey = resurvey_voters(s, idea_id, "stay-csat", None)
    assert (second.invited, second.skipped) == (1, 1)  # only the new voter; the unsubscribed one is skipped again
    assert (other_survey.invited, other_survey.skipped) == (3, 1)  # another survey asks everyone once more
    assert len(invitations(db)) == 6
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(IdeaResurvey)) == 3
        skips = s.scalars(select(ContactSkip.reason).where(ContactSkip.source == f"idea:{idea_id}")).all()
        assert skips == ["unsubscribed from email"] * 3


def _history(s, moment):  # type: ignore[no-untyped-def]
    """NPS and CSAT answers around the done day; returns the voters' ids."""
    def answer(email: str, survey: str, score: int, days: float) -> None:
        respond(s, survey, score, email=email, when=moment + timedelta(days=days))
    for email, before, after in (("ann", 6, 9), ("bo", 7, 8), ("cy", 9, 10)):  # voters: d = 3, 1, 1
        answer(f"{email}@example.com", "rnps", before, -30)
        answer(f"{email}@example.com", "rnps", after, 2)
    answer("ann@example.com", "rnps", 2, -60)  # older than the last one before: not used
    answer("ann@example.com", "rnps", 3, 5)  # later than the first one after: not used
    answer("dee@example.com", "rnps", 5, -3)  # a voter with no answer after: not paired
    for email, before, after in (("eve", 8, 8), ("fay", 5, 7)):  # non-voters: d = 0, 2
        answer(f"{email}@example.com", "rnps", before, -10)
        answer(f"{email}@example.com", "rnps", after, 3)
    answer("gus@example.com", "rnps", 10, -400)  # outside the window
    answer("gus@example.com", "rnps", 10, 1)
    answer("ann@example.com", "stay-csat", 3, -5)
    answer("ann@example.com", "stay-csat", 5, 1)
    return [customer(s, f"{n}@example.com") for n in ("ann", "bo", "cy", "dee")]


def test_the_effect_pairs_voters_answers_around_the_done_day(db):
    moment = (utcnow() - timedelta(days=20)).replace(microsecond=0)
    with db.transaction() as s:
        make_journey(s)
        target = idea(s)
        for voter in _history(s, moment):
            vote(s, target.id, voter)
        change_status(s, target.id, "done", at=moment)
        effect = shipped_effect(s, target.id)
    assert effect.voters == 4 and effect.done_at == moment
    nps, csat = effect.metrics
    assert nps.metric == "nps" and nps.voters.n == 3
    assert nps.voters.mean_before == pytest.approx(22 / 3) and nps.voters.mean_after == pytest.approx(9.0)
    assert nps.voters.change == pytest.approx(5 / 3)
    expected = paired_change([6, 7, 9], [9, 8, 10])
    assert (nps.voters.low, nps.voters.high) == (pytest.approx(expected.low), pytest.approx(expected.high))
    # NPS among the paired voters: before D, P, P(9) = 0; after P(9), passive 8, P(10) = 66.7
    assert nps.voters.nps_before == pytest.approx(0.0) and nps.voters.nps_after == pytest.approx(200 / 3)
    assert nps.voters.nps_change == pytest.approx(200 / 3)
    assert nps.voters.nps_low is not None and nps.voters.nps_low <= 200 / 3 <= nps.voters.nps_high
    assert (nps.others.n, nps.others.change) == (2, 1.0)
    welch = difference_of_changes([3, 1, 1], [0, 2])
    assert nps.difference == pytest.approx(2 / 3)
    assert (nps.difference_low, nps.difference_high) == (pytest.approx(welch.low), pytest.approx(welch.high))
    assert nps.small_n and csat.small_n
    assert (csat.voters.n, csat.voters.change, csat.voters.low, csat.others.n) == (1, 2.0, None, 0)
    assert any("Observational" in note for note in effect.notes)
    assert any(note.startswith("NPS: only 3 voters") for note in effect.notes)


def test_api_and_staff_page(db, client, tokens):
    moment = (utcnow() - timedelta(days=20)).replace(microsecond=0)
    with db.transaction() as s:
        target = idea(s, "Rain <showers>")
        for voter in _history(s, moment):
            vote(s, target.id, voter)
        change_status(s, target.id, "done", "Shipped", at=moment)
        open_id = idea(s, "Not yet").id
        idea_id = target.id
    refused = client.post(f"/api/v1/ideas/{idea_id}/resurveys", json={"survey": "rnps"}, headers=auth(tokens["viewer"]))
    assert refused.status_code == 403
    made = client.post(f"/api/v1/ideas/{idea_id}/resurveys", json={"survey": "rnps"}, headers=auth(tokens["agent"]))
    assert made.status_code == 201, made.text
    assert (made.json()["invited"], made.json()["survey"]) == (4, "rnps")
    assert client.post(f"/api/v1/ideas/{open_id}/resurveys", json={"survey": "rnps"},
                       headers=auth(tokens["agent"])).status_code == 409
    assert client.post(f"/api/v1/ideas/{idea_id}/resurveys", json={"survey": "nope"},
                       headers=auth(tokens["agent"])).status_code == 404
    listed = client.get(f"/api/v1/ideas/{idea_id}/resurveys", headers=auth(tokens["viewer"])).json()
    assert listed["total"] == 1 and listed["items"][0]["invited"] == 4
    effect = client.get(f"/api/v1/ideas/{idea_id}/effect", headers=auth(tokens["viewer"]))
    assert effect.status_code == 200 and effect.json()["metrics"][0]["voters"]["n"] == 3
    assert client.get(f"/api/v1/ideas/{open_id}/effect", headers=auth(tokens["viewer"])).status_code == 409
    assert client.get("/api/v1/ideas/999999/effect", headers=auth(tokens["viewer"])).status_code == 404
    assert client.get(f"/api/v1/ideas/{idea_id}/notices", headers=auth(tokens["viewer"])).status_code == 403
    notices = client.get(f"/api/v1/ideas/{idea_id}/notices", headers=auth(tokens["analyst"]))
    assert notices.status_code == 200 and notices.json()["total"] == 0  # the job has not run
    summary = client.get(f"/api/v1/ideas/{idea_id}/notices/summary", headers=auth(tokens["viewer"])).json()
    assert [c["to_status"] for c in summary["items"]] == ["done"]

    assert login(client, "viewer@example.com").status_code == 303
    page = client.get(f"/manage/ideas/{idea_id}/effect")
    assert page.status_code == 200
    assert "Rain &lt;showers&gt;" in page.text and "Rain <showers>" not in page.text
    assert 'data-small-n="nps"' in page.text and "observational" in page.text
    assert 'action="/manage/ideas/' not in page.text  # a viewer may not re-survey
    assert login(client, "agent@example.com").status_code == 303
    page = client.get(f"/manage/ideas/{idea_id}/effect")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None and '<option value="rnps">' in page.text
    posted = client.post(f"/manage/ideas/{idea_id}/resurveys", data={"csrf": csrf.group(1), "survey": "stay-csat"},
                         follow_redirects=False)
    assert posted.status_code == 303
    shown = client.get(posted.headers["location"])
    assert "Re-survey recorded." in shown.text and "stay-csat" in shown.text
    missing = client.post(f"/manage/ideas/{open_id}/resurveys", data={"csrf": csrf.group(1), "survey": "rnps"})
    assert missing.status_code == 409 and "only a done idea" in missing.text
