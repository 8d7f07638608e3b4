"""`rota import`: each tool's saved JSON → Rota YAML, checked against the tool's rendering.

The fixtures under fixtures/ follow the tools' documented response shapes. Their
rendered shifts were worked out BY HAND from the documented semantics, as follows.

pagerduty-v2 (GET /schedules/PCHKOUT?since=2026-03-02T00:00-05:00&until=2026-03-16T00:00-04:00,
zone "Eastern Time (US & Canada)" = America/New_York, DST starts Sun 2026-03-08 02:00):
  Both layers: rotation_virtual_start Mon 2026-01-05 09:00 EST, turn 604800 s (one week,
  kept at 09:00 local across DST). Mon 2026-03-02 is 8 weeks after 01-05, so turn 8
  starts then; turn 9 starts Mon 03-09 09:00 EDT (a 167-hour turn across the change).
  "Weekly" [Alice, Bob, Carol]: turn 7 → 7 mod 3 = 1 Bob (until 03-02 09:00), turn 8 →
  2 Carol, turn 9 → 0 Alice (to the end of the window, 03-16 00:00 EDT).
  "Business hours" [Dave, Erin], weekly restrictions ISO days 1-5 at 09:00 for 28800 s
  (Mon-Fri 09:00-17:00): turn 8 → 8 mod 2 = 0 Dave (03-02..03-06), turn 9 → 1 Erin
  (03-09..03-13, now at 09:00 EDT = 13:00Z instead of 14:00Z).
  Final schedule: the business-hours layer sits above the weekly one, so Dave/Erin
  during their windows and Carol/Alice around them.

pagerduty-v3 (schedule_v3, Europe/London, DST starts Sun 2026-03-29 01:00 UTC):
  One event 09:00-17:00 London, RRULE FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR, rotating with
  shifts_per_member 5 over [Fatima, George, Hiro]: occurrence i (0 = Mon 03-02) goes to
  member floor(i / 5) mod 3, i.e. one member per working week: 03-02 Fatima, 03-09
  George, 03-16 Hiro, 03-23 Fatima (09:00-17:00 GMT = 09:00Z-17:00Z), 03-30 George
  (09:00-17:00 BST = 08:00Z-16:00Z).

opsgenie (Europe/Berlin, DST starts Sun 2026-03-29 01:00 UTC):
  Weekly rotation, length 1, startDate 2026-03-02T08:00Z = Mon 09:00 CET; participants
  [Ingrid, Jonas, Karl]; weekday-and-time-of-day restrictions Mon-Fri, each day
  09:00-18:00. Turn k from 03-02 → participant k mod 3: 03-23 is k = 3 → Ingrid
  (09:00-18:00 CET = 08:00Z-17:00Z), 03-30 is k = 4 → Jonas (CEST: 07:00Z-16:00Z).

grafana (schedule zone Europe/London):
  rolling_users, frequency weekly, interval 1, start 2026-03-02T10:00 local, duration
  604800 s, rolling_users [[Lena], [Max], [Nora]], start index 0: week k → k mod 3.
  03-23 (k = 3) Lena from 10:00 GMT = 10:00Z to Mon 03-30 10:00 BST = 09:00Z; 03-30
  (k = 4) Max until 04-06 10:00 BST = 09:00Z.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from generator.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
NOW = "2026-03-01T12:00:00Z"


def run(root: Path, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["--root", str(root), *args])
    assert result.exit_code == code, result.output + (result.stderr if result.stderr else "")
    assert "Traceback" not in result.output
    return result


PD_V2 = [str(FIXTURES / "pagerduty-v2" / n) for n in ("schedule.json", "users.json")]
PD_V3 = [str(FIXTURES / "pagerduty-v3" / n) for n in ("schedule.json", "users.json")]
OPSGENIE = [str(FIXTURES / "opsgenie" / n) for n in ("schedule.json", "timeline.json")]
GRAFANA = [
    str(FIXTURES / "grafana" / n)
    for n in ("schedule.json", "on_call_shifts.json", "users.json", "final_shifts.json")
]


def test_pagerduty_layers_import_with_precedence_and_match_the_final_schedule(
    tmp_path: Path,
) -> None:
    """Business hours (Mon-Fri 09:00-17:00, listed first: GET /schedules lists the top
    layer first) over a weekly 24/7 layer. PagerDuty pages only the top layer where
    both have someone, so the weekly rotation is imported with the business hours
    masked out, and the final schedule is matched instant by instant."""
    result = run(tmp_path, "import", "pagerduty", *PD_V2, "--check", "--now", NOW)
    assert result.stdout.splitlines() == [
        "same: $.schedule.final_schedule.rendered_schedule_entries, "
        "Mon 2026-03-02 00:00 to Mon 2026-03-16 00:00 (America/New_York)"
    ]
    assert not (tmp_path / "rotations").exists()  # --check writes nothing
    run(tmp_path, "import", "pagerduty", *PD_V2, "--out", str(tmp_path / "out.yaml"))
    doc = yaml.safe_load((tmp_path / "out.yaml").read_text())
    weekly = doc["teams"][0]["rotations"][1]
    assert weekly["uncovered_turns"] == "count"
    # the week minus Mon-Fri 09:00-17:00: 17:00 to 09:00 the next day from Mon-Thu,
    # and Fri 17:00 to Mon 09:00 (64 h: Fri 17-Sat 17, Sat 17-Sun 17, Sun 17-Mon 09)
    assert weekly["coverage"] == [
        {"days": ["mon", "tue", "wed", "thu", "sun"], "from": "17:00", "to": "09:00"},
        {"days": ["fri", "sat"], "from": "17:00", "to": "17:00"},
    ]


def test_pagerduty_v3_rrule_schedule_matches_across_dst(tmp_path: Path) -> None:
    result = run(tmp_path, "import", "pagerduty", *PD_V3, "--check", "--now", NOW)
    assert result.stdout == (
        "same: final_schedule.computed_shift_assignments, Mon 2026-03-23 09:00 to "
        "Fri 2026-04-03 17:00 (Europe/London)\n"
    )


def test_opsgenie_weekday_restriction_matches_the_timeline_across_dst(tmp_path: Path) -> None:
    result = run(tmp_path, "import", "opsgenie", *OPSGENIE, "--check", "--now", NOW)
    # the whole saved window (the timeline's startDate and endDate), not just its shifts
    assert result.stdout == (
        "same: $.data.finalTimeline.rotations[0] (rotation working-hours), "
        "Mon 2026-03-23 00:00 to Mon 2026-04-06 00:00 (Europe/Berlin)\n"
    )


def test_grafana_rolling_users_matches_final_shifts_across_dst(tmp_path: Path) -> None:
    result = run(tmp_path, "import", "grafana", *GRAFANA, "--check", "--now", NOW)
    assert result.stdout == (
        "same: final_shifts, Mon 2026-03-23 10:00 to Mon 2026-04-06 10:00 (Europe/London)\n"
    )


def test_import_writes_round_robin_yaml_that_rota_schedules(tmp_path: Path) -> None:
    result = run(tmp_path, "import", "opsgenie", *OPSGENIE, "--now", NOW)
    assert result.stdout.startswith("wrote ")
    written = tmp_path / "rotations" / "search.yaml"
    doc = yaml.safe_load(written.read_text())
    (rotation,) = doc["teams"][0]["rotations"]
    assert rotation["assignment"] == "round-robin"
    assert rotation["members"] == ["ingrid-berg", "jonas-weber", "karl-fischer"]
    assert rotation["coverage"] == [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"}
    ]
    shown = run(
        tmp_path,
        "schedule",
        "--from",
        "2026-03-30T00:00:00+02:00",
        "--to",
        "2026-03-31T00:00:00+02:00",
        "--format",
        "json",
        "--now",
        NOW,
    )
    (shift,) = json.loads(shown.stdout)["shifts"]
    assert (shift["person"], shift["start"], shift["end"]) == (
        "jonas-weber",
        "2026-03-30T09:00:00+02:00",
        "2026-03-30T18:00:00+02:00",
    )


def test_import_never_overwrites_without_force(tmp_path: Path) -> None:
    run(tmp_path, "import", "grafana", *GRAFANA)
    target = tmp_path / "rotations" / "sre-primary.yaml"
    target.write_text("# edited by hand\n")
    result = run(tmp_path, "import", "grafana", *GRAFANA, code=1)
    assert f"rota: error: {target} exists; give --force to overwrite it" in result.stderr
    assert target.read_text() == "# edited by hand\n"
    run(tmp_path, "import", "grafana", *GRAFANA, "--force")
    assert "rolling" not in target.read_text() and "sre-primary" in target.read_text()


def test_import_reuses_people_the_organisation_has_by_email_case_insensitively(
    tmp_path: Path,
) -> None:
    (tmp_path / "rotations").mkdir()
    (tmp_path / "rotations" / "people.yaml").write_text(
        "people:\n  - {id: alice, name: Alice Ng, email: alice.ng@EXAMPLE.com}\n"
    )
    run(tmp_path, "import", "pagerduty", *PD_V2, "--team", "checkout", "--partial")
    doc = yaml.safe_load((tmp_path / "rotations" / "checkout.yaml").read_text())
    assert "alice-ng" not in [p["id"] for p in doc["people"]]
    assert doc["teams"][0]["rotations"][1]["members"] == ["alice", "bob-marsh", "carol-diaz"]
    assert doc["teams"][0]["timezone"] == "America/New_York"  # from the ActiveSupport name
    run(tmp_path, "validate", "--now", NOW)


def test_malformed_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "schedule.json"
    bad.write_text('{"schedule": {\n  "name": "x",\n}')
    result = run(tmp_path, "import", "pagerduty", str(bad), code=1)
    assert result.stderr == (
        f"{bad}:3:1: error: at $: not valid JSON: Expecting property name enclosed in "
        "double quotes\n"
    )


def test_missing_field_names_the_json_path(tmp_path: Path) -> None:
    doc = json.loads(Path(PD_V2[0]).read_text())
    del doc["schedule"]["schedule_layers"][1]["rotation_turn_length_seconds"]
    bad = tmp_path / "schedule.json"
    bad.write_text(json.dumps(doc))
    result = run(tmp_path, "import", "pagerduty", str(bad), PD_V2[1], code=1)
    assert result.stderr == (
        f"{bad}: error: at $.schedule.schedule_layers[1]: missing 'rotation_turn_length_seconds'\n"
    )


def test_wrong_kind_of_value_and_unknown_zone_are_named(tmp_path: Path) -> None:
    doc = json.loads(Path(OPSGENIE[0]).read_text())
    doc["data"]["rotations"][0]["participants"] = {"type": "user"}
    bad = tmp_path / "s.json"
    bad.write_text(json.dumps(doc))
    result = run(tmp_path, "import", "opsgenie", str(bad), code=1)
    assert result.stderr == (
        f"{bad}: error: at $.data.rotations[0].participants: expected a list, found an object\n"
    )
    doc = json.loads(Path(GRAFANA[0]).read_text())
    doc["time_zone"] = "Mars/Olympus"
    bad.write_text(json.dumps(doc))
    result = run(tmp_path, "import", "grafana", str(bad), *GRAFANA[1:], code=1)
    assert result.stderr == f"{bad}: error: at $.time_zone: unknown time zone 'Mars/Olympus'\n"


def test_a_single_layer_schedule_keeps_its_overrides(tmp_path: Path) -> None:
    """One layer (Weekly) and one override: Bob covers Alice from Tue 03-10 09:00 to Wed
    03-11 09:00 EDT. By hand, the final schedule is Bob until 03-02 09:00, Carol to
    03-09 09:00, Alice to 03-10 09:00, Bob to 03-11 09:00, Alice to the window's end."""
    doc = json.loads(Path(PD_V2[0]).read_text())
    sched = doc["schedule"]
    del sched["schedule_layers"][0]
    bob = {"id": "PB2C3D4", "type": "user_reference", "summary": "Bob Marsh"}
    override = {"start": "2026-03-10T09:00:00-04:00", "end": "2026-03-11T09:00:00-04:00"}
    sched["overrides_subschedule"]["rendered_schedule_entries"] = [{**override, "user": bob}]
    people = {"bob": bob, "carol": {"id": "PC3D4E5"}, "alice": {"id": "PA1B2C3"}}
    final = [
        ("2026-03-02T00:00:00-05:00", "2026-03-02T09:00:00-05:00", "bob"),
        ("2026-03-02T09:00:00-05:00", "2026-03-09T09:00:00-04:00", "carol"),
        ("2026-03-09T09:00:00-04:00", "2026-03-10T09:00:00-04:00", "alice"),
        ("2026-03-10T09:00:00-04:00", "2026-03-11T09:00:00-04:00", "bob"),
        ("2026-03-11T09:00:00-04:00", "2026-03-16T00:00:00-04:00", "alice"),
    ]
    sched["final_schedule"]["rendered_schedule_entries"] = [
        {"start": a, "end": b, "user": people[who]} for a, b, who in final
    ]
    (tmp_path / "s.json").write_text(json.dumps(doc))
    files = [str(tmp_path / "s.json"), PD_V2[1]]
    result = run(tmp_path, "import", "pagerduty", *files, "--check", "--now", NOW)
    assert [line.split(",")[0] for line in result.stdout.splitlines()] == [
        "same: $.schedule.final_schedule.rendered_schedule_entries",
        "same: $.schedule.schedule_layers[0].rendered_schedule_entries (rotation weekly)",
    ]
    run(tmp_path, "import", "pagerduty", *files, "--now", NOW)
    doc = yaml.safe_load((tmp_path / "rotations" / "checkout.yaml").read_text())
    assert doc["overrides"] == [
        {
            "team": "checkout",
            "rotation": "weekly",
            "from": "2026-03-10T09:00:00-04:00",
            "to": "2026-03-11T09:00:00-04:00",
            "person": "bob-marsh",
            "note": "imported override",
        }
    ]


