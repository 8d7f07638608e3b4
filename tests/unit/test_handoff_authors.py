"""`rota validate` warns when a handoff note is not written by the person handing
over: the one on call for the rotation just before the handoff on the note's date."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import write_org

NOW = "2026-11-27T12:00:00Z"

ORG = """\
people:
  - {{id: ann, name: Ann Lee, timezone: America/New_York}}
  - {{id: bob, name: Bob Ray, timezone: America/New_York}}
teams:
  - id: web
    name: Web
    timezone: America/New_York
    rotations:
      - {{id: primary, members: [ann, bob], start: "2026-11-02 09:00", shift: 1w,
         assignment: round-robin}}
    escalation: {{levels: [{{after: 0m, notify: [primary]}}]}}
handoffs:
  - {{team: web, rotation: primary, date: {on}, author: {author}, notes: Quiet week.}}
"""


def warnings(tmp_path: Path, on: str, author: str) -> list[str]:
    write_org(tmp_path, ORG.format(on=on, author=author))
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "validate", "--now", NOW])
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if "handoff note" in line]


def test_a_note_by_the_outgoing_person_is_quiet(tmp_path: Path) -> None:
    # round-robin from Mon 2 Nov: ann, bob, ann, bob, ann — ann hands over to bob on 23 Nov
    assert warnings(tmp_path, "2026-11-23", "ann") == []


def test_a_note_by_the_incoming_person_is_a_warning_at_its_author(tmp_path: Path) -> None:
    assert warnings(tmp_path, "2026-11-23", "bob") == [
        "rotations/org.yaml:13:62: warning: handoff note by 'bob', but the outgoing engineer "
        "at the web/primary handoff on 2026-11-23 is Ann Lee ('ann', handing over to 'bob'): "
        "notes are written by the one handing over"
    ]


def test_a_note_on_a_day_without_a_handoff_is_a_warning(tmp_path: Path) -> None:
    assert warnings(tmp_path, "2026-11-25", "ann") == [
        "rotations/org.yaml:13:5: warning: handoff note for web/primary on 2026-11-25, a day "
        "with no handoff: date it on the day the author hands over"
    ]
