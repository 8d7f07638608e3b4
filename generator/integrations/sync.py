"""Make a paging tool hold a window's shifts: the only module here that speaks HTTP.

``plan_sync`` (pure) compares what the tool holds with what Rota exports and sorts
every interval into create, delete or unchanged; ``apply_plan`` then makes the
changes one item at a time and reports each item's outcome, so a failure (an HTTP
error, a rate limit that outlasts the retries) is listed and the rest still goes
through. Nothing is sent without ``--apply``; a second run finds nothing to do.

Tools: PagerDuty (overrides on a dedicated schedule, ``GET``/``POST
/schedules/{id}/overrides``, ``DELETE /schedules/{id}/overrides/{override_id}``),
Opsgenie / Jira Service Management (overrides named by a ``rota-`` alias) and GoAlert
(one ``setTemporarySchedule`` over the window, which GoAlert applies exactly).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from generator.integrations import goalert, opsgenie, pagerduty
from generator.integrations.common import Assignment, utc

TOKEN_ENV = {
    "pagerduty": "ROTA_PAGERDUTY_TOKEN",
    "opsgenie": "ROTA_OPSGENIE_TOKEN",
    "goalert": "ROTA_GOALERT_TOKEN",
}
DEFAULT_URL = {
    "pagerduty": "https://api.pagerduty.com",
    "opsgenie": "https://api.opsgenie.com",
}
RETRIES = 3  # attempts after a 429 or 5xx before an item is reported failed
MAX_WAIT = 30.0  # seconds: the longest Retry-After honoured
BATCH = 50  # PagerDuty overrides per POST


@dataclass(frozen=True)
class Interval:
    """One on-call interval as the tool holds it or should hold it."""

    start_at: datetime
    end_at: datetime
    user: str  # the tool's user id (PagerDuty, GoAlert) or username (Opsgenie)
    label: str  # for people: e-mail or user id
    remote_id: str | None = None  # the tool's id for an existing override
    assignment: Assignment | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (utc(self.start_at), utc(self.end_at), self.user.lower())


@dataclass
class Plan:
    create: list[Interval] = field(default_factory=list)
    delete: list[Interval] = field(default_factory=list)
    unchanged: list[Interval] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.create) + len(self.delete)


@dataclass(frozen=True)
class Outcome:
    action: str  # create | delete | replace
    interval: Interval | None
    ok: bool
    message: str


class SyncFailed(Exception):
    """The tool could not be read: nothing was planned or changed."""


def plan_sync(desired: Sequence[Assignment], current: Sequence[Interval]) -> Plan:
    """What to create and delete so the tool holds exactly ``desired``. Pure."""
    want = {
        (utc(a.start_at), utc(a.end_at), a.user.lower()): Interval(
            a.start_at, a.end_at, a.user, a.email, None, a
        )
        for a in desired
    }
    have: dict[tuple[str, str, str], Interval] = {}
    plan = Plan()
    for c in current:
        if c.key in have:  # a duplicate in the tool: one is enough
            plan.delete.append(c)
        else:
            have[c.key] = c
    for key in sorted(want):
        (plan.unchanged if key in have else plan.create).append(have.get(key) or want[key])
    plan.delete += [have[k] for k in sorted(have) if k not in want]
    plan.delete.sort(key=lambda i: i.key)
    return plan


# --- HTTP ------------------------------------------------------------------------------


def _describe(response: httpx.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    detail = ""
    if isinstance(doc, dict):
        err = doc.get("error") or doc.get("message") or doc.get("errors")
        if isinstance(err, dict):
            detail = str(err.get("message") or "")
            if err.get("errors"):
                detail += f" ({'; '.join(map(str, err['errors']))})"
        elif err:
            detail = str(err)
    return f"HTTP {response.status_code}" + (f": {detail}" if detail else "")


class Api:
    """An HTTP client that retries rate limits and server errors, then gives up."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.client = httpx.Client(
            base_url=base_url, headers=headers, timeout=30.0, transport=transport
        )
        self.sleep = sleep

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(RETRIES + 1):
            try:
                response = self.client.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                if attempt == RETRIES:
                    raise SyncFailed(f"{method} {path}: {exc}") from None
                self.sleep(min(2.0**attempt, MAX_WAIT))
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == RETRIES:
                    return response
                wait = response.headers.get("Retry-After", "")
                self.sleep(min(float(wait) if wait.isdigit() else 2.0**attempt, MAX_WAIT))
                continue
            return response
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.client.close()


