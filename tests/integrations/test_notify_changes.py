"""``rota notify changes BASE``: to exactly the people a change touches, on a git
repository made in the test (the organisation of test_notify.py, committed; then an
override gives alice's week of 14-21 Dec to bob)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import write_org
from tests.integrations.fake_chat import TOKEN, FakeChat, Mailbox, serve_chat, serve_smtp
from tests.integrations.test_notify import NOW, ORG, SECRETS, env, text

SWAP = """
overrides:
  - {team: payments, rotation: primary, from: "2026-12-14 09:00", to: "2026-12-21 09:00",
     person: bob, note: swap with alice}
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def chat() -> Iterator[FakeChat]:
    with serve_chat() as fake:
        yield fake
        assert fake.violations == []


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    with serve_smtp() as box:
        yield box


@pytest.fixture
def repo(tmp_path: Path, smtp: Mailbox) -> Path:
    (tmp_path / "repo").mkdir()
    root = write_org(tmp_path / "repo", ORG.format(port=smtp.port))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The organisation")
    with (root / "rotations" / "org.yaml").open("a") as f:
        f.write(SWAP)
    return root


def test_changes_go_to_exactly_the_people_touched(
    repo: Path, chat: FakeChat, smtp: Mailbox
) -> None:
    argv = ["--root", str(repo), "notify", "changes", "HEAD", "--now", NOW]
    result = CliRunner().invoke(cli, [*argv, "--send", "--insecure-http"], env=env(chat))
    assert result.exit_code == 0, result.output
    for secret in SECRETS:
        assert secret not in result.output
    # alice and bob: carol's shifts do not change, so she is not told (nor anyone else)
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.messages) == [
        "alice@acme.example",
        "bob@acme.example",
    ]
    # The week 14 Dec 09:00 EST - 21 Dec 09:00 EST, 168 h. On bob's clock (New York):
    # Mon 14 09-18 weekday 9, 18-24 night 6; Tue-Fri 9 weekday + 15 night each (36, 60);
    # Sat-Sun weekend 48; Mon 21 00-09 night 9: weekday 45, night 75, weekend 48.
    # On alice's (London, 14:00-14:00): Mon 14-18 weekday 4, 18-24 night 6; Tue-Fri 36
    # and 60; weekend 48; Mon 21 00-09 night 9, 09-14 weekday 5: 45, 75, 48 as well.
    (alice,) = smtp.to("alice@acme.example")
    assert alice["Subject"] == "Your on-call shifts change"
    lines = text(alice).splitlines()
    assert lines[1].startswith("Hello Alice Ng, a change to the on-call plan (HEAD (")
    assert lines[1].endswith(") → working tree) changes your shifts (Europe/London):")
    assert lines[2:] == [
        "You no longer take Payments Primary: Mon 14 Dec 2026 14:00 GMT to "
        "Mon 21 Dec 2026 14:00 GMT, now: Bob & <Co>",
        "Hours on call: weekday −45h, night −75h, weekend −48h",
        # a week is one shift: alice one fewer, bob one more, the target (half of
        # all) the same, so alice's deviation falls by 1 and bob's rises by 1
        "Fairness, payments/primary: +0.50 → -0.50 shifts from target",
    ]
    (bob,) = smtp.to("bob@acme.example")
    assert text(bob).splitlines()[2:] == [
        "You take Payments Primary: Mon 14 Dec 2026 09:00 EST to Mon 21 Dec 2026 09:00 EST, "
        "before: Alice Ng",
        "Hours on call: weekday +45h, night +75h, weekend +48h",
        "Fairness, payments/primary: -0.50 → +0.50 shifts from target",
    ]
    # alice has a Slack id: a direct message with the same lines
    (dm,) = chat.received
    assert dm.path == "/api/chat.postMessage" and dm.auth == f"Bearer {TOKEN}"
    assert dm.body["channel"] == "U0ALICE1"
    assert "You no longer take Payments Primary" in dm.body["blocks"][1]["text"]["text"]
    assert "now: Bob &amp; &lt;Co&gt;" in dm.body["blocks"][1]["text"]["text"]


def test_no_change_tells_nobody(repo: Path, chat: FakeChat, smtp: Mailbox) -> None:
    git(repo, "checkout", "--", ".")  # the working tree as committed
    argv = ["--root", str(repo), "notify", "changes", "HEAD", "--now", NOW, "--send"]
    result = CliRunner().invoke(cli, [*argv, "--insecure-http"], env=env(chat))
    assert result.exit_code == 0, result.output
    assert smtp.messages == [] and chat.received == []
    assert "nobody's shifts change" in result.stderr


def test_without_send_the_people_touched_are_previewed(repo: Path, chat: FakeChat) -> None:
    argv = ["--root", str(repo), "notify", "changes", "HEAD", "--now", NOW]
    result = CliRunner().invoke(cli, argv, env=env(chat))
    assert result.exit_code == 0, result.output
    assert chat.received == []
    targets = [line for line in result.output.splitlines() if line.startswith("→")]
    assert targets == [
        "→ e-mail to alice@acme.example (person:alice)",
        "→ Slack direct message to U0ALICE1 (bot token in T_SLACK_TOKEN) (person:alice)",
        "→ e-mail to bob@acme.example (person:bob)",
    ]
