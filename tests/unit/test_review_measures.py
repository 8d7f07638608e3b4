"""The weekly review's measures against hand computations: MTTD and time to mitigate,
action items' completion and time to close, time to postmortem and late reviews,
repeats, the whole log's trend and unacknowledged pages.

The organisation (written below) is one UTC team with Ann (London) and Bob (UTC); SEV-1
postmortems are due 2 days after resolution. All times UTC; January to March is GMT, so
London time is UTC too.

- INC-1 SEV-1 Sat 10 Jan 10:00-11:00: detected +300 s, acknowledged, mitigated +2400 s;
  alert Disk, service shop; postmortem reviewed 13 Jan: day 3 of 2, late.
- INC-2 SEV-1 Tue 20 Jan 02:00-04:00: detected +900 s, never acknowledged, mitigated
  +3600 s; paged Ann at 02:15 London (sleep); reviewed 21 Jan: day 1, on time.
- INC-3 SEV-2 Thu 5 Feb 12:00-12:30: alert Disk again, 26 days after INC-1: a repeat.
- INC-4 SEV-2 Wed 1 Apr 12:00-13:00: service search like INC-3 but 55 days later (not a
  repeat by service); ``related: [INC-2]`` joins it to INC-2.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.pipeline import horizon_schedule, load_org
from generator.reports.actions import compute_actions, summary_by
from generator.reports.incidents import compute_incidents

NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
NOW_TEXT = "2026-04-10T12:00:00Z"
REPO = Path(__file__).resolve().parents[2]

ORG_YAML = """\
settings:
  organisation: Measures
  timezone: UTC
  postmortems: {review_within: {SEV-1: 2d}}
severities:
  - {id: SEV-1, name: Critical, description: Down}
  - {id: SEV-2, name: Major, description: Degraded}
people:
  - {id: ann, name: Ann Lee, email: ann@example.com, timezone: Europe/London}
  - {id: bob, name: Bob Stone, email: bob@example.com, timezone: UTC}
teams:
  - id: web
    name: Web
    timezone: UTC
    services: [shop, search]
    rotations:
      - {id: primary, members: [ann, bob], start: "2026-01-05 09:00", shift: 1w}
    escalation: {levels: [{after: 0m, notify: [primary]}]}
incidents:
  - {id: INC-1, title: Disk full, severity: SEV-1, team: web,
     started: "2026-01-10T10:00:00Z", detected: "2026-01-10T10:05:00Z",
     acknowledged: "2026-01-10T10:10:00Z", mitigated: "2026-01-10T10:40:00Z",
     resolved: "2026-01-10T11:00:00Z", alerts: [Disk], services: [shop], responders: [ann]}
  - {id: INC-2, title: Search down, severity: SEV-1, team: web,
     started: "2026-01-20T02:00:00Z", detected: "2026-01-20T02:15:00Z",
     mitigated: "2026-01-20T03:00:00Z", resolved: "2026-01-20T04:00:00Z",
     alerts: [SearchDown], actionable: true, responders: [ann]}
  - {id: INC-3, title: Disk full again, severity: SEV-2, team: web,
     started: "2026-02-05T12:00:00Z", acknowledged: "2026-02-05T12:05:00Z",
     resolved: "2026-02-05T12:30:00Z", alerts: [Disk], services: [search], responders: [bob]}
  - {id: INC-4, title: Search slow, severity: SEV-2, team: web,
     started: "2026-04-01T12:00:00Z", acknowledged: "2026-04-01T12:10:00Z",
     resolved: "2026-04-01T13:00:00Z", services: [search], related: [INC-2], responders: [bob]}
"""

SECTIONS = "".join(
    f"## {s}\n\nText.\n\n"
    for s in ("Summary", "Impact", "Timeline", "Root Cause", "Contributing Factors", "Action Items")
)

PM_1 = """\
---
incident: INC-1
status: closed
reviewed: 2026-01-13
action_items:
  - {id: A1, title: Alert on disk at 80%, owner: web, priority: P0, type: detect,
     due: 2026-01-31, status: done, closed: 2026-01-17}
  - {id: A2, title: Bigger disks, owner: ann, priority: P1, type: prevent,
     due: 2026-02-28, status: wont_do, closed: 2026-01-12}
  - {id: A3, title: Rotate logs hourly, owner: web, priority: P1, type: prevent,
     due: 2026-02-28, status: done, closed: 2026-01-30}
  - {id: A4, title: Runbook for disk full, owner: bob, priority: P2, type: mitigate,
     due: 2026-12-01}
