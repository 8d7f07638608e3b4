"""Incident review: counts, MTTA and MTTR, on-call interruption load. Pure.

Definitions (the guide's incident review page explains why):

- the window holds the incidents that *started* inside it;
- MTTA (time to acknowledge) = acknowledged − started, over the incidents that record an
  acknowledgement (an incident without one is left out, never counted as zero);
  MTTR (time to resolve) = resolved − started, over every incident; both in real elapsed
  seconds (a DST night has 23 or 25 hours), as the median, the 95th percentile (nearest
  rank: the smallest measured value with at least 95 % of the values at or below it,
  so it is always a real incident's time) and the mean, rounded to the second;
- an interruption is one incident for one person who worked it (responder or role
  holder), classed by the moment they were paged (``detected``, else ``started``) in
  that person's zone: ``sleep`` 22:00–08:00 any day, else ``business`` inside
  settings.business_hours on a working day (not a weekend or holiday), else
  ``off_hours``; hours of incident time are split the same way;
- a shift is overloaded when some 12 hours of it hold more than two of its holder's
  interruptions (the SRE book's ceiling of two incidents per 12-hour shift).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from generator.model import Incident, Org, Person
from generator.reviews import ReviewRow, review_status
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import elapsed, holiday_name, iso, localize

SLEEP_FROM = 22 * 60  # minutes after local midnight
SLEEP_TO = 8 * 60
OVERLOAD_WINDOW = timedelta(hours=12)
OVERLOAD_LIMIT = 2  # more than this many interruptions in OVERLOAD_WINDOW is overload
CLASSES = ("business", "off_hours", "sleep")


# ---- statistics -----------------------------------------------------------------


def nearest_rank(values: Sequence[float], q: float) -> float:
    """The q-quantile by nearest rank: the ceil(q·n)-th smallest value."""
    ordered = sorted(values)
    k = max(1, math.ceil(q * len(ordered)))
    return ordered[k - 1]


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)


@dataclass(frozen=True)
class Stats:
    count: int
    acknowledged: int  # incidents that record an acknowledgement (MTTA's sample)
    mtta_median_s: int | None
    mtta_p95_s: int | None
    mtta_mean_s: int | None
    mttr_median_s: int | None
    mttr_p95_s: int | None
    mttr_mean_s: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "acknowledged": self.acknowledged,
            "mtta_median_s": self.mtta_median_s,
            "mtta_p95_s": self.mtta_p95_s,
            "mtta_mean_s": self.mtta_mean_s,
            "mttr_median_s": self.mttr_median_s,
            "mttr_p95_s": self.mttr_p95_s,
            "mttr_mean_s": self.mttr_mean_s,
        }


def compute_stats(incidents: Sequence[Incident]) -> Stats:
    tta = [
        elapsed(i.started_at, i.acknowledged_at).total_seconds()
        for i in incidents
        if i.acknowledged_at is not None
    ]
    ttr = [i.length.total_seconds() for i in incidents]

    def three(values: list[float]) -> tuple[int | None, int | None, int | None]:
        if not values:
            return None, None, None
        return (
            _round(statistics.median(values)),
            _round(nearest_rank(values, 0.95)),
            _round(statistics.fmean(values)),
        )

    a, r = three(tta), three(ttr)
    return Stats(len(incidents), len(tta), *a, *r)


# ---- interruption load ----------------------------------------------------------


def page_class(org: Org, person: Person, at: datetime) -> str:
    """sleep | business | off_hours for an instant, in the person's zone."""
    local = at.astimezone(person.tz)
    minute = local.hour * 60 + local.minute
    if minute >= SLEEP_FROM or minute < SLEEP_TO:
        return "sleep"
    classer = org.classer(person)
    s = org.settings
    if classer.day_class(local.date()) == "weekday" and s.business_from <= minute < s.business_to:
        return "business"
    return "off_hours"


def holiday_reason(org: Org, person: Person, at: datetime) -> str | None:
    """Why a page inside business hours on a weekday is ``off_hours``: ``holiday (NAME,
    REGION)`` with the name from the ``holidays`` package, or a company holiday."""
    local = at.astimezone(person.tz)
    minute = local.hour * 60 + local.minute
    s = org.settings
    on = local.date()
    if on.weekday() >= 5 or not s.business_from <= minute < s.business_to:
        return None
    if minute >= SLEEP_FROM or minute < SLEEP_TO:
        return None
    if on in s.company_holidays:
        return "company holiday (settings.company_holidays)"
    if person.holidays is None:
        return None
    name = holiday_name(person.holidays, on)
    return f"holiday ({name}, {person.holidays})" if name else None


