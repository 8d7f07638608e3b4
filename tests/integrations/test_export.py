"""`rota export`: the window's shifts as each paging tool's request bodies.

The organisation (org/) is a weekly round-robin rotation [alice, bob, carol] and a
Mon-Fri 09:00-17:00 one [bob, carol], both from Mon 2026-01-05 09:00 New York. The
window Mon 03-02 09:00 EST → Mon 03-16 09:00 EDT holds weeks 8 and 9 (by hand:
primary 8 mod 3 = 2 carol then alice; business 8 mod 2 = 0 bob then carol), across the
DST change of Sun 03-08: carol's week runs 14:00Z → 13:00Z (167 hours). The golden files
under golden/ were checked against these facts line by line.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from generator.cli import cli
from generator.integrations.common import ExportRefused, assignments

HERE = Path(__file__).parent
ORG = HERE / "org"
GOLDEN = HERE / "golden"
PD_USERS = str(HERE / "fixtures" / "pagerduty-v2" / "users.json")
GOALERT_USERS = str(HERE / "fixtures" / "goalert" / "users.json")
WINDOW = [
    "--from",
    "2026-03-02T09:00:00-05:00",
    "--to",
    "2026-03-16T09:00:00-04:00",
    "--now",
    "2026-03-01T12:00:00Z",
]
PD_SCHEMA = json.loads((HERE / "schemas" / "pagerduty-create-overrides.json").read_text())
PD_V3_SCHEMA = json.loads((HERE / "schemas" / "pagerduty-v3-create-overrides.json").read_text())


def run(root: Path, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["--root", str(root), *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def check_golden(request: pytest.FixtureRequest, name: str, text: str) -> None:
    path = GOLDEN / name
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from the reviewed golden file"


def validate_pagerduty(body: Any) -> None:
    jsonschema.validate(body, PD_SCHEMA)
    for o in body["overrides"]:
        assert datetime.fromisoformat(o["start"]) < datetime.fromisoformat(o["end"])


CASES = {
    "pagerduty.json": ["pagerduty", "--users", PD_USERS],
    "pagerduty-primary.json": [
        "pagerduty", "--users", PD_USERS, "--team", "checkout", "--rotation", "primary",
    ],
    "pagerduty-v3.json": [
        "pagerduty", "--users", PD_USERS, "--team", "checkout", "--rotation", "primary",
        "--v3-rotation", "PROT001",
    ],
    "goalert.json": [
        "goalert", "--users", GOALERT_USERS, "--team", "checkout", "--rotation", "business",
        "--schedule", "b1d2e3f4-0000-4000-8000-000000000001",
    ],
    "opsgenie.json": [
        "opsgenie", "--team", "checkout", "--rotation", "primary", "--tool-rotation", "Primary",
    ],
    "incident-io.json": [
        "incident-io", "--team", "checkout", "--rotation", "primary",
        "--schedule", "01G0J1EXE7AXZ2C93K61WBPYEH", "--tool-rotation",
        "01G0J1EXE7AXZ2C93K61WBPYNH", "--layer", "01G0J1EXE7AXZ2C93K61WBPYLR",
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_bodies_match_the_reviewed_golden_files(
    request: pytest.FixtureRequest, name: str
) -> None:
    result = run(ORG, "export", *CASES[name], *WINDOW)
    check_golden(request, name, result.stdout)
    doc = json.loads(result.stdout)
    if name == "pagerduty.json":
        assert sorted(doc) == ["checkout/business", "checkout/primary"]
        for body in doc.values():
            validate_pagerduty(body)
    elif name == "pagerduty-primary.json":
        validate_pagerduty(doc)
    elif name == "pagerduty-v3.json":
        jsonschema.validate(doc, PD_V3_SCHEMA)


def test_weekday_windows_are_one_override_each_and_dst_moves_them_in_utc() -> None:
    doc = json.loads(run(ORG, "export", "pagerduty", "--users", PD_USERS, *WINDOW).stdout)
    business = doc["checkout/business"]["overrides"]
    assert len(business) == 10
    assert (business[0]["start"], business[0]["end"]) == (
        "2026-03-02T14:00:00Z",
        "2026-03-02T22:00:00Z",
    )
    assert (business[5]["start"], business[5]["user"]["id"]) == ("2026-03-09T13:00:00Z", "PC3D4E5")


def test_out_dir_writes_one_file_per_rotation(tmp_path: Path) -> None:
    result = run(
        ORG, "export", "pagerduty", "--users", PD_USERS, *WINDOW, "--out-dir", str(tmp_path)
    )
    # a folder per team: unique whatever the slugs (team a-b rotation c, team a rotation b-c)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")) == [
        "checkout/business.json",
        "checkout/primary.json",
    ]
    assert result.stdout.count("wrote ") == 2
    validate_pagerduty(json.loads((tmp_path / "checkout" / "primary.json").read_text()))


def test_an_unmatched_person_stops_the_export_with_everyone_listed(tmp_path: Path) -> None:
    users = json.loads(Path(PD_USERS).read_text())
    users["users"] = [u for u in users["users"] if u["name"] not in ("Alice Ng", "Carol Diaz")]
    (tmp_path / "users.json").write_text(json.dumps(users))
    result = run(
        ORG, "export", "pagerduty", "--users", str(tmp_path / "users.json"), *WINDOW, code=1
    )
    assert result.stdout == ""
    assert result.stderr.splitlines()[-3:] == [
        "rota: error: alice <ALICE.NG@example.com> matches no user of the tool",
        "rota: error: carol <Carol.Diaz@Example.com> matches no user of the tool",
        "rota: nothing exported",
    ]


def test_pagerduty_export_without_users_is_refused() -> None:
    result = run(ORG, "export", "pagerduty", *WINDOW, code=1)
    assert "rota: error: pagerduty names users by id: give --users FILE" in result.stderr


class _Shift:
    def __init__(self, person: str | None, start: str, end: str, source: str = "round-robin"):
        self.team, self.rotation, self.person, self.source = "checkout", "primary", person, source
        self.start_at = datetime.fromisoformat(start)
        self.end_at = datetime.fromisoformat(end)


EMAILS: dict[str, str | None] = {"alice": "alice@example.com", "bob": "BOB@example.com"}
USERS = {"alice@example.com": "PALICE", "bob@example.com": "PBOB"}


def test_an_uncovered_shift_goes_to_the_fallback() -> None:
    shifts = [
        _Shift("alice", "2026-03-02T09:00:00-05:00", "2026-03-09T09:00:00-04:00"),
        _Shift(None, "2026-03-09T09:00:00-04:00", "2026-03-10T09:00:00-04:00", "uncovered"),
    ]
    got = assignments(shifts, EMAILS, USERS, fallback="bob")
    assert [(a.person, a.user) for a in got] == [("alice", "PALICE"), ("bob", "PBOB")]
    assert got[1].start_at == datetime.fromisoformat("2026-03-09T13:00:00+00:00")


def test_an_uncovered_shift_without_fallback_stops_with_its_time() -> None:
    shifts = [
        _Shift("alice", "2026-03-02T09:00:00-05:00", "2026-03-09T09:00:00-04:00"),
        _Shift(None, "2026-03-09T09:00:00-04:00", "2026-03-10T09:00:00-04:00", "uncovered"),
    ]
    with pytest.raises(ExportRefused) as refused:
        assignments(shifts, EMAILS, USERS, fallback=None)
    assert refused.value.problems == [
        "checkout/primary from 2026-03-09T09:00:00-04:00 to 2026-03-10T09:00:00-04:00 has "
        "nobody on call: give --fallback PERSON, or cover it with an override"
    ]


def test_fallback_must_be_a_person_of_the_organisation() -> None:
    result = run(ORG, "export", "opsgenie", "--fallback", "alcie", *WINDOW, code=2)
    assert "no person 'alcie' (did you mean 'alice'?)" in result.output


def test_to_may_be_given_as_a_length_after_now() -> None:
    # now + 14d is 2026-03-15T12:00Z: the same two weeks overlap the window
    args = ["export", *CASES["opsgenie.json"], "--from", "2026-03-02T09:00:00-05:00"]
    result = run(ORG, *args, "--to", "+14d", "--now", "2026-03-01T12:00:00Z")
    assert result.stdout == (GOLDEN / "opsgenie.json").read_text()


def test_a_schedule_holds_one_rotation() -> None:
    args = ["export", "pagerduty", "--users", PD_USERS, "--schedule", "PX", *WINDOW]
    result = run(ORG, *args, code=2)
    assert "a --schedule holds one rotation: choose it with --team and --rotation" in result.output


def test_the_vendored_schemas_reject_what_pagerduty_would() -> None:
    bad_user = {"start": "2026-03-02T14:00:00Z", "end": "2026-03-09T13:00:00Z", "user": {}}
    with pytest.raises(jsonschema.ValidationError, match="'type' is a required property"):
        jsonschema.validate({"overrides": [bad_user]}, PD_SCHEMA)
    with pytest.raises(jsonschema.ValidationError, match="'overriding_member' is a required"):
        jsonschema.validate(
            {
                "overrides": [
                    {
                        "type": "override_shift",
                        "start_time": "2026-03-02T14:00:00Z",
                        "end_time": "2026-03-09T13:00:00Z",
                        "overridden_member": {"type": "empty_member"},
                    }
                ]
            },
            PD_V3_SCHEMA,
        )


def daily_org(root: Path) -> Path:
    """The test organisation with checkout/primary handed over every day at 09:00."""
    import shutil

    shutil.copytree(ORG, root / "org")
    path = root / "org" / "rotations" / "org.yaml"
    path.write_text(path.read_text().replace("shift: 1w", "shift: 1d", 1))
    return root / "org"


# Mon 2026-01-05 09:00 → Sun 2026-07-05 09:00 New York: 27 + 28 + 31 + 30 + 31 + 30 + 4
# = 181 daily shifts; the 151st starts Thu 2026-06-04 09:00 EDT = 13:00Z
HALF_YEAR = ["--from", "2026-01-05T09:00:00-05:00", "--to", "2026-07-05T09:00:00-04:00"]
DAILY_GOALERT = [
    "goalert", "--users", GOALERT_USERS, "--team", "checkout", "--rotation", "primary",
    "--schedule", "S1", *HALF_YEAR, "--now", "2026-01-01T12:00:00Z",
]  # fmt: skip


def test_goalert_over_150_shifts_is_consecutive_mutations_of_150_at_most(tmp_path: Path) -> None:
    doc = json.loads(run(daily_org(tmp_path), "export", *DAILY_GOALERT).stdout)
    assert isinstance(doc, list)
    inputs = [body["variables"]["input"] for body in doc]
    assert [len(i["shifts"]) for i in inputs] == [150, 31]
    assert [(i["start"], i["end"]) for i in inputs] == [
        ("2026-01-05T14:00:00Z", "2026-06-04T13:00:00Z"),
        ("2026-06-04T13:00:00Z", "2026-07-05T13:00:00Z"),
    ]  # they touch at the 151st shift's start and do not overlap
    every = []
    for i in inputs:
        assert i["scheduleID"] == "S1"
        for s in i["shifts"]:
            assert i["start"] <= s["start"] < s["end"] <= i["end"]  # same format: text order
            every.append((s["start"], s["end"], s["userID"]))
    assert len(every) == len(set(every)) == 181  # each shift in exactly one mutation, whole
    # together they cover the window without a gap: each shift ends where the next starts
    assert every[0][0] == "2026-01-05T14:00:00Z" and every[-1][1] == "2026-07-05T13:00:00Z"
    assert all(a[1] == b[0] for a, b in itertools.pairwise(every))
    assert every[150][:2] == ("2026-06-04T13:00:00Z", "2026-06-05T13:00:00Z")


def test_goalert_at_150_shifts_or_fewer_stays_one_mutation(tmp_path: Path) -> None:
    # to the 151st shift's start: 150 shifts
    args = [a.replace("07-05", "06-04") for a in DAILY_GOALERT]
    doc = json.loads(run(daily_org(tmp_path), "export", *args).stdout)
    assert isinstance(doc, dict)
    assert len(doc["variables"]["input"]["shifts"]) == 150


def test_pagerduty_v3_with_no_shifts_prints_nothing_and_says_why() -> None:
    args = ["pagerduty", "--users", PD_USERS, "--team", "checkout", "--rotation", "primary"]
    args += ["--v3-rotation", "PROT001", "--from", "2025-01-01T00:00:00Z"]
    args += ["--to", "2025-02-01T00:00:00Z", "--now", "2025-01-01T00:00:00Z"]
    result = run(ORG, "export", *args)  # before the rotation starts: no shifts
    assert result.stdout == ""
    assert result.stderr == "rota: no shifts in the window: nothing to export\n"


def test_an_unknown_time_zone_is_a_usage_error_with_a_suggestion() -> None:
    result = run(
        ORG, "export", "pagerduty", "--users", PD_USERS, "--time-zone", "Europe/Pariss",
        *WINDOW, code=2,
    )  # fmt: skip
    assert "unknown time zone 'Europe/Pariss' (did you mean 'Europe/Paris'?)" in result.stderr
    assert result.stdout == ""
    result = run(
        ORG, "export", "pagerduty", "--users", PD_USERS, "--time-zone", "Not/AZone",
        *WINDOW, code=2,
    )  # fmt: skip
    assert "unknown time zone 'Not/AZone'" in result.stderr


def test_goalert_cuts_a_shift_only_where_it_overlaps_the_next_batch() -> None:
    from generator.integrations.common import Assignment
    from generator.integrations.goalert import batches

    def at(hour: int) -> datetime:
        return datetime.fromisoformat(f"2026-03-02T{hour:02d}:00:00+00:00")

    def a(user: str, start: int, end: int) -> Assignment:
        return Assignment("t", "r", user, user, user, at(start), at(end))

    # two at most: A 00-10 and B 05-15 fit; C starts at 12, so B's 12-15 moves on with it
    found = batches([a("C", 12, 20), a("A", 0, 10), a("B", 5, 15)], at(0), at(20), limit=2)
    assert [(s, e, [(x.user, x.start_at, x.end_at) for x in items]) for s, e, items in found] == [
        (at(0), at(12), [("A", at(0), at(10)), ("B", at(5), at(12))]),
        (at(12), at(20), [("B", at(12), at(15)), ("C", at(12), at(20))]),
    ]
    with pytest.raises(ExportRefused):  # three at one instant cannot be cut to two
        batches([a("A", 0, 5), a("B", 0, 5), a("C", 0, 5)], at(0), at(20), limit=2)


def test_users_saved_page_by_page_match_as_one_list(tmp_path: Path) -> None:
    """GET /users in two pages (``more: true`` on the first): given both with --users
    twice, the export is what the single list gives; with the first page only, the
    people on the second are named as unmatched (exit 1)."""
    users = json.loads(Path(PD_USERS).read_text())["users"]
    first, second = tmp_path / "p1.json", tmp_path / "p2.json"
    first.write_text(json.dumps({"users": users[:2], "limit": 2, "offset": 0, "more": True}))
    second.write_text(json.dumps({"users": users[2:], "limit": 2, "offset": 2, "more": False}))
    whole = run(ORG, "export", "pagerduty", "--users", PD_USERS, *WINDOW).stdout
    paged = run(
        ORG, "export", "pagerduty", "--users", str(first), "--users", str(second), *WINDOW
    ).stdout
    assert paged == whole
    result = run(ORG, "export", "pagerduty", "--users", str(first), *WINDOW, code=1)
    assert "matches no user of the tool" in result.stderr
