"""Per-member load and target of each rotation over a window: the accounting that
cover, conflicts and the fairness report share. Pure.

Counts only the hours inside [start_at, end_at). Hours are classed in the
member's own zone and holiday region (holiday, else weekend, else night, else
weekday business hours) and weighted by ``settings.load_weights``.

- **target**: every slot's load is divided among the members available for it
  (active, not on leave at any moment of it) in proportion to their ``share``
  (``fairness: equal``: among every active member, leave or not). A slot nobody
  could take is nobody's share.
- **unit** (the shift-equivalent): the mean load of one shift of the rotation
  in the window, averaged over its active members.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from generator.model import Org, Rotation
from generator.schedule.assign import active_members, on_leave
from generator.schedule.loads import LoadModel, SlotShares, Vector
from generator.schedule.resolve import Schedule, Shift
from generator.schedule.shifts import Slot


@dataclass
class Account:
    """One rotation's books over a window."""

    rotation: Rotation
    unit: float  # load of one mean shift (1.0 when the window holds none)
    hours: dict[str, list[float]] = field(default_factory=dict)  # person -> hours by class
    target: dict[str, float] = field(default_factory=dict)  # person -> weighted target
    class_target: dict[str, list[float]] = field(default_factory=dict)  # hours by class
    slots_held: dict[str, set[datetime]] = field(default_factory=dict)  # nominal starts
    loads: LoadModel | None = None
    # nominal slot start -> each target-bearing member's part of that slot (sums to 1)
    parts: dict[datetime, dict[str, float]] = field(default_factory=dict)

    def load(self, person: str) -> float:
        """The person's weighted load in the window."""
        h = self.hours.get(person)
        if h is None or self.loads is None:
            return 0.0
        return self.loads.weigh((h[0], h[1], h[2], h[3]))

    def deviation(self, person: str) -> float:
        """Load minus target, in shift-equivalents."""
        return (self.load(person) - self.target.get(person, 0.0)) / self.unit


def clip(
    windows: tuple[tuple[datetime, datetime], ...], start_at: datetime, end_at: datetime
) -> list[tuple[datetime, datetime]]:
    out = []
    for a, b in windows:
        lo, hi = max(a, start_at), min(b, end_at)
        if lo < hi:
            out.append((lo, hi))
    return out


def _add(acc: list[float], vector: Vector, factor: float = 1.0) -> None:
    for k in range(4):
        acc[k] += vector[k] * factor


def outsider_cover(org: Org) -> dict[str, list[tuple[datetime, datetime]]]:
    """Per rotation key, the times overrides by people who are not its members put
    them on call: those hours are the outsider's load and nobody's share of the
    members' targets (a member's cover still shares the whole slot)."""
    out: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for o in org.overrides:
        rotation = org.rotation(f"{o.team}/{o.rotation}")
        if rotation is not None and all(m.person != o.person for m in rotation.members):
            out[rotation.key].append((o.start_at, o.end_at))
    return out


def without(
    windows: Sequence[tuple[datetime, datetime]], cuts: Sequence[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The windows less the cut intervals."""
    out = list(windows)
    for x, y in cuts:
        kept = []
        for a, b in out:
            if y <= a or b <= x:
                kept.append((a, b))
                continue
            if a < x:
                kept.append((a, x))
            if y < b:
                kept.append((y, b))
        out = kept
    return out


def slot_shares(org: Org, loads: LoadModel, rotation: Rotation, slot: Slot) -> SlotShares | None:
    """A slot's load for each active member (in their own zone and region), and each
    target-bearing member's part of it (summing to 1; empty if nobody may bear it):
    the members available for it, or every active one with ``fairness: equal``, in
    proportion to their ``share``. None when no member is active then."""
    memo = (rotation.key, slot.start_at)
    if memo in loads.shares:
        return loads.shares[memo]
    members = [m for m in active_members(rotation, slot, org) if m.person in org.people]
    if not members:
        loads.shares[memo] = None
        return None
    each = {m.person: loads.load(org.people[m.person], slot.windows) for m in members}
    pool = (
        members
        if rotation.fairness == "equal"
        else [m for m in members if not on_leave(org.people[m.person], slot)]
    )
    total = sum(m.share for m in pool)
    got = each, ({m.person: m.share / total for m in pool} if total > 0 else {})
    loads.shares[memo] = got
    return got


def compute_accounts(
    org: Org,
    schedule: Schedule,
    start_at: datetime,
    end_at: datetime,
    keys: set[str] | None = None,
    loads: LoadModel | None = None,
) -> dict[str, Account]:
    """The books of every rotation (or of ``keys``), keyed ``team/rotation``, in team
    order. ``schedule`` must cover the window. ``loads``: one shared with other reports
    of the same organisation (its caches are theirs too)."""
    loads = loads or LoadModel(org)
    shifts_by_key: dict[str, list[Shift]] = defaultdict(list)
    for s in schedule.shifts:
        shifts_by_key[f"{s.team}/{s.rotation}"].append(s)
    outsiders = outsider_cover(org)
    out: dict[str, Account] = {}
    for team in org.teams.values():
        for rotation in team.rotations:
            key = rotation.key
            if keys is not None and key not in keys:
                continue
            target: dict[str, float] = defaultdict(float)
            class_target: dict[str, list[float]] = defaultdict(lambda: [0.0] * 4)
            unit_sum, unit_n = 0.0, 0
            parts: dict[datetime, dict[str, float]] = {}
            carried = {s.slot_start_at for s in shifts_by_key.get(key, ()) if s.person is not None}
            for slot in schedule.slots.get(key, ()):
                if slot.end_at <= start_at or slot.start_at >= end_at:
                    continue
                if slot.start_at not in carried:
                    continue  # nobody could take it: it is nobody's share
                inside = clip(slot.windows, start_at, end_at)
                if not inside:
                    continue
                cuts = [
                    c for c in outsiders.get(key, ()) if c[0] < slot.end_at and slot.start_at < c[1]
                ]
                shared = (
                    clip(tuple(without(slot.windows, cuts)), start_at, end_at) if cuts else inside
                )
                shares = slot_shares(org, loads, rotation, slot)
                if shares is None:
                    continue
                each, part_of = shares
                unit_sum += sum(each.values()) / len(each)
                unit_n += 1
                if not part_of:
                    continue
                parts[slot.start_at] = part_of
                for person, part in part_of.items():
                    vector = loads.vector(org.people[person], shared)
                    target[person] += loads.weigh(vector) * part
                    _add(class_target[person], vector, part)
            unit = (unit_sum / unit_n) if unit_n and unit_sum > 0 else 1.0
            hours: dict[str, list[float]] = defaultdict(lambda: [0.0] * 4)
            slots_held: dict[str, set[datetime]] = defaultdict(set)
            for s in shifts_by_key.get(key, ()):
                inside = clip(((s.start_at, s.end_at),), start_at, end_at)
                if not inside or s.person is None or s.person not in org.people:
                    continue
                _add(hours[s.person], loads.vector(org.people[s.person], inside))
                slots_held[s.person].add(s.slot_start_at)
            out[key] = Account(
                rotation,
                unit,
                dict(hours),
                dict(target),
                dict(class_target),
                dict(slots_held),
                loads,
                parts,
            )
    return out
