"""A memo of loading and planning on disk, keyed by the exact inputs.

Loading, validating and planning are pure functions of the files under
``rotations/`` and ``runbooks/`` (and of Rota's own code), so their results are
kept between runs: a second ``rota who`` on an unchanged checkout reads the
organisation and the plan back instead of parsing and planning again.

The key is a BLAKE2 digest of every input file's path and bytes (the same files
``load.tree`` reads), the organisation's absolute path and Rota's source code, so
any edit, checkout or upgrade misses the memo. Only valid organisations are kept;
problems are found again on the next change. Entries live in ``ROTA_CACHE_DIR``
(default ``$XDG_CACHE_HOME/rota`` or ``~/.cache/rota``); ``ROTA_CACHE_DIR=`` (empty)
turns the memo off. The folder is private to its owner (0700) and Rota refuses a
folder others can write to, since entries are pickles; a damaged entry is ignored.
The 16 most recently used inputs are kept.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from bisect import bisect_left
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

KEEP = 16  # inputs (digests) kept; older entries are removed
ENV = "ROTA_CACHE_DIR"


def cache_dir() -> Path | None:
    value = os.environ.get(ENV)
    if value is not None:
        return Path(value) if value.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rota"


@cache
def _code_digest() -> bytes:
    """Rota's own source: another version plans differently."""
    h = hashlib.blake2b(digest_size=16)
    h.update(sys.version.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.digest()


def input_digest(root: Path, files: Iterable[Path]) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(_code_digest())
    h.update(str(root.resolve()).encode() + b"\0")
    for path in files:
        data = path.read_bytes()
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def _org_shape(value: Any) -> bool:
    from generator.model import Org

    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], Org)
        and isinstance(value[1], tuple)
    )


def _lock_shape(value: Any) -> bool:
    from generator.model import Lock

    return isinstance(value, Lock)


def _plan_shape(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], datetime)
        and value[0].tzinfo is not None
        and isinstance(value[1], dict)
        and isinstance(value[2], dict)
        and value[1].keys() == value[2].keys()
    )


def _reports_shape(value: Any) -> bool:
    from generator.reports.compute import Reports

    return isinstance(value, Reports)


def _feeds_shape(value: Any) -> bool:
    from generator.feedstate import FeedState

    return (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], dict)
        and isinstance(value[1], FeedState)
        and isinstance(value[2], int)
    )


# What each entry holds; an entry of another shape (another version wrote it, or it was
# tampered with) is a miss. A ``week-N`` entry has the shape of ``plan``, a ``feeds-S``
# entry (the feeds written from the feed memory of digest S) that of ``feeds``.
SHAPES = {
    "org": _org_shape,
    "lock": _lock_shape,
    "plan": _plan_shape,
    "reports": _reports_shape,
    "feeds": _feeds_shape,
}

# The plan is also kept cut into weeks (UTC, counted from the planning blocks' anchor so
# a week lies inside one block): a query of an instant (``rota who``) reads the slots
# overlapping its week, a few hundred, not the year of history the whole plan holds.
WEEK = 7 * 24 * 3600
WEEK_ANCHOR = 978307200  # 2001-01-01T00:00:00Z, planstate.BLOCK_ANCHOR


