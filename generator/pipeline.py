"""The stages, in order: load → validate → schedule → reports → render → publish.

``build()`` reads as the list of stages; everything is read and rendered
before anything is written, and the output folder is replaced in one step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.errors import Diagnostic, Diagnostics, InvalidInput
from generator.load.tree import load_tree
from generator.model import Org
from generator.schedule.resolve import Schedule, compute_schedule
from generator.validate import build_org, stale_runbooks


@dataclass(frozen=True)
class Loaded:
    org: Org
    warnings: tuple[Diagnostic, ...]


def load_org(root: Path, now: datetime, strict: bool = False) -> Loaded:
    """Read and validate the organisation; InvalidInput carries every error."""
    diags = Diagnostics()
    tree = load_tree(root, diags)
    org = build_org(tree, diags)
    if org is not None:
        stale_runbooks(org, now.astimezone(org.settings.tz).date(), diags)
    if org is None or diags.errors or (strict and diags.items):
        raise InvalidInput(diags.sorted())
    return Loaded(org, tuple(diags.warnings))


def horizon_schedule(org: Org, now: datetime) -> Schedule:
    """The schedule that pages and feeds show: from ``history`` ago to ``horizon`` ahead."""
    return compute_schedule(org, now - org.settings.history, now + org.settings.horizon)


def build(root: Path, out: Path, now: datetime) -> tuple[Loaded, Schedule]:
    """Build the site with feeds into ``out``, atomically."""
    from generator.publish.site import publish_site
    from generator.render.site import render_site

    loaded = load_org(root, now)
    org = loaded.org
    schedule = horizon_schedule(org, now)
    infeasible = [p for p in schedule.problems if p.severity == "error"]
    if infeasible:
        raise InvalidInput(infeasible)
    files = render_site(org, schedule, now)
    publish_site(root, files, out)
    return loaded, schedule
