"""Every file of the site, as {path under docs/: text or bytes}. Pure: no writing.

Pages are Jinja2 templates from ``site_templates/`` (the organisation's own
folder first, then the packaged one) rendering Markdown with HTML blocks.
Every value from the inputs passes through the ``md`` filter (HTML-escaped,
Markdown punctuation turned into character references) or Jinja's autoescape,
so no name, note or title can become markup, a link or a script. Runbook and
handoff bodies are Markdown on purpose; MkDocs renders them and the ``rota``
plugin sanitises the resulting HTML (see ``generator.mkdocs_plugin``).
"""

from __future__ import annotations

import calendar
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from generator.model import Org, Person, Rotation, Runbook, Team
from generator.render.charts import member_charts, member_spans
from generator.render.health import team_health_view
from generator.reports.compute import Reports
from generator.reports.fairness import DeviationSeries, RotationFairness
from generator.reports.handoff import Handoff
from generator.reports.pay import PayReport, PersonPay, paid_off_rotation
from generator.rules import describe, effective_rules
from generator.schedule.breaches import find_breaches, rest_summaries
from generator.schedule.resolve import Schedule, Shift
from generator.templates import templates_folder
from generator.timeutil import format_duration, human_duration, iso, localize, when

MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|~<>&\"'=:@$^%]")
SAFE_SCHEMES = ("http", "https", "mailto")
ASSETS = ("assets/rota.css", "assets/rota.js")
# A site opened from disk (file://) can neither fetch files nor start a Web Worker (which
# Material's search runs in): the live "now" script reads these scripts instead of
# data/*.json, and this shim (iframe-worker, MIT, the one Material's offline plugin would
# load from a CDN) runs the search worker in a hidden frame.
OFFLINE_DATA = ("data/schedule.json", "data/directory.json")
OFFLINE_WORKER = "assets/iframe-worker.js"
SCHEDULE_DAYS = 28  # the team page's schedule table reaches this far ahead
CALENDAR_MONTHS = 2  # month views on a team page: this month and the next


