"""Commands that check and publish: validate, build, serve, plan, init, schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from generator.cli.common import (
    CONTEXT,
    Context,
    fail,
    format_option,
    load,
    load_all,
    now_option,
    parse_instant,
)
from generator.errors import BuildFailed, InvalidInput, diagnostics_json


@click.command(context_settings=CONTEXT)
@click.option("--strict", is_flag=True, help="Fail on warnings too (stale runbooks, conflicts).")
@format_option("text", "json")
@now_option
@click.pass_obj
def validate(ctx: Context, strict: bool, fmt: str, now_text: str | None) -> None:
    """Check every input file and report all problems at once."""
    from generator.pipeline import load_org
    from generator.schedule.breaches import breach_diagnostics, find_breaches
    from generator.schedule.conflicts import find_conflicts
    from generator.schedule.resolve import uncovered_diagnostics

    provisional = parse_instant(now_text or "now", "UTC", None)
    try:
        loaded = load_org(ctx.root, provisional)
    except InvalidInput as exc:
        fail(exc.diagnostics, fmt)
    org = loaded.org
    now = parse_instant(now_text or "now", org.settings.timezone, None)
    schedule = loaded.horizon(now)
    found = sorted(
        [
            *loaded.warnings,
            *uncovered_diagnostics(org, schedule, now),
            *find_conflicts(org, schedule, now),
            # breaches of the on-call rules still to come (and pages, which are past)
            *breach_diagnostics(
                org,
                [
                    b
                    for b in find_breaches(org, schedule)
                    if b.end_at > now or b.rule.name == "max_pages_per_shift"
                ],
            ),
        ]
    )
    errors = [d for d in found if d.severity == "error"]
    if errors or (strict and found):
        fail(found, fmt)
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


@click.command(context_settings=CONTEXT)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: site/ under --root]",
)
@click.option(
    "--offline/--no-offline",
    default=None,
    help="Build a site that works opened from disk (file://): .html links, search and "
    "live 'on call now' without a server.  [default: settings.site.offline]",
)
@now_option
@click.pass_obj
def build(ctx: Context, out: Path | None, offline: bool | None, now_text: str | None) -> None:
    """Validate, schedule and build the site with feeds, replacing the output atomically.

    Shows each stage with its counts on standard error (one line per stage when
    standard error is not a terminal, as in CI logs). A shift nobody can take is
    printed as a warning and published as uncovered."""
    from generator.pipeline import build_loaded

    _, now, loaded = load_all(ctx, now_text)
    target = out if out is not None else ctx.root / "site"
    try:
        shifts = build_loaded(loaded, ctx.root, target, now, _progress(), offline=offline)
    except InvalidInput as exc:
        fail(exc.diagnostics)
    except BuildFailed as exc:
        click.echo(f"rota: build failed: {exc}; {target} was left as it was", err=True)
        sys.exit(1)
    click.echo(f"built {target} ({shifts} shifts) for {now.isoformat()}")


def _progress() -> Any:
    """Build progress on standard error: on a terminal one line rewritten as stages
    start and end, elsewhere (CI logs) one line per finished stage."""
    import time

    from generator.pipeline import Progress

    tty = sys.stderr.isatty()

    class Printed(Progress):
        def __init__(self) -> None:
            self.started = time.perf_counter()
            self.live = False

        def start(self, stage: str) -> None:
            self.started = time.perf_counter()
            if tty:
                click.echo(f"\r\x1b[K{stage}: ...", err=True, nl=False)
                self.live = True

        def done(self, stage: str, detail: str) -> None:
            took = time.perf_counter() - self.started
            line = f"{stage}: {detail} ({took:.1f} s)"
            click.echo(f"\r\x1b[K{line}" if tty else line, err=True)
            self.live = False

        def warn(self, diagnostic: Any) -> None:
            click.echo(("\r\x1b[K" if tty and self.live else "") + str(diagnostic), err=True)
            self.live = False

    return Printed()


@click.command(context_settings=CONTEXT)
@click.option(
    "--until",
    "until_text",
    metavar="T",
    default=None,
    help="Lock shifts starting before T (default: now + settings.freeze).",
)
@now_option
@click.pass_obj
def plan(ctx: Context, until_text: str | None, now_text: str | None) -> None:
    """Extend rotations/assignments.lock.yaml: lock shifts up to --until, keep the rest
    as the tentative plan. Locked shifts never move; re-running changes nothing."""
    from generator.lockfile import LOCK_PATH, plan_lock, render_lock, write_lock
    from generator.timeutil import iso

    org, now = load(ctx, now_text)
    until = (
        parse_instant(until_text, org.settings.timezone, now)
        if until_text
        else now + org.settings.freeze
    )
    if until < now:
        raise click.BadParameter("--until must not be in the past", param_hint="--until")
    plan_end = max(until, now + org.settings.horizon)
    sched = ctx.schedule(now - org.settings.history, plan_end)
    until_at, locked, tentative, unassigned = plan_lock(
        org.lock, sched.slots, sched.picks, now - org.settings.history, until, plan_end
    )
    if unassigned:
        for slot in unassigned:
            click.echo(
                f"rota: error: nobody can take {slot.team}/{slot.rotation} from "
                f"{iso(slot.start_at)} to {iso(slot.end_at)}: add an override, then plan again",
                err=True,
            )
        click.echo(f"rota: nothing written; {len(unassigned)} shift(s) cannot be locked", err=True)
        sys.exit(1)
    write_lock(ctx.root, render_lock(until_at, locked, tentative))
    added = len(locked) - len(org.lock.shifts)
    click.echo(
        f"wrote {LOCK_PATH}: {len(locked)} locked shift(s) ({added} new), "
        f"{len(tentative)} tentative, locked until {iso(min(until_at.values(), default=until))}"
    )


@click.command(context_settings=CONTEXT)
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


@click.command(context_settings=CONTEXT)
@click.option(
    "--dev-addr",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="HOST:PORT",
    help="Where the preview listens.",
)
@now_option
@click.pass_obj
def serve(ctx: Context, dev_addr: str, now_text: str | None) -> None:
    """Preview the site, rebuilding and reloading when rotations/, runbooks/ or templates change.

    Without --now each rebuild reads the clock, so "now" stays current while you edit.
    """
    from generator.publish.site import serve_site

    _, now = load(ctx, now_text)
    serve_site(ctx.root.resolve(), now if now_text else None, dev_addr)


@click.command(context_settings=CONTEXT)
def schema() -> None:
    """Print the JSON Schema of the files under rotations/ (for editor completion)."""
    from generator.spec import json_schema

    click.echo(json.dumps(json_schema(), indent=2))
