"""The pull-request comment of ``rota diff``: within GitHub's limit, text from YAML
inert, mentions only from validated handles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator.render.diff import diff_markdown, md
from generator.reports.diff import Change, PersonChange, PlanDiff

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def a_diff(people: int) -> PlanDiff:
    persons = []
    changes = []
    for n in range(people):
        start = NOW + timedelta(days=n)
        c = Change(
            "web",
            "primary",
            start,
            start + timedelta(hours=1),
            f"p{n}",
            f"q{n}",
            "fair",
            "override",
            False,
            "UTC",
        )
        changes.append(c)
        persons.append(
            PersonChange(
                f"p{n}",
                f"Person <i>{n}</i> @team",
                {},
                (),
                (c,),
                dict.fromkeys(("weekday", "night", "weekend", "holiday"), -1.0),
                (),
                (),
            )
        )
    return PlanDiff(
        "main",
        "working tree",
        NOW,
        NOW,
        NOW + timedelta(weeks=26),
        "EUR",
        tuple(changes),
        tuple(persons),
        (),
        (),
        (),
        (),
        (),
        (),
        (),
        (),
        0,
    )


def test_a_huge_change_fits_the_comment_limit_and_says_how_much_is_left_out() -> None:
    text = diff_markdown(a_diff(2000))
    assert len(text) <= 65_536
    last = text.rstrip().splitlines()[-1]
    assert last.startswith("… ") and last.endswith(
        "more not shown (table rows and sections): run `rota diff` for all of them."
    )
    rows = sum(1 for line in text.splitlines() if line.startswith("| Person &lt;i&gt;"))
    sections = text.count("<details><summary>")
    # every person has a row and a folded section: each is shown or counted
    assert rows + sections + int(last.split()[1]) == 2 * 2000
    assert rows > 0


def test_a_small_limit_is_kept_too() -> None:
    assert len(diff_markdown(a_diff(50), limit=4000)) <= 4000


def test_text_from_yaml_cannot_inject_html_mentions_or_markdown() -> None:
    assert md("Bob <b>Stone</b> @team *x* [a](b) |") == (
        "Bob &lt;b&gt;Stone&lt;/b&gt; &#64;team \\*x\\* \\[a\\](b) \\|"
    )
    text = diff_markdown(a_diff(1))
    assert "<i>" not in text and "@team" not in text


def test_a_person_with_a_github_handle_is_mentioned() -> None:
    d = a_diff(1)
    p = d.persons[0]
    d = PlanDiff(
        **{
            **d.__dict__,
            "persons": (PersonChange(**{**p.__dict__, "handles": {"github": "ann-b"}}),),
        }
    )
    assert "| People touched | 1: @ann-b |" in diff_markdown(d)


def test_handles_are_checked(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import cli

    (tmp_path / "rotations").mkdir()
    (tmp_path / "rotations" / "org.yaml").write_text(
        "people:\n"
        "  - {id: ann, name: Ann, handles: {github: ann-b, slack: U1}}\n"
        "  - {id: bo, name: Bo, handles: {github: 'bo b'}}\n"
        "  - {id: cy, name: Cy, handles: {gitlab: cy}}\n"
    )
    result = CliRunner().invoke(
        cli, ["--root", str(tmp_path), "validate", "--now", "2026-11-27T12:00:00Z"]
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 2
    assert (
        errors[0].startswith("rotations/org.yaml:3:42: error: ") and "GitHub user name" in errors[0]
    )
    assert errors[1].startswith(
        "rotations/org.yaml:4:34: error: unknown key 'gitlab' in handles (did you mean 'github'?)"
    )
