"""Opsgenie (and Jira Service Management operations, same shapes): saved JSON → Rota
(import) and shifts → schedule override bodies (export). Pure.

Import reads ``GET /v2/schedules/{id}`` (``data.rotations``: ``type`` daily, weekly or
hourly, ``length``, ``startDate``, ``participants``, ``timeRestriction`` of type
``time-of-day`` or ``weekday-and-time-of-day``) and, for the check, the schedule's
``GET /v2/schedules/{id}/timeline`` (``data.finalTimeline.rotations[].periods``).
Opsgenie names users by username, which is their e-mail address.

Semantics carried over: turn k starts at ``startDate`` plus k × length units on the
schedule zone's wall clock; participant k mod n takes it; a time restriction only
masks the rotation. A ``weekday-and-time-of-day`` restriction runs continuously from
its start day and time to its end day and time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from generator.integrations.common import (
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

UNITS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _data(doc: Doc) -> Doc:
    return doc.get("data") if doc.has("data") else doc


def _person_name(username: str) -> str:
    local = username.split("@")[0]
    return " ".join(w.capitalize() for w in local.replace("_", ".").replace("-", ".").split("."))


def import_opsgenie(docs: Sequence[Doc], team_id: str | None = None, jsm: bool = False) -> Imported:
    tool = "Jira Service Management" if jsm else "Opsgenie"
    schedule: Doc | None = None
    timeline: Doc | None = None
    overrides: list[Doc] = []
    for d in docs:
        data = _data(d)
        if data.has("finalTimeline"):
            timeline = data
        elif data.has("rotations"):
            schedule = data
        elif isinstance(data.value, list):
            overrides += data.items()
        else:
            raise d.fail(
                f"neither a {tool} schedule (GET /v2/schedules/ID, with rotations), its "
                "timeline (GET /v2/schedules/ID/timeline) nor its overrides "
                "(GET /v2/schedules/ID/overrides)"
            )
    if schedule is None:
        raise docs[0].fail("no schedule among the files: save GET /v2/schedules/ID as well")
    name = schedule.get("name").str()
    tz_doc = schedule.get("timezone")
    tz = iana_zone(tz_doc.str())
    if tz is None:
        raise tz_doc.fail(f"unknown time zone '{tz_doc.str()}'")
    imp = Imported(
        "jsm" if jsm else "opsgenie",
        f"{tool} schedule '{name}'",
        team_id or slugify(name),
        name,
        tz,
    )
    from generator.timeutil import zone

    zi = zone(tz)
    taken_people: set[str] = set()
    taken: set[str] = set()
    for n, rot in enumerate(schedule.get("rotations").items()):
        rname = rot.opt_str("name", f"Rotation {n + 1}")
        rid = unique_slug(slugify(rname, f"rotation-{n + 1}"), taken)
        kind_doc = rot.get("type")
        if kind_doc.str() not in UNITS:
            raise kind_doc.fail(f"unknown rotation type '{kind_doc.str()}' (daily, weekly, hourly)")
        length = rot.opt("length")
        if length is not None and not 1 <= length.int() <= 1000:
            raise length.fail(f"a rotation's length is a whole number from 1, found {length.int()}")
        shift = UNITS[kind_doc.str()] * (length.int() if length else 1)
        start_at = rot.get("startDate").instant()
        start = start_at.astimezone(zi).replace(tzinfo=None)
        back = single_wall_time(start, shift, tz)  # a start in a DST gap or fold
        start -= back * shift
        members: list[str] = []
        for p in rot.get("participants").items():
            ptype = p.get("type").str()
            if ptype != "user":
                what = "nobody" if ptype == "none" else f"a {ptype}"
                imp.refuse(
                    p,
                    f"a turn of {what} (participant type '{ptype}')",
                    f"rotation '{rname}': Rota's members are people, each on call alone",
                )
                continue
            username = p.get("username").str()
            pid = imp.person_for(username.lower())
            if pid is None:
                pid = unique_slug(slugify(username.split("@")[0]), taken_people)
                imp.people.append(
                    ImportedPerson(username.lower(), pid, _person_name(username), username, tz)
                )
            members.append(pid)
        if not members:
            raise rot.get("participants").fail("the rotation has no user participants")
        if len(set(members)) < len(members):
            imp.refuse(
                rot.get("participants"),
                "a user listed twice in a rotation",
                f"rotation '{rname}' gives one person several turns of its round; a Rota "
                "rotation lists each member once",
            )
            members = list(dict.fromkeys(members))
        end_doc = rot.opt("endDate")
        until_at = end_doc.instant() if end_doc is not None else None
        intervals = _restriction(rot.opt("timeRestriction"))
        mask = week_mask(intervals) if intervals else None
        imp.rotations.append(
            ImportedRotation(
                rid,
                rname,
                tuple(members[-back % len(members) :] + members[: -back % len(members)])
                if back
                else tuple(members),
                start,
                shift,
                coverage_from_intervals(mask_intervals(mask)) if mask is not None else (),
                (f"{tool} rotation '{rname}' ({kind_doc.str()} × {rot.opt_int('length', 1)})",),
                count_uncovered=True,
                from_at=start_at if back else None,
                until_at=until_at,
            )
        )
    _shared_members(imp, schedule.get("rotations"))
    for o in overrides:
        _override(imp, o, tz)
    if timeline is not None:
        # the saved window, when the timeline names it: compared whole
        window = [timeline.opt(k) for k in ("startDate", "endDate")]
        saved = [w.instant() if w is not None else None for w in window]
        for rot in timeline.get("finalTimeline").get("rotations").items():
            tname = rot.opt_str("name", "")
            rot_id = next((r.id for r in imp.rotations if r.name == tname), None)
            entries = []
            periods = rot.opt("periods")
            for p in periods.items() if periods else []:
                rec = p.get("recipient")
                if rec.get("type").value != "user":
                    continue
                username = rec.get("name").str().lower()
                entries.append(
                    Entry(
                        imp.person_for(username) or username,
                        p.get("startDate").instant(),
                        p.get("endDate").instant(),
                        rot_id,
                    )
                )
            if entries:
                imp.rendered.append(
                    Rendered(
                        f"{rot.path} (rotation {rot_id or tname})",
                        saved[0] or min(e.start_at for e in entries),
                        saved[1] or max(e.end_at for e in entries),
                        tuple(entries),
                    )
                )
    return imp


def _shared_members(imp: Imported, rotations: Doc) -> None:
    """Opsgenie's rotations are cumulative, as a Rota team's rotations are, but Rota gives
    a person one rotation of a team at a time: a person in two rotations that may page
    at the same time (their restrictions meet and their dates overlap) is refused."""
    from generator.timeutil import localize, zone

    tz = zone(imp.timezone)
    rots = imp.rotations
    for i, a in enumerate(rots):
        for b in rots[i + 1 :]:
            shared = sorted(set(a.members) & set(b.members))
            if not shared:
                continue
            a0, b0 = localize(a.start_local, tz), localize(b.start_local, tz)
            if (a.until_at is not None and a.until_at <= b0) or (
                b.until_at is not None and b.until_at <= a0
            ):
                continue
            ma, mb = (week_mask(_intervals(r.coverage)) if r.coverage else None for r in (a, b))
            if ma is not None and mb is not None and not ma & mb:
                continue
            imp.refuse(
                rotations,
                "a person in two rotations on call at the same time",
                f"{', '.join(shared)} in '{a.name}' and '{b.name}': Opsgenie may page "
                "them for both at once; Rota gives a person one rotation of a team at a time",
            )


def _intervals(coverage: Sequence[Any]) -> list[tuple[int, int, int]]:
    return [
        (d, w.from_minute, (w.to_minute - w.from_minute) % 1440 or 1440)
        for w in coverage
        for d in w.days
    ]


def _override(imp: Imported, o: Doc, tz: str) -> None:
    """An Opsgenie override replaces the person of the rotations it names (all of them
    if none) for its time: a Rota override on each of those rotations where it pages.
    Where none of them pages, Opsgenie still pages the override's user: refused."""
    user = o.get("user")
    if user.get("type").str() != "user":
        imp.refuse(
            user,
            f"an override to a {user.get('type').str()}",
            f"override '{o.opt_str('alias', '')}': Rota's overrides name one person",
        )
        return
    username = user.get("username").str()
    pid = imp.person_for(username.lower())
    if pid is None:
        pid = unique_slug(slugify(username.split("@")[0]), {p.id for p in imp.people})
        imp.people.append(
            ImportedPerson(username.lower(), pid, _person_name(username), username, tz)
        )
    named = o.opt("rotations")
    names = {r.opt_str("name", "") for r in named.items()} if named else set()
    wanted = {r.id for r in imp.rotations if not names or r.name in names}
    start_at, end_at = o.get("startDate").instant(), o.get("endDate").instant()
    for a, b, rids in paging_pieces(imp, start_at, end_at):
        hit = [rid for rid in rids if rid in wanted]
        if not hit:
            imp.refuse(
                o,
                "an override where its rotations have nobody on call",
                f"{username} from {utc(a)} to {utc(b)}: Rota's overrides replace the "
                "person of a rotation, and none of its rotations pages then",
            )
        for rid in hit:
            imp.overrides.append(ImportedOverride(rid, a, b, pid))


