"""Every broken organisation under tests/bad_inputs/<case>/ gives exit status 1
and exactly the error lines in its expected.txt: located, complete, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CASES = sorted(p.parent for p in Path(__file__).parent.glob("*/expected.txt"))
NOW = "2026-11-27T12:00:00Z"


def run_validate(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", "--root", str(root), "validate", "--now", NOW],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_reports_located_errors(case: Path) -> None:
    result = run_validate(case)
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert lines[:-1] == expected
    errors = sum(1 for line in expected if ": error: " in line)
    warnings = len(expected) - errors
    assert lines[-1] == f"rota: {errors} error(s), {warnings} warning(s)"


def test_corpus_is_large() -> None:
    # the corpus is the contract for bad input: keep it broad
    assert len(CASES) >= 60
