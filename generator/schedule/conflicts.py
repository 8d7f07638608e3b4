"""Fixed assignments that meet leave: locked shifts and overrides. Pure.

``validate`` reports each as a warning, with ranked people who could cover, and
warns when an override puts someone on call for two rotations at once.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime

from generator.errors import Diagnostic
from generator.model import Org
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import as_local


def find_conflicts(org: Org, schedule: Schedule, now: datetime) -> list[Diagnostic]:
    from generator.schedule.accounting import Account, compute_accounts
    from generator.schedule.cover import cover_candidates

    out: list[Diagnostic] = []
    accounts: dict[str, Account] | None = None
    fixed = [
        (
            o.team,
            o.rotation,
            as_local(o.start_at, org.teams[o.team].tz),  # read in the team zone
            as_local(o.end_at, org.teams[o.team].tz),
            o.person,
            "override",
            o.source,
        )
        for o in org.overrides
    ] + [
        (s.team, s.rotation, s.start_at, s.end_at, s.person, "locked shift", s.source)
        for s in org.lock.shifts
    ]
    for team, rotation, start_at, end_at, person_id, what, source in fixed:
        if end_at <= now:
            continue
        person = org.people.get(person_id)
        if person is None:
            continue
        leave = person.on_leave(start_at, end_at)
        if leave is not None and what == "locked shift":
            # of a rotation with coverage, only the covered windows count (as when planning)
            leave = next(
                (
                    got
                    for a, b in _covered(schedule, f"{team}/{rotation}", start_at, end_at)
                    if (got := person.on_leave(a, b)) is not None
                ),
                None,
            )
        if leave is None:
            continue
        if accounts is None:
            accounts = compute_accounts(org, schedule, schedule.start_at, schedule.end_at)
        candidates = cover_candidates(
            org, schedule, f"{team}/{rotation}", start_at, end_at, {person_id}, accounts
        )
        names = ", ".join(c.person for c in candidates[:3]) or "nobody is free"
        when = leave.note or "leave"
        out.append(
            Diagnostic(
                source,
                "warning",
                f"{what} on {team}/{rotation} from {start_at.isoformat()} gives it to "
                f"'{person_id}', who is on leave ({when}, {leave.as_written(person.tz)}); "
                f"could cover: {names}",
            )
        )
    out.extend(double_bookings(org, schedule, now))
    out.extend(handoff_authors(org, schedule))
    return out


def handoff_authors(org: Org, schedule: Schedule) -> list[Diagnostic]:
    """Handoff notes not written by the outgoing person: the one on call for the
    rotation just before a handoff on the note's date (in the team's zone). A note on a
    date with no handoff is reported too: no handoff page would show it. Notes dated
    outside the schedule's window are not checked."""
    out: list[Diagnostic] = []
    by_rotation: dict[tuple[str, str], list[Shift]] = {}
    for s in schedule.shifts:
        if s.person is not None:
            by_rotation.setdefault((s.team, s.rotation), []).append(s)
    handoffs: dict[tuple[str, str], dict[date, list[tuple[str, str]]]] = {}
    for key, shifts in by_rotation.items():
        tz = org.teams[key[0]].tz
        days = handoffs[key] = {}
        shifts.sort(key=lambda s: s.start_at)
        for before, after in itertools.pairwise(shifts):
            if before.person != after.person and before.person and after.person:
                on = after.start_at.astimezone(tz).date()
                days.setdefault(on, []).append((before.person, after.person))
    for n in org.handoffs:
        team = org.teams[n.team]
        first_on = schedule.start_at.astimezone(team.tz).date()
        last_on = schedule.end_at.astimezone(team.tz).date()
        if not first_on < n.on < last_on:
            continue
        name = f"{n.team}/{n.rotation}"
        that_day = handoffs.get((n.team, n.rotation), {}).get(n.on, [])
        if not that_day:
            out.append(
                Diagnostic(
                    n.source,
                    "warning",
                    f"handoff note for {name} on {n.on}, a day with no handoff: date it on "
                    "the day the author hands over",
                )
            )
            continue
        outgoing = [a for a, _ in that_day]
        if n.author in outgoing:
            continue
        who = " or ".join(f"{_name(org, a)} ('{a}', handing over to '{b}')" for a, b in that_day)
        out.append(
            Diagnostic(
                n.author_at,
                "warning",
                f"handoff note by '{n.author}', but the outgoing engineer at the {name} handoff "
                f"on {n.on} is {who}: notes are written by the one handing over",
            )
        )
    return out


def _name(org: Org, person_id: str) -> str:
    person = org.people.get(person_id)
    return person.name if person is not None else person_id


def _covered(
    schedule: Schedule, key: str, start_at: datetime, end_at: datetime
) -> list[tuple[datetime, datetime]]:
    """The times a locked shift puts its person on call: the covered windows of its
    slot (all of it without ``coverage``)."""
    for slot in schedule.slots.get(key, ()):
        if slot.start_at == start_at:
            return list(slot.windows)
    return [(start_at, end_at)]


def double_bookings(org: Org, schedule: Schedule, now: datetime) -> list[Diagnostic]:
    """Overrides that make their person on call for another rotation of the same team
    at the same time (of any team with ``settings.exclusive: organisation``):
    assignment never does that; an override is written by hand and may."""
    out: list[Diagnostic] = []
    everywhere = org.settings.exclusive == "organisation"
    by_person: dict[str, list[tuple[datetime, datetime, str]]] = {}
    for s in schedule.shifts:
        if s.person is None:
            continue
        by_person.setdefault(s.person, []).append((s.start_at, s.end_at, f"{s.team}/{s.rotation}"))
    for o in org.overrides:
        if o.end_at <= now:
            continue
        key = f"{o.team}/{o.rotation}"
        clashes = sorted(
            {
                other
                for a, b, other in by_person.get(o.person, [])
                if other != key
                and (everywhere or other.partition("/")[0] == o.team)
                and a < o.end_at
                and o.start_at < b
            }
        )
        if clashes:
            from_at = as_local(o.start_at, org.teams[o.team].tz)
            out.append(
                Diagnostic(
                    o.source,
                    "warning",
                    f"override on {key} from {from_at.isoformat()} puts '{o.person}' on call "
                    f"for {', '.join(clashes)} at the same time; one pager per person is the "
                    "rule assignment keeps",
                )
            )
    return out
