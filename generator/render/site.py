"""Every file of the site, as {path under docs/: text or bytes}. Pure: no writing.

Pages are Jinja2 templates from ``site_templates/`` (the organisation's own
folder first, then the packaged one) rendering Markdown with HTML blocks.
Every value from the inputs passes through the ``md`` filter (HTML-escaped,
Markdown punctuation turned into character references) or Jinja's autoescape,
so no name, note or title can become markup, a link or a script.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.model import Org, Runbook
from generator.schedule.resolve import Schedule, Shift
from generator.timeutil import human_duration, iso

MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|~<>&\"'=:]")


def md_text(value: object) -> Markup:
    """Text that stays text inside Markdown: HTML-escaped, Markdown punctuation inert."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return Markup(MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", text))


def template_env(root: Path | None) -> jinja2.Environment:
    from generator.publish.site import templates_folder

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
    env.filters["duration"] = human_duration
    env.filters["iso"] = iso
    env.filters["local"] = lambda at, tz: at.astimezone(tz).strftime("%a %d %b %Y %H:%M")
    env.filters["localtime"] = lambda at, tz: at.astimezone(tz).strftime("%H:%M")
    env.filters["tzabbr"] = lambda at, tz: at.astimezone(tz).strftime("%Z")
    return env


def alert_slug(alert: str) -> str:
    """The stable address segment of an alert: its name in lower case."""
    return re.sub(r"[^a-z0-9._-]+", "-", alert.lower()).strip("-") or "alert"


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
    return idx


def feed_name(org: Org, kind: str, ident: str) -> str:
    from generator.render.ical import feed_filename

    return feed_filename(org, kind, ident)


def render_site(org: Org, schedule: Schedule, now: datetime) -> dict[str, str | bytes]:
    from generator.render.ical import person_feed, team_feed

    env = template_env(Path(org.root))
    files: dict[str, str | bytes] = {}
    ctx_base: dict[str, Any] = {"org": org, "now": now, "settings": org.settings}
    upcoming = [s for s in schedule.shifts if s.end_at > now]

    def page(path: str, template: str, **ctx: Any) -> None:
        files[path] = env.get_template(template).render(**ctx_base, **ctx)

    now_shifts = schedule.at(now)
    by_team: dict[str, list[Shift]] = defaultdict(list)
    for s in upcoming:
        by_team[s.team].append(s)
    page("index.md", "index.md.j2", now_shifts=now_shifts, upcoming=upcoming)
    page("teams/index.md", "teams.md.j2")
    idx = runbook_index(org)
    for team in org.teams.values():
        page(
            f"teams/{team.id}/index.md",
            "team.md.j2",
            team=team,
            now_shifts=[s for s in now_shifts if s.team == team.id],
            shifts=by_team[team.id][:200],
            runbooks=idx["team"].get(team.id, []),
            feed=feed_name(org, "team", team.id),
        )
        files[f"ical/{feed_name(org, 'team', team.id)}"] = team_feed(org, schedule, team.id, now)
    page("people/index.md", "people.md.j2")
    for person in org.people.values():
        mine = [s for s in upcoming if s.person == person.id]
        page(
            f"people/{person.id}/index.md",
            "person.md.j2",
            person=person,
            shifts=mine[:200],
            feed=feed_name(org, "person", person.id),
        )
        files[f"ical/{feed_name(org, 'person', person.id)}"] = person_feed(
            org, schedule, person.id, now
        )
    page("runbooks/index.md", "runbooks.md.j2", index=idx)
    for rb in org.runbooks:
        stale = (
            rb.last_reviewed is None or now.date() - rb.last_reviewed > org.settings.runbook_review
        )
        page(
            f"runbooks/{rb.slug}.md",
            "runbook.md.j2",
            rb=rb,
            stale=stale,
            team=org.teams[rb.team],
            alert_slug=alert_slug,
        )
    for alert, books in idx["alert"].items():
        page(
            f"runbooks/alerts/{alert_slug(alert)}/index.md",
            "alert.md.j2",
            alert=alert,
            runbooks=books,
        )
    page("severities/index.md", "severities.md.j2")
    files["data/schedule.json"] = (
        json.dumps(
            {
                "from": iso(schedule.start_at),
                "to": iso(schedule.end_at),
                "shifts": [s.as_json() for s in schedule.shifts],
            },
            indent=1,
            sort_keys=False,
        )
        + "\n"
    )
    return files
