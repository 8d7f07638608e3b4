"""Escalation chains: what `validate` reports, and who a chain reaches at an instant."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from generator.model import Escalation, Level, Org
from generator.pipeline import load_org
from generator.reports.escalation import chain_json, chain_lines, resolve_chain
from generator.schedule.resolve import compute_schedule
from tests.conftest import NOW

# Two teams. Web: weekly round-robin ann, ben from Mon 2 Nov 2026 09:00 London.
# Ops: daily round-robin cat, dan, covered 09:00-17:00 New York on weekdays only,
# so Mon 2 Nov cat, Tue 3 Nov dan, Wed 4 Nov cat, ...
TINY = """\
settings:
  organisation: Tiny
people:
  - {id: ann, name: Ann Lee, timezone: Europe/London, holidays: GB-ENG}
  - {id: ben, name: Ben Cho, timezone: Europe/London, holidays: GB-ENG}
  - {id: cat, name: Cat Diaz, timezone: America/New_York, holidays: US-NY}
  - {id: dan, name: Dan Eze, timezone: America/New_York, holidays: US-NY}
  - {id: mo, name: Mo Khan, timezone: Europe/London}
teams:
  - id: web
    name: Web
    timezone: Europe/London
    rotations:
      - {id: primary, name: Primary, members: [ann, ben], start: "2026-11-02 09:00",
         shift: 1w, assignment: round-robin}
    escalation:
      levels:
        - {after: 0m, notify: [primary]}
        - {after: 10m, notify: ["person:mo", "team:ops"]}
  - id: ops
    name: Ops
    timezone: America/New_York
    rotations:
      - id: day
        name: Day
        members: [cat, dan]
        start: "2026-11-02 09:00"
        shift: 1d
        assignment: round-robin
        coverage: [{days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}]
ESCALATION
"""
OPS_CHAIN = """\
    escalation:
      levels:
        - {after: 0m, notify: [day]}
"""


def write_tiny(root: Path, ops_chain: str = OPS_CHAIN) -> Path:
    (root / "rotations").mkdir(parents=True)
    (root / "rotations" / "org.yaml").write_text(TINY.replace("ESCALATION\n", ops_chain))
    return root


def tiny_org(tmp_path: Path) -> Org:
    return load_org(write_tiny(tmp_path / "tiny"), datetime(2026, 11, 3, tzinfo=UTC)).org


def chain_at(org: Org, team: str, at: datetime) -> list[str]:
    schedule = compute_schedule(org, datetime(2026, 11, 2, 9, tzinfo=UTC), at + timedelta(days=1))
    return chain_lines(resolve_chain(org, schedule, team, at))


def test_chain_resolves_rotation_person_and_team_targets_to_names(tmp_path: Path) -> None:
    # Tue 3 Nov 2026 15:00Z: web primary's first week (2-9 Nov) is Ann's; 10:00 in
    # New York is inside Tuesday's ops coverage, which is Dan's (Mon Cat, Tue Dan).
    # team:ops reaches the people of Ops's first level (its day rotation): Dan.
    org = tiny_org(tmp_path)
    assert chain_at(org, "web", datetime(2026, 11, 3, 15, tzinfo=UTC)) == [
        "after 0m: Primary (Ann Lee)",
        "after 10m: Mo Khan; Ops team (Dan Eze)",
    ]


def test_team_target_outside_its_coverage_reaches_nobody(tmp_path: Path) -> None:
    # Tue 3 Nov 2026 23:00Z is 18:00 in New York, after Ops's 17:00 coverage ends;
    # web's week 2-9 Nov is still Ann's.
    org = tiny_org(tmp_path)
    assert chain_at(org, "web", datetime(2026, 11, 3, 23, tzinfo=UTC)) == [
        "after 0m: Primary (Ann Lee)",
        "after 10m: Mo Khan; Ops team (nobody on call)",
    ]


def test_second_week_reaches_the_next_person(tmp_path: Path) -> None:
    # Tue 10 Nov 2026 15:00Z: web week 9-16 Nov is Ben's; Tue 10 Nov ops is Cat's
    # (Mon 9 Nov Dan, Tue 10 Nov Cat: the weekend has no shifts, the order goes on).
    org = tiny_org(tmp_path)
    assert chain_at(org, "web", datetime(2026, 11, 10, 15, tzinfo=UTC)) == [
        "after 0m: Primary (Ben Cho)",
        "after 10m: Mo Khan; Ops team (Cat Diaz)",
    ]


def test_resolving_a_team_cycle_terminates(tmp_path: Path) -> None:
    # validate rejects web -> ops -> web, but resolution must still end: ops's first
    # level names team:web, whose first level is web's primary (Ann); web is not
    # entered twice.
    org = tiny_org(tmp_path)
    looping = Escalation(1, (Level(timedelta(0), ("team:web",)),))
    teams = dict(org.teams)
    teams["ops"] = dataclasses.replace(teams["ops"], escalation=looping)
    org = dataclasses.replace(org, teams=teams)
    assert chain_at(org, "ops", datetime(2026, 11, 3, 15, tzinfo=UTC)) == [
        "after 0m: Web team (Ann Lee)",
    ]


def test_chain_json_names_every_level_and_person(tmp_path: Path) -> None:
    org = tiny_org(tmp_path)
    at = datetime(2026, 11, 3, 15, tzinfo=UTC)
    schedule = compute_schedule(org, datetime(2026, 11, 2, 9, tzinfo=UTC), at + timedelta(days=1))
    doc = chain_json(resolve_chain(org, schedule, "web", at))
    assert [(lv["after"], lv["after_minutes"], lv["people"]) for lv in doc] == [
        ("0m", 0, ["ann"]),
        ("10m", 10, ["mo", "dan"]),
    ]
    assert doc[1]["targets"][1] == {
        "target": "team:ops",
        "kind": "team",
        "name": "Ops",
        "people": [{"person": "dan", "name": "Dan Eze"}],
    }


def test_who_json_shows_the_resolved_chain(tmp_path: Path) -> None:
    import json

    root = write_tiny(tmp_path / "tiny")
    result = CliRunner().invoke(
        cli,
        ["--root", str(root), "who", "--at", "2026-11-03T15:00:00Z", "--team", "web", *JSON_NOW],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc["escalation"]) == ["web"]
    assert [lv["people"] for lv in doc["escalation"]["web"]] == [["ann"], ["mo", "dan"]]


JSON_NOW = ("--format", "json", "--now", NOW)


def validate_lines(root: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW])
    return result.exit_code, [
        line for line in result.stderr.splitlines() if "stale" not in line and line
    ]


def test_validate_reports_each_escalation_error_where_it_stands(sample_org: Path) -> None:
    # Line 13: a misspelt rotation; 14: a misspelt person; 15: a delay equal to the
    # one before, an unknown target kind, the team itself, an unknown team, and
    # team:platform-sre, which (edited below) escalates back to identity: a cycle.
    # Each error points at its level's entry: column 11, the `{` after "        - ".
    (sample_org / "rotations" / "teams" / "identity.yaml").write_text(
        """\
