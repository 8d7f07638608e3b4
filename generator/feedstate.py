"""``rotations/feeds.state.json``: what the feeds last published, per event UID.

A calendar client keeps an event it has seen under its UID and replaces it
only when the new copy has a higher SEQUENCE. Whether an event changed since
the last build cannot be told from the current inputs alone (an override may
have been removed again, an unlocked shift reassigned by fair assignment), so
the build remembers, per UID, a fingerprint of the event's person and times,
its SEQUENCE and its LAST-MODIFIED instant. One event per line, sorted by UID,
so a rebuild after one override reads as a few changed lines in review::

    {"version": 1, "events": {
    "0b3c...@rota": {"fp": "9f2e41d07c3a5b18", "seq": 1, "modified": "2026-11-27T12:00:00Z",
                     "end": "2026-12-14T14:00:00Z"},   (on one line in the file)
    ...}}

The file is JSON, not YAML, because it is written by ``rota build`` and never
edited by hand (and every YAML file under rotations/ is read as input).
Parsing and revising are pure; ``read_state`` and ``write_state`` are the only
functions here that touch the disk.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator.errors import Diagnostic, InvalidInput, Source

STATE_PATH = "rotations/feeds.state.json"


@dataclass(frozen=True)
class Revision:
    """The published form of one feed event."""

    fingerprint: str  # of the person and the start and end instants
    sequence: int
    modified_at: datetime
    end_at: datetime  # when the event ends: entries leave the file after ``history``


@dataclass(frozen=True)
class FeedState:
    events: Mapping[str, Revision] = field(default_factory=dict)  # by UID


def revise(
    previous: Revision | None, fingerprint: str, end_at: datetime, now: datetime
) -> Revision:
    """The event's revision in this build: unchanged events keep SEQUENCE and
    LAST-MODIFIED; a changed one gets SEQUENCE + 1 and LAST-MODIFIED = now."""
    stamp = now.astimezone(UTC).replace(microsecond=0)
    if previous is None:
        return Revision(fingerprint, 0, stamp, end_at)
    if previous.fingerprint == fingerprint:
        return Revision(fingerprint, previous.sequence, previous.modified_at, end_at)
    return Revision(fingerprint, previous.sequence + 1, max(stamp, previous.modified_at), end_at)


def next_state(
    previous: FeedState, current: Mapping[str, Revision], now: datetime, history: timedelta
) -> FeedState:
    """This build's revisions, plus the remembered ones of events that left the feeds
    but may come back (a removed override), until they end ``history`` before now."""
    keep_after = now - history
    events = {
        uid: rev
        for uid, rev in previous.events.items()
        if uid not in current and rev.end_at > keep_after
    }
    events.update(current)
    return FeedState(dict(sorted(events.items())))


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_state(state: FeedState) -> str:
    """The file's text: one event per line, sorted by UID, so diffs stay small."""
    lines = []
    for uid in sorted(state.events):
        rev = state.events[uid]
        entry = {
            "fp": rev.fingerprint,
            "seq": rev.sequence,
            "modified": _utc(rev.modified_at),
            "end": _utc(rev.end_at),
        }
        lines.append(f"{json.dumps(uid)}: {json.dumps(entry)}")
    body = ",\n".join(lines)
    return '{"version": 1, "events": {\n' + body + ("\n" if lines else "") + "}}\n"


def parse_state(text: str, path: str = STATE_PATH) -> FeedState:
    """Read the file's text; a damaged file is an error that says how to recover."""
    hint = (
        f"; {path} is written by 'rota build': restore it from git, or delete it to start "
        "over (clients then see every event as new)"
    )
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            [Diagnostic(Source(path, exc.lineno, exc.colno), "error", f"not JSON: {exc.msg}{hint}")]
        ) from None
    except RecursionError:  # nested deeper than Python can read: not a file Rota wrote
        raise InvalidInput(
            [Diagnostic(Source(path), "error", "not JSON: nested too deeply" + hint)]
        ) from None
    if (
        not isinstance(doc, dict)
        or doc.get("version") != 1
        or not isinstance(doc.get("events"), dict)
    ):
        raise InvalidInput(
            [Diagnostic(Source(path), "error", "not a Rota feed state file (version 1)" + hint)]
        )
    events: dict[str, Revision] = {}
    for uid, entry in doc["events"].items():
        try:
            events[uid] = Revision(
                str(entry["fp"]),
                int(entry["seq"]),
                datetime.fromisoformat(entry["modified"].replace("Z", "+00:00")),
                datetime.fromisoformat(entry["end"].replace("Z", "+00:00")),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidInput(
                [Diagnostic(Source(path), "error", f"damaged entry for event {uid!r}" + hint)]
            ) from None
        if events[uid].modified_at.tzinfo is None or events[uid].end_at.tzinfo is None:
            raise InvalidInput(
                [Diagnostic(Source(path), "error", f"damaged entry for event {uid!r}" + hint)]
            )
    return FeedState(events)


def read_state(root: Path) -> FeedState:
    """The remembered revisions, or an empty memory when the file does not exist yet."""
    path = root / STATE_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return FeedState()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            [Diagnostic(Source(STATE_PATH), "error", f"cannot read the feed state: {exc}")]
        ) from None
    return parse_state(text)


def write_state(root: Path, state: FeedState) -> bool:
    """Replace the file atomically when its content changes; True if it was written."""
    from generator.errors import CannotWrite
    from generator.publish.atomic import write_atomic

    path = root / STATE_PATH
    text = render_state(state)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    try:
        write_atomic(path, text, root)
    except CannotWrite as exc:
        raise OSError(exc.reason) from None
    return True