def md_text(value: object) -> Markup:
    """Text that stays text inside Markdown: HTML-escaped, Markdown punctuation inert."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return Markup(MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", text))


def safe_url(value: object) -> str | None:
    """An absolute http(s) or mailto address from the inputs, or None (then shown as text)."""
    text = "" if value is None else str(value).strip()
    if not text or any(c in text for c in "\r\n\t \"'<>`\\"):
        return None
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    return text if scheme in SAFE_SCHEMES else None


def page_base(path: str) -> str:
    """Relative path from the page built from ``path`` (with directory URLs) to the site root."""
    parent = posixpath.dirname(path)
    stem = posixpath.splitext(posixpath.basename(path))[0]
    url_dir = parent if stem in ("index", "README") else posixpath.join(parent, stem)
    depth = len([p for p in url_dir.split("/") if p])
    return "../" * depth


def template_env(root: Path | None) -> jinja2.Environment:
    search = []
    if root is not None and (root / "site_templates").is_dir():
        search.append(str(root / "site_templates"))
    search.append(str(templates_folder()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_text
    env.filters["safe_url"] = safe_url
    env.filters["duration"] = human_duration
    env.filters["short_duration"] = format_duration
    env.filters["iso"] = iso
    env.filters["local"] = lambda at, tz: at.astimezone(tz).strftime("%a %d %b %Y %H:%M")
    env.filters["localshort"] = lambda at, tz: at.astimezone(tz).strftime("%a %d %b %H:%M")
    env.filters["localtime"] = lambda at, tz: at.astimezone(tz).strftime("%H:%M")
    env.filters["tzabbr"] = lambda at, tz: at.astimezone(tz).strftime("%Z")
    env.filters["when"] = when
    env.filters["also_utc"] = also_utc
    env.filters["money"] = lambda amount: f"{Decimal(amount):,.2f}"
    env.filters["hours"] = lambda h: f"{float(h):,.1f}"
    env.filters["source_label"] = source_label
    env.filters["fence"] = code_fence
    env.filters["anchor"] = anchor
    env.filters["commonmark_lists"] = commonmark_lists
    return env


SOURCE_LABELS = {
    "fair": "planned",
    "round-robin": "planned",
    "override": "override",
    "lock": "locked",
    "uncovered": "uncovered",
}


def source_label(source: str) -> str:
    """A shift's source in plain words for pages (JSON and CSV keep SPEC's values)."""
    return SOURCE_LABELS.get(source, source)


def code_fence(text: str) -> str:
    """A backtick fence longer than any run of backticks inside ``text``."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def anchor(text: str) -> str:
    """An HTML id for a heading made from free text (tags, services)."""
    return "k-" + (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x")


LIST_ITEM = re.compile(r"( *)(\d{1,9}[.)]|[-*+])( +)(?=\S)")


def commonmark_lists(markdown: str) -> str:
    """Re-indent list item content written CommonMark style (aligned with the text after
    the marker, e.g. three spaces after ``1.``) to the four spaces Python-Markdown needs,
    so code blocks and paragraphs stay inside their list item. Fenced code is untouched
    except for its indentation."""
    out: list[str] = []
    stack: list[tuple[int, int]] = []  # (content column in the source, in the output)
    fence: str | None = None
    for line in markdown.splitlines():
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped:
            out.append(line)
            continue
        if fence is None:
            while stack and indent < stack[-1][0]:
                stack.pop()
        src, dst = stack[-1] if stack else (0, 0)
        new_indent = dst + max(0, indent - src)
        if fence is None:
            item = LIST_ITEM.match(line)
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
            elif item:
                width = len(item.group(2)) + len(item.group(3))
                stack.append((indent + width, new_indent + max(4, width)))
        elif stripped.startswith(fence):
            fence = None
        out.append(" " * new_indent + stripped)
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


ALERT_SLUG_MAX = 100  # an address segment stays well inside file systems' 255-byte names


def alert_slug(alert: str) -> str:
    """The stable address segment of an alert: its name in lower case; a name longer
    than ``ALERT_SLUG_MAX`` is cut and ends in a digest of the whole name instead."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", alert.lower()).strip("-.") or "alert"
    if len(slug) <= ALERT_SLUG_MAX:
        return slug
    import hashlib

    digest = hashlib.sha256(alert.encode()).hexdigest()[:12]
    return slug[: ALERT_SLUG_MAX - 13].rstrip("-.") + "-" + digest


def runbook_index(org: Org) -> dict[str, dict[str, list[Runbook]]]:
    idx: dict[str, dict[str, list[Runbook]]] = {
        "team": defaultdict(list),
        "service": defaultdict(list),
        "severity": defaultdict(list),
        "alert": defaultdict(list),
        "tag": defaultdict(list),
    }
    for rb in sorted(org.runbooks, key=lambda r: (r.title.lower(), r.slug)):
        idx["team"][rb.team].append(rb)
        if rb.service:
            idx["service"][rb.service].append(rb)
        if rb.severity:
            idx["severity"][rb.severity].append(rb)
        for alert in rb.alerts:
            idx["alert"][alert].append(rb)
        for tag in rb.tags:
            idx["tag"][tag].append(rb)
    return {
        kind: dict(sorted(groups.items(), key=lambda kv: kv[0].lower()))
        for kind, groups in idx.items()
    }


def feed_name(org: Org, kind: str, ident: str) -> str:
    from generator.render.ical import feed_filename

    return feed_filename(org, kind, ident)


@dataclass(frozen=True)
class FeedLinks:
    """How to subscribe to one feed: a download path and, with a public base, two addresses."""

    file: str  # file name under ical/
    https: str | None
    webcal: str | None


def feed_links(org: Org, kind: str, ident: str) -> FeedLinks:
    """The feed's file name, and its https:// and webcal:// addresses when the feeds'
    public address is known (``feeds.base_url``, else ``site.url``)."""
    from generator.render.ical import feed_url

    filename = feed_name(org, kind, ident)
    https = feed_url(org, kind, ident)
    if https is None or safe_url(https) is None or "://" not in https:
        return FeedLinks(filename, None, None)
    return FeedLinks(filename, https, "webcal://" + https.split("://", 1)[1])


@dataclass(frozen=True)
class NowRow:
    """One rotation at the build's instant: who is on call and who comes next."""

    team: Team
    rotation: Rotation
    current: tuple[Shift, ...]
    next: Shift | None
    # a rotation whose first handoff is still to come: when it starts, and its first
    # shift when the schedule reaches it
    starts_at: datetime | None = None
    first: Shift | None = None

    @property
    def key(self) -> str:
        """What the live script compares to decide whether the build-time answer still holds."""
        holders = " ".join(s.person or "" for s in self.current)
        end = str(int(self.current[0].end_at.timestamp())) if self.current else ""
        nxt = f"{self.next.person or ''}@{int(self.next.start_at.timestamp())}" if self.next else ""
        return f"{holders}|{end}|{nxt}"


def now_rows(
    org: Org, by_rotation: dict[tuple[str, str], list[Shift]], now: datetime, team: Team
) -> list[NowRow]:
    rows = []
    for rotation in team.rotations:
        mine = by_rotation.get((team.id, rotation.id), [])
        current = tuple(s for s in mine if s.start_at <= now < s.end_at)
        holders = {s.person for s in current}
        after = [s for s in mine if s.start_at > now and s.person not in holders]
        nxt = min(after, key=lambda s: s.start_at) if after else None
        starts_at = localize(rotation.start_local, team.tz)
        if starts_at > now:
            first = min(mine, key=lambda s: s.start_at) if mine else None
            if first is not None:
                starts_at = first.start_at  # coverage may open later than the phase
            rows.append(NowRow(team, rotation, current, nxt, starts_at, first))
        else:
            rows.append(NowRow(team, rotation, current, nxt))
    return rows


@dataclass(frozen=True)
class Day:
    on: date
    in_month: bool
    is_today: bool
    # (rotation name, person ids in order; None: a part nobody could take)
    entries: tuple[tuple[str, tuple[str | None, ...]], ...]


def month_calendar(
    team: Team, shifts: Iterable[Shift], year: int, month: int, today: date
) -> list[list[Day]]:
    """Weeks (Monday first) of a month in the team's zone, each day listing who is on call."""
    tz = team.tz
    shown = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first = localize(datetime.combine(shown[0][0], time()), tz)
    last = localize(datetime.combine(shown[-1][-1] + timedelta(days=1), time()), tz)
    by_rotation: dict[str, list[Shift]] = defaultdict(list)
    for s in shifts:
        if s.start_at < last and first < s.end_at:  # the weeks shown, not the year
            by_rotation[s.rotation].append(s)
    weeks = []
    for week in shown:
        days = []
        for on in week:
            start = localize(datetime.combine(on, time()), tz)
            end = localize(datetime.combine(on + timedelta(days=1), time()), tz)
            entries = []
            for rotation in team.rotations:
                people: list[str | None] = []
                for s in by_rotation.get(rotation.id, []):
                    if s.start_at < end and start < s.end_at and s.person not in people:
                        people.append(s.person)
                if people:
                    entries.append((rotation.name, tuple(people)))
            days.append(Day(on, on.month == month, on == today, tuple(entries)))
        weeks.append(days)
    return weeks


def months_from(on: date, count: int) -> list[tuple[int, int]]:
    out = []
    year, month = on.year, on.month
    for _ in range(count):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def hours_summary(
    org: Org, person: Person, shifts: Iterable[Shift], start_at: datetime, end_at: datetime
) -> dict[str, float]:
    """On-call hours inside [start_at, end_at) by class in the person's zone; hours on
    several rotations at once count once."""
    intervals = sorted(
        (max(s.start_at, start_at), min(s.end_at, end_at))
        for s in shifts
        if s.start_at < end_at and start_at < s.end_at
    )
    merged: list[tuple[datetime, datetime]] = []
    for a, b in intervals:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    classer = org.classer(person)
    total = {"business": 0.0, "night": 0.0, "weekend": 0.0, "holiday": 0.0}
    for a, b in merged:
        for cls, hours in classer.hours_by_class(a, b).items():
            total[cls] += hours
    return total


def also_utc(at: datetime, tz: Any) -> str:
    """`` (15:05 UTC)`` after a time shown in a zone that is not UTC, with the UTC date
    when it differs; nothing when the zone is UTC's."""
    local = at.astimezone(tz)
    if local.utcoffset() == timedelta(0):
        return ""
    utc = at.astimezone(UTC)
    shown = f"{utc:%H:%M}" if utc.date() == local.date() else f"{utc:%a %d %b %H:%M}"
    return f" ({shown} UTC)"


def bar_chart(rows: list[tuple[str, float, float | None]], unit: str, title: str) -> Markup:
    """A horizontal bar chart as inline SVG: one bar per row, a tick for the target."""
    if not rows:
        return Markup("")
    label_w, bar_w, row_h, pad = 120, 190, 22, 4
    top = max([v for _, v, _ in rows] + [t or 0.0 for _, _, t in rows] + [1e-9])
    height = row_h * len(rows) + 24
    width = label_w + bar_w + 60
    esc = jinja2.filters.escape
    parts = [
        f'<svg class="rota-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{esc(title)}</title>'
    ]
    for i, (label, value, target) in enumerate(rows):
        y = i * row_h + pad
        w = bar_w * value / top
        value_x = label_w + max(w, bar_w * (target or 0.0) / top) + 5
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" '
            f'class="rota-chart-label">{esc(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h - 2 * pad}" '
            f'class="rota-chart-bar"/>'
            f'<text x="{value_x:.1f}" y="{y + 13}" class="rota-chart-value">'
            f"{value:.0f}</text>"
        )
        if target is not None:
            x = label_w + bar_w * target / top
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 2}" y2="{y + row_h - 2 * pad + 2}" '
                f'class="rota-chart-target"/>'
            )
    legend_y = row_h * len(rows) + 18
    parts.append(
        f'<text x="{label_w}" y="{legend_y}" class="rota-chart-legend">{esc(unit)}'
        + (" · black line: target" if any(t is not None for _, _, t in rows) else "")
        + "</text></svg>"
    )
    return Markup("".join(parts))


