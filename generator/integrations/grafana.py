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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
from generator.timeutil import format_duration

UNIT = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
BY_DAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
DAY_TITLES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEK = timedelta(weeks=1)
DAY = timedelta(days=1)


def _results(doc: Doc) -> list[Doc]:
    return doc.get("results").items() if doc.has("results") else [doc]


def import_grafana(
    docs: Sequence[Doc],
    team_id: str | None = None,
    now: datetime | None = None,
    ended: list[str] | None = None,
) -> Imported:
    """The saved schedule as an import. With ``now``, a shift whose ``until`` has passed
    is left out, and said so in ``ended``."""
    if ended is None:
        ended = []
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
    # a shift without time_zone is rendered in the schedule's zone, or in UTC when the
    # schedule was made in the web UI (OnCallScheduleWeb renders with the default "UTC")
    web = schedule.opt_str("type", "calendar") == "web"
    zones_used: set[str] = set()
    levels: dict[str, int] = {}  # rotation id → the shift's priority level

    def render_zone(sh: Doc) -> str:
        if sh.opt("time_zone") is None:
            return "UTC" if web else tz
        found = iana_zone(sh.get("time_zone").str())
        if found is None:
            raise sh.get("time_zone").fail(f"unknown time zone '{sh.get('time_zone').str()}'")
        return found

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
        until = _until(sh)
        if until is not None and now is not None and until <= now:
            # an ended shift (the web UI ends a shift when it is edited, and the edit is
            # a new shift from then on): nothing of it is on call from now on
            ended.append(f"'{sname}' ended at {until:%Y-%m-%dT%H:%M}Z: left out")
            continue
        szone = render_zone(sh)
        zones_used.add(szone)
        level = sh.opt_int("level", 0)
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
            else:
                groups.append("")
        if not groups:
            raise sh.get("rolling_users").fail("no users to rotate")
        if "" in groups:
            imp.unsupported.append(
                ("turn with nobody", f"'{sname}' has an empty user group in rolling_users")
            )
            continue
        k = sh.opt_int("start_rotation_from_user_index", 0) % len(groups)
        queue = groups[k:] + groups[:k]
        try:
            shape = shape_of(sh, szone, web)
        except Unsupported as exc:
            imp.unsupported.append((exc.feature, f"'{sname}' {exc.detail}"))
            continue
        if len(set(queue)) < len(queue):
            imp.unsupported.append(
                ("user listed twice", f"'{sname}' rotates {len(queue)} turns over fewer people")
            )
            continue
        skip = shape.skipped % len(queue)
        order = tuple(queue[skip:] + queue[:skip])
        rid = unique_slug(slugify(sname, f"shift-{n + 1}"), taken)
        if several:
            imp.timing[rid] = "several users per turn"
        comments = [f"Grafana OnCall shift '{sname}' ({shape.describe})"]
        if szone != tz:
            comments.append(
                f"Grafana renders it in {szone} (the schedule's zone is {tz})"
                if sh.opt("time_zone") is not None
                else f"made in the web UI: Grafana renders it in {szone}, not {tz}"
            )
        comments += shape.notes
        levels[rid] = level
        imp.rotations.append(
            ImportedRotation(
                rid,
                sname,
                order,
                shape.start,
                shape.period,
                coverage_from_intervals(shape.windows),
                tuple(comments),
            )
        )
    if len(zones_used) > 1:
        imp.unsupported.append(
            (
                "shifts in different zones",
                "Grafana renders the shifts in "
                + ", ".join(sorted(zones_used))
                + "; a Rota team has one zone",
            )
        )
    elif zones_used:
        imp.timezone = next(iter(zones_used))
    for sh in overrides:
        _override(imp, sh, person, render_zone(sh))
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
    if len(set(levels.values())) > 1:
        # where shifts of one level overlap Grafana has everyone on call, as Rota does;
        # across levels it pages only the highest
        imp.unsupported.append(
            (
                "layer precedence",
                "shifts at levels "
                + ", ".join(str(v) for v in sorted(set(levels.values())))
                + ": Grafana pages the highest level on call, Rota every rotation on call",
            )
        )
    return imp


