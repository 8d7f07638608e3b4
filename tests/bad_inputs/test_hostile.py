"""Hostile inputs that are too big to commit: made on the fly. Each must give
exit status 1 with a located error, no traceback, in bounded time and memory."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

NOW = "2026-11-27T12:00:00Z"
MEMORY_LIMIT = 1024 * 1024 * 1024  # 1 GiB of address space is plenty for a refusal


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT * 2, MEMORY_LIMIT * 2))


def validate(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", "--root", str(root), "validate", "--now", NOW],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_limit_memory,
    )


def org_with(tmp_path: Path, name: str, content: bytes) -> Path:
    (tmp_path / "rotations").mkdir()
    (tmp_path / "rotations" / name).write_bytes(content)
    return tmp_path


def test_fifty_megabyte_file_is_refused_unread(tmp_path: Path) -> None:
    root = org_with(tmp_path, "huge.yaml", b"# padding\n" * (5 * 1024 * 1024))
    result = validate(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "rotations/huge.yaml:1:1: error: file is 50 MiB; input files may be at most 5 MiB"
    )
    assert "Traceback" not in result.stderr


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    # "billion laughs": nine levels of nine aliases each expand to 9**9 values
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append("people: *a9")
    root = org_with(tmp_path, "bomb.yaml", ("\n".join(lines) + "\n").encode())
    result = validate(root)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("rotations/bomb.yaml:")
    assert "document too large: more than 200000 values (aliases expanding without bound?)" in first
    assert "Traceback" not in result.stderr


def test_deeply_nested_yaml_is_refused(tmp_path: Path) -> None:
    root = org_with(tmp_path, "deep.yaml", b"people: " + b"[" * 5000 + b"]" * 5000 + b"\n")
    result = validate(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("rotations/deep.yaml:1:")
    assert "nest" in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr


def test_python_object_tags_are_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f'people: !!python/object/apply:os.system ["touch {marker}"]\n'
    root = org_with(tmp_path, "evil.yaml", payload.encode())
    result = validate(root)
    assert result.returncode == 1
    assert not marker.exists()
    assert result.stderr.splitlines()[0] == (
        "rotations/evil.yaml:1:9: error: unsupported YAML tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'"
    )


def test_no_rotations_folder_says_what_to_do(tmp_path: Path) -> None:
    result = validate(tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "rotations:1:1: error: no rotations/ folder here: run rota in an organisation's "
        "repository, pass --root DIR, or create one with 'rota init DIR'"
    )
