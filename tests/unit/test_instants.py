"""Instants are instants: local times in the input are read once, in their zone, as
absolute times, and every duration Rota reports is the difference of absolute times,
across a change of the clocks too. Every number below is worked out by hand.

America/New_York, the zone of the organisation below:
- 2026-11-01, autumn: 02:00 EDT (UTC-4) → 01:00 EST (UTC-5); 01:00–01:59 happen twice.
- 2027-03-14, spring: 02:00 EST (UTC-5) → 03:00 EDT (UTC-4); 02:00–02:59 never happen.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.pipeline import horizon_schedule, load_org
from generator.render.site import render_site
from generator.reports.incidents import compute_stats, incident_json
from generator.reports.pay import compute_pay
from generator.timeutil import LocalTimeError, read_local, zone
from tests.conftest import write_org

NEW_YORK = zone("America/New_York")
NOW = "2027-04-01T12:00:00Z"
NOW_AT = datetime(2027, 4, 1, 12, tzinfo=UTC)

ORG = """
settings:
  organisation: Example
  timezone: America/New_York
  history: 26w
people:
  - {id: ann, name: Ann, timezone: America/New_York, holidays: US-NY, pay_policy: callout}
  - {id: bob, name: Bob, timezone: America/New_York, holidays: US-NY, pay_policy: callout}
  - id: cat
    name: Cat
    timezone: America/New_York
    leave:
      - {from: 2026-11-01, to: 2026-11-01, note: Sunday off}
      - {from: "2026-10-30 22:00", to: "2026-10-31 06:00", note: Night off}
      - {from: "2027-03-13 22:00", to: "2027-03-14 06:00", note: Short night off}
teams:
  - id: web
    name: Web
    timezone: America/New_York
    rotations:
      - id: primary
        members: [ann, bob]
        start: "2026-01-05 09:00"
        shift: 1w
overrides:
  # 21:00 EDT = 01:00Z to 09:00 EST = 14:00Z: 13 hours, 12 on the wall clock
  - {team: web, rotation: primary, from: "2026-10-31 21:00", to: "2026-11-01 09:00",
     person: bob, note: covers the long night}
severities:
  - {id: SEV-1, name: Critical, description: Down}
incidents:
  # 00:30 EDT = 04:30Z to 03:30 EST = 08:30Z: 4 h (3 h on the wall clock)
  - {id: INC-1, title: Autumn outage, severity: SEV-1, team: web,
     started: "2026-11-01 00:30", resolved: "2026-11-01 03:30", responders: [ann]}
  # the repeated hour, written with offsets: 01:30 EDT = 05:30Z to 01:20 EST = 06:20Z:
  # 50 min (a wall clock goes backwards)
  - {id: INC-2, title: Twice the hour, severity: SEV-1, team: web,
     started: "2026-11-01T01:30-04:00", acknowledged: "2026-11-01T01:05-05:00",
     resolved: "2026-11-01T01:20-05:00", responders: [ann]}
  # 01:50 EST = 06:50Z to 03:00 EDT = 07:00Z: 10 min (70 min on the wall clock);
  # acknowledged 01:55 EST = 06:55Z: 5 min
  - {id: INC-3, title: Spring blip, severity: SEV-1, team: web,
     started: "2027-03-14 01:50", acknowledged: "2027-03-14 01:55",
     resolved: "2027-03-14 03:00", responders: [ann]}
pay:
  currency: USD
  default_policy: callout
  policies:
    callout:
      callout: {rate: 35.00, minimum: 1h, round_up: 15m}
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_org(tmp_path_factory.mktemp("org"), ORG)


@pytest.fixture(scope="module")
def loaded(root: Path):  # type: ignore[no-untyped-def]
    return load_org(root, NOW_AT)


def incident(loaded, ident: str):  # type: ignore[no-untyped-def]
    return next(i for i in loaded.org.incidents if i.id == ident)


# -- reading local times ---------------------------------------------------------------


