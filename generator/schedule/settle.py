"""Settling the year's holiday balance: the block holding 1 January, re-planned exactly. Pure.

The local search balances holidays at each block's end with a weighted sum of
squares, traded against the load at every handoff. The block holding Christmas
and New Year is where that trade goes wrong: its weeks are lumps of two to four
holiday-days, and the search may give them to whoever the load order brings up,
leaving one member days ahead of another on holidays for the whole next year.
So, once the block holding 1 January (team zone) has been searched, if its
members' holiday balance at the block's end spreads over more than
``SETTLE_ABOVE`` days, its movable shifts are re-planned by a mixed-integer
programme (HiGHS, ``highspy``) whose objective is that spread itself:

- every shift to exactly one member who may take it (leave, membership dates,
  the exclusivity rule against every other shift held, ``avoid``; the current
  holder always may), ``min_rest`` between two of the block's shifts;
- every member's deviation at every handoff of the block within the larger of
  the block's own largest deviation and the largest any member reached since
  the rotation's first handoff (capped at ``SETTLE_PEAK_CAP``): re-planning never
  takes anyone further from target than the rotation has already been, so the
  fairness page's worst deviation from the first handoff does not grow;
- the block end's largest deviation within ``0.05`` of what it was, its weekend
  balance within ``WEEKEND_MARGIN`` days of what it was;
- minimise the largest minus the smallest holiday balance at the block's end,
  then (a thousandth per shift) the number of shifts changed.

The programme is small (a block of weekly shifts: 13 shifts by its members);
blocks of more than ``SETTLE_SLOTS`` movable shifts (daily and shorter
rotations, where a holiday is at most a day per shift) are left to the search.
HiGHS runs on one thread, with a fixed seed and a node limit
(``SETTLE_NODES``), never a time limit, so every run gives the same plan. The
new plan is kept only if it lowers the spread by more than ``SETTLE_GAIN``.
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import date, datetime, time
from typing import Any

from generator.schedule.objective import (
    SETTLE_ABOVE,
    SETTLE_GAIN,
    SETTLE_NODES,
    SETTLE_PEAK_CAP,
    SETTLE_SLOTS,
    WEEKEND_MARGIN,
)
from generator.schedule.planstate import BLOCK_ANCHOR, BLOCK_SECONDS, PlanRotation
from generator.schedule.search import Search, movable_positions
from generator.timeutil import localize

_quiet = threading.Lock()
_banner_shown = False


def highs() -> Any:
    """A silent HiGHS instance: one thread, a fixed seed, at most SETTLE_NODES nodes.

    HiGHS writes its banner to the process's standard output the first time an
    instance is made, before any option can be set; that one time, the output
    goes to the null device (Rota's own output, such as ``--json``, stays clean).
    """
    global _banner_shown
    import highspy

    with _quiet:
        if _banner_shown:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(null)
            _banner_shown = True
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_max_nodes", SETTLE_NODES)
    return h


class Settle(Search):
    """The search, then settling the holiday balance in each block holding 1 January."""

    def _improve(self, pending: dict[str, list[int]]) -> dict[str, list[int]]:
        todo = super()._improve(pending)
        for key, positions in todo.items():
            r = self.rotations[key]
            if self._settle(r, positions):
                self._last_ends(r, positions)
        return todo

    def _holds_new_year(self, r: PlanRotation, block: int) -> bool:
        """Whether 1 January, at midnight in the team's zone, falls in the block."""
        tz = self.org.teams[r.rotation.team].tz
        begin = BLOCK_ANCHOR + block * BLOCK_SECONDS
        year = datetime.fromtimestamp(begin + BLOCK_SECONDS, tz).year
        new_year = localize(datetime.combine(date(year, 1, 1), time()), tz).timestamp()
        return begin <= new_year < begin + BLOCK_SECONDS

    def _history_peak(self, r: PlanRotation, lo: int, unit: float) -> float:
        """The largest |deviation| of any member at any handoff before slot ``lo``,
        from the rotation's first (in shift-equivalents of ``unit``)."""
        load: dict[str, float] = {}
        target: dict[str, float] = {}
        worst = 0.0
        for pos in range(lo):
            s = r.slots[pos]
            for p, part in self._parts(r, s).items():
                target[p] = target.get(p, 0.0) + part
            if s.owner is not None:
                load[s.owner] = load.get(s.owner, 0.0) + s.load.get(s.owner, 0.0)
            if s.extra is not None:
                load[s.extra[0]] = load.get(s.extra[0], 0.0) + s.extra[1]
            for p, t in target.items():
                worst = max(worst, abs(load.get(p, 0.0) - t))
        return worst / unit

    def _settle(self, r: PlanRotation, positions: list[int]) -> set[str]:
        """Re-plan the block holding 1 January for the smallest holiday spread at
        its end (see the module notes); the members whose shifts changed."""
        members = sorted({p for pos in positions for p in r.slots[pos].members})
        if len(members) < 2 or not self._holds_new_year(r, r.slots[positions[0]].block):
            return set()
        hdev = {p: r.hload[p] - r.htarget[p] for p in members}
        spread = max(hdev.values()) - min(hdev.values())
        movable = movable_positions(r, positions)
        if (
            spread <= SETTLE_ABOVE
            or not 2 <= len(movable) <= SETTLE_SLOTS
            or not any(any(r.slots[pos].holiday.values()) for pos in movable)
        ):
            return set()
        # (the block's trails only now: most blocks stop above)
        blk = self._block(r, positions, members)
        lo, unit, trails = blk.lo, blk.unit, blk.trails
        devs = {p: trails[p].devs for p in members}
        peak = max(abs(d) for p in members for d in devs[p])
        z = max(peak, min(self._history_peak(r, lo, unit), SETTLE_PEAK_CAP)) + 1e-6
        original: dict[int, str] = {}
        for pos in movable:
            owner = r.slots[pos].owner
            assert owner is not None
            original[pos] = owner
        # who may take each shift, against every shift held outside the block's
        # movable ones (those are unheld while this is looked at)
        for pos, p in original.items():
            self._take_back(r, pos, p)
        may: dict[int, list[str]] = {}
        for pos, was in original.items():
            s = r.slots[pos]
            may[pos] = [
                p
                for p in s.available
                if p in trails
                and (
                    p == was
                    or (
                        self._can_take(r, p, pos, None)
                        and not (p in self.shared and self._refused(s, was, p))
                    )
                )
            ]
        for pos, p in original.items():
            self._give(r, pos, p)
        if not all(may.values()):
            return set()  # (a holder the rules no longer allow: the plan stays as it is)
        h = highs()
        x: dict[tuple[int, str], Any] = {}
        for pos in movable:
            for p in may[pos]:
                x[(pos, p)] = h.addBinary()
            h.addConstr(sum(x[(pos, p)] for p in may[pos]) == 1)
        if r.min_rest:
            for i, a in enumerate(movable):
                for b in movable[i + 1 :]:
                    if r.slots[b].start - r.slots[a].end >= r.min_rest:
                        break
                    for p in may[a]:
                        # (unless the plan already has it: no member was rested then)
                        if p in may[b] and not original[a] == original[b] == p:
                            h.addConstr(x[(a, p)] + x[(b, p)] <= 1)
        end = max(abs(devs[p][-1]) for p in members) + 0.05
        wdev = {p: r.wload[p] - r.wtarget[p] for p in members}
        wend = max(abs(w) for w in wdev.values()) + WEEKEND_MARGIN
        high = h.addVariable(lb=-1e6, ub=1e6)
        low = h.addVariable(lb=-1e6, ub=1e6)
        n = len(devs[members[0]])
        for p in members:
            mine = [pos for pos in movable if (pos, p) in x]
            if not mine:
                h.addConstr(high >= hdev[p])
                h.addConstr(low <= hdev[p])
                continue
            # the change of p's deviation, weekend and holiday days so far
            change: Any = 0.0
            wchange: Any = 0.0
            hchange: Any = 0.0
            for i, pos in enumerate(mine):
                s = r.slots[pos]
                v = x[(pos, p)] - (1.0 if original[pos] == p else 0.0)
                cumulative = h.addVariable(lb=-1e6, ub=1e6)
                h.addConstr(cumulative - change - v * (s.load[p] / unit) == 0)
                change = cumulative
                wchange = wchange + v * s.weekend.get(p, 0.0)
                hchange = hchange + v * s.holiday.get(p, 0.0)
                # it holds from this shift's handoff to the next one p may take
                upto = (mine[i + 1] - lo) if i + 1 < len(mine) else n
                here = devs[p][pos - lo : upto]
                h.addConstr(change <= z - max(here))
                h.addConstr(change >= -z - min(here))
            h.addConstr(change <= end - devs[p][-1])
            h.addConstr(change >= -end - devs[p][-1])
            h.addConstr(wchange <= wend - wdev[p])
            h.addConstr(wchange >= -wend - wdev[p])
            h.addConstr(high - hchange >= hdev[p])
            h.addConstr(low - hchange <= hdev[p])
        changed = [x[(pos, p)] for pos in movable for p in may[pos] if p != original[pos]]
        h.minimize(high - low + 0.001 * sum(changed))
        if h.getInfo().primal_solution_status != 2:  # (no feasible solution found)
            return set()
        value = h.getSolution().col_value
        if value[high.index] - value[low.index] > spread - SETTLE_GAIN:
            return set()
        return self._apply(
            blk, {pos: max(may[pos], key=lambda p: value[x[(pos, p)].index]) for pos in movable}
        )
