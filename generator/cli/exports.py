"""Rota's shifts into a paging tool: export (request bodies) and sync (the API)."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from generator.cli.common import (
    CONTEXT,
    Context,
    F,
    check_person,
    check_rotation,
    check_team,
    load,
    now_option,
    window,
    window_options,
)
from generator.cli.imports import TOOL_NAMES, bad_export, read_json


def _export_users(tool: str, users_file: Path | tuple[Path, ...] | None) -> dict[str, str] | None:
    """The tool's users by e-mail, from one saved list or several pages of it (a list
    saved page by page, following ``more``/``next``, is read as one)."""
    from generator.integrations import goalert, pagerduty
    from generator.integrations.common import BadExport, tool_users_by_email

    files = (users_file,) if isinstance(users_file, Path) else users_file
    if not files:
        return None
    pairs = []
    for doc in read_json(files):
        try:
            pairs += (goalert if tool == "goalert" else pagerduty).users_by_email(doc)
        except BadExport as exc:
            bad_export(exc)
    return tool_users_by_email(pairs)


def _selected_shifts(
    ctx: Context, org: Any, team: str | None, rotation: str | None, start: datetime, end: datetime
) -> list[Any]:
    check_team(org, team)
    if rotation is not None:
        if team is None:
            raise click.UsageError("--rotation needs --team")
        check_rotation(org, team, rotation)
    return [
        s
        for s in ctx.schedule(start, end).window(start, end)
        if (team is None or s.team == team) and (rotation is None or s.rotation == rotation)
    ]


def _check_zone(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from generator.errors import did_you_mean
    from generator.timeutil import known_zones

    zones = known_zones()
    if value not in zones:
        raise click.BadParameter(f"unknown time zone '{value}'{did_you_mean(value, zones)}")
    return value


def _export_options(f: F) -> F:
    for option in reversed(
        [
            click.option("--team", default=None, help="Only this team."),
            click.option("--rotation", default=None, help="Only this rotation (with --team)."),
            click.option(
                "--users",
                "users_file",
                metavar="FILE",
                type=click.Path(dir_okay=False, path_type=Path),
                multiple=True,
                help="The tool's users saved as JSON (PagerDuty GET /users, GoAlert users "
                "query): people are matched by e-mail. Repeat it for each saved page.",
            ),
            click.option(
                "--schedule",
                "schedule_id",
                metavar="ID",
                default=None,
                help="The tool's schedule to fill.",
            ),
            click.option(
                "--fallback",
                metavar="PERSON",
                default=None,
                help="Who takes a shift nobody covers (default: stop and list such shifts).",
            ),
        ]
    ):
        f = option(f)
    return f


@click.command(context_settings=CONTEXT)
@click.argument("tool", type=click.Choice(["pagerduty", "goalert", "opsgenie", "incident-io"]))
@window_options("Window start (default: now).", "Window end (default: now + 14 days).")
@_export_options
@click.option(
    "--time-zone",
    default="UTC",
    show_default=True,
    callback=_check_zone,
    help="PagerDuty: the override bodies' time_zone (an IANA zone name).",
)
@click.option(
    "--v3-rotation",
    metavar="ID",
    default=None,
    help="PagerDuty: v3 override_shift bodies for this rotation of a v3 schedule instead.",
)
@click.option(
    "--tool-rotation",
    metavar="ID",
    default=None,
    help="incident.io: the rotation id; Opsgenie: the rotation name the overrides apply to.",
)
@click.option("--layer", metavar="ID", default=None, help="incident.io: the layer id.")
@click.option(
    "--out-dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write TEAM-ROTATION.json files there instead of printing.",
)
@now_option
@click.pass_obj
def export(
    ctx: Context,
    tool: str,
    from_text: str | None,
    to_text: str | None,
    team: str | None,
    rotation: str | None,
    users_file: tuple[Path, ...],
    schedule_id: str | None,
    fallback: str | None,
    time_zone: str,
    v3_rotation: str | None,
    tool_rotation: str | None,
    layer: str | None,
    out_dir: Path | None,
    now_text: str | None,
) -> None:
    """The window's shifts as the paging tool's exact request bodies.

    PagerDuty: POST /schedules/ID/overrides bodies; GoAlert: the setTemporarySchedule
    mutation; Opsgenie: POST /v2/schedules/ID/overrides bodies; incident.io: POST
    /v2/schedule_overrides bodies. For one rotation (--team and --rotation, or --schedule
    when the selection holds one) the body is printed as it is; otherwise an object maps
    each TEAM/ROTATION to its body. Every person must match a tool user by e-mail, or
    nothing is exported.
    """
    from generator.integrations.common import ExportRefused
    from generator.integrations.export import Target, export_bodies

    org, now = load(ctx, now_text)
    check_person(org, fallback)
    start, end = window(org, now, from_text, to_text, now, now + timedelta(days=14))
    shifts = _selected_shifts(ctx, org, team, rotation, start, end)
    users = _export_users(tool, users_file)
    target = Target(schedule_id, time_zone, v3_rotation, tool_rotation, layer, tool_rotation)
    try:
        bodies = export_bodies(
            tool,
            shifts,
            {p.id: p.email for p in org.people.values()},
            users,
            fallback,
            target,
            start,
            end,
        )
    except ExportRefused as exc:
        for problem in exc.problems:
            click.echo(f"rota: error: {problem}", err=True)
        click.echo("rota: nothing exported", err=True)
        sys.exit(1)
    keys = [r.key for r in org.rotations() if team in (None, r.team) and rotation in (None, r.id)]
    # one rotation chosen (or the one a --schedule must mean): its body as it is
    bare = len(keys) == 1 and (rotation is not None or schedule_id is not None)
    if schedule_id is not None and len(keys) > 1:
        raise click.UsageError(
            "a --schedule holds one rotation: choose it with --team and --rotation"
        )
    if bare:
        from generator.integrations.export import body

        bodies = {keys[0]: bodies.get(keys[0]) or body(tool, [], target, start, end)}
        if tool == "pagerduty" and v3_rotation and not bodies[keys[0]]["overrides"]:
            # v3 takes 1 override at least: say so, print nothing, and succeed
            click.echo("rota: no shifts in the window: nothing to export", err=True)
            return
    if out_dir is not None:
        from generator.publish.atomic import write_atomic

        for key, value in bodies.items():
            path = out_dir / f"{key}.json"  # <team>/<rotation>.json: unique whatever the slugs
            write_atomic(path, json.dumps(value, indent=2) + "\n")
            click.echo(f"wrote {path}")
        return
    if bare:
        click.echo(json.dumps(next(iter(bodies.values())), indent=2))
    else:
        click.echo(json.dumps(bodies, indent=2))


def _print_goalert_queries(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Print the query text each GoAlert API key must be created with, and stop."""
    if not value or ctx.resilient_parsing:
        return
    from generator.integrations.sync import GOALERT_KEYS

    for env, (does, query) in GOALERT_KEYS.items():
        click.echo(f"# {env}: a GoAlert API key that {does}, created with this query:")
        click.echo(query)
    ctx.exit(0)


