"""Shift boundaries across DST, checked by hand against the zones' published rules.

2026 transitions used below:
- America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
- Europe/London: 2026-03-29 01:00 GMT -> 02:00 BST; 2026-10-25 02:00 BST -> 01:00 GMT.
- Australia/Lord_Howe (30-minute DST): 2026-04-05 02:00 +11:00 -> 01:30 +10:30;
  2026-10-04 02:00 +10:30 -> 02:30 +11:00.
- Asia/Kolkata: +05:30 all year, no DST.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from generator.model import Member, Rotation
from generator.schedule.shifts import Slot, compute_slots


def rotation(start: str, shift: timedelta) -> Rotation:
    return Rotation(
        team="t",
        id="r",
        name="R",
        members=(Member("a", None, None, 1.0),),
        start_local=datetime.fromisoformat(start),
        shift=shift,
        assignment="fair",
        fairness="fluid",
        min_rest=None,
        coverage=(),
    )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def slot_at(rot: Rotation, tz: str, at: str) -> Slot:
    """The slot containing the UTC instant ``at``."""
    instant = utc(at)
    (slot,) = [
        s
        for s in compute_slots(rot, tz, instant, instant + timedelta(seconds=1))
        if s.start_at <= instant < s.end_at
    ]
    return slot


def hours(slot: Slot) -> float:
    return (slot.end_at.timestamp() - slot.start_at.timestamp()) / 3600


WEEK, DAY, HALF_DAY = timedelta(weeks=1), timedelta(days=1), timedelta(hours=12)

# -- America/New_York ----------------------------------------------------------------


def test_weekly_handoff_stays_0900_across_new_york_spring_forward() -> None:
    # Mon 03-02 09:00 EST = 14:00Z; Mon 03-09 09:00 EDT = 13:00Z: 168 - 1 = 167 h
    slot = slot_at(rotation("2026-01-05 09:00", WEEK), "America/New_York", "2026-03-05 12:00")
    assert (slot.start_at, slot.end_at) == (utc("2026-03-02 14:00"), utc("2026-03-09 13:00"))
    assert hours(slot) == 167


def test_weekly_handoff_stays_0900_across_new_york_fall_back() -> None:
    # Mon 10-26 09:00 EDT = 13:00Z; Mon 11-02 09:00 EST = 14:00Z: 168 + 1 = 169 h
    slot = slot_at(rotation("2026-01-05 09:00", WEEK), "America/New_York", "2026-10-30 12:00")
    assert (slot.start_at, slot.end_at) == (utc("2026-10-26 13:00"), utc("2026-11-02 14:00"))
    assert hours(slot) == 169


def test_daily_shift_over_new_york_spring_forward_lasts_23_hours() -> None:
    # Sat 03-07 09:00 EST = 14:00Z; Sun 03-08 09:00 EDT = 13:00Z
    slot = slot_at(rotation("2026-01-05 09:00", DAY), "America/New_York", "2026-03-08 00:00")
    assert (slot.start_at, slot.end_at) == (utc("2026-03-07 14:00"), utc("2026-03-08 13:00"))


def test_twelve_hour_night_shift_in_new_york_is_11_then_13_hours() -> None:
    rot = rotation("2026-01-05 08:00", HALF_DAY)
    # Sat 03-07 20:00 EST = 03-08 01:00Z; Sun 08:00 EDT = 12:00Z: 11 h
    spring = slot_at(rot, "America/New_York", "2026-03-08 06:00")
    assert (spring.start_at, spring.end_at) == (utc("2026-03-08 01:00"), utc("2026-03-08 12:00"))
    # Sat 10-31 20:00 EDT = 11-01 00:00Z; Sun 08:00 EST = 13:00Z: 13 h
    fall = slot_at(rot, "America/New_York", "2026-11-01 06:00")
    assert (fall.start_at, fall.end_at) == (utc("2026-11-01 00:00"), utc("2026-11-01 13:00"))


def test_handoff_inside_new_york_gap_moves_to_0300_edt() -> None:
    # 02:30 does not exist on 03-08: the first instant after the gap is 03:00 EDT = 07:00Z.
    # The slot before starts Sat 02:30 EST = 07:30Z (23.5 h); the next ends Mon 02:30 EDT
    # = 06:30Z (23.5 h).
    rot = rotation("2026-01-05 02:30", DAY)
    before = slot_at(rot, "America/New_York", "2026-03-08 00:00")
    after = slot_at(rot, "America/New_York", "2026-03-08 12:00")
    assert (before.start_at, before.end_at) == (utc("2026-03-07 07:30"), utc("2026-03-08 07:00"))
    assert (after.start_at, after.end_at) == (utc("2026-03-08 07:00"), utc("2026-03-09 06:30"))
    assert hours(before) == hours(after) == 23.5


def test_handoff_in_new_york_repeated_hour_takes_first_occurrence() -> None:
    # 01:30 on 11-01 happens at 05:30Z (EDT) and 06:30Z (EST): the first one counts,
    # so Sunday's shift runs 05:30Z to Mon 01:30 EST = 06:30Z, 25 h.
    rot = rotation("2026-01-05 01:30", DAY)
    slot = slot_at(rot, "America/New_York", "2026-11-01 12:00")
    assert (slot.start_at, slot.end_at) == (utc("2026-11-01 05:30"), utc("2026-11-02 06:30"))
    assert hours(slot) == 25


# -- Europe/London --------------------------------------------------------------------


def test_weekly_handoff_stays_0900_across_london_spring_forward() -> None:
    # Mon 03-23 09:00 GMT = 09:00Z; Mon 03-30 09:00 BST = 08:00Z: 167 h
    slot = slot_at(rotation("2026-01-05 09:00", WEEK), "Europe/London", "2026-03-25 12:00")
    assert (slot.start_at, slot.end_at) == (utc("2026-03-23 09:00"), utc("2026-03-30 08:00"))


def test_daily_shift_over_london_fall_back_lasts_25_hours() -> None:
    # Sat 10-24 09:00 BST = 08:00Z; Sun 10-25 09:00 GMT = 09:00Z
    slot = slot_at(rotation("2026-01-05 09:00", DAY), "Europe/London", "2026-10-25 00:00")
    assert (slot.start_at, slot.end_at) == (utc("2026-10-24 08:00"), utc("2026-10-25 09:00"))
    assert hours(slot) == 25


def test_twelve_hour_night_shift_in_london_spring_forward_is_11_hours() -> None:
    # Sat 03-28 19:00 GMT = 19:00Z; Sun 07:00 BST = 06:00Z
    slot = slot_at(rotation("2026-01-05 07:00", HALF_DAY), "Europe/London", "2026-03-29 03:00")
    assert (slot.start_at, slot.end_at) == (utc("2026-03-28 19:00"), utc("2026-03-29 06:00"))


def test_handoff_inside_london_gap_moves_to_0200_bst() -> None:
    # 01:30 does not exist on 03-29: 02:00 BST = 01:00Z
    slot = slot_at(rotation("2026-01-05 01:30", DAY), "Europe/London", "2026-03-29 12:00")
    assert slot.start_at == utc("2026-03-29 01:00")
    # and the next handoff is back at 01:30 BST = 00:30Z
    assert slot.end_at == utc("2026-03-30 00:30")


# -- Australia/Lord_Howe: half-hour DST ------------------------------------------------


def test_daily_shift_over_lord_howe_fall_back_lasts_24_and_a_half_hours() -> None:
    # Sat 04-04 09:00 +11:00 = 04-03 22:00Z; Sun 04-05 09:00 +10:30 = 04-04 22:30Z
    slot = slot_at(rotation("2026-01-05 09:00", DAY), "Australia/Lord_Howe", "2026-04-04 12:00")
    assert (slot.start_at, slot.end_at) == (utc("2026-04-03 22:00"), utc("2026-04-04 22:30"))
    assert hours(slot) == 24.5


def test_weekly_handoff_in_lord_howe_spring_forward_week_is_167_and_a_half_hours() -> None:
    # Mon 09-28 09:00 +10:30 = 09-27 22:30Z; Mon 10-05 09:00 +11:00 = 10-04 22:00Z
    slot = slot_at(rotation("2026-01-05 09:00", WEEK), "Australia/Lord_Howe", "2026-10-01 00:00")
    assert (slot.start_at, slot.end_at) == (utc("2026-09-27 22:30"), utc("2026-10-04 22:00"))
    assert hours(slot) == 167.5


def test_twelve_hour_night_shift_in_lord_howe_spring_forward_is_11_and_a_half_hours() -> None:
    # Sat 10-03 20:00 +10:30 = 09:30Z; Sun 10-04 08:00 +11:00 = 10-03 21:00Z
    slot = slot_at(
        rotation("2026-01-05 08:00", HALF_DAY), "Australia/Lord_Howe", "2026-10-03 12:00"
    )
    assert (slot.start_at, slot.end_at) == (utc("2026-10-03 09:30"), utc("2026-10-03 21:00"))


def test_handoff_inside_lord_howe_half_hour_gap_moves_to_0230() -> None:
    # 02:15 does not exist on 10-04 (02:00 -> 02:30): 02:30 +11:00 = 10-03 15:30Z
    slot = slot_at(rotation("2026-01-05 02:15", DAY), "Australia/Lord_Howe", "2026-10-04 00:00")
    assert slot.start_at == utc("2026-10-03 15:30")


def test_handoff_in_lord_howe_repeated_half_hour_takes_first_occurrence() -> None:
    # 01:45 on 04-05 happens at +11:00 (04-04 14:45Z) and +10:30 (15:15Z): the first counts
    slot = slot_at(rotation("2026-01-05 01:45", DAY), "Australia/Lord_Howe", "2026-04-05 00:00")
    assert slot.start_at == utc("2026-04-04 14:45")


# -- Asia/Kolkata: no DST ---------------------------------------------------------------


def test_kolkata_weekly_shifts_are_always_168_hours() -> None:
    rot = rotation("2026-01-05 10:00", WEEK)
    slots = compute_slots(rot, "Asia/Kolkata", utc("2026-01-05 04:30"), utc("2027-01-04 04:30"))
    # 10:00 IST = 04:30Z every Monday of the year: 52 weeks of exactly 168 h
    assert len(slots) == 52
    assert {hours(s) for s in slots} == {168}
    assert {s.start_at.astimezone(UTC).strftime("%a %H:%M") for s in slots} == {"Mon 04:30"}


def test_kolkata_daily_and_twelve_hour_shifts_never_change_length() -> None:
    day = compute_slots(
        rotation("2026-01-05 10:00", DAY), "Asia/Kolkata", utc("2026-03-01"), utc("2026-11-30")
    )
    half = compute_slots(
        rotation("2026-01-05 08:00", HALF_DAY),
        "Asia/Kolkata",
        utc("2026-03-01"),
        utc("2026-11-30"),
    )
    assert {hours(s) for s in day} == {24}
    assert {hours(s) for s in half} == {12}
    # 08:00 and 20:00 IST are 02:30Z and 14:30Z
    assert {s.start_at.astimezone(UTC).strftime("%H:%M") for s in half} == {"02:30", "14:30"}
