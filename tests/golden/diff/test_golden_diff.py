"""``rota diff`` on real git repositories made here: a small organisation (three people
on a weekly round-robin, so every expected shift can be worked out by hand), committed
on ``main``, and one change per case committed on a branch. Each case's text, Markdown
and JSON are compared with reviewed golden files.

Refresh with ``pytest tests/golden/diff --update-golden`` and review the diff line by line.

The hand computation every golden rests on (NOW = Fri 2026-11-27 12:00 UTC, horizon 4w,
so the diff looks at [Nov 27 12:00, Dec 25 12:00); business hours 09-18; pay 1 EUR an
hour on weekdays, 2 at weekends; no holidays):

- round-robin from Mon 2026-11-02 09:00, weekly: Nov 2 alice, 9 bob, 16 carol, 23 alice,
  30 bob, Dec 7 carol, 14 alice, 21 bob, 28 carol.
- one week Mon 09:00 → Mon 09:00 is 45 business ("weekday") hours (9 × 5), 75 night
  hours (6 + 15 × 4 + 9) and 48 weekend hours: pay 120 × 1 + 48 × 2 = 216 EUR.
- the stretch now → Mon Nov 30 09:00 is 6 weekday, 15 night, 48 weekend hours (69 h);
  Mon Dec 21 09:00 → the horizon (Fri Dec 25 12:00) is 39 weekday and 60 night (99 h).
- deviation (shift-equivalents, at the last handoff in the window, Dec 21): 7 shifts
  ended by then, 7/3 each as target: alice 3 − 7/3 = +0.67, bob and carol 2 − 7/3 = −0.33.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

HERE = Path(__file__).parent
EXPECTED = HERE / "expected"
NOW = "2026-11-27T12:00:00Z"
ORG = (HERE / "org.yaml").read_text(encoding="utf-8")
SCHEMA = HERE.parents[2] / "guide" / "docs" / "reference" / "diff.schema.json"

BOB_LEAVE = "    leave:\n      - {from: 2026-11-30, to: 2026-12-06, note: Holiday}\n"
SWAP = (
    "\noverrides:\n"
    '  - {team: web, rotation: primary, from: "2026-12-07 09:00", to: "2026-12-14 09:00",'
    " person: alice}\n"
    '  - {team: web, rotation: primary, from: "2026-12-14 09:00", to: "2026-12-21 09:00",'
    " person: carol}\n"
)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def rota(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--root", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def change(case: str, text: str, root: Path) -> str:
    """The organisation's file after the case's change (the lock file for 'locked')."""
    if case == "leave-added":
        return text.replace(
            "    name: Bob <b>Stone</b>\n", "    name: Bob <b>Stone</b>\n" + BOB_LEAVE
        )
    if case == "swap":
        return text + SWAP
    if case == "member-added":
        return text.replace(
            "members: [alice, bob, carol]", "members: [alice, bob, carol, dave]"
        ).replace("\nteams:", "  - id: dave\n    name: Dave Roe\n\nteams:")
    if case == "member-removed":
        return text.replace("members: [alice, bob, carol]", "members: [alice, bob]")
    if case == "start-moved":
        return text.replace('start: "2026-11-02 09:00"', 'start: "2026-11-03 09:00"')
    if case == "locked-moved":
        lock = root / "rotations" / "assignments.lock.yaml"
        lock.write_text(
            lock.read_text().replace(
                'end: "2026-12-14T09:00:00+00:00", person: carol}',
                'end: "2026-12-14T09:00:00+00:00", person: alice}',
            )
        )
        return text
    if case == "all-away":  # nobody can take the week of Dec 14: it is uncovered
        away = "    leave:\n      - {from: 2026-12-15, to: 2026-12-15}\n"
        for name in ("Alice Ng", "Bob <b>Stone</b>", "Carol Diaz"):
            text = text.replace(f"    name: {name}\n", f"    name: {name}\n" + away, 1)
        return text
    if case == "leave-on-locked":  # leave in a published week: a conflict
        return text.replace(
            "    name: Carol Diaz\n",
            "    name: Carol Diaz\n    leave:\n      - {from: 2026-12-08, to: 2026-12-08}\n",
        )
    raise AssertionError(case)


def make_repo(root: Path, case: str) -> Path:
    """A repository: the organisation on main (planned, for the locked cases), the
    case's change committed on branch 'change'."""
    (root / "rotations").mkdir(parents=True)
    org = root / "rotations" / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "lead@example.com")
    git(root, "config", "user.name", "Team Lead")
    if case in ("locked-moved", "leave-on-locked"):
        code, _, err = rota(root, "plan", "--now", NOW)
        assert code == 0, err
    git(root, "add", "-A")
    git(root, "commit", "-qm", "The organisation")
    git(root, "checkout", "-qb", "change")
    org.write_text(change(case, org.read_text(encoding="utf-8"), root), encoding="utf-8")
    git(root, "commit", "-qam", case)
    return root


