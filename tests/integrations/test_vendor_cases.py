"""Every vendor case under vendor_cases/<tool>/<case>/ imports to exactly the shifts the
tool renders (``expected.json``, worked out by hand from the tool's documentation), and
``rota import --check`` proves it against the tool's own rendering saved beside it.

A case is a folder of saved API responses plus ``expected.json``: ``zone``,
``window_local`` (two local times), ``shifts`` (``start``/``end`` in UTC, ``email``). The
comparison is instant by instant: each person's on-call time inside the window, merged
where it touches, must be the same set of intervals in both.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli

HERE = Path(__file__).parent / "vendor_cases"
TOOLS = ("pagerduty", "opsgenie")
CASES = sorted(p for tool in TOOLS for p in (HERE / tool).glob("*") if p.is_dir())
NOW = "2026-01-01T00:00:00Z"


def _inputs(case: Path) -> list[str]:
    return sorted(str(p) for p in case.glob("*.json") if p.name != "expected.json")


def _window(expected: dict) -> tuple[datetime, datetime]:
    tz = ZoneInfo(expected["zone"])
    a, b = (
        datetime.strptime(t, "%Y-%m-%d %H:%M").replace(tzinfo=tz) for t in expected["window_local"]
    )
    return a.astimezone(UTC), b.astimezone(UTC)


def _merged(
    rows: list[tuple[str, datetime, datetime]], lo: datetime, hi: datetime
) -> set[tuple[str, datetime, datetime]]:
    """Per person, the union of their intervals clipped to [lo, hi), touching ones joined."""
    by: dict[str, list[tuple[datetime, datetime]]] = {}
    for who, a, b in rows:
        a, b = max(a, lo), min(b, hi)
        if a < b:
            by.setdefault(who.lower(), []).append((a, b))
    out = set()
    for who, spans in by.items():
        spans.sort()
        cur = list(spans[0])
        for a, b in spans[1:]:
            if a <= cur[1]:
                cur[1] = max(cur[1], b)
            else:
                out.add((who, cur[0], cur[1]))
                cur = [a, b]
        out.add((who, cur[0], cur[1]))
    return out


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_case_imports_to_the_tools_own_shifts(case: Path, tmp_path: Path) -> None:
    tool = case.parent.name
    expected = json.loads((case / "expected.json").read_text())
    runner = CliRunner()
    out = tmp_path / "rotations" / "imported.yaml"
    out.parent.mkdir()
    result = runner.invoke(
        cli, ["--root", str(tmp_path), "import", tool, *_inputs(case), "--out", str(out)]
    )
    if expected.get("refuse"):
        assert result.exit_code == 1
        assert ": error: unsupported: " in result.stderr
        assert not out.exists()
        return
    lo, hi = _window(expected)
    assert result.exit_code == 0, result.output + result.stderr
    emails = {p["id"]: p["email"] for p in yaml.safe_load(out.read_text())["people"]}
    result = runner.invoke(
        cli,
        [
            "--root",
            str(tmp_path),
            "schedule",
            "--from",
            lo.isoformat(),
            "--to",
            hi.isoformat(),
            "--format",
            "json",
            "--now",
            NOW,
        ],
    )
    assert result.exit_code == 0, result.output + result.stderr
    ours = [
        (emails[s["person"]], _utc(s["start"]), _utc(s["end"]))
        for s in json.loads(result.stdout)["shifts"]
        if s["person"] is not None
    ]
    theirs = [(s["email"], _utc(s["start"]), _utc(s["end"])) for s in expected["shifts"]]
    assert sorted(_merged(ours, lo, hi)) == sorted(_merged(theirs, lo, hi))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_check_proves_the_case_against_the_tools_rendering(case: Path, tmp_path: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    args = ["import", case.parent.name, *_inputs(case), "--check"]
    if expected.get("refuse"):  # refused before anything is compared
        result = CliRunner().invoke(cli, ["--root", str(tmp_path), *args])
        assert result.exit_code == 1
        assert ": error: unsupported: " in result.stderr
        return
    lo, hi = _window(expected)
    result = CliRunner().invoke(
        cli, ["--root", str(tmp_path), *args, "--from", lo.isoformat(), "--to", hi.isoformat()]
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.startswith("same: ")
    assert "differs" not in result.stdout


def test_check_rejects_a_tampered_rendering(tmp_path: Path) -> None:
    """f-daily-weekday-restrictions with PagerDuty's final schedule changed the way Rota
    used to get it wrong (the weekend turns dropped, so Mon 9 March goes to Carol
    instead of Bob): --check must name that stretch and exit 1."""
    case = HERE / "pagerduty" / "f-daily-weekday-restrictions"
    doc = json.loads((case / "schedule.json").read_text())
    for e in doc["schedule"]["final_schedule"]["rendered_schedule_entries"]:
        if e["start"].startswith("2026-03-09"):
            e["user"] = {"id": "PCAR003", "type": "user_reference"}
    (tmp_path / "schedule.json").write_text(json.dumps(doc))
    result = CliRunner().invoke(
        cli,
        [
            "--root",
            str(tmp_path),
            "import",
            "pagerduty",
            str(tmp_path / "schedule.json"),
            str(case / "users.json"),
            "--check",
        ],
    )
    assert result.exit_code == 1
    assert (
        "  Mon 2026-03-09 09:00 to Mon 2026-03-09 17:00: PagerDuty has carol-diaz; "
        "Rota has bob-marsh" in result.stdout
    )
    assert "rota: error: 1 difference(s) from PagerDuty's own rendering" in result.stderr
