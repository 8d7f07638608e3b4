"""The schedule: slots, assigned, with the lock and overrides applied. Pure.

Precedence is resolved here and only here: a slot's assignee comes from the
lock file if the slot is locked, else from assignment; an override then wins
for its time over either (it is a swap, and swaps happen inside the frozen
window too).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from generator.errors import Diagnostic
from generator.model import Org, Override
from generator.schedule.assign import Pick, assign
from generator.schedule.shifts import Slot, compute_slots


@dataclass(frozen=True)
class Shift:
    """A covered interval with the person on call for it."""

    team: str
    rotation: str
    person: str
    start_at: datetime
    end_at: datetime
    source: str  # fair | round-robin | override | lock
    slot_index: int
    slot_start_at: datetime  # nominal start of the slot (feeds derive UIDs from it)
    slot_end_at: datetime
    note: str | None = None

    def as_json(self) -> dict[str, str]:
        from generator.timeutil import iso

        return {
            "team": self.team,
            "rotation": self.rotation,
            "person": self.person,
            "start": iso(self.start_at),
            "end": iso(self.end_at),
            "source": self.source,
        }


@dataclass(frozen=True)
class Schedule:
    start_at: datetime
    end_at: datetime
    shifts: tuple[Shift, ...]
    slots: dict[str, tuple[Slot, ...]]
    picks: dict[str, tuple[Pick, ...]]
    problems: tuple[Diagnostic, ...]

    def window(self, start_at: datetime, end_at: datetime) -> list[Shift]:
        return [s for s in self.shifts if s.start_at < end_at and start_at < s.end_at]

    def at(self, when: datetime) -> list[Shift]:
        return [s for s in self.shifts if s.start_at <= when < s.end_at]


def plan_origin(org: Org, key: str) -> datetime:
    """Where assignment starts for a rotation: its first handoff."""
    from generator.schedule.shifts import boundary_at

    rotation = org.rotation(key)
    assert rotation is not None
    return boundary_at(rotation, org.teams[rotation.team].timezone, 0)


def compute_schedule(org: Org, start_at: datetime, end_at: datetime) -> Schedule:
    """Shifts overlapping [start_at, end_at), listed whole; assignment runs from
    each rotation's first handoff so a slot's assignee does not depend on the
    window asked for."""
    slots: dict[str, list[Slot]] = {}
    for team in org.teams.values():
        for rotation in team.rotations:
            origin = min(plan_origin(org, rotation.key), start_at)
            slots[rotation.key] = compute_slots(rotation, team.timezone, origin, end_at)
    locked: dict[str, dict[datetime, str]] = defaultdict(dict)
    for ls in org.lock.shifts:
        locked[f"{ls.team}/{ls.rotation}"][ls.start_at] = ls.person
    picks = assign(org, slots, locked)
    problems: list[Diagnostic] = []
    overrides: dict[str, list[Override]] = defaultdict(list)
    for o in org.overrides:
        overrides[f"{o.team}/{o.rotation}"].append(o)
    shifts: list[Shift] = []
    for key, rotation_slots in slots.items():
        found = org.rotation(key)
        assert found is not None
        rotation = found
        team = org.teams[rotation.team]
        for slot, pick in zip(rotation_slots, picks[key], strict=True):
            if slot.end_at <= start_at:
                continue
            if pick.person is None:
                problems.append(
                    Diagnostic(
                        rotation.source,
                        "error",
                        f"nobody can take {key} from {slot.start_at.isoformat()} to "
                        f"{slot.end_at.isoformat()} ({team.timezone}): every member is on "
                        "leave or unavailable; add an override",
                    )
                )
            for a, b in slot.windows:
                for piece_a, piece_b, person, source, note in _apply_overrides(
                    a, b, pick, overrides.get(key, [])
                ):
                    if person is None:
                        continue
                    shifts.append(
                        Shift(
                            rotation.team,
                            rotation.id,
                            person,
                            piece_a,
                            piece_b,
                            source,
                            slot.index,
                            slot.start_at,
                            slot.end_at,
                            note,
                        )
                    )
    shifts.sort(key=lambda s: (s.start_at, s.team, s.rotation, s.end_at))
    visible = tuple(s for s in shifts if s.start_at < end_at and start_at < s.end_at)
    return Schedule(
        start_at,
        end_at,
        visible,
        {k: tuple(v) for k, v in slots.items()},
        {k: tuple(v) for k, v in picks.items()},
        tuple(sorted(problems)),
    )


def _apply_overrides(
    a: datetime, b: datetime, pick: Pick, overrides: list[Override]
) -> list[tuple[datetime, datetime, str | None, str, str | None]]:
    """Split [a, b) where overrides apply; overrides on one rotation never overlap."""
    out: list[tuple[datetime, datetime, str | None, str, str | None]] = []
    cursor = a
    for o in overrides:
        if o.end_at <= cursor or o.start_at >= b:
            continue
        if o.start_at > cursor:
            out.append((cursor, o.start_at, pick.person, pick.source, None))
        lo, hi = max(o.start_at, cursor), min(o.end_at, b)
        out.append((lo, hi, o.person, "override", o.note))
        cursor = hi
    if cursor < b:
        out.append((cursor, b, pick.person, pick.source, None))
    return out
