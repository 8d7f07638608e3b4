"""What ``rota notify`` tells whom. Pure: no clock, no environment, no network.

Each kind of notice is chosen here as structured ``Message`` values (a title and
lines of text, people and links kept apart from the text around them, so each
channel renders them its own way: Slack mentions, Adaptive Card markdown, plain
e-mail) and routed to ``Delivery`` targets from ``settings.notify`` and each team's
``notify`` (see ``model.notify_channels``):

- ``handoffs``: each handoff in the window, to its team's channels;
- ``upcoming``: to each person with shifts starting in the window, those shifts in
  their own zone, by e-mail and by Slack direct message;
- ``uncovered``: each team's uncovered shifts starting before now + freeze, to its
  channels, with the ``rota cover`` command that ranks who could take each;
- ``usergroups``: the people each configured Slack user group should hold now;
- ``changes``: to each person a plan change touches, what changed for them.

Everything is sorted, so the same inputs give the same messages byte for byte.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.model import Org, Person, Team, notify_channels
from generator.reports.diff import Change, PersonChange, PlanDiff
from generator.reports.handoff import Handoff, Party
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import iso, zone


@dataclass(frozen=True)
class PersonRef:
    """A person named in a message: a Slack mention where their handle is known."""

    person: str
    name: str
    slack: str | None = None


@dataclass(frozen=True)
class Link:
    text: str
    url: str


Segment = str | PersonRef | Link
Line = tuple[Segment, ...]


@dataclass(frozen=True)
class Message:
    kind: str  # handoffs | upcoming | uncovered | changes
    title: str  # one line of plain text: the e-mail subject, the card's heading
    lines: tuple[Line, ...]
    link: Link | None = None  # the message's main link (the handoff note)


@dataclass(frozen=True)
class Delivery:
    """One message to one target.

    ``channel``: ``slack`` (a channel's incoming webhook), ``msteams`` (a workflow
    webhook), ``email`` (SMTP to ``address``) or ``slack-dm`` (a bot's direct message
    to the Slack user ``address``). ``secret_env`` names the variable holding the
    webhook URL or the bot token; ``audience`` is ``team:<id>``, ``person:<id>`` or
    ``organisation``."""

    channel: str
    audience: str
    address: str | None
    secret_env: str | None
    message: Message

    @property
    def target(self) -> str:
        """The target as printed (never a secret: the variable's name only)."""
        if self.channel == "email":
            return f"e-mail to {self.address}"
        if self.channel == "slack-dm":
            return f"Slack direct message to {self.address} (bot token in {self.secret_env})"
        tool = "Slack" if self.channel == "slack" else "Microsoft Teams"
        return f"{tool} webhook in {self.secret_env}"


@dataclass(frozen=True)
class GroupUpdate:
    """A Slack user group and the people it should hold now."""

    usergroup: str
    audience: str  # team:<id> | organisation
    token_env: str | None
    people: tuple[PersonRef, ...]  # on call now, sorted by id

    @property
    def users(self) -> tuple[str, ...]:
        """The Slack user ids to send, sorted, each once."""
        return tuple(sorted({p.slack for p in self.people if p.slack}))

    @property
    def missing(self) -> tuple[PersonRef, ...]:
        """On call, but without a Slack handle: they cannot be put in the group."""
        return tuple(p for p in self.people if not p.slack)


SLACK_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def handle(person: Person, kind: str) -> str | None:
    """``person.handles[kind]`` (github, slack, email), if the person has one; a Slack
    handle only if it is a member id (``U…``/``W…``), the only form Slack mentions and
    messages take (a name such as ``@alice`` is treated as no handle)."""
    value = person.handle(kind)
    if kind == "slack" and value is not None and not SLACK_ID_RE.fullmatch(value):
        return None
    return value or None


def person_ref(org: Org, person_id: str) -> PersonRef:
    person = org.people.get(person_id)
    if person is None:  # not in this organisation (a person removed by a change)
        return PersonRef(person_id, person_id)
    return PersonRef(person_id, person.name, handle(person, "slack"))


def when(at: datetime, tz_name: str) -> str:
    """``Mon 07 Dec 2026 09:00 EST``: an instant on a zone's clock."""
    local = at.astimezone(zone(tz_name))
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"


def span(start: datetime, end: datetime, tz_name: str) -> str:
    """``Mon 07 Dec 2026 09:00 EST to Mon 14 Dec 2026 09:00 EST``."""
    return f"{when(start, tz_name)} to {when(end, tz_name)}"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# --- where a team's (or the organisation's) messages go --------------------------------


def team_deliveries(org: Org, team: Team | None, message: Message) -> list[Delivery]:
    """``message`` to each channel of ``team`` (None: the organisation's channels)."""
    cfg = notify_channels(org.settings, team)
    audience = f"team:{team.id}" if team is not None else "organisation"
    out = []
    if cfg.slack is not None and cfg.slack.webhook_env:
        out.append(Delivery("slack", audience, None, cfg.slack.webhook_env, message))
    if cfg.msteams is not None and cfg.msteams.webhook_env:
        out.append(Delivery("msteams", audience, None, cfg.msteams.webhook_env, message))
    if cfg.email is not None and cfg.email.to:
        out.append(Delivery("email", audience, cfg.email.to, None, message))
    return out


def person_deliveries(org: Org, person: Person, message: Message) -> list[Delivery]:
    """``message`` to ``person``: by e-mail (when the organisation has an SMTP server)
    and by Slack direct message (when it has a bot token and they a Slack handle)."""
    address = person.email or handle(person, "email")
    return _to_person(org, person.id, address, handle(person, "slack"), message)


def _to_person(
    org: Org, person_id: str, address: str | None, slack_id: str | None, message: Message
) -> list[Delivery]:
    cfg = notify_channels(org.settings, None)
    audience = f"person:{person_id}"
    out = []
    if cfg.email is not None and cfg.email.smtp_host and address:
        out.append(Delivery("email", audience, address, None, message))
    if cfg.slack is not None and cfg.slack.token_env and slack_id:
        out.append(Delivery("slack-dm", audience, slack_id, cfg.slack.token_env, message))
    return out


# --- handoffs ----------------------------------------------------------------------------


def handoff_url(org: Org, h: Handoff) -> str | None:
    """The handoff note on the published site, or None without ``settings.site.url``."""
    base = org.settings.site_url
    if not base:
        return None
    base = base if base.endswith("/") else base + "/"
    month = h.at.astimezone(zone(h.team_timezone)).strftime("%Y-%m")
    page = "index.html" if org.settings.site_offline else ""
    return f"{base}handoffs/{h.team}/{month}/{page}#{h.anchor}"


def _party(org: Org, p: Party) -> Line:
    return (person_ref(org, p.person), f" ({p.local_at:%a %d %b %H:%M} {p.local_at.tzname()})")


MAX_INCIDENTS = 5  # incidents listed in a handoff message; the note has them all


def handoff_message(org: Org, h: Handoff) -> Message:
    """The summary of one handoff note, for the team's channel."""
    title = f"{h.team_name} {h.rotation_name}: handoff {when(h.at, h.team_timezone)}"
    incoming = _party(org, h.incoming)
    if h.outgoing is None:
        lines: list[Line] = [("Starts with ", *incoming)]
    else:
        lines = [(*_party(org, h.outgoing), " hands over to ", *incoming)]
    lines.append(
        (
            f"{plural(len(h.incidents), 'incident')} during the outgoing shift, "
            f"{plural(len(h.notes), 'handoff note')}",
        )
    )
    for incident in h.incidents[:MAX_INCIDENTS]:
        lines.append((f"{incident.id} ({incident.severity}): {incident.title}",))
    if len(h.incidents) > MAX_INCIDENTS:
        lines.append((f"… {len(h.incidents) - MAX_INCIDENTS} more in the handoff note",))
    for gap in (h.uncovered_before, h.uncovered_after):
        if gap is not None:
            lines.append((f"Uncovered: nobody is on call from {span(*gap, h.team_timezone)}",))
    url = handoff_url(org, h)
    link = Link("Handoff note", url) if url else None
    if link is not None:
        lines.append(("Handoff note: ", link))
    return Message("handoffs", title, tuple(lines), link)


def handoff_deliveries(org: Org, handoffs: Iterable[Handoff]) -> list[Delivery]:
    """Each handoff's summary to its team's channels, in handoff order."""
    out = []
    for h in sorted(handoffs, key=lambda h: (h.at, h.team, h.rotation)):
        out += team_deliveries(org, org.teams[h.team], handoff_message(org, h))
    return out


# --- upcoming shifts ------------------------------------------------------------------


def merged(shifts: Iterable[Shift]) -> list[Shift]:
    """Shifts of one person, sorted; touching shifts of one rotation become one."""
    from dataclasses import replace

    out: list[Shift] = []
    for s in sorted(shifts, key=lambda s: (s.start_at, s.team, s.rotation)):
        last = out[-1] if out else None
        if (
            last is not None
            and (last.team, last.rotation, last.person) == (s.team, s.rotation, s.person)
            and last.end_at == s.start_at
        ):
            out[-1] = replace(last, end_at=s.end_at)
        else:
            out.append(s)
    return out


def _rotation_name(org: Org, s: Shift) -> str:
    team = org.teams.get(s.team)
    rotation = team.rotation(s.rotation) if team else None
    return f"{team.name if team else s.team} {rotation.name if rotation else s.rotation}"


def upcoming_message(
    org: Org, person: Person, shifts: Sequence[Shift], start: datetime, end: datetime
) -> Message:
    """``person``'s shifts (starting in [start, end)) on their own clock."""
    tz = person.timezone
    title = (
        f"Your on-call shifts from {start.astimezone(zone(tz)):%a %d %b} to "
        f"{(end - timedelta(microseconds=1)).astimezone(zone(tz)):%a %d %b %Y}"
    )
    lines: list[Line] = [(f"Hello {person.name}, your shifts ({tz}):",)]
    for s in merged(shifts):
        lines.append((f"{_rotation_name(org, s)}: {span(s.start_at, s.end_at, tz)}",))
    return Message("upcoming", title, tuple(lines))


def upcoming_deliveries(
    org: Org, schedule: Schedule, start: datetime, end: datetime
) -> tuple[list[Delivery], list[str]]:
    """To each person with shifts starting in [start, end), those shifts; and the people
    who have shifts but no channel (no e-mail address, no Slack handle and bot)."""
    mine: dict[str, list[Shift]] = defaultdict(list)
    for s in schedule.staffed:
        if start <= s.start_at < end and s.person is not None:
            mine[s.person].append(s)
    out, unreachable = [], []
    for person_id in sorted(mine):
        person = org.people[person_id]
        found = person_deliveries(
            org, person, upcoming_message(org, person, mine[person_id], start, end)
        )
        out += found
        if not found:
            unreachable.append(person_id)
    return out, unreachable


# --- uncovered shifts --------------------------------------------------------------------


def uncovered_message(org: Org, team: Team, shifts: Sequence[Shift]) -> Message:
    title = f"{team.name}: {plural(len(shifts), 'uncovered shift')} in the coming weeks"
    lines: list[Line] = []
    for s in shifts:
        lines.append(
            (
                f"{_rotation_name(org, s)}: nobody is on call "
                f"from {span(s.start_at, s.end_at, team.timezone)}. Who could take it: "
                f"rota cover --team {s.team} --rotation {s.rotation} --at {iso(s.start_at)}",
            )
        )
    return Message("uncovered", title, tuple(lines))


def uncovered_deliveries(org: Org, schedule: Schedule, now: datetime) -> list[Delivery]:
    """Each team's uncovered shifts in [now, now + freeze) (the one under way too),
    to its channels; one line per shift, each needing its own cover."""
    end = now + org.settings.freeze
    by_team: dict[str, list[Shift]] = defaultdict(list)
    for s in schedule.uncovered:
        if now < s.end_at and s.start_at < end:
            by_team[s.team].append(s)
    out = []
    for team_id in sorted(by_team):
        shifts = sorted(by_team[team_id], key=lambda s: (s.start_at, s.rotation))
        team = org.teams[team_id]
        out += team_deliveries(org, team, uncovered_message(org, team, shifts))
    return out


# --- Slack user groups ---------------------------------------------------------------


def group_updates(org: Org, schedule: Schedule, now: datetime) -> list[GroupUpdate]:
    """Each configured user group and who is on call at ``now``: a team's group holds
    its own people, the organisation's (``settings.notify.slack.usergroup``) everyone."""
    on_call: dict[str, set[str]] = defaultdict(set)
    for s in schedule.staffed:
        if s.start_at <= now < s.end_at and s.person is not None:
            on_call[s.team].add(s.person)
    out = []
    org_cfg = notify_channels(org.settings, None).slack
    if org_cfg is not None and org_cfg.usergroup:
        everyone = set().union(*on_call.values()) if on_call else set()
        refs = tuple(person_ref(org, p) for p in sorted(everyone))
        out.append(GroupUpdate(org_cfg.usergroup, "organisation", org_cfg.token_env, refs))
    for team_id in sorted(org.teams):
        cfg = notify_channels(org.settings, org.teams[team_id]).slack
        if cfg is not None and cfg.usergroup:
            refs = tuple(person_ref(org, p) for p in sorted(on_call.get(team_id, ())))
            out.append(GroupUpdate(cfg.usergroup, f"team:{team_id}", cfg.token_env, refs))
    return out


# --- changes -------------------------------------------------------------------------


def _hours(value: float) -> str:
    """``+12h``, ``−7.5h``."""
    number = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"+{number}h" if value > 0 else f"−{number}h"


def changes_message(org: Org, diff: PlanDiff, p: PersonChange, tz: str) -> Message:
    """What a change does to one person: shifts taken and given up on their clock (each
    with who had or has it), hours by class, pay per month, fairness."""

    def who(person_id: str | None) -> str:
        return "nobody" if person_id is None else diff.names.get(person_id, person_id)

    def rotation(c: Change) -> str:
        team = org.teams.get(c.team)
        r = team.rotation(c.rotation) if team else None
        return f"{team.name if team else c.team} {r.name if r else c.rotation}"

    lines: list[Line] = [
        (
            f"Hello {p.name}, a change to the on-call plan ({diff.base} → {diff.head}) "
            f"changes your shifts ({tz}):",
        )
    ]
    for c in sorted(p.gained, key=lambda c: (c.start_at, c.key)):
        published = " (a published shift)" if c.locked else ""
        lines.append(
            (
                f"You take {rotation(c)}: {span(c.start_at, c.end_at, tz)}, "
                f"before: {who(c.before)}{published}",
            )
        )
    for c in sorted(p.lost, key=lambda c: (c.start_at, c.key)):
        published = " (a published shift)" if c.locked else ""
        after = who(c.after) if c.after is not None else "nobody (uncovered)"
        lines.append(
            (
                f"You no longer take {rotation(c)}: {span(c.start_at, c.end_at, tz)}, "
                f"now: {after}{published}",
            )
        )
    hours = [
        f"{k} {_hours(p.hours_delta[k])}"
        for k in ("weekday", "night", "weekend", "holiday")
        if p.hours_delta.get(k)
    ]
    if hours:
        lines.append((f"Hours on call: {', '.join(hours)}",))
    currency = f"{diff.currency} " if diff.currency else ""
    for m in p.pay:
        if m.delta:
            lines.append((f"Pay {m.month}: {currency}{m.before:.2f} → {m.after:.2f}",))
    for dc in p.deviations:
        if dc.before != dc.after and dc.before is not None and dc.after is not None:
            lines.append(
                (
                    f"Fairness, {dc.team}/{dc.rotation}: {dc.before:+.2f} → {dc.after:+.2f} "
                    "shifts from target",
                )
            )
    return Message("changes", "Your on-call shifts change", tuple(lines))


def changes_deliveries(org: Org, diff: PlanDiff) -> tuple[list[Delivery], list[str]]:
    """To exactly the people whose shifts the change moves (``diff.people()``), what
    changes for them; and those of them nobody can reach. ``org`` is the organisation
    after the change (its channels and people); a person the change removes is reached
    through the handles the diff kept."""
    out, unreachable = [], []
    for p in sorted(diff.persons, key=lambda p: p.person):
        person = org.people.get(p.person)
        if person is not None:
            tz = person.timezone
            address = person.email or handle(person, "email")
            slack_id = handle(person, "slack")
        else:
            tz = org.settings.timezone
            address = p.handles.get("email")
            slack = p.handles.get("slack")
            slack_id = slack if slack and SLACK_ID_RE.fullmatch(slack) else None
        found = _to_person(org, p.person, address, slack_id, changes_message(org, diff, p, tz))
        out += found
        if not found:
            unreachable.append(p.person)
    return out, unreachable
