"""The block holding 1 January settles the year's holiday balance (``schedule/settle.py``).

Six people on a weekly rotation, four in England and two in New York, a week of
leave each. The search leaves the holiday balance at the end of February spread
over 1.5 days (England's Christmas week carries three bank holidays, New York's
Thanksgiving one); the exact re-plan of the January block brings it within one
day without taking anyone further from target than the rotation already was. A
daily rotation's January block (91 shifts) is settled by swaps instead, and where
no single swap is enough, by re-planning two members' shifts together.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.pipeline import load_org
from generator.reports.fairness import compute_deviation_series, compute_fairness
from generator.schedule import settle
from generator.schedule.resolve import compute_schedule
from tests.conftest import write_org

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
START = datetime(2026, 3, 2, 9, tzinfo=UTC)
END = datetime(2027, 3, 1, 9, tzinfo=UTC)

ORG = """\
people:
  - {id: p0, name: P0, timezone: America/New_York, holidays: US-NY,
     leave: [{from: 2026-08-18, to: 2026-08-25}]}
  - {id: p1, name: P1, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-10-16, to: 2026-10-23}]}
  - {id: p2, name: P2, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-09-17, to: 2026-09-24}]}
  - {id: p3, name: P3, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-07-08, to: 2026-07-15}]}
  - {id: p4, name: P4, timezone: America/New_York, holidays: US-NY,
     leave: [{from: 2026-09-07, to: 2026-09-14}]}
  - {id: p5, name: P5, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-09-08, to: 2026-09-15}]}
teams:
  - id: ops
    name: Ops
    timezone: Europe/London
    rotations:
      - {id: weekly, members: [p0, p1, p2, p3, p4, p5], start: "2026-03-02 09:00", shift: 1w}
    escalation: {levels: [{after: 0m, notify: [weekly]}]}
"""


DAILY = """\
settings:
  company_holidays: [2026-12-24, 2026-12-31]
people:
  - {id: p0, name: P0, timezone: Europe/Berlin, holidays: DE-BE,
     leave: [{from: 2026-05-02, to: 2026-05-08}, {from: 2026-06-12, to: 2026-06-16},
             {from: 2026-08-26, to: 2026-09-01}]}
  - {id: p1, name: P1, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-05-16, to: 2026-05-22}, {from: 2026-07-13, to: 2026-07-17}]}
  - {id: p2, name: P2, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-03-13, to: 2026-03-19}, {from: 2026-07-17, to: 2026-07-19},
             {from: 2026-08-15, to: 2026-08-19}]}
  - {id: p3, name: P3, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-06-13, to: 2026-06-15}, {from: 2026-09-16, to: 2026-09-22},
             {from: 2026-12-04, to: 2026-12-08}]}
teams:
  - id: ops
    name: Ops
    timezone: Europe/London
    rotations:
      - {id: weekly, members: [p0, p1, p2, p3], start: "2026-03-02 09:00", shift: 1d}
    escalation: {levels: [{after: 0m, notify: [weekly]}]}
"""

# five people on a daily rotation, two in New York: no single swap of the January
# block brings the holiday balance within a day
PAIRS = """\
settings:
  company_holidays: [2026-12-24, 2026-12-31]
people:
  - {id: p0, name: P0, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-04-03, to: 2026-04-07}, {from: 2026-05-01, to: 2026-05-05}]}
  - {id: p1, name: P1, timezone: America/New_York, holidays: US-NY,
     leave: [{from: 2027-01-29, to: 2027-02-02}, {from: 2026-06-17, to: 2026-06-19}]}
  - {id: p2, name: P2, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-09-17, to: 2026-09-21}, {from: 2027-01-07, to: 2027-01-09}]}
  - {id: p3, name: P3, timezone: America/New_York, holidays: US-NY,
     leave: [{from: 2026-06-27, to: 2026-07-03}, {from: 2026-04-23, to: 2026-04-27}]}
  - {id: p4, name: P4, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-03-15, to: 2026-03-21}, {from: 2026-12-04, to: 2026-12-06}]}
teams:
  - id: ops
    name: Ops
    timezone: Europe/London
    rotations:
      - {id: weekly, members: [p0, p1, p2, p3, p4], start: "2026-03-02 09:00", shift: 1d}
    escalation: {levels: [{after: 0m, notify: [weekly]}]}
