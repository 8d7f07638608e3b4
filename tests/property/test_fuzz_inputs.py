"""Mutated organisations (keys dropped, duplicated, retyped, renamed) give either
a clean run or located errors, never an exception escaping to the user."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import cli

NOW = "2026-11-27T12:00:00Z"
LINE = re.compile(r"^\S+:\d+:\d+: (error|warning): \S.*$")
SUMMARY = re.compile(r"^rota: \d+ error\(s\), \d+ warning\(s\)$")

BASE: dict[str, Any] = {
    "settings": {
        "organisation": "Fuzz",
        "timezone": "Europe/London",
        "horizon": "8w",
        "history": "2w",
    },
    "people": [
        {
            "id": "ann",
            "name": "Ann",
            "timezone": "Europe/London",
            "holidays": "GB-ENG",
            "leave": [{"from": "2026-12-21", "to": "2027-01-01", "note": "Winter"}],
        },
        {"id": "bob", "name": "Bob", "timezone": "America/New_York", "holidays": "US-NY"},
        {"id": "cy", "name": "Cy", "timezone": "Asia/Kolkata", "holidays": "IN"},
    ],
    "teams": [
        {
            "id": "web",
            "name": "Web",
            "timezone": "Europe/London",
            "services": ["api"],
            "rotations": [
                {
                    "id": "primary",
                    "members": ["ann", "bob", {"person": "cy", "share": 0.5}],
                    "start": "2026-01-05 09:00",
                    "shift": "1w",
                    "min_rest": "1w",
                },
                {
                    "id": "day",
                    "members": ["ann", "cy"],
                    "start": "2026-01-05 09:00",
                    "shift": "1d",
                    "assignment": "round-robin",
                    "coverage": [
                        {
                            "days": ["mon", "tue", "wed", "thu", "fri"],
                            "from": "09:00",
                            "to": "17:00",
                        }
                    ],
                },
            ],
            "escalation": {
                "repeat": 1,
                "levels": [
                    {"after": "0m", "notify": ["primary"]},
                    {"after": "15m", "notify": ["person:bob"]},
                ],
            },
        }
    ],
    "overrides": [
        {
            "team": "web",
            "rotation": "primary",
            "from": "2026-12-07 09:00",
            "to": "2026-12-08 09:00",
            "person": "cy",
            "note": "swap",
        }
    ],
    "severities": [{"id": "SEV-1", "name": "Critical", "description": "Down"}],
    "incidents": [
        {
            "id": "INC-1",
            "title": "Down",
            "severity": "SEV-1",
            "team": "web",
            "started": "2026-11-10T10:00:00Z",
            "resolved": "2026-11-10T11:00:00Z",
            "responders": ["ann"],
        }
    ],
    "pay": {
        "currency": "GBP",
        "default_policy": "std",
        "policies": {"std": {"standby": {"weekday": 1.5, "weekend": 3, "holiday": 4.5}}},
    },
}

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(
        [
            "1w",
            "09:00",
            "2026-12-24",
            "2026-12-24 09:00",
            "ann",
            "web",
            "primary",
            "Mars/Base",
            "XX-YY",
            "-1h",
            "0m",
            "24:00",
        ]
    ),
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def mutate(doc: Any, path: tuple[Any, ...], op: str, value: Any, name: str) -> Any:
    if not path:
        return value if op == "retype" else doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "drop":
        del parent[last]
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(last, yaml.safe_load(yaml.safe_dump(parent[last])))
    elif op == "rename" and isinstance(parent, dict):
        parent[name or "x"] = parent.pop(last)
    else:
        parent[last] = value
    return doc


@settings(
    max_examples=int(os.environ.get("ROTA_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_mutated_inputs_never_crash(tmp_path_factory: Any, data: st.DataObject) -> None:
    doc = yaml.safe_load(yaml.safe_dump(BASE))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = data.draw(st.sampled_from(paths(doc)), label="path")
        op = data.draw(st.sampled_from(["drop", "duplicate", "retype", "rename"]), label="op")
        value = data.draw(VALUES, label="value")
        name = data.draw(st.sampled_from(["id", "shfit", "members", "Name", "zone", "from"]))
        doc = mutate(doc, path, op, value, name)
    root = tmp_path_factory.mktemp("org")
    (root / "rotations").mkdir()
    (root / "rotations" / "org.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", NOW])
    assert isinstance(result.exception, SystemExit) or result.exception is None, (
        f"{type(result.exception).__name__}: {result.exception}\n{yaml.safe_dump(doc)}"
    )
    assert result.exit_code in (0, 1)
    lines = result.stderr.splitlines()
    if result.exit_code == 1:
        assert lines and SUMMARY.match(lines[-1])
        lines = lines[:-1]
        assert any(": error: " in line for line in lines)
    for line in lines:
        assert LINE.match(line), line
    if result.exit_code == 0:
        shown = CliRunner().invoke(
            cli, ["--root", str(root), "schedule", "--format", "json", "--now", NOW]
        )
        assert shown.exit_code == 0, shown.output


def test_base_organisation_is_valid(tmp_path: Path) -> None:
    (tmp_path / "rotations").mkdir()
    (tmp_path / "rotations" / "org.yaml").write_text(yaml.safe_dump(BASE))
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "validate", "--now", NOW])
    assert result.exit_code == 0, result.stderr


REVIEW_INCIDENT: dict[str, Any] = {
    "id": "INC-2",
    "title": "Slow",
    "severity": "SEV-1",
    "team": "web",
    "started": "2026-11-12 22:30",
    "detected": "2026-11-12T22:35:00Z",
    "acknowledged": "2026-11-12 22:40",
    "mitigated": "2026-11-13T00:10:00Z",
    "resolved": "2026-11-13T01:00:00Z",
    "alerts": ["ApiSlow"],
    "actionable": False,
    "services": ["api"],
    "commander": "bob",
    "scribe": "cy",
    "responders": ["ann", "bob"],
    "related": ["INC-1"],
}
POSTMORTEM: dict[str, Any] = {
    "incident": "INC-2",
    "status": "reviewed",
    "authors": ["ann"],
    "reviewed": "2026-11-16",
    "action_items": [
        {
            "id": "A1",
            "title": "Alert on queue depth",
            "owner": "web",
            "priority": "P1",
            "type": "detect",
            "due": "2026-11-20",
        },
        {
            "id": "A2",
            "title": "Cache warm-up step",
            "owner": "bob",
            "priority": "P2",
            "type": "mitigate",
            "due": "2026-12-20",
            "status": "done",
            "closed": "2026-11-18",
            "link": "https://tracker.example.com/1",
        },
    ],
}
BODY = "".join(
    f"\n## {s}\n\nText.\n"
    for s in ("Summary", "Impact", "Timeline", "Root Cause", "Contributing Factors", "Action Items")
)


@settings(
    max_examples=int(os.environ.get("ROTA_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_mutated_incidents_and_postmortems_never_crash(
    tmp_path_factory: Any, data: st.DataObject
) -> None:
    doc = yaml.safe_load(yaml.safe_dump(BASE))
    doc["incidents"].append(yaml.safe_load(yaml.safe_dump(REVIEW_INCIDENT)))
    front = yaml.safe_load(yaml.safe_dump(POSTMORTEM))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        target = data.draw(st.sampled_from(["incident", "postmortem"]), label="where")
        tree = doc["incidents"][-1] if target == "incident" else front
        path = data.draw(st.sampled_from(paths(tree)[1:]), label="path")
        op = data.draw(st.sampled_from(["drop", "duplicate", "retype", "rename"]), label="op")
        value = data.draw(VALUES, label="value")
        name = data.draw(st.sampled_from(["id", "owner", "due", "status", "Name", "commander"]))
        mutate(tree, path, op, value, name)
    root = tmp_path_factory.mktemp("org")
    (root / "rotations").mkdir()
    (root / "postmortems").mkdir()
    (root / "rotations" / "org.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + BODY
    (root / "postmortems" / "INC-2.md").write_text(text)
    runner = CliRunner()
    result = runner.invoke(cli, ["--root", str(root), "validate", "--now", NOW])
    assert isinstance(result.exception, SystemExit) or result.exception is None, (
        f"{type(result.exception).__name__}: {result.exception}\n{text}"
    )
    assert result.exit_code in (0, 1)
    lines = result.stderr.splitlines()
    if result.exit_code == 1:
        assert lines and SUMMARY.match(lines[-1])
        lines = lines[:-1]
    for line in lines:
        assert LINE.match(line), line
    if result.exit_code == 0:
        for args in (["incidents", "--format", "json"], ["actions", "--format", "json"]):
            shown = runner.invoke(cli, ["--root", str(root), *args, "--now", NOW])
            assert shown.exit_code == 0, shown.output


def test_base_review_organisation_is_valid(tmp_path: Path) -> None:
    doc = yaml.safe_load(yaml.safe_dump(BASE))
    doc["incidents"].append(REVIEW_INCIDENT)
    (tmp_path / "rotations").mkdir()
    (tmp_path / "postmortems").mkdir()
    (tmp_path / "rotations" / "org.yaml").write_text(yaml.safe_dump(doc))
    front = "---\n" + yaml.safe_dump(POSTMORTEM) + "---\n" + BODY
    (tmp_path / "postmortems" / "INC-2.md").write_text(front)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "validate", "--now", NOW])
    assert result.exit_code == 0, result.stderr
    # INC-1 (SEV-1, no postmortem) is past its review deadline; INC-2's is reviewed
    assert "INC-1 (SEV-1) needed a reviewed postmortem" in result.stderr
    assert "INC-2" not in result.stderr
