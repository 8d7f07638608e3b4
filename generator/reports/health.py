"""Rotation health: what on call costs each member, and whether a rotation is big enough. Pure.

Computed over a window [start_at, end_at) from the resolved schedule (overrides and the
lock file's history included), per rotation and member:

- **share**: the member's hours on call for this rotation inside the window, divided by
  the hours of the window while they are a member (``from``/``until``, team-zone dates);
  **team_share**: the same for being on call for any rotation of the team, over the
  hours they are a member of any of them. Leave is not taken out of the denominator.
- **longest run**: the most on-call periods in a row across the team's rotations (being
  on call for any rotation of the team counts): a period is one shift a person holds
  (from its first to its last covered minute), and the next one continues the run when
  it starts before or when the previous one ends. Primary, then secondary, then primary
  on three weekly rotations is a run of three periods, 21 days.
- **shortest rest**: the shortest time off call between two runs, across the team's
  rotations (``None``: fewer than two runs in the window).
- **nights, weekends, holidays per year**: the hours on call for this rotation by class
  in the member's own zone and holiday region, as in fairness and pay (holiday beats
  weekend beats night), counted in whole nights (night hours ÷ the hours outside
  business hours of a weekday, 15 for 09:00–18:00) and days (weekend or holiday hours ÷
  24), and annualised: × (one year ÷ the member's hours in the window).
- **pages, sleep pages**: incidents of the team in the log that paged the member
  (``detected``, else ``started``) inside the window while they were on call for this
  rotation; ``sleep`` when the page came 22:00–08:00 in the member's own zone (the
  incident report's sleep hours, ``incidents.SLEEP_FROM``/``SLEEP_TO``).
  **most_pages_in_12h**: the most such pages within any 12 hours.

Per group of rotations that share members (a team's primary and secondary), **sizing**:
the covered hours a week of the group's rotations, the people who share them, the share
of time each would be on call if the load were spread evenly, and ``people_needed`` for
a share limit: always the ``google-sre`` reference below, and any further limits passed in
(a rotation's own ``max_on_call_share`` rule).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from generator.model import Member, Org, Rotation, Team
from generator.reports.incidents import SLEEP_FROM, SLEEP_TO, page_class
from generator.rules import (
    SRE_PAGES,
    SRE_SHARE,
    SRE_TEAM_PER_SITE,
    SRE_TEAM_SINGLE_SITE,
    effective_rules,
    rule_of,
)
from generator.schedule.loads import LoadModel
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import format_duration, iso, localize

# ---- the reference limits ------------------------------------------------------------
# Google's Site Reliability Engineering book, chapter 11 "Being On-Call" (Andrea Spadaccini,
# ed. Kavita Guliani; Beyer, Jones, Petoff and Murphy, O'Reilly 2016),
# https://sre.google/sre-book/being-on-call/ :
# "at least 50% of each SRE's time should be spent on engineering ... Of the remainder,
# no more than 25% can be spent on-call"; "Assuming that there are always two people
# on-call (primary and secondary, with different duties), the minimum number of engineers
# needed for on-call duty from a single-site team is eight ... If there are two sites, a
# reasonable minimum size of each team is six"; "We've found that on average, dealing
# with the tasks involved in an on-call incident ... takes 6 hours ... it follows that
# the maximum number of incidents per day is 2 per 12-hour on-call shift."
SRE_NAME = "google-sre"
SRE_SOURCE = (
    'Site Reliability Engineering (O\'Reilly, 2016), chapter 11 "Being On-Call", '
    "https://sre.google/sre-book/being-on-call/"
)
# the numbers are the `google-sre` pack's (generator.rules): one definition
SRE_MAX_ON_CALL_SHARE = SRE_SHARE  # of an engineer's time
SRE_MIN_ENGINEERS_SINGLE_SITE = SRE_TEAM_SINGLE_SITE  # 24/7, primary and secondary, one site
SRE_MIN_ENGINEERS_PER_SITE_TWO_SITES = SRE_TEAM_PER_SITE  # the same across two sites
SRE_MAX_INCIDENTS_PER_12H_SHIFT = SRE_PAGES
SRE_INCIDENT_SHIFT = timedelta(hours=12)

HOURS_PER_WEEK = 168.0
HOURS_PER_YEAR = 365.2425 * 24


def people_needed(on_call_hours_per_week_total: float, limit: float) -> int:
    """The fewest people who can cover ``on_call_hours_per_week_total`` (the covered hours
    a week of every rotation they share, two 24/7 rotations: 336) with nobody on call
    more than ``limit`` of their time: ceil(total / (limit × 168)).

    >>> people_needed(336, 0.25)  # primary and secondary, 24/7: the SRE book's eight
    8
    >>> people_needed(168, 0.25)
    4
    >>> people_needed(45, 0.25)  # business hours only, 09:00-18:00 Monday to Friday
    2
    """
    if limit <= 0:
        raise ValueError("the share limit must be above 0")
    if on_call_hours_per_week_total <= 0:
        return 0
    # a hair under an exact multiple is that multiple (float sums of hours)
    return math.ceil(on_call_hours_per_week_total / (limit * HOURS_PER_WEEK) - 1e-9)


@dataclass(frozen=True)
class Run:
    """Consecutive on-call periods of one person across a team's rotations."""

    periods: int
    start_at: datetime
    end_at: datetime
    rotations: tuple[str, ...]  # the rotation of each period, in order

    @property
    def hours(self) -> float:
        return (self.end_at - self.start_at).total_seconds() / 3600

    def as_json(self) -> dict[str, Any]:
        return {
            "periods": self.periods,
            "hours": round(self.hours, 2),
            "start": iso(self.start_at),
            "end": iso(self.end_at),
            "rotations": list(self.rotations),
        }


