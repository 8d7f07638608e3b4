"""The organisation as typed, frozen values: what every later stage reads.

Built by ``validate.build_org`` from the input files; every object remembers
its ``source`` so later checks (conflicts, infeasible shifts) can point at it.
Instants are absolute: what the input files give (leave, overrides, incidents)
is held in UTC, the zone that displays it kept beside it (the team's, the
person's); computed boundaries carry a fixed UTC offset. Either way subtracting
two of them gives real elapsed time. Local wall-clock values (a rotation's
``start_local``) are naive and say so.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from generator.errors import Source
from generator.timeutil import HourClasser, elapsed, zone

NOWHERE = Source("<none>")


@dataclass(frozen=True)
class Rule:
    """An on-call limit written under ``rules:`` (see ``generator.rules``).

    ``limit``: a duration (min_rest, max_consecutive), a share 0..1
    (max_on_call_share), a count (max_nights_per_week, max_pages_per_shift) or
    None (no_consecutive_weekends); ``window``: max_on_call_share's window or
    max_pages_per_shift's ``per``. ``scope``: organisation, team or rotation;
    ``pack``: the pack it came from, if any; ``source``: where it was written."""

    name: str
    level: str  # hard | soft
    limit: timedelta | float | None = None
    window: timedelta | None = None
    scope: str = "rotation"
    pack: str | None = None
    source: Source = NOWHERE


@dataclass(frozen=True)
class SlackNotify:
    """Names of environment variables (never secrets) and a user group id."""

    webhook_env: str | None = None  # the channel's incoming webhook URL
    token_env: str | None = None  # a bot token: direct messages, user groups
    usergroup: str | None = None


@dataclass(frozen=True)
class TeamsNotify:
    webhook_env: str | None = None  # a Microsoft Teams workflow webhook URL


@dataclass(frozen=True)
class EmailNotify:
    smtp_host: str | None = None
    port: int | None = None  # None: 465 with tls ssl, else 587
    sender: str | None = None  # `from`
    username_env: str | None = None
    password_env: str | None = None
    tls: str | None = None  # starttls (default) | ssl | none
    to: str | None = None  # the channel's address

    @property
    def smtp_port(self) -> int:
        return self.port or (465 if self.tls == "ssl" else 587)


@dataclass(frozen=True)
class NotifyConfig:
    """``settings.notify`` or a team's ``notify``: where ``rota notify`` sends."""

    slack: SlackNotify | None = None
    msteams: TeamsNotify | None = None
    email: EmailNotify | None = None
    source: Source = NOWHERE


@dataclass(frozen=True)
class Settings:
    organisation: str = "Rota"
    timezone: str = "UTC"
    horizon: timedelta = timedelta(weeks=26)
    history: timedelta = timedelta(weeks=13)
    freeze: timedelta = timedelta(weeks=4)
    business_from: int = 9 * 60  # minutes after local midnight
    business_to: int = 18 * 60
    load_weights: dict[str, float] = field(
        default_factory=lambda: {"weekday": 1.0, "night": 1.5, "weekend": 2.0, "holiday": 3.0}
    )
    company_holidays: tuple[date, ...] = ()
    # load_weights.interruption: fairness-report load per incident paged while on call
    interruption_weight: float = 0.0
    runbook_review: timedelta = timedelta(days=180)
    exclusive: str = "team"  # team | organisation: where nobody holds two rotations at once
    feed_reminder: timedelta | None = timedelta(hours=1)
    feed_secret: bool = False
    feed_base_url: str | None = None
    publish_pay: bool = True
    site_url: str | None = None
    site_offline: bool = False  # site.offline: links and data that work from file://
    clean_docs: bool = False  # site.clean_docs: the site's own pages are cleaned too
    # postmortems.review_within: severity id → how long after `resolved` a postmortem
    # must be reviewed; severities not listed need none
    review_within: dict[str, timedelta] = field(
        default_factory=lambda: {"SEV-1": timedelta(days=5), "SEV-2": timedelta(days=10)}
    )
    notify: NotifyConfig | None = None  # settings.notify
    source: Source = NOWHERE
    rules: tuple[Rule, ...] = ()  # settings.rules: every team's on-call limits
    # the secret feed key from ROTA_FEED_SECRET, attached by the pipeline (never from YAML)
    feed_key: str | None = field(default=None, repr=False, compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)


