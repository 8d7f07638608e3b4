"""Fairness benchmark: round-robin, least-recently-on-call and fair, against a lower bound.

    python bench/fairness.py [--scenarios 100] [--long 12] [--jobs 2]

Generates seeded, realistic scenarios (team sizes 3 to 12; weekly, daily, 12-hour
and follow-the-sun shifts; 15 to 30 days of leave per person in blocks, some long
leave, people joining mid-year, part-timers; mixed zones and holiday regions) and
plans a year of each with every mode. For each mode it reports:

- D_max: the largest |load - target| in shift-equivalents over the members of a
  rotation, at the end of the year (mean, p90, max over scenarios), and at nine
  months (a point that is not the end of a planning block);
- the lower bound: no schedule beats the largest-remainder rounding of the fluid
  targets (with everyone available and S = qN + r equal shifts: max(r, N-r)/N);
- weekend+holiday deviation (shift-equivalents), Grafana's balance score;
- hard-constraint violations (a shift during leave, a person on two rotations at
  once), infeasible slots (everyone away), min_rest breaches;
- churn: future shifts changed by one new week of leave outside the freeze, and
  drift: shifts changed by re-planning with no input change (must be 0);
- a three-year run: holiday hours against the holiday target, in days, and the
  largest holiday jump a single shift forces on whoever takes it (above 2 days, no
  schedule keeps everyone within one holiday-day both before and after that shift);
- run time.

Prints a table and writes the numbers as JSON to bench/out/fairness.json.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as dtime
from multiprocessing import Pool
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.model import (
    Coverage,
    Leave,
    Lock,
    LockedShift,
    Member,
    Org,
    Person,
    Rotation,
    Settings,
    Team,
)
from generator.reports.fairness import compute_fairness
from generator.schedule.assign import BLOCK, active_members, block_end, on_leave
from generator.schedule.loads import LoadModel
from generator.schedule.resolve import Schedule, compute_schedule
from generator.schedule.shifts import compute_slots
from generator.timeutil import localize, zone

MODES = ("round-robin", "least-recent", "fair")
ZONES = [
    ("America/New_York", "US-NY"),
    ("America/Los_Angeles", "US-CA"),
    ("Europe/London", "GB-ENG"),
    ("Europe/Berlin", "DE-BE"),
    ("Asia/Kolkata", "IN"),
    ("Australia/Sydney", "AU-NSW"),
]
START_ON = date(2027, 3, 1)  # a Monday; planning blocks start there too
YEAR = timedelta(weeks=52)


def _person(rng: random.Random, pid: str, tz: str, region: str, years: int) -> Person:
    leave: list[Leave] = []
    for y in range(years):
        year_start = START_ON + timedelta(weeks=52 * y)
        days = rng.randint(15, 30)
        while days > 0:
            block = min(days, rng.choice([1, 2, 3, 5, 5, 10]))
            first = year_start + timedelta(days=rng.randrange(0, 364 - block))
            leave.append(_leave(first, block, tz))
            days -= block
        if rng.random() < 0.1:  # long leave: parental, sabbatical
            block = rng.randint(28, 70)
            first = year_start + timedelta(days=rng.randrange(0, 364 - block))
            leave.append(_leave(first, block, tz))
    leave.sort(key=lambda lv: lv.start_at)
    return Person(pid, pid, None, tz, region, None, tuple(leave))


def _leave(first: date, days: int, tz_name: str) -> Leave:
    tz = zone(tz_name)
    last = first + timedelta(days=days - 1)
    return Leave(
        localize(datetime.combine(first, dtime()), tz),
        localize(datetime.combine(last + timedelta(days=1), dtime()), tz),
        None,
        (first, last),
    )


def scenario(seed: int, years: int = 1) -> Org:
    """One seeded organisation with a single team (1 or 2 rotations)."""
    rng = random.Random(seed)
    kind = rng.choices(["weekly", "daily", "12h", "follow-the-sun"], [40, 30, 15, 15])[0]
    if years > 1 and kind in ("12h", "follow-the-sun"):
        kind = "daily"
    n = rng.randint(3, 12)
    team_tz, team_region = rng.choice(ZONES)
    people: dict[str, Person] = {}
    ids = []
    for i in range(n if kind != "follow-the-sun" else 2 * max(n // 2, 3)):
        tz, region = (team_tz, team_region) if rng.random() < 0.7 else rng.choice(ZONES)
        pid = f"p{i:02d}"
        people[pid] = _person(rng, pid, tz, region, years)
        ids.append(pid)

    def members(pids: list[str]) -> tuple[Member, ...]:
        out = []
        joiner = rng.choice(pids) if rng.random() < 0.3 else None
        for p in pids:
            share = 0.5 if rng.random() < 0.1 else 1.0
            joins = START_ON + timedelta(weeks=rng.randint(4, 30)) if p == joiner else None
            out.append(Member(p, joins, None, share))
        return tuple(out)

    rotations = []
    if kind == "weekly":
        rest = timedelta(weeks=1) if rng.random() < 0.5 else None
        hour = rng.choice([9, 10])
        start = datetime.combine(START_ON, dtime(hour))
        rotations.append(_rotation("primary", members(ids), start, timedelta(weeks=1), rest))
        if rng.random() < 0.3:  # a secondary from the same people: planned together
            rotations.append(_rotation("secondary", members(ids), start, timedelta(weeks=1), None))
    elif kind == "daily":
        rest = timedelta(days=1) if rng.random() < 0.3 else None
        start = datetime.combine(START_ON, dtime(9))
        rotations.append(_rotation("primary", members(ids), start, timedelta(days=1), rest))
    elif kind == "12h":
        start = datetime.combine(START_ON, dtime(8))
        rotations.append(
            _rotation("primary", members(ids), start, timedelta(hours=12), timedelta(hours=12))
        )
    else:
        team_tz, team_region = "UTC", None
        half = len(ids) // 2
        day = Coverage(frozenset(range(7)), 7 * 60, 19 * 60)
        night = Coverage(frozenset(range(7)), 19 * 60, 7 * 60)
        rotations.append(
            _rotation(
                "emea",
                members(ids[:half]),
                datetime.combine(START_ON, dtime(7)),
                timedelta(days=1),
                None,
                (day,),
            )
        )
        rotations.append(
            _rotation(
                "apac",
                members(ids[half:]),
                datetime.combine(START_ON, dtime(19)),
                timedelta(days=1),
                None,
                (night,),
            )
        )
    team = Team("team", "Team", team_tz, None, (), tuple(rotations), None, ())
    return Org(
        root=".",
        settings=Settings(company_holidays=(date(2027, 12, 24), date(2027, 12, 31))),
        people=people,
        teams={"team": team},
        overrides=(),
        severities=(),
        incidents=(),
        handoffs=(),
        pay=None,
        runbooks=(),
        lock=Lock({}, (), ()),
    )


def _rotation(
    rid: str,
    members: tuple[Member, ...],
    start: datetime,
    shift: timedelta,
    min_rest: timedelta | None,
    coverage: tuple[Coverage, ...] = (),
) -> Rotation:
    return Rotation("team", rid, rid, members, start, shift, "fair", "fluid", min_rest, coverage)


def with_mode(org: Org, mode: str) -> Org:
    teams = {
        tid: replace(t, rotations=tuple(replace(r, assignment=mode) for r in t.rotations))
        for tid, t in org.teams.items()
    }
    return replace(org, teams=teams)


def window(org: Org, length: timedelta) -> tuple[datetime, datetime]:
    """From the first handoff to the end of the last planning block (see
    ``assign.BLOCK``) that ends within ``length``: the instant the local search
    balances for. ``D_max at 9m`` measures at an instant that is not a block end."""
    team = org.teams["team"]
    start = min(localize(r.start_local, team.tz) for r in team.rotations)
    boundary = block_end(start + length - BLOCK)
    ends = []
    for r in team.rotations:
        slots = [s for s in compute_slots(r, team.timezone, start, boundary)]
        ends.append(max(s.end_at for s in slots if s.start_at < boundary))
    return start, min(ends)


def lower_bound(report_rotation: Any, slots: int) -> float:
    """Largest-remainder rounding of the fluid targets, in shift-equivalents."""
    unit = report_rotation.shift_equivalent or 1.0
    targets = [m.target / unit for m in report_rotation.members if m.member]
    total = sum(targets)
    if not targets or total <= 0:
        return 0.0
    scaled = [t * slots / total for t in targets]
    floors = [int(t) for t in scaled]
    left = slots - sum(floors)
    order = sorted(range(len(scaled)), key=lambda i: scaled[i] - floors[i], reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return max(abs(f - t) for f, t in zip(floors, scaled, strict=True))


def violations(org: Org, schedule: Schedule) -> dict[str, int]:
    on_leave = 0
    by_person: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for s in schedule.shifts:
        if org.people[s.person].on_leave(s.start_at, s.end_at):
            on_leave += 1
        by_person[s.person].append((s.start_at, s.end_at))
    double = 0
    for spans in by_person.values():
        spans.sort()
        for (_, b), (c, _) in itertools.pairwise(spans):
            if c < b:
                double += 1
    rest = 0
    for key, slots in schedule.slots.items():
        rotation = org.rotation(key)
        assert rotation is not None
        if not rotation.min_rest:
            continue
        last: dict[str, datetime] = {}
        for slot, pick in zip(slots, schedule.picks[key], strict=True):
            if pick.person is None:
                continue
            prev = last.get(pick.person)
            if prev is not None and slot.start_at - prev < rotation.min_rest:
                rest += 1
            last[pick.person] = slot.end_at
    infeasible = sum(1 for p in schedule.problems if p.severity == "error")
    return {"hard": on_leave + double, "infeasible": infeasible, "min_rest": rest}


def measure(org: Org, start: datetime, end: datetime) -> dict[str, Any]:
    t0 = time.perf_counter()
    schedule = compute_schedule(org, start, end)
    elapsed = time.perf_counter() - t0
    report = compute_fairness(org, schedule, start, end)
    d_max = max((r.max_deviation for r in report.rotations), default=0.0)
    bound = 0.0
    special = 0.0
    balance = []
    for r in report.rotations:
        n = sum(
            1
            for s in schedule.slots[f"{r.team}/{r.rotation}"]
            if start <= s.start_at and s.end_at <= end
        )
        bound = max(bound, lower_bound(r, n))
        unit = r.shift_equivalent or 1.0
        weights = org.settings.load_weights
        for m in r.members:
            got = m.weekend_hours * weights["weekend"] + m.holiday_hours * weights["holiday"]
            want = (
                m.weekend_target_hours * weights["weekend"]
                + m.holiday_target_hours * weights["holiday"]
            )
            special = max(special, abs(got - want) / unit)
        balance.append(r.balance_score)
    nine = start + (end - start) * 3 / 4
    report9 = compute_fairness(org, schedule, start, nine)
    d_max9 = max((r.max_deviation for r in report9.rotations), default=0.0)
    digest = hashlib.sha256(json.dumps([s.as_json() for s in schedule.shifts]).encode()).hexdigest()
    return {
        "d_max": d_max,
        "d_max_9m": d_max9,
        "bound": bound,
        "special": special,
        "balance": statistics.fmean(balance) if balance else 1.0,
        "seconds": elapsed,
        "digest": digest,
        "schedule": schedule,
        **violations(org, schedule),
    }


def churn(org: Org, start: datetime, end: datetime, seed: int) -> tuple[int, int, int, float]:
    """(changed by a new week of leave, changed by re-planning as is, locked moved,
    D_max of the re-plan)."""
    rng = random.Random(seed * 7919)
    first = compute_schedule(org, start, end)
    now = start + timedelta(weeks=8)
    until = now + timedelta(weeks=4)
    locked, tentative = [], []
    for key, slots in first.slots.items():
        team, _, rid = key.partition("/")
        for slot, pick in zip(slots, first.picks[key], strict=True):
            if pick.person is None or slot.start_at >= end:
                continue
            item = LockedShift(team, rid, slot.start_at, slot.end_at, pick.person)
            (locked if slot.start_at < until else tentative).append(item)
    until_at = {}
    for key in first.slots:
        ends = [s.end_at for s in locked if f"{s.team}/{s.rotation}" == key]
        until_at[key] = max(ends, default=until)
    planned = replace(org, lock=Lock(until_at, tuple(locked), tuple(tentative)))
    again = compute_schedule(planned, start, end)
    drift = _changed(first, again, until, end)
    # one new week of leave for one member, outside the freeze
    pid = rng.choice(sorted(org.people))
    person = org.people[pid]
    week_on = (until + timedelta(weeks=rng.randint(1, 30))).astimezone(person.tz).date()
    week_on -= timedelta(days=week_on.weekday())
    extra = _leave(week_on, 7, person.timezone)
    people = dict(org.people)
    people[pid] = replace(person, leave=(*person.leave, extra))
    edited = replace(planned, people=people)
    second = compute_schedule(edited, start, end)
    changed = _changed(first, second, until, end)
    moved = _changed(first, second, start, until)
    report = compute_fairness(edited, second, start, end)
    d_max = max((r.max_deviation for r in report.rotations), default=0.0)
    return changed, drift, moved, d_max


def _changed(a: Schedule, b: Schedule, lo: datetime, hi: datetime) -> int:
    n = 0
    for key in a.slots:
        before = {s.start_at: p.person for s, p in zip(a.slots[key], a.picks[key], strict=True)}
        for s, p in zip(b.slots[key], b.picks[key], strict=True):
            if lo <= s.start_at < hi and before.get(s.start_at) != p.person:
                n += 1
    return n


def holidays_3y(org: Org) -> float:
    """Spread of (holiday hours - holiday target) between members, in days, over 3 years."""
    start, end = window(org, 3 * YEAR)
    schedule = compute_schedule(org, start, end)
    report = compute_fairness(org, schedule, start, end)
    worst = 0.0
    for r in report.rotations:
        gaps = [m.holiday_hours - m.holiday_target_hours for m in r.members if m.member]
        if gaps:
            worst = max(worst, (max(gaps) - min(gaps)) / 24)
    return worst


def run_one(seed: int) -> dict[str, Any]:
    org = scenario(seed)
    start, end = window(org, YEAR)
    out: dict[str, Any] = {"seed": seed, "kind": _kind(org), "size": len(org.people)}
    for mode in MODES:
        got = measure(with_mode(org, mode), start, end)
        got.pop("schedule")
        out[mode] = got
    fair = with_mode(org, "fair")
    repeat = measure(fair, start, end)
    out["fair"]["repeatable"] = repeat["digest"] == out["fair"]["digest"]
    changed, drift, moved, after = churn(fair, start, end, seed)
    out["fair"].update(churn=changed, drift=drift, locked_moved=moved, d_max_replanned=after)
    return out


def unavoidable_jump(org: Org) -> float:
    """The largest holiday jump, in days, that some shift forces on whoever takes it.

    Taking a shift moves its holder's (holiday - holiday target) up by
    h * (1 - part) (h: their holiday days in it, part: their fluid share of it)
    and nobody else's up. If every available member would move more than 2 days,
    no schedule keeps the members within one holiday-day of each other both
    just before and just after that shift."""
    start, end = window(org, 3 * YEAR)
    loads = LoadModel(org)
    team = org.teams["team"]
    worst = 0.0
    for r in team.rotations:
        for slot in compute_slots(r, team.timezone, start, end):
            pool = [
                m for m in active_members(r, slot, org) if not on_leave(org.people[m.person], slot)
            ]
            total = sum(m.share for m in pool)
            if len(pool) < 2 or total <= 0:
                continue
            jump = min(
                loads.vector(org.people[m.person], slot.windows)[3] / 24 * (1 - m.share / total)
                for m in pool
            )
            worst = max(worst, jump)
    return worst


def run_long(seed: int) -> dict[str, Any]:
    org = scenario(10_000 + seed, years=3)
    return {
        "seed": 10_000 + seed,
        **{mode: holidays_3y(with_mode(org, mode)) for mode in ("round-robin", "fair")},
        "jump": unavoidable_jump(org),
    }


def _kind(org: Org) -> str:
    r = org.teams["team"].rotations
    if r[0].coverage:
        return "follow-the-sun"
    return {604800: "weekly", 86400: "daily", 43200: "12h"}[int(r[0].shift.total_seconds())]


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return {"mean": statistics.fmean(values), "p90": p90, "max": ordered[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--long", type=int, default=12, help="three-year holiday scenarios")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    t0 = time.perf_counter()
    with Pool(args.jobs) as pool:
        results = pool.map(run_one, range(args.scenarios), chunksize=1)
        long = pool.map(run_long, range(args.long), chunksize=1)
    summary: dict[str, Any] = {"scenarios": args.scenarios, "long_scenarios": args.long}
    bounds = [r["fair"]["bound"] for r in results]
    summary["lower_bound"] = _stats(bounds)
    rows = []
    for mode in MODES:
        got = [r[mode] for r in results]
        m: dict[str, Any] = {
            "d_max": _stats([g["d_max"] for g in got]),
            "d_max_9m": _stats([g["d_max_9m"] for g in got]),
            "d_max_over_bound": _stats([g["d_max"] - g["bound"] for g in got]),
            "special": _stats([g["special"] for g in got]),
            "balance_score": statistics.fmean(g["balance"] for g in got),
            "hard_violations": sum(g["hard"] for g in got),
            "infeasible_slots": sum(g["infeasible"] for g in got),
            "min_rest_breaches": sum(g["min_rest"] for g in got),
            "seconds": _stats([g["seconds"] for g in got]),
        }
        if mode in ("round-robin", "fair") and long:
            m["holiday_days_3y"] = _stats([r[mode] for r in long])
        if mode == "fair":
            m["churn"] = _stats([float(g["churn"]) for g in got])
            m["d_max_replanned"] = _stats([g["d_max_replanned"] for g in got])
            m["drift"] = sum(g["drift"] for g in got)
            m["locked_moved"] = sum(g["locked_moved"] for g in got)
            m["repeatable"] = all(g["repeatable"] for g in got)
            m["by_kind"] = {
                kind: _stats([r["fair"]["d_max"] for r in results if r["kind"] == kind])
                for kind in sorted({r["kind"] for r in results})
            }
        summary[mode] = m
        rows.append(
            [
                mode,
                f"{m['d_max']['mean']:.2f}/{m['d_max']['p90']:.2f}/{m['d_max']['max']:.2f}",
                f"{m['d_max_9m']['mean']:.2f}/{m['d_max_9m']['p90']:.2f}",
                f"{m['d_max_over_bound']['mean']:.2f}/{m['d_max_over_bound']['max']:.2f}",
                f"{m['special']['mean']:.2f}/{m['special']['max']:.2f}",
                f"{m['balance_score']:.3f}",
                str(m["hard_violations"]),
                str(m["min_rest_breaches"]),
                f"{m['holiday_days_3y']['mean']:.2f}/{m['holiday_days_3y']['max']:.2f}"
                if "holiday_days_3y" in m
                else "-",
                f"{m['churn']['mean']:.2f}/{m['churn']['max']:.0f}" if "churn" in m else "-",
                f"{m['seconds']['mean'] * 1000:.0f}",
            ]
        )
    summary["per_scenario"] = [
        {
            "seed": r["seed"],
            "kind": r["kind"],
            "people": r["size"],
            "bound": round(r["fair"]["bound"], 3),
            **{
                mode: {k: r[mode][k] for k in ("d_max", "special", "hard", "infeasible")}
                for mode in MODES
            },
            "churn": r["fair"]["churn"],
            "drift": r["fair"]["drift"],
        }
        for r in results
    ]
    summary["long_per_scenario"] = [
        {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()} for r in long
    ]
    summary["wall_seconds"] = time.perf_counter() - t0
    summary["digest"] = hashlib.sha256(
        "".join(r["fair"]["digest"] for r in results).encode()
    ).hexdigest()
    headers = [
        "mode",
        "D_max mean/p90/max",
        "9m mean/p90",
        "-LB mean/max",
        "wkend+hol",
        "balance",
        "hard",
        "rest",
        "hol-days 3y",
        "churn",
        "ms",
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(f"{args.scenarios} scenarios, {args.long} three-year scenarios")
    print(
        f"lower bound (largest-remainder rounding of fluid targets): "
        f"mean {summary['lower_bound']['mean']:.2f}, p90 {summary['lower_bound']['p90']:.2f}, "
        f"max {summary['lower_bound']['max']:.2f}"
    )
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    fair = summary["fair"]
    print(
        "fair: D_max by kind "
        + json.dumps({k: round(v["mean"], 2) for k, v in fair["by_kind"].items()})
        + f"; "
        f"infeasible slots {fair['infeasible_slots']}; drift on re-plan {fair['drift']}; "
        f"locked shifts moved {fair['locked_moved']}; repeatable {fair['repeatable']}"
    )
    after = fair["d_max_replanned"]
    print(
        f"fair after one new week of leave and a sticky re-plan: D_max mean {after['mean']:.2f}, "
        f"p90 {after['p90']:.2f}, max {after['max']:.2f}"
    )
    if long:
        forced = [r for r in long if r["jump"] > 2]
        within = sum(1 for r in long if r["fair"] <= 1.0)
        print(
            f"three years, fair: {within} of {len(long)} scenarios within one holiday-day; "
            f"{len(forced)} hold a shift that moves whoever takes it more than 2 "
            f"holiday-days (largest {max(r['jump'] for r in long):.2f}): none can be "
            f"within one both before and after it"
        )
    ratio = summary["round-robin"]["d_max"]["mean"] / max(fair["d_max"]["mean"], 1e-9)
    print(f"round-robin mean D_max / fair mean D_max = {ratio:.1f}x")
    print(f"digest {summary['digest'][:16]}  wall {summary['wall_seconds']:.0f}s")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fairness.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
