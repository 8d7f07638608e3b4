"""`rota plan`, `fairness` and `cover` on the sample organisation."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from generator.cli import cli
from tests.conftest import NOW

LOCK = Path("rotations") / "assignments.lock.yaml"
WEEK_OF_DEC_7 = "2026-12-07T09:00:00-05:00"


def run(root: Path, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["--root", str(root), *args])
    assert result.exit_code == code, result.output
    return result


def locked_person(root: Path, key: str, start: str) -> str:
    doc = yaml.safe_load((root / LOCK).read_text())
    (person,) = [s["person"] for s in doc["rotations"][key]["shifts"] if s["start"] == start]
    return str(person)


def test_the_sample_lock_file_is_what_plan_writes(sample_org: Path) -> None:
    # committed as `rota plan --now NOW --until 2027-02-08T00:00:00Z` wrote it:
    # planning again with the same present changes nothing
    committed = (sample_org / LOCK).read_text()
    doc = yaml.safe_load(committed)
    assert doc["rotations"]["payments/primary"]["until"] == "2027-02-08T09:00:00-05:00"
    run(sample_org, "plan", "--now", NOW, "--until", "2027-02-08T00:00:00Z")
    assert (sample_org / LOCK).read_text() == committed


def test_the_sample_notes_agree_with_its_schedule(sample_org: Path) -> None:
    # every handoff note by the engineer handing over, and no locked shift or
    # override on someone's leave or double-booking them
    for now in (NOW, "2027-02-01T12:00:00Z"):
        checked = run(sample_org, "validate", "--now", now)
        assert [
            line
            for line in checked.output.splitlines()
            if "handoff note" in line or "locked shift" in line or "override" in line
        ] == []


def test_plan_writes_the_lock_file_and_running_it_again_changes_nothing(sample_org: Path) -> None:
    (sample_org / LOCK).unlink()  # a first plan
    result = run(sample_org, "plan", "--now", NOW)
    assert "wrote rotations/assignments.lock.yaml" in result.stdout
    first = (sample_org / LOCK).read_text()
    doc = yaml.safe_load(first)
    assert doc["version"] == 1
    # the freeze is 4 weeks: now is Fri 2026-11-27, so payments locks through the week
    # starting Mon 12-21 and until becomes that week's end, Mon 12-28 09:00 New York
    primary = doc["rotations"]["payments/primary"]
    assert primary["until"] == "2026-12-28T09:00:00-05:00"
    assert primary["shifts"][-1]["start"] == "2026-12-21T09:00:00-05:00"
    assert primary["tentative"][0]["start"] == "2026-12-28T09:00:00-05:00"
    run(sample_org, "plan", "--now", NOW)
    assert (sample_org / LOCK).read_text() == first


def test_plan_until_sets_how_far_shifts_are_locked(sample_org: Path) -> None:
    (sample_org / LOCK).unlink()  # a first plan
    run(sample_org, "plan", "--now", NOW, "--until", "2026-12-10T00:00:00Z")
    doc = yaml.safe_load((sample_org / LOCK).read_text())
    # the week holding 12-10 is locked whole: until is its end, Mon 12-14 09:00
    assert doc["rotations"]["payments/primary"]["until"] == "2026-12-14T09:00:00-05:00"


def test_locked_shift_stays_when_leave_is_booked_and_validate_names_who_could_cover(
    sample_org: Path,
) -> None:
    run(sample_org, "plan", "--now", NOW)
    person = locked_person(sample_org, "payments/primary", WEEK_OF_DEC_7)
    people_file = sample_org / "rotations" / "people.yaml"
    doc = yaml.safe_load(people_file.read_text())
    for p in doc["people"]:
        if p["id"] == person:
            p.setdefault("leave", []).append(
                {"from": "2026-12-08", "to": "2026-12-09", "note": "Family emergency"}
            )
    people_file.write_text(yaml.safe_dump(doc, sort_keys=False))
    shown = run(
        sample_org,
        "schedule",
        "--team",
        "payments",
        "--from",
        "2026-12-08T12:00:00Z",
        "--to",
        "2026-12-08T13:00:00Z",
        "--format",
        "json",
        "--now",
        NOW,
    )
    shifts = json.loads(shown.stdout)["shifts"]
    assert {"rotation": "primary", "person": person, "source": "lock"}.items() <= next(
        s for s in shifts if s["rotation"] == "primary"
    ).items()
    checked = run(sample_org, "validate", "--now", NOW)
    (warning,) = [line for line in checked.output.splitlines() if "locked shift" in line]
    assert f"locked shift on payments/primary from {WEEK_OF_DEC_7}" in warning
    # the leave as written: its last day, not the day after
    assert (
        f"gives it to '{person}', who is on leave (Family emergency, 2026-12-08 to 2026-12-09);"
        in warning
    )
    assert "could cover: " in warning and "nobody is free" not in warning


def test_fairness_json_has_a_row_per_member_with_load_target_and_deviation(
    shared_sample: Path,
) -> None:
    window = ["--from", "2026-09-07T13:00:00Z", "--to", "2026-11-30T14:00:00Z"]
    result = run(
        shared_sample, "fairness", "--team", "payments", "--format", "json", *window, "--now", NOW
    )
    doc = json.loads(result.stdout)
    assert [r["rotation"] for r in doc["rotations"]] == ["primary", "secondary"]
    primary = doc["rotations"][0]
    assert [m["person"] for m in primary["members"]] == [
        "marcus-reid",
        "priya-shah",
        "daniel-okafor",
        "sofia-alvarez",
        "jake-kowalski",
        "hannah-cole",
    ]
    # 12 weekly shifts from Mon 09-07 to Mon 11-30 (09:00 New York) between 6 people
    assert sum(m["shifts"] for m in primary["members"]) == 12
    for m in primary["members"]:
        by_class = m["weekday_hours"] + m["night_hours"] + m["weekend_hours"] + m["holiday_hours"]
        assert abs(by_class - m["hours"]) < 0.05
    assert 0 < primary["balance_score"] <= 1
    spread = max(m["deviation"] for m in primary["members"]) - min(
        m["deviation"] for m in primary["members"]
    )
    # the window's own deviations give the spread in the window; `spread` is the
    # deviations' since the first handoff, at the window's last handoff (the site's)
    assert abs(primary["spread_in_window"] - spread) < 0.002
    assert primary["spread_at"] is not None and primary["spread"] >= 0


def test_fairness_table_and_csv_are_readable(shared_sample: Path) -> None:
    table = run(shared_sample, "fairness", "--team", "identity", "--now", NOW).stdout
    assert "identity/primary: 1 shift-equivalent = " in table
    assert "Ethan Walsh" in table and "DEVIATION" in table
    text = run(shared_sample, "fairness", "--format", "csv", "--now", NOW).stdout
    lines = text.splitlines()
    assert lines[0] == (
        "team,rotation,person,shifts,hours,weekday_hours,night_hours,weekend_hours,"
        "holiday_hours,load,target,deviation,interrupted_hours"
    )
    assert any(line.startswith("platform-sre,apac,") for line in lines)


def test_cover_ranks_free_members_and_leaves_out_whoever_is_on_leave(shared_sample: Path) -> None:
    # Marcus Reid is on his winter break from 2026-12-21 to 2027-01-01
    result = run(
        shared_sample,
        "cover",
        "--team",
        "payments",
        "--rotation",
        "primary",
        "--at",
        "2026-12-22 12:00",
        "--format",
        "json",
        "--now",
        NOW,
    )
    doc = json.loads(result.stdout)
    assert doc["start"] == "2026-12-21T09:00:00-05:00"
    names = [c["person"] for c in doc["candidates"]]
    assert "marcus-reid" not in names
    assert not set(doc["on_call"]) & set(names)
    after = [c["deviation_after"] for c in doc["candidates"]]
    assert after == sorted(after)
    table = run(
        shared_sample,
        "cover",
        "--team",
        "payments",
        "--rotation",
        "primary",
        "--at",
        "2026-12-22 12:00",
        "--now",
        NOW,
    ).stdout
    assert table.splitlines()[0].startswith("payments/primary from Mon 2026-12-21 09:00 to")
    assert "RANK" in table


def test_cover_with_an_unknown_rotation_is_a_usage_error(shared_sample: Path) -> None:
    result = run(
        shared_sample, "cover", "--team", "payments", "--rotation", "primry", "--now", NOW, code=2
    )
    assert "no rotation 'primry' in team 'payments' (did you mean 'primary'?)" in result.output


def test_queries_print_one_summary_line_for_warnings(sample_org: Path) -> None:
    settings = sample_org / "rotations" / "settings.yaml"
    settings.write_text(settings.read_text().replace("runbook_review: 180d", "runbook_review: 1d"))
    # every runbook of the sample is now stale (14) and INC-128's postmortem is past its
    # review deadline (1): 15 warnings, summed up in one line
    summary = [
        "rota: 15 warnings (14 stale runbooks, 1 overdue postmortem); 'rota validate' lists them"
    ]
    for command in ("who", "schedule", "fairness"):
        assert run(sample_org, command, "--now", NOW).stderr.splitlines() == summary
    validate = run(sample_org, "validate", "--now", NOW)
    assert sum("runbook is stale" in line for line in validate.stderr.splitlines()) == 14