---
"""

PM_2 = """\
---
incident: INC-2
status: reviewed
reviewed: 2026-01-21
action_items:
  - {id: A1, title: Second search replica, owner: web, priority: P0, type: prevent,
     due: 2026-02-20, status: done, closed: 2026-01-25}
---
"""


def write_org(root: Path, incidents: str = ORG_YAML, pm1: str = PM_1) -> Path:
    (root / "rotations").mkdir(parents=True)
    (root / "postmortems").mkdir()
    (root / "rotations" / "org.yaml").write_text(incidents, encoding="utf-8")
    (root / "postmortems" / "INC-1.md").write_text(pm1 + SECTIONS, encoding="utf-8")
    (root / "postmortems" / "INC-2.md").write_text(PM_2 + SECTIONS, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_org(tmp_path_factory.mktemp("measures"))


@pytest.fixture(scope="module")
def report(root: Path):  # type: ignore[no-untyped-def]
    org = load_org(root, NOW).org
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return compute_incidents(org, horizon_schedule(org, NOW), start, NOW, NOW)


def test_mttd_and_time_to_mitigate_per_group(report) -> None:  # type: ignore[no-untyped-def]
    one = dict(report.by_severity)["SEV-1"]
    # MTTD: INC-1 10:05-10:00 = 300 s, INC-2 02:15-02:00 = 900 s: median (300+900)/2 = 600,
    # p95 = ceil(0.95*2) = 2nd = 900, mean 600
    assert (one.detected, one.mttd_median_s, one.mttd_p95_s, one.mttd_mean_s) == (2, 600, 900, 600)
    # to mitigate: 10:40-10:00 = 2400 s, 03:00-02:00 = 3600 s: median 3000, p95 3600, mean 3000
    assert (one.mitigated, one.ttm_median_s, one.ttm_p95_s, one.ttm_mean_s) == (2, 3000, 3600, 3000)
    # SEV-2 records neither: nothing to measure, never zero
    two = dict(report.by_severity)["SEV-2"]
    assert (two.detected, two.mttd_median_s, two.mitigated, two.ttm_p95_s) == (0, None, 0, None)
    # the same figures in the month and team groups: January holds INC-1 and INC-2
    jan = dict(report.by_month)["2026-01"]
    assert (jan.mttd_median_s, jan.ttm_median_s) == (600, 3000)
    assert dict(report.by_team)["web"].mttd_p95_s == 900


def test_time_to_postmortem_and_a_late_review_that_stays_late(report) -> None:  # type: ignore[no-untyped-def]
    (sev1,) = [t for t in report.time_to_postmortem if t.severity == "SEV-1"]
    # INC-1 resolved 10 Jan, reviewed 13 Jan: 3 days; INC-2 resolved 20 Jan, reviewed 21 Jan:
    # 1 day. Median (1+3)/2 = 2; p95 = 2nd of [1, 3] = 3; allowed 2d = 2 days
    assert (sev1.count, sev1.median_days, sev1.p95_days, sev1.allowed_days) == (2, 2.0, 3, 2)
    # INC-1 was due 12 Jan 11:00 and reviewed on 13 Jan: late, although closed now
    assert sev1.late == 1
    (late,) = report.late_reviews
    assert (late.incident.id, late.days_to_review, late.allowed_days) == ("INC-1", 3, 2)
    assert late.postmortem.status == "closed" and not late.overdue


def test_repeats_by_alert_within_30_days_and_by_related(report) -> None:  # type: ignore[no-untyped-def]
    groups = [[i.id for i in g.incidents] for g in report.repeats]
    # INC-1 and INC-3 share the alert Disk 26 days apart; INC-3 and INC-4 share the service
    # search but 55 days apart (no); INC-4 names INC-2 as related
    assert groups == [["INC-1", "INC-3"], ["INC-2", "INC-4"]]
    disk, related = report.repeats
    assert (disk.alerts, disk.services, disk.related) == (("Disk",), (), False)
    # 1 h + 30 min of incident time
    assert disk.total.total_seconds() == 5400
    assert related.related and related.alerts == () and related.services == ()


def test_trend_covers_every_month_of_the_log(report) -> None:  # type: ignore[no-untyped-def]
    rows = [(t.month, t.count, t.mttr_median_s, t.sleep_pages) for t in report.trend]
    assert rows == [
        # INC-1 1 h and INC-2 2 h: median 5400 s; INC-2 paged Ann at 02:15 London: sleep
        ("2026-01", 2, 5400, 1),
        ("2026-02", 1, 1800, 0),
        ("2026-03", 0, None, 0),  # a quiet month is shown, not skipped
        ("2026-04", 1, 3600, 0),
    ]


def test_trend_is_the_whole_log_even_for_a_short_window(root: Path) -> None:
    org = load_org(root, NOW).org
    start = datetime(2026, 4, 1, tzinfo=UTC)
    short = compute_incidents(org, horizon_schedule(org, NOW), start, NOW, NOW)
    assert short.overall.count == 1  # INC-4 only
    assert [t.month for t in short.trend] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    # the group of INC-4 is listed (one of its incidents started in the window); the Disk
    # group is not
    assert [[i.id for i in g.incidents] for g in short.repeats] == [["INC-2", "INC-4"]]


def test_unacknowledged_page_is_flagged(report, root: Path) -> None:  # type: ignore[no-untyped-def]
    assert [i.id for i in report.unacknowledged] == ["INC-2"]
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW_TEXT])
    assert result.exit_code == 0
    assert (
        "rotations/org.yaml:24:5: warning: incident INC-2 (SEV-1) paged ann and nobody "
        "acknowledged: add acknowledged: if someone did, else review the escalation"
    ) in result.stderr
    # INC-2 only: INC-3 and INC-4 were acknowledged, and INC-1 too
    assert result.stderr.count("nobody acknowledged") == 1


def test_action_completion_and_time_to_close(root: Path) -> None:
    org = load_org(root, NOW).org
    total, teams, prios = summary_by(compute_actions(org, NOW))
    # 5 items: done INC-1 A1, A3 and INC-2 A1; won't do INC-1 A2; open INC-1 A4
    assert (total.count, total.open, total.done, total.wont_do) == (5, 1, 3, 1)
    assert total.completion_rate == 3 / 5  # the won't-do is not a completion
    # days to close, from the resolved date: INC-1 A1 17-10 = 7, A3 30-10 = 20,
    # INC-2 A1 25-20 = 5; sorted 5, 7, 20: median 7, p95 = ceil(0.95*3) = 3rd = 20
    assert (total.close_median_days, total.close_p95_days) == (7.0, 20)
    by_prio = dict(prios)
    # P0: both done, 5 and 7 days: median 6; P1: one done (20 d), one won't do
    assert (by_prio["P0"].completion_rate, by_prio["P0"].close_median_days) == (1.0, 6.0)
    assert (by_prio["P1"].done, by_prio["P1"].wont_do, by_prio["P1"].completion_rate) == (1, 1, 0.5)
    assert (by_prio["P2"].open, by_prio["P2"].close_median_days) == (1, None)
    assert [t for t, _ in teams] == ["web"]  # Ann's and Bob's items count for the team


def test_actions_json_keeps_every_old_field_and_adds_closed_and_summary(root: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--root", str(root), "actions", "--format", "json", "--now", NOW_TEXT]
    )
    doc = json.loads(result.stdout)
    old = {"incident", "id", "title", "owner", "owner_kind", "team", "priority", "type"}
    old |= {"due", "status", "overdue", "link"}
    for row in doc["actions"]:
        assert old | {"closed"} == set(row)
    closed = {(r["incident"], r["id"]): r["closed"] for r in doc["actions"]}
    assert closed[("INC-1", "A2")] == "2026-01-12" and closed[("INC-1", "A4")] is None
    s = doc["summary"]
    assert (s["done"], s["wont_do"], s["completion_rate"]) == (3, 1, 0.6)
    assert [p["priority"] for p in s["by_priority"]] == ["P0", "P1", "P2"]
    assert s["by_team"][0]["team"] == "web"


def test_incidents_json_keeps_every_old_field(root: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--root", str(root), "incidents", "--format", "json", "--now", NOW_TEXT],
    )
    doc = json.loads(result.stdout)
    top = {"from", "to", "count", "acknowledged", "mtta_median_s", "mtta_p95_s"}
    top |= {"mtta_mean_s", "mttr_median_s", "mttr_p95_s", "mttr_mean_s", "by_severity"}
    top |= {"by_team", "by_service", "by_month", "load", "rotations", "alerts"}
    top |= {"alerts_without_runbook", "non_actionable", "non_actionable_share"}
    top |= {"postmortems_due", "incidents"}
    new = {"unacknowledged", "trend", "time_to_postmortem", "late_reviews", "repeats"}
    new |= {"detected", "mttd_median_s", "mttd_p95_s", "mttd_mean_s"}
    new |= {"mitigated", "ttm_median_s", "ttm_p95_s", "ttm_mean_s"}
    assert top | new == set(doc)
    stats = {"count", "acknowledged", "mtta_median_s", "mtta_p95_s", "mtta_mean_s"}
    stats |= {"mttr_median_s", "mttr_p95_s", "mttr_mean_s"}
    for key, name in [("by_severity", "severity"), ("by_team", "team"), ("by_month", "month")]:
        for row in doc[key]:
            assert stats | {name} <= set(row)
            assert {"mttd_median_s", "mttd_p95_s", "ttm_median_s", "ttm_p95_s"} <= set(row)
    inc = {"id", "title", "severity", "team", "started", "detected", "acknowledged"}
    inc |= {"mitigated", "resolved", "tta_s", "ttr_s", "responders", "alerts", "actionable"}
    inc |= {"services"}
    for row in doc["incidents"]:
        assert inc | {"related", "ttd_s", "ttm_s"} <= set(row)
    assert doc["repeats"][1]["incidents"] == ["INC-2", "INC-4"]
    assert doc["repeats"][1]["related"] is True
    assert doc["late_reviews"][0]["incident"] == "INC-1"
    assert doc["unacknowledged"][0]["incident"] == "INC-2"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "due: 2026-12-01}",
            "due: 2026-12-01, closed: 2026-01-20}",
            "postmortems/INC-1.md:13:31: error: action item 'A4' is open but has closed: "
            "2026-01-20; set status: done or wont_do, or remove closed",
        ),
        (
            "closed: 2026-01-17}",
            "closed: 2026-01-09}",
            "postmortems/INC-1.md:7:45: error: action item 'A1' closed on 2026-01-09, before "
            "incident INC-1 started (2026-01-10)",
        ),
    ],
)
def test_closed_date_errors_are_located(tmp_path: Path, old: str, new: str, message: str) -> None:
    root = write_org(tmp_path, pm1=PM_1.replace(old, new))
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW_TEXT])
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr


def test_closed_item_without_a_date_is_a_warning(tmp_path: Path) -> None:
    root = write_org(tmp_path, pm1=PM_1.replace(", closed: 2026-01-30}", "}"))
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW_TEXT])
    assert result.exit_code == 0
    assert (
        "postmortems/INC-1.md:11:31: warning: action item 'A3' is done without a closed date: "
        "add closed: YYYY-MM-DD (the day it was closed) to measure time to close"
    ) in result.stderr


@pytest.mark.parametrize(
    ("related", "message"),
    [
        ("[INC-22]", "error: related names no incident 'INC-22' in the log (did you mean"),
        ("[INC-4]", "error: incident 'INC-4' cannot be related to itself"),
    ],
)
def test_related_must_name_another_incident(tmp_path: Path, related: str, message: str) -> None:
    root = write_org(
        tmp_path, incidents=ORG_YAML.replace("related: [INC-2]", f"related: {related}")
    )
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW_TEXT])
    assert result.exit_code == 1
    assert f"rotations/org.yaml:33:69: {message}" in result.stderr, result.stderr


def test_sample_shows_the_late_review_of_inc_121_and_the_flapping_repeat(sample_org: Path) -> None:
    runner = CliRunner()
    now = ["--now", "2026-11-27T12:00:00Z"]
    result = runner.invoke(cli, ["--root", str(sample_org), "incidents", "--format", "json", *now])
    doc = json.loads(result.stdout)
    late = {r["incident"]: r for r in doc["late_reviews"]}
    # INC-121 (SEV-1) resolved 9 Jul, review due 14 Jul, reviewed 15 Jul: day 6 of 5
    assert (late["INC-121"]["days"], late["INC-121"]["allowed_days"]) == (6, 5)
    assert late["INC-121"]["status"] == "closed"
    assert any({"INC-127", "INC-133"} <= set(g["incidents"]) for g in doc["repeats"])
    table = runner.invoke(cli, ["--root", str(sample_org), "incidents", *now]).stdout
    assert "reviewed late: INC-121 (SEV-1) on 2026-07-15, day 6 of 5" in table


def test_postmortem_template_offers_optional_sections_validation_does_not_require(
    root: Path,
) -> None:
    template = (REPO / "generator" / "skeleton" / "postmortems" / "_template.md").read_text()
    for section in ("Trigger", "Detection", "Resolution", "What went well", "What went wrong"):
        assert f"\n## {section}\n" in template
    assert "\n## Where we got lucky\n" in template
    # the organisation's postmortems have none of them and validate without a word
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW_TEXT])
    assert "section" not in result.stderr
