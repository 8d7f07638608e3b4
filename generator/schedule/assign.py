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
   Monday, so a slot's assignee never depends on the window asked for: a
   block's plan depends only on the past and on the block itself). At the end
   of each block, moves (one slot to another member) and swaps (two slots
   between two members) over the block's unlocked slots lower

       HANDOFF_WEIGHT · 13/B · Σ_handoffs Σ_members f(dev)        (f(d) = d² + d⁴)
       + Σ dev_end² + ¼ Σ weekend_dev² + 2.5 Σ holiday_dev² + stickiness

   where ``dev`` is a member's (load - target) in shift-equivalents since the
   rotation's first handoff at EVERY handoff of the block (B of them, locked
   slots' too), so members stay close to target all along and not only at
   block ends (what a reader of the fairness page sees for any window); the
   quartic term makes one large deviation cost more than several small ones.
   ``dev_end``, ``weekend_dev`` and ``holiday_dev`` are the block-end values
   (weekend and holiday time in days), and stickiness a cost (``STICKY``) for
   each slot moved away from the previous plan. Each member's deviations over
   the block are kept with prefix sums of their powers (``_Trail``), so the
   change of a move or a swap is O(1). Holidays weigh more than their share of
   the load (``HOLIDAY_WEIGHT``): a holiday-bearing week is lumpy and its
   deviation is carried from year to year. Each step pairs the members most
   above target (on average over the block, at their highest handoff, and on
   weekends/holidays) with those most below; moves are ranked by their change,
   swaps pair the ``SWAP_WIDTH`` best slots of each side. It stops when
   nothing improves or every handoff's deviation is within ``GOOD_ENOUGH`` and
   everyone within ``HOLIDAY_GOOD_ENOUGH`` of their holiday target. Rotations
   are searched in key order, and a rotation is searched again when a later
   rotation's search moved one of its members (what it may move depends on
   their other shifts; at most four rounds).

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
rotation and round (B slots in the block); a step costs O(1) per move and swap
looked at, and the improving moves and swaps of a pair of members are kept
until either of them moves.
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
STICKY = 6.0  # cost of moving a slot away from its previous assignee, in objective units
CASCADE = 3.0  # a replacement who would lose their own next planned shift (min_rest)
BACK_TO_BACK = 0.05  # soft cost of two shifts in a row without a break
ELSEWHERE = 0.5  # soft cost of being on call for another team at the same time (dev² units)
REPAIR_SLOTS = 48  # the conflicting window ``_repair`` searches, at most
REPAIR_NODES = 20_000  # ... and the search nodes it may visit
MIN_GAIN = 0.02  # a local-search step must lower the objective at least this much
HANDOFF_WEIGHT = 3.0  # weight of the deviation penalty at each handoff (13 per block)
HANDOFFS_PER_BLOCK = 13  # a block's handoffs weigh as much as 13 weekly ones in all
QUARTIC = 1.0  # the penalty of a deviation d at a handoff: d² + QUARTIC·d⁴
GOOD_ENOUGH = 0.6  # the search stops once every handoff's deviations are this small (SE)
HOLIDAY_GOOD_ENOUGH = 0.25  # ... and everyone is this close to their holiday target (days)
PEAKS = 3  # the search pairs the members with the highest peaks against the lowest
SWAP_WIDTH = 10  # swaps pair this many of the best slots each member could hand over


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


# a slot's load, weekend days and holiday days for one zone and region
_Weighed = tuple[float, float, float]


class _Slot:
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
        "prev",
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
        self.locked: str | None = None
        # an override on part of the slot: its holder carries only the rest (load),
        # the fluid targets still share the whole slot (full), and the override's
        # person carries the overridden part (extra)
        self.full: tuple[dict[str, float], dict[str, float], dict[str, float]] | None = None
        self.extra: tuple[str, float, float, float] | None = None  # person, load, days
        self.prev: str | None = None
        self.owner: str | None = None


