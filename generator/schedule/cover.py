"""Who could take a shift, ranked by fairness impact. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.model import Org, Rotation, Rule
from generator.rules import describe, effective_rules, rule_of
from generator.schedule.accounting import Account, compute_accounts
from generator.schedule.assign import stable_hash
from generator.schedule.loads import LoadModel
from generator.schedule.resolve import Schedule
from generator.schedule.shifts import coverage_windows


@dataclass(frozen=True)
class Candidate:
    person: str
    load_before: float  # deviation from target in this rotation, shift-equivalents
    load_after: float  # the same if they take the shift
    reason: str  # why they rank where they do
    runs: int = 0  # shifts of the team's other rotations it would be back to back with
    breaks: str | None = None  # the hard rest rule covering would break, in words


def cover_candidates(
    org: Org,
    schedule: Schedule,
    key: str,
    start_at: datetime,
    end_at: datetime,
    exclude: set[str] | None = None,
    accounts: dict[str, Account] | None = None,
) -> list[Candidate]:
    """Members of the rotation free for [start_at, end_at), most behind their target first.

    Free means: an active member, not on leave during the covered part, not on
    call then for another rotation of the team (of any team with ``settings.exclusive:
    organisation``), and rested from their own shifts of the rotation (its hard
    ``min_rest``). The ranking: those whom a hard rest rule across the team's
    rotations would keep off come last, saying which (``min_rest``, the larger of
    the two rotations', from a shift of another rotation; ``max_consecutive``); then
    those for whom the shift is not back to back with a shift of another of
    the team's rotations (primary, then secondary the next week), then the
    member's deviation (load - target, in shift-equivalents, over the schedule's
    window) after taking the shift: whoever ends closest to their target, or
    furthest below it, comes first. ``accounts``: the books of the schedule's window,
    if already made.
    """
    rotation = org.rotation(key)
    if rotation is None:
        return []
    tz_name = org.teams[rotation.team].timezone
    windows = coverage_windows(rotation.coverage, tz_name, start_at, end_at)
    if accounts is None or key not in accounts:
        accounts = compute_accounts(org, schedule, schedule.start_at, schedule.end_at, {key})
    account = accounts[key]
    unit = round(account.unit, 2) or 1.0
    loads = LoadModel(org)
    everywhere = org.settings.exclusive == "organisation"
    first_day = start_at.astimezone(org.teams[rotation.team].tz).date()
    out = []
    for m in rotation.members:
        if exclude and m.person in exclude:
            continue
        if (m.from_on and first_day < m.from_on) or (m.until_on and first_day > m.until_on):
            continue
        person = org.people.get(m.person)
        if person is None or any(person.on_leave(a, b) for a, b in windows):
            continue
        if any(
            s.person == m.person
            and (everywhere or s.team == rotation.team)
            and any(s.start_at < b and a < s.end_at for a, b in windows)
            and not (s.team == rotation.team and s.rotation == rotation.id)
            for s in schedule.shifts
        ):
            continue
        periods = [
            (x.start_at, x.end_at, x.rotation)
            for x in schedule.shifts
            if x.person == m.person
            and x.team == rotation.team
            and not (x.rotation == rotation.id and x.slot_start_at == start_at)
        ]
        first = windows[0][0] if windows else start_at
        last = windows[-1][1] if windows else end_at
        own, breaks = _breaks(org, rotation, periods, first, last)
        if own:
            continue  # the rotation's own min_rest from its own shifts, as always
        touching = sorted(
            {r for a, b, r in periods if r != rotation.id and (b == first or a == last)}
        )
        load = round(account.load(m.person), 2)
        target = round(account.target.get(m.person, 0.0), 2)
        extra = loads.load(person, windows)
        before = (load - target) / unit
        after = (load + extra - target) / unit
        out.append(
            Candidate(
                m.person,
                round(before, 2),
                round(after, 2),
                f"{before:+.2f} → {after:+.2f} shift-equivalents from target"
                + (f"; back to back with their {', '.join(touching)} shift" if touching else "")
                + (f"; would break {breaks}" if breaks else ""),
                len(touching),
                breaks,
            )
        )
    out.sort(
        key=lambda c: (
            c.breaks is not None,
            c.runs,
            c.load_after,
            stable_hash(key, start_at.isoformat(), c.person),
        )
    )
    return out


def _breaks(
    org: Org,
    rotation: Rotation,
    periods: list[tuple[datetime, datetime, str]],
    start_at: datetime,
    end_at: datetime,
) -> tuple[bool, str | None]:
    """Which hard rest rule [start_at, end_at) would break against the person's other
    periods on call for the team (covered shifts, as the planner measures them):
    whether it is the rotation's own ``min_rest`` from its own shifts (the member
    is left out, as always), and the first rule broken, in words (the member is
    ranked last: ``min_rest`` against the team's other rotations, the larger of the
    two counting, and ``max_consecutive``)."""
    team = org.teams[rotation.team]

    def hard(rotation_id: str, name: str) -> Rule | None:
        rule = rule_of(effective_rules(org, team, rotation_id), name)
        if rule is None or rule.level != "hard" or not isinstance(rule.limit, timedelta):
            return None
        return rule

    mine = hard(rotation.id, "min_rest")
    own = mine.limit if mine is not None and isinstance(mine.limit, timedelta) else timedelta()
    broken: str | None = None
    for a, b, r in periods:
        theirs = hard(r, "min_rest")
        need = max(own, theirs.limit if theirs and isinstance(theirs.limit, timedelta) else own)
        if need and a - end_at < need and start_at - b < need:
            if r == rotation.id and own and a - end_at < own and start_at - b < own:
                return True, describe(mine) if mine else None
            rule = mine if mine is not None and own >= need else theirs
            broken = broken or (describe(rule) if rule else None)
    longest = hard(rotation.id, "max_consecutive")
    if longest is not None and isinstance(longest.limit, timedelta):
        first, last = start_at, end_at
        changed = True
        while changed:
            changed = False
            for a, b, _ in periods:
                if a < first <= b:
                    first, changed = a, True
                if a <= last < b:
                    last, changed = b, True
        if last - first > longest.limit:
            broken = broken or describe(longest)
    return False, broken
