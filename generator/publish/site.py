"""Write the rendered files, run MkDocs on them, and swap the result into place.

Everything happens in a temporary folder beside the output; the output folder
is only touched by the final swap, so a failure at any stage leaves it as it was.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from generator.errors import BuildFailed
from generator.publish.atomic import replace_folder

PACKAGED_TEMPLATES = Path(__file__).resolve().parent.parent / "site_templates"


def templates_folder() -> Path:
    from importlib.resources import files

    return Path(str(files("generator.site_templates")))


def mkdocs_config(
    root: Path, docs_dir: Path, site_dir: Path, overrides_dir: Path
) -> dict[str, Any]:
    """The organisation's mkdocs.yml (or the packaged default), pointed at the build folders."""
    path = root / "mkdocs.yml"
    source = path if path.is_file() else templates_folder() / "mkdocs.default.yml"
    try:
        config = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BuildFailed(f"cannot read {source.name}: {exc}") from None
    if not isinstance(config, dict):
        raise BuildFailed(f"{source.name} is not a mapping")
    config.pop("plugins", None) if _only_rota_plugin(config) else None
    theme = config.get("theme") or {}
    if isinstance(theme, str):
        theme = {"name": theme}
    theme.setdefault("name", "material")
    theme["custom_dir"] = str(overrides_dir)
    config["theme"] = theme
    config["docs_dir"] = str(docs_dir)
    config["site_dir"] = str(site_dir)
    config.setdefault("site_name", "On call")
    config["strict"] = True
    return config


def _only_rota_plugin(config: dict[str, Any]) -> bool:
    """`plugins: [rota]` is for plain `mkdocs build`; rota build renders itself."""
    plugins = config.get("plugins")
    if isinstance(plugins, list):
        config["plugins"] = [
            p for p in plugins if p != "rota" and not (isinstance(p, dict) and "rota" in p)
        ]
    return False


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(config: dict[str, Any], work: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_path = work / "mkdocs.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")
    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(collector)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        cfg = load_config(config_file=io.StringIO(config_path.read_text()), strict=True)
        cfg.config_file_path = str(config_path)
        build(cfg)
    except (MkDocsException, SystemExit) as exc:
        detail = "; ".join(collector.messages) or str(exc)
        raise BuildFailed(f"MkDocs: {detail}") from None
    except Exception as exc:
        raise BuildFailed(f"MkDocs failed: {exc}") from None
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
    if collector.messages:
        raise BuildFailed("MkDocs: " + "; ".join(collector.messages))


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


def publish_site(root: Path, files: Mapping[str, str | bytes], out: Path) -> None:
    """Build the MkDocs site from ``files`` (paths under docs/) and swap it into ``out``."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    try:
        docs, site, overrides = work / "docs", work / "site", work / "overrides"
        write_files(docs, files)
        shutil.copytree(templates_folder() / "overrides", overrides)
        org_overrides = root / "site_templates" / "overrides"
        if org_overrides.is_dir():
            shutil.copytree(org_overrides, overrides, dirs_exist_ok=True)
        run_mkdocs(mkdocs_config(root, docs, site, overrides), work)
        os.chmod(site, 0o755)
        replace_folder(site, out)
    except OSError as exc:
        raise BuildFailed(f"cannot write the site: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
