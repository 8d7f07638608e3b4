"""Fixed assignments that meet leave: locked shifts and overrides. Pure.

``validate`` reports each as a warning, with ranked people who could cover.
"""

from __future__ import annotations

from datetime import datetime

from generator.errors import Diagnostic
from generator.model import Org
from generator.schedule.resolve import Schedule


def find_conflicts(org: Org, schedule: Schedule, now: datetime) -> list[Diagnostic]:
    from generator.schedule.cover import cover_candidates

    out: list[Diagnostic] = []
    fixed = [
        (o.team, o.rotation, o.start_at, o.end_at, o.person, "override", o.source)
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
        if leave is None:
            continue
        candidates = cover_candidates(
            org, schedule, f"{team}/{rotation}", start_at, end_at, exclude={person_id}
        )
        names = ", ".join(c.person for c in candidates[:3]) or "nobody is free"
        when = leave.note or "leave"
        out.append(
            Diagnostic(
                source,
                "warning",
                f"{what} on {team}/{rotation} from {start_at.isoformat()} gives it to "
                f"'{person_id}', who is on leave ({when}, {leave.start_at.date()} to "
                f"{leave.end_at.date()}); could cover: {names}",
            )
        )
    return out
