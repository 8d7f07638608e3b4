"""Rotation health (``rota health``), checked against hand-computed values.

A hand-built team, all in UTC, business hours 09:00-18:00 (the defaults), with 2027-03-02
(a Tuesday) a company holiday. Weekly primary [ann, bob, cy] and secondary [cy, ann, bob],
both round-robin from Monday 2027-03-01 09:00. The window is four weeks, 1 to 29 March
(672 h). Round-robin gives:

    week     1 (1 Mar)  2 (8 Mar)  3 (15 Mar)  4 (22 Mar)
    primary  ann        bob        cy          ann
    second.  cy         ann        bob         cy
    off      bob        cy         ann         bob

A week from Monday 09:00 to Monday 09:00 holds 45 h business, 75 h night and 48 h weekend:
Mon 09-18 business 9, 18-24 night 6; Tue, Wed, Thu: 00-09 night 9, 09-18 business 9,
18-24 night 6 (3 x 15 night, 27 business); Fri 00-09 night 9, 09-18 business 9, 18-24
night 6; Sat, Sun weekend 48; Mon 00-09 night 9. Night: 6 + 45 + 15 + 9 = 75; business
9 + 27 + 9 = 45; 45 + 75 + 48 = 168.
Week 1 with Tuesday a holiday: Tuesday's 9 night, 9 business and 6 night become 24 h
holiday: business 36, night 60, holiday 24, weekend 48.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.reports.health import (
    SRE_MAX_ON_CALL_SHARE,
    SRE_MIN_ENGINEERS_SINGLE_SITE,
    most_within,
    people_needed,
)
from tests.conftest import write_org

GOLDEN = Path(__file__).parent.parent / "golden" / "health" / "team.json"

ORG = """\
settings:
  timezone: UTC
  company_holidays: [2027-03-02]
severities:
  - {id: SEV-2, name: Major, description: Degraded for many}
  - {id: SEV-3, name: Minor, description: Degraded for some}
people:
  - {id: ann, name: Ann, timezone: UTC}
  - {id: bob, name: Bob, timezone: UTC}
  - {id: cy, name: Cy, timezone: UTC}
teams:
  - id: ops
    name: Ops
    timezone: UTC
    rotations:
      - {id: primary, name: Primary, members: [ann, bob, cy], start: "2027-03-01 09:00",
         shift: 1w, assignment: round-robin}
      - {id: secondary, name: Secondary, members: [cy, ann, bob], start: "2027-03-01 09:00",
         shift: 1w, assignment: round-robin}
    escalation: {levels: [{after: 0m, notify: [primary]}]}
incidents:
  # ann is primary in week 1: woken at 02:30 (sleep hours) and paged again at 10:00
  - {id: INC-1, title: Night page, severity: SEV-2, team: ops,
     started: "2027-03-03T02:30:00Z", resolved: "2027-03-03T03:00:00Z", responders: [ann]}
  - {id: INC-2, title: Day page, severity: SEV-3, team: ops,
     started: "2027-03-03T10:00:00Z", resolved: "2027-03-03T10:30:00Z", responders: [ann]}