def render_site(
    org: Org, schedule: Schedule, now: datetime, reports: Reports | None = None
) -> dict[str, str | bytes]:
    """Every page, asset and data file of the site, by path under docs/ (the feeds under
    ical/ come from ``render.ical.render_feeds``; pages only link to them).

    ``reports``: the reports stage's results (``reports.compute.compute_reports``);
    computed here only when a caller has none."""
    from generator.render.data import pay_files
    from generator.render.ical import pager_feed_path
    from generator.reports.compute import compute_reports
    from generator.reports.fairness import fairness_csv

    if reports is None:
        reports = compute_reports(org, schedule, now)

    env = template_env(Path(org.root))
    files: dict[str, str | bytes] = {}
    ctx_base: dict[str, Any] = {
        "org": org,
        "now": now,
        "settings": org.settings,
        "alert_slug": alert_slug,
        "pay_published": org.settings.publish_pay,
    }
    idx = runbook_index(org)

    def page(path: str, template: str, **ctx: Any) -> None:
        files[path] = env.get_template(template).render(**ctx_base, base=page_base(path), **ctx)

    by_rotation: dict[tuple[str, str], list[Shift]] = defaultdict(list)
    by_person: dict[str, list[Shift]] = defaultdict(list)
    for s in schedule.shifts:
        by_rotation[(s.team, s.rotation)].append(s)
        if s.person is not None:
            by_person[s.person].append(s)
    rows_by_team = {t.id: now_rows(org, by_rotation, now, t) for t in org.teams.values()}
    handoff_months = handoff_pages(org, reports.handoffs, page, now, reports.chains)
    next_handoffs = sorted(
        (r for rows in rows_by_team.values() for r in rows if r.next is not None),
        key=lambda r: (r.next.start_at if r.next else now, r.team.id, r.rotation.id),
    )
    page(
        "index.md",
        "index.md.j2",
        rows=[r for rows in rows_by_team.values() for r in rows],
        groups=now_groups(rows_by_team),
        next_handoffs=next_handoffs[:12],
    )
    page("teams/index.md", "teams.md.j2", rows_by_team=rows_by_team)
    shifts_by_team: dict[str, list[Shift]] = defaultdict(list)
    for s in schedule.shifts:
        shifts_by_team[s.team].append(s)
    # the on-call rules each rotation keeps, and every breach in the window
    breaches = find_breaches(org, schedule)
    for team in org.teams.values():
        today = now.astimezone(team.tz).date()
        team_shifts = shifts_by_team[team.id]
        page(
            f"teams/{team.id}/index.md",
            "team.md.j2",
            team=team,
            rows=rows_by_team[team.id],
            chain=reports.chains[team.id],
            shifts=[
                s
                for s in team_shifts
                if s.end_at > now and s.start_at < now + timedelta(days=SCHEDULE_DAYS)
            ],
            schedule_days=SCHEDULE_DAYS,
            schedule_start=schedule.start_at,
            schedule_end=schedule.end_at,
            calendars=[
                (date(y, m, 1), month_calendar(team, team_shifts, y, m, today))
                for y, m in months_from(today, CALENDAR_MONTHS)
            ],
            runbooks=idx["team"].get(team.id, []),
            handoff_months=handoff_months.get(team.id, []),
            feed=feed_links(org, "team", team.id),
            pager_feeds=[(r, pager_feed_path(org, r.key)) for r in team.rotations],
            rules=[
                (r, [describe(rule) for rule in effective_rules(org, team, r)])
                for r in team.rotations
            ],
            breaches=[b for b in breaches if b.team == team.id],
            health=team_health_view(
                reports.health.team(team.id) if reports.health else None, team.tz
            ),
            health_window=reports.health,
        )
    member_teams: dict[str, list[Team]] = {p: [] for p in org.people}
    for t in org.teams.values():
        for pid in dict.fromkeys(m.person for r in t.rotations for m in r.members):
            member_teams[pid].append(t)
    ctx_base["open_actions"] = render_review(org, reports, page)  # incident review
    page(
        "people/index.md",
        "people.md.j2",
        member_teams=member_teams,
    )
    pay = reports.pay
    pay_by_person = {p.person: p for p in pay.people}
    rests = rest_summaries(org, schedule)  # each person's runs and rests per team
    for person in org.people.values():
        mine = by_person.get(person.id, [])
        page(
            f"people/{person.id}/index.md",
            "person.md.j2",
            person=person,
            teams=member_teams[person.id],
            current=[s for s in mine if s.start_at <= now < s.end_at],
            shifts=[s for s in mine if s.start_at > now][:50],
            past_hours=hours_summary(org, person, mine, schedule.start_at, now),
            future_hours=hours_summary(org, person, mine, now, schedule.end_at),
            pay=pay_by_person.get(person.id),
            currency=pay.currency,
            leave=[lv for lv in person.leave if lv.end_at > schedule.start_at],
            rest=rests.get(person.id, []),
            # With feeds.secret a personal address is handed to its owner only.
            feed=None if org.settings.feed_secret else feed_links(org, "person", person.id),
        )
    render_runbooks(org, now, idx, page)
    fairness_pages(org, reports, page, now)
    files["data/fairness.csv"] = fairness_csv(reports.fairness)
    if org.settings.publish_pay:
        pay_pages(org, pay, member_teams, page)
    files.update(pay_files(org.settings.publish_pay, pay))
    page(
        "severities/index.md",
        "severities.md.j2",
        chains=[(t, reports.chains[t.id]) for t in org.teams.values()],
    )
    for asset in ASSETS:
        assert env.loader is not None
        files[asset] = env.loader.get_source(env, asset)[0]
    files["data/schedule.json"] = (
        json.dumps(
            {
                "from": iso(schedule.start_at),
                "to": iso(schedule.end_at),
                "shifts": [s.as_json() for s in schedule.shifts],
            },
            indent=1,
        )
        + "\n"
    )
    files["data/directory.json"] = json.dumps(directory(org), indent=1, sort_keys=True) + "\n"
    return files


