"""The site in a real headless Chromium (Debian's, through Playwright; Playwright never
downloads a browser): live "now", search, instant navigation, offline, no console
errors, and an axe-core accessibility check."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW, REPO

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "",
    "team": "teams/payments/",
    "person": "people/marcus-reid/",
    "runbook": "runbooks/payments/db-pool-exhausted/",
    "fairness": "fairness/",
    "team fairness": "fairness/payments/",
    "team pay": "pay/payments/",
}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The sample organisation built with --now NOW, served on 127.0.0.1 by a local
    http.server thread. settings.site.url names that server: Material's instant
    navigation follows only links in sitemap.xml, matched with their port."""
    root = tmp_path_factory.mktemp("browser")
    for name in ("rotations", "runbooks", "postmortems"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    handler = functools.partial(QuietHandler, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    settings = root / "rotations" / "settings.yaml"
    text = settings.read_text()
    assert "site: {publish_pay: true}" in text
    settings.write_text(
        text.replace("site: {publish_pay: true}", f'site: {{publish_pay: true, url: "{base}"}}')
    )
    result = CliRunner().invoke(
        cli, ["--root", str(root), "build", "--now", NOW, "--out", str(root / "site")]
    )
    assert result.exit_code == 0, result.output
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, base
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def org(served: tuple[Path, str]) -> Path:
    return served[0]


@pytest.fixture(scope="module")
def base_url(served: tuple[Path, str]) -> str:
    return served[1]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """What a page did: requests leaving the local server, console errors."""

    def __init__(self, page: Any, base: str):
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))
        self.base = base
        # Anything not for the local server is refused (and recorded above).
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(base) else route.abort()
            ),
        )

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.base):
            self.outside.append(request.url)


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    watch = Watch(pg, base_url)
    try:
        yield pg, watch
    finally:
        context.close()


