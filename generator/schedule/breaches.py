"""Every breach of the on-call rules (``generator.rules``) in a schedule and the
incident log. Pure.

``validate`` reports each as a warning located at the rule that is broken (its
line under ``rules:``, or the rotation's ``min_rest:``); the team page lists them;
the person page shows a person's runs and rests (``rest_summary``).

What a person's time on call for a team is: the shifts they hold in any of the
team's rotations, the covered part only (as the planner measures them: a
business-hours rotation rests every night). Rest is the time between two such
periods of different shifts; a run is a chain of periods that touch.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from generator.errors import Diagnostic
from generator.model import Org, Rule, Team
from generator.rules import describe, effective_rules
from generator.schedule.limits import nights, saturdays
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import zone

TOUCH = timedelta(seconds=1)  # periods this close are back to back


@dataclass(frozen=True)
class Breach:
    rule: Rule
    team: str
    person: str
    start_at: datetime
    end_at: datetime
    detail: str  # what happened, in words

    def message(self, org: Org) -> str:
        name = org.people[self.person].name if self.person in org.people else self.person
        return f"{name} ({self.team}): {self.detail}; {describe(self.rule)}"


@dataclass(frozen=True)
class Period:
    start_at: datetime
    end_at: datetime
    rotation: str
    slot: tuple[str, int]  # (rotation, slot index): windows of one slot are one period


def team_periods(
    schedule: Schedule, team: str, shifts: Iterable[Shift] | None = None
) -> dict[str, list[Period]]:
    """Each person's on-call periods for the team (their covered shifts), sorted
    (see the module notes); ``shifts``: the schedule's shifts of the team, if known."""
    out: dict[str, list[Period]] = defaultdict(list)
    for s in schedule.shifts if shifts is None else shifts:
        if s.team != team or s.person is None:
            continue
        out[s.person].append(Period(s.start_at, s.end_at, s.rotation, (s.rotation, s.slot_index)))
    for periods in out.values():
        periods.sort(key=lambda p: (p.start_at, p.rotation))
    return out


def runs(periods: list[Period]) -> list[list[Period]]:
    """The chains of back-to-back periods."""
    out: list[list[Period]] = []
    for p in periods:
        if out and p.start_at - max(q.end_at for q in out[-1]) <= TOUCH:
            out[-1].append(p)
        else:
            out.append([p])
    return out