def offline_files(files: Mapping[str, str | bytes]) -> dict[str, str | bytes]:
    """What a site opened from disk needs besides ``files``: each of ``OFFLINE_DATA`` as
    a script (``data/schedule.js`` sets ``window.rotaData["schedule.json"]``, loaded by a
    script tag where fetch is refused) and the Web Worker shim for search."""
    out: dict[str, str | bytes] = {}
    for path in OFFLINE_DATA:
        content = files.get(path)
        if content is None:
            continue
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        name = posixpath.basename(path)
        out[posixpath.splitext(path)[0] + ".js"] = (
            f"/* {path}, for pages opened from disk (rota build --offline) */\n"
            f"(window.rotaData = window.rotaData || {{}})[{json.dumps(name)}] = "
            f"{text.rstrip()};\n"
        )
    env = template_env(None)
    assert env.loader is not None
    out[OFFLINE_WORKER] = env.loader.get_source(env, OFFLINE_WORKER)[0]
    return out


def directory(org: Org) -> dict[str, Any]:
    """Names for the live "now" script: it shows names, the schedule holds ids."""
    return {
        "people": {p.id: p.name for p in org.people.values()},
        "teams": {
            t.id: {
                "name": t.name,
                "timezone": t.timezone,
                "rotations": {r.id: r.name for r in t.rotations},
            }
            for t in org.teams.values()
        },
    }


