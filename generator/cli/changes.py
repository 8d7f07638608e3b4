"""Reviewing a change before it lands: ``rota diff`` and ``rota request``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from generator.cli.common import CONTEXT, Context, fail, now_option, parse_instant
from generator.errors import InvalidInput

FAIL_KINDS = ("locked-moved", "uncovered", "conflict")


def _fail_kinds(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    wrong = [k for k in kinds if k not in FAIL_KINDS]
    if wrong:
        raise click.BadParameter(
            f"unknown kind '{wrong[0]}': use {', '.join(FAIL_KINDS)} (comma-separated)",
            param_hint="--fail-on",
        )
    return kinds


def _now_of(now_text: str | None) -> Callable[[str], datetime]:
    def at(tz_name: str) -> datetime:
        return parse_instant(now_text or "now", tz_name, None)

    return at


def emit(d: object, fmt: str, fail_on: tuple[str, ...]) -> None:
    """Print a PlanDiff in ``fmt`` and exit 1 when a ``fail_on`` kind is present."""
    from generator.render.diff import diff_document, diff_markdown, diff_text, fail_line

    if fmt == "json":
        click.echo(json.dumps(diff_document(d, fail_on), indent=2, ensure_ascii=False))  # type: ignore[arg-type]
    elif fmt == "markdown":
        click.echo(diff_markdown(d, fail_on), nl=False)  # type: ignore[arg-type]
    else:
        click.echo(diff_text(d), nl=False)  # type: ignore[arg-type]
    failed = d.failures(fail_on)  # type: ignore[attr-defined]
    if failed:
        click.echo(fail_line(failed), err=True)
        sys.exit(1)


@click.command(context_settings=CONTEXT)
@click.argument("base", required=False)
@click.option(
    "--head",
    "head",
    metavar="REV",
    default=None,
    help="Compare with this revision instead of the working tree.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown: a pull-request comment; json: the documented shape.",
)
@click.option(
    "--fail-on",
    "fail_on_text",
    metavar="KINDS",
    default=None,
    help="Exit 1 when the change has any of these (comma-separated): locked-moved, "
    "uncovered, conflict.",
)
@now_option
@click.pass_obj
def diff(
    ctx: Context,
    base: str | None,
    head: str | None,
    fmt: str,
    fail_on_text: str | None,
    now_text: str | None,
) -> None:
    """What a change does to people: shifts that change hands, locked shifts moved, pay
    and fairness per person, new and resolved gaps and conflicts.

    BASE is a git revision (default: the merge base of HEAD and the default branch,
    origin/HEAD else main or master); it is compared with the working tree, or with
    --head REV, both planned with the same --now. Exit status: 0, or 1 when a --fail-on
    kind is present (or a side does not validate), 2 on a usage error.
    """
    from generator.review_git import GitError, diff_revisions

    fail_on = _fail_kinds(fail_on_text)
    try:
        d = diff_revisions(Path(ctx.root), base, head, _now_of(now_text))
    except GitError as exc:
        raise click.UsageError(f"git: {exc}") from None
    except InvalidInput as exc:
        fail(exc.diagnostics)
    emit(d, fmt, fail_on)


# --- rota request ------------------------------------------------------------------


@click.group(context_settings=CONTEXT)
def request() -> None:
    """Write a swap, a cover or leave into the YAML (comments and layout kept), validate
    it and print what it does to people (its `rota diff`).

    A request that would break a hard rule (leave, one rotation at a time within a team,
    min_rest, any error validate reports) is refused with the reason and the ranking of
    who could take the shift instead (as `rota cover` gives it); nothing is written then.
    With --branch NAME the change is also committed on a new git branch, its message
    naming the people it affects. Exit status: 0 written, 1 refused, 2 usage error.
    """


def request_options(f: Any) -> Any:
    f = now_option(f)
    f = click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "markdown", "json"]),
        default="text",
        show_default=True,
        help="How to print the change's diff.",
    )(f)
    f = click.option(
        "--branch",
        metavar="NAME",
        default=None,
        help="Also create git branch NAME and commit the change on it.",
    )(f)
    return click.option("--note", default=None, help="Note kept with the entry.")(f)


@dataclass
class Focus:
    """A shift the request is about: where to look for who else could take it."""

    key: str
    start_at: datetime
    end_at: datetime
    holder: str | None


@dataclass
class Edit:
    path: str  # relative to the organisation root
    old: str | None  # None: a new file
    new: str


def _begin(ctx: Context, now_text: str | None) -> tuple[Any, datetime, Any]:
    """The organisation as it is (validated), ``now``, and its PlannedState."""
    from generator.pipeline import load_org
    from generator.review_git import planned

    provisional = parse_instant(now_text or "now", "UTC", None)
    try:
        loaded = load_org(Path(ctx.root), provisional)
    except InvalidInput as exc:
        fail(exc.diagnostics)
    now = parse_instant(now_text or "now", loaded.org.settings.timezone, None)
    return loaded.org, now, planned(loaded, now, "before")


def _local_text(at: datetime, tz_name: str) -> str:
    """A team-local ``YYYY-MM-DD HH:MM`` (with its offset when the hour repeats)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    local = at.astimezone(tz)
    naive = local.replace(tzinfo=None)
    a, b = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if a.utcoffset() != b.utcoffset():
        return local.isoformat()
    return f"{local:%Y-%m-%d %H:%M}"


