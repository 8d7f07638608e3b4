"""Invariants of rotation health: the people a share limit asks for, and runs of
on-call periods."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from generator.reports.health import HOURS_PER_WEEK, on_call_runs, people_needed, union_hours
from generator.schedule.resolve import Shift

T0 = datetime(2027, 1, 4, 9, tzinfo=UTC)


@given(
    total=st.floats(min_value=0.5, max_value=2000, allow_nan=False),
    limit=st.floats(min_value=0.05, max_value=1.0, allow_nan=False),
)
def test_people_needed_is_the_fewest_who_stay_within_the_limit(total: float, limit: float) -> None:
    n = people_needed(total, limit)
    # n people at the limit cover the hours (a hair of float slack), n - 1 do not
    assert n * limit * HOURS_PER_WEEK >= total * (1 - 1e-9)
    assert (n - 1) * limit * HOURS_PER_WEEK < total


periods = st.lists(
    st.tuples(
        st.sampled_from(["primary", "secondary"]),
        st.integers(min_value=0, max_value=40),  # start, in days after T0
        st.integers(min_value=1, max_value=7),  # length in days
    ),
    max_size=12,
    unique_by=lambda p: (p[0], p[1]),
)


def shifts_of(spec: list[tuple[str, int, int]]) -> list[Shift]:
    out = []
    for i, (rotation, day, length) in enumerate(spec):
        start = T0 + timedelta(days=day)
        end = start + timedelta(days=length)
        out.append(Shift("ops", rotation, "ann", start, end, "fair", i, start, end))
    return out


@given(periods)
def test_runs_hold_every_period_once_and_never_touch(spec: list[tuple[str, int, int]]) -> None:
    shifts = shifts_of(spec)
    runs = on_call_runs(shifts)
    assert sum(r.periods for r in runs) == len(shifts)
    for a, b in itertools.pairwise(runs):
        assert a.end_at < b.start_at  # a rest between two runs is never zero
    # a run is the union of its periods, gapless: the runs cover exactly the on-call
    # hours, none counted twice
    covered = union_hours((s.start_at, s.end_at) for s in shifts)
    assert abs(covered - sum(r.hours for r in runs)) < 1e-9
    assert covered <= sum((s.end_at - s.start_at).total_seconds() / 3600 for s in shifts) + 1e-9
