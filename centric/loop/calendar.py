"""Business-calendar arithmetic for SLA clocks: add and count working minutes, exact to the minute.

Pure: no database, no web. A :class:`Calendar` is a time zone, working periods per
weekday as local wall-clock times (several per day for split shifts) and holidays (a
country's public holidays from the ``holidays`` library plus the company's own dates).

**Daylight-saving time.** A period runs, in real elapsed time, from the *first* moment
the local clock shows its start to the *last* moment it shows its end:

- a start or end that does not exist (inside the hour skipped when clocks spring
  forward) is the moment the clocks jump — a period 01:30–03:00 on a night that jumps
  from 01:00 to 02:00 lasts 60 real minutes (02:00–03:00);
- a start that exists twice (the hour repeated when clocks fall back) is its first
  occurrence, an end that exists twice is its second — the period covers every moment
  the clock shows a time inside it, so a period spanning the repeated hour lasts an hour
  longer in real time.

A day's periods that overlap after this mapping are merged. A holiday closes all
periods that start on that local date. ``None`` as a calendar means 24×7.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_library

from centric.errors import Invalid

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
MAX_CLOSED_DAYS = 3 * 366  # a calendar without any working minute in this long is an error
Period = tuple[int, int]  # local minutes since midnight, end exclusive, 0 ≤ start < end ≤ 1440


@dataclass(frozen=True)
class Calendar:
    """Working time: ``periods[weekday]`` (Monday = 0) in ``timezone``, closed on holidays."""

    timezone: str
    periods: tuple[tuple[Period, ...], ...]
    extra_holidays: frozenset[date] = frozenset()
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(f"unknown time zone {self.timezone!r} (use an IANA name such as Europe/London)",
                          field="timezone") from None
        object.__setattr__(self, "_zone", zone)
        if len(self.periods) != 7:
            raise Invalid("periods need one entry per weekday", field="periods")
        for day, periods in zip(WEEKDAYS, self.periods, strict=True):
            previous_end = -1
            for start, end in periods:
                if not 0 <= start < end <= DAY_MINUTES:
                    raise Invalid(f"{day}: a period must start before it ends, within the day", field="periods")
                if start < previous_end:
                    raise Invalid(f"{day}: periods must be in order and must not overlap", field="periods")
                previous_end = end
        if not any(self.periods):
            raise Invalid("a calendar needs at least one working period", field="periods")
        if self.holiday_country is not None:
            _public_holidays(self.holiday_country, self.holiday_subdivision, 2000)  # fail early on a bad code

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def is_holiday(self, day: date) -> bool:
        if day in self.extra_holidays:
            return True
        if self.holiday_country is None:
            return False
        return day in _public_holidays(self.holiday_country, self.holiday_subdivision, day.year)

    def working_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The UTC intervals of working time that start on local date ``day``, merged and in order."""
        if self.is_holiday(day):
            return []
        out: list[tuple[datetime, datetime]] = []
        for start, end in self.periods[day.weekday()]:
            begins, ends = _instant(day, start, self._zone, last=False), _instant(day, end, self._zone, last=True)
            if ends <= begins:
                continue
            if out and begins <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], ends))
            else:
                out.append((begins, ends))
        return out


def calendar_from(timezone: str, periods: Mapping[str, Sequence[Sequence[str]]], *,
                  holiday_country: str | None = None, holiday_subdivision: str | None = None,
                  extra_holidays: Sequence[str] = ()) -> Calendar:
    """Build a calendar from its stored shape: ``{"mon": [["09:00", "17:00"], ...], ...}`` and ISO dates."""
    unknown = set(periods) - set(WEEKDAYS)
    if unknown:
        raise Invalid(f"unknown weekday {sorted(unknown)[0]!r} (use {', '.join(WEEKDAYS)})", field="periods")
    parsed = tuple(tuple(_period(day, pair) for pair in periods.get(day, ())) for day in WEEKDAYS)
    extra: set[date] = set()
    for text in extra_holidays:
        try:
            extra.add(date.fromisoformat(text))
        except (TypeError, ValueError):
            raise Invalid(f"{text!r} is not an ISO date (YYYY-MM-DD)", field="extra_holidays") from None
    return Calendar(timezone, parsed, frozenset(extra), holiday_country or None, holiday_subdivision or None)


