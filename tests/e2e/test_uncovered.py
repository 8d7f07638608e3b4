"""A shift nobody can take is published, never hidden (SPEC 3, Uncovered shifts):
`build` exits 0 and prints it, pages and the team feed show it, `who` and
`schedule` report it, `validate` fails on it within `freeze` only."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
from click.testing import CliRunner, Result

from generator.cli import cli

NOW = "2026-11-27T12:00:00Z"
# ann and bob are both away the week of 7 December; cy is on another team only
ORG = """settings: {organisation: Gap Corp}
people:
  - {id: ann, name: Ann Lee, timezone: UTC, leave: [{from: 2026-12-08, to: 2026-12-09}]}
  - {id: bob, name: Bob Roe, timezone: UTC, leave: [{from: 2026-12-07, to: 2026-12-12}]}
  - {id: cy, name: Cy Poe, timezone: UTC}
teams:
  - id: web
    name: Web
    timezone: UTC
    rotations:
      - {id: primary, name: Primary, members: [ann, bob], start: "2026-11-02 09:00", shift: 1w}
    escalation: {levels: [{after: 0m, notify: [primary]}]}
  - id: db
    name: Db
    timezone: UTC
    rotations:
      - {id: primary, name: Primary, members: [cy], start: "2026-11-02 09:00", shift: 1w}
    escalation: {levels: [{after: 0m, notify: [primary]}]}