def test_local_time_in_the_spring_gap_is_an_error_naming_the_gap() -> None:
    with pytest.raises(LocalTimeError) as exc:
        read_local(datetime(2027, 3, 14, 2, 30), NEW_YORK, "America/New_York")
    assert str(exc.value) == (
        "2027-03-14 02:30 does not exist in America/New_York: clocks go from 02:00 to 03:00; "
        "write 01:30 or 03:30, or an offset"
    )


def test_local_time_in_the_autumn_fold_is_an_error_naming_both_readings() -> None:
    with pytest.raises(LocalTimeError) as exc:
        read_local(datetime(2026, 11, 1, 1, 30), NEW_YORK, "America/New_York")
    assert str(exc.value) == (
        "2026-11-01 01:30 happens twice in America/New_York: write "
        "2026-11-01T01:30-04:00 (EDT) or 2026-11-01T01:30-05:00 (EST)"
    )


def test_half_hour_gap_of_lord_howe_is_named_exactly() -> None:
    # Australia/Lord_Howe, 2026-10-04: 02:00 (+10:30) → 02:30 (+11:00)
    with pytest.raises(LocalTimeError) as exc:
        read_local(datetime(2026, 10, 4, 2, 10), zone("Australia/Lord_Howe"))
    assert str(exc.value) == (
        "2026-10-04 02:10 does not exist in Australia/Lord_Howe: clocks go from 02:00 to "
        "02:30; write 01:40 or 02:40, or an offset"
    )


def test_a_local_time_outside_any_change_is_read_as_utc() -> None:
    # 00:30 EDT on the autumn night is before the repeated hour: 04:30Z
    assert read_local(datetime(2026, 11, 1, 0, 30), NEW_YORK) == datetime(
        2026, 11, 1, 4, 30, tzinfo=UTC
    )


# -- incidents: time to resolve and to acknowledge ---------------------------------------


def test_incident_across_autumn_change_lasts_four_hours(loaded) -> None:  # type: ignore[no-untyped-def]
    inc = incident(loaded, "INC-1")
    assert inc.started_at == datetime(2026, 11, 1, 4, 30, tzinfo=UTC)
    assert inc.resolved_at == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    doc = incident_json(inc)
    assert doc["ttr_s"] == 14400  # 4 h, not 10800
    assert (doc["started"], doc["resolved"]) == (
        "2026-11-01T04:30:00+00:00",
        "2026-11-01T08:30:00+00:00",
    )


def test_incident_in_the_repeated_hour_with_offsets_is_accepted(loaded) -> None:  # type: ignore[no-untyped-def]
    doc = incident_json(incident(loaded, "INC-2"))
    # 05:30Z → 06:05Z acknowledged (35 min = 2100 s) → 06:20Z resolved (50 min = 3000 s)
    assert (doc["tta_s"], doc["ttr_s"]) == (2100, 3000)


def test_incident_over_spring_gap_lasts_ten_minutes(loaded) -> None:  # type: ignore[no-untyped-def]
    doc = incident_json(incident(loaded, "INC-3"))
    assert (doc["tta_s"], doc["ttr_s"]) == (300, 600)  # not 4200


def test_mtta_and_mttr_are_real_elapsed_time(loaded) -> None:  # type: ignore[no-untyped-def]
    stats = compute_stats(loaded.org.incidents)
    # TTR 14400, 3000, 600: median 3000, mean 18000 / 3 = 6000, p95 = 3rd of 3 = 14400
    assert (stats.mttr_median_s, stats.mttr_mean_s, stats.mttr_p95_s) == (3000, 6000, 14400)
    # TTA 2100 and 300: median 1200, mean 1200, p95 = 2nd of 2 = 2100
    assert (stats.mtta_median_s, stats.mtta_mean_s, stats.mtta_p95_s) == (1200, 1200, 2100)


