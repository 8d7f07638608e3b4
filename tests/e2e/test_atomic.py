"""A build that fails at any stage leaves the previous site byte for byte as it
was; a good build replaces it whole; builds are reproducible and may run at once."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW

LATER = "2026-12-02T12:00:00Z"


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file below ``folder``: content hash and mode."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            out[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode)
    return out


def build(root: Path, *extra: str, now: str = NOW) -> Any:
    return CliRunner().invoke(cli, ["--root", str(root), "build", "--now", now, *extra])


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built") / "org"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    result = build(root)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A new organisation after `rota build` (a private copy of one built once)."""
    return Path(shutil.copytree(built_once, tmp_path / "org", symlinks=True))


def _raise(exc: BaseException) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return fail


STAGES = {
    "rendering": ("generator.render.site.render_site", RuntimeError("template blew up")),
    "feeds": ("generator.render.ical.render_feeds", ValueError("feed blew up")),
    "mkdocs": ("generator.publish.site.run_mkdocs", RuntimeError("mkdocs blew up")),
    "full-disk": (  # MkDocs writing a page finds the disk full
        "mkdocs.utils.write_file",
        OSError(errno.ENOSPC, "No space left on device"),
    ),
    "swap": ("generator.publish.site.replace_folder", OSError(errno.EIO, "I/O error")),
}


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_failure_at_any_stage_leaves_site_untouched(
    built: Path, stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(built / "site")
    target, exc = STAGES[stage]
    monkeypatch.setattr(target, _raise(exc))
    result = build(built, now=LATER)
    assert result.exit_code != 0
    assert snapshot(built / "site") == before
    leftovers = [p.name for p in built.iterdir() if p.name.startswith(".site")]
    assert leftovers == []


def test_invalid_input_leaves_site_untouched(built: Path) -> None:
    before = snapshot(built / "site")
    (built / "rotations" / "broken.yaml").write_text("people:\n  - {id: Bad Id}\n")
    result = build(built, now=LATER)
    assert result.exit_code == 1
    assert "rotations/broken.yaml:2:" in result.stderr
    assert snapshot(built / "site") == before


def test_broken_runbook_link_fails_strict_build_and_keeps_site(built: Path) -> None:
    before = snapshot(built / "site")
    runbook = built / "runbooks" / "example" / "service-down.md"
    runbook.write_text(runbook.read_text() + "\nSee [the old page](no-such-page.md).\n")
    result = build(built, now=LATER)
    assert result.exit_code == 1
    assert "no-such-page.md" in result.stderr
    assert "was left as it was" in result.stderr
    assert snapshot(built / "site") == before


def test_good_build_replaces_site_whole(built: Path) -> None:
    (built / "site" / "stale-file.html").write_text("from an old build")
    result = build(built, now=LATER)
    assert result.exit_code == 0, result.output
    assert not (built / "site" / "stale-file.html").exists()
    assert (built / "site" / "index.html").is_file()


def test_same_inputs_and_now_give_identical_sites(built: Path, tmp_path: Path) -> None:
    first = snapshot(built / "site")
    again = tmp_path / "again"
    result = build(built, "--out", str(again))
    assert result.exit_code == 0, result.output
    assert snapshot(again) == first


def test_sample_organisation_builds_reproducibly(built_sample_org: Path, tmp_path: Path) -> None:
    # built_sample_org: the sample as a first `rota build --now NOW` left it
    one, two = built_sample_org / "site", tmp_path / "two"
    assert build(built_sample_org, "--out", str(two)).exit_code == 0
    assert snapshot(one) == snapshot(two)


def test_concurrent_builds_leave_one_whole_site(built: Path) -> None:
    cmd = [sys.executable, "-m", "generator.cli", "--root", str(built), "build", "--now", NOW]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)
    ]
    codes = [p.wait(timeout=300) for p in procs]
    for p in procs:
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()
        p.stderr.close()
    assert codes == [0, 0, 0]
    reference = CliRunner().invoke(
        cli, ["--root", str(built), "build", "--now", NOW, "--out", str(built / "ref")]
    )
    assert reference.exit_code == 0
    assert snapshot(built / "site") == snapshot(built / "ref")
    assert [p.name for p in built.iterdir() if p.name.startswith(".site")] == []