def _until(sh: Doc) -> datetime | None:
    """A shift's ``until``: UTC (Grafana stores it so and puts it in the RRULE as UTC)."""
    found = sh.opt("until")
    if found is None:
        return None
    at = found.local()
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _override(imp: Imported, sh: Doc, person: Callable[[Doc], str], zone_name: str) -> None:
    """A Grafana override shift (``start`` local to its zone, ``duration``, ``users``) →
    a Rota override, when the schedule has one rotation for it to apply to."""
    from generator.timeutil import localize, zone

    sname = sh.opt_str("name", "override")
    users = sh.get("users").items()
    if len(imp.rotations) != 1 or len(users) != 1:
        imp.unsupported.append(("override", f"'{sname}': add it to the right rotation by hand"))
        return
    tz = zone(zone_name)
    # Grafana drops any offset and reads the digits in the shift's zone
    start_at = localize(sh.get("start").local().replace(tzinfo=None), tz)
    # a duration is real time: add it to the instant, not to the wall clock
    end_at = start_at.astimezone(UTC) + timedelta(seconds=sh.get("duration").int())
    imp.overrides.append(ImportedOverride(imp.rotations[0].id, start_at, end_at, person(users[0])))


# --- Grafana's recurrence, as custom_on_call_shift.py renders it --------------------------


class Unsupported(Exception):
    """A shift shape Rota's rotation cannot render as Grafana does: refused by name."""

    def __init__(self, feature: str, detail: str):
        super().__init__(f"{feature}: {detail}")
        self.feature = feature
        self.detail = detail


@dataclass(frozen=True)
class Shape:
    """A rolling_users shift as a Rota rotation: first handoff (naive, in the render
    zone), turn length, weekly coverage pieces, and how many turns Grafana skipped
    before ``rotation_start`` (they rotate the member order)."""

    start: datetime
    period: timedelta
    windows: tuple[tuple[int, int, int], ...]
    skipped: int
    describe: str
    notes: tuple[str, ...] = ()


def _day(doc: Doc) -> int:
    text = doc.str()
    if text not in BY_DAY:
        if text[-2:] in BY_DAY:
            raise Unsupported(
                "by_day with a position", f"is on the '{text}' day of the month (by_day {text})"
            )
        raise doc.fail(f"'{text}' is not a day (MO, TU, WE, TH, FR, SA, SU)")
    return BY_DAY[text]


def has_dst(zone_name: str, around: datetime) -> bool:
    """Whether the zone's offset changes in the years around ``around``."""
    from generator.timeutil import zone

    tz = zone(zone_name)
    offsets = {
        datetime(year, month, 1, 12, tzinfo=tz).utcoffset()
        for year in range(around.year - 1, around.year + 3)
        for month in range(1, 13)
    }
    return len(offsets) > 1


def clock_changes(zone_name: str, around: datetime) -> list[tuple[int, int]]:
    """(weekday, minute of the day) on the local clock, just before each change of the
    zone's offset in the years around ``around``."""
    from generator.timeutil import zone

    tz = zone(zone_name)
    out = set()
    for year in range(around.year - 1, around.year + 3):
        at = datetime(year, 1, 1, tzinfo=UTC)
        while at.year == year:
            step = at + timedelta(hours=6)
            if at.astimezone(tz).utcoffset() != step.astimezone(tz).utcoffset():
                lo, hi = at, step  # the change is in (lo, hi]: find it to the minute
                while hi - lo > timedelta(minutes=1):
                    mid = lo + (hi - lo) / 2
                    if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
                        lo = mid
                    else:
                        hi = mid
                before = lo.astimezone(tz)
                out.add((before.weekday(), before.hour * 60 + before.minute))
            at = step
    return sorted(out)


def shape_of(sh: Doc, zone_name: str, web: bool) -> Shape:
    """``_shape``, refused where an event with a gap after it spans a change of the zone's
    clock: Grafana's iCal gives every repetition of a user's event the length in hours
    of its first one (``duration = end - start`` in recurring_ical_events), while a Rota
    coverage window keeps its wall-clock times."""
    shape = _shape(sh, zone_name, web)
    if shape.windows:
        for day, minute in clock_changes(zone_name, shape.start):
            change = day * 1440 + minute + 1  # the change falls within the next minute
            for d, start, length in shape.windows:
                if 0 < (change - d * 1440 - start) % (7 * 1440) < length:
                    raise Unsupported(
                        "events spanning a clock change",
                        f"is on call across {zone_name}'s clock change ({DAY_TITLES[day]} "
                        f"{minute // 60:02d}:{minute % 60:02d}): Grafana keeps such an "
                        "event's length in hours, Rota its wall-clock times",
                    )
    return shape


