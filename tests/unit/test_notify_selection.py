"""What ``rota notify`` tells whom (generator/reports/notify.py), on the organisation of
tests/integrations/test_notify.py (its docstring computes the schedule by hand)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from generator.model import Org, Team
from generator.pipeline import load_org
from generator.reports.handoff import compute_handoffs
from generator.reports.notify import (
    PersonRef,
    group_updates,
    handoff_deliveries,
    handoff_url,
    uncovered_deliveries,
    upcoming_deliveries,
)
from generator.schedule.resolve import Schedule
from tests.conftest import write_org
from tests.integrations.test_notify import ORG

NOW = datetime(2026, 12, 7, 13, 30, tzinfo=UTC)


def team() -> Team:
    return Team("payments", "Payments", "UTC", None, (), (), None, ())


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Org, Schedule]:
    root = write_org(tmp_path_factory.mktemp("notify"), ORG.format(port=2525))
    found = load_org(root, NOW)
    return found.org, found.schedule(NOW - timedelta(weeks=4), NOW + timedelta(weeks=8))


def test_each_handoff_goes_to_its_teams_channels(loaded: tuple[Org, Schedule]) -> None:
    org, sched = loaded
    # [07 Dec 13:30, 14 Dec 13:30) UTC holds Payments' 07 Dec 14:00 handoff (alice → bob)
    # and Data's 14 Dec 00:00 (from uncovered to uncovered: no handoff); Data's 07 Dec
    # 00:00 is before the window.
    found = compute_handoffs(org, sched, NOW, NOW + timedelta(days=7))
    out = handoff_deliveries(org, found)
    assert [(d.channel, d.audience, d.address, d.secret_env) for d in out] == [
        ("slack", "team:payments", None, "T_SLACK_PAY"),
        ("msteams", "team:payments", None, "T_TEAMS_HOOK"),
        ("email", "team:payments", "payments@acme.example", None),
    ]
    message = out[0].message
    assert message.lines[0][0] == PersonRef("alice", "Alice Ng", "U0ALICE1")
    assert message.lines[0][3].person == "bob"
    assert message.link is not None
    assert handoff_url(org, found[0]) == (
        "https://oncall.example.com/handoffs/payments/2026-12/#primary-2026-12-07-0900"
    )


def test_upcoming_is_per_person_and_says_who_cannot_be_told(loaded: tuple[Org, Schedule]) -> None:
    org, sched = loaded
    out, unreachable = upcoming_deliveries(org, sched, NOW, NOW + timedelta(days=14))
    assert [(d.channel, d.address) for d in out] == [
        ("email", "alice@acme.example"),
        ("slack-dm", "U0ALICE1"),  # her Slack id, with the organisation's bot token
        ("email", "bob@acme.example"),
    ]
    assert unreachable == ["carol"]  # her shift from 21 Dec 00:00 UTC; no address
    # a week: bob only (alice's next starts 14 Dec 14:00 UTC, after 14 Dec 13:30)
    out, _ = upcoming_deliveries(org, sched, NOW, NOW + timedelta(days=7))
    assert [d.address for d in out] == ["bob@acme.example"]


def test_uncovered_within_freeze_only(loaded: tuple[Org, Schedule]) -> None:
    org, sched = loaded
    (d,) = uncovered_deliveries(org, sched, NOW)
    assert (d.channel, d.audience, d.secret_env) == ("slack", "team:data", "T_SLACK_HOOK")
    assert len(d.message.lines) == 2  # 07-14 and 14-21 Dec; freeze 2w ends 21 Dec 13:30
    # a week later the first is over, and 21-28 Dec is carol's again: one left
    (d,) = uncovered_deliveries(org, sched, NOW + timedelta(days=7))
    assert len(d.message.lines) == 1
    assert uncovered_deliveries(org, sched, NOW + timedelta(days=14)) == []


def test_user_groups_hold_who_is_on_call_now(loaded: tuple[Org, Schedule]) -> None:
    org, sched = loaded
    # at 13:30 alice is on call for Payments (until 14:00 UTC); at 14:30, bob
    assert [
        (g.usergroup, g.audience, [p.person for p in g.people])
        for g in group_updates(org, sched, NOW)
    ] == [("SORG0001", "organisation", ["alice"]), ("SPAY0001", "team:payments", ["alice"])]
    later = group_updates(org, sched, NOW + timedelta(hours=1))
    assert [[p.person for p in g.people] for g in later] == [["bob"], ["bob"]]
    assert all(g.token_env == "T_SLACK_TOKEN" for g in later)  # the team inherits the token


def test_handoff_link_without_a_site_url(loaded: tuple[Org, Schedule]) -> None:
    from dataclasses import replace

    org, sched = loaded
    bare = replace(org, settings=replace(org.settings, site_url=None))
    (h,) = compute_handoffs(bare, sched, NOW, NOW + timedelta(hours=1))
    assert handoff_url(bare, h) is None
    (d, *_) = handoff_deliveries(bare, [h])
    assert d.message.link is None
    assert all("Handoff note" not in str(seg) for line in d.message.lines for seg in line)
