"""Reviewing a change before it lands: ``rota diff`` and ``rota request``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

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
