"""A site built to be opened from disk (``rota build --offline`` or
``settings.site.offline: true``): every link names a file, search and the live "now"
read scripts, nothing is loaded from outside. The browser test opens one from file://."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW


def new_org(tmp_path: Path, offline_setting: bool) -> Path:
    """``rota init``'s organisation, with ``site.offline`` set or not."""
    root = tmp_path / "org"
    result = CliRunner().invoke(cli, ["init", str(root)])
    assert result.exit_code == 0, result.output
    settings = root / "rotations" / "settings.yaml"
    text = settings.read_text()
    assert "site: {publish_pay: true}" in text
    if offline_setting:
        text = text.replace("site: {publish_pay: true}", "site: {publish_pay: true, offline: true}")
        settings.write_text(text)
    return root


def build(root: Path, *options: str) -> Path:
    result = CliRunner().invoke(cli, ["--root", str(root), "build", "--now", NOW, *options])
    assert result.exit_code == 0, result.output
    return root / "site"


def links_to_missing_files(site: Path) -> list[tuple[str, str]]:
    """Relative links and sources of every page that name no file (opened from disk, a
    link to a folder shows a file listing). 404.html is for servers: its links are absolute."""
    missing = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html" and page.parent == site:
            continue
        for url in re.findall(r'(?:href|src)="([^"]*)"', page.read_text()):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            if not os.path.isfile(page.parent / unquote(parts.path)):
                missing.append((page.relative_to(site).as_posix(), url))
    return missing


def test_site_offline_setting_builds_a_site_whose_every_link_names_a_file(
    tmp_path: Path,
) -> None:
    site = build(new_org(tmp_path, offline_setting=True))
    assert links_to_missing_files(site) == []
    home = (site / "index.html").read_text()
    assert 'href="teams/example/index.html"' in home
    # a runbook is a page of its own, linked as a file from its index
    runbooks = (site / "runbooks" / "index.html").read_text()
    found = re.findall(r'href="(example/[a-z0-9-]+\.html)"', runbooks)
    assert found and all((site / "runbooks" / f).is_file() for f in found)
    # search reads its index from a script; the search worker's shim is the site's own
    assert (site / "search" / "search_index.js").read_text().startswith("var __index = {")
    assert '<script src="assets/iframe-worker.js">' in home
    assert "unpkg" not in home and "navigation.instant" not in home


def test_offline_data_scripts_hold_the_same_schedule_and_directory_as_the_json(
    tmp_path: Path,
) -> None:
    site = build(new_org(tmp_path, offline_setting=False), "--offline")
    for name in ("schedule", "directory"):
        script = (site / "data" / f"{name}.js").read_text()
        header, body = script.split("\n", 1)
        assert header.startswith("/* data/") and header.endswith("*/")
        prefix = f'(window.rotaData = window.rotaData || {{}})["{name}.json"] = '
        assert body.startswith(prefix) and body.endswith(";\n")
        data = json.loads(body.removeprefix(prefix).removesuffix(";\n"))
        assert data == json.loads((site / "data" / f"{name}.json").read_text())


def test_no_offline_option_wins_over_the_setting(tmp_path: Path) -> None:
    site = build(new_org(tmp_path, offline_setting=True), "--no-offline")
    home = (site / "index.html").read_text()
    assert 'href="teams/example/"' in home
    assert not (site / "data" / "schedule.js").exists()
    assert not (site / "search" / "search_index.js").exists()
    assert "iframe-worker" not in home
