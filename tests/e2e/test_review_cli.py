"""`rota postmortem new`, and the review pages of a built site (skeleton and sample)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW

REVIEW_ORG = Path(__file__).resolve().parent.parent / "golden" / "review" / "org"
REVIEW_NOW = "2026-04-10T12:00:00Z"


def test_postmortem_new_writes_a_valid_draft_filled_from_the_log(tmp_path: Path) -> None:
    root = tmp_path / "org"
    shutil.copytree(REVIEW_ORG, root)
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--root", str(root), "postmortem", "new", "INC-2", "--now", REVIEW_NOW]
    )
    assert result.exit_code == 0, result.output
    text = (root / "postmortems" / "INC-2.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    assert "\nincident: INC-2\nstatus: draft " in text
    # the summary and the timeline marks come from the log, in the team's zone as the
    # page's summary block shows them (10:00Z is 11:00 BST in London), real durations
    assert (
        "Search errors. A SEV-1 (Critical) incident of Web, from 2026-03-31 11:00 BST to "
        "2026-03-31 11:45 BST (45m). Services: search. Alerts: SearchErrors." in text
    )
    assert "All times in the team's zone, Europe/London, as in the summary block above." in text
    assert "- 2026-03-31 11:00 BST Impact starts.\n- 2026-03-31 11:45 BST Resolved.\n" in text
    check = runner.invoke(cli, ["--root", str(root), "validate", "--now", REVIEW_NOW])
    assert check.exit_code == 0, check.output
    # the draft does not satisfy the review deadline, and the warning says so
    assert "its postmortem postmortems/INC-2.md is draft" in check.stderr
    again = runner.invoke(
        cli, ["--root", str(root), "postmortem", "new", "INC-2", "--now", REVIEW_NOW]
    )
    assert again.exit_code == 2
    assert "INC-2 already has a postmortem: postmortems/INC-2.md" in again.stderr


def test_postmortem_new_refuses_an_incident_whose_postmortem_is_kept_elsewhere(
    tmp_path: Path,
) -> None:
    root = tmp_path / "org"
    shutil.copytree(REVIEW_ORG, root)
    log = root / "rotations" / "org.yaml"
    text = log.read_text(encoding="utf-8")
    linked = text.replace(
        "alerts: [SearchErrors],",
        'alerts: [SearchErrors], postmortem: "https://wiki.example.com/pm/INC-2",',
    )
    assert linked != text
    log.write_text(linked, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--root", str(root), "postmortem", "new", "INC-2", "--now", REVIEW_NOW]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "rota: error: INC-2 already has a postmortem: https://wiki.example.com/pm/INC-2 "
        "(its `postmortem:` link); remove the link first to write one here"
    )
    assert not (root / "postmortems" / "INC-2.md").exists()


def test_postmortem_new_for_an_unknown_incident_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--root", str(REVIEW_ORG), "postmortem", "new", "INC-22", "--now", REVIEW_NOW]
    )
    assert result.exit_code == 2
    assert "no incident 'INC-22' in the log (did you mean 'INC-2'?)" in result.stderr


def test_actions_owner_must_exist() -> None:
    result = CliRunner().invoke(
        cli, ["--root", str(REVIEW_ORG), "actions", "--owner", "webb", "--now", REVIEW_NOW]
    )
    assert result.exit_code == 2
    assert "no person or team 'webb' (did you mean 'web'?)" in result.stderr


def test_skeleton_ships_the_template_and_an_example_postmortem(tmp_path: Path) -> None:
    target = tmp_path / "neworg"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(target)]).exit_code == 0
    assert (target / "postmortems" / "_template.md").is_file()
    result = runner.invoke(cli, ["--root", str(target), "validate", "--now", NOW])
    assert result.exit_code == 0 and "0 warning(s)" in result.output, result.output
    listed = runner.invoke(cli, ["--root", str(target), "actions", "--format", "csv", "--now", NOW])
    assert listed.stdout.splitlines()[1:] == [
        "INC-1,A2,"
        '"Alert on the 5xx ratio per instance, not only in aggregate",ada,person,example,P2,'
        "detect,2026-03-13,open,true,,",  # no link, not closed
        "INC-1,A1,Validate the config schema in CI before a push,example,team,example,P1,"
        "prevent,2026-02-13,done,false,,2026-02-06",  # the new last column: closed
    ]


def test_sample_organisation_postmortems_pass_the_blameless_check(sample_org: Path) -> None:
    result = CliRunner().invoke(cli, ["--root", str(sample_org), "validate", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert "blameless" not in result.stderr
    # the SEV-2 in review is past its deadline: a warning, as the page flags it
    assert "incident INC-128 (SEV-2) needed a reviewed postmortem" in result.stderr
