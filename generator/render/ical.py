"""iCal feeds (RFC 5545) built with the ``icalendar`` library. Pure.

One feed per person (their shifts in every team) and one per team (every
rotation), covering the horizon schedule: ``history`` back to ``horizon`` ahead.

Identity. An event is one covered interval with one person on call (a
``Shift``). Its UID is a hash of the organisation, team, rotation and the
slot's nominal start, plus the interval's own start when that differs from the
slot's. That start is a coverage-window start (from the rotation's settings) or
an override boundary (from the override), never something assignment chooses,
so a slot whose person changes keeps its UID. In a personal feed the person is
hashed in as well, so a client that shows a team feed and a personal feed side
by side keeps the two copies apart.

Revisions. SEQUENCE and LAST-MODIFIED come from ``feedstate``: they rise when
an event's person or times differ from what the last build published, and
stay put otherwise. Every text value from the inputs passes through
``icalendar``, which escapes commas, semicolons, backslashes and newlines and
folds long lines.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Component, Event, Timezone, vDuration, vText
from icalendar.timezone import tzp

from generator.errors import Diagnostic, InvalidInput
from generator.feedstate import FeedState, Revision, next_state, revise
from generator.model import Org
from generator.reports.escalation import ChainCache
from generator.reports.handoff import Handoff
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import zone

PRODID = "-//Rota//On-call feeds//EN"
REFRESH = timedelta(hours=1)  # REFRESH-INTERVAL and X-PUBLISHED-TTL: a hint clients may honour
SECRET_ENV = "ROTA_FEED_SECRET"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# --- addresses -------------------------------------------------------------------------


def feed_token(secret_key: str, kind: str, ident: str) -> str:
    """The unguessable part of a secret feed's name: HMAC-SHA256 of ``kind:ident``."""
    mac = hmac.new(secret_key.encode(), f"{kind}:{ident}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def feed_filename(org: Org, kind: str, ident: str, secret_key: str | None = None) -> str:
    """``<person>.ics`` or ``team-<team>.ics``; with ``feeds.secret``, ``-<token>`` before
    ``.ics``. The key defaults to the one the pipeline attached (``with_feed_key``)."""
    base = ident if kind == "person" else f"team-{ident}"
    if not org.settings.feed_secret:
        return f"{base}.ics"
    key = secret_key if secret_key is not None else org.settings.feed_key
    if not key:
        raise ValueError(f"feeds.secret is on but no {SECRET_ENV} key was given")
    return f"{base}-{feed_token(key, kind, ident)}.ics"


def _base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def feed_url(org: Org, kind: str, ident: str, secret_key: str | None = None) -> str | None:
    """The feed's subscription address: under ``feeds.base_url`` when set, else under
    ``site.url``'s ``ical/`` folder; None when neither is known."""
    name = feed_filename(org, kind, ident, secret_key)
    if org.settings.feed_base_url:
        return _base(org.settings.feed_base_url) + name
    if org.settings.site_url:
        return _base(org.settings.site_url) + "ical/" + name
    return None


def webcal_url(url: str) -> str:
    """The ``webcal://`` form of an http(s) address (opens the calendar app)."""
    return re.sub(r"^https?://", "webcal://", url)


def team_page_url(org: Org, team_id: str) -> str | None:
    """The team page's absolute address; None without ``site.url`` (an iCal URL must be
    absolute, and ``feeds.base_url`` is a feed host, not the site)."""
    if not org.settings.site_url:
        return None
    return _base(org.settings.site_url) + f"teams/{team_id}/"


@dataclass(frozen=True)
class FeedLinks:
    """What a page offers for one feed."""

    download: str  # path under the site root: ical/<name>
    https: str | None
    webcal: str | None


def feed_links(org: Org, kind: str, ident: str) -> FeedLinks | None:
    """Links for a page, or None when the page must not show them: with
    ``feeds.secret`` a personal feed's address is handed to its owner only
    (``rota ical --person ID --url``)."""
    if kind == "person" and org.settings.feed_secret:
        return None
    url = feed_url(org, kind, ident)
    return FeedLinks(
        "ical/" + feed_filename(org, kind, ident), url, webcal_url(url) if url else None
    )


def with_feed_key(org: Org, secret_key: str | None) -> Org:
    """The organisation carrying the feed key; with ``feeds.secret`` and no key this
    fails with an error at the settings (the build then exits 1)."""
    if not org.settings.feed_secret:
        return org
    if not secret_key:
        raise InvalidInput(
            [
                Diagnostic(
                    org.settings.source,
                    "error",
                    f"feeds.secret is true but the environment variable {SECRET_ENV} is "
                    "not set: set it to a long random string kept out of git (the same "
                    "one on every build, or every feed address changes), or set "
                    "feeds.secret: false",
                )
            ]
        )
    return replace(org, settings=replace(org.settings, feed_key=secret_key))


# --- events ----------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text from the inputs as iCal TEXT: line ends unified, control characters dropped
    (icalendar then escapes ``, ; \\`` and newlines)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _one_line(text: str) -> str:
    """Text for a one-line property (a calendar's name): control characters and line
    ends become spaces, so nothing can start a property or an event of its own."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_uid(org: Org, shift: Shift, person: str | None = None) -> str:
    """Stable for the same slot and interval start, whoever is on call (see module doc)."""
    parts = [org.settings.organisation, shift.team, shift.rotation, _utc(shift.slot_start_at)]
    if shift.start_at != shift.slot_start_at:
        parts.append(_utc(shift.start_at))
    if person is not None:
        parts.append(person)
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{digest}@rota"


def fingerprint(shift: Shift) -> str:
    """What a revision is about: the person and the instants."""
    text = "\x1f".join([shift.person or "", _utc(shift.start_at), _utc(shift.end_at)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _hours(length: timedelta) -> str:
    """Real elapsed time (a week over the fall-back night is 169 hours)."""
    hours = length.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _when(at: datetime, tz_name: str) -> str:
    return at.astimezone(zone(tz_name)).strftime("%a %d %b %Y %H:%M")


@dataclass
class _Context:
    org: Org
    schedule: Schedule
    now: datetime
    state: FeedState
    revisions: dict[str, Revision] = field(default_factory=dict)
    chains: ChainCache | None = None
    handoffs: dict[tuple[str, str], list[Handoff]] | None = None
    handoff_starts: dict[tuple[str, str], list[datetime]] = field(default_factory=dict)
    descriptions: dict[Shift, vText] = field(default_factory=dict)  # shared by both feeds
    values: dict[tuple[str, Hashable], Any] = field(default_factory=dict)
    lines: dict[int, bytes | None] = field(default_factory=dict)  # id(shared value) → line
    markers: dict[tuple[str, bytes], bytes] = field(default_factory=dict)  # BEGIN/END lines
    zone_lines: dict[int, bytes] = field(default_factory=dict)  # id(Timezone) → its text
    zones: dict[tuple[str, date, date], Timezone] = field(default_factory=dict)
    by_person: dict[str, list[Shift]] | None = None
    by_team: dict[str, list[Shift]] | None = None

    def shifts_of(self, kind: str, ident: str) -> list[Shift]:
        """A person's or a team's shifts, in schedule order (grouped once)."""
        if self.by_person is None or self.by_team is None:
            self.by_person, self.by_team = {}, {}
            for s in self.schedule.shifts:
                # an uncovered shift is in its team's feed, in nobody's personal feed
                if s.person is not None:
                    self.by_person.setdefault(s.person, []).append(s)
                self.by_team.setdefault(s.team, []).append(s)
        groups = self.by_person if kind == "person" else self.by_team
        return groups.get(ident, [])

    def value(self, name: str, key: Hashable, make: Callable[[], object]) -> Any:
        """The property value ``make()`` as encoded by ``icalendar``, once per (name, key):
        the many events of a build share their stamps, times, summaries and constants,
        and ``_lines`` then writes each shared value's content line once."""
        found = self.values.get((name, key))
        if found is None:
            raw = make()
            if isinstance(raw, datetime) and name in ("dtstamp", "last-modified"):
                raw = tzp.localize_utc(raw)  # what Component.add does for these
            found = self.values[(name, key)] = Event._encode(name, raw)
            self.lines[id(found)] = None
        return found

    def timezone(self, tz_name: str, first: date, last: date) -> Timezone:
        """The zone's VTIMEZONE for the years ``first``..``last``, built once per build."""
        key = (tz_name, first, last)
        found = self.zones.get(key)
        if found is None:
            found = _one_onset_each(Timezone.from_tzid(tz_name, first_date=first, last_date=last))
            self.zones[key] = found
        return found

    def revision(self, uid: str, shift: Shift) -> Revision:
        rev = self.revisions.get(uid)
        if rev is None:
            rev = revise(self.state.events.get(uid), fingerprint(shift), shift.end_at, self.now)
            self.revisions[uid] = rev
        return rev

    def handoff(self, shift: Shift) -> Handoff | None:
        """The handoff that started the stint this shift belongs to (its note covers it)."""
        from generator.reports.handoff import compute_handoffs

        if self.handoffs is None:
            self.handoffs = {}
            found = compute_handoffs(
                self.org, self.schedule, self.schedule.start_at, self.schedule.end_at
            )
            for h in found:
                self.handoffs.setdefault((h.team, h.rotation), []).append(h)
            self.handoff_starts = {k: [h.at for h in v] for k, v in self.handoffs.items()}
        candidates = self.handoffs.get((shift.team, shift.rotation), [])
        starts = self.handoff_starts.get((shift.team, shift.rotation), [])
        i = bisect.bisect_right(starts, shift.start_at)
        if i == 0 or candidates[i - 1].incoming.person != shift.person:
            return None
        return candidates[i - 1]

    def chain(self, team_id: str, at: datetime) -> tuple[str, ...]:
        if self.chains is None:
            self.chains = ChainCache(self.org, self.schedule)
        return self.chains.lines(team_id, max(at, self.schedule.start_at))


def _handoff_notes(org: Org, shift: Shift) -> list[str]:
    """Notes the outgoing engineer wrote for the handoff that starts this slot."""
    team = org.teams[shift.team]
    on = shift.slot_start_at.astimezone(team.tz).date()
    out = []
    for note in org.handoffs:
        if note.team == shift.team and note.rotation == shift.rotation and note.on == on:
            author = org.people[note.author].name if note.author in org.people else note.author
            out += ["", f"Handoff note from {author} ({note.on.isoformat()}):", note.notes]
    return out


def _description(ctx: _Context, shift: Shift) -> vText:
    """The shift's DESCRIPTION, made once and shared by its team and personal events."""
    text = ctx.descriptions.get(shift)
    if text is None:
        text = ctx.descriptions[shift] = vText(_describe(ctx, shift))
        line = Event().content_line("DESCRIPTION", text)
        ctx.lines[id(text)] = fold_line(line).encode()
    return text


def _describe(ctx: _Context, shift: Shift) -> str:
    org = ctx.org
    team = org.teams[shift.team]
    rotation = team.rotation(shift.rotation)
    rotation_name = rotation.name if rotation else shift.rotation
    if shift.person is None:
        return _describe_uncovered(org, shift, f"{team.name} {rotation_name}")
    person = org.people[shift.person]
    lines = [f"{person.name} is on call for {team.name} {rotation_name}."]
    length = _hours(shift.end_at.astimezone(UTC) - shift.start_at.astimezone(UTC))
    lines.append(
        f"{_when(shift.start_at, team.timezone)} to {_when(shift.end_at, team.timezone)}"
        f" {team.timezone} ({length})"
    )
    if person.timezone != team.timezone:
        lines.append(
            f"{_when(shift.start_at, person.timezone)} to "
            f"{_when(shift.end_at, person.timezone)} {person.timezone}"
        )
    if shift.source == "override":
        lines.append("Override" + (f": {shift.note}" if shift.note else "."))
    page = team_page_url(org, team.id)
    if page:
        lines.append(f"Team page: {page}")
    handoff = ctx.handoff(shift)
    if handoff is not None:
        from generator.reports.handoff import handoff_text

        lines += ["", handoff_text(handoff).rstrip("\n")]
    else:  # the first stint in the window: nobody handed over to it here
        lines += _handoff_notes(org, shift)
        chain = ctx.chain(shift.team, shift.start_at)
        if chain:
            lines += ["", "Escalation:", *[f"- {line}" for line in chain]]
    return _clean("\n".join(lines))


def _describe_uncovered(org: Org, shift: Shift, what: str) -> str:
    team = org.teams[shift.team]
    length = _hours(shift.end_at.astimezone(UTC) - shift.start_at.astimezone(UTC))
    lines = [
        f"Nobody is on call for {what}: every member is on leave, outside their "
        "membership dates or on another rotation of the team then.",
        f"{_when(shift.start_at, team.timezone)} to {_when(shift.end_at, team.timezone)}"
        f" {team.timezone} ({length})",
        "Add an override (rotations/, overrides:) to cover it.",
    ]
    page = team_page_url(org, team.id)
    if page:
        lines.append(f"Team page: {page}")
    return _clean("\n".join(lines))


def _summary(org: Org, shift: Shift, personal: bool) -> str:
    team = org.teams[shift.team]
    rotation = team.rotation(shift.rotation)
    rotation_name = rotation.name if rotation else shift.rotation
    if shift.person is None:
        return _clean(f"Uncovered: {team.name} {rotation_name}")
    if personal:
        return _clean(f"On call: {team.name} {rotation_name}")
    return _clean(f"{org.people[shift.person].name}: {team.name} {rotation_name}")


def _event(ctx: _Context, shift: Shift, personal: bool) -> Event:
    org = ctx.org
    team = org.teams[shift.team]
    uid = event_uid(org, shift, shift.person if personal else None)
    rev = ctx.revision(uid, shift)
    summary = _summary(org, shift, personal)
    value = ctx.value
    ev = Event()
    ev.add("uid", uid)
    ev.add(
        "dtstamp", value("dtstamp", None, lambda: ctx.now.astimezone(UTC).replace(microsecond=0))
    )
    ev.add("sequence", value("sequence", rev.sequence, lambda: rev.sequence))
    ev.add(
        "last-modified",
        value("last-modified", rev.modified_at, lambda: rev.modified_at.astimezone(UTC)),
    )
    ev.add("summary", value("summary", summary, lambda: summary))
    tz_key = (team.timezone, shift.start_at, shift.end_at)
    ev.add("dtstart", value("dtstart", tz_key, lambda: shift.start_at.astimezone(team.tz)))
    ev.add("dtend", value("dtend", tz_key, lambda: shift.end_at.astimezone(team.tz)))
    ev.add("transp", value("transp", None, lambda: "TRANSPARENT"))
    ev.add("status", value("status", None, lambda: "CONFIRMED"))
    ev.add("description", _description(ctx, shift))
    page = team_page_url(org, team.id)
    if page:
        ev.add("url", value("url", page, lambda: page))
    reminder = org.settings.feed_reminder
    if personal and reminder:
        alarm = Alarm()
        alarm.add("action", value("action", None, lambda: "DISPLAY"))
        alarm.add("description", value("description", summary, lambda: summary))
        alarm.add("trigger", value("trigger", reminder, lambda: -reminder))
        ev.add_component(alarm)
    return ev


def _timezones(ctx: _Context, zones: set[str], shifts: list[Shift]) -> list[Timezone]:
    """A VTIMEZONE for every zone used, with the transitions of the years the feed spans
    (a zone's rules for all of 1970–2037 would be most of the file)."""
    years = [s.start_at.year for s in shifts] + [s.end_at.year for s in shifts] or [ctx.now.year]
    first, last = date(min(years) - 1, 1, 1), date(max(years) + 1, 12, 31)
    return [ctx.timezone(z, first, last) for z in sorted(zones) if z not in ("UTC", "Etc/UTC")]


def _one_onset_each(tz: Timezone) -> Timezone:
    """The zone with one STANDARD or DAYLIGHT block per transition instead of a list
    of RDATEs: ical.js (Thunderbird's parser) reads only the first value of each RDATE
    property, and would put every later summer on winter time."""
    out = Timezone()
    for name, value in tz.property_items(recursive=False):
        if name not in ("BEGIN", "END"):
            out.add(name, value)
    blocks = []
    for sub in tz.subcomponents:
        onsets = [sub.decoded("dtstart")]
        rdates = sub.get("rdate")
        for group in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
            onsets += [d.dt for d in group.dts]
        for onset in onsets:
            block = type(sub)()
            block.add("dtstart", onset)
            for prop in ("tzname", "tzoffsetfrom", "tzoffsetto"):
                if prop in sub:
                    block.add(prop, sub.decoded(prop))
            blocks.append((onset, block))
    for _, block in sorted(blocks, key=lambda b: b[0]):
        out.add_component(block)
    return out


def _calendar(org: Org, name: str, tz_name: str, url: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", _one_line(name))
    cal.add("x-wr-calname", _one_line(name))
    cal.add("x-wr-caldesc", _clean(f"On-call shifts published by {org.settings.organisation}"))
    cal.add("x-wr-timezone", tz_name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    if url:
        cal.add("source", url, parameters={"VALUE": "URI"})
    return cal


def _feed(
    ctx: _Context,
    shifts: list[Shift],
    name: str,
    tz_name: str,
    url: str | None,
    personal: bool,
    extra: Sequence[Event] = (),
) -> bytes:
    cal = _calendar(ctx.org, name, tz_name, url)
    zones = {ctx.org.teams[s.team].timezone for s in shifts} | {tz_name}
    out = _lines(ctx, cal)
    del out[-1]  # END:VCALENDAR, after the components
    for tz in _timezones(ctx, zones, shifts):
        text = ctx.zone_lines.get(id(tz))
        if text is None:
            text = ctx.zone_lines[id(tz)] = b"\r\n".join(_lines(ctx, tz))
        out.append(text)
    ordered = sorted(
        shifts,
        key=lambda s: (s.start_at, event_uid(ctx.org, s, s.person if personal else None)),
    )
    out += (line for s in ordered for line in _lines(ctx, _event(ctx, s, personal)))
    out += (line for ev in extra for line in _lines(ctx, ev))
    out.append(b"END:VCALENDAR")
    return b"\r\n".join(out) + b"\r\n"


def _lines(ctx: _Context, component: Component) -> list[bytes]:
    """The component's folded content lines, as ``Component.to_ical`` writes them; a
    shared DESCRIPTION is escaped and folded once for all the feeds that carry it."""
    out = []
    lines, markers = ctx.lines, ctx.markers
    for name, value in component.property_items():
        if isinstance(value, bytes):  # BEGIN and END
            line = markers.get((name, value))
            if line is None:
                line = markers[(name, value)] = fold_line(
                    component.content_line(name, value)
                ).encode()
        elif id(value) in lines:  # a value shared by many events (see _Context.value)
            line = lines[id(value)]
            if line is None:
                line = lines[id(value)] = fold_line(component.content_line(name, value)).encode()
        else:
            line = fold_line(component.content_line(name, value)).encode()
        out.append(line)
    return out


def fold_line(line: str, limit: int = 75) -> str:
    """RFC 5545 folding exactly as ``icalendar`` does it (lines under ``limit`` octets,
    a backslash or caret escape never split from what it escapes), in slices for
    ASCII text instead of one character at a time."""
    if not line.isascii():
        return _fold_unicode(line, limit)
    width = limit - 1
    if len(line) <= width:
        return line
    parts = []
    i, n = 0, len(line)
    while n - i > width:
        j = i + width
        if line[j - 1] in "\\^":
            j -= 1
        parts.append(line[i:j])
        i = j
    parts.append(line[i:])
    return "\r\n ".join(parts)


def _fold_unicode(line: str, limit: int) -> str:
    parts: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = len(char.encode())
        if current and count + size >= limit:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                parts.append("".join(current))
                current, count = [carried], len(carried.encode())
            else:
                parts.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        parts.append("".join(current))
    return "\r\n ".join(parts)


def action_uid(org: Org, incident: str, item_id: str) -> str:
    """Stable for one postmortem action item, whatever its title, owner or due date."""
    parts = [org.settings.organisation, "action", incident, item_id]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32] + "@rota"


def action_events(ctx: _Context, kind: str, owner: str) -> list[Event]:
    """All-day events on the due dates of the open action items ``owner`` (a person or a
    team) owns: Google Calendar and Outlook ignore VTODO, so a task is shown as an
    event. A done or dropped item is no longer in the feed."""
    from generator.timeutil import localize

    org = ctx.org
    incidents = {i.id: i for i in org.incidents}
    events = []
    items = [
        it
        for pm in org.postmortems
        for it in pm.action_items
        if it.owner_kind == kind and it.owner == owner and it.status == "open"
    ]
    for it in sorted(items, key=lambda x: (x.due_on, x.incident, x.id)):
        uid = action_uid(org, it.incident, it.id)
        what = "\x1f".join([it.title, it.owner, it.priority, it.type, it.due_on.isoformat()])
        day_end = localize(datetime.combine(it.due_on + timedelta(days=1), time()), org.settings.tz)
        rev = ctx.revisions.get(uid)
        if rev is None:
            digest = hashlib.sha256(what.encode()).hexdigest()[:16]
            rev = revise(ctx.state.events.get(uid), digest, day_end, ctx.now)
            ctx.revisions[uid] = rev
        inc = incidents[it.incident]
        summary = f"Action due: {it.title} ({it.incident} {it.id}, {it.priority})"
        lines = [
            f"Postmortem action item {it.id} of {it.incident}: {inc.title}",
            f"Priority {it.priority}, type {it.type}, owner {it.owner}, due {it.due_on}.",
        ]
        if it.link:
            lines.append(f"Tracked at {it.link}")
        ev = Event()
        ev.add("uid", uid)
        ev.add("dtstamp", ctx.now.astimezone(UTC).replace(microsecond=0))
        ev.add("sequence", rev.sequence)
        ev.add("last-modified", rev.modified_at.astimezone(UTC))
        ev.add("summary", _clean(summary))
        ev.add("dtstart", it.due_on)
        ev.add("dtend", it.due_on + timedelta(days=1))
        ev.add("transp", "TRANSPARENT")
        ev.add("status", "CONFIRMED")
        ev.add("categories", ["Postmortem action"])
        ev.add("description", _clean("\n".join(lines)))
        page = site_page_url(org, f"postmortems/{it.incident.lower()}/")
        if page:
            ev.add("url", page)
        events.append(ev)
    return events


def site_page_url(org: Org, path: str) -> str | None:
    """The absolute address of a page of the site, when settings.site.url is known."""
    base = org.settings.site_url
    return _base(base) + path if base else None


def _person_feed(ctx: _Context, person_id: str) -> bytes:
    org = ctx.org
    person = org.people[person_id]
    shifts = ctx.shifts_of("person", person_id)
    url = feed_url(org, "person", person_id) if not org.settings.feed_secret else None
    name = f"On call: {person.name} ({org.settings.organisation})"
    actions = action_events(ctx, "person", person_id)
    return _feed(ctx, shifts, name, person.timezone, url, True, actions)


def _team_feed(ctx: _Context, team_id: str) -> bytes:
    org = ctx.org
    team = org.teams[team_id]
    shifts = ctx.shifts_of("team", team_id)
    url = feed_url(org, "team", team_id) if not org.settings.feed_secret else None
    name = f"On call: {team.name} ({org.settings.organisation})"
    return _feed(ctx, shifts, name, team.timezone, url, False, action_events(ctx, "team", team_id))


def person_feed(
    org: Org, schedule: Schedule, person_id: str, now: datetime, state: FeedState | None = None
) -> bytes:
    """A person's feed: their shifts in every team, with revisions against ``state``."""
    return _person_feed(_Context(org, schedule, now, state or FeedState()), person_id)


def team_feed(
    org: Org, schedule: Schedule, team_id: str, now: datetime, state: FeedState | None = None
) -> bytes:
    """A team's feed: every rotation's shifts, named by person."""
    return _team_feed(_Context(org, schedule, now, state or FeedState()), team_id)


@dataclass(frozen=True)
class FeedBuild:
    files: Mapping[str, bytes]  # path under the site root (ical/<name>) → feed
    state: FeedState  # what to remember for the next build


def render_feeds(org: Org, schedule: Schedule, now: datetime, state: FeedState) -> FeedBuild:
    """Every feed of the site and the feed memory after publishing them."""
    from generator.reports.handoff import forget_handoffs

    ctx = _Context(org, schedule, now, state)
    files: dict[str, bytes] = {}
    for team_id in sorted(org.teams):
        files[f"ical/{feed_filename(org, 'team', team_id)}"] = _team_feed(ctx, team_id)
    for person_id in sorted(org.people):
        files[f"ical/{feed_filename(org, 'person', person_id)}"] = _person_feed(ctx, person_id)
    forget_handoffs()  # the feeds are the build's last reader of the handoff notes
    return FeedBuild(files, next_state(state, ctx.revisions, now, org.settings.history))


# --- pager feeds -----------------------------------------------------------------------


def pager_uid(org: Org, shift: Shift) -> str:
    """Stable for the same interval of the same rotation, whoever is on call."""
    parts = [org.settings.organisation, "pager", shift.team, shift.rotation, _utc(shift.start_at)]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{digest}@rota"


def pager_feeds(org: Org, schedule: Schedule, now: datetime) -> dict[str, bytes]:
    """``ical/pager/<team>/<rotation>.ics``: a feed a paging tool subscribes to as a
    schedule (Grafana OnCall / IRM match SUMMARY to a user's e-mail or username).
    The same feed is also written at the earlier address ``ical/pager/<team>-<rotation>.ics``
    (``legacy_pager_feed_path``) when no other rotation's earlier address is the same,
    so existing subscriptions keep working; where two would share it, neither is written.

    One event per shift, SUMMARY the person's e-mail (their id if they have none),
    UTC times, a stable UID, and no prose: nothing for the tool to misread. A shift
    nobody covers has no event (the tool shows a gap there). With ``feeds.secret``
    the name ends in ``-<token>`` like the other feeds'."""
    stamp = now.astimezone(UTC).replace(microsecond=0)
    key_secret = org.settings.feed_key if org.settings.feed_secret else None
    if org.settings.feed_secret and not key_secret:
        raise ValueError(f"feeds.secret is on but no {SECRET_ENV} key was given")
    by_rotation: dict[str, list[Shift]] = {r.key: [] for r in org.rotations()}
    for s in schedule.shifts:
        if s.person is not None:
            by_rotation.setdefault(f"{s.team}/{s.rotation}", []).append(s)
    files: dict[str, bytes] = {}
    line = _PagerLines(org, stamp)
    for key in sorted(by_rotation):
        team_id, _, rotation_id = key.partition("/")
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        rotation = org.teams[team_id].rotation(rotation_id)
        label = rotation.name if rotation is not None else rotation_id
        cal.add("x-wr-calname", _one_line(f"{org.teams[team_id].name} {label} (pager)"))
        cal.add("x-wr-timezone", "UTC")
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        out = [fold_line(cal.content_line(n, v)).encode() for n, v in cal.property_items()]
        end = out.pop()  # END:VCALENDAR, after the events
        for s in sorted(by_rotation[key], key=lambda s: s.start_at):
            out += (
                b"BEGIN:VEVENT",  # in icalendar's canonical order of properties
                line.summary(s.person or ""),  # uncovered shifts were left out above
                line.time("DTSTART", s.start_at),
                line.time("DTEND", s.end_at),
                line.stamp,
                line.text("UID", pager_uid(org, s)),
                b"TRANSP:TRANSPARENT",
                b"END:VEVENT",
            )
        out.append(end)
        files[pager_feed_path(org, key)] = b"\r\n".join(out) + b"\r\n"
    legacy: dict[str, list[str]] = {}
    for key in by_rotation:
        legacy.setdefault(legacy_pager_feed_path(org, key), []).append(key)
    for path, keys in legacy.items():
        if len(keys) == 1:
            files[path] = files[pager_feed_path(org, keys[0])]
    return files


class _PagerLines:
    """The content lines of pager events, each written once and byte for byte as
    ``icalendar`` writes them (the golden test compares): a year of 200 rotations is
    40,000 events of the same few summaries and instants."""

    def __init__(self, org: Org, stamp: datetime) -> None:
        self.org = org
        self.event = Event()
        self._summaries: dict[str, bytes] = {}
        self._times: dict[tuple[str, datetime], bytes] = {}
        self.stamp = self.time("DTSTAMP", stamp)

    def text(self, name: str, value: str) -> bytes:
        return fold_line(self.event.content_line(name, vText(value))).encode()

    def time(self, name: str, at: datetime) -> bytes:
        got = self._times.get((name, at))
        if got is None:
            event = Event()
            event.add(name, at.astimezone(UTC))
            got = self._times[(name, at)] = fold_line(
                event.content_line(name, event[name])
            ).encode()
        return got

    def summary(self, pid: str) -> bytes:
        got = self._summaries.get(pid)
        if got is None:
            person = self.org.people.get(pid)
            got = self._summaries[pid] = self.text(
                "SUMMARY", _clean(person.email if person and person.email else pid)
            )
        return got


def pager_feed_path(org: Org, key: str) -> str:
    """``ical/pager/<team>/<rotation>.ics`` (``-<token>`` with ``feeds.secret``, as secret
    as the other feeds: they name everyone on call). A folder per team: two rotations
    never share a name, whatever their slugs (``a-b``/``c`` and ``a``/``b-c``)."""
    name = key
    if org.settings.feed_secret and org.settings.feed_key:
        name += f"-{feed_token(org.settings.feed_key, 'pager', key)}"
    return f"ical/pager/{name}.ics"


def legacy_pager_feed_path(org: Org, key: str) -> str:
    """The earlier address, ``ical/pager/<team>-<rotation>.ics``: ambiguous, so written
    only where no other rotation has the same (see ``pager_feeds``)."""
    return pager_feed_path(org, key).replace("/", "-").replace("ical-pager-", "ical/pager/", 1)
