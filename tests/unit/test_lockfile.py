"""The lock file: written by `rota plan`, read back, never moved by later edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from generator.errors import Diagnostics
from generator.load.yamlload import parse_yaml
from generator.lockfile import parse_lock, plan_lock, render_lock
from generator.model import Lock, LockedShift
from generator.schedule.resolve import compute_schedule
from tests.unit.test_assign import START, WEEK, make_org

HOUR = timedelta(hours=1)

TEXT = """\
# Written by `rota plan`. Do not edit by hand: add an override instead.
# shifts: published and locked; tentative: the current plan beyond 'until'.
version: 1
rotations:
  team/primary:
    until: "2027-03-15T00:00:00+00:00"
    shifts:
      - {start: "2027-03-01T00:00:00+00:00", end: "2027-03-08T00:00:00+00:00", person: ann}
      - {start: "2027-03-08T00:00:00+00:00", end: "2027-03-15T00:00:00+00:00", person: bob}
    tentative:
      - {start: "2027-03-15T00:00:00+00:00", end: "2027-03-22T00:00:00+00:00", person: cat}
"""


def shift(k: int, person: str) -> LockedShift:
    return LockedShift("team", "primary", START + k * WEEK, START + (k + 1) * WEEK, person)


def test_lock_file_text_is_one_line_per_shift_in_a_stable_order() -> None:
    # given out of order, written sorted by rotation and start
    text = render_lock(
        {"team/primary": START + 2 * WEEK}, [shift(1, "bob"), shift(0, "ann")], [shift(2, "cat")]
    )
    assert text == TEXT


def test_lock_file_reads_back_what_was_written() -> None:
    org = make_org({"ann": 1, "bob": 1, "cat": 1})
    diags = Diagnostics()
    lock = parse_lock(
        ("rotations/assignments.lock.yaml", parse_yaml(TEXT, "lock", diags)),
        org.teams,
        org.people,
        diags,
    )
    assert not diags.items
    assert lock.until_at == {"team/primary": START + 2 * WEEK}
    assert [(s.start_at, s.person) for s in lock.shifts] == [
        (START, "ann"),
        (START + WEEK, "bob"),
    ]
    assert [(s.start_at, s.person) for s in lock.tentative] == [(START + 2 * WEEK, "cat")]


def test_plan_locks_whole_shifts_and_moves_until_to_the_last_handoff() -> None:
    org = make_org({"ann": 1, "bob": 1, "cat": 1})
    schedule = compute_schedule(org, START, START + 8 * WEEK)
    # --until on Wednesday of week 3: that week is locked whole, until becomes its end
    until, locked, tentative, unassigned = plan_lock(
        org.lock,
        schedule.slots,
        schedule.picks,
        START,
        START + 2 * WEEK + timedelta(days=2),
        START + 8 * WEEK,
    )
    assert until == {"team/primary": START + 3 * WEEK}
    assert [s.start_at for s in locked] == [START, START + WEEK, START + 2 * WEEK]
    assert [s.start_at for s in tentative] == [START + k * WEEK for k in range(3, 8)]
    assert unassigned == []


def test_plan_keeps_existing_locked_shifts_verbatim_and_adds_after_them() -> None:
    org = make_org({"ann": 1, "bob": 1, "cat": 1})
    # an earlier plan gave ann the first two weeks (say, a swap agreed before)
    old = Lock({"team/primary": START + 2 * WEEK}, (shift(0, "ann"), shift(1, "ann")), ())
    org = replace(org, lock=old)
    schedule = compute_schedule(org, START, START + 8 * WEEK)
    until, locked, _, _ = plan_lock(
        org.lock, schedule.slots, schedule.picks, START, START + 4 * WEEK, START + 8 * WEEK
    )
    assert locked[:2] == [shift(0, "ann"), shift(1, "ann")]
    assert [s.start_at for s in locked[2:]] == [START + 2 * WEEK, START + 3 * WEEK]
    # ann is 2 weeks in with a target of 4/3: weeks 3 and 4 go to the others
    assert {s.person for s in locked[2:]} == {"bob", "cat"}
    assert until == {"team/primary": START + 4 * WEEK}


def test_locked_shifts_stay_when_the_rotation_is_edited_afterwards() -> None:
    org = make_org({"ann": 1, "bob": 1, "cat": 1})
    lock = Lock({"team/primary": START + 2 * WEEK}, (shift(0, "bob"), shift(1, "cat")), ())
    org = replace(org, lock=lock)
    team = org.teams["team"]
    # the team switches to daily shifts starting at 09:00 after the plan was published
    daily = replace(
        team.rotations[0], shift=timedelta(days=1), start_local=datetime(2027, 3, 1, 9, 0)
    )
    edited = replace(org, teams={"team": replace(team, rotations=(daily,))})
    schedule = compute_schedule(edited, START, START + 4 * WEEK)
    shifts = [s for s in schedule.shifts if s.start_at < START + 2 * WEEK]
    assert [(s.start_at, s.end_at, s.person, s.source) for s in shifts] == [
        (START, START + WEEK, "bob", "lock"),
        (START + WEEK, START + 2 * WEEK, "cat", "lock"),
    ]
    # after until, daily shifts; the first is cut to begin exactly at until (00:00,
    # not the 09:00 handoff), so there is neither a gap nor an overlap
    after = [s for s in schedule.shifts if s.start_at >= START + 2 * WEEK]
    assert after[0].start_at == START + 2 * WEEK
    assert after[0].end_at == datetime(2027, 3, 15, 9, tzinfo=UTC)
    assert after[1].end_at - after[1].start_at == timedelta(days=1)


def _both_ways(text: str, people: tuple[str, ...] = ("ann", "bob", "cat")) -> tuple[Lock, ...]:
    """The lock read line by line (as `rota` reads its own file) and read as YAML,
    with the diagnostics of each as printed."""
    org = make_org(dict.fromkeys(people, 1.0))
    path = "rotations/assignments.lock.yaml"
    fast_diags, yaml_diags = Diagnostics(), Diagnostics()
    fast = parse_lock((path, text), org.teams, org.people, fast_diags)
    slow = parse_lock((path, parse_yaml(text, path, yaml_diags)), org.teams, org.people, yaml_diags)
    assert [str(d) for d in fast_diags.sorted()] == [str(d) for d in yaml_diags.sorted()]
    assert fast == slow
    return fast, slow


def test_the_written_form_reads_the_same_line_by_line_as_yaml() -> None:
    fast, _ = _both_ways(TEXT)
    assert [s.person for s in fast.shifts] == ["ann", "bob"]
    # where a locked shift stands, for conflicts: the line and the column of '{'
    assert [str(s.source) for s in fast.shifts] == [
        "rotations/assignments.lock.yaml:8:9",
        "rotations/assignments.lock.yaml:9:9",
    ]


def test_mistakes_in_the_written_form_are_located_alike_either_way() -> None:
    broken = (
        TEXT.replace("person: ann}", "person: zed}")  # nobody called zed
        .replace('end: "2027-03-15T00:00:00+00:00"', 'end: "2027-03-15T00:00:00"')  # no offset
        .replace('start: "2027-03-15T00:00:00+00:00"', 'start: "2027-03-23T00:00:00+00:00"')
    )
    fast, _ = _both_ways(broken)
    org = make_org({"ann": 1, "bob": 1, "cat": 1})
    diags = Diagnostics()
    parse_lock(("rotations/assignments.lock.yaml", broken), org.teams, org.people, diags)
    # columns counted by hand on the lines of TEXT: the value, or its opening quote
    assert [str(d) for d in diags.sorted()] == [
        "rotations/assignments.lock.yaml:8:88: error: no person 'zed' in lock file",
        "rotations/assignments.lock.yaml:9:51: error: expected an ISO 8601 instant with "
        "offset, found '2027-03-15T00:00:00'",
        "rotations/assignments.lock.yaml:11:51: error: locked shift ends before it starts "
        "(the lock file is written by 'rota plan'; restore it from git and re-run plan)",
    ]
    assert fast.shifts == () and fast.tentative == ()


def test_a_hand_edited_lock_file_falls_back_to_yaml() -> None:
    edited = TEXT.replace("    shifts:\n", "    # swapped with bob, see #412\n    shifts:\n", 1)
    edited = edited.replace("person: bob}", "person: 'bob'}")  # another quoting style
    fast, _ = _both_ways(edited.replace("{start:", "{ start:"))
    assert [s.person for s in fast.shifts] == ["ann", "bob"]


def test_person_ids_yaml_would_read_as_numbers_or_null_are_quoted() -> None:
    ids = ("123", "null", "true", "7-ops")
    shifts = [shift(k, p) for k, p in enumerate(ids)]
    text = render_lock({"team/primary": START + 4 * WEEK}, shifts, [])
    assert 'person: "123"}' in text and 'person: "null"}' in text and "person: 7-ops}" in text
    fast, _ = _both_ways(text, ids)
    assert [s.person for s in fast.shifts] == list(ids)


def test_a_long_lock_file_is_not_mistaken_for_an_alias_bomb() -> None:
    # 45,000 shifts (about 900 people on 200 rotations for a year) hold over 200,000
    # values: the limit grows with the file's length, only aliases can outgrow it
    people = ("ann", "bob", "cat")
    shifts = [
        LockedShift("team", "primary", START + k * HOUR, START + (k + 1) * HOUR, people[k % 3])
        for k in range(45_000)
    ]
    text = render_lock({"team/primary": START + 45_000 * HOUR}, shifts, [])
    fast, _ = _both_ways(text, people)
    assert len(fast.shifts) == 45_000
