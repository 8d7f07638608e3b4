"""Which incidents need a reviewed postmortem, by when, and whether they have one. Pure.

``settings.postmortems.review_within`` gives, per severity, how long after ``resolved``
a postmortem must be in ``reviewed`` or ``closed``. Validation warns about the overdue
ones; the incident reports list them all.

Time to postmortem is counted in whole days, in settings.timezone: the postmortem's
``reviewed`` date minus the date ``resolved`` fell on (a review the next morning is day
1). A review is *late* when its ``reviewed`` date is after the date its deadline fell on;
a late review stays late once closed. The allowance is review_within in whole days
(5 for 5d): INC-121 resolved on 9 July and reviewed on 15 July is "day 6 of 5".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from generator.model import Incident, Org, Postmortem


@dataclass(frozen=True)
class ReviewRow:
    incident: Incident
    postmortem: Postmortem | None
    due_at: datetime
    status: str | None  # the postmortem's status, "linked" for a link only, None: none
    done: bool  # a postmortem in reviewed or closed, or a link to one kept elsewhere
    overdue: bool
    reviewed_on: date | None = None  # the review meeting's date, when reviewed or closed
    days_to_review: int | None = None  # reviewed date − resolved date, settings.timezone
    allowed_days: int = 0  # review_within in whole days (rounded up)
    late: bool = False  # reviewed after the date the deadline fell on

    @property
    def late_or_overdue(self) -> bool:
        return self.late or self.overdue


def review_status(org: Org, now: datetime) -> list[ReviewRow]:
    """Every incident whose severity needs a postmortem (settings.postmortems.review_within)."""
    rows = []
    for inc in org.incidents:
        within = org.settings.review_within.get(inc.severity)
        if within is None:
            continue
        pm = org.postmortem_of(inc.id)
        if pm is not None:
            status: str | None = pm.status
            done = pm.is_reviewed
        elif inc.postmortem:
            status, done = "linked", True
        else:
            status, done = None, False
        due_at = inc.resolved_at + within
        tz = org.settings.tz
        reviewed_on = pm.reviewed_on if pm is not None and pm.is_reviewed else None
        days = (
            None
            if reviewed_on is None
            else (reviewed_on - inc.resolved_at.astimezone(tz).date()).days
        )
        late = reviewed_on is not None and reviewed_on > due_at.astimezone(tz).date()
        allowed = -(-int(within.total_seconds()) // 86400)
        rows.append(
            ReviewRow(
                inc,
                pm,
                due_at,
                status,
                done,
                not done and now > due_at,
                reviewed_on,
                days,
                allowed,
                late,
            )
        )
    return rows


def paged_unacknowledged(inc: Incident) -> bool:
    """Paged someone (the log records paging: alerts or actionable; it had responders)
    and nobody acknowledged."""
    paged = bool(inc.alerts) or inc.actionable is not None
    return paged and bool(inc.people) and inc.acknowledged_at is None