@dataclass(frozen=True)
class MemberHealth:
    person: str
    on_call_hours: float  # this rotation, inside the window
    share: float  # of the hours they are a member of this rotation
    team_share: float  # on call for any of the team's rotations
    longest_run: Run | None  # across the team's rotations
    shortest_rest_hours: float | None  # across the team's rotations
    shortest_rest_from: datetime | None  # the end of the period before that rest
    night_hours: float
    weekend_hours: float
    holiday_hours: float
    nights_per_year: float
    weekends_per_year: float  # weekend days
    holidays_per_year: float  # holiday days
    pages: int
    sleep_pages: int
    most_pages_in_12h: int

    @property
    def over_share(self) -> bool:
        return self.team_share > SRE_MAX_ON_CALL_SHARE + 1e-9

    @property
    def over_pages(self) -> bool:
        return self.most_pages_in_12h > SRE_MAX_INCIDENTS_PER_12H_SHIFT

    def as_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "on_call_hours": self.on_call_hours,
            "share": self.share,
            "team_share": self.team_share,
            "longest_run": self.longest_run.as_json() if self.longest_run else None,
            "shortest_rest_hours": self.shortest_rest_hours,
            "shortest_rest_from": iso(self.shortest_rest_from) if self.shortest_rest_from else None,
            "night_hours": self.night_hours,
            "weekend_hours": self.weekend_hours,
            "holiday_hours": self.holiday_hours,
            "nights_per_year": self.nights_per_year,
            "weekends_per_year": self.weekends_per_year,
            "holidays_per_year": self.holidays_per_year,
            "pages": self.pages,
            "sleep_pages": self.sleep_pages,
            "most_pages_in_12h": self.most_pages_in_12h,
        }


@dataclass(frozen=True)
class RotationHealth:
    team: str
    rotation: str
    members: tuple[MemberHealth, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "rotation": self.rotation,
            "members": [m.as_json() for m in self.members],
        }


@dataclass(frozen=True)
class LimitCheck:
    """Is a group of rotations big enough for one share limit?"""

    name: str  # google-sre, or where the limit comes from
    max_on_call_share: float
    people_needed: int
    enough: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "max_on_call_share": self.max_on_call_share,
            "people_needed": self.people_needed,
            "enough": self.enough,
        }