"""

ARGS = ["--from", "2027-03-01T09:00:00Z", "--to", "2027-03-29T09:00:00Z"]
ARGS += ["--now", "2027-03-01T09:00:00Z"]


def health_json(root: Path, *extra: str) -> dict:
    result = CliRunner().invoke(
        cli, ["--root", str(root), "health", *ARGS, "--format", "json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def org(tmp_path: Path) -> Path:
    root = write_org(tmp_path, ORG)
    (root / "runbooks").mkdir()
    return root


def test_health_json_matches_the_reviewed_golden_file(
    org: Path, request: pytest.FixtureRequest
) -> None:
    # reviewed by hand, rotation by rotation (hours, share of 672 h, team share, run,
    # rest, night/weekend/holiday hours, x 13.04437 a year):
    # primary   ann 336 0.50 0.75 w1-w2 rest 168  135/96/24 (weeks 1, 4) 117.4/52.2/13.0
    #           bob 168 0.25 0.50 w2-w3 no rest   75/48/0 (week 2)  5 x 13.044 = 65.2, 26.1
    #           cy  168 0.25 0.75 w3-w4 rest 168 (after w1)  75/48/0 (week 3)
    # secondary cy  336 (weeks 1, 4, as ann's primary), ann 168 (w2), bob 168 (w3)
    # pages: ann's two in week 1 on primary only; sizing as in the test below
    doc = health_json(org)
    if request.config.getoption("--update-golden"):
        GOLDEN.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    assert doc == json.loads(GOLDEN.read_text())


def test_shares_runs_and_rest_are_the_hand_computed_ones(org: Path) -> None:
    (team,) = health_json(org)["teams"]
    primary, secondary = team["rotations"]
    ann = {m["person"]: m for m in primary["members"]}["ann"]
    # ann is primary in weeks 1 and 4: 336 h of 672; on call for the team in weeks
    # 1, 2 and 4: 504 / 672
    assert (ann["on_call_hours"], ann["share"], ann["team_share"]) == (336.0, 0.5, 0.75)
    # primary week 1 then secondary week 2: two periods in a row, 14 days
    assert ann["longest_run"] == {
        "periods": 2,
        "hours": 336.0,
        "start": "2027-03-01T09:00:00+00:00",
        "end": "2027-03-15T09:00:00+00:00",
        "rotations": ["primary", "secondary"],
    }
    # off in week 3 only: 168 h from 15 March
    assert ann["shortest_rest_hours"] == 168.0
    assert ann["shortest_rest_from"] == "2027-03-15T09:00:00+00:00"
    bob = {m["person"]: m for m in secondary["members"]}["bob"]
    # bob: primary week 2, secondary week 3, one run in the window: no rest to measure
    assert bob["longest_run"]["periods"] == 2
    assert bob["longest_run"]["rotations"] == ["primary", "secondary"]
    assert bob["shortest_rest_hours"] is None


def test_nights_weekends_and_holidays_are_annualised_by_class(org: Path) -> None:
    (team,) = health_json(org)["teams"]
    ann = {m["person"]: m for m in team["rotations"][0]["members"]}["ann"]
    # primary weeks 1 (holiday week: 60 night, 48 weekend, 24 holiday) and 4 (75, 48, 0)
    assert (ann["night_hours"], ann["weekend_hours"], ann["holiday_hours"]) == (135, 96, 24)
    # a year is 8765.82 h, the window 672 h: x 13.04437
    # nights: 135 / 15 (the night of a weekday) = 9 -> 117.4
    # weekend days: 96 / 24 = 4 -> 52.2; holidays: 24 / 24 = 1 -> 13.0
    assert ann["nights_per_year"] == 117.4
    assert ann["weekends_per_year"] == 52.2
    assert ann["holidays_per_year"] == 13.0


def test_pages_in_sleep_hours_count_only_the_night_page(org: Path) -> None:
    (team,) = health_json(org)["teams"]
    primary, secondary = team["rotations"]
    ann = {m["person"]: m for m in primary["members"]}["ann"]
    # 02:30 UTC is inside 22:00-08:00; 10:00 is not; 7.5 h apart: both in one 12 h
    assert (ann["pages"], ann["sleep_pages"], ann["most_pages_in_12h"]) == (2, 1, 2)
    # on the secondary rotation ann was not on call then: nothing counts there
    ann_second = {m["person"]: m for m in secondary["members"]}["ann"]
    assert (ann_second["pages"], ann_second["sleep_pages"]) == (0, 0)


def test_sizing_says_how_many_people_the_google_sre_limit_asks_for(org: Path) -> None:
    (team,) = health_json(org)["teams"]
    (sizing,) = team["sizing"]
    # 2 x 168 h a week among 3 people: 336 / 504 = 2/3; 336 / (0.25 x 168) = 8
    assert sizing["rotations"] == ["primary", "secondary"]
    assert (sizing["people"], sizing["on_call_hours_per_week"]) == (3, 336.0)
    assert sizing["share_each"] == 0.6667
    assert sizing["limits"] == [
        {"name": "google-sre", "max_on_call_share": 0.25, "people_needed": 8, "enough": False}
    ]
    assert sizing["summary"] == (
        "Ops Primary + Secondary, 3 people, 24/7 weekly: each on call 67 % of the time; "
        "google-sre asks ≤ 25 %: 8 people (5 more)"
    )


def test_the_table_shows_the_sizing_line_and_one_row_per_member(org: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--root", str(org), "health", *ARGS, "--team", "ops", "--rotation", "primary"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  SHORT Ops Primary + Secondary, 3 people, 24/7 weekly" in out
    assert "ops/primary" in out and "ops/secondary" not in out
    ann = next(line for line in out.splitlines() if line.startswith("Ann "))
    # share, team share (over 25 %), longest run, shortest rest, nights, weekend days,
    # holidays a year, sleep pages of all pages, most pages in 12 h
    cells = "Ann 50 % 75 % ! 2 (14 d) 7 d 117 52 13 1/2 2"
    assert ann.split() == cells.split()


def test_rotation_without_team_is_a_usage_error(org: Path) -> None:
    result = CliRunner().invoke(cli, ["--root", str(org), "health", "--rotation", "primary"])
    assert result.exit_code == 2
    assert "--rotation needs --team" in result.output


def test_people_needed_follows_the_share_limit() -> None:
    # the SRE book's single-site primary + secondary 24/7: 336 h a week at 25 % -> 8
    assert people_needed(2 * 168, SRE_MAX_ON_CALL_SHARE) == SRE_MIN_ENGINEERS_SINGLE_SITE
    # a rotation's own stricter rule: 20 % -> 336 / 33.6 = 10
    assert people_needed(336, 0.20) == 10
    # one 24/7 rotation at 25 %: 4; at 30 %: 168 / 50.4 = 3.33 -> 4
    assert people_needed(168, 0.25) == 4
    assert people_needed(168, 0.30) == 4
    assert people_needed(0, 0.25) == 0
    with pytest.raises(ValueError):
        people_needed(168, 0)


def test_most_within_counts_a_half_open_window() -> None:
    t = datetime(2027, 3, 3, tzinfo=UTC)
    twelve = timedelta(hours=12)
    assert most_within([], twelve) == 0
    # 0 h, 6 h, 11 h: three in 12 h; 12 h after the first is outside its window
    assert most_within([t, t + timedelta(hours=6), t + timedelta(hours=11)], twelve) == 3
    assert most_within([t, t + twelve], twelve) == 1


JOINER = """\
people:
  - {id: ann, name: Ann, timezone: UTC}
  - {id: bob, name: Bob, timezone: UTC}
  - {id: dee, name: Dee, timezone: UTC}