def _slot_at(org: Any, schedule: Any, key: str, at: datetime) -> Any:
    return next(
        (s for s in schedule.slots.get(key, ()) if any(a <= at < b for a, b in s.windows)),
        None,
    )


def _holder(schedule: Any, team: str, rotation: str, at: datetime) -> str | None:
    return next(
        (s.person for s in schedule.at(at) if s.team == team and s.rotation == rotation),
        None,
    )


def _check_ids(org: Any, team: str, rotation: str | None, people: list[str]) -> None:
    from generator.cli.common import check_person, check_rotation, check_team

    check_team(org, team)
    check_rotation(org, team, rotation)
    for p in people:
        check_person(org, p)


def _override_file(root: Path) -> Edit:
    from generator.load.tree import input_files
    from generator.requests import holds_key

    for path in input_files(root):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith("rotations/") or path.name.endswith(".lock.yaml"):
            continue
        text = path.read_text(encoding="utf-8")
        if holds_key(text, "overrides"):
            return Edit(rel, text, text)
    target = root / "rotations" / "overrides.yaml"
    if target.exists():
        text = target.read_text(encoding="utf-8")
        return Edit("rotations/overrides.yaml", text, text)
    return Edit("rotations/overrides.yaml", None, "")


def _rest_breaks(
    after: Any, person: str, key: str, start_at: datetime, end_at: datetime
) -> list[str]:
    """min_rest broken by ``person`` holding [start_at, end_at) of ``key`` after the change."""
    rotation = after.org.rotation(key)
    if rotation is None or not rotation.min_rest:
        return []
    from generator.timeutil import format_duration

    out = []
    for s in after.schedule.shifts:
        if s.person != person or f"{s.team}/{s.rotation}" != key:
            continue
        if s.start_at < end_at and start_at < s.end_at:
            continue  # the shift itself (or a piece of it)
        if (
            s.end_at <= start_at
            and start_at - s.end_at < rotation.min_rest
            and s.end_at != start_at
        ):
            gap = start_at - s.end_at
        elif (
            s.start_at >= end_at
            and s.start_at - end_at < rotation.min_rest
            and s.start_at != end_at
        ):
            gap = s.start_at - end_at
        elif s.end_at == start_at or s.start_at == end_at:
            gap = None  # back to back: one longer shift, which min_rest does not forbid
            continue
        else:
            continue
        out.append(
            f"'{person}' would rest only {format_duration(gap)} between shifts of {key} "
            f"(min_rest {format_duration(rotation.min_rest)})"
        )
    return out


def _ranking(before: Any, focus: Focus, exclude: set[str]) -> list[str]:
    """`rota cover`'s ranking of who could take the focus shift, as lines."""
    from zoneinfo import ZoneInfo

    from generator.render.text import table
    from generator.schedule.cover import cover_candidates

    org = before.org
    candidates = cover_candidates(
        org, before.schedule, focus.key, focus.start_at, focus.end_at, exclude=exclude
    )
    team = org.rotation(focus.key).team
    tz = ZoneInfo(org.teams[team].timezone)
    head = (
        f"who could take {focus.key} from {focus.start_at.astimezone(tz):%a %Y-%m-%d %H:%M} to "
        f"{focus.end_at.astimezone(tz):%a %Y-%m-%d %H:%M %Z} instead (rota cover):"
    )
    if not candidates:
        return [head, "  nobody else is free (leave, another rotation, or min_rest)"]
    rows = [
        [n, org.people[c.person].name, c.person, f"{c.load_before:+.2f}", f"{c.load_after:+.2f}"]
        for n, c in enumerate(candidates, 1)
    ]
    return [head, table(["#", "NAME", "ID", "DEVIATION NOW", "IF THEY TAKE IT"], rows)]


