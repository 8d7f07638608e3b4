"""``rota notify`` against Slack-, Teams- and SMTP-shaped servers on 127.0.0.1.

The organisation (ORG below): Payments (New York) has one weekly rotation, alice
(London) and bob (New York) round-robin from Mon 30 Nov 09:00 EST; Data (UTC) one
weekly rotation of carol alone, who is on leave 14-20 Dec. So (hand-computed):

- alice 30 Nov 09:00 EST – 07 Dec 09:00 EST, bob to 14 Dec, alice to 21 Dec, bob …
  (09:00 EST is 14:00 UTC and 14:00 GMT);
- carol 30 Nov – 07 Dec 00:00 UTC; 07-14 Dec uncovered (a weekly slot she cannot
  finish: her leave starts 14 Dec 00:00 in Tokyo, 13 Dec 15:00 UTC); 14-21 Dec
  uncovered (leave); carol again from 21 Dec.

NOW is Mon 07 Dec 13:30 UTC: the Payments handoff alice → bob is 30 minutes away.
Payments had one incident during alice's week, its title full of markup (INC-1).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli
from tests.conftest import write_org
from tests.integrations.fake_chat import TOKEN, FakeChat, Mailbox, serve_chat, serve_smtp

NOW = "2026-12-07T13:30:00Z"

ORG = """
settings:
  organisation: Acme
  timezone: UTC
  freeze: 2w
  site: {{url: "https://oncall.example.com/"}}
  notify:
    slack: {{webhook_env: T_SLACK_HOOK, token_env: T_SLACK_TOKEN, usergroup: SORG0001}}
    email: {{smtp_host: 127.0.0.1, port: {port}, from: oncall@acme.example, tls: none}}
people:
  - {{id: alice, name: Alice Ng, email: alice@acme.example, timezone: Europe/London,
     handles: {{slack: U0ALICE1}}}}
  - {{id: bob, name: "Bob & <Co>", email: bob@acme.example, timezone: America/New_York}}
  - id: carol
    name: Carol Diaz
    timezone: Asia/Tokyo
    leave: [{{from: 2026-12-14, to: 2026-12-20}}]
severities:
  - {{id: SEV-3, name: Minor, description: Degraded for some customers}}
incidents:
  - {{id: INC-1, title: "Checkout <b>slow</b> & *500s*", severity: SEV-3, team: payments,
     started: "2026-12-02T10:00:00Z", resolved: "2026-12-02T11:00:00Z", responders: [alice]}}
teams:
  - id: payments
    name: Payments
    timezone: America/New_York
    notify:
      slack: {{webhook_env: T_SLACK_PAY, usergroup: SPAY0001}}
      msteams: {{webhook_env: T_TEAMS_HOOK}}
      email: {{to: payments@acme.example}}
    rotations:
      - id: primary
        name: Primary
        members: [alice, bob]
        start: "2026-11-30 09:00"
        shift: 1w
        assignment: round-robin
  - id: data
    name: Data
    timezone: UTC
    rotations:
      - {{id: ops, name: Ops, members: [carol], start: "2026-11-30 00:00", shift: 1w,
         assignment: round-robin}}
"""

SLACK_PAY = "/hooks/slack/T0/B1/paysecret4567"
SLACK_ORG = "/hooks/slack/T0/B0/orgsecret1234"
TEAMS = "/hooks/teams/wf?api-version=1&sig=teamssig7890"


@pytest.fixture
def chat() -> Iterator[FakeChat]:
    with serve_chat() as fake:
        yield fake
        assert fake.violations == []  # every body matched what the services document


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    with serve_smtp() as box:
        yield box


@pytest.fixture
def org(tmp_path: Path, smtp: Mailbox) -> Path:
    return write_org(tmp_path, ORG.format(port=smtp.port))


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retries' waits, recorded instead of slept."""
    import generator.integrations.notify as notify

    found: list[float] = []
    monkeypatch.setattr(notify, "SLEEP", found.append)
    return found


