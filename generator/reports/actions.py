"""Postmortem action items: every item with its owner team and whether it is overdue. Pure.

An item is overdue when it is still ``open`` and its ``due`` date is before today in
settings.timezone (an item due today is not late yet). Its owner team is the owner itself
when a team owns it, else the team of the incident (a person's item is tracked in the
review of the team that had the incident).

The summary counts done and won't-do apart: completion rate = done ÷ all items (a
won't-do is a decision, not a completion; it is counted on its own); time to close =
``closed`` − the date the incident resolved (settings.timezone), in days, over the done
items that record ``closed`` (median and nearest-rank p95).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
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
    resolved_on: date | None = None  # the incident's resolved date, settings.timezone

    @property
    def days_to_close(self) -> int | None:
        if self.item.closed_on is None or self.resolved_on is None:
            return None
        return (self.item.closed_on - self.resolved_on).days

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
            "closed": it.closed_on.isoformat() if it.closed_on else None,
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
                    inc.resolved_at.astimezone(org.settings.tz).date(),
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


@dataclass(frozen=True)
class ActionSummary:
    count: int
    open: int
    overdue: int
    done: int
    wont_do: int
    undated: int  # done or won't-do without a closed date
    close_median_days: float | None
    close_p95_days: int | None

    @property
    def completion_rate(self) -> float | None:
        return None if not self.count else self.done / self.count

    def as_json(self) -> dict[str, Any]:
        rate = self.completion_rate
        return {
            "count": self.count,
            "open": self.open,
            "overdue": self.overdue,
            "done": self.done,
            "wont_do": self.wont_do,
            "completion_rate": None if rate is None else round(rate, 4),
            "closed_without_date": self.undated,
            "close_median_days": self.close_median_days,
            "close_p95_days": self.close_p95_days,
        }


def summarise(rows: Sequence[ActionRow]) -> ActionSummary:
    done = [r for r in rows if r.item.status == "done"]
    days = sorted(d for r in done if (d := r.days_to_close) is not None)
    return ActionSummary(
        len(rows),
        sum(1 for r in rows if r.item.status == "open"),
        sum(1 for r in rows if r.overdue),
        len(done),
        sum(1 for r in rows if r.item.status == "wont_do"),
        sum(1 for r in rows if r.item.status != "open" and r.item.closed_on is None),
        float(statistics.median(days)) if days else None,
        days[max(1, math.ceil(0.95 * len(days))) - 1] if days else None,
    )


def summary_by(
    rows: Sequence[ActionRow],
) -> tuple[ActionSummary, list[tuple[str, ActionSummary]], list[tuple[str, ActionSummary]]]:
    """All rows, per owner team (in the order met) and per priority (P0 first)."""
    teams: dict[str, list[ActionRow]] = defaultdict(list)
    prios: dict[str, list[ActionRow]] = defaultdict(list)
    for r in rows:
        teams[r.team].append(r)
        prios[r.item.priority].append(r)
    return (
        summarise(rows),
        [(t, summarise(teams[t])) for t in sorted(teams)],
        [(p, summarise(prios[p])) for p in PRIORITIES if p in prios],
    )


def actions_document(rows: Sequence[ActionRow]) -> dict[str, Any]:
    total, teams, prios = summary_by(rows)
    return {
        "actions": [r.as_json() for r in rows],
        "summary": {
            **total.as_json(),
            "by_team": [{"team": t, **s.as_json()} for t, s in teams],
            "by_priority": [{"priority": p, **s.as_json()} for p, s in prios],
        },
    }