def _apply(
    ctx: Context,
    before: Any,
    now: datetime,
    edits: list[Edit],
    focus: list[Focus],
    new_overrides: list[tuple[str, str, datetime, datetime]],
    message: str,
    fmt: str,
    branch: str | None,
) -> None:
    """Validate the edited organisation in a copy, refuse or write, print, commit."""
    import difflib
    import shutil
    import tempfile

    from generator.reports.diff import diff_states, identity
    from generator.review_git import INPUT_DIRS, git, plan_state

    root = Path(ctx.root)
    with tempfile.TemporaryDirectory(prefix="rota-request-") as tmp:
        copy = Path(tmp) / "org"
        copy.mkdir()
        for name in INPUT_DIRS:
            if (root / name).is_dir():
                shutil.copytree(
                    root / name, copy / name, ignore=shutil.ignore_patterns("*.state.json")
                )
        for e in edits:
            (copy / e.path).parent.mkdir(parents=True, exist_ok=True)
            (copy / e.path).write_text(e.new, encoding="utf-8")
        reasons: list[str] = []
        after = None
        try:
            after = plan_state(copy, now, "after the request")
        except InvalidInput as exc:
            reasons += [str(x) for x in exc.diagnostics if x.severity == "error"]
        d = None
        if after is not None:
            d = diff_states(before, after, now)
            reasons += [str(x) for x in d.conflicts_added]
            # anything else validate reports as an error that was not there before (an
            # uncovered shift within the freeze, a hard rule)
            known = {identity(x) for x in before.diagnostics}
            reasons += [
                str(x)
                for x in after.diagnostics
                if x.severity == "error" and identity(x) not in known and str(x) not in reasons
            ]
            for person, key, start_at, end_at in new_overrides:
                reasons += _rest_breaks(after, person, key, start_at, end_at)
    if reasons:
        click.echo("rota request: refused: the change would break a hard rule", err=True)
        for r in reasons:
            click.echo(f"  {r}", err=True)
        for f in focus:
            exclude = {p for p in (f.holder,) if p}
            for line in _ranking(before, f, exclude):
                click.echo(line, err=True)
        sys.exit(1)
    assert d is not None
    for e in edits:
        path = root / e.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(e.new, encoding="utf-8")
        old_lines = (e.old or "").splitlines(keepends=True)
        for line in difflib.unified_diff(
            old_lines, e.new.splitlines(keepends=True), f"a/{e.path}", f"b/{e.path}"
        ):
            click.echo(line, nl=not line.endswith("\n"), err=fmt != "text")
    if fmt == "text":
        click.echo()
    emit(d, fmt, ())
    if branch:
        affected = ", ".join(f"{d.names.get(p, p)} ({p})" for p in d.people()) or "nobody"
        body = f"{message}\n\nPeople affected: {affected}\n"
        try:
            git(root, "checkout", "-b", branch)
            git(root, "add", "--", *(e.path for e in edits))
            git(root, "commit", "-m", body, "--", *(e.path for e in edits))
        except Exception as exc:
            click.echo(f"rota request: the change is written but not committed: {exc}", err=True)
            sys.exit(1)
        click.echo(f"committed on branch {branch}: {message}", err=True)


