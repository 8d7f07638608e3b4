"""``rota request``: the change written into commented YAML, validated, its diff
printed; a change that breaks a hard rule refused with who could cover instead;
``--branch`` commits it naming the people. The organisation is the one of
tests/golden/diff (weekly round-robin from Mon 2026-11-02 09:00 UTC: Nov 23 alice,
Nov 30 bob, Dec 7 carol, Dec 14 alice, Dec 21 bob), with comments added."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from click.testing import CliRunner

from generator.cli import cli

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-27T12:00:00Z"
ORG = (REPO / "tests" / "golden" / "diff" / "org.yaml").read_text(encoding="utf-8") + (
    "\n# Swaps and cover, newest last.\n"
    "overrides:\n"
    "  # nothing agreed before December\n"
    '  - {team: web, rotation: primary, from: "2026-11-28 09:00", to: "2026-11-28 18:00", person: carol}   # Saturday\n'  # noqa: E501
    "\n# end of file\n"
)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    (root / "rotations").mkdir(parents=True)
    (root / "rotations" / "org.yaml").write_text(ORG, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "lead@example.com")
    git(root, "config", "user.name", "Team Lead")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "The organisation")
    return root


def rota(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--root", str(root), *args, "--now", NOW])
    return result.exit_code, result.stdout, result.stderr


def only_insertion(old: str, new: str) -> list[str]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    n = len(b) - len(a)
    assert b[:start] + b[start + n :] == a, "bytes outside the change moved"
    return b[start : start + n]


def test_swap_writes_two_overrides_keeps_the_rest_and_prints_the_diff(tmp_path: Path) -> None:
    root = repo(tmp_path)
    code, out, err = rota(
        root, "request", "swap", "--team", "web", "--rotation", "primary",
        "--at", "2026-12-08 12:00", "--with", "alice",
    )  # fmt: skip
    assert code == 0, err
    new = (root / "rotations" / "org.yaml").read_text(encoding="utf-8")
    # carol's week of Dec 7 goes to alice; alice's next week (Dec 14) to carol
    assert only_insertion(ORG, new) == [
        # wrapped after the last key that fits in 100 characters
        '  - {team: web, rotation: primary, from: "2026-12-07 09:00", to: "2026-12-14 09:00", person: alice,\n',  # noqa: E501
        '     note: "swap: alice takes this shift from carol, who takes alice\'s of Mon 2026-12-14"}\n',  # noqa: E501
        '  - {team: web, rotation: primary, from: "2026-12-14 09:00", to: "2026-12-21 09:00", person: carol,\n',  # noqa: E501
        '     note: "swap: carol takes this shift from alice, who takes carol\'s of Mon 2026-12-07"}\n',  # noqa: E501
    ]
    assert "2 shifts change hands (336h) · 2 people" in out
    assert (
        "  gains web/primary  Mon 2026-12-07 09:00 → Mon 2026-12-14 09:00 UTC  from carol  (override)"  # noqa: E501
        in out
    )
    assert "+++ b/rotations/org.yaml" in out


def test_swap_with_branch_commits_naming_the_people(tmp_path: Path) -> None:
    root = repo(tmp_path)
    code, _, err = rota(
        root, "request", "swap", "--team", "web", "--rotation", "primary",
        "--at", "2026-12-08 12:00", "--with", "alice", "--for", "2026-12-15 12:00",
        "--branch", "swap-dec",
    )  # fmt: skip
    assert code == 0, err
    assert git(root, "branch", "--show-current").strip() == "swap-dec"
    assert git(root, "log", "-1", "--format=%B").strip() == (
        "Swap web/primary: Alice Ng takes Carol Diaz's shift of Mon 2026-12-07, "
        "Carol Diaz takes Alice Ng's of Mon 2026-12-14\n\n"
        "People affected: Alice Ng (alice), Carol Diaz (carol)"
    )
    assert git(root, "status", "--porcelain") == ""


def test_cover_by_someone_on_leave_is_refused_with_who_could_cover(tmp_path: Path) -> None:
    root = repo(tmp_path)
    org = root / "rotations" / "org.yaml"
    with_leave = ORG.replace(
        "    name: Carol Diaz\n",
        "    name: Carol Diaz\n    leave:\n      - {from: 2026-12-01, to: 2026-12-02}\n",
    )
    org.write_text(with_leave, encoding="utf-8")
    code, _, err = rota(
        root, "request", "cover", "--team", "web", "--rotation", "primary",
        "--from", "2026-12-01 09:00", "--to", "2026-12-02 09:00", "--by", "carol",
    )  # fmt: skip
    assert code == 1
    assert org.read_text(encoding="utf-8") == with_leave  # nothing written
    assert "refused: the change would break a hard rule" in err
    assert "who is on leave (leave, 2026-12-01 to 2026-12-02)" in err
    # bob holds the week; alice is the only other member free, and carol is on leave
    lines = err.splitlines()
    at = lines.index(next(x for x in lines if x.startswith("who could take web/primary")))
    assert [x.split()[-3] for x in lines[at + 3 :]] == ["alice"]  # # NAME ID BEFORE AFTER


def test_leave_is_added_and_its_effect_shown(tmp_path: Path) -> None:
    root = repo(tmp_path)
    code, out, err = rota(
        root, "request", "leave", "--person", "bob", "--from", "2026-11-30", "--to", "2026-12-06",
        "--note", "Holiday <3",
    )  # fmt: skip
    assert code == 0, err
    new = (root / "rotations" / "org.yaml").read_text(encoding="utf-8")
    assert only_insertion(ORG, new) == [
        "    leave:\n",
        '      - {from: 2026-11-30, to: 2026-12-06, note: "Holiday <3"}\n',
    ]
    bob = next(p for p in yaml.safe_load(new)["people"] if p["id"] == "bob")
    assert bob["leave"][0]["note"] == "Holiday <3"
    # round-robin skips bob for the week of Nov 30: carol takes it, bob takes Dec 7
    assert (
        "  loses web/primary  Mon 2026-11-30 09:00 → Mon 2026-12-07 09:00 UTC  to carol  (round-robin)"  # noqa: E501
        in out
    )


def test_leave_in_a_locked_week_is_refused_with_who_could_cover(tmp_path: Path) -> None:
    root = repo(tmp_path)
    code, _, err = rota(root, "plan")
    assert code == 0, err
    before = (root / "rotations" / "org.yaml").read_text(encoding="utf-8")
    code, _, err = rota(
        root, "request", "leave", "--person", "carol", "--from", "2026-12-08", "--to", "2026-12-08"
    )
    assert code == 1
    assert (root / "rotations" / "org.yaml").read_text(encoding="utf-8") == before
    assert "locked shift on web/primary from 2026-12-07T09:00:00+00:00 gives it to 'carol'" in err
    assert "who could take web/primary from Mon 2026-12-07 09:00 to Mon 2026-12-14 09:00 UTC" in err


def test_unknown_person_is_a_usage_error(tmp_path: Path) -> None:
    root = repo(tmp_path)
    code, _, err = rota(
        root, "request", "leave", "--person", "bobb", "--from", "2026-12-01", "--to", "2026-12-01"
    )
    assert code == 2 and "no person 'bobb' (did you mean 'bob'?)" in err
