"""Planning every rotation up to a block end: slots, then picks. Pure results.

Rotations that share nobody cannot affect each other's plan: a person is busy
only on rotations they belong to, are locked on or are put on by an override.
Rotations that do share someone affect each other even across teams, where being
on call at once is allowed: within a team the exclusivity rule is hard, across
teams being on call elsewhere is a soft cost of fair assignment (and hard with
``settings.exclusive: organisation``), and both read the other rotations' picks.
So rotations are grouped into *components* (rotations linked by a person they
have in common) and each component is planned on its own, whole. The picks are
the same as planning everything at once (whatever the number of processes: a
component's plan reads nothing outside it), so on a large organisation the components are
spread over the machine's cores (processes started by ``fork``; the planner is
pure Python and holds the interpreter lock). Small organisations, a single
component, or a process with other threads running (``rota serve``) plan in
this process.

``ROTA_JOBS`` sets the number of processes (``1``: always in this process); by
default it is the number of usable cores, used once the work is large enough
that starting a process pays for itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from generator.model import LockedShift, Org
from generator.schedule.assign import Pick, assign
from generator.schedule.shifts import Slot
from generator.schedule.slots import plan_origin, rotation_slots

# slots and picks by rotation key (lists when planned, tuples when kept in a Schedule)
Planned = tuple[dict[str, Sequence[Slot]], dict[str, Sequence[Pick]]]

T = TypeVar("T")

# a worker's cost of sending its part back, as a share of its planning work
CHILD_COST = 0.16
# below this many slot-members (an estimate) a second process costs more than it saves
PARALLEL_WORK = 200_000


def plan(org: Org, plan_end: datetime) -> Planned:
    """Slots and picks of every rotation (keyed ``team/rotation``, in team order)."""
    slots, picks, _ = plan_then(org, plan_end, None)
    return slots, picks


def plan_then(
    org: Org, plan_end: datetime, then: Callable[[Planned], T] | None
) -> tuple[dict[str, Sequence[Slot]], dict[str, Sequence[Pick]], list[T]]:
    """``plan``, and ``then`` applied to each part of the plan in the process that
    planned it (so work on the result is spread over the cores as well)."""
    keys = [rotation.key for team in org.teams.values() for rotation in team.rotations]
    groups = components(org)
    jobs = _jobs(org, plan_end, len(groups))
    if jobs <= 1:
        slots, picks = _plan_keys(org, keys, plan_end)
        done = [then((slots, picks))] if then is not None else []
    else:
        slots, picks, done = _plan_parallel(org, groups, plan_end, jobs, then)
    return {k: slots[k] for k in keys}, {k: picks[k] for k in keys}, done


def components(org: Org) -> list[list[str]]:
    """Rotation keys grouped so that no person is involved in two groups."""
    involved: dict[str, set[str]] = defaultdict(set)  # rotation key -> people
    for team in org.teams.values():
        for rotation in team.rotations:
            involved[rotation.key].update(m.person for m in rotation.members)
    for ls in (*org.lock.shifts, *org.lock.tentative):
        involved[f"{ls.team}/{ls.rotation}"].add(ls.person)
    for o in org.overrides:
        involved[f"{o.team}/{o.rotation}"].add(o.person)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for key, people in involved.items():
        for person in people:
            a, b = find("r:" + key), find("p:" + person)
            if a != b:
                parent[max(a, b)] = min(a, b)
    grouped: dict[str, list[str]] = defaultdict(list)
    for team in org.teams.values():
        for rotation in team.rotations:
            grouped[find("r:" + rotation.key)].append(rotation.key)
    return list(grouped.values())


def _work(org: Org, key: str, plan_end: datetime) -> float:
    """Slot-members from a rotation's first handoff to ``plan_end``, roughly."""
    rotation = org.rotation(key)
    assert rotation is not None
    span = (plan_end - plan_origin(org, key)).total_seconds()
    return max(span, 0.0) / max(rotation.shift.total_seconds(), 1.0) * len(rotation.members)


def _jobs(org: Org, plan_end: datetime, n_groups: int) -> int:
    from generator.processes import processes

    keys = [r.key for t in org.teams.values() for r in t.rotations]
    return processes(
        n_groups, n_groups > 1 and sum(_work(org, k, plan_end) for k in keys) >= PARALLEL_WORK
    )


def _plan_keys(org: Org, keys: list[str], plan_end: datetime) -> Planned:
    wanted = set(keys)
    by_key: dict[str, list[LockedShift]] = defaultdict(list)
    for ls in org.lock.shifts:
        by_key[f"{ls.team}/{ls.rotation}"].append(ls)
    for shifts in by_key.values():
        shifts.sort(key=lambda ls: ls.start_at)
    slots: dict[str, list[Slot]] = {}
    for key in keys:
        rotation = org.rotation(key)
        assert rotation is not None
        # nobody is on call before a rotation's first handoff
        origin = plan_origin(org, key)
        slots[key] = rotation_slots(org, rotation, origin, plan_end, by_key.get(key, []))
    locked = {key: {ls.start_at: ls.person for ls in by_key[key]} for key in wanted & set(by_key)}
    previous: dict[str, dict[datetime, str]] = defaultdict(dict)
    for ts in org.lock.tentative:
        key = f"{ts.team}/{ts.rotation}"
        if key in wanted:
            previous[key][ts.start_at] = ts.person
    picks = assign(org, slots, locked, previous)
    return dict[str, Sequence[Slot]](slots), dict[str, Sequence[Pick]](picks)


# what a forked worker plans from: set just before the fork, inherited, never pickled
_FORKED: tuple[Org, datetime, Callable[[Planned], Any] | None] | None = None


def _plan_in_child(keys: list[str]) -> tuple[Planned, list[Any]]:
    assert _FORKED is not None
    org, plan_end, then = _FORKED
    planned = _plan_keys(org, keys, plan_end)
    return planned, [then(planned)] if then is not None else []


def _plan_parallel(
    org: Org,
    groups: list[list[str]],
    plan_end: datetime,
    jobs: int,
    then: Callable[[Planned], T] | None,
) -> tuple[dict[str, Sequence[Slot]], dict[str, Sequence[Pick]], list[T]]:
    """Components in ``jobs`` bins of about equal work (largest first); this
    process plans the first bin while forked workers plan the others."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _FORKED
    weighed = sorted(
        ((sum(_work(org, k, plan_end) for k in g), g) for g in groups),
        key=lambda item: (-item[0], item[1][0]),
    )
    # a worker also sends its part back (pickled): it starts a little behind
    head_start = CHILD_COST * sum(work for work, _ in weighed) / jobs
    bins: list[tuple[float, list[str]]] = [(0.0 if j == 0 else head_start, []) for j in range(jobs)]
    for work, group in weighed:
        i = min(range(jobs), key=lambda j: (bins[j][0], j))
        bins[i] = (bins[i][0] + work, bins[i][1] + group)
    _FORKED = (org, plan_end, then)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=context) as pool:
            futures = [pool.submit(_plan_in_child, keys) for _, keys in bins[1:]]
            slots, picks = _plan_keys(org, bins[0][1], plan_end)
            done = [then((slots, picks))] if then is not None else []
            for future in futures:
                (more_slots, more_picks), more = future.result()
                slots.update(more_slots)
                picks.update(more_picks)
                done.extend(more)
    finally:
        _FORKED = None
    return slots, picks, done
