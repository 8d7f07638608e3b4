"""The ``rota`` command line: parse options, call the pipeline, print results.

Exit status: 0 success, 1 invalid input or a failed build, 2 usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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
    """``now``, ``+14d`` (after now), an ISO 8601 instant, or a local ``YYYY-MM-DD HH:MM``
    in ``tz_name``."""
    from generator.timeutil import localize, zone

    if text == "now":
        return now if now is not None else datetime.now(UTC).replace(microsecond=0)
    if text.startswith("+"):  # +14d: that long after now
        from generator.timeutil import parse_duration

        base = now if now is not None else datetime.now(UTC).replace(microsecond=0)
        try:
            return base + parse_duration(text[1:])
        except ValueError:
            raise click.BadParameter(
                f"'{text}' is not a time after now: use +30m, +12h, +14d or +2w"
            ) from None
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
        envvar="ROTA_NOW",
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
    kinds_of = (
        ("stale runbook", "stale runbooks", ("runbook is stale", "runbook has no")),
        ("overdue postmortem", "overdue postmortems", ("incident ",)),
        ("uncovered shift", "uncovered shifts", ("uncovered shift",)),
    )
    counted = 0
    kinds = []
    for one, many, prefixes in kinds_of:
        n = sum(
            1
            for w in warnings
            if w.message.startswith(prefixes)
            and (prefixes != ("incident ",) or "needed a reviewed postmortem" in w.message)
        )
        if n:
            kinds.append(f"{n} {one if n == 1 else many}")
            counted += n
    if len(warnings) - counted:
        kinds.append(f"{len(warnings) - counted} other")
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
@click.option("--team", default=None, help="Only this team's incidents.")
@_window_options(
    "Count incidents that started at or after T (default: now - settings.history).",
    "... and before T (default: now).",
)
@_format_option("table", "json", "csv")
@_now_option
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

    org, now = _load(ctx, now_text)
    _check_team(org, team)
    default_start, default_end = incidents_window(org, now)
    start, end = _window(org, now, from_text, to_text, default_start, default_end)
    report = compute_incidents(org, ctx.schedule(start, end), start, end, now, team)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2))
    elif fmt == "csv":
        sys.stdout.buffer.write(incidents_csv(report).encode())
    else:
        click.echo(incidents_table(org, report), nl=False)


@cli.command(context_settings=CONTEXT)
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
@_format_option("table", "json", "csv")
@_now_option
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

    org, now = _load(ctx, now_text, lock=False)
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


@cli.group(context_settings=CONTEXT)
def postmortem() -> None:
    """Postmortems under postmortems/."""


@postmortem.command("new", context_settings=CONTEXT)
@click.argument("incident_id", metavar="INC-ID")
@_now_option
@click.pass_obj
def postmortem_new(ctx: Context, incident_id: str, now_text: str | None) -> None:
    """Write postmortems/INC-ID.md from the template (postmortems/_template.md, else the
    packaged one), with the summary and timeline marks filled from the incident log."""
    from importlib.resources import files

    from generator.errors import did_you_mean
    from generator.render.review import postmortem_text

    org, _ = _load(ctx, now_text, lock=False)
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
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target} (status: draft); fill it in, then 'rota validate'")


@cli.command(context_settings=CONTEXT)
def schema() -> None:
    """Print the JSON Schema of the files under rotations/ (for editor completion)."""
    from generator.spec import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


# --- paging tools: import, export, sync ------------------------------------------------


def _read_json(files: tuple[Path, ...]) -> list[Any]:
    """The saved JSON files as located documents; a bad one exits 1 naming FILE."""
    from generator.integrations.common import BadExport, parse_json

    docs = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
            docs.append(parse_json(str(path), text))
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"{path}: error: cannot read it: {exc}", err=True)
            sys.exit(1)
        except BadExport as exc:
            _bad_export(exc)
    return docs


def _bad_export(exc: Any) -> NoReturn:
    from generator.errors import printable

    click.echo(f"{exc.file}: error: at {exc.path}: {printable(exc.message)}", err=True)
    sys.exit(1)


def _imported_schedule(yaml_text: str, now: datetime, start: datetime, end: datetime) -> Any:
    """Rota's schedule of the imported YAML alone (a throwaway organisation)."""
    import tempfile

    from generator.pipeline import load_org

    with tempfile.TemporaryDirectory(prefix="rota-import-") as tmp:
        (Path(tmp) / "rotations").mkdir()
        (Path(tmp) / "rotations" / "imported.yaml").write_text(yaml_text, encoding="utf-8")
        try:
            loaded = load_org(Path(tmp), now, lock=False)
        except InvalidInput as exc:
            for d in exc.diagnostics:
                click.echo(f"rota: internal error: the imported YAML is invalid: {d}", err=True)
            sys.exit(1)
        return loaded.schedule(start, end)