@dataclass(frozen=True)
class Sizing:
    """Rotations of a team that share members, and whether they have people enough."""

    team: str
    rotations: tuple[str, ...]
    label: str  # "Payments Primary + Secondary"
    people: int
    on_call_hours_per_week: float  # covered hours a week, summed over the rotations
    pattern: str  # "24/7 weekly", "45 h a week daily"
    share_each: float  # on_call_hours_per_week / (people × 168)
    limits: tuple[LimitCheck, ...]

    @property
    def summary(self) -> str:
        """ "Payments Primary + Secondary, 6 people, 24/7 weekly: each on call 33 % of the
        time; google-sre asks ≤ 25 %: 8 people"."""
        head = (
            f"{self.label}, {self.people} {'person' if self.people == 1 else 'people'}, "
            f"{self.pattern}: each on call {percent(self.share_each)} of the time"
        )
        asks = [
            f"{c.name} asks ≤ {percent(c.max_on_call_share)}: {c.people_needed} "
            f"{'person' if c.people_needed == 1 else 'people'}"
            + ("" if c.enough else f" ({c.people_needed - self.people} more)")
            for c in self.limits
        ]
        return "; ".join([head, *asks])

    @property
    def enough(self) -> bool:
        return all(c.enough for c in self.limits)

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "rotations": list(self.rotations),
            "label": self.label,
            "people": self.people,
            "on_call_hours_per_week": self.on_call_hours_per_week,
            "pattern": self.pattern,
            "share_each": self.share_each,
            "enough": self.enough,
            "summary": self.summary,
            "limits": [c.as_json() for c in self.limits],
        }


@dataclass(frozen=True)
class TeamHealth:
    team: str
    sizing: tuple[Sizing, ...]
    rotations: tuple[RotationHealth, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "sizing": [s.as_json() for s in self.sizing],
            "rotations": [r.as_json() for r in self.rotations],
        }


@dataclass(frozen=True)
class HealthReport:
    start_at: datetime
    end_at: datetime
    teams: tuple[TeamHealth, ...]
    extra_limits: dict[str, float] = field(default_factory=dict)

    def team(self, team_id: str) -> TeamHealth | None:
        return next((t for t in self.teams if t.team == team_id), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "from": iso(self.start_at),
            "to": iso(self.end_at),
            "reference": reference_json(),
            "sleep_hours": {"from": _clock(SLEEP_FROM), "to": _clock(SLEEP_TO)},
            "teams": [t.as_json() for t in self.teams],
        }


def reference_json() -> dict[str, Any]:
    return {
        "name": SRE_NAME,
        "source": SRE_SOURCE,
        "max_on_call_share": SRE_MAX_ON_CALL_SHARE,
        "min_engineers_single_site": SRE_MIN_ENGINEERS_SINGLE_SITE,
        "min_engineers_per_site_two_sites": SRE_MIN_ENGINEERS_PER_SITE_TWO_SITES,
        "max_incidents_per_12h_shift": SRE_MAX_INCIDENTS_PER_12H_SHIFT,
    }


def percent(share: float) -> str:
    """0.3333 → "33 %" (SI style, with a space)."""
    return f"{round(share * 100)} %"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ---- computing ------------------------------------------------------------------------


Interval = tuple[datetime, datetime]


def compute_health(
    org: Org,
    schedule: Schedule,
    start_at: datetime,
    end_at: datetime,
    limits: Mapping[str, float] | None = None,
    loads: LoadModel | None = None,
) -> HealthReport:
    """Every team's rotation health over [start_at, end_at).

    ``limits``: further share limits by name (checked after ``google-sre``).
    ``schedule`` must cover the window (``compute_schedule(org, start_at, end_at)``).
    ``loads``: a load model shared with the other reports of the organisation.
    """
    loads = loads or LoadModel(org)
    by_team: dict[str, list[Shift]] = defaultdict(list)
    for s in schedule.shifts:
        if s.person is not None and s.start_at < end_at and start_at < s.end_at:
            by_team[s.team].append(s)
    teams = []
    for team in org.teams.values():
        shifts = sorted(by_team.get(team.id, ()), key=lambda s: (s.start_at, s.rotation))
        teams.append(
            _team_health(org, loads, schedule, team, shifts, start_at, end_at, limits or {})
        )
    return HealthReport(start_at, end_at, tuple(teams), dict(limits or {}))


