"""Business-calendar arithmetic against a minute-by-minute reference, and hand-checked examples."""

from __future__ import annotations

import bisect
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from centric.errors import Invalid
from centric.loop.calendar import (
    WEEKDAYS,
    Calendar,
    add_business_minutes,
    business_minutes_between,
    calendar_from,
    is_working,
)

OFFICE = {day: [["09:00", "17:00"]] for day in WEEKDAYS[:5]}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- the reference: every UTC minute of a window, working or not --------------------------------


class Reference:
    """Brute force: which UTC minutes of a window are working time, computed from UTC → local only.

    A period on local date d runs from the first minute whose local wall time is ≥ its start
    to just after the last minute whose wall time is < its end (the module's DST rule),
    found by scanning the window's wall times (prefix maxima / suffix minima).
    """

    def __init__(self, calendar: Calendar, first: datetime, days: int) -> None:
        self.first = first
        zone = ZoneInfo(calendar.timezone)
        count = days * 24 * 60
        # the zones used change offset only on the hour or half hour: convert once per half hour
        walls = []
        for block in range(0, count, 30):
            wall = int((first + timedelta(minutes=block)).astimezone(zone).replace(tzinfo=None).timestamp() // 60)
            walls.extend(range(wall, wall + 30))
        prefix_max = list(itertools.accumulate(walls, max))
        suffix_min = list(itertools.accumulate(reversed(walls), min))[::-1]
        self.working = [False] * count
        local_first = first.astimezone(zone).date()
        # only local dates whose periods lie wholly inside the window
        self.valid_from = count
        self.valid_to = 0
        for offset in range(1, days - 1):
            day = local_first + timedelta(days=offset)
            midnight = int(datetime(day.year, day.month, day.day).timestamp() // 60)
            day_start = bisect.bisect_left(prefix_max, midnight)
            day_end = bisect.bisect_left(suffix_min, midnight + 24 * 60)
            self.valid_from, self.valid_to = min(self.valid_from, day_start), max(self.valid_to, day_end)
            if calendar.is_holiday(day):
                continue
            for start, end in calendar.periods[day.weekday()]:
                lo = bisect.bisect_left(prefix_max, midnight + start)
                hi = bisect.bisect_left(suffix_min, midnight + end)
                for i in range(lo, hi):
                    self.working[i] = True

    def index(self, moment: datetime) -> int:
        return int((moment - self.first).total_seconds() // 60)

    def add(self, start: datetime, minutes: int) -> datetime | None:
        i, left = self.index(start), minutes
        while left:
            if i >= self.valid_to:
                return None
            left -= self.working[i]
            i += 1
        return self.first + timedelta(minutes=i)

    def between(self, a: datetime, b: datetime) -> int:
        return sum(self.working[self.index(a):self.index(b)])


# --- property tests ------------------------------------------------------------------------------

# each zone with a window around one of its 2024 DST changes (and two zones without DST)
SETTINGS = [("Europe/London", utc(2024, 3, 28)), ("Europe/London", utc(2024, 10, 24)),
            ("America/New_York", utc(2024, 3, 7)), ("America/New_York", utc(2024, 10, 31)),
            ("Australia/Lord_Howe", utc(2024, 4, 4)), ("Australia/Lord_Howe", utc(2024, 10, 3)),
            ("Asia/Kolkata", utc(2024, 6, 10)), ("UTC", utc(2024, 6, 10))]

# half hours, biased to the small hours when clocks change
minutes_of_day = st.one_of(st.integers(0, 8).map(lambda n: n * 30), st.integers(0, 48).map(lambda n: n * 30))


@st.composite
def day_periods(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    cuts = sorted(set(draw(st.lists(minutes_of_day, max_size=4))))
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    return tuple(pairs)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[Calendar, datetime]:
    zone, anchor = draw(st.sampled_from(SETTINGS))
    if draw(st.booleans()):
        week = [draw(day_periods())] * 7  # every day alike: the night of the change has the same periods
    else:
        week = [draw(day_periods()) for _ in range(7)]
    assume(sum(len(p) for p in week) >= 2)
    closed = draw(st.sets(st.integers(-1, 9), max_size=3))
    holidays = frozenset(anchor.date() + timedelta(days=d) for d in closed)  # within the window
    return Calendar(zone, tuple(week), holidays), anchor


def _reference(calendar: Calendar, anchor: datetime) -> Reference:
    return Reference(calendar, anchor - timedelta(days=2), 13)


@settings(max_examples=60, deadline=None)
@given(calendars(), st.integers(0, 3 * 24 * 60 // 15), st.integers(0, 2400))
def test_add_matches_the_minute_by_minute_reference(setup, start_quarter, minutes):
    calendar, anchor = setup
    reference = _reference(calendar, anchor)
    start = anchor + timedelta(minutes=15 * start_quarter)
    expected = reference.add(start, minutes)
    assume(expected is not None)
    got = add_business_minutes(start, minutes, calendar)
    assert got == expected
    assert business_minutes_between(start, got, calendar) == minutes  # between ∘ add is the identity
    if minutes:
        # the budget runs out inside working time: the minute before the answer is worked, on an open day
        assert reference.working[reference.index(got) - 1]
        assert is_working(got - timedelta(minutes=1), calendar)
        worked_on = [day for day in {(got - timedelta(minutes=m)).astimezone(ZoneInfo(calendar.timezone)).date()
                                     for m in (1, 24 * 60 + 1)}
                     if any(a < got <= b for a, b in calendar.working_intervals(day))]
        assert worked_on and not any(calendar.is_holiday(day) for day in worked_on)  # never on a closed day


@settings(max_examples=60, deadline=None)
@given(calendars(), st.integers(0, 4 * 24 * 60), st.integers(0, 4 * 24 * 60), st.integers(0, 600))
def test_between_matches_the_reference_and_is_monotonic(setup, a_minute, b_minute, extra):
    calendar, anchor = setup
    reference = _reference(calendar, anchor)
    a, b = sorted((anchor + timedelta(minutes=a_minute), anchor + timedelta(minutes=b_minute)))
    counted = business_minutes_between(a, b, calendar)
    assert counted == reference.between(a, b)
    assert business_minutes_between(b, a, calendar) == -counted
    assert business_minutes_between(a, b + timedelta(minutes=extra), calendar) >= counted  # monotonic
    back = add_business_minutes(a, counted, calendar)
    assert back <= b and business_minutes_between(back, b, calendar) == 0  # add ∘ between stops no later


@settings(max_examples=40, deadline=None)
@given(calendars(), st.integers(0, 3 * 24 * 60), st.integers(0, 1500), st.integers(1, 600))
def test_more_minutes_never_end_sooner(setup, start_minute, minutes, more):
    calendar, anchor = setup
    start = anchor + timedelta(minutes=start_minute)
    assert add_business_minutes(start, minutes + more, calendar) > add_business_minutes(start, minutes, calendar)
    later = start + timedelta(minutes=more)
    assert add_business_minutes(later, minutes, calendar) >= add_business_minutes(start, minutes, calendar)


# --- hand-checked examples -----------------------------------------------------------------------


def test_friday_afternoon_plus_an_hour_is_monday_morning():
    office = calendar_from("Europe/Berlin", OFFICE)
    # Friday 7 June 2024 16:30 in Berlin (CEST, UTC+2)
    start = utc(2024, 6, 7, 14, 30)
    assert add_business_minutes(start, 60, office) == utc(2024, 6, 10, 7, 30)  # Monday 09:30 local
    assert add_business_minutes(start, 30, office) == utc(2024, 6, 7, 15, 0)  # the budget ends Friday 17:00
    assert business_minutes_between(start, utc(2024, 6, 10, 7, 30), office) == 60
    assert not is_working(utc(2024, 6, 8, 10), office)


def test_a_split_shift_skips_the_lunch_break():
    split = calendar_from("UTC", {"mon": [["08:00", "12:00"], ["13:00", "17:00"]]})
    monday = utc(2024, 6, 10, 11, 30)
    assert add_business_minutes(monday, 45, split) == utc(2024, 6, 10, 13, 15)
    assert add_business_minutes(monday, 30 + 240 + 10, split) == utc(2024, 6, 17, 8, 10)  # next Monday
    assert business_minutes_between(utc(2024, 6, 10), utc(2024, 6, 11), split) == 480


def test_holidays_from_the_library_and_the_company_are_closed():
    english = calendar_from("Europe/London", OFFICE, holiday_country="GB", holiday_subdivision="ENG",
                            extra_holidays=["2024-12-24"])
    # Thursday 28 March 2024 16:00 GMT + 2 h: Good Friday and Easter Monday are bank holidays
    assert add_business_minutes(utc(2024, 3, 28, 16), 120, english) == utc(2024, 4, 2, 9)  # Tue 10:00 BST
    # Monday 23 December 16:00 + 2 h: the 24th (company), 25th and 26th (public) are closed
    assert add_business_minutes(utc(2024, 12, 23, 16), 120, english) == utc(2024, 12, 27, 10)
    assert english.is_holiday(date(2024, 12, 25)) and english.is_holiday(date(2024, 12, 24))


def test_london_spring_forward_and_fall_back_nights():
    night = calendar_from("Europe/London", {"sun": [["00:30", "03:00"]]})
    # 31 March 2024: 01:00 GMT jumps to 02:00 BST, the shift lasts 90 real minutes
    assert business_minutes_between(utc(2024, 3, 30), utc(2024, 4, 1), night) == 90
    assert add_business_minutes(utc(2024, 3, 31), 31, night) == utc(2024, 3, 31, 1, 1)  # 02:01 BST
    # 27 October 2024: 02:00 BST falls back to 01:00 GMT, the shift lasts 210 real minutes
    assert business_minutes_between(utc(2024, 10, 26), utc(2024, 10, 28), night) == 210
    assert add_business_minutes(utc(2024, 10, 26, 23, 30), 210, night) == utc(2024, 10, 27, 3)
    # a period starting inside the skipped hour starts when the clocks jump
    skipped = calendar_from("Europe/London", {"sun": [["01:30", "03:00"]]})
    assert skipped.working_intervals(date(2024, 3, 31)) == [(utc(2024, 3, 31, 1), utc(2024, 3, 31, 2))]


def test_new_york_spring_forward_and_fall_back_nights():
    night = calendar_from("America/New_York", {"sun": [["01:00", "04:00"]]})
    # 10 March 2024: 02:00 EST jumps to 03:00 EDT → two real hours, 06:00–08:00 UTC
    assert night.working_intervals(date(2024, 3, 10)) == [(utc(2024, 3, 10, 6), utc(2024, 3, 10, 8))]
    assert add_business_minutes(utc(2024, 3, 10, 6), 60, night) == utc(2024, 3, 10, 7)  # 03:00 EDT
    # 3 November 2024: 02:00 EDT falls back to 01:00 EST → four real hours, 05:00–09:00 UTC
    assert night.working_intervals(date(2024, 11, 3)) == [(utc(2024, 11, 3, 5), utc(2024, 11, 3, 9))]
    assert add_business_minutes(utc(2024, 11, 2, 12), 240, night) == utc(2024, 11, 3, 9)
    # an office day is eight hours on either side of the change
    office = calendar_from("America/New_York", {day: [["09:00", "17:00"]] for day in WEEKDAYS})
    assert business_minutes_between(utc(2024, 3, 10), utc(2024, 3, 11), office) == 480


def test_no_calendar_is_round_the_clock():
    start = utc(2024, 6, 8, 23, 59)
    assert add_business_minutes(start, 61, None) == utc(2024, 6, 9, 1)
    assert business_minutes_between(start, utc(2024, 6, 9, 1), None) == 61
    assert add_business_minutes(datetime(2024, 6, 8), 1, None) == utc(2024, 6, 8, 0, 1)  # naive means UTC


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"timezone": "Mars/Olympus", "periods": OFFICE}, "timezone"),
    ({"timezone": "UTC", "periods": {"mon": [["17:00", "09:00"]]}}, "periods"),
    ({"timezone": "UTC", "periods": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "periods"),
    ({"timezone": "UTC", "periods": {"funday": [["09:00", "12:00"]]}}, "periods"),
    ({"timezone": "UTC", "periods": {"mon": [["9am", "12:00"]]}}, "periods"),
    ({"timezone": "UTC", "periods": {}}, "periods"),
    ({"timezone": "UTC", "periods": OFFICE, "extra_holidays": ["25/12/2024"]}, "extra_holidays"),
    ({"timezone": "UTC", "periods": OFFICE, "holiday_country": "XX"}, "holiday_country"),
])
def test_bad_calendars_name_the_field(kwargs, field):
    with pytest.raises(Invalid) as caught:
        calendar_from(kwargs.pop("timezone"), kwargs.pop("periods"), **kwargs)
    assert caught.value.field == field


def test_a_calendar_closed_for_years_is_an_error_not_a_hang():
    only_one_day = calendar_from("UTC", {"mon": [["09:00", "10:00"]]},
                                 extra_holidays=[(date(2024, 6, 10) + timedelta(weeks=w)).isoformat()
                                                 for w in range(200)])
    with pytest.raises(Invalid, match="no working time"):
        add_business_minutes(utc(2024, 6, 10), 1, only_one_day)
