"""The built site, end to end: pages, addresses, navigation, safety, determinism,
the MkDocs plugin and the live-reloading preview."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.pipeline import load_org
from tests.conftest import NOW, REPO


def copy_org(dest: Path) -> Path:
    for name in ("rotations", "runbooks", "postmortems"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def build(root: Path, out: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--root", str(root), "build", "--now", NOW, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def text(html: str) -> str:
    """What a reader sees: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(scope="module")
def site(built_sample: Path) -> Path:
    """The sample's site, built once for the test process (read only)."""
    return built_sample / "site"


def who_now(root: Path) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli, ["--root", str(root), "who", "--now", NOW, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    return list(doc["oncall"])


def test_every_page_kind_is_built(site: Path) -> None:
    for page in [
        "index.html",
        "teams/index.html",
        "teams/payments/index.html",
        "people/index.html",
        "people/marcus-reid/index.html",
        "runbooks/index.html",
        "runbooks/by-service/index.html",
        "runbooks/by-severity/index.html",
        "runbooks/tags/index.html",
        "runbooks/alerts/index.html",
        "runbooks/payments/db-pool-exhausted/index.html",
        "runbooks/payments/rollback-bad-deploy/index.html",
        "handoffs/index.html",
        "handoffs/payments/2026-11/index.html",
        "fairness/index.html",
        "pay/index.html",
        "severities/index.html",
        "data/schedule.json",
        "data/directory.json",
        "assets/rota.js",
        "assets/rota.css",
    ]:
        assert (site / page).is_file(), page


def test_home_page_names_who_is_on_call_at_build_time(site: Path) -> None:
    home = (site / "index.html").read_text()
    names = json.loads((site / "data/directory.json").read_text())["people"]
    oncall = who_now(site.parent)
    assert oncall, "the sample organisation has someone on call at NOW"
    for entry in oncall:
        row = re.search(
            rf'<tr data-rota-now data-team="{entry["team"]}" '
            rf'data-rotation="{entry["rotation"]}".*?</tr>',
            home,
            re.S,
        )
        assert row is not None, entry
        person_cell = re.search(r"data-rota-person>(.*?)</td>", row.group(0), re.S)
        assert person_cell is not None
        assert text(person_cell.group(1)) == names[entry["person"]]


def test_alert_address_is_stable_and_leads_to_its_runbook(site: Path) -> None:
    # db-pool-exhausted.md declares alerts: [CheckoutDBPoolExhausted]
    page = site / "runbooks/alerts/checkoutdbpoolexhausted/index.html"
    html = page.read_text()
    assert 'href="../../payments/db-pool-exhausted/"' in html
    assert "Checkout database connection pool exhausted" in text(html)


def test_runbook_page_shows_metadata_panel_and_stale_badge(site: Path) -> None:
    fresh = text((site / "runbooks/payments/db-pool-exhausted/index.html").read_text())
    for expected in ["Owner Payments", "Service checkout-api", "Severity SEV-2"]:
        assert expected in fresh
    assert "Last reviewed 2026-10-28 Reviewed" in fresh
    # warehouse-etl-late.md: last_reviewed 2025-11-14, 378 days before NOW > 180d.
    stale = text((site / "runbooks/data-platform/warehouse-etl-late/index.html").read_text())
    assert "Last reviewed 2025-11-14 Stale" in stale
    assert "Stale runbook" in stale


def test_runbook_code_blocks_stay_inside_their_numbered_steps(site: Path) -> None:
    html = (site / "runbooks/payments/db-pool-exhausted/index.html").read_text()
    diagnosis = html.split('id="diagnosis"', 1)[1].split("<h2", 1)[0]
    # One ordered list holding every step, each with its code block inside.
    assert diagnosis.count("<ol>") == 1
    assert re.search(r"<li>\s*<p>Is it every pod.*?<code>.*?</li>", diagnosis, re.S)


def test_team_page_has_now_chain_calendar_runbooks_and_feed(site: Path) -> None:
    html = (site / "teams/payments/index.html").read_text()
    seen = text(html)
    assert 'class="rota-chain"' in html
    # payments.yaml: 0m primary, 15m secondary, 30m person:rachel-kim + team:platform-sre
    assert "At once Rotation Primary" in seen
    assert "After 15m Rotation Secondary" in seen
    assert "After 30m Person Rachel Kim Team Platform SRE" in seen
    assert "<caption>November 2026</caption>" in html
    assert "<caption>December 2026</caption>" in html
    assert 'class="rota-today"' in html or "rota-today" in html
    assert 'href="../../runbooks/payments/db-pool-exhausted/"' in html
    assert 'href="../../ical/team-payments.ics"' in html
    # No feeds.base_url nor site_url in the sample: the page shows the addresses as
    # its reader's browser reaches the site (rota.js fills them in), never a wrong one.
    assert 'data-rota-feed="../../ical/team-payments.ics"' in html
    assert 'href="webcal://' not in html
    # a shift's source in plain words: the sample's next weeks are published (its lock
    # file), the rest of the window planned
    schedule = html.split('id="schedule"', 1)[1].split('id="calendar"', 1)[0]
    assert ">locked</td>" in schedule
    assert ">fair</td>" not in schedule and ">round-robin</td>" not in schedule
    assert ">lock</td>" not in schedule


def test_team_page_lists_each_rotations_rules_as_code_one_item_each(site: Path) -> None:
    # teams/payments.yaml: rules {packs: [google-sre], max_consecutive: {limit: 2w, level:
    # hard}} on the team, and primary's own min_rest: 1w; secondary has no min_rest
    html = (site / "teams/payments/index.html").read_text()
    rules = html.split('id="on-call-rules"', 1)[1].split("</ul>", 1)[0]
    items = rules.split("<li>")[1:]
    assert [i.split(":", 1)[0] for i in items] == ["Primary", "Secondary"]
    assert "<code>min_rest 1w (hard, rotation)</code>" in items[0]
    assert "<code>max_consecutive 2w (hard, team)</code>" in items[1]
    assert "min_rest" not in items[1]
    assert "&amp;#" not in rules and "&#95;" not in rules


def test_team_page_links_each_rotations_pager_feed_that_the_build_wrote(site: Path) -> None:
    html = (site / "teams/payments/index.html").read_text()
    links = re.findall(r'href="\.\./\.\./(ical/pager/[^"]+)" download>([^<]+)<', html)
    assert links == [
        ("ical/pager/payments/primary.ics", "Primary"),
        ("ical/pager/payments/secondary.ics", "Secondary"),
    ]
    for path, _ in links:
        assert (site / path).read_text().startswith("BEGIN:VCALENDAR")
        # the earlier address (unambiguous in the sample) still serves the same feed
        earlier = site / path.replace("payments/", "payments-")
        assert earlier.read_bytes() == (site / path).read_bytes()


def test_handoff_month_page_has_one_section_per_handoff(site: Path) -> None:
    html = (site / "handoffs/payments/2026-11/index.html").read_text()
    # Payments hands over primary and secondary every Monday 09:00 New York time;
    # November 2026 Mondays: 2, 9, 16, 23, 30 -> 5 handoffs a rotation, 10 sections.
    sections = re.findall(r"<h3 id=[^>]*>Payments (Primary|Secondary): handoff Mon (\d\d)", html)
    assert len(sections) == 10
    # NOW is Fri 27 Nov: the handoffs of Mon 23 Nov are in force and come first, then
    # Mon 30 Nov, then the earlier ones, newest first
    days = [day for _, day in sections]
    assert days == ["23", "23", "30", "30", "16", "16", "09", "09", "02", "02"]
    parts = re.findall(r"<h2 id=[^>]*>([^<]+)<", html)
    assert parts == [
        "In force now",
        "For every handoff",
        "Coming up (soonest first)",
        "Earlier (newest first)",
    ]
    # the team's checklist once a page, not once a handoff
    assert text(html).count("Check the release calendar for deploy freezes this week") == 1
    # the table of contents lists the page's parts, not every note (Material writes it
    # into the page twice; a month of daily handoffs has sixty)
    toc = set(re.findall(r'<a href="#([^"]+)" class="md-nav__link"', html))
    assert {"in-force-now", "coming-up-soonest-first", "earlier-newest-first"} <= toc
    assert not {a for a in toc if a.startswith(("primary-", "secondary-"))}
    # each note has the stable id a notification links to (rotation, team-local start)
    # and the permalink the site's other headings have
    assert (
        '<h3 id="primary-2026-11-23-0900">Payments Primary: handoff Mon 23 Nov 2026 09:00 EST'
        '<a class="headerlink" href="#primary-2026-11-23-0900" title="Permanent link">'
    ) in html
    # a note's sections: its id and what the section is
    subs = re.findall(r'<h4 id="([^"]+)">', html)
    assert subs and all(
        re.fullmatch(r"(primary|secondary)-2026-1[01]-\d\d-0900-(incidents|notes|coming)", a)
        for a in subs
    )


def test_html_blocks_come_back_into_every_page_and_leave_no_trace(site: Path) -> None:
    # the plugin lifts each marked HTML block past Markdown and puts it back: no page
    # keeps a placeholder or a marker, and the blocks are there (a person's pay table,
    # a handoff note's facts, the team's schedule)
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert "rotahtml" not in html and "rota:html" not in html, page
    person = (site / "people/amelia-hughes/index.html").read_text()
    assert '<th style="text-align: right;">Standby hours</th>' in person
    month = (site / "handoffs/payments/2026-11/index.html").read_text()
    assert "<li>Incoming: <strong>" in month
    assert (
        '<table class="rota-table rota-schedule">'
        in (site / "teams/payments/index.html").read_text()
    )


def test_next_handoffs_on_the_home_page_read_in_order(site: Path) -> None:
    home = (site / "index.html").read_text()
    table = home.split('id="next-handoffs"', 1)[1].split("</table>", 1)[0]
    assert "When (UTC)" in table
    stamps = re.findall(r'<tr><td><time datetime="([^"]+)">', table)
    instants = [datetime.fromisoformat(t) for t in stamps]
    assert len(instants) >= 4 and instants == sorted(instants)
    # shown in one zone, the organisation's, so the order shows: e.g. Identity's
    # Sat 28 Nov 08:00 AEDT is Fri 27 Nov 21:00 UTC, before Platform SRE's Sat 07:00 UTC
    shown = re.findall(r'<tr><td><time datetime="[^"]+">([^<]+)</time>', table)
    assert shown[:3] == ["Fri 27 Nov 19:00", "Fri 27 Nov 21:00", "Sat 28 Nov 07:00"]


def test_incident_tables_name_teams(site: Path) -> None:
    html = (site / "incidents/index.html").read_text()
    by_team = html.split('id="by-team"', 1)[1].split("</table>", 1)[0]
    assert '<td><a href="../teams/data-platform/">Data Platform</a></td>' in by_team
    assert "<td>data-platform</td>" not in by_team


def test_nav_holds_sections_not_every_person_or_runbook(site: Path) -> None:
    html = (site / "index.html").read_text()
    # The primary navigation sidebar, up to the page's content.
    nav = html.split("md-nav--primary", 1)[1].split('class="md-content"', 1)[0]
    assert "people/marcus-reid" not in nav
    assert "runbooks/payments/db-pool-exhausted" not in nav
    for section in ["Teams", "People", "Runbooks", "Handoffs", "Fairness", "Pay", "Severities"]:
        assert section in text(nav)


def test_site_loads_nothing_from_outside(site: Path) -> None:
    for page in site.rglob("*.html"):
        html = page.read_text()
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html):
            if 'rel="canonical"' in tag:
                continue  # names the page's address, loads nothing
            for url in re.findall(r'(?:src|href)="([^"]*)"', tag):
                assert "://" not in url and not url.startswith("//"), (page, tag)
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_fairness_pages_draw_charts_inline(site: Path) -> None:
    html = (site / "fairness/payments/index.html").read_text()
    # Two rotations on Payments: per rotation one small deviation chart per member (six
    # members, each line solid up to now and dashed after it) and three bar charts
    # (load, weekend, holiday).
    assert html.count('<svg class="rota-sm-chart"') == 12
    assert html.count('<svg class="rota-chart"') == 6
    assert html.count('class="rota-sm-line rota-sm-past"') == 12
    assert html.count('class="rota-sm-line rota-sm-future"') == 12
    assert "Load against target per member, Payments Primary" in html
    assert "Deviation over time per member, Payments Secondary" in html
    # A manager reading a large spread learns why: Data Platform is round-robin, which
    # balances neither shares nor weekends; fair rotations carry no such remark.
    heading = r'<h2 id="[^"]*">(.*?)<a[^>]*>[^<]*</a></h2>(.*?)(?=<h2 |</article>)'
    sections = dict(re.findall(heading, html, re.S))
    assert "round-robin" not in sections["Primary"]
    other = (site / "fairness/data-platform/index.html").read_text()
    sections = dict(re.findall(heading, other, re.S))
    assert "Assigned <strong>round-robin</strong>" in sections["Primary"]