def test_incident_pages_show_real_durations(root: Path, tmp_path: Path) -> None:
    org_root = tmp_path / "org"
    shutil.copytree(root, org_root)
    runner = CliRunner()
    made = runner.invoke(cli, ["--root", str(org_root), "postmortem", "new", "INC-1", "--now", NOW])
    assert made.exit_code == 0, made.output
    loaded = load_org(org_root, NOW_AT)
    pages = render_site(loaded.org, horizon_schedule(loaded.org, NOW_AT), NOW_AT)
    postmortem = str(pages["postmortems/inc-1/index.md"])
    assert "<dt>Duration</dt><dd>4h</dd>" in postmortem  # not 3h
    # the times read on the team's clock, either side of the change
    assert ">Sun 01 Nov 2026 00:30 EDT</time>" in postmortem
    assert ">Sun 01 Nov 2026 03:30 EST</time>" in postmortem
    rows = {  # by the text of the first cell
        re.sub(r"<[^>]+>", "", line.split("</td>")[0]): line
        for line in str(pages["incidents/index.md"]).splitlines()
        if line.startswith("<tr") and "<td>" in line
    }
    # per incident: TTA then TTR
    assert "<td>–</td><td>4h</td>" in rows["INC&#45;1"]
    assert "<td>35m</td><td>50m</td>" in rows["INC&#45;2"]
    assert "<td>5m</td><td>10m</td>" in rows["INC&#45;3"]
    # all: MTTA 20m median, 35m p95, 20m mean; MTTR 50m, 4h, 1h 40m (as computed above);
    # then MTTD and time to mitigate, median and p95: no incident records them
    nothing = "<td>–</td>" * 4
    assert rows["All"].endswith(
        "<td>20m</td><td>35m</td><td>20m</td><td>50m</td><td>4h</td><td>1h 40m</td>"
        + nothing
        + "</tr>"
    )
    # November: TTR 14400 and 3000, median and mean 8700 s = 2h 25m, p95 4h
    assert rows["2026&#45;11"].endswith(
        "<td>2h 25m</td><td>4h</td><td>2h 25m</td>" + nothing + "</tr>"
    )


def test_postmortem_new_summary_says_four_hours(root: Path, tmp_path: Path) -> None:
    org_root = tmp_path / "org"
    shutil.copytree(root, org_root)
    result = CliRunner().invoke(
        cli, ["--root", str(org_root), "postmortem", "new", "INC-1", "--now", NOW]
    )
    assert result.exit_code == 0, result.output
    text = (org_root / "postmortems" / "INC-1.md").read_text(encoding="utf-8")
    # in the team's zone (New York), labelled either side of the change
    assert (
        "Autumn outage. A SEV-1 (Critical) incident of Web, from 2026-11-01 00:30 EDT to "
        "2026-11-01 03:30 EST (4h)." in text
    )


# -- call-out pay ----------------------------------------------------------------------


def test_callout_pay_counts_real_hours_across_both_changes(loaded) -> None:  # type: ignore[no-untyped-def]
    org = loaded.org
    start = datetime(2026, 10, 1, 4, tzinfo=UTC)
    end = datetime(2027, 4, 1, 4, tzinfo=UTC)
    report = compute_pay(org, horizon_schedule(org, NOW_AT), start, end)
    (ann,) = [p for p in report.people if p.person == "ann"]
    callouts = {c.incident: c for m in ann.months for c in m.callouts}
    # rate 35.00 an hour, at least 1h, rounded up to 15m:
    # INC-1 4 h → 4h paid → 4 × 35.00 = 140.00 (on the wall clock: 3 h, 105.00)
    assert (callouts["INC-1"].length, callouts["INC-1"].paid_length) == (
        timedelta(hours=4),
        timedelta(hours=4),
    )
    assert callouts["INC-1"].amount == Decimal("140.00")
    # INC-2 50 min → the 1h minimum → 35.00
    assert callouts["INC-2"].paid_length == timedelta(hours=1)
    assert callouts["INC-2"].amount == Decimal("35.00")
    # INC-3 10 min → the 1h minimum → 35.00 (on the wall clock: 70 min → 75 min, 43.75)
    assert callouts["INC-3"].length == timedelta(minutes=10)
    assert callouts["INC-3"].amount == Decimal("35.00")


