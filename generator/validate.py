"""Located input values → the typed ``Org`` plus diagnostics. Pure.

Shape errors come from ``spec``; this module adds what needs the whole
organisation: duplicate ids across files, references, overlapping overrides,
escalation chains, runbook paths and staleness.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator import spec
from generator.errors import Diagnostics, Source, did_you_mean, key_hint
from generator.load.lock import parse_lock
from generator.load.tree import RawPostmortem, RawTree
from generator.load.yamlload import LDict
from generator.model import (
    POSTMORTEM_SECTIONS,
    ActionItem,
    Callout,
    Coverage,
    EmailNotify,
    Escalation,
    HandoffNote,
    Incident,
    Leave,
    Level,
    Member,
    NotifyConfig,
    Org,
    Override,
    Pay,
    PayPolicy,
    Person,
    Postmortem,
    Rotation,
    Rule,
    Runbook,
    Settings,
    Severity,
    SlackNotify,
    Standby,
    Step,
    Team,
    TeamsNotify,
    notify_channels,
)
from generator.reviews import paged_unacknowledged, review_status
from generator.rules import build_rules
from generator.spec import INVALID, Rec
from generator.timeutil import LocalTimeError, format_duration, localize, read_local, when, zone

DAY_INDEX = {d: i for i, d in enumerate(spec.DAYS)}
HEADING_RE = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$")
FENCE_RE = re.compile(r"^[ \t]*(```|~~~)")


def instant(
    value: date | datetime, zone_name: str, src: Source, diags: Diagnostics
) -> datetime | None:
    """The UTC instant of a date-time read in ``zone_name`` unless it carries its
    own offset (SPEC 2), or of a date's first instant there; None, with an error at
    ``src``, for a local time inside a DST gap or, written without offset, a fold."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        try:
            return read_local(value, zone(zone_name), zone_name)
        except LocalTimeError as exc:
            diags.error(src, str(exc))
            return None
    return localize(datetime.combine(value, time()), zone(zone_name)).astimezone(UTC)


@dataclass(frozen=True)
class Lost:
    """Ids of objects that failed validation. Each failure is reported where it is, so
    a reference to a lost object is not an error of its own (one mistake, one error)."""

    people: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    rotations: frozenset[str] = frozenset()  # "team/rotation", also those of lost teams' rotations
    incidents: frozenset[str] = frozenset()

    def rotation(self, team_id: str, rotation_id: str) -> bool:
        return team_id in self.teams or f"{team_id}/{rotation_id}" in self.rotations


NOTHING_LOST = Lost()


def _lost(failed: dict[str, set[str]], teams: list[Rec]) -> Lost:
    rotations = {
        f"{t['id']}/{rid}"
        for t in teams
        if isinstance(t["rotations"], spec.Items)
        for rid in t["rotations"].failed_ids()
    }
    return Lost(
        people=frozenset(failed["people"]),
        teams=frozenset(failed["teams"]),
        rotations=frozenset(rotations),
        incidents=frozenset(failed["incidents"]),
    )


def _collect(
    tree: RawTree, diags: Diagnostics
) -> tuple[dict[str, list[Rec]], dict[str, Rec], dict[str, set[str]]]:
    lists: dict[str, list[Rec]] = {k: [] for k in spec.LIST_KEYS}
    failed: dict[str, set[str]] = {k: set() for k in spec.LIST_KEYS}
    singles: dict[str, Rec] = {}
    allowed = [*spec.SINGLE_KEYS, *spec.LIST_KEYS]
    for rel, doc in tree.files:
        if doc is None:
            continue
        if not isinstance(doc, dict):
            diags.error(
                getattr(doc, "source", Source(rel)),
                "expected a mapping of top-level keys (" + ", ".join(allowed) + ")",
            )
            continue
        assert isinstance(doc, LDict)
        for key, value in doc.items():
            if key in spec.SINGLE_KEYS:
                if key in singles:
                    first = getattr(singles[key], "source", doc.key_at(key))
                    diags.error(
                        doc.key_at(key),
                        f"'{key}' appears more than once (first in {first.path}:{first.line})",
                    )
                    continue
                rec = spec.SINGLE_KEYS[key].convert(value, doc.value_at(key), diags)
                singles[key] = rec  # INVALID stays, so later checks know it was given
            elif key in spec.LIST_KEYS:
                if value is None:
                    continue
                items = spec.ListOf(spec.LIST_KEYS[key]).convert(value, doc.value_at(key), diags)
                if items is not INVALID:
                    lists[key].extend(items)
                    failed[key] |= items.failed_ids()
            else:
                diags.error(
                    doc.key_at(key),
                    f"unknown top-level key '{key}'{key_hint(key, allowed)}; "
                    "expected one of " + ", ".join(allowed),
                )
    return lists, singles, failed


def _unique(recs: list[Rec], what: str, diags: Diagnostics, key: str = "id") -> list[Rec]:
    seen: dict[str, Rec] = {}
    out = []
    for rec in recs:
        ident = rec[key]
        if ident in seen:
            first = seen[ident].at(key)
            diags.error(
                rec.at(key),
                f"duplicate {what} id '{ident}' (first defined at {first.path}:{first.line})",
            )
            continue
        seen[ident] = rec
        out.append(rec)
    return out


