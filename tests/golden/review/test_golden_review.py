"""Golden output of incident review: the postmortem, action and incident pages, the JSON
of ``rota incidents`` and ``rota actions``, and the action item events of the feeds.

``org/`` is one London team (Ann Lee, London; Bob Stone, New York; weekly round-robin from
Mon 2 Mar 2026 09:00 London) with four incidents and two postmortems, reviewed by hand at
NOW = Fri 10 Apr 2026 13:00 BST:

- INC-1 (SEV-1) spans midnight and the start of BST: 23:30 GMT Sat 28 Mar to 03:30 BST
  Sun 29 Mar is 3 h of real time (10800 s), not the 4 h the wall clock shows;
  acknowledged after 12 min (720 s). Ann (London) was paged at 23:30: a sleep
  interruption with 3.0 h asleep. Bob (New York, EDT) was paged at 19:30 Saturday:
  off hours, 2.5 h before 22:00 and 0.5 h after (sleep).
- INC-2 (SEV-1) has no acknowledgement: left out of MTTA; 45 min (2700 s); Ann, Tue
  11:00 BST: business. It has no postmortem and was due 5 days after it resolved
  (Sun 5 Apr 11:45 BST): overdue at NOW.
- INC-3 (SEV-2) Sat 4 Apr 18:00 BST: off hours (weekend); ack 300 s, 3600 s.
- INC-4 (SEV-2) Easter Monday 6 Apr 11:00 BST, a public holiday in England: off hours;
  ack 1200 s, 3600 s; its review is due Thu 16 Apr, not yet overdue.

MTTA over 300, 720, 1200: median 720, p95 (nearest rank ceil(0.95·3) = 3rd) 1200, mean
2220/3 = 740. MTTR over 2700, 3600, 3600, 10800: median (3600+3600)/2 = 3600, p95 (4th)
10800, mean 20700/4 = 5175. Rotation web/primary: INC-1 fell in Bob's week (Mon 23 Mar
09:00 GMT to Mon 30 Mar 09:00 BST), so it counts for the rotation as Bob's off-hours page;
INC-2 and INC-3 fell in Ann's week: 3 interruptions, 1 business, 2 off hours; INC-4 came
after the 09:00 handoff to Bob on 6 Apr, and Bob did not respond: not the rotation's.
Action items at NOW: INC-1 A2 (ann, P0, due 3 Apr, open) is overdue by 7 days; A1 (web,
due 1 May) open; A3 done, closed 8 Apr: 10 days after INC-1 resolved (29 Mar, London);
completion 1 of 3 = 0.3333, time to close median and p95 10 days.

Newer figures: only INC-1 records ``detected`` (at its start: MTTD 0 s) and ``mitigated``
(01:50Z − 23:30Z = 8400 s); every other group has nothing to measure (null, "–").
INC-2 paged Ann (alerts, actionable) and was never acknowledged: "Nobody acknowledged".
Repeats: INC-1 and INC-3 share the service shop (within a week), INC-3 and INC-4 the
alert ShopLatency (2 days): one group, 10800 + 3600 + 3600 = 18000 s = 5 h. Trend
(London months): March INC-1, INC-2, MTTR median (10800 + 2700) / 2 = 6750 s, one sleep
page (Ann at 23:30); April INC-3, INC-4, 3600 s, none. Time to postmortem: INC-1
reviewed 2 Apr, 4 days after 29 Mar, inside 5 (due 3 Apr 03:30 BST): SEV-1 count 1,
median and p95 4, none late; INC-2 is overdue (in ``late_reviews`` with no date).

Refresh with ``pytest tests/golden --update-golden`` and review the diff.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from generator.cli import cli
from generator.feedstate import FeedState
from generator.pipeline import horizon_schedule, load_org
from generator.render.ical import render_feeds
from generator.render.site import render_site

HERE = Path(__file__).resolve().parent
ORG = HERE / "org"
EXPECTED = HERE / "expected"
NOW_TEXT = "2026-04-10T12:00:00Z"
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
PAGES = [
    "postmortems/index.md",
    "postmortems/inc-1/index.md",
    "postmortems/inc-3/index.md",
    "actions/index.md",
    "incidents/index.md",
    "incidents/load/index.md",
    "people/ann/index.md",
]


def _check(name: str, actual: str, request: pytest.FixtureRequest) -> None:
    expected = EXPECTED / name
    if request.config.getoption("--update-golden"):
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8"), f"{name} differs; review and refresh"


@pytest.fixture(scope="module")
def pages() -> dict[str, str | bytes]:
    org = load_org(ORG, NOW).org
    return render_site(org, horizon_schedule(org, NOW), NOW)


@pytest.mark.parametrize("path", PAGES)
def test_review_page_matches_reviewed_golden(
    pages: dict[str, str | bytes], path: str, request: pytest.FixtureRequest
) -> None:
    actual = pages[path]
    assert isinstance(actual, str)
    _check("pages/" + path, actual, request)


def test_page_text_from_yaml_is_escaped(pages: dict[str, str | bytes]) -> None:
    page = pages["postmortems/inc-1/index.md"]
    assert isinstance(page, str)
    assert "<b>shop</b>" not in page and "&#60;b&#62;shop&#60;/b&#62;" in page
    incidents = pages["incidents/index.md"]
    assert isinstance(incidents, str)
    assert "<slow>" not in incidents


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("incidents.json", ["incidents", "--format", "json"]),
        ("actions.json", ["actions", "--format", "json"]),
        ("actions-overdue.txt", ["actions", "--overdue"]),
        ("incidents.csv", ["incidents", "--format", "csv"]),
    ],
)
def test_command_output_matches_reviewed_golden(
    name: str, args: list[str], request: pytest.FixtureRequest
) -> None:
    result = CliRunner().invoke(cli, ["--root", str(ORG), *args, "--now", NOW_TEXT])
    assert result.exit_code == 0, result.output
    if name.endswith(".json"):
        json.loads(result.stdout)  # well-formed
    _check(name, result.stdout, request)


def _action_events(feed: bytes) -> list[str]:
    cal = Calendar.from_ical(feed)
    return [
        f"{ev['UID']} {ev.decoded('DTSTART').isoformat()} {ev['SUMMARY']} SEQUENCE={ev['SEQUENCE']}"
        for ev in cal.walk("VEVENT")
        if "Postmortem action"
        in str(ev.get("CATEGORIES").to_ical() if ev.get("CATEGORIES") else "")
    ]


def test_feeds_carry_open_action_items_as_all_day_events(request: pytest.FixtureRequest) -> None:
    org = load_org(ORG, NOW).org
    files = render_feeds(org, horizon_schedule(org, NOW), NOW, FeedState()).files
    lines = []
    for rel in sorted(files):
        for event in _action_events(files[rel]):
            lines.append(f"{rel}: {event}")
    # ann's open A2 (overdue, still shown on its due date); the team's open A1; bob's A3 is
    # done and appears nowhere
    _check("feed-actions.txt", "\n".join(lines) + "\n", request)
    assert not any("Failover runbook" in line for line in lines)