def test_half_day_turns_counted_in_elapsed_time_fail_the_check_without_excuse(
    tmp_path: Path,
) -> None:
    """One layer of 12-hour turns [Alice, Bob] from Mon 03-02 09:00 EST. PagerDuty
    counts a turn that is not a whole number of days in elapsed seconds, so after the
    change of Sun 03-08 its handoffs fall at 10:00 and 22:00 EDT; Rota steps the wall
    clock and keeps 09:00 and 21:00. By hand, from Sat 03-07 09:00 EST (turn 10, Alice):
    PagerDuty: Alice 14:00Z-02:00Z, Bob 02:00Z-14:00Z, Alice 14:00Z-02:00Z, Bob
    02:00Z-14:00Z (03-09). Rota hands off at 13:00Z and 01:00Z after the change, so the
    three hours 03-08 13:00Z, 03-09 01:00Z and 03-09 13:00Z differ. PagerDuty does not
    document which it does; whichever rendering the saved JSON holds, --check says so
    plainly and fails (no label excuses a difference)."""
    doc = json.loads(Path(PD_V2[0]).read_text())
    sched = doc["schedule"]
    del sched["schedule_layers"][0]
    layer = sched["schedule_layers"][0]
    layer["rotation_virtual_start"] = layer["start"] = "2026-03-02T09:00:00-05:00"
    layer["rotation_turn_length_seconds"] = 43200
    layer["users"] = layer["users"][:2]
    alice, bob = {"id": "PA1B2C3"}, {"id": "PB2C3D4"}
    entries = [
        ("2026-03-07T14:00:00Z", "2026-03-08T02:00:00Z", alice),
        ("2026-03-08T02:00:00Z", "2026-03-08T14:00:00Z", bob),
        ("2026-03-08T14:00:00Z", "2026-03-09T02:00:00Z", alice),
        ("2026-03-09T02:00:00Z", "2026-03-09T14:00:00Z", bob),
    ]
    layer["rendered_schedule_entries"] = [{"start": a, "end": b, "user": u} for a, b, u in entries]
    sched["final_schedule"]["rendered_schedule_entries"] = layer["rendered_schedule_entries"]
    (tmp_path / "s.json").write_text(json.dumps(doc))
    result = run(
        tmp_path, "import", "pagerduty", str(tmp_path / "s.json"), PD_V2[1], "--check", code=1
    )
    lines = result.stdout.splitlines()
    assert lines[1:4] == [
        "  Sun 2026-03-08 09:00 to Sun 2026-03-08 10:00: PagerDuty has bob-marsh; "
        "Rota has alice-ng",
        "  Sun 2026-03-08 21:00 to Sun 2026-03-08 22:00: PagerDuty has alice-ng; "
        "Rota has bob-marsh",
        "  Mon 2026-03-09 09:00 to Mon 2026-03-09 10:00: PagerDuty has bob-marsh; "
        "Rota has alice-ng",
    ]
    assert len(lines) == 8  # the same three under the final schedule
    assert "rota: error: 6 difference(s) from PagerDuty's own rendering" in result.stderr


