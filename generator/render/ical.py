"""iCal feeds (RFC 5545) built with the ``icalendar`` library. Pure.

UIDs derive from the slot (team, rotation, nominal start, and the person in a
personal feed), never from random numbers, so an unchanged shift keeps its
UID across rebuilds.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event, Timezone, vText

from generator.model import Org
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import zone

PRODID = "-//Rota//On-call feeds//EN"


def feed_filename(org: Org, kind: str, ident: str) -> str:
    base = ident if kind == "person" else f"team-{ident}"
    return f"{base}.ics"


def _uid(shift: Shift, person: str | None) -> str:
    key = "/".join(
        [shift.team, shift.rotation, shift.slot_start_at.isoformat(), shift.start_at.isoformat()]
    )
    if person:
        key += f"/{person}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{digest}@rota"


def _calendar(org: Org, name: str, tz_name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz_name)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    return cal


def _event(org: Org, shift: Shift, now: datetime, personal: bool) -> Event:
    team = org.teams[shift.team]
    rotation = team.rotation(shift.rotation)
    person = org.people[shift.person]
    tz = team.tz
    ev = Event()
    ev.add("uid", _uid(shift, shift.person if personal else None))
    ev.add("dtstamp", now.astimezone(zone("UTC")))
    rotation_name = rotation.name if rotation else shift.rotation
    summary = (
        f"On call: {team.name} {rotation_name}"
        if personal
        else f"{person.name}: {team.name} {rotation_name}"
    )
    ev.add("summary", summary)
    ev.add("dtstart", shift.start_at.astimezone(tz))
    ev.add("dtend", shift.end_at.astimezone(tz))
    ev.add("transp", "TRANSPARENT")
    ev.add("description", vText(f"{person.name} is on call for {team.name} {rotation_name}."))
    if org.settings.feed_reminder:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -org.settings.feed_reminder)
        ev.add_component(alarm)
    return ev


def _feed(
    org: Org, shifts: list[Shift], name: str, tz_name: str, now: datetime, personal: bool
) -> bytes:
    cal = _calendar(org, name, tz_name)
    zones = sorted({org.teams[s.team].timezone for s in shifts} | {tz_name})
    for shift in shifts:
        cal.add_component(_event(org, shift, now, personal))
    for z in zones:
        cal.add_component(Timezone.from_tzid(z))
    cal.subcomponents.sort(
        key=lambda c: (
            c.name != "VTIMEZONE",
            str(c.get("tzid", "")),
            str(c.get("dtstart").dt if c.get("dtstart") else ""),
        )
    )
    return bytes(cal.to_ical())


def person_feed(org: Org, schedule: Schedule, person_id: str, now: datetime) -> bytes:
    person = org.people[person_id]
    shifts = [s for s in schedule.shifts if s.person == person_id]
    return _feed(org, shifts, f"On call: {person.name}", person.timezone, now, True)


def team_feed(org: Org, schedule: Schedule, team_id: str, now: datetime) -> bytes:
    team = org.teams[team_id]
    shifts = [s for s in schedule.shifts if s.team == team_id]
    return _feed(org, shifts, f"On call: {team.name}", team.timezone, now, False)