@request.command(context_settings=CONTEXT)
@click.option("--team", required=True, help="The team.")
@click.option("--rotation", "rotation_id", required=True, help="The rotation of that team.")
@click.option(
    "--at", "at_text", metavar="T1", required=True, help="An instant in the shift to give away."
)
@click.option("--with", "with_person", metavar="P", required=True, help="Who takes it.")
@click.option(
    "--for",
    "for_text",
    metavar="T2",
    default=None,
    help="An instant in P's shift taken in return (default: P's next shift of the "
    "rotation after T1, else the last one before it).",
)
@request_options
@click.pass_obj
def swap(
    ctx: Context,
    team: str,
    rotation_id: str,
    at_text: str,
    with_person: str,
    for_text: str | None,
    note: str | None,
    branch: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """Swap two shifts: P takes the shift at T1; its holder takes P's shift at T2.

    Written as two overrides (whole shifts), so the plan and the lock file stay as they
    are and the swap shows on every page, feed and report."""
    from generator.requests import EditError, add_override

    org, now, before = _begin(ctx, now_text)
    _check_ids(org, team, rotation_id, [with_person])
    key = f"{team}/{rotation_id}"
    tz = org.teams[team].timezone
    at = parse_instant(at_text, tz, now)
    sched = before.schedule
    slot1 = _slot_at(org, sched, key, at)
    if slot1 is None:
        raise click.BadParameter(
            f"nobody is on call for {key} at {at.isoformat()}", param_hint="--at"
        )
    holder = _holder(sched, team, rotation_id, max(at, slot1.windows[0][0]))
    if holder is None or holder == with_person:
        raise click.BadParameter(
            f"the shift at {at.isoformat()} is held by {holder or 'nobody'}: nothing to swap "
            f"with '{with_person}'",
            param_hint="--at",
        )
    if for_text is not None:
        slot2 = _slot_at(org, sched, key, parse_instant(for_text, tz, now))
        if slot2 is None:
            raise click.BadParameter(f"nobody is on call for {key} then", param_hint="--for")
    else:
        theirs = [
            s
            for s in sched.slots.get(key, ())
            if s.end_at > now
            and s.start_at != slot1.start_at
            and _holder(sched, team, rotation_id, s.windows[0][0]) == with_person
        ]
        later = [s for s in theirs if s.start_at > slot1.start_at]
        slot2 = later[0] if later else (theirs[-1] if theirs else None)
        if slot2 is None:
            raise click.BadParameter(
                f"'{with_person}' holds no shift of {key} in the horizon: use "
                "'rota request cover' to give the shift away",
                param_hint="--with",
            )
    if _holder(sched, team, rotation_id, slot2.windows[0][0]) != with_person:
        raise click.BadParameter(
            f"the shift at {slot2.start_at.isoformat()} is not '{with_person}''s",
            param_hint="--for",
        )
    edit = _override_file(Path(ctx.root))
    d1 = f"{slot1.start_at.astimezone(org.teams[team].tz):%a %Y-%m-%d}"
    d2 = f"{slot2.start_at.astimezone(org.teams[team].tz):%a %Y-%m-%d}"
    text = edit.new if edit.old is not None else None
    try:
        for slot, person, other, day in (
            (slot1, with_person, holder, d2),
            (slot2, holder, with_person, d1),
        ):
            pairs = [
                ("team", team),
                ("rotation", rotation_id),
                ("from", _local_text(slot.start_at, tz)),
                ("to", _local_text(slot.end_at, tz)),
                ("person", person),
                (
                    "note",
                    note
                    or f"swap: {person} takes this shift from {other}, "
                    f"who takes {person}'s of {day}",
                ),
            ]
            text = add_override(text, pairs)
    except EditError as exc:
        raise click.UsageError(f"{edit.path}: {exc}") from None
    assert text is not None
    edit.new = text
    name = {p: org.people[p].name for p in (holder, with_person)}
    message = (
        f"Swap {key}: {name[with_person]} takes {name[holder]}'s shift of {d1}, "
        f"{name[holder]} takes {name[with_person]}'s of {d2}"
    )
    _apply(
        ctx,
        before,
        now,
        [edit],
        [
            Focus(key, slot1.start_at, slot1.end_at, holder),
            Focus(key, slot2.start_at, slot2.end_at, with_person),
        ],
        [
            (with_person, key, slot1.start_at, slot1.end_at),
            (holder, key, slot2.start_at, slot2.end_at),
        ],
        message,
        fmt,
        branch,
    )


@request.command(context_settings=CONTEXT)
@click.option("--team", required=True, help="The team.")
@click.option("--rotation", "rotation_id", required=True, help="The rotation of that team.")
@click.option(
    "--from", "from_text", metavar="T", required=True, help="Start (team's zone if local)."
)
@click.option("--to", "to_text", metavar="T", required=True, help="End (team's zone if local).")
@click.option("--by", "by_person", metavar="P", required=True, help="Who covers.")
@request_options
@click.pass_obj
def cover(
    ctx: Context,
    team: str,
    rotation_id: str,
    from_text: str,
    to_text: str,
    by_person: str,
    note: str | None,
    branch: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """P covers the rotation from --from to --to (an override; anyone may cover)."""
    from generator.requests import EditError, add_override

    org, now, before = _begin(ctx, now_text)
    _check_ids(org, team, rotation_id, [by_person])
    key = f"{team}/{rotation_id}"
    tz = org.teams[team].timezone
    start_at, end_at = parse_instant(from_text, tz, now), parse_instant(to_text, tz, now)
    if end_at <= start_at:
        raise click.BadParameter("--to must be after --from", param_hint="--to")
    held = sorted(
        {
            s.person
            for s in before.schedule.shifts
            if s.team == team
            and s.rotation == rotation_id
            and s.start_at < end_at
            and start_at < s.end_at
            and s.person is not None
            and s.person != by_person
        }
    )
    edit = _override_file(Path(ctx.root))
    whom = ", ".join(held) or "nobody"
    pairs = [
        ("team", team),
        ("rotation", rotation_id),
        ("from", _local_text(start_at, tz)),
        ("to", _local_text(end_at, tz)),
        ("person", by_person),
        ("note", note or f"{by_person} covers for {whom}"),
    ]
    try:
        edit.new = add_override(edit.new if edit.old is not None else None, pairs)
    except EditError as exc:
        raise click.UsageError(f"{edit.path}: {exc}") from None
    names = [org.people[p].name for p in held]
    message = (
        f"Cover {key}: {org.people[by_person].name} covers "
        f"{' and '.join(names) or 'the rotation'} from {_local_text(start_at, tz)} to "
        f"{_local_text(end_at, tz)}"
    )
    _apply(
        ctx,
        before,
        now,
        [edit],
        [Focus(key, start_at, end_at, held[0] if held else None)],
        [(by_person, key, start_at, end_at)],
        message,
        fmt,
        branch,
    )


@request.command(context_settings=CONTEXT)
@click.option("--person", required=True, help="Whose leave.")
@click.option(
    "--from", "from_text", metavar="D", required=True, help="First day (or 'YYYY-MM-DD HH:MM')."
)
@click.option(
    "--to", "to_text", metavar="D", required=True, help="Last day, inclusive (or an end time)."
)
@request_options
@click.pass_obj
def leave(
    ctx: Context,
    person: str,
    from_text: str,
    to_text: str,
    note: str | None,
    branch: str | None,
    fmt: str,
    now_text: str | None,
) -> None:
    """Add leave for a person: whole days (inclusive) in their zone, or local times."""
    import re

    from generator.requests import EditError, add_leave

    org, now, before = _begin(ctx, now_text)
    _check_ids(org, next(iter(org.teams)), None, [person])
    day = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    when = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$")
    for text, hint in ((from_text, "--from"), (to_text, "--to")):
        if not (day.match(text) or when.match(text)):
            raise click.BadParameter(
                f"'{text}' is not a day (2026-12-21) or a local time ('2026-12-21 13:00')",
                param_hint=hint,
            )
    p = org.people[person]
    rel = p.source.path
    path = Path(ctx.root) / rel
    old = path.read_text(encoding="utf-8")
    pairs = [
        ("from", from_text.replace("T", " ")),
        ("to", to_text.replace("T", " ")),
        ("note", note),
    ]
    try:
        new = add_leave(old, person, pairs)
    except EditError as exc:
        raise click.UsageError(f"{rel}: {exc}") from None
    # the fixed shifts (locked, overrides) that the leave would meet: their cover
    from generator.timeutil import localize

    def instant(text: str, end: bool) -> datetime:
        from datetime import date, time, timedelta

        if day.match(text):
            on = date.fromisoformat(text) + (timedelta(days=1) if end else timedelta())
            return localize(datetime.combine(on, time()), p.tz)
        on_text, _, hm = text.replace("T", " ").partition(" ")
        return localize(datetime.combine(date.fromisoformat(on_text), time.fromisoformat(hm)), p.tz)

    lo, hi = instant(from_text, False), instant(to_text, True)
    focus = [
        Focus(f"{s.team}/{s.rotation}", s.slot_start_at, s.slot_end_at, person)
        for s in before.schedule.shifts
        if s.person == person
        and s.source in ("lock", "override")
        and s.start_at < hi
        and lo < s.end_at
    ]
    span_text = from_text if from_text == to_text else f"{from_text} to {to_text}"
    message = f"Leave: {p.name} is off {span_text}" + (f" ({note})" if note else "")
    _apply(ctx, before, now, [Edit(rel, old, new)], focus, [], message, fmt, branch)
