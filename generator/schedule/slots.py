"""A rotation's slots from its first handoff, with the lock file applied. Pure.

What planning (``plan.py``) assigns and the schedule (``resolve.py``) shows: the
computed slots, except where the lock file fixes them.
"""

from __future__ import annotations

from datetime import datetime

from generator.model import LockedShift, Org, Rotation
from generator.schedule.shifts import (
    Slot,
    boundary_at,
    compute_slots,
    coverage_windows,
    first_index_at_or_before,
)


def plan_origin(org: Org, key: str) -> datetime:
    """Where assignment starts for a rotation: its first handoff."""
    rotation = org.rotation(key)
    assert rotation is not None
    return boundary_at(rotation, org.teams[rotation.team].timezone, 0)


def rotation_slots(
    org: Org,
    rotation: Rotation,
    origin: datetime,
    end_at: datetime,
    locked: list[LockedShift],
) -> list[Slot]:
    """The slots of a rotation from ``origin`` to ``end_at`` with the lock file applied.

    Before the first locked shift: computed slots (cut where the lock begins).
    Locked shifts: exactly as the lock file lists them, so no later edit of the
    rotation (shift length, start, members) moves them. After ``until``: computed
    slots again, the first one cut to begin at ``until`` if a boundary moved.
    ``locked``: the rotation's locked shifts, by start.
    """
    tz_name = org.teams[rotation.team].timezone
    until = org.lock.until_at.get(rotation.key)
    if not locked or until is None:
        return compute_slots(rotation, tz_name, origin, end_at)
    out: list[Slot] = []
    first = locked[0].start_at
    if origin < first:
        for slot in compute_slots(rotation, tz_name, origin, min(first, end_at)):
            cut = _clip(rotation, tz_name, slot, slot.start_at, min(slot.end_at, first))
            if cut is not None:
                out.append(cut)
    # a locked shift usually is a slot of the rotation as it stands: those are
    # computed in one pass (a slot's windows depend only on its ends)
    lo, hi = max(first, origin), min(locked[-1].end_at, end_at)
    same = {
        (slot.start_at, slot.end_at): slot
        for slot in (compute_slots(rotation, tz_name, lo, hi) if lo < hi else ())
    }
    for ls in locked:
        if ls.end_at <= origin or ls.start_at >= end_at:
            continue
        kept = same.get((ls.start_at, ls.end_at))
        if kept is not None:
            out.append(kept)
            continue
        windows = coverage_windows(rotation.coverage, tz_name, ls.start_at, ls.end_at)
        if windows:
            k = first_index_at_or_before(rotation, tz_name, ls.start_at)
            out.append(Slot(rotation.team, rotation.id, k, ls.start_at, ls.end_at, windows))
    begin = max(until, locked[-1].end_at, origin)
    if begin < end_at:
        for slot in compute_slots(rotation, tz_name, begin, end_at):
            cut = _clip(rotation, tz_name, slot, max(slot.start_at, begin), slot.end_at)
            if cut is not None:
                out.append(cut)
    return out


def _clip(
    rotation: Rotation, tz_name: str, slot: Slot, start_at: datetime, end_at: datetime
) -> Slot | None:
    if start_at == slot.start_at and end_at == slot.end_at:
        return slot
    if end_at <= start_at:
        return None
    windows = coverage_windows(rotation.coverage, tz_name, start_at, end_at)
    if not windows:
        return None
    return Slot(slot.team, slot.rotation, slot.index, start_at, end_at, windows)