def _check_import(imp: Any, yaml_text: str, now: datetime) -> int:
    """Compare the tool's rendered shifts with Rota's; the number of unexplained differences."""
    from generator.integrations.common import Entry, compare_timelines, explain

    if not imp.rendered:
        click.echo(
            "rota: error: the saved JSON holds no rendered shifts to check against (PagerDuty: "
            "GET /schedules/ID?since=...&until=...; Opsgenie: GET /v2/schedules/ID/timeline; "
            "Grafana: GET /api/v1/schedules/ID/final_shifts)",
            err=True,
        )
        return 1
    tz = imp.timezone
    unexplained = 0
    sched = _imported_schedule(
        yaml_text,
        now,
        min(r.start_at for r in imp.rendered),
        max(r.end_at for r in imp.rendered),
    )
    for rendered in imp.rendered:
        start, end = rendered.start_at, rendered.end_at
        rotation = rendered.entries[0].rotation
        ours = [
            Entry(s.person, s.start_at, s.end_at, s.rotation)
            for s in sched.shifts
            if s.team == imp.team_id and (rotation is None or s.rotation == rotation)
        ]
        # a layer's own rendering leaves overrides out; Rota's rotation has them in
        ignore = [(o.start_at, o.end_at) for o in imp.overrides if rotation == o.rotation]
        diffs = explain(
            compare_timelines(rendered.entries, ours, start, end, rotation, ignore),
            imp,
            overlapping_rotations=rotation is None and len(imp.rotations) > 1,
        )
        span = f"{_local(start, tz)} to {_local(end, tz)} ({tz})"
        if not diffs:
            click.echo(f"same: {rendered.label}, {span}")
            continue
        click.echo(f"differs: {rendered.label}, {span}")
        for d in diffs:
            why = f"  [unsupported: {d.feature}]" if d.feature else ""
            click.echo(
                f"  {_local(d.start_at, tz)} to {_local(d.end_at, tz)}: "
                f"{TOOL_NAMES[imp.tool]} has {', '.join(d.theirs) or 'nobody'}; "
                f"Rota has {', '.join(d.ours) or 'nobody'}{why}"
            )
            unexplained += d.feature is None
    return unexplained


TOOL_NAMES = {
    "pagerduty": "PagerDuty",
    "goalert": "GoAlert",
    "opsgenie": "Opsgenie",
    "jsm": "Jira Service Management",
    "grafana": "Grafana OnCall",
}


def _local(at: datetime, tz_name: str) -> str:
    from generator.timeutil import zone

    return at.astimezone(zone(tz_name)).strftime("%a %Y-%m-%d %H:%M")


def _known_people(root: Path, now: datetime) -> dict[str, str]:
    """Lower-case e-mail → person id of the organisation at --root, if there is one."""
    from generator.pipeline import load_org

    if not (root / "rotations").is_dir():
        return {}
    try:
        org = load_org(root, now, lock=False).org
    except InvalidInput:
        return {}
    return {p.email.lower(): p.id for p in org.people.values() if p.email}


