"""Slots and coverage windows: what a rotation's calendar looks like before assignment."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from generator.model import Coverage, Lock, Member, Org, Rotation, Settings, Team
from generator.schedule.assign import active_members
from generator.schedule.shifts import compute_slots

MON_TO_FRI = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


def rotation(
    start: str,
    shift: timedelta,
    coverage: tuple[Coverage, ...] = (),
    members: tuple[Member, ...] = (Member("a", None, None, 1.0),),
) -> Rotation:
    return Rotation(
        "t",
        "r",
        "R",
        members,
        datetime.fromisoformat(start),
        shift,
        "fair",
        "fluid",
        None,
        coverage,
    )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_weekday_business_hours_coverage_cuts_a_week_into_five_windows() -> None:
    rot = rotation("2026-01-05 09:00", timedelta(weeks=1), (Coverage(MON_TO_FRI, 9 * 60, 17 * 60),))
    (slot,) = compute_slots(rot, "UTC", utc("2026-03-02 09:00"), utc("2026-03-03 00:00"))
    # Mon 09:00 to the next Mon 09:00: Mon..Fri 09:00-17:00, 8 h each
    assert [(a.day, a.hour, b.day, b.hour) for a, b in slot.windows] == [
        (2, 9, 2, 17),
        (3, 9, 3, 17),
        (4, 9, 4, 17),
        (5, 9, 5, 17),
        (6, 9, 6, 17),
    ]
    assert slot.covered == timedelta(hours=40)


def test_coverage_window_crossing_midnight_runs_into_the_next_day() -> None:
    rot = rotation("2026-01-05 19:00", timedelta(days=1), (Coverage(EVERY_DAY, 19 * 60, 7 * 60),))
    (slot,) = compute_slots(rot, "UTC", utc("2026-03-02 19:00"), utc("2026-03-02 20:00"))
    # the slot runs Mon 19:00 to Tue 19:00; covered Mon 19:00 to Tue 07:00, 12 h
    assert slot.windows == ((utc("2026-03-02 19:00"), utc("2026-03-03 07:00")),)


def test_follow_the_sun_pair_covers_every_hour_exactly_once() -> None:
    day = rotation("2026-01-05 07:00", timedelta(days=1), (Coverage(EVERY_DAY, 7 * 60, 19 * 60),))
    night = rotation("2026-01-05 19:00", timedelta(days=1), (Coverage(EVERY_DAY, 19 * 60, 7 * 60),))
    lo, hi = utc("2026-03-02 07:00"), utc("2026-03-09 07:00")
    windows = sorted(
        (max(a, lo), min(b, hi))
        for r in (day, night)
        for s in compute_slots(r, "UTC", lo, hi)
        for a, b in s.windows
        if a < hi and b > lo
    )
    # a week = 14 alternating 12-hour windows, each starting where the last ended
    assert len(windows) == 14
    assert windows[0][0] == lo and windows[-1][1] == hi
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(windows))


def test_weekend_slot_with_weekday_only_coverage_does_not_exist() -> None:
    rot = rotation("2026-01-05 00:00", timedelta(days=1), (Coverage(MON_TO_FRI, 0, 0),))
    slots = compute_slots(rot, "UTC", utc("2026-03-02"), utc("2026-03-09"))
    # Mon..Fri, whole days (from == to means 24 h); Sat and Sun have nobody on call
    assert [s.start_at.astimezone(UTC).date().day for s in slots] == [2, 3, 4, 5, 6]
    assert all(s.covered == timedelta(hours=24) for s in slots)


def test_coverage_follows_local_time_in_the_team_zone_across_dst() -> None:
    rot = rotation("2026-01-05 09:00", timedelta(weeks=1), (Coverage(MON_TO_FRI, 9 * 60, 17 * 60),))
    (slot,) = compute_slots(
        rot, "America/New_York", utc("2026-03-05 12:00"), utc("2026-03-05 13:00")
    )
    # the week of the spring change: 09:00 EST = 14:00Z before, 09:00 EDT = 13:00Z after
    starts = [a.astimezone(UTC).strftime("%a %H:%M") for a, _ in slot.windows]
    assert starts == ["Mon 14:00", "Tue 14:00", "Wed 14:00", "Thu 14:00", "Fri 14:00"]
    (after,) = compute_slots(
        rot, "America/New_York", utc("2026-03-10 12:00"), utc("2026-03-10 13:00")
    )
    assert after.windows[0][0].astimezone(UTC) == utc("2026-03-09 13:00")


def test_member_joining_mid_horizon_is_active_from_their_first_day() -> None:
    members = (
        Member("a", None, None, 1.0),
        Member("b", date(2026, 3, 9), None, 1.0),
        Member("c", None, date(2026, 3, 9), 1.0),
    )
    rot = rotation("2026-01-05 09:00", timedelta(weeks=1), members=members)
    team = Team("t", "T", "UTC", None, (), (rot,), None, ())
    org = Org(".", Settings(), {}, {"t": team}, (), (), (), (), None, (), Lock({}, (), ()))
    week1, week2 = compute_slots(rot, "UTC", utc("2026-03-02 09:00"), utc("2026-03-16 09:00"))
    # b joins Mon 03-09: not in the week of 03-02 to 03-09 09:00; c's last day is Mon 03-09:
    # in that week (it ends that morning), not in the one after (it runs to 03-16)
    assert [m.person for m in active_members(rot, week1, org)] == ["a", "c"]
    assert [m.person for m in active_members(rot, week2, org)] == ["a", "b"]