def test_opsgenie_overrides_come_along_and_the_timeline_still_matches(tmp_path: Path) -> None:
    """An override (GET /v2/schedules/ID/overrides): Karl covers Jonas on Tue 03-31
    09:00-18:00 CEST (07:00Z-16:00Z). By hand, the timeline's period that day is Karl's
    (type override) instead of Jonas's."""
    overrides = {
        "data": [
            {
                "alias": "tue-cover",
                "user": {"type": "user", "id": "e7a9d3c4", "username": "karl.fischer@example.com"},
                "startDate": "2026-03-31T07:00:00Z",
                "endDate": "2026-03-31T16:00:00Z",
                "rotations": [
                    {"id": "a47cbc6b-5b8c-4f0a-b0bc-9c0f2ffc8e6a", "name": "Working hours"}
                ],
            }
        ],
        "took": 0.01,
        "requestId": "x",
    }
    (tmp_path / "overrides.json").write_text(json.dumps(overrides))
    timeline = json.loads(Path(OPSGENIE[1]).read_text())
    for p in timeline["data"]["finalTimeline"]["rotations"][0]["periods"]:
        if p["startDate"] == "2026-03-31T07:00:00Z":
            p["type"] = "override"
            p["recipient"]["name"] = "karl.fischer@example.com"
    (tmp_path / "timeline.json").write_text(json.dumps(timeline))
    files = [OPSGENIE[0], str(tmp_path / "timeline.json"), str(tmp_path / "overrides.json")]
    result = run(tmp_path, "import", "opsgenie", *files, "--check", "--now", NOW)
    assert result.stdout.startswith("same: ")
    doc = yaml.safe_load(run(tmp_path, "import", "opsgenie", *files, "--out", "-").stdout)
    assert doc["overrides"] == [
        {
            "team": "search",
            "rotation": "working-hours",
            "from": "2026-03-31T09:00:00+02:00",
            "to": "2026-03-31T18:00:00+02:00",
            "person": "karl-fischer",
            "note": "imported override",
        }
    ]


