"""Who could take a shift, ranked by fairness impact. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from generator.model import Org
from generator.schedule.assign import LoadModel, stable_hash
from generator.schedule.resolve import Schedule


@dataclass(frozen=True)
class Candidate:
    person: str
    load_before: float  # this rotation, in shift-equivalents, inside the schedule window
    load_after: float
    reason: str  # why they rank where they do


def cover_candidates(
    org: Org,
    schedule: Schedule,
    key: str,
    start_at: datetime,
    end_at: datetime,
    exclude: set[str] | None = None,
) -> list[Candidate]:
    """Members of the rotation free for [start_at, end_at): not on leave, not on
    another rotation of the team then, and rested (min_rest); least loaded first."""
    rotation = org.rotation(key)
    if rotation is None:
        return []
    loads = LoadModel(org)
    per_person: dict[str, float] = defaultdict(float)
    busy: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for s in schedule.shifts:
        if s.team != rotation.team:
            continue
        busy[s.person].append((s.start_at, s.end_at))
        if s.rotation == rotation.id:
            per_person[s.person] += loads.load(org.people[s.person], [(s.start_at, s.end_at)])
    slot_loads = [
        loads.load(org.people[m.person], [(start_at, end_at)])
        for m in rotation.members
        if m.person in org.people
    ]
    unit = (sum(slot_loads) / len(slot_loads)) if slot_loads else 1.0
    unit = unit or 1.0
    out = []
    for m in rotation.members:
        if exclude and m.person in exclude:
            continue
        person = org.people.get(m.person)
        if person is None or person.on_leave(start_at, end_at):
            continue
        if any(a < end_at and start_at < b for a, b in busy[m.person]):
            continue
        if rotation.min_rest and any(
            (start_at - b) < rotation.min_rest and (a - end_at) < rotation.min_rest
            for a, b in busy[m.person]
        ):
            continue
        extra = loads.load(person, [(start_at, end_at)])
        before = per_person[m.person] / unit / m.share
        after = (per_person[m.person] + extra) / unit / m.share
        out.append(
            Candidate(
                m.person,
                round(before, 3),
                round(after, 3),
                f"{before:.2f} → {after:.2f} shift-equivalents",
            )
        )
    out.sort(key=lambda c: (c.load_after, stable_hash(key, start_at, c.person)))
    return out
