"""The pager feeds: ``ical/pager/<team>/<rotation>.ics``, which Grafana OnCall / IRM
subscribe to as a schedule (SUMMARY matched to a user's e-mail)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar

from generator.pipeline import load_org, render_all
from generator.render.ical import pager_feeds

ORG = Path(__file__).parent / "org"
GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
END = datetime(2026, 3, 16, 13, 0, tzinfo=UTC)


def feeds() -> dict[str, bytes]:
    loaded = load_org(ORG, NOW)
    return pager_feeds(loaded.org, loaded.schedule(START, END), NOW)


def test_one_utc_event_per_shift_with_the_email_as_summary() -> None:
    cal = Calendar.from_ical(feeds()["ical/pager/checkout-primary.ics"])
    events = cal.walk("VEVENT")
    got = [(str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND")) for e in events]
    # by hand (see test_export.py): carol's week spans DST, 167 hours
    assert got == [
        ("Carol.Diaz@Example.com", START, datetime(2026, 3, 9, 13, 0, tzinfo=UTC)),
        ("ALICE.NG@example.com", datetime(2026, 3, 9, 13, 0, tzinfo=UTC), END),
    ]
    for e in events:
        assert "DESCRIPTION" not in e and "VALARM" not in e.to_ical().decode()
        assert e.to_ical().decode().count("Z\r\n") >= 2  # DTSTART/DTEND in UTC


def test_an_independent_parser_reads_the_weekday_feed() -> None:
    text = feeds()["ical/pager/checkout-business.ics"].decode()
    cal = vobject.readOne(text)
    starts = [ev.dtstart.value for ev in cal.vevent_list]
    assert datetime(2026, 3, 9, 13, 0, tzinfo=UTC) in starts  # 09:00 EDT
    assert datetime(2026, 3, 6, 14, 0, tzinfo=UTC) in starts  # 09:00 EST
    assert {ev.summary.value for ev in cal.vevent_list} == {
        "bob.marsh@example.com",
        "Carol.Diaz@Example.com",
    }


def test_uids_stay_when_the_person_changes() -> None:
    loaded = load_org(ORG, NOW)
    sched = loaded.schedule(START, END)
    before = Calendar.from_ical(
        pager_feeds(loaded.org, sched, NOW)["ical/pager/checkout-primary.ics"]
    )
    swapped = replace(sched, shifts=tuple(replace(s, person="bob") for s in sched.shifts))
    after = Calendar.from_ical(
        pager_feeds(loaded.org, swapped, NOW)["ical/pager/checkout-primary.ics"]
    )
    assert [str(e["UID"]) for e in before.walk("VEVENT")] == [
        str(e["UID"]) for e in after.walk("VEVENT")
    ]
    assert {str(e["SUMMARY"]) for e in after.walk("VEVENT")} == {"bob.marsh@example.com"}


def test_pager_feed_matches_the_reviewed_golden_file(request: pytest.FixtureRequest) -> None:
    data = feeds()["ical/pager/checkout-primary.ics"]
    path = GOLDEN / "pager-checkout-primary.ics"
    if request.config.getoption("--update-golden"):
        path.write_bytes(data)
    assert data == path.read_bytes()


def test_the_build_writes_a_pager_feed_per_rotation() -> None:
    files = render_all(load_org(ORG, NOW), NOW).files
    assert sorted(f for f in files if f.startswith("ical/pager/")) == [
        "ical/pager/checkout-business.ics",  # the earlier addresses, kept where unambiguous
        "ical/pager/checkout-primary.ics",
        "ical/pager/checkout/business.ics",
        "ical/pager/checkout/primary.ics",
    ]


def test_a_shift_nobody_covers_has_no_event() -> None:
    loaded = load_org(ORG, NOW)
    sched = loaded.schedule(START, END)
    first = sched.shifts[0]
    uncovered = replace(first, person=None, source="uncovered")
    shifts = (uncovered, *sched.shifts[1:])
    files = pager_feeds(loaded.org, replace(sched, shifts=shifts), NOW)
    key = f"ical/pager/{first.team}-{first.rotation}.ics"
    starts = [e.decoded("DTSTART") for e in Calendar.from_ical(files[key]).walk("VEVENT")]
    assert first.start_at not in starts
    assert (
        len(starts)
        == sum(1 for s in sched.shifts if (s.team, s.rotation) == (first.team, first.rotation)) - 1
    )
