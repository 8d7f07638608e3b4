"""Feeds of the small hand-made organisation in tests/golden/feeds/org, parsed back.

That organisation: team ``ops`` in America/New_York, a weekly round-robin of ana and bo
handing over Mondays 09:00, an override (bo, Wed 4 Nov 09:00 to Thu 5 Nov 09:00), and
``--now`` 2026-10-28 12:00 UTC with history 1w and horizon 2w.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from generator.errors import InvalidInput
from generator.feedstate import FeedState, parse_state, render_state
from generator.model import Org
from generator.pipeline import horizon_schedule, load_org
from generator.render.ical import (
    FeedBuild,
    feed_filename,
    feed_links,
    feed_token,
    feed_url,
    render_feeds,
    webcal_url,
    with_feed_key,
)

TINY = Path(__file__).resolve().parent.parent / "golden" / "feeds" / "org"
NOW = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    dest = tmp_path / "tiny"
    shutil.copytree(TINY, dest)
    return dest


def _edit(root: Path, old: str, new: str, name: str = "teams.yaml") -> None:
    path = root / "rotations" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _org(root: Path) -> Org:
    return load_org(root, NOW).org


def _render(root: Path, state: FeedState, now: datetime = NOW) -> FeedBuild:
    org = _org(root)
    return render_feeds(org, horizon_schedule(org, now), now, state)


def _events(data: bytes) -> list[dict[str, object]]:
    cal = Calendar.from_ical(data)
    return [
        {
            "uid": str(ev["uid"]),
            "seq": int(ev["sequence"]),
            "modified": ev.decoded("last-modified"),
            "start": ev.decoded("dtstart").astimezone(UTC),
            "end": ev.decoded("dtend").astimezone(UTC),
            "summary": str(ev["summary"]),
            "description": str(ev["description"]),
        }
        for ev in cal.walk("VEVENT")
    ]


def test_day_over_fall_back_night_lasts_25_hours(tiny: Path) -> None:
    _edit(tiny, "shift: 1w", "shift: 1d")
    feed = _render(tiny, FeedState()).files["ical/team-ops.ics"]
    assert b"DTSTART;TZID=America/New_York:20261031T090000" in feed
    (event,) = [e for e in _events(feed) if e["start"] == datetime(2026, 10, 31, 13, tzinfo=UTC)]
    # Sat 31 Oct 09:00 EDT (13:00 UTC) to Sun 1 Nov 09:00 EST (14:00 UTC): 24 h + the
    # repeated hour of the fall-back night = 25 h
    assert event["end"] == datetime(2026, 11, 1, 14, tzinfo=UTC)
    assert "(25 hours)" in str(event["description"])


def test_names_and_notes_with_commas_semicolons_newlines_and_html_round_trip(
    tiny: Path,
) -> None:
    files = _render(tiny, FeedState()).files
    team = files["ical/team-ops.ics"]
    # RFC 5545 TEXT: comma and semicolon backslash-escaped, a newline written as \n
    assert b'SUMMARY:Ana Ruiz\\, "Ops"\\; Lead: Ops Primary\r\n' in team
    assert b"SUMMARY:Bo <b>Li</b>: Ops Primary\r\n" in team
    for line in team.split(b"\r\n"):
        assert len(line) <= 75  # folded at 75 octets
    summaries = {str(e["summary"]) for e in _events(team)}
    assert summaries == {'Ana Ruiz, "Ops"; Lead: Ops Primary', "Bo <b>Li</b>: Ops Primary"}
    (cover,) = [e for e in _events(team) if "Override: covers" in str(e["description"])]
    assert "Override: covers <b>Ana</b>; back Thursday,\nthanks" in str(cover["description"])


def test_rebuild_after_override_keeps_uids_and_raises_sequence_only_for_changed_events(
    tiny: Path,
) -> None:
    first = _render(tiny, FeedState())
    later = NOW + timedelta(hours=1)
    _edit(
        tiny,
        "overrides:\n",
        'overrides:\n  - {team: ops, rotation: primary, from: "2026-11-10 09:00", '
        'to: "2026-11-10 21:00", person: ana}\n',
    )
    second = _render(tiny, parse_state(render_state(first.state)), later)
    before = {e["uid"]: e for e in _events(first.files["ical/team-ops.ics"])}
    after_list = _events(second.files["ical/team-ops.ics"])
    after = {e["uid"]: e for e in after_list}
    assert len(after) == len(after_list) == len(before) + 2  # no duplicate UIDs
    assert set(before) <= set(after)
    bo_week = datetime(2026, 11, 9, 14, tzinfo=UTC)  # Mon 9 Nov 09:00 EST
    for uid, old in before.items():
        new = after[uid]
        if old["start"] == bo_week:
            # bo's week now ends where ana's cover starts: Tue 10 Nov 09:00 EST = 14:00 UTC
            assert new["end"] == datetime(2026, 11, 10, 14, tzinfo=UTC)
            assert (new["seq"], new["modified"]) == (1, later)
        else:
            assert (new["seq"], new["modified"]) == (0, NOW), old["summary"]
    added = sorted(
        (e["start"], e["summary"], e["seq"]) for u, e in after.items() if u not in before
    )
    # ana's cover from 09:00 EST (14:00 UTC), bo back at 21:00 EST (02:00 UTC on the 11th)
    assert added == [
        (datetime(2026, 11, 10, 14, tzinfo=UTC), 'Ana Ruiz, "Ops"; Lead: Ops Primary', 0),
        (datetime(2026, 11, 11, 2, tzinfo=UTC), "Bo <b>Li</b>: Ops Primary", 0),
    ]
    # bo's personal feed: the same week, the person's own UID, raised alike
    bo = {e["start"]: e for e in _events(second.files["ical/bo.ics"])}
    assert bo[bo_week]["seq"] == 1


def test_removing_an_override_and_adding_it_back_keeps_raising_sequence(tiny: Path) -> None:
    ana_week = datetime(2026, 11, 2, 14, tzinfo=UTC)  # Mon 2 Nov 09:00 EST
    first = _render(tiny, FeedState())
    override = _org(tiny).overrides[0]
    here, moved = (
        '"2026-11-04 09:00", to: "2026-11-05 09:00"',
        '"2026-12-04 09:00", to: "2026-12-05 09:00"',
    )
    _edit(tiny, here, moved)  # the override moves beyond the horizon
    second = _render(tiny, first.state)
    _edit(tiny, moved, here)
    third = _render(tiny, second.state)
    seqs = []
    for build in (first, second, third):
        (event,) = [e for e in _events(build.files["ical/ana.ics"]) if e["start"] == ana_week]
        seqs.append((event["seq"], event["end"]))
    # with the override ana's week ends at its start (Wed 4 Nov 14:00 UTC); without it, at
    # Mon 9 Nov 09:00 EST = 14:00 UTC
    assert override.start_at == datetime(2026, 11, 4, 14, tzinfo=UTC)
    assert seqs == [
        (0, override.start_at),
        (1, datetime(2026, 11, 9, 14, tzinfo=UTC)),
        (2, override.start_at),
    ]


def test_same_inputs_and_now_give_identical_bytes(tiny: Path) -> None:
    first = _render(tiny, FeedState())
    again = _render(tiny, first.state)
    assert again.files == first.files
    assert render_state(again.state) == render_state(first.state)


def test_secret_feed_names_carry_an_hmac_and_personal_links_are_hidden(tiny: Path) -> None:
    _edit(tiny, "secret: false", "secret: true", "settings.yaml")
    org = with_feed_key(_org(tiny), "s3cret")
    token = feed_token("s3cret", "person", "ana")
    assert len(token) == 32 and token != feed_token("s3cret", "team", "ana")
    assert token != feed_token("other", "person", "ana")
    assert feed_filename(org, "person", "ana") == f"ana-{token}.ics"
    assert feed_url(org, "person", "ana") == f"https://oncall.tiny.example/ical/ana-{token}.ics"
    assert feed_links(org, "person", "ana") is None
    team = feed_links(org, "team", "ops")
    assert team is not None and team.download.startswith("ical/team-ops-")
    files = render_feeds(org, horizon_schedule(org, NOW), NOW, FeedState()).files
    assert f"ical/ana-{token}.ics" in files and "ical/ana.ics" not in files


def test_secret_feeds_without_key_fail_with_a_located_error(tiny: Path) -> None:
    _edit(tiny, "secret: false", "secret: true", "settings.yaml")
    with pytest.raises(InvalidInput) as err:
        with_feed_key(_org(tiny), None)
    (diag,) = err.value.diagnostics
    assert str(diag).startswith("rotations/settings.yaml:2:3: error: feeds.secret is true")
    assert "ROTA_FEED_SECRET" in diag.message


def test_base_url_moves_subscription_addresses_and_webcal_follows(tiny: Path) -> None:
    _edit(tiny, "base_url: null", 'base_url: "https://cal.example.net/f"', "settings.yaml")
    org = _org(tiny)
    assert feed_url(org, "team", "ops") == "https://cal.example.net/f/team-ops.ics"
    links = feed_links(org, "person", "bo")
    assert links is not None
    assert links.https == "https://cal.example.net/f/bo.ics"
    assert links.webcal == "webcal://cal.example.net/f/bo.ics"
    assert webcal_url("http://intranet/ical/bo.ics") == "webcal://intranet/ical/bo.ics"


def test_damaged_state_file_is_an_error_that_says_how_to_recover() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_state('{"version": 1, "events": {\n"x@rota": {"fp": "a"}}}\n')
    (diag,) = err.value.diagnostics
    assert diag.source.path == "rotations/feeds.state.json"
    assert "damaged entry for event 'x@rota'" in diag.message
    assert "delete it to start over" in diag.message