def env(chat: FakeChat) -> dict[str, str]:
    return {
        "T_SLACK_HOOK": chat.url + SLACK_ORG,
        "T_SLACK_PAY": chat.url + SLACK_PAY,
        "T_TEAMS_HOOK": chat.url + TEAMS,
        "T_SLACK_TOKEN": TOKEN,
        "ROTA_SLACK_API_URL": chat.url + "/api",
    }


def text(mail: Any) -> str:
    """An e-mail's text as written (SMTP carries its lines ended by CR LF)."""
    return str(mail.get_content()).replace("\r\n", "\n")


SECRETS = ("paysecret4567", "orgsecret1234", "teamssig7890", TOKEN)


def run(org: Path, chat: FakeChat, *args: str, send: bool = True) -> Result:
    argv = ["--root", str(org), "notify", *args, "--now", NOW]
    if send:
        argv += ["--send", "--insecure-http"]
    result = CliRunner().invoke(cli, argv, env=env(chat))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    for secret in SECRETS:  # never a webhook URL or a token in what is printed
        assert secret not in result.output
        assert secret not in result.stderr
    return result


def test_without_send_nothing_is_sent(org: Path, chat: FakeChat, smtp: Mailbox) -> None:
    for kind in (["handoffs"], ["upcoming", "--days", "14"], ["uncovered"], ["usergroups"]):
        result = run(org, chat, *kind, send=False)
        assert result.exit_code == 0, result.output
    assert chat.received == []
    assert smtp.messages == []
    result = run(org, chat, "handoffs", send=False)
    assert "a preview: nothing was sent" in result.output
    assert "→ Slack webhook in T_SLACK_PAY (team:payments)" in result.output


def test_handoffs_go_to_the_teams_channels(org: Path, chat: FakeChat, smtp: Mailbox) -> None:
    result = run(org, chat, "handoffs", "--within", "1h")
    assert result.exit_code == 0, result.output
    # one handoff in [13:30, 14:30) UTC: Payments at 14:00 UTC (09:00 EST); Data's
    # next is 14 Dec. To Payments' own Slack webhook, Teams and e-mail; not the org's.
    assert chat.posts(SLACK_ORG) == []
    (slack,) = chat.posts(SLACK_PAY)
    title = "Payments Primary: handoff Mon 07 Dec 2026 09:00 EST"
    url = "https://oncall.example.com/handoffs/payments/2026-12/#primary-2026-12-07-0900"
    assert slack["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                # alice mentioned by her Slack id; bob (no handle) named, escaped for
                # mrkdwn; each person at the handoff on their own clock
                "text": "<@U0ALICE1> (Mon 07 Dec 14:00 GMT) hands over to "
                "Bob &amp; &lt;Co&gt; (Mon 07 Dec 09:00 EST)\n"
                "1 incident during the outgoing shift, 0 handoff notes\n"
                "INC-1 (SEV-3): Checkout &lt;b&gt;slow&lt;/b&gt; &amp; *500s*\n"
                f"Handoff note: <{url}|Handoff note>",
            },
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Handoff note"},
                    "url": url,
                }
            ],
        },
    ]
    assert slack["text"].startswith(title + "\n<@U0ALICE1> (Mon 07 Dec 14:00 GMT) hands over")
    (teams,) = chat.posts("/hooks/teams/")
    card = teams["attachments"][0]["content"]
    assert [b["text"] for b in card["body"]] == [
        title,
        "Alice Ng (Mon 07 Dec 14:00 GMT) hands over to Bob & <Co> (Mon 07 Dec 09:00 EST)",
        "1 incident during the outgoing shift, 0 handoff notes",
        "INC-1 (SEV-3): Checkout <b>slow</b> & \\*500s\\*",  # emphasis escaped
    ]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Handoff note", "url": url}]
    (mail,) = smtp.messages
    assert mail["Subject"] == title
    assert mail["To"] == "payments@acme.example"
    assert mail["From"].addresses[0].addr_spec == "oncall@acme.example"
    assert text(mail) == (
        f"{title}\n"
        "Alice Ng (Mon 07 Dec 14:00 GMT) hands over to Bob & <Co> (Mon 07 Dec 09:00 EST)\n"
        "1 incident during the outgoing shift, 0 handoff notes\n"
        "INC-1 (SEV-3): Checkout <b>slow</b> & *500s*\n"
        f"Handoff note: {url}\n"
    )
    assert result.output.count("ok: ") == 3
    assert "notify handoffs: 3 sent, 0 failed" in result.output


