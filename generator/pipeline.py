"""The stages, in order: load → validate → schedule → reports → render → publish.

``build()`` reads as the list of stages; everything is read and rendered
before anything is written, and the output folder is replaced in one step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator.errors import BuildFailed, Diagnostic, Diagnostics, InvalidInput
from generator.feedstate import FeedState
from generator.load.tree import input_files
from generator.memo import Memo, derived_memo, state_digest, without_runbook_bodies
from generator.model import Lock, Org
from generator.schedule.resolve import Schedule, compute_schedule

NO_LOCK = Lock({}, (), ())


class Progress:
    """What a long build tells its user as it goes; the command line prints it.

    ``start`` announces a stage, ``done`` reports it with its counts, ``warn`` a
    problem that does not stop the build (an uncovered shift). This one is silent.
    """

    def start(self, stage: str) -> None:
        pass

    def done(self, stage: str, detail: str) -> None:
        pass

    def warn(self, diagnostic: Diagnostic) -> None:
        pass


SILENT = Progress()


@dataclass(frozen=True)
class Loaded:
    org: Org
    warnings: tuple[Diagnostic, ...]
    memo: Memo | None = None  # kept results for these exact inputs (see memo.py)
    lock_deferred: bool = False  # org.lock is empty until planning needs it
    # the plan's own memo, keyed by the files under rotations/ only (planning reads
    # nothing else): a runbook or postmortem edit keeps the plan
    plans: Memo | None = None

    def schedule(self, start_at: datetime, end_at: datetime) -> Schedule:
        """``compute_schedule``, with the plan from the memo when it holds one far enough."""
        from generator.schedule.assign import block_end

        plan_end = block_end(end_at)
        memo = self.plans or self.memo
        planned = memo.plan(plan_end) if memo is not None else None
        org = self.org
        if planned is None and self.lock_deferred:
            lock = self.memo.get("lock") if self.memo is not None else None
            if lock is None:  # gone from the memo since: read the files again
                lock = load_org(Path(org.root), start_at).org.lock
            org = replace(org, lock=lock)
        got = compute_schedule(org, start_at, end_at, planned)
        if planned is None and memo is not None:
            memo.put_plan(plan_end, got.slots, got.picks)
        return got

    def instant(self, start_at: datetime, end_at: datetime) -> Schedule:
        """The shifts overlapping a short window (``rota who``), read from the week of the
        plan that holds it when the memo keeps one: the same shifts as ``schedule``; its
        ``slots`` and ``picks`` are only those of that week."""
        memo = self.plans or self.memo
        planned = memo.week_plan(start_at, end_at) if memo is not None else None
        if planned is None:
            return self.schedule(start_at, end_at)
        return compute_schedule(self.org, start_at, end_at, planned)

    def horizon(self, now: datetime) -> Schedule:
        """The schedule that pages and feeds show (``horizon_schedule``); the plan's week
        holding ``now`` is kept too, for ``rota who`` after a build."""
        from generator.memo import week_of
        from generator.schedule.assign import block_end

        settings = self.org.settings
        got = self.schedule(now - settings.history, now + settings.horizon)
        memo = self.plans or self.memo
        if memo is not None and not memo.has(f"week-{week_of(now)}"):
            memo.put_week(week_of(now), block_end(got.end_at), got.slots, got.picks)
        return got


def load_org(root: Path, now: datetime, strict: bool = False, lock: bool = True) -> Loaded:
    """Read and validate the organisation; InvalidInput carries every error.

    An organisation read before from the same bytes comes from the memo; with
    ``lock=False`` its lock file is read only if ``Loaded.schedule`` must plan.
    """
    from generator.validate import review_deadlines, stale_runbooks

    files = input_files(root)
    memo = Memo.open(root, files)
    rotations = root / "rotations"
    plans = (
        Memo.open(root, [f for f in files if f.is_relative_to(rotations)])
        if memo is not None
        else None
    )
    kept = memo.get("org") if memo is not None else None
    kept_lock = memo.get("lock") if memo is not None and kept is not None and lock else None
    diags = Diagnostics()
    org: Org | None
    deferred = False
    if kept is not None and (kept_lock is not None or not lock):
        org, warnings = kept
        if kept_lock is not None:
            org = replace(org, lock=kept_lock)
        deferred = kept_lock is None
        diags.extend(warnings)
    else:
        from generator.load.tree import load_tree
        from generator.validate import build_org

        tree = load_tree(root, diags)
        org = build_org(tree, diags)
        if org is not None and not diags.errors and memo is not None:
            memo.put("org", (replace(org, lock=NO_LOCK), tuple(diags.items)))
            memo.put("lock", org.lock)
    if org is not None:
        stale_runbooks(org, now.astimezone(org.settings.tz).date(), diags)
        review_deadlines(org, now, diags)
    if org is None or diags.errors or (strict and diags.items):
        raise InvalidInput(diags.sorted())
    return Loaded(org, tuple(diags.warnings), memo, deferred, plans)


def horizon_schedule(org: Org, now: datetime) -> Schedule:
    """The schedule that pages and feeds show: from ``history`` ago to ``horizon`` ahead."""
    return compute_schedule(org, now - org.settings.history, now + org.settings.horizon)


def build(root: Path, out: Path, now: datetime, offline: bool | None = None) -> tuple[Loaded, int]:
    """Build the site with feeds into ``out``, atomically; the number of shifts."""
    loaded = load_org(root, now)
    return loaded, build_loaded(loaded, root, out, now, offline=offline)


def build_loaded(
    loaded: Loaded,
    root: Path,
    out: Path,
    now: datetime,
    progress: Progress = SILENT,
    offline: bool | None = None,
) -> int:
    """The stages after loading: schedule → render → publish; the number of shifts.

    ``offline`` (``rota build --offline``; None: ``settings.site.offline``) builds a
    site that works opened from disk (see ``publish.site.mkdocs_config``)."""
    from generator.feedstate import STATE_PATH, write_state
    from generator.publish.site import publish_site

    rendered = render_all(loaded, now, progress)
    # the feed memory first: if publishing then fails, the next build re-publishes the
    # same SEQUENCE numbers, still above what clients last saw
    try:
        write_state(root, rendered.feed_state)
    except OSError as exc:
        raise BuildFailed(f"cannot write {STATE_PATH}: {exc.strerror or exc}") from None
    files, shifts = rendered.files, len(rendered.schedule.shifts)
    del rendered  # MkDocs needs only the files: the schedule goes before the largest stage
    progress.start("site")
    settings = loaded.org.settings
    offline = settings.site_offline if offline is None else offline
    changed = publish_site(
        root, files, out, now, settings.site_url, offline=offline, clean_docs=settings.clean_docs
    )
    pages = sum(1 for path in files if path.endswith(".md"))
    again = "" if changed is None else f" ({changed:,} changed since the last build)"
    progress.done(
        "site",
        f"{pages:,} pages built with MkDocs{again}" + (", to open from disk" if offline else ""),
    )
    return shifts


def site_files(loaded: Loaded, now: datetime) -> tuple[Schedule, dict[str, str | bytes]]:
    """Schedule and render every file of the site (pages, assets, feeds, data).

    The one code path of ``rota build``, ``rota serve`` and the MkDocs plugin.
    """
    rendered = render_all(loaded, now)
    return rendered.schedule, rendered.files


@dataclass(frozen=True)
class Rendered:
    schedule: Schedule
    files: dict[str, str | bytes]
    feed_state: FeedState  # what the feeds published, for rotations/feeds.state.json


def feed_key_from_env() -> str | None:
    """The secret feed key (``feeds.secret``), from the environment only, never from git."""
    from generator.render.ical import SECRET_ENV

    return os.environ.get(SECRET_ENV) or None


def render_all(loaded: Loaded, now: datetime, progress: Progress = SILENT) -> Rendered:
    """``site_files`` plus the feed memory: feeds are revised against the committed
    rotations/feeds.state.json so SEQUENCE rises only for changed events.

    Uncovered shifts are published (pages, feeds) and told to ``progress``. On a
    large organisation the feeds are written by a forked process while this one
    computes the reports and renders the pages (see ``_feeds_apart``): the same
    files, in about half the time on two cores."""
    from generator.render.ical import with_feed_key
    from generator.render.site import render_site
    from generator.reports.compute import compute_reports
    from generator.schedule.resolve import uncovered_diagnostics

    feed_key = feed_key_from_env()
    org = with_feed_key(loaded.org, feed_key)
    progress.start("schedule")
    planned = loaded.horizon(now)
    uncovered = uncovered_diagnostics(org, planned, now)
    progress.done(
        "schedule",
        f"{len(planned.shifts):,} shifts" + (f", {len(uncovered)} uncovered" if uncovered else ""),
    )
    for problem in uncovered:
        progress.warn(replace(problem, severity="warning"))
    # reports and feeds never read a runbook's text (see memo.without_runbook_bodies):
    # kept by their other inputs, a runbook edit reuses them
    meta = without_runbook_bodies(org)
    derived = derived_memo(Path(org.root), org, now, feed_key) if loaded.memo else None
    feeds_part = _feeds_part(Path(org.root))
    kept_feeds = derived.get(feeds_part) if derived and feeds_part else None
    apart = _feeds_apart(meta, planned, now) if kept_feeds is None else None
    progress.start("reports")
    reports = derived.get("reports") if derived else None
    kept_reports = reports is not None
    if reports is None:
        reports = compute_reports(meta, planned, now)
        if derived is not None:
            derived.put("reports", reports)
    progress.done(
        "reports",
        "fairness, pay, handoffs, escalation, incident review" + (KEPT if kept_reports else ""),
    )
    progress.start("pages")
    files = render_site(org, planned, now, reports)
    progress.done("pages", f"{len(files):,} files")
    progress.start("feeds")
    feeds = kept_feeds or (apart() if apart is not None else None)
    alongside = feeds is not None and kept_feeds is None
    if feeds is None:  # in this process: small organisation, or the process failed
        feeds = _feeds(meta, planned, now)
    elif alongside:
        from generator.reports.handoff import forget_handoffs

        forget_handoffs()  # the pages were this process's last reader of the notes
    if derived is not None and kept_feeds is None:
        from generator.feedstate import render_state

        # written from the memory they leave behind, the feeds are the same again (an
        # unchanged event keeps its revision): kept under both memories
        if feeds_part:
            derived.put(feeds_part, feeds)
        derived.put(f"feeds-{state_digest(render_state(feeds[1]).encode())}", feeds)
    feed_files, feed_state, count = feeds
    files.update(feed_files)
    # written by a second process while the reports and pages were computed: the time
    # shown is only the wait for them
    how = KEPT if kept_feeds else ", written alongside" if alongside else ""
    progress.done("feeds", f"{count:,} feeds{how}")
    return Rendered(planned, files, feed_state)


KEPT = ", unchanged since the last build"  # kept in the memo: their inputs did not change


def _feeds_part(root: Path) -> str | None:
    """The memo entry of the feeds written from the feed memory as it is now (None: the
    file cannot be read, which writing the feeds reports)."""
    from generator.feedstate import STATE_PATH

    try:
        return f"feeds-{state_digest((root / STATE_PATH).read_bytes())}"
    except FileNotFoundError:
        return f"feeds-{state_digest(None)}"
    except OSError:
        return None


FeedFiles = tuple[dict[str, bytes], FeedState, int]  # files, memory, personal and team feeds
PARALLEL_SHIFTS = 5_000  # below this, starting a process costs more than it saves


def _feeds(org: Org, planned: Schedule, now: datetime) -> FeedFiles:
    """Every personal, team and pager feed, revised against rotations/feeds.state.json."""
    from generator.feedstate import read_state
    from generator.render.ical import pager_feeds, render_feeds

    feeds = render_feeds(org, planned, now, read_state(Path(org.root)))
    files = dict(feeds.files)
    files.update(pager_feeds(org, planned, now))
    return files, feeds.state, len(feeds.files)


# what the forked feed process writes from: set just before the fork, never pickled
_FORKED: tuple[Org, Schedule, datetime] | None = None


def _feeds_in_child() -> FeedFiles:
    assert _FORKED is not None
    return _feeds(*_FORKED)


def _feeds_apart(
    org: Org, planned: Schedule, now: datetime
) -> Callable[[], FeedFiles | None] | None:
    """Start writing the feeds in a forked process; a call that waits for them.

    Only with more than one usable core, ``fork``, no other thread running (``rota
    serve``) and at least ``PARALLEL_SHIFTS`` shifts (``ROTA_JOBS=1`` turns it off,
    ``ROTA_JOBS=2`` or more forces it). The feeds are the same either way: the
    child reads the same organisation and schedule and computes its own handoff
    notes. If the process fails in any way, the call returns None and the feeds
    are written here instead (so their own errors are raised from here, as without
    the process)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from generator.processes import processes

    global _FORKED
    if processes(2, len(planned.shifts) >= PARALLEL_SHIFTS) < 2:
        return None
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    _FORKED = (org, planned, now)
    try:
        future = pool.submit(_feeds_in_child)  # forks here: the child sees _FORKED
    finally:
        _FORKED = None

    def wait() -> FeedFiles | None:
        try:
            return future.result()
        except Exception:  # written again here, where its errors are raised
            return None
        finally:
            pool.shutdown()

    return wait