def week_of(at: datetime) -> int:
    return int((at.timestamp() - WEEK_ANCHOR) // WEEK)


def week_bounds(week: int) -> tuple[datetime, datetime]:
    from datetime import UTC

    return (
        datetime.fromtimestamp(WEEK_ANCHOR + week * WEEK, UTC),
        datetime.fromtimestamp(WEEK_ANCHOR + (week + 1) * WEEK, UTC),
    )


def cut_week(week: int, slots: Any, picks: Any) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The slots (and their picks) overlapping the week, from a plan reaching past its end."""
    start, end = week_bounds(week)
    out_slots, out_picks = {}, {}
    for key, items in slots.items():
        stop = bisect_left(items, end, key=lambda slot: slot.start_at)
        keep = [n for n in range(stop) if items[n].end_at > start]
        out_slots[key] = [items[n] for n in keep]
        out_picks[key] = [picks[key][n] for n in keep]
    return out_slots, out_picks


class Memo:
    """The entries of one set of inputs: the organisation, its lock, its plan."""

    def __init__(self, folder: Path, digest: str):
        self.folder = folder
        self.digest = digest

    @classmethod
    def open(cls, root: Path, files: Iterable[Path]) -> Memo | None:
        folder = cache_dir()
        if folder is None:
            return None
        try:
            digest = input_digest(root, files)
        except OSError:
            return None  # a file went away: loading reports it
        return cls(folder, digest)

    def _path(self, part: str) -> Path:
        return self.folder / f"{self.digest}.{part}"

    def _private(self) -> bool:
        try:
            st = self.folder.stat()
        except OSError:
            return False
        return st.st_uid == os.geteuid() and not st.st_mode & 0o022

    def has(self, part: str) -> bool:
        return self._path(part).exists()

    def get(self, part: str) -> Any:
        """The entry, or None when absent, unreadable, of the wrong shape (see ``SHAPES``)
        or in an unsafe folder: a bad entry is only a miss, overwritten by the next put."""
        path = self._path(part)
        if not path.exists() or not self._private():
            return None
        import gc

        enabled = gc.isenabled()
        gc.disable()  # unpickling makes many objects and frees none
        try:
            with path.open("rb") as f:
                value = pickle.load(f)
        except Exception:  # a damaged or stale entry is only a miss
            return None
        finally:
            if enabled:
                gc.enable()
        kind = part.partition("-")[0]  # week-N: a plan; feeds-STATE: feeds
        shape = SHAPES.get("plan" if kind == "week" else kind)
        try:
            return value if shape is None or shape(value) else None
        except Exception:
            return None

    def put(self, part: str, value: Any) -> None:
        """Write the entry atomically; a memo that cannot be written is skipped."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self._private():
                return
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self._path(part))
            except BaseException:
                os.unlink(tmp)
                raise
            self._prune()
        except Exception:  # the memo is only ever a shortcut: never fail a command over it
            return

    def _prune(self) -> None:
        newest: dict[str, float] = {}
        for entry in self.folder.iterdir():
            digest = entry.name.partition(".")[0]
            if digest:
                newest[digest] = max(newest.get(digest, 0.0), entry.stat().st_mtime)
        for digest in sorted(newest, key=lambda d: -newest[d])[KEEP:]:
            for entry in self.folder.glob(f"{digest}.*"):
                entry.unlink(missing_ok=True)

    def plan(self, plan_end: datetime) -> Any:
        """The plan (slots, picks) up to ``plan_end``, cut from a longer one if kept."""
        got = self.get("plan")
        if got is None:
            return None
        kept_end, slots, picks = got
        if kept_end < plan_end:
            return None
        if kept_end == plan_end:
            return slots, picks
        # the plan up to an earlier block end is the same plan, shorter: slots
        # overlapping it (they start before it), and their picks
        out_slots, out_picks = {}, {}
        for key, items in slots.items():
            n = bisect_left(items, plan_end, key=lambda slot: slot.start_at)
            out_slots[key], out_picks[key] = items[:n], picks[key][:n]
        return out_slots, out_picks

    def put_plan(self, plan_end: datetime, slots: Any, picks: Any) -> None:
        got = self.get("plan")
        if got is None or got[0] < plan_end:
            self.put("plan", (plan_end, slots, picks))

    def week_plan(self, start_at: datetime, end_at: datetime) -> Any:
        """The plan's slots (and picks) overlapping [start_at, end_at), if the window lies
        in one week: from that week's entry, else cut from the whole plan and kept.
        ``compute_schedule`` gives the same shifts of that window from it as from the
        whole plan (a slot's assignee never depends on the window asked for)."""
        week = week_of(start_at)
        if week_of(end_at - timedelta(microseconds=1)) != week:
            return None
        got = self.get(f"week-{week}")
        if got is not None:
            return got[1], got[2]
        from generator.schedule.assign import block_end

        plan_end = block_end(start_at)  # the block holding the week
        planned = self.plan(plan_end)
        if planned is None:
            return None
        self.put_week(week, plan_end, *planned)
        return cut_week(week, *planned)

    def put_week(self, week: int, plan_end: datetime, slots: Any, picks: Any) -> None:
        """Keep the week's cut of a plan that reaches ``plan_end`` (past the week's end)."""
        if plan_end < week_bounds(week)[1]:
            return
        self.put(f"week-{week}", (plan_end, *cut_week(week, slots, picks)))


# --- reports and feeds ------------------------------------------------------------------
# The reports and the feeds read the organisation, the plan and ``now``, but never a
# runbook's text: they are computed from the organisation with the runbooks' bodies
# emptied (``without_runbook_bodies``), in every build, so keying them by the inputs
# other than those bodies is exact by construction. The feeds also read the feed memory
# (rotations/feeds.state.json) and the secret feed key.


def without_runbook_bodies(org: Any) -> Any:
    """The organisation the reports and feeds are computed from: every runbook's
    metadata (title, team, service, alerts, review date, headings), not its text."""
    from dataclasses import replace

    if all(not rb.body for rb in org.runbooks):
        return org
    return replace(org, runbooks=tuple(replace(rb, body="") for rb in org.runbooks))


def derived_memo(root: Path, org: Any, now: datetime, feed_key: str | None) -> Memo | None:
    """The memo of the reports and feeds of these inputs: every input file but the
    Markdown runbooks, those runbooks' metadata, ``now`` and the feed key (as a digest);
    None when the memo is off or a file cannot be read."""
    from generator.load.tree import MARKDOWN_SUFFIXES, input_files

    folder = cache_dir()
    if folder is None:
        return None
    runbooks = root / "runbooks"
    try:
        files = [
            f
            for f in input_files(root)
            if not (f.is_relative_to(runbooks) and f.suffix in MARKDOWN_SUFFIXES)
        ]
        h = hashlib.blake2b(digest_size=20)
        h.update(input_digest(root, files).encode())
    except OSError:
        return None
    h.update(pickle.dumps(without_runbook_bodies(org).runbooks, protocol=4))
    h.update(now.isoformat().encode() + b"\0")
    h.update(hashlib.blake2b((feed_key or "").encode()).digest())
    return Memo(folder, "d" + h.hexdigest())


def state_digest(text: bytes | None) -> str:
    """The feed memory's part of the feeds' key: the file's bytes (None: no file)."""
    return "none" if text is None else hashlib.blake2b(text, digest_size=16).hexdigest()