class PagerDuty:
    def __init__(self, api: Api, schedule_id: str):
        self.api, self.schedule_id = api, schedule_id

    @staticmethod
    def headers(token: str) -> dict[str, str]:
        return {
            "Authorization": f"Token token={token}",
            "Accept": "application/vnd.pagerduty+json;version=2",
            "Content-Type": "application/json",
        }

    def users(self) -> list[tuple[str, str | None]]:
        """Every user (id, e-mail), page by page."""
        from generator.integrations.common import Doc

        found: list[tuple[str, str | None]] = []
        offset = 0
        while True:
            r = self.api.request("GET", "/users", params={"limit": 100, "offset": offset})
            if r.status_code != 200:
                raise SyncFailed(f"GET /users: {_describe(r)}")
            doc = r.json()
            found += pagerduty.users_by_email(Doc(doc, "GET /users"))
            if not doc.get("more"):
                return found
            offset += len(doc.get("users") or []) or 100

    def current(self, start_at: datetime, end_at: datetime) -> list[Interval]:
        path = f"/schedules/{self.schedule_id}/overrides"
        r = self.api.request(
            "GET", path, params={"since": utc(start_at), "until": utc(end_at), "overflow": "true"}
        )
        if r.status_code != 200:
            raise SyncFailed(f"GET {path}: {_describe(r)}")
        out = []
        for o in r.json().get("overrides", []):
            user = o.get("user") or {}
            out.append(
                Interval(
                    datetime.fromisoformat(o["start"].replace("Z", "+00:00")),
                    datetime.fromisoformat(o["end"].replace("Z", "+00:00")),
                    str(user.get("id")),
                    str(user.get("summary") or user.get("id")),
                    str(o.get("id")),
                )
            )
        return out

    def apply(self, plan: Plan) -> list[Outcome]:
        outcomes = []
        for item in plan.delete:
            path = f"/schedules/{self.schedule_id}/overrides/{item.remote_id}"
            try:
                r = self.api.request("DELETE", path)
            except SyncFailed as exc:
                outcomes.append(Outcome("delete", item, False, str(exc)))
                continue
            ok = r.status_code in (200, 204)
            outcomes.append(Outcome("delete", item, ok, "deleted" if ok else _describe(r)))
        for n in range(0, len(plan.create), BATCH):
            outcomes += self._create(plan.create[n : n + BATCH])
        return outcomes

    def _create(self, items: list[Interval]) -> list[Outcome]:
        body = pagerduty.override_bodies([i.assignment for i in items if i.assignment])
        path = f"/schedules/{self.schedule_id}/overrides"
        try:
            r = self.api.request("POST", path, json=body)
        except SyncFailed as exc:
            return [Outcome("create", i, False, str(exc)) for i in items]
        if r.status_code != 201:
            return [Outcome("create", i, False, _describe(r)) for i in items]
        # one status per override, in the order sent
        results = r.json() if isinstance(r.json(), list) else []
        outcomes = []
        for n, item in enumerate(items):
            got = results[n] if n < len(results) else {}
            status = int(got.get("status", 0) or 0)
            if status == 201:
                outcomes.append(Outcome("create", item, True, "created"))
            else:
                why = "; ".join(got.get("errors") or []) or "no result returned"
                outcomes.append(Outcome("create", item, False, f"HTTP {status}: {why}"))
        return outcomes


