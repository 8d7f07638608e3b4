"""Queries of the plan: who, schedule, ical, pay, fairness."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import click

from generator.cli.common import (
    CONTEXT,
    Context,
    check_person,
    check_team,
    fail,
    format_option,
    load,
    now_option,
    parse_instant,
    window,
    window_options,
)
from generator.errors import InvalidInput


@click.command(context_settings=CONTEXT)
@click.option("--at", "at_text", metavar="T", default=None, help="The instant (default: now).")
@click.option("--team", default=None, help="Only this team.")
@format_option("table", "json")
@now_option
@click.pass_obj
def who(
    ctx: Context, at_text: str | None, team: str | None, fmt: str, now_text: str | None
) -> None:
    """Who is on call at an instant."""
    from generator.render.text import who_document, who_table

    # the lock file is read only if the plan is not kept from an earlier run
    org, now = load(ctx, now_text, lock=False)
    at = parse_instant(at_text, org.settings.timezone, now) if at_text else now
    check_team(org, team)

    schedule = ctx.loaded.instant(at, at + timedelta(seconds=1))
    doc = who_document(org, schedule, at, team)
    if fmt == "json":
        from generator.reports.escalation import chain_json, resolve_chain

        doc["escalation"] = {
            t: chain_json(resolve_chain(org, schedule, t, at))
            for t in sorted(org.teams)
            if team is None or t == team
        }
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(who_table(org, doc))


@click.command(context_settings=CONTEXT)
@click.option("--team", default=None, help="Only this team.")
@click.option("--person", default=None, help="Only this person.")
@window_options(
    "Window start (default: now).",
    "Window end (default: now + settings.horizon).",
)
@format_option("table", "json", "csv")
@now_option
@click.pass_obj
def schedule(
    ctx: Context,
    team: str | None,
    person: str | None,
    from_text: str | None,
    to_text: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """The shifts overlapping a window, listed whole."""
    from generator.render.text import schedule_csv, schedule_document, schedule_table

    org, now = load(ctx, now_text)
    check_team(org, team)
    check_person(org, person)
    start, end = window(org, now, from_text, to_text, now, now + org.settings.horizon)
    sched = ctx.schedule(start, end)
    shifts = [
        s
        for s in sched.shifts
        if (team is None or s.team == team) and (person is None or s.person == person)
    ]
    if fmt == "json":
        click.echo(json.dumps(schedule_document(start, end, shifts), indent=2))
    elif fmt == "csv":
        click.echo(schedule_csv(shifts), nl=False)
    else:
        click.echo(schedule_table(org, shifts))


@click.command(context_settings=CONTEXT)
@click.option("--person", default=None, help="Only this person's feed.")
@click.option("--team", default=None, help="Only this team's feed.")
@click.option(
    "--url",
    "show_url",
    is_flag=True,
    help="Print the feed's subscription address instead of the feed (with feeds.secret, "
    "the address to hand to that person only).",
)
@now_option
@click.pass_obj
def ical(
    ctx: Context, person: str | None, team: str | None, show_url: bool, now_text: str | None
) -> None:
    """Print a person's or a team's iCal feed to standard output."""
    from generator.feedstate import read_state
    from generator.pipeline import feed_key_from_env
    from generator.render.ical import (
        feed_filename,
        feed_url,
        person_feed,
        team_feed,
        webcal_url,
        with_feed_key,
    )

    if (person is None) == (team is None):
        raise click.UsageError("give exactly one of --person ID or --team ID")
    org, now = load(ctx, now_text)
    check_team(org, team)
    check_person(org, person)
    try:
        org = with_feed_key(org, feed_key_from_env())
        state = read_state(ctx.root)
    except InvalidInput as exc:
        fail(exc.diagnostics)
    kind, ident = ("person", person) if person else ("team", team or "")
    if show_url:
        url = feed_url(org, kind, ident)
        if url is None:
            click.echo(
                "rota: neither site.url nor feeds.base_url is set, so the feed has no "
                "address yet; this is its path under the published site:",
                err=True,
            )
            click.echo("ical/" + feed_filename(org, kind, ident))
        else:
            click.echo(url)
            click.echo(f"(calendar apps: {webcal_url(url)})", err=True)
        return
    sched = ctx.horizon(now)
    data = (
        person_feed(org, sched, ident, now, state)
        if person
        else team_feed(org, sched, ident, now, state)
    )
    sys.stdout.buffer.write(data)


@click.command(context_settings=CONTEXT)
@click.option("--person", default=None, help="Only this person.")
@window_options(
    "Window start (default: the first of the month settings.history ago).",
    "Window end (default: the end of the month settings.horizon ahead).",
)
@format_option("table", "json", "csv")
@now_option
@click.pass_obj
def pay(
    ctx: Context,
    person: str | None,
    from_text: str | None,
    to_text: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """On-call pay per person and calendar month: standby, call-outs, cap."""
    from dataclasses import replace

    from generator.render.data import pay_csv, pay_document, pay_table
    from generator.reports.pay import compute_pay, pay_window

    org, now = load(ctx, now_text)
    check_person(org, person)
    default_start, default_end = pay_window(org, now)
    start, end = window(org, now, from_text, to_text, default_start, default_end)
    report = compute_pay(org, ctx.schedule(start, end), start, end)
    if person is not None:
        report = replace(report, people=tuple(p for p in report.people if p.person == person))
    if fmt == "json":
        click.echo(json.dumps(pay_document(report), indent=2))
    elif fmt == "csv":
        sys.stdout.buffer.write(pay_csv(report).encode())
    else:
        click.echo(pay_table(report))


@click.command(context_settings=CONTEXT)
@click.option("--team", default=None, help="Only this team.")
@window_options(
    "Window start (default: now - settings.history).",
    "Window end (default: now + settings.horizon).",
)
@format_option("table", "json", "csv")
@now_option
@click.pass_obj
def fairness(
    ctx: Context,
    team: str | None,
    from_text: str | None,
    to_text: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """Load per member against their fair target, per rotation (hours inside the window)."""
    from dataclasses import replace

    from generator.render.text import fairness_table
    from generator.reports.fairness import compute_fairness, fairness_csv

    org, now = load(ctx, now_text)
    check_team(org, team)
    start, end = window(
        org, now, from_text, to_text, now - org.settings.history, now + org.settings.horizon
    )
    report = compute_fairness(org, ctx.schedule(start, end), start, end)
    if team is not None:
        report = replace(report, rotations=tuple(r for r in report.rotations if r.team == team))
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2))
    elif fmt == "csv":
        sys.stdout.buffer.write(fairness_csv(report).encode())
    else:
        click.echo(fairness_table(report, {p.id: p.name for p in org.people.values()}))
