"""`uncovered_turns: count` and a rotation's `from`/`until`: the turn order of a
round-robin rotation runs through turns with no covered time (as PagerDuty's
restrictions and Opsgenie's time restrictions do), and `schedule`, `who` and the
team's feed all show it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW

# Daily turns from Mon 2 March 2026 09:00 UTC, Mon-Fri 09:00-17:00 only.
ORG = """\
settings:
  organisation: Tiny
people:
  - {id: ann, name: Ann, timezone: UTC}
  - {id: bob, name: Bob, timezone: UTC}
  - {id: cat, name: Cat, timezone: UTC}
teams:
  - id: web
    name: Web
    timezone: UTC
    rotations:
      - id: day
        members: [ann, bob, cat]
        start: "2026-03-02 09:00"
        shift: 1d
        assignment: round-robin
        coverage:
          - {days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}
EXTRA
    escalation:
      levels:
        - {after: 0m, notify: [day]}
"""


def org(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "rotations").mkdir(parents=True)
    (tmp_path / "rotations" / "org.yaml").write_text(ORG.replace("EXTRA", extra))
    return tmp_path


def cli_run(root: Path, *args: str, now: str = NOW) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--root", str(root), *args, "--now", now])
    return result.exit_code, result.stdout, result.stderr


def people(root: Path, start: str, end: str) -> list[tuple[str, str]]:
    code, out, err = cli_run(root, "schedule", "--from", start, "--to", end, "--format", "json")
    assert code == 0, err
    return [(s["start"][:10], s["person"]) for s in json.loads(out)["shifts"]]


def test_counted_turns_pass_through_the_weekend(tmp_path: Path) -> None:
    """Turn k is day k from Mon 2 March; member k mod 3. Counted: the masked Saturday
    (k=5, Cat) and Sunday (k=6, Ann) pass, so Mon 9 March (k=7) is Bob's. Skipped (the
    default): the weekend turns are left out, so Mon 9 March is Cat's."""
    counted = org(tmp_path / "a", "        uncovered_turns: count")
    assert people(counted, "2026-03-02T00:00:00Z", "2026-03-11T00:00:00Z") == [
        ("2026-03-02", "ann"),
        ("2026-03-03", "bob"),
        ("2026-03-04", "cat"),
        ("2026-03-05", "ann"),
        ("2026-03-06", "bob"),
        ("2026-03-09", "bob"),
        ("2026-03-10", "cat"),
    ]
    skipped = org(tmp_path / "b", "")
    assert people(skipped, "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z") == [
        ("2026-03-09", "cat")
    ]


def test_who_and_the_team_feed_follow_the_counted_order(tmp_path: Path) -> None:
    root = org(tmp_path, "        uncovered_turns: count")
    code, out, err = cli_run(root, "who", "--at", "2026-03-09T10:00:00Z", "--format", "json")
    assert code == 0, err
    assert [o["person"] for o in json.loads(out)["oncall"]] == ["bob"]
    code, out, err = cli_run(root, "ical", "--team", "web", now="2026-03-01T00:00:00Z")
    assert code == 0, err
    # the event starting Mon 9 March 09:00 UTC names Bob
    event = next(e for e in out.split("BEGIN:VEVENT")[1:] if "DTSTART:20260309T090000Z" in e)
    assert "Bob" in event


def test_from_and_until_cut_the_rotation_and_turns_still_count_from_start(
    tmp_path: Path,
) -> None:
    """from Wed 4 March 12:00, until Fri 6 March 12:00: Wednesday's turn (k=2, Cat)
    is cut to 12:00-17:00, Thursday's (k=3, Ann) is whole, Friday's (k=4, Bob) is cut
    to 09:00-12:00; nothing before or after."""
    root = org(
        tmp_path,
        '        uncovered_turns: count\n        from: "2026-03-04 12:00"\n'
        '        until: "2026-03-06 12:00"',
    )
    code, out, err = cli_run(
        root,
        "schedule",
        "--from",
        "2026-03-01T00:00:00Z",
        "--to",
        "2026-03-14T00:00:00Z",
        "--format",
        "json",
    )
    assert code == 0, err
    assert [(s["start"], s["end"], s["person"]) for s in json.loads(out)["shifts"]] == [
        ("2026-03-04T12:00:00+00:00", "2026-03-04T17:00:00+00:00", "cat"),
        ("2026-03-05T09:00:00+00:00", "2026-03-05T17:00:00+00:00", "ann"),
        ("2026-03-06T09:00:00+00:00", "2026-03-06T12:00:00+00:00", "bob"),
    ]