def who(org: Path, at: str) -> dict[str, str]:
    """``rota who --format json`` as {team/rotation: person name}."""
    result = CliRunner().invoke(
        cli, ["--root", str(org), "who", "--now", NOW, "--at", at, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    names = json.loads((org / "site" / "data" / "directory.json").read_text())["people"]
    return {
        f"{e['team']}/{e['rotation']}": names[e["person"]]
        for e in json.loads(result.stdout)["oncall"]
    }


def shown_now(pg: Any) -> dict[str, str]:
    """The "on call now" rows, read in one step: the live script may redraw the table
    (after an instant navigation, on its minute timer) between separate look-ups."""
    rows = pg.evaluate(
        """() => [...document.querySelectorAll('[data-rota-live] tr[data-rota-now]')].map(
            (row) => [row.getAttribute('data-team'), row.getAttribute('data-rotation'),
                      row.querySelector('[data-rota-person]').innerText.trim()])"""
    )
    return {
        f"{team}/{rotation}": person
        for team, rotation, person in rows
        if not person.startswith("Nobody")
    }


def settled_now(pg: Any, expected: dict[str, str], seconds: float = 15.0) -> dict[str, str]:
    """``shown_now`` once it shows ``expected``, or after ``seconds`` what it shows then:
    the live script fills the table a moment after the page (or an instant navigation)."""
    import time

    deadline = time.monotonic() + seconds
    shown = shown_now(pg)
    while shown != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        shown = shown_now(pg)
    return shown


def wait_live(pg: Any) -> None:
    pg.wait_for_selector("[data-rota-live][data-rota-state=live]", timeout=15000)


def test_home_page_shows_who_rota_who_names(
    page: tuple[Any, Watch], base_url: str, org: Path
) -> None:
    pg, watch = page
    pg.clock.set_fixed_time(NOW)
    pg.goto(base_url)
    wait_live(pg)
    expected = who(org, NOW)
    assert expected  # someone is on call in the sample at NOW
    assert shown_now(pg) == expected
    assert watch.outside == [] and watch.errors == []


def test_live_widget_follows_the_readers_clock(
    page: tuple[Any, Watch], base_url: str, org: Path
) -> None:
    # Four days after the build, Monday's handoffs have happened: the page built at NOW
    # must show who is on call at the reader's time, not at build time.
    later = (datetime.fromisoformat(NOW.replace("Z", "+00:00")) + timedelta(days=4)).isoformat()
    pg, watch = page
    pg.clock.set_fixed_time(later)
    pg.goto(base_url)
    wait_live(pg)
    expected = who(org, later)
    assert expected != who(org, NOW)
    assert shown_now(pg) == expected
    assert watch.outside == [] and watch.errors == []


def test_home_page_without_javascript_shows_the_build_time_answer(
    browser: Any, base_url: str, org: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(base_url)
        assert shown_now(pg) == who(org, NOW)
    finally:
        context.close()


def test_runbook_is_found_through_the_search_box(page: tuple[Any, Watch], base_url: str) -> None:
    pg, watch = page
    # The reader's own clock here: Material's search debounces its input with timers
    # that a frozen clock would stall.
    pg.goto(base_url)
    pg.keyboard.press("/")  # Material's shortcut opens the search dialog
    pg.keyboard.type("connection pool exhausted")
    result = pg.locator(".md-search-result__link:visible").filter(
        has_text="Checkout database connection pool exhausted"
    )
    result.first.wait_for(timeout=15000)
    result.first.click()
    pg.wait_for_url("**/runbooks/payments/db-pool-exhausted/**")
    from playwright.sync_api import expect

    expect(pg).to_have_title("Checkout database connection pool exhausted - On call")
    assert watch.outside == [] and watch.errors == []


def test_instant_navigation_to_a_team_keeps_the_live_widget_working(
    page: tuple[Any, Watch], base_url: str, org: Path
) -> None:
    pg, watch = page
    pg.clock.set_fixed_time(NOW)
    pg.goto(base_url)
    wait_live(pg)
    pg.evaluate("window.__sameDocument = true")
    # Material resolves links to absolute addresses once its instant navigation is on.
    pg.locator(".md-content a[href$='/teams/payments/']").first.click()
    pg.wait_for_url("**/teams/payments/")
    pg.wait_for_selector("h1:text('Payments')")
    # Still the same document (Material's instant navigation), and the widget updated.
    assert pg.evaluate("window.__sameDocument === true")
    wait_live(pg)
    expected = {k: v for k, v in who(org, NOW).items() if k.startswith("payments/")}
    assert settled_now(pg, expected) == expected
    assert watch.outside == [] and watch.errors == []


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_have_no_serious_accessibility_violations(
    page: tuple[Any, Watch], base_url: str, name: str
) -> None:
    pg, watch = page
    pg.clock.set_fixed_time(NOW)
    pg.goto(base_url + PAGES[name])
    pg.wait_for_load_state("networkidle")
    pg.add_script_tag(path=str(AXE))
    results = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert watch.outside == [] and watch.errors == []


REVIEW_PAGES = {
    "postmortems": "postmortems/",
    "postmortem": "postmortems/inc-121/",
    "actions": "actions/",
    "incidents": "incidents/",
    "load": "incidents/load/",
}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", sorted(REVIEW_PAGES))
def test_review_pages_load_cleanly_and_accessibly_on_phone_and_desktop(
    browser: Any, base_url: str, name: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900})
    try:
        pg = context.new_page()
        watch = Watch(pg, base_url)
        pg.clock.set_fixed_time(NOW)
        pg.goto(base_url + REVIEW_PAGES[name])
        pg.wait_for_load_state("networkidle")
        assert pg.locator("h1").first.is_visible()
        pg.add_script_tag(path=str(AXE))
        results = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
        # nothing wider than the screen but the scrollable tables inside their wrappers
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert watch.outside == [] and watch.errors == []
    finally:
        context.close()


def test_team_fairness_page_on_a_phone_is_readable_and_axe_clean(
    browser: Any, base_url: str
) -> None:
    """At 390 px wide (a phone): the page does not scroll sideways (wide tables scroll in
    their own box), each rotation's deviation chart is one small chart per member, each
    headed by the member's name and as wide as the screen allows, and axe-core finds no
    violation at all."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        pg = context.new_page()
        watch = Watch(pg, base_url)
        pg.clock.set_fixed_time(NOW)
        pg.goto(base_url + "fairness/payments/")
        pg.wait_for_load_state("networkidle")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        grids = pg.locator(".rota-sm-grid")
        assert grids.count() == 2  # Primary and Secondary
        for i in range(grids.count()):
            figures = grids.nth(i).locator("figure.rota-sm")
            assert figures.count() == 6
            assert figures.first.locator("figcaption strong").inner_text() == "Marcus Reid"
            for j in range(figures.count()):
                box = figures.nth(j).locator("svg.rota-sm-chart").bounding_box()
                assert box is not None and 300 < box["width"] <= 390
        pg.add_script_tag(path=str(AXE))
        results = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        found = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
            for v in results["violations"]
        ]
        assert found == []
        assert watch.outside == [] and watch.errors == []
    finally:
        context.close()


def test_team_page_links_to_its_fairness_and_pay_pages(
    page: tuple[Any, Watch], base_url: str
) -> None:
    from playwright.sync_api import expect

    pg, watch = page
    pg.goto(base_url + "teams/payments/")
    pg.get_by_role("link", name="Fairness of Payments").click()
    pg.wait_for_url("**/fairness/payments/")
    # instant navigation swaps the content in after the address changes: click in the
    # new page, not in the old one (both have an "All teams" link)
    expect(pg.locator("h1")).to_have_text(re.compile(r"^Fairness: Payments\W*$"))
    pg.get_by_role("link", name="Pay of Payments").first.click()
    pg.wait_for_url("**/pay/payments/")
    expect(pg.locator("h1")).to_have_text(re.compile(r"^Pay: Payments\W*$"))
    pg.get_by_role("link", name="All teams").click()
    pg.wait_for_url("**/pay/")
    expect(pg.locator("h1")).to_have_text(re.compile(r"^Pay\W*$"))
    expect(pg.locator("table a[href$='pay/payments/']")).to_have_count(1)
    assert watch.outside == [] and watch.errors == []


@pytest.fixture(scope="module")
def offline_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample organisation built with ``rota build --offline --now NOW``: a site
    to open from disk, with no server."""
    root = tmp_path_factory.mktemp("offline")
    for name in ("rotations", "runbooks", "postmortems"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("*.state.json"))
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    result = CliRunner().invoke(cli, ["--root", str(root), "build", "--offline", "--now", NOW])
    assert result.exit_code == 0, result.output
    return root


def test_offline_site_opened_from_disk_links_searches_and_stays_live(
    browser: Any, offline_org: Path
) -> None:
    """From a file:// address: home → a team → a runbook → search → a person, every
    link opening a page (not a folder listing), search answering, "on call now" following
    the reader's clock, nothing requested from outside the folder, no console error."""
    from playwright.sync_api import expect

    base = (offline_org / "site").as_uri() + "/"
    # Four days after the build: the live answer differs from the build-time one, so the
    # names shown come from the schedule read from disk, not from the page as built.
    later = (datetime.fromisoformat(NOW.replace("Z", "+00:00")) + timedelta(days=4)).isoformat()
    expected = who(offline_org, later)
    assert expected != who(offline_org, NOW)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = context.new_page()
        watch = Watch(pg, base)
        # time flows on from `later`: Material's search debounces its input with timers
        pg.clock.install(time=later)
        pg.goto(base + "index.html")
        wait_live(pg)
        assert shown_now(pg) == expected

        pg.locator(".md-content a[href='teams/payments/index.html']").first.click()
        pg.wait_for_url(base + "teams/payments/index.html")
        expect(pg.locator("h1")).to_have_text(re.compile(r"^Payments\W*$"))
        wait_live(pg)
        payments = {k: v for k, v in expected.items() if k.startswith("payments/")}
        assert payments and settled_now(pg, payments) == payments

        pg.get_by_role("link", name="Checkout database connection pool exhausted").first.click()
        pg.wait_for_url(base + "runbooks/payments/db-pool-exhausted.html")
        expect(pg).to_have_title("Checkout database connection pool exhausted - On call")

        pg.keyboard.press("/")  # Material's shortcut opens the search dialog
        pg.keyboard.type("replication lag")
        result = pg.locator(".md-search-result__link:visible").filter(
            has_text="Ledger Postgres replication lag"
        )
        result.first.wait_for(timeout=15000)
        result.first.click()
        pg.wait_for_url(
            re.compile(re.escape(base + "runbooks/payments/ledger-replication-lag.html"))
        )
        expect(pg).to_have_title("Ledger Postgres replication lag - On call")

        # the owning team, then the person the live script names on call there
        pg.locator(".rota-meta a", has_text="Payments").click()
        pg.wait_for_url(base + "teams/payments/index.html")
        wait_live(pg)
        person = pg.locator("[data-rota-live] tr[data-rota-now] [data-rota-person] a").first
        name = person.inner_text().strip()
        assert name in payments.values()
        person.click()
        pg.wait_for_url(re.compile(re.escape(base + "people/") + r"[a-z-]+/index\.html$"))
        expect(pg.locator("h1")).to_have_text(re.compile(rf"^{re.escape(name)}\W*$"))
        assert watch.outside == [] and watch.errors == []
    finally:
        context.close()


def test_offline_site_without_javascript_shows_the_build_time_answer(
    browser: Any, offline_org: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto((offline_org / "site" / "index.html").as_uri())
        assert shown_now(pg) == who(offline_org, NOW)
    finally:
        context.close()


# A key column and the column furthest right of each wide table, by page.
WIDE_TABLES = {
    "fairness/payments/": ("Member", "Deviation since first handoff"),
    "incidents/": ("Severity", "To mitigate p95"),
}


@pytest.mark.parametrize("path", sorted(WIDE_TABLES))
def test_wide_tables_on_a_phone_scroll_inside_and_keep_their_first_column(
    browser: Any, base_url: str, path: str
) -> None:
    """At 390 px the page itself never scrolls sideways; the table's last column (the
    deviation, the time to mitigate) is reached by scrolling inside the table's own box,
    and the first column (whom or what the row is about) stays in view while it does."""
    first, last = WIDE_TABLES[path]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        pg = context.new_page()
        watch = Watch(pg, base_url)
        pg.clock.set_fixed_time(NOW)
        pg.goto(base_url + path)
        pg.wait_for_load_state("networkidle")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        wrapper = pg.locator(".rota-scroll").filter(has=pg.locator(f"th:text-is('{last}')")).first
        sizes = wrapper.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
        assert sizes[0] > sizes[1]  # wider than the phone: it scrolls, inside its box
        wrapper.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
        head = wrapper.locator(f"th:text-is('{last}')")
        key = wrapper.locator(f"th:text-is('{first}')")
        last_box, key_box = head.bounding_box(), key.bounding_box()
        assert last_box is not None and key_box is not None
        assert last_box["x"] >= 0 and last_box["x"] + last_box["width"] <= 390 + 0.5
        assert 0 <= key_box["x"] < 40  # still at the left edge, readable
        assert last_box["x"] >= key_box["x"] + key_box["width"] - 0.5  # not hidden under it
        assert watch.outside == [] and watch.errors == []
    finally:
        context.close()


TINY_ORG = """\
settings:
  organisation: Tiny
  timezone: UTC
people:
  - {id: ada, name: Ada Moss, timezone: Europe/London}
  - {id: ben, name: Ben Okoro, timezone: Europe/London}
  - {id: eve, name: Eve Sato, timezone: Asia/Tokyo}
teams:
  - id: ops
    name: Ops
    timezone: Europe/London
    rotations:
      - {id: primary, name: Primary, members: [ada, ben], start: "2026-11-02 09:00", shift: 1w}
  - id: new
    name: New Team
    timezone: Asia/Tokyo
    rotations:
      - {id: primary, name: Primary, members: [eve], start: "2027-01-04 09:00", shift: 1w}
"""


@pytest.fixture(scope="module")
def tiny_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small organisation without settings.site.url, built and served locally."""
    root = tmp_path_factory.mktemp("tiny-browser")
    (root / "rotations").mkdir()
    (root / "rotations" / "org.yaml").write_text(TINY_ORG)
    result = CliRunner().invoke(
        cli, ["--root", str(root), "build", "--now", NOW, "--out", str(root / "site")]
    )
    assert result.exit_code == 0, result.output
    handler = functools.partial(QuietHandler, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_subscription_addresses_are_the_sites_own_without_site_url(
    browser: Any, tiny_served: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = context.new_page()
        watch = Watch(pg, tiny_served)
        pg.clock.set_fixed_time(NOW)
        for path, feed in (("people/ada/", "ada.ics"), ("teams/ops/", "team-ops.ics")):
            pg.goto(tiny_served + path)
            pg.wait_for_load_state("networkidle")
            address = tiny_served + "ical/" + feed
            webcal = "webcal://" + address.split("://", 1)[1]
            block = pg.locator("[data-rota-feed]")
            assert block.locator("[data-rota-feed-https]").inner_text() == address
            assert block.locator("[data-rota-feed-webcal-text]").inner_text() == webcal
            assert block.locator("a[data-rota-feed-webcal]").get_attribute("href") == webcal
        assert watch.outside == [] and watch.errors == []
    finally:
        context.close()


def test_a_rotation_not_started_still_says_so_when_the_page_goes_live(
    browser: Any, tiny_served: str
) -> None:
    """When the live script redraws the row (here: the page's answer is marked out of
    date), the rotation that has not started still says when it starts and with whom,
    not "outside coverage"."""
    row_start = 'data-team="new" data-rotation="primary" data-rota-key="'

    def out_of_date(route: Any) -> None:
        response = route.fetch()
        body = response.text()
        assert row_start in body
        route.fulfill(response=response, body=body.replace(row_start, row_start + "stale"))

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = context.new_page()
        watch = Watch(pg, tiny_served)
        pg.route(tiny_served, out_of_date)
        pg.clock.set_fixed_time(NOW)
        pg.goto(tiny_served)
        wait_live(pg)
        row = pg.locator('tr[data-team="new"]')
        assert not (row.get_attribute("data-rota-key") or "").startswith("stale")  # redrawn
        cell = row.locator("[data-rota-person]")
        # the browser names the zone its own way (Intl, en-US): GMT+9 for Tokyo
        assert " ".join(cell.inner_text().split()) == (
            "Not started: starts Mon 04 Jan 09:00 GMT+9 with Eve Sato"
        )
        assert cell.locator("a").get_attribute("href") == tiny_served + "people/eve/"
        assert watch.outside == [] and watch.errors == []
    finally:
        context.close()


def test_table_pages_keep_the_menu_on_a_phone(browser: Any, base_url: str) -> None:
    """Table pages hide the left sidebar to widen the content on a wide screen, but on a
    phone the menu (the same sidebar, as a drawer) still holds the navigation."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        pg = context.new_page()
        watch = Watch(pg, base_url)
        pg.goto(base_url + "fairness/payments/")
        pg.click("label.md-header__button[for=__drawer]")
        teams = pg.locator(".md-sidebar--primary").get_by_role("link", name="Teams", exact=True)
        expect(teams).to_be_visible()
        assert watch.outside == [] and watch.errors == []
    finally:
        context.close()


TABLE_BOXES = """() => [...document.querySelectorAll('article table')].map((t) => {
  const box = t.closest('.rota-scroll');
  const holder = box || t.parentElement;
  return {
    head: t.querySelector('th') ? t.querySelector('th').textContent : '',
    table: t.getBoundingClientRect().width,
    container: holder.clientWidth,
    scroll: box !== null,
    scrollWidth: box ? box.scrollWidth : 0,
    boxRight: holder.getBoundingClientRect().right,
  };
})"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", sorted(REVIEW_PAGES))
def test_review_tables_are_never_clipped_on_a_phone_or_a_desktop(
    browser: Any, base_url: str, name: str, width: int
) -> None:
    """At 1280 px a table wider than its container is inside a box of its own that
    scrolls; at 390 px the page does not scroll sideways and each wide table scrolls
    inside its box, which stays on the screen."""
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 600 else 900}, is_mobile=width < 600
    )
    try:
        pg = context.new_page()
        pg.clock.set_fixed_time(NOW)
        pg.goto(base_url + REVIEW_PAGES[name])
        pg.wait_for_load_state("networkidle")
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        tables = pg.evaluate(TABLE_BOXES)
        assert tables, "each review page has a table"
        for t in tables:
            assert t["boxRight"] <= width + 0.5, t  # the box itself is on the screen
            if t["table"] > t["container"] + 0.5:  # wider than its container ...
                assert t["scroll"], t  # ... only inside a scroll box, which scrolls
                assert t["scrollWidth"] > t["container"], t
        if width == 390:
            assert any(t["table"] > t["container"] + 0.5 for t in tables)  # phones scroll
    finally:
        context.close()


def test_incident_log_fits_a_desktop_and_links_each_incident(browser: Any, base_url: str) -> None:
    """The incident log's last column is in view at 1280 px without scrolling; each id
    links to the postmortem page, the postmortem kept elsewhere, or its own row; the
    charts are drawn at one size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = context.new_page()
        pg.clock.set_fixed_time(NOW)
        pg.goto(base_url + "incidents/")
        pg.wait_for_load_state("networkidle")
        log = pg.locator(".rota-scroll").filter(has=pg.locator("th:text-is('Postmortem')"))
        sizes = log.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
        assert sizes[0] <= sizes[1]
        links = {
            row.locator("td").first.inner_text(): row.locator("td a").first.get_attribute("href")
            for row in log.locator("tbody tr").all()
        }
        # sample log at NOW: INC-128 has a postmortem here, INC-126 a link to the wiki,
        # INC-127 neither (a SEV-4 needs none)
        assert links["INC-128"] == base_url + "postmortems/inc-128/"
        assert links["INC-126"] == "https://wiki.example.com/postmortems/INC-126"
        assert links["INC-127"] == base_url + "incidents/#inc-127"
        pg.locator("td a:text-is('INC-127')").click()
        assert pg.url.endswith("#inc-127")
        widths = pg.locator("svg.rota-chart").evaluate_all(
            "(els) => els.map((e) => Math.round(e.getBoundingClientRect().width))"
        )
        # MTTA, MTTR and per month in the window; incidents and sleep-hour pages per month
        # over the whole log
        assert len(widths) == 5 and len(set(widths)) == 1, widths
    finally:
        context.close()