def _short(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%a %d %b %Y %H:%M")


def find_breaches(org: Org, schedule: Schedule) -> list[Breach]:
    """Every breach in the schedule's window, rule by rule, team by team."""
    out: list[Breach] = []
    by_team: dict[str, list[Shift]] = defaultdict(list)
    for s in schedule.shifts:
        if s.person is not None:
            by_team[s.team].append(s)
    for team in org.teams.values():
        tz = team.tz
        # each rule, and the rotations it holds for
        holders: dict[Rule, set[str]] = defaultdict(set)
        for r in team.rotations:
            for rule in effective_rules(org, team, r):
                holders[rule].add(r.id)
        if not holders:
            continue
        periods = team_periods(schedule, team.id, by_team.get(team.id, []))
        members = {r.id: {m.person for m in r.members} for r in team.rotations}
        for rule, rotation_ids in holders.items():
            people = set().union(*(members[r] for r in rotation_ids))
            for person in sorted(periods):
                mine = periods[person]
                if rule.name == "min_rest":
                    out += _rest(rule, rotation_ids, team.id, person, mine, tz)
                elif rule.name == "max_consecutive":
                    out += _consecutive(rule, rotation_ids, team.id, person, mine, tz)
                elif person not in people:
                    continue
                elif rule.name == "max_on_call_share":
                    out += _share(rule, team.id, person, mine, schedule, tz)
                elif rule.name == "max_nights_per_week":
                    out += _nights(org, rule, team.id, person, mine)
                elif rule.name == "no_consecutive_weekends":
                    out += _weekends(org, rule, team.id, person, mine)
            if rule.name == "max_pages_per_shift":
                out += _pages(org, rule, team.id, people, periods, schedule, tz)
    out.sort(key=lambda b: (b.team, b.start_at, b.person, b.rule.name))
    return out


def _rest(
    rule: Rule, rotations: set[str], team: str, person: str, mine: list[Period], tz: ZoneInfo
) -> list[Breach]:
    out = []
    assert isinstance(rule.limit, timedelta)
    for a, b in itertools.pairwise(mine):
        if a.rotation not in rotations and b.rotation not in rotations:
            continue
        if a.slot == b.slot:
            continue  # (the windows of one shift)
        gap = b.start_at - a.end_at
        if gap < rule.limit:
            rest = "no rest" if gap <= TOUCH else f"{_hours(gap)} of rest"
            out.append(
                Breach(
                    rule,
                    team,
                    person,
                    a.start_at,
                    b.end_at,
                    f"{rest} between {a.rotation} ending {_short(a.end_at, tz)} and "
                    f"{b.rotation} from {_short(b.start_at, tz)}",
                )
            )
    return out


def _consecutive(
    rule: Rule, rotations: set[str], team: str, person: str, mine: list[Period], tz: ZoneInfo
) -> list[Breach]:
    out = []
    assert isinstance(rule.limit, timedelta)
    for chain in runs(mine):
        if not any(p.rotation in rotations for p in chain):
            continue
        start, end = chain[0].start_at, max(p.end_at for p in chain)
        if end - start > rule.limit + TOUCH:
            out.append(
                Breach(
                    rule,
                    team,
                    person,
                    start,
                    end,
                    f"on call {_span(end - start)} running ({len(chain)} periods: "
                    f"{', '.join(p.rotation for p in chain)}) from {_short(start, tz)}",
                )
            )
    return out


def _share(
    rule: Rule, team: str, person: str, mine: list[Period], schedule: Schedule, tz: ZoneInfo
) -> list[Breach]:
    """The worst window ending at one of the person's periods' ends, if above the
    limit even without that period."""
    window = rule.window or timedelta(weeks=13)
    assert isinstance(rule.limit, float | int)
    worst: tuple[float, datetime] | None = None
    for p in mine:
        end = p.end_at
        begin = end - window
        if begin < schedule.start_at or end > schedule.end_at:
            continue
        on = sum(
            (max(timedelta(), min(q.end_at, end) - max(q.start_at, begin)) for q in mine),
            timedelta(),
        )
        share = on / window
        # above the limit even leaving out the period that ends the window: a share
        # above it by less than one shift is where the window's edge falls
        if (on - (p.end_at - max(p.start_at, begin))) / window <= rule.limit + 1e-9:
            continue
        if worst is None or share > worst[0] + 1e-9:
            worst = (share, end)
    if worst is None:
        return []
    share, end = worst
    return [
        Breach(
            rule,
            team,
            person,
            end - window,
            end,
            f"on call {share:.0%} of the {_span(window)} to {_short(end, tz)}",
        )
    ]


def _epoch(periods: list[Period]) -> list[tuple[float, float]]:
    """Periods as the planner's windows (``schedule.limits``): epoch seconds."""
    return [(p.start_at.timestamp(), p.end_at.timestamp()) for p in periods]


def _nights(org: Org, rule: Rule, team: str, person: str, mine: list[Period]) -> list[Breach]:
    """Nights (on call at some time between 00:00 and 06:00 in the person's zone)
    per week, Monday to Sunday."""
    who = org.people.get(person)
    if who is None or rule.limit is None:
        return []
    tz = zone(who.timezone)
    by_week: dict = defaultdict(list)
    for d in nights(_epoch(mine), tz):
        by_week[d - timedelta(days=d.weekday())].append(d)
    out = []
    assert isinstance(rule.limit, float | int)
    for monday, days in sorted(by_week.items()):
        if len(days) > rule.limit:
            start = datetime.combine(monday, datetime.min.time(), tz)
            out.append(
                Breach(
                    rule,
                    team,
                    person,
                    start,
                    start + timedelta(weeks=1),
                    f"on call {len(days)} nights in the week of {monday:%a %d %b %Y}",
                )
            )
    return out


def _weekends(org: Org, rule: Rule, team: str, person: str, mine: list[Period]) -> list[Breach]:
    """Weekends (Saturday 00:00 to Monday 00:00 in the person's zone) on call, and
    two in a row."""
    who = org.people.get(person)
    if who is None:
        return []
    tz = zone(who.timezone)
    on_call = saturdays(_epoch(mine), tz)
    out = []
    for day in sorted(on_call):
        if day - timedelta(weeks=1) in on_call:
            start = datetime.combine(day - timedelta(weeks=1), datetime.min.time(), tz)
            out.append(
                Breach(
                    rule,
                    team,
                    person,
                    start,
                    start + timedelta(days=9),
                    f"on call the weekends of {day - timedelta(weeks=1):%d %b} and {day:%d %b %Y}",
                )
            )
    return out


def _pages(
    org: Org,
    rule: Rule,
    team: str,
    people: set[str],
    periods: dict[str, list[Period]],
    schedule: Schedule,
    tz: ZoneInfo,
) -> list[Breach]:
    """Incidents of the team a person on call responded to, more than the limit
    within ``per`` (12 hours) of each other: the log of the past, reported only."""
    per = rule.window or timedelta(hours=12)
    assert isinstance(rule.limit, float | int)
    out = []
    for person in sorted(people):
        mine = periods.get(person, [])
        started = sorted(
            i.started_at
            for i in org.incidents
            if i.team == team
            and person in i.responders
            and schedule.start_at <= i.started_at < schedule.end_at
            and any(p.start_at <= i.started_at < p.end_at for p in mine)
        )
        i = 0
        while i < len(started):
            j = i
            while j + 1 < len(started) and started[j + 1] - started[i] < per:
                j += 1
            if j - i + 1 > rule.limit:
                out.append(
                    Breach(
                        rule,
                        team,
                        person,
                        started[i],
                        started[j],
                        f"{j - i + 1} incidents within {_span(per)} on call from "
                        f"{_short(started[i], tz)}",
                    )
                )
                i = j + 1
            else:
                i += 1
    return out


def breach_diagnostics(org: Org, breaches: list[Breach]) -> list[Diagnostic]:
    """One warning per breach, located at the rule (``validate``)."""
    return [Diagnostic(b.rule.source, "warning", b.message(org)) for b in breaches]


def rest_summaries(org: Org, schedule: Schedule) -> dict[str, list[tuple[str, str, str]]]:
    """Per person, per team they are on call for in the schedule: (team name, longest
    run, shortest rest), in words, across the team's rotations (the person page)."""
    by_team: dict[str, list] = defaultdict(list)
    for s in schedule.shifts:
        if s.person is not None:
            by_team[s.team].append(s)
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for team in org.teams.values():
        shifts = by_team.get(team.id)
        if not shifts:
            continue
        periods = team_periods(schedule, team.id, shifts)
        for person in sorted(periods):
            out[person].append(_summary(team, periods[person]))
    return out


def rest_summary(org: Org, schedule: Schedule, person: str) -> list[tuple[str, str, str]]:
    """``rest_summaries`` of one person."""
    return rest_summaries(org, schedule).get(person, [])


def _summary(team: Team, mine: list[Period]) -> tuple[str, str, str]:
    chains = runs(mine)
    longest = max(chains, key=lambda c: max(p.end_at for p in c) - c[0].start_at)
    length = max(p.end_at for p in longest) - longest[0].start_at
    run = f"{_span(length)} from {_short(longest[0].start_at, team.tz)}"
    if len({p.rotation for p in longest}) > 1:
        run += f" ({', '.join(p.rotation for p in longest)})"
    rests = [
        later[0].start_at - max(p.end_at for p in earlier)
        for earlier, later in itertools.pairwise(chains)
    ]
    rest = _span(min(rests)) if rests else "–"
    return (team.name, run, rest)


def _hours(value: timedelta) -> str:
    return f"{value.total_seconds() / 3600:g} h"


def _span(value: timedelta) -> str:
    """A length in words: whole weeks, whole days, else days and hours (a week over
    a clock change is 6 days 23 h)."""
    hours = round(value.total_seconds() / 3600)
    if hours >= 168 and hours % 168 == 0:
        return f"{hours // 168} week" + ("s" if hours >= 336 else "")
    if hours >= 24 and hours % 24 == 0:
        return f"{hours // 24} day" + ("s" if hours >= 48 else "")
    if hours >= 24:
        return f"{hours // 24} day{'s' if hours >= 48 else ''} {hours % 24} h"
    return _hours(value)
