"""A locked shift meets leave only where its rotation is on call (coverage)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from generator.pipeline import load_org
from generator.schedule.conflicts import find_conflicts
from generator.schedule.resolve import compute_schedule
from tests.conftest import write_org

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)

ORG = """\
people:
  - {{id: ann, name: Ann, timezone: UTC, leave: [{{from: {leave_from}, to: 2026-12-31}}]}}
  - {{id: bob, name: Bob, timezone: UTC}}
teams:
  - id: ops
    name: Ops
    timezone: UTC
    rotations:
      - id: days
        members: [ann, bob]
        start: "2026-11-02 07:00"
        shift: 1d
        coverage: [{{days: [mon, tue, wed, thu, fri, sat, sun], from: "07:00", to: "19:00"}}]
    escalation: {{levels: [{{after: 0m, notify: [days]}}]}}
"""

LOCK = """\
version: 1
rotations:
  ops/days:
    until: "2026-12-21T07:00:00+00:00"
    shifts:
      - {start: "2026-12-20T07:00:00+00:00", end: "2026-12-21T07:00:00+00:00", person: ann}
"""


def warnings(tmp_path: Path, leave_from: str) -> list[str]:
    write_org(tmp_path, ORG.format(leave_from=leave_from))
    (tmp_path / "rotations" / "assignments.lock.yaml").write_text(LOCK)
    org = load_org(tmp_path, NOW).org
    schedule = compute_schedule(org, NOW, datetime(2027, 1, 10, tzinfo=UTC))
    return [d.message for d in find_conflicts(org, schedule, NOW)]


def test_leave_after_the_covered_hours_of_a_locked_shift_is_no_conflict(tmp_path: Path) -> None:
    # the slot runs to 07:00 on the 21st, but the rotation is on call 07:00-19:00 only:
    # leave from the 21st does not meet the locked 20th
    assert warnings(tmp_path, "2026-12-21") == []


def test_leave_in_the_covered_hours_of_a_locked_shift_is_reported(tmp_path: Path) -> None:
    (got,) = warnings(tmp_path, "2026-12-20")
    assert "locked shift on ops/days from 2026-12-20T07:00:00+00:00 gives it to 'ann'" in got
    assert "could cover: bob" in got


def test_the_warning_shows_the_leave_as_written_not_its_exclusive_end(tmp_path: Path) -> None:
    # leave: {from: 2026-12-20, to: 2026-12-31} holds the 31st whole; its end instant
    # is 2027-01-01 00:00, which the warning must not show
    (got,) = warnings(tmp_path, "2026-12-20")
    assert "who is on leave (leave, 2026-12-20 to 2026-12-31);" in got
    assert "2027-01-01" not in got


def test_part_day_leave_is_shown_in_its_person_s_zone() -> None:
    from zoneinfo import ZoneInfo

    from generator.model import Leave

    ny = ZoneInfo("America/New_York")
    dentist = Leave(
        datetime(2026, 12, 3, 18, tzinfo=UTC), datetime(2026, 12, 3, 23, tzinfo=UTC), None, None
    )
    assert dentist.as_written(ny) == "2026-12-03 13:00 to 2026-12-03 18:00"
    one_day = Leave(
        datetime(2026, 12, 3, 5, tzinfo=UTC),
        datetime(2026, 12, 4, 5, tzinfo=UTC),
        None,
        (date(2026, 12, 3), date(2026, 12, 3)),
    )
    assert one_day.as_written(ny) == "2026-12-03"