def notify_channels(settings: Settings, team: Team | None) -> NotifyConfig:
    """Where ``rota notify`` sends for ``team`` (None: the organisation): the team's
    ``notify`` over ``settings.notify``, channel by channel and key by key. A Slack
    user group is never inherited: the organisation's holds everyone on call, a
    team's only its own people."""
    from dataclasses import fields, replace

    base = settings.notify or NotifyConfig()
    own = team.notify if team is not None else None
    if own is None:
        if team is not None and base.slack is not None:
            base = replace(base, slack=replace(base.slack, usergroup=None))
        return base

    def merge(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return b if a is None else a
        return replace(
            a, **{f.name: getattr(b, f.name) for f in fields(b) if getattr(b, f.name) is not None}
        )

    slack = merge(base.slack, own.slack)
    if slack is not None:
        usergroup = own.slack.usergroup if own.slack is not None else None
        slack = replace(slack, usergroup=usergroup)
    return NotifyConfig(
        slack=slack,
        msteams=merge(base.msteams, own.msteams),
        email=merge(base.email, own.email),
        source=own.source,
    )


@dataclass(frozen=True)
class Leave:
    start_at: datetime
    end_at: datetime
    note: str | None
    whole_days: tuple[date, date] | None  # inclusive first and last day, if given as dates
    source: Source = NOWHERE

    def overlaps(self, start_at: datetime, end_at: datetime) -> bool:
        return self.start_at < end_at and start_at < self.end_at

    def as_written(self, tz: tzinfo) -> str:
        """The leave as its person wrote it: whole days inclusive ("2026-12-21 to
        2027-01-03"), else local date-times in ``tz``, the person's zone."""
        if self.whole_days is not None:
            first, last = self.whole_days
            return f"{first}" if first == last else f"{first} to {last}"
        start, end = self.start_at.astimezone(tz), self.end_at.astimezone(tz)
        return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str | None
    timezone: str
    holidays: str | None
    pay_policy: str | None  # resolved: the policy id that applies, or None
    leave: tuple[Leave, ...]
    source: Source = NOWHERE
    handles: tuple[tuple[str, str], ...] = ()  # (kind, name): github, slack, email

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def handle(self, kind: str) -> str | None:
        return dict(self.handles).get(kind)

    def on_leave(self, start_at: datetime, end_at: datetime) -> Leave | None:
        """The first listed leave that overlaps [start_at, end_at), if any."""
        if not self.leave:
            return None
        starts, latest_ends = self._leave_index
        i = bisect_left(starts, end_at)  # the leaves that start before the interval ends
        if not i or latest_ends[i - 1] <= start_at:  # ... none of them ends after it starts
            return None
        for leave in self.leave:
            if leave.overlaps(start_at, end_at):
                return leave
        return None

    @cached_property
    def _leave_index(self) -> tuple[list[datetime], list[datetime]]:
        """Leave starts in order, and the latest end among the leaves up to each."""
        ordered = sorted(self.leave, key=lambda leave: leave.start_at)
        latest = list(itertools.accumulate((leave.end_at for leave in ordered), max))
        return [leave.start_at for leave in ordered], latest


@dataclass(frozen=True)
class Member:
    person: str
    from_on: date | None
    until_on: date | None  # inclusive
    share: float
    source: Source = NOWHERE


@dataclass(frozen=True)
class Coverage:
    days: frozenset[int]  # 0 = Monday, the day the window starts on
    from_minute: int
    to_minute: int  # < from_minute crosses midnight; == from_minute is 24h
    source: Source = NOWHERE


@dataclass(frozen=True)
class Rotation:
    team: str
    id: str
    name: str
    members: tuple[Member, ...]
    start_local: datetime  # naive, team zone
    shift: timedelta
    assignment: str  # fair | round-robin
    fairness: str  # fluid | equal
    min_rest: timedelta | None
    coverage: tuple[Coverage, ...]
    # allow | discourage | avoid: a member on call for another team at the same time
    on_call_elsewhere: str = "discourage"
    source: Source = NOWHERE
    rules: tuple[Rule, ...] = ()  # its own on-call limits (``generator.rules``)
    # skip | count: whether a turn with no covered time passes in the member order
    uncovered_turns: str = "skip"
    from_at: datetime | None = None  # nobody on call before (UTC)
    until_at: datetime | None = None  # nobody on call from then on (UTC)

    @property
    def key(self) -> str:
        return f"{self.team}/{self.id}"


@dataclass(frozen=True)
class Level:
    after: timedelta
    notify: tuple[str, ...]  # "rotation", "person:ID", "team:ID"
    source: Source = NOWHERE


@dataclass(frozen=True)
class Escalation:
    repeat: int
    levels: tuple[Level, ...]
    source: Source = NOWHERE


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    timezone: str
    description: str | None
    services: tuple[str, ...]
    rotations: tuple[Rotation, ...]
    escalation: Escalation | None
    handoff_checklist: tuple[str, ...]
    source: Source = NOWHERE
    rules: tuple[Rule, ...] = ()  # the team's on-call limits (``generator.rules``)
    notify: NotifyConfig | None = None  # the team's own, over settings.notify

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def rotation(self, rotation_id: str) -> Rotation | None:
        for rotation in self.rotations:
            if rotation.id == rotation_id:
                return rotation
        return None


@dataclass(frozen=True)
class Override:
    team: str
    rotation: str
    start_at: datetime
    end_at: datetime
    person: str
    note: str | None
    source: Source = NOWHERE


@dataclass(frozen=True)
class Severity:
    id: str
    name: str
    description: str
    response: str | None
    source: Source = NOWHERE


@dataclass(frozen=True)
class Incident:
    id: str
    title: str
    severity: str
    team: str
    started_at: datetime
    resolved_at: datetime
    responders: tuple[str, ...]
    postmortem: str | None
    source: Source = NOWHERE
    # incident review (all optional; old logs leave them unset)
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    alerts: tuple[str, ...] = ()
    actionable: bool | None = None  # was there something to do? None: not recorded
    services: tuple[str, ...] = ()
    commander: str | None = None
    tech_lead: str | None = None
    comms_lead: str | None = None
    scribe: str | None = None
    related: tuple[str, ...] = ()  # earlier or later incidents of the same cause

    @property
    def length(self) -> timedelta:
        """Real elapsed time, started to resolved (4 h from 00:30 EDT to 03:30 EST)."""
        return elapsed(self.started_at, self.resolved_at)

    @property
    def paged_at(self) -> datetime:
        """When people were interrupted: detection if recorded, else the start."""
        return self.detected_at or self.started_at

    @property
    def roles(self) -> tuple[tuple[str, str], ...]:
        """(role, person) for the roles that are filled, in the usual order."""
        named = (
            ("commander", self.commander),
            ("tech_lead", self.tech_lead),
            ("comms_lead", self.comms_lead),
            ("scribe", self.scribe),
        )
        return tuple((role, who) for role, who in named if who)

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone the incident interrupted: responders, then role holders."""
        return tuple(dict.fromkeys([*self.responders, *(who for _, who in self.roles)]))


POSTMORTEM_SECTIONS = (
    "Summary",
    "Impact",
    "Timeline",
    "Root Cause",
    "Contributing Factors",
    "Action Items",
)


@dataclass(frozen=True)
class ActionItem:
    incident: str
    id: str
    title: str
    owner: str  # a person or team id
    owner_kind: str  # person | team
    priority: str  # P0 | P1 | P2
    type: str  # prevent | detect | mitigate | process
    due_on: date
    status: str  # open | done | wont_do
    link: str | None
    source: Source = NOWHERE
    title_source: Source = NOWHERE
    closed_on: date | None = None  # when it became done or wont_do


@dataclass(frozen=True)
class Postmortem:
    path: str  # relative to the root, e.g. postmortems/INC-128.md
    slug: str  # the page address under postmortems/: the incident id, lower case
    incident: str
    status: str  # draft | in_review | reviewed | closed
    authors: tuple[str, ...]
    reviewed_on: date | None
    action_items: tuple[ActionItem, ...]
    body: str
    body_line: int  # line of the body's first line in the file
    sections: tuple[str, ...]  # level-2 headings, lower case
    source: Source = NOWHERE
    reviewed_source: Source = NOWHERE  # where `reviewed:` is written

    @property
    def is_reviewed(self) -> bool:
        return self.status in ("reviewed", "closed")


@dataclass(frozen=True)
class HandoffNote:
    team: str
    rotation: str
    on: date
    author: str
    notes: str
    source: Source = NOWHERE
    author_at: Source = NOWHERE  # where the author is written


@dataclass(frozen=True)
class Standby:
    unit: str  # hour | day
    weekday: Decimal
    weekend: Decimal
    holiday: Decimal
    business_hours: Decimal | None


@dataclass(frozen=True)
class Callout:
    rate: Decimal
    minimum: timedelta
    round_up: timedelta | None


@dataclass(frozen=True)
class PayPolicy:
    id: str
    standby: Standby | None
    callout: Callout | None
    cap: Decimal | None  # per calendar month
    source: Source = NOWHERE


@dataclass(frozen=True)
class Pay:
    currency: str
    default_policy: str | None
    policies: dict[str, PayPolicy]
    source: Source = NOWHERE


@dataclass(frozen=True)
class Step:
    title: str
    run: str | None
    expect: str | None
    notes: str | None


@dataclass(frozen=True)
class Runbook:
    path: str  # relative to runbooks/, with its extension
    slug: str  # path without extension: the page address under runbooks/
    kind: str  # markdown | yaml
    title: str
    team: str
    service: str | None
    alerts: tuple[str, ...]
    severity: str | None
    last_reviewed: date | None
    tags: tuple[str, ...]
    dashboards: tuple[tuple[str, str], ...]
    related_alerts: tuple[str, ...]
    summary: str | None
    steps: tuple[Step, ...]
    body: str  # Markdown (for YAML runbooks: empty)
    sections: tuple[str, ...]  # level-2 headings, lower case
    source: Source = NOWHERE

    @property
    def has_mitigation(self) -> bool:
        if self.kind == "yaml":
            return bool(self.steps)
        return any(s.startswith("mitigation") for s in self.sections)


@dataclass(frozen=True)
class LockedShift:
    team: str
    rotation: str
    start_at: datetime
    end_at: datetime
    person: str
    source: Source = NOWHERE


@dataclass(frozen=True)
class Lock:
    """The published assignments (``until``) and the tentative plan after it."""

    until_at: dict[str, datetime]  # by "team/rotation"
    shifts: tuple[LockedShift, ...]  # locked: start < until
    tentative: tuple[LockedShift, ...]  # planned after until, may change
    source: Source = NOWHERE


@dataclass(frozen=True)
class Org:
    root: str
    settings: Settings
    people: dict[str, Person]
    teams: dict[str, Team]
    overrides: tuple[Override, ...]
    severities: tuple[Severity, ...]
    incidents: tuple[Incident, ...]
    handoffs: tuple[HandoffNote, ...]
    pay: Pay | None
    runbooks: tuple[Runbook, ...]
    lock: Lock
    postmortems: tuple[Postmortem, ...] = ()

    def postmortem_of(self, incident_id: str) -> Postmortem | None:
        return self._postmortems_by_incident.get(incident_id)

    @cached_property
    def _postmortems_by_incident(self) -> dict[str, Postmortem]:
        return {pm.incident: pm for pm in self.postmortems}

    def rotations(self) -> list[Rotation]:
        return [r for t in self.teams.values() for r in t.rotations]

    def rotation(self, key: str) -> Rotation | None:
        team_id, _, rotation_id = key.partition("/")
        team = self.teams.get(team_id)
        return team.rotation(rotation_id) if team else None

    def classer(self, person: Person) -> HourClasser:
        return HourClasser(
            person.tz,
            person.holidays,
            self.settings.company_holidays,
            self.settings.business_from,
            self.settings.business_to,
        )

    def pay_policy(self, person: Person) -> PayPolicy | None:
        if self.pay is None or person.pay_policy is None:
            return None
        return self.pay.policies.get(person.pay_policy)
