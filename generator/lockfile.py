"""``rotations/assignments.lock.yaml``: the published assignments.

Written only by ``rota plan``. One line per shift, rotations and shifts in a
stable order, so a plan reads as a small diff in review::

    # Written by `rota plan`. Do not edit by hand.
    version: 1
    rotations:
      payments/primary:
        until: "2026-12-28T09:00:00-05:00"
        shifts:
          - {start: "2026-11-30T09:00:00-05:00", end: "2026-12-07T09:00:00-05:00", person: alice}
        tentative:
          - {start: "2026-12-28T09:00:00-05:00", end: "2027-01-04T09:00:00-05:00", person: bob}

``shifts`` are locked (they start before ``until``) and never move; ``tentative``
is the rest of the last plan, kept so that re-planning stays close to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.errors import Diagnostics, Source, did_you_mean
from generator.load.yamlload import LDict, LList, parse_yaml
from generator.model import Lock, LockedShift, Person, Team
from generator.schedule.assign import Pick
from generator.schedule.shifts import Slot
from generator.timeutil import iso

LOCK_PATH = "rotations/assignments.lock.yaml"


def _parse_instant(value: Any, src: Source, diags: Diagnostics) -> datetime | None:
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            at = None
        if at is not None and at.tzinfo is not None:
            return at
    diags.error(src, f"expected an ISO 8601 instant with offset, found {value!r}")
    return None


_HINT = " (the lock file is written by 'rota plan'; restore it from git and re-run plan)"

# The form `rota plan` writes, read line by line: a lock file grows with the
# organisation (a year of 1,000 people is 75,000 lines) and a general YAML reader
# takes seconds over it. Anything else (a hand edit, another layout) is read as YAML.
_CANONICAL = re.compile(
    r"""(?x)
    (?P<comment>\#.*)
    | (?P<version>version:\ 1)
    | (?P<rotations>rotations:(?:\ \{\})?)
    | \ \ (?P<key>[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*):
    | \ {4}until:\ "(?P<until>[^"\\]*)"
    | \ {4}(?P<list>shifts|tentative):(?P<empty>\ \[\])?
    | \ {6}-\ \{start:\ "(?P<start>[^"\\]*)",\ end:\ "(?P<end>[^"\\]*)",
      \ person:\ (?P<person>[a-z0-9][a-z0-9-]*|"[a-z0-9][a-z0-9-]*")\}
    """
)
_NOT_TEXT = re.compile(r"[0-9]+|null|true|false")  # plain scalars YAML would not read as text


class _Item:
    """One shift line: values as written, and where (sources made when asked for)."""

    __slots__ = ("_at", "end", "person", "source", "start")

    def __init__(
        self, source: Source, start: Any, end: Any, person: Any, at: tuple[Source, ...] | None
    ):
        self.source, self.start, self.end, self.person = source, start, end, person
        self._at = at  # (start, end, person) sources; None: columns of the written form

    def _where(self, k: int) -> Source:
        if self._at is not None:
            return self._at[k]
        line = self.source.line
        # the written form: `      - {start: "…", end: "…", person: …}`
        start_col = 17
        end_col = start_col + len(self.start) + 9
        person_col = end_col + len(self.end) + 12
        return Source(self.source.path, line, (start_col, end_col, person_col)[k])

    @property
    def start_at(self) -> Source:
        return self._where(0)

    @property
    def end_at(self) -> Source:
        return self._where(1)

    @property
    def person_at(self) -> Source:
        return self._where(2)


@dataclass
class _Entry:
    key: str
    key_at: Source
    until: Any
    until_at: Source
    items: dict[str, list[_Item]] = field(default_factory=dict)


def _read_canonical(text: str, path: str) -> list[_Entry] | None:
    """The entries of a lock file in the written form, or None for any other text."""
    entries: list[_Entry] = []
    seen: set[str] = set()
    entry: _Entry | None = None
    items: list[_Item] | None = None
    head = 0  # 0: before version, 1: before rotations, 2: in rotations
    plain: set[str] = set()  # person ids seen written plain that YAML reads as text
    for n, line in enumerate(text.splitlines(), start=1):
        m = _CANONICAL.fullmatch(line)
        if m is None:
            return None
        kind = m.lastgroup
        if kind == "person":  # a shift: the only kind with several groups
            if items is None:
                return None
            written = m["person"]
            if written[0] == '"':
                person = written[1:-1]
            elif written in plain or not _NOT_TEXT.fullmatch(written):
                plain.add(written)
                person = written
            else:
                return None
            items.append(_Item(Source(path, n, 9), m["start"], m["end"], person, None))
        elif kind == "comment":
            continue
        elif kind == "version" and head == 0:
            head = 1
        elif kind == "rotations" and head == 1:
            head = 2 if line == "rotations:" else 3  # 3: no rotations follow
        elif kind == "key" and head == 2:
            if m["key"] in seen:
                return None
            seen.add(m["key"])
            entry, items = _Entry(m["key"], Source(path, n, 3), None, Source(path, n, 3)), None
            entries.append(entry)
        elif kind == "until" and entry is not None and entry.until is None and not entry.items:
            entry.until, entry.until_at = m["until"], Source(path, n, m.start("until"))
        elif kind == "empty" or kind == "list":
            name = m["list"]
            if entry is None or entry.until is None or name in entry.items:
                return None
            entry.items[name] = []
            items = None if m["empty"] else entry.items[name]
        else:
            return None
    return entries if head >= 2 else None


def _entries_of(doc: Any, path: str, diags: Diagnostics) -> list[_Entry] | None:
    """The entries of a lock file read as YAML, with an error for what is not one."""
    if not isinstance(doc, LDict) or set(doc) - {"version", "rotations"}:
        diags.error(Source(path), "not a Rota lock file" + _HINT)
        return None
    if doc.get("version") != 1:
        diags.error(doc.value_at("version"), "unsupported lock file version; expected 1" + _HINT)
        return None
    rotations = doc.get("rotations") or LDict()
    if not isinstance(rotations, LDict):
        diags.error(doc.value_at("rotations"), "expected a mapping of team/rotation" + _HINT)
        return None
    entries = []
    for key, entry in rotations.items():
        if not isinstance(entry, LDict):
            got = _Entry(key, rotations.key_at(key), entry, rotations.value_at(key))
            got.items = {"": []}  # not a mapping: reported once the key is known to be good
            entries.append(got)
            continue
        for bad in set(entry) - {"until", "shifts", "tentative"}:
            diags.error(entry.key_at(bad), f"unknown key '{bad}' in lock entry" + _HINT)
        out = _Entry(key, rotations.key_at(key), entry.get("until"), entry.value_at("until"))
        entries.append(out)
        for name in ("shifts", "tentative"):
            items = entry.get(name) or LList()
            if not isinstance(items, LList):
                diags.error(entry.value_at(name), "expected a list of shifts" + _HINT)
                continue
            found = out.items[name] = []
            for i, item in enumerate(items):
                src = items.item_at(i)
                if not isinstance(item, LDict) or set(item) != {"start", "end", "person"}:
                    diags.error(src, "expected {start, end, person}" + _HINT)
                    continue
                at = (item.value_at("start"), item.value_at("end"), item.value_at("person"))
                found.append(_Item(src, item["start"], item["end"], item["person"], at))
    return entries


def parse_lock(
    raw: tuple[str, Any] | None,
    teams: dict[str, Team],
    people: dict[str, Person],
    diags: Diagnostics,
) -> Lock:
    """The lock file from its text (or an already parsed YAML document)."""
    if raw is None or raw[1] is None:
        return Lock({}, (), ())
    path, doc = raw
    entries = _read_canonical(doc, path) if isinstance(doc, str) else None
    if entries is None:
        if isinstance(doc, str):
            doc = parse_yaml(doc, path, diags)
            if doc is None:
                return Lock({}, (), ())
        entries = _entries_of(doc, path, diags)
        if entries is None:
            return Lock({}, (), ())
    until: dict[str, datetime] = {}
    locked: list[LockedShift] = []
    tentative: list[LockedShift] = []
    known = {r.key for t in teams.values() for r in t.rotations}
    parse = _instant_parser()
    for entry in entries:
        key = entry.key
        team_id, _, rotation_id = key.partition("/")
        if key not in known:
            diags.warning(
                entry.key_at,
                f"lock file names rotation '{key}' which no longer exists"
                f"{did_you_mean(key, sorted(known))}; its entries are ignored",
            )
            continue
        if "" in entry.items:
            diags.error(entry.until_at, "expected a mapping with until and shifts" + _HINT)
            continue
        until_at = parse(entry.until, entry.until_at, diags)
        if until_at is None:
            continue
        until[key] = until_at
        for name, sink in (("shifts", locked), ("tentative", tentative)):
            for item in entry.items.get(name, ()):
                start = parse(item.start, item.start_at, diags)
                end = parse(item.end, item.end_at, diags)
                person = item.person
                if not isinstance(person, str) or person not in people:
                    diags.error(
                        item.person_at,
                        f"no person '{person}'{did_you_mean(str(person), people)} in lock file",
                    )
                    continue
                if start is None or end is None:
                    continue
                if end <= start:
                    diags.error(item.end_at, "locked shift ends before it starts" + _HINT)
                    continue
                sink.append(LockedShift(team_id, rotation_id, start, end, person, item.source))
    locked.sort(key=lambda s: (s.team, s.rotation, s.start_at))
    tentative.sort(key=lambda s: (s.team, s.rotation, s.start_at))
    return Lock(until, tuple(locked), tuple(tentative), Source(path))


def _instant_parser() -> Any:
    """``_parse_instant`` with a memory: a lock file repeats each handoff instant
    (one shift's end is the next one's start)."""
    seen: dict[str, datetime] = {}

    def parse(value: Any, src: Source, diags: Diagnostics) -> datetime | None:
        if isinstance(value, str):
            got = seen.get(value)
            if got is not None:
                return got
        at = _parse_instant(value, src, diags)
        if at is not None and isinstance(value, str):
            seen[value] = at
        return at

    return parse


def render_lock(
    until: dict[str, datetime], shifts: Iterable[LockedShift], tentative: Iterable[LockedShift]
) -> str:
    """The lock file's text: stable ordering, one shift per line."""
    by_key: dict[str, tuple[list[LockedShift], list[LockedShift]]] = {k: ([], []) for k in until}
    for s in shifts:
        by_key.setdefault(f"{s.team}/{s.rotation}", ([], []))[0].append(s)
    for s in tentative:
        by_key.setdefault(f"{s.team}/{s.rotation}", ([], []))[1].append(s)
    lines = [
        "# Written by `rota plan`. Do not edit by hand: add an override instead.",
        "# shifts: published and locked; tentative: the current plan beyond 'until'.",
        "version: 1",
        "rotations:" if by_key else "rotations: {}",
    ]
    for key in sorted(by_key):
        if key not in until:
            continue
        lines.append(f"  {key}:")
        lines.append(f'    until: "{iso(until[key])}"')
        for name, items in (("shifts", by_key[key][0]), ("tentative", by_key[key][1])):
            if not items:
                lines.append(f"    {name}: []")
                continue
            lines.append(f"    {name}:")
            for s in sorted(items, key=lambda s: s.start_at):
                lines.append(
                    f'      - {{start: "{iso(s.start_at)}", end: "{iso(s.end_at)}", '
                    f"person: {_person(s.person)}}}"
                )
    return "\n".join(lines) + "\n"


def write_lock(root: Path, text: str) -> Path:
    """Replace the lock file atomically (``CannotWrite`` when it cannot be written)."""
    from generator.publish.atomic import write_atomic

    path = root / LOCK_PATH
    write_atomic(path, text, root)
    return path


def plan_lock(
    lock: Lock,
    slots: dict[str, tuple[Slot, ...]],
    picks: dict[str, tuple[Pick, ...]],
    published_from: datetime,
    until_at: datetime,
    plan_end: datetime,
) -> tuple[dict[str, datetime], list[LockedShift], list[LockedShift], list[Slot]]:
    """Extend ``lock`` with a schedule's assignments. Pure.

    Every locked shift already in the lock stays exactly as it is. Slots that
    start before ``until_at`` (and after what the lock already holds, and that
    end after ``published_from``) are locked whole, so a rotation's ``until``
    becomes the end of its last locked slot; slots after it, up to ``plan_end``,
    form the tentative plan. Returns (until by rotation, locked, tentative,
    slots that would be locked but nobody can take).
    """
    until: dict[str, datetime] = {}
    locked: list[LockedShift] = list(lock.shifts)
    tentative: list[LockedShift] = []
    unassigned: list[Slot] = []
    for key in sorted(slots):
        team, _, rotation = key.partition("/")
        held = lock.until_at.get(key)
        ends = [s.end_at for s in lock.shifts if s.team == team and s.rotation == rotation]
        last = max([until_at, *([held] if held else []), *ends])
        for slot, pick in zip(slots[key], picks[key], strict=True):
            if held is not None and slot.start_at < held:
                continue  # already published (or before the first plan)
            if slot.start_at < until_at:
                if slot.end_at <= published_from:
                    continue  # history before the first plan: never published
                if pick.person is None:
                    unassigned.append(slot)
                    continue
                locked.append(LockedShift(team, rotation, slot.start_at, slot.end_at, pick.person))
                last = max(last, slot.end_at)
            elif slot.start_at < plan_end and pick.person is not None:
                tentative.append(
                    LockedShift(team, rotation, slot.start_at, slot.end_at, pick.person)
                )
        until[key] = last
    # a tentative slot the extended until now covers cannot exist: slots are contiguous
    tentative = [s for s in tentative if s.start_at >= until[f"{s.team}/{s.rotation}"]]
    return until, locked, tentative, unassigned


def _person(person: str) -> str:
    """A person id as YAML text: quoted where YAML would read a number or null."""
    return f'"{person}"' if _NOT_TEXT.fullmatch(person) else person
