from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW


def test_build_sample_site_has_every_page_kind(built_sample: Path) -> None:
    # built_sample: `rota build --now NOW` of the sample, which exited 0
    out = built_sample / "site"
    assert (out / "index.html").is_file()
    assert (out / "teams" / "payments" / "index.html").is_file()
    assert (out / "people" / "marcus-reid" / "index.html").is_file()
    assert (out / "runbooks" / "payments" / "db-pool-exhausted" / "index.html").is_file()
    assert (out / "ical" / "marcus-reid.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert (out / "data" / "schedule.json").is_file()


def test_init_skeleton_builds(tmp_path: Path) -> None:
    target = tmp_path / "neworg"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(target)]).exit_code == 0
    result = runner.invoke(cli, ["--root", str(target), "build", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert (target / "site" / "ical" / "ada.ics").is_file()
