"""Settling the year's holiday balance in the block holding 1 January. Pure.

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
  the rotation's first handoff (capped at ``SETTLE_PEAK_CAP``): re-planning
  takes nobody further from target than the rotation has already been, so the
  fairness page's worst deviation from the first handoff does not grow (but for
  the raise below);
- the block end's largest deviation within ``0.05`` of what it was, its weekend
  balance within ``WEEKEND_MARGIN`` days of what it was;
- minimise the largest minus the smallest holiday balance at the block's end,
  then (a thousandth per shift) the number of shifts changed.

The programme is small (a block of weekly shifts: 13 shifts by its members).
HiGHS runs on one thread, with a fixed seed and a node limit (``SETTLE_NODES``),
never a time limit, so every run gives the same plan. If the spread it reaches
is above the target (one holiday-day, or the largest jump one of the block's
shifts forces on whoever takes it, if larger: ``_jump``), a second programme
minimises the handoffs' bound itself, raised by at most ``SETTLE_RAISE``, with
the spread held within the target; its plan is taken if there is one. The new
plan is kept only if it lowers the spread by more than ``SETTLE_GAIN``.

Blocks of more than ``SETTLE_SLOTS`` movable shifts (daily and shorter
rotations, where a holiday is at most a day per shift) would make the programme
take seconds per block; they are settled by swaps instead (``_settle_swaps``):
while the spread is above one day, the swap of a holiday-bearing shift of a
member ahead on holidays for a shift of a member behind that lowers (spread, sum
of squared holiday deviations) most, under the same bounds and hard rules; kept
if the spread falls by more than ``SETTLE_GAIN``, then the same with the bound
raised by ``SETTLE_RAISE``, kept only if that reaches the target. Where swaps
fall short of the target, the programme runs on two members' shifts at a time
(``_settle_pairs``: about 25 shifts of a daily block, milliseconds to tenths of
a second), where a holiday-bearing shift may go one way and two lighter shifts
the other, which no single swap can do.
"""

from __future__ import annotations

