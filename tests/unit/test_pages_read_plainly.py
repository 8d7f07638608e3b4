"""Pages as a newcomer reads them: the current handoff first, next handoffs in an
evident order, rotations that have not started, subscription addresses, plain words
for a shift's source, names rather than ids.

The organisation, read by hand (NOW = Fri 27 Nov 2026 12:00 UTC, the organisation's
zone UTC):
- Ops (Europe/London, UTC in winter): weekly round-robin Ada, Ben from Mon 2 Nov 09:00,
  so handoffs on Mondays 2 (the start), 9, 16, 23 and 30 Nov at 09:00 UTC; Ada holds the
  week of 23 Nov; Ben's 30 Nov week is covered by Ada from Wed 2 Dec 09:00 to Thu 3 Dec
  09:00 (an override).
- East (Australia/Sydney, AEDT = UTC+11): weekly round-robin Cy, Di from Sat 7 Nov
  08:00, so the next handoff is Sat 28 Nov 08:00 AEDT = Fri 27 Nov 21:00 UTC: in UTC
  it comes before Ops' Mon 30 Nov 09:00, though its local clock reads later.
- New (Asia/Tokyo, JST = UTC+9): starts Mon 4 Jan 2027 09:00 JST with Eve.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.pipeline import horizon_schedule, load_org
from generator.render.site import render_site
from tests.conftest import write_org

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
ORG = """\
settings:
  organisation: Tiny
  timezone: UTC
  history: 5w
  horizon: 8w
people:
  - {id: ada, name: Ada Moss, timezone: Europe/London}
  - {id: ben, name: Ben Okoro, timezone: Europe/London}
  - {id: cy, name: Cy Tan, timezone: Australia/Sydney}
  - {id: di, name: Di Reyes, timezone: Australia/Sydney}
  - {id: eve, name: Eve Sato, timezone: Asia/Tokyo}
  - {id: fay, name: Fay Ono, timezone: Asia/Tokyo}
teams:
  - id: ops
    name: Ops
    timezone: Europe/London
    rotations:
      - {id: primary, name: Primary, members: [ada, ben], start: "2026-11-02 09:00",
         shift: 1w, assignment: round-robin}
    escalation:
      levels:
        - {after: 0m, notify: [primary]}
    handoff_checklist: [Read the open incidents]
  - id: east
    name: East
    timezone: Australia/Sydney
    rotations:
      - {id: primary, name: Primary, members: [cy, di], start: "2026-11-07 08:00",
         shift: 1w, assignment: round-robin}
  - id: new
    name: New Team
    timezone: Asia/Tokyo
    rotations:
      - {id: primary, name: Primary, members: [eve, fay], start: "2027-01-04 09:00",
         shift: 1w, assignment: round-robin}
overrides:
  - {team: ops, rotation: primary, from: "2026-12-02 09:00", to: "2026-12-03 09:00",
     person: ada, note: swap}
severities:
  - {id: SEV-1, name: Critical, description: Down}
incidents:
  - {id: INC-1, title: Disk full, severity: SEV-1, team: ops,
     started: "2026-11-10T10:00:00Z", acknowledged: "2026-11-10T10:05:00Z",
     resolved: "2026-11-10T11:00:00Z", responders: [ben]}
