"""Handoff notes: one model for the site pages, ``rota handoff`` and iCal. Pure.

A handoff is an instant where the person on call for a rotation changes:
consecutive shifts of one person (across coverage gaps, e.g. a follow-the-sun
rotation's nights) form one *stint*, and each stint after the first starts
with a handoff from the previous stint's person. Overrides cut stints too, so
a two-day cover is two handoffs (to the cover and back).

The note holds what SPEC 3 lists: both people with the instant in their own
zones; the team's incidents during the outgoing stint; the notes written in
``handoffs`` for that rotation on the handoff's date (team zone); what the
incoming stint holds (public and company holidays in the incoming person's
zone and region, teammates' leave, overrides, the next handoff); the team's
checklist; the escalation chain resolved to names at the handoff; and links
to the team's runbooks.
"""

from __future__ import annotations

import json
import re
import textwrap
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from generator.model import Incident, Leave, Org, Override, Person
from generator.reports.escalation import (
    ChainCache,
    OnCallIndex,
    ResolvedLevel,
    chain_json,
)
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import as_local, holiday_name, human_duration, iso, region_calendar


@dataclass(frozen=True)
class Party:
    """A person at a handoff, with the handoff instant on their own clock."""

    person: str
    name: str
    timezone: str
    local_at: datetime  # the handoff instant in the person's zone


@dataclass(frozen=True)
class IncidentNote:
    id: str
    title: str
    severity: str
    severity_name: str | None  # from the severity scale, when defined
    started_at: datetime
    resolved_at: datetime
    length: timedelta
    postmortem: str | None
    responders: tuple[str, ...]  # names
    # a postmortem under postmortems/: its page (from the docs root), status, open items
    postmortem_page: str | None = None
    postmortem_status: str | None = None
    open_actions: tuple[str, ...] = ()  # "A2 (P1, due 2026-11-20)"
    postmortem_file: str | None = None  # its source in the repository


@dataclass(frozen=True)
class AuthoredNote:
    author: str
    author_name: str
    on: date  # the handoff's date in the team zone
    notes: str


@dataclass(frozen=True)
class HolidayNote:
    on: date  # in the incoming person's zone
    name: str
    kind: str  # public | company
    region: str | None = None  # the public holiday's region (the incoming person's)


@dataclass(frozen=True)
class LeaveNote:
    person: str
    name: str
    start_at: datetime
    end_at: datetime
    whole_days: tuple[date, date] | None  # inclusive, when the leave was given as dates
    note: str | None


@dataclass(frozen=True)
class OverrideNote:
    rotation: str
    rotation_name: str
    person: str
    name: str
    start_at: datetime
    end_at: datetime
    note: str | None


@dataclass(frozen=True)
class RunbookLink:
    title: str
    path: str  # the runbook's page under the site's docs: "runbooks/<slug>.md"
    url: str  # its address relative to the site root: "runbooks/<slug>/"
    file: str = ""  # its source in the repository: "runbooks/<team>/<name>.md"


@dataclass(frozen=True)
class Handoff:
    team: str
    team_name: str
    team_timezone: str
    rotation: str
    rotation_name: str
    at: datetime  # the handoff instant
    outgoing: Party | None  # None: nobody was on call before (the rotation starts)
    incoming: Party
    outgoing_start_at: datetime | None  # the outgoing stint's first covered instant
    outgoing_end_at: datetime | None  # the end of its last covered interval (<= at)
    incoming_end_at: datetime  # the end of the incoming stint's last covered interval
    incidents: tuple[IncidentNote, ...]  # the team's, during the outgoing stint
    notes: tuple[AuthoredNote, ...]
    holidays: tuple[HolidayNote, ...]  # during the incoming stint
    leave: tuple[LeaveNote, ...]  # teammates' leave during the incoming stint
    overrides: tuple[OverrideNote, ...]  # the team's overrides during the incoming stint
    next_at: datetime | None  # the next handoff of the rotation, if the schedule reaches it
    next_person: Party | None
    checklist: tuple[str, ...]
    escalation: tuple[ResolvedLevel, ...]  # resolved at the handoff instant
    escalation_lines: tuple[str, ...]  # the same, as names: "after 15m: Secondary (…)"
    escalation_repeat: int
    runbooks: tuple[RunbookLink, ...]
    # uncovered time (nobody on call) between the outgoing and the incoming stint, and
    # right after the incoming stint (nobody takes over): (start, end), or None
    uncovered_before: tuple[datetime, datetime] | None
    uncovered_after: tuple[datetime, datetime] | None
    site_url: str | None  # settings.site_url, for absolute links in plain text

    @property
    def anchor(self) -> str:
        """A stable id for the note's section on a page: ``primary-2026-12-07-0900``."""
        team_local = self.at.astimezone(_tz(self.team_timezone))
        return f"{self.rotation}-{team_local:%Y-%m-%d-%H%M}"


