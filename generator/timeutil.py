"""Time, pure: durations, zones, wall-clock stepping across DST, classing hours.

Names say their kind: ``*_at`` an aware datetime, ``*_on`` a date, ``length``
a timedelta. Nothing here reads the clock.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

DURATION_RE = re.compile(r"^(\d+)(m|h|d|w)$")
UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """``30m``, ``12h``, ``1d``, ``1w`` → timedelta; ValueError otherwise."""
    m = DURATION_RE.fullmatch(text.strip())
    if not m:
        raise ValueError("use a whole number and a unit: m, h, d or w")
    return timedelta(seconds=int(m.group(1)) * UNITS[m.group(2)])


def format_duration(length: timedelta) -> str:
    """The shortest exact ``Nw``/``Nd``/``Nh``/``Nm`` spelling."""
    seconds = int(length.total_seconds())
    for unit in ("w", "d", "h", "m"):
        if seconds % UNITS[unit] == 0 and seconds:
            return f"{seconds // UNITS[unit]}{unit}"
    return "0m"


def human_duration(length: timedelta) -> str:
    """``1h 15m``, ``2d 3h``: for people."""
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if mins or not parts:
        parts.append(f"{mins}m")
    return " ".join(parts)


@cache
def zone(name: str) -> ZoneInfo:
    if not name or name.startswith("/") or ".." in name:
        raise ValueError(name)
    return ZoneInfo(name)


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def localize(local: datetime, tz: ZoneInfo) -> datetime:
    """Aware instant for a local wall-clock time, by SPEC 3's rules.

    In a repeated hour (fold) the first occurrence is taken; a time inside a
    gap moves to the first instant after the gap.
    """
    first = local.replace(tzinfo=tz, fold=0)
    roundtrip = first.astimezone(UTC).astimezone(tz)
    if roundtrip.replace(tzinfo=None) == local:
        return first
    # In a gap: the offset changes somewhere between the two readings.
    low = local.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first.astimezone(UTC)
    if low > high:
        low, high = high, low
    after = high.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == after:
            high = mid
        else:
            low = mid
    return high.astimezone(tz)


class LocalTimeError(ValueError):
    """A local date-time written as input that does not name one instant: what is
    wrong (``problem``), what to write instead (``remedy``), and a wall-clock time
    near it that names exactly one instant (``instead``)."""

    def __init__(self, problem: str, remedy: str, instead: datetime, joiner: str = ": "):
        super().__init__(f"{problem}{joiner}{remedy}")
        self.problem, self.remedy, self.instead = problem, remedy, instead


def read_local(local: datetime, tz: ZoneInfo, zone_name: str | None = None) -> datetime:
    """The UTC instant a local wall-clock time written as input names, by SPEC 2.

    Unlike ``localize`` (for computed boundaries), a time inside a gap or a
    repeated hour is an error: LocalTimeError says which, and what to write.
    """
    name = zone_name or str(tz)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    spelled = _spell(local)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local:
        readings = " or ".join(_reading(at) for at in (first, second))
        jump = abs((first.utcoffset() or timedelta(0)) - (second.utcoffset() or timedelta(0)))
        raise LocalTimeError(
            f"{spelled} happens twice in {name}", f"write {readings}", local + jump
        )
    before, after = first.utcoffset(), second.utcoffset()
    assert before is not None and after is not None
    jump = after - before
    moved = localize(local, tz).astimezone(UTC)  # the first instant after the gap
    gap_from = (moved + before).replace(tzinfo=None)
    gap_to = (moved + after).replace(tzinfo=None)
    earlier, later = local - jump, local + jump
    raise LocalTimeError(
        f"{spelled} does not exist in {name}: clocks go from {_clock(gap_from, local)} "
        f"to {_clock(gap_to, local)}",
        f"write {_clock(earlier, local)} or {_clock(later, local)}, or an offset",
        later,
        "; ",
    )


def _spell(local: datetime) -> str:
    return f"{local:%Y-%m-%d %H:%M}" + (f":{local:%S}" if local.second else "")


def _clock(at: datetime, near: datetime) -> str:
    """``03:00``, with the date when it is not ``near``'s."""
    text = f"{at:%H:%M}" + (f":{at:%S}" if at.second else "")
    return text if at.date() == near.date() else f"{at:%Y-%m-%d} {text}"


def _reading(at: datetime) -> str:
    spec = "seconds" if at.second else "minutes"
    text = at.isoformat(timespec=spec)
    abbr = at.tzname() or ""
    return text if not abbr or abbr[0] in "+-" else f"{text} ({abbr})"


def elapsed(start_at: datetime, end_at: datetime) -> timedelta:
    """The real time from ``start_at`` to ``end_at``: in UTC, since two datetimes
    sharing a ``ZoneInfo`` subtract on the wall clock in Python (an hour out
    across a change of offset)."""
    return end_at.astimezone(UTC) - start_at.astimezone(UTC)


