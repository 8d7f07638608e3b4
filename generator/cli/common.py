"""What every command shares: the context, options, loading, instants, windows."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from generator.errors import InvalidInput, diagnostics_json

F = TypeVar("F", bound=Callable[..., Any])


def fail(diagnostics: list[Any], fmt: str = "text") -> NoReturn:
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
    from generator.timeutil import LocalTimeError, as_local, read_local, zone

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
        try:  # SPEC 2: no local time in a gap, none in a fold without its offset
            value = as_local(read_local(value, zone(tz_name), tz_name), zone(tz_name))
        except LocalTimeError as exc:
            raise click.BadParameter(str(exc)) from None
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


def now_option(f: F) -> F:
    return click.option(
        "--now",
        "now_text",
        metavar="T",
        default=None,
        envvar="ROTA_NOW",
        help="Fix the present (ISO 8601, 'YYYY-MM-DD HH:MM' in settings.timezone, or now; "
        "default: the ROTA_NOW environment variable, else the clock).",
    )(f)


def format_option(*choices: str) -> Callable[[F], F]:
    """``--format``, defaulting to the first choice."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
    )


def window_options(from_help: str, to_help: str) -> Callable[[F], F]:
    """``--from T`` and ``--to T``: the window of a report."""

    def decorate(f: F) -> F:
        f = click.option("--to", "to_text", metavar="T", default=None, help=to_help)(f)
        return click.option("--from", "from_text", metavar="T", default=None, help=from_help)(f)

    return decorate


# a query (who, schedule, ...) prints this many warnings one by one; more are summed up
QUERY_WARNINGS = 0


def load(ctx: Context, now_text: str | None, lock: bool = True) -> tuple[Any, datetime]:
    """Load for a query: one summary line for warnings, ``rota validate`` lists them all."""
    org, now, _ = load_all(ctx, now_text, lock=lock, show=QUERY_WARNINGS)
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


def load_all(
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
        fail(exc.diagnostics)
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


def window(
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


def check_team(org: Any, team: str | None) -> None:
    from generator.errors import did_you_mean

    if team is not None and team not in org.teams:
        raise click.BadParameter(
            f"no team '{team}'{did_you_mean(team, org.teams)}", param_hint="--team"
        )


def check_person(org: Any, person: str | None) -> None:
    from generator.errors import did_you_mean

    if person is not None and person not in org.people:
        raise click.BadParameter(
            f"no person '{person}'{did_you_mean(person, org.people)}", param_hint="--person"
        )


def check_rotation(org: Any, team: str, rotation: str | None) -> None:
    """``--rotation`` names a rotation of ``team`` (checked already), if given."""
    from generator.errors import did_you_mean

    known = [r.id for r in org.teams[team].rotations]
    if rotation is not None and rotation not in known:
        raise click.BadParameter(
            f"no rotation '{rotation}' in team '{team}'{did_you_mean(rotation, known)}",
            param_hint="--rotation",
        )
