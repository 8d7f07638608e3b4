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


def test_rendering_does_not_import_publishing() -> None:
    wrong = [
        f"{path.name} imports {module}"
        for path in sorted((PACKAGE / "render").glob("*.py"))
        for module in sorted(imports_of(path))
        if module == "generator.publish" or module.startswith("generator.publish.")
    ]
    assert wrong == []


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of ``generator`` it imports (at the top, inside a function
    or for type checking only); ``from generator.x import y`` counts as importing
    ``generator.x.y`` when y is a module."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    edges.add(sub if sub in modules else node.module)
            elif isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names)
        graph[name] = {m for m in edges if m in modules and m != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle (its modules, the first repeated at the end), or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return []


def test_the_import_graph_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_the_import_graph_sees_the_planner() -> None:
    graph = import_graph()
    assert "generator.schedule.objective" in graph["generator.schedule.planstate"]
    assert "generator.schedule.planstate" in graph["generator.schedule.search"]


def test_no_import_cycle_in_the_package() -> None:
    assert find_cycle(import_graph()) == []
