"""Incremental site builds: MkDocs renders only the pages whose input changed.

A page's HTML is a function of its own Markdown and of what every page shares: the
MkDocs configuration, the theme and its overrides, Rota's and MkDocs' code, the list
of the site's files (links between pages resolve against it) and the navigation.
After each build the digests of both are kept (the *state*): the shared ones as one
digest, and one digest per page of its Markdown. The next build of the same output
starts from a copy of the previous output and, if the shared digest is the same,
MkDocs renders only the pages whose Markdown changed (its ``dirty`` mode, told which
pages are unchanged); anything else rebuilds everything. Files of pages or assets
that are gone are removed, Material's search index keeps the unchanged pages' entries
from the previous index in the order a full build writes them, and the sitemap, 404
page and assets are written as always, so the output is byte for byte a full build's.

The state lives in the memo folder (``memo.cache_dir``, ``sites/``), keyed by the
output folder's path, with a digest of the output's listing (paths, sizes, times):
an output changed or replaced since is rebuilt in full. ``ROTA_CACHE_DIR=`` (the
memo off) makes every build a full one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

STATE_VERSION = 1
# what MkDocs says of every dirty build; here the build is exact, so it is not shown
DIRTY_WARNING = "A 'dirty' build is being performed"
# Plugins known to render a page from its own Markdown only; with any other (tags, blog:
# pages built from other pages) or Markdown that includes other files (snippets), every
# build is a full one.
SAFE_PLUGINS = {"search", "material/search", "rota", "offline", "material/offline"}
# the libraries whose versions shape every page
LIBRARIES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "nh3")


def _digest(*parts: bytes) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def _folder_digest(folders: Iterable[str]) -> bytes:
    """Every file under the folders (theme overrides, templates): paths and bytes."""
    h = hashlib.blake2b(digest_size=20)
    for folder in folders:
        base = Path(folder)
        h.update(str(base).encode() + b"\0")
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            h.update(path.relative_to(base).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    return h.digest()


def _versions() -> bytes:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in LIBRARIES:
        try:
            out.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}=-")
    return "\n".join(out).encode()


def listing(site: Path) -> str:
    """A digest of every file under ``site``: path, size, modification time."""
    rows = []
    for dirpath, _, filenames in os.walk(site):
        for name in filenames:
            path = os.path.join(dirpath, name)
            st = os.stat(path)
            rows.append(f"{os.path.relpath(path, site)}\0{st.st_size}\0{st.st_mtime_ns}")
    return _digest("\n".join(sorted(rows)).encode())


def _state_file(out: Path) -> Path | None:
    from generator.memo import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    return folder / "sites" / f"{_digest(str(out.resolve()).encode())}.json"


def _private(folder: Path) -> bool:
    try:
        st = folder.stat()
    except OSError:
        return False
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def read_state(out: Path) -> dict[str, Any] | None:
    """The state of the build that wrote ``out``, if kept and ``out`` is as it left it."""
    path = _state_file(out)
    if path is None or not out.is_dir() or not _private(path.parent):
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return None
    if state.get("listing") != listing(out):
        return None
    return state


def write_state(out: Path, state: dict[str, Any], site: Path) -> None:
    """Keep ``state`` for the output folder ``out``, whose files are now ``site``'s."""
    path = _state_file(out)
    if path is None:
        return
    try:
        path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        if not _private(path.parent):
            return
        kept = {**state, "version": STATE_VERSION, "listing": listing(site)}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # only ever a shortcut
        return


def forget_state(out: Path) -> None:
    path = _state_file(out)
    if path is not None:
        path.unlink(missing_ok=True)


class _QuietDirty(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_WARNING)


QUIET_DIRTY = _QuietDirty()


def quiet_dirty_warning() -> None:
    """Drop MkDocs' warning about dirty builds (added once; it counts in strict mode)."""
    logger = logging.getLogger("mkdocs.commands.build")
    if QUIET_DIRTY not in logger.filters:
        logger.addFilter(QUIET_DIRTY)


def _unchanged() -> bool:
    return False


def _changed() -> bool:
    return True


