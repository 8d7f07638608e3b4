"""The planner's state: slots prepared for planning, who holds what, the hard rules. Pure.

``assign`` plans with it: ``greedy`` gives each slot in time order, ``search``
improves each 13-week block. This module holds what both read and change: the
slots with their loads per member (``PlanSlot``), each rotation's running loads
and targets (``PlanRotation``), everyone's covered windows for the exclusivity
rule (``Busy``), and the moves every step is made of (``_give``, ``_take_back``)
with the checks before them (``_can_take``, ``_rested``).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache

from generator.model import Member, Org, Person, Rotation
from generator.rules import effective_rules
from generator.schedule.limits import Span, extra_nights, extra_share, extra_weekends
from generator.schedule.loads import LoadModel
from generator.schedule.objective import (
    ELSEWHERE_BY_SETTING,
    LONG_RUN,
    SOFT_RULE,
    TEAM_RUN,
    Trail,
    end_terms,
)
from generator.schedule.shifts import Slot
from generator.timeutil import zone

# Local-search blocks: 13 weeks from a fixed Monday.
BLOCK_ANCHOR = datetime(2001, 1, 1, tzinfo=UTC).timestamp()
BLOCK = timedelta(weeks=13)
BLOCK_SECONDS = BLOCK.total_seconds()


def block_of(at: datetime | float) -> int:
    ts = at if isinstance(at, float) else at.timestamp()
    return int((ts - BLOCK_ANCHOR) // BLOCK_SECONDS)


def block_end(at: datetime) -> datetime:
    """The end of the local-search block holding ``at``: planning always runs to it."""
    return datetime.fromtimestamp(BLOCK_ANCHOR + (block_of(at) + 1) * BLOCK_SECONDS, UTC)


@dataclass(frozen=True)
class Pick:
    person: str | None  # None: nobody could take it (published as uncovered)
    source: str  # fair | round-robin | lock


@cache
def pick(person: str | None, source: str) -> Pick:
    """One Pick per person and source, shared (a year holds tens of thousands)."""
    return Pick(person, source)


def stable_hash(*parts: object) -> int:
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


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


def overlaps_leave(
    leave: tuple[list[float], list[float]], windows: list[tuple[float, float]]
) -> bool:
    """Whether any leave (starts, running maximum of ends) meets any window."""
    starts, ends = leave
    for x, y in windows:
        i = bisect_left(starts, y)  # the leaves that start before the window ends
        if i and ends[i - 1] > x:  # ... and the latest of them ends after it starts
            return True
    return False


def run_length(
    spans: list[tuple[float, float, int]], start: float, end: float, skip: tuple[int, int]
) -> float:
    """How long the run of back-to-back on-call periods through [start, end) lasts,
    with one person's other periods ``spans`` (sorted; those in ``skip`` left out)."""
    return run_of(spans, start, end, skip)[0]


def longest_run(
    spans: list[tuple[float, float, int]],
    windows: list[tuple[float, float]],
    skip: tuple[int, int],
) -> tuple[float, int]:
    """``run_of`` for a slot's covered windows: the longest run through any stretch
    of them that touch each other, and how many periods it holds."""
    best = (0.0, 0)
    i = 0
    while i < len(windows):
        a, b = windows[i]
        n = 1
        while i + 1 < len(windows) and windows[i + 1][0] <= b + 1:
            i += 1
            b = windows[i][1]
        length, count = run_of(spans, a, b, skip)
        best = max(best, (length, count + n - 1))
        i += 1
    return best


def run_of(
    spans: list[tuple[float, float, int]], start: float, end: float, skip: tuple[int, int]
) -> tuple[float, int]:
    """``run_length``, and how many periods the run holds (this one included)."""
    first, last, n = start, end, 1
    while True:
        j = bisect_left(spans, (first,)) - 1
        while j >= 0 and spans[j][2] in skip:
            j -= 1
        if j >= 0 and spans[j][1] >= first - 1 and spans[j][0] < first:
            first = spans[j][0]
            n += 1
            continue
        break
    while True:
        k = bisect_left(spans, (last,))
        while k < len(spans) and spans[k][2] in skip:
            k += 1
        if k < len(spans) and spans[k][0] <= last + 1 and spans[k][1] > last:
            last = spans[k][1]
            n += 1
            continue
        break
    return last - first, n


