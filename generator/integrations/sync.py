"""Make a paging tool hold a window's shifts: the only module here that speaks HTTP.

``plan_sync`` (pure) compares what the tool holds with what Rota exports and sorts
every interval into create, delete, unchanged or left alone; ``apply_plan`` then
makes the changes one item at a time and reports each item's outcome, so a failure
(an HTTP error, a rate limit that outlasts the retries) is listed and the rest still
goes through. Nothing is sent without ``--apply``; a second run finds nothing to do.

The tool's server is not trusted. Sync deletes only overrides it can prove it made
for this rotation (Opsgenie: the alias names the team and rotation; PagerDuty: the
override id is recorded in ``rotations/sync.state.json`` when sync creates it) and
only inside the window. Every value from the server that goes into a request path is
one percent-encoded path segment, or refused. Every exchange is bounded: an overall
deadline, a timeout per read, a cap on a reply's size and on pages. A request that
may have changed something (a PagerDuty POST) is never repeated once sent. The token
is redacted from everything printed.

Tools: PagerDuty (overrides on a dedicated schedule, ``GET``/``POST
/schedules/{id}/overrides``, ``DELETE /schedules/{id}/overrides/{override_id}``),
Opsgenie / Jira Service Management (overrides named by a ``rota.`` alias) and GoAlert
(``setTemporarySchedule`` over the window, at most 150 shifts each, which GoAlert
applies exactly).
"""

from __future__ import annotations

import ipaddress
import json
import os
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpcore
import httpx

from generator.errors import printable
from generator.integrations import goalert, opsgenie, pagerduty
from generator.integrations.common import Assignment, BadExport, Doc, ExportRefused, utc

TOKEN_ENV = {
    "pagerduty": "ROTA_PAGERDUTY_TOKEN",
    "opsgenie": "ROTA_OPSGENIE_TOKEN",
}
DEFAULT_URL = {
    "pagerduty": "https://api.pagerduty.com",
    "opsgenie": "https://api.opsgenie.com",
}
RETRIES = 3  # attempts after a 429 or 5xx before an item is reported failed
MAX_WAIT = 30.0  # seconds: the longest Retry-After honoured
BATCH = 50  # PagerDuty overrides per POST
DEFAULT_TIMEOUT = 300.0  # seconds: the whole run, every request and wait included
READ_TIMEOUT = 20.0  # seconds: the longest wait to connect, or for the next bytes
MAX_BYTES = 10 * 1024 * 1024  # the largest reply read
MAX_PAGES = 100  # pages of a paginated list (100 items each)
MAX_DETAIL = 300  # characters of a server's error message printed
STATE_PATH = "rotations/sync.state.json"


class SyncFailed(Exception):
    """The tool could not be read: nothing was planned or changed."""


class UnsafeUrl(ValueError):
    """An ``--api-url`` that would send the token where it must not go."""


class Refused(ValueError):
    """A value from the tool's server that cannot be a path segment: nothing is sent."""


def check_url(url: str, insecure_http: bool = False) -> str:
    """The API address, if the token may be sent there: https, or http to this machine
    with ``--insecure-http`` (a local test server). Raises ``UnsafeUrl``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise UnsafeUrl(f"'{printable(url)}' is not an https:// address")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UnsafeUrl(f"'{printable(url)}': give only scheme, host, port and path")
    if parts.scheme == "http":
        if not insecure_http:
            raise UnsafeUrl(
                f"'{printable(url)}' is not https: the token would travel in clear "
                "(--insecure-http allows http to this machine only, for a local test server)"
            )
        if not _loopback(host):
            raise UnsafeUrl(
                f"'{printable(url)}': --insecure-http allows only this machine "
                "(localhost, 127.0.0.1, ::1)"
            )
    return url.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plausible_id(value: object) -> bool:
    """An id or alias the server may be asked about: a non-empty string of at most 200
    characters, other than '.' and '..', without '/', '\\' or control characters."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= 200
        and value not in (".", "..")
        and not any(ch in "/\\" for ch in value)
        and not any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in value)
    )


