"""PagerDuty: saved REST API v2 JSON → Rota (import); shifts → override bodies (export).

Import reads ``GET /schedules/{id}`` (layer schedules: ``schedule_layers`` with
``rotation_virtual_start``, ``rotation_turn_length_seconds``, ``users``,
``restrictions``) or ``GET /v3/schedules/{id}`` (shift-based: rotation events
with ``start_time``, ``recurrence`` RRULE, ``assignment_strategy``), and
``GET /users`` for names and e-mail. Pure.

Semantics carried over: turn k of a layer starts at the virtual start plus k
turns, on the schedule zone's wall clock for whole-day turns; user k mod n
takes it; restrictions only mask the layer (turns keep counting). Layers are
stacked: a higher layer replaces lower ones while it has someone on call. Rota
pages every rotation, so that precedence is reported, never silently dropped.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from generator.integrations.common import (
    WEEK_MINUTES,
    Assignment,
    Doc,
    Entry,
    Imported,
    ImportedOverride,
    ImportedPerson,
    ImportedRotation,
    Rendered,
    coverage_from_intervals,
    mask_intervals,
    paging_pieces,
    single_wall_time,
    slugify,
    unique_slug,
    utc,
    week_mask,
)
from generator.integrations.zones import iana_zone

DAY = 86400
RRULE_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


# --- import ----------------------------------------------------------------------------


def _split(docs: Sequence[Doc]) -> tuple[Doc, list[Doc]]:
    """The schedule and every saved page of the user list (``more``/``next``: a list
    saved page by page is read as one)."""
    schedule: Doc | None = None
    users: list[Doc] = []
    for d in docs:
        if d.has("schedule"):
            schedule = d.get("schedule")
        elif d.has("users") and isinstance(d.value, dict) and "schedule_layers" not in d.value:
            users.append(d.get("users"))
        elif d.has("schedule_layers") or d.has("rotations"):
            schedule = d
        else:
            raise d.fail(
                'neither a PagerDuty schedule ({"schedule": ...} from GET /schedules/ID) '
                'nor a user list ({"users": [...]} from GET /users)'
            )
    if schedule is None:
        raise docs[0].fail("no schedule among the files: save GET /schedules/ID as well")
    return schedule, users


def _zone(doc: Doc) -> str:
    name = doc.str()
    tz = iana_zone(name)
    if tz is None:
        raise doc.fail(f"unknown time zone '{name}' (neither IANA nor ActiveSupport)")
    return tz


def _people(imp: Imported, users: list[Doc], referenced: list[tuple[str, Doc]]) -> None:
    known: dict[str, Doc] = {}
    for page in users:
        for u in page.items():
            known.setdefault(u.get("id").str(), u)
    taken: set[str] = set()
    for uid, ref in referenced:
        if imp.person_for(uid) is not None:
            continue
        found = known.get(uid)
        if found is None:
            name = ref.opt_str("summary", uid)
            imp.people.append(
                ImportedPerson(uid, unique_slug(slugify(name), taken), name, None, None)
            )
            imp.warnings.append(
                f"{name} ({uid}) is not in the saved GET /users (save every page of it): "
                "imported without e-mail"
            )
            continue
        name = found.get("name").str()
        email = found.opt("email")
        tz = found.opt("time_zone")
        imp.people.append(
            ImportedPerson(
                uid,
                unique_slug(slugify(name), taken),
                name,
                email.str() if email else None,
                iana_zone(tz.str()) if tz else None,
            )
        )


def import_pagerduty(docs: Sequence[Doc], team_id: str | None = None) -> Imported:
    schedule, users = _split(docs)
    if schedule.has("rotations") or (
        schedule.has("type") and schedule.get("type").value == "schedule_v3"
    ):
        return _import_v3(schedule, users, team_id)
    return _import_v2(schedule, users, team_id)


def _imported(schedule: Doc, team_id: str | None) -> Imported:
    """The empty import of one schedule: its name, zone and team id."""
    name = schedule.get("name").str()
    sid = schedule.opt("id")
    return Imported(
        "pagerduty",
        f"PagerDuty schedule {sid.str() if sid else ''} ({name})".replace("  ", " "),
        team_id or slugify(name),
        name,
        _zone(schedule.get("time_zone")),
    )


@dataclass(frozen=True)
class _Layer:
    """A layer as PagerDuty computes it: turns from the virtual start, masked."""

    name: str
    label: str  # "layer 'Nights' (PLNIGHT)"
    members: tuple[str, ...]  # in turn order from ``first``
    first: datetime  # naive, schedule zone: the turn holding the layer's start
    length: timedelta
    start_at: datetime
    end_at: datetime | None
    mask: frozenset[int] | None  # minutes of the week it may page; None: all


def _import_v2(schedule: Doc, users: list[Doc], team_id: str | None) -> Imported:
    """Layers, highest first as GET /schedules returns them, become rotations: a layer
    pages only where no higher layer is active with its mask, so each layer is cut
    where a higher one starts or ends and masked by those active there."""
    imp = _imported(schedule, team_id)
    tz = imp.timezone
    layers_doc = schedule.get("schedule_layers")
    layers = layers_doc.items()
    if not layers:
        raise layers_doc.fail("the schedule has no layers")
    referenced: list[tuple[str, Doc]] = []
    for layer in layers:
        for u in layer.get("users").items():
            ref = u.get("user")
            referenced.append((ref.get("id").str(), ref))
    subschedule = schedule.opt("overrides_subschedule")
    covering = subschedule.opt("rendered_schedule_entries") if subschedule else None
    for c in covering.items() if covering is not None else []:
        ref = c.get("user")  # someone from outside the layers may cover a shift
        referenced.append((ref.get("id").str(), ref))
    _people(imp, users, referenced)
    specs = [_layer(imp, layer, n, tz) for n, layer in enumerate(layers)]
    taken: set[str] = set()
    for i, spec in enumerate(specs):
        higher = specs[:i]
        cuts = sorted(
            {
                at
                for h in higher
                for at in (h.start_at, h.end_at)
                if at is not None
                and at > spec.start_at
                and (spec.end_at is None or at < spec.end_at)
            }
        )
        bounds: list[datetime | None] = [spec.start_at, *cuts, spec.end_at]
        pieces = 0
        for a, b in itertools.pairwise(bounds):
            assert a is not None
            mask: frozenset[int] | None = spec.mask
            for h in higher:
                if h.start_at <= a and (h.end_at is None or (b is not None and b <= h.end_at)):
                    # h pages throughout [a, b): it hides this layer under its mask
                    hidden = frozenset(range(WEEK_MINUTES)) if h.mask is None else h.mask
                    mask = frozenset(range(WEEK_MINUTES) if mask is None else mask) - hidden
            if mask is not None and not mask:
                continue  # hidden all along by higher layers
            pieces += 1
            base = slugify(spec.name, f"layer-{i + 1}")
            rid = unique_slug(base, taken)
            comments = [f"PagerDuty {spec.label}"]
            if len(higher) and (a != spec.start_at or mask != spec.mask):
                comments.append("where no higher layer pages (PagerDuty's layer precedence)")
            imp.rotations.append(
                ImportedRotation(
                    rid,
                    spec.name if pieces == 1 else f"{spec.name} ({pieces})",
                    spec.members,
                    spec.first,
                    spec.length,
                    coverage_from_intervals(mask_intervals(mask)) if mask is not None else (),
                    tuple(comments),
                    count_uncovered=True,
                    from_at=a if a > _localized(spec.first, tz) else None,
                    until_at=b,
                )
            )
    final = schedule.opt("final_schedule")
    if final is not None and final.opt("rendered_schedule_entries") is not None:
        rendered = _entries(imp, final.get("rendered_schedule_entries"), None)
        if rendered.entries:
            imp.rendered.append(rendered)
    if len(specs) == 1:  # a layer's own rendering is the rotation's (no precedence)
        rendered_layer = layers[0].opt("rendered_schedule_entries")
        if rendered_layer is not None and imp.rotations:
            got = _entries(imp, rendered_layer, imp.rotations[0].id)
            if got.entries:
                imp.rendered.append(replace(got, without_overrides=True))
    overrides = schedule.opt("overrides_subschedule")
    if overrides is not None and overrides.opt("rendered_schedule_entries") is not None:
        entries = _entries(imp, overrides.get("rendered_schedule_entries"), None).entries
        for e in entries:
            _place_override(imp, overrides.get("rendered_schedule_entries"), e)
    return imp


def _localized(local: datetime, tz_name: str) -> datetime:
    from generator.timeutil import localize, zone

    return localize(local, zone(tz_name))


def _place_override(imp: Imported, doc: Doc, e: Entry) -> None:
    """A PagerDuty override replaces whoever the final schedule has: in Rota it goes to
    the rotation paging at each of its minutes (layers never overlap once imported).
    Where no layer pages, PagerDuty still pages the override's user, and Rota's
    overrides replace a rotation's person only: refused."""
    for a, b, rids in paging_pieces(imp, e.start_at, e.end_at):
        if not rids:
            imp.refuse(
                doc,
                "an override where no layer has anyone on call",
                f"{e.person} from {utc(a)} to {utc(b)}: Rota's overrides replace the "
                "person of a rotation, and no rotation pages then",
            )
        for rid in rids:
            imp.overrides.append(ImportedOverride(rid, a, b, e.person))


