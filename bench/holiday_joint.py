"""Whether a year end's holiday target is reachable while staying fair at every handoff.

``fairness.py``'s ``holiday_bound`` sets load fairness aside: a year end it cannot
prove out of reach may still be out of reach for any schedule that also keeps every
member's deviation small. This asks HiGHS for the smallest holiday-days spread at
one year end of a three-year scenario over schedules that keep every member within
``--cap`` shift-equivalents of target at every handoff from the rotation's first
to that year end (availability and ``min_rest`` kept; other rotations' shifts left
out, which only widens the choice, so the dual bound stays a valid bound). `fair`'s
own plan is handed to HiGHS as a start when it is within the cap. A best found at
or below the target is a schedule `fair` could have reached; a dual bound above it
proves the two targets cannot both be met there.

    python bench/holiday_joint.py 11 2 [--cap 1.3] [--seconds 60]

(three-year scenario 10011, its second year end; every rotation of the scenario.)
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fairness as F

from generator.schedule.resolve import compute_schedule


def joint(
    track: F.Track, holders: list[str | None], mark: Any, cap: float, seconds: float
) -> tuple[str, float, float]:
    """(HiGHS's status, the best spread found, HiGHS's dual bound) at ``mark``."""
    import highspy
    import numpy as np

    h = F.solver(seconds)
    members = track.members
    start_at: dict[int, float] = {}  # fair's plan, as a start
    within = True
    cumulative: dict[str, Any] = dict.fromkeys(members)
    held: dict[str, float] = dict.fromkeys(members, 0.0)
    target: dict[str, float] = defaultdict(float)
    holiday: dict[str, list[tuple[Any, float]]] = {p: [] for p in members}
    holiday_target: dict[str, float] = defaultdict(float)
    fair_holiday: dict[str, float] = defaultdict(float)
    taken: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    unit_sum, unit_n = 0.0, 0
    for pos, (slot, weighed, part, unit_here) in enumerate(
        zip(track.slots, track.load, track.part, track.unit, strict=True)
    ):
        if slot.end_at > mark:
            break
        if not part or holders[pos] is None:
            continue  # nobody could take it: nobody's share (as ``trajectory``)
        here = {p: h.addBinary() for p in part}
        h.addConstr(sum(here.values()) == 1)
        for p, v in here.items():
            start_at[v.index] = 1.0 if holders[pos] == p else 0.0
            taken[p].append((pos, v))
            if weighed[p][2]:
                holiday[p].append((v, weighed[p][2]))
        within = within and holders[pos] in here
        unit_sum += unit_here
        unit_n += 1
        unit = unit_sum / unit_n
        for p, share in part.items():
            target[p] += weighed[p][0] * share
            holiday_target[p] += weighed[p][2] * share
        if holders[pos] in weighed:
            fair_holiday[holders[pos] or ""] += weighed[holders[pos] or ""][2]
        for p in members:
            c = h.addVariable(lb=-1e6, ub=1e6)
            gained = here[p] * weighed[p][0] if p in here else 0.0
            previous = cumulative[p] if cumulative[p] is not None else 0.0
            h.addConstr(c - previous - gained == 0)
            cumulative[p] = c
            if holders[pos] == p:
                held[p] += weighed[p][0]
            start_at[c.index] = held[p]
            within = within and abs(held[p] - target[p]) <= cap * unit + 1e-9
            h.addConstr(c <= target[p] + cap * unit)
            h.addConstr(c >= target[p] - cap * unit)
    rest = track.rotation.min_rest
    if rest:
        for mine in taken.values():
            for (i, vi), (j, vj) in itertools.combinations(mine, 2):
                if track.slots[j].start_at - track.slots[i].end_at < rest:
                    h.addConstr(vi + vj <= 1)
    high, low = h.addVariable(lb=-1e6), h.addVariable(lb=-1e6)
    fair_devs = []
    for p in members:
        dev = sum((v * w for v, w in holiday[p]), start=-holiday_target[p] + 0 * high)
        h.addConstr(high - dev >= 0)
        h.addConstr(dev - low >= 0)
        fair_devs.append(fair_holiday[p] - holiday_target[p])
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.changeColCost(high.index, 1.0)
    h.changeColCost(low.index, -1.0)
    if within:
        start_at[high.index] = max(fair_devs)
        start_at[low.index] = min(fair_devs)
        values = np.zeros(h.getNumCol())
        for i, v in start_at.items():
            values[i] = v
        solution = highspy.HighsSolution()
        solution.col_value = list(values)
        solution.value_valid = True
        h.setSolution(solution)
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    return status, float(info.objective_function_value), max(0.0, float(info.mip_dual_bound))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=int, help="three-year scenario (10000 + seed)")
    parser.add_argument("year", type=int, help="which year end (1, 2 or 3)")
    parser.add_argument("--cap", type=float, default=1.3, help="shift-equivalents")
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    org = F.scenario(10_000 + args.seed, years=3)
    start, end = F.window(org, 3 * F.YEAR)
    mark = start + F.YEAR * args.year
    if not 1 <= args.year <= 3:
        parser.exit(2, "the year end is 1, 2 or 3\n")
    jump = F.unavoidable_jump(org, start, end)
    schedule = compute_schedule(F.with_mode(org, "fair"), start, end)
    for key, track in F.tracks(org, start, end).items():
        holders = F.holders_of(schedule, track)
        rows = [(at, devs) for at, devs in F.trajectory(track, holders) if at <= mark]
        if not rows:
            continue
        fair_spread = F.spread([rows[-1][1][p][2] for p in track.members if p in rows[-1][1]])
        fair_d = max(abs(d[0]) for _, devs in rows for d in devs.values())
        status, best, bound = joint(track, holders, mark, args.cap, args.seconds)
        print(f"scenario {10_000 + args.seed} {key}, year end {args.year} ({mark.date()})")
        print(
            f"  target max(1, largest single-shift jump {jump:.2f}) = {max(1.0, jump):.2f} days; "
            f"fair: holiday spread {fair_spread:.2f}, largest deviation {fair_d:.2f}"
        )
        print(
            f"  within {args.cap} at every handoff: best found {best:.2f} ({status}), "
            f"no schedule below {bound:.2f}"
        )


if __name__ == "__main__":
    main()
