"""Terminal and machine output of `rota incidents`, `rota actions` and the text of
`rota postmortem new`. Pure."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

import jinja2.sandbox

from generator.model import Incident, Org
from generator.processes import LimitExceeded, run_limited
from generator.render.text import table
from generator.reports.actions import ActionRow, ActionSummary, summary_by
from generator.reports.handoff import md_inline
from generator.reports.incidents import IncidentReport, Stats
from generator.textsafe import SpreadsheetWriter
from generator.timeutil import iso, when

LOCAL_FORMAT = "%Y-%m-%d %H:%M %Z"


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


def days_text(value: float | None) -> str:
    """``4``, ``21.5``; ``–`` when there is nothing to measure."""
    return "–" if value is None else f"{value:g}"


STATS_HEADERS = ["COUNT", "ACKED", "MTTA MEDIAN", "MTTA P95", "MTTA MEAN"]
STATS_HEADERS += ["MTTR MEDIAN", "MTTR P95", "MTTR MEAN"]
STATS_HEADERS += ["MTTD MEDIAN", "MTTD P95", "TTM MEDIAN", "TTM P95"]


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
        seconds_text(s.mttd_median_s),
        seconds_text(s.mttd_p95_s),
        seconds_text(s.ttm_median_s),
        seconds_text(s.ttm_p95_s),
    ]


def incidents_table(org: Org, report: IncidentReport) -> str:
    out = [
        f"Incidents that started from {iso(report.start_at)} to {iso(report.end_at)}: "
        f"{report.overall.count}",
        "MTTA = acknowledged - started (incidents with an acknowledgement); "
        "MTTR = resolved - started;",
        "MTTD = detected - started, TTM (time to mitigate) = mitigated - started "
        "(incidents that record them). P95 by nearest rank.",
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
                f"{when(d.due_at, org.teams[d.incident.team].tz)}, "
                f"{d.status or 'none written'}"
            )
    out += _review_lines(org, report)
    return "\n".join(out).rstrip("\n") + "\n"


def _review_lines(org: Org, report: IncidentReport) -> list[str]:
    """Unacknowledged pages, repeats, time to postmortem, late reviews and the trend."""
    out: list[str] = []
    for inc in report.unacknowledged:
        out.append(
            f"nobody acknowledged: {inc.id} ({inc.severity}, {inc.team}) started "
            f"{iso(inc.started_at)}, paged {', '.join(inc.people)}"
        )
    for g in report.repeats:
        shared = [*(f"alert {a}" for a in g.alerts), *(f"service {s}" for s in g.services)]
        if g.related:
            shared.append("related")
        out.append(
            f"repeat: {', '.join(i.id for i in g.incidents)} from "
            f"{g.incidents[0].started_at.astimezone(org.settings.tz):%Y-%m-%d} to "
            f"{g.incidents[-1].started_at.astimezone(org.settings.tz):%Y-%m-%d} "
            f"({'; '.join(shared)}), {seconds_text(int(g.total.total_seconds()))} in all"
        )
    if out:
        out.insert(0, "")
    if report.time_to_postmortem:
        rows = [
            [
                t.severity,
                t.count,
                "–" if t.median_days is None else f"{days_text(t.median_days)}d",
                "–" if t.p95_days is None else f"{t.p95_days}d",
                f"{t.allowed_days}d",
                t.late,
            ]
            for t in report.time_to_postmortem
        ]
        out += [
            "",
            "Time to postmortem (resolved date to reviewed date, whole log):",
            table(["SEVERITY", "REVIEWED", "MEDIAN", "P95", "ALLOWED", "LATE"], rows),
        ]
    for r in report.late_reviews:
        if r.late:
            out.append(
                f"reviewed late: {r.incident.id} ({r.incident.severity}) on {r.reviewed_on}, "
                f"day {r.days_to_review} of {r.allowed_days}"
            )
    if report.trend:
        rows = [
            [t.month, t.count, seconds_text(t.mttr_median_s), t.sleep_pages] for t in report.trend
        ]
        out += [
            "",
            "Trend by month (whole log):",
            table(["MONTH", "INCIDENTS", "MTTR MEDIAN", "SLEEP PAGES"], rows),
        ]
    return out


def incidents_csv(report: IncidentReport) -> str:
    """One row per group: all, each severity, team, service and month."""
    buf = io.StringIO()
    w = SpreadsheetWriter(buf, lineterminator="\n")
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
            r.item.closed_on.isoformat() if r.item.closed_on else "–",
            r.item.title,
        ]
        for r in rows
    ]
    headers = ["INCIDENT", "ID", "PRIORITY", "TYPE", "OWNER", "DUE", "STATUS", "CLOSED", "TITLE"]
    total, teams, prios = summary_by(rows)
    summary = [
        [kind, name, *_summary_cells(s)]
        for kind, name, s in [
            ("all", "all", total),
            *(("team", t, s) for t, s in teams),
            *(("priority", p, s) for p, s in prios),
        ]
    ]
    heads = ["BY", "NAME", "ITEMS", "OPEN", "OVERDUE", "DONE", "WONT DO", "COMPLETED"]
    heads += ["CLOSE MEDIAN", "CLOSE P95"]
    return (
        table(headers, cells)
        + "\n\nCompletion (done of all items; won't-do counted apart) and days from the "
        "incident's resolution to closed:\n" + table(heads, summary) + "\n"
    )


def _summary_cells(s: ActionSummary) -> list[object]:
    rate = s.completion_rate
    return [
        s.count,
        s.open,
        s.overdue,
        s.done,
        s.wont_do,
        "–" if rate is None else f"{rate:.0%}",
        "–" if s.close_median_days is None else f"{days_text(s.close_median_days)}d",
        "–" if s.close_p95_days is None else f"{s.close_p95_days}d",
    ]


def actions_csv(rows: Sequence[ActionRow]) -> str:
    buf = io.StringIO()
    w = SpreadsheetWriter(buf, lineterminator="\n")
    keys = ["incident", "id", "title", "owner", "owner_kind", "team", "priority", "type"]
    keys += ["due", "status", "overdue", "link", "closed"]
    w.writerow(keys)
    for r in rows:
        doc = r.as_json()
        w.writerow([_cell(doc[k]) for k in keys])
    return buf.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else value


def _local(at: datetime, tz: tzinfo) -> str:
    """A time of the incident in its team's zone, labelled: ``2026-10-21 11:05 EDT``."""
    return at.astimezone(tz).strftime(LOCAL_FORMAT)


