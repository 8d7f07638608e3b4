"""``rota notify``: tell people about handoffs, their coming shifts, uncovered shifts
and changes, in Slack, Microsoft Teams and e-mail. A preview unless ``--send``.

Exit status: 0 every message sent (or previewed), 1 invalid input or a message not
sent, 2 usage error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import click

from generator.cli.common import CONTEXT, Context, check_team, format_option, load, now_option

F = TypeVar("F", bound=Callable[..., Any])


def _duration(text: str, option: str) -> timedelta:
    from generator.timeutil import parse_duration

    try:
        length = parse_duration(text)
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is not a duration: use 30m, 1h, 1d or 1w", param_hint=option
        ) from None
    if length <= timedelta(0):
        raise click.BadParameter("must be longer than 0m", param_hint=option)
    return length


def send_options(f: F) -> F:
    """What every ``rota notify`` command takes."""
    f = now_option(f)
    f = click.option(
        "--timeout",
        type=click.FloatRange(min=1),
        default=300,
        show_default=True,
        metavar="SECONDS",
        help="Give up after this long in all, every request and retry included.",
    )(f)
    f = click.option(
        "--insecure-http",
        is_flag=True,
        help="Allow http:// webhooks and Slack API on this machine (a local test server).",
    )(f)
    f = format_option("text", "json")(f)
    f = click.option("--team", default=None, help="Only this team's messages.")(f)
    return click.option(
        "--send", is_flag=True, help="Send the messages (default: only print them)."
    )(f)


@click.group(context_settings=CONTEXT)
def notify() -> None:
    """Tell people in Slack, Microsoft Teams and e-mail (a preview unless --send).

    Where to send is settings.notify and each team's notify; the webhook URLs,
    tokens and passwords come only from the environment variables they name.
    """


def _secret_names(org: Any) -> set[str]:
    from dataclasses import fields

    names: set[str] = set()
    configs = [org.settings.notify, *(t.notify for t in org.teams.values())]
    for cfg in configs:
        for part in (cfg.slack, cfg.msteams, cfg.email) if cfg is not None else ():
            if part is None:
                continue
            for f in fields(part):
                if f.name.endswith("_env") and getattr(part, f.name):
                    names.add(getattr(part, f.name))
    return names


def _sender(org: Any, insecure_http: bool, timeout: float) -> Any:
    from generator.integrations.notify import Sender
    from generator.model import notify_channels

    return Sender(
        os.environ,
        org.settings.organisation,
        notify_channels(org.settings, None).email,
        insecure_http=insecure_http,
        timeout=timeout,
        secret_names=_secret_names(org),
    )


def _email_for(org: Any, d: Any) -> Any:
    """The e-mail settings for a delivery: a team's own, else the organisation's."""
    from generator.model import notify_channels

    team = (
        org.teams.get(d.audience.removeprefix("team:")) if d.audience.startswith("team:") else None
    )
    return notify_channels(org.settings, team).email


def _body(org: Any, d: Any) -> Any:
    """What would be sent, exactly (never a secret)."""
    from generator.render.notify import email_message, slack_payload, teams_payload

    if d.channel == "slack":
        return slack_payload(d.message)
    if d.channel == "slack-dm":
        return slack_payload(d.message, d.address)
    if d.channel == "msteams":
        return teams_payload(d.message)
    cfg = _email_for(org, d)
    if cfg is None or not cfg.sender:
        return None
    msg = email_message(d.message, cfg.sender, d.address, org.settings.organisation)
    return {
        "subject": msg["Subject"],
        "from": msg["From"],
        "to": msg["To"],
        "text": msg.get_content(),
    }


def deliver(
    org: Any,
    kind: str,
    deliveries: list[Any],
    notes: list[str],
    send: bool,
    fmt: str,
    insecure_http: bool,
    timeout: float,
    groups: list[Any] | None = None,
) -> None:
    """Print the preview, or send and print each outcome; exit 1 if any failed."""
    from generator.render.notify import plain_text

    results: list[Any] = []
    if send:
        sender = _sender(org, insecure_http, timeout)
        for d in deliveries:
            sender.email = _email_for(org, d) if d.channel == "email" else sender.email
            results.append(sender.send(d))
        for g in groups or []:
            results.append(sender.update_group(g))
    failed = sum(1 for r in results if not r.ok)
    if fmt == "json":
        doc: dict[str, Any] = {"kind": kind, "sent": send, "notes": notes}
        doc["deliveries"] = [
            {
                "channel": d.channel,
                "audience": d.audience,
                "to": d.address,
                "secret_env": d.secret_env,
                "title": d.message.title,
                "text": plain_text(d.message),
                "body": _body(org, d),
            }
            for d in deliveries
        ]
        if groups is not None:
            doc["usergroups"] = [
                {
                    "usergroup": g.usergroup,
                    "audience": g.audience,
                    "token_env": g.token_env,
                    "users": list(g.users),
                    "on_call": [p.person for p in g.people],
                    "without_slack_handle": [p.person for p in g.missing],
                }
                for g in groups
            ]
        if send:
            doc["results"] = [
                {
                    "target": r.target,
                    "audience": r.audience,
                    "title": r.title,
                    "status": r.status,
                    "detail": r.detail,
                }
                for r in results
            ]
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for note in notes:
            click.echo(f"note: {note}", err=True)
        if send:
            for r in results:
                click.echo(r.line())
            sent = sum(1 for r in results if r.status == "ok")
            click.echo(f"notify {kind}: {sent} sent, {failed} failed")
        else:
            _preview(kind, deliveries, groups)
    if failed:
        sys.exit(1)


def _preview(kind: str, deliveries: list[Any], groups: list[Any] | None) -> None:
    from generator.render.notify import plain_text

    count = len(deliveries) + len(groups or [])
    click.echo(
        f"notify {kind}: {count} to send (a preview: nothing was sent; --send sends)"
        if count
        else f"notify {kind}: nothing to send"
    )
    for d in deliveries:
        where = f"{d.target} ({d.audience})"
        unset = d.secret_env and not os.environ.get(d.secret_env)
        click.echo(f"\n→ {where}" + (f" [{d.secret_env} is not set here]" if unset else ""))
        for line in plain_text(d.message).splitlines():
            click.echo(f"  {line}")
    for g in groups or []:
        users = ", ".join(g.users) or "nobody (not sent: Slack refuses an empty group)"
        click.echo(f"\n→ Slack user group {g.usergroup} ({g.audience}): {users}")


def _window_schedule(ctx: Context, org: Any, now: datetime) -> Any:
    return ctx.schedule(now - org.settings.history, now + org.settings.horizon)


def _only_team(deliveries: list[Any], team: str | None) -> list[Any]:
    return [d for d in deliveries if team is None or d.audience == f"team:{team}"]


@notify.command(context_settings=CONTEXT)
@click.option(
    "--within",
    default="1h",
    show_default=True,
    metavar="DURATION",
    help="Handoffs from now until this long after it.",
)
@send_options
@click.pass_obj
def handoffs(
    ctx: Context,
    within: str,
    send: bool,
    team: str | None,
    fmt: str,
    insecure_http: bool,
    timeout: float,
    now_text: str | None,
) -> None:
    """Each handoff in [now, now + within) to its team's channels: who hands over to
    whom (Slack mentions), incidents, notes, gaps and a link to the handoff note."""
    from generator.reports.handoff import compute_handoffs
    from generator.reports.notify import handoff_deliveries

    length = _duration(within, "--within")
    org, now = load(ctx, now_text)
    check_team(org, team)
    found = compute_handoffs(org, _window_schedule(ctx, org, now), now, now + length)
    found = [h for h in found if team is None or h.team == team]
    deliveries = handoff_deliveries(org, found)
    notes = _unrouted(org, {h.team for h in found}, deliveries)
    deliver(org, "handoffs", deliveries, notes, send, fmt, insecure_http, timeout)


def _unrouted(org: Any, teams: set[str], deliveries: list[Any]) -> list[str]:
    routed = {d.audience for d in deliveries}
    return [
        f"team {t} has no channel (settings.notify or the team's notify): its messages go nowhere"
        for t in sorted(teams)
        if f"team:{t}" not in routed
    ]


@notify.command(context_settings=CONTEXT)
@click.option(
    "--days",
    type=click.IntRange(min=1, max=92),
    default=7,
    show_default=True,
    help="Shifts starting from now until this many days after it.",
)
@send_options
@click.pass_obj
def upcoming(
    ctx: Context,
    days: int,
    send: bool,
    team: str | None,
    fmt: str,
    insecure_http: bool,
    timeout: float,
    now_text: str | None,
) -> None:
    """To each person with shifts starting in the next days: their shifts on their
    own clock, by e-mail and by Slack direct message (with a bot token)."""
    from generator.reports.notify import upcoming_deliveries

    org, now = load(ctx, now_text)
    check_team(org, team)
    sched = _window_schedule(ctx, org, now)
    if team is not None:
        from dataclasses import replace

        sched = replace(sched, shifts=tuple(s for s in sched.shifts if s.team == team))
    deliveries, unreachable = upcoming_deliveries(org, sched, now, now + timedelta(days=days))
    notes = [
        f"{p} has shifts but no way to be told (an e-mail address with settings.notify.email, "
        "or a Slack handle with settings.notify.slack.token_env)"
        for p in unreachable
    ]
    deliver(org, "upcoming", deliveries, notes, send, fmt, insecure_http, timeout)


@notify.command(context_settings=CONTEXT)
@send_options
@click.pass_obj
def uncovered(
    ctx: Context,
    send: bool,
    team: str | None,
    fmt: str,
    insecure_http: bool,
    timeout: float,
    now_text: str | None,
) -> None:
    """Each team's uncovered shifts from now to now + settings.freeze (the one under
    way too), to its channels, with the `rota cover` command that ranks who could
    take each."""
    from generator.reports.notify import uncovered_deliveries

    org, now = load(ctx, now_text)
    check_team(org, team)
    deliveries = _only_team(uncovered_deliveries(org, _window_schedule(ctx, org, now), now), team)
    teams = {d.audience.removeprefix("team:") for d in deliveries}
    deliver(
        org,
        "uncovered",
        deliveries,
        _unrouted(org, teams, deliveries),
        send,
        fmt,
        insecure_http,
        timeout,
    )


@notify.command(context_settings=CONTEXT)
@send_options
@click.pass_obj
def usergroups(
    ctx: Context,
    send: bool,
    team: str | None,
    fmt: str,
    insecure_http: bool,
    timeout: float,
    now_text: str | None,
) -> None:
    """Keep each configured Slack user group holding exactly who is on call now
    (usergroups.users.update; needs a bot token)."""
    from generator.reports.notify import group_updates

    org, now = load(ctx, now_text)
    check_team(org, team)
    groups = [
        g
        for g in group_updates(org, _window_schedule(ctx, org, now), now)
        if team is None or g.audience == f"team:{team}"
    ]
    notes = [
        f"{p.person} is on call for {g.audience} but has no Slack handle (handles.slack): "
        f"not in user group {g.usergroup}"
        for g in groups
        for p in g.missing
    ]
    notes += [
        f"user group {g.usergroup} ({g.audience}) has no token_env: it cannot be updated"
        for g in groups
        if not g.token_env
    ]
    deliver(org, "usergroups", [], notes, send, fmt, insecure_http, timeout, groups=groups)


@notify.command(context_settings=CONTEXT)
@click.argument("base")
@click.option(
    "--head",
    metavar="REV",
    default=None,
    help="Compare with this revision instead of the working tree.",
)
@send_options
@click.pass_obj
def changes(
    ctx: Context,
    base: str,
    head: str | None,
    send: bool,
    team: str | None,
    fmt: str,
    insecure_http: bool,
    timeout: float,
    now_text: str | None,
) -> None:
    """To exactly the people `rota diff BASE` finds whose shifts change: what changes
    for them (shifts taken and given up on their clock, hours, pay, fairness), by
    e-mail and Slack direct message. Run it after a merge: BASE is the revision
    before it (e.g. HEAD~1, or the push's previous commit)."""
    from pathlib import Path

    from generator.cli.common import fail, parse_instant
    from generator.errors import InvalidInput
    from generator.reports.notify import changes_deliveries
    from generator.review_git import GitError, diff_revisions

    org, _ = load(ctx, now_text)
    check_team(org, team)
    try:
        diff = diff_revisions(
            Path(ctx.root), base, head, lambda tz: parse_instant(now_text or "now", tz, None)
        )
    except GitError as exc:
        raise click.UsageError(f"git: {exc}") from None
    except InvalidInput as exc:
        fail(exc.diagnostics)
    if team is not None:
        from dataclasses import replace

        keep = {p.person for p in diff.persons if any(c.team == team for c in (*p.gained, *p.lost))}
        diff = replace(diff, persons=tuple(p for p in diff.persons if p.person in keep))
    deliveries, unreachable = changes_deliveries(org, diff)
    notes = [
        f"{p}'s shifts change but nobody can tell them (an e-mail address with "
        "settings.notify.email, or a Slack handle with settings.notify.slack.token_env)"
        for p in unreachable
    ]
    if not diff.persons:
        notes.append(f"nobody's shifts change between {diff.base} and {diff.head}")
    deliver(org, "changes", deliveries, notes, send, fmt, insecure_http, timeout)
