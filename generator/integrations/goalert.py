"""GoAlert: shifts → the ``setTemporarySchedule`` mutation (export). Pure.

GoAlert applies a temporary schedule exactly: for its ``start``–``end`` it replaces
the schedule's rules with the given shifts (``SetTemporaryScheduleInput``:
``scheduleID``, ``start``, ``end``, ``shifts: [{userID, start, end}]``). Users are
matched by e-mail from a saved ``users`` GraphQL query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from generator.integrations.common import Assignment, Doc, utc

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