@dataclass(frozen=True)
class _Stint:
    person: str
    shifts: tuple[Shift, ...]

    @property
    def start_at(self) -> datetime:
        return self.shifts[0].start_at

    @property
    def end_at(self) -> datetime:
        return self.shifts[-1].end_at


def _tz(name: str) -> Any:
    from generator.timeutil import zone

    return zone(name)


def _stints(shifts: list[Shift]) -> list[_Stint]:
    """One rotation's shifts (in schedule order) as stints."""
    runs: list[tuple[str, list[Shift]]] = []
    for s in sorted(shifts, key=lambda s: (s.start_at, s.end_at)):
        if s.person is None:
            continue  # uncovered: nobody hands over or takes over (pages show the gap)
        if runs and runs[-1][0] == s.person:
            runs[-1][1].append(s)
        else:
            runs.append((s.person, [s]))
    return [_Stint(person, tuple(run)) for person, run in runs]


class _Facts:
    """What every handoff of one organisation and schedule looks up, indexed once:
    shifts by rotation, the escalation chains, and per team its incidents, runbooks,
    teammates and overrides."""

    def __init__(self, org: Org, schedule: Schedule, index: OnCallIndex | None = None):
        self.org = org
        self.schedule = schedule
        self.chains = ChainCache(org, schedule, index)
        self.shifts: dict[tuple[str, str], list[Shift]] = {}
        for s in schedule.shifts:
            self.shifts.setdefault((s.team, s.rotation), []).append(s)
        self.severity_names = {s.id: s.name for s in org.severities}
        self.incidents: dict[str, list[Incident]] = {}
        for inc in sorted(org.incidents, key=lambda x: (x.started_at, x.id)):
            self.incidents.setdefault(inc.team, []).append(inc)
        self.runbooks: dict[str, list[RunbookLink]] = {}
        for rb in sorted(org.runbooks, key=lambda r: (r.title.lower(), r.slug)):
            self.runbooks.setdefault(rb.team, []).append(
                RunbookLink(
                    rb.title,
                    f"runbooks/{rb.slug}.md",
                    f"runbooks/{rb.slug}/",
                    f"runbooks/{rb.path}",
                )
            )
        self.overrides: dict[str, list[Override]] = {}
        for o in org.overrides:
            self.overrides.setdefault(o.team, []).append(o)
        # each team's leave by start, with the starts and the longest leave, so a
        # handoff looks only at the leaves that can meet its stint
        self.leave: dict[str, list[tuple[str, Person, Leave]]] = {}
        self.leave_starts: dict[str, list[datetime]] = {}
        self.longest_leave: dict[str, timedelta] = {}
        for t in org.teams.values():
            mates = dict.fromkeys(m.person for r in t.rotations for m in r.members)
            leave = sorted(
                (
                    (pid, person, lv)
                    for pid in mates
                    if (person := org.people.get(pid)) is not None
                    for lv in person.leave
                ),
                key=lambda x: x[2].start_at,
            )
            self.leave[t.id] = leave
            self.leave_starts[t.id] = [lv.start_at for _, _, lv in leave]
            self.longest_leave[t.id] = max(
                (lv.end_at - lv.start_at for _, _, lv in leave), default=timedelta(0)
            )

    def stints(self, team: str, rotation: str) -> list[_Stint]:
        return _stints(self.shifts.get((team, rotation), []))

    def uncovered(self, team: str, rotation: str) -> list[Shift]:
        """The rotation's uncovered shifts, in time order."""
        return sorted(
            (s for s in self.shifts.get((team, rotation), []) if s.person is None),
            key=lambda s: s.start_at,
        )


def _gap(
    uncovered: list[Shift], after: datetime | None, before: datetime | None
) -> tuple[datetime, datetime] | None:
    """The uncovered time between ``after`` and ``before`` (either open): from the first
    uncovered shift's start to the last one's end."""
    inside = [
        s
        for s in uncovered
        if (after is None or s.start_at >= after) and (before is None or s.end_at <= before)
    ]
    return (inside[0].start_at, inside[-1].end_at) if inside else None


def _party(org: Org, person_id: str, at: datetime) -> Party:
    person = org.people.get(person_id)
    if person is None:
        return Party(person_id, person_id, "UTC", at.astimezone(_tz("UTC")))
    return Party(person.id, person.name, person.timezone, at.astimezone(person.tz))


