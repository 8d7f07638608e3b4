"""Fairness: each member's load against their fluid target, per rotation. Pure.

Counts only the hours inside [start_at, end_at). Hours are classed in the
member's own zone and holiday region (holiday, else weekend, else night, else
weekday business hours) and weighted by ``settings.load_weights``.

- **target**: every slot's load is divided among the members available for it
  (active, not on leave at any moment of it) in proportion to their ``share``
  (``fairness: equal``: among every active member, leave or not).
- **deviation**: (load - target) in shift-equivalents, the mean load of one
  shift of the rotation in the window.
- **spread**: the largest deviation minus the smallest among the members, each
  deviation counted from the rotation's first handoff (history in the lock file
  included) to the window's last handoff (``spread_at``), as the site's fairness pages
  show it (SPEC 3). Without a handoff in the window it is ``spread_in_window``.
- **spread_in_window**: the same over the deviations of this window's hours alone.
- **balance_score**: Grafana OnCall's score, the mean over member pairs of
  min(hours)/max(hours) (1.0 is perfectly even hours, whatever the classes).
- **interrupted_hours**: hours of incidents of the rotation's team that the
  member responded to, inside the window.
- **interruptions**: incidents the member worked (responder or role) that paged them
  (``detected``, else ``started``) inside the window during one of their shifts of this
  rotation (the team's incidents only). With ``settings.load_weights.interruption``
  = w > 0, each adds w to the member's load, and w is spread over the targets of the
  members available for that slot like the slot's own load, so loads and targets still
  sum alike: whoever was woken more carries more than their share and is owed relief.
  Only this report counts it; assignment weighs standby hours alone.
"""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.model import Org
from generator.schedule.accounting import clip as _clip
from generator.schedule.accounting import compute_accounts, outsider_cover, slot_shares, without
from generator.schedule.loads import LoadModel
from generator.schedule.resolve import Schedule, Shift
from generator.textsafe import SpreadsheetWriter
from generator.timeutil import iso


@dataclass(frozen=True)
class MemberFairness:
    person: str
    shifts: int
    hours: float
    weekday_hours: float
    night_hours: float
    weekend_hours: float
    holiday_hours: float
    load: float
    target: float
    deviation: float  # shift-equivalents
    weekend_target_hours: float  # fluid share of the rotation's weekend hours
    holiday_target_hours: float
    interrupted_hours: float
    member: bool  # False: on call only through overrides
    interruptions: int = 0  # pages while on call for this rotation (see module doc)

    def as_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "shifts": self.shifts,
            "hours": self.hours,
            "weekday_hours": self.weekday_hours,
            "night_hours": self.night_hours,
            "weekend_hours": self.weekend_hours,
            "holiday_hours": self.holiday_hours,
            "load": self.load,
            "target": self.target,
            "deviation": self.deviation,
            "weekend_target_hours": self.weekend_target_hours,
            "holiday_target_hours": self.holiday_target_hours,
            "interrupted_hours": self.interrupted_hours,
            "member": self.member,
            "interruptions": self.interruptions,
        }


@dataclass(frozen=True)
class RotationFairness:
    team: str
    rotation: str
    shift_equivalent: float  # load of one mean shift
    spread: float  # at ``spread_at``, deviations since the first handoff
    balance_score: float
    members: tuple[MemberFairness, ...]
    spread_in_window: float = 0.0  # of the deviations of the window's hours alone
    spread_at: datetime | None = None  # the window's last handoff

    @property
    def max_deviation(self) -> float:
        return max((abs(m.deviation) for m in self.members), default=0.0)

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "rotation": self.rotation,
            "shift_equivalent": self.shift_equivalent,
            "spread": self.spread,
            "spread_at": iso(self.spread_at) if self.spread_at else None,
            "spread_in_window": self.spread_in_window,
            "balance_score": self.balance_score,
            "members": [m.as_json() for m in self.members],
        }


@dataclass(frozen=True)
class FairnessReport:
    start_at: datetime
    end_at: datetime
    rotations: tuple[RotationFairness, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "from": iso(self.start_at),
            "to": iso(self.end_at),
            "rotations": [r.as_json() for r in self.rotations],
        }


CSV_COLUMNS = [
    "team",
    "rotation",
    "person",
    "shifts",
    "hours",
    "weekday_hours",
    "night_hours",
    "weekend_hours",
    "holiday_hours",
    "load",
    "target",
    "deviation",
    "interrupted_hours",
]


