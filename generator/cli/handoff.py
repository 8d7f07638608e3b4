"""A shift and its people: the handoff note, and who could cover."""

from __future__ import annotations

import json
import sys

import click

from generator.cli.common import (
    CONTEXT,
    Context,
    check_rotation,
    check_team,
    format_option,
    load,
    now_option,
    parse_instant,
)


@click.command(context_settings=CONTEXT)
@click.option("--team", required=True, help="The team.")
@click.option("--rotation", default=None, help="Only this rotation (default: each of the team's).")
@click.option(
    "--at",
    "at_text",
    metavar="T",
    default=None,
    help="Show the first handoff at or after T (default: now).",
)
@format_option("text", "markdown", "json")
@now_option
@click.pass_obj
def handoff(
    ctx: Context,
    team: str,
    rotation: str | None,
    at_text: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """The handoff note: who hands over to whom, incidents, notes, the coming shift."""
    from generator.reports.handoff import compute_handoff, render_handoffs

    org, now = load(ctx, now_text)
    check_team(org, team)
    check_rotation(org, team, rotation)
    rotation_ids = [r.id for r in org.teams[team].rotations]
    at = parse_instant(at_text, org.settings.timezone, now) if at_text else now
    sched = ctx.schedule(at - org.settings.history, at + org.settings.horizon)
    found = []
    for rid in [rotation] if rotation else rotation_ids:
        h = compute_handoff(org, sched, f"{team}/{rid}", at)
        if h is None:
            click.echo(f"no handoff of {team}/{rid} within the horizon after {at_text}", err=True)
        else:
            found.append(h)
    click.echo(render_handoffs(found, fmt), nl=False)


@click.command(context_settings=CONTEXT)
@click.option("--team", required=True, help="The team.")
@click.option("--rotation", "rotation_id", required=True, help="The rotation of that team.")
@click.option(
    "--at", "at_text", metavar="T", default=None, help="An instant in the shift (default: now)."
)
@format_option("table", "json")
@now_option
@click.pass_obj
def cover(
    ctx: Context,
    team: str,
    rotation_id: str,
    at_text: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """Who could take the shift at T, ranked by fairness impact."""
    from generator.schedule.cover import cover_candidates
    from generator.timeutil import iso

    org, now = load(ctx, now_text)
    check_team(org, team)
    check_rotation(org, team, rotation_id)
    rotation = org.teams[team].rotation(rotation_id)
    assert rotation is not None  # checked just above
    at = parse_instant(at_text, org.settings.timezone, now) if at_text else now
    sched = ctx.schedule(min(at, now) - org.settings.history, max(at, now) + org.settings.horizon)
    slot = next(
        (s for s in sched.slots.get(rotation.key, ()) if any(a <= at < b for a, b in s.windows)),
        None,
    )
    if slot is None:
        click.echo(f"nobody is on call for {rotation.key} at {iso(at)} (outside coverage)")
        sys.exit(1)
    holders = sorted(
        {
            s.person
            for s in sched.shifts
            if s.team == team
            and s.rotation == rotation.id
            and s.slot_start_at == slot.start_at
            and s.person is not None
        }
    )
    candidates = cover_candidates(
        org, sched, rotation.key, slot.start_at, slot.end_at, exclude=set(holders)
    )
    if fmt == "json":
        doc = {
            "team": team,
            "rotation": rotation.id,
            "start": iso(slot.start_at),
            "end": iso(slot.end_at),
            "on_call": holders,
            "candidates": [
                {
                    "person": c.person,
                    "deviation_before": c.load_before,
                    "deviation_after": c.load_after,
                    "breaks": c.breaks,
                }
                for c in candidates
            ],
        }
        click.echo(json.dumps(doc, indent=2))
        return
    from generator.render.text import table

    tz = org.teams[team].tz
    click.echo(
        f"{rotation.key} from {slot.start_at.astimezone(tz):%a %Y-%m-%d %H:%M} to "
        f"{slot.end_at.astimezone(tz):%a %Y-%m-%d %H:%M %Z}, "
        f"on call: {', '.join(holders) or 'nobody'}"
    )
    if not candidates:
        click.echo("nobody else is free (leave, another rotation, or min_rest)")
        return
    rows = [
        [
            n,
            org.people[c.person].name,
            c.person,
            f"{c.load_before:+.2f}",
            f"{c.load_after:+.2f}",
            c.breaks or "",
        ]
        for n, c in enumerate(candidates, 1)
    ]
    click.echo(
        "\n"
        + table(["RANK", "NAME", "PERSON", "DEVIATION NOW", "IF THEY COVER", "WOULD BREAK"], rows)
    )