def _rotation_handoffs(facts: _Facts, key: str) -> list[Handoff]:
    org = facts.org
    rotation = org.rotation(key)
    if rotation is None:
        return []
    team = org.teams[rotation.team]
    stints = facts.stints(team.id, rotation.id)
    if not stints:
        return []
    # the incoming stint of every handoff the schedule knows both sides of; the
    # first stint is a handoff only when it opens the rotation (slot 0: nobody before)
    indexes = [i for i in range(len(stints)) if i > 0 or stints[0].shifts[0].slot_index == 0]
    notes_for = _assign_notes(org, team.id, rotation.id, stints, indexes)
    uncovered = facts.uncovered(team.id, rotation.id)
    return [_handoff(facts, stints, i, notes_for.get(i, ()), uncovered) for i in indexes]


def _assign_notes(
    org: Org, team_id: str, rotation_id: str, stints: list[_Stint], indexes: list[int]
) -> dict[int, tuple[AuthoredNote, ...]]:
    """Each note goes to the rotation's handoff on its date (team zone) whose
    outgoing person wrote it, else to the first handoff of that date."""
    tz = org.teams[team_id].tz
    by_day: dict[date, list[int]] = {}
    for i in indexes:
        by_day.setdefault(stints[i].start_at.astimezone(tz).date(), []).append(i)
    out: dict[int, list[AuthoredNote]] = {}
    for n in org.handoffs:
        if n.team != team_id or n.rotation != rotation_id or n.on not in by_day:
            continue
        candidates = by_day[n.on]
        chosen = next(
            (i for i in candidates if i > 0 and stints[i - 1].person == n.author), candidates[0]
        )
        author = org.people.get(n.author)
        out.setdefault(chosen, []).append(
            AuthoredNote(n.author, author.name if author else n.author, n.on, n.notes)
        )
    return {i: tuple(v) for i, v in out.items()}


def _handoff(
    facts: _Facts,
    stints: list[_Stint],
    i: int,
    notes: tuple[AuthoredNote, ...],
    uncovered: list[Shift] | None = None,
) -> Handoff:
    org = facts.org
    incoming = stints[i]
    outgoing = stints[i - 1] if i > 0 else None
    following = stints[i + 1] if i + 1 < len(stints) else None
    first = incoming.shifts[0]
    team = org.teams[first.team]
    rotation = team.rotation(first.rotation)
    assert rotation is not None
    at = incoming.start_at
    # the coming shift: the incoming person's slots, whole (so an override cutting
    # in shows), and at least until the next handoff
    until = max(
        following.start_at if following is not None else incoming.end_at,
        max(s.slot_end_at for s in incoming.shifts),
    )
    return Handoff(
        team=team.id,
        team_name=team.name,
        team_timezone=team.timezone,
        rotation=rotation.id,
        rotation_name=rotation.name,
        at=at,
        outgoing=_party(org, outgoing.person, at) if outgoing else None,
        incoming=_party(org, incoming.person, at),
        outgoing_start_at=outgoing.start_at if outgoing else None,
        outgoing_end_at=outgoing.end_at if outgoing else None,
        incoming_end_at=incoming.end_at,
        incidents=_incidents(facts, team.id, outgoing),
        notes=notes,
        holidays=_holidays(org, org.people.get(incoming.person), at, until),
        leave=_leave(facts, team.id, incoming.person, at, until),
        overrides=_overrides(facts, team.id, at, until),
        next_at=following.start_at if following else None,
        next_person=_party(org, following.person, following.start_at) if following else None,
        checklist=team.handoff_checklist,
        escalation=facts.chains.levels(team.id, at),
        escalation_lines=facts.chains.lines(team.id, at),
        escalation_repeat=team.escalation.repeat if team.escalation else 0,
        runbooks=tuple(facts.runbooks.get(team.id, ())),
        site_url=org.settings.site_url,
        uncovered_before=_gap(uncovered or [], outgoing.end_at if outgoing else None, at),
        uncovered_after=_gap(
            uncovered or [], incoming.end_at, following.start_at if following else None
        ),
    )


def _incidents(facts: _Facts, team_id: str, stint: _Stint | None) -> tuple[IncidentNote, ...]:
    if stint is None:
        return ()
    org = facts.org
    names = facts.severity_names
    first, last = stint.start_at, max(s.end_at for s in stint.shifts)
    out = []
    for inc in facts.incidents.get(team_id, ()):
        if not (inc.started_at < last and first < inc.resolved_at):
            continue
        if not any(
            inc.started_at < s.end_at and s.start_at < inc.resolved_at for s in stint.shifts
        ):
            continue
        out.append(
            IncidentNote(
                inc.id,
                inc.title,
                inc.severity,
                names.get(inc.severity),
                inc.started_at,
                inc.resolved_at,
                inc.length,
                inc.postmortem,
                tuple(org.people[p].name if p in org.people else p for p in inc.responders),
                *_postmortem_facts(org, inc.id),
            )
        )
    return tuple(out)