# a slot's load, weekend days and holiday days for one zone and region
Weighed = tuple[float, float, float]


class PlanSlot:
    """A slot prepared for planning: times as POSIX seconds, loads per member."""

    __slots__ = (
        "available",
        "block",
        "end",
        "extra",
        "full",
        "holiday",
        "index",
        "key",
        "load",
        "locked",
        "members",
        "owner",
        "pool",
        "prev",
        "start",
        "team",
        "turn",
        "weekend",
        "windows",
    )

    def __init__(
        self,
        key: str,
        index: int,
        slot: Slot,
        members: dict[str, float],
        start: float | None = None,
    ):
        self.key = key
        self.team = key.partition("/")[0]
        self.index = index
        self.turn = slot.index  # the rotation's turn number (``index`` is the position)
        self.start = slot.start_at.timestamp() if start is None else start
        self.end = slot.end_at.timestamp()
        first = slot.windows[0]
        if len(slot.windows) == 1 and first[0] is slot.start_at and first[1] is slot.end_at:
            self.windows = [(self.start, self.end)]  # no coverage: the whole slot
        else:
            self.windows = [(a.timestamp(), b.timestamp()) for a, b in slot.windows]
        self.block = int((self.start - BLOCK_ANCHOR) // BLOCK_SECONDS)  # block_of(start)
        self.members = members  # active person -> share (read only, may be shared)
        self.available: list[str] = []  # active and not on leave, member order
        # the members bearing the target: every active member not on leave. The same
        # list as ``available`` unless an override holds one of them elsewhere (they
        # may not take the slot, but still bear their part of the target)
        self.pool = self.available
        self.load: dict[str, float] = {}  # person -> weighted load of the slot
        self.weekend: dict[str, float] = {}  # weekend days in it (hours / 24)
        self.holiday: dict[str, float] = {}  # holiday days in it
        self.locked: str | None = None
        # an override on part of the slot: its holder carries only the rest (load),
        # the fluid targets still share the whole slot (full), and the override's
        # person carries the overridden part (extra)
        self.full: tuple[dict[str, float], dict[str, float], dict[str, float]] | None = None
        self.extra: tuple[str, float, float, float] | None = None  # person, load, days
        self.prev: str | None = None
        self.owner: str | None = None


class PlanRotation:
    def __init__(self, rotation: Rotation):
        self.rotation = rotation
        self.key = rotation.key
        # the rest rules, measured across the team's rotations (``PlanState._rested``):
        # hard min_rest and max_consecutive (seconds, 0: none), set by PlanState from
        # the rotation's rules, their soft forms, the largest hard min_rest of the
        # team's rotations, and whether a person's shifts of the team's other
        # rotations are looked at (``linked``: several rotations, or a soft rule)
        self.min_rest = rotation.min_rest.total_seconds() if rotation.min_rest else 0.0
        self.max_run = 0.0
        self.soft_rest = 0.0
        self.soft_run = 0.0
        self.team_rest = 0.0
        self.runs = False  # back-to-back periods across the team cost (``_rest_cost``)
        # the load limits (``limits``), across the team's rotations: hard ones are
        # kept as the rest rules are (``_rested``), soft ones cost (``_rest_cost``).
        # max_nights_per_week (nights, 0: none), no_consecutive_weekends, and
        # max_on_call_share as (limit, window in seconds)
        self.nights = 0.0
        self.soft_nights = 0.0
        self.weekends = False
        self.soft_weekends = False
        self.share: tuple[float, float] | None = None
        self.soft_share: tuple[float, float] | None = None
        self.limits = False  # any hard load limit
        self.linked = False
        self.slots: list[PlanSlot] = []
        self.load: dict[str, float] = defaultdict(float)
        self.target: dict[str, float] = defaultdict(float)
        self.wload: dict[str, float] = defaultdict(float)  # weekend days
        self.wtarget: dict[str, float] = defaultdict(float)
        self.hload: dict[str, float] = defaultdict(float)  # holiday days
        self.htarget: dict[str, float] = defaultdict(float)
        self.unit_sum = 0.0  # running sum of mean slot loads: the shift-equivalent
        self.unit_n = 0
        self.mine: dict[str, list[int]] = defaultdict(list)  # person -> own slot positions
        self.planned: dict[str, list[int]] = defaultdict(list)  # person -> previous-plan slots
        self.last_end: dict[str, float] = {}
        self.rr_next = 0
        self.rr_turn = 0  # the turn after the last one round-robin gave out
        self.owed: list[str] = []  # round-robin members skipped, in the order skipped
        self.slots_members: set[str] = set()  # members active for the current slot

    @property
    def unit(self) -> float:
        return (self.unit_sum / self.unit_n) if self.unit_n and self.unit_sum > 0 else 1.0


class Block:
    """One rotation's block under search: its handoffs (slots lo..hi), the
    shift-equivalent, each handoff's weight in the objective, each handoff's
    target parts, and each member's deviation trail and movable slots."""

    __slots__ = ("hi", "lo", "owned", "parts", "r", "trails", "unit", "weight")

    def __init__(
        self,
        r: PlanRotation,
        lo: int,
        hi: int,
        unit: float,
        weight: float,
        parts: list[dict[str, float]],
        owned: dict[str, list[int]],
    ):
        self.r, self.lo, self.hi, self.unit, self.weight = r, lo, hi, unit, weight
        self.parts = parts
        self.owned = owned
        self.trails: dict[str, Trail] = {}


def block_end_change(
    r: PlanRotation, unit: float, p: str, dload: float, dweekend: float, dholiday: float
) -> float:
    """Change of p's block-end part of the objective when p's load, weekend
    days and holiday days change by the given amounts (the greedy, ``_fair``,
    repeats this arithmetic inline; the search adds the handoff part, see
    ``Trail``)."""
    dev = (r.load[p] - r.target[p]) / unit
    wdev = r.wload[p] - r.wtarget[p]
    hdev = r.hload[p] - r.htarget[p]
    return end_terms(dev, wdev, hdev, dev + dload / unit, wdev + dweekend, hdev + dholiday)


class Busy:
    """Every person's covered windows per team, sorted, for overlap checks.

    A person's windows in one team never overlap each other (nobody holds two
    rotations of a team at once), so one sorted list per (person, team) answers
    "does this person hold anything overlapping" with a binary search. Across
    teams they may overlap: ``clashes`` asks the slot's own team (every team
    with ``organisation``), ``elsewhere`` the other teams.
    """

    def __init__(self, organisation: bool = False) -> None:
        self.items: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
        self.teams: dict[str, list[str]] = defaultdict(list)  # person -> teams they hold in
        self.organisation = organisation
        self.key_of: dict[int, str] = {}  # id of a held slot -> its rotation's key

    def add(self, person: str, slot: PlanSlot) -> None:
        scope = (person, slot.team)
        items = self.items.get(scope)
        if items is None:
            items = self.items[scope] = []
            self.teams[person].append(slot.team)
        self.key_of[id(slot)] = slot.key
        for a, b in slot.windows:
            insort(items, (a, b, id(slot)))

    def remove(self, person: str, slot: PlanSlot) -> None:
        items = self.items[(person, slot.team)]
        for a, b in slot.windows:
            i = bisect_left(items, (a, b, id(slot)))
            if i < len(items) and items[i] == (a, b, id(slot)):
                del items[i]

    def clashes(self, person: str, slot: PlanSlot, ignore: PlanSlot | None = None) -> bool:
        """Whether the person holds another slot at an overlapping time where that
        is forbidden (the slot's team; every team with ``organisation``)."""
        if self.organisation:
            return any(
                self._overlaps(self.items[(person, team)], slot, ignore)
                for team in self.teams.get(person, ())
            )
        items = self.items.get((person, slot.team))
        return items is not None and self._overlaps(items, slot, ignore)

    def elsewhere(self, person: str, slot: PlanSlot) -> list[str]:
        """The rotations of other teams the person holds at an overlapping time."""
        teams = [team for team in self.teams.get(person, ()) if team != slot.team]
        return [self.key_of[owner] for owner in self._held(person, teams, slot)]

    def holders(self, person: str, slot: PlanSlot) -> list[int]:
        """The ids of the slots the person holds that ``clashes`` would count."""
        teams = self.teams.get(person, ()) if self.organisation else (slot.team,)
        return list(dict.fromkeys(self._held(person, teams, slot)))

    def _held(self, person: str, teams: Iterable[str], slot: PlanSlot) -> Iterator[int]:
        """The ids of the other slots the person holds in these teams that overlap
        ``slot`` (once per overlapping window)."""
        for team in teams:
            items = self.items.get((person, team))
            if not items:
                continue
            for a, b in slot.windows:
                j = bisect_left(items, (b,)) - 1
                while j >= 0:
                    _, y, owner = items[j]
                    if y <= a:
                        break
                    if owner != id(slot):
                        yield owner
                    j -= 1

    @staticmethod
    def _overlaps(
        items: list[tuple[float, float, int]], slot: PlanSlot, ignore: PlanSlot | None
    ) -> bool:
        if not items:
            return False
        skip = (id(slot), id(ignore) if ignore is not None else -1)
        for a, b in slot.windows:
            # windows of one person in one team never overlap each other, so only
            # those that start before b matter, and of those only the last few can
            # reach a
            i = bisect_left(items, (b,))
            j = i - 1
            while j >= 0:
                _, y, owner = items[j]
                if y <= a:
                    break
                if owner not in skip:
                    return True
                j -= 1
        return False


class PlanState:
    """Everything the greedy and the search share (see the module notes)."""

    def __init__(
        self,
        org: Org,
        slots: dict[str, list[Slot]],
        locked: dict[str, dict[datetime, str]],
        previous: dict[str, dict[datetime, str]],
    ):
        self.org = org
        self.loads = LoadModel(org)
        self.organisation = org.settings.exclusive == "organisation"
        self.busy = Busy(self.organisation)
        self.rotations: dict[str, PlanRotation] = {}
        self.weights = self.loads.weight_vector
        self.leave: dict[str, list[tuple[float, float]]] = {
            pid: sorted((lv.start_at.timestamp(), lv.end_at.timestamp()) for lv in p.leave)
            for pid, p in org.people.items()
        }
        # per person: leave starts, and the latest end among leaves up to each one,
        # so "any leave overlapping [x, y)" is one binary search
        self._leave_index: dict[str, tuple[list[float], list[float]]] = {}
        for pid, spans in self.leave.items():
            if spans:
                ends: list[float] = []
                for _, b in spans:
                    ends.append(max(ends[-1], b) if ends else b)
                self._leave_index[pid] = ([a for a, _ in spans], ends)
        # overrides are written by hand: whoever an override puts on call is not free
        # for another rotation of that team at that time (of any team with
        # ``exclusive: organisation``; their own rotation's slots don't count), and
        # is on call elsewhere for the other teams (the soft cost)
        self._override_index: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
        for o in org.overrides:
            a, b = o.start_at.timestamp(), o.end_at.timestamp()
            self._override_index[o.person].append((a, b, f"{o.team}/{o.rotation}"))
        # what being on call for another team at once costs, by rotation (the larger
        # of the two rotations' settings counts)
        self._elsewhere: dict[str, float] = {
            r.key: ELSEWHERE_BY_SETTING[r.on_call_elsewhere]
            for t in org.teams.values()
            for r in t.rotations
        }
        # people who may be on call for two teams at once: the soft cost is looked
        # at for them only
        teams_of: dict[str, set[str]] = defaultdict(set)
        if not self.organisation:
            for each_team in org.teams.values():
                for each in each_team.rotations:
                    for m in each.members:
                        teams_of[m.person].add(each_team.id)
            for ls in (*org.lock.shifts, *org.lock.tentative):
                teams_of[ls.person].add(ls.team)
            for o in org.overrides:
                teams_of[o.person].add(o.team)
        self.shared = frozenset(p for p, teams in teams_of.items() if len(teams) > 1)
        self._slot_of: dict[int, tuple[PlanRotation, int]] | None = None  # for _repair
        w0, w1, w2, w3 = self.weights
        weighed: dict[object, dict[int, Weighed]] = {}
        for key, rotation_slots in slots.items():
            rotation = org.rotation(key)
            assert rotation is not None
            r = PlanRotation(rotation)
            self.rotations[key] = r
            # locked and previous assignees by the slot's start (as POSIX seconds)
            fixed = {at.timestamp(): p for at, p in locked.get(key, {}).items()}
            before = {at.timestamp(): p for at, p in previous.get(key, {}).items()}
            tz = org.teams[rotation.team].tz
            # members who exist, with their calendar (one per zone and region)
            roster = []
            for m in rotation.members:
                person = org.people.get(m.person)
                if person is not None:
                    cal = self.loads.calendar(person)
                    roster.append((m, m.person, id(cal), cal, self._leave_index.get(m.person)))
            dated = any(m.from_on is not None or m.until_on is not None for m, *_ in roster)
            # members an override puts on call for another rotation, and when (the
            # rest are never busy by an override)
            elsewhere = {
                pid: spans
                for _, pid, *_ in roster
                if (
                    spans := [
                        (a, b)
                        for a, b, o in self._override_index.get(pid, ())
                        if o != key and (self.organisation or o.partition("/")[0] == rotation.team)
                    ]
                )
            }
            everyone = {pid: m.share for m, pid, *_ in roster}  # shared while nobody is dated
            last_end_at: datetime | None = None
            last_end = 0.0
            for i, slot in enumerate(rotation_slots):
                # a slot usually starts where the last one ended: one timestamp fewer
                s = PlanSlot(
                    key, i, slot, everyone, last_end if slot.start_at is last_end_at else None
                )
                last_end_at, last_end = slot.end_at, s.end
                if dated:
                    first_day = slot.start_at.astimezone(tz).date()
                    last_day = (slot.end_at - timedelta(microseconds=1)).astimezone(tz).date()
                    active = [
                        entry
                        for entry in roster
                        if not (
                            (entry[0].from_on is not None and first_day < entry[0].from_on)
                            or (entry[0].until_on is not None and last_day > entry[0].until_on)
                        )
                    ]
                    s.members = {pid: m.share for m, pid, *_ in active}
                else:
                    active = roster
                windows = s.windows
                single = len(windows) == 1
                # many teams hand over at the same instants: the load of a window
                # in one zone and region is computed once for the whole organisation
                wkey = windows[0] if single else tuple(windows)
                by_cal = weighed.get(wkey)
                if by_cal is None:
                    by_cal = weighed[wkey] = {}
                load, weekend, holiday = s.load, s.weekend, s.holiday
                available = s.available
                x0, y0 = windows[0]
                for _, pid, cal_id, cal, leave in active:
                    got = by_cal.get(cal_id)
                    if got is None:
                        if single:
                            h0, h1, h2, h3 = cal.hours(x0, y0)
                        else:
                            h0 = h1 = h2 = h3 = 0.0
                            for a, b in windows:
                                p0, p1, p2, p3 = cal.hours(a, b)
                                h0 += p0
                                h1 += p1
                                h2 += p2
                                h3 += p3
                        lw = h0 * w0 + h1 * w1 + h2 * w2 + h3 * w3
                        got = by_cal[cal_id] = (lw, h2 / 24, h3 / 24)
                    load[pid], weekend[pid], holiday[pid] = got
                    if leave is None:
                        available.append(pid)
                    elif single:
                        # any leave meeting [x0, y0): of those starting before y0,
                        # the latest end is after x0
                        k = bisect_left(leave[0], y0)
                        if not (k and leave[1][k - 1] > x0):
                            available.append(pid)
                    elif not overlaps_leave(leave, windows):
                        available.append(pid)
                for pid, spans in elsewhere.items():
                    if pid in available and any(
                        a < y and x < b for a, b in spans for x, y in windows
                    ):
                        if s.pool is available:
                            s.pool = list(available)  # (see PlanSlot.pool)
                        available.remove(pid)
                if fixed:
                    s.locked = fixed.get(s.start)
                if before:
                    s.prev = before.get(s.start)
                if s.prev is not None:
                    r.planned[s.prev].append(i)
                if s.locked is not None and s.locked in org.people and s.locked not in s.load:
                    self._weigh(s, org.people[s.locked], {})
                r.slots.append(s)
        self._rules(org)
        self._overridden(org)
        # locked slots are known up front: nothing may clash with them
        for r in self.rotations.values():
            for pos, s in enumerate(r.slots):
                if s.locked is not None:
                    self.busy.add(s.locked, s)
                    insort(r.mine[s.locked], pos)

    def _overridden(self, org: Org) -> None:
        """Override hours count as load for the person an override puts on call,
        not for whoever holds the slot (as ``rota fairness`` counts them). The
        members' targets still share the whole slot when a member covers; hours
        someone from outside the rotation covers are nobody's share (``outsider``)."""
        w0, w1, w2, w3 = self.weights
        for o in org.overrides:
            r = self.rotations.get(f"{o.team}/{o.rotation}")
            if r is None or o.person not in org.people:
                continue
            outsider = all(m.person != o.person for m in r.rotation.members)
            a, b = o.start_at.timestamp(), o.end_at.timestamp()
            i = bisect_left(r.slots, a, key=lambda s: s.end)
            while i < len(r.slots) and r.slots[i].start < b:
                s = r.slots[i]
                i += 1
                parts = [(max(x, a), min(y, b)) for x, y in s.windows if x < b and a < y]
                parts = [(x, y) for x, y in parts if x < y]
                if not parts or s.extra is not None:
                    continue  # (overrides of one rotation do not overlap: one each)

                def weigh(
                    person: Person, parts: list[tuple[float, float]] = parts
                ) -> tuple[float, float, float]:
                    cal = self.loads.calendar(person)
                    h0 = h1 = h2 = h3 = 0.0
                    for x, y in parts:
                        p0, p1, p2, p3 = cal.hours(x, y)
                        h0, h1, h2, h3 = h0 + p0, h1 + p1, h2 + p2, h3 + p3
                    return (h0 * w0 + h1 * w1 + h2 * w2 + h3 * w3, h2 / 24, h3 / 24)

                if not outsider:
                    s.full = (dict(s.load), dict(s.weekend), dict(s.holiday))
                for p in list(s.load):
                    cut = weigh(org.people[p])
                    s.load[p] -= cut[0]
                    s.weekend[p] -= cut[1]
                    s.holiday[p] -= cut[2]
                s.extra = (o.person, *weigh(org.people[o.person]))

    def _weigh(
        self,
        s: PlanSlot,
        person: Person,
        by_zone: dict[tuple[str, str | None], tuple[float, float, float]],
    ) -> None:
        """The slot's load, weekend and holiday days for ``person``, once per zone."""
        zone_key = (person.timezone, person.holidays)
        got = by_zone.get(zone_key)
        if got is None:
            cal = self.loads.calendar(person)
            if len(s.windows) == 1:
                h = cal.hours(*s.windows[0])
            else:
                total = [0.0, 0.0, 0.0, 0.0]
                for a, b in s.windows:
                    part = cal.hours(a, b)
                    for k in range(4):
                        total[k] += part[k]
                h = (total[0], total[1], total[2], total[3])
            w = self.weights
            got = (h[0] * w[0] + h[1] * w[1] + h[2] * w[2] + h[3] * w[3], h[2] / 24, h[3] / 24)
            by_zone[zone_key] = got
        pid = person.id
        s.load[pid], s.weekend[pid], s.holiday[pid] = got

    def _rules(self, org: Org) -> None:
        """Each rotation's rest rules (``generator.rules``), and what its team's
        other rotations ask."""
        by_team: dict[str, list[PlanRotation]] = defaultdict(list)
        for r in self.rotations.values():
            by_team[r.rotation.team].append(r)
            rules = effective_rules(org, r.rotation.team, r.rotation)
            for rule in rules:
                hard = rule.level == "hard"
                if rule.name == "max_nights_per_week" and rule.limit is not None:
                    assert isinstance(rule.limit, float | int)
                    # (a limit of 0 is kept as "no night at all": a tiny positive one)
                    nights = max(float(rule.limit), 1e-9)
                    r.nights, r.soft_nights = (nights, 0.0) if hard else (0.0, nights)
                elif rule.name == "no_consecutive_weekends":
                    r.weekends, r.soft_weekends = hard, not hard
                elif rule.name == "max_on_call_share" and rule.limit is not None:
                    assert isinstance(rule.limit, float | int)
                    window = (rule.window or timedelta(weeks=13)).total_seconds()
                    share = (float(rule.limit), window)
                    r.share, r.soft_share = (share, None) if hard else (None, share)
                r.limits = bool(r.nights or r.weekends or r.share)
                if not isinstance(rule.limit, timedelta):
                    continue
                seconds = rule.limit.total_seconds()
                hard = rule.level == "hard"
                if rule.name == "min_rest":
                    r.min_rest, r.soft_rest = (seconds, 0.0) if hard else (0.0, seconds)
                elif rule.name == "max_consecutive":
                    r.max_run, r.soft_run = (seconds, 0.0) if hard else (0.0, seconds)
        for rs in by_team.values():
            team_rest = max(r.min_rest for r in rs)
            several = len(rs) > 1
            # runs are costed where they can be avoided: not where each member is on
            # call for the team half the time or more (two rotations of three people)
            crowded = sum(1 / max(1, len(r.rotation.members)) for r in rs) >= 0.5
            for r in rs:
                r.team_rest = team_rest if several else r.min_rest
                r.runs = several and not crowded
                r.linked = r.runs or bool(
                    r.soft_rest or r.soft_run or r.soft_nights or r.soft_weekends or r.soft_share
                )

    def _rested(self, r: PlanRotation, person: str, pos: int, ignore: int | None = None) -> bool:
        """Whether the person may take slot ``pos`` by the hard rest rules, measured
        across the team's rotations: ``min_rest`` (the larger of the two rotations')
        from every other shift they hold in the team, and a run of back-to-back
        shifts no longer than ``max_consecutive``. ``ignore``: a slot of ``r`` they
        give up at the same time (a swap)."""
        if not (r.min_rest or r.team_rest or r.max_run or r.limits):
            return True
        s = r.slots[pos]
        spans = self.busy.items.get((person, s.team)) or []  # their covered windows there
        skip = (id(s), id(r.slots[ignore]) if ignore is not None else -1)
        if r.limits and not self._within_limits(r, person, s, spans, skip):
            return False
        if not spans:
            return True
        first, last = s.windows[0][0], s.windows[-1][1]
        reach = max(r.min_rest, r.team_rest)
        if reach:
            rest_of = self._rest_of
            j = bisect_left(spans, (last + reach,)) - 1
            while j >= 0:
                a, b, sid = spans[j]
                j -= 1
                if sid in skip:
                    continue
                if b <= first - reach:
                    break  # (a person's windows in a team never overlap: ends rise too)
                need = max(r.min_rest, rest_of(sid))
                # (the slot's windows may straddle another rotation's: no rest)
                if need and max(a - last, first - b) < need:
                    return False
        return not (r.max_run and longest_run(spans, s.windows, skip)[0] > r.max_run + 1)

    def _within_limits(
        self, r: PlanRotation, person: str, s: PlanSlot, spans: list[Span], skip: tuple[int, int]
    ) -> bool:
        """Whether taking s keeps the hard load limits (``limits``)."""
        if r.nights and extra_nights(spans, s.windows, skip, self._tz(person), r.nights):
            return False
        if r.weekends and extra_weekends(spans, s.windows, skip, self._tz(person)):
            return False
        return not (r.share and extra_share(spans, s.windows, skip, r.share[1], r.share[0]) > 1.0)

    def _limits_cost(self, r: PlanRotation, person: str, s: PlanSlot, spans: list[Span]) -> float:
        """The soft load limits' cost of taking s: ``SOFT_RULE`` for each night above
        ``max_nights_per_week`` and each new pair of consecutive weekends, and up to
        ``SOFT_RULE`` (in proportion to the slot's length) for time above
        ``max_on_call_share`` (the same for everyone already above it by a shift)."""
        skip = (id(s), -1)
        cost = 0.0
        if r.soft_nights:
            cost += SOFT_RULE * extra_nights(
                spans, s.windows, skip, self._tz(person), r.soft_nights
            )
        if r.soft_weekends:
            cost += SOFT_RULE * extra_weekends(spans, s.windows, skip, self._tz(person))
        if r.soft_share:
            rise = extra_share(spans, s.windows, skip, r.soft_share[1], r.soft_share[0])
            if rise > 1.0:
                cost += SOFT_RULE * rise / max(1.0, sum(b - a for a, b in s.windows))
        return cost

    def _tz(self, person: str) -> tzinfo:
        who = self.org.people.get(person)
        return zone(who.timezone) if who is not None else UTC

    def _rest_of(self, sid: int) -> float:
        """The hard ``min_rest`` of the rotation of a held slot (by id)."""
        return self.rotations[self.busy.key_of[sid]].min_rest

    def _rest_cost(self, r: PlanRotation, person: str, s: PlanSlot) -> float:
        """The soft rest costs if the person held slot s (their hold of s itself not
        counted): ``TEAM_RUN`` for each shift of another of the team's rotations
        right before or after it, ``LONG_RUN`` for each period of the run of
        back-to-back periods through it beyond two (three weeks running),
        ``SOFT_RULE`` for each shift closer than a soft ``min_rest`` and for a run
        longer than a soft ``max_consecutive``."""
        if not r.linked:
            return 0.0
        spans = self.busy.items.get((person, s.team))
        if not spans:
            return 0.0
        skip = (id(s), -1)
        cost = self._limits_cost(r, person, s, spans)
        touching = False
        first, last = s.windows[0][0], s.windows[-1][1]
        reach = max(r.soft_rest, 2.0)
        j = bisect_left(spans, (last + reach,)) - 1
        key_of = self.busy.key_of
        while j >= 0:
            a, b, sid = spans[j]
            j -= 1
            if sid == id(s):
                continue
            if b <= first - reach:
                break
            gap = max(a - last, first - b)
            if gap <= 1:
                touching = r.runs
                if r.runs and key_of[sid] != s.key:
                    cost += TEAM_RUN
            if r.soft_rest and gap < r.soft_rest:
                cost += SOFT_RULE
        if touching or r.soft_run:
            length, n = longest_run(spans, s.windows, skip)
            if r.runs:
                cost += LONG_RUN * max(0, n - 2)
            if r.soft_run and length > r.soft_run + 1:
                cost += SOFT_RULE
        return cost

    def _back_to_back(self, r: PlanRotation, person: str, pos: int, ignore: int | None) -> int:
        mine = r.mine.get(person, [])
        i = bisect_left(mine, pos)
        s = r.slots[pos]
        n = 0
        for j in (i - 1, i):
            if 0 <= j < len(mine) and mine[j] not in (pos, ignore):
                o = r.slots[mine[j]]
                if o.end == s.start or o.start == s.end:
                    n += 1
        return n

    def _elsewhere_cost(self, person: str, s: PlanSlot) -> float:
        """What it costs that the person is on call for another team during the slot
        (a planned slot or an override): the larger of the two rotations'
        ``on_call_elsewhere`` costs; 0 if they are not."""
        if person not in self.shared:
            return 0.0
        keys = self.busy.elsewhere(person, s) + [
            key
            for a, b, key in self._override_index.get(person, ())
            if key.partition("/")[0] != s.team and any(a < y and x < b for x, y in s.windows)
        ]
        if not keys:
            return 0.0
        costs = self._elsewhere
        return max(costs[s.key], *(costs[key] for key in keys))

    def _give(self, r: PlanRotation, pos: int, person: str, new: bool = True) -> None:
        s = r.slots[pos]
        s.owner = person
        r.load[person] += s.load.get(person, 0.0)
        r.wload[person] += s.weekend.get(person, 0.0)
        r.hload[person] += s.holiday.get(person, 0.0)
        r.last_end[person] = max(r.last_end.get(person, s.end), s.end)
        if new:
            self.busy.add(person, s)
            insort(r.mine[person], pos)

    def _can_take(self, r: PlanRotation, person: str, pos: int, ignore: int | None) -> bool:
        s = r.slots[pos]
        if person not in s.available:
            return False
        other = r.slots[ignore] if ignore is not None else None
        if self.busy.clashes(person, s, ignore=other):
            return False
        return self._rested(r, person, pos, ignore)

    def _take_back(self, r: PlanRotation, pos: int, person: str) -> None:
        s = r.slots[pos]
        s.owner = None
        r.load[person] -= s.load.get(person, 0.0)
        r.wload[person] -= s.weekend.get(person, 0.0)
        r.hload[person] -= s.holiday.get(person, 0.0)
        self.busy.remove(person, s)
        mine = r.mine[person]
        i = bisect_left(mine, pos)
        if i < len(mine) and mine[i] == pos:
            del mine[i]
