"""The team fairness chart in a real headless Chromium, at a phone's width (390 px) and a
desktop's (1280 px): one small chart per member, a "today" line where today is, the past
and the planned future drawn differently, no two labels overlapping, a member who joins
later drawn from their first handoff, and nothing axe-core objects to."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW
from tests.e2e.test_browser import AXE, CHROMIUM, CHROMIUM_ARGS, QuietHandler, Watch

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]
VIEWBOX_WIDTH = 280  # render/charts.py: WIDTH; the plot runs from x = 34 to 270 (236 wide)


@pytest.fixture(scope="module")
def base_url(built_sample: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(built_sample / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(browser: Any, base_url: str, path: str, width: int) -> tuple[Any, Any, Watch]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    pg = context.new_page()
    watch = Watch(pg, base_url)
    pg.clock.set_fixed_time(NOW)
    pg.goto(base_url + path)
    pg.wait_for_load_state("networkidle")
    return context, pg, watch


def in_viewbox(svg: Any, x: float) -> float:
    """A page x coordinate as the chart's own viewBox x."""
    box = svg.bounding_box()
    return (x - box["x"]) / box["width"] * VIEWBOX_WIDTH


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Two boxes share more than half a pixel each way."""
    dx = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    dy = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return dx > 0.5 and dy > 0.5


@pytest.mark.parametrize("width", WIDTHS)
def test_one_chart_per_member_with_today_where_today_is(
    browser: Any, base_url: str, width: int
) -> None:
    context, pg, watch = open_page(browser, base_url, "fairness/payments/", width)
    try:
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        grids = pg.locator(".rota-sm-grid")
        assert grids.count() == 2  # Primary and Secondary
        for g in range(2):
            figures = grids.nth(g).locator("figure.rota-sm")
            # six members, one chart each, in the rotation's member order
            assert figures.count() == 6
            assert figures.first.locator("figcaption strong").inner_text() == "Marcus Reid"
            for i in range(6):
                svg = figures.nth(i).locator("svg.rota-sm-chart")
                assert svg.get_attribute("data-start") == "2026-08-31T09:00:00-04:00"
                assert svg.get_attribute("data-end") == "2027-05-24T09:00:00-04:00"
                today = svg.locator("line.rota-sm-today")
                assert today.count() == 1
                assert today.get_attribute("data-at") == "2026-11-27T12:00:00+00:00"
                # Payments hands off Mondays 09:00 New York: the window's first handoff
                # is 31 Aug 2026 13:00 UTC, its last 24 May 2027 13:00 UTC, 266 days
                # apart; now (27 Nov 12:00 UTC) is 87 d 23 h = 87.9583 d after the
                # first: x = 34 + 236 x 87.9583 / 266 = 112.04
                box = today.bounding_box()
                assert abs(in_viewbox(svg, box["x"] + box["width"] / 2) - 112.04) < 1.0
                assert svg.locator("text.rota-sm-today-label").text_content() == "today"
        assert watch.outside == [] and watch.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_planned_future_is_drawn_fainter_and_dashed(
    browser: Any, base_url: str, width: int
) -> None:
    context, pg, _ = open_page(browser, base_url, "fairness/payments/", width)
    try:
        svg = pg.locator("svg.rota-sm-chart").first
        style = """e => { const s = getComputedStyle(e);
            return [s.strokeOpacity, s.strokeDasharray, e.getBBox().x, e.getBBox().width] }"""
        past = svg.locator("polyline.rota-sm-past").evaluate(style)
        future = svg.locator("polyline.rota-sm-future").evaluate(style)
        assert past[:2] == ["1", "none"]
        assert float(future[0]) < 0.6 and future[1] != "none"
        # the past ends where the future begins (the last handoff before now) and both
        # stay on their side of today (112.04; the last handoff before it is 23 Nov,
        # 84 d after the first: 34 + 236 x 84 / 266 = 108.5)
        assert abs(past[2] + past[3] - 108.5) < 0.2 and abs(future[2] - 108.5) < 0.2
        planned = svg.locator("rect.rota-sm-planned")
        assert abs(float(planned.get_attribute("x") or 0) - 112.0) < 0.1
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("team", ["payments", "data-platform", "platform-sre"])
def test_no_two_labels_overlap(browser: Any, base_url: str, width: int, team: str) -> None:
    context, pg, _ = open_page(browser, base_url, f"fairness/{team}/", width)
    try:
        figures = pg.locator("figure.rota-sm")
        assert figures.count() >= 3
        for i in range(figures.count()):
            figure = figures.nth(i)
            svg = figure.locator("svg.rota-sm-chart")
            boxes = [t.bounding_box() for t in svg.locator("text").all()]
            assert len(boxes) >= 5  # the scale (0, ±1), two dates, "today"
            for a in range(len(boxes)):
                for b in range(a + 1, len(boxes)):
                    assert not overlap(boxes[a], boxes[b]), (team, i, a, b)
            # every label inside its chart, and the chart's heading above it
            chart = svg.bounding_box()
            for box in boxes:
                assert box["x"] >= chart["x"] - 0.5
                assert box["x"] + box["width"] <= chart["x"] + chart["width"] + 0.5
            head = figure.locator("figcaption").bounding_box()
            assert head["y"] + head["height"] <= chart["y"] + 0.5
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_member_who_joins_later_starts_at_their_first_handoff(
    browser: Any, base_url: str, width: int
) -> None:
    context, pg, _ = open_page(browser, base_url, "fairness/data-platform/", width)
    try:
        meera = pg.locator('figure.rota-sm[data-person="meera-pillai"]')
        assert "joins 04 Jan 2027" in meera.locator("figcaption").inner_text()
        svg = meera.locator("svg.rota-sm-chart")
        # Data Platform hands off Mondays 10:00 Kolkata (04:30 UTC): the window runs from
        # 31 Aug 2026 to 24 May 2027 (266 days); Meera joins on 4 Jan 2027, whose
        # handoff is 126 days after the first: x = 34 + 236 x 126 / 266 = 145.79
        start = svg.locator("circle.rota-sm-start")
        box = start.bounding_box()
        assert abs(in_viewbox(svg, box["x"] + box["width"] / 2) - 145.79) < 1.0
        # after today, so all of her line is planned: no past, and nothing before the dot
        assert svg.locator("polyline.rota-sm-past").count() == 0
        line = svg.locator("polyline.rota-sm-future")
        first_x = float((line.get_attribute("points") or "").split()[0].split(",")[0])
        assert abs(first_x - 145.8) < 0.1
        # everyone else is drawn from the window's first handoff
        rohan = pg.locator('figure.rota-sm[data-person="rohan-iyer"] polyline.rota-sm-past')
        assert (rohan.get_attribute("points") or "").startswith("34.0,")
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_team_fairness_page_is_axe_clean(browser: Any, base_url: str, width: int) -> None:
    context, pg, watch = open_page(browser, base_url, "fairness/data-platform/", width)
    try:
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