def _shape(sh: Doc, zone_name: str, web: bool) -> Shape:
    """The Rota rotation that renders ``sh`` exactly as Grafana does, or ``Unsupported``.

    Grafana (``CustomOnCallShift.convert_to_ical``): group k of ``rolling_users`` gets
    an iCal event from the k-th rotation date, recurring every ``interval`` x groups
    ``frequency`` units (RRULE with ``by_day``, ``by_month``, ``wkst``, ``until``), in
    the shift's zone on the wall clock. The next rotation date is one ``interval`` on
    (``weekly``: the first event of the week ``interval`` weeks on, weeks starting on
    ``week_start``; ``daily`` with ``by_day``: the next selected day). A start on a day
    outside ``by_day`` moves forward to the first selected day in ``week_start`` order.
    Rotation dates before ``rotation_start`` pass with nobody on call (their group's
    turn is skipped, not given to the next group)."""
    freq_doc = sh.get("frequency")
    freq = freq_doc.str()
    if freq == "monthly":
        raise Unsupported(
            "monthly frequency",
            "hands over every month: a Rota turn has one length in hours, days or weeks, "
            "and months differ in length",
        )
    if freq not in UNIT:
        raise freq_doc.fail(f"'{freq}' is not a frequency (hourly, daily, weekly, monthly)")
    interval = sh.opt_int("interval", 1)
    if interval < 1:
        raise sh.get("interval").fail("expected a whole number of 1 or more")
    seconds = sh.get("duration").int()
    if seconds <= 0:
        raise sh.get("duration").fail("expected a duration of more than 0 seconds")
    if seconds % 60:
        raise Unsupported("duration in seconds", f"lasts {seconds} s: Rota counts in minutes")
    if sh.opt("until") is not None:
        raise Unsupported(
            "until",
            f"ends at {sh.get('until').str()}: a Rota rotation here has no end; import the "
            "shift that replaced it, or add the end by hand",
        )
    if sh.opt("by_monthday") is not None and sh.get("by_monthday").value:
        raise Unsupported("by_monthday", "is on call on some days of the month only")
    if sh.opt("by_month") is not None and sh.get("by_month").value:
        months = {m.int() for m in sh.get("by_month").items()}
        if months != set(range(1, 13)):
            raise Unsupported(
                "by_month",
                f"is on call in months {sorted(months)} only: Rota coverage is weekly",
            )
    week_start = _day(sh.get("week_start")) if sh.opt("week_start") is not None else 6
    by_day = sh.opt("by_day")
    days = sorted({_day(d) for d in by_day.items()}) if by_day is not None else []
    start = sh.get("start").local().replace(tzinfo=None)  # Grafana drops any offset
    if start.second or start.microsecond:
        raise Unsupported("start with seconds", f"starts at {start}: Rota counts in minutes")
    duration = timedelta(seconds=seconds)
    if freq == "daily" and len(days) == 7 and interval == 1:
        days = []  # every day selected, one a turn: plain daily
    if freq == "hourly":
        if days:
            raise Unsupported("hourly with by_day", "hands over hourly on some days only")
        if has_dst(zone_name, start):
            # both step the wall clock (Grafana's RRULE, Rota's turns): the same handoffs,
            # unless one falls in the hour the clock skips or repeats
            step = interval * 60
            times = {(start.hour * 60 + start.minute + j * step) % 1440 for j in range(24)}
            changes = [m + 1 for _, m in clock_changes(zone_name, start)]
            near = [t for t in times for c in changes if abs((t - c + 720) % 1440 - 720) < 60]
            if (1440 % step and step % 1440) or near:
                raise Unsupported(
                    "hourly turns in a zone with DST",
                    f"hands over every {interval} h in {zone_name}, at times in the hour "
                    "its clock skips or repeats: Grafana and Rota count that hour "
                    "differently",
                )
    first = start
    if days and start.weekday() not in days:
        in_order = [(week_start + i) % 7 for i in range(7)]
        wanted = next(d for d in in_order if d in days)
        first = start + timedelta(days=(wanted - start.weekday()) % 7)
    minute = first.hour * 60 + first.minute
    length = seconds // 60
    notes: list[str] = []
    what = f"{freq}, interval {interval}"
    rotation_start: datetime | None = None
    if sh.opt("rotation_start") is not None:
        rotation_start = sh.get("rotation_start").local().replace(tzinfo=None)

    def skipped(occurrence: Callable[[int], datetime]) -> int:
        """Grafana skips a group whose rotation date is before ``rotation_start`` (for a
        web-made shift: whose event ends by then)."""
        if rotation_start is None:
            return 0
        for j in range(100_000):
            at = occurrence(j)
            if (at + duration > rotation_start) if web else (at >= rotation_start):
                return j
        raise Unsupported("rotation_start", f"starts rotating only at {rotation_start}")

    if freq == "daily" and days:
        what += ", on " + ", ".join(DAY_TITLES[d] for d in days)
        if interval > 1:
            raise Unsupported(
                "several selected days per turn",
                f"gives each user {interval} of the days in by_day in a row: Rota turns "
                "are one day each here",
            )
        if duration > DAY:
            raise Unsupported("events longer than the turn", "runs into the next user's day")
        # daily + by_day (_daily_by_day_to_ical): the turns are the selected days only, and
        # rotation_start is not consulted; a Rota day turn with no covered time is skipped
        # and passes nobody's turn (uncovered_turns: skip, the default)
        return Shape(first, DAY, tuple((d, minute, length) for d in days), 0, what)
    if freq == "weekly" and days:
        what += ", on " + ", ".join(DAY_TITLES[d] for d in days)
        what += f", weeks from {DAY_TITLES[week_start]}"
        if interval > 1:
            raise Unsupported(
                "weeks with nobody on call",
                f"every {interval} weeks with by_day: each user's week is followed by "
                f"{interval - 1} week(s) with nobody on call, which weekly coverage "
                "cannot express",
            )
        week0 = first - timedelta(days=(first.weekday() - week_start) % 7)
        for d in days:
            if ((d - week_start) % 7) * 1440 + length > 7 * 1440:
                raise Unsupported(
                    "events past the week's end",
                    f"the {DAY_TITLES[d]} event runs past the next {DAY_TITLES[week_start]}, "
                    "into the next user's week",
                )
        offset = min((d - week_start) % 7 for d in days)

        def weekly(j: int) -> datetime:
            return first if j == 0 else week0 + j * WEEK + timedelta(days=offset)

        skip = skipped(weekly)
        before = [d for d in days if week0 + timedelta(days=(d - week_start) % 7) < first]
        if skip == 0 and before:
            # Grafana's first group has only the selected days from start on in its first
            # week; a Rota turn from the week's start would also cover the days before
            raise Unsupported(
                "first week starting mid-week",
                f"starts on {first:%a %Y-%m-%d}, after its first week's "
                + ", ".join(DAY_TITLES[d] for d in before)
                + ": nobody is on call then in Grafana, and a Rota week turn covers them",
            )
        pieces = tuple((d, minute, length) for d in days)
        return Shape(week0 + skip * WEEK, WEEK, pieces, skip, what, tuple(notes))
    period = UNIT[freq] * interval
    if duration > period:
        raise Unsupported(
            "events longer than the turn",
            f"lasts {duration} but hands over every {period}: two users on call at once",
        )
    skip = skipped(lambda j: first + j * period)
    begin = first + skip * period
    windows: tuple[tuple[int, int, int], ...] = ()
    if duration < period:
        if WEEK % period:
            raise Unsupported(
                "coverage repeating every " + format_duration(period),
                f"is on call {duration} of every {period}: Rota coverage repeats weekly",
            )
        steps = (begin + j * period for j in range(WEEK // period))
        windows = tuple((at.weekday(), at.hour * 60 + at.minute, length) for at in steps)
    return Shape(begin, period, windows, skip, what, tuple(notes))
