"""Terminal and machine output of the schedule commands: tables, JSON, CSV. Pure."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from generator.model import Org
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import iso


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned table for a terminal."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def who_document(org: Org, schedule: Schedule, at: datetime, team: str | None) -> dict[str, Any]:
    on = [s for s in schedule.at(at) if team is None or s.team == team]
    return {
        "at": iso(at),
        "oncall": [
            {
                "team": s.team,
                "rotation": s.rotation,
                "person": s.person,
                "start": iso(s.start_at),
                "end": iso(s.end_at),
            }
            for s in on
        ],
    }


def who_table(org: Org, doc: dict[str, Any]) -> str:
    rows = []
    for e in doc["oncall"]:
        person = org.people[e["person"]]
        rows.append([e["team"], e["rotation"], person.name, e["person"], e["end"]])
    if not rows:
        return f"nobody is on call at {doc['at']}"
    return f"on call at {doc['at']}\n\n" + table(
        ["TEAM", "ROTATION", "NAME", "PERSON", "UNTIL"], rows
    )


def schedule_document(
    start_at: datetime, end_at: datetime, shifts: Sequence[Shift]
) -> dict[str, Any]:
    return {"from": iso(start_at), "to": iso(end_at), "shifts": [s.as_json() for s in shifts]}


SCHEDULE_COLUMNS = ["team", "rotation", "person", "start", "end", "source"]


def schedule_csv(shifts: Sequence[Shift]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SCHEDULE_COLUMNS)
    for s in shifts:
        d = s.as_json()
        writer.writerow([d[c] for c in SCHEDULE_COLUMNS])
    return buf.getvalue()


def schedule_table(org: Org, shifts: Sequence[Shift]) -> str:
    if not shifts:
        return "no shifts in that window"
    rows = []
    for s in shifts:
        tz = org.teams[s.team].tz
        a, b = s.start_at.astimezone(tz), s.end_at.astimezone(tz)
        rows.append(
            [
                s.team,
                s.rotation,
                s.person,
                a.strftime("%a %Y-%m-%d %H:%M"),
                b.strftime("%a %Y-%m-%d %H:%M %Z"),
                s.source,
            ]
        )
    return table(["TEAM", "ROTATION", "PERSON", "START", "END", "SOURCE"], rows)
