"""The feeds of a small hand-made organisation, compared byte for byte with reviewed files.

The organisation (``org/``): one New York team with a weekly round-robin rotation of
two people, an override with HTML, a semicolon, a comma and a newline in its note, a
person whose name has a comma, quotes and a semicolon, a handoff note, and a week that
spans the fall-back night (Mon 26 Oct 09:00 EDT to Mon 2 Nov 09:00 EST: 169 hours).
``--now`` is fixed, so DTSTAMP and LAST-MODIFIED are 20261028T120000Z and the UIDs are
hashes of the slots; nothing is random. Refresh with ``pytest tests/golden --update-golden``
and review the diff.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.feedstate import FeedState
from generator.pipeline import horizon_schedule, load_org
from generator.render.ical import render_feeds

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)


def _feeds() -> dict[str, bytes]:
    org = load_org(HERE / "org", NOW).org
    return dict(render_feeds(org, horizon_schedule(org, NOW), NOW, FeedState()).files)


def test_feeds_of_small_org_match_reviewed_golden_files(request: pytest.FixtureRequest) -> None:
    feeds = _feeds()
    expected = HERE / "expected"
    if request.config.getoption("--update-golden"):
        for old in expected.glob("*.ics"):
            old.unlink()
        for rel, data in feeds.items():
            (expected / Path(rel).name).write_bytes(data)
    names = sorted(p.name for p in expected.glob("*.ics"))
    assert names == ["ana.ics", "bo.ics", "team-ops.ics"]
    for rel, data in feeds.items():
        assert data == (expected / Path(rel).name).read_bytes(), rel
