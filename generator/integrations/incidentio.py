"""incident.io: shifts → ``POST /v2/schedule_overrides`` bodies (export). Pure.

Each body names the schedule, rotation and layer it overrides and the user by
e-mail: ``{schedule_id, rotation_id, layer_id, user: {email}, start_at, end_at}``.
"""

from __future__ import annotations

from typing import Any

from generator.integrations.common import Assignment, utc


def override_body(
    a: Assignment, schedule_id: str, rotation_id: str, layer_id: str
) -> dict[str, Any]:
    return {
        "schedule_id": schedule_id,
        "rotation_id": rotation_id,
        "layer_id": layer_id,
        "user": {"email": a.user},
        "start_at": utc(a.start_at),
        "end_at": utc(a.end_at),
    }
