"""The README's references are generated; they must match the code."""

from __future__ import annotations

from generator import spec
from generator.cli import cli
from generator.docs import render_readme
from tests.conftest import REPO


def test_readme_references_are_current() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert render_readme(text) == text, "run: .venv/bin/python -m generator.docs README.md"


def test_every_command_is_documented() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"### `rota {name}`" in text


def test_every_input_field_has_an_example() -> None:
    missing = [
        f"{obj.name}.{f.name}"
        for obj in [*spec.SINGLE_KEYS.values(), *spec.LIST_KEYS.values(), spec.RUNBOOK_YAML]
        for f in obj.fields
        if not f.example
    ]
    assert missing == []


def test_committed_schema_is_current() -> None:
    import json

    from generator.spec import json_schema

    committed = json.loads((REPO / "rotations" / "rota.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: rota schema > rotations/rota.schema.json"
