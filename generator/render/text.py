"""Terminal and machine output of the schedule commands: tables, JSON, CSV. Pure."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from generator.model import Org
from generator.schedule.resolve import Schedule, Shift
from generator.textsafe import SpreadsheetWriter, terminal_text
from generator.timeutil import iso

if TYPE_CHECKING:  # a type only: `rota who` need not import the reports
    from generator.reports.fairness import FairnessReport


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned table for a terminal (no control characters: a name cannot move
    the cursor, recolour or retitle the terminal)."""
    cells = [[terminal_text(h) for h in headers]]
    cells += [[terminal_text(c) for c in row] for row in rows]
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


UNCOVERED = "nobody (uncovered)"


def who_table(org: Org, doc: dict[str, Any]) -> str:
    at = datetime.fromisoformat(doc["at"])
    rows = []
    for e in doc["oncall"]:
        end = datetime.fromisoformat(e["end"]).astimezone(org.teams[e["team"]].tz)
        until = f"{end:%a %d %b %H:%M %Z} (in {time_left(end - at)})"
        if e["person"] is None:
            rows.append([e["team"], e["rotation"], UNCOVERED, "-", until])
            continue
        person = org.people[e["person"]]
        rows.append([e["team"], e["rotation"], person.name, e["person"], until])
    if not rows:
        return f"nobody is on call at {doc['at']}"
    return f"on call at {doc['at']}\n\n" + table(
        ["TEAM", "ROTATION", "NAME", "PERSON", "UNTIL"], rows
    )


def time_left(length: timedelta) -> str:
    """``1 h 37 min``, ``3 d 4 h``, ``12 min``: how long until a handoff, to the minute
    (rounded up, so "in 0 min" never shows while someone is still on call)."""
    minutes = max(0, -(-int(length.total_seconds()) // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def schedule_document(
    start_at: datetime, end_at: datetime, shifts: Sequence[Shift]
) -> dict[str, Any]:
    return {"from": iso(start_at), "to": iso(end_at), "shifts": [s.as_json() for s in shifts]}


SCHEDULE_COLUMNS = ["team", "rotation", "person", "start", "end", "source"]


def schedule_csv(shifts: Sequence[Shift]) -> str:
    buf = io.StringIO()
    writer = SpreadsheetWriter(buf, lineterminator="\n")
    writer.writerow(SCHEDULE_COLUMNS)
    for s in shifts:
        d = s.as_json()
        writer.writerow(["" if d[c] is None else d[c] for c in SCHEDULE_COLUMNS])
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
                s.person or UNCOVERED,
                a.strftime("%a %Y-%m-%d %H:%M"),
                b.strftime("%a %Y-%m-%d %H:%M %Z"),
                s.source,
            ]
        )
    return table(["TEAM", "ROTATION", "PERSON", "START", "END", "SOURCE"], rows)


def fairness_table(report: FairnessReport, names: dict[str, str]) -> str:
    """For a terminal: one block per rotation."""
    blocks = [f"fairness from {iso(report.start_at)} to {iso(report.end_at)}"]
    for r in report.rotations:
        where = (
            f"at the last handoff {iso(r.spread_at)}, deviations since the first handoff"
            if r.spread_at
            else "in the window (no handoff in it)"
        )
        head = (
            f"{r.team}/{r.rotation}: 1 shift-equivalent = {r.shift_equivalent:g} load, "
            f"spread {r.spread:.2f} ({where}), balance score {r.balance_score:.2f}"
        )
        rows = [
            [
                names.get(m.person, m.person) + ("" if m.member else " (override)"),
                m.shifts,
                f"{m.hours:.1f}",
                f"{m.weekend_hours:.1f}",
                f"{m.holiday_hours:.1f}",
                f"{m.load:.1f}",
                f"{m.target:.1f}",
                f"{m.deviation:+.2f}",
            ]
            for m in r.members
        ]
        if not rows:
            blocks.append(head + "\n(no shifts in the window)")
            continue
        blocks.append(
            head
            + "\n"
            + table(
                ["PERSON", "SHIFTS", "HOURS", "WEEKEND", "HOLIDAY", "LOAD", "TARGET", "DEVIATION"],
                rows,
            )
        )
    return "\n\n".join(blocks)