teams:
  - id: identity
    name: Identity
    timezone: Australia/Sydney
    rotations:
      - id: primary
        name: Primary
        members: [ethan-walsh, grace-li, noah-patel, zoe-campbell]
        start: "2026-01-05 08:00"
        shift: 12h
    escalation:
      levels:
        - {after: 0m, notify: [primry]}
        - {after: 15m, notify: ["person:mia-robertsn"]}
        - {after: 15m, notify: ["team:platform-sre", "group:x", "team:identity", "team:nope"]}
"""
    )
    sre = sample_org / "rotations" / "teams" / "platform-sre.yaml"
    sre.write_text(
        sre.read_text().replace(
            '["person:james-whitaker"]', '["person:james-whitaker", "team:identity"]'
        )
    )
    code, lines = validate_lines(sample_org)
    f = "rotations/teams/identity.yaml"
    assert code == 1
    assert lines == [
        f"{f}:13:11: error: no rotation 'primry' in team 'identity' (did you mean 'primary'?);"
        " a target is a rotation of the team, person:ID or team:ID",
        f"{f}:14:11: error: no person 'mia-robertsn' (did you mean 'mia-robertson'?)",
        f"{f}:15:11: error: escalation cycle: platform-sre → identity → platform-sre",
        f"{f}:15:11: error: escalation delays must strictly increase: 'after: 15m' is not later"
        " than the level before (15m); use more than 15m",
        f"{f}:15:11: error: no team 'nope'",
        f"{f}:15:11: error: team 'identity' escalates to itself",
        f"{f}:15:11: error: unknown escalation target 'group:x': use a rotation id, person:ID"
        " or team:ID",
        "rota: 7 error(s), 0 warning(s)",
    ]


def test_validate_warns_about_a_team_without_a_chain(tmp_path: Path) -> None:
    # Ops without `escalation`: a warning at the team's entry (line 20, column 5 of
    # org.yaml: the `id` of "- id: ops", after 9 lines of settings and people and 10
    # of web); validation still succeeds.
    root = write_tiny(tmp_path / "tiny", ops_chain="")
    code, lines = validate_lines(root)
    assert code == 0
    assert lines == [
        "rotations/org.yaml:20:5: warning: team 'ops' has no escalation chain; add "
        "escalation: {levels: [{after: 0m, notify: [<rotation>]}]}"
    ]