def _postmortem_facts(
    org: Org, incident_id: str
) -> tuple[str | None, str | None, tuple[str, ...], str | None]:
    pm = org.postmortem_of(incident_id)
    if pm is None:
        return None, None, (), None
    items = tuple(
        f"{it.id} ({it.priority}, due {it.due_on})" for it in pm.action_items if it.status == "open"
    )
    return f"postmortems/{pm.slug}/index.md", pm.status.replace("_", " "), items, pm.path


def _holidays(
    org: Org, person: Person | None, start_at: datetime, end_at: datetime
) -> tuple[HolidayNote, ...]:
    if person is None:
        return ()
    tz = person.tz
    day = start_at.astimezone(tz).date()
    last = (end_at - timedelta(microseconds=1)).astimezone(tz).date()
    company = set(org.settings.company_holidays)
    out = []
    while day <= last:
        public = (
            holiday_name(person.holidays, day)
            if person.holidays and day in region_calendar(person.holidays, day.year)
            else None
        )
        if public:
            out.append(HolidayNote(day, public, "public", person.holidays))
        if day in company:
            out.append(HolidayNote(day, "Company holiday", "company"))
        day += timedelta(days=1)
    return tuple(out)


def _leave(
    facts: _Facts, team_id: str, incoming: str, start_at: datetime, end_at: datetime
) -> tuple[LeaveNote, ...]:
    starts = facts.leave_starts[team_id]
    lo = bisect_right(starts, start_at - facts.longest_leave[team_id])
    hi = bisect_left(starts, end_at)
    out = [
        LeaveNote(
            pid,
            person.name,
            as_local(lv.start_at, person.tz),  # shown in the person's zone
            as_local(lv.end_at, person.tz),
            lv.whole_days,
            lv.note,
        )
        for pid, person, lv in facts.leave[team_id][lo:hi]
        if start_at < lv.end_at and pid != incoming
    ]
    out.sort(key=lambda x: (x.start_at, x.person))
    return tuple(out)


def _overrides(
    facts: _Facts, team_id: str, start_at: datetime, end_at: datetime
) -> tuple[OverrideNote, ...]:
    org = facts.org
    team = org.teams[team_id]
    out = []
    for o in facts.overrides.get(team_id, ()):
        if not (o.start_at < end_at and start_at < o.end_at):
            continue
        rotation = team.rotation(o.rotation)
        person = org.people.get(o.person)
        out.append(
            OverrideNote(
                o.rotation,
                rotation.name if rotation else o.rotation,
                o.person,
                person.name if person else o.person,
                as_local(o.start_at, team.tz),
                as_local(o.end_at, team.tz),
                o.note,
            )
        )
    out.sort(key=lambda x: (x.start_at, x.rotation))
    return tuple(out)


# --- the public functions ----------------------------------------------------------


def compute_handoffs(
    org: Org, schedule: Schedule, start_at: datetime, end_at: datetime
) -> list[Handoff]:
    """Every handoff of every rotation with ``start_at <= at < end_at``, by time,
    team, rotation. ``schedule`` should start a shift or more before ``start_at``
    (to know who hands over) and reach past ``end_at`` (to know the next handoff)."""
    key = (id(org), id(schedule), start_at, end_at)
    if _memo and _memo[0] == key and _memo[1] is org and _memo[2] is schedule:
        return list(_memo[3])
    out = []
    facts = _Facts(org, schedule)
    for rotation in org.rotations():
        for h in _rotation_handoffs(facts, rotation.key):
            if start_at <= h.at < end_at:
                out.append(h)
    out.sort(key=lambda h: (h.at, h.team, h.rotation))
    _memo[:] = [key, org, schedule, tuple(out)]
    return out


# The last answer of compute_handoffs: the site's pages and the feeds ask for the same
# handoffs of the same (immutable) organisation and schedule in one build.
_memo: list[Any] = []


def forget_handoffs() -> None:
    """Drop the remembered answer of ``compute_handoffs`` (its last user is done)."""
    _memo.clear()


def compute_handoff(org: Org, schedule: Schedule, key: str, at: datetime) -> Handoff | None:
    """The first handoff of rotation ``key`` ("team/rotation") at or after ``at``,
    or None when the schedule holds none."""
    for h in _rotation_handoffs(_Facts(org, schedule), key):
        if h.at >= at:
            return h
    return None