def fairness_csv(report: FairnessReport) -> str:
    buf = io.StringIO()
    writer = SpreadsheetWriter(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in report.rotations:
        for m in r.members:
            row = {"team": r.team, "rotation": r.rotation, **m.as_json()}
            writer.writerow([row[c] for c in CSV_COLUMNS])
    return buf.getvalue()


def compute_fairness(
    org: Org,
    schedule: Schedule,
    start_at: datetime,
    end_at: datetime,
    deviations: dict[str, DeviationSeries] | None = None,
    loads: LoadModel | None = None,
) -> FairnessReport:
    """Load against target per member of every rotation, for hours in [start_at, end_at).

    ``schedule`` must cover the window (``compute_schedule(org, start_at, end_at)``);
    the books are ``schedule.accounting``'s. ``deviations``: the window's
    ``compute_deviation_series``, computed here when not given. ``loads``: a load model
    shared with the other reports of the organisation.
    """
    loads = loads or LoadModel(org)
    if deviations is None:
        deviations = compute_deviation_series(org, schedule, start_at, end_at, loads)
    shifts_by_key: dict[str, list[Shift]] = defaultdict(list)
    for s in schedule.shifts:
        shifts_by_key[f"{s.team}/{s.rotation}"].append(s)
    out = []
    for account in compute_accounts(org, schedule, start_at, end_at, loads=loads).values():
        rotation = account.rotation
        hours, target, class_target = account.hours, account.target, account.class_target
        unit = account.unit
        member_ids = list(dict.fromkeys(m.person for m in rotation.members))
        in_window = [p for p in member_ids if p in target or p in hours]
        others = sorted(p for p in hours if p not in member_ids)
        paged = _interruptions(
            org, rotation.team, shifts_by_key.get(rotation.key, ()), start_at, end_at
        )
        weight = org.settings.interruption_weight
        target = dict(target)
        for slot_start, who in paged:
            for pid, part in account.parts.get(slot_start, {who: 1.0}).items():
                target[pid] = target.get(pid, 0.0) + weight * part
        rows = []
        for pid in in_window + others:
            h = hours.get(pid, [0.0] * 4)
            count = sum(1 for _, who in paged if who == pid)
            load = account.load(pid) + weight * count
            share = class_target.get(pid, [0.0] * 4)
            rows.append(
                MemberFairness(
                    person=pid,
                    shifts=len(account.slots_held.get(pid, ())),
                    hours=round(sum(h), 2),
                    weekday_hours=round(h[0], 2),
                    night_hours=round(h[1], 2),
                    weekend_hours=round(h[2], 2),
                    holiday_hours=round(h[3], 2),
                    load=round(load, 2),
                    target=round(target.get(pid, 0.0), 2),
                    deviation=round((load - target.get(pid, 0.0)) / unit, 3),
                    weekend_target_hours=round(share[2], 2),
                    holiday_target_hours=round(share[3], 2),
                    interrupted_hours=_interrupted(org, rotation.team, pid, start_at, end_at),
                    member=pid in member_ids,
                    interruptions=count,
                )
            )
        devs = [m.deviation for m in rows if m.member]  # an outsider has no target
        in_window_spread = round(max(devs) - min(devs), 3) if devs else 0.0
        series = deviations.get(rotation.key)
        spread, spread_at = last_handoff_spread(series, [m.person for m in rows if m.member])
        pair_hours = [sum(hours.get(p, ())) for p in in_window]
        out.append(
            RotationFairness(
                rotation.team,
                rotation.id,
                round(unit, 2),
                in_window_spread if spread is None else spread,
                balance_score(pair_hours),
                tuple(rows),
                in_window_spread,
                spread_at,
            )
        )
    return FairnessReport(start_at, end_at, tuple(out))


@dataclass(frozen=True)
class DeviationSeries:
    """Each member's deviation at every handoff of a rotation inside a window.

    Deviation per SPEC 3: load minus target, both summed from the rotation's first
    handoff (history in the lock file counted) to the handoff, in shift-equivalents
    (``unit``: the mean load of one shift from the first handoff to the window's end).
    """

    team: str
    rotation: str
    unit: float
    handoffs: tuple[datetime, ...]  # the handoffs inside the window, in order
    members: dict[str, tuple[float, ...]]  # person -> deviation at each handoff
    # people on call only through overrides: listed, but they have no target, so the
    # rotation's largest deviation is its members'
    outsiders: frozenset[str] = frozenset()

    def last(self, person: str) -> float | None:
        values = self.members.get(person)
        return values[-1] if values else None

    @property
    def largest(self) -> float:
        """The largest absolute deviation at any handoff of the window."""
        return max(
            (abs(v) for p, vs in self.members.items() if p not in self.outsiders for v in vs),
            default=0.0,
        )


def last_handoff_spread(
    series: DeviationSeries | None, members: list[str]
) -> tuple[float | None, datetime | None]:
    """The largest minus the smallest of the members' deviations since the rotation's
    first handoff, at the window's last handoff, and that handoff; (None, None) when
    the window holds no handoff."""
    if series is None or not series.handoffs:
        return None, None
    finals = [v for p in members if (v := series.last(p)) is not None]
    if not finals:
        return None, None
    return round(max(finals) - min(finals), 3), series.handoffs[-1]


def compute_deviation_series(
    org: Org,
    schedule: Schedule,
    start_at: datetime,
    end_at: datetime,
    loads: LoadModel | None = None,
) -> dict[str, DeviationSeries]:
    """Every rotation's members' deviations at each handoff in [start_at, end_at], by key.

    Slots come from ``schedule.slots`` and ``schedule.picks``, which reach back to each
    rotation's first handoff; overrides move their hours from the planned person to
    the person covering, as on the published schedule. A slot nobody could take is
    nobody's share. The value at a handoff counts the slots that ended by then.
    """
    loads = loads or LoadModel(org)
    overrides: dict[str, list[Any]] = defaultdict(list)
    for o in org.overrides:
        overrides[f"{o.team}/{o.rotation}"].append(o)
    outside_cover = outsider_cover(org)
    out: dict[str, DeviationSeries] = {}
    for team in org.teams.values():
        for rotation in team.rotations:
            key = rotation.key
            slots = schedule.slots.get(key, ())
            picks = schedule.picks.get(key, ())
            member_ids = list(dict.fromkeys(m.person for m in rotation.members))
            load: dict[str, float] = defaultdict(float)
            target: dict[str, float] = defaultdict(float)
            unit_sum, unit_n = 0.0, 0
            raw: list[tuple[datetime, dict[str, float]]] = []
            for slot, chosen in zip(slots, picks, strict=False):
                if slot.start_at > end_at:
                    break
                if start_at <= slot.start_at:
                    raw.append((slot.start_at, {p: load[p] - target[p] for p in member_ids}))
                if slot.start_at >= end_at:
                    break  # a handoff at the window's end: nothing after it counts
                if chosen.person is None or chosen.person not in org.people:
                    continue  # nobody could take it: it is nobody's share
                shares = slot_shares(org, loads, rotation, slot)
                if shares is None:
                    continue
                each, part_of = shares
                unit_sum += sum(each.values()) / len(each)
                unit_n += 1
                cuts = [
                    c
                    for c in outside_cover.get(key, ())
                    if c[0] < slot.end_at and slot.start_at < c[1]
                ]
                if cuts:  # hours an outsider covered are nobody's share
                    kept = without(slot.windows, cuts)
                    each = {p: loads.load(org.people[p], kept) for p in part_of}
                for person, part in part_of.items():
                    target[person] += each[person] * part
                held = _held(org, loads, slot, chosen.person, overrides.get(key, ()))
                for person, value in held.items():
                    load[person] += value
                    if person not in member_ids:
                        member_ids.append(person)
            unit = (unit_sum / unit_n) if unit_n and unit_sum > 0 else 1.0
            handoffs = tuple(at for at, _ in raw)
            series = {
                p: tuple(round(devs.get(p, 0.0) / unit, 3) for _, devs in raw) for p in member_ids
            }
            outsiders = frozenset(member_ids) - {m.person for m in rotation.members}
            out[key] = DeviationSeries(
                team.id, rotation.id, round(unit, 2), handoffs, series, outsiders
            )
    return out


def _held(org: Org, loads: LoadModel, slot: Any, person: str, overrides: Any) -> dict[str, float]:
    """The load of a slot by who held it: the planned person, less the hours overrides
    gave to someone else."""
    held: dict[str, float] = defaultdict(float)
    held[person] += loads.load(org.people[person], slot.windows)
    for o in overrides:
        if o.end_at <= slot.start_at or o.start_at >= slot.end_at or o.person == person:
            continue
        moved = _clip(slot.windows, o.start_at, o.end_at)
        if not moved or o.person not in org.people:
            continue
        held[person] -= loads.load(org.people[person], moved)
        held[o.person] += loads.load(org.people[o.person], moved)
    return held


def balance_score(hours: list[float]) -> float:
    """Grafana OnCall's balance: mean over pairs of min/max hours (1.0: even)."""
    pairs = list(itertools.combinations(hours, 2))
    if not pairs:
        return 1.0
    total = 0.0
    for a, b in pairs:
        high = max(a, b)
        total += (min(a, b) / high) if high > 0 else 1.0
    return round(total / len(pairs), 3)


def _interruptions(
    org: Org, team: str, shifts: Any, start_at: datetime, end_at: datetime
) -> list[tuple[datetime, str]]:
    """(slot start, person) once per incident of the team that paged a person inside the
    window during their shift of this rotation."""
    by_person: dict[str, list[Any]] = defaultdict(list)
    for s in shifts:
        if s.person is not None:
            by_person[s.person].append(s)
    out: set[tuple[datetime, str, str]] = set()
    for inc in org.incidents:
        at = inc.paged_at
        if inc.team != team or not start_at <= at < end_at:
            continue
        for person in inc.people:
            for s in by_person.get(person, ()):
                if s.start_at <= at < s.end_at:
                    out.add((s.slot_start_at, person, inc.id))
    return [(slot, person) for slot, person, _ in sorted(out)]


def _interrupted(org: Org, team: str, person: str, start_at: datetime, end_at: datetime) -> float:
    total = 0.0
    for incident in org.incidents:
        if incident.team != team or person not in incident.responders:
            continue
        lo, hi = max(incident.started_at, start_at), min(incident.resolved_at, end_at)
        if lo < hi:
            total += (hi.timestamp() - lo.timestamp()) / 3600
    return round(total, 2)


__all__ = [
    "DeviationSeries",
    "FairnessReport",
    "MemberFairness",
    "RotationFairness",
    "balance_score",
    "compute_deviation_series",
    "compute_fairness",
    "fairness_csv",
]
