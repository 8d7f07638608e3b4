"""Who takes each slot: round-robin and fair assignment. Pure and deterministic.

Fair assignment is a greedy pass in time order over every rotation of the
teams that share people: each slot goes to the eligible member furthest behind
their running fluid target (see ``docs`` in the README), ties broken by a
stable hash of (rotation, slot, person), never by set or dict order.

Hard constraints: leave (no overlap with any covered window of the slot),
membership dates, ``min_rest`` between two shifts of one person in a rotation,
and one person on one rotation of a team at a time.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from generator.model import Member, Org, Person, Rotation
from generator.schedule.shifts import Slot


@dataclass(frozen=True)
class Pick:
    person: str | None  # None: nobody could take it (reported as infeasible)
    source: str  # fair | round-robin | lock


def stable_hash(*parts: object) -> int:
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class LoadModel:
    """Weighted load of covered time for a person, cached by zone and region."""

    def __init__(self, org: Org):
        self.org = org
        self.weights = org.settings.load_weights
        self._cache: dict[tuple[str, str | None, datetime, datetime], dict[str, float]] = {}

    def hours(
        self, person: Person, windows: Iterable[tuple[datetime, datetime]]
    ) -> dict[str, float]:
        total = {"weekday": 0.0, "night": 0.0, "weekend": 0.0, "holiday": 0.0}
        for a, b in windows:
            key = (person.timezone, person.holidays, a, b)
            got = self._cache.get(key)
            if got is None:
                raw = self.org.classer(person).hours_by_class(a, b)
                got = {
                    "weekday": raw["business"],
                    "night": raw["night"],
                    "weekend": raw["weekend"],
                    "holiday": raw["holiday"],
                }
                self._cache[key] = got
            for cls, h in got.items():
                total[cls] += h
        return total

    def load(self, person: Person, windows: Iterable[tuple[datetime, datetime]]) -> float:
        hours = self.hours(person, windows)
        return sum(self.weights[c] * h for c, h in hours.items())


def active_members(rotation: Rotation, slot: Slot, org: Org) -> list[Member]:
    """Members whose from/until (team-zone dates, inclusive) contain the slot."""
    tz = org.teams[rotation.team].tz
    first_day = slot.start_at.astimezone(tz).date()
    last_day = (slot.end_at - timedelta(microseconds=1)).astimezone(tz).date()
    out = []
    for m in rotation.members:
        if m.from_on is not None and first_day < m.from_on:
            continue
        if m.until_on is not None and last_day > m.until_on:
            continue
        out.append(m)
    return out


def on_leave(person: Person, slot: Slot) -> bool:
    return any(person.on_leave(a, b) for a, b in slot.windows)


@dataclass
class _State:
    load: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    target: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    special: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # weekend+holiday
    special_target: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    last_end: dict[str, datetime] = field(default_factory=dict)
    rr_next: int = 0


def assign(
    org: Org,
    slots: dict[str, list[Slot]],
    locked: dict[str, dict[datetime, str]],
) -> dict[str, list[Pick]]:
    """A pick for every slot of every rotation in ``slots`` (keyed ``team/rotation``)."""
    loads = LoadModel(org)
    rotations = {key: org.rotation(key) for key in slots}
    states = {key: _State() for key in slots}
    picks: dict[str, list[Pick]] = {key: [] for key in slots}
    # busy[team] = list of (start, end, person) already given, for the one-rotation rule
    busy: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    order = sorted(
        ((s.start_at, key, i) for key, ss in slots.items() for i, s in enumerate(ss)),
        key=lambda t: (t[0], t[1]),
    )
    for _, key, i in order:
        rotation = rotations[key]
        assert rotation is not None
        slot = slots[key][i]
        state = states[key]
        members = active_members(rotation, slot, org)
        available = [
            m
            for m in members
            if m.person in org.people and not on_leave(org.people[m.person], slot)
        ]
        # fluid target: the slot's mean load shared among the available members
        if available:
            per_member = {
                m.person: loads.hours(org.people[m.person], slot.windows) for m in available
            }
            weights = org.settings.load_weights
            mean_load = sum(
                sum(weights[c] * h for c, h in hrs.items()) for hrs in per_member.values()
            ) / len(available)
            mean_special = sum(
                hrs["weekend"] + hrs["holiday"] * 2 for hrs in per_member.values()
            ) / len(available)
            total_share = sum(m.share for m in available)
            equal = rotation.fairness == "equal"
            pool = members if equal else available
            pool_share = sum(m.share for m in pool)
            for m in pool:
                part = m.share / (pool_share if equal else total_share)
                state.target[m.person] += mean_load * part
                state.special_target[m.person] += mean_special * part
        locked_person = locked.get(key, {}).get(slot.start_at)
        if locked_person is not None:
            chosen: str | None = locked_person
            source = "lock"
        else:
            team_busy = busy[rotation.team]
            eligible = []
            for m in available:
                last = state.last_end.get(m.person)
                if (
                    rotation.min_rest
                    and last is not None
                    and slot.start_at - last < rotation.min_rest
                ):
                    continue
                if any(
                    p == m.person and a < slot.end_at and slot.start_at < b
                    for a, b, p in team_busy[-64:]
                ):
                    continue
                eligible.append(m)
            if not eligible:
                # min_rest is soft when nothing else is feasible; leave and the
                # one-rotation rule are not
                eligible = [
                    m
                    for m in available
                    if not any(
                        p == m.person and a < slot.end_at and slot.start_at < b
                        for a, b, p in team_busy[-64:]
                    )
                ]
            if not eligible:
                chosen, source = None, rotation.assignment
            elif rotation.assignment == "round-robin":
                chosen = _round_robin(rotation, state, {m.person for m in eligible})
                source = "round-robin"
            else:
                chosen = _fair(rotation, slot, state, eligible, loads, org)
                source = "fair"
        picks[key].append(Pick(chosen, source))
        if chosen is not None and chosen in org.people:
            person = org.people[chosen]
            hrs = loads.hours(person, slot.windows)
            state.load[chosen] += sum(org.settings.load_weights[c] * h for c, h in hrs.items())
            state.special[chosen] += hrs["weekend"] + hrs["holiday"] * 2
            state.last_end[chosen] = slot.end_at
            busy[rotation.team].append((slot.start_at, slot.end_at, chosen))
    return picks


def _round_robin(rotation: Rotation, state: _State, eligible: set[str]) -> str | None:
    ids = [m.person for m in rotation.members]
    n = len(ids)
    for step in range(n):
        candidate = ids[(state.rr_next + step) % n]
        if candidate in eligible:
            state.rr_next = (state.rr_next + step + 1) % n
            return candidate
    return None


def _fair(
    rotation: Rotation,
    slot: Slot,
    state: _State,
    eligible: list[Member],
    loads: LoadModel,
    org: Org,
) -> str:
    def score(m: Member) -> tuple[float, float, int]:
        deficit = (state.target[m.person] - state.load[m.person]) / m.share
        special = (state.special_target[m.person] - state.special[m.person]) / m.share
        return (
            round(deficit, 6),
            round(special, 6),
            stable_hash(rotation.key, slot.index, m.person),
        )

    return max(eligible, key=score).person
