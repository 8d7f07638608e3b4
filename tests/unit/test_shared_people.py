"""People on several teams' rotations (SPEC 3, Exclusivity and Round-robin): within a
team one rotation at a time, across teams allowed (preferred against where it costs
little fairness), everywhere exclusive with ``settings.exclusive: organisation``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.pipeline import load_org
from generator.schedule.resolve import Schedule, compute_schedule
from tests.conftest import write_org

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def schedule_of(root: Path, start: datetime, end: datetime) -> Schedule:
    return compute_schedule(load_org(root, NOW).org, start, end)


def people(names: list[str], zone: str = "UTC") -> str:
    return "people:\n" + "".join(
        f"  - {{id: {n}, name: {n.title()}, timezone: {zone}}}\n" for n in names
    )


def team(tid: str, rotations: list[str], zone: str = "UTC") -> str:
    first = rotations[0].split("id: ", 1)[1].split(",", 1)[0]
    return (
        f"  - id: {tid}\n    name: {tid.title()}\n    timezone: {zone}\n    rotations:\n"
        + "".join(f"      - {{{r}}}\n" for r in rotations)
        + f"    escalation: {{levels: [{{after: 0m, notify: [{first}]}}]}}\n"
    )


# three product teams with weekly primary and secondary, and an incident-commander
# rotation made only of people who are also on those rotations
IC_ORG = (
    people(["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"])
    + "teams:\n"
    + "".join(
        team(
            t,
            [
                f'id: primary, members: [{t}1, {t}2, {t}3], start: "2026-01-05 09:00", shift: 1w',
                f'id: secondary, members: [{t}1, {t}2, {t}3], start: "2026-01-05 09:00", shift: 1w',
            ],
        )
        for t in ("a", "b", "c")
    )
    + team(
        "incident-command",
        ['id: ic, members: [a1, b1, c1, a2], start: "2026-01-05 09:00", shift: 1w'],
    )
)


def test_incident_commander_rotation_of_people_on_team_rotations_plans_every_shift(
    tmp_path: Path,
) -> None:
    root = write_org(tmp_path, IC_ORG)
    start, end = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2027, 1, 4, 9, tzinfo=UTC)
    schedule = schedule_of(root, start, end)
    assert schedule.uncovered == ()
    assert schedule.problems == ()
    ic = [s for s in schedule.shifts if s.team == "incident-command"]
    assert len(ic) == 52
    # each product team fills both rotations every week, with two different people
    for t in ("a", "b", "c"):
        for week in range(52):
            at = start + timedelta(weeks=week, hours=1)
            holders = [s.person for s in schedule.at(at) if s.team == t]
            assert len(holders) == 2 and len(set(holders)) == 2


def on_call_elsewhere(schedule: Schedule) -> int:
    """IC weeks whose commander is also on call for their own team."""
    return sum(
        1
        for s in schedule.shifts
        if s.team == "incident-command"
        and any(
            o.person == s.person and o.team != s.team
            for o in schedule.at(s.start_at + timedelta(hours=1))
        )
    )


def test_fair_assignment_prefers_a_commander_not_on_call_for_their_team(
    tmp_path: Path,
) -> None:
    root = write_org(tmp_path, IC_ORG)
    start, end = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2027, 1, 4, 9, tzinfo=UTC)
    preferred = on_call_elsewhere(schedule_of(root, start, end))
    # every rotation says it does not mind (the stricter of two settings counts)
    indifferent_org = IC_ORG.replace("shift: 1w}", "shift: 1w, on_call_elsewhere: allow}")
    assert indifferent_org.count("on_call_elsewhere: allow") == 7
    indifferent = on_call_elsewhere(schedule_of(write_org(tmp_path, indifferent_org), start, end))
    # a product team has two of its three people on call each week, so an IC member
    # is on call for their team two weeks in three: without the preference about
    # that share of IC weeks double up; with it, hardly any
    assert indifferent >= 15
    assert preferred <= indifferent // 3


def test_three_teams_sharing_two_people_each_follow_round_robin_order(tmp_path: Path) -> None:
    rotations = {
        "red": 'id: daily, members: [ann, bob], start: "2026-03-02 09:00", shift: 1d, '
        "assignment: round-robin",
        "green": 'id: daily, members: [bob, ann], start: "2026-03-02 09:00", shift: 1d, '
        "assignment: round-robin",
        "blue": 'id: weekly, members: [ann, bob], start: "2026-03-04 18:00", shift: 1w, '
        "assignment: round-robin",
    }
    root = write_org(
        tmp_path,
        people(["ann", "bob"]) + "teams:\n" + "".join(team(t, [r]) for t, r in rotations.items()),
    )
    start, end = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 6, 1, 9, tzinfo=UTC)
    schedule = schedule_of(root, start, end)
    assert schedule.uncovered == ()

    def order(t: str) -> list[str | None]:
        return [s.person for s in schedule.shifts if s.team == t and s.start_at >= start]

    red, green, blue = order("red"), order("green"), order("blue")
    assert len(red) == len(green) == 91 and len(blue) == 13
    assert red == ["ann", "bob"] * 45 + ["ann"]
    assert green == ["bob", "ann"] * 45 + ["bob"]
    assert blue == ["ann", "bob"] * 6 + ["ann"]


def test_round_robin_skips_a_member_on_another_rotation_of_the_same_team_only(
    tmp_path: Path,
) -> None:
    # ann holds the team's weekly escalation rotation in its first week, bob in its
    # second: the daily round-robin skips whoever holds it, and a skipped member
    # takes the next day they can
    root = write_org(
        tmp_path,
        people(["ann", "bob", "cy"])
        + "teams:\n"
        + team(
            "ops",
            [
                'id: daily, members: [ann, bob, cy], start: "2026-03-02 00:00", shift: 1d, '
                "assignment: round-robin",
                "id: escalation, members: [{person: ann, until: 2026-03-07}, bob, cy], "
                'start: "2026-03-01 00:00", shift: 1w, assignment: round-robin',
            ],
        ),
    )
    start = datetime(2026, 3, 2, tzinfo=UTC)
    schedule = schedule_of(root, start, start + timedelta(weeks=2))
    daily = [s.person for s in schedule.shifts if s.rotation == "daily"][:14]
    escalation = [s.person for s in schedule.shifts if s.rotation == "escalation"][:3]
    assert escalation == ["ann", "bob", "cy"]
    # to Sunday 8 March ann is on escalation: bob, cy, bob, ... (ann skipped); then
    # bob is: ann takes the first day she can, and the order goes on without bob
    assert daily[:6] == ["bob", "cy", "bob", "cy", "bob", "cy"]
    assert daily[6:13] == ["ann", "cy", "ann", "cy", "ann", "cy", "ann"]
    # cy's escalation week starts Sunday 15 March: bob is back in the order
    assert daily[13] == "bob"


# GoAlert's rotation semantics (schedule/rotation tests, America/Chicago 2017): a
# handoff keeps its wall-clock time across DST, so the spring-forward week lasts
# 167 hours and day 23; the fall-back week 169 hours and day 25; a 3-hour hourly
# shift from midnight lasts 2 hours on the spring night and 4 on the autumn night.
# Written here as three teams whose rotations share the same two people.
GOALERT_ORG = (
    people(["bob", "ben"], "America/Chicago")
    + "teams:\n"
    + team(
        "weekly",
        [
            'id: rot, members: [bob, ben], start: "2017-01-07 08:00", shift: 1w, '
            "assignment: round-robin"
        ],
        "America/Chicago",
    )
    + team(
        "daily",
        [
            'id: rot, members: [bob, ben], start: "2017-01-01 08:00", shift: 1d, '
            "assignment: round-robin"
        ],
        "America/Chicago",
    )
    + team(
        "hourly",
        [
            'id: rot, members: [ben, bob], start: "2017-01-01 00:00", shift: 3h, '
            "assignment: round-robin"
        ],
        "America/Chicago",
    )
)


def local(text: str) -> datetime:
    """A Chicago wall-clock time; in a repeated hour the first occurrence (CDT)."""
    return datetime.fromisoformat(text).replace(tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("team_id", "start", "end", "hours"),
    [
        ("weekly", "2017-06-10 08:00", "2017-06-17 08:00", 168),
        ("weekly", "2017-03-11 08:00", "2017-03-18 08:00", 167),
        ("weekly", "2017-11-04 08:00", "2017-11-11 08:00", 169),
        ("daily", "2017-06-10 08:00", "2017-06-11 08:00", 24),
        ("daily", "2017-03-11 08:00", "2017-03-12 08:00", 23),
        ("daily", "2017-11-04 08:00", "2017-11-05 08:00", 25),
        ("hourly", "2017-03-12 00:00", "2017-03-12 03:00", 2),
        ("hourly", "2017-11-05 00:00", "2017-11-05 03:00", 4),
        ("hourly", "2017-06-10 06:00", "2017-06-10 09:00", 3),
    ],
)
def test_goalert_rotation_boundaries_hold_with_people_shared_across_teams(
    tmp_path: Path, team_id: str, start: str, end: str, hours: int
) -> None:
    root = write_org(tmp_path, GOALERT_ORG)
    a, b = local(start), local(end)
    schedule = schedule_of(root, a - timedelta(days=8), b + timedelta(days=8))
    shifts = [s for s in schedule.shifts if s.team == team_id]
    assert schedule.uncovered == ()
    (shift,) = [s for s in shifts if s.start_at.timestamp() == a.timestamp()]
    assert shift.end_at.timestamp() == b.timestamp()
    assert (b.timestamp() - a.timestamp()) / 3600 == hours
    # the two people alternate at every handoff, as GoAlert's participants do, in
    # every team at once
    index = shifts.index(shift)
    before, after = shifts[index - 1], shifts[index + 1]
    assert before.end_at == shift.start_at and after.start_at == shift.end_at
    assert {before.person, shift.person} == {"bob", "ben"}
    assert after.person == before.person


def test_goalert_hourly_rotation_skips_the_missing_hour_and_not_the_repeated_one(
    tmp_path: Path,
) -> None:
    # GoAlert TestRotation_EndTime_DST: a 1-hour rotation from Jan 1 2017 01:00;
    # the shift starting 01:00 on Mar 12 ends at 03:00 CDT (one real hour), the one
    # starting 01:00 CDT on Nov 5 ends at 02:00 CST (two real hours)
    text = GOALERT_ORG.replace(
        'start: "2017-01-01 00:00", shift: 3h', 'start: "2017-01-01 01:00", shift: 1h'
    )
    root = write_org(tmp_path, text)
    for day, real_hours in (("2017-03-12", 1), ("2017-11-05", 2)):
        a = local(f"{day} 01:00")
        schedule = schedule_of(root, a - timedelta(hours=4), a + timedelta(hours=4))
        # (by timestamp: PEP 495 makes an instant in a repeated hour unequal to itself
        # in another tzinfo)
        (shift,) = [
            s
            for s in schedule.shifts
            if s.team == "hourly" and s.start_at.timestamp() == a.timestamp()
        ]
        assert (shift.end_at.timestamp() - a.timestamp()) / 3600 == real_hours
        assert shift.person in ("bob", "ben")


OVERRIDE_ORG = (
    people(["ann", "bob", "cy", "dan"])
    + "teams:\n"
    + team("web", ['id: primary, members: [ann, bob], start: "2026-11-02 09:00", shift: 1w'])
    + team("db", ['id: primary, members: [bob], start: "2026-11-02 09:00", shift: 1w'])
    + team("api", ['id: primary, members: [bob, dan], start: "2026-11-02 09:00", shift: 1w'])
)


@pytest.mark.parametrize("exclusive", ["team", "organisation"])
@pytest.mark.parametrize("week", range(6))
def test_an_override_on_another_team_never_uncovers_a_shift_elsewhere(
    tmp_path: Path, exclusive: str, week: int
) -> None:
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)
    day = (start + timedelta(weeks=week, days=2)).date()
    text = OVERRIDE_ORG
    if exclusive == "organisation":
        # db's only member is bob: organisation-wide exclusivity with him on web
        # would leave db uncovered by definition, so db gets cy as well (every week
        # is then coverable: web ann, db cy, api dan, whatever the override)
        text = text.replace("members: [bob], start", "members: [bob, cy], start")
        text = text.replace("people:", "settings: {exclusive: organisation}\npeople:", 1)
    override = (
        "overrides:\n"
        f'  - {{team: web, rotation: primary, from: "{day} 09:00", '
        f'to: "{day + timedelta(days=1)} 09:00", person: bob}}\n'
    )
    root = write_org(tmp_path, text + override)
    schedule = schedule_of(root, start, start + timedelta(weeks=8))
    assert schedule.uncovered == ()
    for t in ("db", "api"):
        assert len([s for s in schedule.shifts if s.team == t]) == 8
    if exclusive == "organisation":
        # nobody is on call twice at any instant
        for s in schedule.shifts:
            for o in schedule.shifts:
                if o is not s and o.person == s.person:
                    assert not (o.start_at < s.end_at and s.start_at < o.end_at), (s, o)


def test_exclusive_must_be_team_or_organisation(tmp_path: Path) -> None:
    from generator.errors import InvalidInput

    root = write_org(tmp_path, "settings: {exclusive: everyone}\n" + OVERRIDE_ORG)
    with pytest.raises(InvalidInput) as err:
        load_org(root, NOW)
    (problem,) = err.value.diagnostics
    assert str(problem) == (
        "rotations/org.yaml:1:23: error: expected one of team, organisation, found 'everyone'"
    )


PLAN_DIGEST = """
import hashlib, json, sys
from datetime import datetime, UTC
from pathlib import Path
from generator.pipeline import horizon_schedule, load_org
now = datetime(2026, 11, 27, 12, tzinfo=UTC)
s = horizon_schedule(load_org(Path(sys.argv[1]), now).org, now)
print(hashlib.sha256(json.dumps([x.as_json() for x in s.shifts]).encode()).hexdigest())
"""


def test_shared_people_plan_alike_in_one_process_or_several(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    # the incident-command component and two teams that share nobody with it
    extra = people(["x1", "x2", "y1", "y2"]).replace("people:\n", "")
    text = IC_ORG.replace("teams:\n", extra + "teams:\n", 1)
    for t in ("x", "y"):
        text += team(
            t, [f'id: primary, members: [{t}1, {t}2], start: "2026-01-05 09:00", shift: 1d']
        )
    root = write_org(tmp_path, text)
    digests = []
    for jobs in ("1", "3"):
        env = {**os.environ, "ROTA_JOBS": jobs, "ROTA_CACHE_DIR": ""}
        out = subprocess.run(
            [sys.executable, "-c", PLAN_DIGEST, str(root)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        digests.append(out.stdout.strip())
    assert digests[0] == digests[1] and len(digests[0]) == 64


def test_who_agrees_with_the_full_schedule_for_shared_people(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from generator.cli import cli

    root = write_org(tmp_path, IC_ORG)
    full = schedule_of(root, NOW - timedelta(weeks=13), NOW + timedelta(weeks=26))
    for week in (-10, 0, 5, 20):
        at = NOW + timedelta(weeks=week, hours=3)
        result = CliRunner().invoke(
            cli,
            [
                "--root",
                str(root),
                "who",
                "--at",
                at.isoformat(),
                "--format",
                "json",
                "--now",
                NOW.isoformat(),
            ],
        )
        got = [(e["team"], e["rotation"], e["person"]) for e in json.loads(result.stdout)["oncall"]]
        assert got == [(s.team, s.rotation, s.person) for s in full.at(at)]