def incident_summary(org: Org, inc: Incident) -> str:
    """One paragraph from the log: what, severity, team, when, how long. Every text from
    the log is escaped (``md_inline``): it reads as written and cannot become markup."""
    severity = next((s for s in org.severities if s.id == inc.severity), None)
    sev = f"{inc.severity} ({md_inline(severity.name)})" if severity else inc.severity
    length = seconds_text(int(inc.length.total_seconds()))
    tz = org.teams[inc.team].tz
    text = (
        f"{md_inline(inc.title)}. A {sev} incident of {md_inline(org.teams[inc.team].name)}, "
        f"from {_local(inc.started_at, tz)} to {_local(inc.resolved_at, tz)} ({length})."
    )
    if inc.services:
        text += " Services: " + ", ".join(md_inline(s) for s in inc.services) + "."
    if inc.alerts:
        text += " Alerts: " + ", ".join(md_inline(a) for a in inc.alerts) + "."
    return text


def incident_timeline(inc: Incident, tz: tzinfo) -> list[tuple[str, str]]:
    """The incident log's marks, in the team's zone (``tz``) and labelled with it, as the
    postmortem page's summary block shows them."""
    marks = [
        (inc.started_at, "Impact starts."),
        (inc.detected_at, "Detected."),
        (inc.acknowledged_at, "Page acknowledged."),
        (inc.mitigated_at, "Mitigated."),
        (inc.resolved_at, "Resolved."),
    ]
    return [(_local(at, tz), what) for at, what in marks if at]