@cli.command("import", context_settings=CONTEXT)
@click.argument("tool", type=click.Choice(["pagerduty", "opsgenie", "grafana"]))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the YAML ('-': standard output).  [default: rotations/TEAM.yaml "
    "under --root]",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option(
    "--team",
    "team_id",
    default=None,
    help="Team id to import as (default: from the schedule's name).",
)
@click.option(
    "--jsm",
    is_flag=True,
    help="Opsgenie: the files come from Jira Service Management operations (same shapes).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing: compare the tool's rendered shifts in FILES with Rota's schedule of "
    "the import and list every difference (exit 1 if any is not explained by a feature "
    "Rota cannot express).",
)
@_now_option
@click.pass_obj
def import_(
    ctx: Context,
    tool: str,
    files: tuple[Path, ...],
    out: Path | None,
    force: bool,
    team_id: str | None,
    jsm: bool,
    check: bool,
    now_text: str | None,
) -> None:
    """Turn a paging tool's saved schedule JSON into Rota YAML.

    FILES are API responses saved as JSON, e.g. PagerDuty GET /schedules/ID (with
    since/until for the check) and GET /users; Opsgenie GET /v2/schedules/ID and its
    /timeline; Grafana OnCall GET /api/v1/schedules/ID, /on_call_shifts, /users and
    /final_shifts. Rotations keep assignment: round-robin, so nobody's turn moves.
    """
    from generator.integrations.common import BadExport, imported_yaml, slugify
    from generator.integrations.grafana import import_grafana
    from generator.integrations.opsgenie import import_opsgenie
    from generator.integrations.pagerduty import import_pagerduty

    if team_id is not None and slugify(team_id) != team_id:
        raise click.BadParameter(f"'{team_id}' is not a slug such as payments", param_hint="--team")
    now = parse_instant(now_text or "now", "UTC", None)
    docs = _read_json(files)
    try:
        if tool == "pagerduty":
            imp = import_pagerduty(docs, team_id)
        elif tool == "opsgenie":
            imp = import_opsgenie(docs, team_id, jsm=jsm)
        else:
            imp = import_grafana(docs, team_id)
    except BadExport as exc:
        _bad_export(exc)
    standalone = imported_yaml(imp)
    for feature, detail in imp.unsupported:
        click.echo(f"rota: unsupported: {feature}: {detail}", err=True)
    if check:
        unexplained = _check_import(imp, standalone, now)
        if unexplained:
            click.echo(f"rota: {unexplained} difference(s) not explained", err=True)
            sys.exit(1)
        return
    _imported_schedule(standalone, now, now, now + timedelta(days=1))  # proves it valid
    text = imported_yaml(imp, _known_people(ctx.root, now))
    if out is not None and str(out) == "-":
        click.echo(text, nl=False)
        return
    target = out if out is not None else ctx.root / "rotations" / f"{imp.team_id}.yaml"
    if target.exists() and not force:
        click.echo(f"rota: error: {target} exists; give --force to overwrite it", err=True)
        sys.exit(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(
        f"wrote {target}: team {imp.team_id}, {len(imp.rotations)} rotation(s), "
        f"{len(imp.people)} people, {len(imp.overrides)} override(s)"
    )


def _export_users(tool: str, users_file: Path | None) -> dict[str, str] | None:
    from generator.integrations import goalert, pagerduty
    from generator.integrations.common import BadExport, tool_users_by_email

    if users_file is None:
        return None
    (doc,) = _read_json((users_file,))
    try:
        pairs = (goalert if tool == "goalert" else pagerduty).users_by_email(doc)
    except BadExport as exc:
        _bad_export(exc)
    return tool_users_by_email(pairs)


def _selected_shifts(
    ctx: Context, org: Any, team: str | None, rotation: str | None, start: datetime, end: datetime
) -> list[Any]:
    from generator.errors import did_you_mean

    _check_team(org, team)
    if rotation is not None:
        if team is None:
            raise click.UsageError("--rotation needs --team")
        known = [r.id for r in org.teams[team].rotations]
        if rotation not in known:
            raise click.BadParameter(
                f"no rotation '{rotation}' in team '{team}'{did_you_mean(rotation, known)}",
                param_hint="--rotation",
            )
    return [
        s
        for s in ctx.schedule(start, end).window(start, end)
        if (team is None or s.team == team) and (rotation is None or s.rotation == rotation)
    ]


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
                default=None,
                help="The tool's users saved as JSON (PagerDuty GET /users, GoAlert users "
                "query): people are matched by e-mail.",
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


@cli.command(context_settings=CONTEXT)
@click.argument("tool", type=click.Choice(["pagerduty", "goalert", "opsgenie", "incident-io"]))
@_window_options("Window start (default: now).", "Window end (default: now + 14 days).")
@_export_options
@click.option(
    "--time-zone",
    default="UTC",
    show_default=True,
    help="PagerDuty: the override bodies' time_zone.",
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
@_now_option
@click.pass_obj
def export(
    ctx: Context,
    tool: str,
    from_text: str | None,
    to_text: str | None,
    team: str | None,
    rotation: str | None,
    users_file: Path | None,
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

    org, now = _load(ctx, now_text)
    _check_person(org, fallback)
    start, end = _window(org, now, from_text, to_text, now, now + timedelta(days=14))
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
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for key, value in bodies.items():
            path = out_dir / (key.replace("/", "-") + ".json")
            path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
            click.echo(f"wrote {path}")
        return
    if bare:
        click.echo(json.dumps(next(iter(bodies.values())), indent=2))
    else:
        click.echo(json.dumps(bodies, indent=2))


@cli.command(context_settings=CONTEXT)
@click.argument("tool", type=click.Choice(["pagerduty", "opsgenie", "goalert"]))
@_window_options("Window start (default: now).", "Window end (default: now + 14 days).")
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
@click.option("--api-url", metavar="URL", default=None, help="The tool's API address.")
@click.option(
    "--apply", "apply_", is_flag=True, help="Make the changes (default: only print the plan)."
)
@_now_option
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
    apply_: bool,
    now_text: str | None,
) -> None:
    """Make the paging tool's schedule hold the window's shifts of one rotation.

    Reads what the tool holds, prints what it would create, delete and leave unchanged,
    and changes the tool only with --apply; a second run changes nothing. The API token
    comes from ROTA_PAGERDUTY_TOKEN, ROTA_OPSGENIE_TOKEN or ROTA_GOALERT_TOKEN. Every
    failed item is listed and the command exits 1.
    """
    import os
    from dataclasses import replace

    from generator.integrations import sync as s
    from generator.integrations.common import ExportRefused, assignments, tool_users_by_email

    org, now = _load(ctx, now_text)
    _check_person(org, fallback)
    start, end = _window(org, now, from_text, to_text, now, now + timedelta(days=14))
    shifts = _selected_shifts(ctx, org, team, rotation, start, end)
    token = os.environ.get(s.TOKEN_ENV[tool], "")
    if not token:
        raise click.UsageError(f"set {s.TOKEN_ENV[tool]} to the {tool} API token")
    base = api_url or s.DEFAULT_URL.get(tool)
    if base is None:
        raise click.UsageError(f"give --api-url: where your {tool} answers")
    users = _export_users(tool, users_file)
    if tool == "goalert" and users is None:
        raise click.UsageError("goalert names users by id: give --users FILE")
    client: Any
    headers = {
        "pagerduty": s.PagerDuty.headers,
        "opsgenie": s.Opsgenie.headers,
        "goalert": s.GoAlert.headers,
    }[tool](token)
    api = s.Api(base, headers)
    try:
        if tool == "pagerduty":
            client = s.PagerDuty(api, schedule_id)
            if users is None:
                users = tool_users_by_email(client.users())
        elif tool == "opsgenie":
            client = s.Opsgenie(api, schedule_id, tool_rotation)
        else:
            client = s.GoAlert(api, schedule_id, start, end)
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
        plan = s.plan_sync(desired, current)
        _print_plan(tool, schedule_id, f"{team}/{rotation}", start, end, plan, apply_)
        if not apply_ or not plan.changes:
            return
        outcomes = client.apply(plan)
    except s.SyncFailed as exc:
        click.echo(f"rota: error: {tool}: {exc}; nothing was changed by this step", err=True)
        sys.exit(1)
    finally:
        api.close()
    failed = [o for o in outcomes if not o.ok]
    for o in outcomes:
        what = (
            _interval_text(o.interval) if o.interval else f"window {iso_utc(start)}–{iso_utc(end)}"
        )
        click.echo(f"{'ok' if o.ok else 'FAILED'}: {o.action} {what}: {o.message}", err=not o.ok)
    done = len(outcomes) - len(failed)
    click.echo(f"applied: {done} change(s) made, {len(failed)} failed")
    if failed:
        sys.exit(1)


def iso_utc(at: datetime) -> str:
    from generator.integrations.common import utc

    return utc(at)


def _interval_text(i: Any) -> str:
    return f"{iso_utc(i.start_at)} to {iso_utc(i.end_at)} {i.label}"


def _print_plan(
    tool: str, schedule_id: str, key: str, start: datetime, end: datetime, plan: Any, apply_: bool
) -> None:
    click.echo(
        f"{TOOL_NAMES.get(tool, tool)} schedule {schedule_id} ← {key}, "
        f"{iso_utc(start)} to {iso_utc(end)}:"
    )
    rows = [("+ create", i) for i in plan.create] + [("- delete", i) for i in plan.delete]
    rows += [("= unchanged", i) for i in plan.unchanged]
    for label, i in sorted(rows, key=lambda r: (r[1].start_at, r[0])):
        click.echo(f"  {label:<11} {_interval_text(i)}")
    summary = (
        f"plan: {len(plan.create)} to create, {len(plan.delete)} to delete, "
        f"{len(plan.unchanged)} unchanged"
    )
    if plan.changes and not apply_:
        summary += " (nothing changed: run again with --apply)"
    click.echo(summary)


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
