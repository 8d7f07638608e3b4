"""What `rota init` writes works as it is: with `rota build`, with plain `mkdocs build`
(the rota plugin its mkdocs.yml names), and through the plugin from another MkDocs site
whose own mkdocs.yml has no nav. Also: a site's own pages appear beside Rota's, and a
large hand-written nav gets one warning saying what to change."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW

MKDOCS = Path(sys.executable).parent / "mkdocs"


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    target = tmp_path / "oncall"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    return target


def mkdocs_build(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROTA_NOW": NOW}
    return subprocess.run(
        [str(MKDOCS), "build", "--strict"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def nav_titles(html: str) -> list[str]:
    start = html.index("md-nav--primary")
    end = html.index('class="md-sidebar md-sidebar--secondary"', start)
    return re.findall(r'<span class="md-ellipsis">\s*([^<]+?)\s*</span>', html[start:end])


def test_init_writes_the_docs_folder_its_mkdocs_yml_names(fresh: Path) -> None:
    assert "docs_dir: docs" in (fresh / "mkdocs.yml").read_text()
    assert (fresh / "docs").is_dir()
    # a file git keeps (an empty folder would vanish from a clone), hidden from MkDocs
    assert (fresh / "docs" / ".keep").is_file()


def test_init_organisation_builds_with_rota_build(fresh: Path) -> None:
    result = CliRunner().invoke(cli, ["--root", str(fresh), "build", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert (fresh / "site" / "fairness" / "example" / "index.html").is_file()
    assert (fresh / "site" / "pay" / "example" / "index.html").is_file()


def test_init_organisation_builds_with_plain_mkdocs_build(fresh: Path) -> None:
    result = mkdocs_build(fresh)
    assert result.returncode == 0, result.stderr
    html = (fresh / "site" / "teams" / "example" / "index.html").read_text()
    assert "Fairness of Example" in html
    assert (fresh / "site" / "ical" / "ada.ics").is_file()


def test_plugin_in_another_site_without_nav_adds_rota_sections_then_own_pages(
    fresh: Path, tmp_path: Path
) -> None:
    site = tmp_path / "handbook"
    (site / "docs" / "guides").mkdir(parents=True)
    (site / "docs" / "about.md").write_text("# About us\n\nThe platform handbook.\n")
    (site / "docs" / "guides" / "paging.md").write_text("# Paging etiquette\n")
    (site / "mkdocs.yml").write_text(
        "site_name: Handbook\n"
        "site_url: https://handbook.example.com/\n"
        "theme: {name: material, font: false}\n"
        "plugins:\n  - search\n  - rota: {root: ../oncall}\n"
    )
    result = mkdocs_build(site)
    assert result.returncode == 0, result.stderr
    html = (site / "site" / "about" / "index.html").read_text()
    assert nav_titles(html) == [
        "Home",
        "Teams",
        "People",
        "Runbooks",
        "Handoffs",
        "Fairness",
        "Pay",
        "Severities",
        "Postmortems",
        "Actions",
        "Incidents",
        "About us",
        "Guides",
        "Paging etiquette",
    ]
    # a team page, a person page and a runbook are built but stay out of the navigation
    assert (site / "site" / "people" / "ada" / "index.html").is_file()
    assert "people/ada/" not in html.split('class="md-content"', 1)[0]


def test_rota_build_publishes_the_sites_own_pages(fresh: Path) -> None:
    (fresh / "docs" / "escalation-policy.md").write_text("# Escalation policy\n\nPage early.\n")
    result = CliRunner().invoke(cli, ["--root", str(fresh), "build", "--now", NOW])
    assert result.exit_code == 0, result.output
    page = fresh / "site" / "escalation-policy" / "index.html"
    assert "Page early." in page.read_text()
    # the nav of init's mkdocs.yml is left as written: the page is linked from where
    # the organisation links it
    assert "Escalation policy" not in nav_titles(page.read_text())


def test_large_hand_written_nav_gets_one_warning_and_still_builds(fresh: Path) -> None:
    for i in range(160):
        (fresh / "docs" / f"page-{i:03d}.md").write_text(f"# Page {i}\n")
    text = (fresh / "mkdocs.yml").read_text()
    listed = "".join(f"  - page-{i:03d}.md\n" for i in range(160))
    text = re.sub(r"(?ms)^nav:\n.*?(?=^not_in_nav:)", "nav:\n  - Home: index.md\n" + listed, text)
    (fresh / "mkdocs.yml").write_text(text)
    result = CliRunner().invoke(cli, ["--root", str(fresh), "build", "--now", NOW])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("mkdocs.yml:")]
    assert warnings == [
        "mkdocs.yml: warning: the navigation lists 161 pages and MkDocs writes all of it into "
        "every page, so every page grows with it: list section index pages only and put the "
        "rest in `not_in_nav`, or remove `nav` and let Rota supply its sectioned navigation"
    ]
