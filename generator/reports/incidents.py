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
  interruptions (the SRE book's ceiling of two incidents per 12-hour shift);
- MTTD (time to detect) = detected − started, over the incidents that record
  ``detected``; time to mitigate = mitigated − started, over the incidents that record
  ``mitigated``; same median, p95 and mean as MTTA;
- an incident paged nobody-acknowledged when it records paging (``alerts`` or
  ``actionable``), had responders and has no ``acknowledged``;
- over the whole log (not only the window): the monthly trend, time to postmortem per
  severity and late reviews (``generator.reviews``), and repeats: incidents joined by
  ``related`` or sharing an alert or a service with starts at most 30 days apart, joined
  transitively; a group is listed when one of its incidents started in the window.
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
from generator.reviews import ReviewRow, paged_unacknowledged, review_status
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import elapsed, holiday_name, iso, localize

SLEEP_FROM = 22 * 60  # minutes after local midnight
SLEEP_TO = 8 * 60
OVERLOAD_WINDOW = timedelta(hours=12)
OVERLOAD_LIMIT = 2  # more than this many interruptions in OVERLOAD_WINDOW is overload
REPEAT_WINDOW = timedelta(days=30)  # same alert or service this close: a repeat
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
    detected: int = 0  # incidents that record `detected` (MTTD's sample)
    mttd_median_s: int | None = None
    mttd_p95_s: int | None = None
    mttd_mean_s: int | None = None
    mitigated: int = 0  # incidents that record `mitigated` (time to mitigate's sample)
    ttm_median_s: int | None = None
    ttm_p95_s: int | None = None
    ttm_mean_s: int | None = None

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
            "detected": self.detected,
            "mttd_median_s": self.mttd_median_s,
            "mttd_p95_s": self.mttd_p95_s,
            "mttd_mean_s": self.mttd_mean_s,
            "mitigated": self.mitigated,
            "ttm_median_s": self.ttm_median_s,
            "ttm_p95_s": self.ttm_p95_s,
            "ttm_mean_s": self.ttm_mean_s,
        }


def compute_stats(incidents: Sequence[Incident]) -> Stats:
    tta = [
        elapsed(i.started_at, i.acknowledged_at).total_seconds()
        for i in incidents
        if i.acknowledged_at is not None
    ]
    ttr = [i.length.total_seconds() for i in incidents]
    ttd = [
        elapsed(i.started_at, i.detected_at).total_seconds()
        for i in incidents
        if i.detected_at is not None
    ]
    ttm = [
        elapsed(i.started_at, i.mitigated_at).total_seconds()
        for i in incidents
        if i.mitigated_at is not None
    ]

    def three(values: list[float]) -> tuple[int | None, int | None, int | None]:
        if not values:
            return None, None, None
        return (
            _round(statistics.median(values)),
            _round(nearest_rank(values, 0.95)),
            _round(statistics.fmean(values)),
        )

    a, r, d, m = three(tta), three(ttr), three(ttd), three(ttm)
    return Stats(len(incidents), len(tta), *a, *r, len(ttd), *d, len(ttm), *m)


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
class TrendRow:
    """One calendar month (settings.timezone) of the whole log."""

    month: str
    count: int
    mttr_median_s: int | None
    sleep_pages: int  # interruptions (incident × person) paged 22:00–08:00 in their zone

    def as_json(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "count": self.count,
            "mttr_median_s": self.mttr_median_s,
            "sleep_pages": self.sleep_pages,
        }


@dataclass(frozen=True)
class PostmortemTiming:
    """Time to postmortem of one severity: resolved date → reviewed date, in days."""

    severity: str
    count: int  # reviewed postmortems with a date
    median_days: float | None
    p95_days: int | None
    late: int  # reviewed after the deadline
    allowed_days: int

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "count": self.count,
            "median_days": self.median_days,
            "p95_days": self.p95_days,
            "late": self.late,
            "allowed_days": self.allowed_days,
        }


@dataclass(frozen=True)
class RepeatGroup:
    """Incidents of one cause: joined by `related`, or a shared alert or service with
    starts at most REPEAT_WINDOW apart (transitively)."""

    incidents: tuple[Incident, ...]  # by start
    alerts: tuple[str, ...]  # alerts shared by two or more of them
    services: tuple[str, ...]  # services shared by two or more of them
    related: bool  # some of them are joined by `related`

    @property
    def total(self) -> timedelta:
        return sum((i.length for i in self.incidents), timedelta())

    def as_json(self) -> dict[str, Any]:
        return {
            "incidents": [i.id for i in self.incidents],
            "first": iso(self.incidents[0].started_at),
            "last": iso(self.incidents[-1].started_at),
            "alerts": list(self.alerts),
            "services": list(self.services),
            "related": self.related,
            "total_s": int(self.total.total_seconds()),
        }


