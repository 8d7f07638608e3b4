"""``rota health``: what on call costs each member, and whether rotations are big enough."""

from __future__ import annotations

import json

import click

from generator.cli.common import (
    CONTEXT,
    Context,
    check_rotation,
    check_team,
    format_option,
    load,
    now_option,
    window,
    window_options,
)


@click.command(context_settings=CONTEXT)
@click.option("--team", default=None, help="Only this team.")
@click.option("--rotation", default=None, help="Only this rotation of --team.")
@window_options(
    "Window start (default: now - settings.history).",
    "Window end (default: now + settings.horizon).",
)
@format_option("table", "json")
@now_option
@click.pass_obj
def health(
    ctx: Context,
    team: str | None,
    rotation: str | None,
    from_text: str | None,
    to_text: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """Rotation health: each member's share of time on call, longest run and shortest
    rest across the team's rotations, nights, weekends and holidays a year, pages in
    sleep hours, and how many people each rotation needs (google-sre: at most 25 % on
    call)."""
    from generator.render.health import health_table
    from generator.reports.health import compute_health, select

    if rotation is not None and team is None:
        raise click.UsageError("--rotation needs --team")
    org, now = load(ctx, now_text)
    check_team(org, team)
    if team is not None:
        check_rotation(org, team, rotation)
    start, end = window(
        org, now, from_text, to_text, now - org.settings.history, now + org.settings.horizon
    )
    report = select(compute_health(org, ctx.schedule(start, end), start, end), team, rotation)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(health_table(report, {p.id: p.name for p in org.people.values()}), nl=False)