def test_upcoming_gives_each_person_their_shifts_in_their_zone(
    org: Path, chat: FakeChat, smtp: Mailbox
) -> None:
    result = run(org, chat, "upcoming", "--days", "14")
    assert result.exit_code == 0, result.output
    # shifts starting in [Mon 07 Dec 13:30, Mon 21 Dec 13:30) UTC: bob's from 07 Dec
    # 14:00 UTC, alice's from 14 Dec 14:00 UTC (bob's next, 21 Dec 14:00 UTC, is past
    # the end); carol's from 21 Dec 00:00 UTC, but she has no e-mail address and no
    # Slack handle: nobody can tell her, and a note says so
    (alice,) = smtp.to("alice@acme.example")
    assert alice["Subject"] == "Your on-call shifts from Mon 07 Dec to Mon 21 Dec 2026"
    assert text(alice) == (
        "Your on-call shifts from Mon 07 Dec to Mon 21 Dec 2026\n"
        "Hello Alice Ng, your shifts (Europe/London):\n"
        "Payments Primary: Mon 14 Dec 2026 14:00 GMT to Mon 21 Dec 2026 14:00 GMT\n"
    )
    (bob,) = smtp.to("bob@acme.example")
    assert text(bob) == (
        "Your on-call shifts from Mon 07 Dec to Mon 21 Dec 2026\n"
        "Hello Bob & <Co>, your shifts (America/New_York):\n"
        "Payments Primary: Mon 07 Dec 2026 09:00 EST to Mon 14 Dec 2026 09:00 EST\n"
    )
    assert len(smtp.messages) == 2
    assert "carol has shifts but no way to be told" in result.stderr
    # alice has a Slack id and the organisation a bot token: a direct message too
    (dm,) = chat.received
    assert dm.path == "/api/chat.postMessage"
    assert dm.auth == f"Bearer {TOKEN}"
    assert dm.body["channel"] == "U0ALICE1"
    assert dm.body["blocks"][1]["text"]["text"] == (
        "Hello Alice Ng, your shifts (Europe/London):\n"
        "Payments Primary: Mon 14 Dec 2026 14:00 GMT to Mon 21 Dec 2026 14:00 GMT"
    )


def test_uncovered_shifts_go_to_the_teams_channel(org: Path, chat: FakeChat, smtp: Mailbox) -> None:
    result = run(org, chat, "uncovered")
    assert result.exit_code == 0, result.output
    # Data has no notify of its own: the organisation's Slack webhook; no e-mail
    # (neither the team nor settings name a `to`). Both uncovered weeks lie within
    # freeze (2w) of now, the first one under way.
    (slack,) = chat.posts(SLACK_ORG)
    assert slack["blocks"][0]["text"]["text"] == "Data: 2 uncovered shifts in the coming weeks"
    assert slack["blocks"][1]["text"]["text"] == (
        "Data Ops: nobody is on call from Mon 07 Dec 2026 00:00 UTC to Mon 14 Dec 2026 "
        "00:00 UTC. Who could take it: rota cover --team data --rotation ops "
        "--at 2026-12-07T00:00:00+00:00\n"
        "Data Ops: nobody is on call from Mon 14 Dec 2026 00:00 UTC to Mon 21 Dec 2026 "
        "00:00 UTC. Who could take it: rota cover --team data --rotation ops "
        "--at 2026-12-14T00:00:00+00:00"
    )
    assert len(chat.received) == 1
    assert smtp.messages == []