def _sleep_overlap(person: Person, a: datetime, b: datetime) -> float:
    """Hours of [a, b) inside 22:00–08:00 local, DST-aware (real elapsed time)."""
    tz = person.tz
    first = a.astimezone(tz).date() - timedelta(days=1)
    last = b.astimezone(tz).date()
    total = 0.0
    day = first
    while day <= last:
        lo = localize(datetime.combine(day, time(SLEEP_FROM // 60, SLEEP_FROM % 60)), tz)
        hi = localize(datetime.combine(day + timedelta(days=1), time(SLEEP_TO // 60)), tz)
        x, y = max(lo, a), min(hi, b)
        if x < y:
            total += elapsed(x, y).total_seconds() / 3600
        day += timedelta(days=1)
    return total


def hours_by_class(org: Org, person: Person, a: datetime, b: datetime) -> dict[str, float]:
    """Hours of incident time [a, b) as business, off_hours and sleep in the person's zone."""
    out = dict.fromkeys(CLASSES, 0.0)
    for lo, hi, cls in org.classer(person).pieces(a, b):
        length = (hi - lo).total_seconds() / 3600
        sleep = _sleep_overlap(person, lo, hi)
        out["sleep"] += sleep
        out["business" if cls == "business" else "off_hours"] += length - sleep
    return out


@dataclass(frozen=True)
class PersonLoad:
    person: str
    interruptions: int
    business: int
    off_hours: int
    sleep: int
    hours: dict[str, float]  # incident hours by class
    incidents: tuple[str, ...]
    # (incident, holiday) for pages a public or company holiday made off_hours
    holidays: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "interruptions": self.interruptions,
            "business": self.business,
            "off_hours": self.off_hours,
            "sleep": self.sleep,
            "hours": {k: round(v, 2) for k, v in self.hours.items()},
            "incidents": list(self.incidents),
        }


@dataclass(frozen=True)
class OverloadedShift:
    team: str
    rotation: str
    person: str
    start_at: datetime
    end_at: datetime
    interruptions: int  # in the whole shift
    most_in_12h: int

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "rotation": self.rotation,
            "person": self.person,
            "start": iso(self.start_at),
            "end": iso(self.end_at),
            "interruptions": self.interruptions,
            "most_in_12h": self.most_in_12h,
        }


@dataclass(frozen=True)
class RotationLoad:
    team: str
    rotation: str
    interruptions: int
    business: int
    off_hours: int
    sleep: int
    shifts: int  # shifts in the window with at least one interruption
    overloaded: tuple[OverloadedShift, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "rotation": self.rotation,
            "interruptions": self.interruptions,
            "business": self.business,
            "off_hours": self.off_hours,
            "sleep": self.sleep,
            "interrupted_shifts": self.shifts,
            "overloaded_shifts": [o.as_json() for o in self.overloaded],
        }


def most_in_window(times: Iterable[datetime], window: timedelta = OVERLOAD_WINDOW) -> int:
    """The most instants inside any half-open window of that length."""
    ordered = sorted(times)
    best, lo = 0, 0
    for hi, at in enumerate(ordered):
        while at - ordered[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


@dataclass(frozen=True)
class AlertRow:
    alert: str
    incidents: int
    non_actionable: int
    runbooks: tuple[str, ...]  # runbook slugs answering it

    def as_json(self) -> dict[str, Any]:
        return {
            "alert": self.alert,
            "incidents": self.incidents,
            "non_actionable": self.non_actionable,
            "runbooks": list(self.runbooks),
        }


@dataclass(frozen=True)
class IncidentReport:
    start_at: datetime
    end_at: datetime
    incidents: tuple[Incident, ...]
    overall: Stats
    by_severity: tuple[tuple[str, Stats], ...]
    by_team: tuple[tuple[str, Stats], ...]
    by_service: tuple[tuple[str, Stats], ...]
    by_month: tuple[tuple[str, Stats], ...]
    load: tuple[PersonLoad, ...]
    rotations: tuple[RotationLoad, ...]
    alerts: tuple[AlertRow, ...]
    actionable_known: int  # incidents that record `actionable`
    non_actionable: int
    review: tuple[ReviewRow, ...]  # incidents in the window whose severity needs a postmortem

    @property
    def non_actionable_share(self) -> float | None:
        if not self.actionable_known:
            return None
        return self.non_actionable / self.actionable_known

    @property
    def unanswered_alerts(self) -> list[AlertRow]:
        return [a for a in self.alerts if not a.runbooks]

    def as_json(self) -> dict[str, Any]:
        def grouped(key: str, rows: tuple[tuple[str, Stats], ...]) -> list[dict[str, Any]]:
            return [{key: name, **stats.as_json()} for name, stats in rows]

        share = self.non_actionable_share
        return {
            "from": iso(self.start_at),
            "to": iso(self.end_at),
            "count": self.overall.count,
            **{k: v for k, v in self.overall.as_json().items() if k != "count"},
            "by_severity": grouped("severity", self.by_severity),
            "by_team": grouped("team", self.by_team),
            "by_service": grouped("service", self.by_service),
            "by_month": grouped("month", self.by_month),
            "load": [p.as_json() for p in self.load],
            "rotations": [r.as_json() for r in self.rotations],
            "alerts": [a.as_json() for a in self.alerts],
            "alerts_without_runbook": [a.alert for a in self.unanswered_alerts],
            "non_actionable": self.non_actionable,
            "non_actionable_share": None if share is None else round(share, 4),
            "postmortems_due": [
                {
                    "incident": r.incident.id,
                    "severity": r.incident.severity,
                    "due": iso(r.due_at),
                    "status": r.status,
                    "overdue": r.overdue,
                }
                for r in self.review
                if not r.done
            ],
            "incidents": [incident_json(i, self.review) for i in self.incidents],
        }


def incident_json(inc: Incident, review: Sequence[ReviewRow] = ()) -> dict[str, Any]:
    def opt(at: datetime | None) -> str | None:
        return iso(at) if at is not None else None

    return {
        "id": inc.id,
        "title": inc.title,
        "severity": inc.severity,
        "team": inc.team,
        "started": iso(inc.started_at),
        "detected": opt(inc.detected_at),
        "acknowledged": opt(inc.acknowledged_at),
        "mitigated": opt(inc.mitigated_at),
        "resolved": iso(inc.resolved_at),
        "tta_s": (
            int(elapsed(inc.started_at, inc.acknowledged_at).total_seconds())
            if inc.acknowledged_at
            else None
        ),
        "ttr_s": int(inc.length.total_seconds()),
        "responders": list(inc.responders),
        **{role: who for role, who in inc.roles},
        "alerts": list(inc.alerts),
        "actionable": inc.actionable,
        "services": list(inc.services),
    }


def _month(org: Org, at: datetime) -> str:
    return at.astimezone(org.settings.tz).strftime("%Y-%m")


def _group(
    incidents: Sequence[Incident], keys: Any, order: Sequence[str] | None = None
) -> tuple[tuple[str, Stats], ...]:
    groups: dict[str, list[Incident]] = defaultdict(list)
    for inc in incidents:
        for k in keys(inc):
            groups[k].append(inc)
    names = sorted(groups, key=lambda k: ((order.index(k) if order and k in order else 1e9), k))
    return tuple((k, compute_stats(groups[k])) for k in names)


def compute_incidents(
    org: Org,
    schedule: Schedule,
    start_at: datetime,
    end_at: datetime,
    now: datetime,
    team: str | None = None,
) -> IncidentReport:
    """The report over the incidents that started in [start_at, end_at) (of one team)."""
    incidents = tuple(
        i
        for i in org.incidents
        if start_at <= i.started_at < end_at and (team is None or i.team == team)
    )
    severity_order = [s.id for s in org.severities]
    team_order = list(org.teams)
    # interruptions: (incident, person) pairs
    per_person: dict[str, list[Incident]] = defaultdict(list)
    for inc in incidents:
        for who in inc.people:
            per_person[who].append(inc)
    shifts_by_person: dict[str, list[Shift]] = defaultdict(list)
    for s in schedule.shifts:
        if s.person is not None:
            shifts_by_person[s.person].append(s)
    load = []
    rot_counts: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(CLASSES, 0)
    )
    shift_pages: dict[tuple[str, str, str, datetime, datetime], list[datetime]] = defaultdict(list)
    for pid in sorted(per_person, key=lambda p: (-len(per_person[p]), p)):
        person = org.people[pid]
        counts = dict.fromkeys(CLASSES, 0)
        hours = dict.fromkeys(CLASSES, 0.0)
        on_holiday: list[tuple[str, str]] = []
        for inc in per_person[pid]:
            cls = page_class(org, person, inc.paged_at)
            counts[cls] += 1
            why = holiday_reason(org, person, inc.paged_at) if cls == "off_hours" else None
            if why is not None:
                on_holiday.append((inc.id, why))
            for k, v in hours_by_class(org, person, inc.started_at, inc.resolved_at).items():
                hours[k] += v
            seen: set[tuple[str, str, datetime]] = set()
            for s in shifts_by_person.get(pid, ()):
                if s.start_at <= inc.paged_at < s.end_at:
                    slot = (s.team, s.rotation, s.slot_start_at)
                    if slot in seen:
                        continue
                    seen.add(slot)
                    rot_counts[(s.team, s.rotation)][cls] += 1
                    key = (s.team, s.rotation, pid, s.slot_start_at, s.slot_end_at)
                    shift_pages[key].append(inc.paged_at)
        load.append(
            PersonLoad(
                pid,
                len(per_person[pid]),
                counts["business"],
                counts["off_hours"],
                counts["sleep"],
                hours,
                tuple(i.id for i in per_person[pid]),
                tuple(on_holiday),
            )
        )
    overloaded: dict[tuple[str, str], list[OverloadedShift]] = defaultdict(list)
    interrupted: dict[tuple[str, str], int] = defaultdict(int)
    for (t, r, pid, a, b), pages in sorted(shift_pages.items()):
        interrupted[(t, r)] += 1
        most = most_in_window(pages)
        if most > OVERLOAD_LIMIT:
            overloaded[(t, r)].append(OverloadedShift(t, r, pid, a, b, len(pages), most))
    rotations = []
    for rot in org.rotations():
        rkey = (rot.team, rot.id)
        if team is not None and rot.team != team:
            continue
        c = rot_counts.get(rkey, dict.fromkeys(CLASSES, 0))
        rotations.append(
            RotationLoad(
                rot.team,
                rot.id,
                sum(c.values()),
                c["business"],
                c["off_hours"],
                c["sleep"],
                interrupted.get(rkey, 0),
                tuple(overloaded.get(rkey, ())),
            )
        )
    runbooks_by_alert: dict[str, list[str]] = defaultdict(list)
    for rb in org.runbooks:
        for alert in rb.alerts:
            runbooks_by_alert[alert].append(rb.slug)
    alert_incidents: dict[str, list[Incident]] = defaultdict(list)
    for inc in incidents:
        for alert in inc.alerts:
            alert_incidents[alert].append(inc)
    alerts = sorted(
        (
            AlertRow(
                alert,
                len(incs),
                sum(1 for i in incs if i.actionable is False),
                tuple(sorted(runbooks_by_alert.get(alert, ()))),
            )
            for alert, incs in alert_incidents.items()
        ),
        key=lambda a: (-a.incidents, -a.non_actionable, a.alert.lower()),
    )
    ids = {i.id for i in incidents}
    return IncidentReport(
        start_at=start_at,
        end_at=end_at,
        incidents=incidents,
        overall=compute_stats(incidents),
        by_severity=_group(incidents, lambda i: [i.severity], severity_order),
        by_team=_group(incidents, lambda i: [i.team], team_order),
        by_service=_group(incidents, lambda i: list(i.services)),
        by_month=_group(incidents, lambda i: [_month(org, i.started_at)]),
        load=tuple(load),
        rotations=tuple(rotations),
        alerts=tuple(alerts),
        actionable_known=sum(1 for i in incidents if i.actionable is not None),
        non_actionable=sum(1 for i in incidents if i.actionable is False),
        review=tuple(r for r in review_status(org, now) if r.incident.id in ids),
    )


def incidents_window(org: Org, now: datetime) -> tuple[datetime, datetime]:
    """The default window of `rota incidents` and the site: settings.history up to now."""
    return now - org.settings.history, now