"""
GAP = "2026-12-07T09:00:00+00:00"


def org(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    (root / "rotations").mkdir(parents=True)
    (root / "rotations" / "org.yaml").write_text(ORG)
    return root


def run(root: Path, *args: str, now: str = NOW) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args, "--now", now])


def test_uncovered_shift_builds_with_exit_zero_and_is_shown_on_pages_and_team_feed(
    tmp_path: Path,
) -> None:
    root = org(tmp_path)
    out = tmp_path / "site"
    result = run(root, "build", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (
        "rotations/org.yaml:11:9: warning: uncovered shift: nobody can take web/primary from "
        f"{GAP} to 2026-12-14T09:00:00+00:00 (Mon 2026-12-07 09:00 UTC): ann on leave, bob "
        "on leave; add an override or a member"
    ) in result.stderr.splitlines()
    home = (out / "index.html").read_text()
    team = (out / "teams" / "web" / "index.html").read_text()
    # the home page's next handoffs, the team's schedule table and month calendar
    assert 'class="rota-uncovered">Nobody (uncovered)</span>' in home
    assert team.count('class="rota-uncovered">Nobody (uncovered)</span>') >= 1
    assert 'class="rota-uncovered">Uncovered</span>' in team
    # the team feed carries an event for it; nobody's personal feed does
    feed = icalendar.Calendar.from_ical((out / "ical" / "team-web.ics").read_bytes())
    gaps = [e for e in feed.walk("VEVENT") if str(e["SUMMARY"]).startswith("Uncovered")]
    assert [str(e["SUMMARY"]) for e in gaps] == ["Uncovered: Web Primary"]
    assert gaps[0].decoded("DTSTART").isoformat() == GAP
    assert "Nobody is on call for Web Primary" in str(gaps[0]["DESCRIPTION"])
    for person in ("ann", "bob", "cy"):
        personal = icalendar.Calendar.from_ical((out / "ical" / f"{person}.ics").read_bytes())
        summaries = [str(e["SUMMARY"]) for e in personal.walk("VEVENT")]
        assert not [s for s in summaries if s.startswith("Uncovered")]
    # ann's shift before the gap warns her, in its handoff note, that nobody takes over
    ann = icalendar.Calendar.from_ical((out / "ical" / "ann.ics").read_bytes())
    (last,) = [e for e in ann.walk("VEVENT") if e.decoded("DTEND").isoformat() == GAP]
    assert "Uncovered after this shift: nobody is on call from Mon 07 Dec 2026" in str(
        last["DESCRIPTION"]
    )
    data = json.loads((out / "data" / "schedule.json").read_text())
    (gap,) = [s for s in data["shifts"] if s["person"] is None]
    assert (gap["team"], gap["start"], gap["source"]) == ("web", GAP, "uncovered")


def test_who_and_schedule_report_the_uncovered_shift(tmp_path: Path) -> None:
    root = org(tmp_path)
    who = run(root, "who", "--at", "2026-12-08T10:00:00Z")
    assert who.exit_code == 0, who.output
    rows = who.stdout.splitlines()
    assert rows[0] == "on call at 2026-12-08T10:00:00+00:00"
    web = next(line for line in rows if line.startswith("web"))
    assert web.split()[:4] == ["web", "primary", "nobody", "(uncovered)"]
    # the handoff that ends it: Monday 14 December 09:00 UTC, 5 days 23 hours away
    assert web.endswith("Mon 14 Dec 09:00 UTC (in 5 d 23 h)")
    doc = json.loads(run(root, "who", "--at", "2026-12-08T10:00:00Z", "--format", "json").stdout)
    assert [(e["team"], e["person"]) for e in doc["oncall"]] == [("db", "cy"), ("web", None)]
    schedule = run(root, "schedule", "--team", "web", "--format", "json")
    shifts = json.loads(schedule.stdout)["shifts"]
    assert [(s["person"], s["source"]) for s in shifts if s["start"] == GAP] == [
        (None, "uncovered")
    ]
    table = run(root, "schedule", "--team", "web").stdout
    assert "nobody (uncovered)" in table


def test_validate_fails_on_an_uncovered_shift_within_freeze_and_warns_beyond(
    tmp_path: Path,
) -> None:
    root = org(tmp_path)
    near = run(root, "validate")  # 7 December is within 4 weeks of 27 November
    assert near.exit_code == 1
    assert ": error: uncovered shift: nobody can take web/primary" in near.stderr
    far = run(root, "validate", now="2026-10-01T12:00:00Z")  # ten weeks ahead
    assert far.exit_code == 0, far.output
    assert ": warning: uncovered shift: nobody can take web/primary" in far.stderr
    strict = run(root, "validate", "--strict", now="2026-10-01T12:00:00Z")
    assert strict.exit_code == 1
    # once it has passed, it is history: nothing to fix
    after = run(root, "validate", now="2026-12-20T12:00:00Z")
    assert after.exit_code == 0, after.output
    assert "uncovered" not in after.stderr


def test_who_says_until_when_and_how_long_in_the_team_zone(tmp_path: Path) -> None:
    root = org(tmp_path)
    text = (root / "rotations" / "org.yaml").read_text()
    (root / "rotations" / "org.yaml").write_text(
        text.replace(
            "timezone: UTC\n    rotations:\n      - {id: primary, name: Primary, members: [cy]",
            "timezone: America/New_York\n    rotations:\n      - "
            "{id: primary, name: Primary, members: [cy]",
        )
    )
    # db hands over on Mondays at 09:00 New York time: 30 November 09:00 EST is
    # 14:00 UTC, 1 h 37 min after 12:23 UTC
    who = run(root, "who", "--team", "db", now="2026-11-30T12:23:00Z")
    assert who.exit_code == 0, who.output
    (row,) = [line for line in who.stdout.splitlines() if line.startswith("db")]
    assert row.split()[:4] == ["db", "primary", "Cy", "Poe"]
    assert row.endswith("Mon 30 Nov 09:00 EST (in 1 h 37 min)")


def test_handoff_notes_name_the_uncovered_week_on_both_sides(tmp_path: Path) -> None:
    root = org(tmp_path)
    # ann takes over on 23 November for two weeks; nobody takes over from her on
    # 7 December: her note warns of the uncovered week after her shift
    before = run(root, "handoff", "--team", "web", "--at", "2026-11-23 09:00", "--format", "json")
    assert before.exit_code == 0, before.output
    (note,) = json.loads(before.stdout)["handoffs"]
    assert (note["at"], note["incoming"]["person"]) == ("2026-11-23T09:00:00+00:00", "ann")
    assert note["uncovered_before"] is None
    assert note["uncovered_after"] == {"start": GAP, "end": "2026-12-14T09:00:00+00:00"}
    # bob takes over on 14 December after the gap: his note says nobody was on call
    after = run(root, "handoff", "--team", "web", "--at", "2026-12-10 09:00")
    assert after.exit_code == 0, after.output
    assert after.stdout.startswith("Web Primary: handoff Mon 14 Dec 2026 09:00 UTC\n")
    assert (
        "UNCOVERED before this handoff: nobody is on call from Mon 07 Dec 2026 09:00 UTC "
        "to Mon 14 Dec 2026 09:00 UTC"
    ) in after.stdout.splitlines()
    markdown = run(
        root, "handoff", "--team", "web", "--at", "2026-12-10 09:00", "--format", "markdown"
    )
    assert (
        "- **Uncovered** before this handoff: nobody is on call from Mon 07 Dec 2026 09:00 UTC "
        "to Mon 14 Dec 2026 09:00 UTC"
    ) in markdown.stdout.splitlines()
