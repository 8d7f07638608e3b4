"""Terminal and machine output of `rota incidents`, `rota actions` and the text of
`rota postmortem new`. Pure."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime

import jinja2.sandbox

from generator.model import Incident, Org
from generator.render.text import table
from generator.reports.actions import ActionRow
from generator.reports.incidents import IncidentReport, Stats
from generator.timeutil import iso

UTC_FORMAT = "%Y-%m-%d %H:%M UTC"


def seconds_text(value: int | None) -> str:
    """``1h 15m``, ``4m``, ``45s``; ``–`` when there is nothing to measure."""
    if value is None:
        return "–"
    if value < 60:
        return f"{value}s"
    minutes = round(value / 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    return " ".join(f"{n}{unit}" for n, unit in parts if n) or "0m"


STATS_HEADERS = ["COUNT", "ACKED", "MTTA MEDIAN", "MTTA P95", "MTTA MEAN"]
STATS_HEADERS += ["MTTR MEDIAN", "MTTR P95", "MTTR MEAN"]


def _stats_cells(s: Stats) -> list[object]:
    return [
        s.count,
        s.acknowledged,
        seconds_text(s.mtta_median_s),
        seconds_text(s.mtta_p95_s),
        seconds_text(s.mtta_mean_s),
        seconds_text(s.mttr_median_s),
        seconds_text(s.mttr_p95_s),
        seconds_text(s.mttr_mean_s),
    ]


def incidents_table(org: Org, report: IncidentReport) -> str:
    out = [
        f"Incidents that started from {iso(report.start_at)} to {iso(report.end_at)}: "
        f"{report.overall.count}",
        "MTTA = acknowledged - started (incidents with an acknowledgement); "
        "MTTR = resolved - started. P95 by nearest rank.",
        "",
    ]
    if not report.incidents:
        return "\n".join(out[:1]) + "\n"
    rows = [["all", *_stats_cells(report.overall)]]
    rows += [[sev, *_stats_cells(s)] for sev, s in report.by_severity]
    out += [table(["SEVERITY", *STATS_HEADERS], rows), ""]
    rows = [[team, *_stats_cells(s)] for team, s in report.by_team]
    out += [table(["TEAM", *STATS_HEADERS], rows), ""]
    out.append("On-call load: interruptions by when the person was paged, in their own zone")
    out.append("(sleep 22:00-08:00, business = settings.business_hours on working days)")
    rows = [
        [
            p.person,
            org.people[p.person].name,
            p.interruptions,
            p.business,
            p.off_hours,
            p.sleep,
            f"{sum(p.hours.values()):.1f}",
        ]
        for p in report.load
    ]
    out += [
        table(["PERSON", "NAME", "INTERRUPTIONS", "BUSINESS", "OFF HOURS", "SLEEP", "HOURS"], rows),
        "",
    ]
    rows = [
        [
            f"{r.team}/{r.rotation}",
            r.interruptions,
            r.business,
            r.off_hours,
            r.sleep,
            len(r.overloaded),
        ]
        for r in report.rotations
    ]
    out += [
        table(
            ["ROTATION", "INTERRUPTIONS", "BUSINESS", "OFF HOURS", "SLEEP", "OVERLOADED SHIFTS"],
            rows,
        ),
        "",
    ]
    for r in report.rotations:
        for o in r.overloaded:
            out.append(
                f"overloaded: {o.team}/{o.rotation} shift of {o.person} from {iso(o.start_at)}: "
                f"{o.most_in_12h} interruptions within 12 hours (more than 2)"
            )
    if report.alerts:
        rows = [
            [a.alert, a.incidents, a.non_actionable, ", ".join(a.runbooks) or "NO RUNBOOK"]
            for a in report.alerts
        ]
        out += ["", table(["ALERT", "INCIDENTS", "NON-ACTIONABLE", "RUNBOOKS"], rows)]
    share = report.non_actionable_share
    if share is not None:
        out += [
            "",
            f"non-actionable: {report.non_actionable} of {report.actionable_known} incidents "
            f"that record it ({share:.0%})",
        ]
    due = [d for d in report.review if not d.done]
    if due:
        out.append("")
        for d in due:
            late = "OVERDUE" if d.overdue else "due"
            out.append(
                f"postmortem {late}: {d.incident.id} ({d.incident.severity}) by "
                f"{d.due_at.astimezone(org.settings.tz):%Y-%m-%d %H:%M}, "
                f"{d.status or 'none written'}"
            )
    return "\n".join(out).rstrip("\n") + "\n"


def incidents_csv(report: IncidentReport) -> str:
    """One row per group: all, each severity, team, service and month."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    keys = list(report.overall.as_json())
    w.writerow(["group", "name", *keys])
    groups = [("all", [("all", report.overall)])]
    groups += [("severity", list(report.by_severity)), ("team", list(report.by_team))]
    groups += [("service", list(report.by_service)), ("month", list(report.by_month))]
    for group, rows in groups:
        for name, stats in rows:
            values = stats.as_json()
            w.writerow([group, name, *("" if values[k] is None else values[k] for k in keys)])
    return buf.getvalue()


def actions_table(rows: Sequence[ActionRow]) -> str:
    if not rows:
        return "no action items\n"
    cells = [
        [
            r.item.incident,
            r.item.id,
            r.item.priority,
            r.item.type,
            r.item.owner,
            r.item.due_on.isoformat(),
            f"OVERDUE {r.days_overdue}d" if r.overdue else r.item.status,
            r.item.title,
        ]
        for r in rows
    ]
    headers = ["INCIDENT", "ID", "PRIORITY", "TYPE", "OWNER", "DUE", "STATUS", "TITLE"]
    return table(headers, cells) + "\n"


def actions_csv(rows: Sequence[ActionRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    keys = ["incident", "id", "title", "owner", "owner_kind", "team", "priority", "type"]
    keys += ["due", "status", "overdue", "link"]
    w.writerow(keys)
    for r in rows:
        doc = r.as_json()
        w.writerow([_cell(doc[k]) for k in keys])
    return buf.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else value


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime(UTC_FORMAT)


def incident_summary(org: Org, inc: Incident) -> str:
    """One paragraph from the log: what, severity, team, when, how long."""
    severity = next((s for s in org.severities if s.id == inc.severity), None)
    sev = f"{inc.severity} ({severity.name})" if severity else inc.severity
    length = seconds_text(int(inc.length.total_seconds()))
    text = (
        f"{inc.title}. A {sev} incident of {org.teams[inc.team].name}, from "
        f"{_utc(inc.started_at)} to {_utc(inc.resolved_at)} ({length})."
    )
    if inc.services:
        text += " Services: " + ", ".join(inc.services) + "."
    if inc.alerts:
        text += " Alerts: " + ", ".join(inc.alerts) + "."
    return text


def incident_timeline(inc: Incident) -> list[tuple[str, str]]:
    marks = [
        (inc.started_at, "Impact starts."),
        (inc.detected_at, "Detected."),
        (inc.acknowledged_at, "Page acknowledged."),
        (inc.mitigated_at, "Mitigated."),
        (inc.resolved_at, "Resolved."),
    ]
    return [(at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"), what) for at, what in marks if at]


def postmortem_text(template: str, org: Org, inc: Incident) -> str:
    """The postmortem template rendered for one incident (a sandboxed Jinja template:
    it sees the incident, a summary paragraph and the timeline marks, nothing else)."""
    env = jinja2.sandbox.SandboxedEnvironment(
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.from_string(template).render(
        incident=inc,
        summary=incident_summary(org, inc),
        timeline=incident_timeline(inc),
        team=org.teams[inc.team],
    )