"""


def _year(
    tmp_path: Path, text: str = ORG
) -> tuple[float, float, list[tuple[datetime, str | None]]]:
    """Holiday spread at the year's last handoff (days), the largest deviation at
    any handoff of the year, and the year's shifts."""
    tmp_path.mkdir()
    write_org(tmp_path, text)
    org = load_org(tmp_path, NOW).org
    schedule = compute_schedule(org, START, END)
    for s in schedule.shifts:  # nobody on call during their leave
        assert s.person is not None
        assert not org.people[s.person].on_leave(s.start_at, s.end_at)
    (rotation,) = compute_fairness(org, schedule, START, END).rotations
    balance = [(m.holiday_hours - m.holiday_target_hours) / 24 for m in rotation.members]
    largest = compute_deviation_series(org, schedule, START, END)["ops/weekly"].largest
    return max(balance) - min(balance), largest, [(s.start_at, s.person) for s in schedule.shifts]


def test_the_january_block_brings_the_holiday_balance_within_one_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spread, largest, shifts = _year(tmp_path / "settled")
    monkeypatch.setattr(settle, "SETTLE_ABOVE", float("inf"))
    unsettled, unsettled_largest, before = _year(tmp_path / "unsettled")
    assert unsettled >= 1.4  # the search alone: 1.5 days
    assert spread <= 1.0  # settled: 0.71
    # nobody further from target at any handoff than without settling
    assert largest <= unsettled_largest + 1e-9
    # only the January block's shifts changed
    changed = [at for (at, p), (_, q) in zip(shifts, before, strict=True) if p != q]
    assert changed
    assert min(changed) >= datetime(2026, 11, 30, tzinfo=UTC)


def test_a_daily_rotations_january_block_is_settled_by_swaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # four people on a daily rotation, one in Berlin: 91 shifts in the January
    # block, too many for the programme, so holiday-bearing days are swapped
    spread, largest, shifts = _year(tmp_path / "settled", DAILY)
    monkeypatch.setattr(settle, "SETTLE_ABOVE", float("inf"))
    unsettled, unsettled_largest, before = _year(tmp_path / "unsettled", DAILY)
    assert unsettled >= 1.5  # the search alone: 1.75 days
    assert spread <= 1.0 + 1e-9
    # nobody further from target at any handoff than without settling (but for
    # the raise settling allows where it reaches the target)
    assert largest <= unsettled_largest + settle.SETTLE_RAISE + 1e-9
    changed = [at for (at, p), (_, q) in zip(shifts, before, strict=True) if p != q]
    assert changed
    assert min(changed) >= datetime(2026, 11, 30, tzinfo=UTC)


def test_where_no_swap_is_enough_two_members_shifts_are_re_planned_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spread, largest, shifts = _year(tmp_path / "settled", PAIRS)
    monkeypatch.setattr(settle.Settle, "_settle_pairs", lambda self, *args: set())
    swapped, swapped_largest, before = _year(tmp_path / "swaps only", PAIRS)
    assert swapped >= 1.3  # swaps alone: 1.38 days
    assert spread <= 1.0  # two members' shifts re-planned together: 0.79
    assert largest <= swapped_largest + settle.SETTLE_RAISE + 1e-9
    changed = [at for (at, p), (_, q) in zip(shifts, before, strict=True) if p != q]
    assert changed
    assert min(changed) >= datetime(2026, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", [ORG, DAILY, PAIRS], ids=["weekly", "daily", "pairs"])
def test_settling_does_not_depend_on_the_window_asked_for(tmp_path: Path, text: str) -> None:
    write_org(tmp_path, text)
    org = load_org(tmp_path, NOW).org
    year = compute_schedule(org, START, END)
    longer = compute_schedule(org, START, END + timedelta(weeks=30))
    again = compute_schedule(org, START, END)
    assert [(s.start_at, s.person) for s in year.shifts] == [
        (s.start_at, s.person) for s in longer.shifts if s.start_at < END
    ]
    assert year.shifts == again.shifts


def test_the_solver_writes_nothing_to_standard_output() -> None:
    # HiGHS prints a banner on its first instance; `rota schedule --json` must stay JSON
    code = "from generator.schedule.settle import highs\nhighs()\nhighs()\nprint('done')"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == "done\n"
