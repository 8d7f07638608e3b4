"""The ``rota`` command line: parse options, call the pipeline, print results.

Exit status: 0 success, 1 invalid input or a failed build, 2 usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from generator.errors import BuildFailed, InvalidInput, diagnostics_json

F = TypeVar("F", bound=Callable[..., Any])


def _fail(diagnostics: list[Any], fmt: str = "text") -> NoReturn:
    if fmt == "json":
        click.echo(diagnostics_json(diagnostics))
    for d in diagnostics:
        click.echo(str(d), err=True)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    click.echo(f"rota: {errors} error(s), {warnings} warning(s)", err=True)
    sys.exit(1)


def parse_instant(text: str, tz_name: str, now: datetime | None) -> datetime:
    """``now``, an ISO 8601 instant, or a local ``YYYY-MM-DD HH:MM`` in ``tz_name``."""
    from generator.timeutil import localize, zone

    if text == "now":
        return now if now is not None else datetime.now(UTC).replace(microsecond=0)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is not an instant: use now, 2026-12-24T09:00:00Z or '2026-12-24 09:00'"
        ) from None
    if value.tzinfo is None:
        value = localize(value, zone(tz_name))
    return value


class Context:
    def __init__(self, root: Path):
        self.root = root
        self._now_text: str | None = None

    def now(self, text: str | None, tz_name: str = "UTC") -> datetime:
        return parse_instant(text or "now", tz_name, None)


def _now_option(f: F) -> F:
    return click.option(
        "--now",
        "now_text",
        metavar="T",
        default=None,
        help="Fix the present (ISO 8601, 'YYYY-MM-DD HH:MM' in settings.timezone, or now).",
    )(f)


def _load(ctx: Context, now_text: str | None, strict: bool = False) -> tuple[Any, datetime]:
    from generator.pipeline import load_org

    provisional = parse_instant(now_text or "now", "UTC", None)
    try:
        loaded = load_org(ctx.root, provisional, strict=strict)
    except InvalidInput as exc:
        _fail(exc.diagnostics)
    now = parse_instant(now_text or "now", loaded.org.settings.timezone, None)
    for w in loaded.warnings:
        click.echo(str(w), err=True)
    return loaded.org, now


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The organisation's repository (holding rotations/ and runbooks/).",
)
@click.version_option(package_name="rota", prog_name="rota")
@click.pass_context
def cli(click_ctx: click.Context, root: Path) -> None:
    """Rota: on-call rotations, escalation and runbooks as code.

    Reads rotations/ and runbooks/ and builds an MkDocs site, iCal feeds and
    fairness and pay reports.
    """
    click_ctx.obj = Context(root)


@cli.command()
@click.option("--strict", is_flag=True, help="Fail on warnings too (stale runbooks, conflicts).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_now_option
@click.pass_obj
def validate(ctx: Context, strict: bool, fmt: str, now_text: str | None) -> None:
    """Check every input file and report all problems at once."""
    from generator.pipeline import horizon_schedule, load_org
    from generator.schedule.conflicts import find_conflicts

    provisional = parse_instant(now_text or "now", "UTC", None)
    try:
        loaded = load_org(ctx.root, provisional)
    except InvalidInput as exc:
        _fail(exc.diagnostics, fmt)
    org = loaded.org
    now = parse_instant(now_text or "now", org.settings.timezone, None)
    schedule = horizon_schedule(org, now)
    found = sorted([*loaded.warnings, *schedule.problems, *find_conflicts(org, schedule, now)])
    errors = [d for d in found if d.severity == "error"]
    if errors or (strict and found):
        _fail(found, fmt)
    if fmt == "json":
        click.echo(diagnostics_json(found))
    for d in found:
        click.echo(str(d), err=True)
    rotations = sum(len(t.rotations) for t in org.teams.values())
    click.echo(
        f"ok: {len(org.people)} people, {len(org.teams)} teams, {rotations} rotations, "
        f"{len(org.runbooks)} runbooks, {len(found)} warning(s)",
        err=fmt == "json",
    )


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: site/ under --root]",
)
@_now_option
@click.pass_obj
def build(ctx: Context, out: Path | None, now_text: str | None) -> None:
    """Validate, schedule and build the site with feeds, replacing the output atomically."""
    from generator.pipeline import build as run_build

    now = _resolve_now(ctx, now_text)
    target = out if out is not None else ctx.root / "site"
    try:
        loaded, schedule = run_build(ctx.root, target, now)
    except InvalidInput as exc:
        _fail(exc.diagnostics)
    except BuildFailed as exc:
        click.echo(f"rota: build failed: {exc}; {target} was left as it was", err=True)
        sys.exit(1)
    for w in loaded.warnings:
        click.echo(str(w), err=True)
    click.echo(f"built {target} ({len(schedule.shifts)} shifts) for {now.isoformat()}")


def _resolve_now(ctx: Context, now_text: str | None) -> datetime:
    """--now read in settings.timezone when it is local (needs a light read of settings)."""
    if now_text is None or now_text == "now":
        return parse_instant("now", "UTC", None)
    tz_name = _settings_zone(ctx.root)
    return parse_instant(now_text, tz_name, None)


def _settings_zone(root: Path) -> str:
    from generator.pipeline import load_org

    try:
        return load_org(root, datetime.now(UTC)).org.settings.timezone
    except InvalidInput:
        return "UTC"


@cli.command()
@click.option("--at", "at_text", metavar="T", default=None, help="The instant (default: now).")
@click.option("--team", default=None, help="Only this team.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@_now_option
@click.pass_obj
def who(
    ctx: Context, at_text: str | None, team: str | None, fmt: str, now_text: str | None
) -> None:
    """Who is on call at an instant."""
    from generator.render.text import who_document, who_table
    from generator.schedule.resolve import compute_schedule

    org, now = _load(ctx, now_text)
    at = parse_instant(at_text, org.settings.timezone, now) if at_text else now
    _check_team(org, team)
    from datetime import timedelta

    schedule = compute_schedule(org, at, at + timedelta(seconds=1))
    doc = who_document(org, schedule, at, team)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(who_table(org, doc))


def _check_team(org: Any, team: str | None) -> None:
    from generator.errors import did_you_mean

    if team is not None and team not in org.teams:
        raise click.BadParameter(
            f"no team '{team}'{did_you_mean(team, org.teams)}", param_hint="--team"
        )


def _check_person(org: Any, person: str | None) -> None:
    from generator.errors import did_you_mean

    if person is not None and person not in org.people:
        raise click.BadParameter(
            f"no person '{person}'{did_you_mean(person, org.people)}", param_hint="--person"
        )


@cli.command()
@click.option("--team", default=None, help="Only this team.")
@click.option("--person", default=None, help="Only this person.")
@click.option("--from", "from_text", metavar="T", default=None, help="Window start (default: now).")
@click.option(
    "--to",
    "to_text",
    metavar="T",
    default=None,
    help="Window end (default: now + settings.horizon).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@_now_option
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
    from generator.schedule.resolve import compute_schedule

    org, now = _load(ctx, now_text)
    _check_team(org, team)
    _check_person(org, person)
    start = parse_instant(from_text, org.settings.timezone, now) if from_text else now
    end = (
        parse_instant(to_text, org.settings.timezone, now)
        if to_text
        else now + org.settings.horizon
    )
    if end <= start:
        raise click.BadParameter("--to must be after --from", param_hint="--to")
    sched = compute_schedule(org, start, end)
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


@cli.command()
@click.option("--person", default=None, help="Only this person's feed.")
@click.option("--team", default=None, help="Only this team's feed.")
@_now_option
@click.pass_obj
def ical(ctx: Context, person: str | None, team: str | None, now_text: str | None) -> None:
    """Print a person's or a team's iCal feed to standard output."""
    from generator.pipeline import horizon_schedule
    from generator.render.ical import person_feed, team_feed

    if (person is None) == (team is None):
        raise click.UsageError("give exactly one of --person ID or --team ID")
    org, now = _load(ctx, now_text)
    _check_team(org, team)
    _check_person(org, person)
    sched = horizon_schedule(org, now)
    data = (
        person_feed(org, sched, person, now) if person else team_feed(org, sched, team or "", now)
    )
    sys.stdout.buffer.write(data)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Write a new organisation skeleton into DIRECTORY (which must be empty or new)."""
    from generator.skeleton import write_skeleton

    if directory.exists() and any(directory.iterdir()):
        raise click.UsageError(f"{directory} is not empty; choose a new or empty folder")
    written = write_skeleton(directory)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: rota --root {directory} build")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the files under rotations/ (for editor completion)."""
    from generator.spec import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
