"""Incremental builds: after a build, `rota build` into the same folder renders again
only the pages whose Markdown changed, and its output is byte for byte what a full
build of the same inputs writes (pages, search index, sitemap, feeds, assets)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW


def build(root: Path, out: Path) -> str:
    result = CliRunner().invoke(
        cli, ["--root", str(root), "build", "--now", NOW, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return result.output


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def changed_pages(output: str) -> int | None:
    """How many pages the build says MkDocs rendered again (None: a full build)."""
    found = re.search(r"site: [\d,]+ pages built with MkDocs \(([\d,]+) changed", output)
    return int(found.group(1).replace(",", "")) if found else None


def kept(output: str, stage: str) -> bool:
    """Whether the build says it reused the stage's results (reports, feeds) from the
    last build: their inputs did not change."""
    return re.search(rf"^{stage}: .*unchanged since the last build", output, re.M) is not None


def incremental_equals_full(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: object
) -> tuple[str, dict[str, bytes], dict[str, bytes]]:
    """Build, apply ``edit``, build again into the same folder; then a full build of the
    same inputs (the memo off, the feed memory as the second build found it)."""
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    site = tmp_path / "site"
    build(root, site)
    edit()  # type: ignore[operator]
    state = root / "rotations" / "feeds.state.json"
    feed_memory = state.read_bytes()
    output = build(root, site)
    state.write_bytes(feed_memory)
    monkeypatch.setenv("ROTA_CACHE_DIR", "")
    full = tmp_path / "full"
    assert changed_pages(build(root, full)) is None
    return output, files_of(site), files_of(full)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_runbook_edit_renders_its_pages_only(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runbook = sample_org / "runbooks" / "data-platform" / "kafka-consumer-lag.md"
    output, incremental, full = incremental_equals_full(
        sample_org,
        tmp_path,
        monkeypatch,
        lambda: append(runbook, "\nCheck the lag dashboard before paging anyone.\n"),
    )
    assert incremental == full
    # a runbook's text is read by its page only: the reports and feeds are reused
    assert kept(output, "reports") and kept(output, "feeds")
    # the runbook's page, and the team and handoff pages that list the team's runbooks
    # with their review state: far fewer than the site's 135 pages
    changed = changed_pages(output)
    assert changed is not None and 1 <= changed <= 20
    page = incremental["runbooks/data-platform/kafka-consumer-lag/index.html"]
    assert b"Check the lag dashboard before paging anyone." in page
    assert (
        b"Check the lag dashboard before paging anyone." in incremental["search/search_index.json"]
    )


def test_a_leave_edit_equals_a_full_build(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = sample_org / "rotations" / "people.yaml"
    text = people.read_text(encoding="utf-8")
    edited = text.replace(
        "      - {from: 2027-02-15, to: 2027-02-19, note: Ski trip}",
        "      - {from: 2027-02-15, to: 2027-02-26, note: Ski trip in the Alps}",
    )
    assert edited != text
    output, incremental, full = incremental_equals_full(
        sample_org, tmp_path, monkeypatch, lambda: people.write_text(edited, encoding="utf-8")
    )
    assert incremental == full
    assert changed_pages(output) is not None  # not everything
    assert not kept(output, "reports") and not kept(output, "feeds")
    assert b"Ski trip in the Alps" in incremental["people/daniel-okafor/index.html"]


def test_a_rotation_edit_equals_a_full_build(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = sample_org / "rotations" / "teams" / "identity.yaml"
    text = team.read_text(encoding="utf-8")
    # a longer rest between shifts: the plan beyond the lock file changes
    edited = text.replace("        min_rest: 12h\n", "        min_rest: 20h\n")
    assert edited != text
    output, incremental, full = incremental_equals_full(
        sample_org, tmp_path, monkeypatch, lambda: team.write_text(edited, encoding="utf-8")
    )
    assert incremental == full
    assert changed_pages(output) is not None


def test_a_settings_edit_that_touches_every_page_rebuilds_everything(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = sample_org / "rotations" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    edited = text.replace(
        "site: {publish_pay: true}", "site: {publish_pay: true, url: https://oncall.example.org/}"
    )
    assert edited != text
    output, incremental, full = incremental_equals_full(
        sample_org, tmp_path, monkeypatch, lambda: settings.write_text(edited, encoding="utf-8")
    )
    assert changed_pages(output) is None  # every page names the site's address
    assert incremental == full
    assert b"https://oncall.example.org/" in incremental["sitemap.xml"]


def test_a_theme_template_edit_rebuilds_everything(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def override() -> None:
        folder = sample_org / "site_templates" / "overrides"
        folder.mkdir(parents=True)
        (folder / "main.html").write_text(
            '{% extends "base.html" %}\n{% block announce %}Freeze from 18 Dec{% endblock %}\n'
        )

    output, incremental, full = incremental_equals_full(sample_org, tmp_path, monkeypatch, override)
    assert changed_pages(output) is None
    assert incremental == full
    assert b"Freeze from 18 Dec" in incremental["teams/identity/index.html"]


def test_a_deleted_runbook_disappears(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runbook = sample_org / "runbooks" / "data-platform" / "kafka-consumer-lag.md"
    output, incremental, full = incremental_equals_full(
        sample_org, tmp_path, monkeypatch, runbook.unlink
    )
    assert incremental == full
    assert not any(path.startswith("runbooks/data-platform/kafka-consumer-lag") for path in full)
    # the team's runbook list in the handoff notes (reports, feeds) lost it
    assert not kept(output, "reports") and not kept(output, "feeds")


def test_a_runbook_review_date_edit_recomputes_the_reports(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runbook's metadata (here its review date) is an input of the reports, unlike
    its text: the build computes them again, and equals a full build."""
    runbook = sample_org / "runbooks" / "data-platform" / "kafka-consumer-lag.md"
    text = runbook.read_text(encoding="utf-8")
    reviewed = re.search(r"^last_reviewed: .*$", text, re.M)
    assert reviewed is not None
    edited = text.replace(reviewed.group(0), "last_reviewed: 2026-11-20")
    assert edited != text
    output, incremental, full = incremental_equals_full(
        sample_org, tmp_path, monkeypatch, lambda: runbook.write_text(edited, encoding="utf-8")
    )
    assert not kept(output, "reports") and not kept(output, "feeds")
    assert incremental == full


