"""Rotation health for a terminal, and the wording the team page shares with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.render.text import table
from generator.reports.health import (
    SRE_MAX_INCIDENTS_PER_12H_SHIFT,
    SRE_NAME,
    SRE_SOURCE,
    HealthReport,
    MemberHealth,
    TeamHealth,
    percent,
)
from generator.timeutil import iso


def span(hours: float | None) -> str:
    """16.0 → "16 h", 504.0 → "21 d", 60.0 → "2.5 d"; None → "–"."""
    if hours is None:
        return "–"
    if hours < 48:
        return f"{hours:.0f} h"
    days = f"{hours / 24:.1f}".removesuffix(".0")
    return f"{days} d"


def run_text(m: MemberHealth) -> str:
    """ "3 (21 d)": periods in a row and how long they last."""
    r = m.longest_run
    return "–" if r is None else f"{r.periods} ({span(r.hours)})"


def health_table(report: HealthReport, names: dict[str, str]) -> str:
    """For a terminal: per team the sizing lines, then one table per rotation."""
    blocks = [
        f"rotation health from {iso(report.start_at)} to {iso(report.end_at)}\n"
        f"{SRE_NAME}: {SRE_SOURCE}"
    ]
    for t in report.teams:
        lines = [f"team {t.team}"]
        lines += [("  ok    " if s.enough else "  SHORT ") + s.summary for s in t.sizing]
        blocks.append("\n".join(lines))
        for r in t.rotations:
            head = f"{r.team}/{r.rotation}"
            if not r.members:
                blocks.append(head + "\n(no members in the window)")
                continue
            rows = [
                [
                    names.get(m.person, m.person),
                    percent(m.share),
                    percent(m.team_share) + (" !" if m.over_share else ""),
                    run_text(m),
                    span(m.shortest_rest_hours),
                    f"{m.nights_per_year:.0f}",
                    f"{m.weekends_per_year:.0f}",
                    f"{m.holidays_per_year:.0f}",
                    f"{m.sleep_pages}/{m.pages}",
                    f"{m.most_pages_in_12h}" + (" !" if m.over_pages else ""),
                ]
                for m in r.members
            ]
            blocks.append(
                head
                + "\n"
                + table(
                    [
                        "PERSON",
                        "SHARE",
                        "TEAM SHARE",
                        "LONGEST RUN",
                        "SHORTEST REST",
                        "NIGHTS/Y",
                        "WEEKEND DAYS/Y",
                        "HOLIDAYS/Y",
                        "SLEEP PAGES",
                        "PAGES/12H",
                    ],
                    rows,
                )
            )
    blocks.append(
        "TEAM SHARE: on call for any of the team's rotations; LONGEST RUN: periods in a "
        "row across them; SLEEP PAGES: pages 22:00-08:00 in the person's zone / all "
        f"pages while on call; ! above {SRE_NAME}'s 25 % or "
        f"{SRE_MAX_INCIDENTS_PER_12H_SHIFT} pages in 12 hours"
    )
    return "\n\n".join(blocks) + "\n"


@dataclass(frozen=True)
class HealthRow:
    """One member of a rotation on the team page, formatted."""

    person: str
    share: str
    team_share: str
    over_share: bool
    run: str
    run_title: str  # the run's dates and rotations, for a tooltip
    rest: str
    nights: str
    weekends: str
    holidays: str
    sleep_pages: str
    over_pages: bool


@dataclass(frozen=True)
class TeamHealthView:
    health: TeamHealth
    rows: dict[str, list[HealthRow]]  # by rotation id


def team_health_view(health: TeamHealth | None, tz: Any) -> TeamHealthView | None:
    """The team page's rotation health section: numbers formatted as ``rota health``."""
    if health is None:
        return None
    rows: dict[str, list[HealthRow]] = {}
    for r in health.rotations:
        rows[r.rotation] = [
            HealthRow(
                person=m.person,
                share=percent(m.share),
                team_share=percent(m.team_share),
                over_share=m.over_share,
                run=run_text(m),
                run_title=(
                    f"{m.longest_run.start_at.astimezone(tz):%d %b %Y} to "
                    f"{m.longest_run.end_at.astimezone(tz):%d %b %Y}: "
                    + ", ".join(m.longest_run.rotations)
                    if m.longest_run
                    else ""
                ),
                rest=span(m.shortest_rest_hours),
                nights=f"{m.nights_per_year:.0f}",
                weekends=f"{m.weekends_per_year:.0f}",
                holidays=f"{m.holidays_per_year:.0f}",
                sleep_pages=f"{m.sleep_pages} of {m.pages}",
                over_pages=m.over_pages,
            )
            for m in r.members
        ]
    return TeamHealthView(health, rows)