def _layer(imp: Imported, layer: Doc, n: int, tz: str) -> _Layer:
    from generator.timeutil import zone

    label = layer.opt("name")
    name = label.str() if label else f"Layer {n + 1}"
    turn_doc = layer.get("rotation_turn_length_seconds")
    turn = turn_doc.int()
    if turn <= 0 or turn % 60:
        raise turn_doc.fail("a turn must be a positive whole number of minutes")
    if turn < 1800:
        imp.refuse(
            turn_doc,
            "a turn shorter than 30 minutes",
            f"layer '{name}' turns every {turn // 60} min; Rota's shortest shift is 30m",
        )
    members = [
        imp.person_for(u.get("user").get("id").str()) or "" for u in layer.get("users").items()
    ]
    if not members:
        raise layer.get("users").fail("the layer has no users")
    if len(set(members)) < len(members):
        imp.refuse(
            layer.get("users"),
            "a user listed twice in a layer",
            f"layer '{name}' gives one person several turns of its round; a Rota "
            "rotation lists each member once",
        )
        members = list(dict.fromkeys(members))
    zi = zone(tz)
    virtual = layer.get("rotation_virtual_start").instant().astimezone(zi).replace(tzinfo=None)
    start_at = layer.get("start").instant()
    start = start_at.astimezone(zi).replace(tzinfo=None)
    end_doc = layer.opt("end")
    end_at = end_doc.instant() if end_doc is not None else None
    if end_at is not None and end_at <= start_at:
        raise end_doc.fail("the layer ends before it starts") if end_doc else AssertionError()
    length = timedelta(seconds=turn)
    # the turn holding the layer's start: Rota's first handoff, members rotated to match
    j = math.floor((start - virtual) / length)
    j -= single_wall_time(virtual + j * length, length, tz)
    first = virtual + j * length
    k = j % len(members)
    order = tuple(members[k:] + members[:k])
    intervals: list[tuple[int, int, int]] = []
    restrictions = layer.opt("restrictions")
    for r in restrictions.items() if restrictions else []:
        kind = r.get("type").str()
        at = _time_of_day(r.get("start_time_of_day"))
        dur_doc = r.get("duration_seconds")
        dur = dur_doc.int()
        if dur <= 0 or dur % 60:
            raise dur_doc.fail("a restriction lasts a positive whole number of minutes")
        if kind == "daily_restriction":
            intervals += [(d, at, dur // 60) for d in range(7)]
        elif kind == "weekly_restriction":
            dow = r.get("start_day_of_week")
            if not 1 <= dow.int() <= 7:
                raise dow.fail("start_day_of_week is an ISO day, 1 (Monday) to 7")
            intervals.append((dow.int() - 1, at, dur // 60))
        else:
            raise r.get("type").fail(
                f"unknown restriction type '{kind}' (daily_restriction or weekly_restriction)"
            )
    mask = week_mask(intervals) if restrictions is not None and intervals else None
    return _Layer(
        name,
        f"layer '{name}' ({layer.opt_str('id', str(n + 1))})",
        order,
        first,
        length,
        start_at,
        end_at,
        mask,
    )


def _time_of_day(doc: Doc) -> int:
    text = doc.str()
    m = re.fullmatch(r"(\d\d):(\d\d)(?::(\d\d))?", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59 or (m.group(3) or "00") != "00":
        raise doc.fail(f"'{text}' is not a whole-minute time of day HH:MM:SS")
    return int(m.group(1)) * 60 + int(m.group(2))


def _entries(imp: Imported, entries: Doc, rotation: str | None) -> Rendered:
    out = []
    for e in entries.items():
        uid = e.get("user").get("id").str()
        person = imp.person_for(uid) or uid
        out.append(Entry(person, e.get("start").instant(), e.get("end").instant(), rotation))
    label = f"{entries.path}" if rotation is None else f"{entries.path} (rotation {rotation})"
    return _rendered(label, out)


def _rendered(label: str, entries: list[Entry]) -> Rendered:
    if not entries:
        return Rendered(
            label, datetime.min.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC), ()
        )
    return Rendered(
        label,
        min(e.start_at for e in entries),
        max(e.end_at for e in entries),
        tuple(entries),
    )


# --- v3: shift-based schedules -----------------------------------------------------------


def _rrule(doc: Doc) -> dict[str, str]:
    rules = [r for r in doc.items() if isinstance(r.value, str) and r.value.startswith("RRULE:")]
    if len(rules) != 1:
        raise doc.fail("recurrence must hold exactly one RRULE")
    parts: dict[str, str] = {}
    for part in rules[0].str().removeprefix("RRULE:").split(";"):
        key, _, value = part.partition("=")
        parts[key.upper()] = value.upper()
    if "FREQ" not in parts:
        raise rules[0].fail("the RRULE has no FREQ")
    others = [r for r in doc.items() if r is not rules[0] and r.value != rules[0].value]
    if any(str(r.value).startswith(("EXDATE", "RDATE")) for r in others):
        parts["_EXTRA"] = "1"
    return parts


def _import_v3(schedule: Doc, users: list[Doc], team_id: str | None) -> Imported:
    from generator.timeutil import zone

    imp = _imported(schedule, team_id)
    tz = imp.timezone
    rotations = schedule.get("rotations").items()
    referenced: list[tuple[str, Doc]] = []
    for rot in rotations:
        for ev in rot.get("events").items():
            for m in ev.get("assignment_strategy").get("members").items():
                if m.get("type").value == "user_member":
                    referenced.append((m.get("user_id").str(), m))
    _people(imp, users, referenced)
    taken: set[str] = set()
    for rot in rotations:
        events = rot.get("events").items()
        for n, ev in enumerate(events):
            label = ev.opt("name")
            ename = label.str() if label else f"Rotation {n + 1}"
            if ev.opt("effective_until") is not None:
                imp.refuse(ev, "event end", f"'{ename}' stops {ev.get('effective_until').str()}")
            strategy = ev.get("assignment_strategy")
            kind = strategy.get("type").str()
            members = []
            for m in strategy.get("members").items():
                if m.get("type").value != "user_member":
                    imp.refuse(ev, "empty member", f"'{ename}' has a slot with nobody; left out")
                    continue
                members.append(imp.person_for(m.get("user_id").str()) or "")
            if kind != "rotating_member_assignment_strategy":
                imp.refuse(
                    ev,
                    "every-member events",
                    f"'{ename}' pages all {len(members)} members at once: "
                    "make one rotation per member",
                )
                continue
            per = strategy.get("shifts_per_member").int()
            start_at = ev.get("start_time").get("date_time").instant()
            end_at = ev.get("end_time").get("date_time").instant()
            ev_tz = zone(_zone(ev.get("start_time").get("time_zone")))
            start = start_at.astimezone(ev_tz).replace(tzinfo=None)
            length = end_at - start_at
            rule = _rrule(ev.get("recurrence"))
            if "_EXTRA" in rule:
                imp.refuse(ev, "EXDATE/RDATE", f"'{ename}': exceptions left out")
            if "COUNT" in rule or "UNTIL" in rule:
                imp.refuse(ev, "RRULE end", f"'{ename}': COUNT/UNTIL left out")
            freq = rule["FREQ"]
            interval = int(rule.get("INTERVAL", "1"))
            days = [RRULE_DAYS[d] for d in rule.get("BYDAY", "").split(",") if d in RRULE_DAYS]
            if freq == "WEEKLY":
                days = days or [start.weekday()]
                if per % len(days):
                    imp.refuse(
                        ev,
                        "partial weeks per member",
                        f"'{ename}': {per} shifts per member over {len(days)} days a week",
                    )
                    continue
                shift = timedelta(weeks=interval * per // len(days))
                minute = start.hour * 60 + start.minute
                span = int(length.total_seconds() // 60)
                full = span >= 7 * 1440 * interval and len(days) == 1
                intervals = [] if full else [(d, minute, span) for d in days]
            elif freq == "DAILY" and not days:
                shift = timedelta(days=interval * per)
                minute = start.hour * 60 + start.minute
                span = int(length.total_seconds() // 60)
                full = span >= 1440 * interval
                intervals = [] if full else [(d, minute, span) for d in range(7)]
                if interval != 1 and not full:
                    imp.refuse(ev, "every-other-day windows", f"'{ename}': INTERVAL={interval}")
            else:
                imp.refuse(
                    ev, "recurrence", f"'{ename}': {ev.get('recurrence').value[0]} is not mapped"
                )
                continue
            rid = unique_slug(slugify(ename, "rotation"), taken)
            imp.rotations.append(
                ImportedRotation(
                    rid,
                    ename,
                    tuple(dict.fromkeys(members)),
                    start.replace(tzinfo=None) if start.tzinfo else start,
                    shift,
                    coverage_from_intervals(intervals),
                    (f"PagerDuty rotation {rot.get('id').str()} event '{ename}'",),
                )
            )
            if ev_tz.key != tz:
                imp.refuse(ev, "event zone", f"'{ename}' is in {ev_tz.key}, the team in {tz}")
    final = schedule.opt("final_schedule")
    if final is not None and final.opt("computed_shift_assignments") is not None:
        out = []
        for a in final.get("computed_shift_assignments").items():
            member = a.get("member")
            if member.get("type").value != "user_member":
                continue
            uid = member.get("user_id").str()
            out.append(
                Entry(
                    imp.person_for(uid) or uid,
                    a.get("start_time").instant(),
                    a.get("end_time").instant(),
                )
            )
        if out:
            imp.rendered.append(_rendered("final_schedule.computed_shift_assignments", out))
    if len(imp.rotations) > 1:
        imp.refuse(ev, "layer precedence", "several rotations; Rota pages every rotation on call")
    return imp


# --- export ----------------------------------------------------------------------------


def users_by_email(doc: Doc) -> list[tuple[str, str | None]]:
    """(user id, e-mail) from a saved ``GET /users`` (``{"users": [...]}``)."""
    users = doc.get("users") if isinstance(doc.value, dict) else doc
    out = []
    for u in users.items():
        email = u.opt("email")
        out.append((u.get("id").str(), email.str() if email else None))
    return out


def override_bodies(items: Sequence[Assignment], time_zone: str = "UTC") -> dict[str, Any]:
    """``POST /schedules/{id}/overrides``: ``{"overrides": [{start, end, user, time_zone}]}``."""
    return {
        "overrides": [
            {
                "start": utc(a.start_at),
                "end": utc(a.end_at),
                "user": {"id": a.user, "type": "user_reference"},
                "time_zone": time_zone,
            }
            for a in items
        ]
    }


def override_shift_bodies(items: Sequence[Assignment], rotation_id: str) -> dict[str, Any]:
    """``POST /v3/schedules/{id}/overrides``: ``override_shift`` entries replacing whoever
    the rotation has on call (``overridden_member`` is the empty member)."""
    return {
        "overrides": [
            {
                "type": "override_shift",
                "rotation_id": rotation_id,
                "start_time": utc(a.start_at),
                "end_time": utc(a.end_at),
                "overridden_member": {"type": "empty_member"},
                "overriding_member": {"type": "user_member", "user_id": a.user},
            }
            for a in items
        ]
    }