def _team_health(
    org: Org,
    loads: LoadModel,
    schedule: Schedule,
    team: Team,
    shifts: list[Shift],
    start_at: datetime,
    end_at: datetime,
    limits: Mapping[str, float],
) -> TeamHealth:
    mine: dict[str, list[Shift]] = defaultdict(list)
    for s in shifts:
        assert s.person is not None
        mine[s.person].append(s)
    runs = {p: on_call_runs(ss) for p, ss in mine.items()}
    team_span: dict[str, list[Interval]] = defaultdict(list)
    for rotation in team.rotations:
        for m in rotation.members:
            span = member_span(team, m, start_at, end_at)
            if span is not None:
                team_span[m.person].append(span)
    rotations = []
    for rotation in team.rotations:
        rows = []
        for pid in dict.fromkeys(m.person for m in rotation.members):
            spans = [
                got
                for m in rotation.members
                if m.person == pid and (got := member_span(team, m, start_at, end_at))
            ]
            if not spans or pid not in org.people:
                continue
            rows.append(
                _member_health(
                    org,
                    loads,
                    team,
                    rotation,
                    pid,
                    mine.get(pid, []),
                    runs.get(pid, []),
                    spans,
                    team_span[pid],
                    start_at,
                    end_at,
                )
            )
        rotations.append(RotationHealth(team.id, rotation.id, tuple(rows)))
    sizing = tuple(
        _sizing(org, schedule, team, group, start_at, end_at, {**limits, **_rule_limits(org, team)})
        for group in rotation_groups(team)
    )
    return TeamHealth(team.id, sizing, tuple(rotations))


def _rule_limits(org: Org, team: Team) -> dict[str, float]:
    """The team's own ``max_on_call_share`` rules (``rules:`` at any level), named by
    where they apply; the ``google-sre`` pack's is the reference shown anyway."""
    out: dict[str, float] = {}
    for rotation in team.rotations:
        rule = rule_of(effective_rules(org, team, rotation), "max_on_call_share")
        if rule is None or rule.pack == SRE_NAME or not isinstance(rule.limit, float):
            continue
        out.setdefault(f"rules ({rule.scope})", rule.limit)
    return out


def member_span(
    team: Team, member: Member, start_at: datetime, end_at: datetime
) -> Interval | None:
    """The part of [start_at, end_at) in which ``member`` belongs to the rotation (its
    ``from``/``until`` are inclusive team-zone dates), or None."""
    lo, hi = start_at, end_at
    if member.from_on is not None:
        lo = max(lo, localize(datetime.combine(member.from_on, time()), team.tz))
    if member.until_on is not None:
        until = localize(datetime.combine(member.until_on + timedelta(days=1), time()), team.tz)
        hi = min(hi, until)
    return (lo, hi) if lo < hi else None


def union_hours(intervals: Iterable[Interval]) -> float:
    """Hours covered by the union of the intervals."""
    total, cur_lo, cur_hi = 0.0, None, None
    for lo, hi in sorted(intervals):
        if cur_hi is None or lo > cur_hi:
            if cur_hi is not None and cur_lo is not None:
                total += (cur_hi - cur_lo).total_seconds()
            cur_lo, cur_hi = lo, hi
        elif hi > cur_hi:
            cur_hi = hi
    if cur_hi is not None and cur_lo is not None:
        total += (cur_hi - cur_lo).total_seconds()
    return total / 3600


def _clip(intervals: Iterable[Interval], start_at: datetime, end_at: datetime) -> list[Interval]:
    return [
        (max(lo, start_at), min(hi, end_at))
        for lo, hi in intervals
        if lo < end_at and start_at < hi
    ]