class Opsgenie:
    def __init__(self, api: Api, schedule_id: str, rotation_name: str | None):
        self.api, self.schedule_id, self.rotation_name = api, schedule_id, rotation_name

    @staticmethod
    def headers(token: str) -> dict[str, str]:
        return {"Authorization": f"GenieKey {token}", "Content-Type": "application/json"}

    def current(self, start_at: datetime, end_at: datetime) -> list[Interval]:
        path = f"/v2/schedules/{self.schedule_id}/overrides"
        r = self.api.request("GET", path, params={"scheduleIdentifierType": "id"})
        if r.status_code != 200:
            raise SyncFailed(f"GET {path}: {_describe(r)}")
        out = []
        for o in r.json().get("data", []):
            alias = str(o.get("alias", ""))
            if not alias.startswith("rota-"):
                continue  # made by hand in Opsgenie: never touched
            a = datetime.fromisoformat(o["startDate"].replace("Z", "+00:00"))
            b = datetime.fromisoformat(o["endDate"].replace("Z", "+00:00"))
            if a < end_at and start_at < b:
                username = str((o.get("user") or {}).get("username", ""))
                out.append(Interval(a, b, username, username, alias))
        return out

    def apply(self, plan: Plan) -> list[Outcome]:
        outcomes = []
        params = {"scheduleIdentifierType": "id"}
        for item in plan.delete:
            path = f"/v2/schedules/{self.schedule_id}/overrides/{item.remote_id}"
            outcomes.append(self._one("delete", item, "DELETE", path, params, None))
        for item in plan.create:
            assert item.assignment is not None
            path = f"/v2/schedules/{self.schedule_id}/overrides"
            body = opsgenie.override_body(item.assignment, self.rotation_name)
            outcomes.append(self._one("create", item, "POST", path, params, body))
        return outcomes

    def _one(
        self, action: str, item: Interval, method: str, path: str, params: Any, body: Any
    ) -> Outcome:
        try:
            r = self.api.request(method, path, params=params, json=body)
        except SyncFailed as exc:
            return Outcome(action, item, False, str(exc))
        ok = r.status_code in (200, 201, 202, 204)
        return Outcome(action, item, ok, f"{action}d" if ok else _describe(r))


QUERY_TEMPORARY = (
    "query ($id: ID!) { schedule(id: $id) { temporarySchedules "
    "{ start end shifts { userID start end } } } }"
)


class GoAlert:
    """One temporary schedule over the window: GoAlert applies it whole, or not at all."""

    def __init__(self, api: Api, schedule_id: str, start_at: datetime, end_at: datetime):
        self.api, self.schedule_id = api, schedule_id
        self.start_at, self.end_at = start_at, end_at

    @staticmethod
    def headers(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def _graphql(self, body: dict[str, Any]) -> dict[str, Any]:
        r = self.api.request("POST", "/api/graphql", json=body)
        if r.status_code != 200:
            raise SyncFailed(f"POST /api/graphql: {_describe(r)}")
        doc = r.json()
        if doc.get("errors"):
            raise SyncFailed("; ".join(str(e.get("message", e)) for e in doc["errors"]))
        return dict(doc.get("data") or {})

    def current(self, start_at: datetime, end_at: datetime) -> list[Interval]:
        data = self._graphql({"query": QUERY_TEMPORARY, "variables": {"id": self.schedule_id}})
        out = []
        for ts in (data.get("schedule") or {}).get("temporarySchedules") or []:
            for s in ts.get("shifts") or []:
                a = datetime.fromisoformat(s["start"].replace("Z", "+00:00"))
                b = datetime.fromisoformat(s["end"].replace("Z", "+00:00"))
                if a < end_at and start_at < b:
                    a, b = max(a, start_at), min(b, end_at)
                    out.append(Interval(a, b, str(s["userID"]), str(s["userID"])))
        return out

    def apply(self, plan: Plan) -> list[Outcome]:
        keep = [i.assignment for i in (*plan.unchanged, *plan.create) if i.assignment]
        body = goalert.temporary_schedule(
            sorted(keep, key=lambda a: a.start_at), self.schedule_id, self.start_at, self.end_at
        )
        body["variables"]["input"]["clearStart"] = utc(self.start_at)
        body["variables"]["input"]["clearEnd"] = utc(self.end_at)
        try:
            self._graphql(body)
        except SyncFailed as exc:
            return [Outcome("replace", None, False, str(exc))]
        return [Outcome("replace", None, True, f"temporary schedule set ({len(keep)} shifts)")]


def clip(items: Sequence[Assignment], start_at: datetime, end_at: datetime) -> list[Assignment]:
    """GoAlert holds only the window: shifts are cut at its edges (as the export does)."""
    from dataclasses import replace

    return [
        replace(a, start_at=max(a.start_at, start_at), end_at=min(a.end_at, end_at)) for a in items
    ]
