"""Local stand-ins for Slack (incoming webhooks and the Web API), a Microsoft Teams
workflow webhook and an SMTP server (aiosmtpd), all on 127.0.0.1.

The HTTP server checks every body against what the services document: a Slack
message has a ``text`` fallback and Block Kit blocks (a plain-text header, mrkdwn
sections within 3,000 characters, in which ``<`` and ``>`` appear only around a
mention ``<@U…>`` or a link ``<url|text>``); a Teams post is ``{"type": "message",
"attachments": [one Adaptive Card 1.4]}``; the Web API wants the bot token. A body
that fails is answered 400 and recorded in ``violations``. Knobs make it answer
429 (with Retry-After) or 500 to a path, or echo a secret in an error.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

TOKEN = "xoxb-test-token-not-secret-42"


@dataclass
class Received:
    path: str  # with the query
    auth: str
    body: Any


@dataclass
class FakeChat:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    rate_limit: dict[str, int] = field(default_factory=dict)  # path → 429s before success
    fail: dict[str, str] = field(default_factory=dict)  # path → error message (HTTP 500)
    slack_error: dict[str, str] = field(default_factory=dict)  # DM channel → Slack's error

    def posts(self, prefix: str) -> list[Any]:
        """The bodies received at paths starting with ``prefix`` that were answered."""
        return [r.body for r in self.received if r.path.startswith(prefix)]

    # --- checks ------------------------------------------------------------------------

    def check_slack(self, body: Any, where: str) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
            self.violations.append(f"{where}: no text fallback")
            return
        blocks = body.get("blocks")
        if not isinstance(blocks, list) or not 1 <= len(blocks) <= 50:
            self.violations.append(f"{where}: blocks missing or more than 50")
            return
        header = blocks[0]
        if header.get("type") != "header" or header["text"]["type"] != "plain_text":
            self.violations.append(f"{where}: the first block is not a plain-text header")
        if len(header["text"]["text"]) > 150:
            self.violations.append(f"{where}: header over 150 characters")
        texts = [body["text"]]
        for b in blocks[1:]:
            if b.get("type") == "section":
                if b["text"]["type"] != "mrkdwn" or len(b["text"]["text"]) > 3000:
                    self.violations.append(f"{where}: a section is not mrkdwn within 3000")
                texts.append(b["text"]["text"])
            elif b.get("type") == "actions":
                for e in b["elements"]:
                    if e["type"] != "button" or not e["url"].startswith("https://"):
                        self.violations.append(f"{where}: a button without an https url")
            else:
                self.violations.append(f"{where}: unexpected block {b.get('type')}")
        for text in texts:
            bare = re.sub(r"<@[UW][A-Z0-9]+>|<https?://[^|<>\s]+\|[^<>]*>", "", text)
            if "<" in bare or ">" in bare:
                self.violations.append(f"{where}: an unescaped < or > in {text!r}")
            if re.search(r"&(?!amp;|lt;|gt;)", bare):
                self.violations.append(f"{where}: an unescaped & in {text!r}")

    def check_teams(self, body: Any, where: str) -> None:
        try:
            assert body["type"] == "message"
            (attachment,) = body["attachments"]
            assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
            card = attachment["content"]
            assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
            assert card["body"] and all(
                b["type"] == "TextBlock" and isinstance(b["text"], str) for b in card["body"]
            )
            for action in card.get("actions", []):
                assert action["type"] == "Action.OpenUrl" and action["url"].startswith("https://")
        except (AssertionError, KeyError, TypeError, ValueError) as exc:
            self.violations.append(f"{where}: not a Teams workflow card ({exc!r})")

    # --- answers -----------------------------------------------------------------------

    def answer(self, path: str, auth: str, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        try:
            body = json.loads(raw)
        except ValueError:
            self.violations.append(f"{path}: the body is not JSON")
            return 400, {}, b"invalid_payload"
        if self.rate_limit.get(path):
            self.rate_limit[path] -= 1
            return 429, {"Retry-After": "7"}, b"rate_limited"
        self.received.append(Received(path, auth, body))
        if path in self.fail:
            return 500, {}, json.dumps({"message": self.fail[path]}).encode()
        if path.startswith("/hooks/slack/"):
            self.check_slack(body, path)
            return 200, {}, b"ok"
        if path.startswith("/hooks/teams/"):
            self.check_teams(body, path)
            return 202, {}, b""
        if path.startswith("/api/"):
            if auth != f"Bearer {TOKEN}":
                return 200, {}, json.dumps({"ok": False, "error": "invalid_auth"}).encode()
            if path == "/api/chat.postMessage":
                channel = body.get("channel", "")
                if not re.fullmatch(r"[UW][A-Z0-9]+", channel):
                    self.violations.append(f"{path}: channel {channel!r} is not a user id")
                self.check_slack({k: v for k, v in body.items() if k != "channel"}, path)
                if channel in self.slack_error:
                    error = self.slack_error[channel]
                    return 200, {}, json.dumps({"ok": False, "error": error}).encode()
                return 200, {}, json.dumps({"ok": True, "channel": "D0", "ts": "1.0"}).encode()
            if path == "/api/usergroups.users.update":
                users = body.get("users")
                if not isinstance(users, str) or not users:
                    self.violations.append(f"{path}: users must be a non-empty text")
                elif not all(re.fullmatch(r"[UW][A-Z0-9]+", u) for u in users.split(",")):
                    self.violations.append(f"{path}: users {users!r} are not comma-separated ids")
                if not re.fullmatch(r"S[A-Z0-9]+", str(body.get("usergroup", ""))):
                    self.violations.append(f"{path}: no usergroup id")
                return 200, {}, json.dumps({"ok": True, "usergroup": {"id": "S"}}).encode()
        return 404, {}, b"no_service"


@contextmanager
def serve_chat() -> Iterator[FakeChat]:
    fake = FakeChat()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            status, headers, body = fake.answer(
                self.path, self.headers.get("Authorization", ""), raw
            )
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    """What the SMTP server accepted; recipients it refuses, for good or for a while."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # 550
    busy: dict[str, int] = field(default_factory=dict)  # address → 451s before accepting
    port: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if self.busy.get(address):
            self.busy[address] -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"].addresses[0].addr_spec == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_smtp(login: tuple[str, str] | None = None) -> Iterator[Mailbox]:
    """The server; with ``login``, it asks for that user and password (AUTH PLAIN or
    LOGIN, allowed without TLS: it listens on 127.0.0.1 only)."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    box = Mailbox()
    box.port = free_port()

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and login is not None
        ok = ok and (data.login.decode(), data.password.decode()) == login
        return AuthResult(success=ok, handled=False)

    extra: dict[str, Any] = {}
    if login is not None:
        extra = {"authenticator": check, "auth_require_tls": False}
    controller = Controller(box, hostname="127.0.0.1", port=box.port, **extra)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
