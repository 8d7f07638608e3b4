"""An unknown key suggests the key Rota spells it with: a typo's nearest spelling, or
the name another tool gives it."""

from __future__ import annotations

import pytest

from generator import spec
from generator.errors import Diagnostics, key_hint
from generator.load.yamlload import parse_yaml


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("shfit", " (did you mean 'shift'?)"),
        ("length", " (did you mean 'shift'?)"),
        ("duration", " (did you mean 'shift'?)"),
        ("users", " (did you mean 'members'?)"),
        ("oncall", " (did you mean 'members'?)"),
        ("colour", ""),
    ],
)
def test_rotation_keys(key: str, hint: str) -> None:
    assert key_hint(key, spec.ROTATION.by_name) == hint


def test_a_synonym_is_only_offered_where_the_object_has_it() -> None:
    assert key_hint("owner", spec.RUNBOOK_MD.by_name) == " (did you mean 'team'?)"
    assert key_hint("assignee", ["person", "team"]) == " (did you mean 'person'?)"
    assert key_hint("assignee", ["owner", "due"]) == " (did you mean 'owner'?)"
    assert key_hint("Time-Zone", ["name", "timezone"]) == " (did you mean 'timezone'?)"
    assert key_hint("tz", ["name", "email"]) == ""


def test_a_missing_key_is_not_reported_again_when_an_unknown_key_was_taken_for_it() -> None:
    diags = Diagnostics()
    doc = parse_yaml(
        '{id: a, members: [ann], start: "2026-01-05 09:00", length: 1w}\n', "r.yaml", diags
    )
    assert spec.ROTATION.convert(doc, doc.source, diags) is spec.INVALID
    assert [d.message for d in diags.items] == [
        "unknown key 'length' in rotation (did you mean 'shift'?)"
    ]
