"""The local search: moves and swaps within each 13-week block, then peak shaving. Pure.

See ``assign`` for the objective and the search's rules; ``objective`` prices a
move or a swap. ``_search`` lowers the objective; ``_shave`` then lowers the
block's largest deviation itself, and ``_search`` runs again capped below it.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from generator.schedule.objective import (
    GOOD_ENOUGH,
    HANDOFF_WEIGHT,
    HANDOFFS_PER_BLOCK,
    HOLIDAY_GOOD_ENOUGH,
    HOLIDAY_MARGIN,
    HOLIDAY_WEIGHT,
    MIN_GAIN,
    NEAR_SLOTS,
    PEAKS,
    POLISH_ABOVE,
    POLISH_NODES,
    POLISH_SLOTS,
    POLISH_STEPS,
    REFUSED,
    SHAVE_ABOVE,
    STICKY,
    SWAP_WIDTH,
    WEEKEND_MARGIN,
    WEEKEND_WEIGHT,
    Trail,
    end_terms,
)
from generator.schedule.planstate import (
    Block,
    PlanRotation,
    PlanSlot,
    PlanState,
    block_end_change,
)


class Search(PlanState):
    def _improve(self, pending: dict[str, list[int]]) -> dict[str, list[int]]:
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
        return todo

    def _parts(self, r: PlanRotation, s: PlanSlot) -> dict[str, float]:
        """Each member's growth of target from slot ``s`` (empty if nobody holds it)."""
        if s.owner is None:
            return {}
        members = s.members
        pool = list(members) if r.rotation.fairness == "equal" else s.pool
        total = sum(map(members.__getitem__, pool))
        if total <= 0:
            return {}
        whole = s.full[0] if s.full is not None else s.load
        return {p: whole[p] * members[p] / total for p in pool}

    def _trail(self, blk: Block, p: str) -> Trail:
        """p's deviation at every handoff of the block (after each of slots lo..hi)."""
        r, lo, hi, parts, unit = blk.r, blk.lo, blk.hi, blk.parts, blk.unit
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
        return Trail(devs)

    def _block(self, r: PlanRotation, positions: list[int], members: list[str]) -> Block:
        """The block holding ``positions`` as it stands: its handoffs, weights,
        target parts, each member's trail and movable slots."""
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
        owned: dict[str, list[int]] = defaultdict(list)
        for pos in positions:
            owner = r.slots[pos].owner
            if owner is not None:
                owned[owner].append(pos)
        blk = Block(r, lo, hi, unit, weight, parts, owned)
        for p in members:
            blk.trails[p] = self._trail(blk, p)
        return blk

    def _search(self, r: PlanRotation, positions: list[int], cap: float | None = None) -> set[str]:
        """Moves and swaps within the block (see the module notes); who moved."""
        moved: set[str] = set()
        members = sorted({p for pos in positions for p in r.slots[pos].members})
        if len(members) < 2:
            return moved
        blk = self._block(r, positions, members)
        trails = blk.trails
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
                        found = candidates[(big, small)] = self._candidates(blk, big, small)
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
                            if c[3] and cap is not None:
                                # after peak shaving: no step may raise the block's peak
                                c[3] = pair_peak(blk, big, small, c[1], c[2]) <= cap
                        if c[3]:
                            best = (gain, c[1], small, c[2], big)
                            break
            if best is None:
                break
            _, a, small, b, big = best
            candidates = {k: v for k, v in candidates.items() if big not in k and small not in k}
            self._exchange(blk, a, big, small, b)
            moved.update((big, small))
        if cap is None:
            shaved = self._shave(blk, positions)
            shaved |= self._polish(blk, positions)
            if shaved:
                # then the usual search again, smoothing the rest of the block (its end,
                # weekends, holidays) without raising the peak the shaving left
                moved |= shaved
                cap = max(abs(d) for t in trails.values() for d in t.devs) + 1e-9
                moved |= self._search(r, positions, cap)
        self._last_ends(r, positions)
        return moved

    def _last_ends(self, r: PlanRotation, positions: list[int]) -> None:
        """Each member's last shift's end up to the block's last slot, after it changed."""
        done = max(positions)
        for p, mine in r.mine.items():
            i = bisect_left(mine, done + 1) - 1
            if i >= 0:
                r.last_end[p] = r.slots[mine[i]].end

    def _candidates(self, blk: Block, big: str, small: str) -> list[list[Any]]:
        """The moves (big gives a slot to small) and swaps (one slot each way) that
        lower the objective by more than MIN_GAIN, best first, each as
        [change, big's slot, small's slot or None, feasible (None: not looked at)].

        They depend only on big's and small's loads and shifts, so the search
        keeps them until either moves. Swaps pair the SWAP_WIDTH best slots of
        each side (best by what moving them alone would gain)."""
        r, lo, unit, weight, owned = blk.r, blk.lo, blk.unit, blk.weight, blk.owned
        slots = r.slots
        tb, ts = blk.trails[big], blk.trails[small]
        price = self._move_change
        moves = [
            (price(blk, a, big, small), a)
            for a in owned[big]
            if small in slots[a].load and small in slots[a].available
        ]
        backs = [
            (price(blk, b, small, big), b)
            for b in owned[small]
            if big in slots[b].load and big in slots[b].available
        ]
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
            stick_a = self._side_change(sa, big, small)
            for _, b in backs[:SWAP_WIDTH]:
                sb = slots[b]
                ib = b - lo
                lb_b, lb_s = sb.load[big] / unit, sb.load[small] / unit
                stick_b = self._side_change(sb, small, big)
                handoffs = weight * (tb.two(ia, -la_b, ib, lb_b) + ts.two(ia, la_s, ib, -lb_s))
                # the block's end: both members' parts of the end objective
                ends = end_terms(
                    bd,
                    bw,
                    bh,
                    bd - la_b + lb_b,
                    bw - sa.weekend[big] + sb.weekend[big],
                    bh - sa.holiday[big] + sb.holiday[big],
                ) + end_terms(
                    sd,
                    sw,
                    sh,
                    sd + la_s - lb_s,
                    sw + sa.weekend[small] - sb.weekend[small],
                    sh + sa.holiday[small] - sb.holiday[small],
                )
                change = handoffs + ends + stick_a + stick_b
                if change < -MIN_GAIN:
                    out.append([change, a, b, None])
        out.sort(key=lambda c: (c[0], c[1], -1 if c[2] is None else c[2]))
        return out

    def _exchange(self, blk: Block, a: int, giver: str, taker: str, b: int | None) -> None:
        """Slot a from giver to taker (and slot b back, a swap), with both members'
        shifts of the block and deviation trails brought up to date."""
        r, owned = blk.r, blk.owned
        self._take_back(r, a, giver)
        owned[giver].remove(a)
        if b is not None:
            self._take_back(r, b, taker)
            owned[taker].remove(b)
            self._give(r, b, giver)
            insort(owned[giver], b)
        self._give(r, a, taker)
        insort(owned[taker], a)
        blk.trails[giver] = self._trail(blk, giver)
        blk.trails[taker] = self._trail(blk, taker)

    def _shave(self, blk: Block, positions: list[int]) -> set[str]:
        """Lower the block's largest deviation itself (what a reader of the fairness
        page sees at its worst), once the sum the search minimises is at a local
        minimum: while some member's deviation at some handoff is above
        ``SHAVE_ABOVE``, take the largest, and make the move (one slot from or to
        that member) or else the swap that lowers the larger of the two members'
        largest deviations over the block the most; stop when none lowers it.

        A slot still held by its assignee in the previous plan does not move here
        (stickiness), nor does a locked one. A move is priced in O(1) from each
        member's running largest and smallest deviations before and after each
        handoff; a swap in O(B)."""
        r, lo, trails = blk.r, blk.lo, blk.trails
        moved: set[str] = set()
        movable = {
            pos
            for pos in positions
            if r.slots[pos].prev is None or r.slots[pos].prev != r.slots[pos].owner
        }
        if not movable:
            return moved
        members = sorted(trails)
        slots = r.slots
        for _ in range(2 * len(members) + 8):
            worst, who, at = 0.0, "", 0
            for p in members:
                t = trails[p]
                for i, d in enumerate(t.devs):
                    if abs(d) > worst + 1e-12:
                        worst, who, at = abs(d), p, i
            if worst <= SHAVE_ABOVE:
                break
            over = trails[who].devs[at] > 0
            bounds = {p: _Bounds(trails[p].devs) for p in members}
            best: tuple[float, int, int, str, str, int | None] | None = None
            # moves: a slot at or before the peak's handoff, from ``who`` if above
            # target there, to ``who`` if below
            for _, giver, taker, a, x, y in _peak_moves(blk, members, movable, who, at, over):
                i = a - lo
                new = max(bounds[giver].shifted(i, -x), bounds[taker].shifted(i, y))
                if new >= worst - 1e-9:
                    continue
                # of the moves that lower the peak, the one the objective likes best
                # (so the block's end, weekends and holidays stay balanced)
                if self._refused(slots[a], giver, taker):
                    continue
                change = self._move_change(blk, a, giver, taker)
                if (best is None or (change, a) < (best[0], best[2])) and self._can_take(
                    r, taker, a, None
                ):
                    best = (change, 0, a, giver, taker, None)
            if best is None:
                best = self._shave_swap(blk, movable, who, at, over, worst)
            if best is None:
                chained = self._shave_chain(blk, movable, bounds, who, at, over, worst)
                if not chained:
                    break
                moved.update(chained)
                continue
            _, _, a, giver, taker, b = best
            self._exchange(blk, a, giver, taker, b)
            moved.update((giver, taker))
        return moved

    def _polish(self, blk: Block, positions: list[int]) -> set[str]:
        """Re-plan the block's movable shifts at once when moves, swaps and chains
        leave its largest deviation above ``POLISH_ABOVE``: a depth-first search
        over them in time order for an assignment that keeps every member within a
        bound z at every handoff of the block, and the block's end as close to
        target as it was (its deviation; its weekend and holiday balance within
        ``WEEKEND_MARGIN`` and ``HOLIDAY_MARGIN``). Whoever is furthest below
        target is tried first (on weekend and holiday shifts, weighing those
        balances as the objective does); a branch
        ends as soon as someone is above z, or two members are below -z (only one
        can take the shift). The hard rules hold as everywhere (and ``avoid``). z is
        found by bisection from just below the current peak, each search stopping
        after ``POLISH_NODES`` nodes, so the result is the same on every run; the
        plan is kept as it was if none is found. The members whose shifts changed.

        Such plans differ from the local search's in most of the block's shifts
        (which no chain of moves reaches), hence a search over whole assignments."""
        r, lo, trails = blk.r, blk.lo, blk.trails
        members = sorted(trails)
        devs = {p: trails[p].devs for p in members}
        worst = max(abs(d) for p in members for d in devs[p])
        if worst <= POLISH_ABOVE:
            return set()
        movable = movable_positions(r, positions)
        if len(movable) < 2 or movable[-1] - movable[0] >= POLISH_SLOTS:
            return set()  # (the search goes one level deeper per shift)
        # the block's end's weekend and holiday balance (days), before re-planning
        ends = {p: (r.wload[p] - r.wtarget[p], r.hload[p] - r.htarget[p]) for p in members}
        best = self._replan(blk, members, movable, worst, ends)
        # none for the whole block: the shifts around its worst handoff, fewer and
        # fewer (a smaller window's search goes deeper within its node limit)
        at = lo + max(
            range(len(devs[members[0]])), key=lambda k: max(abs(devs[p][k]) for p in members)
        )
        width = NEAR_SLOTS
        while best is None and width >= 2:
            near = [pos for pos in movable if abs(pos - at) <= width]
            if 2 <= len(near) < len(movable):
                best = self._replan(blk, members, near, worst, ends)
                if best is not None:
                    movable = near
            width //= 2
        if best is None:
            return set()
        return self._apply(blk, {pos: best[pos] for pos in movable})

    def _apply(self, blk: Block, plan: dict[int, str]) -> set[str]:
        """Give each of the block's held slots in ``plan`` to its member there;
        the members whose shifts changed (their trails follow)."""
        r, owned = blk.r, blk.owned
        moved: set[str] = set()
        for pos, now in plan.items():
            was = r.slots[pos].owner
            assert was is not None
            if was != now:
                self._take_back(r, pos, was)
                self._give(r, pos, now)
                owned[was].remove(pos)
                insort(owned[now], pos)
                moved.update((was, now))
        for p in moved:
            blk.trails[p] = self._trail(blk, p)
        return moved

    def _replan(
        self,
        blk: Block,
        members: list[str],
        movable: list[int],
        worst: float,
        ends: dict[str, tuple[float, float]],
    ) -> dict[int, str] | None:
        """``_polish``'s bisection over bounds z for the shifts ``movable`` (the
        rest of the block kept): the best assignment found, or None."""
        r, lo, trails = blk.r, blk.lo, blk.trails
        devs = {p: trails[p].devs for p in members}
        first, last = movable[0], movable[-1]
        before = max((abs(devs[p][k]) for p in members for k in range(first - lo)), default=0.0)
        if before >= worst - 0.02:
            return None  # a peak before the window stays whatever the window does
        tail = {
            p: (
                max(devs[p][last - lo + 1 :], default=float("-inf")),
                min(devs[p][last - lo + 1 :], default=float("inf")),
            )
            for p in members
        }
        original = {pos: r.slots[pos].owner for pos in movable}
        for pos, p in original.items():
            assert p is not None
            self._take_back(r, pos, p)
        window = list(range(first, last + 1))
        loose = set(movable)
        best: dict[int, str] | None = None
        floor, z = before, worst - 0.02
        ceiling = worst
        for _ in range(POLISH_STEPS):
            got = self._polish_search(blk, members, window, loose, original, tail, ends, z)
            if got is not None:
                best, ceiling = got, z
            elif best is None:
                break  # not even a little lower
            else:
                floor = z
            if ceiling - floor < 0.02:
                break
            z = (floor + ceiling) / 2
        for pos in movable:
            p = original[pos]
            assert p is not None
            self._give(r, pos, p)
        return best

    def _polish_search(
        self,
        blk: Block,
        members: list[str],
        window: list[int],
        loose: set[int],
        original: dict[int, str | None],
        tail: dict[str, tuple[float, float]],
        ends: dict[str, tuple[float, float]],
        z: float,
    ) -> dict[int, str] | None:
        """One bound of ``_polish``: an assignment of the loose slots, or None (none
        found within the node limit). The loose slots stay unheld while it looks."""
        r, lo, unit = blk.r, blk.lo, blk.unit
        devs = {p: blk.trails[p].devs for p in members}
        delta = dict.fromkeys(members, 0.0)  # change of each member's deviation so far
        # the block's end may not get further from target: its largest deviation, and
        # its weekend and holiday balance, each within a margin of what they were
        end = max(abs(devs[p][-1]) for p in members) + 0.05
        wend = max(abs(w) for w, _ in ends.values()) + WEEKEND_MARGIN
        hend = max(abs(h) for _, h in ends.values()) + HOLIDAY_MARGIN
        wdelta = dict.fromkeys(members, 0.0)  # change of weekend days so far
        hdelta = dict.fromkeys(members, 0.0)  # ... and of holiday days
        chosen: dict[int, str] = {}
        last_end: dict[str, float] = {}  # the end of each member's last shift chosen here
        nodes = 0

        def walk(i: int) -> bool | None:
            nonlocal nodes
            if i == len(window):
                # the handoffs after the window move by what it changed, and the
                # block's end stays as close to target as it was
                return all(
                    tail[p][0] + delta[p] <= z
                    and tail[p][1] + delta[p] >= -z
                    and abs(devs[p][-1] + delta[p]) <= end
                    and abs(ends[p][0] + wdelta[p]) <= wend
                    and abs(ends[p][1] + hdelta[p]) <= hend
                    for p in members
                )
            nodes += 1
            if nodes > POLISH_NODES:
                return None
            pos = window[i]
            k = pos - lo
            s = r.slots[pos]
            if pos not in loose:
                if all(-z <= devs[p][k] + delta[p] <= z for p in members):
                    return walk(i + 1)
                return False
            was = original[pos]
            assert was is not None
            took = s.load.get(was, 0.0) / unit
            delta[was] -= took
            wdelta[was] -= s.weekend.get(was, 0.0)
            hdelta[was] -= s.holiday.get(was, 0.0)
            now = {p: devs[p][k] + delta[p] for p in members}  # nobody holding it yet
            below = [p for p in members if now[p] < -z]
            found: bool | None = False
            if len(below) <= 1 and all(d <= z for d in now.values()):
                # furthest below target first; on weekend and holiday shifts, the
                # weekend and holiday balance counts as well (in shift-equivalents)
                options = sorted(
                    (
                        now[p]
                        + WEEKEND_WEIGHT * s.weekend.get(p, 0.0) * (ends[p][0] + wdelta[p])
                        + HOLIDAY_WEIGHT * s.holiday.get(p, 0.0) * (ends[p][1] + hdelta[p]),
                        p,
                    )
                    for p in (below or s.available)
                    if p in now and now[p] + s.load[p] / unit <= z
                )
                for _, p in options:
                    if not self._free_for(r, p, pos, was, last_end):
                        continue
                    x = s.load[p] / unit
                    delta[p] += x
                    wdelta[p] += s.weekend.get(p, 0.0)
                    hdelta[p] += s.holiday.get(p, 0.0)
                    chosen[pos] = p
                    prior, last_end[p] = last_end.get(p), s.end
                    if r.limits:
                        # the hard load limits look at every shift held: hold it
                        self.busy.add(p, s)
                    found = walk(i + 1)
                    if r.limits:
                        self.busy.remove(p, s)
                    if found:
                        return True
                    if prior is None:
                        del last_end[p]
                    else:
                        last_end[p] = prior
                    del chosen[pos]
                    delta[p] -= x
                    wdelta[p] -= s.weekend.get(p, 0.0)
                    hdelta[p] -= s.holiday.get(p, 0.0)
                    if found is None:
                        break
            delta[was] += took
            wdelta[was] += s.weekend.get(was, 0.0)
            hdelta[was] += s.holiday.get(was, 0.0)
            return found

        if walk(0):
            return dict(chosen)
        return None

    def _free_for(
        self, r: PlanRotation, p: str, pos: int, was: str, last_end: dict[str, float]
    ) -> bool:
        """Whether p may take unheld slot ``pos`` in ``_polish_search``: the hard
        rules against every shift held (``_can_take``), ``min_rest`` after the
        shift p was last given in the search, and ``avoid``."""
        s = r.slots[pos]
        if not self._can_take(r, p, pos, None):
            return False
        end = last_end.get(p)
        if end is not None and r.min_rest and s.start - end < r.min_rest:
            return False
        return not (p in self.shared and self._refused(s, was, p))

    def _shave_swap(
        self,
        blk: Block,
        movable: set[int],
        who: str,
        at: int,
        over: bool,
        worst: float,
    ) -> tuple[float, int, int, str, str, int | None] | None:
        """The swap that lowers the peak most: slot a (at or before the peak's
        handoff) goes from the giver to the taker and slot b back, so that the
        peak member's deviation at the peak falls. Exact: both members' whole
        block is looked at."""
        r, lo, unit, trails, owned = blk.r, blk.lo, blk.unit, blk.trails, blk.owned
        slots = r.slots
        best: tuple[float, int, int, str, str, int | None] | None = None
        for q in sorted(trails):
            if q == who:
                continue
            giver, taker = (who, q) if over else (q, who)
            mine = [
                a
                for a in owned.get(giver, ())
                if a - lo <= at and a in movable and taker in slots[a].available
            ]
            theirs = [
                b for b in owned.get(taker, ()) if b in movable and giver in slots[b].available
            ]
            if not mine or not theirs:
                continue
            g, t = trails[giver].devs, trails[taker].devs
            for a in mine:
                sa = slots[a]
                ga, ta = sa.load.get(giver, 0.0) / unit, sa.load.get(taker, 0.0) / unit
                for b in theirs:
                    sb = slots[b]
                    gb, tb = sb.load.get(giver, 0.0) / unit, sb.load.get(taker, 0.0) / unit
                    if (b - lo) <= at and gb >= ga:
                        continue  # the peak member's deviation at the peak would not fall
                    new = max(
                        _peak_after(g, a - lo, -ga, b - lo, gb),
                        _peak_after(t, a - lo, ta, b - lo, -tb),
                    )
                    if new >= worst - 1e-9:
                        continue
                    change = self._move_change(blk, a, giver, taker) + self._move_change(
                        blk, b, taker, giver
                    )
                    if self._refused(sa, giver, taker) or self._refused(sb, taker, giver):
                        continue
                    if (
                        (best is None or (change, a, b) < (best[0], best[2], best[5]))
                        and self._can_take(r, taker, a, b)
                        and self._can_take(r, giver, b, a)
                    ):
                        best = (change, 1, a, giver, taker, b)
        return best

    def _shave_chain(
        self,
        blk: Block,
        movable: set[int],
        bounds: dict[str, _Bounds],
        who: str,
        at: int,
        over: bool,
        worst: float,
    ) -> set[str]:
        """Two moves, when no single move or swap lowers the peak: the peak member's
        move (slot a) overshoots the other member q above the peak, and q then passes
        a slot b (before q's new largest deviation) to, or takes one from, a third
        member, so all three end below the peak. The best such chain whose moves the
        hard rules allow is made; the members it moved, or nothing."""
        r, lo, unit, trails, owned = blk.r, blk.lo, blk.unit, blk.trails, blk.owned
        slots = r.slots
        members = sorted(trails)
        chains: list[tuple[float, int, int, str, str, str, str]] = []
        for q, giver, taker, a, x, y in _peak_moves(blk, members, movable, who, at, over):
            i = a - lo
            after = {
                giver: [d - x if k >= i else d for k, d in enumerate(trails[giver].devs)],
                taker: [d + y if k >= i else d for k, d in enumerate(trails[taker].devs)],
            }
            if max(map(abs, after[who]), default=0.0) >= worst - 1e-9:
                continue  # the peak member would not come below the peak
            peak, j = max((abs(d), k) for k, d in enumerate(after[q]))
            if peak < worst - 1e-9:
                continue  # a plain move, which the hard rules refused
            q_over = after[q][j] > 0
            mine = {q: _Bounds(after[q]), who: _Bounds(after[who])}
            for third in members:
                if third == q:
                    continue
                giver2, taker2 = (q, third) if q_over else (third, q)
                # (not slot a again: passing it on is a plain move, tried above)
                for b in owned.get(giver2, ()):
                    sb = slots[b]
                    if b == a or b - lo > j or b not in movable or taker2 not in sb.available:
                        continue
                    x2 = sb.load[giver2] / unit
                    y2 = sb.load[taker2] / unit
                    new = max(
                        mine.get(giver2, bounds[giver2]).shifted(b - lo, -x2),
                        mine.get(taker2, bounds[taker2]).shifted(b - lo, y2),
                    )
                    if new < worst - 1e-9:
                        change = self._move_change(blk, a, giver, taker) + self._move_change(
                            blk, b, giver2, taker2
                        )
                        if not (
                            self._refused(slots[a], giver, taker)
                            or self._refused(sb, giver2, taker2)
                        ):
                            chains.append((change, a, b, giver, taker, giver2, taker2))
        chains.sort()
        for _, a, b, giver, taker, giver2, taker2 in chains[:SWAP_WIDTH]:
            if not self._can_take(r, taker, a, None):
                continue
            self._take_back(r, a, giver)
            self._give(r, a, taker)
            if not self._can_take(r, taker2, b, None):
                self._take_back(r, a, taker)  # undo the first move
                self._give(r, a, giver)
                continue
            self._take_back(r, b, giver2)
            self._give(r, b, taker2)
            for pos, before, now in ((a, giver, taker), (b, giver2, taker2)):
                owned[before].remove(pos)
                insort(owned[now], pos)
            touched = {giver, taker, giver2, taker2}
            for p in touched:
                trails[p] = self._trail(blk, p)
            return touched
        return set()

    def _refused(self, s: PlanSlot, giver: str, taker: str) -> bool:
        """Whether moving slot s from giver to taker would put the taker on call
        elsewhere where a rotation says ``avoid`` (peak shaving never does that)."""
        return self._elsewhere_change(s, giver, taker) >= REFUSED

    def _elsewhere_change(self, s: PlanSlot, giver: str, taker: str) -> float:
        """The change of the cost of being on call elsewhere if s went from giver to taker."""
        if giver not in self.shared and taker not in self.shared:
            return 0.0
        return self._elsewhere_cost(taker, s) - self._elsewhere_cost(giver, s)

    def _side_change(self, s: PlanSlot, giver: str, taker: str) -> float:
        """Stickiness, being on call elsewhere and the soft rest costs
        (``_rest_cost``): their change if s went from giver to taker."""
        prev = s.prev
        stick = (STICKY if prev is not None and prev != taker else 0.0) - (
            STICKY if prev is not None and prev != giver else 0.0
        )
        rest = 0.0
        r = self.rotations[s.key]
        if r.linked:
            rest = self._rest_cost(r, taker, s) - self._rest_cost(r, giver, s)
        return stick + self._elsewhere_change(s, giver, taker) + rest

    def _move_change(self, blk: Block, pos: int, giver: str, taker: str) -> float:
        """The objective's change if slot ``pos`` went from giver to taker: every
        handoff of the block from it on, the block's end, stickiness and being on
        call elsewhere."""
        r, lo, unit, weight = blk.r, blk.lo, blk.unit, blk.weight
        s = r.slots[pos]
        tg, tt = blk.trails[giver], blk.trails[taker]
        lg, lt = s.load[giver], s.load[taker]
        return (
            weight * (tg.change(pos - lo, tg.n, -lg / unit) + tt.change(pos - lo, tt.n, lt / unit))
            + block_end_change(r, unit, giver, -lg, -s.weekend[giver], -s.holiday[giver])
            + block_end_change(r, unit, taker, lt, s.weekend[taker], s.holiday[taker])
            + self._side_change(s, giver, taker)
        )


