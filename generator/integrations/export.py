"""The export of a window's shifts, per rotation, as each tool's request bodies. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.integrations import goalert, incidentio, opsgenie, pagerduty
from generator.integrations.common import (
    Assignment,
    ExportRefused,
    assignments,
    by_rotation,
)

TOOLS = ("pagerduty", "goalert", "opsgenie", "incident-io")
NEEDS_USERS = {"pagerduty", "goalert"}  # tools naming users by id: a saved user list


@dataclass(frozen=True)
class Target:
    """Where in the tool the shifts go (what the tool's bodies must name)."""

    schedule_id: str | None = None
    time_zone: str = "UTC"
    v3_rotation: str | None = None  # PagerDuty v3: override_shift bodies for this rotation
    rotation_name: str | None = None  # Opsgenie: the rotation overrides apply to
    layer_id: str | None = None  # incident.io
    tool_rotation: str | None = None  # incident.io rotation id


def export_bodies(
    tool: str,
    shifts: Iterable[Any],
    emails: Mapping[str, str | None],
    users: Mapping[str, str] | None,
    fallback: str | None,
    target: Target,
    start_at: datetime,
    end_at: datetime,
) -> dict[str, Any]:
    """``team/rotation`` → that rotation's request body (or list of bodies)."""
    if tool in NEEDS_USERS and users is None:
        raise ExportRefused([f"{tool} names users by id: give --users FILE"])
    if tool in ("goalert", "incident-io") and not target.schedule_id:
        raise ExportRefused([f"{tool} bodies name the schedule: give --schedule ID"])
    if tool == "incident-io" and not (target.tool_rotation and target.layer_id):
        raise ExportRefused(
            [
                "incident.io overrides name a rotation and a layer: give "
                "--tool-rotation ID and --layer ID"
            ]
        )
    found = assignments(shifts, emails, users if tool in NEEDS_USERS else None, fallback)
    return {key: body(tool, items, target, start_at, end_at) for key, items in by_rotation(found)}


def body(
    tool: str, items: list[Assignment], target: Target, start_at: datetime, end_at: datetime
) -> Any:
    if tool == "pagerduty":
        if target.v3_rotation:
            return pagerduty.override_shift_bodies(items, target.v3_rotation)
        return pagerduty.override_bodies(items, target.time_zone)
    if tool == "goalert":
        assert target.schedule_id
        found = goalert.temporary_schedules(items, target.schedule_id, start_at, end_at)
        # one mutation body as it always was; a list of them when over GoAlert's limit
        return found[0] if len(found) == 1 else found
    if tool == "opsgenie":
        return [opsgenie.override_body(a, target.rotation_name) for a in items]
    if tool == "incident-io":
        assert target.schedule_id and target.tool_rotation and target.layer_id
        return [
            incidentio.override_body(a, target.schedule_id, target.tool_rotation, target.layer_id)
            for a in items
        ]
    raise ValueError(tool)