def _ref(
    value: str,
    known: Any,
    what: str,
    src: Source,
    diags: Diagnostics,
    hint: str = "",
    lost: frozenset[str] = frozenset(),
) -> bool:
    """Whether ``value`` names a known object; an error if not, unless it names one
    that failed validation (reported where it is written)."""
    if value in known:
        return True
    if value in lost:
        return False
    diags.error(src, f"no {what} '{value}'{did_you_mean(value, known)}{hint}")
    return False


def _rotation_ref(
    team: Team, rotation_id: str, src: Source, diags: Diagnostics, lost: Lost, hint: str = ""
) -> bool:
    if team.rotation(rotation_id):
        return True
    if not lost.rotation(team.id, rotation_id):
        diags.error(
            src,
            f"no rotation '{rotation_id}' in team '{team.id}'"
            + did_you_mean(rotation_id, [r.id for r in team.rotations])
            + hint,
        )
    return False


def _rules(rec: Rec, scope: str, diags: Diagnostics) -> tuple[Rule, ...]:
    """A team's or rotation's ``rules:``; a rotation's ``min_rest:`` key and a
    ``min_rest`` rule beside it are one rule written twice (an error)."""
    given = rec.get("rules")
    if (
        scope == "rotation"
        and given is not None
        and given.get("min_rest") is not None
        and rec.get("min_rest") is not None
    ):
        diags.error(
            given.at("min_rest"),
            "min_rest is given twice: as the rotation's min_rest and in its rules (keep one)",
        )
    rules = build_rules(given, scope)
    if scope == "rotation" and rec.get("min_rest") is not None and given is None:
        # the rotation's own min_rest key is its min_rest rule, hard, located there
        rules = (Rule("min_rest", "hard", rec["min_rest"], None, scope, None, rec.at("min_rest")),)
    elif scope == "rotation" and rec.get("min_rest") is not None:
        own = Rule("min_rest", "hard", rec["min_rest"], None, scope, None, rec.at("min_rest"))
        rules = (own, *(r for r in rules if r.name != "min_rest"))
    return rules


def build_settings(rec: Rec | None) -> Settings:
    if rec is None:
        return Settings()
    feeds, site = rec["feeds"], rec["site"]
    weights = dict(rec["load_weights"])
    interruption = float(weights.pop("interruption", 0.0))  # not an hour class
    return Settings(
        organisation=rec["organisation"],
        timezone=rec["timezone"],
        horizon=rec["horizon"],
        history=rec["history"],
        freeze=rec["freeze"],
        business_from=rec["business_hours"]["from"],
        business_to=rec["business_hours"]["to"],
        load_weights=weights,
        interruption_weight=interruption,
        company_holidays=tuple(sorted(rec["company_holidays"])),
        runbook_review=rec["runbook_review"],
        exclusive=rec["exclusive"],
        feed_reminder=feeds["reminder"],
        feed_secret=feeds["secret"],
        feed_base_url=feeds["base_url"],
        publish_pay=site["publish_pay"],
        site_url=site.get("url"),
        site_offline=site["offline"],
        clean_docs=bool(site.get("clean_docs", False)),
        review_within=dict(rec["postmortems"]["review_within"]),
        notify=build_notify(rec.get("notify")),
        source=rec.source,
        rules=build_rules(rec.get("rules"), "organisation"),
    )


def build_notify(rec: Rec | None) -> NotifyConfig | None:
    """``settings.notify`` or a team's ``notify`` as given (merged per team later)."""
    if rec is None:
        return None
    slack, teams, mail = rec["slack"], rec["msteams"], rec["email"]
    return NotifyConfig(
        slack=SlackNotify(slack["webhook_env"], slack["token_env"], slack["usergroup"])
        if slack
        else None,
        msteams=TeamsNotify(teams["webhook_env"]) if teams else None,
        email=EmailNotify(
            mail["smtp_host"],
            mail["port"],
            mail["from"],
            mail["username_env"],
            mail["password_env"],
            mail["tls"],
            mail["to"],
        )
        if mail
        else None,
        source=rec.source,
    )


def check_notify(settings: Settings, teams: dict[str, Team], diags: Diagnostics) -> None:
    """E-mail needs a server and a sender, in settings.notify or the team's own."""
    places = [(None, settings.notify)] + [(t, teams[t].notify) for t in sorted(teams)]
    for team_id, given in places:
        if given is None or given.email is None:
            continue
        mail = notify_channels(settings, teams[team_id] if team_id else None).email
        assert mail is not None
        missing = [k for k, v in (("smtp_host", mail.smtp_host), ("from", mail.sender)) if not v]
        if missing:
            where = f"team '{team_id}'" if team_id else "settings"
            diags.error(
                given.source,
                f"notify.email of {where} needs {' and '.join(missing)} "
                "(here or in settings.notify.email)",
            )


def _check_settings(settings: Settings, rec: Rec | None, diags: Diagnostics) -> None:
    if rec is None:
        return
    if settings.business_to <= settings.business_from:
        diags.error(
            rec["business_hours"].at("to"),
            "business_hours 'to' must be after 'from' on the same day",
        )
    for name in ("horizon", "history", "freeze"):
        if rec[name] <= timedelta(0) and name != "history":
            diags.error(rec.at(name), f"'{name}' must be longer than 0m")


