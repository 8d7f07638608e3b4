"""The guide's reference pages are generated; they must match the code, and the guide
must build with MkDocs in strict mode (every internal link and anchor resolves)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import spec
from generator.cli import cli
from generator.docs import MARKERS, PAGES, render_page
from tests.conftest import REPO


@pytest.mark.parametrize("key", sorted(PAGES))
def test_guide_references_are_current(key: str) -> None:
    text = (REPO / PAGES[key]).read_text(encoding="utf-8")
    start, end = MARKERS[key]
    assert start in text and end in text, f"{PAGES[key]} lost its generated block"
    assert render_page(text) == text, "run: .venv/bin/python -m generator.docs"


def test_a_page_without_a_generated_block_is_refused() -> None:
    with pytest.raises(ValueError, match="no generated block"):
        render_page("# Commands\n\nNothing generated here.\n")


def test_every_command_is_documented() -> None:
    text = (REPO / PAGES["cli"]).read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## `rota {name}`" in text


def test_every_input_key_is_documented() -> None:
    text = (REPO / PAGES["inputs"]).read_text(encoding="utf-8")
    for key in [*spec.SINGLE_KEYS, *(f"{k}[]" for k in spec.LIST_KEYS)]:
        assert f"## `{key}`" in text


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


def test_guide_builds_in_strict_mode(tmp_path: Path) -> None:
    """What `make docs` runs: a broken link, anchor or page reference fails it."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(REPO / "guide" / "mkdocs.yml"),
            "-d",
            str(tmp_path / "guide"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert run.returncode == 0, run.stderr
    tutorial = (tmp_path / "guide" / "tutorial" / "index.html").read_text(encoding="utf-8")
    assert "Your own organisation in 15 minutes" in tutorial
    assert "fonts.googleapis.com" not in tutorial  # the guide loads nothing from the internet
