"""The fairness report, checked against hand-computed loads and targets.

One week, Mon 2027-03-01 to Mon 03-08 (UTC), daily 00:00 handoffs, round-robin
ann, bob: ann has Mon, Wed, Fri, Sun; bob Tue, Thu, Sat. Default weights and
business hours (09:00-18:00): a weekday is 9 h x 1.0 + 15 h x 1.5 = 31.5, a weekend
day 24 h x 2.0 = 48. The week weighs 5 x 31.5 + 2 x 48 = 253.5; one shift-equivalent
is 253.5 / 7 = 36.214.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from generator.model import Incident, Leave, Lock, Member, Org, Person, Rotation, Settings, Team
from generator.reports.fairness import (
    DeviationSeries,
    FairnessReport,
    balance_score,
    compute_fairness,
    fairness_csv,
)
from generator.schedule.resolve import compute_schedule

START = datetime(2027, 3, 1, tzinfo=UTC)
END = START + timedelta(weeks=1)


def make_org(leave: tuple[Leave, ...] = (), incidents: tuple[Incident, ...] = ()) -> Org:
    people = {
        "ann": Person("ann", "Ann", None, "UTC", None, None, ()),
        "bob": Person("bob", "Bob", None, "UTC", None, None, leave),
    }
    rotation = Rotation(
        "team",
        "daily",
        "Daily",
        (Member("ann", None, None, 1.0), Member("bob", None, None, 1.0)),
        datetime(2027, 3, 1, 0, 0),
        timedelta(days=1),
        "round-robin",
        "fluid",
        None,
        (),
    )
    team = Team("team", "Team", "UTC", None, (), (rotation,), None, ())
    return Org(
        ".", Settings(), people, {"team": team}, (), (), incidents, (), None, (), Lock({}, (), ())
    )


def report_for(org: Org) -> FairnessReport:
    return compute_fairness(org, compute_schedule(org, START, END), START, END)


def test_hours_loads_and_targets_match_the_hand_computation() -> None:
    (rotation,) = report_for(make_org()).rotations
    ann, bob = rotation.members
    # ann: 3 weekdays (27 h business, 45 h night) + Sunday (24 h weekend)
    assert (ann.person, ann.shifts, ann.hours) == ("ann", 4, 96.0)
    assert (ann.weekday_hours, ann.night_hours, ann.weekend_hours) == (27.0, 45.0, 24.0)
    assert ann.load == 142.5  # 3 x 31.5 + 48
    assert (bob.shifts, bob.hours, bob.load) == (3, 72.0, 111.0)  # 2 x 31.5 + 48
    # each is available all week: target 253.5 / 2
    assert ann.target == bob.target == 126.75
    # (142.5 - 126.75) / 36.214 = 0.435
    assert (ann.deviation, bob.deviation) == (0.435, -0.435)
    assert rotation.shift_equivalent == 36.21
    assert rotation.spread == 0.87
    # Grafana's balance: the one pair, 72 h / 96 h
    assert rotation.balance_score == 0.75


def test_leave_moves_that_days_share_of_the_target_to_whoever_is_available() -> None:
    tuesday = Leave(
        datetime(2027, 3, 2, tzinfo=UTC),
        datetime(2027, 3, 3, tzinfo=UTC),
        None,
        (date(2027, 3, 2), date(2027, 3, 2)),
    )
    (rotation,) = report_for(make_org(leave=(tuesday,))).rotations
    ann, bob = rotation.members
    # Tuesday (31.5) is all ann's: 126.75 + 15.75 = 142.5 and 126.75 - 15.75 = 111
    assert (ann.target, bob.target) == (142.5, 111.0)


def test_interrupted_hours_count_the_members_incidents_inside_the_window() -> None:
    incidents = (
        # 1.5 h inside the week
        Incident(
            "INC-1",
            "a",
            "SEV-2",
            "team",
            datetime(2027, 3, 2, 10, 0, tzinfo=UTC),
            datetime(2027, 3, 2, 11, 30, tzinfo=UTC),
            ("ann",),
            None,
        ),
        # Sun 23:00 to Mon 01:00: only the hour before the window ends counts
        Incident(
            "INC-2",
            "b",
            "SEV-3",
            "team",
            datetime(2027, 3, 7, 23, 0, tzinfo=UTC),
            datetime(2027, 3, 8, 1, 0, tzinfo=UTC),
            ("ann", "bob"),
            None,
        ),
        # another team's incident is not this rotation's interruption
        Incident(
            "INC-3",
            "c",
            "SEV-3",
            "other",
            datetime(2027, 3, 3, 10, 0, tzinfo=UTC),
            datetime(2027, 3, 3, 12, 0, tzinfo=UTC),
            ("ann",),
            None,
        ),
    )
    (rotation,) = report_for(make_org(incidents=incidents)).rotations
    ann, bob = rotation.members
    assert (ann.interrupted_hours, bob.interrupted_hours) == (2.5, 1.0)


def test_window_counts_only_the_hours_inside_it() -> None:
    org = make_org()
    schedule = compute_schedule(org, START, END)
    # Mon 12:00 to Tue 12:00: ann's Monday from noon (6 h business + 6 h night = 15 load),
    # bob's Tuesday until noon (9 h night + 3 h business = 16.5 load)
    half = compute_fairness(org, schedule, START + timedelta(hours=12), START + timedelta(hours=36))
    ann, bob = half.rotations[0].members
    assert (ann.hours, ann.load, bob.hours, bob.load) == (12.0, 15.0, 12.0, 16.5)


def test_json_has_the_documented_shape_and_csv_one_row_per_member() -> None:
    report = report_for(make_org())
    doc = json.loads(json.dumps(report.as_json()))
    (rotation,) = doc["rotations"]
    assert {"team", "rotation", "spread", "balance_score", "members"} <= set(rotation)
    assert {
        "person",
        "shifts",
        "hours",
        "weekday_hours",
        "night_hours",
        "weekend_hours",
        "holiday_hours",
        "load",
        "target",
        "deviation",
        "interrupted_hours",
    } <= set(rotation["members"][0])
    lines = fairness_csv(report).splitlines()
    assert lines[0].startswith("team,rotation,person,shifts,hours,")
    assert lines[1] == "team,daily,ann,4,96.0,27.0,45.0,24.0,0.0,142.5,126.75,0.435,0.0"


def test_balance_score_is_the_mean_over_pairs_of_min_over_max() -> None:
    # pairs: 10/20 = 0.5, 10/40 = 0.25, 20/40 = 0.5: mean 1.25 / 3 = 0.417
    assert balance_score([10.0, 20.0, 40.0]) == 0.417
    assert balance_score([5.0, 5.0]) == 1.0
    assert balance_score([0.0, 0.0]) == 1.0  # nobody on call is even


def test_override_person_outside_the_rotation_is_listed_after_the_members() -> None:
    from generator.model import Override

    org = make_org()
    carol = Person("carol", "Carol", None, "UTC", None, None, ())
    cover = Override("team", "daily", START, START + timedelta(hours=6), "carol", None)
    org = replace(org, people={**org.people, "carol": carol}, overrides=(cover,))
    (rotation,) = report_for(org).rotations
    assert [m.person for m in rotation.members] == ["ann", "bob", "carol"]
    carol_row = rotation.members[2]
    # Mon 00:00-06:00 is night: 6 h x 1.5 = 9; ann keeps the other 18 h of Monday
    assert (carol_row.member, carol_row.hours, carol_row.load, carol_row.target) == (
        False,
        6.0,
        9.0,
        0.0,
    )
    assert rotation.members[0].hours == 90.0


def _paged(ident: str, team: str, day: int, hour: int, who: tuple[str, ...]) -> Incident:
    at = datetime(2027, 3, day, hour, 0, tzinfo=UTC)
    return Incident(ident, ident, "SEV-2", team, at, at + timedelta(minutes=30), who, None)


def test_interruption_weight_adds_load_to_whoever_was_paged_on_call() -> None:
    incidents = (
        _paged("INC-A", "team", 2, 10, ("bob",)),  # Tue: bob holds it
        _paged("INC-B", "team", 2, 22, ("bob",)),  # Tue night: bob again
        _paged("INC-C", "team", 3, 3, ("ann",)),  # Wed 03:00: ann holds Wed
        _paged("INC-D", "other", 3, 5, ("ann",)),  # another team's: not this rotation's
        _paged("INC-E", "team", 3, 6, ("bob",)),  # bob worked it, but ann was on call
    )
    org = make_org(incidents=incidents)
    (plain,) = report_for(org).rotations
    # weight 0 (the default): counted, but loads and targets as without incidents
    assert [(m.person, m.interruptions, m.load, m.target) for m in plain.members] == [
        ("ann", 1, 142.5, 126.75),
        ("bob", 2, 111.0, 126.75),
    ]
    weighted = replace(org, settings=replace(org.settings, interruption_weight=2.0))
    (rotation,) = report_for(weighted).rotations
    ann, bob = rotation.members
    # loads: ann 142.5 + 1 x 2 = 144.5; bob 111 + 2 x 2 = 115
    assert (ann.load, bob.load) == (144.5, 115.0)
    # each page's 2.0 is shared by the two members available that day (1.0 each), like
    # the day's own load: targets 126.75 + 3 x 1.0 = 129.75; loads and targets both sum
    # to 259.5
    assert (ann.target, bob.target) == (129.75, 129.75)
    # one shift-equivalent is still 253.5 / 7 = 36.214 (standby load):
    # ann (144.5 - 129.75) / 36.214 = +0.407, bob -0.407: bob, woken twice, is owed less
    assert (ann.deviation, bob.deviation) == (0.407, -0.407)
    assert plain.members[1].deviation == -0.435


def series_for(org: Org) -> DeviationSeries:
    from generator.reports.fairness import compute_deviation_series

    schedule = compute_schedule(org, START, END)
    return compute_deviation_series(org, schedule, START, END)["team/daily"]


def test_deviation_series_is_load_minus_target_at_every_handoff() -> None:
    # Mon-Fri weigh 31.5, Sat and Sun 48, half of each day is each one's target; ann
    # takes Mon, Wed, Fri, Sun: +15.75 after each of her weekdays, -15.75 after each of
    # bob's, -24 after his Saturday, +24 after her Sunday; one shift is 253.5 / 7.
    series = series_for(make_org())
    assert series.handoffs == tuple(START + timedelta(days=d) for d in range(8))
    assert series.unit == 36.21
    assert series.members["ann"] == (0.0, 0.435, 0.0, 0.435, 0.0, 0.435, -0.228, 0.435)
    assert series.members["bob"] == (0.0, -0.435, 0.0, -0.435, 0.0, -0.435, 0.228, -0.435)
    assert series.largest == 0.435
    # at the window's end it is the report's deviation, counted from the first handoff
    (rotation,) = report_for(make_org()).rotations
    assert [series.last(m.person) for m in rotation.members] == [
        m.deviation for m in rotation.members
    ]


def test_deviation_series_moves_overridden_hours_to_whoever_covered() -> None:
    from generator.model import Override

    org = make_org()
    carol = Person("carol", "Carol", None, "UTC", None, None, ())
    cover = Override("team", "daily", START, START + timedelta(hours=6), "carol", None)
    org = replace(org, people={**org.people, "carol": carol}, overrides=(cover,))
    series = series_for(org)
    # Monday night 00:00-06:00 (6 h x 1.5 = 9) is carol's, not ann's; carol is not a
    # member, so those hours are nobody's share: the members' targets share the other
    # 22.5, 11.25 each. After Monday ann has 31.5 - 9 - 11.25 = 11.25, carol 9 with no
    # target; one shift is still 253.5 / 7
    assert series.members["ann"][1] == round(11.25 / (253.5 / 7), 3) == 0.311
    assert series.members["carol"][1] == round(9 / (253.5 / 7), 3) == 0.249
    assert series.members["carol"][-1] == 0.249