def on_call_runs(shifts: list[Shift]) -> list[Run]:
    """A person's runs of consecutive periods across a team's rotations, in order.

    A period is a shift the person holds, one slot of one rotation, from its first to its
    last covered minute; the next period continues the run when it starts no later than
    the run's end."""
    spans: dict[tuple[str, datetime], list[datetime]] = {}
    for s in shifts:
        key = (s.rotation, s.slot_start_at)
        got = spans.get(key)
        if got is None:
            spans[key] = [s.start_at, s.end_at]
        else:
            got[0], got[1] = min(got[0], s.start_at), max(got[1], s.end_at)
    periods = sorted((lo, hi, rot) for (rot, _), (lo, hi) in spans.items())
    runs: list[Run] = []
    for lo, hi, rot in periods:
        if runs and lo <= runs[-1].end_at:
            last = runs[-1]
            runs[-1] = Run(
                last.periods + 1, last.start_at, max(last.end_at, hi), (*last.rotations, rot)
            )
        else:
            runs.append(Run(1, lo, hi, (rot,)))
    return runs


def _member_health(
    org: Org,
    loads: LoadModel,
    team: Team,
    rotation: Rotation,
    pid: str,
    team_shifts: list[Shift],
    runs: list[Run],
    spans: list[Interval],
    team_spans: list[Interval],
    start_at: datetime,
    end_at: datetime,
) -> MemberHealth:
    person = org.people[pid]
    own = [s for s in team_shifts if s.rotation == rotation.id]
    windows = _clip(((s.start_at, s.end_at) for s in own), start_at, end_at)
    hours = union_hours(windows)
    member_hours = union_hours(spans)
    team_member_hours = union_hours(team_spans)
    team_hours = union_hours(_clip(((s.start_at, s.end_at) for s in team_shifts), start_at, end_at))
    _, night, weekend, holiday = loads.vector(person, windows)
    s = org.settings
    night_length = 24 - (s.business_to - s.business_from) / 60 or 24.0
    per_year = HOURS_PER_YEAR / member_hours if member_hours > 0 else 0.0
    longest = max(runs, key=lambda r: (r.periods, r.hours), default=None) if runs else None
    rest: float | None = None
    rest_from: datetime | None = None
    for a, b in itertools.pairwise(runs):
        gap = (b.start_at - a.end_at).total_seconds() / 3600
        if rest is None or gap < rest:
            rest, rest_from = gap, a.end_at
    paged = _pages(org, team, pid, own, start_at, end_at)
    sleep = sum(1 for at in paged if page_class(org, person, at) == "sleep")
    return MemberHealth(
        person=pid,
        on_call_hours=round(hours, 2),
        share=round(hours / member_hours, 4) if member_hours else 0.0,
        team_share=round(team_hours / team_member_hours, 4) if team_member_hours else 0.0,
        longest_run=longest,
        shortest_rest_hours=round(rest, 2) if rest is not None else None,
        shortest_rest_from=rest_from,
        night_hours=round(night, 2),
        weekend_hours=round(weekend, 2),
        holiday_hours=round(holiday, 2),
        nights_per_year=round(night / night_length * per_year, 1),
        weekends_per_year=round(weekend / 24 * per_year, 1),
        holidays_per_year=round(holiday / 24 * per_year, 1),
        pages=len(paged),
        sleep_pages=sleep,
        most_pages_in_12h=most_within(paged, SRE_INCIDENT_SHIFT),
    )


def _pages(
    org: Org, team: Team, pid: str, own: list[Shift], start_at: datetime, end_at: datetime
) -> list[datetime]:
    """When the team's incidents paged ``pid`` inside the window while they were on call
    for the rotation of ``own``, in order."""
    out = []
    for inc in org.incidents:
        at = inc.paged_at
        if inc.team != team.id or pid not in inc.people or not start_at <= at < end_at:
            continue
        if any(s.start_at <= at < s.end_at for s in own):
            out.append(at)
    return sorted(out)


