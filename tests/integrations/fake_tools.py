"""A local stand-in for the paging tools' documented endpoints, on 127.0.0.1.

It keeps overrides in memory, checks the token, and checks every request body:
PagerDuty's against the override schema vendored from its OpenAPI document,
Opsgenie's and GoAlert's against the fields their API documentation requires.
A body that fails the check is answered 400 and recorded in ``violations``.

It can also play a hostile server (the knobs below ``# hostile``): ids and aliases
that are paths, other rotations' overrides, overrides outside the window, pages
without end, a reply that trickles or never ends, a server error after a POST, and
the token echoed back. Every such loop is bounded in count and time and stops by
itself, whatever the client does. ``sent`` records every request line as received.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import jsonschema

HERE = Path(__file__).parent
PD_SCHEMA = json.loads((HERE / "schemas" / "pagerduty-create-overrides.json").read_text())
TOKEN = "test-token-not-secret"
# GoAlert API keys: each is bound to the first query text it is used with, as a GoAlert
# key is bound to the query it was created with (apikey/middleware.go)
GOALERT_READ_KEY = "goalert-read-key-not-secret"
GOALERT_WRITE_KEY = "goalert-write-key-not-secret"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakeTools:
    def __init__(self) -> None:
        self.overrides: dict[str, dict[str, Any]] = {}  # PagerDuty, by id
        self.opsgenie: dict[str, dict[str, Any]] = {}  # by alias
        self.temporary: list[dict[str, Any]] = []  # GoAlert temporary schedules
        self.goalert_keys: dict[str, str] = {}  # key → the query text it is bound to
        self.graphql: list[tuple[str, str]] = []  # (key, query text) of every GraphQL POST
        self.requests: list[tuple[str, str]] = []
        self.violations: list[str] = []
        self.reject_user: str | None = None  # PagerDuty answers 400 for this user's items
        self.rate_limit_next_post = 0  # answer this many POSTs with 429 first
        self.users = json.loads((HERE / "fixtures" / "pagerduty-v2" / "users.json").read_text())
        self._ids = itertools.count(1)
        self.url = ""
        self.sent: list[str] = []  # "METHOD target" exactly as received, query included
        # hostile
        self.listed: list[Any] = []  # PagerDuty: raw overrides added to every GET reply
        self.created_id: Any = None  # PagerDuty: the id answered for each created override
        self.endless_users = False  # GET /users always says more (at most 300 pages)
        self.slow: str | None = None  # this path's reply trickles, a byte per 50 ms (≤ 10 s)
        self.slow_headers = False  # ... and it is the headers that trickle, not the body
        self.huge: str | None = None  # this path's reply is 30 MB of JSON
        self.echo_token = False  # errors and user names repeat the token sent
        self.fail_next_post = 0  # answer this many POSTs 502 after making the overrides
        self.streamed = 0  # bytes of a slow or huge reply written before the client left

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET" and "graphql" not in r[1]]

    def seed_pagerduty(self, start: str, end: str, user: str) -> str:
        oid = f"Q{next(self._ids):05d}"
        self.overrides[oid] = {"id": oid, "start": start, "end": end, "user": {"id": user}}
        return oid

    # --- handlers --------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str):
        self.requests.append((method, path))
        if parts_are_graphql(path) and method == "POST":
            return self._goalert_keyed(body, auth)
        if auth not in (f"Token token={TOKEN}", f"GenieKey {TOKEN}", f"Bearer {TOKEN}"):
            if self.echo_token:
                return 401, {"error": {"message": f"Unauthorized: '{auth}' is not valid"}}
            return 401, {"error": {"message": "Unauthorized", "code": 2006}}
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts == ["users"] and method == "GET":
            return self._users(query)
        if parts[:1] == ["schedules"] and parts[2:3] == ["overrides"]:
            return self._pagerduty(method, parts, query, body)
        if parts[:2] == ["v2", "schedules"] and parts[3:4] == ["overrides"]:
            return self._opsgenie(method, parts, body)
        return 404, {"error": {"message": "Not Found"}}

    def _users(self, query: dict[str, list[str]]):
        # two pages of at most three, as PagerDuty's offset pagination returns them
        offset = int(query.get("offset", ["0"])[0])
        users = self.users["users"]
        if self.endless_users:
            more = len(self.requests) < 300
            return 200, {"users": users[:3], "limit": 3, "offset": offset, "more": more}
        page = users[offset : offset + 3]
        if self.echo_token:  # and the last user's e-mail is the token
            page = [{**u, "summary": f"{u['name']} {TOKEN}"} for u in page]
            if offset + 3 >= len(users):
                page[-1] = {**page[-1], "email": TOKEN}
        return 200, {"users": page, "limit": 3, "offset": offset, "more": offset + 3 < len(users)}

    def _pagerduty(self, method: str, parts: list[str], query: dict[str, list[str]], body: Any):
        if method == "GET":
            since, until = _at(query["since"][0]), _at(query["until"][0])
            found = [
                o
                for o in self.overrides.values()
                if _at(o["start"]) < until and since < _at(o["end"])
            ]
            if self.echo_token:
                found = [{**o, "user": {**o["user"], "summary": f"x {TOKEN}"}} for o in found]
            return 200, {"overrides": sorted(found, key=lambda o: o["start"]) + self.listed}
        if method == "DELETE" and len(parts) == 4:
            if self.overrides.pop(parts[3], None) is None:
                return 404, {"error": {"message": "Not Found"}}
            return 204, None
        if method == "POST":
            if self.rate_limit_next_post:
                self.rate_limit_next_post -= 1
                return 429, {"error": {"message": "Rate Limit Exceeded", "code": 2020}}
            try:
                jsonschema.validate(body, PD_SCHEMA)
                assert body["overrides"], "no overrides"
            except (jsonschema.ValidationError, AssertionError, KeyError, TypeError) as exc:
                self.violations.append(str(exc).splitlines()[0])
                return 400, {"error": {"message": "Invalid Input Provided", "code": 2001}}
            results = []
            for o in body["overrides"]:
                if o["user"]["id"] == self.reject_user:
                    results.append(
                        {"status": 400, "errors": ["User cannot be on call"], "override": o}
                    )
                    continue
                oid = f"Q{next(self._ids):05d}"
                stored = {"id": oid, "start": o["start"], "end": o["end"], "user": o["user"]}
                self.overrides[oid] = stored
                shown = {**stored, "id": self.created_id} if self.created_id else stored
                results.append({"status": 201, "override": shown})
            if self.fail_next_post:
                self.fail_next_post -= 1
                return 502, {"error": {"message": "Bad Gateway"}}
            if self.echo_token:
                return 400, {"error": {"message": f"token {TOKEN} may not do this"}}
            return 201, results
        return 405, {"error": {"message": "Method Not Allowed"}}

    def _opsgenie(self, method: str, parts: list[str], body: Any):
        if method == "GET":
            return 200, {"data": list(self.opsgenie.values()), "took": 0.01, "requestId": "x"}
        if method == "DELETE" and len(parts) == 5:
            if self.opsgenie.pop(parts[4], None) is None:
                return 404, {"message": "Override not found", "took": 0.01}
            return 200, {"result": "Deleted", "took": 0.01, "requestId": "x"}
        if method == "POST":
            # Create Schedule Override: user, startDate, endDate mandatory; alias optional
            problems = [k for k in ("user", "startDate", "endDate") if k not in body]
            user = body.get("user") or {}
            if user.get("type") not in ("user", "team", "escalation") or not user.get("username"):
                problems.append("user must be {type: user, username}")
            if problems:
                self.violations.append(f"opsgenie override body: {problems}")
                return 422, {"message": f"Invalid request: {problems}", "took": 0.01}
            self.opsgenie[body["alias"]] = body
            return 201, {"result": "Created", "data": {"alias": body["alias"]}, "took": 0.01}
        return 405, {"message": "Method Not Allowed"}

    def _goalert_keyed(self, body: Any, auth: str):
        """GoAlert's API-key check: a known key, and the query text it is bound to (a key
        used with a second text is refused as GoAlert refuses it)."""
        key = auth.removeprefix("Bearer ")
        if key not in (GOALERT_READ_KEY, GOALERT_WRITE_KEY):
            return 401, {"errors": [{"message": "unauthorized"}]}
        query = (body or {}).get("query") or self.goalert_keys.get(key, "")
        self.graphql.append((key, query))
        if self.goalert_keys.setdefault(key, query) != query:
            message = "wrong query for API key"
            self.violations.append(f"goalert: {message}")
            return 200, {"errors": [{"message": message, "extensions": {"code": "invalid_query"}}]}
        return self._goalert(body)

    def _goalert(self, body: Any):
        query = body.get("query", "")
        if "temporarySchedules" in query:
            return 200, {"data": {"schedule": {"temporarySchedules": self.temporary}}}
        if "setTemporarySchedule" in query:
            inp = body["variables"]["input"]
            # SetTemporaryScheduleInput: scheduleID, start, end, shifts[{userID, start, end}]
            problems = [k for k in ("scheduleID", "start", "end", "shifts") if k not in inp]
            if len(inp.get("shifts", [])) > 150:  # GoAlert's FixedShiftsPerTemporaryScheduleLimit
                problems.append("Shifts: too many shifts defined")
            for s in inp.get("shifts", []):
                if set(s) != {"userID", "start", "end"}:
                    problems.append(f"shift {s}")
                elif not (_at(inp["start"]) <= _at(s["start"]) < _at(s["end"]) <= _at(inp["end"])):
                    problems.append(f"shift outside the window {s}")
            if problems:
                self.violations.append(f"goalert input: {problems}")
                return 200, {"errors": [{"message": f"invalid input: {problems}"}]}
            clear_a, clear_b = _at(inp["clearStart"]), _at(inp["clearEnd"])
            self.temporary = [
                t
                for t in self.temporary
                if not (_at(t["start"]) < clear_b and clear_a < _at(t["end"]))
            ]
            self.temporary.append(
                {"start": inp["start"], "end": inp["end"], "shifts": inp["shifts"]}
            )
            self.requests.append(("MUTATION", "setTemporarySchedule"))
            return 200, {"data": {"setTemporarySchedule": True}}
        return 200, {"errors": [{"message": "unknown query"}]}


def parts_are_graphql(path: str) -> bool:
    return path.strip("/") == "api/graphql"


@contextmanager
def serve() -> Iterator[FakeTools]:
    tools = FakeTools()

    class Handler(BaseHTTPRequestHandler):
        def _do(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = None
            tools.sent.append(f"{self.command} {self.path}")
            if url.path == tools.slow and tools.slow_headers:
                self._trickle_headers()
                return
            if url.path in (tools.slow, tools.huge):
                self._stream(url.path == tools.slow)
                return
            status, doc = tools.handle(
                self.command,
                url.path,
                parse_qs(url.query),
                body,
                self.headers.get("Authorization", ""),
            )
            data = b"" if doc is None else json.dumps(doc).encode()
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, slow: bool) -> None:
            """A JSON reply that trickles (200 bytes, one per 50 ms) or is 30 MB long,
            until it is whole or the client has gone."""
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if slow:
                self.send_header("Content-Length", "200")
            self.end_headers()
            start, pad = b'{"overrides": [], "pad": "', b'"}'
            if slow:
                chunks = [start, *(b"x" for _ in range(200 - len(start) - len(pad))), pad]
            else:
                chunks = [start, *(b"x" * 65536 for _ in range(480)), pad]  # 30 MB
            try:
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    tools.streamed += len(chunk)
                    if slow:
                        time.sleep(0.05)
            except OSError:
                pass  # the client has gone

        def _trickle_headers(self) -> None:
            """A status line, then a header a byte per 50 ms (200 bytes), then the rest."""
            try:
                self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Pad: ")
                for _ in range(200):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    tools.streamed += 1
                    time.sleep(0.05)
                self.wfile.write(b'\r\nContent-Length: 17\r\n\r\n{"overrides": []}')
            except OSError:
                pass  # the client has gone

        do_GET = do_POST = do_DELETE = _do

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tools.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tools
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