def _restriction(doc: Doc | None) -> list[tuple[int, int, int]]:
    if doc is None:
        return []
    kind = doc.get("type").str()
    if kind == "time-of-day":
        r = doc.get("restriction")
        a, b = _clock(r, "start"), _clock(r, "end")
        span = (b - a) % 1440 or 1440
        return [(d, a, span) for d in range(7)]
    if kind == "weekday-and-time-of-day":
        out = []
        for r in doc.get("restrictions").items():
            d0 = _day(r.get("startDay"))
            d1 = _day(r.get("endDay"))
            a = d0 * 1440 + _clock(r, "start")
            b = d1 * 1440 + _clock(r, "end")
            span = (b - a) % (7 * 1440) or 7 * 1440
            out.append((d0, a % 1440, span))
        return out
    raise doc.get("type").fail(
        f"unknown restriction type '{kind}' (time-of-day or weekday-and-time-of-day)"
    )


def _clock(r: Doc, end: str) -> int:
    """``startHour``/``startMin`` (or ``end…``) as minutes after midnight: hours 0 to 23
    (an end may be 24:00), minutes 0 to 59."""
    hour, minute = r.get(f"{end}Hour"), r.get(f"{end}Min")
    top = 24 if end == "end" else 23
    if not 0 <= hour.int() <= top:
        raise hour.fail(f"an hour of the day is 0 to {top}, found {hour.int()}")
    if not 0 <= minute.int() <= 59 or (hour.int() == 24 and minute.int()):
        raise minute.fail(f"minutes are 0 to 59 (and 0 at 24:00), found {minute.int()}")
    return hour.int() * 60 + minute.int()


