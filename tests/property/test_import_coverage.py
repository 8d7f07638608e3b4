"""Restrictions imported from paging tools become Rota coverage windows that cover
exactly the same minutes of the week, however they overlap or wrap."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.integrations.common import coverage_from_intervals

WEEK = 7 * 1440

intervals = st.lists(
    st.tuples(
        st.integers(0, 6),  # weekday
        st.integers(0, 1439).map(lambda m: m - m % 15),  # start minute
        st.integers(1, WEEK // 15).map(lambda n: n * 15),  # length in minutes
    ),
    max_size=6,
)


def minutes(day: int, start: int, length: int) -> set[int]:
    first = day * 1440 + start
    return {(first + m) % WEEK for m in range(0, length, 15)}


@settings(deadline=None)  # a loaded machine must not fail it on time alone
@given(intervals)
def test_windows_cover_the_same_minutes_as_the_restrictions(
    given_: list[tuple[int, int, int]],
) -> None:
    expected: set[int] = set()
    for day, start, length in given_:
        expected |= minutes(day, start, min(length, WEEK))
    got: set[int] = set()
    for w in coverage_from_intervals(given_):
        span = (w.to_minute - w.from_minute) % 1440 or 1440
        for day in w.days:
            got |= minutes(day, w.from_minute, span)
    assert got == expected
