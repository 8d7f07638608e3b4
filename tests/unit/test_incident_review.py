"""MTTA, MTTR and interruption load against hand computations (the organisation is the
golden one in tests/golden/review/org; its docstring walks through the same numbers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.pipeline import horizon_schedule, load_org
from generator.reports.actions import compute_actions, filter_actions
from generator.reports.incidents import compute_incidents, most_in_window, nearest_rank

ORG = Path(__file__).resolve().parent.parent / "golden" / "review" / "org"
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
NOW_TEXT = "2026-04-10T12:00:00Z"


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    org = load_org(ORG, NOW).org
    sched = horizon_schedule(org, NOW)
    return compute_incidents(org, sched, NOW - timedelta(weeks=13), NOW, NOW)


def test_mttr_counts_real_time_across_midnight_and_dst(report) -> None:  # type: ignore[no-untyped-def]
    inc = next(i for i in report.incidents if i.id == "INC-1")
    # 23:30 GMT Sat 28 Mar → 03:30 BST Sun 29 Mar: the clocks went forward at 01:00 GMT,
    # so 4 h on the wall clock is 3 h = 10800 s of real time
    assert (inc.resolved_at - inc.started_at).total_seconds() == 10800


def test_mtta_leaves_out_an_incident_without_acknowledgement(report) -> None:  # type: ignore[no-untyped-def]
    s = report.overall
    assert (s.count, s.acknowledged) == (4, 3)  # INC-2 has no acknowledged
    # TTA: INC-1 23:42-23:30 = 720 s, INC-3 17:05-17:00 = 300 s, INC-4 10:20-10:00 = 1200 s
    # sorted 300, 720, 1200: median 720; p95 = ceil(0.95*3) = 3rd = 1200; mean 2220/3 = 740
    assert (s.mtta_median_s, s.mtta_p95_s, s.mtta_mean_s) == (720, 1200, 740)
    # TTR: 10800, 2700 (10:00-10:45), 3600, 3600; sorted 2700, 3600, 3600, 10800:
    # median (3600+3600)/2 = 3600; p95 = ceil(0.95*4) = 4th = 10800; mean 20700/4 = 5175
    assert (s.mttr_median_s, s.mttr_p95_s, s.mttr_mean_s) == (3600, 10800, 5175)


def test_per_severity(report) -> None:  # type: ignore[no-untyped-def]
    sev = dict(report.by_severity)
    # SEV-1: INC-1 and INC-2; only INC-1 acknowledged (720 s); TTR 10800 and 2700:
    # median (10800+2700)/2 = 6750, p95 = 2nd = 10800, mean 6750
    one = sev["SEV-1"]
    assert (one.count, one.acknowledged, one.mtta_median_s, one.mtta_p95_s) == (2, 1, 720, 720)
    assert (one.mttr_median_s, one.mttr_p95_s, one.mttr_mean_s) == (6750, 10800, 6750)
    # SEV-2: TTA 300 and 1200: median 750, p95 = 2nd = 1200, mean 750
    two = sev["SEV-2"]
    assert (two.mtta_median_s, two.mtta_p95_s, two.mtta_mean_s) == (750, 1200, 750)
    assert (two.mttr_median_s, two.mttr_p95_s) == (3600, 3600)
    assert "SEV-3" not in sev  # no incident: no row, rather than a row of nulls


def test_interruptions_are_classed_in_each_persons_own_zone(report) -> None:  # type: ignore[no-untyped-def]
    load = {p.person: p for p in report.load}
    ann, bob = load["ann"], load["bob"]
    # Ann (London): INC-1 paged 23:30 GMT → sleep; INC-2 Tue 11:00 BST → business;
    # INC-3 Sat 18:00 BST → off hours; INC-4 Easter Monday 11:00 BST (a GB-ENG holiday) → off
    assert (ann.interruptions, ann.business, ann.off_hours, ann.sleep) == (4, 1, 2, 1)
    # hours: INC-1 all 3 h inside 22:00-08:00; INC-2 0.75 h business; INC-3 1 h + INC-4 1 h off
    assert ann.hours == {"business": 0.75, "off_hours": 2.0, "sleep": 3.0}
    # Bob (New York, EDT since 8 Mar): INC-1 paged 19:30 Saturday → off hours; the 3 h run
    # 19:30-22:30 EDT: 2.5 h before 22:00 (off hours), 0.5 h after (sleep)
    assert (bob.interruptions, bob.business, bob.off_hours, bob.sleep) == (1, 0, 1, 0)
    assert bob.hours == {"business": 0.0, "off_hours": 2.5, "sleep": 0.5}


def test_a_page_made_off_hours_by_a_holiday_names_the_holiday(report) -> None:  # type: ignore[no-untyped-def]
    load = {p.person: p for p in report.load}
    # Ann's INC-4 page, 11:00 BST on Easter Monday, would be business on another Monday;
    # INC-3 (Saturday 18:00) and Bob's INC-1 (Saturday 19:30) are off hours without one
    assert load["ann"].holidays == (("INC-4", "holiday (Easter Monday, GB-ENG)"),)
    assert load["bob"].holidays == ()


def test_review_deadlines_read_in_the_teams_zone_with_its_label() -> None:
    from zoneinfo import ZoneInfo

    from generator.render.site import also_utc
    from generator.timeutil import when

    new_york = ZoneInfo("America/New_York")
    assert when(datetime(2026, 12, 3, 17, 20, tzinfo=UTC), new_york) == "Thu 03 Dec 12:20 EST"
    assert when(datetime(2026, 10, 31, 16, 20, tzinfo=UTC), new_york) == "Sat 31 Oct 12:20 EDT"
    # the summary block adds UTC for a team elsewhere, with its date when that differs
    assert also_utc(datetime(2026, 10, 21, 15, 5, tzinfo=UTC), new_york) == " (15:05 UTC)"
    assert also_utc(datetime(2026, 10, 22, 1, 0, tzinfo=UTC), new_york) == " (Thu 22 Oct 01:00 UTC)"
    assert also_utc(datetime(2026, 1, 21, 15, 5, tzinfo=UTC), ZoneInfo("Europe/London")) == ""


def _with_reviewed(tmp_path: Path, day: str) -> Path:
    import shutil

    root = tmp_path / "org"
    shutil.copytree(ORG, root)
    pm = root / "postmortems" / "INC-1.md"
    pm.write_text(
        pm.read_text(encoding="utf-8").replace("reviewed: 2026-04-02", f"reviewed: {day}"),
        encoding="utf-8",
    )
    return root


def test_a_review_dated_before_the_incident_is_a_located_error(tmp_path: Path) -> None:
    # INC-1 started Sat 28 Mar 23:30 GMT (London, the team's zone): the 27th is too early,
    # the 28th itself is fine
    result = CliRunner().invoke(
        cli, ["--root", str(_with_reviewed(tmp_path, "2026-03-27")), "validate", "--now", NOW_TEXT]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "postmortems/INC-1.md:5:11: error: reviewed 2026-03-27 is before INC-1 started "
        "(2026-03-28 in Europe/London): a review comes after the incident"
    )
    same_day = CliRunner().invoke(
        cli,
        [
            "--root",
            str(_with_reviewed(tmp_path / "b", "2026-03-28")),
            "validate",
            "--now",
            NOW_TEXT,
        ],
    )
    assert same_day.exit_code == 0, same_day.stderr


def test_a_review_dated_in_the_future_is_a_warning(tmp_path: Path) -> None:
    root = _with_reviewed(tmp_path, "2026-04-11")  # NOW is Fri 10 Apr 13:00 BST
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW_TEXT])
    assert result.exit_code == 0
    assert (
        "postmortems/INC-1.md:5:11: warning: reviewed 2026-04-11 is in the future (today is "
        "2026-04-10); write the date of the review meeting once it is held"
    ) in result.stderr.splitlines()


def test_rotation_load_counts_the_person_on_call(report) -> None:  # type: ignore[no-untyped-def]
    (rot,) = report.rotations
    # INC-1 in Bob's week (his off-hours page), INC-2 and INC-3 in Ann's week; INC-4 came
    # after the handoff to Bob on 6 Apr and Bob did not work it
    assert (rot.interruptions, rot.business, rot.off_hours, rot.sleep) == (3, 1, 2, 0)
    assert rot.shifts == 2 and rot.overloaded == ()


def test_non_actionable_share_and_alerts_without_runbook(report) -> None:  # type: ignore[no-untyped-def]
    assert (report.non_actionable, report.actionable_known) == (2, 4)
    assert report.non_actionable_share == 0.5
    assert [a.alert for a in report.unanswered_alerts] == ["ShopLatency", "SearchErrors"]


def test_overload_needs_three_pages_within_twelve_hours() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    h = timedelta(hours=1)
    assert most_in_window([t0, t0 + 5 * h, t0 + 11 * h + timedelta(minutes=59)]) == 3
    assert most_in_window([t0, t0 + 6 * h, t0 + 12 * h]) == 2  # the window is half-open
    assert most_in_window([]) == 0


def test_nearest_rank_is_always_a_measured_value() -> None:
    values = [60.0, 120.0, 600.0, 3600.0]
    assert nearest_rank(values, 0.95) == 3600.0  # ceil(3.8) = 4th
    assert nearest_rank(values, 0.5) == 120.0  # ceil(2.0) = 2nd
    assert nearest_rank([42.0], 0.95) == 42.0


def test_action_due_today_is_not_overdue_yet() -> None:
    org = load_org(ORG, NOW).org
    # A2 is due Fri 3 Apr: on 3 Apr it is not overdue, on 4 Apr it is (London dates)
    on_due = datetime(2026, 4, 3, 22, 59, tzinfo=UTC)  # 23:59 BST, still 3 Apr
    after = datetime(2026, 4, 3, 23, 0, tzinfo=UTC)  # 00:00 BST 4 Apr
    a2 = next(r for r in compute_actions(org, on_due) if r.item.id == "A2")
    assert not a2.overdue
    a2 = next(r for r in compute_actions(org, after) if r.item.id == "A2")
    assert a2.overdue and a2.days_overdue == 1


def test_actions_sorted_open_first_and_filtered_by_team() -> None:
    org = load_org(ORG, NOW).org
    rows = compute_actions(org, NOW)
    assert [(r.item.id, r.item.status, r.overdue) for r in rows] == [
        ("A2", "open", True),  # overdue first
        ("A1", "open", False),
        ("A3", "done", False),
    ]
    # --owner web: the team's own item and its members' items for its incidents
    assert [r.item.id for r in filter_actions(org, rows, owner="web")] == ["A2", "A1", "A3"]
    assert [r.item.id for r in filter_actions(org, rows, owner="bob")] == ["A3"]
    assert [r.item.id for r in filter_actions(org, rows, overdue=True)] == ["A2"]
    done = filter_actions(org, rows, status="done")
    assert [r.item.id for r in done] == ["A3"]
    assert replace(done[0].item, status="open").due_on == date(2026, 4, 9)


def test_validate_warns_about_an_overdue_review_and_strict_fails(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--root", str(ORG), "validate", "--now", "2026-04-10T12:00:00Z"])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "rotations/org.yaml:34:5: warning: incident INC-2 (SEV-1) needed a reviewed postmortem "
        "by Sun 05 Apr 11:45 BST (review_within 5d); it has no postmortem: write one with "
        "'rota postmortem new INC-2'"
    )
    strict = runner.invoke(
        cli, ["--root", str(ORG), "validate", "--strict", "--now", "2026-04-10T12:00:00Z"]
    )
    assert strict.exit_code == 1
    # a day before the deadline there is nothing to say
    early = runner.invoke(cli, ["--root", str(ORG), "validate", "--now", "2026-04-04T12:00:00Z"])
    assert "needed a reviewed postmortem" not in early.stderr
