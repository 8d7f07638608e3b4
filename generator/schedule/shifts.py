"""Shift boundaries and coverage windows of a rotation. Pure.

Shift k starts at ``start + k × shift`` on the team's local wall clock, so a
weekly 09:00 handoff stays at 09:00 through DST. Coverage windows, in the team
zone, cut each shift into the intervals when someone is actually on call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from generator.model import Coverage, Rotation
from generator.timeutil import fixed_zone, localize, zone


@dataclass(frozen=True)
class Slot:
    """One shift of a rotation before anyone is assigned to it."""

    team: str
    rotation: str
    index: int
    start_at: datetime  # nominal boundaries (handoff instants)
    end_at: datetime
    windows: tuple[tuple[datetime, datetime], ...]  # covered intervals, in order

    @property
    def covered(self) -> timedelta:
        return sum((b - a for a, b in self.windows), timedelta(0))


def boundary_at(rotation: Rotation, tz_name: str, k: int) -> datetime:
    """The instant of handoff k (k may be negative), with a fixed UTC offset.

    A fixed offset, not the zone: Python never finds a zone-aware time inside a
    repeated hour equal to the same instant in another zone (PEP 495), and slot
    starts are matched against the lock file's instants.
    """
    return _with_offset(localize(rotation.start_local + k * rotation.shift, zone(tz_name)))


def _next_boundary(
    rotation: Rotation, tz_name: str, tz: ZoneInfo, k: int, before: datetime
) -> datetime:
    """``boundary_at(rotation, tz_name, k)`` given boundary k - 1, ``before``.

    Most steps cross no change of UTC offset: boundary k is then ``before`` plus
    one shift at the same offset. That is taken when it reads, in the zone, as
    exactly the wall-clock time of boundary k and as its first occurrence (what
    ``localize`` picks); otherwise boundary k is computed from the wall clock.
    """
    guess = before + rotation.shift  # same fixed offset as ``before``
    local = guess.astimezone(tz)
    if (
        local.fold == 0
        and local.utcoffset() == guess.utcoffset()
        and local.replace(tzinfo=None) == rotation.start_local + k * rotation.shift
    ):
        return guess
    return boundary_at(rotation, tz_name, k)


def first_index_at_or_before(rotation: Rotation, tz_name: str, at: datetime) -> int:
    """The index of the slot containing ``at`` (or starting at it)."""
    tz = zone(tz_name)
    local = at.astimezone(tz).replace(tzinfo=None)
    k = math.floor((local - rotation.start_local) / rotation.shift)
    # wall-clock arithmetic is off by at most one step around DST; settle it
    while boundary_at(rotation, tz_name, k) > at:
        k -= 1
    while boundary_at(rotation, tz_name, k + 1) <= at:
        k += 1
    return k


@lru_cache(maxsize=1 << 16)
def _window_on(
    tz_name: str, day: date, from_minute: int, to_minute: int
) -> tuple[datetime, datetime, float, float]:
    """A coverage window opening on local ``day`` (consecutive slots share days),
    with its ends as POSIX seconds too (comparing those is quicker)."""
    tz = zone(tz_name)
    a_local = datetime.combine(day, time()) + timedelta(minutes=from_minute)
    if to_minute > from_minute:
        b_local = datetime.combine(day, time()) + timedelta(minutes=to_minute)
    else:  # crosses midnight, or a whole day when equal
        b_local = datetime.combine(day + timedelta(days=1), time()) + timedelta(minutes=to_minute)
    # fixed offsets, as handoffs have: two ends in one ZoneInfo would subtract on the
    # wall clock (a night window over a change of offset an hour out)
    a, b = (_with_offset(localize(local, tz)) for local in (a_local, b_local))
    return a, b, a.timestamp(), b.timestamp()


def _with_offset(at: datetime) -> datetime:
    return at.astimezone(fixed_zone(at.utcoffset() or timedelta(0)))


def coverage_windows(
    coverage: tuple[Coverage, ...], tz_name: str, start_at: datetime, end_at: datetime
) -> tuple[tuple[datetime, datetime], ...]:
    """The parts of [start_at, end_at) inside the coverage windows, merged."""
    if not coverage:
        return ((start_at, end_at),)
    tz = zone(tz_name)
    first_day = start_at.astimezone(tz).date() - timedelta(days=1)
    last_day = end_at.astimezone(tz).date()
    pieces: list[tuple[datetime, datetime]] = []
    start_ts, end_ts = start_at.timestamp(), end_at.timestamp()
    day = first_day
    one_day = timedelta(days=1)
    while day <= last_day:
        weekday = day.weekday()
        for c in coverage:
            if weekday not in c.days:
                continue
            a, b, a_ts, b_ts = _window_on(tz_name, day, c.from_minute, c.to_minute)
            # max(a, start_at) and min(b, end_at), the first on ties as max/min do
            lo, lo_ts = (a, a_ts) if a_ts >= start_ts else (start_at, start_ts)
            hi, hi_ts = (b, b_ts) if b_ts <= end_ts else (end_at, end_ts)
            if lo_ts < hi_ts:
                pieces.append((lo, hi))
        day += one_day
    pieces.sort()
    merged: list[tuple[datetime, datetime]] = []
    for a, b in pieces:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tuple(merged)


def compute_slots(
    rotation: Rotation, tz_name: str, start_at: datetime, end_at: datetime
) -> list[Slot]:
    """Every slot overlapping [start_at, end_at), whole, with its covered windows.

    Slots with no covered time (a weekend inside a weekday-only coverage) are
    left out: nobody is on call for them. A rotation's ``from``/``until`` cut the
    slots they fall in and leave out those wholly outside; a slot keeps its turn
    index, so turns count from ``start`` whatever is cut.
    """
    out: list[Slot] = []
    tz = zone(tz_name)
    lo, hi = rotation.from_at, rotation.until_at
    if lo is not None and start_at < lo:
        start_at = lo
    if hi is not None and end_at > hi:
        end_at = hi
    if end_at <= start_at:
        return out
    k = first_index_at_or_before(rotation, tz_name, start_at)
    begin = boundary_at(rotation, tz_name, k)
    while begin < end_at:
        finish = _next_boundary(rotation, tz_name, tz, k + 1, begin)
        if finish > begin:
            a = _with_offset(lo.astimezone(tz)) if lo is not None and begin < lo else begin
            b = _with_offset(hi.astimezone(tz)) if hi is not None and finish > hi else finish
            if a < b:
                windows = coverage_windows(rotation.coverage, tz_name, a, b)
                if windows:
                    out.append(Slot(rotation.team, rotation.id, k, a, b, windows))
        begin = finish
        k += 1
    return out