def check_feed_names(teams: dict[str, Team], people: dict[str, Person], diags: Diagnostics) -> None:
    """A person's feed is ``ical/<person>.ics`` and a team's ``ical/team-<team>.ics``: a
    person named ``team-<a team's id>`` would overwrite that team's feed."""
    for team_id in sorted(teams):
        person = people.get(f"team-{team_id}")
        if person is not None:
            diags.error(
                person.source,
                f"person id 'team-{team_id}' names the same feed as team '{team_id}' "
                f"(ical/team-{team_id}.ics): choose another id",
            )


def _unique_email(rec: Rec, emails: dict[str, Rec], diags: Diagnostics) -> None:
    """Two people may not share an e-mail address, even in a different case: mail
    servers and paging tools treat them as one, and one person would get the other's
    shifts in exports, sync and the pager feeds."""
    email = rec["email"]
    if not isinstance(email, str):
        return
    first = emails.setdefault(email.casefold(), rec)
    if first is rec:
        return
    at = first.at("email")
    diags.error(
        rec.at("email"),
        f"'{rec['id']}' has the e-mail address of '{first['id']}' ('{first['email']}' at "
        f"{at.path}:{at.line}); addresses are compared ignoring case: give each person "
        "their own",
    )


def build_people(
    recs: list[Rec],
    settings: Settings,
    policies: set[str] | None,
    default_policy: str | None,
    diags: Diagnostics,
    pay_broken: bool = False,
) -> dict[str, Person]:
    people: dict[str, Person] = {}
    emails: dict[str, Rec] = {}  # casefolded e-mail → the first person with it
    for rec in _unique(recs, "person", diags):
        _unique_email(rec, emails, diags)
        tz_name = rec["timezone"] or settings.timezone
        leaves = []
        for lv in rec["leave"]:
            start, end = lv["from"], lv["to"]
            whole = None
            if not isinstance(start, datetime) and not isinstance(end, datetime):
                whole = (start, end)
                end = end + timedelta(days=1)
            elif not isinstance(end, datetime):
                end = end + timedelta(days=1)
            start_at = instant(start, tz_name, lv.at("from"), diags)
            end_at = instant(end, tz_name, lv.at("to"), diags)
            if start_at is None or end_at is None:
                continue
            if end_at <= start_at:
                diags.error(lv.at("to"), "leave 'to' must be after 'from'")
                continue
            leaves.append(Leave(start_at, end_at, lv["note"], whole, lv.source))
        leaves.sort(key=lambda lv: (lv.start_at, lv.end_at))
        for a, b in itertools.pairwise(leaves):
            if b.start_at < a.end_at:
                diags.warning(b.source, f"leave overlaps earlier leave at line {a.source.line}")
        policy = rec["pay_policy"]
        if policy is not None and pay_broken:
            policy = None
        elif policy is not None:
            if policies is None:
                diags.error(rec.at("pay_policy"), "pay_policy is set but there is no 'pay' section")
                policy = None
            elif not _ref(policy, policies, "pay policy", rec.at("pay_policy"), diags):
                policy = None
        else:
            policy = default_policy
        people[rec["id"]] = Person(
            id=rec["id"],
            name=rec["name"],
            email=rec["email"],
            timezone=tz_name,
            holidays=rec["holidays"],
            pay_policy=policy,
            leave=tuple(leaves),
            source=rec.source,
            handles=tuple((k, v) for k, v in (rec.get("handles") or {}).items() if v is not None),
        )
    return people


def build_rotation(
    rec: Rec,
    team_id: str,
    people: dict[str, Person],
    diags: Diagnostics,
    tz_name: str | None = None,
    lost: Lost = NOTHING_LOST,
) -> Rotation:
    members = []
    seen: dict[str, list[Member]] = defaultdict(list)
    for m in rec["members"]:
        _ref(m["person"], people, "person", m.at("person"), diags, lost=lost.people)
        member = Member(m["person"], m["from"], m["until"], float(m["share"]), m.source)
        for other in seen[m["person"]]:
            if _periods_overlap(other, member):
                diags.error(
                    m.at("person"),
                    f"'{m['person']}' is listed twice in rotation '{rec['id']}' for "
                    "overlapping periods (give from/until to separate them)",
                )
        seen[m["person"]].append(member)
        members.append(member)
        if rec["assignment"] == "round-robin" and member.share != 1.0:
            diags.warning(
                m.at("share"),
                "share has no effect on a round-robin rotation (it follows the member "
                f"order); use assignment: fair to give {m['person']} a part share",
            )
    if rec["shift"] < timedelta(minutes=30):
        diags.error(rec.at("shift"), "shift must be at least 30m")
    if rec["start"].tzinfo is not None:
        diags.error(
            rec.at("start"),
            "rotation start is a local wall-clock time in the team zone: "
            'write it without an offset, like "2026-01-05 09:00"',
        )
    elif tz_name is not None:
        try:
            read_local(rec["start"], zone(tz_name), tz_name)
        except LocalTimeError as exc:
            # an input, so SPEC 2's rule, not the one for computed boundaries; and an
            # offset cannot settle a fold: the start is the phase on the wall clock
            diags.error(
                rec.at("start"),
                f"{exc.problem}; a rotation start is a wall-clock time without offset: "
                f"choose one that happens exactly once, such as "
                f'"{exc.instead:%Y-%m-%d %H:%M}"',
            )
    coverage = tuple(
        Coverage(frozenset(DAY_INDEX[d] for d in c["days"]), c["from"], c["to"], c.source)
        for c in rec["coverage"]
    )
    bounds: dict[str, datetime | None] = {"from": None, "until": None}
    for name in bounds:
        if rec[name] is not None and tz_name is not None:
            bounds[name] = instant(rec[name], tz_name, rec.at(name), diags)
    if rec["uncovered_turns"] == "count" and rec["assignment"] != "round-robin":
        diags.warning(
            rec.at("uncovered_turns"),
            "uncovered_turns has no effect on a fair rotation (it does not follow the "
            "member order); use assignment: round-robin",
        )
    return Rotation(
        team=team_id,
        id=rec["id"],
        name=rec["name"] or rec["id"].replace("-", " ").title(),
        members=tuple(members),
        start_local=rec["start"].replace(tzinfo=None),
        shift=rec["shift"],
        assignment=rec["assignment"],
        fairness=rec["fairness"],
        min_rest=rec["min_rest"],
        coverage=coverage,
        on_call_elsewhere=rec["on_call_elsewhere"],
        source=rec.source,
        rules=_rules(rec, "rotation", diags),
        uncovered_turns=rec["uncovered_turns"],
        from_at=bounds["from"],
        until_at=bounds["until"],
    )


