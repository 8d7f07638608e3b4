"""How far fair assignment is from the best reachable over one window of a scenario.

The whole-year optimum of the largest deviation is out of HiGHS's reach for daily
and 12-hour rotations, and ``fairness.py``'s window bound lets each window start from
any state, so neither says whether a peak (Christmas on a small team, say) is the
planner's fault. This fixes fair's plan before the window, so the members start the
window where fair left them, and asks HiGHS for the assignment of the window's
shifts (availability and ``min_rest`` kept, every handoff of the window counted)
with the smallest largest deviation. A value below fair's own over the window is a
schedule fair could have reached; HiGHS's dual bound is what no schedule from that
state beats.

    python bench/window_optimum.py 26 2027-12-10 2028-01-10 [--seconds 30]

One-rotation scenarios of ``fairness.py`` (weekly, daily and 12-hour; a
follow-the-sun scenario has one rotation per region).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fairness as F

from generator.schedule.resolve import compute_schedule


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=int)
    parser.add_argument("first", help="first day of the window (slots starting on or after)")
    parser.add_argument("until", help="the day after the window")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    import highspy

    org = F.with_mode(F.scenario(args.seed), "fair")
    start, end = F.window(org, F.YEAR)
    schedule = compute_schedule(org, start, end)
    all_tracks = F.tracks(org, start, end)
    if len(all_tracks) != 1:
        parser.exit(2, f"scenario {args.seed} has {len(all_tracks)} rotations; this takes one\n")
    ((key, track),) = all_tracks.items()
    holders = F.holders_of(schedule, track)
    rows = F.trajectory(track, holders)
    inside = [
        i
        for i, slot in enumerate(track.slots)
        if args.first <= slot.start_at.date().isoformat() < args.until
    ]
    if not inside:
        parser.exit(2, "no slot starts in that window\n")
    first, last = inside[0], inside[-1]
    members = track.members
    # the shift-equivalent at each handoff, and each member's load - target before
    units, unit_sum, unit_n = [], 0.0, 0
    for i in range(len(track.slots)):
        if holders[i] is not None and track.load[i]:
            unit_sum += track.unit[i]
            unit_n += 1
        units.append(unit_sum / unit_n if unit_n else 1.0)
    dev = dict.fromkeys(members, 0.0)
    for i in range(first):
        holder = holders[i]
        if holder is None or not track.load[i]:
            continue
        for p, share in track.part[i].items():
            dev[p] -= track.load[i][p][0] * share
        dev[holder] += track.load[i][holder][0]

    h = F.solver(args.seconds)
    z = h.addVariable(0.0, 1e3)
    x = {}
    for i in range(first, last + 1):
        here = [h.addVariable(0.0, 1.0) for _ in track.part[i]]
        for p, v in zip(track.part[i], here, strict=True):
            x[i, p] = v
            h.changeColIntegrality(v.index, highspy.HighsVarType.kInteger)
        if here:
            h.addConstr(sum(here) == 1)
    rest = track.rotation.min_rest
    if rest:
        for p in members:
            mine = [i for i in range(first, last + 1) if (i, p) in x]
            held = [j for j in range(max(0, first - 8), first) if holders[j] == p]
            for a in mine:
                for j in held:
                    if track.slots[a].start_at - track.slots[j].end_at < rest:
                        h.addConstr(x[a, p] <= 0)
                for b in mine:
                    if b > a and track.slots[b].start_at - track.slots[a].end_at < rest:
                        h.addConstr(x[a, p] + x[b, p] <= 1)
    taken: dict[str, object] = dict.fromkeys(members, 0.0)
    fixed = 0.0  # the largest deviation of members with no choice yet
    for i in range(first, last + 1):
        for p in members:
            if (i, p) in x:
                taken[p] = taken[p] + x[i, p] * track.load[i][p][0]  # type: ignore[operator]
                dev[p] -= track.load[i][p][0] * track.part[i][p]
            if isinstance(taken[p], float):
                # nothing this member could take yet: their deviation is fixed
                fixed = max(fixed, abs(dev[p]) / units[i])
                continue
            h.addConstr(taken[p] + dev[p] <= z * units[i])  # type: ignore[operator]
            h.addConstr(taken[p] + dev[p] >= -z * units[i])  # type: ignore[operator]
    h.minimize(z)
    fair = max(abs(d[0]) for _, devs in rows[first : last + 1] for d in devs.values())
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    print(f"scenario {args.seed} ({F._kind(org)}, {len(members)} members), {key}")
    print(f"window {args.first} .. {args.until}: {last - first + 1} shifts")
    print(f"fair's largest deviation in the window: {fair:.3f}")
    print(
        f"best found from fair's state at the window's start: "
        f"{max(fixed, info.objective_function_value):.3f} ({status}), "
        f"no schedule below {max(fixed, info.mip_dual_bound):.3f}"
    )


if __name__ == "__main__":
    main()
