"""Reading two revisions of an organisation from git and planning both: the I/O of
``rota diff`` (and of ``rota notify changes``). The comparison itself is
``generator.reports.diff``, pure.

API::

    plan_state(root, now, label) -> PlannedState     # load, validate, plan a folder
    default_base(root) -> str                        # merge base with the default branch
    revision_tree(root, rev, dest) -> Path           # the organisation at rev, under dest
    diff_revisions(root, base, head, now) -> PlanDiff
        # base: a revision (None: default_base); head: a revision or None (the working tree)

Errors: ``GitError`` (not a repository, unknown revision: a usage error) and
``InvalidInput`` (a side that does not validate, with its diagnostics).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.reports.diff import PlanDiff, PlannedState, diff_states

if TYPE_CHECKING:
    from generator.pipeline import Loaded

INPUT_DIRS = ("rotations", "runbooks", "postmortems")


class GitError(Exception):
    """git could not give what was asked: the message says why."""


def git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        raise GitError(message[-1] if message else f"git {' '.join(args)} failed")
    return done.stdout


def toplevel(root: Path) -> Path:
    return Path(git(root, "rev-parse", "--show-toplevel").strip())


def default_branch(root: Path) -> str:
    """``origin/HEAD``'s branch when a remote says which it is, else main, else master."""
    try:
        return git(root, "rev-parse", "--abbrev-ref", "origin/HEAD").strip()
    except GitError:
        pass
    for name in ("main", "master", "origin/main", "origin/master"):
        try:
            git(root, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
            return name
        except GitError:
            continue
    raise GitError("no default branch (origin/HEAD, main or master): name the base revision")


def default_base(root: Path) -> str:
    """The merge base of HEAD and the default branch, as a commit id."""
    branch = default_branch(root)
    return git(root, "merge-base", "HEAD", branch).strip()


def revision_tree(root: Path, rev: str, dest: Path) -> Path:
    """Write the organisation's input folders as they are at ``rev`` under ``dest``;
    the organisation's root there (``root`` may be a folder inside the repository)."""
    top = toplevel(root)
    prefix = Path(root).resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    commit = git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    listed = git(top, "ls-tree", "--name-only", commit, "--", *(prefix + d for d in INPUT_DIRS))
    paths = [p for p in listed.splitlines() if p]
    out = dest / "org"
    out.mkdir(parents=True, exist_ok=True)
    if paths:
        data = subprocess.run(
            ["git", "-C", str(top), "archive", "--format=tar", commit, "--", *paths],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(out, filter="data")
    return out / prefix if prefix else out


def plan_state(root: Path, now: datetime, label: str) -> PlannedState:
    """Load, validate and plan the organisation in ``root`` for the horizon of ``now``."""
    from generator.pipeline import load_org

    return planned(load_org(root, now), now, label)


def planned_window(settings: Any, now: datetime) -> tuple[datetime, datetime]:
    """The horizon of ``now``, starting at the first of now's month (with a day to
    spare for zones) so the pay of every month a change touches is counted from its
    first day. It ends where the horizon ends, as ``rota schedule``'s does: planning
    past it would plan time no lock file has settled yet, for nothing the diff shows."""
    from datetime import timedelta

    first = (now - timedelta(days=1)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return min(now - settings.history, first - timedelta(days=1)), now + settings.horizon


def planned(loaded: Loaded, now: datetime, label: str) -> PlannedState:
    """An organisation loaded already, planned for the horizon of ``now``."""
    from generator.schedule.conflicts import find_conflicts
    from generator.schedule.resolve import uncovered_diagnostics

    schedule = loaded.schedule(*planned_window(loaded.org.settings, now))
    conflicts = tuple(sorted(find_conflicts(loaded.org, schedule, now)))
    diagnostics = tuple(
        sorted({*loaded.warnings, *uncovered_diagnostics(loaded.org, schedule, now), *conflicts})
    )
    return PlannedState(loaded.org, schedule, diagnostics, label, conflicts)


def short(root: Path, rev: str) -> str:
    """``main (3f2a9c1)``-style label of a revision."""
    try:
        commit = git(root, "rev-parse", "--short", f"{rev}^{{commit}}").strip()
    except GitError:
        return rev
    return rev if rev.startswith(commit) else f"{rev} ({commit})"


def diff_revisions(
    root: Path,
    base: str | None,
    head: str | None,
    now: datetime | Callable[[str], datetime],
) -> PlanDiff:
    """``rota diff``: plan ``base`` (default: the merge base with the default branch)
    and ``head`` (default: the working tree) with the same ``now``, and compare.

    ``now``: the instant, or a function of the head's ``settings.timezone`` giving it
    (``--now`` may be a local time)."""
    from generator.pipeline import load_org

    root = Path(root)
    base_rev = base if base is not None else default_base(root)
    if base is not None:
        base_label = short(root, base_rev)
    else:
        commit = git(root, "rev-parse", "--short", base_rev).strip()
        base_label = f"merge base with {default_branch(root)} ({commit})"
    with tempfile.TemporaryDirectory(prefix="rota-diff-") as tmp:
        base_root = revision_tree(root, base_rev, Path(tmp) / "base")
        if head is None:
            head_root, head_label = root, "working tree"
        else:
            head_root, head_label = revision_tree(root, head, Path(tmp) / "head"), short(root, head)
        if isinstance(now, datetime):
            at = now
            loaded_head = load_org(head_root, at)
        else:
            loaded_head = load_org(head_root, now("UTC"))
            at = now(loaded_head.org.settings.timezone)
        after = planned(loaded_head, at, head_label)
        before = plan_state(base_root, at, base_label)
        return diff_states(before, after, at)
