"""The schedule: slots, assigned, with the lock and overrides applied. Pure.

Precedence is resolved here and only here: a slot's assignee comes from the
lock file if the slot is locked, else from assignment; an override then wins
for its time over either (it is a swap, and swaps happen inside the frozen
window too).
"""

from __future__ import annotations

import gc
import heapq
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from generator.errors import Diagnostic
from generator.model import Org, Override
from generator.schedule.assign import Pick, block_end
from generator.schedule.plan import Planned
from generator.schedule.shifts import Slot
from generator.timeutil import as_local


@dataclass(frozen=True)
class Shift:
    """A covered interval with the person on call for it (None: nobody, uncovered)."""

    team: str
    rotation: str
    person: str | None
    start_at: datetime
    end_at: datetime
    source: str  # fair | round-robin | override | lock | uncovered
    slot_index: int
    slot_start_at: datetime  # nominal start of the slot (feeds derive UIDs from it)
    slot_end_at: datetime
    note: str | None = None

    def as_json(self) -> dict[str, str | None]:
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
    problems: tuple[Diagnostic, ...]  # the uncovered slots of the window, as errors

    @property
    def staffed(self) -> tuple[Shift, ...]:
        """The shifts someone is on call for (every shift but the uncovered ones)."""
        return tuple(s for s in self.shifts if s.person is not None)

    @property
    def uncovered(self) -> tuple[Shift, ...]:
        """The shifts nobody could take, published as such."""
        return tuple(s for s in self.shifts if s.person is None)

    def window(self, start_at: datetime, end_at: datetime) -> list[Shift]:
        return [s for s in self.shifts if s.start_at < end_at and start_at < s.end_at]

    def at(self, when: datetime) -> list[Shift]:
        return [s for s in self.shifts if s.start_at <= when < s.end_at]


def compute_schedule(
    org: Org,
    start_at: datetime,
    end_at: datetime,
    planned: Planned | None = None,
) -> Schedule:
    """Shifts overlapping [start_at, end_at), listed whole.

    Assignment runs from each rotation's first handoff to the end of the
    planning block holding ``end_at`` (see ``assign.block_end``), so a slot's
    assignee never depends on the window asked for. ``planned``: that plan
    (slots and picks up to the block end), if it was kept from an earlier run.
    """
    # Planning allocates a few million small objects and frees none of them
    # until it ends; the cycle collector would scan them over and over (about
    # a sixth of the time on a large organisation) and find nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _compute_schedule(org, start_at, end_at, planned)
    finally:
        if enabled:
            gc.enable()


def _compute_schedule(
    org: Org,
    start_at: datetime,
    end_at: datetime,
    planned: Planned | None,
) -> Schedule:
    from functools import partial

    from generator.schedule.plan import plan_then

    if planned is None:
        # each process that plans some rotations also cuts their shifts
        slots, picks, parts = plan_then(
            org, block_end(end_at), partial(_shifts_of, org, start_at, end_at)
        )
    else:
        slots, picks = planned
        parts = [_shifts_of(org, start_at, end_at, planned)]
    # each part is in order already: merging them is linear
    shifts = tuple(heapq.merge(*(part[0] for part in parts), key=_in_order))
    problems = [problem for part in parts for problem in part[1]]
    return Schedule(
        start_at,
        end_at,
        shifts,
        {k: tuple(v) for k, v in slots.items()},
        {k: tuple(v) for k, v in picks.items()},
        tuple(sorted(problems)),
    )


def _shifts_of(
    org: Org, start_at: datetime, end_at: datetime, planned: Planned
) -> tuple[list[Shift], list[Diagnostic]]:
    """The shifts of planned slots overlapping the window, overrides applied (a part
    nobody can take is a shift with no person, source ``uncovered``), and the slots
    with such a part (errors; ``uncovered_diagnostics`` grades them by ``now``)."""
    slots, picks = planned
    problems: list[Diagnostic] = []
    overrides: dict[str, list[Override]] = defaultdict(list)
    for o in sorted(org.overrides, key=lambda o: (o.start_at, o.end_at, o.person)):
        # held in UTC; a shift's ends read in the team zone, as the handoffs do
        tz = org.teams[o.team].tz
        local = replace(o, start_at=as_local(o.start_at, tz), end_at=as_local(o.end_at, tz))
        overrides[f"{o.team}/{o.rotation}"].append(local)
    shifts: list[Shift] = []
    for key, items in slots.items():
        found = org.rotation(key)
        assert found is not None
        rotation = found
        # slots are in time order: none from the first one starting after the window
        stop = bisect_left(items, end_at, key=lambda slot: slot.start_at)
        for slot, pick in zip(items[:stop], picks[key][:stop], strict=True):
            if slot.end_at <= start_at:
                continue
            pieces = [
                piece
                for a, b in slot.windows
                for piece in _apply_overrides(a, b, pick, overrides.get(key, []))
            ]
            if any(person is None for _, _, person, _, _ in pieces):
                problems.append(uncovered_diagnostic(org, key, slot, "error"))
            for piece_a, piece_b, person, source, note in pieces:
                if person is None:
                    source = "uncovered"
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
    visible = [s for s in shifts if s.start_at < end_at and start_at < s.end_at]
    visible.sort(key=_in_order)
    return visible, problems


def uncovered_diagnostic(org: Org, key: str, slot: Slot, severity: str) -> Diagnostic:
    """``uncovered shift team/rotation from … to …``, why each member cannot take
    it, and what would fix it."""
    from generator.schedule.assign import active_members, on_leave

    rotation = org.rotation(key)
    assert rotation is not None
    team = org.teams[rotation.team]
    local = slot.start_at.astimezone(team.tz)
    active = {m.person for m in active_members(rotation, slot, org)}
    reasons = []
    for m in rotation.members:
        person = org.people.get(m.person)
        if m.person not in active:
            reasons.append(f"{m.person} outside from/until")
        elif person is not None and on_leave(person, slot):
            reasons.append(f"{m.person} on leave")
        else:
            reasons.append(f"{m.person} on another rotation then")
    return Diagnostic(
        rotation.source,
        severity,
        f"uncovered shift: nobody can take {key} from {slot.start_at.isoformat()} to "
        f"{slot.end_at.isoformat()} ({local:%a %Y-%m-%d %H:%M} {team.timezone}): "
        f"{', '.join(reasons)}; add an override or a member",
    )


def uncovered_diagnostics(org: Org, schedule: Schedule, now: datetime) -> list[Diagnostic]:
    """One diagnostic per slot with an uncovered part that has not ended by ``now``:
    an error when it starts within ``settings.freeze`` of now (it is about to be
    published or locked), a warning beyond (there is time to fix it)."""
    out: list[Diagnostic] = []
    seen: set[tuple[str, datetime]] = set()
    soon = now + org.settings.freeze
    for shift in schedule.uncovered:
        if shift.end_at <= now:
            continue
        key = f"{shift.team}/{shift.rotation}"
        if (key, shift.slot_start_at) in seen:
            continue
        seen.add((key, shift.slot_start_at))
        slot = next(s for s in schedule.slots[key] if s.start_at == shift.slot_start_at)
        out.append(
            uncovered_diagnostic(org, key, slot, "error" if shift.start_at < soon else "warning")
        )
    return out


def _in_order(shift: Shift) -> tuple[float, str, str, float]:
    """The order of a schedule's shifts (instants as POSIX seconds: comparing aware
    datetimes in different zones is slow)."""
    return (shift.start_at.timestamp(), shift.team, shift.rotation, shift.end_at.timestamp())


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
