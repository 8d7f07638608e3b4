"""A ``rota notify`` message as each channel takes it. Pure.

- Slack: a Block Kit payload (a header, mrkdwn sections, a button to the handoff
  note) with a ``text`` fallback for notifications; ``&``, ``<`` and ``>`` in every
  value from the inputs escaped as Slack asks, people with a Slack handle mentioned
  as ``<@U…>``.
- Microsoft Teams: a workflow-webhook body holding one Adaptive Card 1.4 (text
  blocks, an ``Action.OpenUrl`` to the handoff note); markdown punctuation in every
  value from the inputs backslash-escaped.
- E-mail: ``text/plain`` UTF-8 with the title as subject, headers built by
  ``email.message.EmailMessage`` (names are one line already; ``formataddr`` quotes).
- Text: the preview printed without ``--send``.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from generator.reports.notify import Line, Link, Message, PersonRef

SLACK_HEADER_MAX = 150  # characters of a header block's plain text
SLACK_SECTION_MAX = 3000  # characters of a section block's text
SLACK_BLOCKS_MAX = 50
SLACK_TEXT_MAX = 4000  # the fallback text: Slack truncates longer ones


def slack_escape(text: str) -> str:
    """Text that Slack's mrkdwn shows as written: ``& < >`` as its escapes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_url(url: str) -> str:
    # a URL inside <url|text>: '|' and '>' would end it
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def slack_line(line: Line) -> str:
    out = []
    for seg in line:
        if isinstance(seg, PersonRef):
            out.append(f"<@{seg.slack}>" if seg.slack else slack_escape(seg.name))
        elif isinstance(seg, Link):
            out.append(f"<{_slack_url(seg.url)}|{slack_escape(seg.text)}>")
        else:
            out.append(slack_escape(seg))
    return "".join(out)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(message: Message, channel: str | None = None) -> dict[str, Any]:
    """The body of an incoming-webhook post (or, with ``channel``, of chat.postMessage)."""
    lines = [slack_line(line) for line in message.lines]
    sections: list[str] = []
    for line in lines:
        line = _cut(line, SLACK_SECTION_MAX)
        if sections and len(sections[-1]) + 1 + len(line) <= SLACK_SECTION_MAX:
            sections[-1] += "\n" + line
        else:
            sections.append(line)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(message.title, SLACK_HEADER_MAX)},
        }
    ]
    room = SLACK_BLOCKS_MAX - 1 - (1 if message.link else 0)
    if len(sections) > room:
        sections = [*sections[: room - 1], f"… {len(sections) - room + 1} more (see the preview)"]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in sections]
    if message.link is not None:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": message.link.text},
                        "url": message.link.url,
                    }
                ],
            }
        )
    text = _cut(slack_escape(message.title) + "\n" + "\n".join(lines), SLACK_TEXT_MAX)
    body: dict[str, Any] = {"text": text, "blocks": blocks}
    if channel is not None:
        body = {"channel": channel, **body}
    return body


_CARD_ESCAPE = re.compile(r"([\\`*_\[\]~])")
_CARD_LINE_START = re.compile(r"^(\s*)(?:([-+#>])|(\d+)\.)")


def card_escape(text: str) -> str:
    """Text that an Adaptive Card's markdown shows as written: the characters that
    make emphasis, code and links, and a list or heading marker opening the text,
    backslash-escaped."""
    text = _CARD_ESCAPE.sub(r"\\\1", text)
    return _CARD_LINE_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\."), text
    )


def card_line(line: Line) -> str:
    out = []
    for seg in line:
        if isinstance(seg, PersonRef):
            out.append(card_escape(seg.name))
        elif isinstance(seg, Link):
            url = seg.url.replace(")", "%29").replace("(", "%28").replace(" ", "%20")
            out.append(f"[{card_escape(seg.text)}]({url})")
        else:
            out.append(card_escape(seg))
    return "".join(out)


def teams_payload(message: Message) -> dict[str, Any]:
    """The body of a Microsoft Teams workflow webhook post: one Adaptive Card 1.4."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": card_escape(message.title),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    body += [
        {"type": "TextBlock", "text": card_line(line), "wrap": True}
        for line in message.lines
        if not (message.link and message.link in line)
    ]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.link is not None:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": message.link.text, "url": message.link.url}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def plain_line(line: Line) -> str:
    out = []
    for seg in line:
        if isinstance(seg, PersonRef):
            out.append(seg.name)
        elif isinstance(seg, Link):
            out.append(seg.url)
        else:
            out.append(seg)
    return "".join(out)


def plain_text(message: Message) -> str:
    """The message as text: the title, then its lines."""
    return "\n".join([message.title, *(plain_line(line) for line in message.lines)]) + "\n"


def email_message(
    message: Message, sender: str, to: str, organisation: str, to_name: str | None = None
) -> EmailMessage:
    """A ``text/plain`` e-mail; header values from the inputs go through ``formataddr``
    and ``EmailMessage``, which refuse line breaks (no header injection)."""
    msg = EmailMessage()
    msg["Subject"] = message.title
    msg["From"] = formataddr((f"{organisation} on-call", sender))
    msg["To"] = formataddr((to_name, to)) if to_name else to
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    msg.set_content(plain_text(message))
    return msg
