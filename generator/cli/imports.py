"""A paging tool's saved schedule into Rota YAML: import (and --check)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click

from generator.cli.common import (
    CONTEXT,
    Context,
    now_option,
    parse_instant,
)
from generator.errors import InvalidInput, printable


def read_json(files: tuple[Path, ...]) -> list[Any]:
    """The saved JSON files as located documents; a bad one exits 1 naming FILE."""
    from generator.integrations.common import BadExport, read_json

    docs = []
    for path in files:
        try:
            docs.append(read_json(path))
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"{path}: error: cannot read it: {exc}", err=True)
            sys.exit(1)
        except BadExport as exc:
            bad_export(exc)
        except RecursionError:
            click.echo(f"{path}: error: not valid JSON: nested too deeply", err=True)
            sys.exit(1)
    return docs


def bad_export(exc: Any) -> NoReturn:
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


def _check_import(
    imp: Any,
    yaml_text: str,
    now: datetime,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
) -> int:
    """Compare the tool's own rendering with Rota's schedule of the import, instant by
    instant over the saved window (``start_at``/``end_at``, default: from the first to
    the last rendered instant); the number of differences. Nothing is excused: what
    Rota cannot express was refused at import time."""
    from generator.integrations.common import Entry, compare_timelines

    if not imp.rendered:
        click.echo(
            "rota: error: the saved JSON holds no rendered shifts to check against (PagerDuty: "
            "GET /schedules/ID?since=...&until=... with include[]=final_schedule; Opsgenie: "
            "GET /v2/schedules/ID/timeline; Grafana: GET /api/v1/schedules/ID/final_shifts)",
            err=True,
        )
        return 1
    tz = imp.timezone
    lo = start_at or min(r.start_at for r in imp.rendered)
    hi = end_at or max(r.end_at for r in imp.rendered)
    sched = _imported_schedule(yaml_text, now, lo, hi)
    differences = 0
    for rendered in imp.rendered:
        start = start_at or rendered.start_at
        end = end_at or rendered.end_at
        rotation = rendered.entries[0].rotation
        ours = [
            Entry(s.person, s.start_at, s.end_at, s.rotation)
            for s in sched.shifts
            if s.team == imp.team_id
            and s.person is not None
            and (rotation is None or s.rotation == rotation)
        ]
        # a layer's own rendering leaves overrides out: their times are not compared
        # there (the final rendering, which has them, is)
        ignore = [
            (o.start_at, o.end_at)
            for o in imp.overrides
            if rendered.without_overrides and o.rotation == rotation
        ]
        diffs = compare_timelines(rendered.entries, ours, start, end, rotation, ignore)
        span = f"{_local(start, tz)} to {_local(end, tz)} ({tz})"
        if not diffs:
            click.echo(f"same: {rendered.label}, {span}")
            continue
        click.echo(f"differs: {rendered.label}, {span}")
        for d in diffs:
            click.echo(
                f"  {_local(d.start_at, tz)} to {_local(d.end_at, tz)}: "
                f"{TOOL_NAMES[imp.tool]} has {', '.join(d.theirs) or 'nobody'}; "
                f"Rota has {', '.join(d.ours) or 'nobody'}"
            )
        differences += len(diffs)
    return differences


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


@click.command("import", context_settings=CONTEXT)
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
    help="Write nothing: compare the tool's own rendering saved in FILES with Rota's "
    "schedule of the import, instant by instant; list every difference (exit 1 if any).",
)
@click.option(
    "--from",
    "from_text",
    metavar="T",
    default=None,
    help="With --check: the saved window's start (the since= of the request).  "
    "[default: Opsgenie's timeline startDate, else the first rendered instant]",
)
@click.option(
    "--to",
    "to_text",
    metavar="T",
    default=None,
    help="With --check: the saved window's end (until=).  [default: Opsgenie's timeline "
    "endDate, else the last rendered instant]",
)
@click.option(
    "--partial",
    is_flag=True,
    help="Write what Rota can express even when some of the schedule cannot be "
    "(each such part is printed as a warning); without it such an import is refused.",
)
@now_option
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
    from_text: str | None,
    to_text: str | None,
    partial: bool,
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
    docs = read_json(files)
    try:
        if tool == "pagerduty":
            imp = import_pagerduty(docs, team_id)
        elif tool == "opsgenie":
            imp = import_opsgenie(docs, team_id, jsm=jsm)
        else:
            ended: list[str] = []
            imp = import_grafana(docs, team_id, now, ended)
            for note in ended:
                click.echo(printable(f"rota: note: {note}"), err=True)
    except BadExport as exc:
        bad_export(exc)
    for note in imp.warnings:
        click.echo(printable(f"rota: warning: {note}"), err=True)
    level = "warning" if partial else "error"
    for n, (feature, detail) in enumerate(imp.unsupported):
        where = imp.where.get(n, str(files[0]))
        click.echo(printable(f"{where}: {level}: unsupported: {feature}: {detail}"), err=True)
    if imp.unsupported and not partial:
        click.echo(
            f"rota: error: {len(imp.unsupported)} part(s) of the schedule cannot be expressed "
            "in Rota: nothing written (--partial writes the rest)",
            err=True,
        )
        sys.exit(1)
    standalone = imported_yaml(imp)
    if check:
        tz = imp.timezone
        window = [
            parse_instant(t, tz, None) if t is not None else None for t in (from_text, to_text)
        ]
        differences = _check_import(imp, standalone, now, window[0], window[1])
        if differences:
            click.echo(
                f"rota: error: {differences} difference(s) from {TOOL_NAMES[imp.tool]}'s own "
                "rendering",
                err=True,
            )
            sys.exit(1)
        return
    if not imp.rotations:
        click.echo("rota: error: nothing to write: every rotation was refused", err=True)
        sys.exit(1)
    _imported_schedule(standalone, now, now, now + timedelta(days=1))  # proves it valid
    text = imported_yaml(imp, _known_people(ctx.root, now))
    if out is not None and str(out) == "-":
        click.echo(text, nl=False)
        return
    target = out if out is not None else ctx.root / "rotations" / f"{imp.team_id}.yaml"
    if target.exists() and not force:
        click.echo(f"rota: error: {target} exists; give --force to overwrite it", err=True)
        sys.exit(1)
    from generator.publish.atomic import write_atomic

    write_atomic(target, text)
    click.echo(
        f"wrote {target}: team {imp.team_id}, {len(imp.rotations)} rotation(s), "
        f"{len(imp.people)} people, {len(imp.overrides)} override(s)"
    )