def most_within(instants: list[datetime], length: timedelta) -> int:
    """The most instants inside any half-open window of ``length``."""
    best, lo = 0, 0
    for hi, at in enumerate(instants):
        while at - instants[lo] >= length:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def rotation_groups(team: Team) -> list[list[Rotation]]:
    """The team's rotations grouped by shared members (primary and secondary drawn from
    one pool are one group), in the team's order."""
    parent = list(range(len(team.rotations)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of: dict[str, int] = {}
    for i, rotation in enumerate(team.rotations):
        for m in rotation.members:
            j = first_of.setdefault(m.person, i)
            parent[find(i)] = find(j)
    groups: dict[int, list[Rotation]] = {}
    for i, rotation in enumerate(team.rotations):
        groups.setdefault(find(i), []).append(rotation)
    return list(groups.values())


def _sizing(
    org: Org,
    schedule: Schedule,
    team: Team,
    group: list[Rotation],
    start_at: datetime,
    end_at: datetime,
    limits: Mapping[str, float],
) -> Sizing:
    per_week = 0.0
    for rotation in group:
        slots = [
            sl
            for sl in schedule.slots.get(rotation.key, ())
            if sl.start_at < end_at and start_at < sl.end_at
        ]
        if not slots:
            continue
        lo, hi = max(slots[0].start_at, start_at), min(slots[-1].end_at, end_at)
        weeks = (hi - lo).total_seconds() / 3600 / HOURS_PER_WEEK
        covered = union_hours(_clip((w for sl in slots for w in sl.windows), lo, hi))
        per_week += covered / weeks if weeks > 0 else 0.0
    people = len(
        {
            m.person
            for r in group
            for m in r.members
            if member_span(team, m, start_at, end_at) is not None
        }
    )
    share_each = per_week / (people * HOURS_PER_WEEK) if people else 0.0
    checks = [(SRE_NAME, SRE_MAX_ON_CALL_SHARE), *limits.items()]
    return Sizing(
        team=team.id,
        rotations=tuple(r.id for r in group),
        label=f"{team.name} {' + '.join(r.name for r in group)}",
        people=people,
        on_call_hours_per_week=round(per_week, 2),
        pattern=pattern(group, per_week),
        share_each=round(share_each, 4),
        limits=tuple(
            LimitCheck(name, limit, n := people_needed(per_week, limit), people >= n)
            for name, limit in checks
        ),
    )


def pattern(group: list[Rotation], per_week: float) -> str:
    """ "24/7 weekly", "45 h a week daily", "24/7 weekly and daily"."""
    cover = (
        "24/7"
        if all(not r.coverage for r in group)
        else f"{per_week / len(group):.0f} h a week each"
        if len(group) > 1
        else f"{per_week:.0f} h a week"
    )
    cadences = list(dict.fromkeys(_cadence(r.shift) for r in group))
    return f"{cover} {' and '.join(cadences)}"


def _cadence(shift: timedelta) -> str:
    if shift == timedelta(weeks=1):
        return "weekly"
    if shift == timedelta(days=1):
        return "daily"
    if shift == timedelta(weeks=2):
        return "fortnightly"
    return f"every {format_duration(shift)}"


__all__ = [
    "SRE_MAX_INCIDENTS_PER_12H_SHIFT",
    "SRE_MAX_ON_CALL_SHARE",
    "SRE_MIN_ENGINEERS_PER_SITE_TWO_SITES",
    "SRE_MIN_ENGINEERS_SINGLE_SITE",
    "SRE_NAME",
    "SRE_SOURCE",
    "HealthReport",
    "LimitCheck",
    "MemberHealth",
    "RotationHealth",
    "Run",
    "Sizing",
    "TeamHealth",
    "compute_health",
    "most_within",
    "on_call_runs",
    "people_needed",
    "rotation_groups",
    "select",
]


def select(report: HealthReport, team: str | None, rotation: str | None) -> HealthReport:
    """The report of one team (and one rotation of it, with the sizing of its group)."""
    from dataclasses import replace

    teams = []
    for t in report.teams:
        if team is not None and t.team != team:
            continue
        if rotation is not None:
            t = replace(
                t,
                sizing=tuple(s for s in t.sizing if rotation in s.rotations),
                rotations=tuple(r for r in t.rotations if r.rotation == rotation),
            )
        teams.append(t)
    return replace(report, teams=tuple(teams))