def test_an_unchanged_rebuild_reuses_the_reports_and_feeds(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first build writes the feed memory it started without; the second starts
    from that memory and still reuses the feeds, which are the same bytes."""
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    state = sample_org / "rotations" / "feeds.state.json"
    state.unlink(missing_ok=True)
    site = tmp_path / "site"
    first = build(sample_org, site)
    assert not kept(first, "reports") and not kept(first, "feeds")
    before, memory = files_of(site), state.read_bytes()
    second = build(sample_org, site)
    assert kept(second, "reports") and kept(second, "feeds")
    assert files_of(site) == before and state.read_bytes() == memory


def test_an_unchanged_rebuild_renders_nothing_and_a_changed_output_is_rebuilt(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    site = tmp_path / "site"
    build(sample_org, site)
    before = files_of(site)
    assert changed_pages(build(sample_org, site)) == 0
    assert files_of(site) == before
    # someone changed the published folder by hand: the next build does not trust it
    (site / "index.html").write_text("defaced")
    assert changed_pages(build(sample_org, site)) is None
    assert files_of(site) == before
    shutil.rmtree(site)
    assert changed_pages(build(sample_org, site)) is None
    assert files_of(site) == before


def _mkdocs_build(root: Path, work: Path, site: Path, incremental: bool) -> None:
    """What `rota serve` runs on each change: MkDocs' dirty build into one folder, the
    ``rota`` plugin rendering the organisation itself (``incremental: true``)."""
    import yaml
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from generator.publish.incremental import quiet_dirty_warning
    from generator.publish.site import mkdocs_config

    docs = work / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    config = mkdocs_config(root, docs, site)
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "rota" in plugin:
            plugin["rota"].update({"incremental": incremental, "now": NOW})
    path = work / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")
    quiet_dirty_warning()
    mkdocs_build(load_config(config_file=str(path)), dirty=incremental)


def test_the_previews_rebuild_equals_a_full_build(sample_org: Path, tmp_path: Path) -> None:
    site = tmp_path / "served"
    _mkdocs_build(sample_org, tmp_path / "serve", site, incremental=True)
    runbook = sample_org / "runbooks" / "data-platform" / "kafka-consumer-lag.md"
    append(runbook, "\nCheck the lag dashboard before paging anyone.\n")
    _mkdocs_build(sample_org, tmp_path / "serve", site, incremental=True)
    full = tmp_path / "full"
    _mkdocs_build(sample_org, tmp_path / "once", full, incremental=False)
    served = files_of(site)
    assert served == files_of(full)
    page = served["runbooks/data-platform/kafka-consumer-lag/index.html"]
    assert b"Check the lag dashboard before paging anyone." in page


def test_a_site_with_a_plugin_that_reads_other_pages_is_always_built_in_full(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Material's tags plugin builds a page from the other pages' tags: a page whose own
    Markdown did not change could still change, so nothing is kept."""
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    config = sample_org / "mkdocs.yml"
    text = config.read_text()
    assert "plugins:\n  - search\n" in text
    config.write_text(text.replace("plugins:\n  - search\n", "plugins:\n  - search\n  - tags\n"))
    site = tmp_path / "site"
    build(sample_org, site)
    assert changed_pages(build(sample_org, site)) is None