# -- leave and overrides -----------------------------------------------------------------


def test_leave_of_a_whole_day_is_that_day_in_the_persons_zone(loaded) -> None:  # type: ignore[no-untyped-def]
    night, sunday, short = loaded.org.people["cat"].leave  # in time order
    assert (night.note, sunday.note, short.note) == ("Night off", "Sunday off", "Short night off")
    # 2026-10-30 22:00 EDT = 31 Oct 02:00Z to 06:00 EDT = 10:00Z: 8 h, no change that night
    assert night.end_at - night.start_at == timedelta(hours=8)
    # Sun 2026-11-01 00:00 EDT = 04:00Z to Mon 00:00 EST = 05:00Z: the day has 25 hours
    assert (sunday.start_at, sunday.end_at) == (
        datetime(2026, 11, 1, 4, tzinfo=UTC),
        datetime(2026, 11, 2, 5, tzinfo=UTC),
    )
    assert sunday.end_at - sunday.start_at == timedelta(hours=25)


def test_leave_over_the_spring_night_is_seven_hours(loaded) -> None:  # type: ignore[no-untyped-def]
    short = loaded.org.people["cat"].leave[2]
    # 22:00 EST = 03:00Z to 06:00 EDT = 10:00Z: 7 h (8 on the wall clock)
    assert short.end_at - short.start_at == timedelta(hours=7)


def test_override_over_the_autumn_night_lasts_thirteen_hours(loaded) -> None:  # type: ignore[no-untyped-def]
    org = loaded.org
    (override,) = org.overrides
    assert override.end_at - override.start_at == timedelta(hours=13)
    sched = horizon_schedule(org, NOW_AT)
    (shift,) = [s for s in sched.shifts if s.source == "override"]
    # the person page shows a shift's length as end − start: 13 h
    assert shift.end_at - shift.start_at == timedelta(hours=13)
    # and its ends read on the team's clock: 21:00 EDT and 09:00 EST
    assert (shift.start_at.isoformat(), shift.end_at.isoformat()) == (
        "2026-10-31T21:00:00-04:00",
        "2026-11-01T09:00:00-05:00",
    )


# -- on the command line ---------------------------------------------------------------


def test_who_at_a_time_in_the_fold_is_a_usage_error_naming_both_readings(root: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--root", str(root), "who", "--at", "2026-11-01 01:30", "--now", NOW]
    )
    assert result.exit_code == 2
    assert (
        "2026-11-01 01:30 happens twice in America/New_York: write 2026-11-01T01:30-04:00 "
        "(EDT) or 2026-11-01T01:30-05:00 (EST)" in result.stderr
    )
    ok = CliRunner().invoke(
        cli, ["--root", str(root), "who", "--at", "2026-11-01T01:30-05:00", "--now", NOW]
    )
    assert ok.exit_code == 0, ok.output


def test_night_coverage_window_over_the_autumn_change_lasts_nine_hours() -> None:
    from generator.model import Coverage, Member, Rotation
    from generator.schedule.shifts import compute_slots

    nights = Rotation(
        team="web",
        id="nights",
        name="Nights",
        members=(Member("ann", None, None, 1.0),),
        start_local=datetime(2026, 10, 26, 9, 0),
        shift=timedelta(weeks=1),
        assignment="fair",
        fairness="fluid",
        min_rest=None,
        coverage=(Coverage(frozenset(range(7)), 22 * 60, 6 * 60),),
    )
    start = datetime(2026, 11, 1, 4, tzinfo=UTC)  # 00:00 EDT
    (slot,) = compute_slots(nights, "America/New_York", start, start + timedelta(hours=1))
    (window,) = [(a, b) for a, b in slot.windows if a <= start < b]
    # Sat 22:00 EDT = 02:00Z to Sun 06:00 EST = 11:00Z: 9 h (8 on the wall clock); a
    # shift's length on a person's page is end − start
    assert window[1] - window[0] == timedelta(hours=9)
