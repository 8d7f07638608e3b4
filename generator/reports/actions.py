"""Postmortem action items: every item with its owner team and whether it is overdue. Pure.

An item is overdue when it is still ``open`` and its ``due`` date is before today in
settings.timezone (an item due today is not late yet). Its owner team is the owner itself
when a team owns it, else the team of the incident (a person's item is tracked in the
review of the team that had the incident).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.model import ActionItem, Org

PRIORITIES = ("P0", "P1", "P2")
STATUSES = ("open", "done", "wont_do")


@dataclass(frozen=True)
class ActionRow:
    item: ActionItem
    team: str  # the owner team
    severity: str
    overdue: bool
    days_overdue: int

    def as_json(self) -> dict[str, Any]:
        it = self.item
        return {
            "incident": it.incident,
            "id": it.id,
            "title": it.title,
            "owner": it.owner,
            "owner_kind": it.owner_kind,
            "team": self.team,
            "priority": it.priority,
            "type": it.type,
            "due": it.due_on.isoformat(),
            "status": it.status,
            "overdue": self.overdue,
            "link": it.link,
        }


def sort_key(row: ActionRow) -> tuple[Any, ...]:
    """Open first (overdue first among them), then priority, due date, incident, id."""
    it = row.item
    return (
        STATUSES.index(it.status) if it.status in STATUSES else 9,
        not row.overdue,
        PRIORITIES.index(it.priority),
        it.due_on,
        it.incident,
        it.id,
    )


def compute_actions(org: Org, now: datetime) -> list[ActionRow]:
    """Every action item of every postmortem, sorted by ``sort_key``."""
    today = now.astimezone(org.settings.tz).date()
    incidents = {i.id: i for i in org.incidents}
    rows = []
    for pm in org.postmortems:
        inc = incidents[pm.incident]
        for it in pm.action_items:
            late = it.status == "open" and it.due_on < today
            rows.append(
                ActionRow(
                    it,
                    it.owner if it.owner_kind == "team" else inc.team,
                    inc.severity,
                    late,
                    (today - it.due_on).days if late else 0,
                )
            )
    rows.sort(key=sort_key)
    return rows


def filter_actions(
    org: Org,
    rows: Sequence[ActionRow],
    owner: str | None = None,
    status: str | None = None,
    overdue: bool = False,
) -> list[ActionRow]:
    """``--owner`` (a person: their items; a team: items owned by the team or by its
    members for its incidents), ``--status`` and ``--overdue``."""
    out = []
    for row in rows:
        it = row.item
        mine = it.owner == owner or (owner in org.teams and row.team == owner)
        if owner is not None and not mine:
            continue
        if status is not None and it.status != status:
            continue
        if overdue and not row.overdue:
            continue
        out.append(row)
    return out


def open_items_of(rows: Sequence[ActionRow], person: str) -> list[ActionRow]:
    return [r for r in rows if r.item.owner == person and r.item.status == "open"]


def actions_document(rows: Sequence[ActionRow]) -> dict[str, Any]:
    return {"actions": [r.as_json() for r in rows]}
