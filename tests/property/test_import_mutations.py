"""Every broken variant of the saved JSON (a member removed, or given the wrong kind
of value) is imported or refused with a located error (BadExport: file and JSON path),
never an exception of another kind, which would reach users as an internal error."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.integrations.common import BadExport, Doc, Imported
from generator.integrations.grafana import import_grafana
from generator.integrations.opsgenie import import_opsgenie
from generator.integrations.pagerduty import import_pagerduty

FIXTURES = Path(__file__).parent.parent / "integrations" / "fixtures"
WRONG: list[Any] = [None, "x", -1, [], {}, "2026-13-40T25:00:00Z"]

CASES: dict[str, tuple[Callable[[list[Doc]], Imported], list[str]]] = {
    "pagerduty-v2": (lambda d: import_pagerduty(d), ["schedule.json", "users.json"]),
    "pagerduty-v3": (lambda d: import_pagerduty(d), ["schedule.json", "users.json"]),
    "opsgenie": (lambda d: import_opsgenie(d), ["schedule.json", "timeline.json"]),
    "grafana": (
        lambda d: import_grafana(d),
        ["schedule.json", "on_call_shifts.json", "users.json", "final_shifts.json"],
    ),
}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = list(enumerate(value))[:2]  # the first two of a list stand for the rest
    else:
        return
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


def mutated(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(doc)
    parent = out
    for key in path[:-1]:
        parent = parent[key]
    if value is KeyError:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_json_is_refused_with_its_json_path(case: str) -> None:
    run, names = CASES[case]
    docs = [json.loads((FIXTURES / case / n).read_text()) for n in names]
    tried = 0
    for i, doc in enumerate(docs):
        for path in paths(doc):
            for value in [KeyError, *WRONG]:
                variant = [Doc(d, n) for d, n in zip(docs, names)]
                variant[i] = Doc(mutated(doc, path, value), names[i])
                try:
                    run(variant)
                except BadExport as exc:
                    assert exc.path.startswith("$") and exc.file in names
                tried += 1
    assert tried > 100