teams:
  - id: ops
    name: Ops
    timezone: UTC
    rotations:
      - {id: primary, name: Primary, members: [ann, bob, {person: dee, from: 2027-03-15}],
         start: "2027-03-01 09:00", shift: 1w, assignment: round-robin}
    escalation: {levels: [{after: 0m, notify: [primary]}]}
"""


def test_a_member_who_joins_later_is_measured_from_their_join_date(tmp_path: Path) -> None:
    root = write_org(tmp_path, JOINER)
    (root / "runbooks").mkdir()
    (team,) = health_json(root)["teams"]
    members = {m["person"]: m for m in team["rotations"][0]["members"]}
    # round-robin: ann (1 Mar), bob (8 Mar), dee (15 Mar, her first week), ann (22 Mar)
    dee = members["dee"]
    assert dee["on_call_hours"] == 168.0
    # a member from 15 Mar 00:00 UTC to the window's end, 29 Mar 09:00: 345 h;
    # 168 / 345 = 0.48696
    assert dee["share"] == 0.487
    # one ordinary week: 75 night hours = 5 nights, x 8765.82 / 345 = 25.408 -> 127.0;
    # 2 weekend days -> 50.8
    assert (dee["nights_per_year"], dee["weekends_per_year"]) == (127.0, 50.8)
    # ann and bob are members all four weeks (672 h): ann 336 h, bob 168 h
    assert (members["ann"]["share"], members["bob"]["share"]) == (0.5, 0.25)


def test_a_teams_own_share_rule_sizes_the_rotation_too(tmp_path: Path) -> None:
    # The same team with `rules: {max_on_call_share: 0.5}`: 336 covered hours a week over
    # people on call at most half of 168 h each needs ceil(336 / 84) = 4 people; the
    # google-sre reference (8 people) is still shown first.
    root = write_org(
        tmp_path,
        ORG.replace(
            "    timezone: UTC\n    rotations:",
            "    timezone: UTC\n    rules: {max_on_call_share: 0.5}\n    rotations:",
        ),
    )
    sizing = health_json(root)["teams"][0]["sizing"][0]
    assert [(c["name"], c["max_on_call_share"], c["people_needed"]) for c in sizing["limits"]] == [
        ("google-sre", 0.25, 8),
        ("rules (team)", 0.5, 4),
    ]
