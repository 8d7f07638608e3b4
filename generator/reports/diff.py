"""What a change to the organisation does to people: two planned states compared. Pure.

This is the core of ``rota diff`` and ``rota request`` (and what ``rota notify changes``
reads); reading git revisions and planning them lives in ``generator.review_git``,
rendering in ``generator.render.diff``.

API::

    before = PlannedState(org, schedule, diagnostics, label="main")   # planned with --now
    after = PlannedState(org2, schedule2, diagnostics2, label="working tree")
    d = diff_states(before, after, now)          # -> PlanDiff
    d.people()            # ids of everyone whose shifts change, sorted
    d.person("alice")     # PersonChange: gained / lost Changes, hours_delta by class,
                          # pay (PayChange per month), deviations (DeviationChange per rotation)
    d.changes             # every Change (team, rotation, start_at, end_at, before, after,
                          # before_source, after_source, locked), in time order
    d.locked_moved()      # the locked Changes not made by an override: promises broken
    d.uncovered_added, d.uncovered_resolved       # Gap
    d.conflicts_added, d.conflicts_resolved       # Diagnostic (leave, double booking, rules)
    d.warnings_added, d.warnings_resolved         # other validation warnings
    d.escalation          # ChainChange per team whose escalation chain differs
    d.on_call_now         # NowChange per rotation whose person on call at ``now`` differs
    d.runbooks_changed    # how many runbooks were added, removed or edited
    d.failures(kinds)     # the --fail-on kinds present: locked-moved, uncovered, conflict

``PlannedState.schedule`` must cover ``[now - settings.history, now + settings.horizon]``
(``review_git.planned`` starts it at the first of now's month, so the pay of the months
a change touches counts from their first day); both states must be planned with the
same ``now``. The diff looks at ``[now, now + horizon)`` (the longer horizon of the
two): hours already past
never change hands. A *change* is a stretch of one rotation's time whose person differs
(``None``: nobody on call, an uncovered shift or no shift at all); adjacent stretches with
the same people and sources are one change.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from generator.errors import Diagnostic
from generator.model import NOWHERE, Org, Person
from generator.schedule.resolve import Schedule

CLASSES = ("weekday", "night", "weekend", "holiday")  # "business" hours are "weekday"
FAIL_KINDS = ("locked-moved", "uncovered", "conflict")


@dataclass(frozen=True)
class PlannedState:
    """One side of a diff: an organisation, its plan and what validation said of it."""

    org: Org
    schedule: Schedule
    diagnostics: tuple[Diagnostic, ...]  # warnings, uncovered shifts, conflicts
    label: str = ""  # a git revision, "working tree", ...
    conflicts: tuple[Diagnostic, ...] = ()  # the subset of diagnostics that are conflicts


@dataclass(frozen=True)
class Change:
    team: str
    rotation: str
    start_at: datetime
    end_at: datetime
    before: str | None
    after: str | None
    before_source: str | None  # fair | round-robin | override | lock | uncovered | None
    after_source: str | None
    locked: bool  # the time was published in the base's lock file
    timezone: str  # the team's zone, to show local times

    @property
    def key(self) -> str:
        return f"{self.team}/{self.rotation}"

    @property
    def hours(self) -> float:
        return (self.end_at - self.start_at).total_seconds() / 3600


@dataclass(frozen=True)
class PayChange:
    month: str  # YYYY-MM in the person's zone
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class DeviationChange:
    team: str
    rotation: str
    before: float | None  # shift-equivalents from target at the horizon's last handoff
    after: float | None


@dataclass(frozen=True)
class PersonChange:
    person: str
    name: str
    handles: dict[str, str]
    gained: tuple[Change, ...]
    lost: tuple[Change, ...]
    hours_delta: dict[str, float]  # by class (weekday, night, weekend, holiday), after - before
    pay: tuple[PayChange, ...]  # months touched
    deviations: tuple[DeviationChange, ...]  # rotations touched

    @property
    def hours_gained(self) -> float:
        return sum(c.hours for c in self.gained)

    @property
    def hours_lost(self) -> float:
        return sum(c.hours for c in self.lost)

    @property
    def pay_delta(self) -> Decimal:
        return sum((p.delta for p in self.pay), Decimal(0))


@dataclass(frozen=True)
class Gap:
    """An uncovered stretch of a rotation."""

    team: str
    rotation: str
    start_at: datetime
    end_at: datetime
    timezone: str


@dataclass(frozen=True)
class ChainChange:
    team: str
    before: tuple[str, ...]  # the chain's levels as lines; () when there was none
    after: tuple[str, ...]


@dataclass(frozen=True)
class NowChange:
    team: str
    rotation: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class PlanDiff:
    base: str
    head: str
    now: datetime
    start_at: datetime
    end_at: datetime
    currency: str
    changes: tuple[Change, ...]
    persons: tuple[PersonChange, ...]
    uncovered_added: tuple[Gap, ...]
    uncovered_resolved: tuple[Gap, ...]
    conflicts_added: tuple[Diagnostic, ...]
    conflicts_resolved: tuple[Diagnostic, ...]
    warnings_added: tuple[Diagnostic, ...]
    warnings_resolved: tuple[Diagnostic, ...]
    escalation: tuple[ChainChange, ...]
    on_call_now: tuple[NowChange, ...]
    runbooks_changed: int
    names: dict[str, str] = field(default_factory=dict)  # person id -> name, both sides

    def people(self) -> list[str]:
        """Ids of the people whose shifts change, sorted."""
        return [p.person for p in self.persons]

    def person(self, person_id: str) -> PersonChange | None:
        return next((p for p in self.persons if p.person == person_id), None)

    def locked_moved(self) -> tuple[Change, ...]:
        """Published shifts that change hands other than by an override: a swap or cover
        written as an override is agreed; anything else breaks a promise."""
        return tuple(c for c in self.changes if c.locked and c.after_source != "override")

    def failures(self, kinds: Iterable[str]) -> list[str]:
        """The ``--fail-on`` kinds among ``kinds`` that this change has."""
        present = {
            "locked-moved": bool(self.locked_moved()),
            "uncovered": bool(self.uncovered_added),
            "conflict": bool(self.conflicts_added),
        }
        return [k for k in kinds if present.get(k)]

    @property
    def empty(self) -> bool:
        return not (
            self.changes
            or self.uncovered_added
            or self.uncovered_resolved
            or self.conflicts_added
            or self.conflicts_resolved
            or self.warnings_added
            or self.warnings_resolved
            or self.escalation
            or self.on_call_now
            or self.runbooks_changed
        )


def diff_states(before: PlannedState, after: PlannedState, now: datetime) -> PlanDiff:
    """What changes from ``before`` to ``after``, both planned with ``now``."""
    horizon = max(before.org.settings.horizon, after.org.settings.horizon)
    start_at, end_at = now, now + horizon
    changes = _changes(before, after, start_at, end_at)
    persons = _persons(before, after, changes, now)
    gaps_before = _gaps(before, start_at, end_at)
    gaps_after = _gaps(after, start_at, end_at)
    conflicts_added, conflicts_resolved = _diagnostics_diff(before.conflicts, after.conflicts)
    conflict_set = set(before.conflicts) | set(after.conflicts)
    warnings_added, warnings_resolved = _diagnostics_diff(
        [d for d in before.diagnostics if d not in conflict_set and not _is_uncovered(d)],
        [d for d in after.diagnostics if d not in conflict_set and not _is_uncovered(d)],
    )
    names = {p.id: p.name for p in before.org.people.values()}
    names.update({p.id: p.name for p in after.org.people.values()})
    pay = after.org.pay or before.org.pay
    currency = pay.currency if pay is not None else ""
    return PlanDiff(
        base=before.label,
        head=after.label,
        now=now,
        start_at=start_at,
        end_at=end_at,
        currency=currency,
        changes=changes,
        persons=persons,
        uncovered_added=tuple(g for g in gaps_after if g not in set(gaps_before)),
        uncovered_resolved=tuple(g for g in gaps_before if g not in set(gaps_after)),
        conflicts_added=conflicts_added,
        conflicts_resolved=conflicts_resolved,
        warnings_added=warnings_added,
        warnings_resolved=warnings_resolved,
        escalation=_chains(before.org, after.org),
        on_call_now=_now(before, after, now),
        runbooks_changed=_runbooks_changed(before.org, after.org),
        names=names,
    )


# --- shifts that change hands ------------------------------------------------------


def _by_rotation(
    schedule: Schedule, start_at: datetime, end_at: datetime
) -> dict[str, list[tuple[datetime, datetime, str | None, str]]]:
    out: dict[str, list[tuple[datetime, datetime, str | None, str]]] = defaultdict(list)
    for s in schedule.shifts:
        if s.end_at <= start_at or s.start_at >= end_at:
            continue
        a, b = max(s.start_at, start_at).astimezone(UTC), min(s.end_at, end_at).astimezone(UTC)
        out[f"{s.team}/{s.rotation}"].append((a, b, s.person, s.source))
    for v in out.values():
        v.sort(key=lambda x: x[0])
    return out


def _at(
    intervals: list[tuple[datetime, datetime, str | None, str]], i: int, a: datetime
) -> tuple[int, str | None, str | None]:
    """Advance ``i`` to the interval holding ``a``: (i, person, source) or (i, None, None)."""
    while i < len(intervals) and intervals[i][1] <= a:
        i += 1
    if i < len(intervals) and intervals[i][0] <= a:
        return i, intervals[i][2], intervals[i][3]
    return i, None, None


def _locked_spans(org: Org) -> dict[str, list[tuple[datetime, datetime]]]:
    out: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for s in org.lock.shifts:
        out[f"{s.team}/{s.rotation}"].append((s.start_at, s.end_at))
    return out


def _changes(
    before: PlannedState, after: PlannedState, start_at: datetime, end_at: datetime
) -> tuple[Change, ...]:
    old = _by_rotation(before.schedule, start_at, end_at)
    new = _by_rotation(after.schedule, start_at, end_at)
    locked = _locked_spans(before.org)
    zones = {t.id: t.timezone for t in before.org.teams.values()}
    zones.update({t.id: t.timezone for t in after.org.teams.values()})
    out: list[Change] = []
    for key in sorted(set(old) | set(new)):
        xs, ys = old.get(key, []), new.get(key, [])
        marks = sorted({m for a, b, *_ in xs + ys for m in (a, b)})
        i = j = 0
        team, rotation = key.split("/", 1)
        pending: Change | None = None
        for a, b in itertools.pairwise(marks):
            i, p, ps = _at(xs, i, a)
            j, q, qs = _at(ys, j, a)
            if p == q:
                continue
            is_locked = any(la < b and a < lb for la, lb in locked.get(key, ()))
            if (
                pending is not None
                and pending.end_at == a
                and (pending.before, pending.after, pending.before_source, pending.after_source)
                == (p, q, ps, qs)
                and pending.locked == is_locked
            ):
                pending = replace(pending, end_at=b)
                continue
            if pending is not None:
                out.append(pending)
            pending = Change(team, rotation, a, b, p, q, ps, qs, is_locked, zones.get(team, "UTC"))
        if pending is not None:
            out.append(pending)
    out.sort(key=lambda c: (c.start_at, c.team, c.rotation))
    return tuple(out)


# --- per person ---------------------------------------------------------------------


def _person(state: PlannedState, person_id: str) -> Person | None:
    return state.org.people.get(person_id)


def _persons(
    before: PlannedState, after: PlannedState, changes: tuple[Change, ...], now: datetime
) -> tuple[PersonChange, ...]:
    touched = sorted({p for c in changes for p in (c.before, c.after) if p is not None})
    keys_of: dict[str, set[str]] = defaultdict(set)
    for c in changes:
        for p in (c.before, c.after):
            if p is not None:
                keys_of[p].add(c.key)
    deviation_before = _deviations(before, {k for ks in keys_of.values() for k in ks}, now)
    deviation_after = _deviations(after, {k for ks in keys_of.values() for k in ks}, now)
    out = []
    for pid in touched:
        person = _person(after, pid) or _person(before, pid)
        gained = tuple(c for c in changes if c.after == pid)
        lost = tuple(c for c in changes if c.before == pid)
        hours = dict.fromkeys(CLASSES, 0.0)
        if person is not None:
            classer = (
                after.org.classer(person) if pid in after.org.people else before.org.classer(person)
            )
            for sign, group in ((1, gained), (-1, lost)):
                for c in group:
                    for lo, hi, cls in classer.pieces(c.start_at, c.end_at):
                        name = "weekday" if cls == "business" else cls
                        hours[name] += sign * (hi - lo).total_seconds() / 3600
        hours = {k: round(v, 2) for k, v in hours.items()}
        pay = _pay(before, after, pid, gained + lost)
        devs = tuple(
            DeviationChange(
                key.split("/", 1)[0],
                key.split("/", 1)[1],
                deviation_before.get(key, {}).get(pid),
                deviation_after.get(key, {}).get(pid),
            )
            for key in sorted(keys_of[pid])
        )
        handles = dict(person.handles) if person is not None else {}
        out.append(
            PersonChange(
                pid,
                person.name if person is not None else pid,
                dict(handles),
                gained,
                lost,
                hours,
                pay,
                devs,
            )
        )
    return tuple(out)


def _months(person: Person, changes: Iterable[Change]) -> tuple[datetime, datetime] | None:
    """From the first of the first month touched to the first of the month after the
    last one, in the person's zone."""
    from generator.timeutil import localize

    tz = person.tz
    firsts = []
    for c in changes:
        for at in (c.start_at, c.end_at - timedelta(seconds=1)):
            local = at.astimezone(tz)
            firsts.append(local.date().replace(day=1))
    if not firsts:
        return None
    lo, hi = min(firsts), max(firsts)
    hi = (hi.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (
        localize(datetime.combine(lo, datetime.min.time()), tz).astimezone(UTC),
        localize(datetime.combine(hi, datetime.min.time()), tz).astimezone(UTC),
    )


def _pay(
    before: PlannedState, after: PlannedState, pid: str, changes: tuple[Change, ...]
) -> tuple[PayChange, ...]:
    from generator.reports.pay import compute_person_pay

    person = _person(after, pid) or _person(before, pid)
    if person is None:
        return ()
    window = _months(person, changes)
    if window is None:
        return ()
    lo, hi = window
    totals: list[dict[str, Decimal]] = []
    for state in (before, after):
        them = state.org.people.get(pid)
        if them is None or state.org.pay_policy(them) is None:
            totals.append({})
            continue
        intervals = [
            (s.start_at, s.end_at)
            for s in state.schedule.shifts
            if s.person == pid and s.start_at < hi and lo < s.end_at
        ]
        worked = [i for i in state.org.incidents if pid in i.responders and lo <= i.started_at < hi]
        got = compute_person_pay(state.org, them, intervals, worked, lo, hi)
        totals.append({m.month: m.total for m in got.months})
    months = sorted(set(totals[0]) | set(totals[1]))
    return tuple(
        PayChange(m, totals[0].get(m, Decimal("0.00")), totals[1].get(m, Decimal("0.00")))
        for m in months
        if totals[0].get(m) != totals[1].get(m)
    )


def _deviations(state: PlannedState, keys: set[str], now: datetime) -> dict[str, dict[str, float]]:
    """Each member's deviation at the last handoff of [now - history, now + horizon],
    as ``rota fairness`` reports it, for the rotations ``keys`` that exist in ``state``."""
    from generator.reports.fairness import compute_deviation_series

    org = state.org
    teams = {}
    for team in org.teams.values():
        rotations = tuple(r for r in team.rotations if r.key in keys)
        if rotations:
            teams[team.id] = replace(team, rotations=rotations)
    if not teams:
        return {}
    only = replace(org, teams=teams)
    series = compute_deviation_series(
        only, state.schedule, now - org.settings.history, now + org.settings.horizon
    )
    out: dict[str, dict[str, float]] = {}
    for key, s in series.items():
        out[key] = {
            p: round(v, 2)
            for p in s.members
            if p not in s.outsiders and (v := s.last(p)) is not None
        }
    return out


# --- gaps, diagnostics, chains, now, runbooks ---------------------------------------


def _gaps(state: PlannedState, start_at: datetime, end_at: datetime) -> list[Gap]:
    zones = {t.id: t.timezone for t in state.org.teams.values()}
    out = []
    for s in state.schedule.uncovered:
        if s.end_at <= start_at or s.start_at >= end_at:
            continue
        out.append(
            Gap(
                s.team,
                s.rotation,
                max(s.start_at, start_at).astimezone(UTC),
                min(s.end_at, end_at).astimezone(UTC),
                zones.get(s.team, "UTC"),
            )
        )
    return out


_COULD_COVER = re.compile(r"; could cover: .*$")


def identity(d: Diagnostic) -> tuple[str, str]:
    """A diagnostic as it compares across two revisions: lines move, and the ranking of
    who could cover follows the plan, so neither makes a problem new."""
    return d.severity, _COULD_COVER.sub("", d.message)


def _diagnostics_diff(
    old: Iterable[Diagnostic], new: Iterable[Diagnostic]
) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    old_l, new_l = sorted(set(old)), sorted(set(new))
    old_ids = {identity(d) for d in old_l}
    new_ids = {identity(d) for d in new_l}
    added = tuple(d for d in new_l if identity(d) not in old_ids)
    resolved = tuple(d for d in old_l if identity(d) not in new_ids)
    return added, resolved


def _is_uncovered(d: Diagnostic) -> bool:
    return d.message.startswith("uncovered shift")


def chain_text(org: Org, team_id: str) -> tuple[str, ...]:
    """A team's escalation chain as written, one line per level."""
    from generator.timeutil import format_duration

    team = org.teams.get(team_id)
    if team is None or team.escalation is None:
        return ()
    esc = team.escalation
    lines = [f"after {format_duration(lv.after)}: {', '.join(lv.notify)}" for lv in esc.levels]
    lines.append(f"repeat: {esc.repeat}")
    return tuple(lines)


def _chains(before: Org, after: Org) -> tuple[ChainChange, ...]:
    out = []
    for team_id in sorted(set(before.teams) | set(after.teams)):
        a, b = chain_text(before, team_id), chain_text(after, team_id)
        if a != b:
            out.append(ChainChange(team_id, a, b))
    return tuple(out)


def _on_call_at(schedule: Schedule, at: datetime) -> dict[tuple[str, str], str | None]:
    out: dict[tuple[str, str], str | None] = {}
    for s in schedule.at(at):
        out[(s.team, s.rotation)] = s.person
    return out


def _now(before: PlannedState, after: PlannedState, now: datetime) -> tuple[NowChange, ...]:
    a, b = _on_call_at(before.schedule, now), _on_call_at(after.schedule, now)
    return tuple(
        NowChange(team, rotation, a.get((team, rotation)), b.get((team, rotation)))
        for team, rotation in sorted(set(a) | set(b))
        if a.get((team, rotation)) != b.get((team, rotation))
    )


def _runbooks_changed(before: Org, after: Org) -> int:
    def index(org: Org) -> dict[str, object]:
        return {r.path: replace(r, source=NOWHERE) for r in org.runbooks}

    a, b = index(before), index(after)
    return sum(1 for path in set(a) | set(b) if a.get(path) != b.get(path))