def _periods_overlap(a: Member, b: Member) -> bool:
    a0, a1 = a.from_on or date.min, a.until_on or date.max
    b0, b1 = b.from_on or date.min, b.until_on or date.max
    return a0 <= b1 and b0 <= a1


def build_teams(
    recs: list[Rec],
    settings: Settings,
    people: dict[str, Person],
    diags: Diagnostics,
    lost: Lost = NOTHING_LOST,
) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for rec in _unique(recs, "team", diags):
        rotations = [
            build_rotation(r, rec["id"], people, diags, rec["timezone"] or settings.timezone, lost)
            for r in _unique(rec["rotations"], f"rotation (in team '{rec['id']}')", diags)
        ]
        escalation = None
        if rec["escalation"] is not None:
            esc = rec["escalation"]
            levels = tuple(
                Level(lv["after"], tuple(lv["notify"]), lv.source) for lv in esc["levels"]
            )
            escalation = Escalation(esc["repeat"], levels, esc.source)
        teams[rec["id"]] = Team(
            id=rec["id"],
            name=rec["name"],
            timezone=rec["timezone"] or settings.timezone,
            description=rec["description"],
            services=tuple(rec["services"]),
            rotations=tuple(rotations),
            escalation=escalation,
            handoff_checklist=tuple(rec["handoff_checklist"]),
            source=rec.source,
            rules=_rules(rec, "team", diags),
            notify=build_notify(rec.get("notify")),
        )
    return teams


def check_escalation(
    teams: dict[str, Team],
    people: dict[str, Person],
    diags: Diagnostics,
    lost: Lost = NOTHING_LOST,
) -> None:
    edges: dict[str, list[tuple[str, Source]]] = {t: [] for t in teams}
    for team in teams.values():
        esc = team.escalation
        if esc is None:
            diags.warning(
                team.source,
                f"team '{team.id}' has no escalation chain; add "
                "escalation: {levels: [{after: 0m, notify: [<rotation>]}]}",
            )
            continue
        previous: Level | None = None
        for level in esc.levels:
            if previous is not None and level.after <= previous.after:
                diags.error(
                    level.source,
                    "escalation delays must strictly increase: "
                    f"'after: {format_duration(level.after)}' is not later than the level "
                    f"before ({format_duration(previous.after)}); use more than "
                    f"{format_duration(previous.after)}",
                )
            previous = level
            for target in level.notify:
                kind, sep, ident = target.partition(":")
                if not sep:
                    _rotation_ref(
                        team,
                        target,
                        level.source,
                        diags,
                        lost,
                        "; a target is a rotation of the team, person:ID or team:ID",
                    )
                elif kind == "person":
                    _ref(ident, people, "person", level.source, diags, lost=lost.people)
                elif kind == "team":
                    if _ref(ident, teams, "team", level.source, diags, lost=lost.teams):
                        if ident == team.id:
                            diags.error(level.source, f"team '{team.id}' escalates to itself")
                        else:
                            edges[team.id].append((ident, level.source))
                else:
                    diags.error(
                        level.source,
                        f"unknown escalation target '{target}': use a rotation id, "
                        "person:ID or team:ID",
                    )
    # team: references must not form a cycle
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt, src in edges[node]:
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    diags.error(src, "escalation cycle: " + " → ".join(cycle))
            elif state.get(nxt) is None:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for team_id in sorted(edges):
        if team_id not in state:
            visit(team_id, [])


