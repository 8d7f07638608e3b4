"""Every Grafana OnCall case under vendor_cases/grafana imports as Grafana renders it.

A case folder holds the saved API responses (``g-schedule.json``, ``g-shifts.json``,
``g-users.json``, ``g-final.json``) and ``expected.json``: the shifts Grafana renders over
``window_local`` (in ``zone``), worked out by hand from ``custom_on_call_shift.py`` (each
case's ``notes`` say how), or ``refused``: the features ``rota import`` must refuse by name.

For an accepted case, Rota's schedule of the imported YAML over the window (coverage
pieces of one person joined) must equal ``shifts`` exactly, instant by instant and person
by person (matched by e-mail), and ``--check`` against the saved ``/final_shifts`` must say
"same". For a refused case the import exits 1, names each feature and writes nothing;
``--partial`` writes the rest.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.pipeline import load_org
from generator.timeutil import localize, zone

CASES = Path(__file__).parent / "vendor_cases" / "grafana"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FOLDERS = sorted(p for p in CASES.iterdir() if (p / "expected.json").is_file())


def _import(root: Path, folder: Path, *extra: str) -> tuple[int, str, str]:
    """``rota import grafana`` on the case's files, at the case's ``now`` (an ended shift
    is left out only when it ended before then)."""
    files = [str(p) for p in sorted(folder.glob("g-*.json"))]
    now = json.loads((folder / "expected.json").read_text()).get("now", "2026-01-01")
    result = CliRunner().invoke(
        cli, ["--root", str(root), "import", "grafana", *files, "--now", now, *extra]
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def rendered_by_rota(root: Path, start_at: datetime, end_at: datetime) -> list[dict[str, str]]:
    """Rota's shifts of the organisation at ``root`` in [start, end), clipped, one person's
    back-to-back pieces joined, as ``{start, end, email}`` in UTC."""
    loaded = load_org(root, NOW, lock=False)
    emails = {p.id: p.email for p in loaded.org.people.values()}
    out: list[dict[str, str]] = []
    for s in sorted(loaded.schedule(start_at, end_at).shifts, key=lambda s: s.start_at):
        a, b = max(s.start_at, start_at), min(s.end_at, end_at)
        if a >= b or s.person is None:
            continue
        a_s = a.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        b_s = b.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        email = str(emails[s.person])
        if out and out[-1]["end"] == a_s and out[-1]["email"] == email:
            out[-1]["end"] = b_s
        else:
            out.append({"start": a_s, "end": b_s, "email": email})
    return out


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_grafana_case_imports_as_grafana_renders_it(tmp_path: Path, folder: Path) -> None:
    expected = json.loads((folder / "expected.json").read_text())
    target = tmp_path / "rotations" / "imported.yaml"
    target.parent.mkdir()
    if "refused" in expected:
        code, _, err = _import(tmp_path, folder, "--out", str(target))
        assert code == 1
        for feature in expected["refused"]:
            assert f": error: unsupported: {feature}: " in err
        assert "nothing written" in err
        assert not target.exists()
        # --partial writes the rotations left (``partial_rotations``, default none)
        code, _, err = _import(tmp_path, folder, "--out", str(target), "--partial")
        left = expected.get("partial_rotations", 0)
        if left == 0:
            assert code == 1
            assert err.splitlines()[-1] == (
                "rota: error: nothing to write: every rotation was refused"
            )
            assert not target.exists()
            return
        assert code == 0, err
        text = target.read_text()
        assert all(f"#   - {feature}: " in text for feature in expected["refused"])
        assert len(yaml.safe_load(text)["teams"][0]["rotations"]) == left
        return
    code, _, err = _import(tmp_path, folder, "--out", str(target))
    assert code == 0, err
    assert err.splitlines() == expected.get("stderr", [])
    tz = zone(expected["zone"])
    start_at, end_at = (
        localize(datetime.fromisoformat(t), tz).astimezone(UTC) for t in expected["window_local"]
    )
    want = [
        {"start": s["start"], "end": s["end"], "email": s["email"].lower()}
        for s in expected["shifts"]
    ]
    got = [{**s, "email": s["email"].lower()} for s in rendered_by_rota(tmp_path, start_at, end_at)]
    assert got == want
    code, out, err = _import(tmp_path, folder, "--check")
    assert code == 0, out + err
    assert out.startswith("same: final_shifts")


def test_a_web_made_shift_is_written_in_utc_with_the_schedule_zone_named() -> None:
    """e-web-schedule-utc-start: the shift has no time_zone and the schedule is web-made;
    Grafana renders 14:00 as 14:00 UTC (09:00 EST, then 10:00 EDT), so the team's zone
    is UTC and the YAML says why."""
    files = [str(p) for p in sorted((CASES / "e-web-schedule-utc-start").glob("g-*.json"))]
    result = CliRunner().invoke(cli, ["import", "grafana", *files, "--out", "-"])
    assert result.exit_code == 0, result.stderr
    doc = yaml.safe_load(result.stdout)
    team = doc["teams"][0]
    assert team["timezone"] == "UTC"
    assert team["rotations"][0]["start"] == "2026-03-02 14:00"
    assert "made in the web UI: Grafana renders it in UTC, not America/New_York" in result.stdout


def test_partial_writes_the_shifts_rota_can_render_and_lists_the_refused(tmp_path: Path) -> None:
    """The weekly by_day shift of case f and the monthly shift of case k in one schedule:
    without --partial nothing is written; with it the weekly shift is a rotation and the
    YAML's header names the refused monthly one."""
    f, k = CASES / "f-weekly-byday-weekstart-wed", CASES / "k-refuse-monthly"
    schedule = json.loads((f / "g-schedule.json").read_text())
    shifts = json.loads((f / "g-shifts.json").read_text())
    monthly = json.loads((k / "g-shifts.json").read_text())["results"][0]
    shifts["results"].append(monthly)
    schedule["shifts"].append(monthly["id"])
    (tmp_path / "s.json").write_text(json.dumps(schedule))
    (tmp_path / "o.json").write_text(json.dumps(shifts))
    files = [str(tmp_path / "s.json"), str(tmp_path / "o.json"), str(f / "g-users.json")]
    target = tmp_path / "out.yaml"
    first = CliRunner().invoke(cli, ["import", "grafana", *files, "--out", str(target)])
    assert first.exit_code == 1
    assert (
        ": error: unsupported: monthly frequency: 'Monthly' hands over every month" in first.stderr
    )
    assert not target.exists()
    second = CliRunner().invoke(
        cli, ["import", "grafana", *files, "--out", str(target), "--partial"]
    )
    assert second.exit_code == 0, second.stderr
    text = target.read_text()
    assert "#   - monthly frequency: 'Monthly' hands over every month" in text
    doc = yaml.safe_load(text)
    assert [r["id"] for r in doc["teams"][0]["rotations"]] == ["mon-thu-days"]


