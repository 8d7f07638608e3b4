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
       + Σ dev_end² + ¼ Σ weekend_dev² + 5 Σ holiday_dev² + stickiness

   where ``dev`` is a member's (load - target) in shift-equivalents since the
   rotation's first handoff at EVERY handoff of the block (B of them, locked
   slots' too), so members stay close to target all along and not only at
   block ends (what a reader of the fairness page sees for any window); the
   quartic term makes one large deviation cost more than several small ones.
   ``dev_end``, ``weekend_dev`` and ``holiday_dev`` are the block-end values
   (weekend and holiday time in days), and stickiness a cost (``STICKY``) for
   each slot moved away from the previous plan. Each member's deviations over
   the block are kept with prefix sums of their powers (``Trail``), so the
   change of a move or a swap is O(1). Holidays weigh more than their share of
   the load (``HOLIDAY_WEIGHT``): a holiday-bearing week is lumpy and its
   deviation is carried from year to year (the greedy weighs them half as
   much: it cannot see the block's later holidays). Each step pairs the members most
   above target (on average over the block, at their highest handoff, and on
   weekends/holidays) with those most below; moves are ranked by their change,
   swaps pair the ``SWAP_WIDTH`` best slots of each side. It stops when
   nothing improves or every handoff's deviation is within ``GOOD_ENOUGH`` and
   everyone within ``HOLIDAY_GOOD_ENOUGH`` of their holiday target. Rotations
   are searched in key order, and a rotation is searched again when a later
   rotation's search moved one of its members (what it may move depends on
   their other shifts; at most four rounds).
3. **Peak shaving.** A sum can leave one handoff far from target (Christmas
   Day and Boxing Day to one person), and the largest deviation is what a
   reader sees at worst. While a member's deviation at some handoff of the
   block is above ``SHAVE_ABOVE``, the largest is lowered by a move, else a
   swap, else a chain of two moves, among those that bring every member
   involved below it the one the objective prefers; then the block is searched
   again with no step allowed to raise its largest deviation (``search``).
4. **Re-planning.** If the block's largest deviation is still above
   ``POLISH_ABOVE``, a depth-first search over the block's movable slots in time
   order (whoever is furthest below target first; a branch ends as soon as a
   handoff leaves a member beyond a bound z) looks for a whole assignment within
   z that keeps the block end's deviation, weekend and holiday balance about as
   they were, z lowered by bisection, each search bounded by ``POLISH_NODES`` steps so
   the result is the same on every run. If no bound is met, the same search
   runs over the shifts within ``NEAR_SLOTS`` of the worst handoff only (the
   rest of the block kept), then within half of that, and so on (a holiday
   shift at a block's first handoff, handed to someone already above target,
   needs only its own neighbourhood re-planned). The capped search then runs
   again.
5. **Settling the year's holidays** (``settle``). Once every rotation's search of
   the block holding 1 January is done, a block whose holiday balance at its end
   spreads over more than ``SETTLE_ABOVE`` days is re-planned by a mixed-integer
   programme (HiGHS) for the smallest spread, every handoff kept within the
   largest deviation the block or the rotation since its first handoff had
   (raised by at most ``SETTLE_RAISE`` where that reaches the holiday target);
   blocks of more than ``SETTLE_SLOTS`` shifts by swaps of holiday-bearing shifts,
   then, where no swap reaches the target, by the programme on two members'
   shifts at a time.

Hard constraints: leave (no overlap with any covered window of the slot),
membership dates, and nobody on two rotations of one team at once (of the whole
organisation with ``settings.exclusive: organisation``); an override holds its
person in the same way. Being on call for another team at the same time is a
soft cost (in the greedy and in the local search's moves) set by the stricter of
the two rotations' ``on_call_elsewhere`` (``ELSEWHERE_BY_SETTING``: ``avoid``
outweighs any fairness gain, and peak shaving refuses such steps).
``min_rest`` between two shifts of one person in a rotation is hard unless no
member satisfies it (then the slot goes to the best rested member rather than
to nobody). The hard rules of ``rules:`` (``min_rest`` and ``max_consecutive``
across the team's rotations, and the load limits ``max_nights_per_week``,
``no_consecutive_weekends`` and ``max_on_call_share``, ``limits``) hold in the
same way (``PlanState._rested``; ``_rest_repair`` re-plans the team's recent
shifts before giving way); soft ones cost ``SOFT_RULE`` in the objective
(``PlanState._rest_cost``, in the greedy and in the search's moves and swaps).

A slot whose available members are all held by other slots (the exclusivity
rule) is not given up at once: ``_repair`` searches the conflicting window (the
slots already planned that hold one of its members at an overlapping time,
closed under the same relation) for an assignment that covers every one of
them, by backtracking with the current assignee tried first; it is exact up to
``REPAIR_SLOTS`` slots and ``REPAIR_NODES`` search nodes. A slot still nobody
can take gets ``Pick(None, ...)``, is published as uncovered and counts in
nobody's target.

The parts: ``planstate`` (slots prepared for planning, running loads and
targets, who holds what, the hard rules), ``greedy`` (step 1, round-robin,
``_repair``), ``search`` (steps 2 to 4), ``settle`` (step 5) and ``objective``
(the weights, and the prefix sums that price a move). This module runs them in
time order.

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

from collections import defaultdict
from datetime import datetime

from generator.model import Org
from generator.schedule.greedy import Greedy
from generator.schedule.loads import LoadModel
from generator.schedule.planstate import (
    BLOCK,
    Pick,
    active_members,
    block_end,
    block_of,
    on_leave,
    pick,
    stable_hash,
)
from generator.schedule.settle import Settle
from generator.schedule.shifts import Slot

__all__ = [
    "BLOCK",
    "LoadModel",
    "Pick",
    "active_members",
    "assign",
    "block_end",
    "block_of",
    "on_leave",
    "stable_hash",
]


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


class _Planner(Greedy, Settle):
    """The greedy pass in time order, and the search at each block's end."""

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
