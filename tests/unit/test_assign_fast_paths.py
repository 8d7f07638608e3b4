"""The shortcuts that make planning a large organisation fast give the same answers."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, timedelta

from generator.model import Coverage, Leave
from generator.schedule.shifts import coverage_windows
from tests.unit.test_assign import make_org, plan, weeks


def leave_between(first: date, last: date) -> Leave:
    """Whole days ``first`` to ``last`` inclusive, in UTC."""
    begin = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return Leave(begin, end, None, (first, last))


def test_a_short_leave_inside_a_long_one_does_not_end_the_long_one() -> None:
    # ann is away 03-01 to 03-28 (4 whole weeks) and has a 2-day trip 03-03 to 03-04
    # booked separately. Sorted by start, the trip comes last, yet it must not hide
    # the long leave: the weeks from 03-08, 03-15 and 03-22 end before 03-29 too.
    leave = {
        "ann": [
            leave_between(date(2027, 3, 1), date(2027, 3, 28)),
            leave_between(date(2027, 3, 3), date(2027, 3, 4)),
        ]
    }
    org = make_org({"ann": 1, "bob": 1}, leave)
    picked = weeks(plan(org), n=5)
    assert picked[:4] == ["bob", "bob", "bob", "bob"]
    # week 5 starts 03-29 and ann is back. Leave is excused, so both are half a week
    # below target (bob 4 - 4.5, ann 0 - 0.5); the tie goes to whoever was on call
    # least recently: ann
    assert picked[4] == "ann"


def test_same_coverage_in_two_zones_opens_at_each_zones_own_nine_oclock() -> None:
    weekdays = (Coverage(frozenset(range(5)), 9 * 60, 17 * 60),)
    monday = datetime(2027, 3, 1, tzinfo=UTC)
    day = timedelta(days=1)
    london = coverage_windows(weekdays, "Europe/London", monday, monday + day)
    new_york = coverage_windows(weekdays, "America/New_York", monday, monday + 2 * day)
    # March 1st: London is on GMT (09:00 = 09:00 UTC), New York on EST (09:00 = 14:00 UTC)
    assert [(a.astimezone(UTC).hour, b.astimezone(UTC).hour) for a, b in london] == [(9, 17)]
    assert [(a.astimezone(UTC).hour, b.astimezone(UTC).hour) for a, b in new_york] == [
        (14, 22),
        (14, 22),
    ]
    # asked again (now from the cache), London gives the same instants
    assert coverage_windows(weekdays, "Europe/London", monday, monday + day) == london


def test_planning_leaves_the_garbage_collector_as_it_found_it() -> None:
    org = make_org({"ann": 1, "bob": 1})
    assert gc.isenabled()
    plan(org)
    assert gc.isenabled()
    gc.disable()
    try:
        plan(org)
        assert not gc.isenabled()
    finally:
        gc.enable()
