"""Escalation chains resolved to people at an instant. Pure.

A level notifies targets: a rotation of the team (whoever is on call for it
then), ``person:ID`` (that person), or ``team:ID`` (the people the other
team's *first* level reaches then). ``validate.check_escalation`` has already
checked that targets exist, delays increase and ``team:`` references form no
cycle; resolution still guards against cycles so it never loops.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from generator.model import Level, Org
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import format_duration


@dataclass(frozen=True)
class ResolvedTarget:
    """One notify target of a level and the people it reaches at the instant."""

    target: str  # as written: "primary", "person:rachel-kim", "team:platform-sre"
    kind: str  # rotation | person | team
    ident: str  # rotation id, person id or team id
    label: str  # the rotation's, person's or team's name
    people: tuple[str, ...]  # person ids reached; empty when nobody is on call for it
    names: tuple[str, ...]  # their names, in the same order


@dataclass(frozen=True)
class ResolvedLevel:
    after: timedelta  # delay after the page before this level is notified
    targets: tuple[ResolvedTarget, ...]

    @property
    def people(self) -> tuple[str, ...]:
        """Every person this level reaches, once each, in target order."""
        seen: dict[str, None] = {}
        for t in self.targets:
            for p in t.people:
                seen.setdefault(p, None)
        return tuple(seen)


class OnCallIndex:
    """Who is on call at an instant, by bisection: for resolving many chains."""

    def __init__(self, schedule: Schedule):
        self.shifts = sorted(schedule.shifts, key=lambda s: s.start_at)
        self.starts = [s.start_at for s in self.shifts]
        self.longest = max((s.end_at - s.start_at for s in self.shifts), default=timedelta(0))

    def at(self, when: datetime) -> list[Shift]:
        out = []
        i = bisect_right(self.starts, when)
        while i > 0 and self.starts[i - 1] > when - self.longest - timedelta(hours=1):
            i -= 1
            if when < self.shifts[i].end_at:
                out.append(self.shifts[i])
        out.reverse()
        return out


def resolve_chain(
    org: Org,
    schedule: Schedule,
    team_id: str,
    at: datetime,
    index: OnCallIndex | None = None,
) -> list[ResolvedLevel]:
    """The team's escalation levels with each target turned into people at ``at``.

    ``schedule`` must contain ``at``; a team without a chain gives ``[]``.
    ``index`` (built once from the schedule) speeds up resolving many instants.
    """
    team = org.teams.get(team_id)
    if team is None or team.escalation is None:
        return []
    on_call = _on_call(index.at(at) if index is not None else schedule.at(at))
    return [
        ResolvedLevel(
            level.after,
            tuple(_target(org, on_call, team_id, t, {team_id}) for t in level.notify),
        )
        for level in team.escalation.levels
    ]


def _on_call(shifts: list[Shift]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for s in sorted(shifts, key=lambda s: (s.start_at, s.team, s.rotation)):
        people = out.setdefault((s.team, s.rotation), [])
        if s.person not in people:
            people.append(s.person)
    return out


def _target(
    org: Org,
    on_call: dict[tuple[str, str], list[str]],
    team_id: str,
    target: str,
    visiting: set[str],
) -> ResolvedTarget:
    kind, sep, ident = target.partition(":")
    if not sep:
        team = org.teams[team_id]
        rotation = team.rotation(target)
        label = rotation.name if rotation else target
        ids = tuple(on_call.get((team_id, target), []))
        return ResolvedTarget(target, "rotation", target, label, ids, _names(org, ids))
    if kind == "person":
        person = org.people.get(ident)
        ids = (ident,) if person else ()
        return ResolvedTarget(
            target, "person", ident, person.name if person else ident, ids, _names(org, ids)
        )
    other = org.teams.get(ident)
    if other is None or other.escalation is None or not other.escalation.levels:
        return ResolvedTarget(target, "team", ident, other.name if other else ident, (), ())
    people: dict[str, None] = {}
    if ident not in visiting:
        first: Level = other.escalation.levels[0]
        for t in first.notify:
            for p in _target(org, on_call, ident, t, visiting | {ident}).people:
                people.setdefault(p, None)
    ids = tuple(people)
    return ResolvedTarget(target, "team", ident, other.name, ids, _names(org, ids))


def _names(org: Org, ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(org.people[p].name if p in org.people else p for p in ids)


def chain_lines(levels: list[ResolvedLevel] | tuple[ResolvedLevel, ...]) -> list[str]:
    """One line per level, names not ids: ``after 15m: Secondary (Priya Shah)``."""
    lines = []
    for level in levels:
        parts = []
        for t in level.targets:
            names = ", ".join(t.names)
            if t.kind == "person":
                parts.append(t.label)
            elif t.kind == "team":
                parts.append(f"{t.label} team ({names or 'nobody on call'})")
            else:
                parts.append(f"{t.label} ({names or 'nobody on call'})")
        lines.append(f"after {format_duration(level.after)}: " + "; ".join(parts))
    return lines


def chain_json(levels: list[ResolvedLevel] | tuple[ResolvedLevel, ...]) -> list[dict[str, Any]]:
    """``[{"after": "15m", "after_minutes": 15, "targets": [...], "people": [...]}]``."""
    return [
        {
            "after": format_duration(level.after),
            "after_minutes": int(level.after.total_seconds() // 60),
            "targets": [
                {
                    "target": t.target,
                    "kind": t.kind,
                    "name": t.label,
                    "people": [
                        {"person": p, "name": n} for p, n in zip(t.people, t.names, strict=True)
                    ],
                }
                for t in level.targets
            ],
            "people": list(level.people),
        }
        for level in levels
    ]