# --- rendering ----------------------------------------------------------------------

_MD_ESCAPE = re.compile(r"[\\`*_\[\]#|~{}]")


def md_inline(value: object) -> str:
    """Text that stays text in Markdown and HTML: one line, ``& < >`` as character
    references and Markdown punctuation backslash-escaped."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_ESCAPE.sub(lambda m: "\\" + m.group(0), text)


def _url_ok(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(c in url for c in " <>\"'()")


def _when(at: datetime, tz: Any) -> str:
    local = at.astimezone(tz)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"


def _gap_text(gap: tuple[datetime, datetime], tz: Any) -> str:
    return f"nobody is on call from {_when(gap[0], tz)} to {_when(gap[1], tz)}"


def _party_time(p: Party) -> str:
    return f"{p.local_at:%a %d %b %H:%M} {p.local_at.tzname()} ({p.timezone})"


def _leave_span(lv: LeaveNote, tz: Any) -> str:
    if lv.whole_days is not None:
        a, b = lv.whole_days
        return f"{a:%a %d %b}" if a == b else f"{a:%a %d %b} to {b:%a %d %b}"
    return f"{_when(lv.start_at, tz)} to {_when(lv.end_at, tz)}"


def _holiday_label(hol: HolidayNote) -> str:
    if hol.kind == "company":
        return "company holiday"
    return f"{hol.name} (public holiday, {hol.region})" if hol.region else hol.name


def _title(h: Handoff) -> str:
    team_tz = _tz(h.team_timezone)
    return f"{h.team_name} {h.rotation_name}: handoff {_when(h.at, team_tz)}"


def _site_base(h: Handoff) -> str | None:
    """The site's public address with a trailing slash (``settings.site.url``), or None."""
    if not h.site_url or not _url_ok(h.site_url):
        return None
    return h.site_url if h.site_url.endswith("/") else h.site_url + "/"


def _page_url(page: str) -> str:
    """``postmortems/inc-1/index.md`` → ``postmortems/inc-1/``: a page's address."""
    return page[: -len("index.md")] if page.endswith("/index.md") else page