def segment(value: object, what: str) -> str:
    """``value`` as ONE percent-encoded path segment, or ``Refused`` if it is no id."""
    if not plausible_id(value):
        shown = "nothing" if value is None else f"'{printable(str(value))[:80]}'"
        raise Refused(f"refused: the tool gave {shown} as the {what}, which is not an id")
    assert isinstance(value, str)
    return quote(value, safe="")


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` on one line, each secret (as sent, or percent-encoded) replaced."""
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), quote(secret)}:
                text = text.replace(form, "[token]")
    return printable(text)


@dataclass(frozen=True)
class Interval:
    """One on-call interval as the tool holds it or should hold it."""

    start_at: datetime
    end_at: datetime
    user: str  # the tool's user id (PagerDuty, GoAlert) or username (Opsgenie)
    label: str  # for people: e-mail or user id
    remote_id: str | None = None  # the tool's id for an existing override
    assignment: Assignment | None = None
    owned: bool = True  # made by sync for this rotation (only such are ever deleted)
    note: str = ""  # why it is left alone

    @property
    def key(self) -> tuple[str, str, str]:
        return (utc(self.start_at), utc(self.end_at), self.user.lower())


@dataclass
class Plan:
    create: list[Interval] = field(default_factory=list)
    delete: list[Interval] = field(default_factory=list)
    unchanged: list[Interval] = field(default_factory=list)
    kept: list[Interval] = field(default_factory=list)  # not ours, or outside the window

    @property
    def changes(self) -> int:
        return len(self.create) + len(self.delete)


@dataclass(frozen=True)
class Outcome:
    action: str  # create | delete | replace
    interval: Interval | None
    ok: bool
    message: str
    window: tuple[datetime, datetime] | None = None  # GoAlert: the part of the window replaced


def plan_sync(
    desired: Sequence[Assignment],
    current: Sequence[Interval],
    start_at: datetime,
    end_at: datetime,
) -> Plan:
    """What to create and delete so the tool holds exactly ``desired``. Pure.

    Only an interval sync made (``owned``) that lies inside the window is ever
    deleted; the window reaches out to the first and last desired shifts, which may
    straddle its edges. Any other that is not wanted is left alone, with the reason."""
    lo = min([start_at, *(a.start_at for a in desired)])
    hi = max([end_at, *(a.end_at for a in desired)])
    want = {
        (utc(a.start_at), utc(a.end_at), a.user.lower()): Interval(
            a.start_at, a.end_at, a.user, a.email, None, a
        )
        for a in desired
    }
    have: dict[tuple[str, str, str], Interval] = {}
    plan = Plan()
    for c in current:
        if not c.owned:
            if c.key in want and c.key not in have:
                have[c.key] = c  # the tool holds it already: nothing to create
            else:
                plan.kept.append(c)
        elif not (lo <= c.start_at and c.end_at <= hi):
            plan.kept.append(
                Interval(
                    c.start_at,
                    c.end_at,
                    c.user,
                    c.label,
                    c.remote_id,
                    None,
                    False,
                    "outside the window",
                )
            )
        elif c.key in have:  # a duplicate in the tool: one is enough
            plan.delete.append(c)
        else:
            have[c.key] = c
    for key in sorted(want):
        (plan.unchanged if key in have else plan.create).append(have.get(key) or want[key])
    plan.delete += [have[k] for k in sorted(have) if k not in want and have[k].owned]
    plan.kept += [have[k] for k in sorted(have) if k not in want and not have[k].owned]
    plan.delete.sort(key=lambda i: i.key)
    plan.kept.sort(key=lambda i: i.key)
    return plan


def plan_lines(
    tool: str, schedule_id: str, key: str, start: datetime, end: datetime, plan: Plan, apply: bool
) -> list[str]:
    """The plan as printed: a header, one line per interval, a summary."""
    lines = [f"{tool} schedule {printable(schedule_id)} ← {key}, {utc(start)} to {utc(end)}:"]
    rows = [("+ create", i) for i in plan.create] + [("- delete", i) for i in plan.delete]
    rows += [("= unchanged", i) for i in plan.unchanged] + [("! left alone", i) for i in plan.kept]
    for label, i in sorted(rows, key=lambda r: (r[1].start_at, r[0])):
        note = f" ({i.note})" if label == "! left alone" and i.note else ""
        lines.append(f"  {label:<11} {interval_text(i)}{note}")
    summary = (
        f"plan: {len(plan.create)} to create, {len(plan.delete)} to delete, "
        f"{len(plan.unchanged)} unchanged"
    )
    if plan.kept:
        summary += f", {len(plan.kept)} left alone"
    if plan.changes and not apply:
        summary += " (nothing changed: run again with --apply)"
    lines.append(summary)
    return [printable(line) for line in lines]


def interval_text(i: Interval) -> str:
    return printable(f"{utc(i.start_at)} to {utc(i.end_at)} {i.label}")


def outcome_line(o: Outcome, start: datetime, end: datetime) -> str:
    start, end = o.window or (start, end)
    what = interval_text(o.interval) if o.interval else f"window {utc(start)}–{utc(end)}"
    return printable(f"{'ok' if o.ok else 'FAILED'}: {o.action} {what}: {o.message}")


# --- what sync made: rotations/sync.state.json -----------------------------------------


class Ledger:
    """The PagerDuty overrides sync created, so it deletes only those.

    ``rotations/sync.state.json`` holds one record per override: the API address,
    schedule, override id, team/rotation, start, end and user. Written by sync, never
    edited by hand; keep it with the rotations (commit it) so later runs can remove
    overrides that earlier runs made."""

    def __init__(self, root: Path, tool: str, api_url: str, schedule_id: str, owner: str):
        self.path = root / STATE_PATH
        self.scope = {"tool": tool, "api": api_url, "schedule": schedule_id}
        self.owner = owner
        self.records: list[dict[str, str]] = []
        if self.path.exists():
            try:
                doc = json.loads(self.path.read_text(encoding="utf-8"))
                records = doc["overrides"]
                if doc.get("version") != 1 or not isinstance(records, list):
                    raise ValueError("unknown version")
                self.records = [
                    {str(k): str(v) for k, v in r.items()} for r in records if isinstance(r, dict)
                ]
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                raise SyncFailed(
                    f"{self.path}: cannot read what sync made ({printable(str(exc))}); "
                    "restore it from version control"
                ) from None

    def _mine(self, r: dict[str, str]) -> bool:
        return all(r.get(k) == v for k, v in self.scope.items()) and r.get("rotation") == self.owner

    def owns(self, remote_id: str | None) -> bool:
        return remote_id is not None and any(
            self._mine(r) and r.get("id") == remote_id for r in self.records
        )

    def add(self, remote_id: str, item: Interval) -> None:
        self.records.append(
            {
                **self.scope,
                "id": remote_id,
                "rotation": self.owner,
                "start": utc(item.start_at),
                "end": utc(item.end_at),
                "user": item.user,
            }
        )

    def forget(self, remote_id: str) -> None:
        self.records = [r for r in self.records if not (self._mine(r) and r["id"] == remote_id)]

    def save(self) -> None:
        order = ("tool", "api", "schedule", "rotation", "start", "id")
        rows = sorted(self.records, key=lambda r: tuple(r.get(k, "") for k in order))
        text = '{"version": 1, "overrides": [\n'
        text += ",\n".join(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)
        text += "\n]}\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".sync.state.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


# --- HTTP ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A whole reply, read within the limits."""

    status_code: int
    headers: httpx.Headers
    body: bytes
    what: str  # "GET /users", for messages
    clean: Callable[[str], str]

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            raise SyncFailed(
                f"{self.what}: HTTP {self.status_code}: the reply is not JSON"
            ) from None

    def describe(self) -> str:
        """``HTTP 400: the server's message``, redacted and cut short."""
        try:
            doc = json.loads(self.body)
        except (ValueError, RecursionError):
            return f"HTTP {self.status_code}"
        detail = ""
        if isinstance(doc, dict):
            err = doc.get("error") or doc.get("message") or doc.get("errors")
            if isinstance(err, dict):
                detail = str(err.get("message") or "")
                if isinstance(err.get("errors"), list) and err["errors"]:
                    detail += f" ({'; '.join(map(str, err['errors']))})"
            elif err:
                detail = str(err)
        detail = self.clean(detail)
        if len(detail) > MAX_DETAIL:
            detail = detail[:MAX_DETAIL] + "…"
        return f"HTTP {self.status_code}" + (f": {detail}" if detail else "")


class _NotSent(Exception):
    """The connection failed: the request never reached the server."""


class _Cut(Exception):
    """The request was sent but its reply was not read whole."""

    def __init__(self, message: str, retry: bool = True):
        super().__init__(message)
        self.retry = retry  # False: a second try would end the same way


MAY_HAVE_CHANGED = (
    "the request reached the tool, which may have made the change, so it was not "
    "repeated: run sync again (without --apply) to see what the tool holds"
)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write waits no longer than the time left."""

    def __init__(self, stream: httpcore.NetworkStream, left: Callable[[], float]):
        self.stream, self.left = stream, left

    def _timeout(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.left()
        if left <= 0:
            raise error("the overall time limit passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        t = self._timeout(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.stream.start_tls(ssl_context, server_hostname, t), self.left)

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sockets, each read bounded by the overall deadline (so neither a
    trickle of headers nor of a body outlasts it)."""

    def __init__(self, backend: httpcore.NetworkBackend, left: Callable[[], float]):
        self.backend, self.left = backend, left

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        left = self.left()
        if left <= 0:
            raise httpcore.ConnectTimeout("the overall time limit passed")
        t = left if timeout is None else min(timeout, left)
        stream = self.backend.connect_tcp(host, port, t, local_address, socket_options)
        return _DeadlineStream(stream, self.left)

    def sleep(self, seconds: float) -> None:
        self.backend.sleep(seconds)


def _bounded_transport(left: Callable[[], float]) -> httpx.HTTPTransport:
    """httpx's own transport, its connections bounded by ``left()`` seconds."""
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _DeadlineBackend(backend, left)  # type: ignore[union-attr]
    return transport


class Api:
    """An HTTP client within limits: an overall deadline, a timeout per read, a cap on
    a reply's size. It retries rate limits, and server errors and lost replies only for
    requests that can be repeated safely (``idempotent``); then it gives up."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        max_bytes: int = MAX_BYTES,
        secrets: Sequence[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ):
        self.sleep, self.clock = sleep, clock
        self.timeout, self.read_timeout, self.max_bytes = timeout, read_timeout, max_bytes
        self.deadline = clock() + timeout
        self.client = httpx.Client(
            base_url=base_url,
            headers=headers,
            transport=transport or _bounded_transport(lambda: self.deadline - self.clock()),
            follow_redirects=False,
        )
        self.secrets = [s for s in secrets if s]

    def clean(self, text: str) -> str:
        """Text fit to print: one line, the token redacted."""
        return redact(text, self.secrets)

    def _late(self, doing: str) -> str:
        return f"gave up: the overall time limit of {self.timeout:g} s (--timeout) passed {doing}"

    def _wait(self, seconds: float, what: str) -> None:
        if self.clock() + seconds > self.deadline:
            raise SyncFailed(f"{what}: {self._late('before the retry')}")
        self.sleep(seconds)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        idempotent: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        what = f"{method} {path}"
        for attempt in range(RETRIES + 1):
            try:
                reply = self._once(method, path, params, json, what, headers)
            except _NotSent as exc:
                if attempt == RETRIES:
                    raise SyncFailed(f"{what}: {exc}") from None
                self._wait(min(2.0**attempt, MAX_WAIT), what)
                continue
            except _Cut as exc:
                if not idempotent:
                    raise SyncFailed(f"{what}: {exc}; {MAY_HAVE_CHANGED}") from None
                if attempt == RETRIES or not exc.retry:
                    raise SyncFailed(f"{what}: {exc}") from None
                self._wait(min(2.0**attempt, MAX_WAIT), what)
                continue
            retry = reply.status_code == 429 or (reply.status_code >= 500 and idempotent)
            if retry and attempt < RETRIES:
                wait = reply.headers.get("Retry-After", "")
                self._wait(min(float(wait) if wait.isdigit() else 2.0**attempt, MAX_WAIT), what)
                continue
            return reply
        raise AssertionError("unreachable")

    def _once(
        self,
        method: str,
        path: str,
        params: Any,
        body: Any,
        what: str,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        left = self.deadline - self.clock()
        if left <= 0:
            raise SyncFailed(f"{what}: {self._late('before this request')}")
        request = self.client.build_request(
            method,
            path,
            params=params,
            json=body,
            headers=headers,
            timeout=min(self.read_timeout, left),
        )
        try:
            response = self.client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _NotSent(self.clean(f"cannot connect: {exc}")) from None
        except httpx.HTTPError as exc:
            if self.clock() >= self.deadline:
                raise _Cut(self._late("while waiting for the reply"), retry=False) from None
            raise _Cut(self.clean(f"no reply: {type(exc).__name__} {exc}".strip())) from None
        try:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > self.max_bytes:
                raise _Cut(
                    f"the reply would be {int(length):,} bytes, over the limit of "
                    f"{self.max_bytes // 1024 // 1024} MB",
                    retry=False,
                )
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > self.max_bytes:
                    raise _Cut(
                        f"the reply is larger than {self.max_bytes // 1024 // 1024} MB; "
                        "stopped reading it",
                        retry=False,
                    )
                if self.clock() > self.deadline:
                    raise _Cut(self._late("while the reply was still arriving"), retry=False)
        except httpx.HTTPError as exc:
            if self.clock() >= self.deadline:
                raise _Cut(self._late("while the reply was still arriving"), retry=False) from None
            raise _Cut(self.clean(f"the reply broke off: {type(exc).__name__} {exc}")) from None
        finally:
            response.close()
        return Reply(response.status_code, response.headers, bytes(data), what, self.clean)

    def close(self) -> None:
        self.client.close()


def _instant(value: object, what: str) -> datetime:
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise SyncFailed(f"{what}: '{printable(str(value))[:80]}' is not a date-time") from None
    if at.tzinfo is None:
        raise SyncFailed(f"{what}: '{printable(str(value))[:80]}' has no UTC offset")
    return at


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise SyncFailed(f"{what}: the reply does not hold a list where one belongs")
    return value


# --- the tools -------------------------------------------------------------------------


class PagerDuty:
    """Overrides on a dedicated schedule; those sync made are recorded in ``ledger``."""

    def __init__(self, api: Api, schedule_id: str, ledger: Ledger | None = None):
        self.api, self.schedule_id, self.ledger = api, schedule_id, ledger
        self.path = f"/schedules/{quote(schedule_id, safe='')}/overrides"

    @staticmethod
    def headers(token: str) -> dict[str, str]:
        return {
            "Authorization": f"Token token={token}",
            "Accept": "application/vnd.pagerduty+json;version=2",
            "Content-Type": "application/json",
        }

    def users(self) -> list[tuple[str, str | None]]:
        """Every user (id, e-mail), page by page, at most ``MAX_PAGES`` pages."""
        found: list[tuple[str, str | None]] = []
        offset = 0
        for _ in range(MAX_PAGES):
            r = self.api.request("GET", "/users", params={"limit": 100, "offset": offset})
            if r.status_code != 200:
                raise SyncFailed(f"GET /users: {r.describe()}")
            doc = r.json()
            try:
                found += pagerduty.users_by_email(Doc(doc, "GET /users"))
            except BadExport as exc:
                raise SyncFailed(
                    self.api.clean(f"GET /users: at {exc.path}: {exc.message}")
                ) from None
            if not _dict(doc).get("more"):
                return found
            offset += len(_dict(doc).get("users") or []) or 100
        raise SyncFailed(f"GET /users: still more after {MAX_PAGES} pages of users; stopped")

    def current(self, start_at: datetime, end_at: datetime) -> list[Interval]:
        what = f"GET {self.path}"
        r = self.api.request(
            "GET",
            self.path,
            params={"since": utc(start_at), "until": utc(end_at), "overflow": "true"},
        )
        if r.status_code != 200:
            raise SyncFailed(f"{what}: {r.describe()}")
        out = []
        for o in _list(_dict(r.json()).get("overrides", []), what):
            o = _dict(o)
            user = _dict(o.get("user"))
            rid = o.get("id")
            rid = rid if isinstance(rid, str) else None
            owned = self.ledger is not None and self.ledger.owns(rid)
            out.append(
                Interval(
                    _instant(o.get("start"), what),
                    _instant(o.get("end"), what),
                    str(user.get("id")),
                    self.api.clean(str(user.get("summary") or user.get("id"))),
                    rid,
                    owned=owned,
                    note="" if owned else f"not made by sync for this rotation (see {STATE_PATH})",
                )
            )
        return out

    def apply(self, plan: Plan) -> list[Outcome]:
        outcomes = []
        try:
            for item in plan.delete:
                outcomes.append(self._delete(item))
            for n in range(0, len(plan.create), BATCH):
                outcomes += self._create(plan.create[n : n + BATCH])
        finally:
            if self.ledger is not None:
                try:
                    self.ledger.save()
                except OSError as exc:
                    why = f"cannot write {self.ledger.path}: {exc.strerror or exc}"
                    outcomes.append(
                        Outcome(
                            "record",
                            None,
                            False,
                            f"{why}; a later sync cannot delete the overrides made now",
                        )
                    )
        return outcomes

    def _delete(self, item: Interval) -> Outcome:
        try:
            path = f"{self.path}/{segment(item.remote_id, 'override id')}"
            r = self.api.request("DELETE", path)
        except Refused as exc:
            return Outcome("delete", item, False, f"{exc}; nothing sent")
        except SyncFailed as exc:
            return Outcome("delete", item, False, str(exc))
        ok = r.status_code in (200, 204)
        if ok and self.ledger is not None and item.remote_id is not None:
            self.ledger.forget(item.remote_id)
        return Outcome("delete", item, ok, "deleted" if ok else r.describe())

    def _create(self, items: list[Interval]) -> list[Outcome]:
        body = pagerduty.override_bodies([i.assignment for i in items if i.assignment])
        try:
            # creating is not idempotent: a POST that may have arrived is never repeated
            r = self.api.request("POST", self.path, json=body, idempotent=False)
        except SyncFailed as exc:
            return [Outcome("create", i, False, str(exc)) for i in items]
        if r.status_code >= 500:
            why = f"{r.describe()}; {MAY_HAVE_CHANGED}"
            return [Outcome("create", i, False, why) for i in items]
        if r.status_code != 201:
            return [Outcome("create", i, False, r.describe()) for i in items]
        # one status per override, in the order sent
        results = r.json()
        results = results if isinstance(results, list) else []
        outcomes = []
        for n, item in enumerate(items):
            got = _dict(results[n]) if n < len(results) else {}
            status = got.get("status")
            if status == 201:
                rid = _dict(got.get("override")).get("id")
                if plausible_id(rid) and self.ledger is not None:
                    assert isinstance(rid, str)
                    self.ledger.add(rid, item)
                    outcomes.append(Outcome("create", item, True, "created"))
                else:
                    outcomes.append(
                        Outcome(
                            "create",
                            item,
                            True,
                            "created, but the tool gave no usable id for it: sync will "
                            "never delete it",
                        )
                    )
            else:
                errors = got.get("errors")
                why = "; ".join(map(str, errors)) if isinstance(errors, list) else ""
                why = self.api.clean(why or "no result returned")[:MAX_DETAIL]
                code = status if isinstance(status, int) else "?"
                outcomes.append(Outcome("create", item, False, f"HTTP {code}: {why}"))
        return outcomes


class Opsgenie:
    """Overrides named by an alias carrying the team and rotation (``rota.T.R.STAMP``)."""

    def __init__(
        self,
        api: Api,
        schedule_id: str,
        rotation_name: str | None,
        team: str = "",
        rotation: str = "",
    ):
        self.api, self.schedule_id, self.rotation_name = api, schedule_id, rotation_name
        self.team, self.rotation = team, rotation
        self.path = f"/v2/schedules/{quote(schedule_id, safe='')}/overrides"

    @staticmethod
    def headers(token: str) -> dict[str, str]:
        return {"Authorization": f"GenieKey {token}", "Content-Type": "application/json"}

    def current(self, start_at: datetime, end_at: datetime) -> list[Interval]:
        what = f"GET {self.path}"
        r = self.api.request("GET", self.path, params={"scheduleIdentifierType": "id"})
        if r.status_code != 200:
            raise SyncFailed(f"{what}: {r.describe()}")
        out = []
        legacy = f"rota-{self.team}-{self.rotation}-"
        for o in _list(_dict(r.json()).get("data", []), what):
            o = _dict(o)
            alias = o.get("alias")
            alias = alias if isinstance(alias, str) else ""
            a = _instant(o.get("startDate"), what)
            b = _instant(o.get("endDate"), what)
            if not (a < end_at and start_at < b):
                continue
            owned = opsgenie.owns_alias(alias, self.team, self.rotation)
            if owned:
                note = ""
            elif alias.startswith(legacy):
                note = "alias of an older rota: delete it by hand if it is not wanted"
            else:
                note = f"not made by sync for this rotation (alias '{self.api.clean(alias)[:80]}')"
            username = self.api.clean(str(_dict(o.get("user")).get("username", "")))
            out.append(Interval(a, b, username, username, alias, owned=owned, note=note))
        return out

    def apply(self, plan: Plan) -> list[Outcome]:
        outcomes = []
        params = {"scheduleIdentifierType": "id"}
        for item in plan.delete:
            try:
                path = f"{self.path}/{segment(item.remote_id, 'override alias')}"
            except Refused as exc:
                outcomes.append(Outcome("delete", item, False, f"{exc}; nothing sent"))
                continue
            outcomes.append(self._one("delete", item, "DELETE", path, params, None))
        for item in plan.create:
            assert item.assignment is not None
            body = opsgenie.override_body(item.assignment, self.rotation_name)
            # the alias makes a repeated create harmless: Opsgenie keeps one per alias
            outcomes.append(self._one("create", item, "POST", self.path, params, body))
        return outcomes

    def _one(
        self, action: str, item: Interval, method: str, path: str, params: Any, body: Any
    ) -> Outcome:
        try:
            r = self.api.request(method, path, params=params, json=body)
        except SyncFailed as exc:
            return Outcome(action, item, False, str(exc))
        ok = r.status_code in (200, 201, 202, 204)
        return Outcome(action, item, ok, f"{action}d" if ok else r.describe())


QUERY_TEMPORARY = (
    "query ($id: ID!) { schedule(id: $id) { temporarySchedules "
    "{ start end shifts { userID start end } } } }"
)


# GoAlert binds an API key to the one query text it was created with ("wrong query for
# API key", apikey/middleware.go): one key per query, each sent only with its own query.
GOALERT_KEYS = {
    "ROTA_GOALERT_READ_KEY": ("reads the schedule's temporary schedules", QUERY_TEMPORARY),
    "ROTA_GOALERT_WRITE_KEY": ("sets a temporary schedule", goalert.MUTATION),
}


class GoAlert:
    """Temporary schedules over the window: GoAlert applies each whole, or not at all.

    ``read_key`` is a GoAlert API key created with ``QUERY_TEMPORARY``, ``write_key``
    one created with ``goalert.MUTATION`` (None: the plan only)."""

    def __init__(
        self,
        api: Api,
        schedule_id: str,
        start_at: datetime,
        end_at: datetime,
        read_key: str,
        write_key: str | None = None,
    ):
        self.api, self.schedule_id = api, schedule_id
        self.start_at, self.end_at = start_at, end_at
        self.read_key, self.write_key = read_key, write_key

    @staticmethod
    def headers(token: str) -> dict[str, str]:
        """Headers every request carries; the key goes with each query (``_graphql``)."""
        return {"Content-Type": "application/json"}

    def _graphql(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        # a query, or a temporary schedule that replaces the window: safe to repeat
        auth = {"Authorization": f"Bearer {key}"}
        r = self.api.request("POST", "/api/graphql", json=body, headers=auth)
        if r.status_code != 200:
            raise SyncFailed(f"POST /api/graphql: {r.describe()}")
        doc = _dict(r.json())
        errors = doc.get("errors")
        if errors:
            found = errors if isinstance(errors, list) else [errors]
            text = "; ".join(str(_dict(e).get("message", e)) for e in found)
            raise SyncFailed(self.api.clean(f"POST /api/graphql: {text}")[:MAX_DETAIL])
        return _dict(doc.get("data"))

    def current(self, start_at: datetime, end_at: datetime) -> list[Interval]:
        what = "POST /api/graphql"
        data = self._graphql(
            {"query": QUERY_TEMPORARY, "variables": {"id": self.schedule_id}}, self.read_key
        )
        out = []
        for ts in _list(_dict(data.get("schedule")).get("temporarySchedules") or [], what):
            for s in _list(_dict(ts).get("shifts") or [], what):
                s = _dict(s)
                a, b = _instant(s.get("start"), what), _instant(s.get("end"), what)
                if a < end_at and start_at < b:
                    a, b = max(a, start_at), min(b, end_at)
                    user = self.api.clean(str(s.get("userID")))
                    out.append(Interval(a, b, user, user))
        return out

    def apply(self, plan: Plan) -> list[Outcome]:
        keep = [i.assignment for i in (*plan.unchanged, *plan.create) if i.assignment]
        outcomes: list[Outcome] = []
        if self.write_key is None:
            why = "no ROTA_GOALERT_WRITE_KEY: nothing was changed"
            return [Outcome("replace", None, False, why, (self.start_at, self.end_at))]
        # at most 150 shifts a temporary schedule: consecutive ones that touch, each
        # replacing only its own part of the window (so each is safe to repeat)
        try:
            found = goalert.batches(keep, self.start_at, self.end_at)
        except ExportRefused as exc:
            return [Outcome("replace", None, False, "; ".join(exc.problems))]
        for start_at, end_at, batch in found:
            body = goalert.temporary_schedule(batch, self.schedule_id, start_at, end_at)
            body["variables"]["input"]["clearStart"] = utc(start_at)
            body["variables"]["input"]["clearEnd"] = utc(end_at)
            window = (start_at, end_at)
            try:
                self._graphql(body, self.write_key)
            except SyncFailed as exc:
                outcomes.append(Outcome("replace", None, False, str(exc), window))
                continue
            done = f"temporary schedule set ({len(batch)} shifts)"
            outcomes.append(Outcome("replace", None, True, done, window))
        return outcomes


def clip(items: Sequence[Assignment], start_at: datetime, end_at: datetime) -> list[Assignment]:
    """GoAlert holds only the window: shifts are cut at its edges (as the export does)."""
    from dataclasses import replace

    return [
        replace(a, start_at=max(a.start_at, start_at), end_at=min(a.end_at, end_at)) for a in items
    ]