def build_overrides(
    recs: list[Rec],
    teams: dict[str, Team],
    people: dict[str, Person],
    diags: Diagnostics,
    lost: Lost = NOTHING_LOST,
) -> tuple[Override, ...]:
    out = []
    for rec in recs:
        team = teams.get(rec["team"])
        ok = _ref(rec["team"], teams, "team", rec.at("team"), diags, lost=lost.teams)
        if team and not _rotation_ref(team, rec["rotation"], rec.at("rotation"), diags, lost):
            ok = False
        ok = _ref(rec["person"], people, "person", rec.at("person"), diags, lost=lost.people) and ok
        if not ok or team is None:
            continue
        start_at = instant(rec["from"], team.timezone, rec.at("from"), diags)
        end_at = instant(rec["to"], team.timezone, rec.at("to"), diags)
        if start_at is None or end_at is None:
            continue
        if end_at <= start_at:
            diags.error(rec.at("to"), "override 'to' must be after 'from'")
            continue
        out.append(
            Override(
                team.id, rec["rotation"], start_at, end_at, rec["person"], rec["note"], rec.source
            )
        )
    out.sort(key=lambda o: (o.team, o.rotation, o.start_at, o.source))
    for a, b in itertools.pairwise(out):
        if (a.team, a.rotation) == (b.team, b.rotation) and b.start_at < a.end_at:
            diags.error(
                b.source,
                f"override overlaps the override at {a.source.path}:{a.source.line} on "
                f"{a.team}/{a.rotation}; one person is on call at a time",
            )
    return tuple(out)


def build_pay(rec: Rec | None, diags: Diagnostics) -> Pay | None:
    if rec is None:
        return None
    policies = {}
    for pid, p in sorted(rec["policies"].items()):
        standby = callout = None
        if p["standby"] is not None:
            s = p["standby"]
            standby = Standby(
                s["unit"], s["weekday"], s["weekend"], s["holiday"], s["business_hours"]
            )
        if p["callout"] is not None:
            c = p["callout"]
            if c["round_up"] is not None and c["round_up"] <= timedelta(0):
                diags.error(c.at("round_up"), "round_up must be longer than 0m")
            callout = Callout(c["rate"], c["minimum"], c["round_up"])
        cap: Decimal | None = p["cap"]["amount"] if p["cap"] is not None else None
        policies[pid] = PayPolicy(pid, standby, callout, cap, p.source)
    default = rec["default_policy"]
    if default is not None:
        _ref(default, policies, "pay policy", rec.at("default_policy"), diags)
    return Pay(rec["currency"], default, policies, rec.source)


def build_runbooks(
    tree: RawTree,
    teams: dict[str, Team],
    severities: set[str],
    diags: Diagnostics,
    lost: Lost = NOTHING_LOST,
) -> tuple[Runbook, ...]:
    out = []
    seen_slugs: dict[str, str] = {}
    for raw in tree.runbooks:
        if raw.meta is None and raw.parse_failed:
            continue
        if raw.meta is None:
            if raw.kind == "yaml":
                diags.error(Source(raw.path), "YAML runbook is empty")
            else:
                diags.error(Source(raw.path, 2, 1), "runbook front matter is empty")
            continue
        obj = spec.RUNBOOK_YAML if raw.kind == "yaml" else spec.RUNBOOK_MD
        rec = obj.convert(raw.meta, getattr(raw.meta, "source", Source(raw.path)), diags)
        if rec is INVALID:
            continue
        rel = Path(raw.path).relative_to("runbooks")
        slug = rel.with_suffix("").as_posix()
        bad = [part for part in slug.split("/") if not spec.SLUG_RE.fullmatch(part)]
        if bad:
            diags.error(
                Source(raw.path),
                f"runbook file and folder names must be slugs (a-z, 0-9, '-'): '{bad[0]}'",
            )
            continue
        if slug in ("alerts", "teams", "services", "severities", "tags") or slug in seen_slugs:
            other = seen_slugs.get(slug)
            diags.error(
                Source(raw.path),
                f"runbook address 'runbooks/{slug}/' is taken"
                + (f" by {other}" if other else " by an index page"),
            )
            continue
        seen_slugs[slug] = raw.path
        _ref(rec["team"], teams, "team", rec.at("team"), diags, lost=lost.teams)
        if rec["severity"] is not None:
            _ref(rec["severity"], severities, "severity", rec.at("severity"), diags)
        sections = _sections(raw.body)
        runbook = Runbook(
            path=rel.as_posix(),
            slug=slug,
            kind=raw.kind,
            title=rec["title"],
            team=rec["team"],
            service=rec["service"],
            alerts=tuple(rec["alerts"]),
            severity=rec["severity"],
            last_reviewed=rec["last_reviewed"],
            tags=tuple(rec["tags"]),
            dashboards=tuple((d["name"], d["url"]) for d in rec["dashboards"]),
            related_alerts=tuple(rec["related_alerts"]),
            summary=rec.get("summary"),
            steps=tuple(
                Step(s["title"], s["run"], s["expect"], s["notes"]) for s in rec.get("steps") or ()
            ),
            body=raw.body,
            sections=sections,
            source=Source(raw.path),
        )
        team = teams.get(runbook.team)
        if team and runbook.service and team.services and runbook.service not in team.services:
            diags.warning(
                rec.at("service"),
                f"service '{runbook.service}' is not listed in team '{team.id}' services"
                + did_you_mean(runbook.service, team.services),
            )
        if not runbook.has_mitigation:
            diags.warning(
                Source(raw.path, raw.body_line, 1),
                "runbook has no '## Mitigation' section: say how to stop the bleeding first",
            )
        out.append(runbook)
    return tuple(out)