def render_runbooks(org: Org, now: datetime, idx: dict[str, dict[str, list[Runbook]]], page: Any):
    today = now.astimezone(org.settings.tz).date()
    page("runbooks/index.md", "runbooks.md.j2", index=idx)
    page("runbooks/by-service/index.md", "runbooks-by.md.j2", kind="service", groups=idx["service"])
    page(
        "runbooks/by-severity/index.md",
        "runbooks-by.md.j2",
        kind="severity",
        groups=dict(
            sorted(
                idx["severity"].items(),
                key=lambda kv: ([s.id for s in org.severities] + [kv[0]]).index(kv[0]),
            )
        ),
    )
    page("runbooks/tags/index.md", "runbooks-by.md.j2", kind="tag", groups=idx["tag"])
    page("runbooks/alerts/index.md", "alerts.md.j2", groups=idx["alert"])
    for rb in org.runbooks:
        stale = rb.last_reviewed is None or today - rb.last_reviewed > org.settings.runbook_review
        page(
            f"runbooks/{rb.slug}.md",
            "runbook.md.j2",
            rb=rb,
            stale=stale,
            team=org.teams[rb.team],
            dashboards=[(name, safe_url(url)) for name, url in rb.dashboards],
            known_alerts=idx["alert"],
        )
    for alert, books in idx["alert"].items():
        page(
            f"runbooks/alerts/{alert_slug(alert)}/index.md",
            "alert.md.j2",
            alert=alert,
            runbooks=books,
        )


@dataclass(frozen=True)
class HandoffGroup:
    """A part of a handoff month page: the current handoffs, the ones to come (soonest
    first) or the earlier ones (newest first), each note as Markdown."""

    kind: str  # current | upcoming | earlier
    title: str
    notes: tuple[tuple[Handoff, str], ...]


def handoff_groups(handoffs: list[Handoff], current: set[int], now: datetime) -> list[HandoffGroup]:
    """A month's handoffs in reading order: the handoff in force now (one per rotation),
    then those to come, soonest first, then the earlier ones, newest first. The notes
    leave out the checklist, escalation and runbooks, which the page shows once."""
    from generator.render.handoff_page import handoff_note

    def notes(items: Iterable[Handoff]) -> tuple[tuple[Handoff, str], ...]:
        return tuple((h, handoff_note(h, "../../../", 3)) for h in items)

    now_items = [h for h in handoffs if id(h) in current]
    upcoming = [h for h in handoffs if h.at > now]
    earlier = [h for h in handoffs if h.at <= now and id(h) not in current]
    groups = [
        HandoffGroup("current", "In force now", notes(now_items)),
        HandoffGroup("upcoming", "Coming up (soonest first)", notes(upcoming)),
        HandoffGroup("earlier", "Earlier (newest first)", notes(reversed(earlier))),
    ]
    return [g for g in groups if g.notes]


