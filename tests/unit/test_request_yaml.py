"""``rota request`` writes its entry into the YAML and leaves every other byte alone."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.requests import add_leave, add_override, quoted

REPO = Path(__file__).resolve().parents[2]
SAMPLE_PEOPLE = (REPO / "rotations" / "people.yaml").read_text(encoding="utf-8")
SAMPLE_OVERRIDES = (REPO / "rotations" / "overrides.yaml").read_text(encoding="utf-8")

COVER = [
    ("team", "payments"),
    ("rotation", "primary"),
    ("from", "2027-01-05 09:00"),
    ("to", "2027-01-06 09:00"),
    ("person", "jake-kowalski"),
    ("note", 'Jake covers "Marcus" — agreed in #payments'),
]


def inserted(old: str, new: str) -> tuple[int, list[str]]:
    """Where lines were inserted and which, asserting nothing else changed."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    added = len(b) - len(a)
    assert added > 0
    assert b[:start] + b[start + added :] == a  # byte-identical outside the change
    return start, b[start : start + added]


def test_override_is_appended_to_the_commented_list_and_nothing_else_changes() -> None:
    new = add_override(SAMPLE_OVERRIDES, COVER)
    at, lines = inserted(SAMPLE_OVERRIDES, new)
    assert at == len(SAMPLE_OVERRIDES.splitlines())  # after the last entry
    # long entries wrap as the file's own do: first keys, then the rest indented 5
    assert lines == [
        '  - {team: payments, rotation: primary, from: "2027-01-05 09:00", to: "2027-01-06 09:00",\n',  # noqa: E501
        '     person: jake-kowalski, note: "Jake covers \\"Marcus\\" — agreed in #payments"}\n',
    ]
    assert yaml.safe_load(new)["overrides"][-1] == dict(COVER)


def test_leave_joins_an_existing_leave_list() -> None:
    new = add_leave(
        SAMPLE_PEOPLE, "marcus-reid", [("from", "2027-02-01"), ("to", "2027-02-02"), ("note", None)]
    )
    _, lines = inserted(SAMPLE_PEOPLE, new)
    assert lines == ["      - {from: 2027-02-01, to: 2027-02-02}\n"]
    marcus = next(p for p in yaml.safe_load(new)["people"] if p["id"] == "marcus-reid")
    assert [str(lv["from"]) for lv in marcus["leave"]] == ["2026-12-21", "2027-02-01"]


def test_leave_starts_a_list_for_someone_without_leave() -> None:
    new = add_leave(
        SAMPLE_PEOPLE,
        "priya-shah",
        [("from", "2027-03-01 13:00"), ("to", "2027-03-01 18:00"), ("note", "Dentist")],
    )
    _, lines = inserted(SAMPLE_PEOPLE, new)
    assert lines == [
        "    leave:\n",
        '      - {from: "2027-03-01 13:00", to: "2027-03-01 18:00", note: Dentist}\n',
    ]
    priya = next(p for p in yaml.safe_load(new)["people"] if p["id"] == "priya-shah")
    assert priya["leave"] == [
        {"from": "2027-03-01 13:00", "to": "2027-03-01 18:00", "note": "Dentist"}
    ]


def test_a_file_without_a_trailing_newline_keeps_its_last_line() -> None:
    text = "people:\n  - id: ann\n    name: Ann  # the lead"
    new = add_leave(text, "ann", [("from", "2027-01-04"), ("to", "2027-01-04")])
    assert (
        new
        == "people:\n  - id: ann\n    name: Ann  # the lead\n    leave:\n      - {from: 2027-01-04, to: 2027-01-04}\n"  # noqa: E501
    )


def test_an_empty_overrides_key_gets_its_first_entry_and_keeps_its_comment() -> None:
    text = "# top\noverrides: []   # none yet\nhandoffs: []\n"
    new = add_override(text, COVER[:5])
    assert new == (
        "# top\noverrides:  # none yet\n"
        '  - {team: payments, rotation: primary, from: "2027-01-05 09:00", to: "2027-01-06 09:00",\n'  # noqa: E501
        "     person: jake-kowalski}\n"
        "handoffs: []\n"
    )


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_any_note_reads_back_exactly(note: str) -> None:
    assert yaml.safe_load("note: " + quoted(note)) == {"note": note}
