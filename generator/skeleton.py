"""``rota init``: a new organisation that validates and builds as it is."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from generator.publish.atomic import write_atomic
from generator.spec import json_schema

RENAMES = {"gitignore": ".gitignore"}


def write_skeleton(target: Path) -> list[Path]:
    base = files("generator") / "skeleton"
    written: list[Path] = []

    def copy(node: object, rel: Path) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):  # type: ignore[attr-defined]
            if child.name.startswith("__"):
                continue
            name = RENAMES.get(child.name, child.name)
            if child.is_dir():
                copy(child, rel / name)
            else:
                path = target / rel / name
                write_atomic(path, child.read_bytes())
                written.append(path)

    copy(base, Path("."))
    schema_path = target / "rotations" / "rota.schema.json"
    write_atomic(schema_path, json.dumps(json_schema(), indent=2) + "\n")
    written.append(schema_path)
    mkdocs = target / "mkdocs.yml"
    default = files("generator.site_templates") / "mkdocs.default.yml"
    write_atomic(mkdocs, default.read_text(encoding="utf-8"))
    written.append(mkdocs)
    return sorted(written)
