"""Diagnostics: every problem found in the inputs, with where it is.

Nothing here raises on the first problem: loaders and validators collect
``Diagnostic`` values, the CLI prints them sorted and exits 1.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import click


@dataclass(frozen=True, order=True)
class Source:
    """A place in an input file: path relative to the organisation root, 1-based."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    source: Source
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.severity}: {printable(self.message)}"

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.source.path,
            "line": self.source.line,
            "column": self.source.column,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass
class Diagnostics:
    """A collector of diagnostics, passed through loading and validation."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, source: Source, message: str) -> None:
        self.items.append(Diagnostic(source, "error", message))

    def warning(self, source: Source, message: str) -> None:
        self.items.append(Diagnostic(source, "warning", message))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items))

    def __bool__(self) -> bool:
        return bool(self.items)


def printable(text: str) -> str:
    """One line with no control characters: input text echoed in a message can't
    break the ``FILE:LINE:COLUMN`` format or a terminal."""
    return "".join(
        ch
        if ch == " " or unicodedata.category(ch)[0] not in "CZ"
        else ch.encode("unicode_escape").decode()
        for ch in text
    )


class InvalidInput(Exception):
    """The organisation's inputs have errors; exit status 1."""

    exit_code = 1

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        super().__init__(f"{len(diagnostics)} error(s) in the inputs")
        self.diagnostics = list(diagnostics)


class CannotWrite(click.ClickException):
    """A file Rota writes could not be written (disk full, read-only folder, ...); exit
    status 1 with ``rota: error: cannot write FILE: reason``, nothing left behind."""

    exit_code = 1

    def __init__(self, path: object, reason: object):
        super().__init__(f"cannot write {path}: {reason}")
        self.reason = str(reason)

    def show(self, file: Any = None) -> None:
        click.echo(f"rota: error: {printable(self.format_message())}", err=True)


class BuildFailed(Exception):
    """A later stage failed (rendering, MkDocs, writing); exit status 1."""

    exit_code = 1


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a close match exists, else the empty string."""
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


# Keys people bring from other tools (PagerDuty, Opsgenie, GoAlert, calendars) and the
# key Rota spells it with: the first of them the object has is suggested.
KEY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "owner": ("team", "authors", "person"),
    "owners": ("authors", "team"),
    "owning_team": ("team",),
    "assignee": ("person", "owner"),
    "assigned_to": ("person", "owner"),
    "oncall": ("person", "members"),
    "on_call": ("person", "members"),
    "responder": ("person", "responders"),
    "user": ("person", "members"),
    "users": ("members", "people", "responders"),
    "participants": ("members", "responders"),
    "people": ("members",),
    "tz": ("timezone",),
    "time_zone": ("timezone",),
    "zone": ("timezone",),
    "length": ("shift",),
    "duration": ("shift",),
    "shift_length": ("shift",),
    "rotation_length": ("shift",),
    "turn_length": ("shift",),
    "handoff": ("start",),
    "handoff_time": ("start",),
    "start_date": ("start", "from"),
    "starts": ("start", "from"),
    "end": ("to", "until"),
    "ends": ("to", "until"),
    "end_date": ("to", "until"),
    "schedules": ("rotations", "teams"),
    "layers": ("rotations",),
    "escalation_policy": ("escalation",),
    "escalations": ("escalation",),
    "restrictions": ("coverage",),
    "working_hours": ("coverage", "business_hours"),
    "vacation": ("leave",),
    "vacations": ("leave",),
    "pto": ("leave",),
    "time_off": ("leave",),
    "absences": ("leave",),
    "holiday": ("holidays",),
    "country": ("holidays",),
    "mail": ("email",),
    "email_address": ("email",),
    "display_name": ("name",),
    "full_name": ("name",),
    "username": ("id",),
    "slug": ("id",),
    "sev": ("severity",),
    "priority": ("severity",),
    "weight": ("share",),
    "comment": ("note", "notes", "description"),
    "reason": ("note", "description"),
}


def key_hint(key: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for an unknown key: the key's usual name in other
    tools when the object has it (owner → team), else the nearest spelling."""
    names = set(known)
    for name in KEY_SYNONYMS.get(key.lower().replace("-", "_"), ()):
        if name in names:
            return f" (did you mean '{name}'?)"
    return did_you_mean(key, names)


def diagnostics_json(items: Sequence[Diagnostic]) -> str:
    return json.dumps(
        {
            "valid": not any(d.severity == "error" for d in items),
            "diagnostics": [d.as_json() for d in items],
        },
        indent=2,
    )