def review_late_json(r: ReviewRow) -> dict[str, Any]:
    return {
        "incident": r.incident.id,
        "severity": r.incident.severity,
        "resolved": iso(r.incident.resolved_at),
        "due": iso(r.due_at),
        "reviewed": r.reviewed_on.isoformat() if r.reviewed_on else None,
        "days": r.days_to_review,
        "allowed_days": r.allowed_days,
        "status": r.status,
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
    unacknowledged: tuple[Incident, ...] = ()  # in the window
    # over the whole log (of the team)
    trend: tuple[TrendRow, ...] = ()
    time_to_postmortem: tuple[PostmortemTiming, ...] = ()
    late_reviews: tuple[ReviewRow, ...] = ()  # reviewed late, or overdue and not reviewed
    repeats: tuple[RepeatGroup, ...] = ()

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
            "unacknowledged": [
                {
                    "incident": i.id,
                    "severity": i.severity,
                    "team": i.team,
                    "started": iso(i.started_at),
                    "responders": list(i.people),
                }
                for i in self.unacknowledged
            ],
            "trend": [t.as_json() for t in self.trend],
            "time_to_postmortem": [t.as_json() for t in self.time_to_postmortem],
            "late_reviews": [review_late_json(r) for r in self.late_reviews],
            "repeats": [g.as_json() for g in self.repeats],
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
        "related": list(inc.related),
        "ttd_s": (
            int(elapsed(inc.started_at, inc.detected_at).total_seconds())
            if inc.detected_at
            else None
        ),
        "ttm_s": (
            int(elapsed(inc.started_at, inc.mitigated_at).total_seconds())
            if inc.mitigated_at
            else None
        ),
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
    whole = tuple(i for i in org.incidents if team is None or i.team == team)
    reviews = review_status(org, now)
    whole_ids = {i.id for i in whole}
    whole_reviews = [r for r in reviews if r.incident.id in whole_ids]
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
        review=tuple(r for r in reviews if r.incident.id in ids),
        unacknowledged=tuple(i for i in incidents if paged_unacknowledged(i)),
        trend=compute_trend(org, whole),
        time_to_postmortem=postmortem_timing(whole_reviews, severity_order),
        late_reviews=tuple(r for r in whole_reviews if r.late_or_overdue),
        repeats=tuple(g for g in find_repeats(whole) if any(i.id in ids for i in g.incidents)),
    )


def compute_trend(org: Org, incidents: Sequence[Incident]) -> tuple[TrendRow, ...]:
    """Every month from the first incident's to the last's (empty months too)."""
    if not incidents:
        return ()
    by_month: dict[str, list[Incident]] = defaultdict(list)
    for inc in incidents:
        by_month[_month(org, inc.started_at)].append(inc)
    first, last = min(by_month), max(by_month)
    year, month = int(first[:4]), int(first[5:])
    rows = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        incs = by_month.get(key, [])
        ttr = [i.length.total_seconds() for i in incs]
        sleep = sum(
            1
            for i in incs
            for who in i.people
            if page_class(org, org.people[who], i.paged_at) == "sleep"
        )
        rows.append(
            TrendRow(key, len(incs), _round(statistics.median(ttr)) if ttr else None, sleep)
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(rows)


def postmortem_timing(
    reviews: Sequence[ReviewRow], order: Sequence[str]
) -> tuple[PostmortemTiming, ...]:
    """Per severity that needs a postmortem: days from resolved to reviewed."""
    by_sev: dict[str, list[ReviewRow]] = defaultdict(list)
    for r in reviews:
        by_sev[r.incident.severity].append(r)
    out = []
    for sev in sorted(by_sev, key=lambda k: ((order.index(k) if k in order else 1e9), k)):
        rows = by_sev[sev]
        days = [r.days_to_review for r in rows if r.days_to_review is not None]
        out.append(
            PostmortemTiming(
                sev,
                len(days),
                float(statistics.median(days)) if days else None,
                int(nearest_rank(days, 0.95)) if days else None,
                sum(1 for r in rows if r.late),
                rows[0].allowed_days,
            )
        )
    return tuple(out)


def _shared(lists: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The values found in two or more of the lists, sorted."""
    seen: dict[str, int] = defaultdict(int)
    for values in lists:
        for v in set(values):
            seen[v] += 1
    return tuple(sorted(v for v, c in seen.items() if c > 1))


def find_repeats(incidents: Sequence[Incident]) -> list[RepeatGroup]:
    """Groups of two or more incidents of one cause, oldest group first."""
    parent = {i.id: i.id for i in incidents}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    linked: set[str] = set()
    for inc in incidents:
        for other in inc.related:
            if other in parent:
                join(inc.id, other)
                linked.update((inc.id, other))
    ordered = sorted(incidents, key=lambda i: (i.started_at, i.id))
    for n, a in enumerate(ordered):
        for b in ordered[n + 1 :]:
            if b.started_at - a.started_at > REPEAT_WINDOW:
                break
            if set(a.alerts) & set(b.alerts) or set(a.services) & set(b.services):
                join(a.id, b.id)
    groups: dict[str, list[Incident]] = defaultdict(list)
    for inc in ordered:
        groups[root(inc.id)].append(inc)
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue

        out.append(
            RepeatGroup(
                tuple(members),
                _shared([m.alerts for m in members]),
                _shared([m.services for m in members]),
                any(m.id in linked for m in members),
            )
        )
    out.sort(key=lambda g: (g.incidents[0].started_at, g.incidents[0].id))
    return out


def incidents_window(org: Org, now: datetime) -> tuple[datetime, datetime]:
    """The default window of `rota incidents` and the site: settings.history up to now."""
    return now - org.settings.history, now