def handoff_markdown(
    h: Handoff, link_prefix: str | None = "../../../", level: int = 2, shared: bool = True
) -> str:
    """The note as Markdown: a heading at ``level`` and its sections one level down.

    ``link_prefix`` leads from the page holding the note to the docs root (the
    default suits ``handoffs/<team>/<YYYY-MM>/index.md``). None: the note stands
    alone (``rota handoff --format markdown``), so links are absolute under
    ``settings.site.url`` when it is known, and otherwise name the runbook's and
    postmortem's files in the repository instead of pointing nowhere. ``shared``:
    False leaves out what every handoff of the team shares (checklist, escalation,
    runbooks), which a month page shows once. Every value from the inputs is
    escaped, so nothing in a note can become markup or a link.
    """
    team_tz = _tz(h.team_timezone)
    site = _site_base(h) if link_prefix is None else None
    sub = "#" * (level + 1)
    out = [f"{'#' * level} {md_inline(_title(h))}", ""]
    who_out = (
        f"**{md_inline(h.outgoing.name)}** — {md_inline(_party_time(h.outgoing))}"
        if h.outgoing
        else "nobody (the rotation starts here)"
    )
    out += [
        f"- Outgoing: {who_out}",
        f"- Incoming: **{md_inline(h.incoming.name)}** — {md_inline(_party_time(h.incoming))}",
    ]
    if h.uncovered_before is not None:
        gap = md_inline(_gap_text(h.uncovered_before, team_tz))
        out.append(f"- **Uncovered** before this handoff: {gap}")
    if h.next_at is not None and h.next_person is not None:
        out.append(
            f"- Next handoff: {md_inline(_when(h.next_at, team_tz))} to "
            f"**{md_inline(h.next_person.name)}**"
        )
    if h.uncovered_after is not None:
        out.append(
            f"- **Uncovered** after this shift: {md_inline(_gap_text(h.uncovered_after, team_tz))}"
            " (add an override)"
        )
    out += ["", f"{sub} Incidents during the outgoing shift", ""]
    if not h.incidents:
        out.append("None.")
    for inc in h.incidents:
        sev = inc.severity + (f" ({inc.severity_name})" if inc.severity_name else "")
        line = (
            f"- **{md_inline(inc.id)}** {md_inline(sev)}: {md_inline(inc.title)} — "
            f"{md_inline(_when(inc.started_at, team_tz))}, {human_duration(inc.length)}"
        )
        if inc.responders:
            line += f"; responders: {md_inline(', '.join(inc.responders))}"
        if inc.postmortem_page:
            if link_prefix is not None:
                line += f"; [postmortem]({link_prefix}{inc.postmortem_page})"
            elif site is not None:
                line += f"; [postmortem](<{site}{_page_url(inc.postmortem_page)}>)"
            else:
                line += f"; postmortem `{md_code(inc.postmortem_file or inc.postmortem_page)}`"
            line += f" ({inc.postmortem_status})"
            if inc.open_actions:
                line += f", open actions: {md_inline(', '.join(inc.open_actions))}"
        elif inc.postmortem and _url_ok(inc.postmortem):
            line += f"; [postmortem](<{inc.postmortem}>)"
        elif inc.postmortem:
            line += f"; postmortem: {md_inline(inc.postmortem)}"
        out.append(line)
    out += ["", f"{sub} Notes from the outgoing shift", ""]
    if not h.notes:
        out.append("No notes were written for this handoff.")
    for n in h.notes:
        out += [f"> **{md_inline(n.author_name)}** ({n.on:%d %b}): {md_inline(n.notes)}", ""]
    if h.notes:
        out.pop()
    out += ["", f"{sub} The coming shift", ""]
    coming = []
    for hol in h.holidays:
        coming.append(f"- {hol.on:%a %d %b}: {md_inline(_holiday_label(hol))}")
    for lv in h.leave:
        note = f" ({md_inline(lv.note)})" if lv.note else ""
        coming.append(
            f"- {md_inline(lv.name)} on leave {md_inline(_leave_span(lv, team_tz))}{note}"
        )
    for o in h.overrides:
        note = f": {md_inline(o.note)}" if o.note else ""
        coming.append(
            f"- Override on {md_inline(o.rotation_name)}: {md_inline(o.name)} "
            f"{md_inline(_when(o.start_at, team_tz))} to {md_inline(_when(o.end_at, team_tz))}"
            f"{note}"
        )
    out += coming or ["No holidays, leave or overrides."]
    if not shared:
        return "\n".join(out) + "\n"
    out += ["", f"{sub} Checklist", ""]
    out += [f"- [ ] {md_inline(item)}" for item in h.checklist] or ["No checklist."]
    out += ["", f"{sub} Escalation", ""]
    if h.escalation_lines:
        out += [f"{n}. {md_inline(line)}" for n, line in enumerate(h.escalation_lines, 1)]
        if h.escalation_repeat:
            out += ["", _repeat_text(h.escalation_repeat)]
    else:
        out.append("This team has no escalation chain.")
    out += ["", f"{sub} Runbooks", ""]
    for rb in h.runbooks:
        if link_prefix is not None:
            out.append(f"- [{md_inline(rb.title)}]({link_prefix}{rb.path})")
        elif site is not None:
            out.append(f"- [{md_inline(rb.title)}](<{site}{rb.url}>)")
        else:
            out.append(f"- {md_inline(rb.title)}: `{md_code(rb.file or rb.path)}`")
    if not h.runbooks:
        out.append("No runbooks yet.")
    return "\n".join(out) + "\n"


def md_code(value: str) -> str:
    """A file path inside a Markdown code span: backticks and line breaks dropped."""
    return " ".join(value.replace("`", "").split())


def _repeat_text(repeat: int) -> str:
    return f"If nobody acknowledges, the whole chain repeats {repeat} more " + (
        "time." if repeat == 1 else "times."
    )


def _runbook_address(h: Handoff, rb: RunbookLink, fallback_file: bool) -> str:
    """Where a reader of plain text finds a runbook: its page under ``site.url``, else
    (in a terminal, inside the repository) its file, else nothing."""
    site = _site_base(h)
    if site is not None:
        return f"{rb.title}: {site}{rb.url}"
    if fallback_file and rb.file:
        return f"{rb.title}: {rb.file}"
    return rb.title


