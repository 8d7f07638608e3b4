"""settings.notify and teams[].notify: located errors, and no secret repeated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.errors import InvalidInput
from generator.pipeline import load_org
from tests.conftest import write_org

NOW = datetime(2026, 12, 7, tzinfo=UTC)

TEAMS = """
people:
  - {id: alice, name: Alice Ng, email: alice@acme.example}
teams:
  - id: payments
    name: Payments
    notify: %s
    rotations:
      - {id: primary, name: Primary, members: [alice], start: "2026-11-30 09:00", shift: 1w}
"""


def errors(tmp_path: Path, settings: str, team: str = "{}") -> list[str]:
    write_org(tmp_path, f"settings:\n  notify: {settings}\n" + TEAMS % team)
    with pytest.raises(InvalidInput) as caught:
        load_org(tmp_path, NOW)
    return [str(d) for d in caught.value.diagnostics if d.severity == "error"]


def test_a_secret_written_in_place_of_a_variable_is_refused_unrepeated(tmp_path: Path) -> None:
    hook = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
    (error,) = errors(tmp_path, f'{{slack: {{webhook_env: "{hook}"}}}}')
    # line 2 is '  notify: {slack: {webhook_env: "https…': notify's '{' is column 11,
    # slack's '{' 19, webhook_env 20-31, a space, and the quoted URL opens at column 33
    assert error.startswith("rotations/org.yaml:2:33: error: expected the name of an environment")
    assert "never the secret itself" in error
    assert "XXXXXXXX" not in error and "hooks.slack.com" not in error


def test_email_needs_a_server_and_a_sender_somewhere(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, "{slack: {webhook_env: HOOK}}", "{email: {to: p@acme.example}}")
    assert "notify.email of team 'payments' needs smtp_host and from" in error
    assert error.startswith("rotations/org.yaml:")


def test_the_team_may_take_the_server_from_settings(tmp_path: Path) -> None:
    write_org(
        tmp_path,
        "settings:\n  notify: {email: {smtp_host: smtp.acme.example, from: o@acme.example}}\n"
        + TEAMS % "{email: {to: p@acme.example}, slack: {usergroup: S0614TZR7}}",
    )
    org = load_org(tmp_path, NOW).org
    team = org.teams["payments"].notify
    assert team is not None and team.email is not None and team.email.to == "p@acme.example"
    assert team.slack is not None and team.slack.usergroup == "S0614TZR7"


def test_bad_values_are_all_reported_at_once(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        "{email: {smtp_host: smtp.acme.example, from: nobody, tls: tlsv9, port: 0}}",
        "{slack: {usergroup: payments-oncall}}",
    )
    text = "\n".join(found)
    assert "expected an e-mail address, found 'nobody'" in text
    assert "expected one of starttls, ssl, none, found 'tlsv9'" in text
    assert "expected a port number at least 1, found 0" in text
    assert "expected a Slack user group id such as S0614TZR7, found 'payments-oncall'" in text
    assert len(found) == 4
