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

import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.errors import Diagnostics, Source, did_you_mean
from generator.load.yamlload import LDict, LList
from generator.model import Lock, LockedShift, Person, Team
from generator.schedule.assign import Pick
from generator.schedule.shifts import Slot
from generator.timeutil import iso

LOCK_PATH = "rotations/assignments.lock.yaml"


def _parse_instant(value: Any, src: Source, diags: Diagnostics) -> datetime | None:
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            at = None
        if at is not None and at.tzinfo is not None:
            return at
    diags.error(src, f"expected an ISO 8601 instant with offset, found {value!r}")
    return None


def parse_lock(
    raw: tuple[str, Any] | None,
    teams: dict[str, Team],
    people: dict[str, Person],
    diags: Diagnostics,
) -> Lock:
    if raw is None or raw[1] is None:
        return Lock({}, (), ())
    path, doc = raw
    hint = " (the lock file is written by 'rota plan'; restore it from git and re-run plan)"
    if not isinstance(doc, LDict) or set(doc) - {"version", "rotations"}:
        diags.error(Source(path), "not a Rota lock file" + hint)
        return Lock({}, (), ())
    if doc.get("version") != 1:
        diags.error(doc.value_at("version"), "unsupported lock file version; expected 1" + hint)
        return Lock({}, (), ())
    rotations = doc.get("rotations") or LDict()
    if not isinstance(rotations, LDict):
        diags.error(doc.value_at("rotations"), "expected a mapping of team/rotation" + hint)
        return Lock({}, (), ())
    until: dict[str, datetime] = {}
    locked: list[LockedShift] = []
    tentative: list[LockedShift] = []
    for key, entry in rotations.items():
        team_id, _, rotation_id = key.partition("/")
        team = teams.get(team_id)
        if team is None or team.rotation(rotation_id) is None:
            known = [r.key for t in teams.values() for r in t.rotations]
            diags.warning(
                rotations.key_at(key),
                f"lock file names rotation '{key}' which no longer exists"
                f"{did_you_mean(key, known)}; its entries are ignored",
            )
            continue
        if not isinstance(entry, LDict):
            diags.error(rotations.value_at(key), "expected a mapping with until and shifts" + hint)
            continue
        for bad in set(entry) - {"until", "shifts", "tentative"}:
            diags.error(entry.key_at(bad), f"unknown key '{bad}' in lock entry" + hint)
        until_at = _parse_instant(entry.get("until"), entry.value_at("until"), diags)
        if until_at is None:
            continue
        until[key] = until_at
        for name, sink in (("shifts", locked), ("tentative", tentative)):
            items = entry.get(name) or LList()
            if not isinstance(items, LList):
                diags.error(entry.value_at(name), "expected a list of shifts" + hint)
                continue
            for i, item in enumerate(items):
                src = items.item_at(i)
                if not isinstance(item, LDict) or set(item) != {"start", "end", "person"}:
                    diags.error(src, "expected {start, end, person}" + hint)
                    continue
                start = _parse_instant(item["start"], item.value_at("start"), diags)
                end = _parse_instant(item["end"], item.value_at("end"), diags)
                person = item["person"]
                if not isinstance(person, str) or person not in people:
                    diags.error(
                        item.value_at("person"),
                        f"no person '{person}'{did_you_mean(str(person), people)} in lock file",
                    )
                    continue
                if start is None or end is None:
                    continue
                if end <= start:
                    diags.error(item.value_at("end"), "locked shift ends before it starts" + hint)
                    continue
                sink.append(LockedShift(team_id, rotation_id, start, end, person, src))
    locked.sort(key=lambda s: (s.team, s.rotation, s.start_at))
    tentative.sort(key=lambda s: (s.team, s.rotation, s.start_at))
    return Lock(until, tuple(locked), tuple(tentative), Source(path))


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
                    f"person: {s.person}}}"
                )
    return "\n".join(lines) + "\n"


def write_lock(root: Path, text: str) -> Path:
    """Replace the lock file atomically."""
    path = root / LOCK_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".lock-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
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
