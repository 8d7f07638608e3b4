"""`rota pay` on the sample organisation: table, JSON and a CSV a spreadsheet opens."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW

NOVEMBER = ["--from", "2026-11-01T00:00:00Z", "--to", "2026-12-01T00:00:00Z", "--now", NOW]


BACKWARDS = ("--to", "2026-11-01T00:00:00Z", "--now", NOW)


@pytest.fixture
def sample_org(shared_sample: Path) -> Path:
    """These tests only read the sample: one copy for the test process."""
    return shared_sample


def run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--root", str(root), "pay", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode()


def test_csv_has_a_header_and_one_row_per_person_and_month(sample_org: Path) -> None:
    text = run(sample_org, "--format", "csv", *NOVEMBER)
    assert text.startswith(
        "person,name,policy,month,currency,standby_hours,standby,callout_hours,callout,"
        "capped,total\r\n"
    )
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows
    keys = [(r["person"], r["month"]) for r in rows]
    assert len(keys) == len(set(keys))
    two_decimals = re.compile(r"^\d+\.\d\d$")
    for r in rows:
        for col in ("standby_hours", "standby", "callout_hours", "callout", "total"):
            assert two_decimals.match(r[col]), (col, r[col])
        assert r["currency"] == "GBP"
        earned = Decimal(r["standby"]) + Decimal(r["callout"])
        # the standard cap is 1200.00 a month; the daily policy has none
        assert Decimal(r["total"]) == (
            min(earned, Decimal(1200)) if r["capped"] == "yes" else earned
        )


def test_callouts_of_the_sample_incidents_are_paid_by_the_rules(sample_org: Path) -> None:
    doc = json.loads(run(sample_org, "--format", "json", *NOVEMBER))
    months = {(p["person"], m["month"]): m for p in doc["people"] for m in p["months"]}

    def callout(person: str) -> tuple[str, str]:
        m = months[(person, "2026-11")]
        return m["callout_hours"], m["callout"]

    # INC-132, 35 minutes: the 1 h minimum x 35.00 = 35.00
    assert callout("sofia-alvarez") == ("1.00", "35.00")
    # INC-131, 2 h 15 m, already a quarter-hour multiple: 2.25 x 35.00 = 78.75, paid
    # to each of its two responders
    assert callout("rohan-iyer") == ("2.25", "78.75")
    # Vikram also worked INC-133 (15 m, raised to the 1 h minimum) and INC-134 (1 h 10 m,
    # rounded up to 1.25 h): 2.25 + 1.00 + 1.25 = 4.50 h x 35.00 = 157.50
    assert callout("vikram-rao") == ("4.50", "157.50")
    # INC-129, 45 minutes, daily policy (minimum 30m, round up 15m): 0.75 x 30.00 = 22.50
    assert callout("kavya-reddy") == ("0.75", "22.50")


def test_json_follows_the_documented_shape(sample_org: Path) -> None:
    doc = json.loads(run(sample_org, "--format", "json", *NOVEMBER))
    assert doc["currency"] == "GBP"
    person = doc["people"][0]
    assert {"person", "total", "months"} <= set(person)
    assert {"month", "standby_hours", "standby", "callout_hours", "callout", "total"} <= set(
        person["months"][0]
    )
    # each person's total is the sum of their months, and the report's of the people
    for p in doc["people"]:
        assert Decimal(p["total"]) == sum(Decimal(m["total"]) for m in p["months"])
    assert Decimal(doc["total"]) == sum(Decimal(p["total"]) for p in doc["people"])


def test_person_filter_and_unknown_person(sample_org: Path) -> None:
    table = run(sample_org, "--person", "kavya-reddy", *NOVEMBER)
    assert "Kavya Reddy  2026-11" in table
    assert "Daniel" not in table
    bad = CliRunner().invoke(
        cli, ["--root", str(sample_org), "pay", "--person", "kavya-redy", "--now", NOW]
    )
    assert bad.exit_code == 2
    assert "no person 'kavya-redy' (did you mean 'kavya-reddy'?)" in bad.stderr


def test_window_that_ends_before_it_starts_is_a_usage_error(sample_org: Path) -> None:
    bad = CliRunner().invoke(
        cli,
        ["--root", str(sample_org), "pay", *("--from", "2026-12-01T00:00:00Z"), *BACKWARDS],
    )
    assert bad.exit_code == 2
    assert "--to must be after --from" in bad.stderr
