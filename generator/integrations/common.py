"""What every paging tool's import and export share. Pure.

Import: a tool's saved JSON becomes an ``Imported`` value (people, one team,
rotations, overrides, what could not be expressed), rendered as commented Rota
YAML by ``imported_yaml``. ``compare_timelines`` checks the tool's own rendered
shifts against Rota's schedule of that YAML, instant by instant.

Export: Rota's shifts become ``Assignment`` values (tool user, start, end),
after every person is matched to a tool user by e-mail, case-insensitively.
Any person who cannot be matched, and any uncovered shift without a fallback,
stops the export with the whole list (``ExportRefused``): never a partial export.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from generator.errors import printable
from generator.textsafe import terminal_text
from generator.timeutil import format_duration, iso

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# limits on a saved API response: beyond them it is no tool's answer
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 200  # nesting of lists and objects
MAX_DIGITS = 4300  # Python's own limit on the digits of a whole number
MAX_TEXT = 500  # characters of a name, id or other string
MAX_WHOLE = 10**9  # magnitude of a whole number (seconds, counts, indices)


# --- reading saved JSON ----------------------------------------------------------------


class BadExport(Exception):
    """A saved JSON file that is not what the tool's API returns: FILE and JSON path."""

    def __init__(self, file: str, path: str, message: str):
        super().__init__(f"{file}: {path}: {message}")
        self.file = file
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Doc:
    """A value from a saved JSON file, with its file and JSON path for errors."""

    value: Any
    file: str
    path: str = "$"

    def fail(self, message: str) -> BadExport:
        return BadExport(self.file, self.path, message)

    def _child(self, key: str | int) -> Doc:
        if isinstance(key, int):
            return Doc(self.value[key], self.file, f"{self.path}[{key}]")
        return Doc(self.value.get(key), self.file, f"{self.path}.{key}")

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def get(self, key: str) -> Doc:
        """A required member of an object."""
        if not isinstance(self.value, dict):
            raise self.fail(f"expected an object, found {_kind(self.value)}")
        if self.value.get(key) is None:
            raise self.fail(f"missing '{key}'")
        return self._child(key)

    def opt(self, key: str) -> Doc | None:
        if not isinstance(self.value, dict):
            raise self.fail(f"expected an object, found {_kind(self.value)}")
        return self._child(key) if self.value.get(key) is not None else None

    def opt_str(self, key: str, default: str) -> str:
        found = self.opt(key)
        return found.str() if found is not None else default

    def opt_int(self, key: str, default: int) -> int:
        found = self.opt(key)
        return found.int() if found is not None else default

    def items(self) -> list[Doc]:
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, found {_kind(self.value)}")
        return [self._child(i) for i in range(len(self.value))]

    def str(self) -> str:
        if not isinstance(self.value, str) or not self.value:
            raise self.fail(f"expected a non-empty string, found {_kind(self.value)}")
        if len(self.value) > MAX_TEXT:
            raise self.fail(
                f"a string of {len(self.value):,} characters; at most {MAX_TEXT} are read"
            )
        return self.value

    def int(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"expected a whole number, found {_kind(self.value)}")
        if abs(self.value) > MAX_WHOLE:
            raise self.fail(f"a whole number out of range (at most {MAX_WHOLE:,} either way)")
        return self.value

    def instant(self) -> datetime:
        """An ISO 8601 date-time with an offset or Z."""
        text = self.str()
        try:
            at = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(f"'{text}' is not an ISO 8601 date-time") from None
        if at.tzinfo is None:
            raise self.fail(f"'{text}' has no UTC offset")
        return at

    def local(self) -> datetime:
        """An ISO 8601 date-time without an offset (local to some zone)."""
        text = self.str()
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            raise self.fail(f"'{text}' is not an ISO 8601 date-time") from None
        return at.replace(tzinfo=None) if at.tzinfo is None else at


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), "a number"
    )


def read_json(path: Path) -> Doc:
    """A saved API response, read within the limits. Raises ``OSError``,
    ``UnicodeDecodeError`` or ``BadExport``."""
    with path.open("rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise BadExport(
            str(path),
            "$",
            f"the file is over {MAX_FILE_BYTES // 1024 // 1024} MB: no saved API response "
            "is this large",
        )
    return parse_json(str(path), data.decode("utf-8"))


_STRING = r'"(?:[^"\\]|\\.)*"'
_BRACKETS = re.compile(_STRING + r"|[\[\]{}]")
_LONG_NUMBER = re.compile(_STRING + r"|\d{" + str(MAX_DIGITS + 1) + ",}")


