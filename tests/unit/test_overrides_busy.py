"""An override makes its person busy elsewhere: assignment works around it, and
validate warns when two hand-written assignments put one person on two pagers."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli

NOW = "2026-11-27T12:00:00Z"
ORG = """people:
  - {id: ann, name: Ann, timezone: UTC}
  - {id: bob, name: Bob, timezone: UTC}
  - {id: cy, name: Cy, timezone: UTC}
teams:
  - id: web
    name: Web
    timezone: UTC
    rotations:
      - {id: primary, members: [ann, bob, cy], start: "2026-11-02 09:00", shift: 1w}
      - {id: secondary, members: [ann, bob, cy], start: "2026-11-02 09:00", shift: 1w}
    escalation: {levels: [{after: 0m, notify: [primary]}, {after: 15m, notify: [secondary]}]}
"""


def org(tmp_path: Path, overrides: str) -> Path:
    (tmp_path / "rotations").mkdir()
    (tmp_path / "rotations" / "org.yaml").write_text(ORG + overrides)
    return tmp_path


def shifts_of(root: Path, person: str) -> list[dict[str, str]]:
    import json

    result = CliRunner().invoke(
        cli,
        [
            "--root",
            str(root),
            "schedule",
            "--person",
            person,
            "--format",
            "json",
            "--now",
            NOW,
            "--from",
            "2026-12-07T09:00:00Z",
            "--to",
            "2026-12-14T09:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    shifts: list[dict[str, str]] = json.loads(result.stdout)["shifts"]
    return shifts


def test_assignment_does_not_page_someone_covering_another_rotation(tmp_path: Path) -> None:
    # Bob covers a day of primary in the week of 7 December; whoever is given that
    # week's secondary slot, it is not Bob (he would carry two pagers that day)
    root = org(
        tmp_path,
        "overrides:\n  - {team: web, rotation: primary, "
        'from: "2026-12-09 09:00", to: "2026-12-10 09:00", person: bob, note: swap}\n',
    )
    week = [s for s in shifts_of(root, "bob") if s["rotation"] == "secondary"]
    assert week == []
    validate = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW])
    assert validate.exit_code == 0
    assert "at the same time" not in validate.stderr


def test_two_overrides_on_one_person_at_once_are_flagged(tmp_path: Path) -> None:
    root = org(
        tmp_path,
        "overrides:\n"
        '  - {team: web, rotation: primary, from: "2026-12-09 09:00", '
        'to: "2026-12-10 09:00", person: bob}\n'
        '  - {team: web, rotation: secondary, from: "2026-12-09 12:00", '
        'to: "2026-12-09 18:00", person: bob}\n',
    )
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[:2] == [
        "rotations/org.yaml:14:5: warning: override on web/primary from "
        "2026-12-09T09:00:00+00:00 puts 'bob' on call for web/secondary at the same time; "
        "one pager per person is the rule assignment keeps",
        "rotations/org.yaml:15:5: warning: override on web/secondary from "
        "2026-12-09T12:00:00+00:00 puts 'bob' on call for web/primary at the same time; "
        "one pager per person is the rule assignment keeps",
    ]
