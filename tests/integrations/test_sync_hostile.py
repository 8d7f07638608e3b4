"""`rota sync` against a hostile server: it sends only the requests it should.

The server (tests/integrations/fake_tools.py) answers with ids and aliases that are
paths, other rotations' overrides, overrides outside the window, pages without end,
a reply that trickles or never ends, a 502 after a POST, and the token echoed back.
Each test lists every request the server received.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from tests.integrations.fake_tools import TOKEN, FakeTools
from tests.integrations.test_sync import (
    ALICE,
    CAROL,
    WINDOW,
    held,
    swap_alice_for_bob,
    sync,
)

FIXTURES = Path(__file__).parent / "fixtures"
USERS = ["GET /users?limit=100&offset=0", "GET /users?limit=100&offset=3"]
OVERRIDES = (
    "/schedules/PSYNC01/overrides?since=2026-03-02T14%3A00%3A00Z&until=2026-03-16T13%3A00%3A00Z"
    "&overflow=true"
)
IN_WINDOW = {"start": "2026-03-05T00:00:00Z", "end": "2026-03-06T00:00:00Z"}


def override(oid: object, **times: str) -> dict[str, object]:
    o: dict[str, object] = {**IN_WINDOW, **times, "user": {"id": "PB2C3D4"}}
    if oid is not None:
        o["id"] = oid
    return o


def test_pagerduty_deletes_nothing_it_did_not_make(org: Path, tools: FakeTools) -> None:
    tools.listed = [
        override("../../../users/PADMIN"),
        override("X?delete_all=true"),
        override(None),
        override("Q-OLD", start="2025-01-01T00:00:00Z", end="2025-01-08T00:00:00Z"),
    ]
    result = sync(org, tools, "--apply")
    assert tools.sent == [*USERS, f"GET {OVERRIDES}", "POST /schedules/PSYNC01/overrides"]
    assert "plan: 2 to create, 0 to delete, 0 unchanged, 4 left alone" in result.stdout
    assert (
        "  ! left alone 2025-01-01T00:00:00Z to 2025-01-08T00:00:00Z bob.marsh@example.com "
        "(not made by sync for this rotation (see rotations/sync.state.json))"
    ) in result.stdout.splitlines()


def record(org: Path, *ids: str, rotation: str = "checkout/primary") -> None:
    """What an earlier sync made, as it recorded it (against the server at tools.url)."""
    url = json.loads((org / "url").read_text())
    rows = [
        {"tool": "pagerduty", "api": url, "schedule": "PSYNC01", "rotation": rotation, "id": i}
        | IN_WINDOW
        | {"user": "PB2C3D4"}
        for i in ids
    ]
    (org / "rotations" / "sync.state.json").write_text(
        json.dumps({"version": 1, "overrides": rows})
    )


def test_a_server_id_is_one_path_segment_or_refused(org: Path, tools: FakeTools) -> None:
    (org / "url").write_text(json.dumps(tools.url))
    record(org, "../../../users/PADMIN", "X?delete_all=true", "..", "Q\nX")
    tools.listed = [
        override("../../../users/PADMIN"),
        override("X?delete_all=true"),
        override(".."),
        override("Q\nX"),
    ]
    result = sync(org, tools, "--apply", code=1)
    assert tools.sent == [
        *USERS,
        f"GET {OVERRIDES}",
        "DELETE /schedules/PSYNC01/overrides/X%3Fdelete_all%3Dtrue",
        "POST /schedules/PSYNC01/overrides",
    ]
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    held = "FAILED: delete 2026-03-05T00:00:00Z to 2026-03-06T00:00:00Z bob.marsh@example.com"
    assert failed == [
        f"{held}: HTTP 404: Not Found",  # sent as one segment: the server has no such id
        *(
            f"{held}: refused: the tool gave '{bad}' as the override id, which is not an id; "
            "nothing sent"
            for bad in ("..", "Q\\nX", "../../../users/PADMIN")
        ),
    ]


def test_another_rotations_record_does_not_make_an_override_ours(
    org: Path, tools: FakeTools
) -> None:
    (org / "url").write_text(json.dumps(tools.url))
    record(org, "Q-OTHER", rotation="checkout/secondary")
    tools.listed = [override("Q-OTHER")]
    result = sync(org, tools, "--apply")
    assert [r for r in tools.sent if r.startswith("DELETE")] == []
    assert "0 to delete" in result.stdout


def test_an_override_sync_made_outside_the_window_is_left_alone(
    org: Path, tools: FakeTools
) -> None:
    (org / "url").write_text(json.dumps(tools.url))
    record(org, "Q-OLD")  # made by an earlier sync, listed although outside the window
    tools.listed = [override("Q-OLD", start="2025-01-01T00:00:00Z", end="2025-01-08T00:00:00Z")]
    result = sync(org, tools, "--apply")
    assert [r for r in tools.sent if r.startswith("DELETE")] == []
    assert (
        "  ! left alone 2025-01-01T00:00:00Z to 2025-01-08T00:00:00Z bob.marsh@example.com "
        "(outside the window)"
    ) in result.stdout.splitlines()


def test_a_state_file_that_cannot_be_written_is_reported(org: Path, tools: FakeTools) -> None:
    (org / "rotations" / "sync.state.json").mkdir()  # a directory: not a file to write
    result = sync(org, tools, "--apply", code=1)
    assert result.stderr.startswith("rota: error: pagerduty: ")
    assert "rotations/sync.state.json: cannot read what sync made" in result.stderr
    assert tools.writes == []


def test_an_id_the_server_gives_for_a_new_override_is_checked(org: Path, tools: FakeTools) -> None:
    tools.created_id = "../../../users/PADMIN"
    result = sync(org, tools, "--apply")
    assert (
        "ok: create 2026-03-02T14:00:00Z to 2026-03-09T13:00:00Z Carol.Diaz@Example.com: "
        "created, but the tool gave no usable id for it: sync will never delete it"
    ) in result.stdout.splitlines()
    state = json.loads((org / "rotations" / "sync.state.json").read_text())
    assert state == {"version": 1, "overrides": []}


def test_what_sync_makes_is_recorded_and_only_that_is_deleted(org: Path, tools: FakeTools) -> None:
    sync(org, tools, "--apply")
    state = json.loads((org / "rotations" / "sync.state.json").read_text())
    assert [(r["id"], r["rotation"], r["start"]) for r in state["overrides"]] == [
        ("Q00001", "checkout/primary", "2026-03-02T14:00:00Z"),
        ("Q00002", "checkout/primary", "2026-03-09T13:00:00Z"),
    ]
    swap_alice_for_bob(org)
    tools.sent.clear()
    sync(org, tools, "--apply")
    assert tools.sent == [
        *USERS,
        f"GET {OVERRIDES}",
        "DELETE /schedules/PSYNC01/overrides/Q00002",
        "POST /schedules/PSYNC01/overrides",
    ]
    state = json.loads((org / "rotations" / "sync.state.json").read_text())
    assert [r["id"] for r in state["overrides"]] == ["Q00001", "Q00003"]


def test_opsgenie_deletes_only_its_own_rotations_aliases_inside_the_window(
    org: Path, tools: FakeTools
) -> None:
    def put(alias: str, start: str, end: str) -> None:
        user = {"type": "user", "username": "bob.marsh@example.com"}
        tools.opsgenie[alias] = {"alias": alias, "user": user, "startDate": start, "endDate": end}

    put("rota-x/../../../../teams/TEAM1", "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z")
    put("rota.checkout.secondary.20260304T000000Z", "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z")
    put("rota-checkout-primary-20260305T000000Z", "2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z")
    put("rota.checkout.primary.20260302T100000Z", "2026-03-02T10:00:00Z", "2026-03-03T00:00:00Z")
    put("rota.checkout.primary.20260306T000000Z", "2026-03-06T00:00:00Z", "2026-03-07T00:00:00Z")
    result = sync(org, tools, "--apply", tool="opsgenie")
    base = "/v2/schedules/PSYNC01/overrides"
    assert tools.sent == [
        f"GET {base}?scheduleIdentifierType=id",
        f"DELETE {base}/rota.checkout.primary.20260306T000000Z?scheduleIdentifierType=id",
        f"POST {base}?scheduleIdentifierType=id",
        f"POST {base}?scheduleIdentifierType=id",
    ]
    assert "plan: 2 to create, 1 to delete, 0 unchanged, 4 left alone" in result.stdout
    lines = result.stdout.splitlines()
    assert (
        "  ! left alone 2026-03-02T10:00:00Z to 2026-03-03T00:00:00Z bob.marsh@example.com "
        "(outside the window)"
    ) in lines
    assert (
        "  ! left alone 2026-03-05T00:00:00Z to 2026-03-06T00:00:00Z bob.marsh@example.com "
        "(alias of an older rota: delete it by hand if it is not wanted)"
    ) in lines


def test_endless_pages_stop_at_the_page_limit(org: Path, tools: FakeTools) -> None:
    tools.endless_users = True
    result = sync(org, tools, code=1)
    assert len(tools.sent) == 100 and all(r.startswith("GET /users?") for r in tools.sent)
    assert (
        "rota: error: pagerduty: GET /users: still more after 100 pages of users; stopped; "
        "nothing was changed by this step"
    ) in result.stderr


def test_a_trickling_reply_ends_at_the_overall_time_limit(org: Path, tools: FakeTools) -> None:
    tools.slow = "/schedules/PSYNC01/overrides"
    result = sync(org, tools, "--apply", "--timeout", "1", code=1)
    assert tools.sent == [*USERS, f"GET {OVERRIDES}"]
    assert (
        "rota: error: pagerduty: GET /schedules/PSYNC01/overrides: gave up: the overall time "
        "limit of 1 s (--timeout) passed while the reply was still arriving; nothing was "
        "changed by this step"
    ) in result.stderr
    assert tools.streamed < 200  # the client left before the reply was whole


def test_trickling_headers_end_at_the_overall_time_limit(org: Path, tools: FakeTools) -> None:
    tools.slow, tools.slow_headers = "/schedules/PSYNC01/overrides", True
    result = sync(org, tools, "--apply", "--timeout", "1", code=1)
    assert tools.sent == [*USERS, f"GET {OVERRIDES}"]
    assert (
        "rota: error: pagerduty: GET /schedules/PSYNC01/overrides: gave up: the overall time "
        "limit of 1 s (--timeout) passed while waiting for the reply; nothing was changed by "
        "this step"
    ) in result.stderr
    assert tools.streamed < 200  # the client left before the headers were whole


def test_a_huge_reply_is_not_read_past_the_size_limit(org: Path, tools: FakeTools) -> None:
    tools.huge = "/schedules/PSYNC01/overrides"
    result = sync(org, tools, "--apply", code=1)
    assert tools.sent == [*USERS, f"GET {OVERRIDES}"]  # never asked again
    assert (
        "GET /schedules/PSYNC01/overrides: the reply is larger than 10 MB; stopped reading it"
    ) in result.stderr
    assert tools.streamed < 30 * 1024 * 1024


def test_a_post_that_may_have_arrived_is_never_repeated(org: Path, tools: FakeTools) -> None:
    tools.fail_next_post = 1  # the server made the overrides, then answered 502
    result = sync(org, tools, "--apply", code=1)
    assert [r for r in tools.sent if r.startswith("POST")] == ["POST /schedules/PSYNC01/overrides"]
    assert (
        "FAILED: create 2026-03-02T14:00:00Z to 2026-03-09T13:00:00Z Carol.Diaz@Example.com: "
        "HTTP 502: Bad Gateway; the request reached the tool, which may have made the change, "
        "so it was not repeated: run sync again (without --apply) to see what the tool holds"
    ) in result.stderr
    assert held(tools) == [CAROL, ALICE]  # once each, no duplicates
    again = sync(org, tools)
    assert again.stdout.splitlines()[-1] == "plan: 0 to create, 0 to delete, 2 unchanged"


def test_the_token_is_never_printed(org: Path, tools: FakeTools) -> None:
    tools.echo_token = True  # in error messages, user names, and one user's e-mail
    last = json.loads((FIXTURES / "pagerduty-v2" / "users.json").read_text())["users"][-1]
    tools.seed_pagerduty("2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z", last["id"])
    result = sync(org, tools, "--apply", code=1)
    assert "FAILED: create" in result.stderr and "may not do this" in result.stderr
    assert TOKEN not in result.output
    assert "token [token] may not do this" in result.stderr
    assert "  ! left alone 2026-03-05T00:00:00Z to 2026-03-06T00:00:00Z [token] (" in result.stdout
    argv = ["--root", str(org), "sync", "pagerduty", "--team", "checkout", "--rotation"]
    argv += ["primary", "--schedule", "PSYNC01", "--api-url", tools.url, "--insecure-http"]
    wrong = CliRunner().invoke(cli, [*argv, *WINDOW], env={"ROTA_PAGERDUTY_TOKEN": "s3cr3t-1"})
    assert wrong.exit_code == 1
    assert "s3cr3t-1" not in wrong.output and "Token token=[token]" in wrong.output


def test_http_is_refused_unless_asked_for_and_local(org: Path, tools: FakeTools) -> None:
    argv = ["--root", str(org), "sync", "pagerduty", "--team", "checkout", "--rotation"]
    argv += ["primary", "--schedule", "PSYNC01", *WINDOW]
    env = {"ROTA_PAGERDUTY_TOKEN": TOKEN}
    plain = CliRunner().invoke(cli, [*argv, "--api-url", tools.url], env=env)
    assert plain.exit_code == 2
    assert "is not https: the token would travel in clear" in plain.output
    remote = ["--api-url", "http://pagerduty.example/", "--insecure-http"]
    far = CliRunner().invoke(cli, [*argv, *remote], env=env)
    assert far.exit_code == 2
    assert "--insecure-http allows only this machine" in far.output
    assert tools.sent == []
