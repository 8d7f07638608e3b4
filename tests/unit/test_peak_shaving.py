"""Fair assignment keeps the largest deviation down at every handoff, holidays and all.

A daily rotation over Christmas: the 24th, 25th, 26th, 31st and 1st weigh two
shift-equivalents or more (holiday hours weigh 3, a weekday's business hours 1),
so whoever takes one jumps by more than a shift-equivalent. Only someone well
below target beforehand can take it and stay close: the search lowers the
largest deviation of the block itself, not only a sum over its handoffs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.pipeline import load_org
from generator.reports.fairness import compute_deviation_series
from generator.schedule import search
from generator.schedule.resolve import compute_schedule
from tests.conftest import write_org

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
START = datetime(2026, 3, 2, 9, tzinfo=UTC)
END = datetime(2027, 3, 1, 9, tzinfo=UTC)

ORG = """\
settings:
  company_holidays: [2026-12-24, 2026-12-31]
people:
  - {id: ana, name: Ana, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-12-21, to: 2026-12-27}, {from: 2026-08-03, to: 2026-08-14}]}
  - {id: bo, name: Bo, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-12-28, to: 2027-01-03}]}
  - {id: cy, name: Cy, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-05-25, to: 2026-06-05}]}
  - {id: di, name: Di, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-12-24, to: 2026-12-26}]}
  - {id: ed, name: Ed, timezone: America/New_York, holidays: US-NY,
     leave: [{from: 2026-11-23, to: 2026-11-27}]}
teams:
  - id: ops
    name: Ops
    timezone: Europe/London
    rotations:
      - {id: daily, members: [ana, bo, cy, di, ed], start: "2026-03-02 09:00", shift: 1d}
    escalation: {levels: [{after: 0m, notify: [daily]}]}
"""


def test_the_largest_deviation_at_any_handoff_of_a_year_stays_within_1_2(tmp_path: Path) -> None:
    write_org(tmp_path, ORG)
    org = load_org(tmp_path, NOW).org
    schedule = compute_schedule(org, START, END)
    series = compute_deviation_series(org, schedule, START, END)["ops/daily"]
    assert len(series.handoffs) >= 360  # every handoff of the year is looked at
    # what the fairness page's chart shows: every member close to target all along
    # (1.80 over Christmas when the search lowered only the sum over the handoffs)
    assert series.largest <= 1.2
    # ... including over Christmas, where the heavy days are
    christmas = [
        i for i, at in enumerate(series.handoffs) if datetime(2026, 12, 20, tzinfo=UTC) <= at
    ][:20]
    assert max(abs(series.members[p][i]) for p in series.members for i in christmas) <= 1.2


def test_a_block_still_above_one_after_shaving_is_re_planned_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moves, swaps and chains of two moves leave a handoff at 1.13 shift-equivalents;
    # the search over whole assignments of the block finds a plan below 1.1 that
    # keeps the block's end, weekends and holidays as balanced as they were
    write_org(tmp_path, ORG)
    org = load_org(tmp_path, NOW).org

    def largest() -> float:
        schedule = compute_schedule(org, START, END)
        assert all(s.person is not None for s in schedule.shifts)
        return compute_deviation_series(org, schedule, START, END)["ops/daily"].largest

    assert largest() < 1.1
    monkeypatch.setattr(search, "POLISH_ABOVE", float("inf"))  # no re-planning
    assert largest() > 1.1


def test_a_block_the_whole_search_cannot_re_plan_is_re_planned_around_its_worst_handoff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with a step budget the search over the whole block runs out of, the same
    # search over the shifts around the block's worst handoff still finds a plan
    # below 1.1; without that second search the year's largest deviation is 1.19
    write_org(tmp_path, ORG)
    org = load_org(tmp_path, NOW).org
    monkeypatch.setattr(search, "POLISH_NODES", 200)

    def largest() -> float:
        schedule = compute_schedule(org, START, END)
        assert all(s.person is not None for s in schedule.shifts)
        return compute_deviation_series(org, schedule, START, END)["ops/daily"].largest

    assert largest() < 1.1
    monkeypatch.setattr(search, "NEAR_SLOTS", 0)  # the whole block only
    assert largest() > 1.15