def test_grafana_override_shifts_become_overrides(tmp_path: Path) -> None:
    """An override shift: Nora covers Max from Wed 04-01 10:00 BST for 24 hours. By hand,
    final_shifts then splits Max's week: Max 03-30 09:00Z-04-01 09:00Z, Nora to 04-02
    09:00Z, Max to 04-06 09:00Z."""
    shifts = json.loads(Path(GRAFANA[1]).read_text())
    shifts["results"].append(
        {
            "id": "OVRRIDE1",
            "schedule": "SBM7DV7BKFUYU",
            "name": "Nora covers",
            "type": "override",
            "time_zone": None,
            "level": 0,
            "start": "2026-04-01T10:00:00",
            "duration": 86400,
            "users": ["UT9MB3QZ8RWLA"],
        }
    )
    schedule = json.loads(Path(GRAFANA[0]).read_text())
    schedule["shifts"].append("OVRRIDE1")
    final = json.loads(Path(GRAFANA[3]).read_text())
    max_, nora = final["results"][1], dict(final["results"][1])
    nora.update(user_pk="UT9MB3QZ8RWLA", user_email="nora.quinn@example.com", user_username="nora")
    final["results"][1:] = [
        {**max_, "shift_end": "2026-04-01T09:00:00Z"},
        {**nora, "shift_start": "2026-04-01T09:00:00Z", "shift_end": "2026-04-02T09:00:00Z"},
        {**max_, "shift_start": "2026-04-02T09:00:00Z"},
    ]
    for name, doc in (("s.json", schedule), ("o.json", shifts), ("f.json", final)):
        (tmp_path / name).write_text(json.dumps(doc))
    files = [
        str(tmp_path / "s.json"),
        str(tmp_path / "o.json"),
        GRAFANA[2],
        str(tmp_path / "f.json"),
    ]
    result = run(tmp_path, "import", "grafana", *files, "--check", "--now", NOW)
    assert result.stdout.startswith("same: final_shifts")
    doc = yaml.safe_load(run(tmp_path, "import", "grafana", *files, "--out", "-").stdout)
    assert doc["overrides"][0]["from"] == "2026-04-01T10:00:00+01:00"
    assert doc["overrides"][0]["person"] == "nora"


