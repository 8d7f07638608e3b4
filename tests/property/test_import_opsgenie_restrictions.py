"""An Opsgenie rotation's time restrictions import as coverage holding exactly the
minutes of the week Opsgenie's docs give them: a `weekday-and-time-of-day` entry runs
continuously from its start day and time to its end day and time (wrapping the week's
end; an end equal to the start is the whole week), a `time-of-day` one every day from
its start to its end (crossing midnight; equal is the whole day), several entries
together."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.integrations.common import Doc
from generator.integrations.opsgenie import WEEKDAYS, import_opsgenie

WEEK = 7 * 1440
clock = st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
entry = st.tuples(st.integers(0, 6), clock, st.integers(0, 6), clock)


def reference(entries: list[tuple[int, tuple[int, int], int, tuple[int, int]]]) -> set[int]:
    out: set[int] = set()
    for d0, (h0, m0), d1, (h1, m1) in entries:
        a, b = d0 * 1440 + h0 * 60 + m0, d1 * 1440 + h1 * 60 + m1
        length = (b - a) % WEEK or WEEK
        out |= {(a + i) % WEEK for i in range(length)}
    return out


def covered(schedule: dict) -> set[int] | None:
    imp = import_opsgenie([Doc(schedule, "og.json")])
    (rotation,) = imp.rotations
    if not rotation.coverage:
        return None  # the whole week
    out: set[int] = set()
    for w in rotation.coverage:
        length = (w.to_minute - w.from_minute) % 1440 or 1440
        for d in w.days:
            out |= {(d * 1440 + w.from_minute + i) % WEEK for i in range(length)}
    return out


def schedule(restriction: dict) -> dict:
    return {
        "data": {
            "name": "Prop",
            "timezone": "Europe/London",
            "rotations": [
                {
                    "name": "R",
                    "type": "weekly",
                    "startDate": "2026-03-02T09:00:00Z",
                    "participants": [{"type": "user", "username": "a@example.com"}],
                    "timeRestriction": restriction,
                }
            ],
        }
    }


@settings(deadline=None)
@given(st.lists(entry, min_size=1, max_size=6))
def test_weekday_restrictions_cover_what_opsgenie_says(
    entries: list[tuple[int, tuple[int, int], int, tuple[int, int]]],
) -> None:
    restriction = {
        "type": "weekday-and-time-of-day",
        "restrictions": [
            {
                "startDay": WEEKDAYS[d0],
                "startHour": h0,
                "startMin": m0,
                "endDay": WEEKDAYS[d1],
                "endHour": h1,
                "endMin": m1,
            }
            for d0, (h0, m0), d1, (h1, m1) in entries
        ],
    }
    expected = reference(entries)
    got = covered(schedule(restriction))
    assert (got if got is not None else set(range(WEEK))) == expected


@settings(deadline=None)
@given(clock, clock)
def test_a_time_of_day_restriction_covers_every_day(
    start: tuple[int, int], end: tuple[int, int]
) -> None:
    restriction = {
        "type": "time-of-day",
        "restriction": {
            "startHour": start[0],
            "startMin": start[1],
            "endHour": end[0],
            "endMin": end[1],
        },
    }
    a, b = start[0] * 60 + start[1], end[0] * 60 + end[1]
    length = (b - a) % 1440 or 1440
    expected = {(d * 1440 + a + i) % WEEK for d in range(7) for i in range(length)}
    got = covered(schedule(restriction))
    assert (got if got is not None else set(range(WEEK))) == expected