def handoff_pages(
    org: Org, handoffs: Iterable[Handoff], page: Any, now: datetime, chains: dict[str, Any]
) -> dict[str, list[str]]:
    """One page per team and month (``handoffs/<team>/<YYYY-MM>/``); returns months by team."""
    grouped: dict[str, dict[str, list[Handoff]]] = defaultdict(lambda: defaultdict(list))
    latest: dict[tuple[str, str], Handoff] = {}  # per rotation, the handoff in force now
    for h in sorted(handoffs, key=lambda h: (h.at, h.rotation)):
        team = org.teams[h.team]
        month = h.at.astimezone(team.tz).strftime("%Y-%m")
        grouped[h.team][month].append(h)
        if h.at <= now:
            latest[(h.team, h.rotation)] = h
    current = {id(h) for h in latest.values()}
    books = runbook_index(org)["team"]
    months_by_team: dict[str, list[str]] = {}
    for team in org.teams.values():
        months = sorted(grouped.get(team.id, {}))
        months_by_team[team.id] = months
        for i, month in enumerate(months):
            page(
                f"handoffs/{team.id}/{month}/index.md",
                "handoffs-month.md.j2",
                team=team,
                month=month,
                groups=handoff_groups(grouped[team.id][month], current, now),
                chain=chains[team.id],
                runbooks=books.get(team.id, []),
                previous=months[i - 1] if i > 0 else None,
                next_month=months[i + 1] if i + 1 < len(months) else None,
            )
    page("handoffs/index.md", "handoffs.md.j2", months_by_team=months_by_team)
    return months_by_team


SCREENFUL_ROWS = 15  # "on call now" rows shown before the rest fold away


@dataclass(frozen=True)
class NowGroup:
    """One team's rows of the home page's "on call now" table."""

    team: Team
    rows: tuple[NowRow, ...]


def now_groups(rows_by_team: dict[str, list[NowRow]]) -> tuple[list[NowGroup], list[NowGroup]]:
    """The teams shown at once (about a screenful of rows) and the teams folded away."""
    shown: list[NowGroup] = []
    folded: list[NowGroup] = []
    count = 0
    for rows in rows_by_team.values():
        if not rows:
            continue
        group = NowGroup(rows[0].team, tuple(rows))
        if not folded and (not shown or count + len(rows) <= SCREENFUL_ROWS):
            shown.append(group)
            count += len(rows)
        else:
            folded.append(group)
    return shown, folded


@dataclass(frozen=True)
class FairnessSection:
    """One rotation on a team's fairness page."""

    rotation: Rotation | None
    report: RotationFairness
    series: DeviationSeries | None
    since_first: dict[str, float | None]  # person -> deviation at the window's last handoff
    spread: float  # of ``since_first`` at the window's last handoff (``report.spread``)
    charts: tuple[Markup, ...]  # deviation over time, load, weekend, holiday


@dataclass(frozen=True)
class TeamFairness:
    """One team's row of the fairness index."""

    team: Team
    sections: tuple[FairnessSection, ...]

    @property
    def spread(self) -> float:
        return max((s.spread for s in self.sections), default=0.0)

    @property
    def largest(self) -> float:
        """The largest |deviation| at any handoff in the window, over the team's rotations."""
        return max((s.series.largest for s in self.sections if s.series), default=0.0)


def team_fairness(
    org: Org, reports: Reports, team: Team, now: datetime | None = None
) -> TeamFairness:
    sections = []
    for rot in reports.fairness.rotations:
        if rot.team != team.id:
            continue
        rotation = team.rotation(rot.rotation)
        series = reports.deviations.get(f"{rot.team}/{rot.rotation}")
        name = {m.person: org.people[m.person].name for m in rot.members}
        if series is not None:
            name.update({p: org.people[p].name for p in series.members if p in org.people})
        label = f"{team.name} {rotation.name if rotation else rot.rotation}"
        since = {m.person: series.last(m.person) if series else None for m in rot.members}
        charts = (
            member_charts(
                # the members' charts: someone on call only by override has no target,
                # and their cover would flatten everyone else's scale
                replace(
                    series,
                    members={p: v for p, v in series.members.items() if p not in series.outsiders},
                ),
                name,
                member_spans(team, rotation),
                now if now is not None else reports.fairness.end_at,
                org.settings.tz,
                f"Deviation over time per member, {label}",
                team.tz,
            )
            if series is not None
            else Markup(""),
            bar_chart(
                [(name[m.person], float(m.load), float(m.target)) for m in rot.members],
                "load (weighted hours)",
                f"Load against target per member, {label}",
            ),
            bar_chart(
                [
                    (name[m.person], float(m.weekend_hours), float(m.weekend_target_hours))
                    for m in rot.members
                ],
                "weekend hours",
                f"Weekend hours against fair share per member, {label}",
            ),
            bar_chart(
                [
                    (name[m.person], float(m.holiday_hours), float(m.holiday_target_hours))
                    for m in rot.members
                ],
                "holiday hours",
                f"Holiday hours against fair share per member, {label}",
            ),
        )
        # one spread everywhere: the report's, as ``rota fairness`` gives it
        sections.append(FairnessSection(rotation, rot, series, since, rot.spread, charts))
    return TeamFairness(team, tuple(sections))