def handoff_plain(h: Handoff, width: int = 88) -> str:
    """The note as plain text for a terminal (``rota handoff``, the default format):
    every section, no markup, links absolute under ``settings.site.url`` when it is
    known and otherwise the repository's files (the reader is in the repository)."""
    team_tz = _tz(h.team_timezone)
    site = _site_base(h)
    title = _title(h)
    out = [title, "=" * len(title), ""]
    if h.outgoing:
        out.append(f"Outgoing:  {h.outgoing.name}, {_party_time(h.outgoing)}")
    else:
        out.append("Outgoing:  nobody (the rotation starts here)")
    out.append(f"Incoming:  {h.incoming.name}, {_party_time(h.incoming)}")
    if h.uncovered_before is not None:
        out.append(f"UNCOVERED before this handoff: {_gap_text(h.uncovered_before, team_tz)}")
    if h.next_at is not None and h.next_person is not None:
        out.append(f"Next handoff: {_when(h.next_at, team_tz)} to {h.next_person.name}")
    if h.uncovered_after is not None:
        out.append(
            f"UNCOVERED after this shift: {_gap_text(h.uncovered_after, team_tz)} (add an override)"
        )

    def section(heading: str, lines: list[str], empty: str) -> None:
        out.extend(["", heading, "-" * len(heading)])
        out.extend(lines or [empty])

    def wrapped(text: str, first: str, rest: str) -> list[str]:
        return textwrap.wrap(
            " ".join(text.split()),
            width,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )

    incidents = []
    for inc in h.incidents:
        sev = inc.severity + (f" ({inc.severity_name})" if inc.severity_name else "")
        line = (
            f"{inc.id} {sev}: {inc.title}, {_when(inc.started_at, team_tz)}, "
            f"{human_duration(inc.length)}"
        )
        if inc.responders:
            line += f"; responders: {', '.join(inc.responders)}"
        if inc.postmortem_page:
            where = (
                f"{site}{_page_url(inc.postmortem_page)}"
                if site is not None
                else (inc.postmortem_file or "")
            )
            line += f"; postmortem {inc.postmortem_status}" + (f": {where}" if where else "")
            if inc.open_actions:
                line += f"; open actions: {', '.join(inc.open_actions)}"
        elif inc.postmortem:
            line += f"; postmortem: {inc.postmortem}"
        incidents += wrapped(line, "- ", "  ")
    section("Incidents during the outgoing shift", incidents, "None.")
    notes = []
    for n in h.notes:
        notes += wrapped(f"{n.author_name} ({n.on:%d %b}): {n.notes}", "> ", "  ")
    section("Notes from the outgoing shift", notes, "No notes were written for this handoff.")
    coming = [f"- {hol.on:%a %d %b}: {_holiday_label(hol)}" for hol in h.holidays]
    coming += [
        f"- {lv.name} on leave {_leave_span(lv, team_tz)}" + (f" ({lv.note})" if lv.note else "")
        for lv in h.leave
    ]
    coming += [
        f"- Override on {o.rotation_name}: {o.name} {_when(o.start_at, team_tz)} to "
        f"{_when(o.end_at, team_tz)}" + (f": {o.note}" if o.note else "")
        for o in h.overrides
    ]
    section("The coming shift", coming, "No holidays, leave or overrides.")
    section("Checklist", [f"[ ] {c}" for c in h.checklist], "No checklist.")
    chain = [f"{n}. {x}" for n, x in enumerate(h.escalation_lines, 1)]
    if chain and h.escalation_repeat:
        chain.append(_repeat_text(h.escalation_repeat))
    section("Escalation", chain, "This team has no escalation chain.")
    section(
        "Runbooks",
        [f"- {_runbook_address(h, rb, fallback_file=True)}" for rb in h.runbooks],
        "No runbooks yet.",
    )
    return "\n".join(out) + "\n"


def render_handoffs(handoffs: list[Handoff], fmt: str) -> str:
    """``rota handoff``'s output: ``text`` (a terminal), ``markdown`` (to paste where
    Markdown renders) or ``json``."""
    if fmt == "json":
        return json.dumps({"handoffs": [handoff_json(h) for h in handoffs]}, indent=2) + "\n"
    if fmt == "markdown":
        return "\n".join(handoff_markdown(h, None, level=1) for h in handoffs)
    return "\n\n".join(handoff_plain(h) for h in handoffs)


