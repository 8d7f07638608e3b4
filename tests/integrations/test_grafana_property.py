"""Property: for random Grafana OnCall rolling_users shifts, Rota's import renders exactly
who Grafana puts on call, or refuses the shape by name.

The reference below is written in this test from ``custom_on_call_shift.py`` alone
(``convert_to_ical``, ``get_rotation_date``, ``_daily_by_day_to_ical``), with
``dateutil.rrule`` standing in for the iCal RRULE expansion Grafana relies on:

- rotation dates: the first is ``start``, moved (with ``by_day``) to the first selected
  day in ``week_start`` order; each next one is the first RRULE repetition (interval =
  the shift's ``interval``) at or after: hourly +1 h, daily +1 day, weekly the next
  ``week_start`` day plus ``interval`` - 1 weeks (and no later than that week's end);
- rotation date j goes to group j mod groups (from ``start_rotation_from_user_index``);
  a date before ``rotation_start`` passes with nobody on call;
- each group's event recurs from its first date with RRULE interval ``interval`` x
  groups, ``byweekday`` = ``by_day``, ``wkst`` = ``week_start``;
- daily with ``by_day``: the selected days from the first date are dealt out in turn;
- an event lasts ``duration`` on the shift zone's wall clock (its end is the local start
  plus the duration, as the vendor cases' hand-worked renderings read it).

Times are wall-clock in the shift's zone, localized at the end.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dateutil import rrule
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.integrations.common import Doc, imported_yaml
from generator.integrations.grafana import Unsupported, import_grafana
from generator.pipeline import load_org
from generator.timeutil import localize, zone

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "UTC"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
RR_DAYS = [rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU]
FREQ = {"hourly": rrule.HOURLY, "daily": rrule.DAILY, "weekly": rrule.WEEKLY}
PEOPLE = ["UALICE1", "UBOB002", "UCAROL3", "UDAVE4X"]
KNOWN_REFUSALS = {
    "events longer than the turn",
    "coverage repeating every",
    "several selected days per turn",
    "weeks with nobody on call",
    "events past the week's end",
    "hourly turns in a zone with DST",
    "events spanning a clock change",
    "first week starting mid-week",
}


def reference(shift: dict[str, Any], until: datetime) -> list[tuple[str, datetime, datetime]]:
    """Grafana's events (user, local start, local end) starting before ``until``."""
    start = datetime.fromisoformat(shift["start"])
    freq, interval = shift["frequency"], shift["interval"]
    wkst = DAYS.index(shift.get("week_start", "SU"))
    by_day = [DAYS.index(d) for d in shift["by_day"] or []]
    groups = shift["rolling_users"]
    k = shift["start_rotation_from_user_index"]
    queue = groups[k:] + groups[:k]
    duration = timedelta(seconds=shift["duration"])
    first = start
    if by_day and start.weekday() not in by_day:
        order = [(wkst + i) % 7 for i in range(7)]
        wanted = next(d for d in order if d in by_day)
        first = start + timedelta(days=(wanted - start.weekday()) % 7)
    byweekday = [RR_DAYS[d] for d in by_day] or None
    out: list[tuple[str, datetime, datetime]] = []
    if freq == "daily" and by_day:
        days = rrule.rrule(rrule.DAILY, dtstart=first, byweekday=byweekday, until=until)
        for j, at in enumerate(days):
            out.append((queue[(j // interval) % len(queue)][0], at, at + duration))
        return out

    def next_date(current: datetime) -> datetime:
        rule = rrule.rrule(
            FREQ[freq], dtstart=current, interval=interval, byweekday=byweekday, wkst=wkst
        )
        if freq == "hourly":
            return rule.after(current + timedelta(hours=1), inc=True)
        if freq == "daily":
            return rule.after(current + timedelta(days=1), inc=True)
        ahead = 7 - current.weekday() + wkst
        ahead = ahead % 7 if ahead > 7 else ahead
        lo = current + timedelta(days=ahead + 7 * (interval - 1))
        hi = lo + timedelta(days=6)
        found = rule.after(lo, inc=True)
        return found if found is not None and found <= hi else lo

    rotation_start = datetime.fromisoformat(shift["rotation_start"])
    web = shift["time_zone"] is None  # made in the web UI: keeps the event in progress
    at, j, made = first, 0, 0
    while made < len(queue) and at < until:
        if (at + duration > rotation_start) if web else (at >= rotation_start):
            users = queue[j % len(queue)]
            events = rrule.rrule(
                FREQ[freq],
                dtstart=at,
                interval=interval * len(queue),
                byweekday=byweekday,
                wkst=wkst,
                until=until,
            )
            out += [(users[0], e, e + duration) for e in events]
            made += 1
        at, j = next_date(at), j + 1
    return out


@st.composite
def shifts(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    tz = draw(st.sampled_from(ZONES))
    freq = draw(st.sampled_from(["hourly", "daily", "weekly"]))
    day = datetime(2026, 2, 16) + timedelta(days=draw(st.integers(0, 270)))
    start = day.replace(hour=draw(st.integers(5, 20)), minute=draw(st.sampled_from([0, 30])))
    if freq == "hourly":
        tz = draw(st.sampled_from(["UTC", "Europe/London", "America/New_York"]))
        interval = draw(st.sampled_from([1, 2, 3, 4, 6, 8, 12, 24, 5]))
        period = timedelta(hours=interval)
        by_day = None
    elif freq == "daily":
        interval = draw(st.integers(1, 3))
        period = timedelta(days=interval)
        by_day = draw(st.none() | st.lists(st.sampled_from(DAYS), min_size=1, unique=True))
        if by_day and interval > len(by_day):
            interval = 1  # Grafana refuses more days per turn than selected days
            period = timedelta(days=1)
    else:
        interval = draw(st.sampled_from([1, 1, 2]))
        period = timedelta(weeks=interval)
        by_day = draw(st.none() | st.lists(st.sampled_from(DAYS), min_size=1, unique=True))
    minutes = int(period.total_seconds() // 60)
    lengths = [60, 480, 1440] if by_day else [minutes, minutes, 60, 480, 1440, minutes // 2 or 1]
    length = draw(st.sampled_from(lengths))
    groups = draw(st.integers(1, 4))
    people = draw(st.permutations(PEOPLE))[:groups]
    late = draw(st.sampled_from([0, 0, 1, 3])) * period  # rotation_start that much later
    web = draw(st.booleans())  # made in the web UI: no time_zone, rendered in UTC
    shift = {
        "id": "OPROP01",
        "name": "Prop",
        "type": "rolling_users",
        "time_zone": None if web else tz,
        "level": 0,
        "start": start.isoformat(),
        "rotation_start": (start + late + timedelta(minutes=1) if late else start).isoformat(),
        "duration": length * 60,
        "frequency": freq,
        "interval": interval,
        "week_start": draw(st.sampled_from(DAYS)),
        "by_day": by_day,
        "until": None,
        "rolling_users": [[p] for p in people],
        "start_rotation_from_user_index": draw(st.integers(0, groups - 1)),
    }
    return tz, shift


def _docs(tz: str, shift: dict[str, Any]) -> list[Doc]:
    users = [
        {"id": p, "username": p.lower(), "email": f"{p.lower()}@example.com", "timezone": "UTC"}
        for p in PEOPLE
    ]
    web = shift["time_zone"] is None
    schedule = {
        "id": "SPROP",
        "name": "Prop",
        "type": "web" if web else "calendar",
        "time_zone": tz,
    }
    return [
        Doc(schedule, "s.json"),
        Doc({"results": [shift]}, "o.json"),
        Doc({"results": users}, "u.json"),
    ]


def on_call(entries: list[tuple[str, datetime, datetime]], at: datetime) -> set[str]:
    return {who for who, a, b in entries if a <= at < b}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shifts())
def test_rota_renders_grafana_shifts_as_the_reference_or_refuses_them(
    case: tuple[str, dict[str, Any]],
) -> None:
    tz_name, shift = case
    imp = import_grafana(_docs(tz_name, shift))
    if shift["time_zone"] is None:
        tz_name = "UTC"  # Grafana renders a web-made shift without a zone in UTC
    if imp.unsupported:
        (feature, _), *_ = imp.unsupported
        event(f"refused: {feature}")
        assert any(feature.startswith(known) for known in KNOWN_REFUSALS), imp.unsupported
        return
    event(f"imported: {shift['frequency']}{' by_day' if shift['by_day'] else ''}")
    tz = zone(tz_name)
    (rotation,) = imp.rotations
    first_local = rotation.start_local
    begin = max(localize(first_local, tz), localize(datetime.fromisoformat(shift["start"]), tz))
    end = begin + timedelta(weeks=5)
    until_local = end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    theirs = [
        (f"{who.lower()}@example.com", localize(a, tz), localize(b, tz))
        for who, a, b in reference(shift, until_local)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "rotations").mkdir()
        (Path(tmp) / "rotations" / "x.yaml").write_text(imported_yaml(imp))
        loaded = load_org(Path(tmp), datetime(2026, 1, 1, tzinfo=UTC), lock=False)
        emails = {p.id: str(p.email) for p in loaded.org.people.values()}
        ours = [
            (emails[s.person], s.start_at, s.end_at)
            for s in loaded.schedule(begin, end).shifts
            if s.person is not None
        ]
    cuts = sorted({begin} | {t for _, a, b in theirs + ours for t in (a, b) if begin < t < end})
    for at in cuts:
        assert on_call(ours, at) == on_call(theirs, at), (at, rotation)


def test_the_reference_deals_weekdays_only_in_turn() -> None:
    """A check of the reference itself against case h worked by hand: daily, Mon-Fri,
    from Mon 2026-03-02 09:00: A B C A B, then Mon 03-09 C."""
    shift = {
        "start": "2026-03-02T09:00:00",
        "rotation_start": "2026-03-02T09:00:00",
        "frequency": "daily",
        "interval": 1,
        "by_day": ["MO", "TU", "WE", "TH", "FR"],
        "duration": 86400,
        "rolling_users": [["A"], ["B"], ["C"]],
        "start_rotation_from_user_index": 0,
    }
    got = [(w, a.strftime("%a %d")) for w, a, _ in reference(shift, datetime(2026, 3, 10))]
    assert got == [
        ("A", "Mon 02"),
        ("B", "Tue 03"),
        ("C", "Wed 04"),
        ("A", "Thu 05"),
        ("B", "Fri 06"),
        ("C", "Mon 09"),
    ]


def test_unsupported_is_raised_for_a_monthly_shift() -> None:
    from generator.integrations.grafana import shape_of

    shift = {"frequency": "monthly", "start": "2026-03-01T09:00:00", "duration": 3600}
    try:
        shape_of(Doc(shift, "o.json"), "UTC", web=False)
    except Unsupported as exc:
        assert exc.feature == "monthly frequency"
    else:
        raise AssertionError("a monthly shift was not refused")