def _day(doc: Doc) -> int:
    name = doc.str().lower()
    if name not in WEEKDAYS:
        raise doc.fail(f"'{doc.str()}' is not a weekday name such as monday")
    return WEEKDAYS.index(name)


# --- export ----------------------------------------------------------------------------


ALIAS_STAMP = re.compile(r"\d{8}T\d{6}Z")


def alias_prefix(team: str, rotation: str) -> str:
    """``rota.<team>.<rotation>.``: team and rotation ids are slugs (no '.'), so the
    prefix names one rotation only; an over-long one is a digest of both."""
    prefix = f"rota.{team}.{rotation}."
    if len(prefix) + 16 > 100:  # Opsgenie keeps aliases of up to 100 characters
        digest = hashlib.sha256(f"{team}/{rotation}".encode()).hexdigest()[:24]
        prefix = f"rota.{digest}."
    return prefix


def override_alias(a: Assignment) -> str:
    """A stable alias: Opsgenie keeps one override per alias, so re-sending is safe.
    It carries the team, rotation and start, so sync can tell its own overrides."""
    stamp = utc(a.start_at).replace("-", "").replace(":", "")
    return alias_prefix(a.team, a.rotation) + stamp


def owns_alias(alias: str, team: str, rotation: str) -> bool:
    """Whether ``alias`` is one ``override_alias`` gives this team's rotation."""
    prefix = alias_prefix(team, rotation)
    return alias.startswith(prefix) and bool(ALIAS_STAMP.fullmatch(alias[len(prefix) :]))


def override_body(a: Assignment, rotation_name: str | None = None) -> dict[str, Any]:
    """``POST /v2/schedules/{id}/overrides``."""
    body: dict[str, Any] = {
        "alias": override_alias(a),
        "user": {"type": "user", "username": a.user},
        "startDate": utc(a.start_at),
        "endDate": utc(a.end_at),
    }
    if rotation_name:
        body["rotations"] = [{"name": rotation_name}]
    return body