def _sections(body: str) -> tuple[str, ...]:
    found = []
    fenced = False
    for line in body.splitlines():
        if FENCE_RE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            m = HEADING_RE.match(line)
            if m:
                found.append(m.group(1).strip().lower())
    return tuple(found)


def stale_runbooks(org: Org, today: date, diags: Diagnostics) -> None:
    """Warn about runbooks not reviewed within settings.runbook_review."""
    for rb in org.runbooks:
        if rb.last_reviewed is None:
            diags.warning(rb.source, "runbook has no last_reviewed date")
        elif today - rb.last_reviewed > org.settings.runbook_review:
            days = (today - rb.last_reviewed).days
            diags.warning(
                rb.source,
                f"runbook is stale: last reviewed {rb.last_reviewed} ({days} days ago; "
                f"review at least every {org.settings.runbook_review.days} days)",
            )


def build_org(tree: RawTree, diags: Diagnostics) -> Org | None:
    """The typed organisation, or None when there are errors (all in ``diags``)."""
    lists, given, failed = _collect(tree, diags)
    lost = _lost(failed, lists["teams"])
    singles = {k: v for k, v in given.items() if v is not INVALID}
    settings = build_settings(singles.get("settings"))
    _check_settings(settings, singles.get("settings"), diags)
    pay = build_pay(singles.get("pay"), diags)
    policies = set(pay.policies) if pay else None
    people = build_people(
        lists["people"],
        settings,
        policies,
        pay.default_policy if pay else None,
        diags,
        pay_broken="pay" in given and pay is None,  # reported already: don't cascade
    )
    if pay and pay.default_policy is None:
        for rec in lists["people"]:
            if rec["pay_policy"] is None and rec["id"] in people:
                diags.error(
                    rec.source,
                    f"person '{rec['id']}' has no pay_policy and pay has no default_policy",
                )
    teams = build_teams(lists["teams"], settings, people, diags, lost)
    check_notify(settings, teams, diags)
    check_feed_names(teams, people, diags)
    check_escalation(teams, people, diags, lost)
    overrides = build_overrides(lists["overrides"], teams, people, diags, lost)
    severities = tuple(
        Severity(r["id"], r["name"], r["description"], r["response"], r.source)
        for r in _unique(lists["severities"], "severity", diags)
    )
    severity_ids = {s.id for s in severities}
    incidents = build_incidents(lists["incidents"], severity_ids, teams, people, diags, lost)
    check_review_within(singles.get("settings"), settings, severity_ids, diags)
    handoffs = []
    for r in lists["handoffs"]:
        team = teams.get(r["team"])
        ok = _ref(r["team"], teams, "team", r.at("team"), diags, lost=lost.teams)
        if team and not _rotation_ref(team, r["rotation"], r.at("rotation"), diags, lost):
            ok = False
        ok = _ref(r["author"], people, "person", r.at("author"), diags, lost=lost.people) and ok
        if ok:
            handoffs.append(
                HandoffNote(
                    r["team"],
                    r["rotation"],
                    r["date"],
                    r["author"],
                    r["notes"],
                    r.source,
                    r.at("author"),
                )
            )
    handoffs.sort(key=lambda h: (h.team, h.rotation, h.on, h.source))
    runbooks = build_runbooks(tree, teams, severity_ids, diags, lost)
    postmortems = build_postmortems(tree.postmortems, incidents, teams, people, diags, lost)
    from generator.blameless import check_blameless

    diags.extend(check_blameless(people, postmortems, tree.postmortems))
    lock = parse_lock(tree.lock, teams, people, diags, lost.rotations, lost.people, lost.teams)
    if diags.errors:
        return None
    return Org(
        root=str(tree.root),
        settings=settings,
        people=people,
        teams=teams,
        overrides=overrides,
        severities=severities,
        incidents=incidents,
        handoffs=tuple(handoffs),
        pay=pay,
        runbooks=runbooks,
        lock=lock,
        postmortems=postmortems,
    )


INCIDENT_ROLES = ("commander", "tech_lead", "comms_lead", "scribe")


