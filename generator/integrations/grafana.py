"""Grafana OnCall / IRM: saved JSON → Rota (import). Pure.

Import reads ``GET /api/v1/schedules/{id}``, its shifts from ``GET
/api/v1/on_call_shifts`` (``rolling_users``, ``frequency``, ``interval``, ``by_day``,
``start`` local to ``time_zone`` or the schedule's zone, ``duration`` in seconds),
``GET /api/v1/users`` for e-mail, and for the check ``GET
/api/v1/schedules/{id}/final_shifts``. Export needs no API: Grafana subscribes to
Rota's pager feed ``ical/pager/<team>-<rotation>.ics`` (see render/ical.py).

Semantics carried over: a ``rolling_users`` shift recurs every ``interval``
``frequency`` units from ``start`` on the zone's wall clock (iCalendar RRULE);
the group of users rotates at every recurrence, starting at
``start_rotation_from_user_index``; with ``by_day`` each listed day has an event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, timedelta

from generator.integrations.common import (
    Doc,
    Entry,
    Imported,
    ImportedOverride,
    ImportedPerson,
    ImportedRotation,
    Rendered,
    coverage_from_intervals,
    slugify,
    unique_slug,
)
from generator.integrations.zones import iana_zone

FREQ = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
BY_DAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def _results(doc: Doc) -> list[Doc]:
    return doc.get("results").items() if doc.has("results") else [doc]


def import_grafana(docs: Sequence[Doc], team_id: str | None = None) -> Imported:
    schedule: Doc | None = None
    shifts: list[Doc] = []
    users: dict[str, Doc] = {}
    finals: list[Doc] = []
    for d in docs:
        first = _results(d)[0] if _results(d) else d
        if not isinstance(first.value, dict):
            raise first.fail("expected an object")
        if "shift_start" in first.value:
            finals += _results(d)
        elif "rolling_users" in first.value or "frequency" in first.value:
            shifts += _results(d)
        elif "email" in first.value and "username" in first.value:
            for u in _results(d):
                users[u.get("id").str()] = u
        elif "shifts" in first.value or "time_zone" in first.value:
            schedule = first
        elif d.has("results") and not d.get("results").value:
            continue
        else:
            raise d.fail(
                "not a Grafana OnCall schedule, on-call shift list, user list or final_shifts"
            )
    if schedule is None:
        raise docs[0].fail("no schedule among the files: save GET /api/v1/schedules/ID as well")
    name = schedule.get("name").str()
    tz_doc = schedule.get("time_zone")
    tz = iana_zone(tz_doc.str())
    if tz is None:
        raise tz_doc.fail(f"unknown time zone '{tz_doc.str()}'")
    imp = Imported(
        "grafana", f"Grafana OnCall schedule '{name}'", team_id or slugify(name), name, tz
    )
    wanted = schedule.opt("shifts")
    ids = {s.str() for s in wanted.items()} if wanted else None
    taken_people: set[str] = set()
    taken: set[str] = set()

    def person(uid_doc: Doc) -> str:
        uid = uid_doc.str()
        pid = imp.person_for(uid)
        if pid is not None:
            return pid
        u = users.get(uid)
        if u is None:
            raise uid_doc.fail(f"user {uid} is not in the saved GET /api/v1/users")
        username = u.get("username").str()
        email = u.opt("email")
        utz = u.opt("timezone")
        pid = unique_slug(slugify(username), taken_people)
        imp.people.append(
            ImportedPerson(
                uid,
                pid,
                (u.opt("name") or u.get("username")).str(),
                email.str() if email else None,
                iana_zone(utz.str()) if utz else None,
            )
        )
        return pid

    overrides: list[Doc] = []
    for n, sh in enumerate(shifts):
        if ids is not None and sh.opt("id") is not None and sh.get("id").str() not in ids:
            continue
        sname = sh.opt_str("name", f"Shift {n + 1}")
        kind = sh.get("type").str()
        if kind == "override":
            overrides.append(sh)
            continue
        if kind != "rolling_users":
            imp.unsupported.append(
                (f"{kind} shift", f"'{sname}' is not a rotation; add it as overrides")
            )
            continue
        szone = tz
        if sh.opt("time_zone") is not None:
            found = iana_zone(sh.get("time_zone").str())
            if found is None:
                raise sh.get("time_zone").fail("unknown time zone")
            szone = found
            if found != tz:
                imp.unsupported.append(("shift zone", f"'{sname}' is in {found}, not {tz}"))
        if sh.opt("level") is not None and sh.get("level").int() != 0:
            imp.unsupported.append(
                ("shift level", f"'{sname}' has priority level {sh.get('level').int()}")
            )
        start = sh.get("start").local()
        duration = sh.get("duration").int()
        freq_doc = sh.get("frequency")
        if freq_doc.str() not in FREQ:
            imp.unsupported.append(("frequency", f"'{sname}' recurs {freq_doc.str()}"))
            continue
        interval = sh.opt_int("interval", 1)
        period = FREQ[freq_doc.str()] * interval
        groups = []
        several = False
        for g in sh.get("rolling_users").items():
            members = g.items()
            if len(members) != 1:
                several = True
                imp.unsupported.append(
                    (
                        "several users per turn",
                        f"'{sname}' puts {len(members)} users on at once: one rotation each",
                    )
                )
            if members:
                groups.append(person(members[0]))
        if not groups:
            raise sh.get("rolling_users").fail("no users to rotate")
        k = sh.opt_int("start_rotation_from_user_index", 0) % len(groups)
        order = tuple(dict.fromkeys(groups[k:] + groups[:k]))
        by_day = sh.opt("by_day")
        days = [BY_DAY[d.str()] for d in by_day.items()] if by_day else []
        minute = start.hour * 60 + start.minute
        span = duration // 60
        if days:
            if freq_doc.str() != "weekly":
                imp.unsupported.append(("by_day", f"'{sname}': by_day with {freq_doc.str()}"))
                continue
            intervals = [(d, minute, span) for d in days]
        elif timedelta(seconds=duration) >= period:
            intervals = []
        elif freq_doc.str() == "daily" and interval == 1:
            intervals = [(d, minute, span) for d in range(7)]
        elif freq_doc.str() == "weekly" and interval == 1:
            intervals = [(start.weekday(), minute, span)]
        else:
            imp.unsupported.append(
                ("partial shifts", f"'{sname}' every {interval} {freq_doc.str()}")
            )
            continue
        if sh.opt("until") is not None:
            imp.unsupported.append(("shift end", f"'{sname}' ends {sh.get('until').str()}"))
        rid = unique_slug(slugify(sname, f"shift-{n + 1}"), taken)
        if several or len(order) < len(groups):
            imp.timing[rid] = "several users per turn" if several else "user listed twice"
        comments = [f"Grafana OnCall shift '{sname}' ({freq_doc.str()}, interval {interval})"]
        if szone != tz:
            comments.append(f"its times were local to {szone}")
        imp.rotations.append(
            ImportedRotation(
                rid,
                sname,
                order,
                start,
                period,
                coverage_from_intervals(intervals),
                tuple(comments),
            )
        )
    for sh in overrides:
        _override(imp, sh, person)
    if not imp.rotations and not imp.unsupported:
        raise schedule.fail("no rolling_users shifts: save GET /api/v1/on_call_shifts as well")
    entries = []
    for f in finals:
        pk = f.get("user_pk").str()
        pid = imp.person_for(pk)
        if pid is None and f.opt("user_email") is not None:
            email = f.get("user_email").str().lower()
            pid = next((p.id for p in imp.people if (p.email or "").lower() == email), None)
        entries.append(
            Entry(pid or pk, f.get("shift_start").instant(), f.get("shift_end").instant())
        )
    if entries:
        imp.rendered.append(
            Rendered(
                "final_shifts",
                min(e.start_at for e in entries),
                max(e.end_at for e in entries),
                tuple(entries),
            )
        )
    if len(imp.rotations) > 1:
        imp.unsupported.append(
            ("layer precedence", "Grafana pages the highest-level shift; Rota pages all")
        )
    return imp


def _override(imp: Imported, sh: Doc, person: Callable[[Doc], str]) -> None:
    """A Grafana override shift (``start`` local to its zone, ``duration``, ``users``) →
    a Rota override, when the schedule has one rotation for it to apply to."""
    from generator.timeutil import localize, zone

    sname = sh.opt_str("name", "override")
    users = sh.get("users").items()
    if len(imp.rotations) != 1 or len(users) != 1:
        imp.unsupported.append(("override", f"'{sname}': add it to the right rotation by hand"))
        return
    tz = zone(iana_zone(sh.opt_str("time_zone", imp.timezone)) or imp.timezone)
    start = sh.get("start").local()
    start_at = localize(start, tz) if start.tzinfo is None else start
    # a duration is real time: add it to the instant, not to the wall clock
    end_at = start_at.astimezone(UTC) + timedelta(seconds=sh.get("duration").int())
    imp.overrides.append(ImportedOverride(imp.rotations[0].id, start_at, end_at, person(users[0])))
