"""Planning by components, in parallel, and the memo of loading and planning:
each must give exactly what planning everything at once, from the files, gives."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.memo import Memo
from generator.model import Override
from generator.pipeline import load_org
from generator.schedule.assign import block_end
from generator.schedule.plan import components, plan
from generator.schedule.resolve import Schedule, compute_schedule
from tests.conftest import REPO

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_rotations_sharing_nobody_are_planned_apart(sample_org: Path) -> None:
    org = load_org(sample_org, NOW).org
    assert sorted(map(sorted, components(org))) == [
        ["data-platform/primary"],
        ["identity/primary"],
        ["payments/primary", "payments/secondary"],  # the same people
        ["platform-sre/apac"],
        ["platform-sre/emea"],
    ]
    # an override puts an identity engineer on payments: the two now share a person
    someone = org.teams["identity"].rotations[0].members[0].person
    cover = Override("payments", "primary", NOW, NOW + timedelta(days=1), someone, None)
    linked = replace(org, overrides=(*org.overrides, cover))
    assert ["identity/primary", "payments/primary", "payments/secondary"] in map(
        sorted, components(linked)
    )


def test_planning_by_components_equals_planning_all_at_once(sample_org: Path) -> None:
    (sample_org / "rotations" / "assignments.lock.yaml").unlink()  # planned from scratch
    org = load_org(sample_org, NOW).org
    end = block_end(NOW + timedelta(days=364))
    slots, picks = plan(org, end)
    from generator.schedule.assign import assign

    together = assign(org, {k: list(v) for k, v in slots.items()}, {}, {})
    assert {k: list(v) for k, v in picks.items()} == together


SCRIPT = """
import hashlib, json, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from generator.pipeline import horizon_schedule, load_org
now = datetime(2026, 11, 27, 12, tzinfo=UTC)
org = load_org(Path(sys.argv[1]), now).org
s = horizon_schedule(org, now)
print(hashlib.sha256(json.dumps([x.as_json() for x in s.shifts]).encode()).hexdigest())
"""


def test_forked_workers_plan_the_same_shifts(sample_org: Path) -> None:
    # in a process of its own (one thread, so planning may fork): one process, then two
    digests = []
    for jobs in ("1", "2"):
        env = {**os.environ, "ROTA_JOBS": jobs, "ROTA_CACHE_DIR": ""}
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(sample_org)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        digests.append(out.stdout.strip())
    assert digests[0] == digests[1] and len(digests[0]) == 64


def _fingerprint(schedule: Schedule) -> str:
    return hashlib.sha256(json.dumps([s.as_json() for s in schedule.shifts]).encode()).hexdigest()


def test_a_second_load_comes_from_the_memo_and_equals_the_first(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    first = load_org(sample_org, NOW)
    assert sorted(p.name.split(".")[1] for p in (tmp_path / "memo").iterdir()) == ["lock", "org"]
    second = load_org(sample_org, NOW)
    assert second.org == first.org and second.warnings == first.warnings
    # the plan is kept by the first schedule and read back by the next
    start, end = NOW - timedelta(days=28), NOW + timedelta(days=364)
    planned = first.schedule(start, end)
    assert (tmp_path / "memo" / f"{first.plans.digest}.plan").exists()  # type: ignore[union-attr]
    again = second.schedule(start, end)
    assert _fingerprint(again) == _fingerprint(planned)
    assert _fingerprint(again) == _fingerprint(compute_schedule(first.org, start, end))


def test_a_kept_longer_plan_answers_a_shorter_window_exactly(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    loaded = load_org(sample_org, NOW)
    loaded.horizon(NOW)  # keeps the plan up to a year ahead
    at = NOW + timedelta(days=3)
    memo = loaded.plans
    assert memo is not None
    shorter = memo.plan(block_end(at))
    assert shorter is not None
    direct = compute_schedule(loaded.org, at, at + timedelta(seconds=1))
    assert {k: list(v) for k, v in shorter[0].items()} == {
        k: list(v) for k, v in direct.slots.items()
    }
    assert {k: list(v) for k, v in shorter[1].items()} == {
        k: list(v) for k, v in direct.picks.items()
    }


def test_any_edit_misses_the_memo(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    load_org(sample_org, NOW)
    people = sample_org / "rotations" / "people.yaml"
    text = people.read_text()
    name = load_org(sample_org, NOW).org.people["marcus-reid"].name
    people.write_text(text.replace(name, "Marcus Renamed", 1))
    assert load_org(sample_org, NOW).org.people["marcus-reid"].name == "Marcus Renamed"


def test_a_damaged_entry_is_only_a_miss(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "memo"
    monkeypatch.setenv("ROTA_CACHE_DIR", str(folder))
    first = load_org(sample_org, NOW)
    for entry in folder.iterdir():
        entry.write_bytes(b"\x80\x05not a pickle")
    assert load_org(sample_org, NOW).org == first.org


def test_a_folder_others_may_write_to_is_not_read(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "memo"
    monkeypatch.setenv("ROTA_CACHE_DIR", str(folder))
    first = load_org(sample_org, NOW)
    assert first.memo is not None and first.memo.get("org") is not None
    folder.chmod(0o777)
    assert first.memo.get("org") is None  # someone else could have put a pickle there
    folder.chmod(0o700)


def test_an_empty_cache_dir_turns_the_memo_off(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTA_CACHE_DIR", "")
    assert load_org(sample_org, NOW).memo is None


def test_only_the_newest_inputs_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    for n in range(20):
        memo = Memo(tmp_path / "memo", f"{n:040x}")
        memo.put("org", n)
        os.utime(tmp_path / "memo" / f"{n:040x}.org", (n, n))
    kept = sorted(int(p.name.split(".")[0], 16) for p in (tmp_path / "memo").iterdir())
    assert kept == list(range(4, 20))


AT = ("--now", "2026-11-27T12:00:00Z")


def test_who_answers_the_same_from_the_memo(sample_org: Path, tmp_path: Path) -> None:
    def who(cache: str) -> str:
        env = {**os.environ, "ROTA_CACHE_DIR": cache}
        out = subprocess.run(
            [sys.executable, "-m", "generator.cli", "--root", str(sample_org), "who", *AT],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout

    from generator.memo import week_of

    cold = who(str(tmp_path / "memo"))
    assert {p.name.split(".")[1] for p in (tmp_path / "memo").iterdir()} == {
        "org",
        "lock",
        "plan",
    }
    assert who(str(tmp_path / "memo")) == cold  # cuts the plan's week holding the instant
    assert f"week-{week_of(NOW)}" in {p.name.split(".")[1] for p in (tmp_path / "memo").iterdir()}
    assert who(str(tmp_path / "memo")) == cold == who("")  # from that week
    shutil.rmtree(tmp_path / "memo")


FILES_SCRIPT = """
import hashlib, os, sys
from datetime import UTC, datetime
from pathlib import Path
import generator.pipeline as pipeline
parent, wrote = os.getpid(), pipeline._feeds_in_child
def in_child():
    # tell the parent which process wrote the feeds
    Path(sys.argv[2]).write_text("child" if os.getpid() != parent else "parent")
    return wrote()