def check(name: str, actual: str, request: pytest.FixtureRequest) -> None:
    expected = EXPECTED / name
    if request.config.getoption("--update-golden"):
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8"), f"{name} differs; review and refresh"


CASES = ["leave-added", "swap", "member-added", "member-removed", "start-moved", "locked-moved"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt,ext", [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_diff_of_each_change_matches_reviewed_golden(
    case: str, fmt: str, ext: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    root = make_repo(tmp_path / "repo", case)
    code, out, err = rota(root, "diff", "main", "--head", "change", "--format", fmt, "--now", NOW)
    assert code == 0, err
    # the labels carry commit ids, which differ on every run: the goldens show them as REV
    for rev in ("main", "change"):
        commit = git(root, "rev-parse", "--short", rev).strip()
        out = out.replace(f"{rev} ({commit})", f"{rev} (REV)")
    check(f"{case}.{ext}", out, request)


def test_json_follows_the_documented_schema(tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for case in ("member-added", "locked-moved", "all-away", "leave-on-locked"):
        root = make_repo(tmp_path / case, case)
        code, out, err = rota(root, "diff", "main", "--format", "json", "--now", NOW)
        assert code == 0, err
        jsonschema.validate(json.loads(out), schema)


@pytest.mark.parametrize(
    "case,fail_on,code",
    [
        ("locked-moved", "locked-moved", 1),
        ("locked-moved", "uncovered,conflict", 0),
        ("swap", "locked-moved,uncovered,conflict", 0),  # an override is not a broken promise
        ("all-away", "uncovered", 1),
        ("all-away", "conflict", 0),
        ("leave-on-locked", "conflict", 1),
        ("leave-on-locked", "locked-moved", 0),
    ],
)
def test_fail_on_exits_1_only_when_its_kind_is_present(
    case: str, fail_on: str, code: int, tmp_path: Path
) -> None:
    root = make_repo(tmp_path / "repo", case)
    got, _, err = rota(root, "diff", "main", "--fail-on", fail_on, "--now", NOW)
    assert got == code, err
    if code:
        assert "rota diff: failing on" in err


def test_unknown_fail_on_kind_and_unknown_revision_are_usage_errors(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", "swap")
    code, _, err = rota(root, "diff", "main", "--fail-on", "gaps", "--now", NOW)
    assert code == 2 and "unknown kind 'gaps'" in err
    code, _, err = rota(root, "diff", "no-such-branch", "--now", NOW)
    assert code == 2 and "git:" in err


def test_default_base_is_the_merge_base_with_main(tmp_path: Path) -> None:
    """main moves on after the branch was made (it adds leave for alice); the default
    base is where the branch left main, so main's later change is not this branch's."""
    root = make_repo(tmp_path / "repo", "swap")
    git(root, "checkout", "-q", "main")
    org = root / "rotations" / "org.yaml"
    org.write_text(
        org.read_text().replace(
            "    name: Alice Ng\n",
            "    name: Alice Ng\n    leave:\n      - {from: 2026-12-01, to: 2026-12-01}\n",
        )
    )
    git(root, "commit", "-qam", "Alice's leave, on main")
    git(root, "checkout", "-q", "change")
    fork = git(root, "merge-base", "HEAD", "main").strip()
    code, out, err = rota(root, "diff", "--format", "json", "--now", NOW)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["base"] == f"merge base with main ({fork[:7]})"
    # the swap alone: alice and carol trade the weeks of Dec 7 and Dec 14
    assert [(c["start"], c["before"], c["after"]) for c in doc["changes"]] == [
        ("2026-12-07T09:00:00+00:00", "carol", "alice"),
        ("2026-12-14T09:00:00+00:00", "alice", "carol"),
    ]


def test_working_tree_is_the_default_head(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", "swap")
    org = root / "rotations" / "org.yaml"
    org.write_text(org.read_text().replace("members: [alice, bob, carol]", "members: [alice, bob]"))
    code, out, err = rota(root, "diff", "change", "--format", "json", "--now", NOW)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["head"] == "working tree"
    # [alice, bob] alternate from Nov 2: Nov 23 is bob's, Nov 30 alice's; the weeks of
    # Dec 7 and 14 stay alice's and carol's by the committed overrides
    assert [p["person"] for p in doc["people"]] == ["alice", "bob"]
    assert doc["on_call_now"] == [
        {"team": "web", "rotation": "primary", "before": "alice", "after": "bob"}
    ]


def test_runbook_edits_are_one_line(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", "swap")
    books = root / "runbooks"
    books.mkdir()
    for n in range(3):
        (books / f"r{n}.md").write_text(
            f"---\ntitle: R{n}\nteam: web\nlast_reviewed: 2026-11-01\n---\n## Mitigation\nRestart.\n"  # noqa: E501
        )
    code, out, err = rota(root, "diff", "change", "--now", NOW)
    assert code == 0, err
    assert out.splitlines()[-2:] == ["RUNBOOKS", "  3 runbooks changed"]