def handoff_text(h: Handoff) -> str:
    """The note as plain text (for an iCal DESCRIPTION): no markup, one item a line."""
    team_tz = _tz(h.team_timezone)
    lines = [_title(h)]
    if h.outgoing:
        lines.append(f"Outgoing: {h.outgoing.name}, {_party_time(h.outgoing)}")
    lines.append(f"Incoming: {h.incoming.name}, {_party_time(h.incoming)}")
    if h.uncovered_before is not None:
        lines.append(f"Uncovered before this handoff: {_gap_text(h.uncovered_before, team_tz)}")
    if h.next_at is not None and h.next_person is not None:
        lines.append(f"Next handoff: {_when(h.next_at, team_tz)} to {h.next_person.name}")
    if h.uncovered_after is not None:
        lines.append(f"Uncovered after this shift: {_gap_text(h.uncovered_after, team_tz)}")
    if h.incidents:
        lines += ["", "Incidents during the outgoing shift:"]
        for inc in h.incidents:
            pm = f", postmortem {inc.postmortem}" if inc.postmortem else ""
            if inc.postmortem_page:
                pm = f", postmortem {inc.postmortem_status}"
                pm += f", open actions: {', '.join(inc.open_actions)}" if inc.open_actions else ""
            lines.append(
                f"- {inc.id} {inc.severity}: {inc.title} ({_when(inc.started_at, team_tz)}, "
                f"{human_duration(inc.length)}{pm})"
            )
    if h.notes:
        lines += ["", "Notes:"]
        lines += [f"- {n.author_name}: {' '.join(n.notes.split())}" for n in h.notes]
    coming = [f"- {hol.on:%a %d %b}: {_holiday_label(hol)}" for hol in h.holidays]
    coming += [
        f"- {lv.name} on leave {_leave_span(lv, team_tz)}" + (f" ({lv.note})" if lv.note else "")
        for lv in h.leave
    ]
    coming += [
        f"- Override on {o.rotation_name}: {o.name} {_when(o.start_at, team_tz)} to "
        f"{_when(o.end_at, team_tz)}"
        for o in h.overrides
    ]
    if coming:
        lines += ["", "The coming shift:", *coming]
    if h.checklist:
        lines += ["", "Checklist:", *(f"- {c}" for c in h.checklist)]
    if h.escalation_lines:
        lines += ["", "Escalation:", *(f"{n}. {x}" for n, x in enumerate(h.escalation_lines, 1))]
    if h.runbooks:
        # a calendar cannot follow a relative path: the page under site.url, or the name
        lines += [
            "",
            "Runbooks:",
            *(f"- {_runbook_address(h, rb, fallback_file=False)}" for rb in h.runbooks),
        ]
    return "\n".join(lines) + "\n"


def handoff_json(h: Handoff) -> dict[str, Any]:
    """The note as a JSON-ready document (instants ISO 8601 with offsets)."""

    def party(p: Party | None) -> dict[str, Any] | None:
        if p is None:
            return None
        return {
            "person": p.person,
            "name": p.name,
            "timezone": p.timezone,
            "local": iso(p.local_at),
        }

    return {
        "team": h.team,
        "rotation": h.rotation,
        "at": iso(h.at),
        "outgoing": party(h.outgoing),
        "incoming": party(h.incoming),
        "outgoing_shift": (
            {"start": iso(h.outgoing_start_at), "end": iso(h.outgoing_end_at)}
            if h.outgoing_start_at and h.outgoing_end_at
            else None
        ),
        "incoming_shift": {"start": iso(h.at), "end": iso(h.incoming_end_at)},
        "uncovered_before": (
            {"start": iso(h.uncovered_before[0]), "end": iso(h.uncovered_before[1])}
            if h.uncovered_before
            else None
        ),
        "uncovered_after": (
            {"start": iso(h.uncovered_after[0]), "end": iso(h.uncovered_after[1])}
            if h.uncovered_after
            else None
        ),
        "incidents": [
            {
                "id": i.id,
                "title": i.title,
                "severity": i.severity,
                "started": iso(i.started_at),
                "resolved": iso(i.resolved_at),
                "minutes": int(i.length.total_seconds() // 60),
                "postmortem": i.postmortem,
                "postmortem_page": i.postmortem_page,
                "postmortem_status": i.postmortem_status,
                "open_actions": list(i.open_actions),
            }
            for i in h.incidents
        ],
        "notes": [
            {"author": n.author, "name": n.author_name, "date": n.on.isoformat(), "notes": n.notes}
            for n in h.notes
        ],
        "holidays": [
            {"date": x.on.isoformat(), "name": x.name, "kind": x.kind, "region": x.region}
            for x in h.holidays
        ],
        "leave": [
            {"person": x.person, "start": iso(x.start_at), "end": iso(x.end_at), "note": x.note}
            for x in h.leave
        ],
        "overrides": [
            {
                "rotation": x.rotation,
                "person": x.person,
                "start": iso(x.start_at),
                "end": iso(x.end_at),
                "note": x.note,
            }
            for x in h.overrides
        ],
        "next": (
            {"at": iso(h.next_at), "person": h.next_person.person}
            if h.next_at is not None and h.next_person is not None
            else None
        ),
        "checklist": list(h.checklist),
        "escalation": {
            "repeat": h.escalation_repeat,
            "levels": chain_json(h.escalation),
        },
        "runbooks": [{"title": rb.title, "path": rb.url} for rb in h.runbooks],
    }
