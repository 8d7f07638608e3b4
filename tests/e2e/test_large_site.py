"""A generated organisation of about 300 pages (8 teams, 16 rotations, 45 people, 60
runbooks, handoff months, per-team fairness and pay), built as a new user would: with a minimal
mkdocs.yml (site_name, site_url, Material without web fonts, no ``nav``), the one
MkDocs' own documentation starts from. Rota must keep the navigation small by itself,
so no page carries a link to every other page. Sizes, not times: nothing here is timed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW, REPO

sys.path.insert(0, str(REPO / "bench"))
from make_org import write_org

MINIMAL = (
    "site_name: Example on call\n"
    "site_url: https://oncall.example.com/\n"
    "theme:\n  name: material\n  font: false\n"
)
SECTIONS = [
    "Home",
    "Teams",
    "People",
    "Runbooks",
    "Handoffs",
    "Fairness",
    "Pay",
    "Severities",
    "Postmortems",
    "Actions",
    "Incidents",
]
# With its small navigation, the heaviest page of this organisation is about 130 KB (a
# month of a 12-hour follow-the-sun team's handoff notes). With every page in the
# navigation (what MkDocs does without a nav), measured on a 400-page organisation of
# the same kind: the lightest page 430 KB, the median 445 KB. Only a full navigation
# reaches this:
LIGHT = 250 * 1024


def nav_links(html: str) -> list[str]:
    """The addresses in a page's main navigation (Material's primary sidebar), without the
    page's own table of contents (links to #anchors)."""
    start = html.index('class="md-nav md-nav--primary"')
    end = html.index('class="md-sidebar md-sidebar--secondary"', start)
    hrefs = re.findall(r'<a href="([^"]*)"[^>]*class="md-nav__link', html[start:end])
    return [h for h in hrefs if not h.startswith("#")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("large") / "org"
    write_org(root, 8, 45, 60, 7, 2026)
    (root / "mkdocs.yml").write_text(MINIMAL)
    result = CliRunner().invoke(cli, ["--root", str(root), "build", "--now", NOW])
    assert result.exit_code == 0, result.output
    return root / "site"


def test_minimal_mkdocs_yml_keeps_every_page_light(built: Path) -> None:
    pages = {p.relative_to(built).as_posix(): p for p in built.rglob("*.html")}
    pages.pop("404.html")
    assert len(pages) >= 250
    sizes = {rel: p.stat().st_size for rel, p in pages.items()}
    heaviest = max(sizes, key=lambda rel: sizes[rel])
    assert sizes[heaviest] < LIGHT, (heaviest, sizes[heaviest])
    for rel, path in pages.items():
        links = nav_links(path.read_text(encoding="utf-8"))
        assert len(links) <= len(SECTIONS), (rel, len(links))


def test_rota_supplies_its_sections_as_the_navigation(built: Path) -> None:
    html = (built / "teams" / "team-001" / "index.html").read_text(encoding="utf-8")
    start = html.index('class="md-nav md-nav--primary"')
    end = html.index('class="md-sidebar md-sidebar--secondary"', start)
    titles = re.findall(r'<span class="md-ellipsis">\s*([^<]+?)\s*</span>', html[start:end])
    assert [t for t in titles if t in SECTIONS] == SECTIONS
    assert nav_links(html) == [
        "../..",
        "../",
        "../../people/",
        "../../runbooks/",
        "../../handoffs/",
        "../../fairness/",
        "../../pay/",
        "../../severities/",
        "../../postmortems/",
        "../../actions/",
        "../../incidents/",
    ]


def test_home_page_groups_rotations_by_team_and_folds_beyond_a_screenful(built: Path) -> None:
    html = (built / "index.html").read_text(encoding="utf-8")
    now = html[html.index("data-rota-live") : html.index("data-rota-status")]
    groups = re.findall(r'<tr class="rota-group"><th colspan="4" scope="colgroup">', now)
    assert len(groups) == 8  # one header per team
    shown, folded = now.split('<details class="rota-more" data-rota-more>')
    assert 0 < shown.count("data-rota-now ") <= 15
    assert shown.count("data-rota-now ") + folded.count("data-rota-now ") == 16
    assert re.search(r"<summary>\d+ more rotations? in \d+ more teams?</summary>", folded)
    assert 'id="rota-filter"' in shown


@pytest.mark.browser
def test_home_filter_finds_a_folded_team_and_the_live_update_keeps_working(built: Path) -> None:
    """In Chromium: typing a folded team's name shows only its rotations, opens the fold,
    says how many match, and the live script still fills in who is on call."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, QuietHandler, Watch

    handler = functools.partial(QuietHandler, directory=str(built))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                pg = browser.new_page(viewport={"width": 1280, "height": 900})
                watch = Watch(pg, base)
                pg.clock.set_fixed_time(NOW)
                pg.goto(base)
                pg.wait_for_selector("[data-rota-live][data-rota-state=live]", timeout=15000)
                more = pg.locator("details[data-rota-more]")
                assert more.get_attribute("open") is None
                folded_team = (more.locator("tr.rota-group").last.text_content() or "").strip()
                assert folded_team.startswith("Team ")
                pg.fill("#rota-filter", folded_team)
                visible = pg.locator("tr[data-rota-now]:visible")
                assert visible.count() == 2  # the team's two rotations
                assert more.get_attribute("open") is not None
                status = pg.locator("[data-rota-filter-status]").inner_text()
                assert status == "2 of 16 rotations match"
                for i in range(visible.count()):
                    person = visible.nth(i).locator("[data-rota-person]").inner_text()
                    assert person.strip()
                pg.fill("#rota-filter", "")
                assert pg.locator("tr[data-rota-now]:visible").count() == 16
                assert watch.outside == [] and watch.errors == []
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