class _Trail:
    """One member's deviation at each handoff of a block, with prefix sums of its
    powers, so the penalty change of shifting a range of them is O(1)."""

    __slots__ = ("low", "mean", "n", "p1", "p2", "p3", "peak")

    def __init__(self, devs: list[float]):
        p1, p2, p3 = [0.0], [0.0], [0.0]
        a = b = c = 0.0
        for d in devs:
            a += d
            b += d * d
            c += d * d * d
            p1.append(a)
            p2.append(b)
            p3.append(c)
        self.p1, self.p2, self.p3 = p1, p2, p3
        self.n = len(devs)
        self.mean = a / self.n if devs else 0.0
        self.peak = max(devs, default=0.0)
        self.low = min(devs, default=0.0)

    def change(self, lo: int, hi: int, x: float) -> float:
        """Σ f(d + x) - f(d) over handoffs lo..hi-1, f(d) = d² + QUARTIC·d⁴."""
        if hi <= lo or x == 0.0:
            return 0.0
        k = hi - lo
        s1 = self.p1[hi] - self.p1[lo]
        s2 = self.p2[hi] - self.p2[lo]
        s3 = self.p3[hi] - self.p3[lo]
        x2 = x * x
        return (
            2 * x * s1
            + k * x2
            + QUARTIC * (4 * x * s3 + 6 * x2 * s2 + 4 * x2 * x * s1 + k * x2 * x2)
        )

    def two(self, i: int, x: float, j: int, y: float) -> float:
        """The change when deviations from handoff i on move by x and from j on by
        y (``change`` twice, inline: the search's hottest line)."""
        if j < i:
            i, x, j, y = j, y, i, x
        p1, p2, p3 = self.p1, self.p2, self.p3
        # handoffs i..j-1 move by x
        k = j - i
        s1 = p1[j] - p1[i]
        s2 = p2[j] - p2[i]
        s3 = p3[j] - p3[i]
        x2 = x * x
        out = (
            2 * x * s1
            + k * x2
            + QUARTIC * (4 * x * s3 + 6 * x2 * s2 + 4 * x2 * x * s1 + k * x2 * x2)
        )
        # handoffs j.. move by x + y
        n = self.n
        z = x + y
        k = n - j
        s1 = p1[n] - p1[j]
        s2 = p2[n] - p2[j]
        s3 = p3[n] - p3[j]
        z2 = z * z
        return (
            out
            + 2 * z * s1
            + k * z2
            + QUARTIC * (4 * z * s3 + 6 * z2 * s2 + 4 * z2 * z * s1 + k * z2 * z2)
        )


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
        self._overridden(org)
        # locked slots are known up front: nothing may clash with them
        for r in self.rotations.values():
            for pos, s in enumerate(r.slots):
                if s.locked is not None:
                    self.busy.add(s.locked, s)
                    insort(r.mine[s.locked], pos)

    def _overridden(self, org: Org) -> None:
        """Override hours count as load for the person an override puts on call,
        not for whoever holds the slot (as ``rota fairness`` counts them)."""
        w0, w1, w2, w3 = self.weights
        for o in org.overrides:
            r = self.rotations.get(f"{o.team}/{o.rotation}")
            if r is None or o.person not in org.people:
                continue
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

                s.full = (dict(s.load), dict(s.weekend), dict(s.holiday))
                for p in list(s.load):
                    cut = weigh(org.people[p])
                    s.load[p] -= cut[0]
                    s.weekend[p] -= cut[1]
                    s.holiday[p] -= cut[2]
                s.extra = (o.person, *weigh(org.people[o.person]))

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
        # what the targets share: the whole slot (an override's hours too)
        members = s.members
        load, weekend, holiday = s.full or (s.load, s.weekend, s.holiday)
        if s.extra is not None:
            person, xload, xweekend, xholiday = s.extra
            r.load[person] += xload
            r.wload[person] += xweekend
            r.hload[person] += xholiday
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
        # the targets share the whole slot
        whole, wweekend, wholiday = s.full or (sload, sweekend, sholiday)
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
                    target[p] = target[p] + whole[p] * part
                    wtarget[p] = wtarget[p] + wweekend[p] * part
                    htarget[p] = htarget[p] + wholiday[p] * part
            return prev
        raw: list[tuple[float, float, str]] = []
        for p in available:
            sl, sw, sh = sload[p], sweekend[p], sholiday[p]
            if total_share > 0:
                # p's fluid share of this slot
                part = shares[p] / total_share
                t = target[p] = target[p] + whole[p] * part
                wt = wtarget[p] = wtarget[p] + wweekend[p] * part
                ht = htarget[p] = htarget[p] + wholiday[p] * part
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
            if all(r.slots[p].prev == r.slots[p].owner for p in positions if r.slots[p].prev):
                # every shift of the previous plan in the block still stands: that plan
                # was searched when it was made, so it is kept as it is and only shifts
                # new to the plan (beyond its end) are searched, around it (re-planning
                # with no change moves nothing; a change moves only the blocks it reaches)
                positions = [p for p in positions if r.slots[p].prev is None]
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
        """Change of p's block-end part of the objective when p's load, weekend
        days and holiday days change by the given amounts (the greedy, ``_fair``,
        repeats this arithmetic inline; the search adds the handoff part, see
        ``_Trail``)."""
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

    def _parts(self, r: _Rotation, s: _Slot) -> dict[str, float]:
        """Each member's growth of target from slot ``s`` (empty if nobody holds it)."""
        if s.owner is None:
            return {}
        members = s.members
        pool = list(members) if r.rotation.fairness == "equal" else s.available
        total = sum(map(members.__getitem__, pool))
        if total <= 0:
            return {}
        whole = s.full[0] if s.full is not None else s.load
        return {p: whole[p] * members[p] / total for p in pool}

    def _trail(
        self,
        r: _Rotation,
        unit: float,
        lo: int,
        hi: int,
        parts: list[dict[str, float]],
        p: str,
    ) -> _Trail:
        """p's deviation at every handoff of the block (after each of slots lo..hi)."""
        slots = r.slots
        load = r.load[p]
        target = r.target[p]
        for pos in range(lo, hi + 1):
            s = slots[pos]
            if s.owner == p:
                load -= s.load.get(p, 0.0)
            if s.extra is not None and s.extra[0] == p:
                load -= s.extra[1]
            target -= parts[pos - lo].get(p, 0.0)
        devs = []
        for pos in range(lo, hi + 1):
            s = slots[pos]
            if s.owner == p:
                load += s.load.get(p, 0.0)
            if s.extra is not None and s.extra[0] == p:
                load += s.extra[1]
            target += parts[pos - lo].get(p, 0.0)
            devs.append((load - target) / unit)
        return _Trail(devs)

    def _search(self, r: _Rotation, positions: list[int]) -> set[str]:
        """Moves and swaps within the block (see the module notes); who moved."""
        moved: set[str] = set()
        members = sorted({p for pos in positions for p in r.slots[pos].members})
        if len(members) < 2:
            return moved
        unit = r.unit
        # every handoff of the block counts, locked shifts' too: what the search
        # weighs must not depend on where the lock file ends (re-planning from its
        # own plan then moves nothing)
        lo, hi = positions[0], positions[-1]
        block = r.slots[lo].block
        while lo > 0 and r.slots[lo - 1].block == block:
            lo -= 1
        while hi + 1 < len(r.slots) and r.slots[hi + 1].block == block:
            hi += 1
        n = hi - lo + 1
        weight = HANDOFF_WEIGHT * HANDOFFS_PER_BLOCK / n  # each handoff's weight
        parts = [self._parts(r, r.slots[pos]) for pos in range(lo, hi + 1)]
        trails = {p: self._trail(r, unit, lo, hi, parts, p) for p in members}
        owned: dict[str, list[int]] = defaultdict(list)
        for pos in positions:
            owner = r.slots[pos].owner
            if owner is not None:
                owned[owner].append(pos)
        # the improving moves and swaps of a pair, best first; kept until either moves
        candidates: dict[tuple[str, str], list[list[Any]]] = {}
        for _ in range(4 * len(members) + len(positions) // 2 + 8):
            if (
                max(max(t.peak, -t.low) for t in trails.values()) <= GOOD_ENOUGH
                and max(abs(r.hload[p] - r.htarget[p]) for p in members) <= HOLIDAY_GOOD_ENOUGH
                and max(abs(r.wload[p] - r.wtarget[p]) for p in members) <= 1.0
            ):
                break  # everyone close to target at every handoff: nothing worth moving
            # who is most above target over the block (and at its end, and on
            # weekends and holidays) against who is most below
            sdev = {
                p: WEEKEND_WEIGHT
                * (r.wload[p] - r.wtarget[p]) ** 2
                * (1 if r.wload[p] >= r.wtarget[p] else -1)
                + HOLIDAY_WEIGHT
                * (r.hload[p] - r.htarget[p]) ** 2
                * (1 if r.hload[p] >= r.htarget[p] else -1)
                for p in members
            }
            by_mean = sorted(members, key=lambda p: (trails[p].mean, p))
            by_peak = sorted(members, key=lambda p: (trails[p].peak, p))
            by_low = sorted(members, key=lambda p: (trails[p].low, p))
            by_sdev = sorted(members, key=lambda p: (sdev[p], p))
            over = list(
                dict.fromkeys(
                    [by_mean[-1], by_peak[-1], by_sdev[-1], by_mean[-2], *by_peak[-PEAKS:]]
                )
            )
            under = list(
                dict.fromkeys([by_mean[0], by_low[0], by_sdev[0], by_mean[1], *by_low[:PEAKS]])
            )
            best: tuple[float, int, str, int | None, str] | None = None
            for big in over:
                for small in under:
                    if big == small:
                        continue
                    found = candidates.get((big, small))
                    if found is None:
                        found = candidates[(big, small)] = self._candidates(
                            r, unit, lo, weight, trails, owned, big, small
                        )
                    for c in found:
                        gain = c[0]
                        if best is not None and not gain < best[0] - 1e-12:
                            break  # best first: nothing further beats it
                        if c[3] is None:
                            # feasibility depends only on big's and small's shifts,
                            # so it stays known until either of them moves
                            if c[2] is None:
                                c[3] = self._can_take(r, small, c[1], None)
                            else:
                                c[3] = self._can_take(r, small, c[1], c[2]) and self._can_take(
                                    r, big, c[2], c[1]
                                )
                        if c[3]:
                            best = (gain, c[1], small, c[2], big)
                            break
            if best is None:
                break
            _, a, small, b, big = best
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
            trails[big] = self._trail(r, unit, lo, hi, parts, big)
            trails[small] = self._trail(r, unit, lo, hi, parts, small)
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
        lo: int,
        weight: float,
        trails: dict[str, _Trail],
        owned: dict[str, list[int]],
        big: str,
        small: str,
    ) -> list[list[Any]]:
        """The moves (big gives a slot to small) and swaps (one slot each way) that
        lower the objective by more than MIN_GAIN, best first, each as
        [change, big's slot, small's slot or None, feasible (None: not looked at)].

        They depend only on big's and small's loads and shifts, so the search
        keeps them until either moves. Swaps pair the SWAP_WIDTH best slots of
        each side (best by what moving them alone would gain)."""
        slots = r.slots
        tb, ts = trails[big], trails[small]
        # on call elsewhere at the same time (another team's rotation): a soft cost
        elsewhere = self._elsewhere_cost if big in self.shared or small in self.shared else None
        end = tb.n
        cost = self._cost
        moves: list[tuple[float, int]] = []
        for a in owned[big]:
            s = slots[a]
            if small not in s.load or small not in s.available:
                continue
            i = a - lo
            lb, ls = s.load[big], s.load[small]
            prev = s.prev
            stick = (STICKY if prev is not None and prev != small else 0.0) - (
                STICKY if prev is not None and prev != big else 0.0
            )
            if elsewhere is not None:
                stick += elsewhere(small, s) - elsewhere(big, s)
            change = (
                weight * (tb.change(i, end, -lb / unit) + ts.change(i, end, ls / unit))
                + cost(r, unit, big, -lb, -s.weekend[big], -s.holiday[big])
                + cost(r, unit, small, ls, s.weekend[small], s.holiday[small])
                + stick
            )
            moves.append((change, a))
        backs: list[tuple[float, int]] = []
        for b in owned[small]:
            s = slots[b]
            if big not in s.load or big not in s.available:
                continue
            i = b - lo
            lb, ls = s.load[big], s.load[small]
            prev = s.prev
            stick = (STICKY if prev is not None and prev != big else 0.0) - (
                STICKY if prev is not None and prev != small else 0.0
            )
            if elsewhere is not None:
                stick += elsewhere(big, s) - elsewhere(small, s)
            change = (
                weight * (ts.change(i, end, -ls / unit) + tb.change(i, end, lb / unit))
                + cost(r, unit, small, -ls, -s.weekend[small], -s.holiday[small])
                + cost(r, unit, big, lb, s.weekend[big], s.holiday[big])
                + stick
            )
            backs.append((change, b))
        out: list[list[Any]] = [[c, a, None, None] for c, a in moves if c < -MIN_GAIN]
        moves.sort()
        backs.sort()
        bd = (r.load[big] - r.target[big]) / unit
        bw = r.wload[big] - r.wtarget[big]
        bh = r.hload[big] - r.htarget[big]
        sd = (r.load[small] - r.target[small]) / unit
        sw = r.wload[small] - r.wtarget[small]
        sh = r.hload[small] - r.htarget[small]
        for _, a in moves[:SWAP_WIDTH]:
            sa = slots[a]
            ia = a - lo
            la_b, la_s = sa.load[big] / unit, sa.load[small] / unit
            prev_a = sa.prev
            stick_a = (STICKY if prev_a is not None and prev_a != small else 0.0) - (
                STICKY if prev_a is not None and prev_a != big else 0.0
            )
            if elsewhere is not None:
                stick_a += elsewhere(small, sa) - elsewhere(big, sa)
            for _, b in backs[:SWAP_WIDTH]:
                sb = slots[b]
                ib = b - lo
                lb_b, lb_s = sb.load[big] / unit, sb.load[small] / unit
                prev_b = sb.prev
                stick_b = (STICKY if prev_b is not None and prev_b != big else 0.0) - (
                    STICKY if prev_b is not None and prev_b != small else 0.0
                )
                if elsewhere is not None:
                    stick_b += elsewhere(big, sb) - elsewhere(small, sb)
                handoffs = weight * (tb.two(ia, -la_b, ib, lb_b) + ts.two(ia, la_s, ib, -lb_s))
                # the block's end: both members' parts of the end objective
                nd = bd - la_b + lb_b
                nw = bw - sa.weekend[big] + sb.weekend[big]
                nh = bh - sa.holiday[big] + sb.holiday[big]
                ends = (
                    nd * nd
                    - bd * bd
                    + WEEKEND_WEIGHT * (nw * nw - bw * bw)
                    + HOLIDAY_WEIGHT * (nh * nh - bh * bh)
                )
                nd = sd + la_s - lb_s
                nw = sw + sa.weekend[small] - sb.weekend[small]
                nh = sh + sa.holiday[small] - sb.holiday[small]
                ends += (
                    nd * nd
                    - sd * sd
                    + WEEKEND_WEIGHT * (nw * nw - sw * sw)
                    + HOLIDAY_WEIGHT * (nh * nh - sh * sh)
                )
                change = handoffs + ends + stick_a + stick_b
                if change < -MIN_GAIN:
                    out.append([change, a, b, None])
        out.sort(key=lambda c: (c[0], c[1], -1 if c[2] is None else c[2]))
        return out

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