class Tracker:
    """Told by the ``rota`` plugin what MkDocs is about to build (``on_files``) and
    before Material writes its search index (``on_post_build``).

    ``previous``: the state of the build whose output is in the site folder (None: the
    folder is empty, everything is built). ``shared``: the digest of what every page
    shares that the plugin cannot see (the configuration, Rota's code). After the
    build, ``state`` is this build's and ``rebuilt`` the pages MkDocs rendered (None:
    all of them)."""

    def __init__(self, previous: dict[str, Any] | None, shared: str, serving: bool = False) -> None:
        self.previous = previous
        self.shared = shared
        self.serving = serving
        self.state: dict[str, Any] = {}
        self.rebuilt: set[str] | None = None
        self.files: Any = None

    def on_files(self, files: Any, config: Any) -> None:
        from mkdocs.utils import clean_directory

        material = _material_dir()
        theme_dirs = [
            d for d in config.theme.dirs if material is None or not d.startswith(material)
        ]
        pages: dict[str, str] = {}
        dests: dict[str, str] = {}
        for f in files:
            dests[f.src_uri] = f.dest_uri
            if f.is_documentation_page():
                pages[f.src_uri] = _digest(f.src_uri.encode(), f.content_bytes)
        nav = json.dumps(config.nav, sort_keys=True, default=str).encode()
        untitled = sorted(_untitled(config.nav))  # their titles come from their pages
        shared = _digest(
            self.shared.encode(),
            _versions(),
            _folder_digest(theme_dirs),
            json.dumps(sorted(dests.items())).encode(),
            nav,
            json.dumps([pages.get(p, "") for p in untitled]).encode(),
            str(config.site_url).encode(),
            str(config.use_directory_urls).encode(),
        )
        self.files = files
        site = Path(config.site_dir)
        previous = self.previous if incremental_safe(config) else None
        if previous is None or previous.get("shared") != shared:
            if site.is_dir():
                clean_directory(str(site))  # what a previous build left: built again
            self.rebuilt = None
            for f in files:
                f.is_modified = _changed  # written whatever the times say
        else:
            self.rebuilt = {src for src, d in pages.items() if previous["pages"].get(src) != d}
            docs = os.path.realpath(config.docs_dir)
            for f in files:
                if f.is_documentation_page():
                    f.is_modified = _changed if f.src_uri in self.rebuilt else _unchanged
                elif f.abs_src_path and os.path.realpath(f.abs_src_path).startswith(docs + os.sep):
                    f.is_modified = _changed  # the site's own files: copied every time
            kept = set(dests.values())
            for dest in set(previous["dests"].values()) - kept:  # pages and files gone
                path = (site / dest).resolve()
                if path.is_relative_to(site.resolve()):
                    path.unlink(missing_ok=True)
            _remove_empty_folders(site)
        self.state = {"shared": shared, "pages": pages, "dests": dests}

    def _merge_search(self, config: Any) -> None:
        """Give Material's search plugin the entries of the pages not rendered this time,
        from the previous index, in the order of a full build."""
        search = config.plugins.get("material/search") or config.plugins.get("search")
        if search is not None and hasattr(search, "search_index_prev"):
            # Material's own dirty-build merge (one page changed) is not wanted: the
            # entries are given in full here, or the index is built in full
            search.search_index_prev = None
        if self.rebuilt is None or self.files is None:
            return
        index = getattr(search, "search_index", None)
        if index is None or not getattr(search, "config", {}).get("enabled", True):
            return
        from mkdocs.structure.files import InclusionLevel

        path = Path(config.site_dir) / "search" / "search_index.json"
        try:
            old = json.loads(path.read_text(encoding="utf-8"))["docs"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RuntimeError(f"the previous search index cannot be read: {exc}") from None
        before = _by_page(old)
        now = _by_page(index.entries)
        inclusion = InclusionLevel.is_in_serve if self.serving else InclusionLevel.is_included
        entries: list[Any] = []
        for f in self.files.documentation_pages(inclusion=inclusion):
            if f.page is None:
                continue
            url = f.page.url
            entries.extend(now.get(url, []) if f.src_uri in self.rebuilt else before.get(url, []))
        index.entries = entries

    def before_search_index(self, config: Any) -> None:
        self._merge_search(config)
        self.done(config)

    def done(self, config: Any) -> None:
        """The build went through (every page is written): its state may be kept."""


def _by_page(entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        out.setdefault(str(entry["location"]).split("#", 1)[0], []).append(entry)
    return out


def _untitled(nav: Any) -> list[str]:
    """Pages a nav lists without a title (MkDocs takes it from the page)."""
    if isinstance(nav, list):
        return [p for item in nav for p in _untitled(item)]
    if isinstance(nav, dict):
        return [p for value in nav.values() if not isinstance(value, str) for p in _untitled(value)]
    if isinstance(nav, str) and "://" not in nav:
        return [nav]
    return []


def _remove_empty_folders(site: Path) -> None:
    for dirpath, _, _ in os.walk(site, topdown=False):
        if dirpath != str(site) and not os.listdir(dirpath):
            os.rmdir(dirpath)


def _material_dir() -> str | None:
    try:
        import material
    except ImportError:
        return None
    return os.path.dirname(material.__file__)


def shared_digest(config: dict[str, Any], extra: str = "") -> str:
    """What every page shares that MkDocs' own objects do not show: the configuration
    as written for MkDocs (without its build folders), Rota's code and templates."""
    from generator.memo import _code_digest
    from generator.templates import templates_folder

    written = {k: v for k, v in config.items() if k not in ("docs_dir", "site_dir")}
    return _digest(
        json.dumps(written, sort_keys=True, default=str).encode(),
        _code_digest(),
        _folder_digest([str(templates_folder())]),
        extra.encode(),
    )


# rota serve: the state of the last build into each site folder (this process's)
_SERVED: dict[str, dict[str, Any]] = {}


class _Served(Tracker):
    def done(self, config: Any) -> None:
        _SERVED[str(config.site_dir)] = self.state


def served_tracker(config: Any) -> Tracker:
    """The tracker of a ``rota serve`` build: MkDocs' server builds into one folder again
    and again (dirty builds), each from the state the last one left."""
    site = str(config.site_dir)
    previous = _SERVED.pop(site, None)  # a failed build leaves none: the next is full
    if previous is not None and not os.listdir(site):
        previous = None
    path = config.config_file_path
    written = Path(path).read_text(encoding="utf-8") if path and os.path.isfile(path) else ""
    return _Served(previous, shared_digest({"written": written}), serving=True)


def incremental_safe(config: Any) -> bool:
    """Whether each page of this site is rendered from its own Markdown only: no plugin
    but those known to (``SAFE_PLUGINS``), no Markdown extension including other files."""
    plugins = {str(name).split(" #", 1)[0] for name in config.plugins}
    extensions = [str(e) for e in config.markdown_extensions]
    return plugins <= SAFE_PLUGINS and not any("snippets" in e for e in extensions)