def test_a_none_turn_in_opsgenie_is_refused_by_name_unless_partial(tmp_path: Path) -> None:
    """Participants [Ingrid, none, Jonas]: Opsgenie's turn k goes to k mod 3, and turn
    1 mod 3 pages nobody. A Rota member is a person, so the import is refused, naming
    the participant; --partial writes the rest and says what it left out."""
    doc = json.loads(Path(OPSGENIE[0]).read_text())
    people = doc["data"]["rotations"][0]["participants"]
    people[1:3] = [{"type": "none"}, people[1]]
    (tmp_path / "s.json").write_text(json.dumps(doc))
    out = tmp_path / "og.yaml"
    args = ["import", "opsgenie", str(tmp_path / "s.json"), "--out", str(out)]
    result = run(tmp_path, *args, code=1)
    assert result.stderr.splitlines() == [
        f"{tmp_path / 's.json'}: at $.data.rotations[0].participants[1]: error: unsupported: "
        "a turn of nobody (participant type 'none'): rotation 'Working hours': Rota's "
        "members are people, each on call alone",
        "rota: error: 1 part(s) of the schedule cannot be expressed in Rota: nothing "
        "written (--partial writes the rest)",
    ]
    assert not out.exists()
    result = run(tmp_path, *args, "--partial")
    assert ": warning: unsupported: a turn of nobody" in result.stderr
    assert "a turn of nobody" in out.read_text()  # named in the file's header too


