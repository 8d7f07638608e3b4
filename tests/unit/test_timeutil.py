"""Hour classes and wall-clock rules, checked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

from generator.timeutil import HourClasser, localize, parse_duration, zone

LONDON = zone("Europe/London")
NEW_YORK = zone("America/New_York")


def test_spring_forward_day_has_23_hours() -> None:
    # 2026-03-29 in London: clocks go 01:00 GMT → 02:00 BST, so the day is 23 h long,
    # all of it weekend (a Sunday)
    classer = HourClasser(LONDON, None, [], 9 * 60, 18 * 60)
    start = localize(datetime(2026, 3, 29), LONDON)
    end = localize(datetime(2026, 3, 30), LONDON)
    assert classer.hours_by_class(start, end) == {
        "holiday": 0.0,
        "weekend": 23.0,
        "business": 0.0,
        "night": 0.0,
    }


def test_fall_back_weekday_night_has_an_extra_hour() -> None:
    # 2026-11-01 is a Sunday in New York (fall back); take Monday 2026-11-02 instead for a
    # weekday and the Sunday itself: the Sunday is 25 h of weekend
    classer = HourClasser(NEW_YORK, None, [], 9 * 60, 18 * 60)
    start = localize(datetime(2026, 11, 1), NEW_YORK)
    end = localize(datetime(2026, 11, 2), NEW_YORK)
    assert classer.hours_by_class(start, end)["weekend"] == 25.0


def test_weekday_splits_into_night_and_business_hours() -> None:
    # Tuesday 2026-12-01, London, 00:00 → 24:00 with business hours 09:00–18:00:
    # 9 h night before, 9 h business, 6 h night after
    classer = HourClasser(LONDON, None, [], 9 * 60, 18 * 60)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    end = datetime(2026, 12, 2, tzinfo=UTC)
    assert classer.hours_by_class(start, end) == {
        "holiday": 0.0,
        "weekend": 0.0,
        "business": 9.0,
        "night": 15.0,
    }


def test_public_and_company_holidays_beat_weekend() -> None:
    # Christmas Day 2027 is a Saturday; in GB-ENG it is a public holiday regardless, and
    # 2026-12-24 (Thursday) is a company holiday here
    classer = HourClasser(LONDON, "GB-ENG", [date(2026, 12, 24)], 9 * 60, 18 * 60)
    assert classer.day_class(date(2027, 12, 25)) == "holiday"
    assert classer.day_class(date(2026, 12, 24)) == "holiday"
    assert classer.day_class(date(2026, 12, 26)) == "holiday"  # Boxing Day, a Saturday
    assert classer.day_class(date(2026, 12, 19)) == "weekend"


def test_gap_time_moves_to_first_instant_after_gap() -> None:
    # 2026-03-08 02:30 does not exist in New York: clocks jump 02:00 EST → 03:00 EDT
    assert localize(datetime(2026, 3, 8, 2, 30), NEW_YORK).isoformat() == (
        "2026-03-08T03:00:00-04:00"
    )


def test_repeated_hour_takes_first_occurrence() -> None:
    # 2026-11-01 01:30 happens twice in New York; the first is EDT (-04:00)
    assert localize(datetime(2026, 11, 1, 1, 30), NEW_YORK).isoformat() == (
        "2026-11-01T01:30:00-04:00"
    )


def test_durations() -> None:
    assert parse_duration("30m").total_seconds() == 1800
    assert parse_duration("1w").total_seconds() == 7 * 86400
