"""GoAlert: shifts → the ``setTemporarySchedule`` mutation (export). Pure.

GoAlert applies a temporary schedule exactly: for its ``start``–``end`` it replaces
the schedule's rules with the given shifts (``SetTemporaryScheduleInput``:
``scheduleID``, ``start``, ``end``, ``shifts: [{userID, start, end}]``). Users are
matched by e-mail from a saved ``users`` GraphQL query.

GoAlert takes at most 150 shifts in one temporary schedule (its
``FixedShiftsPerTemporaryScheduleLimit``, checked when the schedule is stored), so a
longer window is cut into consecutive temporary schedules of at most 150 shifts each:
each one's ``start``–``end`` holds its shifts, one ends where the next starts, and none
overlap (each replaces everything between its own start and end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from generator.integrations.common import Assignment, Doc, ExportRefused, utc

SHIFTS_LIMIT = 150  # shifts in one temporary schedule (GoAlert's own limit)

MUTATION = "mutation ($input: SetTemporaryScheduleInput!) { setTemporarySchedule(input: $input) }"


def users_by_email(doc: Doc) -> list[tuple[str, str | None]]:
    """(user id, e-mail) from ``{"data": {"users": {"nodes": [{id, email}]}}}`` or a list."""
    nodes = doc
    if doc.has("data"):
        nodes = doc.get("data").get("users")
    if isinstance(nodes.value, dict):
        nodes = nodes.get("nodes")
    out = []
    for u in nodes.items():
        email = u.opt("email")
        out.append((u.get("id").str(), email.str() if email else None))
    return out


def temporary_schedule(
    items: Sequence[Assignment], schedule_id: str, start_at: datetime, end_at: datetime
) -> dict[str, Any]:
    """The GraphQL request body (query and variables) for one schedule and window."""
    return {
        "query": MUTATION,
        "variables": {
            "input": {
                "scheduleID": schedule_id,
                "start": utc(start_at),
                "end": utc(end_at),
                "shifts": [
                    {
                        "userID": a.user,
                        "start": utc(max(a.start_at, start_at)),
                        "end": utc(min(a.end_at, end_at)),
                    }
                    for a in items
                ],
            }
        },
    }


Batch = tuple[datetime, datetime, list[Assignment]]


def batches(
    items: Sequence[Assignment], start_at: datetime, end_at: datetime, limit: int = SHIFTS_LIMIT
) -> list[Batch]:
    """The window cut into consecutive sub-windows of at most ``limit`` shifts each.

    Shifts are first cut at the window's edges. A sub-window ends where the first shift
    that no longer fits starts, so a shift is split between two sub-windows only when
    it runs past that instant (shifts that overlap). One sub-window when all fit, also
    when there are none. Refused when more than ``limit`` shifts share one instant.
    """
    pending = sorted(
        (
            replace(a, start_at=max(a.start_at, start_at), end_at=min(a.end_at, end_at))
            for a in items
            if a.start_at < end_at and start_at < a.end_at
        ),
        key=lambda a: (a.start_at, a.end_at),
    )
    out: list[Batch] = []
    begin = start_at
    while len(pending) > limit:
        cut = pending[limit].start_at  # the first shift that does not fit starts here
        head = [a for a in pending if a.start_at < cut]
        if not head:
            raise ExportRefused(
                [f"more than {limit} shifts at {utc(cut)}: GoAlert takes {limit} at most"]
            )
        rest = [a for a in pending if a.start_at >= cut]
        carried = [replace(a, start_at=cut) for a in head if a.end_at > cut]
        out.append((begin, cut, [replace(a, end_at=min(a.end_at, cut)) for a in head]))
        pending = sorted(carried + rest, key=lambda a: (a.start_at, a.end_at))
        begin = cut
    out.append((begin, end_at, pending))
    return out


def temporary_schedules(
    items: Sequence[Assignment], schedule_id: str, start_at: datetime, end_at: datetime
) -> list[dict[str, Any]]:
    """The request bodies for one schedule and window, at most 150 shifts each."""
    return [
        temporary_schedule(batch, schedule_id, a, b)
        for a, b, batch in batches(items, start_at, end_at)
    ]