import itertools
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
    SETTLE_RAISE,
    SETTLE_SLOTS,
    WEEKEND_MARGIN,
)
from generator.schedule.planstate import BLOCK_ANCHOR, BLOCK_SECONDS, Block, PlanRotation
from generator.schedule.search import Search, movable_positions, pair_peak
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
        spread = _holiday_spread(r, members)
        movable = movable_positions(r, positions)
        if (
            spread <= SETTLE_ABOVE
            or len(movable) < 2
            or not any(any(r.slots[pos].holiday.values()) for pos in movable)
        ):
            return set()
        if len(movable) > SETTLE_SLOTS:
            return self._settle_swaps(r, positions, members, movable)
        # (the block's trails only now: most blocks stop above)
        blk = self._block(r, positions, members)
        got = self._exact(blk, movable, members)
        if got is None or got[0] > spread - SETTLE_GAIN:
            return set()
        return self._apply(blk, got[1])

    def _exact(
        self,
        blk: Block,
        movable: list[int],
        members: list[str],
        bounds: tuple[float, float, float, float] | None = None,
        aim: float | None = None,
        who: set[str] | None = None,
        least_bound: bool = False,
    ) -> tuple[float, dict[int, str]] | None:
        """The exact programme's plan of ``movable`` among ``who`` (default: every
        member) and the holiday spread it reaches: the smallest spread within the
        bounds' z (default: ``_bounds`` as the block stands), or, if that is above
        ``aim`` (default: one holiday-day, or the largest jump one of the shifts
        forces on whoever takes it, ``_aim``), the least raise that reaches it. With
        ``least_bound``, first the least handoff bound within z that reaches ``aim``:
        of the plans reaching the target, the one keeping deviations smallest. None
        if no plan is found or a holder is no longer allowed, or if the rotation has
        a hard load limit (``limits``: the programme does not encode them; swaps
        settle such a block)."""
        r, trails = blk.r, blk.trails
        if r.limits:
            return None
        original = _owners(r, movable)
        # (before the shifts are taken back and given again, which may move the
        # running sums by a rounding)
        hdev = _holiday_devs(r, members)
        # who may take each shift, against every shift held outside ``movable``
        # (those are unheld while this is looked at)
        for pos, p in original.items():
            self._take_back(r, pos, p)
        may: dict[int, list[str]] = {}
        for pos, was in original.items():
            s = r.slots[pos]
            may[pos] = [
                p
                for p in s.available
                if p in trails
                and (who is None or p in who)
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
            return None  # (a holder the rules no longer allow: the plan stays as it is)
        z, raised, end, wend = bounds or self._bounds(blk, members)
        wdev = {p: r.wload[p] - r.wtarget[p] for p in members}
        args = (r, blk, movable, may, original, members, hdev, end, wdev, wend)
        if aim is None:
            aim = _aim(r, may)
        if least_bound:
            got = self._programme(*args, z, aim)
            if got is not None:
                return got
        got = self._programme(*args, z)
        if got is None or got[0] > aim:
            # short of the target: the least raise of the handoffs' bound, at most
            # SETTLE_RAISE, that brings the spread within it
            got = self._programme(*args, raised, aim, z) or got
        return got

    def _bounds(self, blk: Block, members: list[str]) -> tuple[float, float, float, float]:
        """What settling keeps: every handoff within z (the larger of the block's
        largest deviation and the rotation's since its first handoff, up to
        SETTLE_PEAK_CAP), or within ``raised`` (z + SETTLE_RAISE, not above the cap
        unless z is) where that reaches the target; the block end's largest
        deviation within ``end`` and weekend balance within ``wend``."""
        r, trails = blk.r, blk.trails
        peak = max(abs(d) for p in members for d in trails[p].devs)
        z = max(peak, min(self._history_peak(r, blk.lo, blk.unit), SETTLE_PEAK_CAP)) + 1e-6
        raised = min(z + SETTLE_RAISE, max(z, SETTLE_PEAK_CAP + 1e-6))
        end = max(abs(trails[p].devs[-1]) for p in members) + 0.05
        wend = max(abs(r.wload[p] - r.wtarget[p]) for p in members) + WEEKEND_MARGIN
        return z, raised, end, wend

    def _settle_swaps(
        self, r: PlanRotation, positions: list[int], members: list[str], movable: list[int]
    ) -> set[str]:
        """A block of more than SETTLE_SLOTS shifts (daily or shorter): swaps of a
        holiday-bearing shift for another shift of a member behind on holidays
        (``_swap_down``) within z, kept if they gain more than SETTLE_GAIN; then,
        short of the target, within the raised bound, kept if they reach it."""
        blk = self._block(r, positions, members)
        z, raised, end, wend = self._bounds(blk, members)
        aim = _aim(
            r, {pos: [p for p in r.slots[pos].available if p in blk.trails] for pos in movable}
        )
        free = set(movable)
        spread = _holiday_spread(r, members)
        moved: set[str] = set()
        saved = self._snapshot(r, movable)
        moved |= self._swap_down(blk, free, members, (z, end, wend))
        if _holiday_spread(r, members) > spread - SETTLE_GAIN:
            moved |= self._restore(blk, saved)  # (too little gained: as it was)
        if _holiday_spread(r, members) > aim:
            saved = self._snapshot(r, movable)
            moved |= self._swap_down(blk, free, members, (raised, end, wend))
            if _holiday_spread(r, members) > aim:
                moved |= self._restore(blk, saved)  # (the raise fell short of the aim)
        if _holiday_spread(r, members) > aim:
            moved |= self._settle_pairs(blk, movable, members, (z, raised, end, wend), aim)
        return moved

    def _settle_pairs(
        self,
        blk: Block,
        movable: list[int],
        members: list[str],
        bounds: tuple[float, float, float, float],
        aim: float,
    ) -> set[str]:
        """Where no single swap reaches the target: the exact programme on the
        shifts of two members only (a holiday-bearing shift may go one way and two
        lighter ones the other), the member furthest ahead on holidays with one
        behind, or the one furthest behind with one ahead (no other pair can lower
        the spread), widest apart first, under the same bounds. The first plan
        lowering the spread by more than SETTLE_GAIN is kept; again while the
        spread is above the target, at most once per member."""
        r = blk.r
        moved: set[str] = set()
        for _ in members:
            h = _holiday_devs(r, members)
            spread = _score(h)[0]
            if spread <= aim:
                break
            top = max(members, key=lambda p: (h[p], p))
            bottom = min(members, key=lambda p: (h[p], p))
            pairs = {(top, p) for p in members if h[p] < h[top]}
            pairs |= {(p, bottom) for p in members if h[p] > h[bottom]}
            for big, small in sorted(pairs, key=lambda pair: (h[pair[1]] - h[pair[0]], pair)):
                mine = [pos for pos in movable if r.slots[pos].owner in (big, small)]
                if not mine:
                    continue
                got = self._exact(blk, mine, members, bounds, aim, {big, small}, True)
                if got is not None and got[0] < spread - SETTLE_GAIN:
                    moved |= self._apply(blk, got[1])
                    break
            else:
                break
        return moved

    def _swap_down(
        self,
        blk: Block,
        free: set[int],
        members: list[str],
        bounds: tuple[float, float, float],
    ) -> set[str]:
        """The best swap (``_best_swap``) while the holiday spread is above one day
        and one lowers it, at most 4·members + 20 of them; the members moved."""
        r = blk.r
        moved: set[str] = set()
        for _ in range(4 * len(members) + 20):
            h = _holiday_devs(r, members)
            now = _score(h)
            if now[0] <= 1.0:
                break
            best = self._best_swap(blk, free, h, now, bounds)
            if best is None:
                break
            _, a, b, big, small = best
            self._exchange(blk, a, big, small, b)
            moved.update((big, small))
        return moved

    def _best_swap(
        self,
        blk: Block,
        free: set[int],
        h: dict[str, float],
        now: tuple[float, float],
        bounds: tuple[float, float, float],
    ) -> tuple[tuple[float, float], int, int, str, str] | None:
        """The swap (slot a with holiday time from big to small, slot b back) that
        lowers (holiday spread, Σ holiday deviation²) most, keeping every handoff of
        both members within ``bound``, their block-end deviation within ``end`` and
        weekend balance within ``wend`` (``bounds``); the hard rules and ``avoid``."""
        r, unit, trails, owned, slots = blk.r, blk.unit, blk.trails, blk.owned, blk.r.slots
        bound, end, wend = bounds
        best: tuple[tuple[float, float], int, int, str, str] | None = None
        for big, small in itertools.permutations(sorted(h), 2):
            if h[small] >= h[big]:
                continue
            wb, ws = r.wload[big] - r.wtarget[big], r.wload[small] - r.wtarget[small]
            for a in owned.get(big, ()):
                sa = slots[a]
                ha = sa.holiday.get(big, 0.0)
                if a not in free or ha <= 0 or small not in sa.available:
                    continue
                for b in owned.get(small, ()):
                    sb = slots[b]
                    if b not in free or big not in sb.available:
                        continue
                    nb = h[big] - ha + sb.holiday.get(big, 0.0)
                    ns = h[small] + sa.holiday.get(small, 0.0) - sb.holiday.get(small, 0.0)
                    new = _score({**h, big: nb, small: ns})
                    if new >= now or (best is not None and new >= best[0]):
                        continue
                    if (
                        abs(trails[big].devs[-1] + (sb.load[big] - sa.load[big]) / unit) > end
                        or abs(trails[small].devs[-1] + (sa.load[small] - sb.load[small]) / unit)
                        > end
                        or abs(wb - sa.weekend.get(big, 0.0) + sb.weekend.get(big, 0.0)) > wend
                        or abs(ws + sa.weekend.get(small, 0.0) - sb.weekend.get(small, 0.0)) > wend
                        or pair_peak(blk, big, small, a, b) > bound
                        or self._refused(sa, big, small)
                        or self._refused(sb, small, big)
                        or not self._can_take(r, small, a, b)
                        or not self._can_take(r, big, b, a)
                    ):
                        continue
                    best = (new, a, b, big, small)
        return best

    def _snapshot(
        self, r: PlanRotation, movable: list[int]
    ) -> tuple[dict[int, str], tuple[dict[str, float], ...]]:
        """The owners of ``movable`` and the rotation's running load, weekend and
        holiday sums, to go back to (``_restore``)."""
        return _owners(r, movable), (dict(r.load), dict(r.wload), dict(r.hload))

    def _restore(
        self, blk: Block, saved: tuple[dict[int, str], tuple[dict[str, float], ...]]
    ) -> set[str]:
        """Back to a ``_snapshot``, with the running sums exactly as they were then
        (adding and taking back a shift's load need not give the same float, and a
        later tie-break could then differ)."""
        plan, sums = saved
        moved = self._apply(blk, plan)
        r = blk.r
        for now, then in zip((r.load, r.wload, r.hload), sums, strict=True):
            now.update(then)
        for p in moved:
            blk.trails[p] = self._trail(blk, p)  # (the trails follow the sums)
        return moved

    def _programme(
        self,
        r: PlanRotation,
        blk: Block,
        movable: list[int],
        may: dict[int, list[str]],
        original: dict[int, str],
        members: list[str],
        hdev: dict[str, float],
        end: float,
        wdev: dict[str, float],
        wend: float,
        z: float,
        aim: float | None = None,
        floor: float = 0.0,
    ) -> tuple[float, dict[int, str]] | None:
        """The smallest holiday spread at the block's end with every handoff within
        ``z`` (see the module notes), and the plan reaching it; with ``aim``, the
        plan of least handoff bound in [``floor``, ``z``] whose spread is within
        ``aim`` instead. None if HiGHS finds none."""
        lo, unit, trails = blk.lo, blk.unit, blk.trails
        devs = {p: trails[p].devs for p in members}
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
        high = h.addVariable(lb=-1e6, ub=1e6)
        low = h.addVariable(lb=-1e6, ub=1e6)
        zv = h.addVariable(lb=floor, ub=z)
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
                h.addConstr(change - zv <= -max(here))
                h.addConstr(change + zv >= -min(here))
            h.addConstr(change <= end - devs[p][-1])
            h.addConstr(change >= -end - devs[p][-1])
            h.addConstr(wchange <= wend - wdev[p])
            h.addConstr(wchange >= -wend - wdev[p])
            h.addConstr(high - hchange >= hdev[p])
            h.addConstr(low - hchange <= hdev[p])
        changed = [x[(pos, p)] for pos in movable for p in may[pos] if p != original[pos]]
        if aim is None:
            h.minimize(high - low + 0.001 * sum(changed))
        else:
            h.addConstr(high - low <= aim)
            h.minimize(zv + 0.001 * (high - low) + 0.0001 * sum(changed))
        if h.getInfo().primal_solution_status != 2:  # (no feasible solution found)
            return None
        value = h.getSolution().col_value
        plan = {pos: max(may[pos], key=lambda p: value[x[(pos, p)].index]) for pos in movable}
        return value[high.index] - value[low.index], plan


def _owners(r: PlanRotation, positions: list[int]) -> dict[int, str]:
    """Who holds each of ``positions`` (all held)."""
    out: dict[int, str] = {}
    for pos in positions:
        owner = r.slots[pos].owner
        assert owner is not None
        out[pos] = owner
    return out


def _holiday_devs(r: PlanRotation, members: list[str]) -> dict[str, float]:
    """Each member's holiday balance: holiday days minus their target (days)."""
    return {p: r.hload[p] - r.htarget[p] for p in members}


def _holiday_spread(r: PlanRotation, members: list[str]) -> float:
    """The largest minus the smallest holiday balance (days) among ``members``."""
    return _score(_holiday_devs(r, members))[0]


def _score(h: dict[str, float]) -> tuple[float, float]:
    """Holiday spread, then the sum of squared holiday deviations (days)."""
    return max(h.values()) - min(h.values()), sum(v * v for v in h.values())


def _aim(r: PlanRotation, may: dict[int, list[str]]) -> float:
    """The holiday target of a block whose shift ``pos`` may go to ``may[pos]``:
    one holiday-day, or the largest jump one of its shifts forces on whoever takes
    it, if larger."""
    return max(1.0, max(_jump(r, pos, ps) for pos, ps in may.items()))


def _jump(r: PlanRotation, pos: int, may: list[str]) -> float:
    """The least holiday-days jump taking shift ``pos`` gives whoever of ``may``
    takes it, over their share of it (as if the shift's available members shared it
    evenly)."""
    s = r.slots[pos]
    return min(s.holiday.get(p, 0.0) for p in may) * (1 - 1 / len(s.available))