def test_a_web_made_override_is_in_utc_too(tmp_path: Path) -> None:
    """Case e plus a web-made override (no time_zone): Carol from 15:00 for a day. Grafana
    reads 15:00 as UTC (10:00 EST), so the override runs 03-05 15:00Z to 03-06 15:00Z."""
    e = CASES / "e-web-schedule-utc-start"
    schedule = json.loads((e / "g-schedule.json").read_text())
    shifts = json.loads((e / "g-shifts.json").read_text())
    shifts["results"].append(
        {
            "id": "OOVER01",
            "schedule": schedule["id"],
            "name": "Carol covers",
            "type": "override",
            "time_zone": None,
            "start": "2026-03-05T15:00:00",
            "duration": 86400,
            "users": ["UCAROL3"],
        }
    )
    schedule["shifts"].append("OOVER01")
    (tmp_path / "s.json").write_text(json.dumps(schedule))
    (tmp_path / "o.json").write_text(json.dumps(shifts))
    files = [str(tmp_path / "s.json"), str(tmp_path / "o.json"), str(e / "g-users.json")]
    result = CliRunner().invoke(cli, ["import", "grafana", *files, "--out", "-"])
    assert result.exit_code == 0, result.stderr
    (override,) = yaml.safe_load(result.stdout)["overrides"]
    assert (override["from"], override["to"], override["person"]) == (
        "2026-03-05T15:00:00+00:00",
        "2026-03-06T15:00:00+00:00",
        "carol",
    )