def build_incidents(
    recs: list[Rec],
    severity_ids: set[str],
    teams: dict[str, Team],
    people: dict[str, Person],
    diags: Diagnostics,
    lost: Lost = NOTHING_LOST,
) -> tuple[Incident, ...]:
    """The incident log: references, and the stages in order (started ≤ detected ≤
    acknowledged ≤ mitigated ≤ resolved), compared as instants once the team zone is known."""
    incidents = []
    unique = _unique(recs, "incident", diags)
    all_ids = [r["id"] for r in recs]
    for r in unique:
        ok = _ref(r["severity"], severity_ids, "severity", r.at("severity"), diags)
        for other in r["related"]:
            if other == r["id"]:
                diags.error(r.at("related"), f"incident '{other}' cannot be related to itself")
                ok = False
            elif other not in all_ids:
                diags.error(
                    r.at("related"),
                    f"related names no incident '{other}' in the log"
                    + did_you_mean(other, all_ids),
                )
                ok = False
        ok = _ref(r["team"], teams, "team", r.at("team"), diags, lost=lost.teams) and ok
        for who in r["responders"]:
            ok = _ref(who, people, "person", r.at("responders"), diags, lost=lost.people) and ok
        for role in INCIDENT_ROLES:
            if r[role] is not None:
                ok = _ref(r[role], people, "person", r.at(role), diags, lost=lost.people) and ok
        if not ok:
            continue
        tz_name = teams[r["team"]].timezone
        read = {
            name: instant(r[name], tz_name, r.at(name), diags)
            for name in spec.INCIDENT_STAGES
            if r.get(name) is not None
        }
        stages = {name: at for name, at in read.items() if at is not None}
        if len(stages) < len(read):
            continue
        started, resolved = stages["started"], stages["resolved"]
        if resolved <= started:
            diags.error(r.at("resolved"), "incident 'resolved' must be after 'started'")
            continue
        tz = zone(tz_name)

        def shown(at: datetime, tz: ZoneInfo = tz) -> str:
            return at.astimezone(tz).isoformat()

        order_ok = True
        names = list(stages)
        for earlier, later in itertools.pairwise(names):
            if stages[later] < stages[earlier]:
                diags.error(
                    r.at(later),
                    f"incident '{later}' ({shown(stages[later])}) is before '{earlier}' "
                    f"({shown(stages[earlier])}); the order is started ≤ detected ≤ "
                    "acknowledged ≤ mitigated ≤ resolved",
                )
                order_ok = False
        if not order_ok:
            continue
        team = teams[r["team"]]
        for service in r["services"]:
            if team.services and service not in team.services:
                owners = [t.id for t in teams.values() if service in t.services]
                if not owners:
                    diags.warning(
                        r.at("services"),
                        f"service '{service}' is not listed by any team"
                        + did_you_mean(service, [x for t in teams.values() for x in t.services]),
                    )
        incidents.append(
            Incident(
                r["id"],
                r["title"],
                r["severity"],
                r["team"],
                started,
                resolved,
                tuple(r["responders"]),
                r["postmortem"],
                r.source,
                detected_at=stages.get("detected"),
                acknowledged_at=stages.get("acknowledged"),
                mitigated_at=stages.get("mitigated"),
                alerts=tuple(r["alerts"]),
                actionable=r["actionable"],
                services=tuple(r["services"]),
                commander=r["commander"],
                tech_lead=r["tech_lead"],
                comms_lead=r["comms_lead"],
                scribe=r["scribe"],
                related=tuple(r["related"]),
            )
        )
    incidents.sort(key=lambda i: (i.started_at, i.id))
    return tuple(incidents)


def check_review_within(
    rec: Rec | None, settings: Settings, severity_ids: set[str], diags: Diagnostics
) -> None:
    """Severities named in settings.postmortems.review_within must exist (when given)."""
    if rec is None or "postmortems" not in rec.sources:
        return
    pm = rec["postmortems"]
    for sev, length in settings.review_within.items():
        if sev not in severity_ids:
            diags.error(
                pm.at("review_within"),
                f"review_within names no severity '{sev}'{did_you_mean(sev, severity_ids)}",
            )
        elif length <= timedelta(0):
            diags.error(pm.at("review_within"), f"review_within of {sev} must be longer than 0m")