"""


def text(markup: str) -> str:
    """What a reader sees: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def build(tmp_path: Path, extra: str = "") -> dict[str, str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    root = write_org(tmp_path, ORG.replace("  timezone: UTC\n", f"  timezone: UTC\n{extra}", 1))
    org = load_org(root, NOW).org
    files = render_site(org, horizon_schedule(org, NOW), NOW)
    return {k: v for k, v in files.items() if isinstance(v, str)}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return build(tmp_path_factory.mktemp("tiny"))


def page_headings(page: str) -> list[tuple[str, str]]:
    """The page's headings in order, as (Markdown level, text): Markdown ones, and the
    HTML ones of the handoff notes (``<h3 id="...">``) read as ``###``."""
    found = re.findall(r"^(?:(##+) (.+)|<h(\d) id=\"[^\"]*\">([^<]+)</h\d>)$", page, re.M)
    return [(md or "#" * int(level), text or html_text) for md, text, level, html_text in found]


def test_month_page_puts_the_handoff_in_force_first(pages: dict[str, str]) -> None:
    page = pages["handoffs/ops/2026-11/index.md"]
    headings = page_headings(page)
    top = [(h, t) for h, t in headings if h in ("##", "###")]
    assert top == [
        ("##", "In force now"),
        ("###", "Ops Primary: handoff Mon 23 Nov 2026 09:00 GMT"),
        ("##", "For every handoff"),
        ("###", "Checklist"),
        ("###", "Escalation"),
        ("###", "Runbooks"),
        ("##", "Coming up (soonest first)"),
        ("###", "Ops Primary: handoff Mon 30 Nov 2026 09:00 GMT"),
        ("##", "Earlier (newest first)"),
        ("###", "Ops Primary: handoff Mon 16 Nov 2026 09:00 GMT"),
        ("###", "Ops Primary: handoff Mon 09 Nov 2026 09:00 GMT"),
        ("###", "Ops Primary: handoff Mon 02 Nov 2026 09:00 GMT"),
    ]
    # the checklist, escalation and runbooks once a page, not once a handoff
    assert page.count("Read the open incidents") == 1
    assert page.count("Escalation") == 2  # the link at the top and the section
    assert "#### Checklist" not in page and "#### Runbooks" not in page


def test_month_page_orders_now_then_to_come_then_newest_first(tmp_path: Path) -> None:
    pages = build(tmp_path)
    page = pages["handoffs/east/2026-11/index.md"]
    dates = [
        re.match(r"East Primary: handoff \w+ (\d\d) Nov", t).group(1)  # type: ignore[union-attr]
        for h, t in page_headings(page)
        if h == "###" and t.startswith("East Primary: handoff")
    ]
    # in force: 21 Nov; to come: 28 Nov; earlier, newest first: 14, 7 Nov
    assert dates == ["21", "28", "14", "07"]


def test_next_handoffs_read_soonest_first_in_the_organisations_zone(
    pages: dict[str, str],
) -> None:
    home = pages["index.md"]
    table = home.split("## Next handoffs", 1)[1].split("## Teams", 1)[0]
    assert '<th scope="col">When (UTC)</th>' in table
    rows = re.findall(r"<tr><td><time datetime=\"([^\"]+)\">([^<]+)</time></td>", table)
    shown = [label for _, label in rows]
    assert shown == ["Fri 27 Nov 21:00", "Mon 30 Nov 09:00", "Mon 04 Jan 00:00"]
    # each row also gives the team's own clock, beside it
    assert "Sat 28 Nov 08:00 AEDT" in table and "Mon 04 Jan 09:00 JST" in table


def test_a_rotation_not_yet_started_says_when_and_with_whom(pages: dict[str, str]) -> None:
    for path in ("index.md", "teams/new/index.md", "teams/index.md"):
        row = re.search(r'<tr data-rota-now data-team="new".*?</tr>', pages[path], re.S)
        assert row is not None, path
        cell = re.search(r"data-rota-person>(.*?)</td>", row.group(0), re.S)
        assert cell is not None
        assert text(cell.group(1)) == "Not started: starts Mon 04 Jan 09:00 JST with Eve Sato"
        assert 'data-rota-starts="2027-01-04T09:00:00+09:00"' in row.group(0)
        assert "outside coverage" not in row.group(0)


def test_schedule_says_planned_and_override_not_fair_or_round_robin(
    pages: dict[str, str],
) -> None:
    page = pages["teams/ops/index.md"]
    cells = re.findall(r"<td>([^<]*)</td></tr>", page.split("## Schedule", 1)[1].split("## ", 1)[0])
    assert cells and set(cells) <= {"planned", "override: swap"}, cells
    assert "override: swap" in cells
    assert "round-robin</td>" not in page


def test_person_and_team_pages_give_a_subscription_address(tmp_path: Path) -> None:
    pages = build(tmp_path / "unknown")
    # without the site's address the page finds its own (rota.js), with a hint meanwhile
    for path, feed in (("people/ada/index.md", "ada.ics"), ("teams/ops/index.md", "team-ops.ics")):
        page = pages[path]
        assert f'data-rota-feed="../../ical/{feed}"' in page
        assert f"<code data-rota-feed-https>https://<em>this site</em>/ical/{feed}</code>" in page
        assert "data-rota-feed-webcal-text" in page
    known = build(tmp_path / "known", "  site: {url: https://oncall.tiny.example/}\n")
    page = known["people/ada/index.md"]
    assert "<code>https://oncall.tiny.example/ical/ada.ics</code>" in page
    assert 'href="webcal://oncall.tiny.example/ical/ada.ics"' in page
    assert "data-rota-feed=" not in page


def test_incidents_by_team_and_severity_show_names(pages: dict[str, str]) -> None:
    page = pages["incidents/index.md"]
    by_team = page.split("## By team", 1)[1].split("## ", 1)[0]
    assert '<tr><td><a href="../teams/ops/">Ops</a></td><td>1</td>' in by_team
    by_severity = page.split("## By severity", 1)[1].split("## ", 1)[0]
    assert 'SEV&#45;1 <span class="rota-muted">Critical</span>' in by_severity


def test_table_pages_give_the_content_the_width(pages: dict[str, str]) -> None:
    for path in (
        "teams/ops/index.md",
        "people/ada/index.md",
        "fairness/ops/index.md",
        "fairness/index.md",
        "incidents/index.md",
        "handoffs/ops/2026-11/index.md",
    ):
        assert "---\nhide:\n  - navigation\n---\n" in pages[path], path
