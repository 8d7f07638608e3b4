"""Who takes each slot: fair assignment and round-robin. Pure and deterministic.

All rotations are planned together in one pass in time order, so a person
shared by several rotations of a team is never given two overlapping shifts of
it, and a person shared by several teams is, where it costs little fairness,
not put on call for one team while on call for another (``ELSEWHERE``).

``fair`` (the default) is a greedy pass followed by a local search:

1. **Greedy.** Each slot goes to the eligible member whose objective grows
   least (for equal loads: the member furthest behind their running fluid
   target), then to whoever was on call least recently (that keeps a
   recognisable order), then by a stable hash of (rotation, slot, person).
   With a previous plan (the lock file's tentative part) the previous assignee
   keeps the slot wherever the hard constraints still allow; a replacement is
   preferred who does not lose their own next planned shift to ``min_rest``
   (so one change does not cascade).
2. **Local search.** Time is cut into fixed 13-week blocks (anchored on a fixed
   Monday, so a slot's assignee never depends on the window asked for). At the
   end of each block, moves (one slot to another member) and swaps (two slots
   between two members) over the block's unlocked slots lower
   ``Σ dev² + ¼ Σ weekend_dev² + 2.5 Σ holiday_dev² + stickiness`` where ``dev``
   is a member's (load - target) in shift-equivalents since the rotation's
   first handoff, ``weekend_dev`` and ``holiday_dev`` the same for weekend and
   holiday time in days, and stickiness a cost (``STICKY``) for each slot moved
   away from the previous plan: a slot leaves its previous assignee only for a
   larger gain. Holidays weigh more than their share of the load
   (``HOLIDAY_WEIGHT``): a holiday-bearing week is lumpy, its deviation is
   carried from year to year, and only the block's own slots can even it out,
   so the search takes every chance to do so (Christmas does not fall to the
   same person every year, and over years members stay close to their holiday
   share). Each step tries the two members furthest above target (and above on
   weekends/holidays) against the two furthest below; it stops when nothing
   improves or everyone is within ``GOOD_ENOUGH`` of target and
   ``HOLIDAY_GOOD_ENOUGH`` of their holiday target. Rotations are searched in
   key order, and a rotation is searched again when a later rotation's search
   moved one of its members (what it may move depends on their other shifts;
   at most four rounds): each block ends where no search improves, so
   re-planning from the plan as the previous one moves nothing.

Hard constraints: leave (no overlap with any covered window of the slot),
membership dates, and nobody on two rotations of one team at once (of the whole
organisation with ``settings.exclusive: organisation``); an override holds its
person in the same way. Being on call for another team at the same time is a
soft cost (``ELSEWHERE``, in the greedy and in the local search's moves).
``min_rest`` between two shifts of one person in a rotation is hard unless no
member satisfies it (then the slot goes to the best rested member rather than
to nobody).

A slot whose available members are all held by other slots (the exclusivity
rule) is not given up at once: ``_repair`` searches the conflicting window (the
slots already planned that hold one of its members at an overlapping time,
closed under the same relation) for an assignment that covers every one of
them, by backtracking with the current assignee tried first; it is exact up to
``REPAIR_SLOTS`` slots and ``REPAIR_NODES`` search nodes. A slot still nobody
can take gets ``Pick(None, ...)``, is published as uncovered and counts in
nobody's target.

Cost: the greedy is O(S·M) for S slots and M members per slot, plus binary
searches for the few best-scored members: loads come from per-zone prefix sums
in ``loads.py``, once per covered window and (zone, region) for the whole
organisation; members are scored first and only then checked for clashes and
rest, best first; leave is a binary search in sorted starts with the running
latest end. The local search is bounded by 4·M + B/2 + 8 steps per block,
rotation and round (B slots in the block), each step comparing groups of
interchangeable slots rather than every pair; the improving moves and swaps of
a pair of members are kept until either of them moves. The fast paths repeat the
reference arithmetic (``_cost``) operation for operation, so the plan is the
same to the last bit.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, insort
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from generator.model import Member, Org, Person, Rotation
from generator.schedule.loads import LoadModel
from generator.schedule.shifts import Slot

__all__ = ["BLOCK", "LoadModel", "Pick", "active_members", "assign", "on_leave", "stable_hash"]

# Local-search blocks: 13 weeks from a fixed Monday.
BLOCK_ANCHOR = datetime(2001, 1, 1, tzinfo=UTC).timestamp()
BLOCK = timedelta(weeks=13)
_BLOCK_S = BLOCK.total_seconds()
WEEKEND_WEIGHT = 0.25  # weight of the weekend balance (in days) in the objective
HOLIDAY_WEIGHT = 2.5  # weight of the holiday balance (in days): it accumulates over years
STICKY = 1.5  # cost of moving a slot away from its previous assignee, in dev² units
CASCADE = 3.0  # a replacement who would lose their own next planned shift (min_rest)
BACK_TO_BACK = 0.05  # soft cost of two shifts in a row without a break
ELSEWHERE = 0.5  # soft cost of being on call for another team at the same time (dev² units)
REPAIR_SLOTS = 48  # the conflicting window ``_repair`` searches, at most
REPAIR_NODES = 20_000  # ... and the search nodes it may visit
MIN_GAIN = 0.02  # a local-search step must lower the objective at least this much
GOOD_ENOUGH = 0.4  # the local search stops once everyone is this close to target (SE)
HOLIDAY_GOOD_ENOUGH = 0.25  # ... and this close to their holiday target (days)


def block_of(at: datetime | float) -> int:
    ts = at if isinstance(at, float) else at.timestamp()
    return int((ts - BLOCK_ANCHOR) // _BLOCK_S)


def block_end(at: datetime) -> datetime:
    """The end of the local-search block holding ``at``: planning always runs to it."""
    return datetime.fromtimestamp(BLOCK_ANCHOR + (block_of(at) + 1) * _BLOCK_S, UTC)


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


def _overlaps_leave(
    leave: tuple[list[float], list[float]], windows: list[tuple[float, float]]
) -> bool:
    """Whether any leave (starts, running maximum of ends) meets any window."""
    starts, ends = leave
    for x, y in windows:
        i = bisect_left(starts, y)  # the leaves that start before the window ends
        if i and ends[i - 1] > x:  # ... and the latest of them ends after it starts
            return True
    return False


# a slot's load, weekend days and holiday days for one zone and region (the local
# search groups slots by the three rounded, ``_Slot.rounded``, made when needed)
_Weighed = tuple[float, float, float]
_UNKNOWN = object()  # feasibility not looked at yet


class _Slot:
    """A slot prepared for planning: times as POSIX seconds, loads per member."""

    __slots__ = (
        "available",
        "block",
        "end",
        "holiday",
        "index",
        "key",
        "load",
        "locked",
        "members",
        "owner",
        "prev",
        "rounded",
        "start",
        "team",
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
        self.start = slot.start_at.timestamp() if start is None else start
        self.end = slot.end_at.timestamp()
        first = slot.windows[0]
        if len(slot.windows) == 1 and first[0] is slot.start_at and first[1] is slot.end_at:
            self.windows = [(self.start, self.end)]  # no coverage: the whole slot
        else:
            self.windows = [(a.timestamp(), b.timestamp()) for a, b in slot.windows]
        self.block = int((self.start - BLOCK_ANCHOR) // _BLOCK_S)  # block_of(start)
        self.members = members  # active person -> share (read only, may be shared)
        self.available: list[str] = []  # active and not on leave, member order
        self.load: dict[str, float] = {}  # person -> weighted load of the slot
        self.weekend: dict[str, float] = {}  # weekend days in it (hours / 24)
        self.holiday: dict[str, float] = {}  # holiday days in it
        self.rounded: dict[str, tuple[float, float, float]] = {}  # the three, rounded (lazy)
        self.locked: str | None = None
        self.prev: str | None = None
        self.owner: str | None = None


class _Rotation:
    def __init__(self, rotation: Rotation):
        self.rotation = rotation
        self.key = rotation.key
        self.min_rest = rotation.min_rest.total_seconds() if rotation.min_rest else 0.0
        self.slots: list[_Slot] = []
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
        self.owed: list[str] = []  # round-robin members skipped, in the order skipped
        self.slots_members: set[str] = set()  # members active for the current slot

    @property
    def unit(self) -> float:
        return (self.unit_sum / self.unit_n) if self.unit_n and self.unit_sum > 0 else 1.0


class _Busy:
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

    def add(self, person: str, slot: _Slot) -> None:
        scope = (person, slot.team)
        items = self.items.get(scope)
        if items is None:
            items = self.items[scope] = []
            self.teams[person].append(slot.team)
        for a, b in slot.windows:
            insort(items, (a, b, id(slot)))

    def remove(self, person: str, slot: _Slot) -> None:
        items = self.items[(person, slot.team)]
        for a, b in slot.windows:
            i = bisect_left(items, (a, b, id(slot)))
            if i < len(items) and items[i] == (a, b, id(slot)):
                del items[i]

    def clashes(self, person: str, slot: _Slot, ignore: _Slot | None = None) -> bool:
        """Whether the person holds another slot at an overlapping time where that
        is forbidden (the slot's team; every team with ``organisation``)."""
        if self.organisation:
            return any(
                self._overlaps(self.items[(person, team)], slot, ignore)
                for team in self.teams.get(person, ())
            )
        items = self.items.get((person, slot.team))
        return items is not None and self._overlaps(items, slot, ignore)

    def elsewhere(self, person: str, slot: _Slot) -> bool:
        """Whether the person is on call for another team at an overlapping time."""
        return any(
            self._overlaps(self.items[(person, team)], slot, None)
            for team in self.teams.get(person, ())
            if team != slot.team
        )

    def holders(self, person: str, slot: _Slot) -> list[int]:
        """The ids of the slots the person holds that ``clashes`` would count."""
        teams = self.teams.get(person, ()) if self.organisation else (slot.team,)
        out: list[int] = []
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
                    if owner != id(slot) and owner not in out:
                        out.append(owner)
                    j -= 1
        return out

    @staticmethod
    def _overlaps(items: list[tuple[float, float, int]], slot: _Slot, ignore: _Slot | None) -> bool:
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


def assign(
    org: Org,
    slots: dict[str, list[Slot]],
    locked: dict[str, dict[datetime, str]],
    previous: dict[str, dict[datetime, str]] | None = None,
) -> dict[str, list[Pick]]:
    """A pick for every slot of every rotation in ``slots`` (keyed ``team/rotation``).

    ``locked`` fixes slots (by start) to a person; ``previous`` is the last plan,
    followed where it is still good enough.
    """
    return _Planner(org, slots, locked, previous or {}).run()


class _Planner:
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
        self.busy = _Busy(self.organisation)
        self.rotations: dict[str, _Rotation] = {}
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
        self._override_teams: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
        for o in org.overrides:
            a, b = o.start_at.timestamp(), o.end_at.timestamp()
            self._override_index[o.person].append((a, b, f"{o.team}/{o.rotation}"))
            self._override_teams[o.person].append((a, b, o.team))
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
        self._slot_of: dict[int, tuple[_Rotation, int]] | None = None  # for _repair
        w0, w1, w2, w3 = self.weights
        weighed: dict[object, dict[int, _Weighed]] = {}
        for key, rotation_slots in slots.items():
            rotation = org.rotation(key)
            assert rotation is not None
            r = _Rotation(rotation)
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
                s = _Slot(
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
                    elif not _overlaps_leave(leave, windows):
                        available.append(pid)
                for pid, spans in elsewhere.items():
                    if pid in available and any(
                        a < y and x < b for a, b in spans for x, y in windows
                    ):
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
        # locked slots are known up front: nothing may clash with them
        for r in self.rotations.values():
            for pos, s in enumerate(r.slots):
                if s.locked is not None:
                    self.busy.add(s.locked, s)
                    insort(r.mine[s.locked], pos)

    def _weigh(
        self,
        s: _Slot,
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

    def run(self) -> dict[str, list[Pick]]:
        order = sorted(
            (s.start, key, pos)
            for key, r in self.rotations.items()
            for pos, s in enumerate(r.slots)
        )
        current_block: int | None = None
        pending: dict[str, list[int]] = defaultdict(list)
        for _, key, pos in order:
            block = self.rotations[key].slots[pos].block
            if current_block is not None and block != current_block:
                self._improve(pending)
                pending = defaultdict(list)
            current_block = block
            self._greedy(self.rotations[key], pos)
            pending[key].append(pos)
        self._improve(pending)
        out: dict[str, list[Pick]] = {}
        for key, r in self.rotations.items():
            mode = r.rotation.assignment
            out[key] = [pick(s.owner, "lock" if s.locked is not None else mode) for s in r.slots]
        return out

    # -- greedy -----------------------------------------------------------------

    def _rested(self, r: _Rotation, person: str, pos: int, ignore: int | None = None) -> bool:
        if not r.min_rest:
            return True
        s = r.slots[pos]
        mine = r.mine.get(person, [])
        i = bisect_left(mine, pos)
        for j in (i - 1, i, i + 1):
            if 0 <= j < len(mine) and mine[j] != pos and mine[j] != ignore:
                o = r.slots[mine[j]]
                if o.end <= s.start and s.start - o.end < r.min_rest:
                    return False
                if o.start >= s.end and o.start - s.end < r.min_rest:
                    return False
                if o.start < s.end and s.start < o.end:
                    return False
        return True

    def _back_to_back(self, r: _Rotation, person: str, pos: int, ignore: int | None) -> int:
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

    def _greedy(self, r: _Rotation, pos: int) -> None:
        s = r.slots[pos]
        members, load, weekend, holiday = s.members, s.load, s.weekend, s.holiday
        pool_ids = list(members) if r.rotation.fairness == "equal" else s.available
        if members:
            r.unit_sum += sum(map(load.__getitem__, members)) / len(members)
            r.unit_n += 1
        total_share = sum(map(members.__getitem__, pool_ids))
        mode = r.rotation.assignment
        chosen: str | None
        if mode == "fair" and s.locked is None and pool_ids is s.available:
            # the targets grow inside the scoring loop (one pass over the members)
            chosen = self._fair(r, pos, total_share)
        else:
            if total_share > 0:
                target, wtarget, htarget = r.target, r.wtarget, r.htarget
                for p in pool_ids:
                    part = members[p] / total_share
                    target[p] += load[p] * part
                    wtarget[p] += weekend[p] * part
                    htarget[p] += holiday[p] * part
            if s.locked is not None:
                self._give(r, pos, s.locked, new=False)
                return
            if mode == "fair":  # fairness: equal, the targets have grown above
                chosen = self._fair(r, pos, 0.0)
            else:
                free = [p for p in s.available if not self.busy.clashes(p, s)]
                eligible = [p for p in free if self._rested(r, p, pos)] or free
                if mode == "round-robin":
                    r.slots_members = set(members)
                    chosen = self._round_robin(r, set(eligible)) if eligible else None
                elif eligible:
                    order = list(members)
                    chosen = min(
                        eligible,
                        key=lambda p: (r.last_end.get(p, float("-inf")), order.index(p)),
                    )
                else:
                    chosen = None
        if chosen is None and s.locked is None and s.available:
            # every available member holds another rotation then: search the
            # conflicting window for an assignment that covers it too
            chosen = self._repair(r, pos)
        if chosen is None:
            # nobody can carry it (published as uncovered): nobody's target grows
            if total_share > 0:
                for p in pool_ids:
                    part = members[p] / total_share
                    r.target[p] -= load[p] * part
                    r.wtarget[p] -= weekend[p] * part
                    r.htarget[p] -= holiday[p] * part
            return
        self._give(r, pos, chosen)

    def _elsewhere_cost(self, person: str, s: _Slot) -> float:
        """``ELSEWHERE`` if the person is on call for another team during the slot
        (a planned slot or an override), else 0."""
        if person not in self.shared:
            return 0.0
        if self.busy.elsewhere(person, s):
            return ELSEWHERE
        for a, b, team in self._override_teams.get(person, ()):
            if team != s.team and any(a < y and x < b for x, y in s.windows):
                return ELSEWHERE
        return 0.0

    def _repair(self, r: _Rotation, pos: int) -> str | None:
        """Someone for slot ``pos`` whom only the exclusivity rule keeps out, found by
        re-assigning the conflicting window (see the module notes); None if no
        assignment of that window covers every slot of it.

        The window: the slot, and every unlocked slot already planned that one of
        its available members holds at an overlapping time (in the rule's scope),
        and so on for those. Slots outside it keep their assignee, and none of them
        constrains the window (had one held a member of a window slot at an
        overlapping time, it would be in the window), so up to the bounds the
        search is exact: if any assignment covers the slots planned so far, one of
        the window covers it. The current assignees are tried first, so as few
        slots as possible change."""
        if self._slot_of is None:
            self._slot_of = {
                id(x): (rr, i) for rr in self.rotations.values() for i, x in enumerate(rr.slots)
            }
        slot_of = self._slot_of
        busy = self.busy
        target = r.slots[pos]
        window: list[tuple[_Rotation, int]] = [(r, pos)]
        seen = {id(target)}
        i = 0
        while i < len(window):
            wr, wpos = window[i]
            i += 1
            x = wr.slots[wpos]
            for p in x.available:
                for owner in busy.holders(p, x):
                    if owner in seen:
                        continue
                    seen.add(owner)
                    yr, ypos = slot_of[owner]
                    if yr.slots[ypos].locked is None:
                        window.append((yr, ypos))
            if len(window) > REPAIR_SLOTS:
                return None
        if len(window) == 1:
            return None  # nobody holds a member: they are all held by locked slots
        # the window's own slots leave the overlap index while it is searched
        held = [(wr, wpos, wr.slots[wpos].owner) for wr, wpos in window[1:]]
        for wr, wpos, holder in held:
            assert holder is not None
            busy.remove(holder, wr.slots[wpos])
        order = sorted(window, key=lambda item: (item[0].slots[item[1]].start, item[0].key))
        slots = [wr.slots[wpos] for wr, wpos in order]
        organisation = self.organisation
        # the current assignee first, then the others in member order
        domains = []
        for x in slots:
            current = x.owner
            domains.append(
                ([current] if current is not None else [])
                + [p for p in x.available if p != current and not busy.clashes(p, x)]
            )
        chosen: list[str] = []
        nodes = 0

        def fits(k: int, p: str) -> bool:
            x = slots[k]
            for j in range(k):
                y = slots[j]
                if (
                    chosen[j] == p
                    and (organisation or y.team == x.team)
                    and any(a < d and c < b for a, b in x.windows for c, d in y.windows)
                ):
                    return False
            return True

        def search(k: int) -> bool:
            nonlocal nodes
            if k == len(slots):
                return True
            for p in domains[k]:
                nodes += 1
                if nodes > REPAIR_NODES:
                    return False
                if fits(k, p):
                    chosen.append(p)
                    if search(k + 1):
                        return True
                    chosen.pop()
            return False

        found = search(0)
        for wr, wpos, holder in held:
            assert holder is not None
            busy.add(holder, wr.slots[wpos])
        if not found:
            return None
        for (wr, wpos), p in zip(order, chosen, strict=True):
            x = wr.slots[wpos]
            if x is target or x.owner == p:
                continue
            assert x.owner is not None
            self._take_back(wr, wpos, x.owner)
            self._give(wr, wpos, p)
        return chosen[order.index((r, pos))]

    def _give(self, r: _Rotation, pos: int, person: str, new: bool = True) -> None:
        s = r.slots[pos]
        s.owner = person
        r.load[person] += s.load.get(person, 0.0)
        r.wload[person] += s.weekend.get(person, 0.0)
        r.hload[person] += s.holiday.get(person, 0.0)
        r.last_end[person] = max(r.last_end.get(person, s.end), s.end)
        if new:
            self.busy.add(person, s)
            insort(r.mine[person], pos)

    def _round_robin(self, r: _Rotation, eligible: set[str]) -> str | None:
        """Member order; a member skipped (leave, busy) takes the next shift they can."""
        ids = [m.person for m in r.rotation.members]
        n = len(ids)
        for owed in r.owed:
            if owed in eligible:
                r.owed.remove(owed)
                if ids[r.rr_next % n] == owed:
                    r.rr_next = (r.rr_next + 1) % n  # it was their turn anyway
                return owed
        for step in range(n):
            candidate = ids[(r.rr_next + step) % n]
            if candidate in eligible:
                r.rr_next = (r.rr_next + step + 1) % n
                return candidate
            if candidate in r.slots_members and candidate not in r.owed:
                r.owed.append(candidate)
        return None

    def _breaks_plan(self, r: _Rotation, p: str, pos: int) -> int:
        """1 if giving slot ``pos`` to p would keep p from their next slot in the
        previous plan (min_rest): a change that would cascade."""
        planned = r.planned.get(p)
        if not planned or not r.min_rest:
            return 0
        i = bisect_left(planned, pos + 1)
        if i < len(planned):
            nxt = r.slots[planned[i]]
            s = r.slots[pos]
            if nxt.start - s.end < r.min_rest:
                return 1
        return 0

    def _fair(self, r: _Rotation, pos: int, total_share: float) -> str | None:
        """The eligible member whose objective grows least (see the module notes).

        With ``total_share`` > 0 each available member's target first grows by
        their part of the slot (the pool is the available members).

        Eligible: available, not busy elsewhere, and rested (``min_rest``) unless
        no free member is rested. Members are ranked by score first and checked
        for eligibility in that order, so the busy and rest checks (binary
        searches) run for the few at the top rather than for every member.
        """
        s = r.slots[pos]
        available = s.available
        if not available:
            return None
        clashes = self.busy.clashes
        rested = self._rested
        prev = s.prev
        unit = r.unit
        load, target, wload, wtarget = r.load, r.target, r.wload, r.wtarget
        hload, htarget, last_end = r.hload, r.htarget, r.last_end
        sload, sweekend, sholiday, shares = s.load, s.weekend, s.holiday, s.members
        start = s.start
        shared = self.shared
        # the previous plan stands wherever it still may (it is eligible: free, and
        # rested unless nobody free is); the local search moves a slot away from it
        # only for a gain above STICKY. Then nobody needs scoring: the targets grow
        # as in the loop below, operation for operation.
        if (
            prev is not None
            and prev in available
            and not clashes(prev, s)
            and (
                rested(r, prev, pos)
                or not any(p != prev and not clashes(p, s) and rested(r, p, pos) for p in available)
            )
        ):
            if total_share > 0:
                for p in available:
                    part = shares[p] / total_share
                    target[p] = target[p] + sload[p] * part
                    wtarget[p] = wtarget[p] + sweekend[p] * part
                    htarget[p] = htarget[p] + sholiday[p] * part
            return prev
        raw: list[tuple[float, float, str]] = []
        for p in available:
            sl, sw, sh = sload[p], sweekend[p], sholiday[p]
            if total_share > 0:
                # p's fluid share of this slot
                part = shares[p] / total_share
                t = target[p] = target[p] + sl * part
                wt = wtarget[p] = wtarget[p] + sw * part
                ht = htarget[p] = htarget[p] + sh * part
            else:
                t, wt, ht = target[p], wtarget[p], htarget[p]
            # the growth of p's part of the objective (``_cost``) if p takes the slot
            dev = (load[p] - t) / unit
            wdev = wload[p] - wt
            hdev = hload[p] - ht
            nd = dev + sl / unit
            nw = wdev + sw
            nh = hdev + sh
            cost = (
                nd * nd
                - dev * dev
                + WEEKEND_WEIGHT * (nw * nw - wdev * wdev)
                + HOLIDAY_WEIGHT * (nh * nh - hdev * hdev)
            )
            last = last_end.get(p)
            if last == start:
                cost += BACK_TO_BACK  # they would go straight on from their last shift
            if shared and p in shared:
                cost += self._elsewhere_cost(p, s)
            if prev is not None and prev != p:
                cost += STICKY + CASCADE * self._breaks_plan(r, p, pos)
            raw.append((cost, float("-inf") if last is None else last, p))
        # scores are rounded to 1e-6 so that near-equal ones tie; a raw cost more than
        # 1e-5 above the lowest cannot round to the best score, so only those near it
        # are rounded here
        near = min(raw)[0] + 1e-5
        top = min((round(cost, 6), last, p) for cost, last, p in raw if cost <= near)
        group = [
            p
            for cost, last, p in raw
            if cost <= near
            and last == top[1]
            and round(cost, 6) == top[0]
            and not clashes(p, s)
            and rested(r, p, pos)
        ]
        if group:
            # the common case: someone with the best score can take it
            if len(group) == 1:
                return group[0]
            return min(group, key=lambda p: stable_hash(r.key, s.start, p))
        scored = sorted((round(cost, 6), last, p) for cost, last, p in raw)
        for rest_needed in (True, False):
            i, n = 0, len(scored)
            while i < n:
                # one group of equal scores at a time, best first
                j = i + 1
                while j < n and scored[j][:2] == scored[i][:2]:
                    j += 1
                if rest_needed:
                    group = [
                        p for _, _, p in scored[i:j] if not clashes(p, s) and rested(r, p, pos)
                    ]
                else:
                    group = [p for _, _, p in scored[i:j] if not clashes(p, s)]
                if group:
                    if len(group) == 1:
                        return group[0]
                    return min(group, key=lambda p: stable_hash(r.key, s.start, p))
                i = j
        return None

    # -- local search -------------------------------------------------------------

    def _improve(self, pending: dict[str, list[int]]) -> None:
        todo: dict[str, list[int]] = {}
        for key in sorted(pending):
            r = self.rotations[key]
            if r.rotation.assignment != "fair":
                continue
            positions = [p for p in pending[key] if r.slots[p].locked is None]
            if positions:
                todo[key] = positions
        # A rotation's moves depend on its members' shifts in the others (clashes),
        # so a rotation is searched again when a later search moved one of its
        # members: the block ends where no search can improve, and re-planning
        # from this plan as the previous one finds nothing to move.
        searched: dict[str, int] = {}  # rotation -> when it was last searched
        changed: dict[str, tuple[int, str]] = {}  # person -> when, in which rotation
        clock = 0
        for _ in range(4):
            again = False
            for key, positions in todo.items():
                r = self.rotations[key]
                last = searched.get(key)
                if last is not None:
                    members = {p for pos in positions for p in r.slots[pos].members}
                    if not any(
                        changed.get(p, (-1, key))[0] > last and changed[p][1] != key
                        for p in members
                    ):
                        continue
                clock += 1
                searched[key] = clock
                moved = self._search(r, positions)
                for p in moved:
                    changed[p] = (clock, key)
                again = again or bool(moved)
            if not again:
                break

    @staticmethod
    def _cost(
        r: _Rotation, unit: float, p: str, dload: float, dweekend: float, dholiday: float
    ) -> float:
        """Change of p's part of the objective when p's load, weekend days and
        holiday days change by the given amounts. The definition: the hot loops
        (``_fair``, ``_candidates``) repeat this arithmetic inline, operation for
        operation, so they round exactly alike."""
        dev = (r.load[p] - r.target[p]) / unit
        wdev = r.wload[p] - r.wtarget[p]
        hdev = r.hload[p] - r.htarget[p]
        nd = dev + dload / unit
        nw = wdev + dweekend
        nh = hdev + dholiday
        return (
            nd * nd
            - dev * dev
            + WEEKEND_WEIGHT * (nw * nw - wdev * wdev)
            + HOLIDAY_WEIGHT * (nh * nh - hdev * hdev)
        )

    def _can_take(self, r: _Rotation, person: str, pos: int, ignore: int | None) -> bool:
        s = r.slots[pos]
        if person not in s.available:
            return False
        other = r.slots[ignore] if ignore is not None else None
        if self.busy.clashes(person, s, ignore=other):
            return False
        return self._rested(r, person, pos, ignore)

    @staticmethod
    def _rounded(s: _Slot, person: str) -> tuple[float, float, float]:
        got = s.rounded.get(person)
        if got is None:
            got = s.rounded[person] = (
                round(s.load[person], 6),
                round(s.weekend[person], 6),
                round(s.holiday[person], 6),
            )
        return got

    def _buckets(
        self, r: _Rotation, mine: list[int], owner: str, other: str
    ) -> dict[tuple[float, ...], list[int]]:
        """The owner's slots grouped by what moving them to ``other`` would change:
        slots in one group are interchangeable for the objective."""
        out: dict[tuple[float, ...], list[int]] = {}
        slots = r.slots
        rounded = self._rounded
        shared = self.shared
        for pos in mine:
            s = slots[pos]
            if other not in s.load:
                continue
            got = s.rounded
            mine_r = got.get(owner) or rounded(s, owner)
            theirs = got.get(other) or rounded(s, other)
            prev = s.prev
            stick = (STICKY if prev is not None and prev != other else 0.0) - (
                STICKY if prev is not None and prev != owner else 0.0
            )
            if shared and (owner in shared or other in shared):
                stick += self._elsewhere_cost(other, s) - self._elsewhere_cost(owner, s)
            key = (*mine_r, *theirs, stick)
            group = out.get(key)
            if group is None:
                out[key] = [pos]
            else:
                group.append(pos)
        return out

    def _search(self, r: _Rotation, positions: list[int]) -> set[str]:
        """Moves and swaps within the block (see the module notes); who moved."""
        moved: set[str] = set()
        members = sorted({p for pos in positions for p in r.slots[pos].members})
        if len(members) < 2:
            return moved
        unit = r.unit
        owned: dict[str, list[int]] = defaultdict(list)
        for pos in positions:
            owner = r.slots[pos].owner
            if owner is not None:
                owned[owner].append(pos)
        # the slots each member could hand to another, grouped; kept until either moves
        buckets: dict[tuple[str, str], dict[tuple[float, ...], list[int]]] = {}
        candidates: dict[tuple[str, str], list[list[Any]]] = {}
        for _ in range(4 * len(members) + len(positions) // 2 + 8):
            dev = {p: r.load[p] - r.target[p] for p in members}
            if (
                max(abs(d) for d in dev.values()) <= GOOD_ENOUGH * unit
                and max(abs(r.hload[p] - r.htarget[p]) for p in members) <= HOLIDAY_GOOD_ENOUGH
                and max(abs(r.wload[p] - r.wtarget[p]) for p in members) <= 1.0
            ):
                break  # everyone within GOOD_ENOUGH of target: nothing worth moving
            sdev = {
                p: WEEKEND_WEIGHT
                * (r.wload[p] - r.wtarget[p]) ** 2
                * (1 if r.wload[p] >= r.wtarget[p] else -1)
                + HOLIDAY_WEIGHT
                * (r.hload[p] - r.htarget[p]) ** 2
                * (1 if r.hload[p] >= r.htarget[p] else -1)
                for p in members
            }
            by_dev = sorted(members, key=lambda p: (dev[p], p))
            by_sdev = sorted(members, key=lambda p: (sdev[p], p))
            over = list(dict.fromkeys([by_dev[-1], by_dev[-2], by_sdev[-1], by_sdev[-2]]))
            under = list(dict.fromkeys([by_dev[0], by_dev[1], by_sdev[0], by_sdev[1]]))
            best: tuple[float, int, str, int | None, str] | None = None
            for big in over:
                for small in under:
                    if big == small:
                        continue
                    found_pair = candidates.get((big, small))
                    if found_pair is None:
                        found_pair = candidates[(big, small)] = self._candidates(
                            r, unit, owned, buckets, big, small
                        )
                    for c in found_pair:
                        gain = c[0]
                        if best is not None and not gain < best[0] - 1e-12:
                            continue
                        if c[3] is _UNKNOWN:
                            # feasibility depends only on big's and small's shifts,
                            # so it stays known until either of them moves
                            if c[2] is None:
                                c[3] = next(
                                    (a for a in c[1] if self._can_take(r, small, a, None)), None
                                )
                            else:
                                c[3] = self._feasible_swap(r, c[1], c[2], big, small)
                        got = c[3]
                        if got is None:
                            continue
                        if c[2] is None:
                            best = (gain, got, small, None, big)
                        else:
                            best = (gain, got[0], small, got[1], big)
            if best is None:
                break
            _, a, small, b, big = best
            # a member's groups depend on their own shifts (and the other's fixed
            # loads): only big's and small's need grouping again
            buckets = {k: v for k, v in buckets.items() if k[0] != big and k[0] != small}
            candidates = {k: v for k, v in candidates.items() if big not in k and small not in k}
            self._take_back(r, a, big)
            owned[big].remove(a)
            if b is not None:
                self._take_back(r, b, small)
                owned[small].remove(b)
                self._give(r, b, big)
                insort(owned[big], b)
            self._give(r, a, small)
            insort(owned[small], a)
            moved.update((big, small))
        done = max(positions)
        for p, mine in r.mine.items():
            i = bisect_left(mine, done + 1) - 1
            if i >= 0:
                r.last_end[p] = r.slots[mine[i]].end
        return moved

    def _candidates(
        self,
        r: _Rotation,
        unit: float,
        owned: dict[str, list[int]],
        buckets: dict[tuple[str, str], dict[tuple[float, ...], list[int]]],
        big: str,
        small: str,
    ) -> list[list[Any]]:
        """The moves (big gives a slot to small) and swaps (one slot each way) that
        lower the objective by more than MIN_GAIN, in a fixed order, each as
        [change, big's group, small's group or None, feasibility (found lazily)].

        They depend only on big's and small's loads and shifts, so the search
        keeps them until either moves."""
        give = buckets.get((big, small))
        if give is None:
            give = buckets[(big, small)] = self._buckets(r, owned[big], big, small)
        back = buckets.get((small, big))
        if back is None:
            back = buckets[(small, big)] = self._buckets(r, owned[small], small, big)
        # both members' parts of the objective, for the inline ``_cost`` below
        bd = (r.load[big] - r.target[big]) / unit
        bw = r.wload[big] - r.wtarget[big]
        bh = r.hload[big] - r.htarget[big]
        bbase = bd * bd
        wbase = bw * bw
        hbase = bh * bh
        sd = (r.load[small] - r.target[small]) / unit
        sw = r.wload[small] - r.wtarget[small]
        sh = r.hload[small] - r.htarget[small]
        sbase = sd * sd
        swbase = sw * sw
        shbase = sh * sh
        back_items = list(back.items())
        out: list[list[Any]] = []
        for ka, group_a in give.items():
            a0, a1, a2, a3, a4, a5, a6 = ka
            # cost(big, -a0, -a1, -a2) + cost(small, a3, a4, a5) + a6
            nd, nw, nh = bd + -a0 / unit, bw + -a1, bh + -a2
            move = (
                nd * nd
                - bbase
                + WEEKEND_WEIGHT * (nw * nw - wbase)
                + HOLIDAY_WEIGHT * (nh * nh - hbase)
            )
            nd, nw, nh = sd + a3 / unit, sw + a4, sh + a5
            move = (
                move
                + (
                    nd * nd
                    - sbase
                    + WEEKEND_WEIGHT * (nw * nw - swbase)
                    + HOLIDAY_WEIGHT * (nh * nh - shbase)
                )
                + a6
            )
            if move < -MIN_GAIN:
                out.append([move, group_a, None, _UNKNOWN])
            for kb, group_b in back_items:
                b0, b1, b2, b3, b4, b5, b6 = kb
                if a0 == b3 and a1 == b4 and a2 == b5 and a3 == b0 and a4 == b1 and a5 == b2:
                    continue  # alike for both: swapping changes nothing
                nd, nw, nh = bd + (b3 - a0) / unit, bw + (b4 - a1), bh + (b5 - a2)
                swap = (
                    nd * nd
                    - bbase
                    + WEEKEND_WEIGHT * (nw * nw - wbase)
                    + HOLIDAY_WEIGHT * (nh * nh - hbase)
                )
                nd, nw, nh = sd + (a3 - b0) / unit, sw + (a4 - b1), sh + (a5 - b2)
                swap = (
                    swap
                    + (
                        nd * nd
                        - sbase
                        + WEEKEND_WEIGHT * (nw * nw - swbase)
                        + HOLIDAY_WEIGHT * (nh * nh - shbase)
                    )
                    + a6
                    + b6
                )
                if swap < -MIN_GAIN:
                    out.append([swap, group_a, group_b, _UNKNOWN])
        return out

    def _feasible_swap(
        self, r: _Rotation, group_a: list[int], group_b: list[int], big: str, small: str
    ) -> tuple[int, int] | None:
        tries = 0
        for a in group_a:
            if small not in r.slots[a].available:
                continue
            for b in group_b:
                tries += 1
                if tries > 64:
                    return None
                if self._can_take(r, small, a, b) and self._can_take(r, big, b, a):
                    return a, b
        return None

    def _take_back(self, r: _Rotation, pos: int, person: str) -> None:
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
