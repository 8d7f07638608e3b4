"""Handoff notes of the sample organisation, compared with reviewed files.

For ``--now 2026-11-27T12:00:00Z`` each team's next handoff of every rotation, as
``rota handoff --team T --format markdown`` prints it (``<team>.md``), as a terminal
shows it by default (``<team>.txt``), plus the JSON of the Payments team. Everything
depends on the sample organisation under ``rotations/`` and ``runbooks/`` and on the
fixed --now; nothing reads the clock. Refresh with
``pytest tests/golden/handoffs --update-golden`` and review the diff by reading it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected"
TEAMS = ["data-platform", "identity", "payments", "platform-sre"]


def _outputs(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    runner = CliRunner()
    for team in TEAMS:
        for fmt, suffix in (("markdown", "md"), ("text", "txt")):
            result = runner.invoke(
                cli,
                ["--root", str(root), "handoff", "--team", team, "--format", fmt, "--now", NOW],
            )
            assert result.exit_code == 0, result.output
            out[f"{team}.{suffix}"] = result.stdout
    result = runner.invoke(
        cli,
        ["--root", str(root), "handoff", "--team", "payments", "--format", "json", "--now", NOW],
    )
    assert result.exit_code == 0, result.output
    out["payments.json"] = result.stdout
    return out


def test_sample_handoff_notes_match_reviewed_files(
    shared_sample: Path, request: pytest.FixtureRequest
) -> None:
    got = _outputs(shared_sample)
    if request.config.getoption("--update-golden"):
        EXPECTED.mkdir(exist_ok=True)
        for name, text in got.items():
            (EXPECTED / name).write_text(text)
    assert sorted(p.name for p in EXPECTED.iterdir()) == sorted(got)
    for name, text in got.items():
        assert text == (EXPECTED / name).read_text(), f"{name} differs; review and refresh"
