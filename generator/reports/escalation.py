"""Escalation chains resolved to people at an instant. Pure.

A level notifies targets: a rotation of the team (whoever is on call for it
then), ``person:ID`` (that person), or ``team:ID`` (the people the other
team's *first* level reaches then). ``validate.check_escalation`` has already
checked that targets exist, delays increase and ``team:`` references form no
cycle; resolution still guards against cycles so it never loops.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
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
    """Who is on call at an instant, by bisection: for resolving many chains.

    Shifts are grouped by rotation and sorted by start; with the running maximum of
    their ends, a look-up steps back only over shifts that may still cover the instant.
    """

    def __init__(self, schedule: Schedule):
        ordered = sorted(enumerate(schedule.shifts), key=lambda p: p[1].start_at)
        self._order = {id(s): n for n, (_, s) in enumerate(ordered)}
        grouped: dict[tuple[str, str], list[Shift]] = {}
        for _, s in ordered:
            grouped.setdefault((s.team, s.rotation), []).append(s)
        self._rotations: dict[tuple[str, str], _RotationIndex] = {
            key: _RotationIndex(shifts) for key, shifts in grouped.items()
        }

    def rotation_at(self, team: str, rotation: str, when: datetime) -> list[Shift]:
        """The rotation's shifts covering ``when``, by start."""
        index = self._rotations.get((team, rotation))
        return index.at(when) if index is not None else []

    def holders(self, team: str, rotation: str, when: datetime) -> list[str]:
        """The people on call for the rotation at ``when``, once each, by shift start."""
        out: list[str] = []
        for s in self.rotation_at(team, rotation, when):
            if s.person is not None and s.person not in out:  # uncovered: nobody to page
                out.append(s.person)
        return out

    def at(self, when: datetime) -> list[Shift]:
        """Every shift covering ``when``, by start (ties in schedule order)."""
        found = [s for index in self._rotations.values() for s in index.at(when)]
        found.sort(key=lambda s: self._order[id(s)])
        return found


class _RotationIndex:
    def __init__(self, shifts: list[Shift]):
        self.shifts = shifts
        self.starts = [s.start_at for s in shifts]
        reach: list[datetime] = []
        for s in shifts:
            reach.append(max(reach[-1], s.end_at) if reach else s.end_at)
        self.reach = reach  # reach[i]: the latest end among shifts[0..i]

    def at(self, when: datetime) -> list[Shift]:
        out = []
        i = bisect_right(self.starts, when)
        while i > 0 and self.reach[i - 1] > when:
            i -= 1
            if when < self.shifts[i].end_at:
                out.append(self.shifts[i])
        out.reverse()
        return out


Holders = Callable[[str, str], list[str]]


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
    if index is not None:
        idx = index

        def holders(team: str, rotation: str) -> list[str]:
            return idx.holders(team, rotation, at)
    else:
        on_call = _on_call(schedule.at(at))

        def holders(team: str, rotation: str) -> list[str]:
            return on_call.get((team, rotation), [])

    return [
        ResolvedLevel(
            level.after,
            tuple(_target(org, holders, team_id, t, {team_id}) for t in level.notify),
        )
        for level in team.escalation.levels
    ]


class ChainCache:
    """Chains of many (team, instant) pairs against one schedule, each resolved once."""

    def __init__(self, org: Org, schedule: Schedule, index: OnCallIndex | None = None):
        self.org = org
        self.schedule = schedule
        self.index = index or OnCallIndex(schedule)
        self._levels: dict[tuple[str, datetime], tuple[ResolvedLevel, ...]] = {}
        self._lines: dict[tuple[str, datetime], tuple[str, ...]] = {}

    def levels(self, team_id: str, at: datetime) -> tuple[ResolvedLevel, ...]:
        key = (team_id, at)
        found = self._levels.get(key)
        if found is None:
            found = tuple(resolve_chain(self.org, self.schedule, team_id, at, self.index))
            self._levels[key] = found
        return found

    def lines(self, team_id: str, at: datetime) -> tuple[str, ...]:
        key = (team_id, at)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = tuple(chain_lines(self.levels(team_id, at)))
        return found


def _on_call(shifts: list[Shift]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for s in sorted(shifts, key=lambda s: (s.start_at, s.team, s.rotation)):
        people = out.setdefault((s.team, s.rotation), [])
        if s.person is not None and s.person not in people:
            people.append(s.person)
    return out


def _target(
    org: Org,
    holders: Holders,
    team_id: str,
    target: str,
    visiting: set[str],
) -> ResolvedTarget:
    kind, sep, ident = target.partition(":")
    if not sep:
        team = org.teams[team_id]
        rotation = team.rotation(target)
        label = rotation.name if rotation else target
        ids = tuple(holders(team_id, target))
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
            for p in _target(org, holders, ident, t, visiting | {ident}).people:
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