def fairness_pages(
    org: Org, reports: Reports, page: Any, now: datetime | None = None
) -> list[TeamFairness]:
    """``fairness/``: one row per team, worst first; ``fairness/<team>/``: tables and charts."""
    teams = [team_fairness(org, reports, t, now) for t in org.teams.values()]
    pay_by_team = team_pay_totals(org, reports.pay)
    for tf in teams:
        page(
            f"fairness/{tf.team.id}/index.md",
            "fairness-team.md.j2",
            team=tf.team,
            tf=tf,
            start_at=reports.fairness.start_at,
            end_at=reports.fairness.end_at,
        )
    worst_first = sorted(teams, key=lambda tf: (-tf.largest, -tf.spread, tf.team.name.lower()))
    page(
        "fairness/index.md",
        "fairness.md.j2",
        teams=worst_first,
        pay_by_team=pay_by_team,
        currency=reports.pay.currency,
        start_at=reports.fairness.start_at,
        end_at=reports.fairness.end_at,
    )
    return teams


def team_pay_totals(org: Org, pay: PayReport) -> dict[str, Decimal]:
    """A team's pay: the sum of its members' totals (a person on two teams counts in both)."""
    by_person = {p.person: p.total for p in pay.people}
    out: dict[str, Decimal] = {}
    for team in org.teams.values():
        people = dict.fromkeys(m.person for r in team.rotations for m in r.members)
        out[team.id] = sum((by_person.get(p, Decimal("0.00")) for p in people), Decimal("0.00"))
    return out


def pay_pages(org: Org, pay: PayReport, member_teams: dict[str, list[Team]], page: Any) -> None:
    """``pay/``: one row per team, largest first; ``pay/<team>/``: per person and month."""
    by_person = {p.person: p for p in pay.people}
    totals = team_pay_totals(org, pay)
    shared = {pid for pid, teams in member_teams.items() if len(teams) > 1}
    rows = []
    for team in org.teams.values():
        people = list(dict.fromkeys(m.person for r in team.rotations for m in r.members))
        paid: list[PersonPay] = [by_person[p] for p in people if p in by_person]
        rows.append((team, len(people), totals[team.id]))
        page(
            f"pay/{team.id}/index.md",
            "pay-team.md.j2",
            team=team,
            report=pay,
            people=paid,
            total=totals[team.id],
            shared=[p for p in people if p in shared],
        )
    rows.sort(key=lambda r: (-r[2], r[0].name.lower()))
    outside = paid_off_rotation(org, pay)
    page(
        "pay/index.md",
        "pay.md.j2",
        report=pay,
        rows=rows,
        outside=outside,
        outside_total=sum((p.total for p in outside), Decimal("0.00")),
    )


# ---- incident review: postmortems, action items, incident metrics -----------------

STATUS_LABELS = {
    "draft": "Draft",
    "in_review": "In review",
    "reviewed": "Reviewed",
    "closed": "Closed",
    "linked": "Elsewhere",
    "open": "Open",
    "done": "Done",
    "wont_do": "Won't do",
}
ROLE_LABELS = {
    "commander": "Incident commander",
    "tech_lead": "Technical lead",
    "comms_lead": "Communications lead",
    "scribe": "Scribe",
}
ACTIONS_HEADING = re.compile(r"^##[ \t]+action items\b.*$", re.I | re.M)


def split_at_actions(body: str) -> tuple[str, str]:
    """The postmortem's Markdown cut at the end of its Action Items section (before the
    next level-2 heading), where the generated action item table goes."""
    lines = body.splitlines()
    fenced, start = False, None
    for i, line in enumerate(lines):
        if FENCE_MARK.match(line):
            fenced = not fenced
            continue
        if fenced or not line.startswith("## "):
            continue
        if start is not None:
            return "\n".join(lines[:i]) + "\n", "\n".join(lines[i:]) + "\n"
        if ACTIONS_HEADING.match(line):
            start = i
    return body, ""


FENCE_MARK = re.compile(r"^[ \t]*(```|~~~)")