HOSTILE_NAME = (
    "Weekly'\n      - id: injected\n        name: Injected\n        members: [alice-ng]\n"
    '        start: "2026-03-02 09:00"\n        shift: 1w\n        assignment: round-robin\n'
    "      #"
)


def test_a_hostile_layer_name_is_text_and_adds_no_yaml(tmp_path: Path) -> None:
    doc = json.loads(Path(PD_V2[0]).read_text())
    doc["schedule"]["schedule_layers"][1]["name"] = HOSTILE_NAME
    hostile = tmp_path / "schedule.json"
    hostile.write_text(json.dumps(doc))
    out = tmp_path / "imported.yaml"
    run(tmp_path, "import", "pagerduty", str(hostile), PD_V2[1], "--out", str(out), "--partial")
    written = yaml.safe_load(out.read_text())
    (team,) = written["teams"]
    # one value on one line (names are one-line fields): the would-be YAML is only text
    # the top layer first (GET /schedules lists layers highest first)
    assert [r["name"] for r in team["rotations"]] == [
        "Business hours",
        "Weekly' - id: injected name: Injected members: [alice-ng] "
        'start: "2026-03-02 09:00" shift: 1w assignment: round-robin #',
    ]
    assert [r["id"] for r in team["rotations"]] == [
        "business-hours",
        "weekly-id-injected-name-injected-members-alice-ng-start-2026-03-02-09-00-shift-1w-"
        "assignment-round-robin",
    ]
    # the comment above the rotation holds the name on one line, its breaks escaped
    comments = [line for line in out.read_text().splitlines() if "PagerDuty layer" in line]
    assert comments[1].startswith("      # PagerDuty layer 'Weekly'\\n      - id: injected")


def test_control_characters_in_a_name_stay_out_of_the_written_yaml(tmp_path: Path) -> None:
    doc = json.loads(Path(PD_V2[0]).read_text())
    doc["schedule"]["schedule_layers"][1]["name"] = "Weekly\u2028\x85\x1b[31m"
    doc["schedule"]["name"] = "Checkout\nteams: []"
    hostile = tmp_path / "schedule.json"
    hostile.write_text(json.dumps(doc))
    out = tmp_path / "imported.yaml"
    run(tmp_path, "import", "pagerduty", str(hostile), PD_V2[1], "--out", str(out), "--partial")
    text = out.read_text()
    assert not any(ch in text for ch in "\u2028\x85\x1b")
    names = [r["name"] for r in yaml.safe_load(text)["teams"][0]["rotations"]]
    assert names == ["Business hours", "Weekly [31m"]
    assert yaml.safe_load(text)["teams"][0]["name"] == "Checkout teams: []"


def test_a_file_past_the_size_limit_is_refused(tmp_path: Path) -> None:
    doc = json.loads(Path(PD_V2[0]).read_text())
    doc["schedule"]["description"] = "x" * (50 * 1024 * 1024)
    big = tmp_path / "schedule.json"
    big.write_text(json.dumps(doc))
    result = run(tmp_path, "import", "pagerduty", str(big), PD_V2[1], code=1)
    assert result.stderr == (
        f"{big}: error: at $: the file is over 20 MB: no saved API response is this large\n"
    )


def test_deep_nesting_is_a_located_error(tmp_path: Path) -> None:
    deep = tmp_path / "schedule.json"
    deep.write_text('{"schedule":\n  ' + "[" * 200_000 + "]" * 200_000 + "}")
    result = run(tmp_path, "import", "pagerduty", str(deep), code=1)
    # the 201st opening bracket: line 2, column 3 + 199
    assert result.stderr == f"{deep}:2:202: error: at $: nested more than 200 levels deep\n"