def test_bad_values_are_located_errors(tmp_path: Path) -> None:
    root = org(tmp_path / "a", "        uncovered_turns: sometimes")
    code, _, err = cli_run(root, "validate")
    assert code == 1
    assert err.splitlines()[0] == (
        "rotations/org.yaml:19:26: error: expected one of skip, count, found 'sometimes'"
    )
    root = org(
        tmp_path / "b", '        from: "2026-03-09 12:00"\n        until: "2026-03-06 12:00"'
    )
    code, _, err = cli_run(root, "validate")
    assert code == 1
    assert err.splitlines()[0] == (
        "rotations/org.yaml:20:16: error: 'until' must be after 'from' "
        "(2026-03-09 12:00:00 → 2026-03-06 12:00:00)"
    )
    root = org(tmp_path / "c", '        from: "2026-03-08 02:30"')  # UTC has no gap
    assert cli_run(root, "validate")[0] == 0
    text = (root / "rotations" / "org.yaml").read_text().replace("UTC", "America/New_York")
    (root / "rotations" / "org.yaml").write_text(text)
    code, _, err = cli_run(root, "validate")
    assert code == 1
    assert err.splitlines()[0].startswith("rotations/org.yaml:19:15: error: ")
    assert "does not exist" in err.splitlines()[0]


def test_counting_on_a_fair_rotation_is_a_warning(tmp_path: Path) -> None:
    root = org(tmp_path, "        uncovered_turns: count")
    text = (root / "rotations" / "org.yaml").read_text().replace("round-robin", "fair")
    (root / "rotations" / "org.yaml").write_text(text)
    code, _, err = cli_run(root, "validate")
    assert code == 0
    assert err.splitlines() == [
        "rotations/org.yaml:19:26: warning: uncovered_turns has no effect on a fair "
        "rotation (it does not follow the member order); use assignment: round-robin"
    ]


def test_locking_part_of_a_counted_rotation_keeps_its_order(tmp_path: Path) -> None:
    """`rota plan` locks Mon 2 to Wed 4 March; the turns after the lock still follow
    the counted order (Thu Ann, Fri Bob, Mon 9 March Bob), as without the lock."""
    root = org(tmp_path, "        uncovered_turns: count")
    window = ("2026-03-02T00:00:00Z", "2026-03-11T00:00:00Z")
    before = people(root, *window)
    code, _, err = cli_run(
        root, "plan", "--until", "2026-03-04T12:00:00Z", now="2026-03-02T08:00:00Z"
    )
    assert code == 0, err
    assert people(root, *window) == before
    assert before[3:6] == [("2026-03-05", "ann"), ("2026-03-06", "bob"), ("2026-03-09", "bob")]


def test_the_team_page_and_site_data_name_the_counted_next_person(tmp_path: Path) -> None:
    """On Sunday 8 March at noon nobody is on call (outside coverage); the team page's
    next on call is Bob from Mon 9 March 09:00, and the site's schedule data agree."""
    from datetime import UTC, datetime

    from generator.pipeline import load_org, site_files

    root = org(tmp_path, "        uncovered_turns: count")
    now = datetime(2026, 3, 8, 12, tzinfo=UTC)
    _, files = site_files(load_org(root, now), now)
    page = str(files["teams/web/index.md"])
    nxt = page[page.index("data-rota-next") :]
    assert nxt.index('href="../../people/bob/"') < nxt.index("2026-03-09T09:00:00+00:00")
    shifts = json.loads(files["data/schedule.json"])["shifts"]
    assert [s["person"] for s in shifts if s["start"].startswith("2026-03-09")] == ["bob"]
