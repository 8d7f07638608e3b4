"""The reports stage: every report the site shows, computed once from the schedule. Pure.

``pipeline.render_all`` calls ``compute_reports`` between scheduling and
rendering, and hands the result to ``render.site.render_site``: rendering
formats, it does not compute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator.model import Org
from generator.reports.actions import ActionRow, compute_actions
from generator.reports.escalation import OnCallIndex, ResolvedLevel, resolve_chain
from generator.reports.fairness import (
    DeviationSeries,
    FairnessReport,
    compute_deviation_series,
    compute_fairness,
)
from generator.reports.handoff import Handoff, compute_handoffs
from generator.reports.health import HealthReport, compute_health
from generator.reports.incidents import IncidentReport, compute_incidents, incidents_window
from generator.reports.pay import PayReport, compute_pay
from generator.reviews import ReviewRow, review_status
from generator.schedule.loads import LoadModel
from generator.schedule.resolve import Schedule


@dataclass(frozen=True)
class Reports:
    """What the site reports over the schedule's window (``history`` back, ``horizon`` ahead)."""

    fairness: FairnessReport  # load against target, hours inside the window
    deviations: dict[str, DeviationSeries]  # by rotation key: since the first handoff
    pay: PayReport
    handoffs: tuple[Handoff, ...]
    chains: dict[str, list[ResolvedLevel]]  # every team's escalation chain at ``now``
    actions: tuple[ActionRow, ...]  # postmortem action items, open and overdue first
    reviews: tuple[ReviewRow, ...]  # incidents that need a postmortem, and its state
    incidents: IncidentReport  # MTTA, MTTR and on-call load over ``incidents_window``
    health: HealthReport | None = None  # rotation health over the schedule's window


def compute_reports(org: Org, schedule: Schedule, now: datetime) -> Reports:
    """Fairness, deviation over time, pay, handoff notes, escalation and incident review
    for the site."""
    start_at, end_at = schedule.start_at, schedule.end_at
    review_from, review_to = incidents_window(org, now)
    on_call = OnCallIndex(schedule)  # one index for every team's chain at ``now``
    loads = LoadModel(org)  # one for every report: its caches serve them all
    deviations = compute_deviation_series(org, schedule, start_at, end_at, loads)
    return Reports(
        fairness=compute_fairness(org, schedule, start_at, end_at, deviations, loads),
        deviations=deviations,
        pay=compute_pay(org, schedule, start_at, end_at),
        handoffs=tuple(compute_handoffs(org, schedule, start_at, end_at)),
        chains={t: resolve_chain(org, schedule, t, now, on_call) for t in org.teams},
        actions=tuple(compute_actions(org, now)),
        reviews=tuple(review_status(org, now)),
        incidents=compute_incidents(org, schedule, review_from, review_to, now),
        health=compute_health(org, schedule, start_at, end_at, loads=loads),
    )