@click.command(context_settings=CONTEXT)
@click.argument("tool", type=click.Choice(["pagerduty", "opsgenie", "goalert"]))
@click.option(
    "--print-queries",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_print_goalert_queries,
    help="GoAlert: print the query each API key must be created with (GoAlert binds a key "
    "to one query), and stop.",
)
@window_options("Window start (default: now).", "Window end (default: now + 14 days).")
@click.option("--team", required=True, help="The team.")
@click.option("--rotation", required=True, help="The rotation whose shifts the schedule holds.")
@click.option(
    "--schedule",
    "schedule_id",
    metavar="ID",
    required=True,
    help="The tool's schedule that holds this rotation (a dedicated one).",
)
@click.option(
    "--users",
    "users_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The tool's users saved as JSON (GoAlert: required; PagerDuty: default GET /users).",
)
@click.option(
    "--fallback",
    metavar="PERSON",
    default=None,
    help="Who takes a shift nobody covers (default: stop and list such shifts).",
)
@click.option(
    "--tool-rotation",
    metavar="NAME",
    default=None,
    help="Opsgenie: the rotation the overrides apply to (default: all).",
)
@click.option("--api-url", metavar="URL", default=None, help="The tool's API address (https).")
@click.option(
    "--insecure-http",
    is_flag=True,
    help="Allow an http:// --api-url on this machine (a local test server).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=300,
    show_default=True,
    metavar="SECONDS",
    help="Give up after this long in all, every request and retry included.",
)
@click.option(
    "--apply", "apply_", is_flag=True, help="Make the changes (default: only print the plan)."
)
@now_option
@click.pass_obj
def sync(
    ctx: Context,
    tool: str,
    from_text: str | None,
    to_text: str | None,
    team: str,
    rotation: str,
    schedule_id: str,
    users_file: Path | None,
    fallback: str | None,
    tool_rotation: str | None,
    api_url: str | None,
    insecure_http: bool,
    timeout: float,
    apply_: bool,
    now_text: str | None,
) -> None:
    """Make the paging tool's schedule hold the window's shifts of one rotation.

    Reads what the tool holds, prints what it would create, delete and leave unchanged,
    and changes the tool only with --apply; a second run changes nothing. The API token
    comes from ROTA_PAGERDUTY_TOKEN or ROTA_OPSGENIE_TOKEN; GoAlert binds each API key to
    one query, so it takes two: ROTA_GOALERT_READ_KEY and, for --apply,
    ROTA_GOALERT_WRITE_KEY (see --print-queries). Every failed item is listed and the
    command exits 1.
    """
    import os
    from dataclasses import replace

    from generator.integrations import sync as s
    from generator.integrations.common import ExportRefused, assignments, tool_users_by_email

    org, now = load(ctx, now_text)
    check_person(org, fallback)
    start, end = window(org, now, from_text, to_text, now, now + timedelta(days=14))
    shifts = _selected_shifts(ctx, org, team, rotation, start, end)
    if tool == "goalert":
        read_key = os.environ.get("ROTA_GOALERT_READ_KEY", "")
        write_key = os.environ.get("ROTA_GOALERT_WRITE_KEY", "") or None
        if not read_key:
            raise click.UsageError(
                "set ROTA_GOALERT_READ_KEY (and ROTA_GOALERT_WRITE_KEY to --apply): GoAlert "
                "binds an API key to one query; `rota sync goalert --print-queries` prints "
                "the query to create each key with"
            )
        if apply_ and write_key is None:
            raise click.UsageError(
                "--apply needs ROTA_GOALERT_WRITE_KEY: a GoAlert API key created with the "
                "setTemporarySchedule query (`rota sync goalert --print-queries`)"
            )
        token, secrets = read_key, [read_key, write_key or ""]
    else:
        token = os.environ.get(s.TOKEN_ENV[tool], "")
        if not token:
            raise click.UsageError(f"set {s.TOKEN_ENV[tool]} to the {tool} API token")
        secrets = [token]
    base = api_url or s.DEFAULT_URL.get(tool)
    if base is None:
        raise click.UsageError(f"give --api-url: where your {tool} answers")
    try:
        base = s.check_url(base, insecure_http)
    except s.UnsafeUrl as exc:
        raise click.BadParameter(str(exc), param_hint="--api-url") from None
    users = _export_users(tool, users_file)
    if tool == "goalert" and users is None:
        raise click.UsageError("goalert names users by id: give --users FILE")
    client: Any
    headers = {
        "pagerduty": s.PagerDuty.headers,
        "opsgenie": s.Opsgenie.headers,
        "goalert": s.GoAlert.headers,
    }[tool](token)
    api = s.Api(base, headers, timeout=timeout, secrets=secrets)
    try:
        if tool == "pagerduty":
            ledger = s.Ledger(ctx.root, tool, base, schedule_id, f"{team}/{rotation}")
            client = s.PagerDuty(api, schedule_id, ledger)
            if users is None:
                users = tool_users_by_email(client.users())
        elif tool == "opsgenie":
            client = s.Opsgenie(api, schedule_id, tool_rotation, team, rotation)
        else:
            client = s.GoAlert(api, schedule_id, start, end, read_key, write_key)
        emails = {p.id: p.email for p in org.people.values()}
        try:
            desired = assignments(shifts, emails, users, fallback)
        except ExportRefused as exc:
            for problem in exc.problems:
                click.echo(f"rota: error: {problem}", err=True)
            click.echo("rota: nothing changed", err=True)
            sys.exit(1)
        if tool == "goalert":
            desired = s.clip(desired, start, end)
        names = {uid: email for email, uid in (users or {}).items()}
        current = [replace(c, label=names.get(c.user, c.label)) for c in client.current(start, end)]
        plan = s.plan_sync(desired, current, start, end)
        name = TOOL_NAMES.get(tool, tool)
        for line in s.plan_lines(name, schedule_id, f"{team}/{rotation}", start, end, plan, apply_):
            click.echo(api.clean(line))
        if not apply_ or not plan.changes:
            return
        outcomes = client.apply(plan)
    except s.SyncFailed as exc:
        why = api.clean(str(exc))
        click.echo(f"rota: error: {tool}: {why}; nothing was changed by this step", err=True)
        sys.exit(1)
    finally:
        api.close()
    failed = [o for o in outcomes if not o.ok]
    for o in outcomes:
        click.echo(api.clean(s.outcome_line(o, start, end)), err=not o.ok)
    done = len(outcomes) - len(failed)
    click.echo(f"applied: {done} change(s) made, {len(failed)} failed")
    if failed:
        sys.exit(1)
