"""The YAML reader types only what it must and remembers where values stand."""

from __future__ import annotations

from generator.errors import Diagnostics, Source
from generator.load.yamlload import LDict, LList, parse_yaml


def parse(text: str) -> tuple[object, Diagnostics]:
    diags = Diagnostics()
    return parse_yaml(text, "f.yaml", diags), diags


def test_norway_and_times_stay_text() -> None:
    doc, diags = parse("a: NO\nb: 09:00\nc: 18:00\nd: 2026-12-24\ne: yes\nf: on\n")
    assert not diags
    # YAML 1.1 would give False, 540, 1080, a date, True and True
    assert doc == {"a": "NO", "b": "09:00", "c": "18:00", "d": "2026-12-24", "e": "yes", "f": "on"}


def test_numbers_booleans_and_null_are_typed() -> None:
    doc, _ = parse("a: 1\nb: 1.50\nc: true\nd: null\ne: ~\nf: -2\n")
    assert doc == {"a": 1, "b": 1.5, "c": True, "d": None, "e": None, "f": -2}


def test_values_remember_line_and_column() -> None:
    doc, _ = parse("people:\n  - id: ann\n    name: Ann\n")
    assert isinstance(doc, LDict)
    people = doc["people"]
    assert isinstance(people, LList)
    assert people.item_at(0) == Source("f.yaml", 2, 5)
    first = people[0]
    assert first.key_at("name") == Source("f.yaml", 3, 5)
    assert first.value_at("name") == Source("f.yaml", 3, 11)


def test_front_matter_offset_shifts_lines() -> None:
    diags = Diagnostics()
    doc = parse_yaml("title: x\nteam: y\n", "rb.md", diags, line_offset=1)
    assert doc.value_at("team") == Source("rb.md", 3, 7)


def test_duplicate_keys_are_errors_not_last_wins() -> None:
    _, diags = parse("a: 1\na: 2\n")
    assert [str(d) for d in diags.sorted()] == [
        "f.yaml:2:1: error: duplicate key 'a' (first at line 1)"
    ]


def test_merge_keys_are_refused() -> None:
    _, diags = parse("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert [str(d) for d in diags.sorted()] == [
        "f.yaml:3:3: error: merge keys ('<<') are not supported"
    ]