def build_postmortems(
    raws: list[RawPostmortem],
    incidents: tuple[Incident, ...],
    teams: dict[str, Team],
    people: dict[str, Person],
    diags: Diagnostics,
    lost: Lost = NOTHING_LOST,
) -> tuple[Postmortem, ...]:
    """Postmortems: the incident must exist, one postmortem per incident, the template's
    sections present, action item owners a person or a team."""
    known = {i.id: i for i in incidents}
    out: list[Postmortem] = []
    seen: dict[str, Source] = {}
    slugs: dict[str, str] = {}
    for raw in raws:
        if raw.meta is None:
            if not raw.parse_failed:
                diags.error(Source(raw.path, 2, 1), "postmortem front matter is empty")
            continue
        rec = spec.POSTMORTEM.convert(
            raw.meta, getattr(raw.meta, "source", Source(raw.path)), diags
        )
        if rec is INVALID:
            continue
        ok = True
        incident_id = rec["incident"]
        if incident_id in lost.incidents:
            ok = False
        elif incident_id not in known:
            diags.error(
                rec.at("incident"),
                f"no incident '{incident_id}' in the incident log"
                + did_you_mean(incident_id, known)
                + "; add it to incidents: under rotations/ first",
            )
            ok = False
        elif incident_id in seen:
            first = seen[incident_id]
            diags.error(
                rec.at("incident"),
                f"incident '{incident_id}' already has a postmortem ({first.path}); "
                "one postmortem per incident",
            )
            ok = False
        slug = incident_id.lower()
        if ok and slug in slugs:
            diags.error(
                rec.at("incident"),
                f"postmortem address 'postmortems/{slug}/' is taken by {slugs[slug]} "
                "(incident ids differing only in case)",
            )
            ok = False
        for who in rec["authors"]:
            ok = _ref(who, people, "person", rec.at("authors"), diags, lost=lost.people) and ok
        if rec["status"] in ("reviewed", "closed") and rec["reviewed"] is None:
            diags.error(
                rec.at("status"),
                f"status '{rec['status']}' needs the date of the review: add reviewed: YYYY-MM-DD",
            )
            ok = False
        reviewed = rec["reviewed"]
        if ok and reviewed is not None:
            inc = known[incident_id]
            started_on = inc.started_at.astimezone(teams[inc.team].tz).date()
            if reviewed < started_on:
                diags.error(
                    rec.at("reviewed"),
                    f"reviewed {reviewed.isoformat()} is before {incident_id} started "
                    f"({started_on.isoformat()} in {teams[inc.team].timezone}): a review "
                    "comes after the incident",
                )
                ok = False
        items: list[ActionItem] = []
        ids: dict[str, Source] = {}
        for it in rec["action_items"]:
            if it["id"] in ids:
                diags.error(
                    it.at("id"),
                    f"duplicate action item id '{it['id']}' (first at line {ids[it['id']].line})",
                )
                ok = False
                continue
            ids[it["id"]] = it.at("id")
            owner = it["owner"]
            if owner in people:
                kind = "person"
            elif owner in teams:
                kind = "team"
            elif owner in lost.people or owner in lost.teams:
                ok = False
                continue
            else:
                diags.error(
                    it.at("owner"),
                    f"action item owner '{owner}' is neither a person nor a team"
                    + did_you_mean(owner, [*people, *teams]),
                )
                ok = False
                continue
            closed = it["closed"]
            if closed is not None and it["status"] == "open":
                diags.error(
                    it.at("closed"),
                    f"action item '{it['id']}' is open but has closed: {closed}; "
                    "set status: done or wont_do, or remove closed",
                )
                ok = False
                continue
            of = known.get(incident_id)
            if closed is not None and of is not None:
                started = of.started_at.astimezone(zone(teams[of.team].timezone)).date()
                if closed < started:
                    diags.error(
                        it.at("closed"),
                        f"action item '{it['id']}' closed on {closed}, before incident "
                        f"{incident_id} started ({started})",
                    )
                    ok = False
                    continue
            if closed is None and it["status"] != "open":
                diags.warning(
                    it.at("status"),
                    f"action item '{it['id']}' is {it['status']} without a closed date: "
                    "add closed: YYYY-MM-DD (the day it was closed) to measure time to close",
                )
            items.append(
                ActionItem(
                    incident_id,
                    it["id"],
                    it["title"],
                    owner,
                    kind,
                    it["priority"],
                    it["type"],
                    it["due"],
                    it["status"],
                    it["link"],
                    it.source,
                    it.at("title"),
                    closed_on=closed,
                )
            )
        sections = _sections(raw.body)
        missing = [
            name
            for name in POSTMORTEM_SECTIONS
            if not any(s == name.lower() or s.startswith(name.lower() + " ") for s in sections)
        ]
        if missing:
            diags.error(
                Source(raw.path, raw.body_line, 1),
                "postmortem is missing section(s) "
                + ", ".join(f"'## {m}'" for m in missing)
                + "; the template's sections are "
                + ", ".join(POSTMORTEM_SECTIONS),
            )
            ok = False
        if not ok:
            continue
        seen[incident_id] = rec.at("incident")
        slugs[slug] = raw.path
        out.append(
            Postmortem(
                path=raw.path,
                slug=slug,
                incident=incident_id,
                status=rec["status"],
                authors=tuple(rec["authors"]),
                reviewed_on=rec["reviewed"],
                action_items=tuple(items),
                body=raw.body,
                body_line=raw.body_line,
                sections=sections,
                source=Source(raw.path),
                reviewed_source=rec.at("reviewed"),
            )
        )
    out.sort(key=lambda p: (known[p.incident].started_at, p.incident))
    return tuple(out)


def review_deadlines(org: Org, now: datetime, diags: Diagnostics) -> None:
    """Warn about incidents past settings.postmortems.review_within without a postmortem
    in reviewed or closed (a postmortem kept elsewhere, the `postmortem` link, counts),
    about a review dated after today (in the incident team's zone), and about serious
    incidents (those that need a postmortem) whose page nobody acknowledged."""
    incidents = {i.id: i for i in org.incidents}
    for pm in org.postmortems:
        tz = org.teams[incidents[pm.incident].team].tz
        today = now.astimezone(tz).date()
        if pm.reviewed_on is not None and pm.reviewed_on > today:
            diags.warning(
                pm.reviewed_source,
                f"reviewed {pm.reviewed_on.isoformat()} is in the future (today is "
                f"{today.isoformat()}); write the date of the review meeting once it is held",
            )
    for inc in org.incidents:
        if inc.severity in org.settings.review_within and paged_unacknowledged(inc):
            diags.warning(
                inc.source,
                f"incident {inc.id} ({inc.severity}) paged {', '.join(inc.people)} and nobody "
                "acknowledged: add acknowledged: if someone did, else review the escalation",
            )
    for row in review_status(org, now):
        if not row.overdue:
            continue
        inc = row.incident
        if row.postmortem is not None:
            todo = (
                f"its postmortem {row.postmortem.path} is {row.status}: review it and set "
                "status: reviewed"
            )
        else:
            todo = f"it has no postmortem: write one with 'rota postmortem new {inc.id}'"
        diags.warning(
            inc.source,
            f"incident {inc.id} ({inc.severity}) needed a reviewed postmortem by "
            f"{when(row.due_at, org.teams[inc.team].tz)} "
            f"(review_within {format_duration(org.settings.review_within[inc.severity])}); "
            f"{todo}",
        )
