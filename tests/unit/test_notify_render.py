"""``rota notify``'s messages as each channel takes them, and the choice of channels:
pure functions, expected values written out by hand."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from generator.model import EmailNotify, NotifyConfig, Settings, SlackNotify, notify_channels
from generator.render.notify import (
    card_escape,
    email_message,
    plain_text,
    slack_escape,
    slack_payload,
    teams_payload,
)
from generator.reports.notify import GroupUpdate, Link, Message, PersonRef

ALICE = PersonRef("alice", "Alice Ng", "U024BE7LH")
BOB = PersonRef("bob", "Bob <b> & *Co*", None)
LINK = Link(
    "Handoff note", "https://oncall.example.com/handoffs/p/2026-12/#primary-2026-12-07-0900"
)
MESSAGE = Message(
    "handoffs",
    "Payments Primary: handoff Mon 07 Dec 2026 09:00 EST",
    ((ALICE, " hands over to ", BOB), ("Handoff note: ", LINK)),
    LINK,
)


def test_slack_mentions_people_with_a_handle_and_escapes_the_rest() -> None:
    body = slack_payload(MESSAGE)
    # alice has a Slack id: <@U…>; bob has none: his name, & < > escaped as Slack asks
    # (mrkdwn has no escape for * and _: those stay as written)
    assert body["blocks"][1]["text"]["text"] == (
        "<@U024BE7LH> hands over to Bob &lt;b&gt; &amp; *Co*\n"
        "Handoff note: <https://oncall.example.com/handoffs/p/2026-12/#primary-2026-12-07-0900"
        "|Handoff note>"
    )
    assert body["text"].splitlines()[1] == "<@U024BE7LH> hands over to Bob &lt;b&gt; &amp; *Co*"
    assert "channel" not in body
    assert slack_payload(MESSAGE, "U024BE7LH")["channel"] == "U024BE7LH"


def test_slack_escape() -> None:
    assert slack_escape("a <@U1> & b") == "a &lt;@U1&gt; &amp; b"  # no mention from YAML


def test_a_long_slack_message_stays_within_the_block_limits() -> None:
    many = Message("upcoming", "t" * 200, tuple((f"line {n} " + "x" * 200,) for n in range(400)))
    blocks = slack_payload(many)["blocks"]
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) == 150  # the header cut to Slack's limit, with …
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks[1:])
    # 400 lines of 207 to 209 characters, 14 to a 3,000-character section (15 would
    # pass 3,000 with their line breaks): 29 sections;
    # all fit within 49 section blocks, so nothing is cut
    assert len(blocks) == 1 + 29
    assert blocks[-1]["text"]["text"].endswith("line 399 " + "x" * 200)


def test_teams_card_escapes_markdown_and_links_the_note() -> None:
    card = teams_payload(MESSAGE)["attachments"][0]["content"]
    assert card["version"] == "1.4"
    # no mentions in Teams (they need Azure AD ids): names, markdown punctuation escaped;
    # the link line becomes the card's button
    assert [b["text"] for b in card["body"]] == [
        "Payments Primary: handoff Mon 07 Dec 2026 09:00 EST",
        "Alice Ng hands over to Bob <b> & \\*Co\\*",
    ]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Handoff note", "url": LINK.url}]


def test_card_escape() -> None:
    assert (
        card_escape("[x](javascript:y) _a_ `c` ~d~")
        == "\\[x\\](javascript:y) \\_a\\_ \\`c\\` \\~d\\~"
    )
    assert card_escape("- not a list") == "\\- not a list"
    assert card_escape("1. not a list") == "1\\. not a list"


def test_plain_text_and_email() -> None:
    assert plain_text(MESSAGE) == (
        "Payments Primary: handoff Mon 07 Dec 2026 09:00 EST\n"
        "Alice Ng hands over to Bob <b> & *Co*\n"
        f"Handoff note: {LINK.url}\n"
    )
    mail = email_message(MESSAGE, "oncall@acme.example", "p@acme.example", 'Acme "Ops", Inc')
    assert mail["Subject"] == "Payments Primary: handoff Mon 07 Dec 2026 09:00 EST"
    # the organisation's name quoted by formataddr: its comma cannot start a second address
    assert mail["From"] == '"Acme \\"Ops\\", Inc on-call" <oncall@acme.example>'
    assert mail["Auto-Submitted"] == "auto-generated"


def test_a_team_overrides_channels_key_by_key() -> None:
    from dataclasses import replace

    from tests.unit.test_notify_selection import team

    settings = Settings(
        notify=NotifyConfig(
            slack=SlackNotify("ORG_HOOK", "ORG_TOKEN", "SORG"),
            email=EmailNotify("smtp.acme.example", None, "oncall@acme.example", tls="ssl"),
        )
    )
    own = NotifyConfig(
        slack=SlackNotify(webhook_env="PAY_HOOK"), email=EmailNotify(to="p@a.example")
    )
    merged = notify_channels(settings, replace(team(), notify=own))
    # the team's webhook, the organisation's token; the organisation's group is not the team's
    assert merged.slack == SlackNotify("PAY_HOOK", "ORG_TOKEN", None)
    assert merged.email == EmailNotify(
        "smtp.acme.example", None, "oncall@acme.example", None, None, "ssl", "p@a.example"
    )
    assert merged.email is not None and merged.email.smtp_port == 465  # ssl's port
    # a team without notify: the organisation's channels, without its user group
    plain = notify_channels(settings, team())
    assert plain.slack == SlackNotify("ORG_HOOK", "ORG_TOKEN", None)
    assert notify_channels(settings, None).slack == SlackNotify("ORG_HOOK", "ORG_TOKEN", "SORG")


def test_a_group_update_sends_slack_ids_only() -> None:
    g = GroupUpdate("SPAY", "team:payments", "T", (ALICE, BOB, PersonRef("c", "C", "U0C")))
    assert g.users == ("U024BE7LH", "U0C")
    assert g.missing == (BOB,)


# --- invariants over any text from YAML -------------------------------------------------

_ENTITY = re.compile(r"&(amp|lt|gt);")


@given(st.text())
def test_slack_text_from_yaml_never_makes_markup(text: str) -> None:
    out = slack_escape(text)
    assert "<" not in out and ">" not in out  # no mention, link or command of its own
    assert "&" not in _ENTITY.sub("", out)  # every & is an escape
    # and Slack shows it as written
    assert out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@given(st.text())
def test_card_text_from_yaml_reads_as_written(text: str) -> None:
    out = card_escape(text)
    # CommonMark drops the backslash before ASCII punctuation: the reader sees `text`
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", out) == text
    # and no emphasis, code or link marker is left unescaped
    assert not re.search(r"(?<!\\)(?:\\\\)*[*_`\[\]~]", out.replace("\\\\", ""))
