"""``rotations/assignments.lock.yaml``: the published assignments.

Written only by ``rota plan``. One line per shift, rotations and shifts in a
stable order, so a plan reads as a small diff in review::

    # Written by `rota plan`. Do not edit by hand.
    version: 1
    rotations:
      payments/primary:
        until: "2026-12-28T09:00:00-05:00"
        shifts:
          - {start: "2026-11-30T09:00:00-05:00", end: "2026-12-07T09:00:00-05:00", person: alice}
        tentative:
          - {start: "2026-12-28T09:00:00-05:00", end: "2027-01-04T09:00:00-05:00", person: bob}

``shifts`` are locked (they start before ``until``) and never move; ``tentative``
is the rest of the last plan, kept so that re-planning stays close to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from generator.load.lock import NOT_TEXT, parse_lock
from generator.model import Lock, LockedShift
from generator.schedule.assign import Pick
from generator.schedule.shifts import Slot
from generator.timeutil import iso

LOCK_PATH = "rotations/assignments.lock.yaml"

__all__ = ["LOCK_PATH", "parse_lock", "plan_lock", "render_lock", "write_lock"]


def render_lock(
    until: dict[str, datetime], shifts: Iterable[LockedShift], tentative: Iterable[LockedShift]
) -> str:
    """The lock file's text: stable ordering, one shift per line."""
    by_key: dict[str, tuple[list[LockedShift], list[LockedShift]]] = {k: ([], []) for k in until}
    for s in shifts:
        by_key.setdefault(f"{s.team}/{s.rotation}", ([], []))[0].append(s)
    for s in tentative:
        by_key.setdefault(f"{s.team}/{s.rotation}", ([], []))[1].append(s)
    lines = [
        "# Written by `rota plan`. Do not edit by hand: add an override instead.",
        "# shifts: published and locked; tentative: the current plan beyond 'until'.",
        "version: 1",
        "rotations:" if by_key else "rotations: {}",
    ]
    for key in sorted(by_key):
        if key not in until:
            continue
        lines.append(f"  {key}:")
        lines.append(f'    until: "{iso(until[key])}"')
        for name, items in (("shifts", by_key[key][0]), ("tentative", by_key[key][1])):
            if not items:
                lines.append(f"    {name}: []")
                continue
            lines.append(f"    {name}:")
            for s in sorted(items, key=lambda s: s.start_at):
                lines.append(
                    f'      - {{start: "{iso(s.start_at)}", end: "{iso(s.end_at)}", '
                    f"person: {_person(s.person)}}}"
                )
    return "\n".join(lines) + "\n"


def write_lock(root: Path, text: str) -> Path:
    """Replace the lock file atomically (``CannotWrite`` when it cannot be written)."""
    from generator.publish.atomic import write_atomic

    path = root / LOCK_PATH
    write_atomic(path, text, root)
    return path


def plan_lock(
    lock: Lock,
    slots: dict[str, tuple[Slot, ...]],
    picks: dict[str, tuple[Pick, ...]],
    published_from: datetime,
    until_at: datetime,
    plan_end: datetime,
) -> tuple[dict[str, datetime], list[LockedShift], list[LockedShift], list[Slot]]:
    """Extend ``lock`` with a schedule's assignments. Pure.

    Every locked shift already in the lock stays exactly as it is. Slots that
    start before ``until_at`` (and after what the lock already holds, and that
    end after ``published_from``) are locked whole, so a rotation's ``until``
    becomes the end of its last locked slot; slots after it, up to ``plan_end``,
    form the tentative plan. Returns (until by rotation, locked, tentative,
    slots that would be locked but nobody can take).
    """
    until: dict[str, datetime] = {}
    locked: list[LockedShift] = list(lock.shifts)
    tentative: list[LockedShift] = []
    unassigned: list[Slot] = []
    for key in sorted(slots):
        team, _, rotation = key.partition("/")
        held = lock.until_at.get(key)
        ends = [s.end_at for s in lock.shifts if s.team == team and s.rotation == rotation]
        last = max([until_at, *([held] if held else []), *ends])
        for slot, pick in zip(slots[key], picks[key], strict=True):
            if held is not None and slot.start_at < held:
                continue  # already published (or before the first plan)
            if slot.start_at < until_at:
                if slot.end_at <= published_from:
                    continue  # history before the first plan: never published
                if pick.person is None:
                    unassigned.append(slot)
                    continue
                locked.append(LockedShift(team, rotation, slot.start_at, slot.end_at, pick.person))
                last = max(last, slot.end_at)
            elif slot.start_at < plan_end and pick.person is not None:
                tentative.append(
                    LockedShift(team, rotation, slot.start_at, slot.end_at, pick.person)
                )
        until[key] = last
    # a tentative slot the extended until now covers cannot exist: slots are contiguous
    tentative = [s for s in tentative if s.start_at >= until[f"{s.team}/{s.rotation}"]]
    return until, locked, tentative, unassigned


def _person(person: str) -> str:
    """A person id as YAML text: quoted where YAML would read a number or null."""
    return f'"{person}"' if NOT_TEXT.fullmatch(person) else person
