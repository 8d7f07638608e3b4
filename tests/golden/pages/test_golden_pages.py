"""Golden pages: the Markdown Rota renders for a small organisation, reviewed by hand.

``org/`` is a one-team organisation (round-robin, so the schedule is obvious: Ada from
Mon 2 Nov 09:00 London, then Ben, then Cleo, weekly) with hostile text in a name, a
leave note, a checklist item and runbook Markdown. ``expected/`` holds the reviewed
pages; refresh with ``make golden`` (pytest --update-golden) and review the diff.

Checked by hand in the reviewed pages, at NOW = Fri 27 Nov 2026 12:00 London:
- on call: Ada (shift 3 of the round-robin, Mon 23 Nov 09:00 to Mon 30 Nov 09:00), next Ben;
- Ada's past hours inside the window (history 1w): Mon 23 09:00 to Fri 27 12:00 = 99 h,
  business 9 + 3x9 + 3 = 39, night 6 + 3x15 + 9 = 60;
- her future hours up to the horizon (Fri 18 Dec 12:00): 69 h now to Mon 30 (business 6,
  night 6 + 9, weekend 48) + 99 h from Mon 14 Dec 09:00 (39 + 60) = 168 h;
- November pay: 120 weekday h x 1.00 + 48 weekend h x 2.00 = 216.00 GBP;
- disk-full.md was reviewed 2026-06-01, 179 days before NOW, over the 90d review: stale;
- names and notes appear as character references (``&#60;``), never as markup;
- fairness since the first handoff, at the window's handoffs (23 Nov, 30 Nov, 7 Dec,
  14 Dec): on 23 Nov one shift each, so Ada and Ben (London, same weeks' load) are at
  0 and Cleo slightly below (her share of Veterans Day's holiday hours in New York);
  Ada's 23 Nov week puts her at about +2/3 and Ben, Cleo near -1/3; her leave on
  7-8 Dec touches the slots of 30 Nov and 7 Dec, so she is excused from both and stays
  at +0.65 while Ben (+1/2, then -1/2) and Cleo (-1/2, then +1/2) trade places:
  largest deviation 0.97 (Cleo on 7 Dec), spread 0.65 - (-0.48) = 1.13;
- the team's pay: Ada 216.00 + 99.00 (14 Dec 09:00 to 18 Dec 12:00, weekdays), Ben
  15.00 (Mon 30 Nov from 09:00) + 201.00, Cleo 117.00 + 216.00: 864.00.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from generator.pipeline import horizon_schedule, load_org
from generator.render.site import render_site

HERE = Path(__file__).resolve().parent
NOW = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
PAGES = [
    "index.md",
    "teams/ops/index.md",
    "people/ada/index.md",
    "runbooks/ops/disk-full.md",
    "runbooks/ops/restart-web.md",
    "runbooks/alerts/diskfull/index.md",
    "fairness/index.md",
    "fairness/ops/index.md",
    "pay/index.md",
    "pay/ops/index.md",
]


@pytest.fixture(scope="module")
def pages() -> dict[str, str | bytes]:
    loaded = load_org(HERE / "org", NOW)
    return render_site(loaded.org, horizon_schedule(loaded.org, NOW), NOW)


@pytest.mark.parametrize("path", PAGES)
def test_page_matches_reviewed_golden(
    pages: dict[str, str | bytes], path: str, request: pytest.FixtureRequest
) -> None:
    expected = HERE / "expected" / path
    actual = pages[path]
    assert isinstance(actual, str)
    if request.config.getoption("--update-golden"):
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")
