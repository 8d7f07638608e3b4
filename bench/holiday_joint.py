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

With ``--free-weeks W``, every shift starting more than W weeks before the year end
keeps `fair`'s holder: how far ahead of the year end a plan must differ from
`fair`'s to reach the target (a dual bound above it proves that no plan keeping
`fair`'s before then does).

    python bench/holiday_joint.py 11 2 [--cap 1.3] [--seconds 60] [--free-weeks 26]

(three-year scenario 10011, its second year end; every rotation of the scenario.)
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fairness as F

from generator.schedule.resolve import compute_schedule


def joint(
    track: F.Track,
    holders: list[str | None],
    mark: Any,
    cap: float,
    seconds: float,
    fair: dict[str, tuple[float, float, float]] | None,
    kept_before: datetime | None = None,
) -> tuple[str, float, float]:
    """(HiGHS's status, the best spread found, HiGHS's dual bound) at ``mark``.
    ``fair``: fair's deviations at the year end (``trajectory``), if fair's plan is
    within the cap (then it is HiGHS's start). Shifts starting before
    ``kept_before`` keep fair's holder."""
    import highspy
    import numpy as np

    h = F.solver(seconds)
    members = track.members
    start_at: dict[int, float] = {}  # fair's plan, as a start
    cumulative: dict[str, Any] = dict.fromkeys(members)
    held: dict[str, float] = dict.fromkeys(members, 0.0)  # fair's cumulative loads
    target: dict[str, float] = defaultdict(float)
    offset: dict[str, float] = dict.fromkeys(members, 0.0)  # -Σ share·holiday days
    terms: dict[str, list[tuple[Any, float]]] = {p: [] for p in members}
    taken: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    unit_sum, unit_n = 0.0, 0
    for pos, (slot, weighed, part, unit_here) in enumerate(
        zip(track.slots, track.load, track.part, track.unit, strict=True)
    ):
        if slot.end_at > mark:
            break
        holder = holders[pos]
        if not part or holder is None:
            continue  # nobody could take it: nobody's share (as ``trajectory``)
        here = {p: h.addBinary() for p in part}
        h.addConstr(sum(here.values()) == 1)
        if kept_before is not None and slot.start_at < kept_before and holder in here:
            h.addConstr(here[holder] == 1)
        for p, v in here.items():
            start_at[v.index] = 1.0 if holder == p else 0.0
            taken[p].append((pos, v))
            if weighed[p][2]:
                terms[p].append((v, weighed[p][2]))
        if holder not in here:
            fair = None  # (fair gave it to someone away: no start)
        else:
            held[holder] += weighed[holder][0]
        unit_sum += unit_here
        unit_n += 1
        unit = unit_sum / unit_n
        for p, share in part.items():
            target[p] += weighed[p][0] * share
            offset[p] -= weighed[p][2] * share
        for p in members:
            c = h.addVariable(lb=-1e6, ub=1e6)
            gained = here[p] * weighed[p][0] if p in here else 0.0
            previous = cumulative[p] if cumulative[p] is not None else 0.0
            h.addConstr(c - previous - gained == 0)
            cumulative[p] = c
            start_at[c.index] = held[p]
            h.addConstr(c <= target[p] + cap * unit)
            h.addConstr(c >= target[p] - cap * unit)
    F.rest_rows(h, track, taken)
    high, low = F.spread_rows(h, offset, terms)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.changeColCost(high.index, 1.0)
    h.changeColCost(low.index, -1.0)
    if fair is not None:
        start_at[high.index] = max(fair[p][2] for p in members)
        start_at[low.index] = min(fair[p][2] for p in members)
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
    parser.add_argument(
        "--free-weeks",
        type=int,
        default=None,
        help="keep fair's plan except in the last W weeks before the year end",
    )
    args = parser.parse_args()
    org = F.scenario(10_000 + args.seed, years=3)
    start, end = F.window(org, 3 * F.YEAR)
    if not 1 <= args.year <= 3:
        parser.exit(2, "the year end is 1, 2 or 3\n")
    mark = start + F.YEAR * args.year
    jump = F.unavoidable_jump(org, start, end)
    schedule = compute_schedule(F.with_mode(org, "fair"), start, end)
    for key, track in F.tracks(org, start, end).items():
        holders = F.holders_of(schedule, track)
        rows = [(at, devs) for at, devs in F.trajectory(track, holders) if at <= mark]
        if not rows:
            continue
        final = rows[-1][1]
        fair_spread = F.spread([final[p][2] for p in track.members if p in final])
        fair_d = max(abs(d[0]) for _, devs in rows for d in devs.values())
        start_from = final if fair_d <= args.cap else None
        kept_before = None if args.free_weeks is None else mark - timedelta(weeks=args.free_weeks)
        status, best, bound = joint(
            track, holders, mark, args.cap, args.seconds, start_from, kept_before
        )
        print(f"scenario {10_000 + args.seed} {key}, year end {args.year} ({mark.date()})")
        print(
            f"  target max(1, largest single-shift jump {jump:.2f}) = {max(1.0, jump):.2f} days; "
            f"fair: holiday spread {fair_spread:.2f}, largest deviation {fair_d:.2f}"
        )
        print(
            f"  within {args.cap} at every handoff"
            + ("" if kept_before is None else f", fair's plan kept before {kept_before.date()}")
            + f": best found {best:.2f} ({status}), "
            f"no schedule below {bound:.2f}"
        )


if __name__ == "__main__":
    main()