def review_charts(org: Org, report: Any) -> dict[str, Markup]:
    """SVG charts of the incident page, drawn at build time."""
    months = bar_chart(
        [(month, float(s.count), None) for month, s in report.by_month],
        "incidents",
        "Incidents per month",
    )
    mttr = bar_chart(
        [(sev, (s.mttr_median_s or 0) / 60, None) for sev, s in report.by_severity],
        "median minutes to resolve",
        "Median time to resolve per severity, in minutes",
    )
    mtta = bar_chart(
        [
            (sev, (s.mtta_median_s or 0) / 60, None)
            for sev, s in report.by_severity
            if s.acknowledged
        ],
        "median minutes to acknowledge",
        "Median time to acknowledge per severity, in minutes",
    )
    load = bar_chart(
        [(org.people[p.person].name, float(p.interruptions), None) for p in report.load[:15]],
        "interruptions",
        "Interruptions per person",
    )
    sleep = bar_chart(
        [(org.people[p.person].name, float(p.sleep), None) for p in report.load if p.sleep],
        "interruptions between 22:00 and 08:00",
        "Sleep-hour interruptions per person",
    )
    trend = bar_chart(
        [(t.month, float(t.count), None) for t in report.trend],
        "incidents",
        "Incidents per month over the whole log",
    )
    trend_sleep = bar_chart(
        [(t.month, float(t.sleep_pages), None) for t in report.trend],
        "pages between 22:00 and 08:00",
        "Sleep-hour pages per month over the whole log",
    )
    return {
        "months": months,
        "mttr": mttr,
        "mtta": mtta,
        "load": load,
        "sleep": sleep,
        "trend": trend,
        "trend_sleep": trend_sleep,
    }


def render_review(org: Org, reports: Reports, page: Any) -> dict[str, Any]:
    """postmortems/, postmortems/<incident>/, actions/, incidents/ and incidents/load/;
    returns the open action items by person, for the people pages."""
    from generator.render.review import days_text, seconds_text
    from generator.reports.actions import open_items_of, summary_by

    incidents = {i.id: i for i in org.incidents}
    actions = list(reports.actions)
    reviews = {r.incident.id: r for r in reports.reviews}
    severity_names = {s.id: s.name for s in org.severities}
    common = {
        "status_labels": STATUS_LABELS,
        "role_labels": ROLE_LABELS,
        "severity_names": severity_names,
        "seconds": seconds_text,
        "days": days_text,
    }
    by_month: dict[str, list[Any]] = defaultdict(list)
    by_team: dict[str, list[Any]] = defaultdict(list)
    by_severity: dict[str, list[Any]] = defaultdict(list)
    for pm in sorted(org.postmortems, key=lambda p: incidents[p.incident].started_at, reverse=True):
        inc = incidents[pm.incident]
        by_month[inc.started_at.astimezone(org.settings.tz).strftime("%Y-%m")].append(pm)
        by_team[inc.team].append(pm)
        by_severity[inc.severity].append(pm)
    order = [s.id for s in org.severities]
    page(
        "postmortems/index.md",
        "postmortems.md.j2",
        incidents=incidents,
        by_month=dict(sorted(by_month.items(), reverse=True)),
        by_team={t: by_team[t] for t in org.teams if t in by_team},
        by_severity=dict(sorted(by_severity.items(), key=lambda kv: [*order, kv[0]].index(kv[0]))),
        due=[r for r in reviews.values() if not r.done],
        actions=actions,
        **common,
    )
    idx = runbook_index(org)
    for pm in org.postmortems:
        inc = incidents[pm.incident]
        mine = [r for r in actions if r.item.incident == pm.incident]
        page(
            f"postmortems/{pm.slug}/index.md",
            "postmortem.md.j2",
            pm=pm,
            inc=inc,
            team=org.teams[inc.team],
            review=reviews.get(inc.id),
            actions=mine,
            known_alerts=idx["alert"],
            body=split_at_actions(pm.body),
            **common,
        )
    by_owner_team: dict[str, list[Any]] = defaultdict(list)
    for row in actions:
        by_owner_team[row.team].append(row)
    pm_slugs = {pm.incident: pm.slug for pm in org.postmortems}
    page(
        "actions/index.md",
        "actions.md.j2",
        actions=actions,
        summary=summary_by(actions),
        by_team={t: by_owner_team[t] for t in org.teams if t in by_owner_team},
        pm_slugs=pm_slugs,
        **common,
    )
    report = reports.incidents
    charts = review_charts(org, report)
    page(
        "incidents/index.md",
        "incidents.md.j2",
        report=report,
        charts=charts,
        pm_slugs=pm_slugs,
        reviews=reviews,
        **common,
    )
    page(
        "incidents/load/index.md",
        "incidents-load.md.j2",
        report=report,
        charts=charts,
        runbooks_by_slug={rb.slug: rb for rb in org.runbooks},
        **common,
    )
    return {p: open_items_of(actions, p) for p in org.people}
