"""The sample organisation's feeds as calendar clients read them.

Every feed is parsed twice: with the ``icalendar`` library and with Mozilla's ical.js
(the parser inside Thunderbird) through Node, and each event's instants must equal the
``rota schedule --format json`` document for the same window and person or team.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from icalendar import Calendar

from generator.cli import cli
from generator.feedstate import FeedState
from generator.pipeline import horizon_schedule, load_org
from generator.render.ical import feed_token, render_feeds
from tests.conftest import NOW, REPO

NODE_SCRIPT = REPO / "tests" / "js" / "parse_feeds.mjs"
TINY = REPO / "tests" / "golden" / "feeds" / "org"
NOW_AT = datetime.fromisoformat(NOW.replace("Z", "+00:00"))


def _rota(*args: str, env: dict[str, str | None] | None = None) -> Any:
    result = CliRunner().invoke(cli, list(args), env=env or {"ROTA_FEED_SECRET": None})
    return result


def _build(root: Path, env: dict[str, str | None] | None = None) -> Any:
    result = _rota("--root", str(root), "build", "--now", NOW, env=env)
    assert result.exit_code == 0, result.output
    return result


def _icaljs(paths: list[Path]) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "Node.js is needed to run ical.js (see scripts/install-test-deps.sh)"
    assert (REPO / "node_modules" / "ical.js").is_dir(), "run npm ci for ical.js"
    done = subprocess.run(
        [node, str(NODE_SCRIPT), *map(str, paths)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


ACTION_PREFIX = "Action due: "  # postmortem action items: all-day events, not shifts


def _action_events(data: bytes) -> list[tuple[str, date]]:
    cal = Calendar.from_ical(data)
    return sorted(
        (str(ev["summary"]), ev.decoded("dtstart"))
        for ev in cal.walk("VEVENT")
        if str(ev["summary"]).startswith(ACTION_PREFIX)
    )


def _icalendar_events(data: bytes) -> list[dict[str, Any]]:
    cal = Calendar.from_ical(data)
    return [
        {
            "uid": str(ev["uid"]),
            "seq": int(ev["sequence"]),
            "summary": str(ev["summary"]),
            "start": ev.decoded("dtstart").astimezone(UTC),
            "end": ev.decoded("dtend").astimezone(UTC),
            "tzid": ev["dtstart"].params.get("TZID"),
            "transp": str(ev["transp"]),
        }
        for ev in cal.walk("VEVENT")
        if not str(ev["summary"]).startswith(ACTION_PREFIX)
    ]


def _schedule_json(root: Path) -> list[dict[str, Any]]:
    org = load_org(root, NOW_AT).org
    start = (NOW_AT - org.settings.history).isoformat()
    end = (NOW_AT + org.settings.horizon).isoformat()
    result = _rota(
        "--root", str(root), "schedule", "--from", start, "--to", end, "--format", "json",
        "--now", NOW,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shifts: list[dict[str, Any]] = json.loads(result.stdout)["shifts"]
    return shifts


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_every_sample_feed_equals_the_schedule_in_icalendar_and_icaljs(
    built_sample_org: Path,
) -> None:
    sample_org = built_sample_org  # as `rota build --now NOW` left it
    shifts = _schedule_json(sample_org)
    org = load_org(sample_org, NOW_AT).org
    feeds = sorted((sample_org / "site" / "ical").glob("*.ics"))
    assert len(feeds) == len(org.people) + len(org.teams) == 28 + 4
    by_js = _icaljs(feeds)
    for path in feeds:
        if path.name.startswith("team-"):
            team = path.stem.removeprefix("team-")
            mine = [s for s in shifts if s["team"] == team]
        else:
            mine = [s for s in shifts if s["person"] == path.stem]
        expected = Counter((_instant(s["start"]), _instant(s["end"])) for s in mine)
        data = path.read_bytes()
        events = _icalendar_events(data)
        assert Counter((e["start"], e["end"]) for e in events) == expected, path.name
        # ical.js reads each VTIMEZONE itself: this is where a zone written with RDATE
        # lists put every summer after the first on winter time
        js_all = by_js[str(path)]["events"]
        js = [e for e in js_all if not e["summary"].startswith(ACTION_PREFIX)]
        got_js = Counter(
            (datetime.fromtimestamp(e["start"], UTC), datetime.fromtimestamp(e["end"], UTC))
            for e in js
        )
        assert got_js == expected, path.name
        uids = [e["uid"] for e in events]
        assert len(uids) == len(set(uids)), f"duplicate UIDs in {path.name}"
        assert sorted(e["uid"] for e in js) == sorted(uids)
        # open postmortem action items of this person or team: all-day on the due date,
        # read alike by both parsers (ical.js: a whole day from local midnight)
        kind, ident = ("team", team) if path.name.startswith("team-") else ("person", path.stem)
        due = sorted(
            (f"{ACTION_PREFIX}{it.title} ({it.incident} {it.id}, {it.priority})", it.due_on)
            for pm in org.postmortems
            for it in pm.action_items
            if it.owner_kind == kind and it.owner == ident and it.status == "open"
        )
        assert _action_events(data) == due, path.name
        js_actions = [e for e in js_all if e["summary"].startswith(ACTION_PREFIX)]
        assert sorted(e["summary"] for e in js_actions) == [s for s, _ in due]
        assert all(e["end"] - e["start"] == 86400 for e in js_actions)
        assert {e["transp"] for e in events} <= {"TRANSPARENT"}
        cal = Calendar.from_ical(data)
        zones = {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")}
        assert {e["tzid"] for e in events if e["tzid"]} <= zones, path.name
        for prop in ("PRODID", "X-WR-CALNAME", "X-WR-TIMEZONE", "REFRESH-INTERVAL"):
            assert prop in cal, (path.name, prop)
        assert str(cal["METHOD"]) == "PUBLISH" and str(cal["VERSION"]) == "2.0"
        assert str(cal["X-PUBLISHED-TTL"]) == "PT1H"
    # the sample's open action items reach their owners' feeds (marcus-reid, payments, ...)
    assert _action_events((sample_org / "site" / "ical" / "marcus-reid.ics").read_bytes())
    # someone is on call in every team, so no team feed is empty
    assert all(by_js[str(p)]["events"] for p in feeds if p.name.startswith("team-"))
    # `rota ical` prints exactly what the build published
    for option, ident, name in (
        ("--person", "marcus-reid", "marcus-reid.ics"),
        ("--team", "identity", "team-identity.ics"),
    ):
        printed = _rota("--root", str(sample_org), "ical", option, ident, "--now", NOW)
        assert printed.exit_code == 0, printed.output
        assert printed.stdout_bytes == (sample_org / "site" / "ical" / name).read_bytes()


def test_rebuild_after_override_keeps_uids_and_raises_sequence_only_for_changed_events(
    built_sample_org: Path,
) -> None:
    sample_org = built_sample_org  # as `rota build --now NOW` left it
    state_file = sample_org / "rotations" / "feeds.state.json"
    assert state_file.is_file()
    ical = sample_org / "site" / "ical"
    before = {p.name: _icalendar_events(p.read_bytes()) for p in ical.glob("*.ics")}
    # payments/primary hands over Mondays 09:00 New York time; take the Monday-to-Tuesday
    # day of the week of 7 Dec away from whoever has it, for someone else on the rotation
    shifts = _schedule_json(sample_org)
    (week,) = [
        s
        for s in shifts
        if s["team"] == "payments"
        and s["rotation"] == "primary"
        and s["start"] == "2026-12-07T09:00:00-05:00"
    ]
    members = [
        m.person for m in load_org(sample_org, NOW_AT).org.rotation("payments/primary").members
    ]  # type: ignore[union-attr]
    cover = next(p for p in members if p != week["person"])
    overrides = sample_org / "rotations" / "overrides.yaml"
    overrides.write_text(
        overrides.read_text() + '  - {team: payments, rotation: primary, from: "2026-12-08 09:00", '
        f'to: "2026-12-09 09:00", person: {cover}, note: "swap"}}\n'
    )
    _build(sample_org)
    after = {p.name: _icalendar_events(p.read_bytes()) for p in ical.glob("*.ics")}
    assert set(after) == set(before)
    changed = 0
    for name, events in after.items():
        uids = [e["uid"] for e in events]
        assert len(uids) == len(set(uids)), f"duplicate UIDs in {name}"
        old = {e["uid"]: e for e in before[name]}
        if name.startswith("team-"):
            assert set(old) <= set(uids), name  # every slot keeps its UID
        for e in events:
            prev = old.get(e["uid"])
            if prev is None:
                assert e["seq"] == 0, (name, e)
                continue
            moved = (prev["start"], prev["end"], prev["summary"]) != (
                e["start"],
                e["end"],
                e["summary"],
            )
            assert e["seq"] == prev["seq"] + int(moved), (name, e)
            changed += int(moved)
    # the week's first part (Mon 7 Dec 09:00 to Tue 8 Dec 09:00) shrank: once in the team
    # feed, once in the assignee's own feed
    assert changed >= 2
    (team_week,) = [
        e
        for e in after["team-payments.ics"]
        if e["start"] == _instant(week["start"]) and e["summary"].endswith("Payments Primary")
    ]
    (team_week_before,) = [e for e in before["team-payments.ics"] if e["uid"] == team_week["uid"]]
    assert team_week["seq"] == team_week_before["seq"] + 1
    assert team_week["end"] == datetime(2026, 12, 8, 14, tzinfo=UTC)  # 09:00 EST


def test_secret_feeds_need_the_key_and_are_named_with_an_hmac(sample_org: Path) -> None:
    settings = sample_org / "rotations" / "settings.yaml"
    text = settings.read_text()
    text = text.replace("secret: false", "secret: true")
    text = text.replace(
        "site: {publish_pay: true}", 'site: {publish_pay: true, url: "https://oncall.example.com/"}'
    )
    settings.write_text(text)
    failed = _rota("--root", str(sample_org), "build", "--now", NOW)
    assert failed.exit_code == 1
    assert "error: feeds.secret is true but the environment variable ROTA_FEED_SECRET" in (
        failed.output
    )
    assert not (sample_org / "site").exists()

    key = {"ROTA_FEED_SECRET": "correct horse battery staple"}
    _build(sample_org, env=key)
    token = feed_token(key["ROTA_FEED_SECRET"], "person", "marcus-reid")
    names = {p.name for p in (sample_org / "site" / "ical").glob("*.ics")}
    assert f"marcus-reid-{token}.ics" in names
    assert "marcus-reid.ics" not in names and "team-payments.ics" not in names
    url = _rota(
        "--root", str(sample_org), "ical", "--person", "marcus-reid", "--url", "--now", NOW,
        env=key,
    )  # fmt: skip
    assert url.exit_code == 0, url.output
    assert url.stdout == f"https://oncall.example.com/ical/marcus-reid-{token}.ics\n"


def test_icaljs_reads_a_day_over_the_fall_back_night_as_25_hours(tmp_path: Path) -> None:
    root = tmp_path / "tiny"
    shutil.copytree(TINY, root)
    teams = root / "rotations" / "teams.yaml"
    teams.write_text(teams.read_text().replace("shift: 1w", "shift: 1d"))
    now = datetime(2026, 10, 28, 12, tzinfo=UTC)
    org = load_org(root, now).org
    files = render_feeds(org, horizon_schedule(org, now), now, FeedState()).files
    path = tmp_path / "team-ops.ics"
    path.write_bytes(files["ical/team-ops.ics"])
    events = _icaljs([path])[str(path)]["events"]
    start = datetime(2026, 10, 31, 13, tzinfo=UTC).timestamp()  # Sat 31 Oct 09:00 EDT
    (day,) = [e for e in events if e["start"] == start]
    # to Sun 1 Nov 09:00 EST = 14:00 UTC: 25 h = 90 000 s; the week before is 24 h
    assert day["end"] - day["start"] == 25 * 3600
    assert day["start_tzid"] == "America/New_York"
    assert {e["end"] - e["start"] for e in events} == {24 * 3600, 25 * 3600}


def test_ical_url_without_a_public_address_prints_the_path_and_says_why(
    sample_org: Path,
) -> None:
    result = _rota("--root", str(sample_org), "ical", "--team", "payments", "--url")
    assert result.exit_code == 0, result.output
    assert result.stdout == "ical/team-payments.ics\n"
    assert "neither site.url nor feeds.base_url is set" in result.stderr
