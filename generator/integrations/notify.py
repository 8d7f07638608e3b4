"""Send ``rota notify``'s messages: Slack, Microsoft Teams and e-mail. I/O at the edge.

HTTP goes through ``sync.Api`` (an overall deadline, a timeout per read, a cap on
a reply's size, retries on 429 honouring Retry-After). A post that may have been
delivered (a 5xx or a lost reply after sending) is never repeated, so nobody gets
a message twice; a 429 means Slack did not take it, so it is retried. Secrets come
only from environment variables and are redacted from everything printed: the
webhook URLs (which are secrets: anyone holding one can post), tokens, passwords.

Each delivery is sent on its own and gives a ``Result``: one failing recipient
never stops the rest.

Addresses: webhooks must be https (``--insecure-http`` allows http to this machine,
for a local test server); the Slack Web API is ``https://slack.com/api`` unless
``ROTA_SLACK_API_URL`` names another (a proxy, a test server), checked the same way.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from generator.errors import printable
from generator.integrations.sync import (
    DEFAULT_TIMEOUT,
    MAX_WAIT,
    READ_TIMEOUT,
    RETRIES,
    Api,
    SyncFailed,
    UnsafeUrl,
    _loopback,
    check_url,
    redact,
)
from generator.model import EmailNotify
from generator.render.notify import email_message, slack_payload, teams_payload
from generator.reports.notify import Delivery, GroupUpdate, Message

SLACK_API_ENV = "ROTA_SLACK_API_URL"
SLACK_API_URL = "https://slack.com/api"
SLEEP = time.sleep  # how a retry waits (the tests replace it, so they never wait)


@dataclass(frozen=True)
class Result:
    target: str  # as printed: never a secret
    audience: str
    title: str
    status: str  # ok | FAILED | skipped
    detail: str

    @property
    def ok(self) -> bool:
        return self.status != "FAILED"

    def line(self) -> str:
        return printable(
            f"{self.status}: {self.target} ({self.audience}): {self.title}: {self.detail}"
        )


class Refused(Exception):
    """Nothing was sent (a variable not set, an address refused)."""


def webhook_address(url: str, env_name: str, insecure_http: bool) -> tuple[str, str]:
    """``(scheme://host:port, /path?query)`` of a webhook URL, if a message may go
    there. The URL is a secret: no message repeats it."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise Refused(f"{env_name} does not hold an https:// address")
    if parts.username or parts.password or parts.fragment:
        raise Refused(f"the address in {env_name} holds a user, password or #fragment")
    if parts.scheme == "http" and not (insecure_http and _loopback(host)):
        raise Refused(
            f"the address in {env_name} is not https: the message would travel in clear "
            "(--insecure-http allows http to this machine only, for a local test server)"
        )
    netloc = parts.netloc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{parts.scheme}://{netloc}", path


def webhook_secrets(url: str) -> list[str]:
    """The forms of a webhook URL to redact: whole, its path and query (which messages
    about a request name), and each long path segment and query value on its own."""
    parts = urlsplit(url.strip())
    found = {url, url.strip(), parts.path, parts.query}
    if parts.query:
        found.add(f"{parts.path}?{parts.query}")
    found |= {seg for seg in parts.path.split("/") if len(seg) >= 8}
    found |= {v for kv in parts.query.split("&") for v in kv.split("=")[1:] if len(v) >= 8}
    return sorted((f for f in found if f and f != "/"), key=len, reverse=True)


class Sender:
    """Sends deliveries, each on its own; ``env`` holds the secrets."""

    def __init__(
        self,
        env: Mapping[str, str],
        organisation: str,
        email: EmailNotify | None,
        *,
        insecure_http: bool = False,
        sleep: Callable[[float], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        secret_names: Iterable[str] = (),
    ):
        self.env, self.organisation, self.email = env, organisation, email
        self.secret_names = sorted(set(secret_names))
        self.insecure_http, self.sleep, self.clock = insecure_http, sleep or SLEEP, clock
        self.timeout = timeout
        self.deadline = clock() + timeout

    # --- secrets ---------------------------------------------------------------------

    def secret(self, name: str | None, what: str) -> str:
        value = self.env.get(name or "", "").strip()
        if not name or not value:
            raise Refused(
                f"the environment variable {name or '(none configured)'} holding "
                f"{what} is not set: nothing sent"
            )
        return value

    def secrets(self) -> list[str]:
        """Every value the configuration points at, to redact from what is printed."""
        values = {self.env.get(n, "").strip() for n in self.secret_names}
        found = set()
        for value in values:
            found |= set(webhook_secrets(value)) if "://" in value else {value}
        return sorted((v for v in found if v), key=len, reverse=True)

    def clean(self, text: str, extra: list[str] | None = None) -> str:
        return redact(text, [*(extra or []), *self.secrets()])

    def left(self) -> float:
        return self.deadline - self.clock()

    def api(self, base: str, headers: dict[str, str], secrets: list[str]) -> Api:
        if self.left() <= 0:
            raise Refused(f"the overall time limit of {self.timeout:g} s passed: nothing sent")
        return Api(
            base, headers, sleep=self.sleep, timeout=self.left(), secrets=secrets, clock=self.clock
        )

    # --- deliveries ------------------------------------------------------------------

    def send(self, delivery: Delivery) -> Result:
        msg = delivery.message
        extra: list[str] = []
        try:
            if delivery.channel in ("slack", "msteams"):
                what = "the Slack webhook URL" if delivery.channel == "slack" else "the webhook URL"
                url = self.secret(delivery.secret_env, what)
                extra = webhook_secrets(url)
                body = slack_payload(msg) if delivery.channel == "slack" else teams_payload(msg)
                detail = self._webhook(url, delivery.secret_env or "", body, delivery.channel)
            elif delivery.channel == "slack-dm":
                token = self.secret(delivery.secret_env, "the Slack bot token")
                extra = [token]
                detail = self._slack_api(
                    token,
                    "chat.postMessage",
                    slack_payload(msg, delivery.address),
                    idempotent=False,
                )
            elif delivery.channel == "email":
                detail = self._email(msg, delivery.address or "")
            else:
                raise Refused(f"unknown channel {delivery.channel}")
        except (Refused, SyncFailed, UnsafeUrl) as exc:
            return self._result(delivery, "FAILED", self.clean(str(exc), extra))
        return self._result(delivery, "ok", self.clean(detail, extra))

    def _result(self, delivery: Delivery, status: str, detail: str) -> Result:
        return Result(delivery.target, delivery.audience, delivery.message.title, status, detail)

    def _webhook(self, url: str, env_name: str, body: Any, channel: str) -> str:
        base, path = webhook_address(url, env_name, self.insecure_http)
        api = self.api(base, {"Content-Type": "application/json"}, webhook_secrets(url))
        try:
            # a post that may have arrived is never repeated: nobody is told twice
            r = api.request("POST", path, json=body, idempotent=False)
        finally:
            api.close()
        if not 200 <= r.status_code < 300:
            detail = r.describe()
            said = api.clean(r.body[:200].decode("utf-8", "replace")).strip()
            if detail == f"HTTP {r.status_code}" and said and not said.startswith(("{", "<")):
                detail += f": {said[:100]}"  # Slack answers in plain words: no_service, …
            raise SyncFailed(f"the webhook answered {detail}")
        if channel == "slack" and r.body.strip() not in (b"ok", b""):
            raise SyncFailed(
                f"the webhook answered {api.clean(r.body.decode('utf-8', 'replace'))[:300]}"
            )
        return "sent"

    def slack_api_base(self) -> str:
        return check_url(self.env.get(SLACK_API_ENV) or SLACK_API_URL, self.insecure_http)

    def _slack_api(self, token: str, method: str, body: dict[str, Any], idempotent: bool) -> str:
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json; charset=utf-8",
        }
        api = self.api(self.slack_api_base(), headers, [token])
        try:
            r = api.request("POST", f"/{method}", json=body, idempotent=idempotent)
        finally:
            api.close()
        if r.status_code != 200:
            raise SyncFailed(f"{method}: {r.describe()}")
        doc = r.json()
        if not isinstance(doc, dict) or doc.get("ok") is not True:
            error = doc.get("error") if isinstance(doc, dict) else None
            raise SyncFailed(
                f"{method}: Slack refused it: {api.clean(str(error or 'no reason given'))[:200]}"
            )
        return "sent"

    def update_group(self, update: GroupUpdate) -> Result:
        target = f"Slack user group {update.usergroup} (bot token in {update.token_env})"
        title = "who is on call now"
        users = update.users
        if not users:
            return Result(
                target,
                update.audience,
                title,
                "skipped",
                "nobody on call now has a Slack handle, and Slack refuses an empty "
                "user group: it keeps its members until someone is on call",
            )
        extra: list[str] = []
        try:
            token = self.secret(update.token_env, "the Slack bot token")
            extra = [token]
            self._slack_api(
                token,
                "usergroups.users.update",
                {"usergroup": update.usergroup, "users": ",".join(users)},
                idempotent=True,
            )  # the same list twice is the same group
        except (Refused, SyncFailed, UnsafeUrl) as exc:
            return Result(target, update.audience, title, "FAILED", self.clean(str(exc), extra))
        return Result(target, update.audience, title, "ok", f"now holds {', '.join(users)}")

    # --- e-mail ------------------------------------------------------------------------

    def email_for(self, message: Message, to: str) -> Any:
        cfg = self.email
        if cfg is None or not cfg.smtp_host or not cfg.sender:
            raise Refused("settings.notify.email has no smtp_host or from: nothing sent")
        return email_message(message, cfg.sender, to, self.organisation)

    def _email(self, message: Message, to: str) -> str:
        cfg = self.email
        msg = self.email_for(message, to)
        assert cfg is not None and cfg.smtp_host is not None
        user = self.secret(cfg.username_env, "the SMTP user") if cfg.username_env else None
        password = self.secret(cfg.password_env, "the SMTP password") if cfg.password_env else None
        tls = cfg.tls or "starttls"
        if tls == "none" and not _loopback(cfg.smtp_host):
            raise Refused(
                f"tls: none would send to {cfg.smtp_host} in clear: it is allowed only to a "
                "relay on this machine (localhost); use starttls or ssl"
            )
        extra = [s for s in (user, password) if s]
        last = ""
        for attempt in range(RETRIES + 1):
            if attempt:
                wait = min(2.0**attempt, MAX_WAIT)
                if self.left() < wait:
                    break
                self.sleep(wait)
            try:
                self._smtp_once(cfg, tls, user, password, msg)
                return "sent"
            except smtplib.SMTPResponseException as exc:
                text = (
                    exc.smtp_error.decode("utf-8", "replace")
                    if isinstance(exc.smtp_error, bytes)
                    else str(exc.smtp_error)
                )
                last = f"the SMTP server answered {exc.smtp_code} {self.clean(text, extra)[:200]}"
                if not 400 <= exc.smtp_code < 500:  # 5xx: permanent, a retry ends the same
                    raise Refused(last) from None
            except smtplib.SMTPRecipientsRefused as exc:
                codes = sorted({code for code, _ in exc.recipients.values()})
                last = f"the SMTP server refused the recipient (codes {', '.join(map(str, codes))})"
                if not all(400 <= c < 500 for c in codes):
                    raise Refused(last) from None
            except (OSError, smtplib.SMTPException) as exc:
                last = f"SMTP: {type(exc).__name__}: {self.clean(str(exc), extra)[:200]}"
        raise Refused(f"{last} (gave up after {RETRIES + 1} tries)")

    def _smtp_once(
        self, cfg: EmailNotify, tls: str, user: str | None, password: str | None, msg: Any
    ) -> None:
        host, port = cfg.smtp_host or "", cfg.smtp_port
        timeout = max(0.1, min(READ_TIMEOUT, self.left()))
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if tls == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if tls == "starttls":
                smtp.starttls(context=context)
            if user is not None or password is not None:
                smtp.login(user or "", password or "")
            smtp.send_message(msg)