def add_business_minutes(start: datetime, minutes: int, calendar: Calendar | None) -> datetime:
    """The UTC moment when ``minutes`` of working time after ``start`` have passed.

    The answer is the moment the budget runs out, so it may be the very end of a period
    (Friday 16:30 + 30 min on a 09:00–17:00 calendar is Friday 17:00, + 60 is Monday 09:30).
    """
    start = _utc(start)
    if minutes < 0:
        raise Invalid("minutes must not be negative", field="minutes")
    if calendar is None or minutes == 0:
        return start + timedelta(minutes=minutes)
    left = timedelta(minutes=minutes)
    for begins, ends in _intervals_from(start, calendar):
        if ends <= start:
            continue
        begins = max(begins, start)
        if left <= ends - begins:
            return begins + left
        left -= ends - begins
    raise AssertionError("unreachable: _intervals_from never ends")


def business_minutes_between(a: datetime, b: datetime, calendar: Calendar | None) -> int:
    """Whole minutes of working time in ``[a, b)`` (negative when ``b`` is before ``a``)."""
    a, b = _utc(a), _utc(b)
    if b < a:
        return -business_minutes_between(b, a, calendar)
    if calendar is None:
        return int((b - a).total_seconds() // 60)
    total = timedelta()
    for begins, ends in _intervals_from(a, calendar):
        if begins >= b:
            break
        overlap = min(ends, b) - max(begins, a)
        if overlap > timedelta():
            total += overlap
    return int(total.total_seconds() // 60)


def is_working(moment: datetime, calendar: Calendar | None) -> bool:
    """Whether ``moment`` lies inside working time (24×7: always)."""
    if calendar is None:
        return True
    moment = _utc(moment)
    for begins, ends in _intervals_from(moment, calendar):
        if begins > moment:
            return False
        if moment < ends:
            return True
    return False


# --- helpers ---------------------------------------------------------------------------------


def _intervals_from(moment: datetime, calendar: Calendar) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals in time order, from the local day before ``moment`` on, overlaps merged."""
    day = moment.astimezone(calendar.zone).date() - timedelta(days=1)
    pending: tuple[datetime, datetime] | None = None
    closed_days = 0
    while True:
        intervals = calendar.working_intervals(day)
        closed_days = 0 if intervals else closed_days + 1
        if closed_days > MAX_CLOSED_DAYS:
            raise Invalid("the calendar has no working time for years (every day closed or a holiday)",
                          field="calendar")
        for interval in intervals:
            if pending is not None and interval[0] <= pending[1]:
                pending = (pending[0], max(pending[1], interval[1]))
                continue
            if pending is not None:
                yield pending
            pending = interval
        day += timedelta(days=1)


def _instant(day: date, minute: int, zone: ZoneInfo, *, last: bool) -> datetime:
    """The UTC moment local ``day`` + ``minute`` stands for (see the module's note on DST)."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    early = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if early == late:
        return early
    if early < late:  # the wall time exists twice (clocks fell back)
        if not last:
            return early
        # An end lasts to its second showing, unless the clocks fell back exactly then: the
        # moment before showed a later wall time, so the period had ended at the first one.
        fell_back_then = (late - timedelta(seconds=1)).astimezone(zone).utcoffset() != late.astimezone(zone).utcoffset()
        return early if fell_back_then else late
    # The wall time does not exist (clocks sprang forward): fold=0 read it with the old
    # offset (``early``, after the jump), fold=1 with the new one (``late``, before it).
    # The jump lies between; find it to the second (zone transitions fall on whole seconds).
    old_offset = late.astimezone(zone).utcoffset()
    before, after = int(late.timestamp()), int(early.timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == old_offset:
            before = middle
        else:
            after = middle
    return datetime.fromtimestamp(after, UTC)


def _period(day: str, pair: Sequence[str]) -> Period:
    if len(pair) != 2:
        raise Invalid(f"{day}: a period is a pair [start, end] such as [\"09:00\", \"17:00\"]", field="periods")
    start, end = (_minute_of_day(day, text) for text in pair)
    return start, end


def _minute_of_day(day: str, text: str) -> int:
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise Invalid(f"{day}: {text!r} is not a time HH:MM", field="periods") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise Invalid(f"{day}: {text!r} is not a time between 00:00 and 24:00", field="periods")
    return hours * 60 + minutes


def _utc(moment: datetime) -> datetime:
    """Naive datetimes are UTC (as the database stores them)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@functools.lru_cache(maxsize=512)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    try:
        found = holiday_library.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:
        raise Invalid(f"the holidays library knows no country {country!r}", field="holiday_country") from None
    except Exception as exc:  # noqa: BLE001 — the library raises plain errors for a bad subdivision
        raise Invalid(f"holidays of {country}/{subdivision}: {exc}", field="holiday_subdivision") from None
    return frozenset(found)