def test_a_rate_limit_is_waited_out(
    org: Path, chat: FakeChat, smtp: Mailbox, waits: list[float]
) -> None:
    chat.rate_limit[SLACK_PAY] = 1
    result = run(org, chat, "handoffs")
    assert result.exit_code == 0, result.output
    assert waits == [7.0]  # the Retry-After the server gave
    assert len(chat.posts(SLACK_PAY)) == 1  # delivered once


def test_one_failing_channel_does_not_stop_the_others(
    org: Path, chat: FakeChat, smtp: Mailbox, waits: list[float]
) -> None:
    chat.fail[TEAMS] = f"cannot post to {TEAMS}"  # the server echoes the secret URL
    result = run(org, chat, "handoffs")
    assert result.exit_code == 1
    assert len(chat.posts(SLACK_PAY)) == 1
    assert len(smtp.messages) == 1
    assert len(chat.posts("/hooks/teams/")) == 1  # a 500 after posting is not repeated
    assert waits == []
    (failed,) = [line for line in result.output.splitlines() if line.startswith("FAILED")]
    assert failed.startswith("FAILED: Microsoft Teams webhook in T_TEAMS_HOOK (team:payments)")
    assert "HTTP 500: cannot post to [token]" in failed
    assert "notify handoffs: 2 sent, 1 failed" in result.output


def test_a_refused_direct_message_is_reported_without_the_token(
    org: Path, chat: FakeChat, smtp: Mailbox
) -> None:
    chat.slack_error["U0ALICE1"] = f"not_allowed_token_type (got {TOKEN})"  # echoed
    result = run(org, chat, "upcoming", "--days", "14")
    assert result.exit_code == 1
    assert len(smtp.messages) == 2  # both e-mails went out
    assert "FAILED: Slack direct message to U0ALICE1 (bot token in T_SLACK_TOKEN)" in (
        result.output
    )
    assert "Slack refused it: not_allowed_token_type (got [token])" in result.output


def test_one_refused_recipient_does_not_stop_the_others(
    org: Path, chat: FakeChat, smtp: Mailbox, waits: list[float]
) -> None:
    smtp.refuse.add("bob@acme.example")
    smtp.busy["alice@acme.example"] = 1  # a 451 first: tried again after 2 s
    result = run(org, chat, "upcoming", "--days", "14")
    assert result.exit_code == 1
    assert len(smtp.to("alice@acme.example")) == 1
    assert smtp.to("bob@acme.example") == []
    assert waits == [2.0]
    assert "FAILED: e-mail to bob@acme.example (person:bob)" in result.output
    assert "refused the recipient (codes 550)" in result.output


def test_a_server_that_cannot_be_reached_is_reported_without_its_address(
    org: Path, chat: FakeChat, smtp: Mailbox, waits: list[float]
) -> None:
    from tests.integrations.fake_chat import free_port

    closed = f"http://127.0.0.1:{free_port()}{TEAMS}"  # nothing listens there
    argv = ["--root", str(org), "notify", "handoffs", "--now", NOW, "--send", "--insecure-http"]
    result = CliRunner().invoke(cli, argv, env={**env(chat), "T_TEAMS_HOOK": closed})
    assert result.exit_code == 1
    (failed,) = [line for line in result.output.splitlines() if line.startswith("FAILED")]
    assert "cannot connect" in failed
    for secret in (*SECRETS, "/hooks/teams/wf"):
        assert secret not in result.output
    assert len(chat.posts(SLACK_PAY)) == 1 and len(smtp.messages) == 1
    assert waits == [1.0, 2.0, 4.0]  # not sent: tried again, 1, 2 and 4 s later


def test_http_is_refused_without_insecure_http(org: Path, chat: FakeChat, smtp: Mailbox) -> None:
    argv = ["--root", str(org), "notify", "handoffs", "--now", NOW, "--send"]
    result = CliRunner().invoke(cli, argv, env=env(chat))
    assert result.exit_code == 1
    assert chat.received == []
    assert "is not https" in result.output
    for secret in SECRETS:
        assert secret not in result.output