def as_local(at: datetime, tz: ZoneInfo) -> datetime:
    """``at`` with the fixed UTC offset it has in ``tz``: it reads as that zone's wall
    clock (for display) and, unlike a ``ZoneInfo`` time, still subtracts as an instant."""
    local = at.astimezone(tz)
    return local.astimezone(fixed_zone(local.utcoffset() or timedelta(0)))


@cache
def fixed_zone(offset: timedelta) -> timezone:
    """One tzinfo per offset: shared by every instant that has it (and so pickled once)."""
    return timezone(offset)


def step_local(start_local: datetime, length: timedelta, k: int) -> datetime:
    """Local wall-clock time of boundary k: start + k × length, naive."""
    return start_local + k * length


@cache
def region_calendar(region: str, year: int) -> frozenset[date]:
    """Public holidays of ``country[-subdivision]`` in ``year``; ValueError if unknown."""
    import holidays

    country, _, subdiv = region.partition("-")
    supported = holidays.list_supported_countries()
    if country not in supported:
        from generator.errors import did_you_mean

        raise ValueError(f"unknown country '{country}'" + did_you_mean(country, supported))
    if subdiv and subdiv not in supported[country]:
        shown = ", ".join(supported[country][:12])
        more = " …" if len(supported[country]) > 12 else ""
        raise ValueError(
            f"'{subdiv}' is not a subdivision of {country}"
            + (f" (known: {shown}{more})" if shown else " (it has none)")
        )
    cal = holidays.country_holidays(country, subdiv=subdiv or None, years=year)
    return frozenset(cal.keys())


@cache
def holiday_name(region: str, on: date) -> str | None:
    import holidays

    country, _, subdiv = region.partition("-")
    cal = holidays.country_holidays(country, subdiv=subdiv or None, years=on.year)
    name = cal.get(on)
    return str(name) if name else None


class HourClasser:
    """Splits intervals into classes in one person's zone and holiday region.

    Classes: ``holiday`` (public or company holiday), ``weekend``, ``business``
    (weekday hours inside business hours) and ``night`` (other weekday hours).
    """

    def __init__(
        self,
        tz: ZoneInfo,
        region: str | None,
        company_holidays: Iterable[date],
        business_from: int,
        business_to: int,
    ):
        self.tz = tz
        self.region = region
        self.company = frozenset(company_holidays)
        self.business_from = business_from
        self.business_to = business_to

    def is_holiday(self, on: date) -> bool:
        if on in self.company:
            return True
        return self.region is not None and on in region_calendar(self.region, on.year)

    def day_class(self, on: date) -> str:
        if self.is_holiday(on):
            return "holiday"
        if on.weekday() >= 5:
            return "weekend"
        return "weekday"

    def pieces(
        self, start_at: datetime, end_at: datetime
    ) -> Iterator[tuple[datetime, datetime, str]]:
        """Consecutive (start, end, class) pieces covering [start_at, end_at)."""
        tz = self.tz
        cursor = start_at
        day = start_at.astimezone(tz).date()
        while cursor < end_at:
            day_start = localize(datetime.combine(day, time()), tz)
            next_start = localize(datetime.combine(day + timedelta(days=1), time()), tz)
            kind = self.day_class(day)
            if kind == "weekday":
                marks = [
                    (day_start, "night"),
                    (_at_minutes(day, self.business_from, tz), "business"),
                    (_at_minutes(day, self.business_to, tz), "night"),
                ]
            else:
                marks = [(day_start, kind)]
            marks.append((next_start, ""))
            for (a, cls), (b, _) in itertools.pairwise(marks):
                lo, hi = max(a, cursor), min(b, end_at)
                if lo < hi:
                    # in UTC: subtracting two times of one zone in Python is wall-clock
                    # arithmetic, which would make DST days 24 hours long
                    yield lo.astimezone(UTC), hi.astimezone(UTC), cls
            cursor = max(cursor, next_start)
            day += timedelta(days=1)

    def hours_by_class(self, start_at: datetime, end_at: datetime) -> dict[str, float]:
        out = {"holiday": 0.0, "weekend": 0.0, "business": 0.0, "night": 0.0}
        for a, b, cls in self.pieces(start_at, end_at):
            out[cls] += (b - a).total_seconds() / 3600
        return out


def _at_minutes(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    if minutes >= 1440:
        return localize(datetime.combine(day + timedelta(days=1), time()), tz)
    return localize(datetime.combine(day, time(minutes // 60, minutes % 60)), tz)


def iso(at: datetime) -> str:
    """ISO 8601 with offset, to the second."""
    return at.replace(microsecond=0).isoformat()


WHEN_FORMAT = "%a %d %b %H:%M %Z"


def when(at: datetime, tz: tzinfo) -> str:
    """An instant as a team reads it, labelled with its zone: ``Thu 03 Dec 12:20 EST``
    (review deadlines, on every page and in ``rota incidents``)."""
    return at.astimezone(tz).strftime(WHEN_FORMAT)
