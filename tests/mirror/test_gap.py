"""The delivery gap on both databases: known predictions against known customers, and anonymity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from centric.db import utcnow
from centric.errors import Invalid
from centric.mirror.gap import delivery_gap
from tests.factories import make_journey
from tests.mirror.gap_data import customers, staff, team_id, today, touchpoint_id, wave


def _known(session) -> None:  # type: ignore[no-untyped-def]
    """Front Office predicts NPS 60 at check-in (customers: 20); Housekeeping predicts CSAT 50 at room (70%)."""
    make_journey(session)
    front, house = team_id(session, "Front Office"), team_id(session, "Housekeeping")
    check_in, room = touchpoint_id(session, "check-in"), touchpoint_id(session, "room")
    w = wave(session, "mirror-q1")
    staff(session, w, front, [("guess_nps", check_in, 60)], times=6)
    staff(session, w, house, [("guess_csat", room, 50)], times=5)
    staff(session, w, house, [("enps", None, 9)], times=2)  # not a prediction
    seen = utcnow() - timedelta(days=10)
    customers(session, "rnps", "check-in", [10] * 4 + [8] * 4 + [3] * 2, seen)  # NPS 20
    customers(session, "stay-csat", "room", [5] * 7 + [2] * 3, seen)  # 70% satisfied
    customers(session, "rnps", "check-in", [0] * 5, utcnow() - timedelta(days=120), tag="old")  # outside


def test_default_window_ends_with_the_last_completed_mirror_wave_and_the_gaps_are_known(db):
    with db.transaction() as s:
        _known(s)
    with db.reader() as s:
        report = delivery_gap(s, k=5)
    # the 90 days up to the wave's close: what staff are asked to judge, with enough customers' answers
    assert report.since == today() - timedelta(days=6 + 89) and report.until == today() - timedelta(days=6)
    assert "mirror-q1-1" in report.window
    teams = {row.name: row for row in report.teams}
    front, house = teams["Front Office"], teams["Housekeeping"]
    assert front.shown and front.metric == "nps" and front.predicted == 60
    assert front.actual == pytest.approx(20) and front.gap == pytest.approx(40)
    assert front.low is not None and front.low < 40 < front.high and (front.n_staff, front.n_customers) == (6, 10)
    assert house.metric == "csat" and house.actual == pytest.approx(70) and house.gap == pytest.approx(-20)
    assert house.overestimates is False
    assert report.headline.share == 50 and report.headline.groups == 2 and report.headline.over == 1
    assert report.headline.text.startswith("50% of teams believe customers rate them higher than customers do")
    assert "Bain" in report.headline.text and "2005" in report.reference
    points = {(row.key, row.metric): row for row in report.touchpoints}
    assert points[("check-in", "nps")].gap == pytest.approx(40)
    assert points[("room", "csat")].gap == pytest.approx(-20)
    company = {row.metric: row for row in report.company}
    assert company["nps"].gap == pytest.approx(40) and company["csat"].n_staff == 5


def test_an_explicit_range_without_the_wave_has_no_predictions_and_bad_ranges_are_refused(db):
    with db.transaction() as s:
        _known(s)
    with db.reader() as s:
        empty = delivery_gap(s, since=today() - timedelta(days=400), until=today() - timedelta(days=300))
        assert empty.teams == [] and empty.headline.share is None
        wide = delivery_gap(s, since=today() - timedelta(days=150), until=today())
        front = next(r for r in wide.teams if r.name == "Front Office")
        assert front.n_customers == 15 and front.actual == pytest.approx((4 - 7) / 15 * 100)  # the old five too
        with pytest.raises(Invalid) as bad:
            delivery_gap(s, since=today(), until=today() - timedelta(days=1))
        assert bad.value.field == "since"


def test_a_team_of_three_is_hidden_and_cannot_be_worked_out_from_the_company(db):
    with db.transaction() as s:
        make_journey(s)
        front, house = team_id(s, "Front Office"), team_id(s, "Housekeeping")
        check_in, room = touchpoint_id(s, "check-in"), touchpoint_id(s, "room")
        w = wave(s, "mirror-q2")
        staff(s, w, front, [("guess_nps", check_in, 50)], times=10)
        staff(s, w, house, [("guess_nps", room, -80)], times=3)
        seen = utcnow() - timedelta(days=10)
        customers(s, "rnps", "check-in", [9, 9, 6, 8], seen)
        customers(s, "rnps", "room", [9, 3, 6, 10], seen)
    with db.reader() as s:
        report = delivery_gap(s, k=5)
    published = report.company + report.teams + report.touchpoints
    visible = [row for row in published if row.shown]
    hidden = [row for row in published if not row.shown]
    # Housekeeping (3) is under k; showing Front Office (10) beside the company (13) would reveal it: both hidden
    assert {row.name for row in hidden} == {"Front Office", "Housekeeping", "Check-in", "Room"}
    assert [row.key for row in visible] == ["company"] and visible[0].n_staff == 13
    for row in hidden:
        assert row.predicted is row.gap is row.n_staff is row.actual is None
        assert "3" not in row.note and "10" not in row.note
    assert next(r for r in hidden if r.name == "Housekeeping").note == "fewer than 5 staff answered"
    # what is published cannot give Housekeeping's mean: only the pooled 13 are shown
    assert visible[0].predicted == pytest.approx((10 * 50 + 3 * -80) / 13)
    assert report.headline.groups == 0 and report.headline.share is None


def test_the_report_runs_the_same_number_of_queries_for_more_teams_and_answers(db):
    def statements() -> int:
        seen: list[str] = []

        def note(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            with db.reader() as s:
                delivery_gap(s, k=3)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        return len(seen)

    with db.transaction() as s:
        _known(s)
    few = statements()
    with db.transaction() as s:
        w = wave(s, "mirror-q3")
        staff(s, w, team_id(s, "Front Office"), [("guess_nps", touchpoint_id(s, "check-out"), 30),
                                                 ("guess_csat", touchpoint_id(s, "check-in"), 80)], times=7)
        customers(s, "support-ces", "check-out", [5, 6, 7], utcnow() - timedelta(days=8))
    assert statements() == few


def test_the_same_few_people_over_several_waves_are_still_too_few(db):
    """Two people answering three monthly waves are six responses but two people: never shown, nor derivable."""
    from centric.mirror.linkage import linkage

    with db.transaction() as s:
        make_journey(s)
        front, house = team_id(s, "Front Office"), team_id(s, "Housekeeping")
        check_in, room = touchpoint_id(s, "check-in"), touchpoint_id(s, "room")
        for n, (opens, closes) in enumerate(((80, 70), (50, 40), (20, 10))):
            mirror = wave(s, f"mirror-m{n}", opens=opens, closes=closes)
            staff(s, mirror, front, [("guess_nps", check_in, 60)], times=2)  # the same two people each month
            staff(s, mirror, house, [("guess_nps", room, 10)], times=6)
            pulse = wave(s, f"enps-m{n}", kind="enps", opens=opens, closes=closes)
            staff(s, pulse, front, [("enps", None, 2)], times=2)
            staff(s, pulse, house, [("enps", None, 9)], times=6)
        customers(s, "rnps", "check-in", [10] * 5 + [3] * 5, utcnow() - timedelta(days=30))
    with db.reader() as s:
        gap = delivery_gap(s, since=today() - timedelta(days=89), until=today(), k=5)
        ex = linkage(s, since=today() - timedelta(days=89), until=today(), k=5)
    teams = {row.name: row for row in gap.teams}
    assert not teams["Front Office"].shown and teams["Front Office"].predicted is None
    # and the company total cannot give it away: Housekeeping is hidden with it in every wave
    company = {row.metric: row for row in gap.company}
    assert not (company["nps"].shown and teams["Housekeeping"].shown)
    by_team = {t.team: t for t in ex.teams}
    assert not by_team["Front Office"].ex_shown and by_team["Front Office"].enps is None
