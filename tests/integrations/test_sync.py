"""`rota sync` against a local server that speaks the tools' documented endpoints.

The window holds two weeks of checkout/primary (by hand, see test_export.py): carol
2026-03-02T14:00Z → 03-09T13:00Z, then alice → 03-16T13:00Z.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from generator.cli import cli
from tests.integrations.fake_tools import GOALERT_READ_KEY, GOALERT_WRITE_KEY, TOKEN, FakeTools

HERE = Path(__file__).parent
WINDOW = [
    "--from",
    "2026-03-02T09:00:00-05:00",
    "--to",
    "2026-03-16T09:00:00-04:00",
    "--now",
    "2026-03-01T12:00:00Z",
]
CAROL = ("2026-03-02T14:00:00Z", "2026-03-09T13:00:00Z", "PC3D4E5")
ALICE = ("2026-03-09T13:00:00Z", "2026-03-16T13:00:00Z", "PA1B2C3")
BOB = ("2026-03-09T13:00:00Z", "2026-03-16T13:00:00Z", "PB2C3D4")
HEADER = (
    "PagerDuty schedule PSYNC01 ← checkout/primary, 2026-03-02T14:00:00Z to 2026-03-16T13:00:00Z:"
)


def sync(org: Path, tools: FakeTools, *args: str, code: int = 0, tool: str = "pagerduty") -> Result:
    env = {f"ROTA_{tool.upper()}_TOKEN": TOKEN}
    if tool == "goalert":
        env = {
            "ROTA_GOALERT_READ_KEY": GOALERT_READ_KEY,
            "ROTA_GOALERT_WRITE_KEY": GOALERT_WRITE_KEY,
        }
    argv = ["--root", str(org), "sync", tool, "--team", "checkout", "--rotation", "primary"]
    argv += ["--api-url", tools.url, "--insecure-http", *WINDOW, *args]
    if "--schedule" not in args:
        argv += ["--schedule", "PSYNC01"]
    result = CliRunner().invoke(cli, argv, env=env)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def swap_alice_for_bob(org: Path) -> None:
    with (org / "rotations" / "org.yaml").open("a") as f:
        f.write(
            '\noverrides:\n  - {team: checkout, rotation: primary, from: "2026-03-09 09:00",\n'
            '     to: "2026-03-16 09:00", person: bob, note: swap}\n'
        )


def held(tools: FakeTools) -> list[tuple[str, str, str]]:
    return sorted((o["start"], o["end"], o["user"]["id"]) for o in tools.overrides.values())


def test_without_apply_the_plan_is_printed_and_nothing_changes(org: Path, tools: FakeTools) -> None:
    result = sync(org, tools)
    assert result.stdout == (
        f"{HEADER}\n"
        "  + create    2026-03-02T14:00:00Z to 2026-03-09T13:00:00Z Carol.Diaz@Example.com\n"
        "  + create    2026-03-09T13:00:00Z to 2026-03-16T13:00:00Z ALICE.NG@example.com\n"
        "plan: 2 to create, 0 to delete, 0 unchanged (nothing changed: run again with --apply)\n"
    )
    assert tools.writes == [] and tools.overrides == {}


def test_apply_creates_and_a_second_run_changes_nothing(org: Path, tools: FakeTools) -> None:
    result = sync(org, tools, "--apply")
    assert result.stdout.splitlines()[-3:] == [
        "ok: create 2026-03-02T14:00:00Z to 2026-03-09T13:00:00Z Carol.Diaz@Example.com: created",
        "ok: create 2026-03-09T13:00:00Z to 2026-03-16T13:00:00Z ALICE.NG@example.com: created",
        "applied: 2 change(s) made, 0 failed",
    ]
    assert held(tools) == [CAROL, ALICE]
    writes = len(tools.writes)
    again = sync(org, tools, "--apply")
    assert again.stdout.splitlines()[-1] == "plan: 0 to create, 0 to delete, 2 unchanged"
    assert len(tools.writes) == writes and held(tools) == [CAROL, ALICE]


def test_a_shift_removed_from_rota_is_deleted_from_the_tool(org: Path, tools: FakeTools) -> None:
    sync(org, tools, "--apply")
    # bob now covers alice's whole week: her override goes, his comes
    swap_alice_for_bob(org)
    result = sync(org, tools, "--apply")
    lines = result.stdout.splitlines()
    assert lines[1:4] == [
        "  = unchanged 2026-03-02T14:00:00Z to 2026-03-09T13:00:00Z carol.diaz@example.com",
        "  + create    2026-03-09T13:00:00Z to 2026-03-16T13:00:00Z bob.marsh@example.com",
        "  - delete    2026-03-09T13:00:00Z to 2026-03-16T13:00:00Z alice.ng@example.com",
    ]
    assert "applied: 2 change(s) made, 0 failed" in result.stdout
    assert held(tools) == [CAROL, BOB]


def test_one_failing_item_is_reported_while_the_rest_succeed(org: Path, tools: FakeTools) -> None:
    sync(org, tools, "--apply")
    swap_alice_for_bob(org)
    tools.reject_user = "PB2C3D4"
    result = sync(org, tools, "--apply", code=1)
    assert (
        "FAILED: create 2026-03-09T13:00:00Z to 2026-03-16T13:00:00Z bob.marsh@example.com: "
        "HTTP 400: User cannot be on call"
    ) in result.stderr
    assert (
        "ok: delete 2026-03-09T13:00:00Z to 2026-03-16T13:00:00Z alice.ng@example.com: deleted"
        in (result.stdout)
    )
    assert result.stdout.splitlines()[-1] == "applied: 1 change(s) made, 1 failed"
    assert held(tools) == [CAROL]
    # the next run picks up exactly what is still missing
    tools.reject_user = None
    again = sync(org, tools, "--apply")
    assert "plan: 1 to create, 0 to delete, 1 unchanged" in again.stdout
    assert held(tools) == [CAROL, BOB]


def test_an_override_sync_did_not_make_is_left_alone(org: Path, tools: FakeTools) -> None:
    by_hand = tools.seed_pagerduty("2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z", "PB2C3D4")
    result = sync(org, tools, "--apply")
    assert (
        "  ! left alone 2026-03-05T00:00:00Z to 2026-03-06T00:00:00Z bob.marsh@example.com "
        "(not made by sync for this rotation (see rotations/sync.state.json))"
    ) in result.stdout.splitlines()
    assert "plan: 2 to create, 0 to delete, 0 unchanged, 1 left alone" in result.stdout
    assert by_hand in tools.overrides and len(tools.overrides) == 3


def test_a_rate_limit_is_retried(org: Path, tools: FakeTools) -> None:
    tools.rate_limit_next_post = 2
    sync(org, tools, "--apply")
    assert [r for r in tools.requests if r[0] == "POST"] == [
        ("POST", "/schedules/PSYNC01/overrides")
    ] * 3
    assert held(tools) == [CAROL, ALICE]


def test_the_token_comes_from_the_environment_only(org: Path, tools: FakeTools) -> None:
    argv = ["--root", str(org), "sync", "pagerduty", "--team", "checkout", "--rotation"]
    argv += ["primary", "--schedule", "PSYNC01", "--api-url", tools.url, "--insecure-http"]
    argv += WINDOW
    result = CliRunner().invoke(cli, argv, env={"ROTA_PAGERDUTY_TOKEN": ""})
    assert result.exit_code == 2
    assert "set ROTA_PAGERDUTY_TOKEN to the pagerduty API token" in result.output
    wrong = CliRunner().invoke(cli, argv, env={"ROTA_PAGERDUTY_TOKEN": "wrong"})
    assert wrong.exit_code == 1
    assert "rota: error: pagerduty: GET /users: HTTP 401: Unauthorized" in wrong.output
    assert tools.writes == []


def test_opsgenie_overrides_are_created_once_and_hand_made_ones_are_left_alone(
    org: Path, tools: FakeTools
) -> None:
    tools.opsgenie["holiday-cover"] = {
        "alias": "holiday-cover",
        "user": {"type": "user", "username": "dana@example.com"},
        "startDate": "2026-03-03T00:00:00Z",
        "endDate": "2026-03-04T00:00:00Z",
    }
    result = sync(org, tools, "--apply", "--tool-rotation", "Primary", tool="opsgenie")
    assert "applied: 2 change(s) made, 0 failed" in result.stdout
    assert sorted(tools.opsgenie) == [
        "holiday-cover",
        "rota.checkout.primary.20260302T140000Z",
        "rota.checkout.primary.20260309T130000Z",
    ]
    assert tools.opsgenie["rota.checkout.primary.20260302T140000Z"]["rotations"] == [
        {"name": "Primary"}
    ]
    again = sync(org, tools, "--apply", tool="opsgenie")
    assert again.stdout.splitlines()[-1] == (
        "plan: 0 to create, 0 to delete, 2 unchanged, 1 left alone"
    )


def test_goalert_gets_one_temporary_schedule_and_a_second_run_changes_nothing(
    org: Path, tools: FakeTools
) -> None:
    users = str(HERE / "fixtures" / "goalert" / "users.json")
    result = sync(org, tools, "--apply", "--users", users, "--schedule", "S1", tool="goalert")
    assert (
        "ok: replace window 2026-03-02T14:00:00Z–2026-03-16T13:00:00Z: "
        "temporary schedule set (2 shifts)" in result.stdout
    )
    (temporary,) = tools.temporary
    assert [s["userID"][:8] for s in temporary["shifts"]] == ["0c1d2e3f", "4f1b8c52"]
    assert temporary["shifts"][1]["end"] == "2026-03-16T13:00:00Z"
    again = sync(org, tools, "--apply", "--users", users, "--schedule", "S1", tool="goalert")
    assert again.stdout.splitlines()[-1] == "plan: 0 to create, 0 to delete, 2 unchanged"
    assert tools.requests.count(("MUTATION", "setTemporarySchedule")) == 1


def test_goalert_over_150_shifts_gets_consecutive_temporary_schedules(
    org: Path, tools: FakeTools
) -> None:
    path = org / "rotations" / "org.yaml"
    path.write_text(path.read_text().replace("shift: 1w", "shift: 1d", 1))  # primary: daily
    users = str(HERE / "fixtures" / "goalert" / "users.json")
    # Mon 2026-01-05 09:00 → Sun 07-05 09:00 New York: 181 daily shifts
    window = ["--from", "2026-01-05T09:00:00-05:00", "--to", "2026-07-05T09:00:00-04:00"]
    args = ["--apply", "--users", users, "--schedule", "S1", *window]
    result = sync(org, tools, *args, tool="goalert")
    assert result.stdout.splitlines()[-3:] == [
        "ok: replace window 2026-01-05T14:00:00Z–2026-06-04T13:00:00Z: "
        "temporary schedule set (150 shifts)",
        "ok: replace window 2026-06-04T13:00:00Z–2026-07-05T13:00:00Z: "
        "temporary schedule set (31 shifts)",
        "applied: 2 change(s) made, 0 failed",
    ]
    assert [(t["start"], t["end"], len(t["shifts"])) for t in tools.temporary] == [
        ("2026-01-05T14:00:00Z", "2026-06-04T13:00:00Z", 150),
        ("2026-06-04T13:00:00Z", "2026-07-05T13:00:00Z", 31),
    ]
    again = sync(org, tools, *args, tool="goalert")
    assert again.stdout.splitlines()[-1] == "plan: 0 to create, 0 to delete, 181 unchanged"
    assert tools.requests.count(("MUTATION", "setTemporarySchedule")) == 2


# The two query texts, copied by hand from the guide (how-to/paging-tools.md, "GoAlert
# keys"): a GoAlert API key works only with the exact text it was created with.
GOALERT_READ_QUERY = (
    "query ($id: ID!) { schedule(id: $id) { temporarySchedules "
    "{ start end shifts { userID start end } } } }"
)
GOALERT_WRITE_QUERY = (
    "mutation ($input: SetTemporaryScheduleInput!) { setTemporarySchedule(input: $input) }"
)


def test_goalert_sends_each_query_only_with_the_key_made_for_it(
    org: Path, tools: FakeTools
) -> None:
    """The fake binds each key to its first query text and refuses a second, as GoAlert's
    apikey middleware does: the read key only ever reads, the write key only writes."""
    users = str(HERE / "fixtures" / "goalert" / "users.json")
    sync(org, tools, "--apply", "--users", users, "--schedule", "S1", tool="goalert")
    sync(org, tools, "--apply", "--users", users, "--schedule", "S1", tool="goalert")
    assert tools.graphql == [
        (GOALERT_READ_KEY, GOALERT_READ_QUERY),
        (GOALERT_WRITE_KEY, GOALERT_WRITE_QUERY),
        (GOALERT_READ_KEY, GOALERT_READ_QUERY),  # second run: nothing to change
    ]
    assert tools.violations == []


def test_print_queries_gives_the_exact_text_of_each_key() -> None:
    result = CliRunner().invoke(cli, ["sync", "goalert", "--print-queries"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "# ROTA_GOALERT_READ_KEY: a GoAlert API key that reads the schedule's temporary "
        "schedules, created with this query:",
        GOALERT_READ_QUERY,
        "# ROTA_GOALERT_WRITE_KEY: a GoAlert API key that sets a temporary schedule, "
        "created with this query:",
        GOALERT_WRITE_QUERY,
    ]


def test_goalert_plans_with_the_read_key_alone_and_apply_asks_for_the_write_key(
    org: Path, tools: FakeTools
) -> None:
    users = str(HERE / "fixtures" / "goalert" / "users.json")
    argv = ["--root", str(org), "sync", "goalert", "--team", "checkout", "--rotation"]
    argv += ["primary", "--api-url", tools.url, "--insecure-http", *WINDOW]
    argv += ["--users", users, "--schedule", "S1"]
    env = {"ROTA_GOALERT_READ_KEY": GOALERT_READ_KEY}
    plan = CliRunner().invoke(cli, argv, env=env)
    assert plan.exit_code == 0, plan.output
    assert plan.stdout.splitlines()[-1].startswith("plan: 2 to create, 0 to delete")
    refused = CliRunner().invoke(cli, [*argv, "--apply"], env=env)
    assert refused.exit_code == 2
    assert "--apply needs ROTA_GOALERT_WRITE_KEY" in refused.stderr
    old = CliRunner().invoke(cli, argv, env={"ROTA_GOALERT_TOKEN": TOKEN})
    assert old.exit_code == 2
    assert "set ROTA_GOALERT_READ_KEY" in old.stderr
    assert tools.graphql == [(GOALERT_READ_KEY, GOALERT_READ_QUERY)]
    assert tools.temporary == []


def test_a_key_made_with_another_query_is_named_and_nothing_changes(
    org: Path, tools: FakeTools
) -> None:
    """The write key was created with the read query by mistake: GoAlert answers "wrong
    query for API key"; sync reports it and exits 1."""
    tools.goalert_keys[GOALERT_WRITE_KEY] = GOALERT_READ_QUERY
    users = str(HERE / "fixtures" / "goalert" / "users.json")
    result = sync(
        org, tools, "--apply", "--users", users, "--schedule", "S1", tool="goalert", code=1
    )
    assert "POST /api/graphql: wrong query for API key" in result.stderr
    assert GOALERT_WRITE_KEY not in result.output
    assert tools.temporary == []
    assert tools.violations == ["goalert: wrong query for API key"]
    tools.violations.clear()  # the refusal was the point
