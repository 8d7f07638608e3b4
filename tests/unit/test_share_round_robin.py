"""`validate` warns where a round-robin rotation gives a member a share it ignores."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW

# Line 13 holds Bob's entry; its share value starts at column 34.
ORG = """\
settings:
  organisation: Tiny
people:
  - {id: ann, name: Ann, timezone: Europe/London, holidays: GB-ENG}
  - {id: bob, name: Bob, timezone: Europe/London, holidays: GB-ENG}
teams:
  - id: web
    name: Web
    rotations:
      - id: primary
        members:
          - ann
          - {person: bob, share: SHARE}
        start: "2026-11-02 09:00"
        shift: 1w
        assignment: ASSIGNMENT
    escalation:
      levels:
        - {after: 0m, notify: [primary]}
"""


def validate(tmp_path: Path, share: str, assignment: str) -> tuple[int, list[str]]:
    (tmp_path / "rotations").mkdir()
    text = ORG.replace("SHARE", share).replace("ASSIGNMENT", assignment)
    (tmp_path / "rotations" / "org.yaml").write_text(text)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "validate", "--now", NOW])
    return result.exit_code, result.stderr.splitlines()


def test_a_part_share_on_a_round_robin_rotation_is_flagged_at_its_value(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, "0.5", "round-robin")
    assert code == 0  # a warning: the rotation still plans
    assert lines == [
        "rotations/org.yaml:13:34: warning: share has no effect on a round-robin rotation "
        "(it follows the member order); use assignment: fair to give bob a part share"
    ]


@pytest.mark.parametrize(("share", "assignment"), [("0.5", "fair"), ("1", "round-robin")])
def test_a_share_that_counts_is_not_flagged(tmp_path: Path, share: str, assignment: str) -> None:
    code, lines = validate(tmp_path, share, assignment)
    assert code == 0
    assert not [line for line in lines if "share" in line]