def test_rota_fairness_spread_is_the_one_the_fairness_pages_show(
    built_sample: Path, site: Path
) -> None:
    """One spread: `rota fairness --format json` gives each rotation the number its
    team's fairness page shows, at the window's last handoff, which the page names."""
    result = CliRunner().invoke(
        cli, ["--root", str(built_sample), "fairness", "--now", NOW, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rotations = json.loads(result.stdout)["rotations"]
    tz = load_org(built_sample, datetime.fromisoformat(NOW)).org.settings.tz
    for team in sorted({r["team"] for r in rotations}):
        html = (site / f"fairness/{team}/index.html").read_text()
        shown = re.findall(
            r"Spread at the window['’]s last handoff, ([^,]+), of the deviations since the first"
            r" handoff: <strong>([0-9.]+) shifts</strong>",
            html,
        )
        ours = [r for r in rotations if r["team"] == team]
        assert [float(v) for _, v in shown] == [round(r["spread"], 2) for r in ours], team
        for (when, _), r in zip(shown, ours, strict=True):
            at = datetime.fromisoformat(r["spread_at"]).astimezone(tz)
            assert when == at.strftime("%a %d %b %Y %H:%M"), team
    # the worst team's spread on the index is its rotations' largest
    index = (site / "fairness/index.html").read_text()
    row = re.search(
        r'<a href="data-platform/">[^<]+</a></td><td>\d+</td><td>[0-9.]+</td><td>([0-9.]+)</td>',
        index,
    )
    assert row is not None
    worst = max(r["spread"] for r in rotations if r["team"] == "data-platform")
    assert float(row.group(1)) == round(worst, 2)


def test_fairness_and_pay_indexes_have_one_row_per_team_linking_its_page(site: Path) -> None:
    for index in ("fairness", "pay"):
        html = (site / index / "index.html").read_text()
        body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        teams = re.findall(r'<tr><td><a href="([a-z0-9-]+)/">', body)
        assert sorted(teams) == ["data-platform", "identity", "payments", "platform-sre"]
    fairness = (site / "fairness/index.html").read_text()
    rows = re.findall(
        r'<tr><td><a href="[a-z-]+/">[^<]+</a></td><td>\d+</td><td>([0-9.]+)</td>', fairness
    )
    largest = [float(v) for v in rows]
    assert largest == sorted(largest, reverse=True)  # worst first
    team = (site / "teams/payments/index.html").read_text()
    assert 'href="../../fairness/payments/"' in team
    assert 'href="../../pay/payments/"' in team


def test_two_builds_with_the_same_now_are_identical(
    site: Path, built_sample_org: Path, tmp_path: Path
) -> None:
    # the second build from the organisation as the first left it (a copy: the shared
    # site's folder is only read)
    (tmp_path / "again").mkdir()
    again = tmp_path / "again" / "site"
    build(built_sample_org, again)
    first, second = tree_digest(site), tree_digest(again)
    assert first.keys() == second.keys()
    assert {k for k in first if first[k] != second[k]} == set()
    # The gzip header of the sitemap carries a time: it comes from --now, not the clock.
    with (again / "sitemap.xml.gz").open("rb") as fh:
        header = fh.read(8)
    # MkDocs stamps the day of the build: 2026-11-27T00:00Z = 20784 days x 86400 s after
    # 1970-01-01 = 1795737600.
    assert int.from_bytes(header[4:8], "little") == 20784 * 86400 == 1_795_737_600
    assert gzip.decompress((again / "sitemap.xml.gz").read_bytes()).startswith(b"<?xml")
    assert "search_index.json" in " ".join(first)


HOSTILE_NAME = '<img src=x onerror="alert(1)"> [pwn](javascript:alert(2))'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with HTML, link tricks and javascript: URLs in free-text fields (names,
    notes, titles, runbook Markdown), pay unpublished and feeds published to another host.
    (URL fields holding javascript: are refused by validation before anything renders.)"""
    root = copy_org(tmp_path_factory.mktemp("hostile"))
    people = root / "rotations/people.yaml"
    people.write_text(
        people.read_text().replace("name: Marcus Reid", f"name: {json.dumps(HOSTILE_NAME)}")
    )
    team = root / "rotations/teams/payments.yaml"
    team.write_text(
        team.read_text().replace("name: Payments", 'name: "Pay<script>alert(3)</script>"')
    )
    settings = root / "rotations/settings.yaml"
    settings.write_text(
        settings.read_text()
        .replace("site: {publish_pay: true}", "site: {publish_pay: false}")
        .replace("base_url: null", 'base_url: "https://feeds.example.com/oncall"')
    )
    incidents = root / "rotations/incidents.yaml"
    incidents.write_text(
        incidents.read_text()
        + '  - {id: INC-999, title: "<script>alert(4)</script>", severity: SEV-2, team: payments,\n'
        + '     started: "2026-11-25T10:00:00Z", resolved: "2026-11-25T11:00:00Z",\n'
        + "     responders: [marcus-reid]}\n"
    )
    handoffs = root / "rotations/handoffs.yaml"
    handoffs.write_text(
        handoffs.read_text()
        + "  - team: payments\n    rotation: primary\n    date: 2026-11-30\n"
        + "    author: hannah-cole\n"
        + '    notes: "<b onmouseover=alert(6)>hover</b> [x](javascript:alert(7))"\n'
    )
    runbook = root / "runbooks/payments/db-pool-exhausted.md"
    runbook.write_text(
        runbook.read_text()
        + "\n\n<script>alert(9)</script>\n\n[click me](javascript:alert(10))\n\n"
        + '<a href="javascript:alert(11)" onclick="alert(12)">x</a>\n'
        + '<img src="x" onerror="alert(13)">\n\n'
        + '<p style="color:red" onmouseover="alert(14)">**still Markdown**</p>\n'
    )
    result = CliRunner().invoke(
        cli, ["--root", str(root), "build", "--now", NOW, "--out", str(root / "site")]
    )
    assert result.exit_code == 0, result.output
    return root / "site"


class ActiveContent(HTMLParser):
    """Collects what a browser would run or follow: event handlers, javascript: URLs,
    scripts, and the tags of elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.handlers: list[str] = []
        self.js_urls: list[str] = []
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")
            unsafe = ("javascript:", "data:", "vbscript:")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                unsafe
            ):
                self.js_urls.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def test_text_from_inputs_is_inert_on_every_page(hostile_site: Path) -> None:
    pages = list(hostile_site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        found = ActiveContent()
        found.feed(page.read_text())
        assert found.handlers == [], page
        assert found.js_urls == [], page
        assert not any("alert(" in script for script in found.scripts), page
        assert "iframe" not in found.tags, page
    # The hostile texts did reach the pages, as text.
    assert "alert(6)" in (hostile_site / "handoffs/payments/2026-11/index.html").read_text()
    assert "alert(4)" in (hostile_site / "handoffs/payments/2026-11/index.html").read_text()


def test_hostile_name_is_shown_as_written(hostile_site: Path) -> None:
    html = (hostile_site / "people/marcus-reid/index.html").read_text()
    import html as htmllib

    assert HOSTILE_NAME in htmllib.unescape(text(html))


def test_runbook_markdown_still_renders_after_sanitising(hostile_site: Path) -> None:
    html = (hostile_site / "runbooks/payments/db-pool-exhausted/index.html").read_text()
    assert '<h2 id="mitigation">' in html
    assert "<strong>still Markdown</strong>" not in html or "onmouseover" not in html
    assert ">click me<" in html or "click me" in text(html)
    # Dashboards stay links (validation already refuses non-http(s) addresses there).
    assert 'href="https://grafana.example.com/d/checkout-db-pool"' in html


def test_pay_page_is_absent_when_not_published(hostile_site: Path) -> None:
    assert not (hostile_site / "pay").exists()
    home = (hostile_site / "index.html").read_text()
    assert "pay/" not in re.findall(r'href="([^"]*)"', home)
    assert not any(h.rstrip("/").endswith("pay") for h in re.findall(r'href="([^"]*)"', home))


def test_feed_links_offer_https_and_webcal_when_feeds_are_published_elsewhere(
    hostile_site: Path,
) -> None:
    html = (hostile_site / "people/priya-shah/index.html").read_text()
    assert 'href="webcal://feeds.example.com/oncall/priya-shah.ics"' in html
    assert "https://feeds.example.com/oncall/priya-shah.ics" in html
    assert 'href="../../ical/priya-shah.ics"' in html


def test_mkdocs_plugin_builds_the_on_call_pages_beside_your_own(site: Path, tmp_path: Path) -> None:
    root = copy_org(tmp_path / "org")
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "about.md").write_text("# About our on-call\n")
    out = tmp_path / "plain"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=root,
        env={
            "PATH": "/usr/bin:/bin",
            "ROTA_NOW": NOW,
            "NO_MKDOCS_2_WARNING": "1",
            "ROTA_CACHE_DIR": os.environ["ROTA_CACHE_DIR"],  # the tests' memo folder
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    # The organisation's own page sits beside Rota's pages.
    assert (out / "about/index.html").is_file()
    # The same set of pages as `rota build`, and the same people on call on the home page.
    built = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    plain = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert plain - built == {"about/index.html"}
    assert built - plain == set()
    home = text((out / "index.html").read_text())
    names = json.loads((out / "data/directory.json").read_text())["people"]
    for entry in who_now(root):
        assert names[entry["person"]] in home


def test_search_reads_the_same_words_from_the_lighter_copy_of_each_page(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Material's search index reads a copy of each lifted block without the tags it
    # drops anyway (plugin.search_copy): built again with the blocks as written, every
    # page has the same sections, titles and text but for white space, where the copy
    # keeps a table's cells apart (Material's parser runs them together)
    import generator.mkdocs_plugin as plugin

    monkeypatch.setattr(plugin, "search_copy", lambda block: block)
    build(copy_org(tmp_path / "org"), tmp_path / "site")

    def entries(folder: Path) -> list[tuple[str, str, str]]:
        docs = json.loads((folder / "search/search_index.json").read_text())["docs"]
        return [(d["location"], d["title"], "".join(d["text"].split())) for d in docs]

    lighter, as_written = entries(site), entries(tmp_path / "site")
    assert len(lighter) > 1000
    assert lighter == as_written
    # and the words are there: a person's pay table, a handoff note with something to
    # hand over; a routine note (only who handed over to whom) is left out of the search
    texts = " ".join(t for _, _, t in lighter)
    assert "Standbyhours" in texts
    # a table's cells are words of their own: a pay table's row, as the search reads it
    pay = json.loads((site / "search/search_index.json").read_text())["docs"]
    row = " ".join(next(d["text"] for d in pay if d["location"] == "pay/payments/").split())
    assert re.search(r"Marcus Reid standard [\d,.]+ ", row), row[:300]
    indexed = {loc for loc, _, _ in lighter}
    seen = {True: 0, False: 0}
    for page in sorted(site.glob("handoffs/*/*/index.html")):
        month = page.read_text()
        url = page.parent.relative_to(site).as_posix() + "/"
        for anchor in re.findall(r'<h3 id="([^"]+)">', month):
            if not re.fullmatch(r"[a-z0-9-]+-\d{4}-\d\d-\d\d-\d{4}", anchor):
                continue  # the checklist, escalation and runbooks every handoff shares
            section = month.split(f'<h3 id="{anchor}">', 1)[1].split("<h3 ", 1)[0]
            routine = "No incidents during the outgoing shift, no notes from it" in section
            routine = routine and "Uncovered" not in section
            assert (f"{url}#{anchor}" in indexed) != routine, (url, anchor)
            seen[routine] += 1
    assert seen[True] > 10 and seen[False] > 10
