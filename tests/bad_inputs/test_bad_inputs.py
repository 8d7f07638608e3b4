"""Every broken organisation under tests/bad_inputs/<case>/ gives exit status 1
and exactly the error lines in its expected.txt: located, complete, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli

CASES = sorted(p.parent for p in Path(__file__).parent.glob("*/expected.txt"))
NOW = "2026-11-27T12:00:00Z"


def run_validate(root: Path) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_reports_located_errors(case: Path) -> None:
    result = run_validate(case)
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    lines = result.stderr.splitlines()
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert lines[:-1] == expected
    errors = sum(1 for line in expected if ": error: " in line)
    warnings = len(expected) - errors
    assert lines[-1] == f"rota: {errors} error(s), {warnings} warning(s)"


def test_corpus_is_large() -> None:
    # the corpus is the contract for bad input: keep it broad
    assert len(CASES) >= 60