def parse_json(file: str, text: str) -> Doc:
    def at(pos: int) -> str:
        line, column = text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)
        return f"{file}:{line}:{column}"

    try:
        return Doc(json.loads(text), file)
    except json.JSONDecodeError as exc:
        raise BadExport(
            f"{file}:{exc.lineno}:{exc.colno}", "$", f"not valid JSON: {printable(exc.msg)}"
        ) from None
    except RecursionError:
        depth, pos = 0, 0
        for m in _BRACKETS.finditer(text):
            if m.group() in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    pos = m.start()
                    break
            elif m.group() in "]}":
                depth -= 1
        raise BadExport(at(pos), "$", f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:  # a whole number of more digits than Python converts
        found = (m for m in _LONG_NUMBER.finditer(text) if not m.group().startswith('"'))
        pos = next((m.start() for m in found), 0)
        raise BadExport(at(pos), "$", f"a number of more than {MAX_DIGITS} digits") from None


# --- what an import produces ------------------------------------------------------------


@dataclass(frozen=True)
class ImportedPerson:
    key: str  # the tool's user id (or e-mail when the tool names users by it)
    id: str  # Rota person id
    name: str
    email: str | None
    timezone: str | None


@dataclass(frozen=True)
class Window:
    """A coverage window: starts on ``days`` at ``start`` (minutes), ``to`` as in Rota."""

    days: tuple[int, ...]
    from_minute: int
    to_minute: int


@dataclass(frozen=True)
class ImportedRotation:
    id: str
    name: str
    members: tuple[str, ...]  # person ids in order
    start_local: datetime  # naive, team zone
    shift: timedelta
    coverage: tuple[Window, ...] = ()
    comments: tuple[str, ...] = ()
    # the tool keeps counting turns through masked time (``uncovered_turns: count``)
    count_uncovered: bool = False
    from_at: datetime | None = None  # nobody on call before (the layer's start)
    until_at: datetime | None = None  # nobody on call from then on (the layer's end)


@dataclass(frozen=True)
class ImportedOverride:
    rotation: str
    start_at: datetime
    end_at: datetime
    person: str


@dataclass(frozen=True)
class Entry:
    """One rendered interval of the tool: who, when (``rotation`` if per rotation)."""

    person: str
    start_at: datetime
    end_at: datetime
    rotation: str | None = None


@dataclass(frozen=True)
class Rendered:
    """The tool's own rendering of the schedule, saved alongside it."""

    label: str  # where it came from, e.g. "final_schedule.rendered_schedule_entries"
    start_at: datetime
    end_at: datetime
    entries: tuple[Entry, ...]
    # a layer's own rendering, before overrides (the final one has them)
    without_overrides: bool = False


@dataclass
class Imported:
    tool: str
    source: str  # "PagerDuty schedule PXXXXXX (Checkout)"
    team_id: str
    team_name: str
    timezone: str
    people: list[ImportedPerson] = field(default_factory=list)
    rotations: list[ImportedRotation] = field(default_factory=list)
    overrides: list[ImportedOverride] = field(default_factory=list)
    unsupported: list[tuple[str, str]] = field(default_factory=list)  # (feature, detail)
    warnings: list[str] = field(default_factory=list)  # imported exactly, worth a look
    rendered: list[Rendered] = field(default_factory=list)
    # rotation id → the unsupported feature that makes its timing differ from the tool's
    timing: dict[str, str] = field(default_factory=dict)

    # index in ``unsupported`` → "FILE: at JSON-PATH" of what is refused
    where: dict[int, str] = field(default_factory=dict)

    def refuse(self, doc: Doc, feature: str, detail: str) -> None:
        """Record what Rota cannot express, where it is in the saved files."""
        self.where[len(self.unsupported)] = f"{doc.file}: at {doc.path}"
        self.unsupported.append((feature, detail))

    def person_for(self, key: str) -> str | None:
        for p in self.people:
            if p.key == key:
                return p.id
        return None


def slugify(text: str, fallback: str = "imported") -> str:
    """A Rota slug from a tool's name: ``Checkout Primary`` → ``checkout-primary``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return slug or fallback


def unique_slug(base: str, taken: set[str]) -> str:
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    taken.add(slug)
    return slug


def coverage_from_intervals(intervals: Iterable[tuple[int, int, int]]) -> tuple[Window, ...]:
    """Weekly intervals ``(weekday 0=Mon, start minute, length minutes)`` → Rota windows.

    An interval longer than a day is cut into day-long pieces (``from == to`` is 24 h),
    which Rota treats as one continuous stretch of coverage.
    """
    pieces: dict[tuple[int, int], set[int]] = {}
    for day, start, length in intervals:
        d = day
        while length > 0:
            piece = min(length, 1440)
            to = (start + piece) % 1440
            pieces.setdefault((start, to), set()).add(d % 7)
            length -= piece
            d += 1
    return tuple(Window(tuple(sorted(days)), a, b) for (a, b), days in sorted(pieces.items()))


WEEK_MINUTES = 7 * 1440


def week_mask(intervals: Iterable[tuple[int, int, int]]) -> frozenset[int] | None:
    """Weekly intervals ``(weekday 0=Mon, start minute, length minutes)`` → the minutes
    of the week (0 = Monday 00:00, the schedule zone's wall clock) they hold; None when
    they hold the whole week (no restriction)."""
    minutes: set[int] = set()
    for day, start, length in intervals:
        first = day * 1440 + start
        minutes.update((first + i) % WEEK_MINUTES for i in range(min(length, WEEK_MINUTES)))
    return None if len(minutes) == WEEK_MINUTES else frozenset(minutes)


def mask_intervals(mask: frozenset[int]) -> list[tuple[int, int, int]]:
    """The runs of a week mask as ``(weekday, start minute, length)``; a run over the
    week's end is one interval."""
    if not mask:
        return []
    # start from a minute outside the mask, so no run is cut at the week's end
    origin = next(m for m in range(WEEK_MINUTES) if m not in mask)
    out: list[tuple[int, int, int]] = []
    run_start: int | None = None
    for i in range(1, WEEK_MINUTES + 1):
        m = (origin + i) % WEEK_MINUTES
        if m in mask and run_start is None:
            run_start = m
        elif m not in mask and run_start is not None:
            length = (m - run_start) % WEEK_MINUTES
            out.append((run_start // 1440, run_start % 1440, length))
            run_start = None
    return sorted(out)


def single_wall_time(first: datetime, length: timedelta, tz_name: str) -> int:
    """How many turns before ``first`` (naive, wall clock) the first turn that names one
    instant lies: a rotation's ``start`` may not be in a DST gap or a repeated hour, so
    an import whose first turn is starts that many turns earlier, members rotated to
    match, and ``from`` keeps the time before the real start uncovered."""
    from generator.timeutil import LocalTimeError, read_local, zone

    tz = zone(tz_name)
    back = 0
    while True:
        try:
            read_local(first - back * length, tz, tz_name)
            return back
        except LocalTimeError:
            back += 1


def minute_of_week(at: datetime, tz: Any) -> int:
    local = at.astimezone(tz)
    return local.weekday() * 1440 + local.hour * 60 + local.minute


def paging_pieces(
    imp: Imported, start_at: datetime, end_at: datetime
) -> list[tuple[datetime, datetime, tuple[str, ...]]]:
    """[start_at, end_at) cut where the set of the import's rotations paging changes,
    minute by minute (rotation start, ``from``, ``until`` and coverage, on the wall
    clock of the import's zone): ``(start, end, rotation ids)``."""
    from generator.timeutil import localize, zone

    tz = zone(imp.timezone)
    spans = []
    for r in imp.rotations:
        begin = r.from_at or localize(r.start_local, tz)
        spans.append((r, begin, r.until_at))
    out: list[tuple[datetime, datetime, tuple[str, ...]]] = []
    at = start_at
    step = timedelta(minutes=1)
    while at < end_at:
        minute = minute_of_week(at, tz)
        rids = tuple(
            r.id
            for r, begin, until in spans
            if begin <= at
            and (until is None or at < until)
            and (not r.coverage or any(_in_window(w, minute) for w in r.coverage))
        )
        nxt = min(at + step, end_at)
        if out and out[-1][2] == rids:
            out[-1] = (out[-1][0], nxt, rids)
        else:
            out.append((at, nxt, rids))
        at = nxt
    return out


def _in_window(w: Window, minute: int) -> bool:
    length = (w.to_minute - w.from_minute) % 1440 or 1440
    return any((minute - (d * 1440 + w.from_minute)) % WEEK_MINUTES < length for d in w.days)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _q(text: str) -> str:
    """A YAML double-quoted scalar, written by the YAML dumper, of the tool's text on one
    line: names, ids and e-mails are one-line fields in Rota, so line breaks and control
    characters become spaces (runs of them one space), and quotes stay part of the value."""
    text = " ".join(terminal_text(text).split())
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf"))
    return dumped.rstrip("\n")


def _c(text: str) -> str:
    """Text for a YAML comment: one line, control characters and line breaks escaped
    (a tool's name can never end the comment and add YAML)."""
    return printable(text)


def imported_yaml(imp: Imported, known_people: Mapping[str, str] | None = None) -> str:
    """Commented Rota YAML for an import. ``known_people``: lower-case e-mail → id of
    people the organisation already has (they are referenced, not written again)."""
    known = known_people or {}
    lines = [
        "# yaml-language-server: $schema=rota.schema.json",
        f"# Imported from {_c(imp.source)} by `rota import {imp.tool}`.",
        "# Rotations keep `assignment: round-robin`, so nobody's turn moves until the team",
        "# opts into `fair`. Check it with `rota schedule --team " + imp.team_id + "`.",
    ]
    if imp.unsupported:
        lines.append("#")
        lines.append("# Not expressible in Rota (left out; see the import's report):")
        for feature, detail in imp.unsupported:
            lines.append(f"#   - {_c(feature)}: {_c(detail)}")
    new_people = [p for p in imp.people if not (p.email and p.email.lower() in known)]
    lines.append("")
    if new_people:
        lines.append("people:")
        for p in new_people:
            lines.append(f"  - id: {p.id}")
            lines.append(f"    name: {_q(p.name)}")
            if p.email:
                lines.append(f"    email: {_q(p.email)}")
            if p.timezone:
                lines.append(f"    timezone: {_q(p.timezone)}")
        lines.append("")
    lines += [
        "teams:",
        f"  - id: {imp.team_id}",
        f"    name: {_q(imp.team_name)}",
        f"    timezone: {_q(imp.timezone)}",
        "    rotations:",
    ]
    ids = {p.id: known.get((p.email or "").lower(), p.id) for p in imp.people}
    from generator.timeutil import zone

    tz = zone(imp.timezone)
    for r in imp.rotations:
        for c in r.comments:
            lines.append(f"      # {_c(c)}")
        lines.append(f"      - id: {r.id}")
        lines.append(f"        name: {_q(r.name)}")
        lines.append(f"        members: [{', '.join(ids.get(m, m) for m in r.members)}]")
        lines.append(f'        start: "{r.start_local:%Y-%m-%d %H:%M}"')
        lines.append(f"        shift: {format_duration(r.shift)}")
        lines.append("        assignment: round-robin")
        if r.count_uncovered:
            # the tool's turn k starts at start + k x shift on the wall clock and counts
            # also when it is empty: masked, before ``from``, or in a clock change's gap
            lines.append("        uncovered_turns: count")
        for key, at in (("from", r.from_at), ("until", r.until_at)):
            if at is not None:
                lines.append(f'        {key}: "{iso(at.astimezone(tz))}"')
        if r.coverage:
            lines.append("        coverage:")
            for w in r.coverage:
                days = ", ".join(DAY_NAMES[d] for d in w.days)
                lines.append(
                    f'          - {{days: [{days}], from: "{_hhmm(w.from_minute)}", '
                    f'to: "{_hhmm(w.to_minute)}"}}'
                )
    if imp.rotations:
        # the tool pages whoever its schedule has on call: every rotation at once
        # (Opsgenie's rotations are cumulative; PagerDuty's layers, once imported with
        # their precedence, never overlap)
        lines += [
            "    escalation:",
            "      levels:",
            f"        - {{after: 0m, notify: [{', '.join(r.id for r in imp.rotations)}]}}",
        ]
    if imp.overrides:
        lines += ["", "overrides:"]
        for o in imp.overrides:
            lines.append(
                f"  - {{team: {imp.team_id}, rotation: {o.rotation}, "
                f'from: "{iso(o.start_at.astimezone(tz))}", to: "{iso(o.end_at.astimezone(tz))}", '
                f"person: {ids.get(o.person, o.person)}, note: imported override}}"
            )
    return "\n".join(lines) + "\n"


# --- checking an import against the tool's rendering ------------------------------------


@dataclass(frozen=True)
class Difference:
    start_at: datetime
    end_at: datetime
    theirs: tuple[str, ...]
    ours: tuple[str, ...]
    rotation: str | None = None


def compare_timelines(
    theirs: Sequence[Entry],
    ours: Sequence[Entry],
    start_at: datetime,
    end_at: datetime,
    rotation: str | None = None,
    ignore: Sequence[tuple[datetime, datetime]] = (),
) -> list[Difference]:
    """Every stretch of [start, end) where the two disagree on who is on call, outside
    the ``ignore`` intervals (overrides, when a layer is compared without them)."""
    cuts = {start_at, end_at}
    for a, b in ignore:
        cuts.update(at for at in (a, b) if start_at < at < end_at)
    for e in (*theirs, *ours):
        for at in (e.start_at, e.end_at):
            if start_at < at < end_at:
                cuts.add(at)
    points = sorted(cuts)

    def who(entries: Sequence[Entry], at: datetime) -> tuple[str, ...]:
        return tuple(sorted({e.person for e in entries if e.start_at <= at < e.end_at}))

    found: list[Difference] = []
    for a, b in itertools.pairwise(points):
        t, o = who(theirs, a), who(ours, a)
        if t == o or any(x <= a < y for x, y in ignore):
            continue
        if found and found[-1].end_at == a and (found[-1].theirs, found[-1].ours) == (t, o):
            last = found.pop()
            found.append(Difference(last.start_at, b, t, o, rotation))
        else:
            found.append(Difference(a, b, t, o, rotation))
    return found


# --- export ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """One exported interval: the tool's user for a Rota shift."""

    team: str
    rotation: str
    person: str  # Rota person id (the fallback for an uncovered shift)
    user: str  # the tool's user id, or e-mail where the tool takes e-mails
    email: str
    start_at: datetime
    end_at: datetime


class ExportRefused(Exception):
    """Export stopped before anything was produced; every reason is listed."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def tool_users_by_email(users: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """(tool id, e-mail) pairs → lower-case e-mail → tool id."""
    return {email.lower(): uid for uid, email in users if email}


def assignments(
    shifts: Iterable[Any],
    emails: Mapping[str, str | None],
    users: Mapping[str, str] | None,
    fallback: str | None,
) -> list[Assignment]:
    """Match every shift's person (or ``fallback`` where nobody is on call) to a tool user.

    ``emails``: Rota person id → e-mail. ``users``: lower-case e-mail → tool user id, or
    None where the tool takes e-mail addresses directly. Raises ``ExportRefused``
    listing every unmatched person and every uncovered shift without a fallback."""
    out: list[Assignment] = []
    unmatched: dict[str, str] = {}
    uncovered: list[str] = []
    for s in shifts:
        person = s.person if s.person is not None else fallback
        if person is None:
            uncovered.append(
                f"{s.team}/{s.rotation} from {iso(s.start_at)} to {iso(s.end_at)} has nobody "
                "on call: give --fallback PERSON, or cover it with an override"
            )
            continue
        email = emails.get(person)
        if not email:
            unmatched[person] = f"{person} has no e-mail in people"
            continue
        uid = email if users is None else users.get(email.lower())
        if uid is None:
            unmatched[person] = f"{person} <{email}> matches no user of the tool"
            continue
        out.append(Assignment(s.team, s.rotation, person, uid, email, s.start_at, s.end_at))
    if unmatched or uncovered:
        raise ExportRefused([*(unmatched[p] for p in sorted(unmatched)), *uncovered])
    return merge_adjacent(out)


def merge_adjacent(items: Sequence[Assignment]) -> list[Assignment]:
    """Join back-to-back intervals of one person in one rotation (coverage pieces)."""
    out: list[Assignment] = []
    for a in sorted(items, key=lambda a: (a.team, a.rotation, a.start_at)):
        last = out[-1] if out else None
        if (
            last is not None
            and (last.team, last.rotation, last.user) == (a.team, a.rotation, a.user)
            and last.end_at == a.start_at
        ):
            out[-1] = Assignment(
                a.team, a.rotation, a.person, a.user, a.email, last.start_at, a.end_at
            )
        else:
            out.append(a)
    return out


def by_rotation(items: Iterable[Assignment]) -> Iterator[tuple[str, list[Assignment]]]:
    """``team/rotation`` → its assignments, in key order."""
    groups: dict[str, list[Assignment]] = {}
    for a in items:
        groups.setdefault(f"{a.team}/{a.rotation}", []).append(a)
    for key in sorted(groups):
        yield key, sorted(groups[key], key=lambda a: a.start_at)


def utc(at: datetime) -> str:
    """``2026-03-08T14:00:00Z``: the form every tool accepts."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
