"""Which incidents need a reviewed postmortem, by when, and whether they have one. Pure.

``settings.postmortems.review_within`` gives, per severity, how long after ``resolved``
a postmortem must be in ``reviewed`` or ``closed``. Validation warns about the overdue
ones; the incident reports list them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator.model import Incident, Org, Postmortem


@dataclass(frozen=True)
class ReviewRow:
    incident: Incident
    postmortem: Postmortem | None
    due_at: datetime
    status: str | None  # the postmortem's status, "linked" for a link only, None: none
    done: bool  # a postmortem in reviewed or closed, or a link to one kept elsewhere
    overdue: bool


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
        rows.append(ReviewRow(inc, pm, due_at, status, done, not done and now > due_at))
    return rows