# A postmortem template is the repository's, so it is bounded: at most this much text,
# repetitions and powers of bounded size, ranges of at most 100,000 items (the sandbox's).
TEMPLATE_OUTPUT_LIMIT = 1024 * 1024
TEMPLATE_VALUE_LIMIT = 100_000
TEMPLATE_BITS_LIMIT = 100_000  # integers up to about 30,000 digits
# and, whatever it does, rendering runs in a process of its own with this much memory and
# CPU time (``processes.run_limited``)
TEMPLATE_MEMORY = 256 * 2**20
TEMPLATE_SECONDS = 10
TOO_LARGE = (
    f"the template needs more than {TEMPLATE_MEMORY // 2**20} MiB of memory or "
    f"{TEMPLATE_SECONDS} s of processor time to render"
)
UNBOUNDED_FILTERS = ("center", "format", "indent", "wordwrap", "filesizeformat")
UNBOUNDED_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map"}


class TemplateTooLarge(jinja2.TemplateError):
    """A template whose output or a value in it would exceed the bounds."""


class BoundedEnvironment(jinja2.sandbox.SandboxedEnvironment):
    """The sandbox, with ``*``, ``**`` and ``%`` checked and padding methods refused."""

    intercepted_binops = frozenset(["*", "**", "%", "+"])

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: object, right: object
    ) -> object:
        if self._too_large(operator, left, right):
            raise TemplateTooLarge(f"a value too large for a template (at '{operator}')")
        if operator == "%" and isinstance(left, str):
            raise TemplateTooLarge("'%' formatting is not available in templates")
        return super().call_binop(context, operator, left, right)

    @staticmethod
    def _too_large(operator: str, left: Any, right: Any) -> bool:
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and ints and abs(left) > 1:
            return bool(abs(left).bit_length() * abs(right) > TEMPLATE_BITS_LIMIT)
        if operator == "*" and ints:
            return bool(left.bit_length() + right.bit_length() > TEMPLATE_BITS_LIMIT)
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
                    return len(seq) * times > TEMPLATE_VALUE_LIMIT
        if operator == "+" and isinstance(left, (str, list, tuple)):
            return len(left) + len(right) > TEMPLATE_OUTPUT_LIMIT
        return False

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        if isinstance(obj, str) and attr in UNBOUNDED_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)


def _bounded_render(template: jinja2.Template, **values: object) -> str:
    out: list[str] = []
    size = 0
    for chunk in template.generate(**values):
        size += len(chunk)
        if size > TEMPLATE_OUTPUT_LIMIT:
            raise TemplateTooLarge(
                f"the template writes more than {TEMPLATE_OUTPUT_LIMIT // 1024} KiB"
            )
        out.append(chunk)
    return "".join(out)


def postmortem_text(template: str, org: Org, inc: Incident) -> str:
    """The postmortem template rendered for one incident (a sandboxed, bounded Jinja
    template: it sees the incident, a summary paragraph and the timeline marks, nothing
    else). Texts from the log (title, services, alerts, names) come escaped for
    Markdown; ids are ids (letters, digits, ``.``, ``_``, ``-``) and stay as they are."""
    env = BoundedEnvironment(
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    for name in UNBOUNDED_FILTERS:
        env.filters.pop(name, None)
    team = org.teams[inc.team]
    shown = replace(
        inc,
        title=md_inline(inc.title),
        services=tuple(md_inline(s) for s in inc.services),
        alerts=tuple(md_inline(a) for a in inc.alerts),
    )
    compiled = env.from_string(template)  # syntax errors are raised here, with their line
    values = {
        "incident": shown,
        "summary": incident_summary(org, inc),
        "timeline": incident_timeline(inc, team.tz),
        "team": replace(team, name=md_inline(team.name)),
    }

    def render() -> str:
        try:
            return _bounded_render(compiled, **values)
        except jinja2.TemplateError as exc:
            if getattr(exc, "lineno", None) is None:  # raised while rendering: find its line
                exc.lineno = _template_line(exc)  # type: ignore[attr-defined]
            raise
        except (ArithmeticError, RecursionError, MemoryError) as exc:
            too_large = TemplateTooLarge(
                TOO_LARGE if isinstance(exc, MemoryError) else f"{type(exc).__name__}: {exc}"
            )
            too_large.lineno = _template_line(exc)  # type: ignore[attr-defined]
            raise too_large from None

    try:
        return run_limited(render, TEMPLATE_MEMORY, TEMPLATE_SECONDS)
    except LimitExceeded:
        raise TemplateTooLarge(TOO_LARGE) from None


def _template_line(exc: BaseException) -> int | None:
    """The template line an error was raised at (Jinja maps its frames to lines)."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