def movable_positions(r: PlanRotation, positions: list[int]) -> list[int]:
    """The positions a re-plan may give to someone else: held, and not as the
    previous plan had them (the previous plan stands)."""
    return [
        pos
        for pos in positions
        if r.slots[pos].owner is not None and r.slots[pos].prev != r.slots[pos].owner
    ]


class _Bounds:
    """A member's largest and smallest deviation before and from each handoff."""

    __slots__ = ("pmax", "pmin", "smax", "smin")

    def __init__(self, devs: list[float]):
        n = len(devs)
        self.pmax = [float("-inf")] * (n + 1)
        self.pmin = [float("inf")] * (n + 1)
        for i, d in enumerate(devs):
            self.pmax[i + 1] = max(self.pmax[i], d)
            self.pmin[i + 1] = min(self.pmin[i], d)
        self.smax = [float("-inf")] * (n + 1)
        self.smin = [float("inf")] * (n + 1)
        for i in range(n - 1, -1, -1):
            self.smax[i] = max(self.smax[i + 1], devs[i])
            self.smin[i] = min(self.smin[i + 1], devs[i])

    def shifted(self, i: int, x: float) -> float:
        """The largest |deviation| when every deviation from handoff i on moves by x."""
        high = max(self.pmax[i], self.smax[i] + x)
        low = min(self.pmin[i], self.smin[i] + x)
        return max(high, -low)


