"""Write the rendered files, run MkDocs on them, and swap the result into place.

Everything happens in a temporary folder beside the output; the output folder
is only touched by the final swap (``publish.atomic``), so a failure at any
stage leaves it as it was. MkDocs runs with the ``rota`` plugin, handed the
files already rendered: the same plugin ``mkdocs build`` and ``rota serve`` use.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import yaml

from generator.errors import BuildFailed
from generator.publish.atomic import replace_folder
from generator.templates import templates_folder


def own_docs(root: Path) -> Path | None:
    """The site's own pages: the folder ``docs_dir`` of the organisation's mkdocs.yml names
    (relative to it), if it exists inside the organisation."""
    path = root / "mkdocs.yml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, yaml.YAMLError):
        return None
    name = config.get("docs_dir", "docs") if isinstance(config, dict) else None
    if not isinstance(name, str):
        return None
    folder = (root / name).resolve()
    if not folder.is_dir() or not folder.is_relative_to(root.resolve()):
        return None
    return folder


def refuse_outside_links(root: Path, folder: Path) -> None:
    """The site's own pages may not link to files outside the repository (they would be
    published): BuildFailed naming the first such link."""
    inside = root.resolve()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for entry in sorted(dirnames + filenames):
            path = Path(dirpath) / entry
            if path.is_symlink() and not path.resolve().is_relative_to(inside):
                rel = path.relative_to(inside) if path.is_relative_to(inside) else path
                raise BuildFailed(
                    f"{rel}: symbolic link to {os.readlink(path)}, outside the repository; "
                    "Rota publishes only files of the repository"
                )


def mkdocs_config(
    root: Path, docs_dir: Path, site_dir: Path, offline: bool = False
) -> dict[str, Any]:
    """The organisation's mkdocs.yml (or the packaged default), pointed at the build folders,
    with the ``rota`` plugin (it adds the pages, assets and overrides).

    ``offline``: a site to open from disk (file://). Material's ``offline`` plugin is
    added before ``rota``: it turns off directory URLs (links name ``….html`` files) and
    inlines the search index into a script; instant navigation, which needs a server, is
    left out. The ``rota`` plugin does the rest (see ``mkdocs_plugin``)."""
    path = root / "mkdocs.yml"
    source = path if path.is_file() else templates_folder() / "mkdocs.default.yml"
    try:
        config = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BuildFailed(f"cannot read {source.name}: {exc}") from None
    if not isinstance(config, dict):
        raise BuildFailed(f"{source.name} is not a mapping")
    theme = config.get("theme") or {}
    if isinstance(theme, str):
        theme = {"name": theme}
    theme.setdefault("name", "material")
    if theme.get("custom_dir"):
        custom = (root / str(theme["custom_dir"])).resolve()
        if not custom.is_relative_to(root.resolve()):
            raise BuildFailed(
                f"mkdocs.yml: theme.custom_dir '{theme['custom_dir']}' is outside the "
                "repository; keep theme overrides in a folder of the repository"
            )
        theme["custom_dir"] = str(custom)
    config["theme"] = theme
    config["docs_dir"] = str(docs_dir)
    config["site_dir"] = str(site_dir)
    config.setdefault("site_name", "On call")
    config["strict"] = True
    plugins = config.get("plugins")
    plugins = list(plugins) if isinstance(plugins, list) else ["search"]
    rota = {"root": str(root.resolve())}
    plugins = [p for p in plugins if p != "rota" and not (isinstance(p, dict) and "rota" in p)]
    if offline:
        plugins = [p for p in plugins if _plugin_name(p) != "offline"]
        plugins.append({"offline": {"enabled": True}})
        config["use_directory_urls"] = False
        features = theme.get("features")
        if isinstance(features, list):
            theme["features"] = [f for f in features if not str(f).startswith("navigation.instant")]
    config["plugins"] = [*plugins, {"rota": rota}]
    return config


def _plugin_name(entry: Any) -> str | None:
    """``search`` for ``- search`` and for ``- search: {...}`` in a plugins list."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and len(entry) == 1:
        return str(next(iter(entry)))
    return None


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(
    config: dict[str, Any],
    work: Path,
    files: Mapping[str, str | bytes] | None = None,
    now: datetime | None = None,
    site_url: str | None = None,
    clean_docs: bool = False,
    tracker: Any = None,
) -> None:
    """Build with MkDocs' Python API; any warning fails the build (strict).

    ``files`` are handed to the ``rota`` plugin; ``now`` fixes the dates MkDocs
    writes (sitemap, gzip header) through SOURCE_DATE_EPOCH, so builds repeat.
    ``tracker``: an incremental build's (``publish.incremental``); MkDocs then
    builds dirty, into the previous output copied.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_path = work / "mkdocs.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")
    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    old_level, old_propagate = logger.level, logger.propagate
    old_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    logger.addHandler(collector)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    if now is not None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(now.timestamp()))
    try:
        cfg = load_config(config_file=str(config_path), strict=True)
        if files is not None:
            plugin = cfg.plugins.get("rota")
            if plugin is None or not hasattr(plugin, "use_files"):
                raise BuildFailed("the rota MkDocs plugin is not installed")
            plugin.use_files(files, site_url, clean_docs)
            plugin.tracker = tracker
        if tracker is not None and tracker.previous is not None:
            from generator.publish.incremental import quiet_dirty_warning

            quiet_dirty_warning()
            build(cfg, dirty=True)
        else:
            build(cfg)
    except BuildFailed:
        raise
    except (MkDocsException, SystemExit) as exc:
        detail = "; ".join(collector.messages) or str(exc)
        raise BuildFailed(f"MkDocs: {detail}") from None
    except Exception as exc:
        raise BuildFailed(f"MkDocs failed: {exc}") from None
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
        if old_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old_epoch
    if collector.messages:
        raise BuildFailed("MkDocs: " + "; ".join(collector.messages))
    for advice in advice_from(cfg):
        sys.stderr.write(f"mkdocs.yml: warning: {advice}\n")


def advice_from(cfg: Any) -> list[str]:
    """The rota plugin's warnings about mkdocs.yml (a navigation too large, ...)."""
    plugin = cfg.plugins.get("rota")
    return list(getattr(plugin, "advice", []))


def write_files(base: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in sorted(files.items()):
        path = (base / rel).resolve()
        if not path.is_relative_to(base.resolve()):
            raise BuildFailed(f"refusing to write outside the build folder: {rel}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


# A build folder (``.<out>.build-*`` beside the output) is held locked by its build; one
# that nobody holds is what a killed build left behind, removed by the next build. One
# without its lock file yet is left alone for this long (its build may be just starting).
STALE_UNLOCKED = timedelta(minutes=10)
BUILD_LOCK = ".rota-build.lock"
_held: list[Any] = []  # the lock files of this process's builds in progress


def hold_build(work: Path) -> None:
    """Lock ``work`` for as long as this build runs (released when it is removed)."""
    try:
        import fcntl
    except ImportError:  # no advisory locks here: stale folders go by age only
        return
    handle = (work / BUILD_LOCK).open("w")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _held.append(handle)


def _release(work: Path) -> None:
    for handle in [h for h in _held if Path(h.name).parent == work]:
        _held.remove(handle)
        handle.close()


def remove_stale_builds(out: Path, now: float | None = None) -> list[Path]:
    """Remove the build folders killed builds of ``out`` left behind; those removed."""
    import time

    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    now = time.time() if now is None else now
    removed = []
    for folder in sorted(out.parent.glob(f".{out.name}.build-*")):
        if folder.is_symlink() or not folder.is_dir():
            continue
        lock = folder / BUILD_LOCK
        if fcntl is not None and lock.is_file():
            with lock.open("a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a build is running in it
                shutil.rmtree(folder, ignore_errors=True)
        elif now - folder.stat().st_mtime > STALE_UNLOCKED.total_seconds():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            continue
        removed.append(folder)
    return removed


def publish_site(
    root: Path,
    files: Mapping[str, str | bytes],
    out: Path,
    now: datetime | None = None,
    site_url: str | None = None,
    offline: bool = False,
    clean_docs: bool = False,
    incremental: bool = True,
) -> int | None:
    """Build the MkDocs site from ``files`` (paths under docs/) and swap it into ``out``.

    Everything is built in a temporary folder beside ``out``; ``out`` is touched
    only by the final swap, so a failure at any stage leaves it as it was.
    ``offline``: a site that works opened from disk (``mkdocs_config``).
    ``incremental``: when ``out`` holds the previous build (and the memo keeps its
    state), start from a copy of it and render only the pages that changed
    (``publish.incremental``); the result is the same, byte for byte. Offline sites
    are always built in full. Returns how many pages MkDocs rendered again when it
    built incrementally, None when it built them all.
    """
    from generator.publish import incremental as inc

    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_builds(out)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    except OSError as exc:
        raise BuildFailed(f"cannot write the site in {out.parent}: {exc.strerror or exc}") from None
    tracker = None
    try:
        hold_build(work)
        docs, site = work / "docs", work / "site"
        own = own_docs(root)  # the site's own pages, beside which Rota's are generated
        if own is not None:
            refuse_outside_links(root, own)
            shutil.copytree(own, docs, ignore=shutil.ignore_patterns(".*"))
        else:
            docs.mkdir()
        config = mkdocs_config(root, docs, site, offline)
        if incremental and not offline:
            previous = inc.read_state(out)
            shared = inc.shared_digest(config, f"{site_url}\0{clean_docs}")
            tracker = inc.Tracker(previous, shared)
            if previous is not None:
                shutil.copytree(out, site, symlinks=True)
        else:
            inc.forget_state(out)
        run_mkdocs(config, work, files, now, site_url, clean_docs, tracker)
        os.chmod(site, 0o755)
        if tracker is not None:
            inc.write_state(out, tracker.state, site)
        replace_folder(site, out)
    except OSError as exc:
        raise BuildFailed(f"cannot write the site: {exc.strerror or exc}") from None
    finally:
        _release(work)
        shutil.rmtree(work, ignore_errors=True)
    rebuilt = tracker.rebuilt if tracker is not None else None
    return len(rebuilt) if rebuilt is not None else None


def _say(text: str) -> None:
    print(text, flush=True)


def serve_site(
    root: Path, now: datetime | None, dev_addr: str, say: Callable[[str], None] = _say
) -> None:
    """Preview with MkDocs' own server, rebuilding (through the ``rota`` plugin, which
    renders the organisation again) when rotations/, runbooks/, postmortems/ or templates
    change. MkDocs renders again only the pages whose Markdown changed
    (``publish.incremental``).

    ``say`` is told when the first build starts and the address once it is served
    ("Serving on http://127.0.0.1:8000/ (press Ctrl+C to stop)"); MkDocs' warnings and
    errors (a failed rebuild) go to standard error. Ctrl+C (SIGINT) and SIGTERM stop the
    server and return normally; the temporary folders (``rota-serve-*`` and MkDocs' own)
    are removed whichever way it ends.
    """
    from mkdocs.commands.serve import serve

    with _stopped_by_signals():
        work = Path(tempfile.mkdtemp(prefix="rota-serve-"))
        try:
            docs = own_docs(root)  # the site's own pages, watched by MkDocs itself
            if docs is None:
                docs = work / "docs"
                docs.mkdir()
            config = mkdocs_config(root, docs, work / "site")
            config["strict"] = False
            for plugin in config["plugins"]:
                if isinstance(plugin, dict) and "rota" in plugin:
                    # each rebuild renders again only the pages that changed
                    plugin["rota"]["incremental"] = True
                    if now is not None:
                        plugin["rota"]["now"] = now.isoformat()
            config_path = work / "mkdocs.yml"
            config_path.write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")
            watch = [root / name for name in ("rotations", "runbooks", "postmortems")]
            watch.append(root / "site_templates")
            watch.append(templates_folder())
            say("Building the preview...")
            with _told(say):
                from generator.publish.incremental import quiet_dirty_warning

                quiet_dirty_warning()
                serve(
                    config_file=str(config_path),
                    livereload=True,
                    build_type="dirty",  # into the same folder: see publish.incremental
                    watch=[str(p) for p in watch if p.is_dir()],
                    dev_addr=dev_addr,
                )
        except KeyboardInterrupt:  # stopped during the first build: MkDocs cleaned up its own
            pass
        finally:
            shutil.rmtree(work, ignore_errors=True)


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM stops the preview as Ctrl+C does (a KeyboardInterrupt, which MkDocs' server
    answers by shutting down and removing its folder). Only the first signal interrupts:
    a second one during the clean-up is ignored, so the clean-up finishes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


# MkDocs' server says "[12:00:00] Serving on http://127.0.0.1:8000/" once it listens
SERVING = re.compile(r"\bServing on (\S+)")
STAMP = re.compile(r"^\[\d\d:\d\d:\d\d\] ")


class _Told(logging.Handler):
    """MkDocs' server messages worth a user's eye: where it serves (to ``say``), and
    warnings and errors (a failed rebuild) on standard error."""

    def __init__(self, say: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.say = say

    def emit(self, record: logging.LogRecord) -> None:
        message = STAMP.sub("", record.getMessage())
        serving = SERVING.search(message) if record.name == "mkdocs.livereload" else None
        if record.levelno >= logging.WARNING:
            level = "error" if record.levelno >= logging.ERROR else "warning"
            sys.stderr.write(f"rota serve: {level}: {message}\n")
            sys.stderr.flush()
        elif serving is not None:
            self.say(f"Serving on {serving.group(1)} (press Ctrl+C to stop)")


@contextmanager
def _told(say: Callable[[str], None]) -> Iterator[None]:
    logger = logging.getLogger("mkdocs")
    handler = _Told(say)
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
