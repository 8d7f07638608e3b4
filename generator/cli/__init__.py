"""The ``rota`` command line: parse options, call the pipeline, print results.

One module per command group, as the pipeline has one per stage: ``site`` (validate,
build, serve, plan, init, schema), ``queries`` (who, schedule, ical, pay, fairness),
``handoff`` (handoff, cover), ``review`` (incidents, actions, postmortem), ``imports``
and ``exports`` (the paging tools). ``common`` holds what they share.

Exit status: 0 success, 1 invalid input or a failed build, 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.cli import (
    changes,
    exports,
    handoff,
    health,
    imports,
    notify,
    queries,
    review,
    site,
)
from generator.cli.common import CONTEXT, Context, parse_instant, warnings_summary

__all__ = ["cli", "main", "parse_instant", "warnings_summary"]


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


for command in (
    site.validate,
    site.build,
    site.serve,
    site.plan,
    site.init,
    site.schema,
    queries.who,
    queries.schedule,
    queries.ical,
    queries.pay,
    queries.fairness,
    health.health,
    handoff.handoff,
    handoff.cover,
    review.incidents,
    review.actions,
    review.postmortem,
    imports.import_,
    exports.export,
    exports.sync,
    changes.diff,
    changes.request,
    notify.notify,
):
    cli.add_command(command)


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
