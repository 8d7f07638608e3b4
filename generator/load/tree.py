"""Read the organisation's files: every YAML file under rotations/, every
runbook under runbooks/ and every postmortem under postmortems/, as located values.
The only module of loading that touches the disk.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import Diagnostics, Source
from generator.load.yamlload import decode_text, parse_yaml

LOCK_NAME = "assignments.lock.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass
class RawRunbook:
    path: str  # relative to the root, e.g. runbooks/payments/db.md
    kind: str  # markdown | yaml
    meta: Any  # located mapping (front matter or the YAML document)
    body: str
    body_line: int  # line of the body's first line in the file
    parse_failed: bool = False  # the YAML had errors (already reported)


@dataclass
class RawPostmortem:
    path: str  # relative to the root, e.g. postmortems/INC-128.md
    meta: Any  # located mapping (the front matter)
    body: str
    body_line: int  # line of the body's first line in the file
    text: str  # the whole file, for `# rota: allow blameless` comments in the front matter
    parse_failed: bool = False


@dataclass
class RawTree:
    root: Path
    files: list[tuple[str, Any]] = field(default_factory=list)  # (relative path, document)
    lock: tuple[str, Any] | None = None
    runbooks: list[RawRunbook] = field(default_factory=list)
    postmortems: list[RawPostmortem] = field(default_factory=list)


CONTENT_FOLDERS = ("rotations", "runbooks", "postmortems")


def _walk(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    if folder.is_symlink() or not folder.is_dir():  # a linked folder is refused (load_tree)
        return found
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(suffixes):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
                continue
            found.append(path)
    return found


def input_files(root: Path) -> list[Path]:
    """Every file loading reads, in reading order."""
    return [
        *_walk(root / "rotations", YAML_SUFFIXES),
        *_walk(root / "runbooks", YAML_SUFFIXES + MARKDOWN_SUFFIXES),
        *postmortem_files(root),
    ]


def postmortem_files(root: Path) -> list[Path]:
    """Markdown files under postmortems/, except those named ``_*`` (the template)."""
    return [p for p in _walk(root / "postmortems", MARKDOWN_SUFFIXES) if not p.name.startswith("_")]


def _read(path: Path, rel: str, diags: Diagnostics) -> str | None:
    try:
        from generator.load.yamlload import too_large

        if too_large(path.stat().st_size, rel, diags):
            return None
        data = path.read_bytes()
    except OSError as exc:
        diags.error(Source(rel), f"cannot read file: {exc.strerror}")
        return None
    return decode_text(data, rel, diags)


FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.S | re.M)


def refuse_links(root: Path, diags: Diagnostics) -> None:
    """A content folder that is a symbolic link, or a link inside one to somewhere outside
    it, is an error: Rota publishes only what the repository holds."""
    for name in CONTENT_FOLDERS:
        folder = root / name
        if folder.is_symlink():
            diags.error(
                Source(name),
                f"{name}/ is a symbolic link (to {os.readlink(folder)}); Rota reads only "
                "folders of the repository: replace the link with the folder itself",
            )
            continue
        if not folder.is_dir():
            continue
        inside = folder.resolve()
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            for entry in sorted(dirnames + filenames):
                if entry.startswith("."):
                    continue
                path = Path(dirpath) / entry
                if path.is_symlink() and not path.resolve().is_relative_to(inside):
                    diags.error(
                        Source(path.relative_to(root).as_posix()),
                        f"symbolic link to {os.readlink(path)}, outside {name}/: Rota reads "
                        "only files of the repository",
                    )
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]


def load_tree(root: Path, diags: Diagnostics) -> RawTree:
    """Read rotations/ and runbooks/ below ``root``; problems go to ``diags``."""
    tree = RawTree(root=root)
    refuse_links(root, diags)
    rotations = root / "rotations"
    if not rotations.is_dir() and not rotations.is_symlink():
        diags.error(
            Source("rotations"),
            "no rotations/ folder here: run rota in an organisation's repository, "
            "pass --root DIR, or create one with 'rota init DIR'",
        )
    for path in _walk(rotations, YAML_SUFFIXES):
        rel = path.relative_to(root).as_posix()
        text = _read(path, rel, diags)
        if text is None:
            continue
        if path.name == LOCK_NAME and path.parent == rotations:
            tree.lock = (rel, text)  # read by lockfile.parse_lock, mostly without YAML
        else:
            tree.files.append((rel, parse_yaml(text, rel, diags)))
    runbooks = root / "runbooks"
    for path in _walk(runbooks, YAML_SUFFIXES + MARKDOWN_SUFFIXES):
        rel = path.relative_to(root).as_posix()
        text = _read(path, rel, diags)
        if text is None:
            continue
        if path.name.endswith(YAML_SUFFIXES):
            before = len(diags.items)
            doc = parse_yaml(text, rel, diags)
            failed = len(diags.items) > before
            tree.runbooks.append(RawRunbook(rel, "yaml", doc, "", 1, failed))
            continue
        m = FRONT_MATTER_RE.match(text)
        if not m:
            diags.error(
                Source(rel),
                "runbook has no front matter: start the file with '---', the fields "
                "(title, team, ...), and '---'",
            )
            continue
        before = len(diags.items)
        meta = parse_yaml(m.group(1), rel, diags, line_offset=1)
        failed = len(diags.items) > before
        body = text[m.end() :]
        body_line = text[: m.end()].count("\n") + 1
        tree.runbooks.append(RawRunbook(rel, "markdown", meta, body, body_line, failed))
    load_postmortems(root, tree, diags)
    return tree


def load_postmortems(root: Path, tree: RawTree, diags: Diagnostics) -> None:
    """Postmortems: Markdown with front matter, read like Markdown runbooks."""
    for path in postmortem_files(root):
        rel = path.relative_to(root).as_posix()
        text = _read(path, rel, diags)
        if text is None:
            continue
        m = FRONT_MATTER_RE.match(text)
        if not m:
            diags.error(
                Source(rel),
                "postmortem has no front matter: start the file with '---', the fields "
                "(incident, status, authors, action_items), and '---'",
            )
            continue
        before = len(diags.items)
        meta = parse_yaml(m.group(1), rel, diags, line_offset=1)
        failed = len(diags.items) > before
        body = text[m.end() :]
        body_line = text[: m.end()].count("\n") + 1
        tree.postmortems.append(RawPostmortem(rel, meta, body, body_line, text, failed))
