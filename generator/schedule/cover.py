"""Who could take a shift, ranked by fairness impact. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator.model import Org
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
    organisation``), and rested (the rotation's ``min_rest`` before and after
    their other shifts of it). The ranking is the member's deviation (load -
    target, in shift-equivalents, over the schedule's window) after taking the
    shift: whoever ends closest to their target, or furthest below it, comes
    first. ``accounts``: the books of the schedule's window, if already made.
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
        if rotation.min_rest and any(
            s.person == m.person
            and s.team == rotation.team
            and s.rotation == rotation.id
            and s.slot_start_at != start_at
            and s.slot_start_at - end_at < rotation.min_rest
            and start_at - s.slot_end_at < rotation.min_rest
            for s in schedule.shifts
        ):
            continue
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
                f"{before:+.2f} → {after:+.2f} shift-equivalents from target",
            )
        )
    out.sort(key=lambda c: (c.load_after, stable_hash(key, start_at.isoformat(), c.person)))
    return out
