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
        self.loaded: Any = None  # the organisation as loaded (pipeline.Loaded)

    def schedule(self, start: datetime, end: datetime) -> Any:
        """The schedule of the loaded organisation, its plan kept between runs."""
        return self.loaded.schedule(start, end)

    def horizon(self, now: datetime) -> Any:
        return self.loaded.horizon(now)


def _now_option(f: F) -> F:
    return click.option(
        "--now",
        "now_text",
        metavar="T",
        default=None,
        help="Fix the present (ISO 8601, 'YYYY-MM-DD HH:MM' in settings.timezone, or now).",
    )(f)


def _format_option(*choices: str) -> Callable[[F], F]:
    """``--format``, defaulting to the first choice."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
    )


def _window_options(from_help: str, to_help: str) -> Callable[[F], F]:
    """``--from T`` and ``--to T``: the window of a report."""

    def decorate(f: F) -> F:
        f = click.option("--to", "to_text", metavar="T", default=None, help=to_help)(f)
        return click.option("--from", "from_text", metavar="T", default=None, help=from_help)(f)

    return decorate


# a query (who, schedule, ...) prints this many warnings one by one; more are summed up
QUERY_WARNINGS = 0


def _load(ctx: Context, now_text: str | None, lock: bool = True) -> tuple[Any, datetime]:
    """Load for a query: one summary line for warnings, ``rota validate`` lists them all."""
    org, now, _ = _load_all(ctx, now_text, lock=lock, show=QUERY_WARNINGS)
    return org, now


def warnings_summary(warnings: Any) -> str:
    """``rota: 14 warnings (12 stale runbooks, 2 other); 'rota validate' lists them``."""
    stale = sum(1 for w in warnings if w.message.startswith(("runbook is stale", "runbook has no")))
    kinds = [f"{stale} stale runbook{'s' if stale != 1 else ''}"] if stale else []
    if len(warnings) - stale:
        kinds.append(f"{len(warnings) - stale} other")
    return (
        f"rota: {len(warnings)} warning{'s' if len(warnings) != 1 else ''} "
        f"({', '.join(kinds)}); 'rota validate' lists them"
    )


def _load_all(
    ctx: Context,
    now_text: str | None,
    lock: bool = True,
    show: int | None = None,
) -> tuple[Any, datetime, Any]:
    """Load the organisation once; --now is read in its settings.timezone.

    ``show``: how many warnings to print (None: all)."""
    from generator.pipeline import load_org

    provisional = parse_instant(now_text or "now", "UTC", None)
    try:
        loaded = load_org(ctx.root, provisional, lock=lock)
    except InvalidInput as exc:
        _fail(exc.diagnostics)
    now = parse_instant(now_text or "now", loaded.org.settings.timezone, None)
    warnings = loaded.warnings
    if show is None or len(warnings) <= show:
        for w in warnings:
            click.echo(str(w), err=True)
    else:
        click.echo(warnings_summary(warnings), err=True)
    ctx.loaded = loaded
    return loaded.org, now, loaded


# every command carries these, so "-h" works (and help reads the same) however it is called
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
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


@cli.command(context_settings=CONTEXT)
@click.option("--strict", is_flag=True, help="Fail on warnings too (stale runbooks, conflicts).")
@_format_option("text", "json")
@_now_option
@click.pass_obj
def validate(ctx: Context, strict: bool, fmt: str, now_text: str | None) -> None:
    """Check every input file and report all problems at once."""
    from generator.pipeline import load_org
    from generator.schedule.conflicts import find_conflicts
    from generator.schedule.resolve import uncovered_diagnostics

    provisional = parse_instant(now_text or "now", "UTC", None)
    try:
        loaded = load_org(ctx.root, provisional)
    except InvalidInput as exc:
        _fail(exc.diagnostics, fmt)
    org = loaded.org
    now = parse_instant(now_text or "now", org.settings.timezone, None)
    schedule = loaded.horizon(now)
    found = sorted(
        [
            *loaded.warnings,
            *uncovered_diagnostics(org, schedule, now),
            *find_conflicts(org, schedule, now),
        ]
    )
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


@cli.command(context_settings=CONTEXT)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: site/ under --root]",
)
@_now_option
@click.pass_obj
def build(ctx: Context, out: Path | None, now_text: str | None) -> None:
    """Validate, schedule and build the site with feeds, replacing the output atomically.

    Shows each stage with its counts on standard error (one line per stage when
    standard error is not a terminal, as in CI logs). A shift nobody can take is
    printed as a warning and published as uncovered."""
    from generator.pipeline import build_loaded

    _, now, loaded = _load_all(ctx, now_text)
    target = out if out is not None else ctx.root / "site"
    try:
        shifts = build_loaded(loaded, ctx.root, target, now, _progress())
    except InvalidInput as exc:
        _fail(exc.diagnostics)
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


@cli.command(context_settings=CONTEXT)
@click.option("--at", "at_text", metavar="T", default=None, help="The instant (default: now).")
@click.option("--team", default=None, help="Only this team.")
@_format_option("table", "json")
@_now_option
@click.pass_obj
def who(
    ctx: Context, at_text: str | None, team: str | None, fmt: str, now_text: str | None
) -> None:
    """Who is on call at an instant."""
    from generator.render.text import who_document, who_table

    # the lock file is read only if the plan is not kept from an earlier run
    org, now = _load(ctx, now_text, lock=False)
    at = parse_instant(at_text, org.settings.timezone, now) if at_text else now
    _check_team(org, team)
    from datetime import timedelta

    schedule = ctx.schedule(at, at + timedelta(seconds=1))
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


def _window(
    org: Any,
    now: datetime,
    from_text: str | None,
    to_text: str | None,
    default_start: datetime,
    default_end: datetime,
) -> tuple[datetime, datetime]:
    """The window of ``--from``/``--to`` (read in settings.timezone), or the defaults."""
    tz = org.settings.timezone
    start = parse_instant(from_text, tz, now) if from_text else default_start
    end = parse_instant(to_text, tz, now) if to_text else default_end
    if end <= start:
        raise click.BadParameter("--to must be after --from", param_hint="--to")
    return start, end


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


@cli.command(context_settings=CONTEXT)
@click.option("--team", default=None, help="Only this team.")
@click.option("--person", default=None, help="Only this person.")
@_window_options(
    "Window start (default: now).",
    "Window end (default: now + settings.horizon).",
)
@_format_option("table", "json", "csv")
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

    org, now = _load(ctx, now_text)
    _check_team(org, team)
    _check_person(org, person)
    start, end = _window(org, now, from_text, to_text, now, now + org.settings.horizon)
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


@cli.command(context_settings=CONTEXT)
@click.option("--person", default=None, help="Only this person's feed.")
@click.option("--team", default=None, help="Only this team's feed.")
@click.option(
    "--url",
    "show_url",
    is_flag=True,
    help="Print the feed's subscription address instead of the feed (with feeds.secret, "
    "the address to hand to that person only).",
)
@_now_option
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
    org, now = _load(ctx, now_text)
    _check_team(org, team)
    _check_person(org, person)
    try:
        org = with_feed_key(org, feed_key_from_env())
        state = read_state(ctx.root)
    except InvalidInput as exc:
        _fail(exc.diagnostics)
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


@cli.command(context_settings=CONTEXT)
@click.option("--person", default=None, help="Only this person.")
@_window_options(
    "Window start (default: the first of the month settings.history ago).",
    "Window end (default: the end of the month settings.horizon ahead).",
)
@_format_option("table", "json", "csv")
@_now_option
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

    org, now = _load(ctx, now_text)
    _check_person(org, person)
    default_start, default_end = pay_window(org, now)
    start, end = _window(org, now, from_text, to_text, default_start, default_end)
    report = compute_pay(org, ctx.schedule(start, end), start, end)
    if person is not None:
        report = replace(report, people=tuple(p for p in report.people if p.person == person))
    if fmt == "json":
        click.echo(json.dumps(pay_document(report), indent=2))
    elif fmt == "csv":
        sys.stdout.buffer.write(pay_csv(report).encode())
    else:
        click.echo(pay_table(report))


@cli.command(context_settings=CONTEXT)
@click.option("--team", required=True, help="The team.")
@click.option("--rotation", default=None, help="Only this rotation (default: each of the team's).")
@click.option(
    "--at",
    "at_text",
    metavar="T",
    default=None,
    help="Show the first handoff at or after T (default: now).",
)
@_format_option("markdown", "json")
@_now_option
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
    from generator.errors import did_you_mean
    from generator.reports.handoff import compute_handoff, handoff_json, handoff_markdown

    org, now = _load(ctx, now_text)
    _check_team(org, team)
    rotation_ids = [r.id for r in org.teams[team].rotations]
    if rotation is not None and rotation not in rotation_ids:
        raise click.BadParameter(
            f"no rotation '{rotation}' in team '{team}'{did_you_mean(rotation, rotation_ids)}",
            param_hint="--rotation",
        )
    at = parse_instant(at_text, org.settings.timezone, now) if at_text else now
    sched = ctx.schedule(at - org.settings.history, at + org.settings.horizon)
    found = []
    for rid in [rotation] if rotation else rotation_ids:
        h = compute_handoff(org, sched, f"{team}/{rid}", at)
        if h is None:
            click.echo(f"no handoff of {team}/{rid} within the horizon after {at_text}", err=True)
        else:
            found.append(h)
    if fmt == "json":
        click.echo(json.dumps({"handoffs": [handoff_json(h) for h in found]}, indent=2))
    else:
        click.echo("\n".join(handoff_markdown(h, level=1) for h in found), nl=False)


@cli.command(context_settings=CONTEXT)
@click.option("--team", default=None, help="Only this team.")
@_window_options(
    "Window start (default: now - settings.history).",
    "Window end (default: now + settings.horizon).",
)
@_format_option("table", "json", "csv")
@_now_option
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

    org, now = _load(ctx, now_text)
    _check_team(org, team)
    start, end = _window(
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


@cli.command(context_settings=CONTEXT)
@click.option("--team", required=True, help="The team.")
@click.option("--rotation", "rotation_id", required=True, help="The rotation of that team.")
@click.option(
    "--at", "at_text", metavar="T", default=None, help="An instant in the shift (default: now)."
)
@_format_option("table", "json")
@_now_option
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
    from generator.errors import did_you_mean
    from generator.schedule.cover import cover_candidates
    from generator.timeutil import iso

    org, now = _load(ctx, now_text)
    _check_team(org, team)
    rotation = org.teams[team].rotation(rotation_id)
    if rotation is None:
        known = [r.id for r in org.teams[team].rotations]
        raise click.BadParameter(
            f"no rotation '{rotation_id}' in team '{team}'{did_you_mean(rotation_id, known)}",
            param_hint="--rotation",
        )
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
        [n, org.people[c.person].name, c.person, f"{c.load_before:+.2f}", f"{c.load_after:+.2f}"]
        for n, c in enumerate(candidates, 1)
    ]
    click.echo("\n" + table(["RANK", "NAME", "PERSON", "DEVIATION NOW", "IF THEY COVER"], rows))


@cli.command(context_settings=CONTEXT)
@click.option(
    "--until",
    "until_text",
    metavar="T",
    default=None,
    help="Lock shifts starting before T (default: now + settings.freeze).",
)
@_now_option
@click.pass_obj
def plan(ctx: Context, until_text: str | None, now_text: str | None) -> None:
    """Extend rotations/assignments.lock.yaml: lock shifts up to --until, keep the rest
    as the tentative plan. Locked shifts never move; re-running changes nothing."""
    from generator.lockfile import LOCK_PATH, plan_lock, render_lock, write_lock
    from generator.timeutil import iso

    org, now = _load(ctx, now_text)
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


@cli.command(context_settings=CONTEXT)
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


@cli.command(context_settings=CONTEXT)
@click.option(
    "--dev-addr",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="HOST:PORT",
    help="Where the preview listens.",
)
@_now_option
@click.pass_obj
def serve(ctx: Context, dev_addr: str, now_text: str | None) -> None:
    """Preview the site, rebuilding and reloading when rotations/, runbooks/ or templates change.

    Without --now each rebuild reads the clock, so "now" stays current while you edit.
    """
    from generator.publish.site import serve_site

    _, now = _load(ctx, now_text)
    serve_site(ctx.root.resolve(), now if now_text else None, dev_addr)


@cli.command(context_settings=CONTEXT)
def schema() -> None:
    """Print the JSON Schema of the files under rotations/ (for editor completion)."""
    from generator.spec import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


def main() -> None:
    import os

    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, never dump a traceback on users
        if os.environ.get("ROTA_DEBUG"):
            raise
        click.echo(
            f"rota: internal error: {type(exc).__name__}: {exc} "
            "(run again with ROTA_DEBUG=1 for details, and please report it)",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
