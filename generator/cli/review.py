"""The incident review: incidents, actions, postmortem new."""

from __future__ import annotations

import json
import sys

import click

from generator.cli.common import (
    CONTEXT,
    Context,
    check_team,
    format_option,
    load,
    now_option,
    window,
    window_options,
)


@click.command(context_settings=CONTEXT)
@click.option("--team", default=None, help="Only this team's incidents.")
@window_options(
    "Count incidents that started at or after T (default: now - settings.history).",
    "... and before T (default: now).",
)
@format_option("table", "json", "csv")
@now_option
@click.pass_obj
def incidents(
    ctx: Context,
    team: str | None,
    from_text: str | None,
    to_text: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """Incident counts, MTTA and MTTR, and on-call interruption load per person and rotation."""
    from generator.render.review import incidents_csv, incidents_table
    from generator.reports.incidents import compute_incidents, incidents_window

    org, now = load(ctx, now_text)
    check_team(org, team)
    default_start, default_end = incidents_window(org, now)
    start, end = window(org, now, from_text, to_text, default_start, default_end)
    report = compute_incidents(org, ctx.schedule(start, end), start, end, now, team)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2))
    elif fmt == "csv":
        sys.stdout.buffer.write(incidents_csv(report).encode())
    else:
        click.echo(incidents_table(org, report), nl=False)


@click.command(context_settings=CONTEXT)
@click.option(
    "--owner",
    default=None,
    help="Only items of this person, or of this team (owned by it or by a member for its "
    "incidents).",
)
@click.option(
    "--status",
    type=click.Choice(["open", "done", "wont_do"]),
    default=None,
    help="Only this status.",
)
@click.option("--overdue", is_flag=True, help="Only open items past their due date.")
@format_option("table", "json", "csv")
@now_option
@click.pass_obj
def actions(
    ctx: Context,
    owner: str | None,
    status: str | None,
    overdue: bool,
    fmt: str,
    now_text: str | None,
) -> None:
    """Postmortem action items: open first, overdue first among them, then by priority."""
    from generator.errors import did_you_mean
    from generator.render.review import actions_csv, actions_table
    from generator.reports.actions import actions_document, compute_actions, filter_actions

    org, now = load(ctx, now_text, lock=False)
    if owner is not None and owner not in org.people and owner not in org.teams:
        raise click.BadParameter(
            f"no person or team '{owner}'{did_you_mean(owner, [*org.people, *org.teams])}",
            param_hint="--owner",
        )
    rows = filter_actions(org, compute_actions(org, now), owner, status, overdue)
    if fmt == "json":
        click.echo(json.dumps(actions_document(rows), indent=2))
    elif fmt == "csv":
        sys.stdout.buffer.write(actions_csv(rows).encode())
    else:
        click.echo(actions_table(rows), nl=False)


@click.group(context_settings=CONTEXT)
def postmortem() -> None:
    """Postmortems under postmortems/."""


@postmortem.command("new", context_settings=CONTEXT)
@click.argument("incident_id", metavar="INC-ID")
@now_option
@click.pass_obj
def postmortem_new(ctx: Context, incident_id: str, now_text: str | None) -> None:
    """Write postmortems/INC-ID.md from the template (postmortems/_template.md, else the
    packaged one), with the summary and timeline marks filled from the incident log."""
    from importlib.resources import files

    from generator.errors import did_you_mean
    from generator.render.review import postmortem_text

    org, _ = load(ctx, now_text, lock=False)
    inc = next((i for i in org.incidents if i.id == incident_id), None)
    if inc is None:
        known = [i.id for i in org.incidents]
        raise click.BadParameter(
            f"no incident '{incident_id}' in the log{did_you_mean(incident_id, known)}",
            param_hint="INC-ID",
        )
    existing = org.postmortem_of(inc.id)
    if existing is not None:
        raise click.UsageError(f"{inc.id} already has a postmortem: {existing.path}")
    if inc.postmortem:
        click.echo(
            f"rota: error: {inc.id} already has a postmortem: {inc.postmortem} (its "
            "`postmortem:` link); remove the link first to write one here",
            err=True,
        )
        sys.exit(1)
    target = ctx.root / "postmortems" / f"{inc.id}.md"
    if target.exists():
        raise click.UsageError(f"{target} exists already; not overwritten")
    own = ctx.root / "postmortems" / "_template.md"
    try:
        template = (
            own.read_text(encoding="utf-8")
            if own.is_file()
            else (files("generator") / "skeleton" / "postmortems" / "_template.md").read_text(
                encoding="utf-8"
            )
        )
        text = postmortem_text(template, org, inc)
    except OSError as exc:
        click.echo(f"rota: cannot read the template {own}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # a broken template: say where, never a traceback
        import jinja2

        if not isinstance(exc, jinja2.TemplateError):
            raise
        line = getattr(exc, "lineno", None) or 1
        click.echo(f"postmortems/_template.md:{line}:1: error: template: {exc}", err=True)
        sys.exit(1)
    from generator.publish.atomic import write_atomic

    write_atomic(target, text, ctx.root)
    click.echo(f"wrote {target} (status: draft); fill it in, then 'rota validate'")
