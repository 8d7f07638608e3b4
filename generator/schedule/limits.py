"""The load limits of ``rules:`` as the planner sees them. Pure.

``max_nights_per_week``, ``no_consecutive_weekends`` and ``max_on_call_share`` are
measured here exactly as ``breaches`` reports them (a night: on call at some time
between 00:00 and 06:00 in the person's zone, Monday-to-Sunday weeks; a weekend:
Saturday 00:00 to Monday 00:00 in their zone; a share: on-call time in a window
ending at the end of one of their periods, above the limit even without that
period), over a person's covered windows in the team (all its rotations). Each
function answers how much one more slot adds to a rule's breach: 0 where it adds
none, so the planner can refuse it (hard) or price it (soft). ``breaches`` finds
nights and weekends with ``nights`` and ``saturdays`` from here.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta, tzinfo

Span = tuple[float, float, int]  # a covered window (POSIX seconds) and its slot's id
DAY = 86400.0


def near(spans: list[Span], lo: float, hi: float, skip: tuple[int, int]) -> list[Span]:
    """The person's windows meeting [lo, hi), those of the slots in ``skip`` left out
    (a person's windows in a team never overlap: their ends rise with their starts)."""
    out = []
    j = bisect_left(spans, (hi,)) - 1
    while j >= 0:
        a, b, sid = spans[j]
        j -= 1
        if b <= lo:
            break
        if sid not in skip:
            out.append((a, b, sid))
    out.reverse()
    return out


def nights(windows: list[tuple[float, float]], tz: tzinfo) -> set[date]:
    """The nights (by the date they start at midnight) the windows touch."""
    out: set[date] = set()
    six = timedelta(hours=6)
    for x, y in windows:
        a = datetime.fromtimestamp(x, UTC)
        b = datetime.fromtimestamp(y, UTC)
        day = a.astimezone(tz).date() - timedelta(days=1)
        while True:
            night = datetime.combine(day, datetime.min.time(), tz)
            if night >= b:
                break
            if a < night + six:
                out.add(day)
            day += timedelta(days=1)
    return out


def saturdays(windows: list[tuple[float, float]], tz: tzinfo) -> set[date]:
    """The weekends (by their Saturday) the windows touch."""
    out: set[date] = set()
    for x, y in windows:
        a = datetime.fromtimestamp(x, UTC)
        b = datetime.fromtimestamp(y, UTC)
        first = a.astimezone(tz).date()
        day = first - timedelta(days=(first.weekday() - 5) % 7)
        while True:
            sat = datetime.combine(day, datetime.min.time(), tz)
            if sat >= b:
                break
            if a < datetime.combine(day + timedelta(days=2), datetime.min.time(), tz):
                out.add(day)
            day += timedelta(weeks=1)
    return out


def extra_nights(
    spans: list[Span],
    windows: list[tuple[float, float]],
    skip: tuple[int, int],
    tz: tzinfo,
    limit: float,
) -> int:
    """Nights above ``limit`` in some week that taking ``windows`` adds."""
    mine = nights(windows, tz)
    if not mine:
        return 0
    weeks = {d - timedelta(days=d.weekday()) for d in mine}
    lo = datetime.combine(min(weeks), datetime.min.time(), tz).timestamp() - 2 * DAY
    hi = datetime.combine(max(weeks), datetime.min.time(), tz).timestamp() + 9 * DAY
    held = nights([(a, b) for a, b, _ in near(spans, lo, hi, skip)], tz)
    added = 0.0
    for monday in weeks:
        week = {d for d in held if 0 <= (d - monday).days < 7}
        after = week | {d for d in mine if 0 <= (d - monday).days < 7}
        added += max(0.0, len(after) - limit) - max(0.0, len(week) - limit)
    return round(added)


def extra_weekends(
    spans: list[Span], windows: list[tuple[float, float]], skip: tuple[int, int], tz: tzinfo
) -> int:
    """Pairs of consecutive weekends on call that taking ``windows`` adds."""
    mine = saturdays(windows, tz)
    if not mine:
        return 0
    lo = windows[0][0] - 10 * DAY
    hi = windows[-1][1] + 10 * DAY
    held = saturdays([(a, b) for a, b, _ in near(spans, lo, hi, skip)], tz)
    week = timedelta(weeks=1)
    new = mine - held
    both = held | mine
    return sum((d - week in both) + (d + week in both and d + week not in new) for d in new)


def extra_share(
    spans: list[Span],
    windows: list[tuple[float, float]],
    skip: tuple[int, int],
    window: float,
    limit: float,
) -> float:
    """How much (seconds, at most the slot's length) taking ``windows`` raises the
    person's excess over ``max_on_call_share`` in some window: on-call time in a
    window ending at the end of one of their periods (this one, or a later one the
    window reaches back to), less that period, above ``limit`` of the window (as
    ``breaches`` reports it)."""
    start, end = windows[0][0], windows[-1][1]
    others = near(spans, end - window, start + window, skip)
    allowed = limit * window
    length = sum(b - a for a, b in windows)
    if sum(b - a for a, b, _ in others) + length <= allowed:
        return 0.0  # (no window holds more than all of them and this slot)
    starts = [a for a, _, _ in others]
    ends = [b for _, b, _ in others]
    total = [0.0]
    for a, b, _ in others:
        total.append(total[-1] + b - a)

    def on(lo: float, hi: float) -> float:
        """Their on-call time in [lo, hi) (their windows do not overlap)."""
        i = bisect_left(ends, lo)  # (ends equal to lo hold nothing of it)
        while i < len(ends) and ends[i] <= lo:
            i += 1
        j = bisect_left(starts, hi)
        if j <= i:
            return 0.0
        return total[j] - total[i] - max(0.0, lo - starts[i]) - max(0.0, ends[j - 1] - hi)

    def mine(lo: float, hi: float) -> float:
        return sum(max(0.0, min(b, hi) - max(a, lo)) for a, b in windows)

    # the window ending with this slot (its own time is the period left out)
    rise = max(0.0, on(end - window, end) - allowed)
    for a, b, _ in others:
        if b <= end:
            continue
        lo = b - window
        if lo >= end:
            break
        base = on(lo, b) - (b - max(a, lo)) - allowed
        rise = max(rise, max(0.0, base + mine(lo, b)) - max(0.0, base))
    return min(rise, length)