def _peak_moves(
    blk: Block, members: list[str], movable: set[int], who: str, at: int, over: bool
) -> Iterator[tuple[str, str, str, int, float, float]]:
    """The one-slot moves that may lower ``who``'s deviation at handoff ``at``: a
    movable slot at or before it, from ``who`` to another member q if ``who`` is
    above target there (``over``), else from q to ``who``; as (q, giver, taker,
    slot, the giver's load, the taker's load), loads in shift-equivalents."""
    slots, owned, lo, unit = blk.r.slots, blk.owned, blk.lo, blk.unit
    for q in members:
        if q == who:
            continue
        giver, taker = (who, q) if over else (q, who)
        for a in owned.get(giver, ()):
            s = slots[a]
            if a - lo > at or a not in movable or taker not in s.available:
                continue
            yield q, giver, taker, a, s.load[giver] / unit, s.load[taker] / unit


def pair_peak(blk: Block, big: str, small: str, a: int, b: int | None) -> float:
    """The larger of two members' largest |deviation| over the block after big
    gives slot a to small (and small gives slot b to big)."""
    r, lo, unit, trails = blk.r, blk.lo, blk.unit, blk.trails
    sa = r.slots[a]
    n = trails[big].n
    if b is None:
        j, lb_b, ls_b = n, 0.0, 0.0
    else:
        sb = r.slots[b]
        j, lb_b, ls_b = b - lo, sb.load.get(big, 0.0) / unit, sb.load.get(small, 0.0) / unit
    return max(
        _peak_after(trails[big].devs, a - lo, -sa.load.get(big, 0.0) / unit, j, lb_b),
        _peak_after(trails[small].devs, a - lo, sa.load.get(small, 0.0) / unit, j, -ls_b),
    )


def _peak_after(devs: list[float], i: int, x: float, j: int, y: float) -> float:
    """The largest |deviation| when deviations from handoff i on move by x and from
    handoff j on by y."""
    worst = 0.0
    for k, d in enumerate(devs):
        if k >= i:
            d += x
        if k >= j:
            d += y
        if d > worst:
            worst = d
        elif -d > worst:
            worst = -d
    return worst
