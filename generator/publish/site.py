"""Write the rendered files, run MkDocs on them, and swap the result into place.

Everything happens in a temporary folder beside the output; the output folder
is only touched by the final swap (``publish.atomic``), so a failure at any
stage leaves it as it was. MkDocs runs with the ``rota`` plugin, handed the
files already rendered: the same plugin ``mkdocs build`` and ``rota serve`` use.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
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


def mkdocs_config(root: Path, docs_dir: Path, site_dir: Path) -> dict[str, Any]:
    """The organisation's mkdocs.yml (or the packaged default), pointed at the build folders,
    with the ``rota`` plugin (it adds the pages, assets and overrides)."""
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
        theme["custom_dir"] = str((root / str(theme["custom_dir"])).resolve())
    config["theme"] = theme
    config["docs_dir"] = str(docs_dir)
    config["site_dir"] = str(site_dir)
    config.setdefault("site_name", "On call")
    config["strict"] = True
    plugins = config.get("plugins")
    plugins = list(plugins) if isinstance(plugins, list) else ["search"]
    rota = {"root": str(root.resolve())}
    plugins = [p for p in plugins if p != "rota" and not (isinstance(p, dict) and "rota" in p)]
    config["plugins"] = [*plugins, {"rota": rota}]
    return config


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
) -> None:
    """Build with MkDocs' Python API; any warning fails the build (strict).

    ``files`` are handed to the ``rota`` plugin; ``now`` fixes the dates MkDocs
    writes (sitemap, gzip header) through SOURCE_DATE_EPOCH, so builds repeat.
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
            plugin.use_files(files, site_url)
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


def publish_site(
    root: Path,
    files: Mapping[str, str | bytes],
    out: Path,
    now: datetime | None = None,
    site_url: str | None = None,
) -> None:
    """Build the MkDocs site from ``files`` (paths under docs/) and swap it into ``out``.

    Everything is built in a temporary folder beside ``out``; ``out`` is touched
    only by the final swap, so a failure at any stage leaves it as it was.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    try:
        docs, site = work / "docs", work / "site"
        own = own_docs(root)  # the site's own pages, beside which Rota's are generated
        if own is not None:
            shutil.copytree(own, docs, ignore=shutil.ignore_patterns(".*"))
        else:
            docs.mkdir()
        run_mkdocs(mkdocs_config(root, docs, site), work, files, now, site_url)
        os.chmod(site, 0o755)
        replace_folder(site, out)
    except OSError as exc:
        raise BuildFailed(f"cannot write the site: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def serve_site(root: Path, now: datetime | None, dev_addr: str) -> None:
    """Preview with MkDocs' own server, rebuilding (through the ``rota`` plugin, which
    renders the organisation again) when rotations/, runbooks/, postmortems/ or templates change."""
    from mkdocs.commands.serve import serve

    work = Path(tempfile.mkdtemp(prefix="rota-serve-"))
    try:
        docs = own_docs(root)  # the site's own pages, watched by MkDocs itself
        if docs is None:
            docs = work / "docs"
            docs.mkdir()
        config = mkdocs_config(root, docs, work / "site")
        config["strict"] = False
        for plugin in config["plugins"]:
            if isinstance(plugin, dict) and "rota" in plugin and now is not None:
                plugin["rota"]["now"] = now.isoformat()
        config_path = work / "mkdocs.yml"
        config_path.write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")
        watch = [root / name for name in ("rotations", "runbooks", "postmortems")]
        watch.append(root / "site_templates")
        watch.append(templates_folder())
        serve(
            config_file=str(config_path),
            livereload=True,
            watch=[str(p) for p in watch if p.is_dir()],
            dev_addr=dev_addr,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
