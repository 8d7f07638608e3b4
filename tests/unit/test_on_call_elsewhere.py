"""A rotation's ``on_call_elsewhere``: how hard fair assignment tries not to put a
member on call for it while they are on call for another team.

A daily incident-commander rotation made of two engineers of each of two teams
whose own rotations are weekly. Whatever the teams' plans, at most two of the
four commanders are on call for their team at any moment (and Ben's leave takes
one more out for a fortnight), so a commander who is free always exists: with
``avoid`` nobody is ever on call for both at once. With the default
(``discourage``), avoiding someone for a whole week costs more fairness than the
soft cost saves, and about a third of the days double up, about as with ``allow``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.errors import InvalidInput
from generator.pipeline import load_org
from generator.reports.fairness import compute_deviation_series
from generator.schedule.resolve import compute_schedule
from tests.conftest import write_org

NOW = datetime(2026, 11, 30, 19, tzinfo=UTC)
START = datetime(2026, 9, 7, tzinfo=UTC)
END = datetime(2027, 9, 6, tzinfo=UTC)

ORG = """\
people:
  - {{id: ana, name: Ana, timezone: Europe/Lisbon}}
  - {{id: ben, name: Ben, timezone: Europe/Lisbon,
     leave: [{{from: 2026-12-21, to: 2027-01-03}}]}}
  - {{id: cy, name: Cy, timezone: Europe/Lisbon}}
  - {{id: dee, name: Dee, timezone: Europe/Lisbon}}
  - {{id: eve, name: Eve, timezone: Europe/Lisbon,
     leave: [{{from: 2027-04-05, to: 2027-04-18}}]}}
  - {{id: fin, name: Fin, timezone: Europe/Lisbon}}
teams:
  - id: payments
    name: Payments
    timezone: Europe/Lisbon
    rotations:
      - {{id: primary, members: [ana, ben, cy], start: "2026-09-07 09:00", shift: 1w,
         {teams}}}
    escalation: {{levels: [{{after: 0m, notify: [primary]}}]}}
  - id: search
    name: Search
    timezone: Europe/Lisbon
    rotations:
      - {{id: primary, members: [dee, eve, fin], start: "2026-09-07 09:00", shift: 1w,
         {teams}}}
    escalation: {{levels: [{{after: 0m, notify: [primary]}}]}}
  - id: incidents
    name: Incidents
    timezone: Europe/Lisbon
    rotations:
      - {{id: commander, members: [ana, ben, dee, eve], start: "2026-09-07 09:00",
         shift: 1d, {setting}}}
    escalation: {{levels: [{{after: 0m, notify: [commander]}}]}}
"""


def _plan(tmp_path: Path, setting: str, teams: str = ""):  # type: ignore[no-untyped-def]
    """Plan a year with ``setting`` on the commander rotation and ``teams`` on the
    teams' rotations ("": left out, the default)."""
    line = f"on_call_elsewhere: {setting}" if setting else "name: Commander"
    team_line = f"on_call_elsewhere: {teams}" if teams else "name: Primary"
    write_org(tmp_path, ORG.format(setting=line, teams=team_line))
    org = load_org(tmp_path, NOW).org
    return org, compute_schedule(org, START, END)


def _doubled(schedule) -> int:  # type: ignore[no-untyped-def]
    """Commander shifts whose holder is on call for their own team at the same time."""
    team = [s for s in schedule.shifts if s.team != "incidents" and s.person]
    n = 0
    for s in schedule.shifts:
        if s.team == "incidents" and s.person is not None:
            n += any(
                t.person == s.person and t.start_at < s.end_at and s.start_at < t.end_at
                for t in team
            )
    return n


def test_avoid_never_doubles_up_when_a_commander_is_free(tmp_path: Path) -> None:
    org, schedule = _plan(tmp_path, "avoid")
    commander = [s for s in schedule.shifts if s.team == "incidents"]
    assert len(commander) == 364 and all(s.person for s in commander)
    assert _doubled(schedule) == 0
    # the price is fairness (whoever is free takes the day), yet the load stays
    # shared: nobody more than three days off their share at any handoff
    series = compute_deviation_series(org, schedule, START, END)["incidents/commander"]
    assert series.largest <= 3.0


def test_allow_and_discourage_double_up_more_than_avoid(tmp_path: Path) -> None:
    # the stricter of two rotations' settings counts: ``allow`` on every one of them
    _, allowed = _plan(tmp_path, "allow", "allow")
    _, default = _plan(tmp_path, "")
    _, discouraged = _plan(tmp_path, "discourage", "discourage")
    _, one_allows = _plan(tmp_path, "allow")
    assert _doubled(allowed) > 100
    assert _doubled(default) == _doubled(discouraged) == _doubled(one_allows)
    assert 0 < _doubled(discouraged) < _doubled(allowed)


def test_an_unknown_setting_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as failed:
        _plan(tmp_path, "never")
    text = str(failed.value.diagnostics[0])
    # the value itself, on the commander rotation's line
    assert text.startswith("rotations/org.yaml:30:40: error:")
    assert "allow, discourage, avoid" in text and "'never'" in text