def test_an_unset_variable_fails_only_its_channel(org: Path, chat: FakeChat, smtp: Mailbox) -> None:
    argv = ["--root", str(org), "notify", "handoffs", "--now", NOW, "--send", "--insecure-http"]
    result = CliRunner().invoke(cli, argv, env={**env(chat), "T_TEAMS_HOOK": ""})
    assert result.exit_code == 1
    assert "the environment variable T_TEAMS_HOOK holding the webhook URL is not set" in (
        result.output
    )
    assert len(chat.posts(SLACK_PAY)) == 1 and len(smtp.messages) == 1


def test_usergroups_hold_who_is_on_call_now(org: Path, chat: FakeChat) -> None:
    # on call at 13:30 UTC: alice (Payments, until 14:00), nobody for Data (uncovered):
    # the organisation's group and Payments' both hold alice alone
    result = run(org, chat, "usergroups")
    assert result.exit_code == 0, result.output
    assert [(r.path, r.auth, r.body) for r in chat.received] == [
        (
            "/api/usergroups.users.update",
            f"Bearer {TOKEN}",
            {"usergroup": "SORG0001", "users": "U0ALICE1"},
        ),
        (
            "/api/usergroups.users.update",
            f"Bearer {TOKEN}",
            {"usergroup": "SPAY0001", "users": "U0ALICE1"},
        ),
    ]
    assert "ok: Slack user group SPAY0001" in result.output


def test_usergroups_never_sends_an_empty_group(org: Path, chat: FakeChat) -> None:
    # at 14:30 UTC bob is on call, and he has no Slack handle: neither group can be
    # set (Slack refuses an empty list): skipped and said, nothing sent, exit 0
    argv = ["--root", str(org), "notify", "usergroups", "--now", "2026-12-07T14:30:00Z"]
    result = CliRunner().invoke(cli, [*argv, "--send", "--insecure-http"], env=env(chat))
    assert result.exit_code == 0, result.output
    assert chat.received == []
    assert "skipped: Slack user group SPAY0001" in result.output
    assert "Slack refuses an empty user group" in result.output
    assert "bob is on call for team:payments but has no Slack handle" in result.stderr


def test_json_preview_holds_the_exact_bodies(org: Path, chat: FakeChat) -> None:
    import json

    result = run(org, chat, "handoffs", "--format", "json", send=False)
    doc: dict[str, Any] = json.loads(result.stdout)
    assert doc["sent"] is False
    assert [(d["channel"], d["audience"], d["secret_env"]) for d in doc["deliveries"]] == [
        ("slack", "team:payments", "T_SLACK_PAY"),
        ("msteams", "team:payments", "T_TEAMS_HOOK"),
        ("email", "team:payments", None),
    ]
    assert doc["deliveries"][2]["body"]["to"] == "payments@acme.example"
    assert chat.received == []


def test_smtp_login_from_the_environment(tmp_path: Path, chat: FakeChat) -> None:
    password = "smtp-password-not-secret-9"
    with serve_smtp(login=("rota", password)) as box:
        with_login = ORG.replace(
            "tls: none}}",
            "tls: none, username_env: T_SMTP_USER, password_env: T_SMTP_PASSWORD}}",
        )
        org = write_org(tmp_path, with_login.format(port=box.port))
        argv = ["--root", str(org), "notify", "upcoming", "--days", "14", "--now", NOW]
        argv += ["--send", "--insecure-http"]
        good = {**env(chat), "T_SMTP_USER": "rota", "T_SMTP_PASSWORD": password}
        result = CliRunner().invoke(cli, argv, env=good)
        assert result.exit_code == 0, result.output
        assert len(box.messages) == 2  # alice and bob, after logging in
        wrong = {**good, "T_SMTP_PASSWORD": "wrong-password-not-secret"}
        result = CliRunner().invoke(cli, argv, env=wrong)
        assert result.exit_code == 1
        assert "FAILED: e-mail to alice@acme.example" in result.output
        assert "the SMTP server answered 535" in result.output  # refused: not retried
        assert len(box.messages) == 2
        for secret in (password, "wrong-password-not-secret"):
            assert secret not in result.output
