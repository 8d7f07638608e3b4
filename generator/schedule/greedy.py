"""The greedy pass: each slot, in time order, to the member whose objective grows least.

See ``assign`` for the rules. Round-robin and least-recently-on-call modes are
given here too; a slot whose available members are all held elsewhere goes to
``_repair`` before it is left uncovered.
"""

from __future__ import annotations

from bisect import bisect_left

from generator.schedule.objective import (
    BACK_TO_BACK,
    CASCADE,
    GREEDY_HOLIDAY_WEIGHT,
    REPAIR_NODES,
    REPAIR_SLOTS,
    REST_REPAIR_NODES,
    STICKY,
    WEEKEND_WEIGHT,
)
from generator.schedule.planstate import (
    PlanRotation,
    PlanState,
    stable_hash,
)


class Greedy(PlanState):
    def _greedy(self, r: PlanRotation, pos: int) -> None:
        s = r.slots[pos]
        # what the targets share: the whole slot (an override's hours too)
        members = s.members
        load, weekend, holiday = s.full or (s.load, s.weekend, s.holiday)
        if s.extra is not None:
            person, xload, xweekend, xholiday = s.extra
            r.load[person] += xload
            r.wload[person] += xweekend
            r.hload[person] += xholiday
        pool_ids = list(members) if r.rotation.fairness == "equal" else s.pool
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
                    if r.rotation.uncovered_turns == "count" and members:
                        # turns left out for having no covered time pass in the order
                        r.rr_next = (r.rr_next + max(0, s.turn - r.rr_turn)) % len(
                            r.rotation.members
                        )
                        r.rr_turn = s.turn + 1
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
        if (
            chosen is not None
            and s.locked is None
            and (r.min_rest or r.team_rest or r.max_run or r.limits)
            and not self._rested(r, chosen, pos)
        ):
            # nobody free keeps the hard rest rules: re-plan the team's recent shifts
            # for a plan that does, else the slot goes to the best rested (as chosen)
            chosen = self._rest_repair(r, pos) or chosen
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

    def _repair(self, r: PlanRotation, pos: int) -> str | None:
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
        window: list[tuple[PlanRotation, int]] = [(r, pos)]
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

    def _rest_repair(self, r: PlanRotation, pos: int) -> str | None:
        """Someone for slot ``pos`` who keeps the hard rest rules (``min_rest``,
        ``max_consecutive``, across the team's rotations), found by re-assigning the
        team's unlocked shifts that reach back from it as far as the rules look
        (the longest rest or run asked, and a shift more); None if no assignment of
        them keeps the rules (then the slot goes to the best rested, and the breach
        is reported). Depth first in time order, the current assignees tried first,
        at most ``REPAIR_SLOTS`` shifts and ``REST_REPAIR_NODES`` nodes."""
        target = r.slots[pos]
        team = target.team
        # the team's planned, unlocked shifts before it, latest first, as many as
        # the search may take (an alternation that leave forces may need re-planning
        # from far back)
        earlier: list[tuple[float, str, PlanRotation, int]] = []
        for x in self.rotations.values():
            if x.rotation.team != team:
                continue
            hi = pos if x is r else bisect_left(x.slots, target.start, key=lambda y: y.start)
            for j in range(hi - 1, max(-1, hi - REPAIR_SLOTS), -1):
                y = x.slots[j]
                if y.locked is not None:
                    break
                if y.owner is not None:
                    earlier.append((y.start, x.key, x, j))
        earlier.sort(reverse=True)
        window = [(x, j) for _, _, x, j in earlier[: REPAIR_SLOTS - 1]]
        window.append((r, pos))
        window.sort(key=lambda item: (item[0].slots[item[1]].start, item[0].key))
        was = {(x.key, j): x.slots[j].owner for x, j in window}
        for x, j in window:
            owner = x.slots[j].owner
            if owner is not None:
                self._take_back(x, j, owner)
        nodes = 0
        given: list[tuple[PlanRotation, int, str]] = []

        def search(k: int) -> bool:
            nonlocal nodes
            if k == len(window):
                return True
            x, j = window[k]
            y = x.slots[j]
            first = was[(x.key, j)]
            order = ([first] if first is not None else []) + [p for p in y.available if p != first]
            for p in order:
                nodes += 1
                if nodes > REST_REPAIR_NODES:
                    return False
                if self.busy.clashes(p, y) or not self._rested(x, p, j):
                    continue
                self._give(x, j, p)
                given.append((x, j, p))
                if search(k + 1):
                    return True
                given.pop()
                self._take_back(x, j, p)
            return False

        if search(0):
            # the slot itself is given by the caller
            for x, j, p in given:
                if x is r and j == pos:
                    self._take_back(x, j, p)
                    return p
            return None  # (not reached: the slot is in the window)
        for x, j, p in reversed(given):
            self._take_back(x, j, p)
        for x, j in window:
            owner = was[(x.key, j)]
            if owner is not None:
                self._give(x, j, owner)
        return None

    def _round_robin(self, r: PlanRotation, eligible: set[str]) -> str | None:
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

    def _breaks_plan(self, r: PlanRotation, p: str, pos: int) -> int:
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

    def _fair(self, r: PlanRotation, pos: int, total_share: float) -> str | None:
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
        linked = r.linked
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
                + GREEDY_HOLIDAY_WEIGHT * (nh * nh - hdev * hdev)
            )
            last = last_end.get(p)
            if last == start:
                cost += BACK_TO_BACK  # they would go straight on from their last shift
            if shared and p in shared:
                cost += self._elsewhere_cost(p, s)
            if linked:
                cost += self._rest_cost(r, p, s)
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