pipeline._feeds_in_child = in_child
now = datetime(2026, 11, 27, 12, tzinfo=UTC)
rendered = pipeline.render_all(pipeline.load_org(Path(sys.argv[1]), now), now)
digest = hashlib.sha256()
for name in sorted(rendered.files):
    data = rendered.files[name]
    digest.update(name.encode() + (data if isinstance(data, bytes) else data.encode()))
print(digest.hexdigest(), sum(1 for n in rendered.files if n.endswith(".ics")))
"""


def test_feeds_written_by_a_forked_process_are_the_same_files(
    sample_org: Path, tmp_path: Path
) -> None:
    results = []
    for jobs in ("1", "2"):
        marker = tmp_path / f"wrote-{jobs}"
        env = {**os.environ, "ROTA_JOBS": jobs, "ROTA_CACHE_DIR": ""}
        out = subprocess.run(
            [sys.executable, "-c", FILES_SCRIPT, str(sample_org), str(marker)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        results.append((out.stdout.strip(), marker.read_text() if marker.exists() else None))
    (one, alone), (two, apart) = results
    assert alone is None  # ROTA_JOBS=1: the feeds were written in the build's process
    assert apart == "child"  # ROTA_JOBS=2: by a forked process ...
    assert one == two and int(one.split()[1]) > 30  # ... and every page and feed the same


def _who(root: Path, at: str) -> dict[str, object]:
    from click.testing import CliRunner

    from generator.cli import cli

    result = CliRunner().invoke(
        cli, ["--root", str(root), "who", "--at", at, "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def test_who_read_from_a_week_of_the_plan_equals_the_whole_computation(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rota who` reads the plan's week holding its instant (kept by a build); its answer is
    the one computed from the files with no memo at all, before and after an edit."""
    from generator.memo import week_of

    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    load_org(sample_org, NOW).horizon(NOW)  # what a build keeps: the plan and NOW's week
    instants = ["2026-11-27T12:00:00Z", "2026-11-29T23:30:00Z", "2026-12-24T10:00:00Z"]
    fast = [_who(sample_org, at) for at in instants]
    assert list((tmp_path / "memo").glob(f"*.week-{week_of(NOW)}"))  # read from it
    monkeypatch.setenv("ROTA_CACHE_DIR", "")  # the memo off: loaded and planned afresh
    assert fast == [_who(sample_org, at) for at in instants]
    # Hannah covers payments/primary from now on: the kept week (of the old inputs) must
    # not answer for the new ones
    overrides = sample_org / "rotations" / "overrides.yaml"
    overrides.write_text(
        overrides.read_text()
        + '  - {team: payments, rotation: primary, from: "2026-11-27 00:00", '
        + 'to: "2026-11-28 00:00", person: hannah-cole, note: "cover"}\n'
    )
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    load_org(sample_org, NOW).horizon(NOW)
    after = _who(sample_org, instants[0])
    primary = [e for e in after["oncall"] if e["team"] == "payments" and e["rotation"] == "primary"]  # type: ignore[index,union-attr]
    assert [e["person"] for e in primary] == ["hannah-cole"]
    assert after != fast[0]
    monkeypatch.setenv("ROTA_CACHE_DIR", "")
    assert after == _who(sample_org, instants[0])


def test_the_plan_is_kept_across_a_runbook_edit_and_not_across_a_rotations_edit(
    sample_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTA_CACHE_DIR", str(tmp_path / "memo"))
    first = load_org(sample_org, NOW)
    assert first.memo is not None and first.plans is not None
    runbook = next((sample_org / "runbooks").rglob("*.md"))
    runbook.write_text(runbook.read_text() + "\nOne more step.\n")
    second = load_org(sample_org, NOW)
    assert second.memo is not None and second.plans is not None
    assert second.memo.digest != first.memo.digest  # the organisation is read again
    assert second.plans.digest == first.plans.digest  # planning reads rotations/ only
    people = sample_org / "rotations" / "people.yaml"
    people.write_text(people.read_text().replace("note: Ski trip}", "note: Skiing}"))
    third = load_org(sample_org, NOW)
    assert third.plans is not None and third.plans.digest != first.plans.digest
