"""The indexes a large build leans on give the same answers as the plain definitions:
who is on call at an instant, and how a long feed line is folded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar.parser.string import _foldline

from generator.render.ical import fold_line
from generator.reports.escalation import OnCallIndex
from generator.schedule.resolve import Schedule, Shift

DAY0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def shift(rotation: str, person: str, start_day: float, days: float) -> Shift:
    start = DAY0 + timedelta(days=start_day)
    end = start + timedelta(days=days)
    return Shift("web", rotation, person, start, end, "fair", 0, start, end)


def test_on_call_index_finds_a_long_shift_behind_shorter_later_ones() -> None:
    # primary: ann holds a 14-day shift from day 0; ben covers day 1 for one day and cat
    # days 3-4, both starting after ann's. At day 5 + 12h only ann's shift covers the
    # instant, though two shifts started after it; at day 1 + 12h ann and ben both do.
    shifts = (
        shift("primary", "ann", 0, 14),
        shift("primary", "ben", 1, 1),
        shift("primary", "cat", 3, 2),
        shift("secondary", "dan", 0, 7),
    )
    schedule = Schedule(DAY0, DAY0 + timedelta(days=14), shifts, {}, {}, ())
    index = OnCallIndex(schedule)
    assert index.holders("web", "primary", DAY0 + timedelta(days=5, hours=12)) == ["ann"]
    assert index.holders("web", "primary", DAY0 + timedelta(days=1, hours=12)) == ["ann", "ben"]
    # day 14 is the end of ann's shift: nobody, and an unknown rotation is nobody too
    assert index.holders("web", "primary", DAY0 + timedelta(days=14)) == []
    assert index.holders("web", "tertiary", DAY0) == []
    # every shift covering an instant, by start, as a scan of the whole schedule finds them
    for hours in range(0, 15 * 24, 6):
        at = DAY0 + timedelta(hours=hours)
        assert index.at(at) == sorted(schedule.at(at), key=lambda s: s.start_at)


def test_long_feed_lines_fold_under_75_octets_like_icalendar() -> None:
    # 80 ASCII characters: 74 on the first line, the other 6 after CRLF and a space
    line = "D" * 80
    assert fold_line(line) == "D" * 74 + "\r\n " + "D" * 6
    # a backslash escape at the 74th character moves to the next line whole
    line = "x" * 73 + "\\n" + "y" * 10
    assert fold_line(line) == "x" * 73 + "\r\n " + "\\n" + "y" * 10
    # "é" is two octets: 37 of them (74 octets) fill the first line
    line = "é" * 40
    assert fold_line(line) == "é" * 37 + "\r\n " + "é" * 3
    for text in ("", "short", "a\\,b" * 40, "ü\\;" * 50, "^" * 200, "z" * 148, "z" * 149):
        assert fold_line(text) == _foldline(text)
