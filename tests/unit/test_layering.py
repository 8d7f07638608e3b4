"""The pipeline's arrows run one way: schedule → reports → render. A module may
import from its own stage or earlier ones, never from a later one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "generator"
LATER = {"schedule": ("reports", "render"), "reports": ("render",)}


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("stage", sorted(LATER))
def test_no_stage_imports_a_later_one(stage: str) -> None:
    wrong = [
        f"{path.name} imports {module}"
        for path in sorted((PACKAGE / stage).glob("*.py"))
        for module in sorted(imports_of(path))
        if any(module.startswith(f"generator.{later}") for later in LATER[stage])
    ]
    assert wrong == []


def test_planning_does_not_import_the_schedule_it_feeds() -> None:
    assert "generator.schedule.resolve" not in imports_of(PACKAGE / "schedule" / "plan.py")


@pytest.mark.parametrize("later", ["generator.reports", "generator.lockfile", "generator.render"])
def test_validation_does_not_import_what_comes_after_it(later: str) -> None:
    # checking an organisation needs neither the reports built from it nor the
    # code that plans and writes the lock file
    wrong = sorted(m for m in imports_of(PACKAGE / "validate.py") if m.startswith(later))
    assert wrong == []