def test_a_number_of_thousands_of_digits_is_a_located_error(tmp_path: Path) -> None:
    doc = json.loads(Path(PD_V2[0]).read_text())
    doc["schedule"]["schedule_layers"][0]["rotation_turn_length_seconds"] = 1
    text = json.dumps(doc, indent=1).replace(
        '"rotation_turn_length_seconds": 1,', '"rotation_turn_length_seconds": ' + "9" * 5000 + ","
    )
    bad = tmp_path / "schedule.json"
    bad.write_text(text)
    line = next(
        n for n, s in enumerate(text.splitlines(), 1) if "rotation_turn_length_seconds" in s
    )
    column = text.splitlines()[line - 1].index("9") + 1
    result = run(tmp_path, "import", "pagerduty", str(bad), PD_V2[1], code=1)
    assert result.stderr == (
        f"{bad}:{line}:{column}: error: at $: a number of more than 4300 digits\n"
    )
    # a number Python reads but no turn could last is named by its path
    doc["schedule"]["schedule_layers"][0]["rotation_turn_length_seconds"] = 10**300
    bad.write_text(json.dumps(doc))
    result = run(tmp_path, "import", "pagerduty", str(bad), PD_V2[1], code=1)
    assert result.stderr == (
        f"{bad}: error: at $.schedule.schedule_layers[0].rotation_turn_length_seconds: "
        "a whole number out of range (at most 1,000,000,000 either way)\n"
    )


def test_a_name_of_thousands_of_characters_is_a_located_error(tmp_path: Path) -> None:
    doc = json.loads(Path(PD_V2[0]).read_text())
    doc["schedule"]["schedule_layers"][1]["name"] = "n" * 5000
    bad = tmp_path / "schedule.json"
    bad.write_text(json.dumps(doc))
    result = run(tmp_path, "import", "pagerduty", str(bad), PD_V2[1], code=1)
    assert result.stderr == (
        f"{bad}: error: at $.schedule.schedule_layers[1].name: a string of 5,000 characters; "
        "at most 500 are read\n"
    )


def test_a_user_list_saved_page_by_page_is_read_as_one(tmp_path: Path) -> None:
    """GET /users pages (limit 2, ``more: true`` on the first): the layer's users Alice,
    Bob and Carol are split over the two pages, and each gets their e-mail."""
    users = json.loads(Path(PD_V2[1]).read_text())["users"]
    pages = [
        {"users": users[:2], "limit": 2, "offset": 0, "more": True},
        {"users": users[2:], "limit": 2, "offset": 2, "more": False},
    ]
    files = []
    for n, page in enumerate(pages):
        (tmp_path / f"users-{n}.json").write_text(json.dumps(page))
        files.append(str(tmp_path / f"users-{n}.json"))
    out = tmp_path / "out.yaml"
    result = run(tmp_path, "import", "pagerduty", PD_V2[0], *files, "--out", str(out))
    assert "warning" not in result.stderr
    doc = yaml.safe_load(out.read_text())
    emails = {p["id"]: p.get("email") for p in doc["people"]}
    assert all(emails.values()) and len(emails) == len(users)
    # with the second page missing, the users on it are named, not silently dropped
    result = run(tmp_path, "import", "pagerduty", PD_V2[0], files[0], "--out", "-")
    assert "is not in the saved GET /users (save every page of it)" in result.stderr


def test_opsgenie_rotations_sharing_a_person_at_the_same_time_are_refused(
    tmp_path: Path,
) -> None:
    """Opsgenie pages every rotation at once; Rota gives a person one rotation of a team
    at a time, so a second unrestricted rotation with the same participants is refused
    by name (their times meet), and the cumulative rotations of the vendor case
    own-two-rotations-at-once, with different people, import with one escalation level
    notifying both."""
    doc = json.loads(Path(OPSGENIE[0]).read_text())
    rotations = doc["data"]["rotations"]
    rotations.append({**rotations[0], "name": "Copy", "timeRestriction": None})
    (tmp_path / "s.json").write_text(json.dumps(doc))
    result = run(tmp_path, "import", "opsgenie", str(tmp_path / "s.json"), "--out", "-", code=1)
    assert (
        ": error: unsupported: a person in two rotations on call at the same time: "
        in result.stderr
    )
    case = Path(__file__).parent / "vendor_cases" / "opsgenie" / "own-two-rotations-at-once"
    result = run(tmp_path, "import", "opsgenie", str(case / "og-schedule.json"), "--out", "-")
    team = yaml.safe_load(result.stdout)["teams"][0]
    assert team["escalation"] == {"levels": [{"after": "0m", "notify": ["primary", "shadow"]}]}


def test_a_first_turn_in_the_spring_gap_still_imports(tmp_path: Path) -> None:
    """Daily turns at 02:00 New York from Sat 7 March (Alice, Bob, Carol); the layer
    starts Sun 8 March 12:00 EDT, inside turn 1, whose wall time 02:00 does not exist
    that day. Rota's start may not be in the gap, so the import starts one turn earlier
    (Sat 02:00, members rotated to match) with `from` at the layer's start. By hand:
    Bob (turn 1) from 8 March 12:00 EDT = 16:00Z to 9 March 02:00 EDT = 06:00Z, then
    Carol (turn 2) to 10 March 06:00Z."""
    doc = json.loads(Path(PD_V2[0]).read_text())
    sched = doc["schedule"]
    del sched["schedule_layers"][0]
    layer = sched["schedule_layers"][0]
    layer["rotation_virtual_start"] = "2026-03-07T02:00:00-05:00"
    layer["start"] = "2026-03-08T12:00:00-04:00"
    layer["rotation_turn_length_seconds"] = 86400
    (tmp_path / "s.json").write_text(json.dumps(doc))
    out = tmp_path / "rotations" / "checkout.yaml"
    run(tmp_path, "import", "pagerduty", str(tmp_path / "s.json"), PD_V2[1])
    rotation = yaml.safe_load(out.read_text())["teams"][0]["rotations"][0]
    assert (rotation["start"], rotation["from"]) == (
        "2026-03-07 02:00",
        "2026-03-08T12:00:00-04:00",
    )
    result = run(
        tmp_path,
        "schedule",
        "--from",
        "2026-03-08T00:00:00Z",
        "--to",
        "2026-03-10T06:00:00Z",
        "--format",
        "json",
        "--now",
        NOW,
    )
    shifts = [(s["person"], s["start"], s["end"]) for s in json.loads(result.stdout)["shifts"]]
    assert shifts == [
        ("bob-marsh", "2026-03-08T12:00:00-04:00", "2026-03-09T02:00:00-04:00"),
        ("carol-diaz", "2026-03-09T02:00:00-04:00", "2026-03-10T02:00:00-04:00"),
    ]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("length",), 0, "$.data.rotations[0].length: a rotation's length is a whole number"),
        (
            ("timeRestriction", "restrictions", 0, "startHour"),
            25,
            "$.data.rotations[0].timeRestriction.restrictions[0].startHour: an hour of the "
            "day is 0 to 23, found 25",
        ),
        (
            ("timeRestriction", "restrictions", 0, "endMin"),
            75,
            "$.data.rotations[0].timeRestriction.restrictions[0].endMin: minutes are 0 to 59",
        ),
    ],
)
def test_opsgenie_values_out_of_range_are_located_errors(
    tmp_path: Path, path: tuple[str | int, ...], value: int, message: str
) -> None:
    """Out-of-range lengths and clock times are named at their JSON path, never an
    internal error from the YAML they would have made."""
    doc = json.loads(Path(OPSGENIE[0]).read_text())
    node = doc["data"]["rotations"][0]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    (tmp_path / "s.json").write_text(json.dumps(doc))
    result = run(tmp_path, "import", "opsgenie", str(tmp_path / "s.json"), "--out", "-", code=1)
    assert f"{tmp_path / 's.json'}: error: at {message}" in result.stderr
    assert "internal error" not in result.stderr


def test_an_override_by_someone_outside_the_layers_brings_them_along(tmp_path: Path) -> None:
    """Dave (in no layer of the weekly schedule) covers Tue 10 March 09:00 to Wed 09:00
    EDT: he is imported as a person and the override is his, and the final schedule
    (Dave then, the weekly layer's Alice around him) matches."""
    doc = json.loads(Path(PD_V2[0]).read_text())
    sched = doc["schedule"]
    del sched["schedule_layers"][0]
    dave = {"id": "PD4E5F6", "type": "user_reference", "summary": "Dave Kim"}
    cover = {"start": "2026-03-10T09:00:00-04:00", "end": "2026-03-11T09:00:00-04:00"}
    sched["overrides_subschedule"]["rendered_schedule_entries"] = [{**cover, "user": dave}]
    alice = {"id": "PA1B2C3"}
    sched["final_schedule"]["rendered_schedule_entries"] = [
        {"start": "2026-03-09T09:00:00-04:00", "end": cover["start"], "user": alice},
        {**cover, "user": dave},
        {"start": cover["end"], "end": "2026-03-16T00:00:00-04:00", "user": alice},
    ]
    (tmp_path / "s.json").write_text(json.dumps(doc))
    files = [str(tmp_path / "s.json"), PD_V2[1]]
    result = run(tmp_path, "import", "pagerduty", *files, "--check")
    assert result.stdout.startswith("same: $.schedule.final_schedule")
    written = yaml.safe_load(run(tmp_path, "import", "pagerduty", *files, "--out", "-").stdout)
    assert "dave-kim" in [p["id"] for p in written["people"]]
    assert [o["person"] for o in written["overrides"]] == ["dave-kim"]
